{{ config(tags=['known_answers']) }}
-- Fugaku (RIKEN) is one system with one key on every list from 2020-06 on. Whether this applies is
-- decided from what was loaded (staging), never from the model under test.
with loaded_since as (
    select count(distinct list_date) as lists
    from {{ ref('stg_top500__list_entries') }}
    where list_date >= date '2020-06-01'
),

fugaku as (
    select * from {{ ref('list_entries') }}
    where name ilike '%fugaku%'
)

select count(distinct fugaku.system_key) as keys, min(fugaku.list_date) as first, count(fugaku.list_date) as lists,
    any_value(loaded_since.lists) as lists_loaded_since
from loaded_since
left join fugaku on true
where (select count(*) from {{ ref('stg_top500__list_entries') }} where list_date = date '2020-06-01') > 0
group by all
having count(distinct fugaku.system_key) <> 1
    or min(fugaku.list_date) <> date '2020-06-01'
    or count(fugaku.list_date) <> any_value(loaded_since.lists)
