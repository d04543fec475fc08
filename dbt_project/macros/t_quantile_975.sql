{#- Two-sided 95% critical value of Student's t for `df` degrees of freedom.
    DuckDB has no t quantile function; the Cornish-Fisher expansion around
    z = 1.959964 is within 0.002 of the exact value for df >= 5 and within
    1e-4 for df >= 10 (checked against scipy in tests/test_marts.py). -#}
{% macro t_quantile_975(df) -%}
    (1.959963985
        + (pow(1.959963985, 3) + 1.959963985) / (4 * ({{ df }}))
        + (5 * pow(1.959963985, 5) + 16 * pow(1.959963985, 3) + 3 * 1.959963985) / (96 * pow({{ df }}, 2))
        + (3 * pow(1.959963985, 7) + 19 * pow(1.959963985, 5) + 17 * pow(1.959963985, 3) - 15 * 1.959963985)
            / (384 * pow({{ df }}, 3))
        + (79 * pow(1.959963985, 9) + 776 * pow(1.959963985, 7) + 1482 * pow(1.959963985, 5)
            - 1920 * pow(1.959963985, 3) - 945 * 1.959963985) / (92160 * pow({{ df }}, 4)))
{%- endmacro %}
