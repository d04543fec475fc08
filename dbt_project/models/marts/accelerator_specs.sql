-- Accelerator specs analysts can use: Epoch ML hardware and chip-database accelerators, with the curated
-- FP64 tensor and dense BF16 peaks where Epoch lacks them, and how many list strings map to each.
with specs as (
    select * from {{ ref('int_accelerator_specs') }}
),

matched as (
    select accelerator_spec_name, count(*) as matched_accelerator_strings
    from {{ ref('int_accelerator_spec_matches') }}
    where accelerator_spec_name is not null
    group by accelerator_spec_name
)

select
    specs.spec_name,
    specs.manufacturer,
    specs.hardware_type,
    specs.spec_source,
    specs.release_date,
    specs.fp64_vector_tflops,
    specs.fp64_tensor_tflops,
    specs.fp64_peak_tflops,
    specs.fp32_tflops,
    specs.tf32_tflops,
    specs.bf16_dense_tflops,
    specs.memory_gb,
    specs.memory_bandwidth_gb_per_s,
    specs.tdp_w,
    specs.has_curated_facts,
    specs.facts_source,
    specs.datasheet_url,
    coalesce(matched.matched_accelerator_strings, 0) as matched_accelerator_strings
from specs
left join matched on matched.accelerator_spec_name = specs.spec_name
