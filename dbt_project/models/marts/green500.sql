-- TOP500.org's Green500 view of each list: the entries that report power,
-- ordered by energy efficiency. Efficiency is the file's where printed (from
-- 2011-11), else Rmax / power (2008-06..2011-06 print power only).
with entries as (

    select * from {{ ref('list_entries') }}
    where power_kw > 0 and rmax_tflops > 0

),

efficiency as (

    select
        *,
        -- TFlop/s per kW is GFlop/s per W
        coalesce(energy_efficiency_gflops_per_w, rmax_tflops / power_kw) as efficiency_gflops_per_w,
        case when energy_efficiency_gflops_per_w is null then 'derived' else 'file' end as efficiency_source
    from entries

)

select
    list_date,
    list_label,
    -- ties broken as TOP500.org does, by Rmax; then by TOP500 rank so the order is total
    row_number() over (
        partition by list_date
        order by efficiency_gflops_per_w desc, rmax_tflops desc, rank
    )::integer as green500_rank,
    rank::integer as top500_rank,
    system_key,
    system_name,
    site,
    country,
    country_code,
    efficiency_gflops_per_w::double as energy_efficiency_gflops_per_w,
    efficiency_source,
    power_kw::double as power_kw,
    rmax_tflops::double as rmax_tflops
from efficiency
