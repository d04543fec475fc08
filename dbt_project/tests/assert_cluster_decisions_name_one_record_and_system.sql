-- Every curated decision (seed cluster_system_decisions) names at most one Epoch record of the loaded file (a
-- name that repeats would decide several records) and a TOP500 system that carries the name the seed gives (a
-- mistyped system key that is another system's). Checked when a list the system is on is loaded (a partial
-- source may lack them). A decision whose cluster or system is not loaded at all decides nothing: a warning
-- (assert_cluster_decisions_find_their_records), not a failed run.
with decisions as (
    select * from {{ ref('cluster_system_decisions') }}
),

records as (
    select cluster_name, count(*) as records
    from {{ ref('stg_epoch__gpu_clusters') }}
    group by cluster_name
),

systems as (
    select system_key, list(distinct system_name) as names
    from {{ ref('list_entries') }}
    group by system_key
)

select
    decisions.cluster_name,
    decisions.system_key,
    coalesce(records.records, 0) as records,
    systems.names
from decisions
left join records using (cluster_name)
left join systems using (system_key)
where
    records.records > 1
    or not list_contains(systems.names, decisions.system_name)
