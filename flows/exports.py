"""Parquet copies of every mart, for BI tools that read files rather than DuckDB.

Written into a publication's own `exports/` directory from that publication's
database (flows/publish.py), so a manifest, its Parquet files and the database
next to them always come from the same build: they are published, and rolled
back, together. The manifest records the database's sha256 and list range.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.files import sha256_of
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


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    """name, type as exported, description (the column comment dbt wrote), and the cast if one is needed."""
    rows = con.execute(
        """select column_name, data_type, coalesce(comment, '') from duckdb_columns()
           where database_name = current_database() and schema_name = ? and table_name = ?
           order by column_index""",
        [SCHEMA, table],
    ).fetchall()
    return [
        {
            "name": name,
            "type": _EXPORT_TYPES.get(dtype, dtype),
            "description": " ".join(comment.split()),
            "cast": dtype in _EXPORT_TYPES,
        }
        for name, dtype, comment in rows
    ]


# BI tools read Parquet's unsigned integers badly (several show UINT_32 as negative or refuse it), and
# DuckDB writes HUGEINT as DOUBLE; exported as the signed type that holds every value exactly.
_EXPORT_TYPES = {
    "UTINYINT": "SMALLINT",
    "USMALLINT": "INTEGER",
    "UINTEGER": "BIGINT",
    "UBIGINT": "DECIMAL(20,0)",
    "UHUGEINT": "DECIMAL(38,0)",
    "HUGEINT": "DECIMAL(38,0)",
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
    select = ", ".join(
        f'"{c["name"]}"::{c["type"]} as "{c["name"]}"' if c.pop("cast") else f'"{c["name"]}"' for c in columns
    )
    # descriptions travel inside the file: Parquet key-value metadata, read by pyarrow, DuckDB, Spark
    metadata = {
        "table": f"{SCHEMA}.{table}",
        "description": description,
        "grain": grain or "",
        "column_descriptions": json.dumps({c["name"]: c["description"] for c in columns}, ensure_ascii=False),
    }
    kv = ", ".join(f"'{key}': {_sql_str(value)}" for key, value in metadata.items())
    con.execute(
        f"copy (select {select} from {qualified}) to {_sql_str(dest)} "
        f"(format parquet, compression zstd, kv_metadata {{{kv}}})"
    )
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


def write_exports(db_path: Path, out_dir: Path) -> Path:
    """Export every mart of `db_path` into `out_dir` (made here); returns the manifest's path."""
    out_dir.mkdir(parents=True)
    generated = datetime.now(UTC)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [_export_table(con, t, out_dir / f"{t}.parquet") for t in mart_tables(con)]
    finally:
        con.close()
    if not tables:
        raise ExportError(f"{db_path} has no tables in schema {SCHEMA}")
    # the TOP500 lists published; other marts (HPL-MxP results) may hold lists the TOP500 data does not have
    dates = [t["list_range"] for t in tables if t["table"] == f"{SCHEMA}.list_entries" and t["list_range"]]
    dates = [d for d in dates if d["min"]]
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
