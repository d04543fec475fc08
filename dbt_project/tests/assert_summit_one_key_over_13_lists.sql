{{ config(tags=['known_answers']) }}
-- Summit (ORNL) is one system: one key, on 13 lists from 2018-06 to 2024-06
-- (checked when those 13 lists and their neighbours are loaded; a partial source may lack them).
with summit as (
    select * from {{ ref('list_entries') }}
    where name = 'Summit' and site like '%Oak Ridge%'
)
select count(distinct system_key) as keys, count(*) as lists, min(list_date) as first, max(list_date) as last
from summit
having (select count(distinct list_date) from {{ ref('list_entries') }}
         where list_date between date '2017-11-01' and date '2024-11-01') = 15
   and (count(distinct system_key) <> 1
    or count(*) <> 13
    or min(list_date) <> date '2018-06-01'
    or max(list_date) <> date '2024-06-01')
