-- #1 is never slower than #500, and the total is at least 500 x #500.
select *
from {{ ref('performance_development') }}
where
    rank1_rmax_tflops < rank500_rmax_tflops
    or total_rmax_tflops < 500 * rank500_rmax_tflops
