-- Epoch notable AI models, one row per model; compute in FLOP, hardware names as in ml_hardware.
with source as (
    select * from {{ source('raw', 'epoch_notable_ai_models') }}
),

renamed as (
    select
        model,
        organization,
        publication_date,
        domain,
        task,
        parameters,
        training_compute_flop,
        training_compute_flop / 8.64e19 as training_compute_petaflop_s_days,
        training_dataset_size,
        confidence,
        organization_categorization,
        country,
        training_time_hours,
        training_hardware,
        hardware_quantity,
        hardware_utilization,
        training_compute_cost_2023_usd,
        training_power_draw_w,
        finetune_compute_flop,
        model_accessibility,
        numerical_format,
        coalesce(is_frontier_model, false) as is_frontier_model,
        source_file,
        loaded_at
    from source
)

select * from renamed
