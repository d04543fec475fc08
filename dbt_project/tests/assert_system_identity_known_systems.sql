{{ config(tags=['known_answers']) }}
-- Machines whose key used to split or must not split: one key from their first entry to their entry on a named
-- list (seen_list, at seen_rank), on every list between. Jaguar's life as TOP500 prints it starts with the XT5-HE
-- in 2009-11 (First Appearance 34); K computer's starts in 2011-06 (its 48 TF prototype of 2010-11 is another
-- machine). Stampede2 keeps the key its System ID gives from 2017-11 on its 2017-06 entry too.
-- Every figure is a fact about named lists, so lists loaded later cannot change it: lists and best rank are
-- counted up to seen_list (marts.systems, counting every list, has at least as many); a machine that left after
-- seen_list (left_after) is not on the list that follows it, checked when that list is loaded; one still listed
-- on seen_list (Fugaku, Frontier, Sunway TaihuLight on 2026-06) may be on any later list. Checked when every list
-- from first_list to seen_list is loaded.
with expected as (
    select * from (
        values
        ('Roadrunner', '2008-06', 1, '2012-11', 22, true, 10, 1, null),
        ('Jaguar', '2009-11', 1, '2012-06', 6, true, 6, 1, null),
        ('Tianhe-1A', '2010-11', 1, '2023-11', 355, true, 27, 1, '176929'),
        ('ASCI Red', '1997-06', 1, '2005-11', 276, true, 18, 1, null),
        ('Stampede2', '2017-06', 12, '2025-06', 134, true, 17, 12, '179045'),
        ('Gyoukou', '2017-06', 69, '2017-11', 4, true, 2, 4, '179102'),
        ('Pleiades', '2011-06', 7, '2025-11', 249, true, 30, 7, '177259'),
        ('Summit', '2018-06', 1, '2024-06', 9, true, 13, 1, '179397'),
        ('Sierra', '2018-06', 3, '2025-11', 23, true, 16, 2, '179398'),
        ('Fugaku', '2020-06', 1, '2026-06', 9, false, 13, 1, '179807'),
        ('Frontier', '2022-06', 1, '2026-06', 3, false, 9, 1, '180047'),
        ('Tianhe-2/2A', '2013-06', 1, '2025-06', 31, true, 25, 1, '177999'),
        ('Sunway TaihuLight', '2016-06', 1, '2026-06', 27, false, 21, 1, '178764'),
        ('K computer', '2011-06', 1, '2019-06', 20, true, 17, 1, '177232'),
        ('Earth Simulator', '2002-06', 1, '2008-11', 73, true, 14, 1, null)
    ) as e (machine, first_list, first_rank, seen_list, seen_rank, left_after, lists, best_rank, system_key)
),

loaded as (
    select distinct strftime(list_date, '%Y-%m') as list_label, list_date, edition
    from {{ source('raw', 'top500_entries') }}
),

checkable as (
    select expected.*, seen.list_date as seen_list_date, seen.edition as seen_edition
    from expected
    inner join loaded as first_list on first_list.list_label = expected.first_list
    inner join loaded as seen on seen.list_label = expected.seen_list
    where
        (
            select count(*) from loaded
            where loaded.edition between first_list.edition and seen.edition
        )
        = seen.edition - first_list.edition + 1
),

observed as (
    select
        checkable.machine,
        first_entry.system_key as first_key,
        seen_entry.system_key as seen_key,
        systems.first_list_date,
        systems.lists_on,
        (
            select count(*) from {{ ref('list_entries') }} as e
            where e.system_key = first_entry.system_key and e.list_date <= checkable.seen_list_date
        ) as lists_until_seen,
        (
            select min(e.rank) from {{ ref('list_entries') }} as e
            where e.system_key = first_entry.system_key and e.list_date <= checkable.seen_list_date
        ) as best_rank_until_seen,
        (
            select count(*) from {{ ref('list_entries') }} as e
            where e.system_key = first_entry.system_key and e.edition = checkable.seen_edition + 1
        ) as on_next_list
    from checkable
    left join {{ ref('list_entries') }} as first_entry
        on first_entry.list_label = checkable.first_list and first_entry.rank = checkable.first_rank
    left join {{ ref('list_entries') }} as seen_entry
        on seen_entry.list_label = checkable.seen_list and seen_entry.rank = checkable.seen_rank
    left join {{ ref('systems') }} as systems on systems.system_key = first_entry.system_key
)

select
    checkable.*,
    observed.first_key, observed.seen_key, observed.lists_until_seen, observed.best_rank_until_seen,
    observed.on_next_list, observed.lists_on
from checkable
inner join observed using (machine)
where
    observed.first_key is distinct from observed.seen_key
    or observed.lists_until_seen <> checkable.lists
    or observed.lists_on < checkable.lists
    or strftime(observed.first_list_date, '%Y-%m') <> checkable.first_list
    or observed.best_rank_until_seen <> checkable.best_rank
    or (checkable.left_after and observed.on_next_list > 0)
    or (checkable.system_key is not null and observed.first_key <> checkable.system_key)
