{{ config(tags=['known_answers']) }}
-- Summit (ORNL) is one system: one key, on 13 lists from 2018-06 to 2024-06. Checked when those
-- lists and their neighbours were loaded (from staging, never from the model under test: a model
-- that lost Summit's lists must fail here, not switch the test off).
with loaded as (
    select count(distinct list_date) as lists
    from {{ ref('stg_top500__list_entries') }}
    where list_date between date '2017-11-01' and date '2024-11-01'
),

summit as (
    select * from {{ ref('list_entries') }}
    where name = 'Summit' and site like '%Oak Ridge%'
)

select count(distinct summit.system_key) as keys, count(summit.list_date) as lists,
    min(summit.list_date) as first, max(summit.list_date) as last
from loaded
left join summit on true
where loaded.lists = 15
group by all
having count(distinct summit.system_key) <> 1
    or count(summit.list_date) <> 13
    or min(summit.list_date) <> date '2018-06-01'
    or max(summit.list_date) <> date '2024-06-01'
