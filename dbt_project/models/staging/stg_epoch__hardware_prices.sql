-- Epoch hardware prices: one row per price observation (purchase or cloud rental).
with source as (
    select * from {{ source('raw', 'epoch_hardware_prices') }}
),

renamed as (
    select
        md5(concat_ws('|', source_file, source_line::varchar)) as price_id,
        hardware_model,
        manufacturer,
        price_date,
        vendor,
        location,
        price_source,
        purchase_price_usd,
        price_per_chip_hour_on_demand_usd,
        price_per_chip_hour_1y_commit_usd,
        price_per_chip_hour_3y_commit_usd,
        number_of_gpus,
        cloud_gpu_description,
        notes,
        source_file,
        loaded_at
    from source
)

select * from renamed
