"""The PostgreSQL copy of the publication: what BI servers on other machines read.

Optional (`TOP500_POSTGRES_DSN`). The file publication is the truth; Postgres follows it. After each
publication switch (a run that publishes, `rollback`, `rollforward`) and at the end of every run, `sync`
brings the database to the current generation if it holds another one:

1. one transaction, serialized by an advisory lock: the schemas `marts` and `audit` are created again as
   staging schemas from the published DuckDB file's own catalog (types, NOT NULL, primary keys, UNIQUE and
   CHECK constraints, table and column comments with the grain), loaded with psycopg's COPY, and checked
   against the DuckDB publication (row counts, null counts per column, key uniqueness, the sum of every
   numeric column); the reader role is created or corrected and granted; the generation is written in the
   schema comments and as a row of `audit.postgres_syncs` (Postgres only, its history carried over); then
   both schemas are swapped in by renames and the transaction commits. Anything failing rolls the whole
   transaction back: Postgres keeps the generation it had, never half of one.
2. the schemas the swap retired are dropped with a short lock timeout; a long query still reading one
   keeps it, and a later sync drops it.

A query already running at the swap finishes on the data it started on; a new one sees the new
generation. The password never passes through here: libpq reads PGPASSWORD or PGPASSFILE itself, and a DSN
carrying one is refused before anything runs.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from flows.settings import Settings

log = logging.getLogger(__name__)

SCHEMAS = ("marts", "audit")
READER = "top500_reader"
STAGING_PREFIX = "top500_staging_"
STAGED = {schema: STAGING_PREFIX + schema for schema in SCHEMAS}  # live schema -> its staging schema
RETIRED_PREFIX = "top500_retired_"
SYNC_TABLE = "postgres_syncs"  # in `audit`: Postgres only, one row per sync, history carried over
APPLICATION_NAME = "top500-sync"
CONNECT_TIMEOUT_S = 10
SWAP_LOCK_TIMEOUT = "10s"  # the renames wait this long for a conflicting DDL lock, then the sync fails
DROP_LOCK_TIMEOUT = "500ms"  # a retired schema still read is kept for a later sync
ADVISORY_LOCK = 500_500_500_001  # pg_advisory_xact_lock key: one sync at a time per database
RELATIVE_SUM_TOLERANCE = 1e-9
COPY_BATCH = 20_000
COMMENT_GENERATION = re.compile(r"\bgeneration (\S+?)[:;,]")

# DuckDB type -> PostgreSQL type. JSON stays `json` (text kept exactly as written, unlike jsonb).
_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39,0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "UHUGEINT": "numeric(39,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",
}
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_INTEGER_TYPES |= {"UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}


class SyncError(Exception):
    """Postgres could not be brought to the published generation; it keeps the one it had."""


class DsnRefused(ValueError):
    """TOP500_POSTGRES_DSN is unusable or carries a password (passwords come from PGPASSWORD/PGPASSFILE)."""


# --- the setting ---------------------------------------------------------------------------------------


def refuse_password(dsn: str) -> None:
    """A DSN (URI or key=value) holding a password is refused; the message never repeats the DSN."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except Exception:
        raise DsnRefused(
            "TOP500_POSTGRES_DSN is not a PostgreSQL connection string "
            "(e.g. postgresql://top500_loader@db.example:5432/top500)"
        ) from None
    if params.get("password") is not None:
        raise DsnRefused(
            "TOP500_POSTGRES_DSN carries a password: remove it from the DSN and set PGPASSWORD or "
            "PGPASSFILE instead (a password in a setting ends up in logs and process listings)"
        )


def where(dsn: str) -> str:
    """user@host:port/database, for messages (a DSN that reached here holds no password)."""
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(dsn)
    host = p.get("host") or "local socket"
    return f"{p.get('user') or '(default user)'}@{host}:{p.get('port') or 5432}/{p.get('dbname') or '(default)'}"


# --- the DuckDB catalog ----------------------------------------------------------------------------------


@dataclass
class Column:
    name: str
    duck_type: str
    nullable: bool
    comment: str | None

    @property
    def pg_type(self) -> str:
        return pg_type(self.duck_type)

    @property
    def numeric(self) -> bool:
        return self.duck_type in _INTEGER_TYPES or self.duck_type in _FLOAT_TYPES or _is_decimal(self.duck_type)


@dataclass
class Table:
    schema: str
    name: str
    comment: str | None
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)
    unique: list[list[str]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[list[str]]:
        return ([self.primary_key] if self.primary_key else []) + self.unique


def _is_decimal(duck_type: str) -> bool:
    return duck_type.startswith("DECIMAL(")


def pg_type(duck_type: str) -> str:
    """The PostgreSQL type holding every value of a DuckDB type exactly; SyncError for one it cannot."""
    if duck_type in _TYPES:
        return _TYPES[duck_type]
    if _is_decimal(duck_type):
        return "numeric" + duck_type.removeprefix("DECIMAL")
    if duck_type.endswith("[]"):
        inner = pg_type(duck_type[:-2])
        if inner.endswith("[]"):
            raise SyncError(f"nested list type {duck_type} has no PostgreSQL column type here")
        return inner + "[]"
    raise SyncError(f"DuckDB type {duck_type} has no PostgreSQL column type here (flows/postgres_sync.py)")


def read_catalog(duck: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = SCHEMAS) -> list[Table]:
    """Every table of `schemas` in the published file, with columns, constraints and comments."""
    tables = {
        (s, t): Table(s, t, c, [])
        for s, t, c in duck.execute(
            """select schema_name, table_name, comment from duckdb_tables()
               where database_name = current_database() and schema_name in (select unnest(?))
               order by schema_name, table_name""",
            [list(schemas)],
        ).fetchall()
    }
    for s, t, name, dtype, nullable, comment in duck.execute(
        """select schema_name, table_name, column_name, data_type, is_nullable, comment from duckdb_columns()
           where database_name = current_database() and schema_name in (select unnest(?))
           order by schema_name, table_name, column_index""",
        [list(schemas)],
    ).fetchall():
        if (s, t) in tables:
            tables[(s, t)].columns.append(Column(name, dtype, bool(nullable), comment))
    for s, t, kind, text, columns in duck.execute(
        """select schema_name, table_name, constraint_type, constraint_text, constraint_column_names
           from duckdb_constraints()
           where database_name = current_database() and schema_name in (select unnest(?))
             and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'CHECK')
           order by schema_name, table_name, constraint_index""",
        [list(schemas)],
    ).fetchall():
        table = tables.get((s, t))
        if table is None:
            continue
        if kind == "PRIMARY KEY":
            table.primary_key = list(columns)
        elif kind == "UNIQUE":
            table.unique.append(list(columns))
        else:
            table.checks.append(text)
    views = duck.execute(
        """select schema_name || '.' || view_name from duckdb_views()
           where database_name = current_database() and not internal and schema_name in (select unnest(?))""",
        [list(schemas)],
    ).fetchall()
    if views:  # a view's SQL is DuckDB's: it has no faithful copy, so the publication must not hold one
        raise SyncError(f"views cannot be copied to PostgreSQL: {', '.join(v for (v,) in views)}")
    return list(tables.values())


# --- DDL ---------------------------------------------------------------------------------------------


def ident(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def literal(text: str | None) -> str:
    if text is None:
        return "NULL"
    return "'" + text.replace("'", "''") + "'"


def create_table_sql(table: Table, schema: str) -> list[str]:
    """CREATE TABLE with the DuckDB table's types, NOT NULL, keys and CHECKs, then its comments."""
    parts = [f"{ident(c.name)} {c.pg_type}" + ("" if c.nullable else " NOT NULL") for c in table.columns]
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(ident(c) for c in table.primary_key)})")
    parts += [f"UNIQUE ({', '.join(ident(c) for c in cols)})" for cols in table.unique]
    parts += table.checks  # DuckDB writes them as `CHECK((expr))`, which PostgreSQL reads unchanged
    target = ident(schema, table.name)
    statements = [f"CREATE TABLE {target} (\n  " + ",\n  ".join(parts) + "\n)"]
    if table.comment:
        statements.append(f"COMMENT ON TABLE {target} IS {literal(table.comment)}")
    statements += [
        f"COMMENT ON COLUMN {target}.{ident(c.name)} IS {literal(c.comment)}" for c in table.columns if c.comment
    ]
    return statements


# Types whose Arrow form the CSV writer cannot write, or writes in a form PostgreSQL reads otherwise:
# sent as DuckDB's text of them, which PostgreSQL parses into the column's type.
_AS_TEXT = {"JSON", "HUGEINT", "UHUGEINT", "UBIGINT", "UUID", "INTERVAL", "TIME", "TIMESTAMP WITH TIME ZONE"}


def _array_literal(expr: str) -> str:
    r"""DuckDB SQL turning a list into PostgreSQL's array text, {"a","b \"c\""}, NULL elements unquoted."""
    element = (
        "CASE WHEN e IS NULL THEN 'NULL' ELSE "
        r"""'"' || replace(replace(e::VARCHAR, '\', '\\'), '"', '\"') || '"' END"""
    )
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL "
        f"ELSE '{{' || array_to_string(list_transform({expr}, lambda e: {element}), ',') || '}}' END"
    )


def _select_list(table: Table) -> str:
    """The DuckDB select that feeds COPY: the column itself, or text PostgreSQL reads into its type."""
    items = []
    for c in table.columns:
        if c.duck_type.endswith("[]"):
            items.append(f"{_array_literal(ident(c.name))} AS {ident(c.name)}")
        elif c.duck_type in _AS_TEXT:
            items.append(f"{ident(c.name)}::VARCHAR AS {ident(c.name)}")
        else:
            items.append(ident(c.name))
    return ", ".join(items)


# --- load and check ----------------------------------------------------------------------------------


class _CopySink:
    """The file-like object Arrow's CSV writer writes into: each block goes straight into COPY."""

    closed = False

    def __init__(self, copy):
        self.copy = copy

    def write(self, data) -> int:
        self.copy.write(data)
        return len(data)

    def flush(self) -> None:
        pass


def copy_table(duck: duckdb.DuckDBPyConnection, pg, table: Table, schema: str) -> int:
    """COPY every row of the DuckDB table into `schema`; returns the rows sent.

    DuckDB hands the rows over as Arrow batches and Arrow's CSV writer turns them into COPY's CSV, both in
    C++ (a third of the time of Python row tuples). CSV keeps NULL (an empty field) apart from the empty
    string (`""`)."""
    import pyarrow.csv as arrow_csv

    columns = ", ".join(ident(c.name) for c in table.columns)
    relation = duck.sql(f"select {_select_list(table)} from {ident(table.schema, table.name)}")
    reader = relation.to_arrow_reader(COPY_BATCH)
    sent = 0
    statement = f"COPY {ident(schema, table.name)} ({columns}) FROM STDIN (FORMAT csv)"
    with pg.cursor() as cur, cur.copy(statement) as copy:
        options = arrow_csv.WriteOptions(include_header=False)
        writer = arrow_csv.CSVWriter(_CopySink(copy), reader.schema, write_options=options)
        for batch in reader:
            writer.write_batch(batch)
            sent += batch.num_rows
        writer.close()
    return sent


def profile_sql(table: Table, schema: str) -> str:
    """One row: count(*), then per column its non-null count, then per numeric column sum and sum of |x|."""
    items = ["count(*)"] + [f"count({ident(c.name)})" for c in table.columns]
    for c in table.columns:
        if c.numeric:
            cast = "::double precision" if c.duck_type in _FLOAT_TYPES else "::numeric"
            items += [f"sum({ident(c.name)}{cast})", f"sum(abs({ident(c.name)}{cast}))"]
    return f"select {', '.join(items)} from {ident(schema, table.name)}"


def _duck_profile_sql(table: Table) -> str:
    items = ["count(*)"] + [f"count({ident(c.name)})" for c in table.columns]
    for c in table.columns:
        if c.numeric:
            cast = "::DOUBLE" if c.duck_type in _FLOAT_TYPES else ""  # integer sums are HUGEINT, decimals exact
            items += [f"sum({ident(c.name)}{cast})", f"sum(abs({ident(c.name)}{cast}))"]
    return f"select {', '.join(items)} from {ident(table.schema, table.name)}"


def _same_sum(a, b, scale) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        a, b, scale = float(a), float(b), float(scale or 0.0)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= RELATIVE_SUM_TOLERANCE * max(scale, 1e-300)
    return Decimal(a) == Decimal(b)


def check_table(duck: duckdb.DuckDBPyConnection, pg, table: Table, schema: str) -> list[str]:
    """What differs between the DuckDB table and its copy in `schema`; an empty list when they agree."""
    want = duck.execute(_duck_profile_sql(table)).fetchone()
    got = pg.execute(profile_sql(table, schema)).fetchone()
    name = f"{table.schema}.{table.name}"
    problems = []
    if want[0] != got[0]:
        problems.append(f"{name}: {got[0]} rows in PostgreSQL, {want[0]} in the publication")
    for i, c in enumerate(table.columns, start=1):
        if want[i] != got[i]:
            problems.append(
                f"{name}.{c.name}: {got[0] - got[i]} NULLs in PostgreSQL, {want[0] - want[i]} in the publication"
            )
    position = 1 + len(table.columns)
    for c in (c for c in table.columns if c.numeric):
        (w_sum, w_abs), (g_sum, _) = want[position : position + 2], got[position : position + 2]
        position += 2
        if not _same_sum(w_sum, g_sum, w_abs):
            problems.append(f"{name}.{c.name}: sum {g_sum} in PostgreSQL, {w_sum} in the publication")
    for key in table.keys:
        cols = ", ".join(ident(k) for k in key)
        dupes = pg.execute(
            f"select count(*) from (select 1 from {ident(schema, table.name)} "
            f"where {' and '.join(f'{ident(k)} is not null' for k in key)} group by {cols} having count(*) > 1) d"
        ).fetchone()[0]
        if dupes:
            problems.append(f"{name}: {dupes} duplicate value(s) of the key ({', '.join(key)}) in PostgreSQL")
    return problems


# --- roles, generations, the swap ----------------------------------------------------------------------


def ensure_reader(pg) -> None:
    """`top500_reader`: may log in and read marts and audit, nothing else; created or corrected here.

    No CREATE on the database or schema public, no TEMP (revoked from PUBLIC on this database, which is
    the warehouse's own), read-only transactions by default, member of no other role. Its password, if
    any, is the database administrator's business: never set here."""
    row = pg.execute(
        "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin, rolinherit, oid "
        "from pg_roles where rolname = %s",
        [READER],
    ).fetchone()
    if row is None:
        pg.execute(f"CREATE ROLE {ident(READER)} LOGIN NOCREATEDB NOCREATEROLE INHERIT")
    else:
        wrong = [
            attr
            for attr, value, wanted in zip(
                ("NOSUPERUSER", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION", "NOBYPASSRLS", "LOGIN", "INHERIT"),
                row[:7],
                (False, False, False, False, False, True, True),
            )
            if value != wanted
        ]
        if wrong:
            pg.execute(f"ALTER ROLE {ident(READER)} {' '.join(wrong)}")
        for (member_of,) in pg.execute(
            "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid where m.member = %s",
            [row[7]],
        ).fetchall():
            pg.execute(f"REVOKE {ident(member_of)} FROM {ident(READER)}")
    database = pg.execute("select current_database()").fetchone()[0]
    pg.execute(f"ALTER ROLE {ident(READER)} IN DATABASE {ident(database)} SET default_transaction_read_only = on")
    pg.execute(f"ALTER ROLE {ident(READER)} IN DATABASE {ident(database)} SET search_path = marts, audit")
    pg.execute(f"REVOKE CREATE, TEMPORARY ON DATABASE {ident(database)} FROM PUBLIC, {ident(READER)}")
    if pg.execute("select 1 from pg_namespace where nspname = 'public'").fetchone():
        pg.execute(f"REVOKE ALL ON SCHEMA public FROM PUBLIC, {ident(READER)}")


def grant_reader(pg, schema: str) -> None:
    """USAGE and SELECT on a staging schema: grants belong to the objects, so they survive the swap; the
    schema's default privileges cover a table added to it later."""
    pg.execute(f"GRANT USAGE ON SCHEMA {ident(schema)} TO {ident(READER)}")
    pg.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {ident(schema)} TO {ident(READER)}")
    pg.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ident(schema)} GRANT SELECT ON TABLES TO {ident(READER)}")


def postgres_generation(pg) -> str | None:
    """The generation Postgres serves, from the comment on schema `marts` (None: none yet)."""
    row = pg.execute(
        "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = %s", [SCHEMAS[0]]
    ).fetchone()
    found = COMMENT_GENERATION.search(row[0] or "") if row else None
    return found.group(1) if found else None


def schema_comment(schema: str, publication, synced_at: datetime) -> str:
    return (
        f"TOP500 warehouse {schema}, generation {publication.generation}: published {publication.published_at} "
        f"by run {publication.run_id}; copied from the DuckDB publication at "
        f"{synced_at:%Y-%m-%dT%H:%M:%SZ}. Replaced whole by each sync: never edit it here."
    )


def record_sync(pg, schema: str, publication, previous: str | None, tables: int, rows: int, seconds: float) -> None:
    """audit.postgres_syncs in the staging audit schema: the rows of the one it replaces, then this sync."""
    target = ident(schema, SYNC_TABLE)
    pg.execute(
        f"""CREATE TABLE {target} (
              generation text NOT NULL, content_key text NOT NULL, published_at text NOT NULL, run_id text NOT NULL,
              previous_generation text, synced_at timestamptz NOT NULL, synced_by text NOT NULL,
              tables integer NOT NULL, rows bigint NOT NULL, load_seconds double precision NOT NULL)"""
    )
    pg.execute(
        f"COMMENT ON TABLE {target} IS "
        + literal(
            "Every sync of the publication into PostgreSQL (this database only; the DuckDB file does not have it)."
            "\n\nGrain: one row per sync that swapped a generation in."
        )
    )
    columns = (
        "generation, content_key, published_at, run_id, previous_generation, synced_at, synced_by, tables, rows, "
        "load_seconds"
    )
    if pg.execute("select to_regclass(%s)", [f"{SCHEMAS[1]}.{SYNC_TABLE}"]).fetchone()[0]:
        pg.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {ident(SCHEMAS[1], SYNC_TABLE)}")
    pg.execute(
        f"INSERT INTO {target} ({columns}) VALUES (%s, %s, %s, %s, %s, now(), current_user, %s, %s, %s)",
        [
            *(publication.generation, publication.content_key, publication.published_at, publication.run_id),
            *(previous, tables, rows, round(seconds, 3)),
        ],
    )


def swap(pg, staged: dict[str, str]) -> list[str]:
    """Rename each live schema out of the way and its staging schema in; returns the retired names."""
    pg.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    retired = []
    for live, staging in staged.items():
        if pg.execute("select 1 from pg_namespace where nspname = %s", [live]).fetchone():
            old = f"{RETIRED_PREFIX}{live}_{stamp}"
            pg.execute(f"ALTER SCHEMA {ident(live)} RENAME TO {ident(old)}")
            retired.append(old)
        pg.execute(f"ALTER SCHEMA {ident(staging)} RENAME TO {ident(live)}")
    return retired


def drop_retired(pg) -> list[str]:
    """Drop every retired schema nobody reads now; returns those still read (kept for a later sync)."""
    kept = []
    names = [
        n
        for (n,) in pg.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s) order by nspname", [RETIRED_PREFIX]
        ).fetchall()
    ]
    for name in names:
        try:
            with pg.transaction():
                pg.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                pg.execute(f"DROP SCHEMA {ident(name)} CASCADE")
        except Exception as exc:  # LockNotAvailable: a reader still on it
            log.info("kept %s for a later sync: %s", name, str(exc).splitlines()[0])
            kept.append(name)
    return kept


# --- the sync ------------------------------------------------------------------------------------------


@dataclass
class SyncOutcome:
    status: str  # synced | up to date | failed | nothing published
    generation: str | None = None  # what the file publication serves
    postgres_generation: str | None = None  # what Postgres serves after this sync
    previous_generation: str | None = None
    seconds: float = 0.0
    tables: int = 0
    rows: int = 0
    retired_kept: list[str] = field(default_factory=list)
    message: str | None = None
    stages_s: dict[str, float] = field(default_factory=dict)
    reachable: bool = True

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def describe(self) -> str:
        if self.status == "synced":
            kept = (
                f"; {len(self.retired_kept)} retired schema(s) still read, dropped by a later sync"
                if self.retired_kept
                else ""
            )
            return (
                f"PostgreSQL: synced generation {self.generation} ({self.tables} tables, {self.rows:,} rows, "
                f"{self.seconds:.1f} s){kept}"
            )
        if self.status == "up to date":
            return f"PostgreSQL: generation {self.generation} is up to date"
        if self.status == "nothing published":
            return "PostgreSQL: nothing published yet"
        serves = (
            f"it still serves generation {self.postgres_generation}"
            if self.postgres_generation
            else "it serves no generation of this warehouse"
            if self.reachable
            else "it could not be reached"
        )
        return (
            f"PostgreSQL SYNC FAILED ({self.message}); {serves}; the file publication {self.generation} stands "
            "and the next run retries"
        )

    def as_dict(self) -> dict:
        return asdict(self)


@contextmanager
def connect(dsn: str, **options) -> Iterator:
    import psycopg

    refuse_password(dsn)
    con = psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, application_name=APPLICATION_NAME, **options)
    try:
        yield con
    finally:
        con.close()


class _Stages:
    """Seconds per step of one sync (for the run summary and `make bench`)."""

    def __init__(self):
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def sync(dsn: str, publication, database: Path) -> SyncOutcome:
    """Bring Postgres to `publication` (whose DuckDB file is `database`). Raises on failure, changing nothing."""
    clock = _Stages()
    with connect(dsn, autocommit=True) as pg:
        before = postgres_generation(pg)
        if before == publication.generation:
            kept = drop_retired(pg)
            return SyncOutcome("up to date", publication.generation, before, before, clock.total, retired_kept=kept)
        duck = duckdb.connect(str(database), read_only=True)
        try:
            with pg.transaction():
                pg.execute("select pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
                before = postgres_generation(pg)  # another sync may have finished while this one waited
                if before == publication.generation:
                    return SyncOutcome("up to date", publication.generation, before, before, clock.total)
                tables, rows = stage_publication(duck, pg, clock)
                with clock.stage("reader_and_record"):
                    ensure_reader(pg)
                    synced_at = datetime.now(UTC)
                    for live, staging in STAGED.items():
                        comment = literal(schema_comment(live, publication, synced_at))
                        pg.execute(f"COMMENT ON SCHEMA {ident(staging)} IS {comment}")
                        grant_reader(pg, staging)
                    record_sync(pg, STAGED["audit"], publication, before, len(tables), rows, clock.total)
                with clock.stage("swap"):
                    swap(pg, STAGED)
        finally:
            duck.close()
        with clock.stage("drop_retired"):
            kept = drop_retired(pg)
    return SyncOutcome(
        "synced",
        publication.generation,
        publication.generation,
        before,
        clock.total,
        len(tables),
        rows,
        kept,
        stages_s=clock.seconds,
    )


def stage_publication(duck: duckdb.DuckDBPyConnection, pg, clock: _Stages) -> tuple[list[Table], int]:
    """The staging schemas made from the DuckDB catalog, loaded and checked; SyncError if they differ."""
    with clock.stage("create"):
        tables = read_catalog(duck)
        for staging in STAGED.values():
            pg.execute(f"DROP SCHEMA IF EXISTS {ident(staging)} CASCADE")
            pg.execute(f"CREATE SCHEMA {ident(staging)}")
        for table in tables:
            for statement in create_table_sql(table, STAGED[table.schema]):
                pg.execute(statement)
    with clock.stage("copy"):
        rows = sum(copy_table(duck, pg, table, STAGED[table.schema]) for table in tables)
    with clock.stage("check"):
        problems = [p for t in tables for p in check_table(duck, pg, t, STAGED[t.schema])]
    if problems:
        raise SyncError("the PostgreSQL copy does not match the publication: " + "; ".join(problems[:10]))
    return tables, rows


def sync_publication(settings: Settings) -> SyncOutcome:
    """The sync after a publication switch or a run: never raises for Postgres's sake; the outcome says."""
    from flows import publish

    current = publish.current(settings)
    if current is None:
        return SyncOutcome("nothing published")
    dsn = settings.postgres_dsn
    started = time.perf_counter()
    try:
        return sync(dsn, current, current.path / publish.DATABASE)
    except Exception as exc:
        message = _failure_message(exc, dsn)
        log.info("PostgreSQL sync of generation %s failed: %s", current.generation, message)
        reachable, served = _generation_if_reachable(dsn)
        return SyncOutcome(
            "failed",
            current.generation,
            served,
            seconds=time.perf_counter() - started,
            message=message,
            reachable=reachable,
        )


def _failure_message(exc: Exception, dsn: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    kind = type(exc).__name__
    if kind == "OperationalError":
        return f"cannot reach {where(dsn)}: {text}"
    if isinstance(exc, (SyncError, DsnRefused)):
        return text
    return f"{kind}: {text}"


def _generation_if_reachable(dsn: str) -> tuple[bool, str | None]:
    try:
        with connect(dsn, autocommit=True) as pg:
            return True, postgres_generation(pg)
    except Exception:
        return False, None


def served_generation(settings: Settings) -> tuple[str | None, str | None]:
    """(generation Postgres serves, None) or (None, why it cannot be read): for `top500 status`."""
    try:
        with connect(settings.postgres_dsn, autocommit=True) as pg:
            return postgres_generation(pg), None
    except Exception as exc:
        return None, _failure_message(exc, settings.postgres_dsn)
