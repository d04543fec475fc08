{#- Match keys for accelerator names (used on TOP500 strings and spec names alike).
    normalized: brand words and punctuation dropped, memory written one way ("80 GB" = "80G" = "80gb").
    variant:    also drops memory size, board power, clock and HGX/DGX/Superchip packaging; SXM4/SXM5 -> sxm.
    family:     also drops the form factor (SXM, PCIe, NVLink, OAM, NVL): "A100 SXM4 64 GB" -> "a100". -#}

{% macro accelerator_brand_words() -%}
'\b(nvidia|ndiva|amd|ati|intel|tesla|radeon|instinct|geforce|gtx|volta|pascal|kepler|ampere|hopper|blackwell|superchip|preferred networks)\b'
{%- endmacro %}

{% macro accelerator_normalized_key(expr) -%}
regexp_replace(
    regexp_replace(
        regexp_replace(lower({{ expr }}), '(\d+) ?gb?\b', '\1gb', 'g'),
        {{ accelerator_brand_words() }}, ' ', 'g'),
    '[^a-z0-9]', '', 'g')
{%- endmacro %}

{% macro accelerator_variant_key(expr) -%}
regexp_replace(
    regexp_replace(
        regexp_replace(
            regexp_replace(lower({{ expr }}), '\b(\d+ ?gb?|\d+ ?w|\d+ ?mhz|hbm\d*e?|hgx|dgx|\(\d+ ?watts\))\b', ' ', 'g'),
            '\bsxm\d*\b', 'sxm', 'g'),
        {{ accelerator_brand_words() }}, ' ', 'g'),
    '[^a-z0-9]', '', 'g')
{%- endmacro %}

{% macro accelerator_family_key(expr) -%}
regexp_replace(
    regexp_replace(
        regexp_replace(lower({{ expr }}), '\b(\d+ ?gb?|\d+ ?w|\d+ ?mhz|hbm\d*e?|hgx|dgx|\(\d+ ?watts\)|sxm\d*|pcie|pcle|nvlink|oam|nvl\d*|\(pcie\)|\(oam\))\b', ' ', 'g'),
        {{ accelerator_brand_words() }}, ' ', 'g'),
    '[^a-z0-9]', '', 'g')
{%- endmacro %}

{#- Processor key: TOP500 writes "Xeon E5-2680v2 10C 2.8GHz", Epoch "Intel Xeon E5-2680 v2".
    with_clock keeps cores and clock (curated per-node facts depend on them). -#}
{% macro processor_key(expr, with_clock=false) -%}
regexp_replace(
    regexp_replace(
        {% if with_clock %}lower({{ expr }}){% else %}regexp_replace(lower({{ expr }}), '\s+\d+c\s+\d+(\.\d+)?\s*[gm]hz\s*$', ''){% endif %},
        '\b(intel|amd|ibm|fujitsu|nvidia|cpu|processor|\(r\)|\(tm\))\b', ' ', 'g'),
    '[^a-z0-9.]', '', 'g')
{%- endmacro %}
