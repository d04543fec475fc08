{#-
  The table comment carries the model's grain after its description, so the published file says
  what one row is (`top500 describe`, BI tools that show comments). The grain is declared in the
  model's YAML as `config: {meta: {grain: [columns]}}`; an empty list means the table has one row.
  A model whose figures stop where a source's data does declares `meta: {coverage_sources: [dataset]}`:
  its comment then says where that data starts and ends in the loaded files (marts.source_coverage,
  which the model must depend on), before the grain.
  Overrides dbt's default persist_docs for DuckDB; columns are commented as before.
-#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {% set comment = (model.description | trim) ~ coverage_comment(relation, model) ~ grain_comment(model) %}
    {% do run_query(alter_relation_comment(relation, comment)) %}
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

{% macro coverage_comment(relation, model) -%}
  {%- set sources = (model.config.get('meta') or {}).get('coverage_sources') or [] -%}
  {%- set coverage = adapter.get_relation(database=relation.database, schema=relation.schema, identifier='source_coverage') if sources else none -%}
  {%- if coverage is not none -%}
    {%- set rows = run_query(
        "select dataset, covered_from, covered_until, coverage_measure from " ~ coverage
        ~ " where dataset in ('" ~ (sources | join("', '")) ~ "') and covered_until is not null order by dataset") -%}
    {%- set parts = [] -%}
    {%- for row in rows -%}
      {%- do parts.append(row[0] ~ ' from ' ~ row[1] ~ ' to ' ~ row[2] ~ ': ' ~ row[3]) -%}
    {%- endfor -%}
    {%- if parts -%}
      {{ '\n\nData coverage in this build: ' ~ (parts | join('; ')) ~ '.' }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
