{{ config(tags=['known_answers']) }}
-- The shared Epoch <-> TOP500 match finds the listed systems (Frontier, Perlmutter, Summit, Selene, El
-- Capitan, Samsung SSC-21, and the listed systems that were once "announced": Azure Eagle, Eni HPC5,
-- Dammam-7, Pangea III, DeepL Mercury, Nebius ISEG2), and the curated decisions reach it: Naver's 2020 DGX
-- SuperPOD is Sejong at its first size, MareNostrum 5 is MareNostrum 5 ACC, and Gcore's Incheon site is not
-- NHN's listed Gwangju system. A record matches by a GPU count the system had on one of its lists: NSCC ASPIRE
-- 2A Phase 1 (256 GPUs) is the system's 2022-06 entry, its Phase 2 (352) the later ones, and JUWELS-Booster
-- (3,744 GPUs on 2020-11) stays matched whatever later lists print for the machine. Checked when the cluster
-- is in the loaded Epoch file and the system's first list is loaded.
with expected as (
    select * from (
        values
        ('Oak Ridge NL Frontier', 'Frontier', '2022-06'),
        ('Lawrence Berkeley NL NERSC Perlmutter', 'Perlmutter', '2021-06'),
        ('Oak Ridge NL Summit', 'Summit', '2018-06'),
        ('NVIDIA Selene Phase 1', 'Selene', '2020-06'),
        ('NVIDIA Selene Phase 2', 'Selene', '2020-06'),
        ('Lawrence Livermore NL El Capitan Phase 2', 'El Capitan', '2024-11'),
        ('Samsung SSC-21', 'SSC-21', '2021-11'),
        ('Samsung SSC-21 Scalable Module', 'SSC-21 Scalable Module', '2021-11'),
        ('Microsoft Azure Eagle', 'Eagle', '2023-11'),
        ('Eni HPC5', 'HPC5', '2020-06'),
        ('Saudi Aramco Dammam-7', 'Dammam-7', '2020-11'),
        ('TotalEnergies Pangea III', 'PANGEA III', '2019-06'),
        ('DeepL Mercury', 'DeepL Mercury', '2023-11'),
        ('Nebius ISEG2', 'ISEG2', '2025-06'),
        ('Naver DGX Superpod', 'Sejong', '2023-11'),
        ('Mare Nostrum 5', 'MareNostrum 5 ACC', '2023-11'),
        ('Gcore data center Phase 1', null, '2024-11'),
        ('NSCC ASPIRE 2A Phase 1', 'ASPIRE 2A (GPU Partition)', '2022-06'),
        ('NSCC ASPIRE 2A Phase 2', 'ASPIRE 2A (GPU Partition)', '2022-11'),
        ('JUWELS-Booster', 'JUWELS Booster Module', '2020-11')
    ) as e (cluster_name, system_name, list_label)
),

checkable as (
    select expected.*
    from expected
    where exists (
        select 1 from {{ source('raw', 'epoch_gpu_clusters') }} as raw_clusters
        where raw_clusters.name = expected.cluster_name
    )
    and exists (
        select 1 from {{ source('raw', 'top500_entries') }} as raw_entries
        where strftime(raw_entries.list_date, '%Y-%m') = expected.list_label
    )
)

select
    checkable.cluster_name, checkable.system_name as expected_system, systems.system_name as matched_system,
    matches.top500_match_rule
from checkable
left join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_name)
left join {{ ref('systems') }} as systems on systems.system_key = matches.top500_system_key
where
    matches.cluster_name is null
    or systems.system_name is distinct from checkable.system_name
