-- HPL-MxP (formerly HPL-AI) results (flows/sources/hpl_mxp.py): one row per list x HPL-MxP rank, as the
-- results page of hpl-mxp.org publishes them. EFlop/s as published; `original` holds the row's cells.
CREATE TABLE IF NOT EXISTS raw.hpl_mxp_results (
    list_date        DATE    NOT NULL,  -- the list the table's caption names ("November 2025" -> 2025-11-01)
    rank             INTEGER NOT NULL,  -- HPL-MxP rank, unique per list (checked by the parser)
    site             VARCHAR NOT NULL,
    computer         VARCHAR NOT NULL,
    cores            BIGINT,
    hpl_mxp_eflops   DOUBLE  NOT NULL,  -- mixed-precision solver performance, EFlop/s
    top500_rank      INTEGER,           -- the system's rank on that TOP500 list; NULL when not listed
    hpl_rmax_eflops  DOUBLE  NOT NULL,  -- the HPL (FP64) Rmax the page compares with, EFlop/s
    speedup          DOUBLE,            -- HPL-MxP / HPL Rmax as published (rounded)
    notes            VARCHAR,           -- the note a mark in the row refers to (e.g. FP8 results)
    source_line      INTEGER NOT NULL,  -- line of the row's <tr> in the page
    original         JSON    NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_sha256    VARCHAR NOT NULL,
    loaded_at        TIMESTAMP NOT NULL,
    run_id           VARCHAR NOT NULL
);
