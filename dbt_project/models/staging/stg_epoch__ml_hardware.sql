-- Epoch ML hardware, one row per accelerator; peaks already in TFlop/s (raw loader divides FLOP/s by 1e12).
with source as (
    select * from {{ source('raw', 'epoch_ml_hardware') }}
),

renamed as (
    select
        hardware_name,
        manufacturer,
        hardware_type,
        release_date,
        release_price_usd,
        fp64_tflops,
        fp32_tflops,
        tf32_tflops,
        fp16_tflops,
        tensor_fp16_bf16_tflops,
        fp8_tflops,
        fp4_tflops,
        int8_tops,
        memory_bytes / 1e9 as memory_gb,
        memory_bandwidth_bytes_per_s / 1e9 as memory_bandwidth_gb_per_s,
        intranode_bandwidth_bytes_per_s / 1e9 as intranode_bandwidth_gb_per_s,
        internode_bandwidth_bits_per_s / 1e9 as internode_bandwidth_gbit_per_s,
        tdp_w,
        foundry,
        process_size_nm,
        transistors_millions,
        datasheet_url,
        last_modified,
        source_file,
        loaded_at
    from source
)

select * from renamed
