"""System identity, announced systems and change columns on every bundled list (67 to 2026-06) and the real Epoch files.

The known cases (machines whose key used to split, renamed sites, re-entries) are dbt's known answers
(assert_system_identity_known_systems: one key per named machine over its life), which run in the same build
with the other singular tests of the selection (keys starting at their First Appearance, country changes only on the lists' own fields, new
entrants = entries without Previous Rank, country changes adding up, the Epoch <-> TOP500 match) run in the
same build and must pass.
"""

from __future__ import annotations

import duckdb
import pytest

from support.warehouses import BUNDLED_KEYS, built_copy

NODES = [
    "+system_linkage_quality",
    "+country_list_stats",
    "+systems",
    "+announced_systems",
    "+demand_forecast",
    "+int_ai_clusters__top500_matches",
]


@pytest.fixture(scope="module")
def con(tmp_path_factory, loaded_build_db):
    settings, summary = built_copy(tmp_path_factory.mktemp("identity"), loaded_build_db, "test-identity", NODES)
    assert summary.tests_passed == summary.tests_run > 100
    connection = duckdb.connect(str(settings.build_db), read_only=True)
    yield connection
    connection.close()


def test_roadrunner_links_survive_punctuation_and_year(con):
    methods = con.execute("""
        select list_label, link_method from marts.list_entries
        where site = 'DOE/NNSA/LANL' and computer ilike '%PowerXCell%' and rmax_tflops > 900
          and list_label in ('2009-06', '2009-11') order by 1""").fetchall()
    assert methods == [("2009-06", "site_vendor_computer"), ("2009-11", "site_vendor_computer")]


def test_linkage_quality_has_no_late_keys_and_no_country_changes(con):
    rows = con.execute("""
        select list_label, keys_starting_after_first_appearance, country_changing_links,
               previous_rank_entries_unlinked, entries_with_first_appearance
        from marts.system_linkage_quality order by list_date""").fetchall()
    assert [r[0] for r in rows] == BUNDLED_KEYS
    late = {r[0]: r[1] for r in rows if r[1]}
    crossing = {r[0]: r[2] for r in rows if r[2]}
    unlinked = {r[0]: r[3] for r in rows if r[3]}
    assert (late, crossing, unlinked) == ({}, {}, {})
    # 52 of 500 on 2012-06 before the fix: the check covers every list that prints First Appearance
    assert [r[0] for r in rows if r[4] == 500 and r[0] <= "2026-06"] == [
        k for k in BUNDLED_KEYS if "2012-06" <= k <= "2026-06"
    ]


def test_identical_anonymous_sites_are_not_crossed_between_countries(con):
    # "IT Services Provider (B)": India #363 (2009-06) was linked to Canada #485 (2009-11) and Canada #254 to
    # India #247, a crossed pair by rank order
    rows = con.execute("""
        select l.list_date, l.rank, l.country, l.previous_country
        from intermediate.int_top500__entry_links as l
        join marts.list_entries as e using (list_date, rank)
        where e.site ilike 'IT Service% Provider (B)' and l.previous_country is not null""").fetchall()
    assert rows and all(country == previous for _, _, country, previous in rows)
    india_2009_06 = con.execute("""
        select l.entry_id from intermediate.int_top500__entry_links as l
        where l.previous_entry_id = 33363""").fetchall()  # 2009-06 (edition 33) #363
    assert all(entry_id // 1000 != 34 or entry_id % 1000 != 485 for (entry_id,) in india_2009_06)


@pytest.mark.parametrize(
    ("list_label", "new_entrants", "printing_previous_rank"),
    [
        ("2017-11", 137, 363),  # 155 before the fix
        ("2014-11", 69, 431),  # 77 before the fix
    ],
)
def test_new_entrants_are_the_entries_without_previous_rank(con, list_label, new_entrants, printing_previous_rank):
    counted = con.execute(
        "select sum(new_entrants) from marts.country_list_stats where list_label = ?", [list_label]
    ).fetchone()[0]
    printing = con.execute(
        "select count(previous_rank) from marts.list_entries where list_label = ?", [list_label]
    ).fetchone()[0]
    assert (counted, printing) == (new_entrants, printing_previous_rank)


def test_change_columns_are_null_without_an_earlier_list(con):
    rows = con.execute("""
        select list_label, count(systems_change_vs_previous_list), count(rmax_tflops_change_vs_previous_list),
               count(systems_change_vs_year_ago), count(rmax_tflops_change_vs_year_ago), count(*)
        from marts.country_list_stats where list_label in ('1993-06', '1993-11', '1994-06')
        group by list_label order by 1""").fetchall()
    n06, n11, n94 = (r[5] for r in rows)
    assert rows == [
        ("1993-06", 0, 0, 0, 0, n06),
        ("1993-11", n11, n11, 0, 0, n11),
        ("1994-06", n94, n94, n94, n94, n94),
    ]


def test_2021_11_country_changes_add_up_with_hong_kong_leaving(con):
    summed, total_change = con.execute("""
        select sum(c.rmax_tflops_change_vs_previous_list),
               (select sum(rmax_tflops) from marts.list_entries where list_label = '2021-11')
               - (select sum(rmax_tflops) from marts.list_entries where list_label = '2021-06')
        from marts.country_list_stats as c where c.list_label = '2021-11'""").fetchone()
    assert summed == pytest.approx(total_change) and total_change == pytest.approx(250_803, abs=1)
    hong_kong = con.execute("""
        select systems, rmax_tflops, systems_change_vs_previous_list, rmax_tflops_change_vs_previous_list,
               rank_by_systems
        from marts.country_list_stats where list_label = '2021-11' and country = 'Hong Kong'""").fetchone()
    assert hong_kong[:3] == (0, 0, -1) and hong_kong[3] == pytest.approx(-1649.11) and hong_kong[4] is None


@pytest.mark.parametrize(
    ("cluster", "system"),
    [
        ("Oak Ridge NL Frontier", "Frontier"),
        ("Lawrence Berkeley NL NERSC Perlmutter", "Perlmutter"),
        ("Oak Ridge NL Summit", "Summit"),
        ("NVIDIA Selene Phase 2", "Selene"),
        ("Lawrence Livermore NL El Capitan Phase 2", "El Capitan"),
        ("Samsung SSC-21", "SSC-21"),
        ("Microsoft Azure Eagle", "Eagle"),
        ("Nebius ISEG2", "ISEG2"),
        ("Naver DGX Superpod", "Sejong"),  # a curated decision: Sejong at its first size (until it is listed)
    ],
)
def test_one_match_between_epoch_clusters_and_top500(con, cluster, system):
    rows = con.execute(
        """
        select s.system_name from intermediate.int_ai_clusters__top500_matches as m
        left join marts.systems as s on s.system_key = m.top500_system_key where m.cluster_name = ?""",
        [cluster],
    ).fetchall()
    assert rows == [(system,)]


def test_announced_systems_are_unlisted_and_once(con):
    names = [r[0] for r in con.execute("select system_name from marts.announced_systems").fetchall()]
    listed = {
        "Microsoft Azure Eagle",
        "Eni HPC5",
        "Saudi Aramco Dammam-7",
        "TotalEnergies Pangea III",
        "DeepL Mercury",
        "Nebius ISEG2",
        "NVIDIA Selene Phase 1",
        "NVIDIA Selene Phase 2",
        "Samsung SSC-21",
        "SoftBank CHIE-2",
        "SoftBank CHIE-3",
        "Microsoft Azure Voyager-EUS2",
    }
    assert not listed & set(names)
    assert len(names) == len(set(names))
    assert [n for n in names if n.startswith("Meta GenAI 2024")] == ["Meta GenAI 2024a"]
    assert (
        con.execute(
            "select identical_records from marts.announced_systems where system_name = 'Meta GenAI 2024a'"
        ).fetchone()[0]
        == 2
    )
    assert {
        "Meta AI Research SuperCluster (RSC) phase 1",
        "Meta AI Research SuperCluster (RSC) phase 2",
        "Naver NVIDIA DGX SuperPOD",
    } <= set(names)


def test_similar_listed_system_is_the_nearest_gpu_count(con):
    # one answer per row, and it is a system whose GPU count is nearest among the candidates
    rows = con.execute("""
        select a.system_name, a.accelerator_count, a.similar_listed_system,
               (select min(abs(l.gpu_count - a.accelerator_count))
                from intermediate.int_announced__listed_gpu_systems as l
                where l.accelerator_family = a.accelerator_family and l.country = a.country
                  and abs(l.gpu_count - a.accelerator_count) <= 0.1 * a.accelerator_count) as best_distance,
               (select min(abs(l.gpu_count - a.accelerator_count))
                from intermediate.int_announced__listed_gpu_systems as l
                where l.system_name = a.similar_listed_system and l.accelerator_family = a.accelerator_family
                  and l.country = a.country) as chosen_distance
        from marts.announced_systems as a where a.similar_listed_system is not null""").fetchall()
    assert rows
    for name, _, similar, best, chosen in rows:
        assert chosen == best, (name, similar)


def test_peak_16bit_column_holds_fp16_for_v100(con):
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = 'announced_systems'"
        ).fetchall()
    }
    assert "peak_16bit_dense_tflops" in columns and "peak_bf16_dense_tflops" not in columns
    v100 = con.execute("""
        select peak_16bit_dense_tflops / accelerator_count from marts.announced_systems
        where accelerator ilike '%V100%' and peak_16bit_dense_tflops is not null limit 1""").fetchone()
    assert v100 is not None and v100[0] == pytest.approx(125, rel=0.05)  # FP16 tensor; the V100 has no BF16


def test_mi300a_counts_as_x86(con):
    groups = {
        r[0]
        for r in con.execute("""
        select distinct processor_family_group from marts.list_entries where processor ilike '%MI300A%'""").fetchall()
    }
    assert groups == {"x86"}


def test_extrapolated_flop_says_it_is_not_a_real_run(con):
    comment = con.execute("""
        select comment from duckdb_columns()
        where schema_name = 'marts' and table_name = 'demand_forecast' and column_name = 'extrapolated_flop'""").fetchone()
    assert comment is not None and "extrapolation, not a real run" in comment[0]
