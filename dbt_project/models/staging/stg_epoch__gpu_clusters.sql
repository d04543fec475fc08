-- Epoch AI supercomputers (GPU clusters); names repeat ("Anonymized Chinese System"), so rows get an id.
with source as (
    select * from {{ source('raw', 'epoch_gpu_clusters') }}
),

renamed as (
    select
        md5(concat_ws('|', source_file, source_line::varchar)) as cluster_id,
        name as cluster_name,
        status,
        certainty,
        single_cluster,
        chip_type_primary,
        chip_quantity_primary,
        chip_type_secondary,
        chip_quantity_secondary,
        total_ai_chips,
        h100_equivalents,
        country,
        owner,
        sector,
        first_operational_date,
        max_tflops,
        tflops_16bit,
        tops_8bit,
        tflops_32bit,
        power_capacity_mw,
        hardware_cost_usd,
        coalesce(include_in_standard_analysis, false) as include_in_standard_analysis,
        coalesce(is_noteworthy, false) as is_noteworthy,
        decommissioned_date,
        superseded_by,
        builds_upon,
        coalesce(is_possible_duplicate, false) as is_possible_duplicate,
        possible_duplicate_of,
        coalesce(is_excluded, false) as is_excluded,
        reported_power_mw,
        calculated_power_mw,
        reported_cost_usd,
        reported_cost_inflation_adjusted_usd,
        calculated_cost_usd,
        first_operational_date_note,
        source_file,
        source_line,
        loaded_at
    from source
)

select * from renamed
