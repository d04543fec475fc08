{{ config(tags=['known_answers']) }}
-- Machines whose key used to split or must not split: one key from their first to their last entry, on every
-- list between. Jaguar's life as TOP500 prints it starts with the XT5-HE in 2009-11 (First
-- Appearance 34); K computer's starts in 2011-06 (its 48 TF prototype of 2010-11 is another machine).
-- Stampede2 keeps the key its System ID gives from 2017-11 on its 2017-06 entry too.
-- Checked when every list of a machine's life is loaded (guard from raw).
with expected as (
    select * from (
        values
        ('Roadrunner', '2008-06', 1, '2012-11', 22, 10, 1, null),
        ('Jaguar', '2009-11', 1, '2012-06', 6, 6, 1, null),
        ('Tianhe-1A', '2010-11', 1, '2023-11', 355, 27, 1, '176929'),
        ('ASCI Red', '1997-06', 1, '2005-11', 276, 18, 1, null),
        ('Stampede2', '2017-06', 12, '2025-06', 134, 17, 12, '179045'),
        ('Gyoukou', '2017-06', 69, '2017-11', 4, 2, 4, '179102'),
        ('Pleiades', '2011-06', 7, '2025-11', 249, 30, 7, '177259'),
        ('Summit', '2018-06', 1, '2024-06', 9, 13, 1, '179397'),
        ('Sierra', '2018-06', 3, '2025-11', 23, 16, 2, '179398'),
        ('Fugaku', '2020-06', 1, '2026-06', 9, 13, 1, '179807'),
        ('Frontier', '2022-06', 1, '2026-06', 3, 9, 1, '180047'),
        ('Tianhe-2/2A', '2013-06', 1, '2025-06', 31, 25, 1, '177999'),
        ('Sunway TaihuLight', '2016-06', 1, '2026-06', 27, 21, 1, '178764'),
        ('K computer', '2011-06', 1, '2019-06', 20, 17, 1, '177232'),
        ('Earth Simulator', '2002-06', 1, '2008-11', 73, 14, 1, null)
    ) as e (machine, first_list, first_rank, last_list, last_rank, lists, best_rank, system_key)
),

loaded as (
    select distinct strftime(list_date, '%Y-%m') as list_label, edition from {{ source('raw', 'top500_entries') }}
),

checkable as (
    select expected.*
    from expected
    inner join loaded as first_list on first_list.list_label = expected.first_list
    inner join loaded as last_list on last_list.list_label = expected.last_list
    where
        (
            select count(*) from loaded
            where loaded.edition between first_list.edition and last_list.edition
        )
        = last_list.edition - first_list.edition + 1
),

observed as (
    select
        checkable.machine,
        first_entry.system_key as first_key,
        last_entry.system_key as last_key,
        systems.first_list_date,
        systems.last_list_date,
        systems.lists_on,
        systems.best_rank
    from checkable
    left join {{ ref('list_entries') }} as first_entry
        on first_entry.list_label = checkable.first_list and first_entry.rank = checkable.first_rank
    left join {{ ref('list_entries') }} as last_entry
        on last_entry.list_label = checkable.last_list and last_entry.rank = checkable.last_rank
    left join {{ ref('systems') }} as systems on systems.system_key = first_entry.system_key
)

select checkable.*, observed.first_key, observed.last_key, observed.lists_on, observed.best_rank as observed_best_rank
from checkable
inner join observed using (machine)
where
    observed.first_key is distinct from observed.last_key
    or observed.lists_on <> checkable.lists
    or strftime(observed.first_list_date, '%Y-%m') <> checkable.first_list
    or strftime(observed.last_list_date, '%Y-%m') <> checkable.last_list
    or observed.best_rank <> checkable.best_rank
    or (checkable.system_key is not null and observed.first_key <> checkable.system_key)
