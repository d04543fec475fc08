"""Write-audit-publish: the validated build file becomes what analysts read, atomically.

The pipeline writes only `settings.build_db`. `publish` copies it into a temp
file next to the published one in DuckDB 1.4's storage format (many BI drivers
bundle 1.4, which refuses files written with 2.0's default), checks every view
still resolves in the copy, fsyncs, hard-links the current published file to
`settings.previous_db` and `os.replace`s the copy into place. Readers already
connected keep their open (old) inode; new connections see the new file; at no
moment is there no published file. Publishing never opens the published file,
so a reader holding it open (DuckDB locks it) cannot make it fail.
The build and published files share the stem `top500`, which is DuckDB's catalog
name for a file: view SQL qualified with "top500". resolves in both.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from flows.load import sha256_of
from flows.settings import Settings

STORAGE_VERSION = "v1.4.0"


class PublishError(Exception):
    """The copy could not be made or did not check out; the published file is untouched."""


@dataclass(frozen=True)
class FileState:
    path: Path
    exists: bool
    sha256: str | None
    size_bytes: int | None
    mtime_ns: int | None


def file_state(path: Path) -> FileState:
    """Checksum and mtime of a file, to prove a failed run left it byte-identical."""
    if not path.exists():
        return FileState(path, False, None, None, None)
    st = path.stat()
    return FileState(path, True, sha256_of(path), st.st_size, st.st_mtime_ns)


def published_state(settings: Settings) -> FileState:
    return file_state(settings.published_db)


def storage_version(path: Path) -> str:
    """The storage version DuckDB reports for a file, e.g. 'v1.4.0' or 'v2.0.0+'."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_path(path)}' AS probe (READ_ONLY)")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'probe'").fetchone()[0]
        return tags.get("storage_version")
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def fsync_path(path: Path) -> None:
    """Flush a file or a directory entry to disk (a rename is durable only after its directory is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_build(build_db: Path, dest: Path) -> None:
    """COPY FROM DATABASE into a file in DuckDB 1.4 format; the catalog must be named top500."""
    catalog = build_db.stem
    con = duckdb.connect(str(build_db))
    try:
        con.execute(f"ATTACH '{_sql_path(dest)}' AS publish_copy (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f'COPY FROM DATABASE "{catalog}" TO publish_copy')
        con.execute("DETACH publish_copy")  # checkpoints: no .wal left next to the copy
    finally:
        con.close()


def check_copy(path: Path, catalog: str = "top500") -> dict[str, int]:
    """Every table and view of the copy readable under the published catalog name; returns counts."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_path(path)}' AS \"{catalog}\" (READ_ONLY)")
        con.execute(f'USE "{catalog}"')
        objects = con.execute(
            """select schema_name, table_name from duckdb_tables() where database_name = ?
               union all select schema_name, view_name from duckdb_views() where database_name = ? and not internal""",
            [catalog, catalog],
        ).fetchall()
        counts = {}
        for schema, name in objects:
            try:
                counts[f"{schema}.{name}"] = con.execute(f'select count(*) from "{catalog}"."{schema}"."{name}"').fetchone()[0]
            except duckdb.Error as exc:
                raise PublishError(f"{schema}.{name} does not resolve in the copy: {exc}") from exc
        tags = con.execute("select tags from duckdb_databases() where database_name = ?", [catalog]).fetchone()[0]
        version = tags.get("storage_version") or ""
        if version.rstrip("+") != STORAGE_VERSION:  # DuckDB reports 'v1.4.0+'
            raise PublishError(f"copy has storage version {version!r}, expected {STORAGE_VERSION}")
        return counts
    finally:
        con.close()


def publish(settings: Settings) -> FileState:
    """Publish the build file; returns the new published file's state."""
    build, target, previous = settings.build_db, settings.published_db, settings.previous_db
    if build.stem != target.stem:
        raise PublishError(f"{build.name} and {target.name} must share a stem: views name their catalog")
    if not build.exists():
        raise PublishError(f"no build file at {build}")
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    tmp = target.with_name(f".{target.stem}.publishing-{os.getpid()}-{stamp}.duckdb")
    try:
        _copy_build(build, tmp)
        check_copy(tmp, catalog=target.stem)
        fsync_path(tmp)
        if target.exists():
            _keep_previous(target, previous)
        os.replace(tmp, target)
        fsync_path(target.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return file_state(target)


def _keep_previous(current: Path, previous: Path) -> None:
    """previous := current, atomically, without ever removing `current` (readers may open it now)."""
    staging = previous.with_name(f".{previous.name}.{os.getpid()}")
    staging.unlink(missing_ok=True)
    try:
        os.link(current, staging)  # same inode: byte-identical by construction, instant
    except OSError:
        shutil.copy2(current, staging)
        fsync_path(staging)
    os.replace(staging, previous)


def rollback(settings: Settings) -> FileState:
    """Swap the previous published file back in; the replaced one becomes `previous` (roll forward = run again)."""
    target, previous = settings.published_db, settings.previous_db
    if not previous.exists():
        raise PublishError(f"nothing to roll back to: {previous} does not exist")
    swap = target.with_name(f".{target.name}.rollback-{os.getpid()}")
    swap.unlink(missing_ok=True)
    if target.exists():
        os.link(target, swap)
    os.replace(previous, target)
    if swap.exists():
        os.replace(swap, previous)
    fsync_path(target.parent)
    return file_state(target)


def clean_stale_temp(settings: Settings) -> list[Path]:
    """Temp files left by a killed publish or rollback: all start with '.top500.' (never a published file)."""
    removed = []
    for path in settings.published_db.parent.glob(f".{settings.published_db.stem}.*"):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
