-- Epoch AI supercomputers (GPU clusters); names repeat ("Anonymized Chinese System"), so rows get an id.
-- The raw columns are declared once (flows/sources/ai_compute.py); flags the file leaves blank are false.
with source as (
    select * from {{ source('raw', 'epoch_gpu_clusters') }}
)

select
    md5(concat_ws('|', source_file, source_line::varchar)) as cluster_id,
    name as cluster_name,
    * exclude (
        name,
        include_in_standard_analysis,
        is_noteworthy,
        is_possible_duplicate,
        is_excluded,
        original,
        source_sha256,
        run_id
    ),
    coalesce(include_in_standard_analysis, false) as include_in_standard_analysis,
    coalesce(is_noteworthy, false) as is_noteworthy,
    coalesce(is_possible_duplicate, false) as is_possible_duplicate,
    coalesce(is_excluded, false) as is_excluded
from source
