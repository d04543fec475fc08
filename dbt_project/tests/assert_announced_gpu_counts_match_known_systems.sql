-- The SM-based GPU count must give the published GPU counts of named entries: Perlmutter on 2023-11 (7,168
-- A100), Selene on 2020-11 (560 DGX A100 = 4,480), Summit on 2019-06 (27,648 V100), JUWELS Booster on 2020-11
-- (936 nodes x 4 = 3,744 A100). The model keeps each system's best HPL run: while that is the named entry, its
-- count must match; a system upgraded later has its best run on a later list, never on an earlier or a slower one.
-- Checked when the lists holding these systems are loaded (a partial source may lack them).
with expected as (
    select * from (
        values
        ('Perlmutter', '2023-11', 7168),
        ('Selene', '2020-11', 4480),
        ('Summit', '2019-06', 27648),
        ('JUWELS Booster Module', '2020-11', 3744)
    ) as e (system_name, list_label, gpus)
),

named_entries as (
    select expected.*, entries.list_date, entries.rmax_tflops
    from expected
    left join {{ ref('list_entries') }} as entries
        on entries.system_name = expected.system_name and entries.list_label = expected.list_label
),

failures as (
    select
        named_entries.system_name, named_entries.list_label, named_entries.gpus, listed.list_label as best_run_list,
        listed.gpu_count, listed.is_plausible_count
    from named_entries
    left join {{ ref('int_announced__listed_gpu_systems') }} as listed using (system_name)
    where
        named_entries.list_date is null
        or listed.system_name is null
        or (
            listed.list_label = named_entries.list_label
            and (listed.gpu_count is distinct from named_entries.gpus or not listed.is_plausible_count)
        )
        or (
            listed.list_label <> named_entries.list_label
            and (listed.list_date < named_entries.list_date or listed.rmax_tflops <= named_entries.rmax_tflops)
        )
)

select * from failures
where
    exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2019-06-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2020-11-01'
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }}
        where list_date = date '2023-11-01'
    )
