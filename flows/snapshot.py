"""The committed source snapshot and its checksums (warehouse/sources/SHA256SUMS)."""

from __future__ import annotations

from flows.files import sha256_of
from flows.settings import get_settings


def verify_bundled() -> list[str]:
    """Problems found, one line each (empty when every file matches)."""
    root = get_settings().bundled_dir
    manifest = root / "SHA256SUMS"
    problems = []
    listed = set()
    for line in manifest.read_text().splitlines():
        expected, rel = line.split(maxsplit=1)
        listed.add(rel)
        path = root / rel
        if not path.exists():
            problems.append(f"{rel}: listed in SHA256SUMS but missing")
        elif sha256_of(path) != expected:
            problems.append(f"{rel}: sha256 differs from SHA256SUMS")
    for path in sorted((root / "top500" / "raw").iterdir()):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: not listed in SHA256SUMS")
    return problems
