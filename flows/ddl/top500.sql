-- TOP500 lists, typed and normalized once, with lineage (see flows/sources/top500.py).
-- One row per list x rank, every era mapped onto one set of columns.
-- Units: TFlop/s, kW, GFlops/W. Everything the file held stays in `original`.
CREATE TABLE IF NOT EXISTS raw.top500_entries (
    list_date                       DATE    NOT NULL,  -- first day of the list's month
    edition                         INTEGER NOT NULL,  -- 1 = 1993-06, 2 = 1993-11, ...
    rank                            INTEGER NOT NULL,
    previous_rank                   INTEGER,
    first_appearance                INTEGER,           -- edition of the system's first list
    first_rank                      INTEGER,
    system_id                       VARCHAR,
    site_id                         VARCHAR,
    name                            VARCHAR,
    computer                        VARCHAR,
    site                            VARCHAR,
    manufacturer                    VARCHAR,
    country                         VARCHAR,
    region                          VARCHAR,
    continent                       VARCHAR,
    year                            INTEGER,
    segment                         VARCHAR,
    application_area                VARCHAR,
    total_cores                     BIGINT,
    cores_per_socket                INTEGER,
    accelerator                     VARCHAR,
    accelerator_cores               BIGINT,
    rmax_tflops                     DOUBLE,
    rpeak_tflops                    DOUBLE,
    hpcg_tflops                     DOUBLE,
    nmax                            DOUBLE,
    nhalf                           DOUBLE,
    power_kw                        DOUBLE,
    power_source                    VARCHAR,
    energy_efficiency_gflops_per_w  DOUBLE,
    hpl_efficiency_pct              DOUBLE,
    processor                       VARCHAR,
    processor_family                VARCHAR,
    processor_technology            VARCHAR,
    processor_generation            VARCHAR,
    processor_speed_mhz             DOUBLE,
    system_family                   VARCHAR,
    system_model                    VARCHAR,
    operating_system                VARCHAR,
    os_family                       VARCHAR,
    architecture                    VARCHAR,
    interconnect_family             VARCHAR,
    interconnect                    VARCHAR,
    memory                          VARCHAR,
    original                        JSON    NOT NULL,  -- {header: cell} as in the file
    source_file                     VARCHAR NOT NULL,
    source_sha256                   VARCHAR NOT NULL,
    loaded_at                       TIMESTAMP NOT NULL,
    run_id                          VARCHAR NOT NULL
    -- (list_date, rank) is unique: checked by the parser, GX and dbt tests rather
    -- than a PRIMARY KEY, which DuckDB enforces badly for delete+insert in one transaction.
);
