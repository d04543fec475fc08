-- Site power and hardware cost of every TOP500 entry counted in H100-equivalents: the list's reported power
-- (scaled to site capacity) and the cost a source reports for the same machine, else estimated from the chips.
with entries as (

    select
        h100e.list_date,
        h100e.rank,
        h100e.system_key,
        h100e.country,
        h100e.h100e,
        h100e.gpu_count,
        {{ accelerator_family_key('h100e.accelerator') }} as accelerator_family,
        listed.power_kw
    from {{ ref('int_top500__h100_equivalents') }} as h100e
    inner join {{ ref('list_entries') }} as listed using (list_date, rank)
    where h100e.h100e > 0

),

rates as (

    select * from {{ ref('int_compute__chip_rates') }}

),

h100 as (

    select watts_per_chip as h100_watts, usd_per_chip as h100_usd
    from rates
    where chip_family = 'h100'

),

clusters as (

    select
        matches.top500_system_key as system_key,
        periods.cluster_id,
        periods.chip_quantity_primary,
        periods.first_operational_date,
        staged.reported_power_mw,
        coalesce(staged.reported_cost_inflation_adjusted_usd, staged.reported_cost_usd) as reported_cost_usd
    from {{ ref('int_ai_clusters__top500_matches') }} as matches
    inner join {{ ref('int_ai_clusters__operational_periods') }} as periods using (cluster_id)
    inner join {{ ref('stg_epoch__gpu_clusters') }} as staged using (cluster_id)
    where matches.top500_system_key is not null

),

-- the lists report the power drawn during the HPL run; a site must supply more (cooling, the rest of the
-- building). The factor is the median, over the clusters matched to a listed system that Epoch reports a power
-- capacity for, of that capacity / the system's median listed power on the lists the Epoch data covers (what
-- Epoch's capacity describes): a list after the Epoch data, an upgrade it prints among them, never moves it.
listed_power as (

    select entries.system_key, median(entries.power_kw) / 1000 as listed_power_mw
    from {{ ref('list_entries') }} as entries
    cross join {{ ref('int_ai_clusters__coverage') }} as coverage
    where entries.power_kw > 0 and entries.list_date <= coverage.epoch_data_until
    group by entries.system_key

),

site_factor as (

    select median(clusters.reported_power_mw / listed_power.listed_power_mw) as site_power_per_listed_power
    from clusters
    inner join listed_power using (system_key)
    where clusters.reported_power_mw > 0

),

-- the entry's chip family with a rate, else the longest that begins or ends the entry's family or is begun or
-- ended by it ("gv100" on the lists is Epoch's "v100", "datacentergpumax" its "datacentergpumax1550"; "a100"
-- inside "maia100m100" is not the same chip)
entry_rates as (

    select
        entries.list_date,
        entries.rank,
        arg_max(
            rates.watts_per_chip, (rates.chip_family = entries.accelerator_family, length(rates.chip_family))
        ) as watts_per_chip,
        arg_max(
            rates.usd_per_chip, (rates.chip_family = entries.accelerator_family, length(rates.chip_family))
        ) as usd_per_chip
    from entries
    inner join rates
        on
            length(entries.accelerator_family) >= 3
            and length(rates.chip_family) >= 3
            and (
                starts_with(entries.accelerator_family, rates.chip_family)
                or ends_with(entries.accelerator_family, rates.chip_family)
                or starts_with(rates.chip_family, entries.accelerator_family)
                or ends_with(rates.chip_family, entries.accelerator_family)
            )
    group by entries.list_date, entries.rank

),

-- a cost a source reports for the listed machine: a matched cluster of the same size (chips within 10% of the
-- listed GPUs), the nearest in size, then the latest
reported_cost as (

    select
        entries.list_date,
        entries.rank,
        arg_max(
            clusters.reported_cost_usd,
            (-abs(clusters.chip_quantity_primary - entries.gpu_count), clusters.first_operational_date)
        ) as reported_cost_usd
    from entries
    inner join clusters
        on
            clusters.system_key = entries.system_key
            and clusters.reported_cost_usd > 0
            and abs(clusters.chip_quantity_primary - entries.gpu_count) <= 0.1 * clusters.chip_quantity_primary
    group by entries.list_date, entries.rank

),

estimated as (

    select
        entries.*,
        entries.power_kw / 1000 * site_factor.site_power_per_listed_power as reported_power_mw,
        entries.gpu_count * entry_rates.watts_per_chip / 1e6 as chip_rate_power_mw,
        entries.h100e * h100.h100_watts / 1e6 as h100e_rate_power_mw,
        reported_cost.reported_cost_usd,
        entries.gpu_count * entry_rates.usd_per_chip as chip_rate_cost_usd,
        entries.h100e * h100.h100_usd as h100e_rate_cost_usd,
        site_factor.site_power_per_listed_power
    from entries
    left join site_factor on true
    left join h100 on true
    left join entry_rates using (list_date, rank)
    left join reported_cost using (list_date, rank)

)

select
    list_date,
    rank,
    system_key,
    country,
    h100e,
    power_kw as listed_power_kw,
    site_power_per_listed_power,
    coalesce(reported_power_mw, chip_rate_power_mw, h100e_rate_power_mw) as power_mw,
    case
        when reported_power_mw is not null then 'reported'
        when chip_rate_power_mw is not null then 'chip_rate'
        else 'h100e_rate'
    end as power_basis,
    coalesce(reported_cost_usd, chip_rate_cost_usd, h100e_rate_cost_usd) as hardware_cost_usd,
    case
        when reported_cost_usd is not null then 'reported'
        when chip_rate_cost_usd is not null then 'chip_rate'
        else 'h100e_rate'
    end as hardware_cost_basis
from estimated
