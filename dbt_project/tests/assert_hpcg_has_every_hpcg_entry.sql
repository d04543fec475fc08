-- marts.hpcg holds, per list, exactly the raw entries with an HPCG result: the same count and the same
-- TOP500 ranks. Decided from the raw lists, not from the model under test.
with expected as (
    select list_date, rank
    from {{ source('raw', 'top500_entries') }}
    where hpcg_tflops > 0
),

in_mart as (
    select list_date, top500_rank as rank from {{ ref('hpcg') }}
)

(select list_date, rank, 'missing from hpcg' as problem from expected
 except select list_date, rank, 'missing from hpcg' from in_mart)
union all
(select list_date, rank, 'not an HPCG entry' from in_mart
 except select list_date, rank, 'not an HPCG entry' from expected)
