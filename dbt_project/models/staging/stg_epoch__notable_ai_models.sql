-- Epoch notable AI models, one row per model; compute in FLOP, hardware names as in ml_hardware.
-- The raw columns are declared once (flows/sources/ai_compute.py).
with source as (
    select * from {{ source('raw', 'epoch_notable_ai_models') }}
)

select
    * exclude (is_frontier_model, source_line, original, source_sha256, run_id),
    training_compute_flop / 8.64e19 as training_compute_petaflop_s_days,
    coalesce(is_frontier_model, false) as is_frontier_model
from source
