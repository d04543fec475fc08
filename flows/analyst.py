"""Ad-hoc SQL on the published warehouse, for analysts (`top500 sql`, `top500 tables`).

Queries open the PUBLISHED file read-only: DuckDB then refuses every write,
analysts can never damage what BI tools and the report read, and many readers
can share the file while the pipeline publishes a new one beside it (atomic
rename: an open connection keeps its snapshot).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import duckdb

from flows.settings import Settings, get_settings

MART_SCHEMA = "marts"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class AnalystError(Exception):
    """A problem to show the analyst as is; `exit_code` tells scripts what kind."""

    exit_code = 1


class NotPublished(AnalystError):
    exit_code = 1


class WriteRefused(AnalystError):
    exit_code = 3


class QueryError(AnalystError):
    exit_code = 1


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False


def open_published(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    settings = settings or get_settings()
    path = settings.published_db
    if not path.exists():
        raise NotPublished(f"no published warehouse at {path}: run `top500 run` first")
    # the catalog takes the file's stem ("top500"), which the published views name
    return duckdb.connect(str(path), read_only=True)


def query(sql: str, settings: Settings | None = None, max_rows: int | None = None) -> Result:
    """Run `sql` (the last statement's rows are returned) on the published file, read-only."""
    con = open_published(settings)
    try:
        try:
            cur = con.execute(sql)
        except duckdb.Error as exc:
            raise _explain(exc) from exc
        if cur.description is None:  # e.g. SET, PRAGMA without output
            return Result([], [])
        columns = [d[0] for d in cur.description]
        if max_rows is None:
            return Result(columns, cur.fetchall())
        rows = cur.fetchmany(max_rows + 1)
        return Result(columns, rows[:max_rows], truncated=len(rows) > max_rows)
    finally:
        con.close()


def _explain(exc: duckdb.Error) -> AnalystError:
    text = str(exc)
    if "read-only mode" in text:
        return WriteRefused(
            "refused: the published warehouse is read-only; `top500 sql` only reads "
            "(SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN). The data changes only through "
            f"`top500 run`.\n  DuckDB said: {text}"
        )
    return QueryError(f"query failed: {text}")


def run_sql(sql: str, fmt: Format | str = Format.table, settings: Settings | None = None,
            out: IO[str] | None = None, max_rows: int = 200) -> Result:
    """Print the query result as a table (first `max_rows` rows), CSV or JSON (all rows)."""
    fmt = Format(fmt)
    out = out or sys.stdout
    result = query(sql, settings, max_rows=max_rows if fmt is Format.table else None)
    if fmt is Format.csv:
        write_csv(result, out)
    elif fmt is Format.json:
        write_json(result, out)
    else:
        print_table(result, out)
    return result


def write_csv(result: Result, out: IO[str]) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(result.columns)
    w.writerows([[_csv_value(v) for v in row] for row in result.rows])


def write_json(result: Result, out: IO[str]) -> None:
    """A JSON array of objects, one per row; dates as ISO strings, NaN as null."""
    records = [{c: _json_value(v) for c, v in zip(result.columns, row)} for row in result.rows]
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")


def print_table(result: Result, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.columns, show_lines=False, header_style="bold")
    for row in result.rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    # piped output: do not squeeze columns to 80 characters
    console = Console(file=out, width=None if out.isatty() else 10_000, soft_wrap=True)
    console.print(table)
    more = " (more rows not shown: use --format csv or a LIMIT)" if result.truncated else ""
    console.print(f"{len(result.rows):,} row(s){more}", style="dim", highlight=False)


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (date, datetime, time)):
        return v.isoformat()
    return v


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (date, datetime, time)):
        return v.isoformat()
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, bytes):
        return v.hex()
    return v


@dataclass
class MartInfo:
    name: str
    rows: int
    columns: int
    description: str


def marts(settings: Settings | None = None) -> list[MartInfo]:
    """Every table and view in the marts schema, with its dbt description.

    Descriptions come from the COMMENTs dbt writes when `persist_docs` is on;
    a mart without one falls back to dbt's manifest.json in the build dir.
    """
    settings = settings or get_settings()
    con = open_published(settings)
    try:
        found = con.execute(
            """
            with relations as (
                select table_name as name, comment, estimated_size from duckdb_tables()
                where schema_name = ? and database_name = current_database()
                union all
                select view_name, comment, null from duckdb_views()
                where schema_name = ? and database_name = current_database() and not internal
            )
            select r.name, r.comment, count(c.column_name) as n_columns
            from relations r
            left join duckdb_columns() c
              on c.schema_name = ? and c.table_name = r.name and c.database_name = current_database()
            group by r.name, r.comment
            order by r.name
            """,
            [MART_SCHEMA, MART_SCHEMA, MART_SCHEMA],
        ).fetchall()
        rows = {name: con.execute(f'select count(*) from {MART_SCHEMA}."{name}"').fetchone()[0] for name, _, _ in found}
    finally:
        con.close()
    fallback = manifest_descriptions(settings)
    return [
        MartInfo(name, rows[name], n_columns, (comment or fallback.get(name) or "").strip())
        for name, comment, n_columns in found
    ]


def manifest_path(settings: Settings) -> Path:
    from flows.transform import dbt_paths

    return dbt_paths(settings)[0] / "manifest.json"


def manifest_descriptions(settings: Settings) -> dict[str, str]:
    """mart name -> model description from the last dbt run's manifest (empty if there is none)."""
    path = manifest_path(settings)
    if not path.exists():
        return {}
    nodes = json.loads(path.read_text()).get("nodes", {})
    return {
        n.get("alias") or n["name"]: n.get("description", "")
        for n in nodes.values()
        if n.get("resource_type") == "model" and n.get("schema") == MART_SCHEMA
    }


def list_tables(settings: Settings | None = None, out: IO[str] | None = None) -> list[MartInfo]:
    """Print the marts, their size and what each is for."""
    from rich.console import Console
    from rich.table import Table

    out = out or sys.stdout
    infos = marts(settings)
    table = Table("mart", "rows", "columns", "description", header_style="bold")
    for m in infos:
        table.add_row(f"{MART_SCHEMA}.{m.name}", f"{m.rows:,}", str(m.columns), m.description or "(no description)")
    Console(file=out, width=None if out.isatty() else 160).print(table)
    return infos
