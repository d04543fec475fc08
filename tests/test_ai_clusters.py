"""National compute: Epoch AI GPU clusters joined to the TOP500 on every bundled list and the real Epoch file.

The dbt singular tests of the selection (known matches, one cluster per system and date, every list present,
nothing counted twice, shares adding up to 100, known Epoch countries) run in the same build and must pass;
these tests read the marts, recompute figures independently, and break the data to watch the guards fail.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pycountry
import pytest

from flows import transform
from flows.analyst import analyst_questions
from flows.errors import SourceError
from flows.report import national
from flows.report.base import HIGHLIGHT_COLOR, Marts
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import ai_compute
from flows.transform import DbtRunError
from support.warehouses import built_copy

NODES = ["+national_compute", "+ai_clusters", "+demand_supply_gap", "+demand_gap_milestones", "+performance_trend"]
SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "epoch_country_names.csv"
GPU_CLUSTERS = PROJECT_ROOT / "warehouse" / "sources" / "ai_compute" / "gpu_clusters.csv"


@pytest.fixture(scope="module")
def build(tmp_path_factory, loaded_build_db) -> Settings:
    settings, summary = built_copy(tmp_path_factory.mktemp("national"), loaded_build_db, "test-national", NODES)
    assert summary.tests_passed == summary.tests_run > 100
    return settings


@pytest.fixture(scope="module")
def con(build):
    connection = duckdb.connect(str(build.build_db), read_only=True)
    yield connection
    connection.close()


def _copy(build: Settings, root: Path) -> Settings:
    """A writable copy of the module's build file (dbt can rebuild a selection in it)."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.build_dir.mkdir(parents=True)
    shutil.copy(build.build_db, mine.build_db)
    return mine


# --- the raw columns the loader now reads ----------------------------------------------------------------------


def test_loader_reads_lifetime_and_record_flags():
    files = [
        f
        for f in ai_compute.collect("bundled", Settings(warehouse_dir=PROJECT_ROOT / "warehouse"))
        if f.file_name == "gpu_clusters.csv"
    ]
    rows = ai_compute.parse(files[0]).rows.set_index("name")
    assert rows.loc["Oak Ridge NL Summit", "decommissioned_date"] == date(2024, 11, 15)
    assert rows.loc["Preferred Networks MN-1b", "decommissioned_date"] == date(2021, 7, 1)  # "2021-07": a month
    assert rows.loc["NVIDIA Selene Phase 1", "superseded_by"] == "NVIDIA Selene Phase 2"
    assert rows.loc["NVIDIA Selene Phase 2", "builds_upon"] == "NVIDIA Selene Phase 1"
    assert rows["is_possible_duplicate"].sum() == 94 and rows["possible_duplicate_of"].notna().sum() == 55


def test_impossible_decommissioned_date_names_line_and_column(tmp_path):
    lines = GPU_CLUSTERS.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    column = header.index("Decommissioned Date (if applicable)")
    rows = list(csv.reader(GPU_CLUSTERS.open(encoding="utf-8", newline="")))
    summit = next(i for i, r in enumerate(rows) if r[0] == "Oak Ridge NL Summit")
    rows[summit][column] = "2024-13"
    bad = tmp_path / "ai_compute" / "gpu_clusters.csv"
    bad.parent.mkdir()
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    for name in ("notable_ai_models.csv", "compute.csv"):
        shutil.copy(GPU_CLUSTERS.with_name(name), bad.with_name(name))
    files = [
        f
        for f in ai_compute.collect(str(tmp_path), Settings(warehouse_dir=tmp_path / "warehouse"))
        if f.file_name == "gpu_clusters.csv"
    ]
    with pytest.raises(SourceError) as caught:
        ai_compute.parse(files[0])
    assert re.search(r"line \d+, column 'Decommissioned Date \(if applicable\)': '2024-13'", str(caught.value))


# --- countries ---------------------------------------------------------------------------------------------------


def _iso(name: str) -> str:
    """pycountry's code for an Epoch spelling ("Korea (Republic of)", "Philippines (the)")."""
    cleaned = re.sub(r"\s*\(the\)$", "", name)
    cleaned = re.sub(r"^(.*) \((.*)\)$", r"\1, \2", cleaned)
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        return pycountry.countries.search_fuzzy(cleaned)[0].alpha_2


def test_country_seed_is_iso_3166_and_the_top500_spelling(con):
    seed = list(csv.DictReader(SEED.open(encoding="utf-8")))
    assert seed
    listed = {r[0] for r in con.execute("select distinct country from staging.stg_top500__list_entries").fetchall()}
    for row in seed:
        assert _iso(row["epoch_country"]) == row["iso_alpha_2"], row
        assert pycountry.countries.get(alpha_2=row["iso_alpha_2"]) is not None, row
        if row["country"] in listed or row["epoch_country"] in listed:
            assert row["country"] in listed, f"{row['country']} is not how the TOP500 lists spell it"
    spellings = {r["country"] for r in seed}
    assert {"United States", "South Korea", "United Kingdom", "Russia"} <= spellings
    in_mart = {
        r[0] for r in con.execute("select distinct country from marts.ai_clusters where country is not null").fetchall()
    }
    assert in_mart <= spellings


def test_unknown_country_fails_naming_the_row(build, tmp_path):
    mine = _copy(build, tmp_path)
    with duckdb.connect(str(mine.build_db)) as w:
        line = w.execute("""update raw.epoch_gpu_clusters set country = 'Atlantis'
                            where name = 'Naver DGX Superpod' returning source_line""").fetchone()[0]
    with pytest.raises(DbtRunError) as caught:
        transform.build(mine, select=["stg_epoch__gpu_clusters", "epoch_country_names", "assert_epoch_countries_known"])
    assert "assert_epoch_countries_known" in str(caught.value)
    compiled = next((mine.build_dir / "dbt" / "target" / "compiled").rglob("assert_epoch_countries_known.sql"))
    with duckdb.connect(str(mine.build_db), read_only=True) as r:
        named = r.execute(compiled.read_text()).fetchall()
    assert named == [("Naver DGX Superpod", "Atlantis", "gpu_clusters.csv", line)]


# --- the one match -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cluster", "system"),
    [
        ("Oak Ridge NL Frontier", "Frontier"),
        ("Lawrence Berkeley NL NERSC Perlmutter", "Perlmutter"),
        ("Oak Ridge NL Summit", "Summit"),
        ("NVIDIA Selene Phase 1", "Selene"),
        ("NVIDIA Selene Phase 2", "Selene"),
        ("Lawrence Livermore NL El Capitan Phase 2", "El Capitan"),
        ("Samsung SSC-21", "SSC-21"),
        ("KT SuperPOD", "KT DGX SuperPOD"),
        ("Naver DGX Superpod", None),
        ("Meta Research SuperCluster (RSC-1) Phase 1", None),
    ],
)
def test_ai_clusters_match_the_listed_systems(con, cluster, system):
    rows = con.execute("select top500_system_name from marts.ai_clusters where cluster_name = ?", [cluster]).fetchall()
    assert rows == [(system,)]


def test_one_row_per_record_and_one_system_per_cluster(con):
    rows, records, clusters = con.execute("""
        select count(*), (select count(*) from raw.epoch_gpu_clusters), count(distinct cluster_id)
        from marts.ai_clusters""").fetchone()
    assert rows == records == clusters == 786
    rules = dict(
        con.execute("""select top500_match_rule, count(*) from marts.ai_clusters
                               where top500_system_key is not null group by 1""").fetchall()
    )
    assert set(rules) <= {"name", "name_owner_chip_count", "name_word_chip_count", "owner_chip_count"}
    assert sum(rules.values()) > 100


def test_a_cluster_recorded_twice_is_caught_as_two_clusters_on_one_system(build, tmp_path):
    # the same cluster entered twice without Epoch's duplicate flag: both rows match Summit equally well
    mine = _copy(build, tmp_path)
    with duckdb.connect(str(mine.build_db)) as w:
        w.execute("""insert into raw.epoch_gpu_clusters
                     select * replace (source_line + 100000 as source_line)
                     from raw.epoch_gpu_clusters where name = 'Oak Ridge NL Summit'""")
    with pytest.raises(DbtRunError) as caught:
        transform.build(
            mine,
            select=["stg_epoch__gpu_clusters+", "assert_ai_cluster_one_per_system_and_date"],
            exclude=["announced_systems+"],
        )
    assert "assert_ai_cluster_one_per_system_and_date" in str(caught.value)


# --- H100-equivalents of listed systems ----------------------------------------------------------------------------


def test_listed_h100e_from_gpus_and_16bit_peak(con):
    rows = dict(
        con.execute("""
        select e.name, h.h100e from intermediate.int_top500__h100_equivalents h
        join marts.list_entries e using (list_date, rank)
        where e.list_label = '2022-06' and e.name in ('Frontier', 'Supercomputer Fugaku', 'Summit')""").fetchall()
    )
    assert rows["Frontier"] == pytest.approx(36_992 * 383 / 989.4)  # the list's 8,138,240 CUs / 220 per MI250X
    assert rows["Summit"] == pytest.approx(27_648 * 125 / 989.4)
    assert rows["Supercomputer Fugaku"] == 0  # CPU-only systems count 0
    titan = con.execute("""select h.h100e, h.h100e_basis from intermediate.int_top500__h100_equivalents h
                           join marts.list_entries e using (list_date, rank)
                           where e.list_label = '2015-06' and e.name = 'Titan'""").fetchone()
    assert titan == (None, "not_estimated")  # K20x: no 16-bit tensor peak


# --- national compute ------------------------------------------------------------------------------------------------


def _recompute(con, country: str, on: date) -> dict:
    """The country's figures on a list date, recomputed from marts.ai_clusters and the entries' H100e."""
    listed_keys = {
        k for (k,) in con.execute("select system_key from marts.list_entries where list_date = ?", [on]).fetchall()
    }
    clusters = con.execute(
        """
        select h100e, top500_system_key from marts.ai_clusters
        where is_in_supply and country = ? and in_supply_from <= ? and (in_supply_until is null or in_supply_until > ?)
        """,
        [country, on, on],
    ).fetchall()
    listed_h100e = con.execute(
        """select coalesce(sum(h100e), 0) from intermediate.int_top500__h100_equivalents
                                  where list_date = ? and country = ?""",
        [on, country],
    ).fetchone()[0]
    unlisted = [h or 0 for h, key in clusters if key not in listed_keys]
    return {
        "top500_h100e": listed_h100e,
        "clusters_operational": len(clusters),
        "ai_cluster_h100e": sum(h or 0 for h, _ in clusters),
        "unlisted_clusters": len(unlisted),
        "unlisted_cluster_h100e": sum(unlisted),
        "total_h100e": listed_h100e + sum(unlisted),
    }


@pytest.mark.parametrize(
    ("country", "on"),
    [
        ("South Korea", date(2025, 6, 1)),
        ("United States", date(2025, 6, 1)),
        ("China", date(2025, 6, 1)),
        ("Germany", date(2025, 6, 1)),
        ("South Korea", date(2021, 11, 1)),
        # Summit ran until 2024-11-15 but left the list after 2024-06: on 2024-11 it is an unlisted cluster
        ("United States", date(2024, 11, 1)),
    ],
)
def test_national_compute_recomputed_from_clusters_and_entries(con, country, on):
    names = list(_recompute(con, country, on))
    row = con.execute(
        f"select {', '.join(names)} from marts.national_compute where list_date = ? and country = ?", [on, country]
    ).fetchone()
    assert dict(zip(names, row)) == pytest.approx(_recompute(con, country, on))


def test_total_is_listed_plus_unlisted_and_shares_add_to_100(con):
    bad = con.execute("""select count(*) from marts.national_compute where is_within_epoch_coverage
                         and abs(total_h100e - top500_h100e - unlisted_cluster_h100e) > 1e-6""").fetchone()[0]
    assert bad == 0
    sums = con.execute("""select list_label, sum(total_h100e_share_pct), sum(ai_cluster_h100e_share_pct)
                          from marts.national_compute where is_within_epoch_coverage and list_date >= '2013-06-01'
                          group by 1""").fetchall()
    assert len(sums) >= 20
    for label, total, ai in sums:
        assert total == pytest.approx(100) and ai == pytest.approx(100), label


def test_dates_past_the_epoch_data_are_not_forward_filled(con):
    until = con.execute("select distinct epoch_data_until from marts.national_compute").fetchall()
    assert until == [(date(2025, 7, 22),)]
    past = con.execute("""
        select list_label, count(*), count(clusters_operational), count(total_h100e), bool_or(is_within_epoch_coverage),
               sum(top500_systems)
        from marts.national_compute where list_date > date '2025-07-22' group by 1 order by 1""").fetchall()
    assert [label for label, *_ in past][:2] == ["2025-11", "2026-06"]  # and every list loaded after them
    assert all(row[2:] == (0, 0, False, 500) for row in past), past


def test_every_list_is_in_national_compute(con):
    missing = con.execute("""select count(*) from (select distinct list_date from raw.top500_entries)
                             where list_date not in (select list_date from marts.national_compute)""").fetchone()[0]
    assert missing == 0
    systems, lists = con.execute(
        "select sum(top500_systems), (select count(distinct list_date) from raw.top500_entries) "
        "from marts.national_compute"
    ).fetchone()
    assert systems == 500 * lists


# --- growth and the demand gap -------------------------------------------------------------------------------------


def test_ai_cluster_growth_is_fitted_since_2019_06(con):
    fits = {
        r[0]: r[1:]
        for r in con.execute("""
        select country, first_list_date, n_lists, doubling_time_months, doubling_time_months_lower_95,
               doubling_time_months_upper_95
        from marts.performance_trend where series = 'ai_cluster_h100e' and era = 'since_2019_06'""").fetchall()
    }
    first, n, months, lo, hi = fits["World"]
    assert first == date(2019, 6, 1) and n >= 12 and lo < months < hi and 3 < months < 24
    assert "South Korea" in fits and "United States" in fits and "China" in fits
    assert not con.execute("""select count(*) from marts.performance_trend
                              where series = 'ai_cluster_h100e' and era <> 'since_2019_06'""").fetchone()[0]


def test_gap_compares_demand_with_ai_cluster_supply(con):
    rows = con.execute("""select distinct supply_scenario, supply_country from marts.demand_supply_gap
                          where supply_kind = 'ai_clusters' order by 1""").fetchall()
    assert rows == [
        ("ai_clusters_south_korea_since_2019_06", "South Korea"),
        ("ai_clusters_world_since_2019_06", "World"),
    ]


# --- the analyst questions and the report panel ------------------------------------------------------------------


def test_analyst_questions_answer(con):
    questions = analyst_questions()
    korea = questions[
        "South Korea's AI compute, listed and unlisted, from 2018 to the latest date the Epoch data covers"
    ]
    shares = questions[
        "Each country's share of world AI compute and of TOP500 Rmax on the latest list the Epoch data covers"
    ]
    rows = con.execute(korea).fetchall()
    assert rows[0][0] == "2018-06" and rows[-1][0] == "2025-06" and len(rows) == 15
    assert all(r[-1] == date(2025, 7, 22) for r in rows)
    countries = con.execute(shares).fetchall()
    assert {r[-1] for r in countries} == {"2025-06"}
    assert sum(r[2] for r in countries) == pytest.approx(100, abs=0.5)
    assert countries[0][0] == "United States"
    assert any(r[0] == "South Korea" for r in countries)


def test_national_compute_panel_highlights_south_korea(build, tmp_path):
    with duckdb.connect(str(build.build_db), read_only=True) as c:
        panel = national.national_compute_panel(Marts(c))
    assert panel.figure is not None and panel.unavailable is None
    names = [t.name for t in panel.figure.data]
    assert names.count("<b>South Korea</b>") == 1 and names[-3] == "<b>South Korea</b>"
    korea = next(t for t in panel.figure.data if t.name == "<b>South Korea</b>")
    assert korea.line.color == HIGHLIGHT_COLOR and korea.line.width == 4 and len(korea.x) >= 12
    assert names[-2:] == ["on the TOP500 list", "AI clusters not on the list"]
    assert "2025-07-22" in panel.text
