-- Every TOP500 entry in H100-equivalents, the unit of Epoch's GPU-cluster data: accelerators x the chip's
-- dense 16-bit tensor peak / the H100 SXM's (see the YAML for CPU-only systems and what stays unestimated).
with entries as (

    select * from {{ ref('list_entries') }}

),

specs as (

    select * from {{ ref('accelerator_specs') }}

),

h100 as (

    select bf16_dense_tflops as h100_dense_16bit_tflops
    from specs
    where spec_name = 'NVIDIA H100 SXM5 80GB'

),

counted as (

    select
        entries.list_date,
        entries.rank,
        entries.system_key,
        entries.country,
        entries.rmax_tflops,
        entries.rpeak_tflops,
        entries.accelerator,
        entries.accelerator_spec_name,
        coalesce(entries.accelerator is not null and entries.accelerator <> 'None', false) as is_accelerated,
        {{ accelerator_family_key('entries.accelerator') }} as accelerator_family,
        -- the lists count SMs / compute units / Xe-cores, not GPUs (seed accelerator_core_counts)
        round(entries.accelerator_cores / core_counts.cores_per_accelerator) as gpu_count,
        specs.bf16_dense_tflops as dense_16bit_tflops_per_gpu,
        specs.fp64_vector_tflops,
        specs.fp64_peak_tflops
    from entries
    left join {{ ref('accelerator_core_counts') }} as core_counts
        on
            core_counts.accelerator_family = {{ accelerator_family_key('entries.accelerator') }}
            and entries.accelerator_cores > 0
    left join specs on specs.spec_name = entries.accelerator_spec_name

),

checked as (

    select
        *,
        -- the same check as int_announced__listed_gpu_systems: Rpeak per GPU must fit the chip's datasheet
        gpu_count >= 1
        and rpeak_tflops / gpu_count >= 0.5 * coalesce(fp64_vector_tflops, fp64_peak_tflops)
        and rpeak_tflops / gpu_count <= 1.2 * greatest(fp64_peak_tflops, 2 * fp64_vector_tflops)
            as is_plausible_count
    from counted

)

select
    checked.list_date,
    checked.rank,
    checked.system_key,
    checked.country,
    checked.rmax_tflops,
    checked.accelerator,
    checked.accelerator_spec_name,
    checked.is_accelerated,
    checked.gpu_count,
    coalesce(checked.is_plausible_count, false) as is_plausible_count,
    checked.dense_16bit_tflops_per_gpu,
    case
        when not checked.is_accelerated then 0.0
        when checked.is_plausible_count and checked.dense_16bit_tflops_per_gpu > 0
            then checked.gpu_count * checked.dense_16bit_tflops_per_gpu / h100.h100_dense_16bit_tflops
    end as h100e,
    case
        when not checked.is_accelerated then 'cpu_only'
        when checked.is_plausible_count and checked.dense_16bit_tflops_per_gpu > 0 then 'accelerators'
        else 'not_estimated'
    end as h100e_basis
from checked
cross join h100
