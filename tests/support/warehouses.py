"""Private warehouses and list directories for tests: the bundled lists, copies of built warehouses."""

from __future__ import annotations

import shutil
from pathlib import Path

from flows import load
from flows.settings import PROJECT_ROOT, Settings
from flows.sources.top500_calendar import list_date_of

BUNDLED_LISTS = PROJECT_ROOT / "warehouse" / "sources" / "top500" / "raw"
# The bundled snapshot's lists, oldest first (1993-06..2026-06 today): a test of a warehouse of the bundled lists
# compares with these, not with a count of today's lists, so adding a list to the snapshot breaks nothing.
BUNDLED_KEYS = [f"{list_date_of(p.name):%Y-%m}" for p in sorted(BUNDLED_LISTS.glob("TOP500_*.xls*"))]
# The bundled official Green500 lists, oldest first (2013-11..2026-06 today), read from their file names.
BUNDLED_GREEN500_KEYS = [
    f"{p.stem[-6:-2]}-{p.stem[-2:]}"
    for p in sorted((PROJECT_ROOT / "warehouse" / "sources" / "green500" / "raw").glob("green500_top_*.xlsx"))
]
# 2020-11 as first published (2020-11-17); the bundled raw/ file is the re-issue of 2021-01-10
REISSUE_ORIGINAL = (
    PROJECT_ROOT / "warehouse" / "sources" / "top500" / "variants" / "original-2020-11-17" / "TOP500_202011.xlsx"
)


def make_settings(root: Path, **overrides) -> Settings:
    return Settings(warehouse_dir=root / "warehouse", **overrides)


def copy_bundled(dst: Path, names: list[str] | None = None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(BUNDLED_LISTS.iterdir()):
        if names is None or path.name in names:
            shutil.copy2(path, dst / path.name)
    return dst


def private_copy(settings: Settings, root: Path) -> Settings:
    """A warehouse of its own holding a copy of the published file, for tests that change things."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.warehouse_dir.mkdir(parents=True)
    shutil.copy(settings.published_db, mine.published_db)
    return mine


def load_reference_sources(db_path: Path, run_id: str = "test", ai_compute_source: str = "bundled") -> None:
    """The Epoch hardware, AI-compute and HPL-MxP tables and the official Green500 lists, loaded as the pipeline
    loads them (the marts need them)."""
    from flows.sources import ai_compute, epoch, green500, hpl_mxp

    bundled = make_settings(PROJECT_ROOT)
    parsed = epoch.parse_all(epoch.collect("bundled", bundled))
    parsed += ai_compute.parse_all(ai_compute.collect(ai_compute_source, bundled))
    parsed += hpl_mxp.parse_all(hpl_mxp.collect("bundled", bundled))
    parsed += green500.parse_all(green500.collect("bundled", bundled))
    with load.connect(db_path) as con:
        load.load_files(con, parsed, run_id)


def built_copy(root: Path, loaded_build_db: Path, run_id: str, select: list[str] | None = None):
    """A private warehouse under `root`: the loaded lists copied, reference sources added, `dbt build` run.

    Returns (settings, dbt summary); `select` limits the build to one area's models and their tests.
    """
    from flows import transform

    settings = Settings(warehouse_dir=root / "warehouse")
    settings.build_dir.mkdir(parents=True)
    shutil.copy(loaded_build_db, settings.build_db)
    load_reference_sources(settings.build_db, run_id)
    return settings, transform.build(settings, select=select)
