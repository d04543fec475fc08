"""A published warehouse (all 67 lists, specs, every dbt model) shared by the BI tests.

Built once per test process: the full dbt build takes ~20-60 s, and
test_exports.py, test_report.py and test_validate.py need the same published file.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from conftest import load_reference_sources  # noqa: E402

from flows import publish, transform
from flows.settings import Settings


@cache
def published_warehouse(root: Path, loaded_build_db: Path) -> Settings:
    """Load specs next to the 67 lists, `dbt build` everything, publish; read-only for callers.

    `root` must be the same for every caller (the session's base temp dir) so the cache hits."""
    settings = Settings(warehouse_dir=root / "bi-published" / "warehouse")
    settings.build_dir.mkdir(parents=True)
    shutil.copy(loaded_build_db, settings.build_db)
    load_reference_sources(settings.build_db, "test-bi")
    transform.build(settings)
    publish.publish(settings)
    return settings


def private_copy(settings: Settings, root: Path) -> Settings:
    """A warehouse of its own holding a copy of the published file, for tests that change things."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.warehouse_dir.mkdir(parents=True)
    shutil.copy(settings.published_db, mine.published_db)
    return mine
