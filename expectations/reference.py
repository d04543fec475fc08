"""GX suites for the vendor-spec, AI-compute and HPL-MxP raw tables (one suite per table, batch = source file).

Bounds are "physically plausible", not "seen in the data": positive FLOP/s below 1e5 TFlop/s per chip
(the largest chip today is ~2.5e3 TFlop/s BF16), training compute below 1e29 FLOP (largest 2025
model ~5e26), dates from the first electronic computers to today (planned clusters: up to 10 years
ahead). Names that key joins (hardware, model, result) are unique; Epoch's chip and cluster datasets
legitimately repeat names (variants, cluster phases), so there only presence is checked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from flows.validate import Suite

MAX_CHIP_TFLOPS = 1e5
MAX_TRAINING_FLOP = 1e29
PETAFLOP_S_DAY = 1e15 * 86400  # FLOP in one petaflop/s-day


def _dates(*columns: str):
    """Derived `<col>_year` (lower bounds) and `<col>_days_ahead` (vs today; upper bounds)."""

    def prepare(df: pd.DataFrame) -> pd.DataFrame:
        today = pd.Timestamp(date.today())
        for col in columns:
            when = pd.to_datetime(df[col])
            df[f"{col}_year"] = when.dt.year
            df[f"{col}_days_ahead"] = (when - today).dt.days
        if "petaflop_s_days" in df:
            df["flop_per_petaflop_s_day"] = df["training_compute_flop"] / df["petaflop_s_days"] / PETAFLOP_S_DAY
        return df

    return prepare


def _positive(gxe, column: str, upper: float, unit: str) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=0,
            strict_min=True,
            max_value=upper,
            meta={
                "message": f"{column} is {{{column}:.4g}} {unit} at line {{source_line}} ({{label}}): must be > 0 and <= {upper:.0e}"
            },
        )
    ]


def _date_range(gxe, column: str, earliest: int, days_ahead: int = 0) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=f"{column}_year",
            min_value=earliest,
            meta={"message": f"{column} {{{column}:%Y-%m-%d}} before {earliest} at line {{source_line}} ({{label}})"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column=f"{column}_days_ahead",
            max_value=days_ahead,
            meta={"message": f"{column} {{{column}:%Y-%m-%d}} is in the future at line {{source_line}} ({{label}})"},
        ),
    ]


def _unique(gxe, column: str) -> list:
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column, meta={"message": f"{column} is empty at line {{source_line}}"}
        ),
        gxe.ExpectColumnValuesToBeUnique(column=column, meta={"message": f"{column} {{{column}!r}} appears {{times}}"}),
    ]


def ml_hardware() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=100, meta={"message": "only {observed_value} rows"}),
        *_unique(gxe, "hardware_name"),
        *(
            e
            for c in (
                "fp64_tflops",
                "fp32_tflops",
                "tf32_tflops",
                "fp16_tflops",
                "tensor_fp16_bf16_tflops",
                "fp8_tflops",
                "fp4_tflops",
            )
            for e in _positive(gxe, c, MAX_CHIP_TFLOPS, "TFlop/s")
        ),
        *_positive(gxe, "tdp_w", 1e4, "W"),
        *_date_range(gxe, "release_date", 1990, days_ahead=366),
    ]


def chips() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1000, meta={"message": "only {observed_value} rows"}),
        gxe.ExpectColumnValuesToNotBeNull(
            column="hardware_name", meta={"message": "hardware_name is empty at line {source_line}"}
        ),
        *(
            e
            for c in ("fp64_tflops", "fp32_tflops", "tensor_fp16_bf16_tflops")
            for e in _positive(gxe, c, MAX_CHIP_TFLOPS, "TFlop/s")
        ),
        *_date_range(gxe, "release_date", 1970, days_ahead=366),
    ]


def hardware_prices() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="hardware_model", meta={"message": "hardware_model is empty at line {source_line}"}
        ),
        *_positive(gxe, "purchase_price_usd", 1e8, "USD"),
        *_positive(gxe, "price_per_chip_hour_on_demand_usd", 1e3, "USD/h"),
        *_date_range(gxe, "price_date", 2000),
    ]


def notable_ai_models() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=100, meta={"message": "only {observed_value} rows"}),
        *_unique(gxe, "model"),
        *_positive(gxe, "training_compute_flop", MAX_TRAINING_FLOP, "FLOP"),
        *_positive(gxe, "parameters", 1e16, "parameters"),
        *_date_range(gxe, "publication_date", 1940),
    ]


def gpu_clusters() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=100, meta={"message": "only {observed_value} rows"}),
        gxe.ExpectColumnValuesToNotBeNull(column="name", meta={"message": "name is empty at line {source_line}"}),
        *_positive(gxe, "max_tflops", 1e12, "TFlop/s"),
        *_positive(gxe, "power_capacity_mw", 1e5, "MW"),
        *_positive(gxe, "reported_power_mw", 1e5, "MW"),
        *_positive(gxe, "calculated_power_mw", 1e5, "MW"),
        *(
            e
            for c in (
                "hardware_cost_usd",
                "reported_cost_usd",
                "reported_cost_inflation_adjusted_usd",
                "calculated_cost_usd",
            )
            for e in _positive(gxe, c, 1e13, "USD")
        ),
        *_date_range(gxe, "first_operational_date", 2000, days_ahead=3653),
        *_date_range(gxe, "decommissioned_date", 2000),
        gxe.ExpectColumnValuesToBeInSet(
            column="country",
            value_set=sorted(_cluster_countries()),
            meta={
                "message": "country {country!r} at line {source_line} ({label}) is neither an ISO 3166 name nor a "
                "spelling in dbt_project/seeds/epoch_country_names.csv"
            },
        ),
    ]


def _cluster_countries() -> set[str]:
    """Country spellings a cluster may carry: ISO 3166 names and Epoch's own (mapped by the seed)."""
    import csv

    from flows.countries import country_names

    seed = Path(__file__).parents[1] / "dbt_project" / "seeds" / "epoch_country_names.csv"
    with seed.open(newline="") as fh:
        return set(country_names()) | {row["epoch_country"] for row in csv.DictReader(fh)}


def ai_and_compute() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=10, meta={"message": "only {observed_value} rows"}),
        *_unique(gxe, "result"),
        *_positive(gxe, "petaflop_s_days", 1e9, "petaflop/s-days"),
        *_positive(gxe, "training_compute_flop", MAX_TRAINING_FLOP, "FLOP"),
        gxe.ExpectColumnValuesToBeBetween(
            column="flop_per_petaflop_s_day",
            min_value=0.99,
            max_value=1.01,
            meta={
                "message": "training_compute_flop {training_compute_flop:.4g} is not petaflop_s_days x 8.64e19 "
                "at line {source_line} ({label})"
            },
        ),
        *_date_range(gxe, "publication_date", 2010),
    ]


def hpl_mxp_prepare(df: pd.DataFrame) -> pd.DataFrame:
    """Per list: how often each rank appears, and the published speed-up against HPL-MxP / HPL Rmax."""
    df["list_month"] = pd.to_datetime(df["list_date"]).dt.month
    df["rank_count"] = df.groupby(["list_date", "rank"])["rank"].transform("size")
    df["speedup_ratio"] = (df["hpl_mxp_eflops"] / df["hpl_rmax_eflops"]) / df["speedup"]
    return df


def hpl_mxp() -> list:
    """Bounds: HPL-MxP below 1000 EFlop/s (the best of 2025 is ~17), HPL Rmax below 100 EFlop/s. The published
    speed-up is rounded from rounded figures (JUWELS BM 2021-11: 0.470 / 0.0440 = 10.7, printed 10.0), so it
    must agree with HPL-MxP / Rmax only within 15%."""
    import great_expectations.expectations as gxe

    where = "{list_date:%Y-%m} rank {rank} ({computer})"
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, meta={"message": "no results"}),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank_count", min_value=1, max_value=1, meta={"message": f"{where} appears more than once"}
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="list_month", value_set=[6, 11], meta={"message": f"{where}: not a June or November list"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank", min_value=1, meta={"message": f"{where}: the rank must be 1 or more"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="hpl_mxp_eflops",
            min_value=0,
            strict_min=True,
            max_value=1000,
            meta={"message": f"{where}: HPL-MxP {{hpl_mxp_eflops}} EFlop/s must be > 0 and below 1000"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="hpl_rmax_eflops",
            min_value=0,
            strict_min=True,
            max_value=100,
            meta={"message": f"{where}: HPL Rmax {{hpl_rmax_eflops}} EFlop/s must be > 0 and below 100"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="top500_rank",
            min_value=1,
            max_value=500,
            meta={"message": f"{where}: TOP500 rank {{top500_rank}} is outside 1..500"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="speedup_ratio",
            min_value=1 / 1.15,
            max_value=1.15,
            meta={
                "message": f"{where}: the published speed-up {{speedup}} is not HPL-MxP / HPL Rmax "
                "({hpl_mxp_eflops} / {hpl_rmax_eflops})"
            },
        ),
    ]


def _suite(name: str, table: str, label: str, dates: tuple[str, ...], expectations) -> Suite:
    return Suite(
        name=name,
        tables=(f"raw.{table}",),
        query=f"select * exclude (original), {label} as label from raw.{table}",
        batch_by="source_file",
        row_id=("source_line",),
        prepare=_dates(*dates),
        expectations=expectations,
        description=f"raw.{table}: plausible values, keys unique.",
    )


SUITES = [
    _suite("epoch_ml_hardware", "epoch_ml_hardware", "hardware_name", ("release_date",), ml_hardware),
    _suite("epoch_chips", "epoch_chips", "hardware_name", ("release_date",), chips),
    _suite("epoch_hardware_prices", "epoch_hardware_prices", "hardware_model", ("price_date",), hardware_prices),
    _suite("epoch_notable_ai_models", "epoch_notable_ai_models", "model", ("publication_date",), notable_ai_models),
    _suite(
        "epoch_gpu_clusters",
        "epoch_gpu_clusters",
        "name",
        ("first_operational_date", "decommissioned_date"),
        gpu_clusters,
    ),
    _suite("openai_ai_and_compute", "openai_ai_and_compute", "result", ("publication_date",), ai_and_compute),
    Suite(
        name="hpl_mxp_results",
        tables=("raw.hpl_mxp_results",),
        query="select * exclude (original) from raw.hpl_mxp_results",
        batch_by="source_file",
        row_id=("list_date", "rank"),
        prepare=hpl_mxp_prepare,
        expectations=hpl_mxp,
        description="raw.hpl_mxp_results: one result per list and rank, plausible EFlop/s, the speed-up agrees.",
    ),
]
