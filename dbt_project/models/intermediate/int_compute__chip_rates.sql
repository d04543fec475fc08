-- Power and hardware cost per chip, by chip family, as Epoch AI estimates them for its GPU clusters: the
-- median over Epoch's cluster records of its calculated power capacity and calculated cost divided by the chips
-- (see the YAML). Used to estimate what no source reports, for listed systems and clusters alike.
with clusters as (

    select
        periods.chip_family,
        periods.chip_type_primary,
        periods.chip_quantity_primary,
        staged.calculated_power_mw,
        staged.calculated_cost_usd
    from {{ ref('int_ai_clusters__operational_periods') }} as periods
    inner join {{ ref('stg_epoch__gpu_clusters') }} as staged using (cluster_id)
    where
        periods.chip_quantity_primary > 0
        and length(periods.chip_family) >= 3
        -- a second chip type would put its power and cost on the first one's count
        and staged.chip_type_secondary is null

)

select
    chip_family,
    mode(chip_type_primary) as example_chip,
    count(*) filter (where calculated_power_mw > 0) as clusters_with_power,
    median(1e6 * calculated_power_mw / chip_quantity_primary) filter (where calculated_power_mw > 0)
        as watts_per_chip,
    count(*) filter (where calculated_cost_usd > 0) as clusters_with_cost,
    median(calculated_cost_usd / chip_quantity_primary) filter (where calculated_cost_usd > 0) as usd_per_chip
from clusters
group by chip_family
having count(*) filter (where calculated_power_mw > 0 or calculated_cost_usd > 0) > 0
