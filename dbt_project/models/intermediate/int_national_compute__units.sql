-- What marts.national_compute adds up, one row per list date and unit: each listed system counted in
-- H100-equivalents and each operational Epoch cluster, with its power, cost and ownership (see the YAML).
with listed as (

    select * from {{ ref('int_top500__power_and_cost') }}

),

entries as (

    select list_date, system_key from {{ ref('int_top500__h100_equivalents') }}

),

periods as (

    select * from {{ ref('int_ai_clusters__operational_periods') }}

),

-- the same coverage as marts.national_compute: the last day the Epoch file records a cluster entering operation
coverage as (

    select max(first_operational_date) as epoch_data_until
    from periods
    where status in ('Existing', 'Decommissioned')

),

lists as (

    select distinct entries.list_date
    from entries
    cross join coverage
    where entries.list_date <= coverage.epoch_data_until

),

clusters as (

    select
        periods.cluster_id,
        periods.country,
        periods.h100_equivalents,
        periods.in_supply_from,
        periods.in_supply_until,
        matches.top500_system_key,
        costs.power_mw,
        costs.power_basis,
        costs.hardware_cost_usd,
        costs.hardware_cost_basis,
        costs.ownership
    from periods
    inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
    inner join {{ ref('int_ai_clusters__power_and_cost') }} as costs using (cluster_id)
    where periods.is_in_supply and periods.country is not null

),

operational as (

    select
        lists.list_date,
        clusters.*,
        exists(
            select 1 from entries
            where entries.list_date = lists.list_date and entries.system_key = clusters.top500_system_key
        ) as is_listed_on_date
    from lists
    inner join clusters
        on
            clusters.in_supply_from <= lists.list_date
            and (clusters.in_supply_until is null or clusters.in_supply_until > lists.list_date)

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
    h100_equivalents,
    -- a cluster on that very list is counted as the listed system instead
    not is_listed_on_date,
    power_mw,
    power_basis,
    hardware_cost_usd,
    hardware_cost_basis,
    ownership,
    in_supply_until
from operational
