-- Where each loaded source's data starts and ends, by the dates that matter for the figures built on it
-- (see the YAML): what `top500 status`, the report and the mart descriptions say about coverage.
with files as (

    select
        dataset,
        count(*) as files,
        -- a long series of files (the TOP500 lists) as its first and last name
        case
            when count(*) <= 5 then string_agg(file_name, ', ' order by file_name)
            else min(file_name) || ' .. ' || max(file_name)
        end as file_names,
        sum(rows_loaded) as rows_loaded,
        max(loaded_at) as loaded_at
    from {{ source('raw', 'source_files') }}
    where is_current
    group by dataset

),

ranges as (

    select
        'top500' as dataset,
        'TOP500 list dates' as coverage_measure,
        min(list_date) as covered_from,
        max(list_date) as covered_until
    from {{ ref('stg_top500__list_entries') }}

    union all

    select 'green500', 'Green500 list dates', min(list_date), max(list_date)
    from {{ ref('stg_green500__entries') }}

    union all

    select 'hpl_mxp', 'TOP500 list dates of the results', min(list_date), max(list_date)
    from {{ ref('stg_hpl_mxp__results') }}

    union all

    select
        'epoch_gpu_clusters',
        'first operational dates of existing or decommissioned clusters',
        epoch_data_from,
        epoch_data_until
    from {{ ref('int_ai_clusters__coverage') }}

    union all

    select 'epoch_ml_hardware', 'chip release dates', min(release_date), max(release_date)
    from {{ ref('stg_epoch__ml_hardware') }}

    union all

    select 'epoch_chips', 'chip release dates', min(release_date), max(release_date)
    from {{ ref('stg_epoch__chips') }}

    union all

    select 'epoch_hardware_prices', 'price dates', min(price_date), max(price_date)
    from {{ ref('stg_epoch__hardware_prices') }}

    union all

    select 'epoch_notable_ai_models', 'model publication dates', min(publication_date), max(publication_date)
    from {{ ref('stg_epoch__notable_ai_models') }}

    union all

    select
        'openai_ai_and_compute', 'publication dates of the training runs', min(publication_date), max(publication_date)
    from {{ ref('stg_openai__ai_and_compute') }}

)

select
    files.dataset,
    ranges.coverage_measure,
    ranges.covered_from,
    ranges.covered_until,
    files.files::integer as files,
    files.file_names,
    files.rows_loaded::bigint as rows_loaded,
    files.loaded_at
from files
left join ranges using (dataset)
