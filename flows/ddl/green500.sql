-- The official Green500 lists (flows/sources/green500.py), typed and normalized once, with lineage.
-- One row per list x Green500 rank as the file prints it (from 2017-11 the file holds all 500 TOP500
-- entries, those without an efficiency last). Units: TFlop/s, kW, GFlops/W. Everything the file held
-- stays in `original`.
CREATE TABLE IF NOT EXISTS raw.green500_entries (
    list_date                       DATE    NOT NULL,  -- first day of the list's month
    green500_rank                   INTEGER NOT NULL,  -- unique per list (checked by the parser and GX)
    top500_rank                     INTEGER,           -- the TOP500 rank the Green500 file prints
    system_id                       VARCHAR,           -- TOP500 System ID, from 2017-11
    site_id                         VARCHAR,
    name                            VARCHAR,
    computer                        VARCHAR,
    site                            VARCHAR,
    manufacturer                    VARCHAR,
    country                         VARCHAR,           -- the TOP500 spelling (flows/sources/top500_columns.py)
    year                            INTEGER,
    segment                         VARCHAR,
    total_cores                     BIGINT,
    accelerator                     VARCHAR,
    rmax_tflops                     DOUBLE,
    rpeak_tflops                    DOUBLE,
    power_kw                        DOUBLE,
    energy_efficiency_gflops_per_w  DOUBLE,            -- as published (MFlops/W / 1000 to 2016-11)
    power_source                    VARCHAR,           -- how the power was measured, as printed
    power_quality_level             INTEGER,
    original                        JSON    NOT NULL,  -- {header: cell} as in the file; a repeated header gets ' (2)'
    source_file                     VARCHAR NOT NULL,
    source_sha256                   VARCHAR NOT NULL,
    loaded_at                       TIMESTAMP NOT NULL,
    run_id                          VARCHAR NOT NULL
);
