-- Within a list, Rmax never increases with rank (the list is sorted by Rmax).
select list_date, rank, rmax_tflops, previous_rmax
from (
    select
        list_date, rank, rmax_tflops,
        lag(rmax_tflops) over (partition by list_date order by rank) as previous_rmax
    from {{ ref('list_entries') }}
)
where rmax_tflops > previous_rmax
