-- Per list: how many entries were linked to the previous list, and by what
-- evidence; the figure to watch when a new list or correction arrives.
with links as (

    select * from {{ ref('int_top500__entry_links') }}

),

loaded_editions as (

    select distinct edition from links

)

select
    list_date,
    strftime(list_date, '%Y-%m') as list_label,
    edition,
    -- False for 1993-06, and for any list whose predecessor is not loaded (a partial source).
    (edition - 1) in (select edition from loaded_editions) as previous_list_loaded,
    count(*) as entries,
    count(previous_entry_id) as linked_entries,
    round(100.0 * count(previous_entry_id) / count(*), 2) as linked_pct,
    count(previous_rank) as entries_with_previous_rank,
    count(*) filter (where previous_rank is not null and previous_entry_id is not null)
        as previous_rank_entries_linked,
    case when (edition - 1) in (select edition from loaded_editions) then
        round(100.0 * count(*) filter (where previous_rank is not null and previous_entry_id is not null)
            / nullif(count(previous_rank), 0), 2)
    end as previous_rank_linked_pct,
    count(*) filter (where link_method = 'system_id') as linked_by_system_id,
    count(*) filter (where link_method = 'previous_rank') as linked_by_previous_rank,
    count(*) filter (where link_method = 'previous_rank_search') as linked_by_previous_rank_search,
    count(*) filter (where link_method = 'site_manufacturer_computer_year') as linked_by_attributes,
    count(*) filter (where previous_rank is not null and previous_list_rank is not null
        and previous_list_rank <> previous_rank) as previous_rank_mismatches
from links
group by list_date, edition
