{{ config(tags=['known_answers']) }}
-- Summit (ORNL) is one system: one key, on 13 lists from 2018-06 to 2024-06. Checked when those
-- lists and their neighbours were loaded (from raw, never from the model under test: a model
-- that lost Summit's lists must fail here, not switch the test off).
with loaded as (
    select count(distinct list_date) as lists
    from {{ source('raw', 'top500_entries') }}
    where list_date between date '2017-11-01' and date '2024-11-01'
),

summit as (
    select system_key, list_date from {{ ref('list_entries') }}
    where name = 'Summit' and site like '%Oak Ridge%'
),

found as (
    select count(distinct system_key) as keys, count(*) as lists, min(list_date) as first, max(list_date) as last
    from summit
)

select found.*
from found, loaded
where
    loaded.lists = 15
    and (
        found.keys <> 1
        or found.lists <> 13
        or found.first is distinct from date '2018-06-01'
        or found.last is distinct from date '2024-06-01'
    )
