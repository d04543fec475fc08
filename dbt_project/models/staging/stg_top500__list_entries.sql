-- One row per TOP500 list x rank, with the family groupings TOP500.org's
-- statistics pages use, derived once here so every mart groups the same way.
with source as (

    select * from {{ source('raw', 'top500_entries') }}

),

renamed as (

    select
        list_date,
        strftime(list_date, '%Y-%m') as list_label,
        edition,
        rank,
        previous_rank,
        first_appearance,
        first_rank,
        system_id,
        site_id,
        name,
        coalesce(nullif(name, ''), computer) as system_name,
        computer,
        site,
        manufacturer,
        case upper(manufacturer)
            when 'DELL' then 'Dell'
            when 'DELL EMC' then 'Dell EMC'
            when 'NVIDIA' then 'NVIDIA'
            else manufacturer
        end as vendor,
        country,
        region,
        continent as continent_reported,
        case
            when
                continent = 'Americas'
                and country in ('Brazil', 'Argentina', 'Chile', 'Colombia', 'Peru', 'Venezuela')
                then 'South America'
            when continent = 'Americas' then 'North America'
            else continent
        end as continent,
        year,
        segment,
        application_area,
        total_cores,
        cores_per_socket,
        accelerator,
        accelerator_cores,
        case
            when accelerator is null or accelerator = 'None' then 'None'
            when (
                accelerator ilike '%nvidia%' or accelerator ilike '%ndiva%' or accelerator ilike '%k20%'
                or accelerator ilike '%k40%' or accelerator ilike '%tesla%'
            )
            and (accelerator ilike '%xeon phi%') then 'Mixed'
            when accelerator ilike '%nvidia%' or accelerator ilike '%tesla%' then 'NVIDIA'
            when accelerator ilike '%xeon phi%' or accelerator ilike '%intel mic%' then 'Intel Xeon Phi'
            when accelerator ilike 'intel%' then 'Intel GPU'
            when accelerator ilike 'amd%' or accelerator ilike 'ati%' then 'AMD'
            when accelerator ilike 'pezy%' then 'PEZY'
            when accelerator ilike '%mn-core%' then 'Preferred Networks MN-Core'
            when accelerator ilike 'matrix-2000%' then 'Matrix-2000'
            when accelerator ilike '%powerxcell%' then 'IBM Cell'
            else 'Other'
        end as accelerator_family,
        rmax_tflops,
        rpeak_tflops,
        hpcg_tflops,
        nmax,
        nhalf,
        power_kw,
        power_source,
        energy_efficiency_gflops_per_w,
        hpl_efficiency_pct,
        processor,
        processor_family,
        processor_technology,
        processor_generation,
        processor_speed_mhz,
        case
            when coalesce(processor_family, processor_technology) is null then 'Unknown'
            when
                coalesce(processor_family, processor_technology) in
                ('Intel IA-64') then 'Itanium'
            when
                coalesce(processor_family, processor_technology) ilike 'intel%'
                and coalesce(processor_family, processor_technology) <> 'Intel i860' then 'x86'
            -- AMD Instinct MI300A is an APU: its CPU cores are x86 (Zen 4), so it counts with x86 below
            when
                coalesce(processor_family, processor_technology) ilike 'amd%'
                or coalesce(processor_family, processor_technology) ilike 'x86%' then 'x86'
            when coalesce(processor_family, processor_technology) in ('Power', 'PowerPC') then 'Power'
            when
                coalesce(processor_family, processor_technology) in
                ('Fujitsu ARM', 'NVIDIA Grace CPU', 'ThunderX2', 'Cavium') then 'ARM'
            when coalesce(processor_family, processor_technology) = 'Sparc' then 'SPARC'
            when
                coalesce(processor_family, processor_technology) in
                ('NEC', 'NEC Vector Engine', 'Cray', 'Fujitsu', 'Hitachi', 'Convex') then 'Vector'
            when coalesce(processor_family, processor_technology) in ('MIPS', 'Alpha', 'PA-RISC')
                then
                    coalesce(processor_family, processor_technology)
            when
                coalesce(processor_family, processor_technology) = 'ShenWei'
                or processor ilike 'shenwei%' or processor ilike 'sunway%' then 'ShenWei'
            else 'Other'
        end as processor_family_group,
        system_family,
        system_model,
        operating_system,
        os_family,
        case
            when os_family in ('Linux', 'Unix', 'Mixed', 'Windows', 'BSD Based') then os_family
            when
                coalesce(os_family, operating_system) is null
                or coalesce(os_family, operating_system) = 'N/A' then 'Unknown'
            when
                regexp_matches(
                    lower(coalesce(os_family, operating_system)),
                    'linux|centos|rhel|red ?hat|suse|sles|ubuntu|cnl|cnk|toss|tri-lab|bullx|cell os|raiseos|calibre|unicos/lc'  -- noqa: LT05
                )
                then 'Linux'
            when lower(coalesce(os_family, operating_system)) like '%windows%' then 'Windows'
            when lower(coalesce(os_family, operating_system)) like '%macos%' then 'BSD Based'
            when regexp_matches(lower(coalesce(os_family, operating_system)), 'mvs|vos3') then 'Mixed'
            else 'Unix'
        end as os_family_group,
        architecture,
        interconnect_family,
        case
            when interconnect_family is null or interconnect_family = 'N/A' then 'Unknown'
            when interconnect_family in ('Gigabit Ethernet', '10G', 'Ethernet', 'Fast Ethernet') then 'Ethernet'
            when interconnect_family = 'Infiniband' then 'InfiniBand'
            when interconnect_family = 'Omnipath' then 'Omni-Path'
            when interconnect_family in ('Myrinet', 'Quadrics') then interconnect_family
            when interconnect_family in (
                'Custom Interconnect', 'Custom', 'Proprietary', 'Proprietary Network',
                'Cray Interconnect', 'SP Switch', 'NUMAlink', 'NUMAflex', 'Crossbar', 'Fat Tree', 'Fireplane',
                'RapidArray', 'PARAMNet'
            ) then 'Custom / proprietary'
            else 'Other'
        end as interconnect_family_group,
        interconnect,
        memory,
        source_file,
        source_sha256,
        loaded_at,
        run_id
    from source

)

select * from renamed
