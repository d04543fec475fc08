{{ config(severity='warn') }}
-- A curated decision (seed cluster_system_decisions) whose cluster is not in the loaded Epoch file (renamed or
-- removed in a newer snapshot) decides nothing: named here as a warning, so the seed can be brought up to date,
-- while the run goes on.
select decisions.cluster_name, decisions.system_name, decisions.decision
from {{ ref('cluster_system_decisions') }} as decisions
where decisions.cluster_name not in (select clusters.cluster_name from {{ ref('stg_epoch__gpu_clusters') }} as clusters)
