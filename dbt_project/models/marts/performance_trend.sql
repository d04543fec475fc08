-- Log-linear fits ln(Rmax) = a + b * year of the performance-development series,
-- for the whole history and per era, and of the top countries' aggregate Rmax; of AI-cluster
-- compute (H100-equivalents, marts.national_compute), its site power and hardware cost, since 2019-06, world and
-- per country.
-- Scope energy fits the Green500 #1 and median efficiency (GFlops/W) the same way.
with development as (

    select * from {{ ref('performance_development') }}

),

countries as (

    select * from {{ ref('country_list_stats') }}

),

energy as (

    select * from {{ ref('energy_development') }}

),

top_countries as (

    -- the ten countries with the most Rmax on the latest list
    select country
    from countries
    where list_date = (select max(latest.list_date) from countries as latest)
    qualify row_number() over (order by rmax_tflops desc, country) <= 10

),

global_points as (

    select 'global' as scope, 'World' as country, series, list_date, list_year_fraction, value_tflops
    from development
    unpivot (
        value_tflops for series in (
            total_rmax_tflops as total_rmax,
            rank1_rmax_tflops as rank1_rmax,
            rank500_rmax_tflops as rank500_rmax,
            total_rpeak_tflops as total_rpeak
        )
    )

),

country_points as (

    select
        'country' as scope,
        countries.country,
        'total_rmax' as series,
        countries.list_date,
        extract(year from countries.list_date) + (extract(month from countries.list_date) - 1) / 12.0
            as list_year_fraction,
        countries.rmax_tflops as value_tflops
    from countries
    inner join top_countries using (country)

),

energy_points as (

    -- GFlops/W, carried in value_tflops: the fit is unit-free in ln space
    select 'energy' as scope, 'World' as country, series, list_date, list_year_fraction, value_tflops
    from energy
    unpivot (
        value_tflops for series in (
            green500_rank1_efficiency_gflops_per_w as green500_rank1_efficiency,
            median_efficiency_gflops_per_w as median_efficiency
        )
    )

),

national as (

    select * from {{ ref('national_compute') }}
    where is_within_epoch_coverage

),

-- the ten countries with the most AI-cluster compute on the latest date the Epoch data covers, and South Korea
ai_countries as (

    select country
    from national
    where list_date = (select max(latest.list_date) from national as latest)
    qualify row_number() over (order by ai_cluster_h100e desc, country) <= 10
    union
    select 'South Korea'

),

-- value_tflops holds H100-equivalents for this series
ai_cluster_points as (

    select
        'global' as scope,
        'World' as country,
        'ai_cluster_h100e' as series,
        list_date,
        extract(year from list_date) + (extract(month from list_date) - 1) / 12.0 as list_year_fraction,
        sum(ai_cluster_h100e) as value_tflops
    from national
    group by list_date

    union all

    select
        'country',
        national.country,
        'ai_cluster_h100e',
        national.list_date,
        extract(year from national.list_date) + (extract(month from national.list_date) - 1) / 12.0,
        national.ai_cluster_h100e
    from national
    inner join ai_countries using (country)

),

-- the same clusters' site power (MW) and hardware cost (USD), carried in value_tflops like H100-equivalents
ai_cluster_cost_points as (

    select
        'global' as scope,
        'World' as country,
        series,
        list_date,
        extract(year from list_date) + (extract(month from list_date) - 1) / 12.0 as list_year_fraction,
        sum(value_tflops) as value_tflops
    from national
    unpivot (
        value_tflops for series in (
            ai_cluster_power_mw as ai_cluster_power_mw,
            ai_cluster_hardware_cost_usd as ai_cluster_hardware_cost_usd
        )
    )
    group by series, list_date

    union all

    select
        'country',
        national.country,
        national.series,
        national.list_date,
        extract(year from national.list_date) + (extract(month from national.list_date) - 1) / 12.0,
        national.value_tflops
    from national
    unpivot (
        value_tflops for series in (
            ai_cluster_power_mw as ai_cluster_power_mw,
            ai_cluster_hardware_cost_usd as ai_cluster_hardware_cost_usd
        )
    ) as national
    inner join ai_countries using (country)

),

points as (

    select * from global_points
    union all
    select * from country_points
    union all
    select * from energy_points
    union all
    select * from ai_cluster_points
    union all
    select * from ai_cluster_cost_points

),

eras as (

    select * from (
        values
        ('all', date '1900-01-01', date '2999-12-31'),
        ('before_2008', date '1900-01-01', date '2007-12-31'),
        ('2008_2013', date '2008-01-01', date '2013-12-31'),
        ('after_2013', date '2014-01-01', date '2999-12-31'),
        -- AI-cluster compute: from the 2019-06 list
        ('since_2019_06', date '2019-06-01', date '2999-12-31')
    ) as eras (era, era_start, era_end)

),

fits as (

    select
        points.scope,
        points.country,
        points.series,
        eras.era,
        min(points.list_date) as first_list_date,
        max(points.list_date) as last_list_date,
        regr_count(ln(points.value_tflops), points.list_year_fraction) as n_lists,
        regr_slope(ln(points.value_tflops), points.list_year_fraction) as slope_ln_per_year,
        regr_intercept(ln(points.value_tflops), points.list_year_fraction) as intercept_ln,
        regr_r2(ln(points.value_tflops), points.list_year_fraction) as r_squared,
        regr_avgx(ln(points.value_tflops), points.list_year_fraction) as mean_year,
        regr_sxx(ln(points.value_tflops), points.list_year_fraction) as sxx,
        regr_syy(ln(points.value_tflops), points.list_year_fraction) as syy,
        regr_sxy(ln(points.value_tflops), points.list_year_fraction) as sxy
    from points
    inner join eras
        on points.list_date between eras.era_start and eras.era_end
    where
        points.value_tflops > 0
        and case
            when starts_with(points.series, 'ai_cluster_') then eras.era = 'since_2019_06'
            else
                eras.era <> 'since_2019_06'
                and (points.scope in ('global', 'energy') or eras.era in ('all', 'after_2013'))
        end
    group by all

),

with_errors as (

    select
        *,
        -- residual standard error and the slope's standard error
        sqrt(greatest(syy - sxy * sxy / sxx, 0) / (n_lists - 2)) as residual_se,
        sqrt(greatest(syy - sxy * sxy / sxx, 0) / (n_lists - 2) / sxx) as slope_se,
        {{ t_quantile_975('n_lists - 2') }} as t_critical_95
    from fits
    where n_lists >= 5

)

select
    scope,
    country,
    series,
    era,
    first_list_date,
    last_list_date,
    n_lists::integer as n_lists,
    slope_ln_per_year,
    intercept_ln,
    r_squared,
    mean_year,
    sxx,
    residual_se,
    slope_se,
    t_critical_95,
    exp(slope_ln_per_year) as annual_growth_factor,
    exp(slope_ln_per_year - t_critical_95 * slope_se) as annual_growth_factor_lower_95,
    exp(slope_ln_per_year + t_critical_95 * slope_se) as annual_growth_factor_upper_95,
    12 * ln(2) / slope_ln_per_year as doubling_time_months,
    -- a faster slope doubles sooner: the upper slope bound gives the lower time
    12 * ln(2) / (slope_ln_per_year + t_critical_95 * slope_se) as doubling_time_months_lower_95,
    case
        when slope_ln_per_year - t_critical_95 * slope_se > 0
            then 12 * ln(2) / (slope_ln_per_year - t_critical_95 * slope_se)
    end as doubling_time_months_upper_95
from with_errors
