-- Each demand scenario against each supply: TOP500 aggregate Rmax growth (world, top countries, South Korea),
-- AI-cluster compute growth (world, South Korea) and, as the Korean study did, the baseline demand scenario
-- (openai_2018). gap_ratio = how many times faster
-- demand has grown than supply since the base date.
with forecast as (
    select * from {{ ref('demand_forecast') }}
),

demand as (
    select * from forecast
    where scenario_kind = 'demand'
),

supply as (
    select *, case when scenario_source = 'ai_cluster_trend' then 'ai_clusters' else 'top500' end as supply_kind
    from forecast
    where scenario_kind = 'supply'
    union all
    select *, 'demand_baseline' from forecast
    where scenario = baseline_scenario
)

select
    demand.scenario as demand_scenario,
    supply.scenario as supply_scenario,
    supply.supply_kind,
    supply.country as supply_country,
    demand.base_date,
    demand.months_ahead,
    demand.forecast_date,
    demand.demand_multiplier,
    supply.demand_multiplier as supply_multiplier,
    demand.demand_multiplier / supply.demand_multiplier as gap_ratio,
    demand.log_growth_per_month - supply.log_growth_per_month as gap_log_growth_per_month
from demand
inner join supply
    on
        supply.months_ahead = demand.months_ahead
        and supply.scenario <> demand.scenario
