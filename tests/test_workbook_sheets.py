"""A workbook whose first sheet is not the list (a summary page): the parser reads the sheet that holds the
list, and names the sheet it read when something is wrong with it."""

from __future__ import annotations

import pytest

from flows.errors import SourceError
from flows.files import describe_file, sha256_of
from flows.sources import top500
from support.warehouses import BUNDLED_LISTS
from support.workbook_edits import add_sheet_first, edit_xlsx, header_cell

GOOD = BUNDLED_LISTS / "TOP500_202606.xlsx"
SUMMARY = [["Rank", "Site", "Country", "Systems"], [1, "Top ten sites", "United States", 4], [2, "", "China", 2]]


def _parse(path):
    return top500.parse(describe_file("top500", "2026-06", path, path.as_uri()))


def test_the_sheet_that_holds_the_list_is_read_after_a_summary_sheet(tmp_path):
    with_summary = add_sheet_first(GOOD, tmp_path / GOOD.name, "Summary", SUMMARY)
    assert _parse(with_summary).rows.equals(_parse(GOOD).rows.assign(original=_parse(with_summary).rows["original"]))


def test_a_list_sheet_missing_a_column_is_named_with_its_sheet(tmp_path):
    broken = edit_xlsx(GOOD, tmp_path / "broken" / GOOD.name, {header_cell(GOOD, "Rmax [TFlop/s]"): "Performance"})
    with_summary = add_sheet_first(broken, tmp_path / GOOD.name, "Summary", SUMMARY)
    with pytest.raises(SourceError) as failed:
        _parse(with_summary)
    assert str(failed.value).startswith(
        "TOP500_202606.xlsx (sheet '67'): missing required column(s): rmax_tflops (one of: rmax, rmax [tflop/s])"
    )


@pytest.mark.slow
def test_a_workbook_with_a_summary_sheet_first_is_published(cli, tmp_path):
    src = cli.after_first_run("TOP500_202511.xlsx")
    before = sha256_of(cli.warehouse / "top500.duckdb")
    broken = edit_xlsx(GOOD, tmp_path / "broken" / GOOD.name, {header_cell(GOOD, "Rmax [TFlop/s]"): "Performance"})
    add_sheet_first(broken, src / GOOD.name, "Summary", SUMMARY)
    bad = cli("run", "--source", str(src))
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        "TOP500_202606.xlsx (sheet '67'): missing required column(s): rmax_tflops (one of: rmax, rmax [tflop/s])",
    ]
    assert sha256_of(cli.warehouse / "top500.duckdb") == before

    add_sheet_first(GOOD, src / GOOD.name, "Summary", SUMMARY)
    good = cli("run", "--source", str(src), check=True)
    assert good.stdout.startswith("loaded 2026-06: 500 entries: 2 lists in the warehouse (2025-11..2026-06)")
