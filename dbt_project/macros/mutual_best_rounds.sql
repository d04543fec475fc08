{#- One-to-one pairing by mutual preference: a candidate pair (entry_id, previous_entry_id) is taken when
    each side is the other's single best candidate by `measure` (highest when `best` is 'max', lowest when
    'min'); a tie takes neither, so indistinguishable candidates are never paired arbitrarily. Each round
    removes what is taken and lets the runners-up pair; `rounds` rounds. Emits CTEs <prefix>_round_N and
    <prefix>_taken_N (the pairs taken so far: entry_id, previous_entry_id, link_method). -#}
{% macro mutual_best_rounds(prefix, candidates, measure, best='max', rounds=3) -%}
{%- for round in range(1, rounds + 1) %}

{{ prefix }}_round_{{ round }} as (

    select entry_id, previous_entry_id, link_method
    from (
        select
            *,
            {{ best }}({{ measure }}) over (partition by entry_id) as best_for_current,
            count(*) over (partition by entry_id, {{ measure }}) as ties_for_current,
            {{ best }}({{ measure }}) over (partition by previous_entry_id) as best_for_previous,
            count(*) over (partition by previous_entry_id, {{ measure }}) as ties_for_previous
        from {{ candidates }}
        {%- if round > 1 %}
        where entry_id not in (select entry_id from {{ prefix }}_taken_{{ round - 1 }})
            and previous_entry_id not in (select previous_entry_id from {{ prefix }}_taken_{{ round - 1 }})
        {%- endif %}
    )
    where {{ measure }} = best_for_current and ties_for_current = 1
        and {{ measure }} = best_for_previous and ties_for_previous = 1

),

{{ prefix }}_taken_{{ round }} as (

    {% if round > 1 %}select * from {{ prefix }}_taken_{{ round - 1 }} union all {% endif %}select * from {{ prefix }}_round_{{ round }}

),
{%- endfor %}
{%- endmacro %}
