"""A new list against the lists before it: a wrong unit (GFlop/s under a TFlop/s header) is stopped by the list
gate naming file, rank and rule, while every real list since 1993 and plausible later ones pass. The bounds are
learnt from the lists themselves (expectations/top500_list_history.json)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from flows.files import sha256_of
from flows.load import connect, load_files
from flows.settings import PROJECT_ROOT, Settings
from flows.validate import ValidationFailed, validate_parsed
from support.warehouses import BUNDLED_LISTS
from support.workbook_edits import edit_xlsx, header_cell

EXPECTATIONS = PROJECT_ROOT / "expectations"
HISTORY = json.loads((EXPECTATIONS / "top500_list_history.json").read_text())


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(warehouse_dir=tmp_path / "warehouse")


def _suite_module():
    spec = importlib.util.spec_from_file_location("top500_list_for_test", EXPECTATIONS / "top500_list.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy(parsed, key: str):
    """A parsed list whose rows a test may change (the session's parsed lists stay as read)."""
    p = parsed[key]
    return dataclasses.replace(p, rows=p.rows.copy())


def _loaded(settings, parsed, *keys: str) -> None:
    with connect(settings.build_db) as con:
        load_files(con, [parsed[k] for k in keys], "earlier")


def _rank(p, rank: int):
    return p.rows["rank"] == rank


def test_the_bounds_are_what_the_lists_since_1993_teach(parsed_lists):
    learnt = _suite_module().learn_history([p.rows for p in parsed_lists.values()])
    assert learnt == HISTORY  # `python expectations/top500_list.py` writes them again
    assert HISTORY["rank1_rmax"]["largest_change"] == pytest.approx(4.96263)  # 2002-06, the Earth Simulator
    assert HISTORY["rank1_rmax"]["allowed_max"] > 20 and HISTORY["list_total_rmax"]["allowed_max"] < 3
    for measure in ("list_total_rmax", "rank1_rmax", "rank500_rmax", "system_rmax"):
        assert HISTORY[measure]["allowed_max"] < 1000 and HISTORY[measure]["allowed_min"] > 1 / 1000, measure


def test_the_largest_new_number_ones_pass_against_the_list_before(settings, parsed_lists):
    """2008-06 Roadrunner, 2010-11 Tianhe-1A, 2020-06 Fugaku, 2022-06 Frontier: each a #1 well above the last."""
    pairs = {"2008-06": "2007-11", "2010-11": "2010-06", "2020-06": "2019-11", "2022-06": "2021-11"}
    _loaded(settings, parsed_lists, *pairs.values())
    for new, before in pairs.items():
        jump = (
            parsed_lists[new].rows.loc[_rank(parsed_lists[new], 1), "rmax_tflops"].iloc[0]
            / parsed_lists[before].rows.loc[_rank(parsed_lists[before], 1), "rmax_tflops"].iloc[0]
        )
        assert jump > 1.4, new
    report = validate_parsed(settings, "jumps", [parsed_lists[k] for k in pairs])
    assert report.success and len(report.batches) == 4


def test_plausible_later_lists_pass(settings, parsed_lists):
    """A 2026-11 list 1.5 times 2026-06 everywhere with a new #1 five times the old one (more than any #1 so far)."""
    _loaded(settings, parsed_lists, "2026-06")
    later = _copy(parsed_lists, "2026-06")
    rows = later.rows
    rows["list_date"] = date(2026, 11, 1)
    rows["rmax_tflops"] = rows["rmax_tflops"].astype(float) * 1.5
    rows["rpeak_tflops"] = rows["rpeak_tflops"].astype(float) * 1.5
    top = _rank(later, 1)
    for column in ("rmax_tflops", "rpeak_tflops", "total_cores"):
        rows.loc[top, column] = rows.loc[top, column] * 5
    name = Path(later.file.path).with_name("TOP500_202611.xlsx")
    later = dataclasses.replace(later, file=dataclasses.replace(later.file, path=name, file_key="2026-11"))
    assert validate_parsed(settings, "later", [later]).success


def test_a_list_in_the_wrong_unit_is_stopped_naming_file_rank_and_rule(settings, parsed_lists):
    _loaded(settings, parsed_lists, "2025-11")
    slipped = _copy(parsed_lists, "2026-06")
    top = _rank(slipped, 1)
    slipped.rows.loc[top, ["rmax_tflops", "rpeak_tflops"]] = (
        slipped.rows.loc[top, ["rmax_tflops", "rpeak_tflops"]] * 1000
    )
    with pytest.raises(ValidationFailed) as failed:
        validate_parsed(settings, "slip", [slipped])
    message = str(failed.value)
    assert (
        "TOP500_202606.xlsx: Rmax at #1 is 2.1984e+09 TFlop/s, ×1215 the 2025-11 list's 1.809e+06: outside " in message
    )
    assert "[suite top500_list, expect_column_values_to_be_between(rank1_rmax_change_per_list)]" in message
    assert "TOP500_202606.xlsx: the list's total Rmax is 2.21493e+09 TFlop/s, ×147.7 the 2025-11 list's" in message
    assert "rank 1 is LingKun" in message

    tiny = _copy(parsed_lists, "2026-06")  # every value 1000 times too small: TFlop/s under a GFlop/s header
    for column in ("rmax_tflops", "rpeak_tflops"):
        tiny.rows[column] = tiny.rows[column].astype(float) / 1000
    with pytest.raises(ValidationFailed) as failed:
        validate_parsed(settings, "tiny", [tiny])
    rules = sorted(o.expectation for o in failed.value.report.failures)
    assert rules == [
        "expect_column_values_to_be_between(list_total_rmax_change_per_list)",
        "expect_column_values_to_be_between(rank1_rmax_change_per_list)",
        "expect_column_values_to_be_between(rank500_rmax_change_per_list)",
        "expect_column_values_to_be_between(system_rmax_change)",  # every system listed before, too
    ]


def test_a_system_that_jumps_orders_of_magnitude_on_the_same_chips_is_stopped(settings, parsed_lists):
    """2025-11's #1 (El Capitan, Previous Rank 1 on 2025-06) with 1000 times the Rmax, Rpeak and cores."""
    _loaded(settings, parsed_lists, "2025-06")
    grown = _copy(parsed_lists, "2025-11")
    top = _rank(grown, 1)
    assert grown.rows.loc[top, "previous_rank"].iloc[0] == 1
    for column in ("rmax_tflops", "rpeak_tflops", "total_cores"):
        grown.rows.loc[top, column] = grown.rows.loc[top, column] * 1000
    with pytest.raises(ValidationFailed) as failed:
        validate_parsed(settings, "grown", [grown])
    message = str(failed.value)
    assert "TOP500_202511.xlsx: rank 1 (HPE Cray EX255a" in message
    assert "×1038 its Rmax at Previous Rank 1 on the 2025-06 list (1.742e+06), Rpeak per core ×1: " in message
    assert "outside ×0.00172..×581, the largest change of a listed system since 2012 squared" in message
    assert "[suite top500_list, expect_column_values_to_be_between(system_rmax_change)]" in message


def test_a_core_faster_than_any_chip_is_stopped(settings, parsed_lists):
    few_cores = _copy(parsed_lists, "2026-06")  # the first list of a warehouse: no list before it to compare with
    at = _rank(few_cores, 300)
    few_cores.rows.loc[at, "total_cores"] = 1  # 5,143 TFlop/s on one core
    with pytest.raises(ValidationFailed) as failed:
        validate_parsed(settings, "cores", [few_cores])
    assert sorted(o.expectation for o in failed.value.report.failures) == [
        "expect_column_values_to_be_between(rmax_per_core_tflops)",
        "expect_column_values_to_be_between(rpeak_per_core_tflops)",
    ]
    assert "TOP500_202606.xlsx: rank 300 (" in str(failed.value)
    assert "beyond any known chip: more than 209.8, the fastest core listed (2.891, 2026-06 #417)" in str(failed.value)


@pytest.mark.slow
def test_a_list_in_the_wrong_unit_is_not_published(cli, parsed_lists, tmp_path):
    src = cli.after_first_run("TOP500_202511.xlsx")
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)
    good = BUNDLED_LISTS / "TOP500_202606.xlsx"
    top = parsed_lists["2026-06"].rows.loc[lambda r: r["rank"] == 1].iloc[0]
    rmax, rpeak = header_cell(good, "Rmax [TFlop/s]")[:-1], header_cell(good, "Rpeak [TFlop/s]")[:-1]
    edit_xlsx(good, src / good.name, {f"{rmax}2": top["rmax_tflops"] * 1000, f"{rpeak}2": top["rpeak_tflops"] * 1000})

    run = cli("run", "--source", str(src))
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == "error: a quality gate failed; the published warehouse is unchanged:"
    assert lines[1] == "validation failed (top500): 2 of 21 expectation checks failed in 1 batch(es)"
    assert lines[3].startswith("  TOP500_202606.xlsx: Rmax at #1 is 2.1984e+09 TFlop/s, ×1215 the 2025-11 list's")
    assert lines[3].endswith("[suite top500_list, expect_column_values_to_be_between(rank1_rmax_change_per_list)]")
    assert "Traceback" not in run.stderr
    assert sha256_of(published) == before
