-- Per TOP500 list: how much of the accelerated performance has an H100-equivalent estimate, and which
-- accelerators have none (see the YAML). A new accelerator no spec knows lowers the share; it never fails a run.
with entries as (

    select
        h100e.*,
        -- the list an accelerator string first appears on, and the first list loaded (on which nothing is new)
        min(h100e.list_date) over (partition by h100e.accelerator) as accelerator_first_list_date,
        min(h100e.list_date) over () as first_list_date
    from {{ ref('int_top500__h100_equivalents') }} as h100e

),

lists as (

    select
        list_date,
        count(*) filter (where is_accelerated) as accelerated_entries,
        count(*) filter (where is_accelerated and h100e > 0) as estimated_entries,
        count(*) filter (where is_accelerated and h100e_method = 'gpus_from_rpeak') as estimated_from_rpeak_entries,
        count(*) filter (where exceeds_cpu_rpeak_per_core and (accelerator is null or accelerator = 'None'))
            as unprinted_accelerator_entries,
        coalesce(sum(rmax_tflops) filter (where is_accelerated), 0) as accelerated_rmax_tflops,
        coalesce(sum(rmax_tflops) filter (where is_accelerated and h100e > 0), 0) as estimated_rmax_tflops,
        coalesce(sum(h100e), 0) as h100e
    from entries
    group by list_date

),

-- the accelerators without an estimate on each list, the largest Rmax first
unestimated as (

    select
        list_date,
        string_agg(
            coalesce(accelerator, '(none printed)') || ' (' || h100e_method || ')', '; '
            order by rmax_tflops desc, accelerator
        ) as unestimated_accelerators,
        string_agg(distinct accelerator, '; ' order by accelerator)
        filter (where accelerator_first_list_date = list_date and list_date > first_list_date)
            as new_unestimated_accelerators
    from (
        select
            list_date,
            accelerator,
            h100e_method,
            accelerator_first_list_date,
            first_list_date,
            sum(rmax_tflops) as rmax_tflops
        from entries
        where is_accelerated and h100e is null
        group by all
    ) as per_accelerator
    group by list_date

)

select
    lists.list_date,
    strftime(lists.list_date, '%Y-%m') as list_label,
    lists.accelerated_entries::integer as accelerated_entries,
    lists.estimated_entries::integer as estimated_entries,
    lists.estimated_from_rpeak_entries::integer as estimated_from_rpeak_entries,
    lists.unprinted_accelerator_entries::integer as unprinted_accelerator_entries,
    lists.accelerated_rmax_tflops::double as accelerated_rmax_tflops,
    lists.estimated_rmax_tflops::double as estimated_rmax_tflops,
    (lists.estimated_rmax_tflops / nullif(lists.accelerated_rmax_tflops, 0))::double as rmax_share_estimated,
    lists.h100e::double as h100e,
    unestimated.unestimated_accelerators,
    unestimated.new_unestimated_accelerators
from lists
left join unestimated using (list_date)
