{#- Stable schema names (staging, intermediate, marts) instead of dbt's
    default "<target>_<custom>", so analysts and BI tools see the same names
    in every environment. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
