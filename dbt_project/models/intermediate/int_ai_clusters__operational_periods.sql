-- Each Epoch GPU-cluster record with the country in the TOP500 spelling, its chip family and the period it
-- counts as operational compute, by Epoch's own status, dates and record flags (see the YAML).
with clusters as (

    select * from {{ ref('stg_epoch__gpu_clusters') }}

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
    clusters.h100_equivalents,
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
    -- the decommissioning, or the day the phase that supersedes it starts (phases count one at a time)
    least(clusters.decommissioned_date, successors.first_operational_date) as in_supply_until,
    clusters.source_file,
    clusters.source_line
from clusters
left join {{ ref('epoch_country_names') }} as countries
    on countries.epoch_country = clusters.country
left join successors
    on successors.cluster_name = clusters.superseded_by
