-- How each list turns over: entries new since the previous list, systems that
-- left, installation age, the new systems' share of Rmax, and the entry level.
-- "New" and "left" read the linkage of marts.list_entries (system_key,
-- is_linked_to_previous_list); they are NULL when the previous list is not loaded.
with entries as (

    select * from {{ ref('list_entries') }}

),

lists as (

    select
        list_date,
        list_label,
        edition,
        count(*)::integer as entries,
        count(*) filter (where is_linked_to_previous_list)::integer as stayed_entries,
        count(*) filter (where not is_linked_to_previous_list)::integer as unlinked_entries,
        sum(rmax_tflops) filter (where not is_linked_to_previous_list) as unlinked_rmax_tflops,
        sum(rmax_tflops) as total_rmax_tflops,
        median(extract(year from list_date) - year) as median_installation_age_years,
        avg(extract(year from list_date) - year) as mean_installation_age_years,
        max(rmax_tflops) filter (where rank = 1) as rank1_rmax_tflops,
        max(rmax_tflops) filter (where rank = 500) as rank500_rmax_tflops
    from entries
    group by list_date, list_label, edition

),

left_systems as (

    -- systems of the previous list (edition - 1) whose key is not on this list
    select lists.list_date, count(*)::integer as left_systems
    from lists
    inner join entries as previous
        on previous.edition = lists.edition - 1
    where
        not exists (
            select 1 from entries as current_entries
            where
                current_entries.list_date = lists.list_date
                and current_entries.system_key = previous.system_key
        )
    group by lists.list_date

)

select
    lists.list_date,
    lists.list_label,
    lists.edition,
    previous.list_date as previous_list_date,
    lists.entries,
    previous.entries as previous_list_entries,
    case when previous.list_date is not null then lists.unlinked_entries end as new_entries,
    case when previous.list_date is not null then lists.stayed_entries end as stayed_entries,
    case when previous.list_date is not null then coalesce(left_systems.left_systems, 0) end as left_systems,
    case
        when previous.list_date is not null
            then (100.0 * lists.unlinked_entries / lists.entries)::double
    end as replacement_rate_pct,
    lists.median_installation_age_years::double as median_installation_age_years,
    lists.mean_installation_age_years::double as mean_installation_age_years,
    case
        when previous.list_date is not null
            then (100.0 * coalesce(lists.unlinked_rmax_tflops, 0) / lists.total_rmax_tflops)::double
    end as new_entries_rmax_share_pct,
    lists.rank1_rmax_tflops::double as rank1_rmax_tflops,
    lists.rank500_rmax_tflops::double as rank500_rmax_tflops,
    year_ago.list_date as year_ago_list_date,
    (100 * (lists.rank500_rmax_tflops / year_ago.rank500_rmax_tflops - 1))::double as rank500_rmax_yoy_growth_pct
from lists
left join lists as previous
    on previous.edition = lists.edition - 1
left join lists as year_ago
    on year_ago.list_date = lists.list_date - interval 1 year
left join left_systems
    on left_systems.list_date = lists.list_date
