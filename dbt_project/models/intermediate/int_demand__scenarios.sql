-- Every growth scenario the forecast uses, as a monthly log rate: the curated demand scenarios (seed
-- demand_scenarios), the fitted demand rates (marts.demand_growth_fits, prefixed fit_), TOP500 supply
-- (aggregate Rmax fits of marts.performance_trend, prefixed top500_), world and per country, and AI compute
-- supply (AI-cluster H100-equivalent fits since 2019-06, prefixed ai_clusters_), world and South Korea.
with curated as (
    select * from {{ ref('curated_demand_scenarios') }}
),

fits as (
    select * from {{ ref('demand_growth_fits') }}
    where estimate_kind = 'fitted'
),

trend as (
    select * from {{ ref('performance_trend') }}
    where
        series = 'total_rmax'
        and era in ('all', 'after_2013')
),

country_stats as (
    select * from {{ ref('country_list_stats') }}
),

-- AI compute supply: the growth of AI-cluster H100-equivalents since 2019-06, world and South Korea
ai_cluster_trend as (
    select * from {{ ref('performance_trend') }}
    where
        series = 'ai_cluster_h100e'
        and era = 'since_2019_06'
        and country in ('World', 'South Korea')
),

-- South Korea is always compared (the project's question); performance_trend fits only the latest top ten.
extra_country_points as (
    select
        country,
        era,
        extract(year from list_date) + (extract(month from list_date) - 1) / 12.0 as list_year_fraction,
        rmax_tflops
    from country_stats
    cross join (values ('all', date '1900-01-01'), ('after_2013', date '2014-01-01')) as eras (era, era_start)
    where
        country = 'South Korea'
        and list_date >= era_start
        and country not in (
            select country from trend
            where scope = 'country'
        )
),

extra_country_fits as (
    {{ demand_log_linear_fit('extra_country_points', ['country', 'era'], 'list_year_fraction', 'rmax_tflops') }}
),

supply as (
    select scope, country, era, slope_ln_per_year, first_list_date, last_list_date, n_lists
    from trend
    union all
    select 'country', country, era, slope_ln_per_year, null, null, n
    from extra_country_fits
)

select
    scenario,
    'demand' as scenario_kind,
    'curated' as scenario_source,
    'World' as country,
    growth_factor,
    period_months,
    ln(growth_factor) / period_months as log_growth_per_month,
    anchor_model,
    anchor_flop,
    anchor_date,
    source,
    definition
from curated

union all
select
    'fit_' || selection,
    'demand',
    'fitted',
    'World',
    2,
    doubling_time_months,
    slope_ln_per_year / 12,
    null,
    null,
    null,
    selection_description
    || ' ('
    || window_start
    || ' .. '
    || window_end
    || ', n = '
    || n
    || '); marts.demand_growth_fits',
    'Least-squares trend of the training compute (FLOP) of ' || selection_description || ', '
    || strftime(window_start, '%Y-%m') || ' to ' || strftime(window_end, '%Y-%m') || ', continued.'
from fits

union all
select
    'top500_' || case when scope = 'global' then 'world' else lower(regexp_replace(country, '[^A-Za-z]+', '_', 'g')) end
    || '_' || era,
    'supply',
    'top500_trend',
    country,
    2,
    12 * ln(2) / slope_ln_per_year,
    slope_ln_per_year / 12,
    null,
    null,
    null,
    'TOP500 aggregate Rmax of ' || country || ', log-linear fit over era ' || era || ' (marts.performance_trend)',
    'The TOP500 aggregate Rmax of ' || country || ' growing at its trend over era ' || era || '.'
from supply
where slope_ln_per_year > 0

union all
select
    'ai_clusters_' || lower(regexp_replace(country, '[^A-Za-z]+', '_', 'g')) || '_' || era,
    'supply',
    'ai_cluster_trend',
    country,
    2,
    12 * ln(2) / slope_ln_per_year,
    slope_ln_per_year / 12,
    null,
    null,
    null,
    'H100-equivalents of the operational AI clusters of ' || country || ' (Epoch AI), log-linear fit from '
    || strftime(first_list_date, '%Y-%m')
    || ' to '
    || strftime(last_list_date, '%Y-%m')
    || ' (marts.performance_trend)',
    'The AI compute (H100-equivalents of the operational Epoch GPU clusters) of '
    || case when country = 'World' then 'the world' else country end
    || ' growing at its trend since 2019-06.'
from ai_cluster_trend
where slope_ln_per_year > 0
