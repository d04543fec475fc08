{#-
  The table comment carries the model's grain after its description, so the published file says
  what one row is (`top500 describe`, BI tools that show comments). The grain is declared in the
  model's YAML as `config: {meta: {grain: [columns]}}`; an empty list means the table has one row.
  Overrides dbt's default persist_docs for DuckDB; columns are commented as before.
-#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {% do run_query(alter_relation_comment(relation, (model.description | trim) ~ grain_comment(model))) %}
  {%- endif -%}
  {{ default__persist_docs(relation, model, false, for_columns) }}
{%- endmacro %}

{% macro grain_comment(model) -%}
  {%- set grain = (model.config.get('meta') or {}).get('grain') -%}
  {%- if grain is none -%}
  {%- elif grain | length == 0 -%}
    {{ '\n\nGrain: one row' }}
  {%- else -%}
    {{ '\n\nGrain: one row per ' ~ (grain | join(' x ')) }}
  {%- endif -%}
{%- endmacro %}
