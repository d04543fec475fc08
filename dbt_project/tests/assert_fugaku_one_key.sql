{{ config(tags=['known_answers']) }}
-- Fugaku (RIKEN) is one system with one key, first listed on 2020-06 and on every loaded list from 2020-06 to
-- 2026-06 (it was #9 on 2026-06; a later list may be its last, so later lists are not counted). Whether this
-- applies is decided from what was loaded (raw), never from the model under test.
with loaded as (
    select
        count(distinct list_date) filter (
            where list_date between date '2020-06-01' and date '2026-06-01'
        ) as lists_2020_06_to_2026_06,
        count(*) filter (where list_date = date '2020-06-01') > 0 as has_2020_06
    from {{ source('raw', 'top500_entries') }}
),

fugaku as (
    select system_key, list_date from {{ ref('list_entries') }}
    where name ilike '%fugaku%'
)

select
    (select count(distinct system_key) from fugaku) as keys,
    (select min(list_date) from fugaku) as first,
    (
        select count(*) from fugaku
        where list_date <= date '2026-06-01'
    ) as lists_to_2026_06,
    loaded.lists_2020_06_to_2026_06
from loaded
where
    loaded.has_2020_06
    and (
        (select count(distinct system_key) from fugaku) <> 1
        or (select min(list_date) from fugaku) is distinct from date '2020-06-01'
        or (
            select count(*) from fugaku
            where list_date <= date '2026-06-01'
        ) <> loaded.lists_2020_06_to_2026_06
    )
