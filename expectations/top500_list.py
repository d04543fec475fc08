"""GX suite `top500_list`: the rules every TOP500 list file must meet.

All lists of a run are validated in one GX batch (GX's cost is per expectation
and batch, not per row: 67 batches took ~15 s, one takes ~0.3 s); results are
still recorded and reported per file, because every rule is a row-level rule
on columns that `prepare` derives within each file.

Rules (all checked per list file, i.e. per `source_file`):
- 500 rows; ranks present, unique and within 1..500 (so exactly 1..500); one list_date, a June or November one.
- rmax_tflops present and > 0; rmax <= rpeak within the tolerance documented in
  top500_rmax_tolerance.json; rmax non-increasing with rank (ties allowed: many lists have them).
- country is a real one: ISO 3166 (pycountry) or the TOP500's own spelling (flows/countries.py); a real
  country new to the lists passes (the run reports it as new), an invented or misspelt one is stopped.
- year between 1980 and the list's year (+1 for November lists: 1993-11, 2000-11, 2003-11 and
  2019-11 each list a system dated the following year, installed after the list was compiled).
- power_kw >= 0 where present (empty before 2008).
Derived columns (added by `prepare`) keep every rule a plain GX expectation that Data Docs can show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from flows.countries import country_names
from flows.validate import Suite

HERE = Path(__file__).parent
TOLERANCE = json.loads((HERE / "top500_rmax_tolerance.json").read_text())
EARLIEST_YEAR = 1980


def _allowed_ratio(list_date: pd.Series, rank: pd.Series) -> pd.Series:
    ratio = pd.Series(TOLERANCE["default_max_ratio"], index=list_date.index, dtype="float64")
    month = list_date.dt.strftime("%Y-%m")
    for exc in sorted(TOLERANCE["exceptions"], key=lambda e: "rank" in e):  # rank-specific rules win
        hit = month == exc["list"]
        if "rank" in exc:
            hit &= rank == exc["rank"]
        ratio[hit] = exc["max_ratio"]
    return ratio


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """One file's rows plus the per-file facts the row-level rules compare against."""
    df = df.sort_values("rank", kind="stable").reset_index(drop=True)
    df["rows_in_file"] = len(df)
    df["list_dates_in_file"] = df["list_date"].nunique()
    df["list_month"] = df["list_date"].dt.month
    counts = df.groupby("rank", dropna=False)["rank"].transform("size")
    df["rank_count"] = counts.where(df["rank"].notna(), 1)
    df["rank_times"] = df["rank_count"].map(lambda n: "twice" if n == 2 else f"{n} times")
    df["rpeak_allowed_tflops"] = df["rpeak_tflops"] * _allowed_ratio(df["list_date"], df["rank"])
    # The entry one rank better on the same list: its Rmax must be >= this one's.
    df["rank_above"] = df["rank"].shift(1)
    df["rmax_of_rank_above"] = df["rmax_tflops"].shift(1)
    # November lists may carry systems dated the next year (installed after compilation).
    latest = df["list_date"].max()
    df["max_year_allowed"] = 0 if pd.isna(latest) else int(latest.year) + (1 if latest.month == 11 else 0)
    return df


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="rows_in_file", min_value=500, max_value=500, meta={"message": "{rows_in_file} rows, expected 500"}
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="rank", meta={"message": "an entry has no rank (site {site!r})"}),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank_count", min_value=1, max_value=1, meta={"message": "rank {rank} appears {rank_times}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank", min_value=1, max_value=500, meta={"message": "rank {rank} is outside 1..500"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="list_dates_in_file",
            min_value=1,
            max_value=1,
            meta={"message": "the file holds {list_dates_in_file} different list dates, expected 1"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="list_month",
            value_set=[6, 11],
            meta={"message": "list_date {list_date:%Y-%m} is not a June or November list"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="rmax_tflops", meta={"message": "rmax_tflops is empty at rank {rank}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rmax_tflops",
            min_value=0,
            strict_min=True,
            meta={"message": "rmax_tflops is {rmax_tflops} at rank {rank}, must be > 0"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rpeak_allowed_tflops",
            column_B="rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "rmax_tflops > rpeak_tflops at rank {rank} ({rmax_tflops:.6g} > {rpeak_tflops:.6g})",
                "notes": "tolerance: expectations/top500_rmax_tolerance.json",
            },
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rmax_of_rank_above",
            column_B="rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "rmax_tflops rises with rank: rank {rank} has {rmax_tflops:.6g}, "
                "rank {rank_above:.0f} above it only {rmax_of_rank_above:.6g}"
            },
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="country", meta={"message": "country is empty at rank {rank}"}),
        gxe.ExpectColumnValuesToBeInSet(
            column="country",
            value_set=sorted(country_names()),
            meta={
                "message": "unknown country {country!r} at rank {rank}: not an ISO 3166 country name "
                "nor a TOP500 spelling (flows/countries.py)"
            },
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year",
            min_value=EARLIEST_YEAR,
            meta={"message": "year {year:.0f} at rank {rank} is before " + str(EARLIEST_YEAR)},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_year_allowed",
            column_B="year",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "year {year:.0f} at rank {rank} is implausible for the {list_date:%Y-%m} list"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="power_kw", min_value=0, meta={"message": "power_kw is {power_kw} at rank {rank}, must be >= 0"}
        ),
    ]


SUITES = [
    Suite(
        name="top500_list",
        tables=("raw.top500_entries",),
        query="select * exclude (original) from raw.top500_entries",
        batch_by="source_file",
        row_id=("rank",),
        prepare=prepare,
        expectations=expectations,
        description="One TOP500 list file: 500 ranked entries with plausible values.",
    )
]
