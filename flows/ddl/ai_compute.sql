-- AI training compute (flows/sources/ai_compute.py). Epoch AI data is CC BY 4.0,
-- see warehouse/sources/ai_compute/SOURCES.md. Training compute in FLOP; OP/s in TFlop/s (/1e12).
CREATE TABLE IF NOT EXISTS raw.epoch_notable_ai_models (
    model                           VARCHAR NOT NULL,  -- unique in the file (checked by the parser)
    organization                    VARCHAR,
    publication_date                DATE,              -- a real calendar date, not in the future
    domain                          VARCHAR,
    task                            VARCHAR,
    parameters                      DOUBLE,
    training_compute_flop           DOUBLE,
    training_dataset_size           DOUBLE,            -- datapoints
    confidence                      VARCHAR,
    organization_categorization     VARCHAR,
    country                         VARCHAR,
    training_time_hours             DOUBLE,
    training_hardware               VARCHAR,           -- same names as raw.epoch_ml_hardware.hardware_name
    hardware_quantity               DOUBLE,
    hardware_utilization            DOUBLE,            -- fraction (MFU)
    training_compute_cost_2023_usd  DOUBLE,
    training_power_draw_w           DOUBLE,
    finetune_compute_flop           DOUBLE,
    model_accessibility             VARCHAR,
    numerical_format                VARCHAR,
    is_frontier_model               BOOLEAN,           -- NULL when the file leaves it blank
    source_line                     INTEGER NOT NULL,
    original                        JSON    NOT NULL,
    source_file                     VARCHAR NOT NULL,
    source_sha256                   VARCHAR NOT NULL,
    loaded_at                       TIMESTAMP NOT NULL,
    run_id                          VARCHAR NOT NULL
);

-- Epoch "AI supercomputers" (GPU clusters), existing and planned.
CREATE TABLE IF NOT EXISTS raw.epoch_gpu_clusters (
    name                          VARCHAR,
    status                        VARCHAR,           -- Existing | Planned | Decommissioned
    certainty                     VARCHAR,
    single_cluster                VARCHAR,           -- Yes | No | Unclear
    chip_type_primary             VARCHAR,
    chip_quantity_primary         DOUBLE,
    chip_type_secondary           VARCHAR,
    chip_quantity_secondary       DOUBLE,
    total_ai_chips                DOUBLE,
    h100_equivalents              DOUBLE,
    country                       VARCHAR,
    owner                         VARCHAR,
    sector                        VARCHAR,
    first_operational_date        DATE,              -- planned clusters may be in the future
    max_tflops                    DOUBLE,            -- Max OP/s / 1e12, any precision
    tflops_16bit                  DOUBLE,
    tops_8bit                     DOUBLE,
    tflops_32bit                  DOUBLE,
    power_capacity_mw             DOUBLE,
    hardware_cost_usd             DOUBLE,
    include_in_standard_analysis  BOOLEAN,
    is_noteworthy                 BOOLEAN,
    decommissioned_date           DATE,
    superseded_by                 VARCHAR,           -- Name of the record (a later phase) that replaces this one
    builds_upon                   VARCHAR,           -- Name of the record this one extends
    is_possible_duplicate         BOOLEAN,           -- NULL when the file leaves it blank
    possible_duplicate_of         VARCHAR,
    is_excluded                   BOOLEAN,           -- Epoch's Exclude flag; NULL when blank
    reported_power_mw             DOUBLE,            -- the power capacity a source reports
    calculated_power_mw           DOUBLE,            -- Epoch's estimate from the chips (TDP x overheads)
    reported_cost_usd             DOUBLE,            -- the hardware cost a source reports, as reported
    reported_cost_inflation_adjusted_usd DOUBLE,     -- the same, adjusted for inflation by Epoch
    calculated_cost_usd           DOUBLE,            -- Epoch's estimate from the chips' prices
    first_operational_date_note   VARCHAR,           -- free text; "Planned 2028", "Planned H2 2026" for planned clusters
    source_line                   INTEGER NOT NULL,
    original                      JSON    NOT NULL,
    source_file                   VARCHAR NOT NULL,
    source_sha256                 VARCHAR NOT NULL,
    loaded_at                     TIMESTAMP NOT NULL,
    run_id                        VARCHAR NOT NULL
);

-- Build files made before these columns existed (a reload of gpu_clusters.csv fills them: top500 run --full-refresh).
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS decommissioned_date DATE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS superseded_by VARCHAR;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS builds_upon VARCHAR;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS is_possible_duplicate BOOLEAN;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS possible_duplicate_of VARCHAR;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS is_excluded BOOLEAN;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS reported_power_mw DOUBLE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS calculated_power_mw DOUBLE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS reported_cost_usd DOUBLE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS reported_cost_inflation_adjusted_usd DOUBLE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS calculated_cost_usd DOUBLE;
ALTER TABLE raw.epoch_gpu_clusters ADD COLUMN IF NOT EXISTS first_operational_date_note VARCHAR;

-- OpenAI "AI and Compute" (2018) points: 1 petaflop/s-day = 8.64e19 FLOP.
CREATE TABLE IF NOT EXISTS raw.openai_ai_and_compute (
    publication_date       DATE    NOT NULL,
    petaflop_s_days        DOUBLE  NOT NULL,
    training_compute_flop  DOUBLE  NOT NULL,
    result                 VARCHAR NOT NULL,          -- the model/result name, unique
    source_line            INTEGER NOT NULL,
    original               JSON    NOT NULL,
    source_file            VARCHAR NOT NULL,
    source_sha256          VARCHAR NOT NULL,
    loaded_at              TIMESTAMP NOT NULL,
    run_id                 VARCHAR NOT NULL
);
