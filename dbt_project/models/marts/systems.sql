-- One row per system_key: identity from its latest entry, history from all.
with entries as (

    select * from {{ ref('list_entries') }}

),

history as (

    select
        system_key,
        min(list_date) as first_list_date,
        max(list_date) as last_list_date,
        count(*) as lists_on,
        min(rank) as best_rank,
        arg_min(list_date, rank * 100000 + edition) as best_rank_list_date,
        max(rmax_tflops) as max_rmax_tflops
    from entries
    group by system_key

),

latest as (

    select *
    from entries
    qualify row_number() over (partition by system_key order by list_date desc) = 1

)

select
    history.system_key,
    latest.system_name,
    latest.name,
    latest.computer,
    latest.site,
    latest.country,
    latest.country_code,
    latest.continent,
    latest.manufacturer,
    latest.vendor,
    latest.segment,
    latest.year as installation_year,
    history.first_list_date,
    history.last_list_date,
    history.lists_on,
    history.best_rank,
    history.best_rank_list_date,
    latest.rank as latest_rank,
    latest.rmax_tflops as latest_rmax_tflops,
    latest.rpeak_tflops as latest_rpeak_tflops,
    latest.power_kw as latest_power_kw,
    history.max_rmax_tflops,
    latest.total_cores as latest_total_cores,
    latest.processor,
    latest.processor_family_group,
    latest.accelerator,
    latest.accelerator_family,
    latest.accelerator_spec_name,
    latest.accelerator_match_rule,
    latest.interconnect_family_group,
    latest.architecture
from history
inner join latest using (system_key)
