-- What each pipeline run did (flows/pipeline.py). Validation results live beside it
-- (audit.validation_runs / audit.validation_results, flows/validate.py). History: a
-- full refresh keeps these tables.
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
