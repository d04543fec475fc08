-- Country x year to the outlook's last year: the compute of the base date carried forward (leaving as Epoch
-- records it) and the planned Epoch clusters by certainty, in H100-equivalents, MW and USD (see the YAML).
-- vars: compute_base_date, compute_outlook_end_year, compute_supply_planned_tiers.
{%- set base_date = var('compute_base_date', none) %}
{%- set supply_tiers = var('compute_supply_planned_tiers', ['confirmed', 'likely']) %}

with base as (

    select max(list_date) as base_date
    from {{ ref('national_compute') }}
    where
        is_within_epoch_coverage
        {%- if base_date %}
            and list_date <= date '{{ base_date }}'
        {%- endif %}

),

years as (

    select
        range::integer as year,
        make_date(range::integer, 12, 31) as as_of_date
    from base
    -- at least the base year, so a later base never empties the outlook
    cross join
        range(year(base.base_date), greatest({{ var('compute_outlook_end_year', 2030) }}, year(base.base_date)) + 1)

),

-- what the base date counts, unit by unit (int_national_compute__units), and the clusters arriving after it
counted_at_base as (

    select
        units.country,
        'existing' as tier,
        null::date as arrives_on,
        units.leaves_on,
        units.h100e,
        units.power_mw,
        units.hardware_cost_usd,
        case when units.unit_kind = 'listed_system' then units.system_key end as listed_system_key
    from {{ ref('int_national_compute__units') }} as units
    inner join base on units.list_date = base.base_date
    where units.is_counted_in_total

),

clusters as (

    select * from {{ ref('int_ai_clusters__expected_periods') }}

),

arriving as (

    select
        clusters.country,
        clusters.tier,
        clusters.arrives_on,
        clusters.leaves_on,
        clusters.h100e,
        clusters.power_mw,
        clusters.hardware_cost_usd,
        clusters.top500_system_key
    from clusters
    cross join base
    where
        (clusters.tier = 'existing' and clusters.arrives_on > base.base_date)
        or (clusters.tier <> 'existing' and clusters.arrives_on is not null)

),

-- a cluster that is a system listed on the base date is counted as that system already (JUPITER: listed on
-- 2025-06 as "JUPITER Booster", in Epoch's file from 2025-06-10)
arriving_unlisted as (

    select arriving.* exclude (top500_system_key)
    from arriving
    where
        arriving.top500_system_key is null
        or arriving.top500_system_key not in (
            select listed_system_key from counted_at_base
            where listed_system_key is not null
        )

),

units as (

    select * exclude (listed_system_key) from counted_at_base
    union all
    select * from arriving_unlisted

),

undated as (

    select country, count(*) as planned_undated_clusters, coalesce(sum(h100e), 0) as planned_undated_h100e
    from clusters
    where tier <> 'existing' and arrives_on is null
    group by country

),

countries as (

    select country from units
    union
    select country from undated

),

-- each unit in the years it is in service: arrived by the end of the year and not yet left
in_service as (

    select
        countries.country,
        years.year,
        years.as_of_date,
        units.tier,
        units.h100e,
        units.power_mw,
        units.hardware_cost_usd
    from countries
    cross join years
    left join units
        on
            units.country = countries.country
            and (units.arrives_on is null or units.arrives_on <= years.as_of_date)
            and (units.leaves_on is null or units.leaves_on > years.as_of_date)

),

totals as (

    select
        country,
        year,
        as_of_date,
        coalesce(sum(h100e) filter (where tier = 'existing'), 0) as existing_h100e,
        coalesce(sum(power_mw) filter (where tier = 'existing'), 0) as existing_power_mw,
        coalesce(sum(hardware_cost_usd) filter (where tier = 'existing'), 0) as existing_hardware_cost_usd,
        coalesce(sum(h100e) filter (where tier = 'confirmed'), 0) as planned_confirmed_h100e,
        coalesce(sum(power_mw) filter (where tier = 'confirmed'), 0) as planned_confirmed_power_mw,
        coalesce(sum(hardware_cost_usd) filter (where tier = 'confirmed'), 0) as planned_confirmed_hardware_cost_usd,
        coalesce(sum(h100e) filter (where tier = 'likely'), 0) as planned_likely_h100e,
        coalesce(sum(power_mw) filter (where tier = 'likely'), 0) as planned_likely_power_mw,
        coalesce(sum(hardware_cost_usd) filter (where tier = 'likely'), 0) as planned_likely_hardware_cost_usd,
        coalesce(sum(h100e) filter (where tier = 'speculative'), 0) as planned_speculative_h100e,
        coalesce(sum(power_mw) filter (where tier = 'speculative'), 0) as planned_speculative_power_mw,
        coalesce(sum(hardware_cost_usd) filter (where tier = 'speculative'), 0) as planned_speculative_hardware_cost_usd
    from in_service
    group by country, year, as_of_date

),

-- the planned tiers counted as supply (var compute_supply_planned_tiers)
supply_tiers as (

    select [{{ "'" ~ supply_tiers | join("', '") ~ "'" }}]::varchar[] as tiers

)

select
    totals.country,
    totals.year,
    totals.as_of_date,
    base.base_date,
    totals.existing_h100e::double as existing_h100e,
    totals.existing_power_mw::double as existing_power_mw,
    totals.existing_hardware_cost_usd::double as existing_hardware_cost_usd,
    totals.planned_confirmed_h100e::double as planned_confirmed_h100e,
    totals.planned_confirmed_power_mw::double as planned_confirmed_power_mw,
    totals.planned_confirmed_hardware_cost_usd::double as planned_confirmed_hardware_cost_usd,
    totals.planned_likely_h100e::double as planned_likely_h100e,
    totals.planned_likely_power_mw::double as planned_likely_power_mw,
    totals.planned_likely_hardware_cost_usd::double as planned_likely_hardware_cost_usd,
    totals.planned_speculative_h100e::double as planned_speculative_h100e,
    totals.planned_speculative_power_mw::double as planned_speculative_power_mw,
    totals.planned_speculative_hardware_cost_usd::double as planned_speculative_hardware_cost_usd,
    coalesce(undated.planned_undated_clusters, 0)::integer as planned_undated_clusters,
    coalesce(undated.planned_undated_h100e, 0)::double as planned_undated_h100e,
    array_to_string(supply_tiers.tiers, ', ') as supply_planned_tiers,
    (
        totals.existing_h100e
        + case when list_contains(supply_tiers.tiers, 'confirmed') then totals.planned_confirmed_h100e else 0 end
        + case when list_contains(supply_tiers.tiers, 'likely') then totals.planned_likely_h100e else 0 end
        + case when list_contains(supply_tiers.tiers, 'speculative') then totals.planned_speculative_h100e else 0 end
    )::double as supply_h100e,
    (
        totals.existing_power_mw
        + case when list_contains(supply_tiers.tiers, 'confirmed') then totals.planned_confirmed_power_mw else 0 end
        + case when list_contains(supply_tiers.tiers, 'likely') then totals.planned_likely_power_mw else 0 end
        + case when list_contains(supply_tiers.tiers, 'speculative') then totals.planned_speculative_power_mw else 0 end
    )::double as supply_power_mw,
    (
        totals.existing_hardware_cost_usd
        + case
            when list_contains(supply_tiers.tiers, 'confirmed') then totals.planned_confirmed_hardware_cost_usd else 0
        end
        + case when list_contains(supply_tiers.tiers, 'likely') then totals.planned_likely_hardware_cost_usd else 0 end
        + case
            when
                list_contains(supply_tiers.tiers, 'speculative')
                then totals.planned_speculative_hardware_cost_usd
            else 0
        end
    )::double as supply_hardware_cost_usd
from totals
cross join base
cross join supply_tiers
left join undated using (country)
