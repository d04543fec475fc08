-- Listed GPU systems with a derived GPU count, one row per system at its best Rmax: the evidence for how much
-- HPL Rmax one accelerator of a family delivers. The lists' accelerator cores count SMs / compute units, not
-- GPUs, so GPUs = accelerator_cores / cores_per_accelerator (seed accelerator_core_counts); a count whose
-- implied Rpeak per GPU is implausible for the chip (below half the FP64 vector peak, or above 1.2x the FP64
-- peak or twice the vector peak, whichever is higher) is flagged as a miscount.
with entries as (
    select * from {{ ref('list_entries') }}
    where
        accelerator is not null
        and accelerator_cores > 0
),

specs as (
    select * from {{ ref('accelerator_specs') }}
),

core_counts as (
    select * from {{ ref('accelerator_core_counts') }}
),

counted as (
    select
        entries.system_key,
        entries.list_date,
        entries.list_label,
        entries.rank,
        entries.system_name,
        entries.site,
        entries.country,
        entries.accelerator,
        entries.accelerator_spec_name,
        {{ accelerator_family_key('entries.accelerator') }} as accelerator_family,
        entries.accelerator_cores,
        core_counts.cores_per_accelerator,
        round(entries.accelerator_cores / core_counts.cores_per_accelerator) as gpu_count,
        entries.rmax_tflops,
        entries.rpeak_tflops,
        specs.fp64_vector_tflops,
        specs.fp64_peak_tflops
    from entries
    inner join core_counts
        on core_counts.accelerator_family = {{ accelerator_family_key('entries.accelerator') }}
    left join specs on specs.spec_name = entries.accelerator_spec_name
),

checked as (
    select
        *,
        rmax_tflops / gpu_count as rmax_per_gpu_tflops,
        rpeak_tflops / gpu_count as rpeak_per_gpu_tflops,
        gpu_count >= 1
        and rpeak_tflops / gpu_count >= 0.5 * coalesce(fp64_vector_tflops, fp64_peak_tflops)
        -- FP64 matrix units run at twice the vector rate (A100, H100, MI250X); Epoch lacks some matrix rates
        and rpeak_tflops / gpu_count <= 1.2 * greatest(fp64_peak_tflops, 2 * fp64_vector_tflops) as is_plausible_count
    from counted
)

select *
from checked
-- one row per system and chip family (some systems swap A100s for H100s): its best HPL run
qualify row_number() over (partition by system_key, accelerator_family order by rmax_tflops desc, list_date) = 1
