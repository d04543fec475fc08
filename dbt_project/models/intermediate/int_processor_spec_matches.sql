-- One row per distinct processor string on the lists, with the spec it means: curated per-node facts
-- (A64FX, matched with cores and clock) first, then Epoch chip-database rows by normalized name
-- (cores and clock dropped). Epoch CPU rows carry release date, TDP and process, not FLOP/s.
with processors as (
    select distinct processor
    from {{ ref('stg_top500__list_entries') }}
    where processor is not null
),

facts as (
    select *, {{ processor_key('processor_name', with_clock=true) }} as clock_key
    from {{ ref('processor_peak_facts') }}
),

chips as (
    select
        hardware_name,
        release_date,
        tdp_w,
        process_size_nm,
        {{ processor_key('hardware_name') }} as name_key,
        row_number() over (
            partition by {{ processor_key('hardware_name') }}
            order by is_cpu desc, release_date desc nulls last, hardware_name
        ) as key_rank
    from {{ ref('stg_epoch__chips') }}
    where is_cpu or hardware_name ilike '%xeon phi%'
),

keyed as (
    select
        processor,
        {{ processor_key('processor', with_clock=true) }} as clock_key,
        {{ processor_key('processor') }} as name_key
    from processors
),

final as (
    select
        keyed.processor,
        coalesce(facts.processor_name, chips.hardware_name) as processor_spec_name,
        case
            when facts.processor_name is not null then 'curated'
            when chips.hardware_name is not null then 'normalized'
            else 'unmatched'
        end as match_rule,
        case
            when facts.processor_name is not null then 'processor_peak_facts'
            when chips.hardware_name is not null then 'epoch_chips'
        end as spec_source,
        chips.release_date as spec_release_date,
        chips.tdp_w as spec_tdp_w,
        chips.process_size_nm as spec_process_size_nm,
        facts.fp64_peak_tflops_per_node
    from keyed
    left join facts on facts.clock_key = keyed.clock_key
    left join chips on chips.name_key = keyed.name_key and chips.key_rank = 1 and keyed.name_key <> ''
)

select * from final
