"""Bad files fail with an error that names the file and the rule broken."""

from __future__ import annotations

import shutil

import pytest

from flows.errors import SourceError, SourceErrors
from flows.files import describe_file
from flows.sources import top500
from support.warehouses import BUNDLED_LISTS
from support.workbook_edits import edit_xlsx, header_cell

GOOD = BUNDLED_LISTS / "TOP500_202411.xlsx"


def parse_path(path):
    return top500.parse(describe_file("top500", "2024-11", path, path.as_uri()))


def test_truncated_workbook(tmp_path):
    bad = tmp_path / "TOP500_202411.xlsx"
    bad.write_bytes(GOOD.read_bytes()[: GOOD.stat().st_size // 2])
    with pytest.raises(SourceError, match=r"TOP500_202411\.xlsx: not a readable workbook"):
        parse_path(bad)


def test_truncated_xls(tmp_path):
    src = BUNDLED_LISTS / "TOP500_200506.xls"
    bad = tmp_path / src.name
    bad.write_bytes(src.read_bytes()[:20_000])
    with pytest.raises(SourceError, match=r"TOP500_200506\.xls: not a readable workbook"):
        top500.parse(describe_file("top500", "2005-06", bad, bad.as_uri()))


def test_html_page_instead_of_workbook(tmp_path):
    bad = tmp_path / "TOP500_202411.xlsx"
    bad.write_text("<!DOCTYPE html><html><body><form>Please log in</form></body></html>")
    with pytest.raises(SourceError, match=r"TOP500_202411\.xlsx: is an HTML page, not an Excel workbook"):
        parse_path(bad)


def test_missing_required_column(tmp_path):
    bad = edit_xlsx(GOOD, tmp_path / GOOD.name, {header_cell(GOOD, "Rmax [TFlop/s]"): "Performance"})
    with pytest.raises(SourceError, match=r"TOP500_202411\.xlsx: missing required column\(s\): rmax_tflops"):
        parse_path(bad)


def test_duplicate_rank(tmp_path):
    bad = edit_xlsx(GOOD, tmp_path / GOOD.name, {"A13": 11})
    with pytest.raises(SourceError, match=r"TOP500_202411\.xlsx: rank 11 appears twice \(rows 12 and 13\)"):
        parse_path(bad)


def test_unparseable_number(tmp_path):
    rmax = header_cell(GOOD, "Rmax [TFlop/s]")[:-1]
    bad = edit_xlsx(GOOD, tmp_path / GOOD.name, {f"{rmax}7": "about 500 PF"})
    with pytest.raises(
        SourceError, match=r"TOP500_202411\.xlsx: row 7, column 'Rmax \[TFlop/s\]': not a number: 'about 500 PF'"
    ):
        parse_path(bad)


def test_fractional_rank(tmp_path):
    bad = edit_xlsx(GOOD, tmp_path / GOOD.name, {"A9": 7.5})
    with pytest.raises(SourceError, match=r"row 9, column 'Rank': not a whole number"):
        parse_path(bad)


def test_bad_file_name_in_directory(tmp_path):
    shutil.copy2(GOOD, tmp_path / "TOP500_202413.xlsx")
    with pytest.raises(SourceError, match=r"TOP500_202413\.xlsx: no TOP500 list is published for 2024-13"):
        top500.collect(str(tmp_path), None)


def test_two_files_for_one_list(tmp_path):
    shutil.copy2(GOOD, tmp_path / "TOP500_202411.xlsx")
    shutil.copy2(BUNDLED_LISTS / "TOP500_201911.xls", tmp_path / "TOP500_202411.xls")
    with pytest.raises(SourceError, match="two files for the 2024-11 list"):
        top500.collect(str(tmp_path), None)


def test_unknown_source():
    with pytest.raises(SourceError, match="neither 'bundled', an http"):
        top500.collect("/no/such/dir", None)


def test_all_bad_files_are_reported_together(tmp_path):
    dup = edit_xlsx(GOOD, tmp_path / "a" / GOOD.name, {"A13": 11})
    html = tmp_path / "b" / "TOP500_202406.xlsx"
    html.parent.mkdir()
    html.write_text("<html>login</html>")
    files = [describe_file("top500", "2024-11", dup, "x"), describe_file("top500", "2024-06", html, "y")]
    with pytest.raises(SourceErrors) as info:
        top500.parse_all(files)
    assert [e.source for e in info.value.errors] == ["TOP500_202411.xlsx", "TOP500_202406.xlsx"]
