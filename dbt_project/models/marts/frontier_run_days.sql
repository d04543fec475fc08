-- The absolute gap: how many days a country's whole AI compute would take to train the largest model known on
-- each list date, and a frontier-scale model of that date (the fitted frontier trend), at peak and at a
-- typical utilization (var training_run_utilization).
{%- set utilization = var('training_run_utilization', 0.4) %}

with national as (

    select * from {{ ref('national_compute') }}
    where is_within_epoch_coverage and total_h100e > 0

),

runs as (

    select model, publication_date, training_compute_flop
    from {{ ref('stg_epoch__notable_ai_models') }}
    where training_compute_flop > 0 and publication_date is not null

),

largest as (

    select
        lists.list_date,
        arg_max(runs.model, runs.training_compute_flop) as largest_run_model,
        arg_max(runs.publication_date, runs.training_compute_flop) as largest_run_date,
        max(runs.training_compute_flop) as largest_run_flop
    from (select distinct list_date from national) as lists
    inner join runs on runs.publication_date <= lists.list_date
    group by lists.list_date

),

frontier as (

    select slope_ln_per_year, intercept_ln
    from {{ ref('demand_growth_fits') }}
    where estimate_kind = 'fitted' and selection = 'frontier_2010_on'

),

-- one H100-equivalent is one H100 SXM: its dense 16-bit peak, the precision large models train in
h100 as (

    select bf16_dense_tflops * 1e12 as h100_flop_per_s
    from {{ ref('accelerator_specs') }}
    where spec_name = 'NVIDIA H100 SXM5 80GB'

),

sized as (

    select
        national.country,
        national.list_date,
        national.list_label,
        national.total_h100e,
        national.total_h100e * h100.h100_flop_per_s as peak_flop_per_s,
        largest.largest_run_model,
        largest.largest_run_date,
        largest.largest_run_flop,
        -- the trend at the list date, in the fit's decimal years (int_ai_compute__training_runs)
        exp(
            frontier.intercept_ln
            + frontier.slope_ln_per_year
            * (extract(year from national.list_date) + (extract(doy from national.list_date) - 1) / 365.25)
        ) as frontier_run_flop
    from national
    cross join h100
    left join largest using (list_date)
    left join frontier on true

)

select
    country,
    list_date,
    list_label,
    total_h100e::double as total_h100e,
    peak_flop_per_s::double as peak_flop_per_s,
    largest_run_model,
    largest_run_date,
    largest_run_flop::double as largest_run_flop,
    (largest_run_flop / peak_flop_per_s / 86400)::double as largest_run_days_at_peak,
    (largest_run_flop / (peak_flop_per_s * {{ utilization }}) / 86400)::double as largest_run_days,
    frontier_run_flop::double as frontier_run_flop,
    (frontier_run_flop / peak_flop_per_s / 86400)::double as frontier_run_days_at_peak,
    (frontier_run_flop / (peak_flop_per_s * {{ utilization }}) / 86400)::double as frontier_run_days,
    {{ utilization }}::double as utilization
from sized
