-- HPL-MxP results, one row per list x HPL-MxP rank, EFlop/s as published, with the speed-up recomputed
-- from the two figures the page prints (its own Speedup column is rounded from them).
with source as (
    select * from {{ source('raw', 'hpl_mxp_results') }}
)

select
    * exclude (original, source_line, source_sha256, run_id),
    strftime(list_date, '%Y-%m') as list_label,
    hpl_mxp_eflops / hpl_rmax_eflops as speedup_over_hpl
from source
