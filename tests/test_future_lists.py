"""The lists after the bundled ones, through the scheduled path: `top500 run` (the CLI, the Prefect flow, every
gate, dbt, publish) on a warehouse of the bundled lists takes in 2026-11, then 2027-06, then 2027-11, one run each,
from a directory and over HTTP. The lists come from tests/support/future_lists.py, which says what it did to each
(who left, who is new, the upgraded system, the new country, the accelerator no spec knows); the marts must show
exactly that. Also the awkward days: a list missing between, a June list out in July, the same list again."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.files import describe_file, sha256_of
from flows.settings import Settings
from flows.sources import top500, top500_calendar
from support.future_lists import FutureList, History, future_lists
from support.http_server import ServerThread, Top500Site
from support.warehouses import BUNDLED_LISTS, copy_bundled

pytestmark = pytest.mark.slow

NEWEST_BUNDLED = BUNDLED_LISTS / "TOP500_202606.xlsx"
BUNDLED_COUNT = len(list(BUNDLED_LISTS.glob("TOP500_*.xls*")))
# The day a run looks for each list: the calendar expects it from then (and nothing after it).
RUN_ON = {"2026-11": "2026-12-01", "2027-06": "2027-07-15", "2027-11": "2027-12-01"}


@pytest.fixture(scope="module")
def future(tmp_path_factory) -> list[FutureList]:
    """2026-11, 2027-06 and 2027-11, each derived from the one before, the first from the newest bundled list."""
    history = History.of(sorted(BUNDLED_LISTS.glob("TOP500_*.xls*")))
    return future_lists(NEWEST_BUNDLED, tmp_path_factory.mktemp("future"), 3, history=history)


@dataclass
class Published:
    """What the published warehouse says before a run, to compare the run's result with."""

    lists: int
    keys: dict[str, tuple[str, int]]  # System ID -> (system_key, lists_on)
    coverage: float
    sha256: str


def _state(db: Path) -> Published:
    with duckdb.connect(str(db), read_only=True) as con:
        return Published(
            lists=con.execute("select count(distinct list_date) from marts.list_entries").fetchone()[0],
            keys={
                sid: (key, lists_on)
                for sid, key, lists_on in con.execute(
                    """select e.system_id, e.system_key, s.lists_on from marts.list_entries as e
                       join marts.systems as s using (system_key)
                       where e.list_date = (select max(list_date) from marts.list_entries)"""
                ).fetchall()
            },
            coverage=con.execute("select rmax_share_matched from marts.accelerator_match_coverage").fetchone()[0],
            sha256=sha256_of(db),
        )


def _start_from_the_bundled_lists(cli, published: Settings) -> None:
    """This test's warehouse: a copy of the session's `top500 run` of the bundled lists (links are relative)."""
    shutil.copytree(published.warehouse_dir, cli.warehouse, symlinks=True)


def _run_and_check(cli, fl: FutureList, source: str, extra_env: dict | None = None) -> dict:
    """One scheduled run that must take in `fl`; every fact the generator reports is checked on the marts."""
    db = cli.warehouse / "top500.duckdb"
    before = _state(db)
    started = time.monotonic()
    run = cli("run", "--source", source, extra_env=extra_env)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    headline = run.stdout.splitlines()[0]
    lists = before.lists + 1
    assert headline.startswith(
        f"loaded {fl.label}: 500 entries: {lists} lists in the warehouse (1993-06..{fl.label}), {lists} in the "
        "source; published generation "
    ), run.stdout
    new = fl.new_country
    assert f"new country on the lists (ISO 3166, first seen now): {new.country} ({fl.label} #{new.rank})" in run.stdout
    assert (
        f"warning: {fl.label} brings accelerator string(s) no spec matches: {fl.unknown_accelerator!r} "
        f"({len(fl.unknown_accelerator_entries)} entries, best #{fl.unknown_accelerator_entries[0].rank}, "
    ) in run.stderr, run.stderr
    assert sha256_of(db) != before.sha256

    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str, *params):
            return con.execute(sql, list(params)).fetchone()

        assert one("select count(distinct list_date) from marts.list_entries")[0] == lists
        # who is new and who left: the turnover mart and the entries' own flags say what the generator did
        turnover = one(
            "select previous_list_date, new_entries, left_systems, stayed_entries from marts.list_turnover "
            "where list_label = ?",
            fl.label,
        )
        assert turnover[1:] == (len(fl.new), len(fl.left), 500 - len(fl.new))
        assert f"{turnover[0]:%Y-%m}" == fl.previous_label
        new_ids = {
            sid
            for (sid,) in con.execute(
                "select system_id from marts.list_entries where list_label = ? and is_new_entrant", [fl.label]
            ).fetchall()
        }
        assert new_ids == {e.system_id for e in fl.new}
        left = con.execute(
            """select s.system_key, strftime(s.last_list_date, '%Y-%m'), s.lists_on from marts.systems as s
               where s.system_key in (select unnest(?::varchar[]))""",
            [[before.keys[e.system_id][0] for e in fl.left]],
        ).fetchall()
        assert sorted(left) == sorted(
            (before.keys[e.system_id][0], fl.previous_label, before.keys[e.system_id][1]) for e in fl.left
        )
        # machines still listed keep one key, and each of them is on one list more
        now = {
            sid: (key, lists_on, rank, link)
            for sid, key, lists_on, rank, link in con.execute(
                """select e.system_id, e.system_key, s.lists_on, e.rank, e.link_method from marts.list_entries as e
                   join marts.systems as s using (system_key) where e.list_label = ?""",
                [fl.label],
            ).fetchall()
        }
        stayed = {sid for sid in now if sid in before.keys}
        assert len(stayed) == 500 - len(fl.new)
        assert {sid: now[sid][:2] for sid in stayed} == {
            sid: (before.keys[sid][0], before.keys[sid][1] + 1) for sid in stayed
        }
        assert all(now[e.system_id][:3] == (e.system_id, 1, e.rank) for e in fl.new)
        # the system upgraded in place: same key, its new Rmax and rank, linked by its System ID
        up = fl.upgraded
        assert now[up.system_id] == (
            before.keys[up.system_id][0],
            before.keys[up.system_id][1] + 1,
            up.rank,
            "system_id",
        )
        assert one(
            "select rmax_tflops, previous_rank from marts.list_entries where list_label = ? and system_id = ?",
            fl.label,
            up.system_id,
        ) == (up.rmax_tflops, up.previous_rank)
        assert one("select max(max_rmax_tflops) from marts.systems where system_key = ?", now[up.system_id][0]) == (
            up.rmax_tflops,
        )
        # countries: 500 systems, as the generator placed them, the new country among them
        countries = dict(
            con.execute(
                "select country, systems from marts.country_list_stats where list_label = ? and systems > 0",
                [fl.label],
            ).fetchall()
        )
        assert countries == fl.countries and sum(countries.values()) == 500
        assert countries[new.country] == 1
        assert one(
            "select new_countries from audit.pipeline_runs where status = 'published' order by started_at desc limit 1"
        ) == ([f"{new.country} ({fl.label} #{new.rank})"],)
        # national compute, the demand-supply gap and the projections reach the newest list
        assert one(
            "select strftime(max(list_date), '%Y-%m'), sum(top500_systems) filter (where list_label = ?) "
            "from marts.national_compute",
            fl.label,
        ) == (fl.label, 500)
        assert one("select distinct strftime(base_date, '%Y-%m') from marts.demand_supply_gap") == (fl.label,)
        assert one(
            "select distinct strftime(last_list_date, '%Y-%m') from marts.performance_trend "
            "where scope = 'global' and era = 'all'"
        ) == (fl.label,)
        next_list = date(fl.list_date.year + (fl.list_date.month == 11), 6 if fl.list_date.month == 11 else 11, 1)
        assert one("select min(projected_date) from marts.performance_projection") == (next_list,)
        # the accelerator no spec knows: listed as unmatched from this list on, and coverage falls
        assert one(
            "select strftime(first_list_date, '%Y-%m'), entry_count from marts.unmatched_accelerators "
            "where accelerator = ?",
            fl.unknown_accelerator,
        ) == (fl.label, len(fl.unknown_accelerator_entries))
        coverage = one("select rmax_share_matched from marts.accelerator_match_coverage")[0]
        assert coverage < before.coverage
    assert f"accelerator spec coverage 2012-06..{fl.label}: {coverage:.2%} of accelerated Rmax matched" in run.stdout
    return {"list": fl.label, "exit": run.returncode, "headline": headline, "seconds": round(seconds, 1)}


def _report(request, runs: list[dict]) -> None:
    """Each run's exit status, headline and duration: in the test's report (`-rA`) and its properties."""
    for r in runs:
        print(f"{r['list']}: exit {r['exit']} in {r['seconds']:.1f} s: {r['headline']}")
    request.node.user_properties.append(("future_runs", runs))


def test_the_next_three_lists_load_from_a_directory_one_run_each(cli, published, future, tmp_path, request):
    _start_from_the_bundled_lists(cli, published)
    src = copy_bundled(tmp_path / "lists")
    runs = []
    for fl in future:
        shutil.copy2(fl.path, src / fl.path.name)
        runs.append(_run_and_check(cli, fl, str(src)))
    _report(request, runs)


def test_the_next_three_lists_load_over_http_one_run_each(cli, published, future, tmp_path, request):
    """The scheduled job's own source, on the days it runs; with a June list that is out only in July, and a run
    that finds the newest list again (nothing to do)."""
    _start_from_the_bundled_lists(cli, published)
    site = Top500Site()
    site.add_directory(copy_bundled(tmp_path / "site"))
    db = cli.warehouse / "top500.duckdb"
    runs = []
    with ServerThread(site) as server:
        for fl in future:
            if fl.label == "2027-06":  # ISC is over, the file is not on the site yet: nothing new, not an error
                june = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": "2027-06-20"})
                assert june.returncode == 0, june.stderr[-3000:]
                assert june.stdout.startswith(
                    f"no new list (2027-06 not published yet): {BUNDLED_COUNT + 1} lists in the warehouse "
                    f"(1993-06..2026-11), {BUNDLED_COUNT + 1} in the source; the published generation "
                ), june.stdout
            site.add_file(fl.path)
            runs.append(_run_and_check(cli, fl, server.base_url, {"TOP500_AS_OF_DATE": RUN_ON[fl.label]}))
            assert site.bodies(fl.path.name) == 1
        # the same list offered again: a no-op that downloads no file and publishes nothing
        before = sha256_of(db)
        again = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": "2027-12-08"})
        assert again.returncode == 0, again.stderr[-3000:]
        assert again.stdout.startswith(
            f"no new list: {BUNDLED_COUNT + 3} lists in the warehouse (1993-06..2027-11), {BUNDLED_COUNT + 3} in the "
            "source; the published generation "
        ), again.stdout
        assert again.stdout.splitlines()[0].endswith(" is up to date")
        assert site.bodies(future[-1].path.name) == 1 and sha256_of(db) == before
    _report(request, runs)


def test_a_list_two_editions_ahead_with_the_one_between_missing_is_refused_naming_it(cli, published, future, tmp_path):
    """Lists load in order: 2027-06 without 2026-11 is refused from a directory and over HTTP alike, naming
    2026-11, and nothing changes; once 2026-11 is there, one run loads both."""
    _start_from_the_bundled_lists(cli, published)
    db = cli.warehouse / "top500.duckdb"
    before = sha256_of(db)
    june_2027 = future[1].path

    src = copy_bundled(tmp_path / "lists")
    shutil.copy2(june_2027, src / june_2027.name)
    gap = cli("run", "--source", str(src))
    assert gap.returncode == 1
    assert gap.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        "TOP500_202706.xlsx: the 2026-11 list is missing from the source: the warehouse ends at 2026-06 and lists "
        "load in order, none skipped (add TOP500_202611.xlsx)",
    ], gap.stderr
    assert "Traceback" not in gap.stdout + gap.stderr

    site = Top500Site()
    site.add_directory(src)
    with ServerThread(site) as server:
        over_http = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": "2027-07-15"})
    assert over_http.returncode == 1
    assert over_http.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        f"TOP500_202611.xlsx: HTTP 404 Not Found at {server.base_url}/lists/top500/2026/11/download/TOP500_202611.xlsx",
    ], over_http.stderr
    assert sha256_of(db) == before

    shutil.copy2(future[0].path, src / future[0].path.name)
    both = cli("run", "--source", str(src))
    assert both.returncode == 0, both.stderr[-3000:]
    assert both.stdout.startswith(
        f"loaded 2026-11, 2027-06: 1,000 entries: {BUNDLED_COUNT + 2} lists in the warehouse (1993-06..2027-06)"
    ), both.stdout


@pytest.mark.parametrize(
    ("as_of", "newest", "count"),
    [
        ("2026-12-01", "2026-11", 68),
        ("2027-01-10", "2026-11", 68),
        ("2027-04-30", "2026-11", 68),
        ("2027-05-01", "2027-06", 69),  # ISC may be in May: looked for from May 1
        ("2027-07-15", "2027-06", 69),  # a June list out in July is still the newest expected
        ("2027-10-31", "2027-06", 69),
        ("2027-11-01", "2027-11", 70),
        ("2027-12-31", "2027-11", 70),
    ],
)
def test_the_calendar_in_2027(monkeypatch, as_of, newest, count):
    monkeypatch.setenv("TOP500_AS_OF_DATE", as_of)
    expected = top500_calendar.expected_lists(Settings().today)
    assert (len(expected), f"{expected[-1]:%Y-%m}") == (count, newest)
    assert [f"{d:%Y-%m}" for d in expected[:2]] == ["1993-06", "1993-11"]
    assert len({top500_calendar.edition_of(d) for d in expected}) == count == top500_calendar.edition_of(expected[-1])


def test_generated_lists_are_what_the_top500_would_print(future):
    """The generator's own promises, read back through the real parser: ranks by Rmax, Previous Rank pointing at
    the list before, First Appearance and First Rank of new systems, plausible figures, new IDs, and the same
    bytes for the same seed."""
    parsed = {p.file.file_key: p.rows for p in top500.parse_all([_source(fl.path) for fl in future])}
    previous = top500.parse_all([_source(NEWEST_BUNDLED)])[0].rows
    for fl in future:
        rows = parsed[fl.label]
        assert list(rows["rank"]) == list(range(1, 501))
        assert rows["rmax_tflops"].is_monotonic_decreasing and (rows["rmax_tflops"] <= rows["rpeak_tflops"]).all()
        assert (rows["accelerator_cores"].fillna(0) <= rows["total_cores"]).all()
        assert set(rows["edition"]) == {fl.edition} and rows["year"].max() <= fl.list_date.year
        new = rows[rows["previous_rank"].isna()]
        assert (new["first_appearance"] == fl.edition).all() and (new["first_rank"] == new["rank"]).all()
        assert set(new["system_id"]) == {e.system_id for e in fl.new} and not set(new["system_id"]) & set(
            previous["system_id"]
        )
        stayed = rows[rows["previous_rank"].notna()].merge(previous, on="system_id", suffixes=("", "_before"))
        assert len(stayed) == 500 - len(fl.new) and (stayed["previous_rank"] == stayed["rank_before"]).all()
        assert (stayed["first_appearance"] == stayed["first_appearance_before"]).all()
        left = set(previous["system_id"]) - set(rows["system_id"])
        assert left == {e.system_id for e in fl.left}
        assert min(previous.set_index("system_id").loc[sorted(left), "rank"]) == 501 - len(left)  # from the bottom
        up = stayed.set_index("system_id").loc[fl.upgraded.system_id]
        assert up["rmax_tflops"] > up["rmax_tflops_before"] and up["rpeak_tflops"] > up["rpeak_tflops_before"]
        previous = rows
    again = future_lists(NEWEST_BUNDLED, future[0].path.parent / "again", 3)
    assert [sha256_of(fl.path) for fl in again] == [sha256_of(fl.path) for fl in future]


def _source(path: Path):
    return describe_file(
        top500_calendar.DATASET, top500_calendar.file_key(top500_calendar.list_date_of(path.name)), path, path.as_uri()
    )
