{#- The words of a name that can tell one system from another: lower case, accents stripped, split on anything
    but letters and digits; numbers, chip names and generic words (vendor, "cluster", "phase", "superpod",
    "university", ...) dropped. Used to match Epoch cluster names with TOP500 names. -#}
{% macro distinctive_words(expr) -%}
list_filter(
    string_split(trim(regexp_replace(lower(strip_accents(coalesce({{ expr }}, ''))), '[^a-z0-9]+', ' ', 'g')), ' '),
    lambda w: length(w) >= 2
        and not regexp_full_match(w, '[0-9]+')
        and not regexp_full_match(w, '(a|h|b|v|p|k|gh|gb|mi|l)[0-9]+[a-z]?')
        and w not in ('nvidia', 'amd', 'intel', 'hpe', 'dell', 'cray', 'ibm', 'lenovo', 'supermicro', 'nec',
            'fujitsu', 'gpu', 'gpus', 'cpu', 'cluster', 'clusters', 'superpod', 'dgx', 'hgx', 'pod', 'phase',
            'system', 'systems', 'supercomputer', 'supercomputing', 'supercomputers', 'partition', 'module',
            'booster', 'accelerated', 'accelerator', 'research', 'center', 'centre', 'computing', 'computer',
            'compute', 'national', 'university', 'institute', 'cloud', 'data', 'ai', 'lab', 'labs', 'nl', 'and',
            'of', 'the', 'for', 'in', 'at', 'tesla', 'sxm', 'new', 'main', 'training', 'inference', 'factory',
            'grid', 'hpc', 'instinct', 'radeon', 'max', 'on', 'vm', 'gb', 'the', 'corp', 'inc', 'ltd', 'co')
)
{%- endmacro %}
