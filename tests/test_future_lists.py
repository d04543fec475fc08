"""The lists after the bundled ones, through the scheduled path: `top500 run` (the CLI, the Prefect flow, every
gate, dbt, publish) on a warehouse of the bundled lists takes in the next three lists (2026-11, 2027-06 and 2027-11
after the bundled 2026-06), one run each, from a directory and over HTTP, each with its official Green500 list, and
from the directory with the HPL-MxP results page that adds the list's table. The lists come from
tests/support/future_lists.py, which says what it did to each (who left, who is new, the upgraded system, the new
country, the accelerator no spec knows, the Green500 #1, the HPL-MxP results); the marts must show exactly that,
and a list past the end of the Epoch cluster data leaves the compute outlook and what keeping up would take as they
were. Also the awkward days: a list missing between, a June list out in July, the same list again."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.files import describe_file, sha256_of
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import green500, hpl_mxp, top500, top500_calendar
from support.future_lists import FutureList, History, future_lists
from support.http_server import ServerThread, Top500Site
from support.warehouses import BUNDLED_KEYS, BUNDLED_LISTS, copy_bundled

pytestmark = pytest.mark.slow

SOURCES = PROJECT_ROOT / "warehouse" / "sources"
BUNDLED_GREEN500 = SOURCES / "green500" / "raw"
NEWEST_BUNDLED = sorted(BUNDLED_LISTS.glob("TOP500_*.xls*"))[-1]  # TOP500_202606.xlsx today
BUNDLED_COUNT = len(BUNDLED_KEYS)


def run_on(fl: FutureList) -> str:
    """The day a scheduled run takes `fl` in: the calendar expects it by then, and no list after it."""
    return f"{fl.list_date.year}-{'12-01' if fl.list_date.month == 11 else '07-15'}"


@pytest.fixture(scope="module")
def future(tmp_path_factory) -> list[FutureList]:
    """The three lists after the newest bundled one, each derived from the one before, each with its official
    Green500 list and the HPL-MxP results page that adds its table."""
    history = History.of(sorted(BUNDLED_LISTS.glob("TOP500_*.xls*")))
    return future_lists(
        NEWEST_BUNDLED,
        tmp_path_factory.mktemp("future"),
        3,
        history=history,
        green500_template=sorted(BUNDLED_GREEN500.glob("green500_top_*.xlsx"))[-1],
        hpl_mxp_page_before=SOURCES / "hpl_mxp" / "hpl-mxp-results.md",
    )


def _reference_dir(root: Path) -> Path:
    """The bundled reference sources' layout (specs/, ai_compute/, hpl_mxp/), to put a newer results page in."""
    for sub in ("specs", "ai_compute", "hpl_mxp"):
        shutil.copytree(SOURCES / sub, root / sub)
    return root


def _rounded(rows: list[tuple]) -> list[tuple]:
    """Rows with floats to 9 significant digits: the same figures summed in another order compare equal."""
    return [tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row) for row in rows]


@dataclass
class Published:
    """What the published warehouse says before a run, to compare the run's result with."""

    lists: int
    keys: dict[str, tuple[str, int]]  # System ID -> (system_key, lists_on)
    coverage: float
    sha256: str
    outlook: list[tuple]  # marts.national_compute_outlook, then marts.compute_needed, row for row
    needed: list[tuple]
    hpl_mxp: list[tuple]  # the HPL-MxP results of the lists loaded so far, with the entry each names


HPL_MXP_ROWS = """select list_label, hpl_mxp_rank, computer, hpl_mxp_eflops, top500_rank, system_key, top500_link_rule
                  from marts.hpl_mxp where list_label <= ? order by list_label, hpl_mxp_rank"""


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
            outlook=_rounded(con.execute("select * from marts.national_compute_outlook order by all").fetchall()),
            needed=_rounded(con.execute("select * from marts.compute_needed order by all").fetchall()),
            hpl_mxp=con.execute(
                HPL_MXP_ROWS, [con.execute("select max(list_label) from marts.list_entries").fetchone()[0]]
            ).fetchall(),
        )


def _start_from_the_bundled_lists(cli, published: Settings) -> None:
    """This test's warehouse: a copy of the session's `top500 run` of the bundled lists (links are relative)."""
    shutil.copytree(published.warehouse_dir, cli.warehouse, symlinks=True)


def _run_and_check(
    cli, fl: FutureList, source: str, extra_env: dict | None = None, reference: str | None = None
) -> dict:
    """One scheduled run that must take in `fl` (with its Green500 list; with its HPL-MxP table when `reference`
    holds the page); every fact the generator reports is checked on the marts."""
    db = cli.warehouse / "top500.duckdb"
    before = _state(db)
    started = time.monotonic()
    run = cli("run", "--source", source, *(("--reference-source", reference) if reference else ()), extra_env=extra_env)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    headline = run.stdout.splitlines()[0]
    lists = before.lists + 1
    assert headline.startswith(
        f"loaded {fl.label}: 500 entries: {lists} lists in the warehouse (1993-06..{fl.label}), {lists} in the "
        "source; 1 new country on the lists; published generation "
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
        # its official Green500 list: whole in marts.green500, counted in energy_development, the #1 linked to its
        # entry by System ID
        green = fl.green500
        assert one("select count(*), count(system_key) from marts.green500 where list_label = ?", fl.label) == (
            green.ranked,
            green.ranked,
        )
        assert one(
            """select g.top500_rank, g.system_key = e.system_key, g.top500_link_rule, g.energy_efficiency_gflops_per_w
               from marts.green500 as g join marts.list_entries as e using (list_date)
               where g.list_label = ? and g.green500_rank = 1 and e.system_id = ?""",
            fl.label,
            green.first.system_id,
        ) == (green.first.rank, True, "system_id", pytest.approx(green.first_efficiency))
        assert one(
            "select green500_entries, green500_rank1_system_key is not null from marts.energy_development "
            "where list_label = ?",
            fl.label,
        ) == (green.ranked, True)
        # HPL-MxP: the results of earlier lists as they were; this list's, when the page has them, each linked to
        # the entry at its printed rank by name
        mxp = con.execute(HPL_MXP_ROWS, [fl.label]).fetchall()
        assert [r for r in mxp if r[0] != fl.label] == before.hpl_mxp
        if reference:
            assert [(r[1], r[2], r[3], r[4], r[6]) for r in mxp if r[0] == fl.label] == [
                (m.rank, m.entry.name, m.hpl_mxp_eflops, m.entry.rank, "name") for m in fl.hpl_mxp.results
            ]
            assert all(
                r[5] == now[m.entry.system_id][0] for r, m in zip(mxp[-len(fl.hpl_mxp.results) :], fl.hpl_mxp.results)
            )
        # a list past the end of the Epoch cluster data moves neither the outlook's base date nor what keeping up
        # would take: both marts are row for row what they were
        assert _rounded(con.execute("select * from marts.national_compute_outlook order by all").fetchall()) == (
            before.outlook
        )
        assert _rounded(con.execute("select * from marts.compute_needed order by all").fetchall()) == before.needed
        assert before.outlook and before.needed
    assert f"accelerator spec coverage 2012-06..{fl.label}: {coverage:.2%} of accelerated Rmax matched" in run.stdout
    return {"list": fl.label, "exit": run.returncode, "headline": headline, "seconds": round(seconds, 1)}


def _report(request, runs: list[dict]) -> None:
    """Each run's exit status, headline and duration: in the test's report (`-rA`) and its properties."""
    for r in runs:
        print(f"{r['list']}: exit {r['exit']} in {r['seconds']:.1f} s: {r['headline']}")
    request.node.user_properties.append(("future_runs", runs))


def _with_green500(directory: Path) -> Path:
    """`directory` with the bundled official Green500 lists beside its TOP500 lists, as top500.org has them."""
    for path in BUNDLED_GREEN500.glob("green500_top_*.xlsx"):
        shutil.copy2(path, directory / path.name)
    return directory


def _file_url(base: str, name: str) -> str:
    d = top500_calendar.list_date_of(name)
    return f"{base}/lists/top500/{d:%Y/%m}/download/{name}"


def test_the_next_three_lists_load_from_a_directory_one_run_each(cli, published, future, tmp_path, request):
    """Each list with its Green500 list in the directory, and the reference sources with the HPL-MxP page that
    adds the list's table."""
    _start_from_the_bundled_lists(cli, published)
    src = _with_green500(copy_bundled(tmp_path / "lists"))
    reference = _reference_dir(tmp_path / "reference")
    runs = []
    for fl in future:
        for path in (fl.path, fl.green500.path):
            shutil.copy2(path, src / path.name)
        shutil.copy2(fl.hpl_mxp.path, reference / "hpl_mxp" / fl.hpl_mxp.path.name)
        runs.append(_run_and_check(cli, fl, str(src), reference=str(reference)))
    _report(request, runs)


def test_the_next_three_lists_load_over_http_one_run_each(cli, published, future, tmp_path, request):
    """The scheduled job's own source, on the days it runs, each list with its Green500 list; a June list that is
    out only in July, and a run that finds the newest list again (nothing to do)."""
    _start_from_the_bundled_lists(cli, published)
    site = Top500Site()
    site.add_directory(_with_green500(copy_bundled(tmp_path / "site")))
    db = cli.warehouse / "top500.duckdb"
    runs = []
    with ServerThread(site) as server:
        for k, fl in enumerate(future):
            if fl.list_date.month == 6:  # ISC is over, the files are not on the site yet: nothing new, not an error
                june = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": f"{fl.label}-20"})
                assert june.returncode == 0, june.stderr[-3000:]
                lists = BUNDLED_COUNT + k
                assert june.stdout.startswith(
                    f"no new list ({fl.label} not published yet): {lists} lists in the warehouse "
                    f"(1993-06..{fl.previous_label}), {lists} in the source; the published generation "
                ), june.stdout
            site.add_file(fl.path)
            site.add_file(fl.green500.path)
            runs.append(_run_and_check(cli, fl, server.base_url, {"TOP500_AS_OF_DATE": run_on(fl)}))
            assert site.bodies(fl.path.name) == site.bodies(fl.green500.path.name) == 1
        # the same lists offered again: a no-op that downloads no file and publishes nothing
        before = sha256_of(db)
        last = future[-1]
        again = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": f"{last.label}-28"})
        assert again.returncode == 0, again.stderr[-3000:]
        lists = BUNDLED_COUNT + len(future)
        assert again.stdout.startswith(
            f"no new list: {lists} lists in the warehouse (1993-06..{last.label}), {lists} in the source; the "
            "published generation "
        ), again.stdout
        assert again.stdout.splitlines()[0].endswith(" is up to date")
        assert site.bodies(last.path.name) == site.bodies(last.green500.path.name) == 1 and sha256_of(db) == before
    _report(request, runs)


def test_a_list_two_editions_ahead_with_the_one_between_missing_is_refused_naming_it(cli, published, future, tmp_path):
    """Lists load in order: the second list after the bundled ones without the first (2027-06 without 2026-11) is
    refused from a directory and over HTTP alike, naming the missing one, and nothing changes; once it is there,
    one run loads both."""
    _start_from_the_bundled_lists(cli, published)
    db = cli.warehouse / "top500.duckdb"
    before = sha256_of(db)
    missing, ahead = future[0], future[1]

    src = _with_green500(copy_bundled(tmp_path / "lists"))
    shutil.copy2(ahead.path, src / ahead.path.name)
    gap = cli("run", "--source", str(src))
    assert gap.returncode == 1
    assert gap.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        f"{ahead.path.name}: the {missing.label} list is missing from the source: the warehouse ends at "
        f"{BUNDLED_KEYS[-1]} and lists load in order, none skipped (add {missing.path.name})",
    ], gap.stderr
    assert "Traceback" not in gap.stdout + gap.stderr

    site = Top500Site()
    site.add_directory(src)
    with ServerThread(site) as server:
        over_http = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": run_on(ahead)})
    assert over_http.returncode == 1
    assert over_http.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        f"{missing.path.name}: HTTP 404 Not Found at {_file_url(server.base_url, missing.path.name)}",
    ], over_http.stderr
    assert sha256_of(db) == before

    shutil.copy2(missing.path, src / missing.path.name)
    both = cli("run", "--source", str(src))
    assert both.returncode == 0, both.stderr[-3000:]
    assert both.stdout.startswith(
        f"loaded {missing.label}, {ahead.label}: 1,000 entries: {BUNDLED_COUNT + 2} lists in the warehouse "
        f"(1993-06..{ahead.label})"
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
    again = future_lists(
        NEWEST_BUNDLED,
        future[0].path.parent / "again",
        3,
        green500_template=sorted(BUNDLED_GREEN500.glob("green500_top_*.xlsx"))[-1],
        hpl_mxp_page_before=SOURCES / "hpl_mxp" / "hpl-mxp-results.md",
    )

    def files(made: list[FutureList]) -> list[str]:
        return [sha256_of(p) for fl in made for p in (fl.path, fl.green500.path, fl.hpl_mxp.path)]

    assert files(again) == files(future)


def test_generated_green500_lists_and_hpl_mxp_tables_read_back_as_generated(future):
    """Each Green500 list, read through the real parser: 500 systems of its TOP500 list, Green500 ranks 1..500, the
    ranked ones first in falling efficiency, its #1 as the generator says; each page holds every table of the page
    before and the new list's results, at the TOP500 rank and Rmax of its list."""
    tables = hpl_mxp.parse(_reference_source(future[-1].hpl_mxp.path)).rows
    bundled = hpl_mxp.parse(_reference_source(SOURCES / "hpl_mxp" / "hpl-mxp-results.md")).rows
    assert len(tables) == len(bundled) + sum(len(fl.hpl_mxp.results) for fl in future)
    for fl in future:
        rows = green500.parse(
            describe_file(green500.DATASET, fl.label, fl.green500.path, fl.green500.path.as_uri())
        ).rows
        listed = top500.parse_all([_source(fl.path)])[0].rows.set_index("system_id")
        assert list(rows["green500_rank"]) == list(range(1, 501)) and set(rows["system_id"]) == set(listed.index)
        ranked = rows[rows["energy_efficiency_gflops_per_w"].notna()]
        assert len(ranked) == fl.green500.ranked and list(ranked["green500_rank"]) == list(range(1, len(ranked) + 1))
        assert ranked["energy_efficiency_gflops_per_w"].is_monotonic_decreasing
        assert (rows["top500_rank"] == listed.loc[rows["system_id"], "rank"].to_numpy()).all()
        first = ranked.iloc[0]
        assert (first["system_id"], first["top500_rank"]) == (fl.green500.first.system_id, fl.green500.first.rank)
        mine = tables[tables["list_date"].astype(str) == f"{fl.label}-01"]
        assert [(r.rank, r.computer, r.top500_rank, r.hpl_mxp_eflops) for r in mine.itertuples()] == [
            (m.rank, m.entry.name, m.entry.rank, m.hpl_mxp_eflops) for m in fl.hpl_mxp.results
        ]
        assert (mine["hpl_rmax_eflops"] == [round(m.entry.rmax_tflops / 1e6, 4) for m in fl.hpl_mxp.results]).all()


def _reference_source(path: Path):
    return describe_file(hpl_mxp.RESULTS.name, path.name, path, path.as_uri())


def _source(path: Path):
    return describe_file(
        top500_calendar.DATASET, top500_calendar.file_key(top500_calendar.list_date_of(path.name)), path, path.as_uri()
    )
