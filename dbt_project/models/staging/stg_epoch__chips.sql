-- Epoch chip database, one row per hardware name: the snapshot repeats 6 names (a curated row and a
-- stub), so keep the row Epoch marked as ML hardware, else the more complete/most recently modified one.
with source as (
    select * from {{ source('raw', 'epoch_chips') }}
    where hardware_name is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by hardware_name
            order by
                coalesce(is_ml_hardware, false) desc,
                (fp64_tflops is not null)::int + (fp32_tflops is not null)::int + (release_date is not null)::int desc,
                last_modified desc nulls last,
                source_line
        ) as name_rank
    from source
),

renamed as (
    select
        * exclude (
            hardware_type,
            is_ml_hardware,
            memory_bytes,
            memory_bandwidth_bytes_per_s,
            intranode_bandwidth_bytes_per_s,
            internode_bandwidth_bits_per_s,
            name_rank,
            source_line,
            original,
            source_sha256,
            run_id
        ),
        nullif(hardware_type, '') as hardware_type,
        coalesce(hardware_type = 'CPU', false) and hardware_name not ilike '%xeon phi%' as is_cpu,
        coalesce(is_ml_hardware, false) as is_ml_hardware,
        memory_bytes / 1e9 as memory_gb,
        memory_bandwidth_bytes_per_s / 1e9 as memory_bandwidth_gb_per_s,
        internode_bandwidth_bits_per_s / 1e9 as internode_bandwidth_gbit_per_s
    from ranked
    where name_rank = 1
)

select * from renamed
