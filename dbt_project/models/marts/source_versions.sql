-- Every loaded version of every source file, oldest first per file, and what changed from the version
-- before it: rows added, removed and changed, compared by the source's own key (raw.source_file_rows).
with files as (

    select * from {{ source('raw', 'source_files') }}

),

source_rows as (

    select * from {{ source('raw', 'source_file_rows') }}

),

recorded as (

    select dataset, file_key, sha256, run_id, count(*) as rows_recorded
    from source_rows
    group by all

),

versions as (

    select
        files.*,
        coalesce(recorded.rows_recorded, 0) = files.rows_loaded as is_recorded,
        row_number() over by_file as version,
        lag(files.sha256) over by_file as previous_sha256,
        lag(files.run_id) over by_file as previous_run_id,
        lag(coalesce(recorded.rows_recorded, 0) = files.rows_loaded) over by_file as is_previous_recorded
    from files
    left join recorded using (dataset, file_key, sha256, run_id)
    window by_file as (partition by files.dataset, files.file_key order by files.loaded_at, files.run_id)

),

pairs as (

    select dataset, file_key, sha256, run_id, previous_sha256, previous_run_id
    from versions
    where previous_run_id is not null and is_recorded and is_previous_recorded

),

this_version as (

    select pairs.dataset, pairs.file_key, pairs.run_id, source_rows.row_key, source_rows.row_sha256
    from pairs
    inner join source_rows using (dataset, file_key, sha256, run_id)

),

previous_version as (

    select pairs.dataset, pairs.file_key, pairs.run_id, source_rows.row_key, source_rows.row_sha256
    from pairs
    inner join source_rows
        on
            pairs.dataset = source_rows.dataset
            and pairs.file_key = source_rows.file_key
            and pairs.previous_sha256 = source_rows.sha256
            and pairs.previous_run_id = source_rows.run_id

),

changes as (

    select
        dataset,
        file_key,
        run_id,
        count(*) filter (where previous_version.row_key is null) as rows_added,
        count(*) filter (where this_version.row_key is null) as rows_removed,
        count(*) filter (where this_version.row_sha256 <> previous_version.row_sha256) as rows_changed
    from this_version
    full outer join previous_version using (dataset, file_key, run_id, row_key)
    group by all

)

select
    versions.dataset,
    versions.file_key,
    versions.version::integer as version,
    versions.file_name,
    versions.source_uri,
    versions.sha256,
    versions.size_bytes::bigint as size_bytes,
    versions.rows_loaded::integer as rows_loaded,
    versions.loaded_at,
    versions.run_id,
    versions.is_current,
    versions.superseded_at,
    versions.previous_sha256,
    -- compared only where both versions' row keys were recorded (build files older than that have none)
    case when pairs.run_id is not null then coalesce(changes.rows_added, 0) end::integer as rows_added,
    case when pairs.run_id is not null then coalesce(changes.rows_removed, 0) end::integer as rows_removed,
    case when pairs.run_id is not null then coalesce(changes.rows_changed, 0) end::integer as rows_changed
from versions
left join pairs using (dataset, file_key, run_id)
left join changes using (dataset, file_key, run_id)
