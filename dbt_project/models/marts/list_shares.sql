-- TOP500.org statistics pages in one long table: list x dimension x category,
-- with count share and Rmax share (why long: see the YAML).
with entries as (

    select * from {{ ref('list_entries') }}

),

unpivoted as (

    select list_date, list_label, rmax_tflops, rpeak_tflops, dimension, category
    from entries
    unpivot (
        category for dimension in (
            vendor,
            segment,
            accelerator_family,
            interconnect_family_group as interconnect_family,
            processor_family_group as processor_family,
            architecture,
            os_family_group as os_family,
            continent,
            country
        )
    )

),

grouped as (

    select
        list_date,
        list_label,
        dimension,
        coalesce(category, 'Unknown') as category,
        count(*) as systems,
        sum(rmax_tflops) as rmax_tflops,
        sum(rpeak_tflops) as rpeak_tflops
    from unpivoted
    group by all

)

select
    list_date,
    list_label,
    dimension,
    category,
    systems,
    rmax_tflops,
    rpeak_tflops,
    100.0 * systems / sum(systems) over (partition by list_date, dimension) as system_share_pct,
    100.0 * rmax_tflops / sum(rmax_tflops) over (partition by list_date, dimension) as rmax_share_pct,
    rank() over (partition by list_date, dimension order by systems desc) as rank_by_systems,
    rank() over (partition by list_date, dimension order by rmax_tflops desc) as rank_by_rmax
from grouped
