-- Where the loaded Epoch GPU-cluster file's data starts and ends: the first and last first-operational dates of
-- a cluster that ran (see the YAML). One row.
select
    min(first_operational_date) as epoch_data_from,
    max(first_operational_date) as epoch_data_until
from {{ ref('stg_epoch__gpu_clusters') }}
where status in ('Existing', 'Decommissioned')
