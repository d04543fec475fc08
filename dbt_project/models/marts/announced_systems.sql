-- AI systems that never ran HPL for the list, placed on the list they would have entered. Datasheet peaks
-- (accelerator_specs x count) and the HPL estimate (count x observed Rmax per accelerator of listed systems with
-- the same chip family) are separate measures: a datasheet peak is not an Rmax.
with curated as (
    select * from {{ ref('announced_ai_systems') }}
),

listed_gpu_systems as (
    select * from {{ ref('int_announced__listed_gpu_systems') }}
    where is_plausible_count
),

entries as (
    select * from {{ ref('list_entries') }}
),

specs as (
    select * from {{ ref('accelerator_specs') }}
),

matches as (
    select * from {{ ref('int_ai_clusters__top500_matches') }}
),

epoch_candidates as (
    select
        clusters.cluster_id as system_id,
        clusters.cluster_name as system_name,
        'epoch_gpu_clusters' as record_source,
        clusters.owner,
        clusters.country,
        clusters.chip_type_primary as accelerator,
        (clusters.chip_quantity_primary)::integer as accelerator_count,
        clusters.first_operational_date as announced_date,
        'Epoch AI, "AI supercomputers" (GPU clusters), CC BY 4.0; certainty ' || clusters.certainty as citation,
        -- the same cluster recorded twice with every figure equal (Meta GenAI 2024a and 2024b) is one row
        count(*) over identical as identical_records,
        row_number() over (identical order by clusters.cluster_name, clusters.source_line) as identical_record_no
    from {{ ref('int_ai_clusters__operational_periods') }} as clusters
    inner join {{ ref('stg_epoch__gpu_clusters') }} as staged using (cluster_id)
    inner join matches using (cluster_id)
    -- confirmed, existing, single private clusters of one known chip; "Paper on ..." rows are training runs
    where
        clusters.status = 'Existing'
        and clusters.certainty = 'Confirmed'
        and staged.single_cluster = 'Yes'
        and clusters.sector = 'Private'
        and clusters.chip_type_primary is not null
        and staged.chip_type_secondary is null
        and clusters.chip_quantity_primary > 0
        and clusters.first_operational_date is not null
        and clusters.cluster_name not like 'Paper on %'
        and clusters.cluster_name not in (
            select epoch_cluster_name from curated
            where epoch_cluster_name is not null
        )
        -- announced means never listed: a cluster the shared match finds on the TOP500 is not announced
        and matches.top500_system_key is null
        -- nor is a record Epoch flags as a possible duplicate of another
        and not clusters.is_possible_duplicate
    window identical as (
        partition by
            clusters.owner, clusters.country, clusters.chip_type_primary, clusters.chip_quantity_primary,
            clusters.first_operational_date
    )
),

epoch as (
    select * exclude (identical_record_no)
    from epoch_candidates
    where identical_record_no = 1
),

systems as (
    select
        md5('curated|' || system_name) as system_id,
        system_name,
        'curated' as record_source,
        owner,
        country,
        accelerator,
        accelerator_count,
        announced_date,
        citation,
        1 as identical_records
    from curated
    union all
    select * from epoch
),

per_family as (
    select
        accelerator_family,
        count(*) as reference_systems,
        median(rmax_per_gpu_tflops) as rmax_per_accelerator_median,
        min(rmax_per_gpu_tflops) as rmax_per_accelerator_min,
        max(rmax_per_gpu_tflops) as rmax_per_accelerator_max,
        quantile_cont(rmax_per_gpu_tflops, 0.25) as rmax_per_accelerator_p25,
        quantile_cont(rmax_per_gpu_tflops, 0.75) as rmax_per_accelerator_p75
    from listed_gpu_systems
    group by accelerator_family
),

lists as (
    select distinct list_date, list_label from entries
),

estimated as (
    select
        systems.*,
        {{ accelerator_family_key('systems.accelerator') }} as accelerator_family,
        specs.fp64_vector_tflops * systems.accelerator_count as peak_fp64_vector_tflops,
        specs.fp64_tensor_tflops * systems.accelerator_count as peak_fp64_tensor_tflops,
        -- the chip's dense 16-bit tensor peak: BF16 where the chip has it, FP16 where it has none (V100)
        specs.bf16_dense_tflops * systems.accelerator_count as peak_16bit_dense_tflops,
        per_family.reference_systems,
        per_family.rmax_per_accelerator_median,
        per_family.rmax_per_accelerator_min,
        per_family.rmax_per_accelerator_max,
        systems.accelerator_count * per_family.rmax_per_accelerator_median as est_rmax_tflops,
        systems.accelerator_count * per_family.rmax_per_accelerator_min as est_rmax_tflops_low,
        systems.accelerator_count * per_family.rmax_per_accelerator_max as est_rmax_tflops_high,
        systems.accelerator_count * per_family.rmax_per_accelerator_p25 as est_rmax_tflops_p25,
        systems.accelerator_count * per_family.rmax_per_accelerator_p75 as est_rmax_tflops_p75,
        -- the first list after the announcement (the latest list when none came after)
        coalesce(
            (
                select min(list_date) from lists
                where lists.list_date > systems.announced_date
            ),
            (select max(list_date) from lists)
        ) as compared_list_date
    from systems
    left join specs on specs.spec_name = systems.accelerator
    inner join per_family
        on per_family.accelerator_family = {{ accelerator_family_key('systems.accelerator') }}
),

ranked as (
    select
        estimated.system_id,
        count(*) filter (where entries.rmax_tflops > estimated.est_rmax_tflops) + 1 as would_rank,
        count(*) filter (where entries.rmax_tflops > estimated.est_rmax_tflops_high) + 1 as would_rank_best,
        count(*) filter (where entries.rmax_tflops > estimated.est_rmax_tflops_low) + 1 as would_rank_worst
    from estimated
    inner join entries on entries.list_date = estimated.compared_list_date
    group by estimated.system_id
),

nearest as (
    select
        estimated.system_id,
        entries.system_name as nearest_listed_system,
        entries.site as nearest_listed_site,
        entries.rank as nearest_listed_rank,
        entries.rmax_tflops as nearest_listed_rmax_tflops
    from estimated
    inner join entries on entries.list_date = estimated.compared_list_date
    qualify row_number() over (
        partition by estimated.system_id
        order by abs(ln(entries.rmax_tflops / estimated.est_rmax_tflops)), entries.rank
    ) = 1
),

-- a listed system like it: same chip family and country, GPU count within 10%. One answer: the nearest GPU
-- count, then the one listed nearest the announcement, then the lower system_key
similar_listed as (
    select
        estimated.system_id,
        listed.system_name as similar_listed_system
    from estimated
    inner join {{ ref('int_announced__listed_gpu_systems') }} as listed
        on
            listed.accelerator_family = estimated.accelerator_family
            and listed.country = estimated.country
            and abs(listed.gpu_count - estimated.accelerator_count) <= 0.1 * estimated.accelerator_count
    qualify row_number() over (
        partition by estimated.system_id
        order by
            abs(listed.gpu_count - estimated.accelerator_count),
            abs(date_diff('day', estimated.announced_date, listed.list_date)), listed.system_key
    ) = 1
)

select
    estimated.system_id,
    estimated.system_name,
    estimated.record_source,
    estimated.owner,
    estimated.country,
    country_codes.country_code,
    estimated.announced_date,
    estimated.accelerator,
    estimated.accelerator_family,
    estimated.accelerator_count,
    estimated.peak_fp64_vector_tflops,
    estimated.peak_fp64_tensor_tflops,
    estimated.peak_16bit_dense_tflops,
    estimated.reference_systems,
    estimated.rmax_per_accelerator_median,
    estimated.rmax_per_accelerator_min,
    estimated.rmax_per_accelerator_max,
    estimated.est_rmax_tflops,
    estimated.est_rmax_tflops_low,
    estimated.est_rmax_tflops_high,
    estimated.est_rmax_tflops_p25,
    estimated.est_rmax_tflops_p75,
    estimated.compared_list_date,
    lists.list_label as compared_list_label,
    estimated.compared_list_date <= estimated.announced_date as is_compared_with_earlier_list,
    ranked.would_rank,
    ranked.would_rank_best,
    ranked.would_rank_worst,
    nearest.nearest_listed_system,
    nearest.nearest_listed_site,
    nearest.nearest_listed_rank,
    nearest.nearest_listed_rmax_tflops,
    similar_listed.similar_listed_system,
    estimated.identical_records,
    estimated.citation
from estimated
inner join lists on lists.list_date = estimated.compared_list_date
inner join ranked using (system_id)
inner join nearest using (system_id)
left join similar_listed using (system_id)
left join {{ ref('country_codes') }} as country_codes on country_codes.country = estimated.country
