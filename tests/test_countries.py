"""Every country name on a list is one country: another ISO spelling of a known country ("Korea, Republic of",
"Federal Republic of Germany") is read as that country and reported, a real new country is reported as new, and
every mart with a country carries its ISO 3166 alpha-3 code."""

from __future__ import annotations

import csv

import duckdb
import pytest

from flows import countries
from flows.files import describe_file, sha256_of
from flows.sources import top500
from support.warehouses import BUNDLED_LISTS
from support.workbook_edits import edit_xlsx, header_cell

MARTS_WITH_A_COUNTRY = (
    "list_entries",
    "systems",
    "country_list_stats",
    "national_compute",
    "national_compute_outlook",
    "compute_needed",
    "frontier_run_days",
    "cluster_match_candidates",
    "green500",
    "hpcg",
    "ai_clusters",
    "announced_systems",
)


def test_the_seed_the_marts_take_codes_from_is_every_iso_country_once():
    with countries.SEED.open(encoding="utf-8") as fh:
        rows = [(r["country"], r["country_code"]) for r in csv.DictReader(fh)]
    assert rows == countries.seed_rows()  # `python -m flows.countries` writes it
    assert len(rows) == 249 and len({c for _, c in rows}) == len({n for n, _ in rows}) == 249


@pytest.mark.parametrize(
    ("spelling", "code", "name"),
    [
        ("South Korea", "KOR", "South Korea"),
        ("Korea, Republic of", "KOR", "South Korea"),  # ISO's name
        ("Korea, South", "KOR", "South Korea"),  # the lists' own, until 2020
        ("Federal Republic of Germany", "DEU", "Germany"),  # ISO's official name
        ("Russian Federation", "RUS", "Russia"),
        ("Türkiye", "TUR", "Turkey"),
        ("Taiwan, Province of China", "TWN", "Taiwan"),
        ("Kenya", "KEN", "Kenya"),
    ],
)
def test_every_spelling_of_a_country_is_that_country(spelling, code, name):
    assert countries.resolve(spelling) == countries.Country(code, name)


@pytest.mark.parametrize("spelling", ["Deutschland", "Germnay", "Atlantis", "", None])
def test_a_name_that_is_no_country_resolves_to_none(spelling):
    assert countries.resolve(spelling) is None


def test_the_parser_reads_another_spelling_as_the_country_and_notes_it(tmp_path):
    good = BUNDLED_LISTS / "TOP500_202606.xlsx"
    column = header_cell(good, "Country")[:-1]
    edited = edit_xlsx(good, tmp_path / good.name, {f"{column}21": "Korea, Republic of", f"{column}22": "Deutschland"})
    parsed = top500.parse(describe_file("top500", "2026-06", edited, edited.as_uri()))
    by_rank = parsed.rows.set_index("rank")["country"]
    assert by_rank[20] == "South Korea"
    assert by_rank[21] == "Deutschland"  # no country: left for the list gate to stop by name
    assert parsed.notes == [
        "TOP500_202606.xlsx: country 'Korea, Republic of' (rank 20) is read as South Korea (KOR), the one name the "
        "lists use for it"
    ]


@pytest.mark.slow
def test_another_spelling_of_a_known_country_is_that_country_and_a_new_one_is_reported(cli, parsed_lists):
    src = cli.after_first_run("TOP500_202511.xlsx")
    before = sha256_of(cli.warehouse / "top500.duckdb")
    good = BUNDLED_LISTS / "TOP500_202606.xlsx"
    column = header_cell(good, "Country")[:-1]
    rows = parsed_lists["2026-06"].rows
    korea = sorted(rows.loc[rows["country"] == "South Korea", "rank"])  # every Korean entry, as in the file seen
    germany = sorted(rows.loc[rows["country"] == "Germany", "rank"])[:2]
    cells = {f"{column}{rank + 1}": "Korea, Republic of" for rank in korea}  # a list's row is its rank + 1
    cells |= {f"{column}{rank + 1}": "Federal Republic of Germany" for rank in germany}
    cells[f"{column}413"] = "Kenya"  # rank 412: a country no list has had
    edit_xlsx(good, src / good.name, cells)

    run = cli("run", "--source", str(src), check=True)
    generation = run.stdout.splitlines()[0].rsplit(" ", 1)[1]
    assert run.stdout.splitlines()[0].endswith(f"; 5 new countries on the lists; published generation {generation}")
    assert (
        "new country on the lists (ISO 3166, first seen now): Greece (2026-06 #31), Indonesia (2026-06 #435), "
        "Kenya (2026-06 #412), South Africa (2026-06 #36), Uzbekistan (2026-06 #320)"
    ) in run.stdout
    spellings = [  # in the order of the ranks they are first seen at
        f"TOP500_202606.xlsx: country 'Federal Republic of Germany' (rank {germany[0]}, {germany[1]}) is read as "
        "Germany (DEU), the one name the lists use for it",
        f"TOP500_202606.xlsx: country 'Korea, Republic of' (rank {korea[0]}, {korea[1]}, {korea[2]} ...) is read as "
        "South Korea (KOR), the one name the lists use for it",
    ]
    for spelling in spellings:
        assert f"warning: {spelling}" in run.stderr.splitlines()
    assert sha256_of(cli.warehouse / "top500.duckdb") != before

    with duckdb.connect(str(cli.warehouse / "top500.duckdb"), read_only=True) as con:
        on_2026_06 = dict(
            con.execute(
                "select country || ' ' || country_code, systems from marts.country_list_stats "
                "where list_label = '2026-06'"
            ).fetchall()
        )
        assert on_2026_06["South Korea KOR"] == len(korea) == 19
        assert on_2026_06["Germany DEU"] == 41 and on_2026_06["Kenya KEN"] == 1
        assert not [c for c in on_2026_06 if c.startswith(("Korea", "Federal"))]
        for mart in MARTS_WITH_A_COUNTRY:
            missing = con.execute(
                f"select count(*) from marts.{mart} where country is not null and country_code is null"
            ).fetchone()[0]
            assert missing == 0, mart
        assert con.execute(
            "select count(*) from marts.list_entries where country_code = 'KOR' and list_label = '2026-06'"
        ).fetchone() == (19,)
        recorded = con.execute(
            "select warnings, new_countries from audit.pipeline_runs where generation = ?", [generation]
        ).fetchone()
    assert [w for w in recorded[0] if "is read as" in w] == spellings
    assert "Kenya (2026-06 #412)" in recorded[1]
