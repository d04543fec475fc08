-- One row per list x country present on that list.
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
        count(*) as systems,
        sum(rmax_tflops) as rmax_tflops,
        sum(rpeak_tflops) as rpeak_tflops,
        count(*) filter (where not is_linked_to_previous_list) as new_entrants,
        min(rank) as best_rank
    from entries
    group by all

),

stats as (

    select
        lists.list_date,
        lists.list_label,
        lists.edition,
        countries.country,
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

)

select
    current_list.*,
    current_list.systems - coalesce(previous_list.systems, 0) as systems_change_vs_previous_list,
    current_list.rmax_tflops - coalesce(previous_list.rmax_tflops, 0) as rmax_tflops_change_vs_previous_list,
    current_list.systems - coalesce(year_ago.systems, 0) as systems_change_vs_year_ago,
    current_list.rmax_tflops - coalesce(year_ago.rmax_tflops, 0) as rmax_tflops_change_vs_year_ago
from stats as current_list
left join stats as previous_list
    on previous_list.country = current_list.country
    and previous_list.edition = current_list.edition - 1
left join stats as year_ago
    on year_ago.country = current_list.country
    and year_ago.edition = current_list.edition - 2

