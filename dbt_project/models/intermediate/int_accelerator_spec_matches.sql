-- One row per distinct accelerator string on the lists, with the spec row it means and the rule that
-- matched. Rules, strongest first: exact name, curated alias, normalized name, variant (memory/power/
-- packaging dropped), family (form factor dropped too). Within a rule the spec with the best
-- match_priority wins (curated facts, then Epoch ML hardware, then the chip database).
with accelerators as (
    select distinct accelerator
    from {{ ref('stg_top500__list_entries') }}
    where accelerator is not null
),

specs as (
    select * from {{ ref('int_accelerator_specs') }}
),

keyed as (
    select
        accelerator,
        {{ accelerator_normalized_key('accelerator') }} as normalized_key,
        {{ accelerator_variant_key('accelerator') }} as variant_key,
        {{ accelerator_family_key('accelerator') }} as family_key
    from accelerators
),

candidates as (
    select keyed.accelerator, specs.spec_name, 'exact' as match_rule, 1 as rule_order, specs.match_priority
    from keyed inner join specs on specs.spec_name = keyed.accelerator

    union all
    select keyed.accelerator, specs.spec_name, 'alias', 2, specs.match_priority
    from keyed
    inner join {{ ref('accelerator_aliases') }} as aliases on aliases.accelerator = keyed.accelerator
    inner join specs on specs.spec_name = aliases.spec_name

    union all
    select keyed.accelerator, specs.spec_name, 'normalized', 3, specs.match_priority
    from keyed inner join specs on specs.normalized_key = keyed.normalized_key
    where keyed.normalized_key <> ''

    union all
    select keyed.accelerator, specs.spec_name, 'variant', 4, specs.match_priority
    from keyed inner join specs on specs.variant_key = keyed.variant_key
    where keyed.variant_key <> ''

    union all
    select keyed.accelerator, specs.spec_name, 'family', 5, specs.match_priority
    from keyed inner join specs on specs.family_key = keyed.family_key
    where keyed.family_key <> ''
),

best as (
    select *
    from candidates
    qualify row_number() over (partition by accelerator order by rule_order, match_priority) = 1
),

final as (
    select
        accelerators.accelerator,
        best.spec_name as accelerator_spec_name,
        coalesce(best.match_rule, 'unmatched') as match_rule,
        specs.spec_source,
        specs.manufacturer as spec_manufacturer,
        specs.release_date as spec_release_date,
        specs.fp64_vector_tflops,
        specs.fp64_tensor_tflops,
        specs.fp64_peak_tflops,
        specs.bf16_dense_tflops,
        specs.memory_gb,
        specs.tdp_w
    from accelerators
    left join best on best.accelerator = accelerators.accelerator
    left join specs on specs.spec_name = best.spec_name
)

select * from final
