-- Accelerator strings with no spec, largest Rmax first: the worklist for new aliases or curated facts.
with entries as (
    select entries.*
    from {{ ref('stg_top500__list_entries') }} as entries
    inner join {{ ref('int_accelerator_spec_matches') }} as matches on matches.accelerator = entries.accelerator
    where matches.accelerator_spec_name is null
),

summary as (
    select
        accelerator,
        count(*) as entry_count,
        count(distinct list_date) as list_count,
        min(list_date) as first_list_date,
        max(list_date) as last_list_date,
        sum(rmax_tflops) as total_rmax_tflops,
        coalesce(sum(rmax_tflops) filter (where list_date >= date '2012-06-01'), 0) as rmax_tflops_since_2012_06,
        max(rmax_tflops) as max_rmax_tflops,
        min(rank) as best_rank
    from entries
    group by accelerator
)

select
    row_number() over (order by rmax_tflops_since_2012_06 desc, total_rmax_tflops desc, accelerator) as unmatched_rank,
    *
from summary
