"""A published warehouse (all 67 lists, specs, every dbt model) shared by the BI tests.

Built once per test process: the full dbt build takes ~30-60 s, and both
test_exports.py and test_report.py need the same published file. (A session
fixture in conftest.py would do the same; this keeps conftest untouched.)
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from flows import load, publish, transform
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import ai_compute, epoch


@cache
def published_warehouse(root: Path, loaded_build_db: Path) -> Settings:
    """Load specs next to the 67 lists, `dbt build` everything, publish; read-only for callers.

    `root` must be the same for every caller (the session's base temp dir) so the cache hits."""
    settings = Settings(warehouse_dir=root / "bi-published" / "warehouse")
    settings.build_dir.mkdir(parents=True)
    shutil.copy(loaded_build_db, settings.build_db)
    bundled = Settings(warehouse_dir=PROJECT_ROOT / "warehouse")
    parsed = [epoch.parse(f) for f in epoch.collect("bundled", bundled)]
    parsed += [ai_compute.parse(f) for f in ai_compute.collect("bundled", bundled)]
    with load.connect(settings.build_db) as con:
        load.load_files(con, parsed, "test-bi")
    transform.build(settings)
    publish.publish(settings)
    return settings


def private_copy(settings: Settings, root: Path) -> Settings:
    """A warehouse of its own holding a copy of the published file, for tests that change things."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.warehouse_dir.mkdir(parents=True)
    shutil.copy(settings.published_db, mine.published_db)
    return mine
