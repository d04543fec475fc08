-- TOP500 list date x country: HPL supply from the list, AI compute from Epoch's GPU clusters, joined by the
-- shared match so that nothing is counted twice (see the YAML).
with listed as (

    select * from {{ ref('int_top500__h100_equivalents') }}

),

clusters as (

    select
        periods.*,
        matches.top500_system_key
    from {{ ref('int_ai_clusters__operational_periods') }} as periods
    inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
    where periods.is_in_supply

),

-- the Epoch file's coverage: the last day it records a cluster entering operation; later list dates get no
-- cluster figures (not forward-filled)
coverage as (

    select max(first_operational_date) as epoch_data_until
    from {{ ref('int_ai_clusters__operational_periods') }}
    where status in ('Existing', 'Decommissioned')

),

lists as (

    select distinct list_date, strftime(list_date, '%Y-%m') as list_label
    from listed

),

top500 as (

    select
        list_date,
        country,
        count(*) as systems,
        sum(rmax_tflops) as rmax_tflops,
        coalesce(sum(h100e), 0) as h100e,
        count(*) filter (where h100e_basis = 'not_estimated') as systems_without_h100e
    from listed
    group by list_date, country

),

-- clusters operational on each covered list date; "listed" when the matched system is on that very list
operational as (

    select
        lists.list_date,
        clusters.country,
        clusters.h100_equivalents,
        exists(
            select 1 from listed
            where listed.list_date = lists.list_date and listed.system_key = clusters.top500_system_key
        ) as is_listed_on_date
    from lists
    cross join coverage
    inner join clusters
        on
            clusters.in_supply_from <= lists.list_date
            and (clusters.in_supply_until is null or clusters.in_supply_until > lists.list_date)
    where
        lists.list_date <= coverage.epoch_data_until
        and clusters.country is not null

),

ai as (

    select
        list_date,
        country,
        count(*) as clusters_operational,
        coalesce(sum(h100_equivalents), 0) as ai_cluster_h100e,
        count(*) filter (where not is_listed_on_date) as unlisted_clusters,
        coalesce(sum(h100_equivalents) filter (where not is_listed_on_date), 0) as unlisted_cluster_h100e
    from operational
    group by list_date, country

),

countries as (

    select list_date, country from top500
    union
    select list_date, country from ai

),

combined as (

    select
        countries.list_date,
        lists.list_label,
        countries.country,
        countries.list_date <= coverage.epoch_data_until as is_within_epoch_coverage,
        coverage.epoch_data_until,
        coalesce(top500.systems, 0) as top500_systems,
        coalesce(top500.rmax_tflops, 0) as top500_rmax_tflops,
        coalesce(top500.h100e, 0) as top500_h100e,
        coalesce(top500.systems_without_h100e, 0) as top500_systems_without_h100e,
        top500.rmax_tflops as listed_rmax_tflops,
        ai.clusters_operational,
        ai.ai_cluster_h100e,
        ai.unlisted_clusters,
        ai.unlisted_cluster_h100e
    from countries
    inner join lists using (list_date)
    cross join coverage
    left join top500 using (list_date, country)
    left join ai using (list_date, country)

),

covered as (

    select
        * exclude (clusters_operational, ai_cluster_h100e, unlisted_clusters, unlisted_cluster_h100e),
        -- within coverage a country without operational clusters has 0 of them; past it, unknown
        case when is_within_epoch_coverage then coalesce(clusters_operational, 0) end as clusters_operational,
        case when is_within_epoch_coverage then coalesce(ai_cluster_h100e, 0) end as ai_cluster_h100e,
        case when is_within_epoch_coverage then coalesce(unlisted_clusters, 0) end as unlisted_clusters,
        case when is_within_epoch_coverage then coalesce(unlisted_cluster_h100e, 0) end as unlisted_cluster_h100e,
        -- listed systems in H100e plus the clusters not on that list: nothing counted twice
        case when is_within_epoch_coverage then top500_h100e + coalesce(unlisted_cluster_h100e, 0) end as total_h100e
    from combined

),

-- power, cost and ownership of the same units (int_national_compute__units: the counted ones for the totals,
-- every operational cluster for the ai_cluster_ columns)
units as (

    select
        list_date,
        country,
        sum(power_mw) filter (where is_counted_in_total) as power_mw,
        sum(power_mw) filter (where is_counted_in_total and power_basis = 'reported') as power_reported_mw,
        sum(hardware_cost_usd) filter (where is_counted_in_total) as hardware_cost_usd,
        sum(hardware_cost_usd) filter (where is_counted_in_total and hardware_cost_basis = 'reported')
            as hardware_cost_reported_usd,
        sum(power_mw) filter (where unit_kind = 'ai_cluster') as ai_cluster_power_mw,
        sum(hardware_cost_usd) filter (where unit_kind = 'ai_cluster') as ai_cluster_hardware_cost_usd,
        sum(h100e) filter (where unit_kind = 'ai_cluster' and ownership = 'private') as ai_cluster_private_h100e,
        sum(h100e) filter (where unit_kind = 'ai_cluster' and ownership = 'public') as ai_cluster_public_h100e
    from {{ ref('int_national_compute__units') }}
    group by list_date, country

),

with_units as (

    select
        covered.*,
        units.* exclude (list_date, country)
    from covered
    left join units using (list_date, country)

)

select
    list_date,
    list_label,
    country,
    top500_systems::integer as top500_systems,
    top500_rmax_tflops::double as top500_rmax_tflops,
    top500_h100e::double as top500_h100e,
    top500_systems_without_h100e::integer as top500_systems_without_h100e,
    clusters_operational::integer as clusters_operational,
    ai_cluster_h100e::double as ai_cluster_h100e,
    unlisted_clusters::integer as unlisted_clusters,
    unlisted_cluster_h100e::double as unlisted_cluster_h100e,
    total_h100e::double as total_h100e,
    (100.0 * total_h100e / nullif(sum(total_h100e) over (partition by list_date), 0))::double
        as total_h100e_share_pct,
    (100.0 * ai_cluster_h100e / nullif(sum(ai_cluster_h100e) over (partition by list_date), 0))::double
        as ai_cluster_h100e_share_pct,
    case
        when total_h100e is not null
            then rank() over (partition by list_date order by total_h100e desc nulls last)
    end::integer
        as rank_by_total_h100e,
    case
        when listed_rmax_tflops is not null
            then rank() over (partition by list_date order by listed_rmax_tflops desc nulls last)
    end::integer
        as rank_by_rmax,
    is_within_epoch_coverage,
    epoch_data_until,
    case when is_within_epoch_coverage then coalesce(power_mw, 0) end::double as power_mw,
    case when is_within_epoch_coverage then coalesce(power_reported_mw, 0) end::double as power_reported_mw,
    (100.0 * coalesce(power_reported_mw, 0) / nullif(power_mw, 0))::double as power_reported_pct,
    case when is_within_epoch_coverage then coalesce(hardware_cost_usd, 0) end::double as hardware_cost_usd,
    case when is_within_epoch_coverage then coalesce(hardware_cost_reported_usd, 0) end::double
        as hardware_cost_reported_usd,
    (100.0 * coalesce(hardware_cost_reported_usd, 0) / nullif(hardware_cost_usd, 0))::double
        as hardware_cost_reported_pct,
    case when is_within_epoch_coverage then coalesce(ai_cluster_power_mw, 0) end::double as ai_cluster_power_mw,
    case when is_within_epoch_coverage then coalesce(ai_cluster_hardware_cost_usd, 0) end::double
        as ai_cluster_hardware_cost_usd,
    case when is_within_epoch_coverage then coalesce(ai_cluster_private_h100e, 0) end::double
        as ai_cluster_private_h100e,
    case when is_within_epoch_coverage then coalesce(ai_cluster_public_h100e, 0) end::double as ai_cluster_public_h100e
from with_units
