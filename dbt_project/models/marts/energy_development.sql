-- Energy per list, the Green500 counterpart of performance_development: the
-- Green500 #1 and median efficiency, and the list's reported power with its
-- coverage. Lists before 2008-06 print no power and have no row.
with green500 as (

    select * from {{ ref('green500') }}

),

list_sizes as (

    select list_date, count(*) as entries
    from {{ ref('list_entries') }}
    group by list_date

),

per_list as (

    select
        list_date,
        any_value(list_label) as list_label,
        count(*) as power_reporting_entries,
        sum(power_kw) as total_reported_power_kw,
        sum(rmax_tflops) as reported_rmax_tflops,
        median(energy_efficiency_gflops_per_w) as median_efficiency_gflops_per_w,
        max(energy_efficiency_gflops_per_w) filter (where green500_rank = 1) as green500_rank1_efficiency_gflops_per_w,
        max(system_key) filter (where green500_rank = 1) as green500_rank1_system_key,
        max(system_name) filter (where green500_rank = 1) as green500_rank1_system_name,
        bool_or(efficiency_source = 'derived') as any_derived
    from green500
    group by list_date

)

select
    per_list.list_date,
    per_list.list_label,
    (extract(year from per_list.list_date) + (extract(month from per_list.list_date) - 1) / 12.0)::double
        as list_year_fraction,
    list_sizes.entries::integer as entries,
    per_list.power_reporting_entries::integer as power_reporting_entries,
    (100.0 * per_list.power_reporting_entries / list_sizes.entries)::double as power_coverage_pct,
    per_list.total_reported_power_kw::double as total_reported_power_kw,
    per_list.reported_rmax_tflops::double as reported_rmax_tflops,
    -- TFlop/s per kW is GFlop/s per W
    (per_list.reported_rmax_tflops / per_list.total_reported_power_kw)::double
        as aggregate_efficiency_gflops_per_w,
    per_list.green500_rank1_efficiency_gflops_per_w::double as green500_rank1_efficiency_gflops_per_w,
    per_list.green500_rank1_system_key,
    per_list.green500_rank1_system_name,
    per_list.median_efficiency_gflops_per_w::double as median_efficiency_gflops_per_w,
    case when per_list.any_derived then 'derived' else 'file' end as efficiency_source
from per_list
inner join list_sizes using (list_date)
