-- Each Epoch GPU-cluster record with the country in the TOP500 spelling, its chip family, its H100-equivalents
-- in the warehouse's one unit (dense 16-bit peak / the H100 SXM's) and the period it counts as operational
-- compute, by Epoch's own status, dates and record flags and the curated decisions (see the YAML).
with clusters as (

    select * from {{ ref('stg_epoch__gpu_clusters') }}

),

h100 as (

    select bf16_dense_tflops as h100_dense_16bit_tflops
    from {{ ref('int_accelerator_specs') }}
    where spec_name = 'NVIDIA H100 SXM5 80GB'

),

-- a cluster record the listed system or a later record takes over (seed cluster_system_decisions,
-- counted_until) stops counting that day
counted_until as (

    select
        cluster_name,
        min(counted_until) as counted_until
    from {{ ref('cluster_system_decisions') }}
    where counted_until is not null
    group by cluster_name

),

-- the cluster's dense 16-bit peak: Epoch's 16-bit OP/s, with its chip figure corrected where it is wrong
-- (seed epoch_chip_corrections); where Epoch gives no 16-bit figure, half its 8-bit OP/s (8-bit runs at twice
-- the 16-bit rate on every tensor chip), else its 32-bit OP/s (a chip without a faster 16-bit path computes
-- 16-bit at its 32-bit rate)
measured as (

    select
        clusters.cluster_id,
        case
            when corrections.chip is not null and clusters.tflops_16bit is not null
                then
                    clusters.tflops_16bit
                    + clusters.chip_quantity_primary
                    * (corrections.dense_16bit_tflops - corrections.epoch_dense_16bit_tflops)
            when clusters.tflops_16bit is not null then clusters.tflops_16bit
            when clusters.tops_8bit is not null then clusters.tops_8bit / 2
            else clusters.tflops_32bit
        end as dense_16bit_tflops,
        case
            when corrections.chip is not null and clusters.tflops_16bit is not null then 'corrected_chip_16bit'
            when clusters.tflops_16bit is not null then 'epoch_16bit'
            when clusters.tops_8bit is not null then 'epoch_8bit_halved'
            when clusters.tflops_32bit is not null then 'epoch_32bit'
            else 'no_peak'
        end as h100e_method
    from clusters
    left join {{ ref('epoch_chip_corrections') }} as corrections
        on corrections.chip = clusters.chip_type_primary

),

-- the record a phase is superseded by; names repeat in the file ("Anonymized Chinese System"), so only a
-- name that occurs once identifies its successor
successors as (

    select cluster_name, any_value(first_operational_date) as first_operational_date
    from clusters
    group by cluster_name
    having count(*) = 1

)

select
    clusters.cluster_id,
    clusters.cluster_name,
    clusters.owner,
    clusters.country as epoch_country,
    countries.country,
    clusters.status,
    clusters.certainty,
    clusters.sector,
    clusters.chip_type_primary,
    clusters.chip_quantity_primary,
    {{ accelerator_family_key('clusters.chip_type_primary') }} as chip_family,
    clusters.h100_equivalents as epoch_h100e,
    measured.dense_16bit_tflops / h100.h100_dense_16bit_tflops as h100e,
    measured.h100e_method,
    clusters.tflops_16bit,
    clusters.power_capacity_mw,
    clusters.first_operational_date,
    clusters.decommissioned_date,
    clusters.superseded_by,
    successors.first_operational_date as superseded_date,
    clusters.is_possible_duplicate,
    clusters.possible_duplicate_of,
    clusters.is_excluded,
    -- operational compute: running (Existing) or Decommissioned with a date, from a known first operational
    -- date, and neither a possible duplicate nor excluded by Epoch
    clusters.status in ('Existing', 'Decommissioned')
    and clusters.first_operational_date is not null
    and (clusters.status = 'Existing' or clusters.decommissioned_date is not null)
    and not clusters.is_possible_duplicate
    and not clusters.is_excluded as is_in_supply,
    clusters.first_operational_date as in_supply_from,
    -- the decommissioning, the day the phase that supersedes it starts (phases count one at a time), or the
    -- day a curated decision ends it
    least(
        clusters.decommissioned_date, successors.first_operational_date, counted_until.counted_until
    ) as in_supply_until,
    clusters.source_file,
    clusters.source_line
from clusters
cross join h100
left join {{ ref('epoch_country_names') }} as countries
    on countries.epoch_country = clusters.country
left join successors
    on successors.cluster_name = clusters.superseded_by
left join counted_until
    on counted_until.cluster_name = clusters.cluster_name
left join measured using (cluster_id)
