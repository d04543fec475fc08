"""GX suite `top500_list`: the rules every TOP500 list file must meet, one batch per file.

Rules (all checked per list file, i.e. per `source_file`):
- 500 rows; ranks present, unique and within 1..500 (so exactly 1..500); one list_date, a June or November one.
- rmax_tflops present and > 0; rmax <= rpeak within the tolerance documented in
  top500_rmax_tolerance.json; rmax non-increasing with rank (ties allowed: many lists have them).
- country in the versioned set top500_countries.json.
- year between 1980 and the list's year (+1 for November lists: 1993-11, 2000-11, 2003-11 and
  2019-11 each list a system dated the following year, installed after the list was compiled).
- power_kw >= 0 where present (empty before 2008).
Derived columns (added by `prepare`) keep every rule a plain GX expectation that Data Docs can show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from flows.validate import Suite

HERE = Path(__file__).parent
COUNTRIES = json.loads((HERE / "top500_countries.json").read_text())["countries"]
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
    df = df.sort_values("rank", kind="stable").reset_index(drop=True)
    df["list_month"] = df["list_date"].dt.month
    df["rpeak_allowed_tflops"] = df["rpeak_tflops"] * _allowed_ratio(df["list_date"], df["rank"])
    # The entry one rank better on the same list: its Rmax must be >= this one's.
    df["rank_above"] = df["rank"].shift(1)
    df["rmax_of_rank_above"] = df["rmax_tflops"].shift(1)
    return df


def parameters(df: pd.DataFrame) -> dict:
    latest = df["list_date"].max()
    if pd.isna(latest):
        return {"max_year": 0}
    return {"max_year": int(latest.year) + (1 if latest.month == 11 else 0)}


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToEqual(value=500, meta={"message": "{observed_value} rows, expected 500"}),
        gxe.ExpectColumnValuesToNotBeNull(column="rank", meta={"message": "an entry has no rank (site {site!r})"}),
        gxe.ExpectColumnValuesToBeUnique(column="rank", meta={"message": "rank {rank} appears {times}"}),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank", min_value=1, max_value=500, meta={"message": "rank {rank} is outside 1..500"}
        ),
        gxe.ExpectColumnUniqueValueCountToBeBetween(
            column="list_date", min_value=1, max_value=1,
            meta={"message": "the file holds {observed_value} different list dates, expected 1"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="list_month", value_set=[6, 11],
            meta={"message": "list_date {list_date:%Y-%m} is not a June or November list"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="rmax_tflops", meta={"message": "rmax_tflops is empty at rank {rank}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rmax_tflops", min_value=0, strict_min=True,
            meta={"message": "rmax_tflops is {rmax_tflops} at rank {rank}, must be > 0"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rpeak_allowed_tflops", column_B="rmax_tflops", or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "rmax_tflops > rpeak_tflops at rank {rank} ({rmax_tflops:.6g} > {rpeak_tflops:.6g})",
                  "notes": "tolerance: expectations/top500_rmax_tolerance.json"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rmax_of_rank_above", column_B="rmax_tflops", or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "rmax_tflops rises with rank: rank {rank} has {rmax_tflops:.6g}, "
                             "rank {rank_above:.0f} above it only {rmax_of_rank_above:.6g}"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="country", meta={"message": "country is empty at rank {rank}"}),
        gxe.ExpectColumnValuesToBeInSet(
            column="country", value_set=COUNTRIES,
            meta={"message": "unknown country {country!r} at rank {rank} (known set: expectations/top500_countries.json)"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year", min_value=EARLIEST_YEAR, max_value={"$PARAMETER": "max_year"},
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
        parameters=parameters,
        expectations=expectations,
        description="One TOP500 list file: 500 ranked entries with plausible values.",
    )
]
