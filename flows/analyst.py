"""What analysts are handed: `top500 sql`, `tables`, `describe` and `shell` on the published warehouse.

Every connection opens the PUBLISHED file read-only with DuckDB's own switches
off: no external access (no file is read or written outside the database: no
`COPY ... TO`, `EXPORT DATABASE`, `ATTACH` of another file, `INSTALL`/`LOAD`)
and the configuration locked, so no statement can switch them back on. The
engine enforces it; nothing here parses SQL. DuckDB's `allowed_directories`
would let analysts read their own CSVs, but it lets `COPY ... TO` write there
too, so it stays unset. `marts` is the default schema (`select * from systems`).
Analysts can never damage what BI tools and the report read, and many readers
can share the file while the pipeline publishes a new one beside it (atomic
rename: an open connection keeps its snapshot).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import duckdb

from flows import textout
from flows.settings import PROJECT_ROOT, Settings, get_settings

MART_SCHEMA = "marts"
# What every analyst connection gets (Python API and `top500 shell` alike).
ANALYST_CONFIG = {"enable_external_access": False, "lock_configuration": True}
# The DuckDB CLI's safe mode turns external access off, locks the configuration and refuses the dot
# commands that touch files (.output, .once, .log, .read, .open, .cd, .shell). Its `-safe` flag fails
# in duckdb-cli 1.5.6 ("Cannot change configuration option extension_directories"); the `.safe_mode`
# command, run once the file is open, works.
SHELL_SETUP = [f"USE {MART_SCHEMA};", ".safe_mode on"]
GRAIN_MARK = "Grain:"  # the table comment's last paragraph (dbt_project/macros/persist_docs.sql)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


EXCEL_MAX_ROWS = 1_048_576  # a worksheet's rows, the header included
EXCEL_EXACT_INT = 2**53  # Excel keeps numbers as doubles: a larger integer is written as text, exactly


class AnalystError(Exception):
    """A problem to show the analyst as is; `exit_code` tells scripts what kind."""

    exit_code = 1


class NotPublished(AnalystError):
    exit_code = 1


class QueryError(AnalystError):
    exit_code = 1


class WriteRefused(AnalystError):
    exit_code = 3


class WarehouseLocked(AnalystError):
    """Another process opened the published file read-write; DuckDB then admits no reader."""

    exit_code = 4


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool = False


QUESTIONS = PROJECT_ROOT / "docs" / "analysts.md"
QUESTION_HEADING = re.compile(r"^-- (\d+)\. (.+)$", re.M)


def analyst_questions(path: Path = QUESTIONS) -> dict[str, str]:
    """The analyst questions of docs/analysts.md, heading -> SQL: `-- N. heading` then the query up to `;`.

    One place for them: the tests run every one on a published warehouse and the bench times them.
    """
    text = "\n".join(re.findall(r"```sql\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S))
    found = {}
    for match in QUESTION_HEADING.finditer(text):
        body = text[match.end() : text.index(";", match.end())].strip()
        found[match.group(2).strip()] = body
    return found


def lock_holder_message(published: Path, exc: BaseException) -> str | None:
    """One line for DuckDB's "Could not set lock" error; None for any other error.

    The published file is locked only by a tool that opened it read-write (the pipeline never does);
    any other file (the build file) by a run writing it."""
    text = str(exc)
    if "Could not set lock" not in text:
        return None
    found = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", text)
    who = f" (PID {found.group(2)}, {found.group(1)})" if found else ""
    locked = re.search(r'Could not set lock on file "([^"]+)"', text)
    path = Path(locked.group(1)) if locked else published
    if path.resolve() != published.resolve():
        return f"error: {path} is locked by another process{who}, a run writing it; try again when it has finished"
    return (
        f"error: {path} is locked by another process that opened it read-write{who}; "
        "while it holds the file nobody can read it. Open it read-only in every tool "
        '(docs/analysts.md, "BI tools"), or close that connection.'
    )


def open_published(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """The published file, read-only, external access off and locked, `marts` as the default schema."""
    settings = settings or get_settings()
    path = settings.published_db
    if not path.exists():
        raise NotPublished(f"no published warehouse at {path}: run `top500 run` first")
    try:
        # the catalog takes the file's stem ("top500"), which the published views name
        con = duckdb.connect(str(path), read_only=True, config=dict(ANALYST_CONFIG))
    except duckdb.IOException as exc:
        message = lock_holder_message(path, exc)
        if message:
            raise WarehouseLocked(message) from None
        raise
    con.execute(f"USE {MART_SCHEMA}")  # the search path, not configuration: allowed once locked
    return con


def query(sql: str, settings: Settings | None = None, max_rows: int | None = None) -> Result:
    """Run `sql` (the last statement's rows are returned) on the published file, read-only."""
    con = open_published(settings)
    try:
        try:
            cur = con.execute(sql)
            if cur.description is None:  # e.g. SET, PRAGMA without output
                return Result([], [])
            columns = [d[0] for d in cur.description]
            if max_rows is None:
                return Result(columns, cur.fetchall())
            rows = cur.fetchmany(max_rows + 1)
        except duckdb.Error as exc:
            raise _explain(exc) from None
        return Result(columns, rows[:max_rows], truncated=len(rows) > max_rows)
    finally:
        con.close()


def _explain(exc: duckdb.Error) -> AnalystError:
    text = str(exc)
    if isinstance(exc, duckdb.PermissionException) or "disabled by configuration" in text:
        return WriteRefused(
            "refused: `top500 sql` cannot write, read or load files, extensions or other databases; "
            "it only queries the published warehouse (external access is off). To take data out, use "
            "`--format csv` or `--format json` and redirect the output.\n"
            f"  DuckDB said: {text}"
        )
    if "configuration has been locked" in text:
        return WriteRefused(f"refused: the configuration of an analyst connection is locked.\n  DuckDB said: {text}")
    if "read-only mode" in text or ("read-only" in text and isinstance(exc, duckdb.InvalidInputException)):
        return WriteRefused(
            "refused: the published warehouse is read-only; `top500 sql` only reads "
            "(SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN). The data changes only through "
            f"`top500 run`.\n  DuckDB said: {text}"
        )
    return QueryError(f"query failed: {text}")


def run_sql(
    sql: str,
    fmt: Format | str = Format.table,
    settings: Settings | None = None,
    out: IO[str] | None = None,
    max_rows: int = 200,
    expanded: bool | None = None,
) -> Result:
    """Print the query result as a table (first `max_rows` rows), CSV or JSON (all rows)."""
    fmt = Format(fmt)
    out = out or sys.stdout
    result = query(sql, settings, max_rows=max_rows if fmt is Format.table else None)
    if fmt is Format.xlsx:
        write_xlsx(result, getattr(out, "buffer", out))
    elif fmt is Format.csv:
        write_csv(result, out)
    elif fmt is Format.json:
        write_json(result, out)
    else:
        print_table(result, out, expanded=expanded)
    return result


def write_csv(result: Result, out: IO[str]) -> None:
    """RFC 4180 CSV; NULL is an empty field, an empty string is `""` (as PostgreSQL's COPY writes them)."""
    out.write(",".join(_csv_field(c) for c in result.columns) + "\n")
    for row in result.rows:
        out.write(",".join(_csv_field(v) for v in row) + "\n")


def _csv_field(v: Any) -> str:
    if v is None:
        return ""
    text = _csv_text(v)
    if text == "" or any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)  # shortest text that reads back to the same double
    if isinstance(v, (date, datetime, time)):
        return v.isoformat()
    return str(v)


def write_xlsx(result: Result, out: IO[bytes]) -> None:
    """One worksheet: a bold header row, then the rows with numbers, dates and booleans typed.

    Excel opens a workbook with every name intact in any locale, where a CSV without a byte-order mark is
    read in the locale's code page (CP949 in Korea) and non-ASCII names come out garbled. NULL and the
    empty string are both an empty cell; lists and structs are their JSON text."""
    import io

    import xlsxwriter

    if len(result.rows) >= EXCEL_MAX_ROWS:
        raise QueryError(
            f"{len(result.rows):,} rows do not fit an Excel worksheet ({EXCEL_MAX_ROWS - 1:,} at most): "
            "add a WHERE or LIMIT, or use --format csv"
        )
    buffer = io.BytesIO()
    options = {"in_memory": True, "nan_inf_to_errors": True, "remove_timezone": True}
    book = xlsxwriter.Workbook(buffer, {**options, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("result")
    formats = {
        "header": book.add_format({"bold": True}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss.000"}),
        "time": book.add_format({"num_format": "hh:mm:ss"}),
    }
    sheet.write_row(0, 0, result.columns, formats["header"])
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(result.rows, start=1):
        for c, value in enumerate(row):
            _xlsx_cell(sheet, r, c, value, formats)
    book.close()
    out.write(buffer.getvalue())
    out.flush()


def _xlsx_cell(sheet, r: int, c: int, v: Any, formats: dict) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        sheet.write_boolean(r, c, v)
    elif (isinstance(v, int) and abs(v) < EXCEL_EXACT_INT) or isinstance(v, float):
        sheet.write_number(r, c, v)
    elif isinstance(v, Decimal) and v == Decimal(float(v)):
        sheet.write_number(r, c, float(v))
    elif isinstance(v, datetime):
        sheet.write_datetime(r, c, v, formats["datetime"])
    elif isinstance(v, date):
        sheet.write_datetime(r, c, v, formats["date"])
    elif isinstance(v, time):
        sheet.write_datetime(r, c, v, formats["time"])
    elif isinstance(v, (list, tuple, dict)):
        sheet.write_string(r, c, json.dumps(_json_value(v), ensure_ascii=False))
    else:
        sheet.write_string(r, c, v.hex() if isinstance(v, bytes) else str(v))


def write_json(result: Result, out: IO[str]) -> None:
    """A JSON array of objects, one per row; dates as ISO strings, NaN as null."""
    records = [{c: _json_value(v) for c, v in zip(result.columns, row)} for row in result.rows]
    json.dump(records, out, ensure_ascii=False, indent=1)
    out.write("\n")


def print_table(result: Result, out: IO[str], expanded: bool | None = None) -> None:
    """Aligned table, or one field per line when it is wider than the terminal (`expanded` forces either)."""
    for line in textout.render(result.columns, result.rows, textout.terminal_width(out), expanded):
        out.write(line + "\n")
    more = " (more rows not shown: use --format csv or a LIMIT)" if result.truncated else ""
    out.write(f"{len(result.rows):,} row(s){more}\n")


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


# --- the schema: tables and describe --------------------------------------------------------------


def split_comment(comment: str | None) -> tuple[str, str | None]:
    """(description, grain) from a table comment written by dbt's persist_docs (our override)."""
    text = (comment or "").strip()
    head, mark, grain = text.rpartition(GRAIN_MARK)
    if not mark or (head and not head.endswith("\n")):
        return text, None
    return head.strip(), grain.strip() or None


@dataclass
class MartInfo:
    name: str
    rows: int
    columns: int
    description: str
    grain: str | None = None


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
                select table_name as name, comment from duckdb_tables()
                where schema_name = ? and database_name = current_database()
                union all
                select view_name, comment from duckdb_views()
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
    infos = []
    for name, comment, n_columns in found:
        description, grain = split_comment(comment)
        infos.append(MartInfo(name, rows[name], n_columns, description or (fallback.get(name) or "").strip(), grain))
    return infos


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


def first_sentence(text: str) -> str:
    """The first sentence of a description, on one line (the whole text stays in `describe`)."""
    flat = " ".join(text.split())
    found = re.match(r"(.+?[.!?])(?=\s+[A-Z(`]|$)", flat)
    return found.group(1) if found else flat


def list_tables(settings: Settings | None = None, out: IO[str] | None = None) -> list[MartInfo]:
    """Print the marts, one line each: size and the first sentence of what each is for, cut to the width."""
    out = out or sys.stdout
    infos = marts(settings)
    columns = textout.format_columns(
        ["mart", "rows", "columns", "about"],
        [
            (f"{MART_SCHEMA}.{m.name}", f"{m.rows:,}", m.columns, first_sentence(m.description or "(no description)"))
            for m in infos
        ],
    )
    columns[1].numeric = True  # right-aligned, with thousands separators
    width = textout.terminal_width(out)
    if width is not None:  # at a terminal: the sentence cut to what is left of the line
        room = max(len(columns[-1].name), width - textout.table_width(columns[:-1]) - 3)
        columns[-1].cells = [c if len(c) <= room else c[: room - 1] + "…" for c in columns[-1].cells]
    for line in textout.render_table(columns):
        out.write(line + "\n")
    out.write("`top500 describe NAME`: a mart's grain, columns and whole description.\n")
    return infos


@dataclass
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    description: str


@dataclass
class TableInfo:
    schema: str
    name: str
    kind: str  # table | view
    rows: int
    description: str
    grain: str | None
    columns: list[ColumnInfo] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)


def describe_table(name: str, settings: Settings | None = None) -> TableInfo:
    """A table's or view's columns (type, nullability, description), its description and grain.

    `name` is `schema.table` or a bare name, looked up in `marts` first."""
    con = open_published(settings)
    try:
        relations = con.execute(
            """select schema_name, table_name, 'table', comment from duckdb_tables() where database_name = current_database()
               union all
               select schema_name, view_name, 'view', comment from duckdb_views()
               where database_name = current_database() and not internal"""
        ).fetchall()
        schema, table, kind, comment = _resolve(name, relations)
        cols = con.execute(
            """select column_name, data_type, is_nullable, comment from duckdb_columns()
               where database_name = current_database() and schema_name = ? and table_name = ?
               order by column_index""",
            [schema, table],
        ).fetchall()
        constraints = con.execute(
            """select constraint_type, constraint_text from duckdb_constraints()
               where database_name = current_database() and schema_name = ? and table_name = ?
                 and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'CHECK')
               order by constraint_index""",
            [schema, table],
        ).fetchall()
        rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    except duckdb.Error as exc:
        raise _explain(exc) from None
    finally:
        con.close()
    description, grain = split_comment(comment)
    return TableInfo(
        schema,
        table,
        kind,
        rows,
        description,
        grain,
        [ColumnInfo(c, t, bool(n), (d or "").strip()) for c, t, n, d in cols],
        [text for _, text in constraints],
    )


def _resolve(name: str, relations: list[tuple]) -> tuple:
    wanted = name.strip().strip('"').lower()
    by_full = {f"{s}.{t}".lower(): r for r in relations for s, t in [r[:2]]}
    if wanted in by_full:
        return by_full[wanted]
    if "." not in wanted:
        if f"{MART_SCHEMA}.{wanted}" in by_full:
            return by_full[f"{MART_SCHEMA}.{wanted}"]
        matches = [r for r in relations if r[1].lower() == wanted]
        if len(matches) == 1:
            return matches[0]
        if matches:
            options = ", ".join(f"{s}.{t}" for s, t, *_ in matches)
            raise QueryError(f"{name!r} exists in several schemas: {options}; name one")
    close = difflib.get_close_matches(wanted, list(by_full) + [r[1] for r in relations if r[0] == MART_SCHEMA], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `top500 tables` lists the marts"
    raise QueryError(f"no table or view {name!r} in the published warehouse{hint}")


def print_description(info: TableInfo, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    width = textout.terminal_width(out)
    wrap = (
        (lambda text, indent="": textout._wrap(text, max(textout.MIN_WRAP, width - len(indent))))
        if width
        else (lambda text, indent="": [text])
    )
    out.write(f"{info.schema}.{info.name} ({info.kind}, {info.rows:,} rows)\n")
    for line in wrap(info.description or "(no description)"):
        out.write(line + "\n")
    grain = info.grain or "(not declared)"
    for k, line in enumerate(wrap(f"Grain: {grain}", "  ")):
        out.write(("" if k == 0 else "  ") + line + "\n")
    for constraint in info.constraints:
        out.write(f"Constraint: {constraint}\n")
    out.write("\n")
    columns = textout.format_columns(
        ["column", "type", "nullable", "description"],
        [(c.name, c.type, "yes" if c.nullable else "not null", c.description) for c in info.columns],
    )
    for line in textout.render_described(columns, width):
        out.write(line + "\n")
    out.write(f"{len(info.columns)} column(s)\n")


# --- the DuckDB shell -------------------------------------------------------------------------------


def shell_command(settings: Settings | None = None) -> list[str]:
    """argv of the DuckDB CLI on the published file: read-only, safe mode (external access off), marts."""
    settings = settings or get_settings()
    path = settings.published_db
    if not path.exists():
        raise NotPublished(f"no published warehouse at {path}: run `top500 run` first")
    binary = Path(sys.executable).with_name("duckdb")
    found = str(binary) if binary.exists() else shutil.which("duckdb")
    if not found:
        raise AnalystError("the DuckDB command-line shell is not installed (pip package duckdb-cli)")
    setup = [arg for cmd in SHELL_SETUP for arg in ("-cmd", cmd)]
    # -no-init: no ~/.duckdbrc, which would run before safe mode is on
    return [found, "-readonly", "-no-init", *setup, str(path)]


def exec_shell(settings: Settings | None = None) -> None:
    argv = shell_command(settings)
    os.execv(argv[0], argv)
