-- TOP500.org's HPCG view of each list: the entries with an HPCG result
-- (printed from 2017-06), ordered by HPCG performance.
with entries as (

    select * from {{ ref('list_entries') }}
    where hpcg_tflops > 0

)

select
    list_date,
    list_label,
    -- ties (none so far) broken by Rmax, then TOP500 rank, so the order is total
    row_number() over (partition by list_date order by hpcg_tflops desc, rmax_tflops desc, rank)::integer
        as hpcg_rank,
    rank::integer as top500_rank,
    system_key,
    system_name,
    site,
    country,
    country_code,
    hpcg_tflops::double as hpcg_tflops,
    rmax_tflops::double as rmax_tflops,
    (100 * hpcg_tflops / rmax_tflops)::double as hpcg_to_hpl_pct
from entries
