-- Each Epoch GPU-cluster record's site power and hardware cost, reported where a source reports them, else
-- Epoch's own estimate from the chips, else ours (chip rates); and its owner's sector as private or public.
with periods as (

    select * from {{ ref('int_ai_clusters__operational_periods') }}

),

staged as (

    select * from {{ ref('stg_epoch__gpu_clusters') }}

),

rates as (

    select * from {{ ref('int_compute__chip_rates') }}

),

h100 as (

    select watts_per_chip as h100_watts, usd_per_chip as h100_usd
    from rates
    where chip_family = 'h100'

),

estimated as (

    select
        periods.cluster_id,
        periods.h100_equivalents,
        periods.sector,
        staged.reported_power_mw,
        staged.calculated_power_mw,
        coalesce(staged.reported_cost_inflation_adjusted_usd, staged.reported_cost_usd) as reported_cost_usd,
        staged.calculated_cost_usd,
        periods.chip_quantity_primary * rates.watts_per_chip / 1e6 as chip_rate_power_mw,
        periods.chip_quantity_primary * rates.usd_per_chip as chip_rate_cost_usd,
        periods.h100_equivalents * h100.h100_watts / 1e6 as h100e_rate_power_mw,
        periods.h100_equivalents * h100.h100_usd as h100e_rate_cost_usd
    from periods
    inner join staged using (cluster_id)
    left join h100 on true
    left join rates
        on
            rates.chip_family = periods.chip_family
            and staged.chip_type_secondary is null

)

select
    cluster_id,
    coalesce(reported_power_mw, calculated_power_mw, chip_rate_power_mw, h100e_rate_power_mw) as power_mw,
    case
        when reported_power_mw is not null then 'reported'
        when calculated_power_mw is not null then 'epoch_calculated'
        when chip_rate_power_mw is not null then 'chip_rate'
        when h100e_rate_power_mw is not null then 'h100e_rate'
    end as power_basis,
    coalesce(reported_cost_usd, calculated_cost_usd, chip_rate_cost_usd, h100e_rate_cost_usd) as hardware_cost_usd,
    case
        when reported_cost_usd is not null then 'reported'
        when calculated_cost_usd is not null then 'epoch_calculated'
        when chip_rate_cost_usd is not null then 'chip_rate'
        when h100e_rate_cost_usd is not null then 'h100e_rate'
    end as hardware_cost_basis,
    -- a government funding at least a quarter of a project makes it Public/Private (Epoch): counted as public
    case
        when sector = 'Private' then 'private'
        when sector in ('Public', 'Public/Private') then 'public'
    end as ownership
from estimated
