-- Per list: how entries were linked to the same system on an earlier list, and the checks against the
-- lists' own fields (First Appearance, Previous Rank, country); the figures to watch when a list arrives.
with links as (

    select * from {{ ref('int_top500__entry_links') }}

),

link_editions as (

    select entry_id, edition from links

),

keys as (

    select
        *,
        -- the edition of the first list the entry's key appears on
        min(edition) over (partition by system_key) as key_first_edition
    from {{ ref('int_top500__system_keys') }}
    inner join link_editions using (entry_id)

),

loaded_editions as (

    select distinct edition from links

)

select
    links.list_date,
    strftime(links.list_date, '%Y-%m') as list_label,
    links.edition,
    -- False for 1993-06, and for any list whose predecessor is not loaded (a partial source).
    (links.edition - 1) in (select edition from loaded_editions) as previous_list_loaded,
    count(*) as entries,
    count(*) filter (where keys.is_linked_to_previous_list) as linked_entries,
    round(100.0 * count(*) filter (where keys.is_linked_to_previous_list) / count(*), 2) as linked_pct,
    count(*) filter (where keys.is_new_entrant) as new_entrants,
    count(*) filter (where links.link_method = 're_entry') as returned_after_gap,
    count(links.previous_rank) as entries_with_previous_rank,
    count(*) filter (where links.previous_rank is not null and links.previous_entry_id is not null)
        as previous_rank_entries_linked,
    count(*) filter (where links.previous_rank is not null and links.previous_entry_id is null)
        as previous_rank_entries_unlinked,
    case
        when (links.edition - 1) in (select edition from loaded_editions)
            then
                round(
                    100.0
                    * count(*) filter (where links.previous_rank is not null and links.previous_entry_id is not null)
                    / nullif(count(links.previous_rank), 0), 2
                )
    end as previous_rank_linked_pct,
    count(links.first_appearance) as entries_with_first_appearance,
    -- only where every list from the First Appearance to this one is loaded (a partial source cannot do better)
    count(
        *) filter (where keys.key_first_edition > links.first_appearance
    and (
        select count(*) from loaded_editions as l
        where l.edition between links.first_appearance and links.edition
    )
    = links.edition - links.first_appearance + 1)
        as keys_starting_after_first_appearance,
    count(*) filter (where keys.key_first_edition < links.first_appearance)
        as keys_starting_before_first_appearance,
    count(*) filter (where links.previous_country <> links.country) as country_changing_links,
    count(*) filter (where links.link_method in ('system_id', 'system_id_changed')) as linked_by_system_id,
    count(*) filter (where links.link_method in (
        'first_appearance', 'first_appearance_site',
        'first_appearance_chain'
    )) as linked_by_first_appearance,
    count(*) filter (where links.link_method = 'previous_rank') as linked_by_previous_rank,
    count(*) filter (where links.link_method in (
        'identical_group', 'site_vendor_computer', 'same_rmax',
        'same_hpl_run'
    )) as linked_by_attributes,
    count(
        *) filter (
        where links.previous_rank is not null and links.previous_list_rank is not null
        and links.previous_list_rank <> links.previous_rank
    ) as previous_rank_mismatches
from links
inner join keys using (entry_id)
group by links.list_date, links.edition
