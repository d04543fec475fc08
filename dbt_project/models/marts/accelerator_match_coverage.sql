-- How much of the accelerated performance on the lists since 2012-06 has a matched spec (goal >= 95% of Rmax).
-- One row; none when no list since 2012-06 is loaded.
with entries as (
    select
        entries.list_date,
        entries.rmax_tflops,
        matches.accelerator_spec_name is not null as is_matched
    from {{ ref('stg_top500__list_entries') }} as entries
    inner join {{ ref('int_accelerator_spec_matches') }} as matches on matches.accelerator = entries.accelerator
    where entries.list_date >= date '2012-06-01'
),

summary as (
    select
        date '2012-06-01' as since_list_date,
        max(list_date) as latest_list_date,
        count(*) as accelerated_entries,
        count(*) filter (where is_matched) as matched_entries,
        sum(rmax_tflops) as accelerated_rmax_tflops,
        coalesce(sum(rmax_tflops) filter (where is_matched), 0) as matched_rmax_tflops
    from entries
)

select
    since_list_date,
    latest_list_date,
    accelerated_entries,
    matched_entries,
    accelerated_rmax_tflops,
    matched_rmax_tflops,
    matched_rmax_tflops / accelerated_rmax_tflops as rmax_share_matched,
    matched_entries::double / accelerated_entries as entry_share_matched,
    0.95::double as rmax_share_goal,
    matched_rmax_tflops / accelerated_rmax_tflops >= 0.95 as meets_goal
from summary
-- no row at all when no list since 2012-06 is loaded (a partial source): a share of nothing is not 0%
where accelerated_entries > 0
