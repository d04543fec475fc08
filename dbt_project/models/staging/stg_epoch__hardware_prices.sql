-- Epoch hardware prices: one row per price observation (purchase or cloud rental).
-- The raw columns are declared once (flows/sources/epoch.py).
with source as (
    select * from {{ source('raw', 'epoch_hardware_prices') }}
)

select
    md5(concat_ws('|', source_file, source_line::varchar)) as price_id,
    * exclude (source_line, original, source_sha256, run_id)
from source
