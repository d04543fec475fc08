-- Epoch AI hardware specs (flows/sources/epoch.py). CC BY 4.0, see warehouse/sources/specs/SOURCES.md.
-- Units: *_tflops = FLOP/s / 1e12 (dense, no sparsity); int8_tops = OP/s / 1e12; bytes and byte/s as given;
-- internode bandwidth in bit/s as Epoch gives it. `original` holds every cell of the row as written;
-- source_line is the line the record starts on.
CREATE TABLE IF NOT EXISTS raw.epoch_ml_hardware (
    hardware_name                    VARCHAR NOT NULL,  -- unique in the file (checked by the parser)
    manufacturer                     VARCHAR,
    hardware_type                    VARCHAR,
    release_date                     DATE,
    release_price_usd                DOUBLE,
    fp64_tflops                      DOUBLE,            -- vector/non-tensor FP64
    fp32_tflops                      DOUBLE,
    tf32_tflops                      DOUBLE,
    fp16_tflops                      DOUBLE,
    tensor_fp16_bf16_tflops          DOUBLE,
    fp8_tflops                       DOUBLE,
    fp4_tflops                       DOUBLE,
    int8_tops                        DOUBLE,
    memory_bytes                     DOUBLE,
    memory_bandwidth_bytes_per_s     DOUBLE,
    intranode_bandwidth_bytes_per_s  DOUBLE,
    internode_bandwidth_bits_per_s   DOUBLE,            -- bit/s, not byte/s
    tdp_w                            DOUBLE,
    foundry                          VARCHAR,
    process_size_nm                  DOUBLE,
    transistors_millions             DOUBLE,
    datasheet_url                    VARCHAR,
    last_modified                    TIMESTAMP,         -- UTC
    source_line                      INTEGER NOT NULL,
    original                         JSON    NOT NULL,
    source_file                      VARCHAR NOT NULL,
    source_sha256                    VARCHAR NOT NULL,
    loaded_at                        TIMESTAMP NOT NULL,
    run_id                           VARCHAR NOT NULL
);

-- Epoch's internal chip database snapshot: GPUs, CPUs (no FLOP/s for CPUs), TPUs, NPUs.
-- Names are not unique in the snapshot (6 repeat); stg_epoch__chips keeps one row per name.
CREATE TABLE IF NOT EXISTS raw.epoch_chips (
    hardware_name                    VARCHAR,
    manufacturer                     VARCHAR,
    hardware_type                    VARCHAR,
    release_date                     DATE,
    release_price_usd                DOUBLE,
    fp64_tflops                      DOUBLE,
    fp32_tflops                      DOUBLE,
    tf32_tflops                      DOUBLE,
    fp16_tflops                      DOUBLE,
    tensor_fp16_bf16_tflops          DOUBLE,
    fp8_tflops                       DOUBLE,
    fp4_tflops                       DOUBLE,
    int8_tops                        DOUBLE,
    memory_bytes                     DOUBLE,
    memory_bandwidth_bytes_per_s     DOUBLE,
    intranode_bandwidth_bytes_per_s  DOUBLE,
    internode_bandwidth_bits_per_s   DOUBLE,            -- bit/s, not byte/s
    tdp_w                            DOUBLE,
    base_clock_mhz                   DOUBLE,
    boost_clock_mhz                  DOUBLE,
    process_size_nm                  DOUBLE,
    transistors_millions             DOUBLE,
    is_ml_hardware                   BOOLEAN,           -- 'checked' = also in ml_hardware.csv
    datasheet_url                    VARCHAR,
    last_modified                    TIMESTAMP,         -- file gives m/d/yyyy h:mm am/pm, no zone
    source_line                      INTEGER NOT NULL,
    original                         JSON    NOT NULL,
    source_file                      VARCHAR NOT NULL,
    source_sha256                    VARCHAR NOT NULL,
    loaded_at                        TIMESTAMP NOT NULL,
    run_id                           VARCHAR NOT NULL
);

-- Purchase prices and cloud rental prices per chip (USD).
CREATE TABLE IF NOT EXISTS raw.epoch_hardware_prices (
    price_source                        VARCHAR,
    price_date                          DATE,
    hardware_model                      VARCHAR,
    manufacturer                        VARCHAR,
    vendor                              VARCHAR,
    location                            VARCHAR,
    price_per_chip_hour_on_demand_usd   DOUBLE,
    price_per_chip_hour_1y_commit_usd   DOUBLE,
    price_per_chip_hour_3y_commit_usd   DOUBLE,
    purchase_price_usd                  DOUBLE,
    notes                               VARCHAR,
    cloud_gpu_description               VARCHAR,
    number_of_gpus                      INTEGER,
    source_line                         INTEGER NOT NULL,
    original                            JSON    NOT NULL,
    source_file                         VARCHAR NOT NULL,
    source_sha256                       VARCHAR NOT NULL,
    loaded_at                           TIMESTAMP NOT NULL,
    run_id                              VARCHAR NOT NULL
);
