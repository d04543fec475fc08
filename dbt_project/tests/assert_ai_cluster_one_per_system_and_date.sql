-- A TOP500 system is at most one operational cluster on any list date: two in-supply clusters matched to one
-- system at the same time would count its compute twice (phases that supersede each other are one at a time).
-- (A cluster matched to two systems cannot occur: the match has one row per cluster, tested unique.)
with lists as (
    select distinct list_date from {{ source('raw', 'top500_entries') }}
)

select lists.list_date, matches.top500_system_key, count(*) as clusters, list(matches.cluster_name) as names
from lists
inner join {{ ref('int_ai_clusters__operational_periods') }} as periods
    on
        periods.is_in_supply
        and periods.in_supply_from <= lists.list_date
        and (periods.in_supply_until is null or periods.in_supply_until > lists.list_date)
inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
where matches.top500_system_key is not null
group by lists.list_date, matches.top500_system_key
having count(*) > 1
