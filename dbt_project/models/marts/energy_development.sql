-- Energy per list, the counterpart of performance_development: the official Green500's #1 and median
-- efficiency (marts.green500), and the power the TOP500 file reports with its coverage. One row per list
-- that has either: TOP500 lists print power from 2008-06, the Green500 lists start 2013-11, and a TOP500
-- list may be loaded before its Green500 list (or the other way round).
with list_power as (

    select
        list_date,
        any_value(list_label) as list_label,
        count(*) as entries,
        count(*) filter (where power_kw > 0 and rmax_tflops > 0) as power_reporting_entries,
        sum(power_kw) filter (where power_kw > 0 and rmax_tflops > 0) as total_reported_power_kw,
        sum(rmax_tflops) filter (where power_kw > 0 and rmax_tflops > 0) as reported_rmax_tflops
    from {{ ref('list_entries') }}
    group by list_date
    having count(*) filter (where power_kw > 0 and rmax_tflops > 0) > 0

),

green500 as (

    select
        list_date,
        any_value(list_label) as list_label,
        count(*) as green500_entries,
        median(energy_efficiency_gflops_per_w) as median_efficiency_gflops_per_w,
        max(energy_efficiency_gflops_per_w) filter (where green500_rank = 1) as green500_rank1_efficiency_gflops_per_w,
        max(system_name) filter (where green500_rank = 1) as green500_rank1_system_name,
        max(system_key) filter (where green500_rank = 1) as green500_rank1_system_key
    from {{ ref('green500') }}
    group by list_date

)

select
    list_date,
    coalesce(list_power.list_label, green500.list_label) as list_label,
    (extract(year from list_date) + (extract(month from list_date) - 1) / 12.0)::double as list_year_fraction,
    list_power.entries::integer as entries,
    list_power.power_reporting_entries::integer as power_reporting_entries,
    (100.0 * list_power.power_reporting_entries / list_power.entries)::double as power_coverage_pct,
    list_power.total_reported_power_kw::double as total_reported_power_kw,
    list_power.reported_rmax_tflops::double as reported_rmax_tflops,
    -- TFlop/s per kW is GFlop/s per W
    (list_power.reported_rmax_tflops / list_power.total_reported_power_kw)::double
        as aggregate_efficiency_gflops_per_w,
    green500.green500_entries::integer as green500_entries,
    green500.green500_rank1_efficiency_gflops_per_w::double as green500_rank1_efficiency_gflops_per_w,
    green500.green500_rank1_system_name,
    green500.green500_rank1_system_key,
    green500.median_efficiency_gflops_per_w::double as median_efficiency_gflops_per_w
from list_power
full outer join green500 using (list_date)
