-- Each entry's predecessor (at most one, one-to-one): the lists' own fields first (System ID,
-- First Appearance + First Rank, Previous Rank), then normalised text; see the YAML for the rules.
with recursive entries as (

    select
        edition * 1000 + rank as entry_id,
        list_date,
        edition,
        rank,
        previous_rank,
        first_appearance,
        first_rank,
        system_id,
        country,
        year,
        rmax_tflops,
        total_cores,
        -- text compared without case, accents, spaces or punctuation ("1.8 GHz , Voltaire" = "1.8 GHz, Voltaire")
        regexp_replace(lower(strip_accents(trim(site))), '[^a-z0-9]', '', 'g') as site_norm,
        regexp_replace(lower(strip_accents(trim(computer))), '[^a-z0-9]', '', 'g') as computer_norm,
        nullif(regexp_replace(lower(strip_accents(trim(coalesce(name, '')))), '[^a-z0-9]', '', 'g'), '') as name_norm,
        -- vendors that were bought or renamed count as one (Dell -> Dell EMC, SGI/Cray -> HPE, Bull -> Atos -> Eviden)
        case
            when manufacturer ilike '%dell%' then 'dell'
            when regexp_matches(lower(manufacturer), 'hewlett|^hp|hpe|^sgi|silicon graphics|^cray') then 'hpe'
            when regexp_matches(lower(manufacturer), 'bull|atos|eviden') then 'atos'
            when regexp_matches(lower(manufacturer), '^ibm|^lenovo') then 'ibm_lenovo'
            when regexp_matches(lower(manufacturer), '^sun |^oracle') then 'sun_oracle'
            when regexp_matches(lower(manufacturer), 'exascal') then 'exascaler'
            when regexp_matches(lower(manufacturer), 'dawning|sugon') then 'sugon'
            when regexp_matches(lower(manufacturer), '^huawei') then 'huawei'
            when regexp_matches(lower(manufacturer), '^appro') then 'appro'
            else regexp_replace(lower(strip_accents(trim(manufacturer))), '[^a-z0-9]', '', 'g')
        end as vendor_lineage
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
        on
            prev.edition = cur.previous_edition
            and prev.system_id = cur.system_id

),

-- 1b. A new System ID for an upgraded system (Deutscher Wetterdienst, 2023-11): Previous Rank, First
--     Appearance and First Rank all point at an entry whose ID does not continue, and the new ID is new.
by_changed_system_id as (

    select cur.entry_id, prev.entry_id as previous_entry_id, 'system_id_changed' as link_method
    from current_entries as cur
    inner join entries as prev
        on
            prev.edition = cur.previous_edition
            and prev.rank = cur.previous_rank
            and prev.first_appearance = cur.first_appearance
            and prev.first_rank = cur.first_rank
            and prev.system_id <> cur.system_id
    -- the old ID does not go on, and the new one is new (anti joins: the correlated NOT IN these were
    -- became a join of every list with itself)
    anti join entries as old_id_goes_on
        on old_id_goes_on.edition = cur.edition and old_id_goes_on.system_id = prev.system_id
    anti join entries as new_id_was_there
        on new_id_was_there.edition = prev.edition and new_id_was_there.system_id = cur.system_id

),

-- 2. Every other pair of entries on consecutive lists that some evidence says may be one system.
pairs as (

    select
        cur.entry_id,
        prev.entry_id as previous_entry_id,
        coalesce(cur.first_appearance = prev.first_appearance and cur.first_rank = prev.first_rank, false)
            as same_first_appearance_and_rank,
        coalesce(cur.first_appearance = prev.first_appearance, false) as same_first_appearance,
        coalesce(cur.first_appearance <> prev.first_appearance, false) as different_first_appearance,
        coalesce(prev.rank = cur.previous_rank, false) as is_printed_previous_rank,
        coalesce(prev.country = cur.country, false) as same_country,
        coalesce(prev.name_norm = cur.name_norm, false) as same_name,
        coalesce(prev.site_norm = cur.site_norm, false) as same_site,
        -- site renamed around the same words
        -- ("Oak Ridge National Laboratory" -> "DOE/SC/Oak Ridge National Laboratory")
        coalesce(
            prev.site_norm = cur.site_norm
            or (
                least(length(prev.site_norm), length(cur.site_norm)) >= 6
                and (contains(cur.site_norm, prev.site_norm) or contains(prev.site_norm, cur.site_norm))
            ), false
        ) as similar_site,
        coalesce(prev.vendor_lineage = cur.vendor_lineage, false) as same_vendor,
        coalesce(prev.computer_norm = cur.computer_norm, false) as same_computer,
        coalesce(prev.year = cur.year, false) as same_year,
        coalesce(abs(cur.rmax_tflops - prev.rmax_tflops) <= 0.0001 * prev.rmax_tflops, false) as same_rmax,
        coalesce(prev.total_cores = cur.total_cores, false) as same_cores,
        coalesce(cur.rmax_tflops between 0.5 * prev.rmax_tflops and 2 * prev.rmax_tflops, false) as rmax_within_factor_2
    from current_entries as cur
    inner join entries as prev
        on prev.edition = cur.previous_edition
    -- a list that prints Previous Rank says which entries are new: those are never linked
    where
        (cur.previous_rank is not null or not cur.carries_previous_rank)
        and cur.entry_id not in (
            select entry_id from by_system_id
            union all
            select entry_id from by_changed_system_id
        )
        and prev.entry_id not in (
            select previous_entry_id from by_system_id
            union all
            select previous_entry_id from by_changed_system_id
        )
        and not (cur.system_id is not null and prev.system_id is not null)
        and (
            prev.rank = cur.previous_rank
            or (cur.first_appearance = prev.first_appearance and cur.first_rank = prev.first_rank)
            or prev.country = cur.country
        )

),

candidates as (

    select
        *,
        case
            -- the lists' pointers are trusted when anything else agrees (a shifted pointer on 2017-11 names
            -- an entry of another site, vendor, computer and Rmax)
            when not (similar_site or same_vendor or same_computer or same_rmax or same_cores or same_name) then null
            when same_first_appearance_and_rank then 'first_appearance'
            when
                is_printed_previous_rank
                and (
                    same_first_appearance
                    or (
                        same_country and not different_first_appearance
                        and similar_site::int + same_vendor::int + same_computer::int >= 2
                    )
                )
                then 'previous_rank'
            -- from here on the same country is required and the lists' own fields must not contradict
            when not same_country or different_first_appearance then null
            when same_first_appearance and (similar_site or same_name) then 'first_appearance_site'
            -- a changed installation year is a re-submission (Roadrunner, ASCI Red) only at a similar size;
            -- K computer's 48 TF prototype of 2010 is not the 8 PF machine of 2011
            when not same_year and not rmax_within_factor_2 then null
            when similar_site and same_vendor and same_computer then 'site_vendor_computer'
            when same_rmax and similar_site::int + same_vendor::int + same_computer::int >= 2 then 'same_rmax'
            -- the same HPL run reported again under new site and computer strings (Earth Simulator 2009-11)
            when same_rmax and same_cores and same_vendor and same_year then 'same_hpl_run'
        end as link_method,
        -- candidates compete by: same name, same country, an unchanged row (site, computer, Rmax and cores
        -- as before: stronger than pointers a corrected list shifted by one, as on 2017-11), same First
        -- Appearance + First Rank, the printed Previous Rank, same First Appearance, then how many of site,
        -- site words, vendor, computer, year, Rmax and cores agree
        same_name::int * 1000000 + same_country::int * 100000
        + (same_site and same_computer and same_rmax and same_cores)::int * 10000
        + same_first_appearance_and_rank::int * 1000 + is_printed_previous_rank::int * 100
        + same_first_appearance::int * 10
        + same_site::int + similar_site::int + same_vendor::int + same_computer::int + same_year::int
        + same_rmax::int + same_cores::int as score
    from pairs

),

-- 3. Identical systems (anonymous sites buying several equal clusters): when a group of entries equal
--    in country, site, vendor, computer, name, year, Rmax, cores and First Appearance has as many
--    members on both lists, the group as a whole is the same systems; members pair in rank order (which
--    twin is which cannot be told and changes no count). Groups of unequal size stay unlinked.
twin_groups as (

    select
        entry_id,
        edition,
        md5(concat_ws(
            '|', country, site_norm, vendor_lineage, computer_norm, name_norm, year, round(rmax_tflops, 3),
            total_cores, first_appearance
        )) as twin_key,
        count(*) over (partition by edition, twin_key) as twins,
        row_number() over (partition by edition, twin_key order by rank) as twin_no,
        -- on lists that print Previous Rank every member must say it was on the previous list
        bool_and(previous_rank is not null) over (partition by edition, twin_key) as all_were_listed
    from entries

),

by_twin_group as (

    select cur.entry_id, prev.entry_id as previous_entry_id, 'identical_group' as link_method
    from current_entries
    inner join twin_groups as cur using (entry_id)
    inner join twin_groups as prev
        on
            prev.edition = current_entries.previous_edition
            and prev.twin_key = cur.twin_key
            and prev.twins = cur.twins
            and prev.twin_no = cur.twin_no
    where
        cur.twins > 1
        and (cur.all_were_listed or not current_entries.carries_previous_rank)
        and current_entries.system_id is null

),

evidence as (

    select entry_id, previous_entry_id, link_method, score
    from candidates
    where
        link_method is not null
        and entry_id not in (select entry_id from by_twin_group)
        and previous_entry_id not in (select previous_entry_id from by_twin_group)

),

{#- One-to-one: a pair is taken when each is the other's single best candidate (a tie links neither, so
    identical anonymous systems are never paired by rank order); three rounds let the runners-up pair up
    once the best pairs are out. #}
{%- set rounds = 3 %}
{{ mutual_best_rounds('pair', 'evidence', 'score', best='max', rounds=rounds) }}

pairwise_links as (

    select * from by_system_id
    union all
    select * from by_changed_system_id
    union all
    select * from by_twin_group
    union all
    select * from pair_taken_{{ rounds }}

),

-- 4. First Appearance joins chain fragments: a chain whose entries print a First Appearance earlier than
--    its first list broke on a list without Previous Rank (HECToR's computer string was rewritten in
--    2011-11, twin clusters upgraded alike). The list names where the system began (First Appearance,
--    First Rank): the fragment that starts on that list nearest that rank, ends on the list before the
--    chain, and agrees on country and on site words or vendor is its earlier part. A fragment ending
--    earlier is the same system returning after a gap (re_entry; not a link to the previous list).
chain_walk as (

    select entry_id, entry_id as root_entry_id
    from entries
    where entry_id not in (select entry_id from pairwise_links)

    union all

    select pairwise_links.entry_id, chain_walk.root_entry_id
    from chain_walk
    inner join pairwise_links on pairwise_links.previous_entry_id = chain_walk.entry_id

),

fragments as (

    select
        chain_walk.root_entry_id,
        min(entries.edition) as root_edition,
        max(entries.edition) as end_edition,
        arg_max(entries.entry_id, entries.edition) as end_entry_id,
        arg_min(entries.first_appearance, entries.edition) filter (where entries.first_appearance is not null)
            as first_appearance,
        arg_min(entries.first_rank, entries.edition) filter (where entries.first_appearance is not null)
            as first_rank
    from chain_walk
    inner join entries using (entry_id)
    group by chain_walk.root_entry_id

),

anchor_candidates as (

    -- the fragment holding the entry on the First Appearance list
    select
        late.root_entry_id as entry_id,
        early.end_entry_id as previous_entry_id,
        late.root_edition - early.end_edition as gap,
        abs(anchor.rank - late.first_rank) as rank_distance
    from fragments as late
    inner join entries as anchor on anchor.edition = late.first_appearance
    inner join chain_walk as anchor_chain on anchor_chain.entry_id = anchor.entry_id
    inner join fragments as early
        on
            early.root_entry_id = anchor_chain.root_entry_id
            and early.end_edition < late.root_edition
            and coalesce(early.first_appearance = late.first_appearance, true)
    where late.first_appearance < late.root_edition

    union all

    -- a fragment printing the same First Appearance and First Rank (Intel's Endeavor returning in 2017-11)
    select
        late.root_entry_id as entry_id,
        early.end_entry_id as previous_entry_id,
        late.root_edition - early.end_edition as gap,
        0 as rank_distance
    from fragments as late
    inner join fragments as early
        on
            early.first_appearance = late.first_appearance
            and early.first_rank = late.first_rank
            and early.end_edition < late.root_edition
    where late.first_appearance < late.root_edition

),

-- both ends of each candidate compared side by side: the comparisons are made here, joined on the keys
-- alone, because comparing the two ends in a filter let the planner join all entries with all entries of
-- the same country first (85 M rows, ~10 s)
anchor_pairs as materialized (

    select
        anchor_candidates.*,
        early_end.country = late_root.country as same_country,
        coalesce(early_end.system_id = late_root.system_id, true) as system_ids_agree,
        early_end.vendor_lineage = late_root.vendor_lineage
        or early_end.site_norm = late_root.site_norm
        or (
            least(length(early_end.site_norm), length(late_root.site_norm)) >= 6
            and (
                contains(late_root.site_norm, early_end.site_norm)
                or contains(early_end.site_norm, late_root.site_norm)
            )
        ) as same_vendor_or_site
    from anchor_candidates
    inner join entries as late_root on late_root.entry_id = anchor_candidates.entry_id
    inner join entries as early_end on early_end.entry_id = anchor_candidates.previous_entry_id

),

anchor_evidence as (

    select
        entry_id,
        previous_entry_id,
        case when gap = 1 then 'first_appearance_chain' else 're_entry' end as link_method,
        -- nearest in time first, then nearest the printed First Rank
        min(gap * 1000 + rank_distance) as distance
    from anchor_pairs
    where same_country and system_ids_agree and same_vendor_or_site
    group by all

),

{{ mutual_best_rounds('anchor', 'anchor_evidence', 'distance', best='min', rounds=rounds) }}

links as (

    select * from pairwise_links
    union all
    select * from anchor_taken_{{ rounds }}

)

select
    entries.entry_id,
    entries.list_date,
    entries.edition,
    entries.rank,
    entries.previous_rank,
    entries.first_appearance,
    entries.system_id,
    entries.country,
    links.previous_entry_id,
    previous_entries.list_date as previous_list_date,
    previous_entries.rank as previous_list_rank,
    previous_entries.country as previous_country,
    links.link_method
from entries
left join links using (entry_id)
left join entries as previous_entries on previous_entries.entry_id = links.previous_entry_id
