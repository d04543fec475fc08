-- The one match between Epoch AI GPU-cluster records and TOP500 systems, used by marts.ai_clusters,
-- marts.announced_systems and marts.national_compute: one row per cluster record, the system it is (or NULL)
-- and the listed system that is a part of it (rules and curated decisions in the YAML).
with clusters as (

    select
        *,
        ' ' || trim(regexp_replace(lower(strip_accents(cluster_name)), '[^a-z0-9]+', ' ', 'g')) || ' ' as name_words,
        {{ distinctive_words('cluster_name') }} as distinctive_words,
        regexp_replace(lower(strip_accents(coalesce(owner, ''))), '[^a-z0-9]', '', 'g') as owner_norm
    from {{ ref('int_ai_clusters__operational_periods') }}

),

core_counts as (

    select * from {{ ref('accelerator_core_counts') }}

),

-- every accelerated TOP500 entry, with its GPU count where the family's cores per GPU are known
accelerated_entries as (

    select
        entries.system_key,
        entries.list_date,
        entries.country,
        entries.site,
        entries.name,
        {{ accelerator_family_key('entries.accelerator') }} as accelerator_family,
        round(entries.accelerator_cores / core_counts.cores_per_accelerator) as gpu_count
    from {{ ref('list_entries') }} as entries
    left join core_counts
        on core_counts.accelerator_family = {{ accelerator_family_key('entries.accelerator') }}
    where
        entries.accelerator is not null
        and entries.accelerator <> 'None'

),

-- one row per system and accelerator family (a system that swapped chips has one per family), with every GPU
-- count it has had: a cluster record describes the machine at one time, and a system upgraded later still had
-- that count on its earlier lists, so a later list can add a count but never take one away
listed as (

    select
        system_key,
        accelerator_family,
        any_value(country) as country,
        min(list_date) as first_list_date,
        max(list_date) as last_list_date,
        max(gpu_count) as gpu_count,
        list(distinct gpu_count) filter (where gpu_count is not null) as gpu_counts,
        list(distinct trim(regexp_replace(lower(strip_accents(name)), '[^a-z0-9]+', ' ', 'g')))
        filter (where name is not null and name <> '') as name_words_list,
        list_distinct(flatten(list({{ distinctive_words('name') }}) filter (where name is not null and name <> '')))
            as distinctive_words,
        list(distinct regexp_replace(lower(strip_accents(site)), '[^a-z0-9]', '', 'g')) as site_norm_list
    from accelerated_entries
    group by system_key, accelerator_family

),

-- candidate pairs: a cluster that ran (Existing or Decommissioned, with a first operational date) and a
-- system with the same chip family (one family key contains the other: Epoch's "Intel Data Center GPU Max
-- 1550" is the lists' "Intel Data Center GPU Max"), listed while the cluster ran (still listed six months
-- before its first operational date, first listed before it ended)
pairs as (

    select
        clusters.cluster_id,
        clusters.chip_quantity_primary,
        clusters.first_operational_date,
        clusters.in_supply_until,
        listed.system_key,
        listed.first_list_date,
        listed.gpu_count,
        len(list_intersect(clusters.distinctive_words, listed.distinctive_words)) > 0 as shares_name_word,
        coalesce(listed.country = clusters.country, false) as same_country,
        -- the longest TOP500 name found in the cluster's name as whole words (not a generic word)
        (
            select max(length(words))
            from unnest(listed.name_words_list) as t (words)
            where
                length(replace(words, ' ', '')) >= 4
                and words not in (
                    'superpod', 'dgx superpod', 'supercomputer', 'cluster', 'research', 'phase 1',
                    'phase 2', 'phase 3', 'ai cluster', 'gpu cluster'
                )
                and contains(clusters.name_words, ' ' || words || ' ')
        ) as matched_name_length,
        -- the owner's name within the site ("Samsung" in "Samsung Electronics"), or the site within the owner
        (
            select
                bool_or(
                    length(clusters.owner_norm) >= 3
                    and (contains(site_norm, clusters.owner_norm) or contains(clusters.owner_norm, site_norm))
                )
            from unnest(listed.site_norm_list) as t (site_norm)
        ) as owner_matches_site,
        -- the system's GPU count nearest the cluster's, on any of its lists
        (
            select min(abs(gpu_counts.count - clusters.chip_quantity_primary))
            from unnest(listed.gpu_counts) as gpu_counts (count)
        ) as nearest_count_distance
    from clusters
    inner join listed
        on
            length(clusters.chip_family) >= 3
            and (
                contains(listed.accelerator_family, clusters.chip_family)
                or contains(clusters.chip_family, listed.accelerator_family)
            )
    where
        clusters.status in ('Existing', 'Decommissioned')
        and clusters.first_operational_date is not null
        and listed.last_list_date >= clusters.first_operational_date - interval 6 months
        and (clusters.in_supply_until is null or listed.first_list_date < clusters.in_supply_until)

),

counted as (

    select
        *,
        coalesce(nearest_count_distance <= 0.1 * chip_quantity_primary, false) as count_within_10_pct
    from pairs

),

candidates as (

    select
        *,
        case
            when matched_name_length is not null and same_country then 'name'
            -- the sources may place a system in different countries (Nebius ISEG2: Iceland where it stands,
            -- the Netherlands where Nebius is seated): then the owner and the chip count must agree too
            when matched_name_length is not null and owner_matches_site and count_within_10_pct
                then 'name_owner_chip_count'
            -- a distinctive word of the names in common ("Jupiter, Julich" / "JUPITER Booster", "KT SuperPOD" /
            -- "KT DGX SuperPOD"), the same country and the same chip in the same number (within 10%)
            when shares_name_word and same_country and count_within_10_pct then 'name_word_chip_count'
            -- no name in common: in the same country, the owner's site, the same chip in the same number
            -- (within 10%), first listed within a year before to two years after the cluster's first date
            when
                same_country and owner_matches_site and count_within_10_pct
                and first_list_date between first_operational_date - interval 1 year
                and first_operational_date + interval 2 years then 'owner_chip_count'
        end as match_rule,
        case
            when matched_name_length is not null and same_country then 1
            when matched_name_length is not null and owner_matches_site and count_within_10_pct then 2
            when shares_name_word and same_country and count_within_10_pct then 3
            else 4
        end as rule_strength,
        coalesce(nearest_count_distance, 1e9) as count_distance,
        abs(date_diff('day', first_operational_date, first_list_date)) as date_distance
    from counted

),

-- each cluster's best system: the stronger rule (in the order above), a longer name before a shorter
-- ("SSC-21 Scalable Module" before "SSC-21"), then the nearer GPU count, then the nearer first list; two
-- systems equally good leave the cluster unmatched (never a guess)
best_system as (

    select *
    from (
        select
            *,
            row_number() over (
                partition by cluster_id
                order by rule_strength, matched_name_length desc nulls last, count_distance, date_distance
            ) as preference,
            count(*) over (
                partition by cluster_id, rule_strength, matched_name_length, count_distance, date_distance
            ) as equally_good
        from candidates
        where match_rule is not null
    ) as ranked
    where preference = 1 and equally_good = 1

),

-- a system is one cluster at a time: of two in-supply clusters matched to one system whose operational
-- periods overlap (phases that supersede each other do not), only the better match keeps it (Azure's
-- Voyager-EUS2 by name, not the "ND A100 v4" offering by owner, chip and count)
overlapping_weaker as (

    select weaker.cluster_id
    from best_system as weaker
    inner join clusters as weaker_cluster on weaker_cluster.cluster_id = weaker.cluster_id
    inner join best_system as stronger
        on
            stronger.system_key = weaker.system_key
            and stronger.cluster_id <> weaker.cluster_id
    inner join clusters as stronger_cluster on stronger_cluster.cluster_id = stronger.cluster_id
    where
        weaker_cluster.is_in_supply
        and stronger_cluster.is_in_supply
        and weaker_cluster.in_supply_from < coalesce(stronger_cluster.in_supply_until, date '9999-12-31')
        and stronger_cluster.in_supply_from < coalesce(weaker_cluster.in_supply_until, date '9999-12-31')
        and (
            -stronger.rule_strength, coalesce(stronger.matched_name_length, 0), -stronger.count_distance,
            -stronger.date_distance
        )
        > (
            -weaker.rule_strength, coalesce(weaker.matched_name_length, 0), -weaker.count_distance,
            -weaker.date_distance
        )

),

-- the curated decisions (seed cluster_system_decisions; each names one record) override the rules, for the
-- systems of the loaded lists (a partial source may not hold the system a decision names)
decisions as (

    select
        clusters.cluster_id,
        decisions.system_key,
        decisions.decision
    from {{ ref('cluster_system_decisions') }} as decisions
    inner join clusters using (cluster_name)
    where decisions.system_key in (select listed.system_key from listed)

),

automatic as (

    select best_system.*
    from best_system
    where best_system.cluster_id not in (select overlapping_weaker.cluster_id from overlapping_weaker)

),

-- a curated system's first list and GPU count (any chip family)
system_firsts as (

    select
        system_key,
        min(first_list_date) as first_list_date,
        max(gpu_count) as gpu_count
    from listed
    group by system_key

)

select
    clusters.cluster_id,
    clusters.cluster_name,
    clusters.country,
    case
        when curated.system_key is not null then curated.system_key
        when overruled.cluster_id is null then automatic.system_key
    end as top500_system_key,
    case
        when curated.system_key is not null then 'curated'
        when overruled.cluster_id is null then automatic.match_rule
    end as top500_match_rule,
    case
        when curated.system_key is not null then curated_first.first_list_date
        when overruled.cluster_id is null then automatic.first_list_date
    end as top500_first_list_date,
    case
        when curated.system_key is not null then curated_first.gpu_count
        when overruled.cluster_id is null then automatic.gpu_count
    end as top500_gpu_count,
    partial.system_key as top500_partial_system_key
from clusters
left join automatic on automatic.cluster_id = clusters.cluster_id
left join decisions as curated
    on curated.cluster_id = clusters.cluster_id and curated.decision = 'matched'
-- any other decision on the pair the rules found drops that match
left join decisions as overruled
    on
        overruled.cluster_id = clusters.cluster_id
        and overruled.system_key = automatic.system_key
        and overruled.decision <> 'matched'
left join decisions as partial
    on partial.cluster_id = clusters.cluster_id and partial.decision = 'partial'
left join system_firsts as curated_first on curated_first.system_key = curated.system_key
