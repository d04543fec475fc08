"""Parquet copies of every mart, for BI tools that read files rather than DuckDB.

Written into a publication's own `exports/` directory from that publication's
database (flows/publish.py), so a manifest, its Parquet files and the database
next to them always come from the same build: they are published, and rolled
back, together. The manifest records the database's sha256 and list range.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from flows.load import sha256_of
from flows.settings import Settings, get_settings

SCHEMA = "marts"
LIST_DATE_COLUMN = "list_date"
MANIFEST = "manifest.json"


class ExportError(RuntimeError):
    """The export could not be written; nothing is published."""


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """select table_name from information_schema.tables
           where table_catalog = current_database() and table_schema = ? order by table_name""",
        [SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, str]]:
    rows = con.execute(
        """select column_name, data_type from information_schema.columns
           where table_catalog = current_database() and table_schema = ? and table_name = ?
           order by ordinal_position""",
        [SCHEMA, table],
    ).fetchall()
    return [{"name": name, "type": dtype} for name, dtype in rows]


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _export_table(con: duckdb.DuckDBPyConnection, table: str, dest: Path) -> dict:
    qualified = f'{SCHEMA}."{table}"'
    columns = _columns(con, table)
    rows = con.execute(f"select count(*) from {qualified}").fetchone()[0]
    con.execute(f"copy {qualified} to {_sql_str(dest)} (format parquet, compression zstd)")
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
        "rows": rows,
        "columns": columns,
        "sha256": sha256_of(dest),
        "bytes": dest.stat().st_size,
        "list_range": list_range,
    }


def write_exports(db_path: Path, out_dir: Path) -> Path:
    """Export every mart of `db_path` into `out_dir` (made here); returns the manifest's path."""
    out_dir.mkdir(parents=True)
    generated = datetime.now(timezone.utc)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [_export_table(con, t, out_dir / f"{t}.parquet") for t in mart_tables(con)]
    finally:
        con.close()
    if not tables:
        raise ExportError(f"{db_path} has no tables in schema {SCHEMA}")
    dates = [t["list_range"] for t in tables if t["list_range"] and t["list_range"]["min"]]
    manifest = {
        "generated_at": generated.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "published_file": {"path": db_path.name, "sha256": sha256_of(db_path)},
        "list_range": {"min": min(d["min"] for d in dates), "max": max(d["max"] for d in dates)} if dates else None,
        "duckdb_version": duckdb.__version__,
        "tables": tables,
    }
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


def read_manifest(settings: Settings | None = None) -> dict:
    settings = settings or get_settings()
    return json.loads((settings.exports_dir / MANIFEST).read_text())

