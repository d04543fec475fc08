-- Every accelerator spec row a TOP500 string can match: Epoch ML hardware first, then the chip database's
-- non-CPU rows (plus Xeon Phi coprocessors, typed CPU there) not already in ML hardware, enriched with the
-- curated datasheet facts (FP64 tensor, dense BF16). match_priority breaks ties between rows sharing a key.
with ml_hardware as (
    select
        hardware_name as spec_name,
        manufacturer,
        hardware_type,
        'epoch_ml_hardware' as spec_source,
        true as is_ml_hardware,
        release_date,
        fp64_tflops,
        fp32_tflops,
        tf32_tflops,
        tensor_fp16_bf16_tflops,
        memory_gb,
        memory_bandwidth_gb_per_s,
        tdp_w,
        datasheet_url
    from {{ ref('stg_epoch__ml_hardware') }}
),

chips as (
    select
        chips.hardware_name as spec_name,
        chips.manufacturer,
        chips.hardware_type,
        'epoch_chips' as spec_source,
        chips.is_ml_hardware,
        chips.release_date,
        chips.fp64_tflops,
        chips.fp32_tflops,
        chips.tf32_tflops,
        chips.tensor_fp16_bf16_tflops,
        chips.memory_gb,
        chips.memory_bandwidth_gb_per_s,
        chips.tdp_w,
        chips.datasheet_url
    from {{ ref('stg_epoch__chips') }} as chips
    left join ml_hardware on ml_hardware.spec_name = chips.hardware_name
    where
        ml_hardware.spec_name is null
        and not chips.is_cpu
),

epoch as (
    select * from ml_hardware
    union all
    select * from chips
),

facts as (
    select * from {{ ref('accelerator_peak_facts') }}
),

enriched as (
    select
        epoch.spec_name,
        epoch.manufacturer,
        epoch.hardware_type,
        epoch.spec_source,
        epoch.is_ml_hardware,
        epoch.release_date,
        coalesce(epoch.fp64_tflops, facts.fp64_vector_tflops) as fp64_vector_tflops,
        facts.fp64_tensor_tflops,
        coalesce(facts.fp64_tensor_tflops, epoch.fp64_tflops, facts.fp64_vector_tflops) as fp64_peak_tflops,
        coalesce(epoch.fp32_tflops, facts.fp32_tflops) as fp32_tflops,
        coalesce(facts.tf32_tflops, epoch.tf32_tflops) as tf32_tflops,
        coalesce(facts.bf16_dense_tflops, epoch.tensor_fp16_bf16_tflops) as bf16_dense_tflops,
        coalesce(epoch.memory_gb, facts.memory_gb) as memory_gb,
        coalesce(epoch.memory_bandwidth_gb_per_s, facts.memory_bandwidth_gb_per_s) as memory_bandwidth_gb_per_s,
        coalesce(epoch.tdp_w, facts.tdp_w) as tdp_w,
        epoch.datasheet_url,
        facts.spec_name is not null as has_curated_facts,
        facts.source as facts_source
    from epoch
    left join facts on facts.spec_name = epoch.spec_name
),

keyed as (
    select
        *,
        {{ accelerator_normalized_key('spec_name') }} as normalized_key,
        {{ accelerator_variant_key('spec_name') }} as variant_key,
        {{ accelerator_family_key('spec_name') }} as family_key,
        row_number() over (
            order by
                has_curated_facts desc,
                spec_source = 'epoch_ml_hardware' desc,
                is_ml_hardware desc,
                fp64_vector_tflops is not null desc,
                length(spec_name),
                spec_name
        ) as match_priority
    from enriched
)

select * from keyed
