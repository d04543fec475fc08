-- Global series projected from their fits to `projection_horizon_years` past
-- the latest list, one row per future June/November list, with 95% prediction bounds.
with trend as (

    select * from {{ ref('performance_trend') }}
    where scope = 'global' and era in ('all', 'after_2013')

),

latest as (

    select max(list_date) as latest_list_date from {{ ref('performance_development') }}

),

future_lists as (

    select (generated.d)::date as projected_date
    from latest,
        generate_series(
            latest.latest_list_date + interval 1 month,
            latest.latest_list_date + to_years({{ var('projection_horizon_years') }}::integer),
            interval 1 month
        ) as generated (d)
    where extract(month from generated.d) in (6, 11)

),

projected as (

    select
        trend.series,
        trend.era as fit_era,
        future_lists.projected_date,
        extract(year from future_lists.projected_date)
        + (extract(month from future_lists.projected_date) - 1) / 12.0 as projected_year_fraction,
        trend.intercept_ln,
        trend.slope_ln_per_year,
        trend.residual_se,
        trend.t_critical_95,
        trend.n_lists,
        trend.mean_year,
        trend.sxx
    from trend
    cross join future_lists

)

select
    series,
    fit_era,
    projected_date,
    round((
        projected_year_fraction - extract(year from (select latest_list_date from latest))
        - (extract(month from (select latest_list_date from latest)) - 1) / 12.0
    ), 4) as years_ahead,
    exp(intercept_ln + slope_ln_per_year * projected_year_fraction) as projected_tflops,
    exp(
        intercept_ln + slope_ln_per_year * projected_year_fraction
        - t_critical_95 * residual_se
        * sqrt(1 + 1.0 / n_lists + pow(projected_year_fraction - mean_year, 2) / sxx)
    ) as lower_95_tflops,
    exp(
        intercept_ln + slope_ln_per_year * projected_year_fraction
        + t_critical_95 * residual_se
        * sqrt(1 + 1.0 / n_lists + pow(projected_year_fraction - mean_year, 2) / sxx)
    ) as upper_95_tflops
from projected
