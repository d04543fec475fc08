-- When each demand-vs-supply gap reaches 10x, 100x and 1000x: exactly (ln threshold / rate difference, in
-- months) and as the first whole month of marts.demand_supply_gap at or above it (NULL beyond the horizon).
with gap as (
    select * from {{ ref('demand_supply_gap') }}
),

pairs as (
    select distinct
        demand_scenario, supply_scenario, supply_kind, supply_country, base_date, gap_log_growth_per_month,
        is_recommended_pair
    from gap
),

thresholds as (
    select * from (values (10.0), (100.0), (1000.0)) as t (gap_threshold)
),

first_months as (
    select
        gap.demand_scenario,
        gap.supply_scenario,
        thresholds.gap_threshold,
        min(gap.months_ahead) as first_month_at_or_above
    from gap
    inner join thresholds on gap.gap_ratio >= thresholds.gap_threshold
    group by all
),

exact as (
    select
        pairs.*,
        thresholds.gap_threshold,
        case
            when pairs.gap_log_growth_per_month > 0
                then ln(thresholds.gap_threshold) / pairs.gap_log_growth_per_month
        end as crossing_months_exact
    from pairs
    cross join thresholds
)

select
    exact.demand_scenario,
    exact.supply_scenario,
    exact.supply_kind,
    exact.supply_country,
    exact.base_date,
    exact.gap_threshold::double as gap_threshold,
    exact.gap_log_growth_per_month,
    exact.crossing_months_exact,
    (exact.base_date + to_days((round(exact.crossing_months_exact * 365.25 / 12))::integer))::date
        as crossing_date_exact,
    first_months.first_month_at_or_above,
    (exact.base_date + to_months(first_months.first_month_at_or_above::integer))::date as first_month_date,
    exact.is_recommended_pair
from exact
left join first_months
    on
        first_months.demand_scenario = exact.demand_scenario
        and first_months.supply_scenario = exact.supply_scenario
        and first_months.gap_threshold = exact.gap_threshold
