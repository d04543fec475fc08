-- One definition, one figure per chip: a corrected Epoch chip figure (seed epoch_chip_corrections) is the chip's
-- dense 16-bit peak in the spec table the TOP500 side uses, and Epoch's clusters of that chip carry the figure
-- the seed says they do (so the correction replaces what is wrong, no more).
with corrections as (
    select * from {{ ref('epoch_chip_corrections') }}
),

spec_disagrees as (
    select corrections.chip, 'spec' as compared_with, specs.bf16_dense_tflops as found
    from corrections
    left join {{ ref('int_accelerator_specs') }} as specs on specs.spec_name = corrections.chip
    where specs.bf16_dense_tflops is distinct from corrections.dense_16bit_tflops
),

epoch_disagrees as (
    select
        corrections.chip,
        'epoch cluster ' || clusters.cluster_name as compared_with,
        clusters.tflops_16bit / clusters.chip_quantity_primary as found
    from corrections
    inner join {{ ref('stg_epoch__gpu_clusters') }} as clusters on clusters.chip_type_primary = corrections.chip
    where
        clusters.chip_type_secondary is null
        and clusters.chip_quantity_primary > 0
        and abs(clusters.tflops_16bit / clusters.chip_quantity_primary / corrections.epoch_dense_16bit_tflops - 1)
        > 0.01
)

select * from spec_disagrees
union all
select * from epoch_disagrees
