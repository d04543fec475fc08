-- Each growth scenario (int_demand__scenarios), demand or supply, month by month from the base date: growth
-- relative to the base date, ratio to the baseline scenario, and implied training FLOP where the scenario has an
-- anchor model.
-- vars: demand_base_date (default: the latest TOP500 list), demand_horizon_months (default 120),
-- demand_baseline_scenario (default openai_2018).
{%- set base_date = var('demand_base_date', none) %}

with scenarios as (
    select * from {{ ref('int_demand__scenarios') }}
),

base as (
    select
        coalesce({% if base_date %}date '{{ base_date }}'{% else %}null{% endif %}, max(list_date)) as base_date
    from {{ ref('performance_development') }}
),

months as (
    select range as months_ahead
    from range(0, {{ var('demand_horizon_months', 120) }}::integer + 1)
),

baseline as (
    select log_growth_per_month
    from scenarios
    where scenario = '{{ var("demand_baseline_scenario", "openai_2018") }}'
),

grid as (
    select
        scenarios.*,
        base.base_date,
        months.months_ahead,
        (base.base_date + to_months(months.months_ahead::integer))::date as forecast_date
    from scenarios
    cross join base
    cross join months
)

select
    grid.scenario,
    grid.scenario_kind,
    grid.scenario_source,
    grid.country,
    grid.base_date,
    grid.months_ahead,
    grid.forecast_date,
    -- one convention for every scenario, however its source states the rate (per doubling, per 12 months)
    exp(12 * grid.log_growth_per_month) as annual_growth_factor,
    ln(2) / grid.log_growth_per_month as doubling_time_months,
    grid.log_growth_per_month,
    exp(grid.log_growth_per_month * grid.months_ahead) as growth_multiplier,
    '{{ var("demand_baseline_scenario", "openai_2018") }}' as baseline_scenario,
    exp((grid.log_growth_per_month - baseline.log_growth_per_month) * grid.months_ahead) as ratio_to_baseline,
    grid.anchor_model,
    grid.anchor_date,
    grid.anchor_flop,
    -- the scenario's rate carried from the anchor's publication to forecast_date, by day count (a month =
    -- 365.25 / 12 days): an extrapolation, not a recorded run
    grid.anchor_flop
    * exp(grid.log_growth_per_month * date_diff('day', grid.anchor_date, grid.forecast_date) / (365.25 / 12))
        as extrapolated_flop
from grid
cross join baseline
