"""A checksum of everything that shapes the warehouse besides the data.

A scheduled run with no new list skips dbt and publishing, but only when the
models, suites and code that built the published file are the ones here now:
after an upgrade the next run rebuilds even if no list changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flows.settings import PROJECT_ROOT, Settings

_PATTERNS = ("*.sql", "*.yml", "*.yaml", "*.csv", "*.py", "*.json")
_SKIP_PARTS = {"target", "logs", "dbt_packages", "__pycache__"}


def code_fingerprint(settings: Settings) -> str:
    return tree_digest(settings.dbt_project_dir, settings.expectations_dir, PROJECT_ROOT / "flows").hexdigest()


def tree_digest(*roots: Path) -> hashlib._Hash:
    """The names and bytes of the code files under `roots` (build outputs and caches left out)."""
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(
            p
            for pattern in _PATTERNS
            for p in root.rglob(pattern)
            if p.is_file() and not _SKIP_PARTS.intersection(p.relative_to(root).parts)
        )
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest
