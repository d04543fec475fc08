"""GX suite `green500_list`: the rules every official Green500 list file must meet before it is loaded.

All lists of a run are validated in one GX batch; results are recorded and reported per file, because
every rule is a row-level rule on columns that `prepare` derives within each file.

Rules (per list file, i.e. per `source_file`):
- 500 rows; Green500 ranks present, unique and within 1..500; one list_date, a June or November one.
- The printed TOP500 rank is within 1..500 (the Green500 ranks systems of the TOP500 list).
- The energy efficiency is > 0 and below 1000 GFlops/W (the best system of 2026 reaches ~73), and the
  ranking follows it: an entry is no more efficient than the one ranked above it (to 1e-6 GFlops/W: the
  2015-06 file prints 0.496798919 below 0.4967987805). Entries without an efficiency (from 2017-11 the
  file lists every TOP500 system) come after every ranked one.
- rmax_tflops > 0; power_kw > 0 where printed.
- country is a real one: ISO 3166 or the TOP500's own spelling (flows/countries.py), as for the TOP500 lists.
"""

from __future__ import annotations

import pandas as pd

from flows.countries import country_names
from flows.validate import Suite

MAX_GFLOPS_PER_W = 1000.0
RANK_ORDER_TOLERANCE = 1e-6  # GFlops/W: the files round differently in their last digits


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """One file's rows plus the per-file facts the row-level rules compare against."""
    df = df.sort_values("green500_rank", kind="stable").reset_index(drop=True)
    df["rows_in_file"] = len(df)
    df["list_dates_in_file"] = df["list_date"].nunique()
    df["list_month"] = df["list_date"].dt.month
    counts = df.groupby("green500_rank", dropna=False)["green500_rank"].transform("size")
    df["rank_count"] = counts.where(df["green500_rank"].notna(), 1)
    df["rank_times"] = df["rank_count"].map(lambda n: "twice" if n == 2 else f"{n} times")
    efficiency = df["energy_efficiency_gflops_per_w"].astype("float64")
    # The entry one rank better: its efficiency (+ tolerance) must be >= this one's; entries without
    # an efficiency (NaN) read as -1, below every efficiency, so they may follow a ranked one but not precede it.
    df["rank_above"] = df["green500_rank"].shift(1)
    df["efficiency_allowed"] = efficiency.fillna(-1.0).shift(1) + RANK_ORDER_TOLERANCE
    df["efficiency_or_missing"] = efficiency.fillna(-1.0)
    return df


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="rows_in_file", min_value=500, max_value=500, meta={"message": "{rows_in_file} rows, expected 500"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank_count",
            min_value=1,
            max_value=1,
            meta={"message": "Green500 rank {green500_rank} appears {rank_times}"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="green500_rank",
            min_value=1,
            max_value=500,
            meta={"message": "Green500 rank {green500_rank} is outside 1..500"},
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
            column="top500_rank", meta={"message": "Green500 rank {green500_rank} prints no TOP500 rank"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="top500_rank",
            min_value=1,
            max_value=500,
            meta={"message": "TOP500 rank {top500_rank} at Green500 rank {green500_rank} is outside 1..500"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="energy_efficiency_gflops_per_w",
            min_value=0,
            strict_min=True,
            max_value=MAX_GFLOPS_PER_W,
            meta={
                "message": "energy efficiency {energy_efficiency_gflops_per_w} GFlops/W at Green500 rank "
                f"{{green500_rank}}: must be > 0 and below {MAX_GFLOPS_PER_W:g}"
            },
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="efficiency_allowed",
            column_B="efficiency_or_missing",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "the ranking does not follow the efficiency: Green500 rank {green500_rank} has "
                "{energy_efficiency_gflops_per_w} GFlops/W, more than rank {rank_above:.0f} above it"
            },
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="rmax_tflops", meta={"message": "rmax_tflops is empty at Green500 rank {green500_rank}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rmax_tflops",
            min_value=0,
            strict_min=True,
            meta={"message": "rmax_tflops is {rmax_tflops} at Green500 rank {green500_rank}, must be > 0"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="power_kw",
            min_value=0,
            strict_min=True,
            meta={"message": "power_kw is {power_kw} at Green500 rank {green500_rank}, must be > 0"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="country",
            value_set=sorted(country_names()),
            meta={
                "message": "unknown country {country!r} at Green500 rank {green500_rank}: not an ISO 3166 "
                "country name nor a TOP500 spelling (flows/countries.py)"
            },
        ),
    ]


SUITES = [
    Suite(
        name="green500_list",
        tables=("raw.green500_entries",),
        query="select * exclude (original) from raw.green500_entries",
        batch_by="source_file",
        row_id=("green500_rank",),
        prepare=prepare,
        expectations=expectations,
        description="One official Green500 list file: 500 ranked entries, ordered by a plausible efficiency.",
    )
]
