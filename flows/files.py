"""The file model every stage shares: a source file ready to load, its parsed rows, its checksum.

Extract makes `SourceFile`s, the parsers turn them into `ParsedFile`s, the loader writes those; the
publication and the report hash files with the same `sha256_of`. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flows.errors import SourceError, SourceErrors

if TYPE_CHECKING:  # imported where rows are parsed: a no-op run never pays pandas' ~0.3 s import
    import pandas as pd


@dataclass(frozen=True)
class SourceFile:
    """A file ready to load: what it is, where it came from, its checksum."""

    dataset: str
    file_key: str  # what a newer version replaces, e.g. "2020-11"
    path: Path
    source_uri: str
    sha256: str
    size_bytes: int

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass
class ParsedFile:
    """Rows parsed from one SourceFile, typed to match `table` (lineage added on load)."""

    file: SourceFile
    table: str
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # The columns that tell one row of the file from another (the source's own key, e.g. a list's rank):
    # what a newer version of the file is compared by (raw.source_file_rows, marts.source_versions).
    key: tuple[str, ...] = ()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_file(dataset: str, file_key: str, path: Path, source_uri: str) -> SourceFile:
    return SourceFile(dataset, file_key, path, source_uri, sha256_of(path), path.stat().st_size)


def parse_each(parse_one: Callable[[SourceFile], ParsedFile], files: Sequence[SourceFile]) -> list[ParsedFile]:
    """Parse every file before loading any; report all bad files together, so none loads."""
    parsed, errors = [], []
    for f in files:
        try:
            parsed.append(parse_one(f))
        except SourceError as exc:
            errors.append(exc)
    if errors:
        raise SourceErrors(errors)
    return parsed
