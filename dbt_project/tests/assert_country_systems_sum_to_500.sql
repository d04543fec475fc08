-- Every loaded list's countries together hold exactly its 500 systems. The lists come from
-- raw (what was loaded), so a list missing from the mart is a failing row, not an absent one.
with loaded as (
    select distinct list_date from {{ source('raw', 'top500_entries') }}
),

per_list as (
    select list_date, sum(systems) as systems
    from {{ ref('country_list_stats') }}
    group by list_date
)

select loaded.list_date, coalesce(per_list.systems, 0) as systems
from loaded
left join per_list using (list_date)
where coalesce(per_list.systems, 0) <> 500
