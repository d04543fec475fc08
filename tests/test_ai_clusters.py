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

NODES = [
    "+national_compute",
    "+ai_clusters",
    "+demand_supply_gap",
    "+demand_gap_milestones",
    "+performance_trend",
    "+list_entries",
    "+cluster_match_candidates",
    "+h100e_coverage",
]
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
        ("Naver DGX Superpod", "Sejong"),  # a curated decision: Sejong at its first size
        ("NHN Cloud's National AI Data Center", None),  # only a part of it is listed (partial)
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
    assert set(rules) <= {"name", "name_owner_chip_count", "name_word_chip_count", "owner_chip_count", "curated"}
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


# --- one H100-equivalent on both sides --------------------------------------------------------------------------

H100_DENSE_16BIT = 989.4  # TFlop/s, the H100 SXM's dense BF16 peak


def test_listed_h100e_from_gpus_and_16bit_peak(con):
    rows = dict(
        con.execute("""
        select name, h100e from marts.list_entries
        where list_label = '2022-06' and name in ('Frontier', 'Supercomputer Fugaku', 'Summit')""").fetchall()
    )
    assert rows["Frontier"] == pytest.approx(36_992 * 383 / H100_DENSE_16BIT)  # 8,138,240 CUs / 220 per MI250X
    assert rows["Summit"] == pytest.approx(27_648 * 125 / H100_DENSE_16BIT)
    assert rows["Supercomputer Fugaku"] == 0  # CPU-only systems count 0
    titan = con.execute("""select h100e, h100e_method from marts.list_entries
                           where list_label = '2015-06' and name = 'Titan'""").fetchone()
    assert titan == (None, "no_gpu_count")  # K20x: no cores per GPU known; unknown, not 0
    # P100 systems count their packed FP16 rate: Piz Daint 2019-06, 319,424 SMs / 56 = 5,704 P100 x 18.7 TF
    daint = con.execute("""select h100e, h100e_method from marts.list_entries
                           where list_label = '2019-06' and name = 'Piz Daint'""").fetchone()
    assert daint == (pytest.approx(5_704 * 18.7 / H100_DENSE_16BIT), "gpus_from_cores")


def _epoch_16bit_h100e(name: str) -> float:
    """A cluster's H100e straight from Epoch's file: its 16-bit OP/s / the H100's dense 16-bit peak."""
    with GPU_CLUSTERS.open(encoding="utf-8", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == name)
    return float(row["16-bit OP/s"]) / (H100_DENSE_16BIT * 1e12)


@pytest.mark.parametrize(
    ("cluster", "system", "on"),
    [
        ("Oak Ridge NL Frontier", "Frontier", "2024-06"),
        ("Lawrence Livermore NL Sierra", "Sierra", "2020-06"),
        ("EuroHPC LUMI", "LUMI", "2024-06"),
        ("Lawrence Berkeley NL NERSC Perlmutter", "Perlmutter", "2024-06"),
        ("Lawrence Livermore NL El Capitan Phase 2", "El Capitan", "2025-06"),
        ("Oak Ridge NL Summit", "Summit", "2020-06"),
    ],
)
def test_the_same_machine_has_one_figure_on_both_sides(con, cluster, system, on):
    listed = con.execute(
        "select h100e from marts.list_entries where list_label = ? and name = ?", [on, system]
    ).fetchone()[0]
    mart = con.execute("select h100e from marts.ai_clusters where cluster_name = ?", [cluster]).fetchone()[0]
    assert mart == pytest.approx(_epoch_16bit_h100e(cluster))
    assert listed == pytest.approx(mart, rel=0.10)


def test_aurora_counts_its_max_1550_at_839_tf_not_epochs_52(con):
    listed = con.execute(
        "select h100e from marts.list_entries where list_label = '2024-06' and name = 'Aurora'"
    ).fetchone()
    mart, epoch, method = con.execute(
        "select h100e, epoch_h100e, h100e_method from marts.ai_clusters where cluster_name = 'Argonne NL Aurora'"
    ).fetchone()
    assert epoch == pytest.approx(1_689, abs=1)  # Epoch's figure: 63,744 x 52.4 TF / 1.979e15
    assert method == "corrected_chip_16bit"
    assert mart == pytest.approx(63_744 * 839 / H100_DENSE_16BIT, rel=0.001)  # 54,054
    assert listed[0] == pytest.approx(mart, rel=0.001)


def test_epochs_own_unit_halves_chips_without_an_8bit_path(con):
    """Epoch's column (Max OP/s / the H100's 8-bit peak) against ours (16-bit / the H100's 16-bit peak)."""
    ratios = dict(
        con.execute("""select cluster_name, h100e / epoch_h100e from marts.ai_clusters
                       where cluster_name in ('Oak Ridge NL Frontier', 'Lawrence Livermore NL Sierra',
                                              'NVIDIA Selene Phase 2', 'Lawrence Livermore NL El Capitan Phase 2')""").fetchall()
    )
    assert ratios["Oak Ridge NL Frontier"] == pytest.approx(2, rel=0.01)  # MI250X: no 8-bit speed-up
    assert ratios["Lawrence Livermore NL Sierra"] == pytest.approx(2, rel=0.01)  # V100
    assert ratios["NVIDIA Selene Phase 2"] == pytest.approx(1, rel=0.01)  # A100: INT8 at twice BF16
    assert ratios["Lawrence Livermore NL El Capitan Phase 2"] == pytest.approx(1, rel=0.01)  # MI300A


# --- GPU machines are never counted as zero ------------------------------------------------------------------


def test_a_gpu_machine_the_file_does_not_name_is_estimated_from_rpeak(con):
    nipa = con.execute("""select name, site, h100e, h100e_method from marts.list_entries
                          where list_label = '2026-06' and rank = 39""").fetchone()
    # Supermicro SYS-A22GA-NBRT (HGX B200): 78,650 TF Rpeak / 37 TF per B200 = 2,125 B200 x 2,250 / 989.4
    assert nipa == ("NIPA()", "Kakao", pytest.approx(2_125 * 2_250 / H100_DENSE_16BIT), "gpus_from_rpeak")
    # the fastest CPU cores on the lists (NEC SX-Aurora, 307.2 GFlop/s each) stay CPU-only
    aoba = con.execute("""select h100e, h100e_method from marts.list_entries
                          where list_label = '2024-06' and name = 'AOBA-S'""").fetchone()
    assert aoba == (0, "cpu_only")
    # an entry whose Rpeak per core no CPU reaches holds GPUs: estimated or unknown, never 0
    zero = con.execute("""select count(*) from marts.list_entries
                          where 1000 * rpeak_tflops / total_cores > 310 and h100e = 0""").fetchone()[0]
    assert zero == 0
    assert con.execute("""select h100e, h100e_method from marts.list_entries
                          where list_label = '2026-06' and name = 'Nibi - GPU'""").fetchone() == (None, "gpu_not_named")


def test_new_chips_are_estimated_and_each_lists_coverage_is_published(con):
    b200 = dict(
        con.execute("""select name, h100e from marts.list_entries where list_label = '2026-06'
                       and name in ('NIPA(NHN Cloud)-CL-1', 'NIPA(NHN Cloud)-CL-2', 'Sunrise')""").fetchall()
    )
    assert b200["NIPA(NHN Cloud)-CL-1"] == pytest.approx(4_096 * 2_250 / H100_DENSE_16BIT)  # 606,208 SMs / 148
    assert b200["NIPA(NHN Cloud)-CL-2"] == pytest.approx(2_040 * 2_250 / H100_DENSE_16BIT)
    assert b200["Sunrise"] == pytest.approx(576 * 2_516.6 / H100_DENSE_16BIT)  # MI355X: 147,456 CUs / 256
    elice = con.execute("""select h100e from marts.list_entries where list_label = '2026-06'
                           and site = 'Elice Inc.'""").fetchone()[0]
    assert elice == pytest.approx(240 * 2_250 / H100_DENSE_16BIT)
    shares = dict(con.execute("select list_label, rmax_share_estimated from marts.h100e_coverage").fetchall())
    assert shares["2025-06"] > 0.98 and shares["2025-11"] > 0.99 and shares["2026-06"] > 0.99
    assert len(shares) == con.execute("select count(distinct list_date) from raw.top500_entries").fetchone()[0]


# --- national compute ------------------------------------------------------------------------------------------------


def _recompute(con, country: str, on: date) -> dict:
    """The country's figures on a list date, recomputed from marts.ai_clusters and marts.list_entries: a cluster
    is on the list when the system it is, or a listed part of it, is; then only what it holds beyond the
    listed figure is unlisted."""
    listed = dict(con.execute("select system_key, h100e from marts.list_entries where list_date = ?", [on]).fetchall())
    clusters = con.execute(
        """
        select h100e, top500_system_key, top500_partial_system_key from marts.ai_clusters
        where is_in_supply and country = ? and in_supply_from <= ? and (in_supply_until is null or in_supply_until > ?)
        """,
        [country, on, on],
    ).fetchall()
    listed_h100e = con.execute(
        "select coalesce(sum(h100e), 0) from marts.list_entries where list_date = ? and country = ?", [on, country]
    ).fetchone()[0]
    unlisted, unlisted_count = [], 0
    for h100e, whole, part in clusters:
        on_list = [k for k in (whole, part) if k in listed]
        unlisted_count += not on_list
        unlisted.append(max((h100e or 0) - sum(listed[k] or 0 for k in on_list), 0))
    return {
        "top500_h100e": listed_h100e,
        "clusters_operational": len(clusters),
        "ai_cluster_h100e": sum(h or 0 for h, _, _ in clusters),
        "unlisted_clusters": unlisted_count,
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
        ("Japan", date(2025, 6, 1)),
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


def test_south_korea_2025_06_counts_nhn_gwangju_once(con):
    """Epoch's NHN Cloud's National AI Data Center (1,000 H100) and the listed NHN CLOUD GWANGJU AI (304 H100,
    #119) are one site: 1,000 H100e, 304 of them listed, the other 696 unlisted, never 1,304."""
    listed = con.execute("""select rank, h100e from marts.list_entries
                            where list_label = '2025-06' and name = 'NHN CLOUD GWANGJU AI'""").fetchone()
    assert listed == (119, pytest.approx(304))
    korea = con.execute("""select top500_h100e, unlisted_cluster_h100e, total_h100e from marts.national_compute
                           where list_label = '2025-06' and country = 'South Korea'""").fetchone()
    listed = dict(
        con.execute("select system_key, h100e from marts.list_entries where list_label = '2025-06'").fetchall()
    )
    contributions = {
        name: max(h - sum(listed.get(k) or 0 for k in (whole, part)), 0)
        for name, h, whole, part in con.execute("""
            select cluster_name, h100e, top500_system_key, top500_partial_system_key from marts.ai_clusters
            where country = 'South Korea' and is_in_supply and h100e is not null and in_supply_from <= '2025-06-01'
              and (in_supply_until is null or in_supply_until > '2025-06-01')""").fetchall()
    }
    assert contributions["NHN Cloud's National AI Data Center"] == pytest.approx(1_000 - 304, abs=1)
    assert korea[1] == pytest.approx(sum(contributions.values()))
    assert korea[2] == pytest.approx(korea[0] + korea[1])
    decision = con.execute("""select decision, decided_by, evidence from marts.cluster_match_candidates
                              where cluster_name = 'NHN Cloud''s National AI Data Center'
                                and system_name = 'NHN CLOUD GWANGJU AI'""").fetchone()
    assert decision[:2] == ("partial", "curated") and "Gwangju" in decision[2]


def test_candidate_pairs_are_found_systematically_and_undecided_ones_published(con):
    rows = con.execute("""select c.cluster_name, c.system_name, c.decision, c.is_found_by_search,
                                 c.months_from_cluster_to_list, c.shared_owner_words, a.country, s.country
                          from marts.cluster_match_candidates c
                          join marts.ai_clusters a using (cluster_id)
                          join marts.systems s using (system_key)""").fetchall()
    by_pair = {(r[0], r[1]): r for r in rows}
    assert by_pair[("Gcore data center Phase 1", "NHN CLOUD GWANGJU AI")][2] == "distinct"
    assert by_pair[("Eni HPC5", "HPC5")][2] == "matched"  # found by the search and by the matching rules
    undecided = [r for r in rows if r[2] == "undecided"]
    assert undecided, "pairs no one has decided are published for review"
    for r in (r for r in rows if r[3]):  # every searched pair meets the criteria
        assert abs(r[4]) <= 12 and r[5] and r[6] == r[7], r


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


def test_dates_outside_the_epoch_data_are_not_filled(con):
    ranges = con.execute("select distinct epoch_data_from, epoch_data_until from marts.national_compute").fetchall()
    assert ranges == [(date(2010, 11, 15), date(2025, 7, 22))]
    past = con.execute("""
        select list_label, count(*), count(clusters_operational), count(total_h100e), bool_or(is_within_epoch_coverage),
               sum(top500_systems)
        from marts.national_compute where list_date > date '2025-07-22' group by 1 order by 1""").fetchall()
    assert [label for label, *_ in past][:2] == ["2025-11", "2026-06"]  # and every list loaded after them
    assert all(row[2:] == (0, 0, False, 500) for row in past), past
    # before the Epoch data starts there is no AI compute to rank: 1993 is not covered, and no rank is given
    early = con.execute("""select bool_or(is_within_epoch_coverage), count(rank_by_total_h100e), count(total_h100e)
                           from marts.national_compute where list_date <= date '2010-11-01'""").fetchone()
    assert early == (False, 0, 0)


def test_a_rank_of_nothing_is_null(con):
    korea_2018 = con.execute("""select total_h100e, rank_by_total_h100e from marts.national_compute
                                where list_label = '2018-06' and country = 'South Korea'""").fetchone()
    assert korea_2018 == (0, None)
    bad = con.execute("""select count(*) from marts.national_compute
                         where rank_by_total_h100e is not null and not total_h100e > 0""").fetchone()[0]
    assert bad == 0
    ranked = con.execute("""select count(*) from marts.national_compute
                            where list_label = '2025-06' and rank_by_total_h100e = 1""").fetchone()[0]
    assert ranked == 1


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
    assert "2025-07-22" in panel.text and "2025-11, 2026-06" in panel.text  # the lists it cannot show
