{{ config(tags=['known_answers']) }}
-- Fugaku (RIKEN) is one system with one key on every list from 2020-06 on. Whether this applies is
-- decided from what was loaded (raw), never from the model under test.
with loaded as (
    select
        count(distinct list_date) filter (where list_date >= date '2020-06-01') as lists_since,
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
    (select count(*) from fugaku) as lists,
    loaded.lists_since
from loaded
where
    loaded.has_2020_06
    and (
        (select count(distinct system_key) from fugaku) <> 1
        or (select min(list_date) from fugaku) is distinct from date '2020-06-01'
        or (select count(*) from fugaku) <> loaded.lists_since
    )
