-- One unit on both sides: a TOP500 system and the Epoch cluster it is (the one match, rules and curated) agree
-- in H100-equivalents within 10% on every list date the cluster is operational and the Epoch data covers, where
-- the listed entry has an estimate; a pair that differs more must be decided in seed cluster_system_decisions,
-- whose evidence says why (an HPL run on part of the machine, a phase Epoch dates after the list). Frontier,
-- Sierra, Aurora, Perlmutter and El Capitan are among the pairs checked.
with coverage as (
    select max(first_operational_date) as epoch_data_until
    from {{ ref('int_ai_clusters__operational_periods') }}
    where status in ('Existing', 'Decommissioned')
),

pairs as (
    select
        clusters.cluster_name,
        clusters.h100e as cluster_h100e,
        entries.list_date,
        entries.system_key,
        entries.h100e as listed_h100e
    from {{ ref('int_ai_clusters__operational_periods') }} as clusters
    inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
    inner join {{ ref('int_top500__h100_equivalents') }} as entries
        on entries.system_key = matches.top500_system_key
    cross join coverage
    where
        clusters.is_in_supply
        and entries.list_date >= clusters.in_supply_from
        and (clusters.in_supply_until is null or entries.list_date < clusters.in_supply_until)
        and entries.list_date <= coverage.epoch_data_until
        and entries.h100e > 0
        and clusters.h100e > 0
)

select
    pairs.cluster_name,
    pairs.system_key,
    pairs.list_date,
    pairs.listed_h100e,
    pairs.cluster_h100e,
    pairs.listed_h100e / pairs.cluster_h100e as ratio
from pairs
left join {{ ref('cluster_system_decisions') }} as decisions
    on decisions.cluster_name = pairs.cluster_name and decisions.system_key = pairs.system_key
where
    abs(pairs.listed_h100e / pairs.cluster_h100e - 1) > 0.10
    and decisions.cluster_name is null
