-- One row per list x country on that list, plus a row with 0 systems for a country that was on the
-- previous list or the list a year earlier and is not on this one (its decrease is recorded, so each
-- list's country changes add up to the list's total change).
with entries as (

    select * from {{ ref('list_entries') }}

),

lists as (

    select
        list_date,
        list_label,
        edition,
        count(*) as list_systems,
        sum(rmax_tflops) as list_rmax_tflops
    from entries
    group by all

),

countries as (

    select
        list_date,
        country,
        country_code,
        count(*) as systems,
        sum(rmax_tflops) as rmax_tflops,
        sum(rpeak_tflops) as rpeak_tflops,
        count(*) filter (where is_new_entrant) as new_entrants,
        min(rank) as best_rank
    from entries
    group by all

),

present as (

    select
        lists.list_date,
        lists.list_label,
        lists.edition,
        countries.country,
        countries.country_code,
        countries.systems,
        countries.rmax_tflops,
        countries.rpeak_tflops,
        round(100.0 * countries.systems / lists.list_systems, 4) as system_share_pct,
        round(100.0 * countries.rmax_tflops / lists.list_rmax_tflops, 4) as rmax_share_pct,
        rank() over (partition by lists.list_date order by countries.systems desc) as rank_by_systems,
        rank() over (partition by lists.list_date order by countries.rmax_tflops desc) as rank_by_rmax,
        countries.best_rank,
        countries.new_entrants
    from countries
    inner join lists using (list_date)

),

departed as (

    -- on the previous list or a year earlier, absent now
    select distinct
        lists.list_date,
        lists.list_label,
        lists.edition,
        earlier.country,
        earlier.country_code,
        0::bigint as systems,
        0::double as rmax_tflops,
        0::double as rpeak_tflops,
        0::double as system_share_pct,
        0::double as rmax_share_pct,
        null::bigint as rank_by_systems,
        null::bigint as rank_by_rmax,
        null::integer as best_rank,
        0::bigint as new_entrants
    from lists
    inner join present as earlier
        on earlier.edition in (lists.edition - 1, lists.edition - 2)
    where not exists (
        select 1 from present
        where present.list_date = lists.list_date and present.country = earlier.country
    )

),

stats as (

    select * from present
    union all
    select * from departed

)

select
    current_list.*,
    -- NULL where the earlier list is not loaded (the first list; a year earlier for 1993-06 and 1993-11);
    -- a country absent from a loaded earlier list had 0 there
    case
        when previous_list_loaded.edition is not null
            then current_list.systems - coalesce(previous_list.systems, 0)
    end as systems_change_vs_previous_list,
    case
        when previous_list_loaded.edition is not null
            then current_list.rmax_tflops - coalesce(previous_list.rmax_tflops, 0)
    end
        as rmax_tflops_change_vs_previous_list,
    case
        when year_ago_loaded.edition is not null
            then current_list.systems - coalesce(year_ago.systems, 0)
    end as systems_change_vs_year_ago,
    case
        when year_ago_loaded.edition is not null
            then current_list.rmax_tflops - coalesce(year_ago.rmax_tflops, 0)
    end as rmax_tflops_change_vs_year_ago
from stats as current_list
left join lists as previous_list_loaded
    on previous_list_loaded.edition = current_list.edition - 1
left join lists as year_ago_loaded
    on year_ago_loaded.edition = current_list.edition - 2
left join stats as previous_list
    on
        previous_list.country = current_list.country
        and previous_list.edition = current_list.edition - 1
left join stats as year_ago
    on
        year_ago.country = current_list.country
        and year_ago.edition = current_list.edition - 2
