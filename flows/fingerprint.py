"""A checksum of everything that shapes the warehouse besides the data.

A scheduled run with no new list skips dbt and publishing, but only when the
models, suites and code that built the published file are the ones here now:
after an upgrade the next run rebuilds even if no list changed.
"""

from __future__ import annotations

import hashlib

from flows.settings import PROJECT_ROOT, Settings

_PATTERNS = ("*.sql", "*.yml", "*.yaml", "*.csv", "*.py", "*.json")
_SKIP_PARTS = {"target", "logs", "dbt_packages", "__pycache__"}


def code_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    roots = (settings.dbt_project_dir, settings.expectations_dir, PROJECT_ROOT / "flows")
    for root in roots:
        files = sorted(
            p for pattern in _PATTERNS for p in root.rglob(pattern)
            if p.is_file() and not _SKIP_PARTS.intersection(p.relative_to(root).parts)
        )
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
