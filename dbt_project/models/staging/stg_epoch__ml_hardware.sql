-- Epoch ML hardware, one row per accelerator; peaks already in TFlop/s (raw loader divides FLOP/s by 1e12).
-- The raw columns are declared once (flows/sources/epoch.py); here only bytes become GB and bits Gbit.
with source as (
    select * from {{ source('raw', 'epoch_ml_hardware') }}
)

select
    * exclude (
        memory_bytes,
        memory_bandwidth_bytes_per_s,
        intranode_bandwidth_bytes_per_s,
        internode_bandwidth_bits_per_s,
        source_line,
        original,
        source_sha256,
        run_id
    ),
    memory_bytes / 1e9 as memory_gb,
    memory_bandwidth_bytes_per_s / 1e9 as memory_bandwidth_gb_per_s,
    intranode_bandwidth_bytes_per_s / 1e9 as intranode_bandwidth_gb_per_s,
    internode_bandwidth_bits_per_s / 1e9 as internode_bandwidth_gbit_per_s
from source
