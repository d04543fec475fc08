-- Growth of AI training compute: log-linear fits per named selection (int_ai_compute__training_runs), beside
-- the published estimates (seed published_compute_trends). Doubling time and annual factor are two views of
-- one rate: 12 ln 2 / doubling months = ln(annual factor).
with runs as (
    select * from {{ ref('int_ai_compute__training_runs') }}
),

fits as (
    {{ demand_log_linear_fit('runs', ['selection'], 'publication_year_fraction', 'training_compute_flop') }}
),

windows as (
    select
        selection,
        min(publication_date) as window_start,
        max(publication_date) as window_end
    from runs
    group by selection
),

fitted as (
    select
        'fitted' as estimate_kind,
        fits.selection,
        windows.window_start,
        windows.window_end,
        fits.n,
        fits.slope_ln_per_year,
        fits.slope_se,
        fits.r_squared,
        fits.t_critical_95,
        fits.doubling_time_months,
        fits.doubling_time_months_lower_95 as doubling_time_months_lower,
        fits.doubling_time_months_upper_95 as doubling_time_months_upper,
        fits.annual_growth_factor,
        fits.annual_growth_factor_lower_95 as annual_growth_factor_lower,
        fits.annual_growth_factor_upper_95 as annual_growth_factor_upper,
        0.95 as interval_level,
        'least squares of ln(training FLOP) on publication year; 95% interval from Student''s t with n - 2 df'
            as citation,
        fits.intercept_ln
    from fits
    inner join windows using (selection)
),

published as (
    select
        'published' as estimate_kind,
        reference as selection,
        window_start,
        window_end,
        null::bigint as n,
        coalesce(ln(annual_growth_factor), 12 * ln(2) / doubling_time_months) as slope_ln_per_year,
        null::double as slope_se,
        null::double as r_squared,
        null::double as t_critical_95,
        coalesce(doubling_time_months, 12 * ln(2) / ln(annual_growth_factor)) as doubling_time_months,
        -- the faster bound of the factor is the shorter bound of the doubling time
        coalesce(doubling_time_months_lower, 12 * ln(2) / ln(annual_growth_factor_upper)) as doubling_time_months_lower,
        coalesce(doubling_time_months_upper, 12 * ln(2) / ln(annual_growth_factor_lower)) as doubling_time_months_upper,
        coalesce(annual_growth_factor, pow(2, 12 / doubling_time_months)) as annual_growth_factor,
        coalesce(annual_growth_factor_lower, pow(2, 12 / doubling_time_months_upper)) as annual_growth_factor_lower,
        coalesce(annual_growth_factor_upper, pow(2, 12 / doubling_time_months_lower)) as annual_growth_factor_upper,
        interval_level,
        citation,
        null::double as intercept_ln
    from {{ ref('published_compute_trends') }}
),

descriptions as (
    select * from (
        values
        ('openai_2012_2018', 'OpenAI "AI and Compute" headline points, AlexNet .. AlphaZero (2012-2018)'),
        ('notable_before_2010', 'Epoch AI notable models with known compute, published before 2010'),
        ('notable_2010_on', 'Epoch AI notable models with known compute, published 2010 or later'),
        ('frontier_2010_on', 'Epoch AI notable models flagged frontier (top 10 by compute at release), 2010 or later')
    ) as d (selection, selection_description)
)

select
    combined.estimate_kind,
    combined.selection,
    coalesce(descriptions.selection_description, trends.selection) as selection_description,
    combined.window_start,
    combined.window_end,
    combined.n,
    combined.slope_ln_per_year,
    combined.slope_se,
    combined.r_squared,
    combined.t_critical_95,
    combined.doubling_time_months,
    combined.doubling_time_months_lower,
    combined.doubling_time_months_upper,
    combined.annual_growth_factor,
    combined.annual_growth_factor_lower,
    combined.annual_growth_factor_upper,
    combined.interval_level,
    combined.citation,
    combined.intercept_ln
from (
    select * from fitted
    union all
    select * from published
) as combined
left join descriptions using (selection)
left join {{ ref('published_compute_trends') }} as trends
    on trends.reference = combined.selection
