"""The Green500 and HPL-MxP parsers on the real bundled files: every era, units, and bad input named."""

from __future__ import annotations

import shutil

import pytest

from flows.errors import SourceError
from flows.files import describe_file
from flows.settings import PROJECT_ROOT
from flows.sources import green500, hpl_mxp
from support.warehouses import BUNDLED_GREEN500_KEYS, make_settings
from support.workbook_edits import edit_xlsx

SOURCES = PROJECT_ROOT / "warehouse" / "sources"
RESULTS = SOURCES / "hpl_mxp" / "hpl-mxp-results.md"


@pytest.fixture(scope="module")
def lists() -> dict:
    parsed = green500.parse_all(green500.collect("bundled", make_settings(PROJECT_ROOT)))
    return {p.file.file_key: p.rows for p in parsed}


def _green(path):
    return green500.parse(describe_file(green500.DATASET, "x", path, path.as_uri()))


def test_every_green500_era_maps_onto_one_column_set(lists):
    assert list(lists) == BUNDLED_GREEN500_KEYS and all(len(rows) == 500 for rows in lists.values())
    assert [k for k in lists if k <= "2026-06"] == [f"{y}-{m}" for y in range(2013, 2027) for m in ("06", "11")][1:-1]
    first = {key: rows.sort_values("green500_rank").iloc[0] for key, rows in lists.items()}
    # MFlops/W to 2016-11 (2013-11: 4503.18 MFlops/W), GFlops/W after; Rmax GFlop/s to 2016-11, TFlop/s after
    assert first["2013-11"]["energy_efficiency_gflops_per_w"] == pytest.approx(4.50318, rel=1e-5)
    assert first["2013-11"]["rmax_tflops"] == pytest.approx(125.1) and first["2013-11"]["power_kw"] == pytest.approx(
        27.78, rel=1e-4
    )
    # 2013-11 prints the name as `Name` and the description as `name`
    assert (first["2013-11"]["name"], first["2013-11"]["computer"][:10]) == ("TSUBAME-KFC", "LX 1U-4GPU")
    # 2016-11: `Rank` is the TOP500 rank beside `Green500_Rank`; 2017-06 on it is the Green500 rank
    assert (first["2016-11"]["name"], first["2016-11"]["top500_rank"]) == ("DGX SaturnV", 28)
    assert (first["2017-06"]["name"], first["2017-06"]["top500_rank"]) == ("TSUBAME3.0", 61)
    # "Power Effeciency" (sic) 2017-06..2019-11, "Power Efficiency" to 2021-11, "Energy Efficiency" after
    assert first["2019-11"]["energy_efficiency_gflops_per_w"] == pytest.approx(16.876)
    assert first["2021-11"]["energy_efficiency_gflops_per_w"] == pytest.approx(39.37894927)
    assert first["2025-11"]["energy_efficiency_gflops_per_w"] == pytest.approx(73.28153019)
    # the first of the two `Power Source` columns; the second stays in `original` as "Power Source (2)"
    assert first["2019-06"]["power_source"] == "Optimized"
    assert '"Power Source (2)":"Optimized"' in first["2019-06"]["original"]
    # from 2017-11 the file lists every TOP500 system, those without an efficiency last
    assert lists["2021-11"]["energy_efficiency_gflops_per_w"].notna().sum() == 179


def test_binary_xls_content_under_an_xlsx_name_is_read_by_its_signature():
    path = SOURCES / "green500" / "raw" / "green500_top_201311.xlsx"
    assert path.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # BIFF, not a zip
    assert len(_green(path).rows) == 500


def test_a_green500_file_without_an_efficiency_column_is_named(tmp_path):
    src = SOURCES / "green500" / "raw" / "green500_top_202411.xlsx"
    bad = edit_xlsx(src, tmp_path / "green500_top_202411.xlsx", {"P1": "Efficiency of sorts"})
    with pytest.raises(SourceError) as err:
        _green(bad)
    assert str(err.value).startswith("green500_top_202411.xlsx: no header row with an energy-efficiency column")


def test_a_repeated_green500_rank_and_a_bad_number_are_named(tmp_path):
    src = SOURCES / "green500" / "raw" / "green500_top_202411.xlsx"
    twice = edit_xlsx(src, tmp_path / "a" / "green500_top_202411.xlsx", {"A3": 1})
    with pytest.raises(SourceError, match=r"green500_top_202411.xlsx: Green500 rank 1 appears twice \(rows 2 and 3\)"):
        _green(twice)
    text = edit_xlsx(src, tmp_path / "b" / "green500_top_202411.xlsx", {"P4": "72 GF/W"})
    with pytest.raises(SourceError, match=r"row 4, column 'Energy Efficiency \[GFlops/Watts\]': not a number"):
        _green(text)


def test_green500_file_names_and_copies(tmp_path):
    with pytest.raises(SourceError, match="no Green500 list is published for 2024-03"):
        green500.list_date_of("green500_top_202403.xlsx")
    directory = tmp_path / "lists"
    directory.mkdir()
    shutil.copy2(SOURCES / "green500" / "raw" / "green500_top_202406.xlsx", directory / "green500_top_202406.xlsx")
    shutil.copy2(SOURCES / "green500" / "raw" / "green500_top_202406.xlsx", directory / "green500_top_202406.xls")
    with pytest.raises(SourceError, match="two files for the 2024-06 Green500 list"):
        green500.collect(str(directory), make_settings(tmp_path))
    assert green500.collect(str(tmp_path), make_settings(tmp_path)) == []  # a directory without Green500 lists


# --- HPL-MxP ---------------------------------------------------------------------------------------


def _results(text: str, tmp_path):
    path = tmp_path / "hpl-mxp-results.md"
    path.write_text(text, encoding="utf-8")
    return hpl_mxp.parse(describe_file(hpl_mxp.RESULTS.name, path.name, path, path.as_uri()))


def test_hpl_mxp_tables_parse_by_their_header_row(tmp_path):
    rows = _results(RESULTS.read_text(encoding="utf-8"), tmp_path).rows
    rows = rows[rows["list_date"].astype(str) <= "2025-11-01"]  # the results of the lists to 2025-11
    assert len(rows) == 266 and rows["list_date"].nunique() == 13
    # 2019-11 names the columns HPL-AI with <br/> inside the headers
    summit = rows[rows["list_date"].astype(str) == "2019-11-01"].iloc[0]
    assert (summit["computer"], summit["hpl_mxp_eflops"], summit["top500_rank"], summit["cores"]) == (
        "Summit",
        0.45,
        1,
        2414592,
    )
    abci = rows[(rows["list_date"].astype(str) == "2025-11-01") & (rows["computer"] == "ABCI 3.0")].iloc[0]
    assert abci["hpl_mxp_eflops"] == 2.363 and abci["notes"].startswith("Results with FP8 data type")
    assert rows["top500_rank"].isna().sum() == 11  # blank or 0 on the page: not on that list


def test_bad_hpl_mxp_tables_are_named(tmp_path):
    text = RESULTS.read_text(encoding="utf-8")
    with pytest.raises(SourceError, match=r"caption 'Novembre 2025' does not name a list"):
        _results(text.replace("<caption>November 2025</caption>", "<caption>Novembre 2025</caption>"), tmp_path)
    with pytest.raises(
        SourceError, match=r"line 24 in table 'November 2025' .*column 'Cores': '11,340,000 cores' is not a number"
    ):
        _results(text.replace("<td>11,340,000</td>", "<td>11,340,000 cores</td>", 1), tmp_path)
    with pytest.raises(SourceError, match="holds no HTML <table>: not the HPL-MxP results page"):
        _results("<!DOCTYPE html><html><body>Sign in</body></html>", tmp_path)


def test_the_green500_gate_stops_a_ranking_that_does_not_follow_the_efficiency(tmp_path):
    """The GX gate before load: rank 2 more efficient than rank 1 is named, file and rule; a real list passes."""
    from flows import validate

    settings = make_settings(tmp_path)
    src = SOURCES / "green500" / "raw" / "green500_top_202411.xlsx"
    bad = edit_xlsx(src, tmp_path / "lists" / "green500_top_202411.xlsx", {"P3": 80.0})
    good = _green(SOURCES / "green500" / "raw" / "green500_top_202406.xlsx")
    report = validate.validate_parsed(settings, "gate-good", [good], stage="green500", module="green500_list")
    assert report.success and report.evaluations > 10
    with pytest.raises(validate.ValidationFailed) as failed:
        validate.validate_parsed(settings, "gate-bad", [_green(bad)], stage="green500", module="green500_list")
    assert (
        "green500_top_202411.xlsx: the ranking does not follow the efficiency: Green500 rank 2 has 80.0 GFlops/W"
        in str(failed.value)
    )
