{{ config(tags=['known_answers']) }}
-- Fugaku (RIKEN) is one system with one key on every list from 2020-06 on.
with fugaku as (
    select * from {{ ref('list_entries') }}
    where name ilike '%fugaku%'
)
select count(distinct system_key) as keys, min(list_date) as first, count(*) as lists,
    (select count(distinct list_date) from {{ ref('list_entries') }} where list_date >= date '2020-06-01') as lists_since
from fugaku
having (select count(*) from {{ ref('list_entries') }} where list_date = date '2020-06-01') > 0
   and (count(distinct system_key) <> 1
    or min(list_date) <> date '2020-06-01'
    or count(*) <> (select count(distinct list_date) from {{ ref('list_entries') }} where list_date >= date '2020-06-01'))
