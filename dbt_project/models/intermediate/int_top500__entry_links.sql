-- Each entry's predecessor on the previous list (at most one, one-to-one),
-- found by the strongest evidence available in that era; see the YAML.
with entries as (

    select
        edition * 1000 + rank as entry_id,
        list_date,
        edition,
        rank,
        previous_rank,
        system_id,
        year,
        lower(regexp_replace(trim(site), '\s+', ' ', 'g')) as site_norm,
        lower(regexp_replace(trim(manufacturer), '\s+', ' ', 'g')) as manufacturer_norm,
        lower(regexp_replace(trim(computer), '\s+', ' ', 'g')) as computer_norm,
        lower(regexp_replace(trim(nullif(name, '')), '\s+', ' ', 'g')) as name_norm
    from {{ ref('stg_top500__list_entries') }}

),

lists as (

    select
        edition,
        lag(edition) over (order by edition) as previous_edition,
        bool_or(previous_rank is not null) as carries_previous_rank
    from entries
    group by edition

),

current_entries as (

    select entries.*, lists.previous_edition, lists.carries_previous_rank
    from entries
    inner join lists using (edition)
    where lists.previous_edition is not null

),

-- 1. System ID on both lists (2018-06 on): the ID decides, nothing else may link.
by_system_id as (

    select cur.entry_id, prev.entry_id as previous_entry_id, 'system_id' as link_method
    from current_entries as cur
    inner join entries as prev
        on prev.edition = cur.previous_edition
        and prev.system_id = cur.system_id

),

-- Pairs the later tiers may consider: not linked yet, not both carrying IDs.
open_current as (

    select cur.*
    from current_entries as cur
    where cur.entry_id not in (select entry_id from by_system_id)
        and not (cur.system_id is not null
            and exists (select 1 from entries as p where p.edition = cur.previous_edition and p.system_id is not null))

),

open_previous as (

    select * from entries
    where entry_id not in (select previous_entry_id from by_system_id)

),

-- 2. Previous Rank (2012-06 on), accepted only if two of site, manufacturer and
--    computer agree (sites get renamed, e.g. 'Internet Company' -> 'Internet Company A').
by_previous_rank as (

    select cur.entry_id, prev.entry_id as previous_entry_id, 'previous_rank' as link_method
    from open_current as cur
    inner join open_previous as prev
        on prev.edition = cur.previous_edition
        and prev.rank = cur.previous_rank
    where (prev.site_norm = cur.site_norm)::int
        + (prev.manufacturer_norm = cur.manufacturer_norm)::int
        + (prev.computer_norm = cur.computer_norm)::int >= 2

),

-- 3. The list says the system was there but Previous Rank points elsewhere
--    (lists corrected after publication): search the previous list by
--    site + manufacturer + computer or name, nearest to the claimed rank.
by_search_candidates as (

    select
        cur.entry_id,
        prev.entry_id as previous_entry_id,
        row_number() over (
            partition by cur.entry_id
            order by (prev.computer_norm = cur.computer_norm) desc, abs(prev.rank - cur.previous_rank), prev.rank
        ) as pick_current,
        abs(prev.rank - cur.previous_rank) as distance
    from open_current as cur
    inner join open_previous as prev
        on prev.edition = cur.previous_edition
        and prev.site_norm = cur.site_norm
        and prev.manufacturer_norm = cur.manufacturer_norm
        and (prev.computer_norm = cur.computer_norm or prev.name_norm = cur.name_norm)
    where cur.previous_rank is not null
        and cur.entry_id not in (select entry_id from by_previous_rank)
        and prev.entry_id not in (select previous_entry_id from by_previous_rank)

),

by_search as (

    select entry_id, previous_entry_id, 'previous_rank_search' as link_method
    from by_search_candidates
    where pick_current = 1
    qualify row_number() over (partition by previous_entry_id order by distance, entry_id) = 1

),

-- 4. Lists without Previous Rank (to 2011-11): site + manufacturer + computer
--    + year; identical systems at one site pair up in rank order.
numbered as (

    select
        *,
        row_number() over (
            partition by edition, site_norm, manufacturer_norm, computer_norm, year order by rank
        ) as duplicate_no
    from entries

),

by_attributes as (

    select cur.entry_id, prev.entry_id as previous_entry_id, 'site_manufacturer_computer_year' as link_method
    from numbered as cur
    inner join lists on lists.edition = cur.edition
    inner join numbered as prev
        on prev.edition = lists.previous_edition
        and prev.site_norm = cur.site_norm
        and prev.manufacturer_norm = cur.manufacturer_norm
        and prev.computer_norm = cur.computer_norm
        and prev.year = cur.year
        and prev.duplicate_no = cur.duplicate_no
    where not lists.carries_previous_rank

),

links as (

    select * from by_system_id
    union all
    select * from by_previous_rank
    union all
    select * from by_search
    union all
    select * from by_attributes

)

select
    entries.entry_id,
    entries.list_date,
    entries.edition,
    entries.rank,
    entries.previous_rank,
    entries.system_id,
    links.previous_entry_id,
    previous_entries.list_date as previous_list_date,
    previous_entries.rank as previous_list_rank,
    links.link_method
from entries
left join links using (entry_id)
left join entries as previous_entries on previous_entries.entry_id = links.previous_entry_id
