-- marts.green500 holds, per list, exactly the raw entries that report power and Rmax: the same count
-- and the same TOP500 ranks. Decided from the raw lists, not from the model under test.
with expected as (
    select list_date, rank
    from {{ source('raw', 'top500_entries') }}
    where power_kw > 0 and rmax_tflops > 0
),

in_mart as (
    select list_date, top500_rank as rank from {{ ref('green500') }}
)

(select list_date, rank, 'missing from green500' as problem from expected
 except select list_date, rank, 'missing from green500' from in_mart)
union all
(select list_date, rank, 'not a power-reporting entry' from in_mart
 except select list_date, rank, 'not a power-reporting entry' from expected)
