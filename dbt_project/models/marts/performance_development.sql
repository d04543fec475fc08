-- TOP500.org's performance-development chart: sum, #1 and #500 per list.
with entries as (

    select * from {{ ref('list_entries') }}

)

select
    list_date,
    list_label,
    edition,
    extract(year from list_date) + (extract(month from list_date) - 1) / 12.0 as list_year_fraction,
    count(*) as systems,
    sum(rmax_tflops) as total_rmax_tflops,
    max(rmax_tflops) filter (where rank = 1) as rank1_rmax_tflops,
    max(rmax_tflops) filter (where rank = 500) as rank500_rmax_tflops,
    sum(rpeak_tflops) as total_rpeak_tflops,
    max(rpeak_tflops) filter (where rank = 1) as rank1_rpeak_tflops,
    max(rpeak_tflops) filter (where rank = 500) as rank500_rpeak_tflops
from entries
group by all
