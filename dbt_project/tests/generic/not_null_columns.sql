{#- Every listed column is non-null in every row: one test node for a model's required columns instead of one
    per column (each dbt node costs ~30 ms of overhead; the SQL is microseconds). A failing row names the
    column and how many rows break it. -#}
{% test not_null_columns(model, columns) %}
{%- for column in columns %}
select '{{ column }}' as column_name, count(*) as failing_rows
from {{ model }}
where {{ column }} is null
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
