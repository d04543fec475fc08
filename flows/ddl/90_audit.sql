-- What each pipeline run did (flows/pipeline.py) and what each quality gate found (flows/validate.py).
-- History: a full refresh keeps these tables.
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE IF NOT EXISTS audit.pipeline_runs (
    run_id            VARCHAR   NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,             -- UTC; for the run that published a file: its publish time
    source            VARCHAR   NOT NULL,    -- never with credentials (refused)
    status            VARCHAR   NOT NULL,    -- running | published | up to date | withdrawn | rebuilt | failed
    files_loaded      INTEGER   NOT NULL,
    lists_added       VARCHAR[] NOT NULL,    -- file keys of TOP500 lists loaded or replaced, e.g. ['2026-06']
    rows_loaded       BIGINT    NOT NULL,
    code_fingerprint  VARCHAR   NOT NULL,    -- sha256 of the dbt project, suites and flows code
    stages_s          JSON,
    message           VARCHAR                -- the headline, or what failed
);
-- Added after the first release (an existing build file gains them on the next run).
ALTER TABLE audit.pipeline_runs ADD COLUMN IF NOT EXISTS generation VARCHAR;     -- publication it made
ALTER TABLE audit.pipeline_runs ADD COLUMN IF NOT EXISTS content_key VARCHAR;    -- see flows.load.content_key
ALTER TABLE audit.pipeline_runs ADD COLUMN IF NOT EXISTS warnings VARCHAR[];     -- warn-level findings, shown in the headline
ALTER TABLE audit.pipeline_runs ADD COLUMN IF NOT EXISTS new_countries VARCHAR[]; -- countries first seen in this run's lists

-- One row per gate (stage) of a run, and one per expectation x batch it evaluated.
CREATE TABLE IF NOT EXISTS audit.validation_runs (
    run_id       VARCHAR   NOT NULL,  -- the pipeline run
    stage        VARCHAR   NOT NULL,  -- top500 | green500 | reference | marts
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL,
    success      BOOLEAN   NOT NULL,
    suites       INTEGER   NOT NULL,  -- suites run
    batches      INTEGER   NOT NULL,  -- e.g. list files validated
    expectations INTEGER   NOT NULL,  -- expectation x batch evaluations
    failures     INTEGER   NOT NULL,
    message      VARCHAR              -- what failed, in words
);
CREATE TABLE IF NOT EXISTS audit.validation_results (
    run_id              VARCHAR NOT NULL,
    stage               VARCHAR NOT NULL,
    suite               VARCHAR NOT NULL,
    suite_version       VARCHAR,          -- sha256 of the suite's files: a changed suite re-validates
    batch               VARCHAR NOT NULL, -- list file name, or the table for whole-table suites
    batch_sha256        VARCHAR,          -- checksum of the source file validated, where there is one
    expectation         VARCHAR NOT NULL, -- GX type and column(s)
    success             BOOLEAN,
    observed_value      VARCHAR,          -- JSON
    unexpected_count    BIGINT,
    unexpected_examples VARCHAR,          -- JSON list of failing rows (id columns and checked values)
    message             VARCHAR           -- failing rows in words
);
