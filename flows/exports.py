"""Parquet copies of every mart, for BI tools that read files rather than DuckDB.

Each run writes a complete new version directory, then swaps the symlink
`<warehouse>/exports` to it with one `os.replace`: a reader resolving
`exports/...` sees either the whole previous export or the whole new one,
never a mix, and a reader that already opened an old file keeps it (the
previous version directory is kept until the next run). The manifest records
the published file's sha256, so a consumer can tell which publish it came from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from flows.load import sha256_of
from flows.publish import fsync_path
from flows.settings import Settings, get_settings

SCHEMA = "marts"
LIST_DATE_COLUMN = "list_date"
MANIFEST = "manifest.json"
KEEP_VERSIONS = 2  # the current one and the one a slow reader may still hold
STALE_TEMP_S = 3600  # a temp dir this old belongs to a killed run


class ExportError(RuntimeError):
    """The export could not be written; the previous export (if any) is untouched."""


def versions_dir(settings: Settings) -> Path:
    """Where the version directories live; `exports` is a symlink into it."""
    return settings.warehouse_dir / ".exports"



@contextmanager
def open_published(settings: Settings) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """Read-only connection to the published file plus the sha256 of exactly the bytes it opened.

    The hash is read through a descriptor opened before DuckDB, and the path must still
    point at that inode after DuckDB opened it: a publish racing with us is detected."""
    path = settings.published_db
    if not path.exists():
        raise ExportError(f"no published file at {path}; run the pipeline first")
    for _ in range(3):
        with path.open("rb") as fh:
            con = duckdb.connect(str(path), read_only=True)
            if os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino:
                digest = hashlib.sha256()
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
                try:
                    yield con, digest.hexdigest()
                finally:
                    con.close()
                return
            con.close()
    raise ExportError(f"{path} kept changing while it was opened (a publish in progress?)")


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """select table_name from information_schema.tables
           where table_catalog = current_database() and table_schema = ? order by table_name""",
        [SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    """name, type as exported, description (the column comment dbt wrote), and the cast if one is needed."""
    rows = con.execute(
        """select column_name, data_type, coalesce(comment, '') from duckdb_columns()
           where database_name = current_database() and schema_name = ? and table_name = ?
           order by column_index""",
        [SCHEMA, table],
    ).fetchall()
    return [{"name": name, "type": _EXPORT_TYPES.get(dtype, dtype), "description": " ".join(comment.split()),
             "cast": dtype in _EXPORT_TYPES} for name, dtype, comment in rows]


# BI tools read Parquet's unsigned integers badly (several show UINT_32 as negative or refuse it), and
# DuckDB writes HUGEINT as DOUBLE; exported as the signed type that holds every value exactly.
_EXPORT_TYPES = {
    "UTINYINT": "SMALLINT", "USMALLINT": "INTEGER", "UINTEGER": "BIGINT", "UBIGINT": "DECIMAL(20,0)",
    "UHUGEINT": "DECIMAL(38,0)", "HUGEINT": "DECIMAL(38,0)",
}


def _table_comment(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str | None]:
    from flows.analyst import split_comment

    row = con.execute(
        """select comment from duckdb_tables()
           where database_name = current_database() and schema_name = ? and table_name = ?""",
        [SCHEMA, table],
    ).fetchone()
    description, grain = split_comment(row[0] if row else None)
    return " ".join(description.split()), grain


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _export_table(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> dict:
    qualified = f'{SCHEMA}."{table}"'
    columns = _columns(con, table)
    description, grain = _table_comment(con, table)
    rows = con.execute(f"select count(*) from {qualified}").fetchone()[0]
    select = ", ".join(f'"{c["name"]}"::{c["type"]} as "{c["name"]}"' if c.pop("cast") else f'"{c["name"]}"'
                       for c in columns)
    # descriptions travel inside the file: Parquet key-value metadata, read by pyarrow, DuckDB, Spark
    metadata = {
        "table": f"{SCHEMA}.{table}",
        "description": description,
        "grain": grain or "",
        "column_descriptions": json.dumps({c["name"]: c["description"] for c in columns}, ensure_ascii=False),
    }
    kv = ", ".join(f"'{key}': {_sql_str(value)}" for key, value in metadata.items())
    con.execute(f"copy (select {select} from {qualified}) to {_sql_str(dest)} "
                f"(format parquet, compression zstd, kv_metadata {{{kv}}})")
    # read it back: a truncated or short file must never reach the manifest
    written = con.execute(f"select count(*) from read_parquet({_sql_str(dest)})").fetchone()[0]
    if written != rows:
        raise ExportError(f"{dest.name}: wrote {written} rows, table has {rows}")
    list_range = None
    if any(c["name"] == LIST_DATE_COLUMN for c in columns):
        lo, hi = con.execute(f"select min({LIST_DATE_COLUMN}), max({LIST_DATE_COLUMN}) from {qualified}").fetchone()
        list_range = {"min": lo.isoformat() if lo else None, "max": hi.isoformat() if hi else None}
    return {
        "table": f"{SCHEMA}.{table}",
        "file": dest.name,
        "description": description,
        "grain": grain,
        "rows": rows,
        "columns": columns,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "list_range": list_range,
    }


def write_exports(settings: Settings | None = None) -> Path:
    """Export every mart of the published file; returns the path of the new manifest."""
    settings = settings or get_settings()
    versions = versions_dir(settings)
    versions.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(timezone.utc)
    stamp = generated.strftime("%Y%m%dT%H%M%S%fZ")
    tmp = versions / f".tmp-{stamp}-{os.getpid()}"
    final = versions / stamp
    tmp.mkdir()
    try:
        with open_published(settings) as (con, published_sha):
            tables = [_export_table(con, t, tmp / f"{t}.parquet") for t in mart_tables(con)]
        if not tables:
            raise ExportError(f"{settings.published_db} has no tables in schema {SCHEMA}")
        dates = [t["list_range"] for t in tables if t["list_range"] and t["list_range"]["min"]]
        manifest = {
            "generated_at": generated.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "published_file": {"path": settings.published_db.name, "sha256": published_sha},
            "list_range": {"min": min(d["min"] for d in dates), "max": max(d["max"] for d in dates)} if dates else None,
            "duckdb_version": duckdb.__version__,
            "tables": tables,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in tmp.iterdir():
            fsync_path(path)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_exports_at(settings.exports_dir, final)
    _prune(versions, keep=final)
    return settings.exports_dir / MANIFEST


def _point_exports_at(link: Path, target: Path) -> None:
    """Atomically make `link` a symlink to `target` (relative, so the warehouse can move)."""
    if link.exists() and not link.is_symlink():
        # a plain directory from an older layout: replaced once, not atomically
        shutil.rmtree(link)
    tmp_link = link.with_name(f".{link.name}.link-{os.getpid()}")
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    os.replace(tmp_link, link)
    fsync_path(link.parent)


def _prune(versions: Path, keep: Path) -> None:
    """Drop all but the newest KEEP_VERSIONS complete versions (and temp dirs of killed runs)."""
    complete = sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    stale = [p for p in complete[:-KEEP_VERSIONS] if p != keep]
    cutoff = time.time() - STALE_TEMP_S
    stale += [p for p in versions.glob(".tmp-*") if p.stat().st_mtime < cutoff]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def read_manifest(settings: Settings | None = None) -> dict:
    settings = settings or get_settings()
    return json.loads((settings.exports_dir / MANIFEST).read_text())

