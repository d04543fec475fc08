-- What each pipeline run did (flows/pipeline.py). Validation results live beside it
-- (audit.validation_runs / audit.validation_results, flows/validate.py).
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE IF NOT EXISTS audit.pipeline_runs (
    run_id            VARCHAR   NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    source            VARCHAR   NOT NULL,
    status            VARCHAR   NOT NULL,   -- 'published' | 'no new list' | 'failed'
    files_loaded      INTEGER   NOT NULL,
    lists_added       VARCHAR[] NOT NULL,   -- file keys of TOP500 lists loaded or replaced, e.g. ['2026-06']
    rows_loaded       BIGINT    NOT NULL,
    code_fingerprint  VARCHAR   NOT NULL,   -- sha256 of the dbt project, suites and flows code
    stages_s          JSON,
    message           VARCHAR
);
