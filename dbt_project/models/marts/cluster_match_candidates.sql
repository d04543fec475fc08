-- Epoch AI clusters and TOP500 systems that may be the same hardware, found systematically (same country, an
-- owner word in the site, the same chip family, the system first listed within a year of the cluster's first
-- operational date), with how each pair is decided: a curated decision, the matching rules, or not yet (see
-- the YAML). The curated pairs are listed whether or not the search finds them.
with clusters as (

    select
        periods.*,
        {{ organisation_words('periods.owner') }} as owner_words
    from {{ ref('int_ai_clusters__operational_periods') }} as periods
    where periods.is_in_supply

),

entries as (

    select
        system_key,
        list_date,
        system_name,
        site,
        country,
        {{ accelerator_family_key('accelerator') }} as accelerator_family,
        accelerator_cores
    from {{ ref('list_entries') }}
    where accelerator is not null and accelerator <> 'None'

),

-- one row per system and chip family: when it was listed with it, where, and its most GPUs
systems as (

    select
        entries.system_key,
        entries.accelerator_family,
        any_value(entries.country) as country,
        arg_max(entries.system_name, entries.list_date) as system_name,
        arg_max(entries.site, entries.list_date) as site,
        min(entries.list_date) as first_list_date,
        max(entries.list_date) as last_list_date,
        max(round(entries.accelerator_cores / core_counts.cores_per_accelerator))::integer as gpu_count,
        list_distinct(flatten(list({{ organisation_words('entries.site') }}))) as site_words
    from entries
    left join {{ ref('accelerator_core_counts') }} as core_counts
        on core_counts.accelerator_family = entries.accelerator_family
    group by entries.system_key, entries.accelerator_family

),

searched as (

    select
        clusters.cluster_id,
        systems.system_key,
        min(systems.first_list_date) as system_first_list_date,
        max(systems.last_list_date) as system_last_list_date,
        max(systems.gpu_count) as system_gpu_count,
        list_distinct(flatten(list(list_intersect(clusters.owner_words, systems.site_words)))) as shared_words
    from clusters
    inner join systems
        on
            systems.country = clusters.country
            and length(clusters.chip_family) >= 3
            and (
                contains(systems.accelerator_family, clusters.chip_family)
                or contains(clusters.chip_family, systems.accelerator_family)
            )
            and len(list_intersect(clusters.owner_words, systems.site_words)) > 0
            and systems.first_list_date
            between clusters.first_operational_date - interval 1 year
            and clusters.first_operational_date + interval 1 year
    group by clusters.cluster_id, systems.system_key

),

decisions as (

    select
        clusters.cluster_id,
        decisions.*
    from {{ ref('cluster_system_decisions') }} as decisions
    inner join {{ ref('int_ai_clusters__operational_periods') }} as clusters using (cluster_name)

),

pairs as (

    select cluster_id, system_key from searched
    union
    select cluster_id, system_key from decisions

),

system_facts as (

    select
        system_key,
        arg_max(system_name, list_date) as system_name,
        arg_max(site, list_date) as site,
        min(list_date) as first_list_date,
        max(list_date) as last_list_date
    from {{ ref('list_entries') }}
    group by system_key

)

select
    pairs.cluster_id,
    periods.cluster_name,
    periods.owner as cluster_owner,
    periods.country,
    country_codes.country_code,
    periods.chip_type_primary as cluster_chip,
    periods.chip_quantity_primary::double as cluster_chip_count,
    periods.h100e::double as cluster_h100e,
    periods.first_operational_date as cluster_first_operational_date,
    pairs.system_key,
    system_facts.system_name,
    system_facts.site as system_site,
    searched.system_gpu_count,
    coalesce(searched.system_first_list_date, system_facts.first_list_date) as system_first_list_date,
    coalesce(searched.system_last_list_date, system_facts.last_list_date) as system_last_list_date,
    date_diff(
        'month', periods.first_operational_date, coalesce(searched.system_first_list_date, system_facts.first_list_date)
    )::integer
        as months_from_cluster_to_list,
    array_to_string(searched.shared_words, ', ') as shared_owner_words,
    searched.cluster_id is not null as is_found_by_search,
    case
        when decisions.decision is not null then decisions.decision
        when matches.top500_system_key = pairs.system_key then 'matched'
        when matches.top500_system_key is not null then 'cluster_matched_elsewhere'
        else 'undecided'
    end as decision,
    case
        when decisions.decision is not null then 'curated'
        when matches.top500_system_key = pairs.system_key then 'rule ' || matches.top500_match_rule
    end as decided_by,
    decisions.evidence,
    decisions.citation
from pairs
inner join {{ ref('int_ai_clusters__operational_periods') }} as periods using (cluster_id)
inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
inner join system_facts using (system_key)
left join searched using (cluster_id, system_key)
left join decisions using (cluster_id, system_key)
left join {{ ref('country_codes') }} as country_codes on country_codes.country = periods.country
