-- The curated FP64 tensor peaks (FACTS.md) must reach the spec mart on the Epoch rows they enrich.
with expected as (
    select * from (
        values
        ('NVIDIA A100 SXM4 40 GB', 19.5),
        ('NVIDIA H100 SXM5 80GB', 66.9),
        ('AMD Radeon Instinct MI250X', 95.7),
        ('AMD Instinct MI300A', 122.6)
    ) as t (spec_name, fp64_tensor_tflops)
)

select expected.spec_name
from expected
left join {{ ref('accelerator_specs') }} as specs on specs.spec_name = expected.spec_name
where specs.fp64_tensor_tflops is distinct from expected.fp64_tensor_tflops
