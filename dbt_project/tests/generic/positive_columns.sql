{#- Peaks, counts and powers must be > 0 when present (a zero or negative is a unit or parsing slip): one test
    node for all such columns of a model (see not_null_columns). -#}
{% test positive_columns(model, columns) %}
{%- for column in columns %}
select '{{ column }}' as column_name, count(*) as failing_rows
from {{ model }}
where {{ column }} is not null and {{ column }} <= 0
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
