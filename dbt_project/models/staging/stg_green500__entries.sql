-- The official Green500 lists, one row per list x Green500 rank as printed; only the entries the list
-- ranks by an efficiency (from 2017-11 the files also list the TOP500 systems without one, unranked).
with source as (
    select * from {{ source('raw', 'green500_entries') }}
    where energy_efficiency_gflops_per_w is not null
)

select
    * exclude (original, source_sha256, run_id),
    strftime(list_date, '%Y-%m') as list_label,
    coalesce(nullif(name, ''), computer) as system_name
from source
