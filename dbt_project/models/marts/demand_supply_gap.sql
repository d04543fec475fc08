-- Each demand scenario against each supply: TOP500 aggregate Rmax growth (world, top countries, South Korea),
-- AI-cluster compute growth (world, South Korea) and, as the Korean study did, the baseline demand scenario
-- (openai_2018): that pair compares two demand rates, not demand with supply. gap_ratio = how many times faster
-- demand has grown than supply since the base date; is_recommended_pair marks the one pair to read first.
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
    demand.growth_multiplier as demand_multiplier,
    supply.growth_multiplier as supply_multiplier,
    demand.growth_multiplier / supply.growth_multiplier as gap_ratio,
    demand.log_growth_per_month - supply.log_growth_per_month as gap_log_growth_per_month,
    demand.scenario = '{{ var("recommended_demand_scenario", "fit_notable_2010_on") }}'
    and supply.scenario = '{{ var("recommended_supply_scenario", "ai_clusters_world_since_2019_06") }}'
    and supply.supply_kind <> 'demand_baseline' as is_recommended_pair
from demand
inner join supply
    on
        supply.months_ahead = demand.months_ahead
        and supply.scenario <> demand.scenario
