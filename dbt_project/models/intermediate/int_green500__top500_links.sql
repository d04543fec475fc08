-- Each official Green500 entry's TOP500 entry on the same list, where one can be told. The TOP500 rank a
-- Green500 file prints is not always the rank in the TOP500 file: lists were corrected after the Green500
-- was compiled (2018-11, 2021-06, 2024-06, 2026-06), and the 2014-06 and 2015-11 files print other ranks
-- altogether. So a link needs evidence, strongest first:
--   system_id           the same TOP500 System ID (printed in both from 2017-11)
--   rank_computer_site  the printed rank's entry has the same computer and site
--   computer_site       the only entry of the list with that computer and site (and the only such Green500 entry)
--   rank_computer       the printed rank's entry has the same computer (sites get renamed), on a list whose
--                       printed ranks agree with the TOP500 file for at least 90% of its entries
-- Computer and site compare by their letters and digits only. An entry links to at most one TOP500 entry
-- and a TOP500 entry to at most one Green500 entry (the strongest evidence wins).
with green as (

    select
        list_date,
        green500_rank,
        top500_rank,
        system_id,
        lower(regexp_replace(coalesce(computer, ''), '[^A-Za-z0-9]', '', 'g')) as computer_key,
        lower(regexp_replace(coalesce(site, ''), '[^A-Za-z0-9]', '', 'g')) as site_key
    from {{ ref('stg_green500__entries') }}

),

entries as (

    select
        list_date,
        rank,
        system_key,
        system_id,
        lower(regexp_replace(coalesce(computer, ''), '[^A-Za-z0-9]', '', 'g')) as computer_key,
        lower(regexp_replace(coalesce(site, ''), '[^A-Za-z0-9]', '', 'g')) as site_key
    from {{ ref('list_entries') }}

),

at_printed_rank as (

    select
        green.list_date,
        green.green500_rank,
        entries.rank,
        green.computer_key = entries.computer_key as same_computer,
        green.site_key = entries.site_key as same_site
    from green
    inner join entries
        on green.list_date = entries.list_date and green.top500_rank = entries.rank

),

-- lists whose printed TOP500 ranks point at an entry with the same computer for >= 90% of their entries
trusted_ranks as (

    select green.list_date
    from green
    left join at_printed_rank using (list_date, green500_rank)
    group by green.list_date
    having avg(coalesce(at_printed_rank.same_computer, false)::int) >= 0.9

),

unique_green as (

    select list_date, computer_key, site_key
    from green
    group by all
    having count(*) = 1

),

unique_entries as (

    select list_date, computer_key, site_key, any_value(rank) as rank
    from entries
    group by list_date, computer_key, site_key
    having count(*) = 1

),

candidates as (

    select green.list_date, green.green500_rank, entries.rank, 1 as strength, 'system_id' as link_rule
    from green
    inner join entries
        on green.list_date = entries.list_date and green.system_id = entries.system_id

    union all

    select list_date, green500_rank, rank, 2, 'rank_computer_site'
    from at_printed_rank
    where same_computer and same_site

    union all

    select green.list_date, green.green500_rank, unique_entries.rank, 3, 'computer_site'
    from green
    inner join unique_green using (list_date, computer_key, site_key)
    inner join unique_entries using (list_date, computer_key, site_key)

    union all

    select at_printed_rank.list_date, at_printed_rank.green500_rank, at_printed_rank.rank, 4, 'rank_computer'
    from at_printed_rank
    inner join trusted_ranks using (list_date)
    where at_printed_rank.same_computer

),

best_per_green as (

    select *
    from candidates
    qualify row_number() over (partition by list_date, green500_rank order by strength, rank) = 1

),

best_per_entry as (

    select *
    from best_per_green
    qualify row_number() over (partition by list_date, rank order by strength, green500_rank) = 1

)

select
    best_per_entry.list_date,
    best_per_entry.green500_rank,
    best_per_entry.rank as top500_rank,
    entries.system_key,
    best_per_entry.link_rule
from best_per_entry
inner join entries using (list_date, rank)
