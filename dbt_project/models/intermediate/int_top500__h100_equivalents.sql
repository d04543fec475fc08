-- Every TOP500 entry in H100-equivalents: GPUs x the chip's dense 16-bit peak / the H100 SXM's, the one unit
-- of marts.national_compute for listed systems and AI clusters alike (the definition and the methods are in
-- the YAML). Reads staging, not marts.list_entries, which shows these figures.
with entries as (

    select
        entries.list_date,
        entries.rank,
        keys.system_key,
        entries.country,
        entries.rmax_tflops,
        entries.rpeak_tflops,
        entries.total_cores,
        entries.accelerator,
        entries.accelerator_cores,
        entries.system_model,
        matches.accelerator_spec_name
    from {{ ref('stg_top500__list_entries') }} as entries
    inner join {{ ref('int_top500__system_keys') }} as keys using (list_date, rank)
    left join {{ ref('int_accelerator_spec_matches') }} as matches on matches.accelerator = entries.accelerator

),

specs as (

    select * from {{ ref('int_accelerator_specs') }}

),

h100 as (

    select bf16_dense_tflops as h100_dense_16bit_tflops
    from specs
    where spec_name = 'NVIDIA H100 SXM5 80GB'

),

classified as (

    select
        entries.*,
        coalesce(entries.accelerator is not null and entries.accelerator <> 'None', false) as has_named_accelerator,
        -- Rpeak per core above the fastest CPU core on the lists: the Rpeak holds GPUs the entry does not print
        coalesce(
            1000 * entries.rpeak_tflops / nullif(entries.total_cores, 0)
            > {{ var('cpu_rpeak_per_core_max_gflops') }},
            false
        ) as exceeds_cpu_rpeak_per_core,
        coalesce(entries.accelerator_cores > 0, false) as has_accelerator_cores,
        by_model.accelerator_spec_name as model_accelerator_spec_name
    from entries
    left join {{ ref('system_model_accelerators') }} as by_model on by_model.system_model = entries.system_model

),

counted as (

    select
        classified.*,
        has_named_accelerator or exceeds_cpu_rpeak_per_core or has_accelerator_cores as is_accelerated,
        -- the lists count SMs / compute units / Xe-cores, not GPUs (seed accelerator_core_counts); some entries
        -- count in a second unit (seed accelerator_alternate_core_counts: H100 texture processing clusters)
        round(classified.accelerator_cores / core_counts.cores_per_accelerator) as counted_gpus,
        round(classified.accelerator_cores / alternate_counts.cores_per_accelerator) as alternate_counted_gpus,
        named.bf16_dense_tflops as named_16bit_tflops,
        named.fp64_vector_tflops as named_fp64_vector_tflops,
        named.fp64_peak_tflops as named_fp64_peak_tflops,
        -- no accelerator printed, a GPU named by the system model: GPUs = Rpeak / the GPU's FP64 peak (an upper
        -- bound: the host CPUs' few percent of Rpeak count as GPU)
        floor(classified.rpeak_tflops / by_model.fp64_peak_tflops) as rpeak_gpus,
        by_model.bf16_dense_tflops as model_16bit_tflops
    from classified
    left join {{ ref('accelerator_core_counts') }} as core_counts
        on
            core_counts.accelerator_family = {{ accelerator_family_key('classified.accelerator') }}
            and classified.accelerator_cores > 0
    left join {{ ref('accelerator_alternate_core_counts') }} as alternate_counts
        on
            alternate_counts.accelerator_family = {{ accelerator_family_key('classified.accelerator') }}
            and classified.accelerator_cores > 0
    left join specs as named on named.spec_name = classified.accelerator_spec_name
    left join specs as by_model on by_model.spec_name = classified.model_accelerator_spec_name

),

checked as (

    select
        *,
        -- the same check as int_announced__listed_gpu_systems: Rpeak per GPU must fit the chip's datasheet
        {{ fits_rpeak('counted_gpus') }} as is_plausible_count,
        {{ fits_rpeak('alternate_counted_gpus') }} as is_plausible_alternate_count
    from counted

),

methods as (

    select
        *,
        case
            when has_named_accelerator and accelerator_spec_name is null then 'no_spec'
            when has_named_accelerator and not named_16bit_tflops > 0 then 'no_16bit_peak'
            when has_named_accelerator and counted_gpus is null then 'no_gpu_count'
            when has_named_accelerator and is_plausible_count then 'gpus_from_cores'
            when has_named_accelerator and is_plausible_alternate_count then 'gpus_from_alternate_cores'
            when has_named_accelerator then 'implausible_gpu_count'
            when is_accelerated and rpeak_gpus >= 1 and model_16bit_tflops > 0 then 'gpus_from_rpeak'
            when is_accelerated then 'gpu_not_named'
            else 'cpu_only'
        end as h100e_method
    from checked

)

select
    methods.list_date,
    methods.rank,
    methods.system_key,
    methods.country,
    methods.rmax_tflops,
    methods.rpeak_tflops,
    methods.accelerator,
    methods.accelerator_spec_name,
    methods.is_accelerated,
    methods.exceeds_cpu_rpeak_per_core,
    case
        when methods.h100e_method = 'gpus_from_cores' then methods.counted_gpus
        when methods.h100e_method = 'gpus_from_alternate_cores' then methods.alternate_counted_gpus
        when methods.h100e_method = 'gpus_from_rpeak' then methods.rpeak_gpus
    end as gpu_count,
    methods.is_plausible_count,
    case
        when methods.h100e_method in ('gpus_from_cores', 'gpus_from_alternate_cores') then methods.named_16bit_tflops
        when methods.h100e_method = 'gpus_from_rpeak' then methods.model_16bit_tflops
    end as dense_16bit_tflops_per_gpu,
    case
        when methods.h100e_method = 'cpu_only' then 0.0
        when methods.h100e_method = 'gpus_from_cores'
            then methods.counted_gpus * methods.named_16bit_tflops / h100.h100_dense_16bit_tflops
        when methods.h100e_method = 'gpus_from_alternate_cores'
            then methods.alternate_counted_gpus * methods.named_16bit_tflops / h100.h100_dense_16bit_tflops
        when methods.h100e_method = 'gpus_from_rpeak'
            then methods.rpeak_gpus * methods.model_16bit_tflops / h100.h100_dense_16bit_tflops
    end as h100e,
    methods.h100e_method
from methods
cross join h100
