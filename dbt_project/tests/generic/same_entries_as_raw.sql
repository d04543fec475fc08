{#- The model holds, per list, exactly the raw entries that `raw_filter` selects (same lists, same
    TOP500 ranks, read from `rank_column`). Decided from the raw lists, not from the model under test,
    so a list missing from the model is a failing row, not an absent one. -#}
{% test same_entries_as_raw(model, raw_filter, rank_column='top500_rank') %}
with expected as (
    select list_date, rank
    from {{ source('raw', 'top500_entries') }}
    where {{ raw_filter }}
),

in_model as (
    select list_date, {{ rank_column }} as rank from {{ model }}
)

(select list_date, rank, 'missing from the model' as problem from expected
 except select list_date, rank, 'missing from the model' from in_model)
union all
(select list_date, rank, 'not an entry the filter selects' from in_model
 except select list_date, rank, 'not an entry the filter selects' from expected)
{% endtest %}
