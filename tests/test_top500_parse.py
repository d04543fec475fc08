"""Every bundled list parses into one typed shape, with units and names normalized once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from flows.errors import SourceError
from flows.sources import top500, top500_calendar
from flows.sources.top500_columns import COLUMNS, COUNTRY_NAMES


def test_bundled_snapshot_has_every_list_from_1993_06_to_its_newest(bundled_files):
    keys = [f.file_key for f in bundled_files]
    assert keys[0] == "1993-06" and "2026-06" in keys  # 67 lists to 2026-06
    assert keys.index("2026-06") == 66
    newest = date.fromisoformat(f"{keys[-1]}-01")
    assert [f"{d:%Y-%m}" for d in top500_calendar.expected_lists(newest.replace(day=30))] == keys


def test_every_list_has_500_rows_ranked_1_to_500(parsed_lists):
    for key, parsed in parsed_lists.items():
        ranks = parsed.rows["rank"].tolist()
        assert sorted(ranks) == list(range(1, 501)), key


@pytest.mark.parametrize(
    ("key", "rank", "rmax"),
    [
        ("1993-06", 1, 0.0597),
        ("2020-06", 1, 415_530.0),
        ("2020-11", 1, 442_010.0),
        ("2020-11", 2, 148_600.0),
        ("2020-11", 4, 93_014.6),
        ("2016-11", 1, 93_014.594),
    ],
)
def test_rmax_is_in_tflops_in_every_era(parsed_lists, key, rank, rmax):
    rows = parsed_lists[key].rows
    assert rows.loc[rows["rank"] == rank, "rmax_tflops"].item() == pytest.approx(rmax, rel=1e-6)


def test_units_do_not_jump_at_the_2017_header_change(parsed_lists):
    """GFlop/s -> TFlop/s and MFlops/W -> GFlops/W: the #500 entry and median efficiency move smoothly."""
    before, after = parsed_lists["2016-11"].rows, parsed_lists["2017-06"].rows
    r500_before = before.loc[before["rank"] == 500, "rmax_tflops"].item()
    r500_after = after.loc[after["rank"] == 500, "rmax_tflops"].item()
    assert 1 < r500_after / r500_before < 1.5
    eff_before = before["energy_efficiency_gflops_per_w"].median()
    eff_after = after["energy_efficiency_gflops_per_w"].median()
    assert 0.5 < eff_after / eff_before < 2, (eff_before, eff_after)
    assert 0.05 < eff_before < 20


def test_countries_are_harmonized(parsed_lists):
    countries = set().union(*(set(p.rows["country"].dropna()) for p in parsed_lists.values()))
    for old, _new in COUNTRY_NAMES.items():
        assert old not in countries
    assert {"South Korea", "Czechia", "Saudi Arabia", "United States", "China", "Hong Kong"} <= countries
    korea_2019 = parsed_lists["2019-11"].rows
    assert (korea_2019["country"] == "South Korea").sum() == 3


def test_reissued_2020_11_counts_match_the_file(parsed_lists):
    counts = parsed_lists["2020-11"].rows["country"].value_counts()
    assert counts["China"] == 214 and counts["United States"] == 113 and counts["Japan"] == 34
    assert counts["South Korea"] == 3


def test_text_is_clean(parsed_lists):
    for key, parsed in parsed_lists.items():
        for column in ("site", "name", "computer", "manufacturer", "accelerator", "processor", "country"):
            for value in parsed.rows[column].dropna():
                assert "\u200b" not in value and value == value.strip() and "  " not in value, (key, column, value)
                assert "Ã" not in value, (key, column, value)  # mojibake repaired


def test_no_accelerator_is_null_not_the_word_none(parsed_lists):
    rows = parsed_lists["2020-11"].rows
    assert "None" not in set(rows["accelerator"].dropna())
    fugaku = rows[rows["rank"] == 1].iloc[0]
    assert fugaku["accelerator"] is None
    assert rows.loc[rows["rank"] == 2, "accelerator"].item() == "NVIDIA Volta GV100"


def test_zero_means_missing_in_old_files(parsed_lists):
    rows = parsed_lists["2010-06"].rows
    assert rows.loc[rows["rank"] == 2, "power_kw"].isna().item()  # the file says 0
    assert rows.loc[rows["rank"] == 1, "power_kw"].item() == pytest.approx(6950.6)


def test_every_original_cell_is_kept(parsed_lists, bundled_files):
    """`original` holds every header of the file and the cell as published."""
    for f in (bundled_files[0], bundled_files[40], bundled_files[-1]):
        sheet = CalamineWorkbook.from_path(str(f.path)).get_sheet_by_index(0).to_python()
        header_row = next(r for r in sheet if "Rank" in r)
        first = json.loads(parsed_lists[f.file_key].rows["original"].iloc[0])
        assert list(first) == [str(h).strip() for h in header_row]


def test_lineage_fields(parsed_lists):
    parsed = parsed_lists["2024-11"]
    assert parsed.file.file_name == "TOP500_202411.xlsx"
    assert len(parsed.file.sha256) == 64
    assert parsed.rows["edition"].iloc[0] == 64
    assert parsed.rows["list_date"].iloc[0] == date(2024, 11, 1)


def test_calendar_and_file_names():
    assert top500_calendar.edition_of(date(1993, 6, 1)) == 1
    assert top500_calendar.edition_of(date(2020, 11, 1)) == 56
    assert top500_calendar.file_name_for(date(2019, 11, 1)) == "TOP500_201911.xls"
    assert top500_calendar.file_name_for(date(2020, 6, 1)) == "TOP500_202006.xlsx"
    assert top500_calendar.expected_lists(date(1993, 11, 1))[-1] == date(1993, 11, 1)
    assert len(top500_calendar.expected_lists(date(1993, 10, 31))) == 1
    assert top500_calendar.expected_lists(date(2024, 5, 14))[-1] == date(2024, 6, 1)  # ISC 2024 was in May
    assert top500_calendar.expected_lists(date(2024, 4, 30))[-1] == date(2023, 11, 1)


# --- the whole-column conversion agrees with the per-cell rules ----------------------------------------

ODD_CELLS = [
    (1.0, 2.5, 0.0, -0.0, "", 7, 0, float("nan")),  # the common kinds, zeros and blanks
    (3.0, 2**60, -4, ""),  # ints, one beyond a float's integer precision
    (1.0, float("inf"), ""),  # inf: a float, but not a whole number
    (7.5, 1.0),  # not whole: an error in an int column
    ("1,234", " 8 ", "", 2.0),  # text numbers
    ("about 500 PF", 1.0),  # not a number
    (True, 1.0),  # a bool is not a number
    ("None", "N/A", "Korea, South", "  a\u200bb  ", "caf\u00c3\u00a9", ""),  # text: missing words, mojibake
    (True, 1, 1.0, "1"),  # one set element for True, 1 and 1.0, three different texts
    (178764.0, 178765.0, ""),  # an id written as a number
]


def _typed(values):
    return [(type(v), "nan" if v != v else v.hex() if isinstance(v, float) else v) for v in values]


@pytest.mark.parametrize("cells", ODD_CELLS)
@pytest.mark.parametrize(
    "column", ["rank", "total_cores", "rmax_tflops", "power_kw", "accelerator", "system_id", "site"]
)
@pytest.mark.parametrize("factor", [1.0, 1e-3])
def test_column_conversion_matches_the_per_cell_rules(cells, column, factor):
    """Same values and types (1 vs 1.0, -0.0, None) or the same error naming the Excel row."""
    col = next(c for c in COLUMNS if c.name == column)
    convert = top500._converter(col, factor)
    rows = list(range(2, 2 + len(cells)))
    try:
        expected = ("ok", _typed(map(convert, cells)))
    except ValueError:
        row, error = next((r, e) for r, c in zip(rows, cells) for e in [_error(convert, c)] if e)
        expected = ("error", f"TOP500_202411.xlsx: row {row}, column 'H': {error}")
    try:
        got = ("ok", _typed(top500._convert_column(cells, col, factor, "TOP500_202411.xlsx", "H", rows)))
    except SourceError as exc:
        got = ("error", str(exc))
    assert got == expected


def _error(convert, cell):
    try:
        convert(cell)
    except ValueError as exc:
        return str(exc)
    return None
