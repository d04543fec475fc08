-- Raw layer: what the sources said, typed and normalized once, with lineage.
-- flows.load.ensure_raw_schema() runs every file in flows/ddl/ in name order;
-- dbt reads these tables as sources.
CREATE SCHEMA IF NOT EXISTS raw;

-- Every version of every source file ever loaded. Exactly one row per
-- (dataset, file_key) has is_current = true: the version whose rows are loaded.
CREATE TABLE IF NOT EXISTS raw.source_files (
    dataset        VARCHAR NOT NULL,   -- 'top500', 'epoch_ml_hardware', ...
    file_key       VARCHAR NOT NULL,   -- what a new version replaces: '2020-11' for a list, the file name otherwise
    file_name      VARCHAR NOT NULL,
    source_uri     VARCHAR NOT NULL,   -- bundled:..., file:///..., http(s)://... (never with credentials)
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    rows_loaded    INTEGER NOT NULL,
    run_id         VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    is_current     BOOLEAN NOT NULL,
    superseded_at  TIMESTAMP
);

-- The key and a checksum of every row of every version in raw.source_files, kept when a newer version
-- replaces its rows: what marts.source_versions compares one version with the one before by (rows added,
-- removed, changed). row_key is the source's own key (a list's rank, a model's name); a key a file repeats
-- (Epoch's "Anonymized Chinese System") is told apart by its order in the file ("name #2").
CREATE TABLE IF NOT EXISTS raw.source_file_rows (
    dataset     VARCHAR NOT NULL,
    file_key    VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,   -- with dataset, file_key and sha256: the version in raw.source_files
    row_key     VARCHAR NOT NULL,
    row_sha256  VARCHAR NOT NULL    -- of the typed columns (not the lineage, nor `original`)
);
