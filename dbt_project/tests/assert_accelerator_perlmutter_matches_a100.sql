-- Perlmutter (NERSC, 2021-11) must match an A100 spec that carries the 19.5 TFlop/s FP64 tensor peak.
with perlmutter as (
    select entries.accelerator, matches.accelerator_spec_name, matches.fp64_tensor_tflops
    from {{ source('raw', 'top500_entries') }} as entries
    left join {{ ref('int_accelerator_spec_matches') }} as matches on matches.accelerator = entries.accelerator
    where entries.list_date = date '2021-11-01' and entries.name = 'Perlmutter'
)

select * from perlmutter
where
    accelerator_spec_name is null
    or accelerator_spec_name not like 'NVIDIA A100%'
    or fp64_tensor_tflops is distinct from 19.5
union all
select null, 'Perlmutter missing from the 2021-11 list', null
where not exists (select 1 from perlmutter)
-- a partial source (a directory of a few lists) need not hold 2021-11
and exists (
    select 1 from {{ source('raw', 'top500_entries') }}
    where list_date = date '2021-11-01'
)
