-- Every growth scenario the demand marts use, published: what it says, its rate as its source states it and in
-- one convention (growth per 12 months and doubling time), its source, and which one is recommended.
with scenarios as (

    select * from {{ ref('int_demand__scenarios') }}

)

select
    scenario,
    scenario_kind,
    scenario_source,
    country,
    definition,
    case
        when period_months = 12 then printf('%gx per year', growth_factor)
        else printf('%gx every %.3g months', growth_factor, period_months)
    end as stated_growth,
    growth_factor::double as stated_growth_factor,
    period_months::double as stated_period_months,
    exp(12 * log_growth_per_month)::double as annual_growth_factor,
    (ln(2) / log_growth_per_month)::double as doubling_time_months,
    log_growth_per_month::double as log_growth_per_month,
    anchor_model,
    anchor_flop::double as anchor_flop,
    anchor_date,
    source,
    scenario in (
        '{{ var("recommended_demand_scenario", "fit_notable_2010_on") }}',
        '{{ var("recommended_supply_scenario", "ai_clusters_world_since_2019_06") }}'
    ) as is_recommended
from scenarios
