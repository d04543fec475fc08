{#- The words of an owner or site that can tell one organisation from another: lower case, accents stripped,
    split on anything but letters and digits; numbers and the words any organisation may carry ("corporation",
    "university", "national", "laboratory", "cloud", "center", ...) dropped, vendor names kept ("NVIDIA" owns
    the clusters at site "NVIDIA Corporation"). Used to pair Epoch owners with TOP500 sites. -#}
{% macro organisation_words(expr) -%}
list_filter(
    string_split(trim(regexp_replace(lower(strip_accents(coalesce({{ expr }}, ''))), '[^a-z0-9]+', ' ', 'g')), ' '),
    lambda w: length(w) >= 2
        and not regexp_full_match(w, '[0-9]+')
        and w not in ('corporation', 'corp', 'inc', 'ltd', 'llc', 'plc', 'gmbh', 'ag', 'sa', 'spa', 'co', 'company',
            'companies', 'group', 'holdings', 'limited', 'the', 'of', 'and', 'for', 'de', 'du', 'la', 'le', 'des',
            'fur', 'und', 'at', 'in', 'on', 'university', 'universitat', 'universitaet', 'universite', 'college',
            'school', 'national', 'nacional', 'international', 'global', 'laboratory', 'laboratories', 'lab',
            'labs', 'nl', 'center', 'centre', 'centro', 'institute', 'institut', 'instituto', 'research',
            'science', 'sciences', 'scientific', 'technology', 'technologies', 'technical', 'engineering',
            'computing', 'computational', 'computer', 'compute', 'supercomputing', 'supercomputer', 'hpc',
            'high', 'performance', 'data', 'cloud', 'ai', 'artificial', 'intelligence', 'systems', 'system',
            'services', 'solutions', 'platform', 'network', 'networks', 'digital', 'information', 'innovation',
            'advanced', 'development', 'energy', 'department', 'ministry', 'government', 'agency', 'office',
            'foundation', 'society', 'association', 'council', 'commission', 'federal', 'state', 'us', 'usa',
            'united', 'states', 'america', 'new', 'one', 'electronics', 'telecom', 'telecommunications',
            'infrastructure', 'industrial', 'industries', 'enterprise', 'enterprises', 'joint', 'project')
)
{%- endmacro %}
