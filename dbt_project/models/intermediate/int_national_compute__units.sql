-- What marts.national_compute adds up, one row per list date the Epoch data covers and unit: each listed system
-- in H100-equivalents and each operational Epoch cluster with what it adds beyond its listed figure, with power,
-- cost and ownership (see the YAML). The counting rules of national compute live here.
with listed as (

    select * from {{ ref('int_top500__power_and_cost') }}

),

entries as (

    select list_date, system_key, h100e from {{ ref('int_top500__h100_equivalents') }}

),

lists as (

    select distinct entries.list_date
    from entries
    cross join {{ ref('int_ai_clusters__coverage') }} as coverage
    where entries.list_date between coverage.epoch_data_from and coverage.epoch_data_until

),

clusters as (

    select
        periods.cluster_id,
        periods.country,
        periods.h100e,
        periods.in_supply_from,
        periods.in_supply_until,
        matches.top500_system_key,
        matches.top500_partial_system_key,
        costs.power_mw,
        costs.power_basis,
        costs.hardware_cost_usd,
        costs.hardware_cost_basis,
        costs.ownership
    from {{ ref('int_ai_clusters__operational_periods') }} as periods
    inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
    inner join {{ ref('int_ai_clusters__power_and_cost') }} as costs using (cluster_id)
    where periods.is_in_supply and periods.country is not null

),

-- a cluster is on a list when the system it is, or a listed part of it (decision partial), is on that very list;
-- then it adds only what it holds beyond the listed figure (an HPL run on part of the machine, a listed entry
-- without an estimate): each pair counted once, at the larger of its two figures
operational as (

    select
        lists.list_date,
        clusters.*,
        coalesce(whole.system_key, part.system_key) is not null as is_listed_on_date,
        greatest(coalesce(clusters.h100e, 0) - coalesce(whole.h100e, 0) - coalesce(part.h100e, 0), 0)
            as counted_h100e
    from lists
    inner join clusters
        on
            clusters.in_supply_from <= lists.list_date
            and (clusters.in_supply_until is null or clusters.in_supply_until > lists.list_date)
    left join entries as whole
        on whole.list_date = lists.list_date and whole.system_key = clusters.top500_system_key
    left join entries as part
        on part.list_date = lists.list_date and part.system_key = clusters.top500_partial_system_key

)

select
    listed.list_date,
    listed.country,
    'listed_system' as unit_kind,
    'system:' || listed.system_key as unit_id,
    listed.system_key,
    -- the Epoch record of the same machine, when it is operational on that date
    any_value(operational.cluster_id) as cluster_id,
    listed.h100e,
    true as is_listed_on_date,
    listed.h100e as counted_h100e,
    1.0::double as counted_share,
    true as is_counted_in_total,
    listed.power_mw,
    listed.power_basis,
    listed.hardware_cost_usd,
    listed.hardware_cost_basis,
    null as ownership,
    -- when the machine leaves by Epoch's record (decommissioned or superseded); NULL when nothing is recorded
    min(operational.in_supply_until) as leaves_on
from listed
inner join lists using (list_date)
left join operational
    on
        operational.list_date = listed.list_date
        and operational.top500_system_key = listed.system_key
group by all

union all

select
    list_date,
    country,
    'ai_cluster',
    'cluster:' || cluster_id,
    top500_system_key,
    cluster_id,
    h100e,
    is_listed_on_date,
    counted_h100e,
    -- the part of the cluster's power and cost that goes with what it adds: all of it when it is not on the list
    case
        when not is_listed_on_date then 1.0
        else coalesce(counted_h100e / nullif(h100e, 0), 0)
    end::double,
    not is_listed_on_date or counted_h100e > 0,
    power_mw,
    power_basis,
    hardware_cost_usd,
    hardware_cost_basis,
    ownership,
    in_supply_until
from operational
