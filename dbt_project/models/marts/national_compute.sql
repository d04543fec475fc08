-- depends_on: {{ ref('source_coverage') }}
-- TOP500 list date x country: HPL supply from the list, AI compute from Epoch's GPU clusters, both in one
-- H100-equivalent (dense 16-bit peak / the H100 SXM's), joined by the shared match and the curated decisions
-- so that nothing is counted twice (see the YAML).
with listed as (

    select * from {{ ref('int_top500__h100_equivalents') }}

),

coverage as (

    select * from {{ ref('int_ai_clusters__coverage') }}

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
        count(*) filter (where h100e is null) as systems_without_h100e
    from listed
    group by list_date, country

),

-- the units national compute adds up on each covered list date (int_national_compute__units holds the counting
-- rules: which clusters are on a list, and what a listed cluster adds beyond its listed figure)
units as (

    select * from {{ ref('int_national_compute__units') }}

),

ai as (

    select
        list_date,
        country,
        count(*) as clusters_operational,
        coalesce(sum(h100e), 0) as ai_cluster_h100e,
        count(*) filter (where not is_listed_on_date) as unlisted_clusters,
        sum(counted_h100e) as unlisted_cluster_h100e
    from units
    where unit_kind = 'ai_cluster'
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
        countries.list_date between coverage.epoch_data_from and coverage.epoch_data_until
            as is_within_epoch_coverage,
        coverage.epoch_data_from,
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
        -- within coverage a country without operational clusters has 0 of them; outside it, unknown
        case when is_within_epoch_coverage then coalesce(clusters_operational, 0) end as clusters_operational,
        case when is_within_epoch_coverage then coalesce(ai_cluster_h100e, 0) end as ai_cluster_h100e,
        case when is_within_epoch_coverage then coalesce(unlisted_clusters, 0) end as unlisted_clusters,
        case when is_within_epoch_coverage then coalesce(unlisted_cluster_h100e, 0) end as unlisted_cluster_h100e,
        -- listed systems in H100e plus the clusters not on that list: nothing counted twice
        case when is_within_epoch_coverage then top500_h100e + coalesce(unlisted_cluster_h100e, 0) end as total_h100e
    from combined

),

-- power, cost and ownership of the same units: of what each adds to the totals, and of every operational cluster
-- for the ai_cluster_ columns
unit_figures as (

    select
        list_date,
        country,
        sum(power_mw * counted_share) filter (where is_counted_in_total) as power_mw,
        sum(power_mw * counted_share) filter (where is_counted_in_total and power_basis = 'reported')
            as power_reported_mw,
        sum(hardware_cost_usd * counted_share) filter (where is_counted_in_total) as hardware_cost_usd,
        sum(hardware_cost_usd * counted_share) filter (
            where is_counted_in_total and hardware_cost_basis = 'reported'
        ) as hardware_cost_reported_usd,
        sum(power_mw) filter (where unit_kind = 'ai_cluster') as ai_cluster_power_mw,
        sum(hardware_cost_usd) filter (where unit_kind = 'ai_cluster') as ai_cluster_hardware_cost_usd,
        sum(h100e) filter (where unit_kind = 'ai_cluster' and ownership = 'private') as ai_cluster_private_h100e,
        sum(h100e) filter (where unit_kind = 'ai_cluster' and ownership = 'public') as ai_cluster_public_h100e
    from units
    group by list_date, country

),

with_units as (

    select
        covered.*,
        unit_figures.* exclude (list_date, country)
    from covered
    left join unit_figures using (list_date, country)

)

select
    list_date,
    list_label,
    country,
    country_codes.country_code,
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
    -- a rank of nothing is no rank: NULL where the value ranked is 0 or unknown (zeros and NULLs sort last, so
    -- they never move a positive value's rank)
    case
        when total_h100e > 0
            then rank() over (partition by list_date order by total_h100e desc nulls last)
    end::integer
        as rank_by_total_h100e,
    case
        when listed_rmax_tflops > 0
            then rank() over (partition by list_date order by listed_rmax_tflops desc nulls last)
    end::integer
        as rank_by_rmax,
    is_within_epoch_coverage,
    epoch_data_from,
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
left join {{ ref('country_codes') }} as country_codes using (country)
