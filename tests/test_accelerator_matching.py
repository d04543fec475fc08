"""Accelerator/processor -> spec matching on every bundled list (67 to 2026-06) and the real Epoch files (dbt models)."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from flows.specs_report import coverage_summary
from support.warehouses import built_copy

MY_NODES = [
    "+accelerator_specs",
    "+unmatched_accelerators",
    "+accelerator_match_coverage",
    "+int_processor_spec_matches",
    "stg_epoch__hardware_prices",
    "stg_epoch__notable_ai_models",
    "stg_epoch__gpu_clusters",
    "stg_openai__ai_and_compute",
    "system_building_blocks",
]


@pytest.fixture(scope="module")
def con(tmp_path_factory, loaded_build_db):
    settings, summary = built_copy(tmp_path_factory.mktemp("specs"), loaded_build_db, "test-matching", MY_NODES)
    assert summary.tests_passed == summary.tests_run > 40  # 48 in this selection
    connection = duckdb.connect(str(settings.build_db), read_only=True)
    # the specs marts' not-null, range and key rules are enforced constraints of the built tables
    held = Counter(
        dict(
            connection.execute("""select table_name, count(*) from duckdb_constraints()
                                              where schema_name = 'marts' group by all""").fetchall()
        )
    )
    assert held["accelerator_specs"] >= 5 and held["unmatched_accelerators"] >= 8
    assert held["accelerator_match_coverage"] >= 12
    yield connection
    connection.close()


def match(con, accelerator: str) -> tuple:
    rows = con.execute(
        """select accelerator_spec_name, match_rule, fp64_tensor_tflops, fp64_peak_tflops, bf16_dense_tflops
           from intermediate.int_accelerator_spec_matches where accelerator = ?""",
        [accelerator],
    ).fetchall()
    assert len(rows) == 1, f"{accelerator!r} should have exactly one match row, has {len(rows)}"
    return rows[0]


@pytest.mark.parametrize(
    ("accelerator", "spec", "rule", "fp64_peak"),
    [
        ("NVIDIA A100", "NVIDIA A100", "exact", 19.5),
        ("NVIDIA A100 SXM4 40 GB", "NVIDIA A100 SXM4 40 GB", "exact", 19.5),
        ("NVIDIA A100 SXM4 64 GB", "NVIDIA A100 SXM4 40 GB", "variant", 19.5),  # Leonardo's custom part
        ("NVIDIA Tesla A100 80G", "NVIDIA A100", "variant", 19.5),
        ("NVIDIA Tesla V100", "NVIDIA V100", "normalized", 7.834),
        ("NVIDIA Volta GV100", "NVIDIA Tesla V100 SXM2 16 GB", "alias", 7.834),
        ("AMD Instinct MI250X", "AMD Radeon Instinct MI250X", "normalized", 95.7),
        ("AMD Instinct MI300A", "AMD Instinct MI300A", "exact", 122.6),
        ("NVIDIA H100", "NVIDIA H100 SXM5 80GB", "family", 66.9),
        ("NVIDIA H100 SXM5 80 GB", "NVIDIA H100 SXM5 80GB", "normalized", 66.9),
        ("NVIDIA H100 PCIe 80GB", "NVIDIA H100 PCIe", "variant", 25.61),  # the PCIe card, not the SXM module
        ("NVIDIA Tesla K20x", "NVIDIA Tesla K20X", "normalized", 1.312),
        ("Matrix-2000", "MT-2000", "alias", 2.46),
        ("PEZY-SC2 700Mhz", "PEZY-SC2", "variant", 4.1),
    ],
)
def test_rule_set_on_real_strings(con, accelerator, spec, rule, fp64_peak):
    name, matched_rule, _, peak, _ = match(con, accelerator)
    assert (name, matched_rule) == (spec, rule)
    assert peak == pytest.approx(fp64_peak)


def test_curated_facts_fill_what_epoch_lacks(con):
    assert match(con, "NVIDIA A100")[2:] == (19.5, 19.5, 312.0)
    assert match(con, "AMD Instinct MI250X")[2:] == (95.7, 95.7, 383.0)  # Epoch's 'TF32' for MI250X is not used


def test_mixed_and_generic_strings_stay_unmatched(con):
    for accelerator in ("NVIDIA Tesla K40/Intel Xeon Phi 7120P", "Intel Xeon Phi"):
        assert match(con, accelerator)[:2] == (None, "unmatched")
    # H100 and H200 have the same compute: a system mixing them has the H100 SXM's figures per GPU (an alias)
    assert match(con, "NVIDIA H100/H200")[:2] == ("NVIDIA H100 SXM5 80GB", "alias")


def test_one_row_per_distinct_accelerator(con):
    listed = con.execute("select count(distinct accelerator) from raw.top500_entries").fetchall()[0][0]
    rows, distinct = con.execute(
        "select count(*), count(distinct accelerator) from intermediate.int_accelerator_spec_matches"
    ).fetchall()[0]
    assert rows == distinct == listed > 90


def test_perlmutter_2021_11_matches_an_a100_spec(con):
    rows = con.execute(
        """select m.accelerator_spec_name, m.fp64_tensor_tflops, e.rpeak_tflops
           from raw.top500_entries e join intermediate.int_accelerator_spec_matches m using (accelerator)
           where e.name = 'Perlmutter' and e.list_date = date '2021-11-01'"""
    ).fetchall()
    assert len(rows) == 1
    spec, fp64_tensor, rpeak = rows[0]
    assert spec == "NVIDIA A100 SXM4 40 GB" and fp64_tensor == 19.5
    # FACTS.md: 6,144 A100 and Rpeak 93.75 PF; GPUs carry most of it at <= 19.5 TF each
    assert 6144 * fp64_tensor < rpeak * 1.3


def test_coverage_meets_the_goal(con):
    share, entries, matched = con.execute(
        "select rmax_share_matched, accelerated_entries, matched_entries from marts.accelerator_match_coverage"
    ).fetchall()[0]
    assert share >= 0.95
    assert entries > 3000 and matched < entries  # some strings are really unmatched; the figure is not forced


def test_unmatched_report_is_ranked_by_rmax(con):
    rows = con.execute(
        "select unmatched_rank, accelerator, rmax_tflops_since_2012_06 from marts.unmatched_accelerators order by 1"
    ).fetchall()
    assert rows and [r[0] for r in rows] == list(range(1, len(rows) + 1))
    rmax = [r[2] for r in rows]
    assert rmax == sorted(rmax, reverse=True)
    matched = {
        r[0]
        for r in con.execute(
            "select accelerator from intermediate.int_accelerator_spec_matches where accelerator_spec_name is not null"
        ).fetchall()
    }
    assert not matched & {r[1] for r in rows}


def test_spec_mart_counts_the_strings_it_serves(con):
    a100 = con.execute(
        "select matched_accelerator_strings, fp64_tensor_tflops, has_curated_facts from marts.accelerator_specs where spec_name = 'NVIDIA A100'"
    ).fetchall()
    assert a100[0][0] >= 4 and a100[0][1:] == (19.5, True)


def test_processor_matches(con):
    rows = {
        p: (name, rule, peak)
        for p, name, rule, peak in con.execute(
            """select processor, processor_spec_name, match_rule, fp64_peak_tflops_per_node
               from intermediate.int_processor_spec_matches
               where processor in ('A64FX 48C 2.2GHz', 'Intel Xeon Phi 7250 68C 1.4GHz',
                                   'AMD EPYC 7763 64C 2.45GHz', 'Xeon Platinum 8480C 48C 2GHz')"""
        ).fetchall()
    }
    assert rows["A64FX 48C 2.2GHz"] == ("Fujitsu A64FX 48C 2.2GHz", "curated", 3.3792)
    assert rows["Intel Xeon Phi 7250 68C 1.4GHz"][:2] == ("Intel Xeon Phi 7250", "normalized")
    assert rows["AMD EPYC 7763 64C 2.45GHz"][:2] == ("AMD EPYC 7763", "normalized")
    # a model number ending in C is not a core count: the specs hold no 8480C, so no match at all
    # (not a false one to another part)
    assert rows["Xeon Platinum 8480C 48C 2GHz"] == (None, "unmatched", None)


def test_coverage_summary_text(con):
    text = coverage_summary(con)
    share = con.execute("select rmax_share_matched from marts.accelerator_match_coverage").fetchall()[0][0]
    assert f"{share:.2%}" in text and "meets the 95% goal" in text
    top = con.execute("select accelerator from marts.unmatched_accelerators where unmatched_rank = 1").fetchall()[0][0]
    assert f" 1. {top}" in text
