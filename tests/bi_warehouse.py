"""A published warehouse (all 67 lists, specs, every dbt model) shared by the BI tests.

Built once per test process: the full dbt build takes ~20-60 s, and
test_exports.py, test_report.py and test_validate.py need the same published file.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from conftest import built_copy  # noqa: E402

from flows import publish
from flows.settings import Settings


@cache
def published_warehouse(root: Path, loaded_build_db: Path) -> Settings:
    """Load specs next to the 67 lists, `dbt build` everything, publish; read-only for callers.

    `root` must be the same for every caller (the session's base temp dir) so the cache hits."""
    settings, _ = built_copy(root / "bi-published", loaded_build_db, "test-bi")
    publish.publish(settings)
    return settings


def private_copy(settings: Settings, root: Path) -> Settings:
    """A warehouse of its own holding a copy of the published file, for tests that change things."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.warehouse_dir.mkdir(parents=True)
    shutil.copy(settings.published_db, mine.published_db)
    return mine
