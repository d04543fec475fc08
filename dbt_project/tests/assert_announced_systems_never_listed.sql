{{ config(tags=['known_answers']) }}
-- announced_systems holds systems that never ran HPL: no Epoch row the shared match finds on the loaded lists,
-- Meta GenAI 2024a/2024b (one cluster recorded twice) is one row (when H100 lists are loaded; none if a later
-- list holds it), and the curated rows (Meta RSC phases 1 and 2, Naver's DGX SuperPOD) stay when the A100
-- lists they are compared with (2020-11 on) are loaded. Which listed systems left the mart is checked on the full
-- lists in tests/test_identity.py.
with announced as (
    select * from {{ ref('announced_systems') }}
),

failures as (
    select system_name, 'listed on the TOP500' as problem
    from announced
    inner join {{ ref('int_ai_clusters__top500_matches') }} as matches
        on matches.cluster_id = announced.system_id
    where matches.top500_system_key is not null

    union all

    select 'Meta GenAI 2024a/b', 'not exactly one row'
    where
        (
            select count(*) from announced
            where system_name like 'Meta GenAI 2024_'
        )
        -- none once a loaded list holds it (then it ran HPL and is not announced)
        <> (
            select case when count(*) > 0 then 0 else 1 end
            from {{ ref('int_ai_clusters__top500_matches') }}
            where cluster_name like 'Meta GenAI 2024_' and top500_system_key is not null
        )
        and exists (
            select 1 from {{ source('raw', 'top500_entries') }}
            where list_date >= date '2023-06-01'
        )

    union all

    select expected.system_name, 'curated row missing'
    from (
        values ('Meta AI Research SuperCluster (RSC) phase 1'), ('Meta AI Research SuperCluster (RSC) phase 2'),
        ('Naver NVIDIA DGX SuperPOD')
    ) as expected (system_name)
    where
        expected.system_name not in (select system_name from announced)
        and exists (
            select 1 from {{ source('raw', 'top500_entries') }}
            where list_date = date '2020-11-01'
        )
)

select * from failures
where exists (
    select 1 from {{ source('raw', 'epoch_gpu_clusters') }}
    where name = 'Meta GenAI 2024a'
)
