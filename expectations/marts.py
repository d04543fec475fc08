"""GX suites on the dbt marts: cross-table invariants analysts rely on (one batch per suite).

Each suite validates the result of a check query, so the rule reads as SQL plus one expectation.
Shares are stored unrounded per country but may carry 4-decimal rounding: sums must be 100 +- 0.01.
`demand_forecast` is optional (built by another issue): absent -> skipped and recorded in audit.
"""

from __future__ import annotations

from flows.validate import Suite

SHARE_TOLERANCE = 0.01


def country_totals() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="systems", min_value=500, max_value=500,
            meta={"message": "{list_date:%Y-%m}: countries' systems sum to {systems:.0f}, not 500"}),
        *(gxe.ExpectColumnValuesToBeBetween(
            column=c, min_value=100 - SHARE_TOLERANCE, max_value=100 + SHARE_TOLERANCE,
            meta={"message": f"{{list_date:%Y-%m}}: countries' {c} sums to {{{c}:.4f}}, not 100"})
          for c in ("system_share_pct", "rmax_share_pct")),
    ]


def performance_development() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="in_mart", value_set=[True],
            meta={"message": "list {list_date:%Y-%m} is loaded but missing from marts.performance_development"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="total_rmax_tflops", column_B="rank1_rmax_tflops", or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "{list_date:%Y-%m}: total Rmax {total_rmax_tflops:.6g} < #1 Rmax {rank1_rmax_tflops:.6g}"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rank1_rmax_tflops", column_B="rank500_rmax_tflops", or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "{list_date:%Y-%m}: #1 Rmax {rank1_rmax_tflops:.6g} < #500 Rmax {rank500_rmax_tflops:.6g}"}),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank500_rmax_tflops", min_value=0, strict_min=True,
            meta={"message": "{list_date:%Y-%m}: #500 Rmax is {rank500_rmax_tflops}"}),
    ]


def entry_systems() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="system_key", meta={"message": "list_entries {list_date:%Y-%m} rank {rank} has no system_key"}),
        gxe.ExpectColumnValuesToBeInSet(
            column="in_systems", value_set=[True],
            meta={"message": "system_key {system_key!r} ({list_date:%Y-%m} rank {rank}) is not in marts.systems"}),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["list_date", "rank"],
            meta={"message": "list_entries has {list_date:%Y-%m} rank {rank} more than once"}),
    ]


def systems() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="system_key", meta={"message": "a system has no system_key"}),
        gxe.ExpectColumnValuesToBeUnique(
            column="system_key", meta={"message": "system_key {system_key!r} appears {times} in marts.systems"}),
    ]


def demand_forecast() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="demand_multiplier", min_value=0, strict_min=True,
            meta={"message": "{scenario}: demand_multiplier {demand_multiplier} at {months_ahead} months is not > 0"}),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="demand_multiplier", column_B="previous_multiplier", or_equal=False,
            ignore_row_if="either_value_is_missing",
            meta={"message": "{scenario}: demand_multiplier does not increase at {months_ahead} months "
                             "({demand_multiplier:.6g} after {previous_multiplier:.6g})"}),
    ]


SUITES = [
    Suite(
        name="country_list_stats", tables=("marts.country_list_stats",), row_id=("list_date",),
        query="""select list_date, sum(systems) as systems, sum(system_share_pct) as system_share_pct,
                        sum(rmax_share_pct) as rmax_share_pct
                 from marts.country_list_stats group by list_date order by list_date""",
        expectations=country_totals, description="Each list's countries add up to 500 systems and 100 %.",
    ),
    Suite(
        name="performance_development", tables=("marts.performance_development",), row_id=("list_date",),
        query="""with lists as (select distinct list_date from raw.top500_entries)
                 select l.list_date, p.list_date is not null as in_mart, p.total_rmax_tflops,
                        p.rank1_rmax_tflops, p.rank500_rmax_tflops
                 from lists l left join marts.performance_development p using (list_date) order by l.list_date""",
        expectations=performance_development, description="Every loaded list has a consistent row.",
    ),
    Suite(
        name="list_entries", tables=("marts.list_entries", "marts.systems"), row_id=("list_date", "rank"),
        query="""select e.list_date, e.rank, e.system_key, s.system_key is not null as in_systems
                 from marts.list_entries e left join marts.systems s using (system_key)""",
        expectations=entry_systems, description="Every entry's system_key exists in marts.systems.",
    ),
    Suite(
        name="systems", tables=("marts.systems",), row_id=("system_key",),
        query="select system_key from marts.systems",
        expectations=systems, description="One row per system_key.",
    ),
    Suite(
        name="demand_forecast", tables=("marts.demand_forecast",), row_id=("scenario", "months_ahead"),
        query="""select scenario, months_ahead, demand_multiplier,
                        lag(demand_multiplier) over (partition by scenario order by months_ahead) as previous_multiplier
                 from marts.demand_forecast""",
        expectations=demand_forecast, optional=True,
        description="Forecast multipliers grow with months_ahead in every scenario.",
    ),
]
