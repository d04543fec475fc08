-- The SM-based GPU count must give the published GPU counts: Perlmutter (7,168 A100 from 2023-11), Selene
-- (560 DGX A100 = 4,480), Summit (27,648 V100), JUWELS Booster (936 nodes x 4 = 3,744 A100).
-- Checked when the lists holding these systems are loaded (a partial source may lack them).
with expected as (
    select * from (
        values
        ('Perlmutter', 7168),
        ('Selene', 4480),
        ('Summit', 27648),
        ('JUWELS Booster Module', 3744)
    ) as e (system_name, gpus)
),

failures as (
    select expected.system_name, expected.gpus, listed.gpu_count, listed.is_plausible_count
    from expected
    left join {{ ref('int_announced__listed_gpu_systems') }} as listed using (system_name)
    where
        listed.gpu_count is distinct from expected.gpus
        or not listed.is_plausible_count
)

select * from failures
where
    exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2018-06-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2020-06-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2020-11-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2023-11-01'
    )
