{% test positive_number(model, column_name) %}
-- Peaks, counts and powers must be > 0 when present (a zero or negative is a unit or parsing slip).
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and {{ column_name }} <= 0
{% endtest %}
