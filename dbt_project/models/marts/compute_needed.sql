-- Country x scenario x year: the H100-equivalents, power and hardware cost a country would need to keep its
-- share of world AI compute, or to keep pace with a demand scenario, from the outlook's base date; against the
-- supply of marts.national_compute_outlook, the shortfall and when supply falls behind (see the YAML).
-- vars: compute_needed_demand_scenarios, compute_needed_share_trend, recommended_demand_scenario (and the
-- outlook's compute_base_date, compute_outlook_end_year, compute_supply_planned_tiers).
{%- set demand_scenarios = var(
    'compute_needed_demand_scenarios', ['openai_2018', 'kr_study_roberta_bert', 'fit_notable_2010_on']
) %}
{%- set share_trend = var('compute_needed_share_trend', 'ai_clusters_world_since_2019_06') %}

with outlook as (

    select * from {{ ref('national_compute_outlook') }}

),

national as (

    select * from {{ ref('national_compute') }}

),

base as (

    select any_value(base_date) as base_date from outlook

),

world_at_base as (

    select
        sum(national.total_h100e) as world_h100e,
        sum(national.ai_cluster_power_mw) / nullif(sum(national.ai_cluster_h100e), 0) as power_mw_per_h100e,
        sum(national.ai_cluster_hardware_cost_usd) / nullif(sum(national.ai_cluster_h100e), 0)
            as hardware_cost_usd_per_h100e
    from national
    inner join base on national.list_date = base.base_date

),

-- the world's AI clusters per H100-equivalent get cheaper to power and to buy at the rate their power (cost)
-- grows slower than their H100-equivalents (marts.performance_trend, since 2019-06)
world_trends as (

    select
        max(slope_ln_per_year) filter (where series = 'ai_cluster_h100e') as h100e_slope,
        max(slope_ln_per_year) filter (where series = 'ai_cluster_power_mw') as power_slope,
        max(slope_ln_per_year) filter (where series = 'ai_cluster_hardware_cost_usd') as cost_slope
    from {{ ref('performance_trend') }}
    where scope = 'global' and era = 'since_2019_06'

),

scenarios as (

    select * from {{ ref('int_demand__scenarios') }}

),

-- keeping a share of the world means growing as the world grows; keeping pace means growing as demand grows
chosen as (

    select
        'keep_world_share' as scenario,
        'keep_world_share' as scenario_kind,
        log_growth_per_month
    from scenarios
    where scenario = '{{ share_trend }}'

    union all

    select
        scenario,
        'keep_pace_with_demand',
        log_growth_per_month
    from scenarios
    where
        scenario_kind = 'demand'
        and scenario in ({{ "'" ~ demand_scenarios | join("', '") ~ "'" }})

),

share_rate as (

    select log_growth_per_month from scenarios
    where scenario = '{{ share_trend }}'

),

at_base as (

    select
        national.country,
        national.total_h100e as base_h100e,
        national.total_h100e_share_pct as base_share_pct
    from national
    inner join base on national.list_date = base.base_date
    where national.total_h100e > 0

),

grid as (

    select
        outlook.country,
        chosen.scenario,
        chosen.scenario_kind,
        outlook.year,
        outlook.as_of_date,
        outlook.base_date,
        -- months as days / (365.25 / 12), the convention of marts.demand_forecast
        date_diff('day', outlook.base_date, outlook.as_of_date) / (365.25 / 12) as months_after_base,
        chosen.log_growth_per_month,
        at_base.base_h100e,
        at_base.base_share_pct,
        outlook.supply_h100e,
        outlook.supply_power_mw,
        outlook.supply_hardware_cost_usd
    from outlook
    inner join at_base using (country)
    cross join chosen

),

needed as (

    select
        grid.*,
        exp(grid.log_growth_per_month * grid.months_after_base) as growth_multiplier,
        world_at_base.world_h100e * exp(share_rate.log_growth_per_month * grid.months_after_base) as world_h100e,
        world_at_base.power_mw_per_h100e
        * exp((world_trends.power_slope - world_trends.h100e_slope) * grid.months_after_base / 12)
            as power_mw_per_h100e,
        world_at_base.hardware_cost_usd_per_h100e
        * exp((world_trends.cost_slope - world_trends.h100e_slope) * grid.months_after_base / 12)
            as hardware_cost_usd_per_h100e
    from grid
    cross join world_at_base
    cross join world_trends
    left join share_rate on true

),

compared as (

    select
        *,
        base_h100e * growth_multiplier as needed_h100e,
        supply_h100e < base_h100e * growth_multiplier as is_behind,
        greatest(base_h100e * growth_multiplier - supply_h100e, 0) as shortfall_h100e
    from needed

)

select
    country,
    scenario,
    scenario_kind,
    year::integer as year,
    as_of_date,
    base_date,
    months_after_base::double as months_after_base,
    exp(12 * log_growth_per_month)::double as annual_growth_factor,
    base_h100e::double as base_h100e,
    base_share_pct::double as base_share_pct,
    growth_multiplier::double as growth_multiplier,
    needed_h100e::double as needed_h100e,
    world_h100e::double as world_h100e,
    (100 * needed_h100e / world_h100e)::double as needed_share_pct,
    power_mw_per_h100e::double as power_mw_per_h100e,
    hardware_cost_usd_per_h100e::double as hardware_cost_usd_per_h100e,
    (needed_h100e * power_mw_per_h100e)::double as needed_power_mw,
    (needed_h100e * hardware_cost_usd_per_h100e)::double as needed_hardware_cost_usd,
    supply_h100e::double as supply_h100e,
    supply_power_mw::double as supply_power_mw,
    supply_hardware_cost_usd::double as supply_hardware_cost_usd,
    shortfall_h100e::double as shortfall_h100e,
    (shortfall_h100e * power_mw_per_h100e)::double as shortfall_power_mw,
    (shortfall_h100e * hardware_cost_usd_per_h100e)::double as shortfall_hardware_cost_usd,
    is_behind,
    min(year) filter (where is_behind) over (partition by country, scenario)::integer as first_year_behind,
    -- behind in the last year and every year before it back to this one; NULL when supply keeps pace at the end
    case
        when bool_or(is_behind and year = max_year) over (partition by country, scenario)
            then coalesce(max(year) filter (where not is_behind) over (partition by country, scenario) + 1, min_year)
    end::integer as behind_from_year,
    scenario = '{{ var("recommended_demand_scenario", "fit_notable_2010_on") }}' as is_recommended
from (
    select
        *,
        max(year) over () as max_year,
        min(year) over () as min_year
    from compared
) as spanned
