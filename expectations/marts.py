"""GX suites on the dbt marts: completeness against raw, and cross-table invariants analysts rely on.

Completeness is judged from what was loaded (raw.top500_entries), never from the mart itself: a model
bug that drops the newest list, or empties a table, must fail here even though every row that is
left looks fine. Every mart named here is required; a missing one fails the gate (nothing is optional).
Each suite validates the result of a check query, so the rule reads as SQL plus one expectation.
That shares add up to 100 is dbt's rule (dbt_project/tests/assert_*_sum_to_100.sql), not this gate's.
"""

from __future__ import annotations

from flows.validate import Suite

LIST_SHARE_DIMENSIONS = 9  # vendor, segment, accelerator, interconnect, processor, OS, architecture, continent, country

# One row per list loaded in raw, with what each list-grain mart holds for it (0 / NULL when absent).
LIST_COMPLETENESS = """
with lists as (
    select list_date, count(*) as raw_entries,
           count(*) filter (where power_kw > 0 and rmax_tflops > 0) as raw_power_entries,
           count(*) filter (where hpcg_tflops > 0) as raw_hpcg_entries
    from raw.top500_entries group by list_date),
entries as (select list_date, count(*) as n from marts.list_entries group by list_date),
countries as (
    select list_date, sum(systems) as systems from marts.country_list_stats group by list_date),
shares as (
    select list_date, count(*) filter (where systems = 500) as complete_dimensions
    from (select list_date, dimension, sum(systems) as systems from marts.list_shares group by all)
    group by list_date),
development as (select list_date, count(*) as n from marts.performance_development group by list_date),
linkage as (select list_date, count(*) as n from marts.system_linkage_quality group by list_date),
turnover as (select list_date, count(*) as n from marts.list_turnover group by list_date),
hpcg as (select list_date, count(*) as n from marts.hpcg group by list_date),
energy as (select list_date, any_value(power_reporting_entries) as n from marts.energy_development group by list_date),
national as (select list_date, sum(top500_systems) as n from marts.national_compute group by list_date),
h100e_coverage as (select list_date, count(*) as n from marts.h100e_coverage group by list_date)
select
    lists.list_date,
    lists.raw_entries,
    coalesce(entries.n, 0) as list_entries_rows,
    coalesce(countries.systems, 0) as country_systems,
    coalesce(shares.complete_dimensions, 0) as list_share_dimensions,
    coalesce(development.n, 0) as performance_development_rows,
    coalesce(linkage.n, 0) as linkage_quality_rows,
    coalesce(turnover.n, 0) as list_turnover_rows,
    lists.raw_power_entries,
    coalesce(energy.n, 0) as energy_power_entries,
    lists.raw_hpcg_entries,
    coalesce(hpcg.n, 0) as hpcg_rows,
    coalesce(national.n, 0) as national_top500_systems,
    coalesce(h100e_coverage.n, 0) as h100e_coverage_rows
from lists
left join entries using (list_date)
left join countries using (list_date)
left join shares using (list_date)
left join development using (list_date)
left join linkage using (list_date)
left join turnover using (list_date)
left join hpcg using (list_date)
left join energy using (list_date)
left join national using (list_date)
left join h100e_coverage using (list_date)
order by lists.list_date
"""


def list_completeness() -> list:
    import great_expectations.expectations as gxe

    def exactly(column: str, value: int, what: str):
        return gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=value,
            max_value=value,
            meta={"message": f"{{list_date:%Y-%m}} is loaded ({{raw_entries}} entries in raw) but {what}"},
        )

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="list_entries_rows",
            column_B="raw_entries",
            meta={
                "message": "{list_date:%Y-%m} is loaded ({raw_entries} entries in raw) but marts.list_entries "
                "holds {list_entries_rows} of its entries"
            },
        ),
        exactly("country_systems", 500, "marts.country_list_stats counts {country_systems:.0f} systems, not 500"),
        exactly(
            "list_share_dimensions",
            LIST_SHARE_DIMENSIONS,
            f"marts.list_shares adds up to 500 systems in {{list_share_dimensions}} of its "
            f"{LIST_SHARE_DIMENSIONS} dimensions",
        ),
        exactly(
            "performance_development_rows",
            1,
            "marts.performance_development has {performance_development_rows} rows for it, not 1",
        ),
        exactly(
            "linkage_quality_rows", 1, "marts.system_linkage_quality has {linkage_quality_rows} rows for it, not 1"
        ),
        exactly("list_turnover_rows", 1, "marts.list_turnover has {list_turnover_rows} rows for it, not 1"),
        exactly(
            "national_top500_systems",
            500,
            "marts.national_compute counts {national_top500_systems:.0f} TOP500 systems for it, not 500",
        ),
        exactly("h100e_coverage_rows", 1, "marts.h100e_coverage has {h100e_coverage_rows} rows for it, not 1"),
        *(
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A=mart,
                column_B=raw,
                meta={"message": f"{{list_date:%Y-%m}} has {{{raw}}} entries {what} in raw but {table} {{{mart}}}"},
            )
            for mart, raw, what, table in (
                ("energy_power_entries", "raw_power_entries", "reporting power", "marts.energy_development counts"),
                ("hpcg_rows", "raw_hpcg_entries", "with an HPCG result", "marts.hpcg holds"),
            )
        ),
    ]


# One row per official Green500 list loaded in raw: the entries it ranks, and what the marts hold for it.
GREEN500_COMPLETENESS = """
with lists as (
    select list_date, count(*) filter (where energy_efficiency_gflops_per_w is not null) as raw_ranked_entries
    from raw.green500_entries group by list_date),
green as (select list_date, count(*) as n from marts.green500 group by list_date),
energy as (select list_date, any_value(green500_entries) as n from marts.energy_development group by list_date)
select lists.list_date, lists.raw_ranked_entries, coalesce(green.n, 0) as green500_rows,
       coalesce(energy.n, 0) as energy_green500_entries
from lists
left join green using (list_date)
left join energy using (list_date)
order by lists.list_date
"""

# One row per HPL-MxP list loaded in raw, with the results marts.hpl_mxp holds for it.
HPL_MXP_COMPLETENESS = """
with lists as (select list_date, count(*) as raw_results from raw.hpl_mxp_results group by list_date),
mart as (select list_date, count(*) as n from marts.hpl_mxp group by list_date)
select lists.list_date, lists.raw_results, coalesce(mart.n, 0) as hpl_mxp_rows
from lists left join mart using (list_date)
order by lists.list_date
"""


def green500_completeness() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A=mart,
            column_B="raw_ranked_entries",
            meta={
                "message": "the {list_date:%Y-%m} Green500 list ranks {raw_ranked_entries} entries in raw but "
                f"{table} {{{mart}}}"
            },
        )
        for mart, table in (
            ("green500_rows", "marts.green500 holds"),
            ("energy_green500_entries", "marts.energy_development counts"),
        )
    ]


def hpl_mxp_completeness() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="hpl_mxp_rows",
            column_B="raw_results",
            meta={
                "message": "{list_date:%Y-%m} has {raw_results} HPL-MxP results in raw but marts.hpl_mxp {hpl_mxp_rows}"
            },
        )
    ]


def performance_development() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="total_rmax_tflops",
            column_B="rank1_rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "{list_date:%Y-%m}: total Rmax {total_rmax_tflops:.6g} < #1 Rmax {rank1_rmax_tflops:.6g}"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rank1_rmax_tflops",
            column_B="rank500_rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "{list_date:%Y-%m}: #1 Rmax {rank1_rmax_tflops:.6g} < #500 Rmax {rank500_rmax_tflops:.6g}"
            },
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank500_rmax_tflops",
            min_value=0,
            strict_min=True,
            meta={"message": "{list_date:%Y-%m}: #500 Rmax is {rank500_rmax_tflops}"},
        ),
    ]


def entry_systems() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="system_key", meta={"message": "list_entries {list_date:%Y-%m} rank {rank} has no system_key"}
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="in_systems",
            value_set=[True],
            meta={"message": "system_key {system_key!r} ({list_date:%Y-%m} rank {rank}) is not in marts.systems"},
        ),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["list_date", "rank"],
            meta={"message": "list_entries has {list_date:%Y-%m} rank {rank} more than once"},
        ),
    ]


def systems() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="system_key", meta={"message": "a system has no system_key"}),
        gxe.ExpectColumnValuesToBeUnique(
            column="system_key", meta={"message": "system_key {system_key!r} appears {times} in marts.systems"}
        ),
    ]


def mart_sizes() -> list:
    """One row of counts, so an emptied table fails (expectations on an empty frame pass vacuously)."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="systems",
            column_B="largest_list",
            or_equal=True,
            meta={
                "message": "marts.systems holds {systems} systems, fewer than the {largest_list} entries of the "
                "largest loaded list"
            },
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="entries_loaded",
            column_B="systems",
            or_equal=True,
            meta={"message": "marts.systems holds {systems} systems, more than the {entries_loaded} entries loaded"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="seed_scenarios_not_forecast",
            min_value=0,
            max_value=0,
            meta={
                "message": "{seed_scenarios_not_forecast} demand scenario(s) of the seed are missing from "
                "marts.demand_forecast"
            },
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="world_supply_scenarios",
            column_B="world_supply_expected",
            or_equal=True,
            meta={
                "message": "marts.demand_forecast has no world TOP500 supply scenario although "
                "{lists_loaded} lists are loaded (enough for a growth fit)"
            },
        ),
    ]


def demand_forecast() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="growth_multiplier",
            min_value=0,
            strict_min=True,
            meta={"message": "{scenario}: growth_multiplier {growth_multiplier} at {months_ahead} months is not > 0"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="growth_multiplier",
            column_B="previous_multiplier",
            or_equal=False,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "{scenario}: growth_multiplier does not increase at {months_ahead} months "
                "({growth_multiplier:.6g} after {previous_multiplier:.6g})"
            },
        ),
    ]


# One row per country with a planned Epoch cluster in raw: the outlook must hold that country in every year.
# The outlook starts from the newest list the Epoch cluster data covers; with no such list loaded it is empty
# (0 years expected), and an empty outlook beside a covered list expects -1 years, so it fails.
OUTLOOK_COMPLETENESS = """
with planned as (
    select names.country, count(*) as planned_clusters
    from raw.epoch_gpu_clusters as clusters
    inner join reference.epoch_country_names as names on names.epoch_country = clusters.country
    where clusters.status = 'Planned'
      and not coalesce(clusters.is_possible_duplicate, false) and not coalesce(clusters.is_excluded, false)
    group by names.country),
outlook as (select country, count(*) as outlook_years from marts.national_compute_outlook group by country),
span as (
    select case when exists (select 1 from marts.national_compute where is_within_epoch_coverage)
                then coalesce(max(year) - min(year) + 1, -1) else 0 end as expected_years
    from marts.national_compute_outlook)
select planned.country, planned.planned_clusters, coalesce(outlook.outlook_years, 0) as outlook_years,
       span.expected_years
from planned
cross join span
left join outlook using (country)
order by planned.country
"""


def national_compute_outlook() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="outlook_years",
            column_B="expected_years",
            meta={
                "message": "{country} has {planned_clusters} planned cluster(s) in raw.epoch_gpu_clusters but "
                "{outlook_years} of the {expected_years} years in marts.national_compute_outlook"
            },
        ),
    ]


SUITES = [
    Suite(
        name="list_completeness",
        tables=(
            "marts.list_entries",
            "marts.country_list_stats",
            "marts.list_shares",
            "marts.performance_development",
            "marts.system_linkage_quality",
            "marts.list_turnover",
            "marts.hpcg",
            "marts.energy_development",
            "marts.national_compute",
            "marts.h100e_coverage",
        ),
        row_id=("list_date",),
        query=LIST_COMPLETENESS,
        expectations=list_completeness,
        description="Every list loaded in raw is whole in every list-grain mart (counted from raw, not the mart).",
    ),
    Suite(
        name="green500_completeness",
        tables=("raw.green500_entries", "marts.green500", "marts.energy_development"),
        row_id=("list_date",),
        query=GREEN500_COMPLETENESS,
        expectations=green500_completeness,
        description="Every official Green500 list loaded in raw is whole in marts.green500 and counted in "
        "marts.energy_development (counted from raw, not the mart).",
    ),
    Suite(
        name="hpl_mxp_completeness",
        tables=("raw.hpl_mxp_results", "marts.hpl_mxp"),
        row_id=("list_date",),
        query=HPL_MXP_COMPLETENESS,
        expectations=hpl_mxp_completeness,
        description="Every HPL-MxP result loaded in raw is in marts.hpl_mxp.",
    ),
    Suite(
        name="performance_development",
        tables=("marts.performance_development",),
        row_id=("list_date",),
        query="select list_date, total_rmax_tflops, rank1_rmax_tflops, rank500_rmax_tflops "
        "from marts.performance_development order by list_date",
        expectations=performance_development,
        description="Each list's #1, #500 and total are consistent.",
    ),
    Suite(
        name="list_entries",
        tables=("marts.list_entries", "marts.systems"),
        row_id=("list_date", "rank"),
        query="""select e.list_date, e.rank, e.system_key, s.system_key is not null as in_systems
                 from marts.list_entries e left join marts.systems s using (system_key)""",
        expectations=entry_systems,
        description="Every entry's system_key exists in marts.systems.",
    ),
    Suite(
        name="systems",
        tables=("marts.systems",),
        row_id=("system_key",),
        query="select system_key from marts.systems",
        expectations=systems,
        description="One row per system_key.",
    ),
    Suite(
        name="mart_sizes",
        tables=("marts.systems", "marts.demand_forecast"),
        row_id=(),
        query="""select
                     (select count(*) from marts.systems) as systems,
                     (select max(n) from (select count(*) as n from raw.top500_entries group by list_date))
                         as largest_list,
                     (select count(*) from raw.top500_entries) as entries_loaded,
                     (select count(*) from reference.curated_demand_scenarios
                      where scenario not in (select scenario from marts.demand_forecast)) as seed_scenarios_not_forecast,
                     (select count(distinct scenario) from marts.demand_forecast
                      where scenario_kind = 'supply' and scenario like 'top500_world%') as world_supply_scenarios,
                     (select count(distinct list_date) from raw.top500_entries) as lists_loaded,
                     -- a supply growth fit needs a history: 7 lists or more (marts.performance_trend)
                     (select (count(distinct list_date) >= 7)::int from raw.top500_entries) as world_supply_expected""",
        expectations=mart_sizes,
        description="Marts hold as many rows as what was loaded implies (bounds from raw).",
    ),
    Suite(
        name="national_compute_outlook",
        tables=("marts.national_compute_outlook", "raw.epoch_gpu_clusters", "reference.epoch_country_names"),
        row_id=("country",),
        query=OUTLOOK_COMPLETENESS,
        expectations=national_compute_outlook,
        description="Every country with a planned cluster in raw has every year of the outlook.",
    ),
    Suite(
        name="demand_forecast",
        tables=("marts.demand_forecast",),
        row_id=("scenario", "months_ahead"),
        query="""select scenario, months_ahead, growth_multiplier,
                        lag(growth_multiplier) over (partition by scenario order by months_ahead) as previous_multiplier
                 from marts.demand_forecast""",
        expectations=demand_forecast,
        description="Forecast multipliers grow with months_ahead in every scenario.",
    ),
]
