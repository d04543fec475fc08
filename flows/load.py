"""Idempotent raw loads into the private build file.

A file is loaded only when its sha256 differs from the version already loaded
for the same (dataset, file_key); a changed file replaces the old version's
rows, and all files of a run land in one transaction, so a crash leaves the
old data or the new, never a mix. Every version stays in raw.source_files.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from flows.errors import SourceError, SourceErrors

DDL_DIR = Path(__file__).with_name("ddl")


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


@dataclass
class LoadSummary:
    loaded: list[ParsedFile]
    unchanged: list[SourceFile]

    @property
    def rows_loaded(self) -> int:
        return sum(len(p.rows) for p in self.loaded)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_file(dataset: str, file_key: str, path: Path, source_uri: str) -> SourceFile:
    return SourceFile(dataset, file_key, path, source_uri, sha256_of(path), path.stat().st_size)


def parse_all(parse_one: Callable[[SourceFile], ParsedFile], files: Sequence[SourceFile]) -> list[ParsedFile]:
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


@contextlib.contextmanager
def connect(db_path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed: DuckDB allows one writer per file."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    try:
        if not read_only:
            ensure_raw_schema(con)
        yield con
    finally:
        con.close()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in sorted(DDL_DIR.glob("*.sql")):
        con.execute(ddl.read_text())


def current_versions(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, str]:
    """file_key -> sha256 of the version whose rows are loaded now."""
    rows = con.execute(
        "SELECT file_key, sha256 FROM raw.source_files WHERE dataset = ? AND is_current",
        [dataset],
    ).fetchall()
    return dict(rows)


def changed_files(con: duckdb.DuckDBPyConnection, files: Sequence[SourceFile]) -> list[SourceFile]:
    """The files whose content is not loaded yet (new, or a re-issued version)."""
    known: dict[tuple[str, str], str] = {}
    for dataset in {f.dataset for f in files}:
        for key, sha in current_versions(con, dataset).items():
            known[(dataset, key)] = sha
    return [f for f in files if known.get((f.dataset, f.file_key)) != f.sha256]


def load_files(con: duckdb.DuckDBPyConnection, parsed: Sequence[ParsedFile], run_id: str) -> None:
    """Replace each file's previous version with its new rows, all in one transaction."""
    if not parsed:
        return
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        for item in parsed:
            _retire_previous_version(con, item, loaded_at)
        for table, items in _by_table(parsed).items():
            _insert_rows(con, table, items, run_id, loaded_at)
        con.executemany(
            "INSERT INTO raw.source_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, true, NULL)",
            [[p.file.dataset, p.file.file_key, p.file.file_name, p.file.source_uri, p.file.sha256,
              p.file.size_bytes, len(p.rows), run_id, loaded_at] for p in parsed],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        # After ROLLBACK: an aborted transaction refuses even unregister().
        with contextlib.suppress(duckdb.Error):
            con.unregister("_batch")


def _by_table(parsed: Sequence[ParsedFile]) -> dict[str, list[ParsedFile]]:
    groups: dict[str, list[ParsedFile]] = {}
    for item in parsed:
        groups.setdefault(item.table, []).append(item)
    return groups


def _retire_previous_version(con: duckdb.DuckDBPyConnection, item: ParsedFile, loaded_at: datetime) -> None:
    f = item.file
    con.execute(
        f"""DELETE FROM {item.table} WHERE source_file IN (
                SELECT file_name FROM raw.source_files
                WHERE dataset = ? AND file_key = ? AND is_current)""",
        [f.dataset, f.file_key],
    )
    con.execute(
        """UPDATE raw.source_files SET is_current = false, superseded_at = ?
           WHERE dataset = ? AND file_key = ? AND is_current""",
        [loaded_at, f.dataset, f.file_key],
    )


def _insert_rows(con, table: str, items: list[ParsedFile], run_id: str, loaded_at: datetime) -> None:
    """One INSERT for all files of a table: 67 lists in ~0.1 s instead of 67 round trips."""
    frames = [
        item.rows.assign(source_file=item.file.file_name, source_sha256=item.file.sha256)
        for item in items
    ]
    batch = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    con.register("_batch", batch)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT *, ? AS loaded_at, ? AS run_id FROM _batch",
        [loaded_at, run_id],
    )
