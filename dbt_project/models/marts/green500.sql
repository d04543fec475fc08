-- The official Green500 lists: every entry a list ranks by energy efficiency, with the GFlops/W and the
-- ranks as published, linked to its TOP500 entry and system key where that can be told
-- (int_green500__top500_links).
with green as (

    select * from {{ ref('stg_green500__entries') }}

),

links as (

    select * from {{ ref('int_green500__top500_links') }}

)

select
    green.list_date,
    green.list_label,
    green.green500_rank::integer as green500_rank,
    green.system_name,
    green.computer,
    green.site,
    green.country,
    green.manufacturer,
    green.accelerator,
    green.energy_efficiency_gflops_per_w::double as energy_efficiency_gflops_per_w,
    green.power_kw::double as power_kw,
    green.rmax_tflops::double as rmax_tflops,
    green.power_source,
    green.top500_rank::integer as printed_top500_rank,
    links.top500_rank::integer as top500_rank,
    links.system_key,
    links.link_rule as top500_link_rule
from green
left join links using (list_date, green500_rank)
