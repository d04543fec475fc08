"""The PostgreSQL copy of each publication (TOP500_POSTGRES_DSN): through `top500 run`, `rollback` and
`rollforward` against a private PostgreSQL 15 cluster on 127.0.0.1 (flows/pg_cluster.py)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from flows import pg_cluster, postgres_sync, publish
from flows.publish import file_state
from flows.settings import Settings
from support.tools import missing_tool
from support.warehouses import copy_bundled

pytestmark = pytest.mark.slow
FIRST = ("TOP500_202311.xlsx",)
NEW_LIST = "TOP500_202406.xlsx"


@pytest.fixture(scope="module")
def cluster():
    """A private cluster for this module (started as `nobody` when the suite runs as root)."""
    try:
        pg_cluster.bin_dir()
    except pg_cluster.ClusterUnavailable as exc:
        missing_tool(str(exc))
    made = pg_cluster.new_cluster()
    made.provision()
    yield made
    made.remove()


def new_database(cluster: pg_cluster.Cluster, name: str) -> str:
    """A database of its own for one test, owned by the loader; returns the loader's DSN."""
    import psycopg

    with psycopg.connect(cluster.dsn(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name}")
        con.execute(f"CREATE DATABASE {name} OWNER {pg_cluster.LOADER}")
    return cluster.dsn(pg_cluster.LOADER, name)


def connect(dsn: str, **options):
    import psycopg

    return psycopg.connect(dsn, autocommit=True, **options)


def reader_dsn(dsn: str) -> str:
    return dsn.replace(f"{pg_cluster.LOADER}@", f"{postgres_sync.READER}@", 1)


class Warehouse:
    """A private warehouse and the real `top500` command run on it with TOP500_POSTGRES_DSN set."""

    def __init__(self, root: Path, prefect_api: dict, dsn: str):
        self.root, self.dsn, self.env = root, dsn, prefect_api
        self.settings = Settings(warehouse_dir=root / "warehouse", postgres_dsn=dsn)

    def command(self, *args: str, dsn: str | None = None) -> list:
        env = {**os.environ, **self.env, "TOP500_WAREHOUSE_DIR": str(self.settings.warehouse_dir), "CI": "1"}
        env["TOP500_POSTGRES_DSN"] = self.dsn if dsn is None else dsn
        return [sys.executable, "-m", "flows.cli", *args], env

    def run(self, *args: str, dsn: str | None = None) -> subprocess.CompletedProcess:
        argv, env = self.command(*args, dsn=dsn)
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)

    def current(self) -> publish.Publication:
        return publish.current(self.settings)


def warehouse_after_first_run(first_runs, root: Path, prefect_api: dict, dsn: str) -> tuple[Warehouse, Path]:
    """The session's warehouse after `top500 run` on FIRST (made without PostgreSQL), copied; and its lists."""
    shutil.copytree(first_runs(tuple(sorted(FIRST))), root / "warehouse", symlinks=True)
    return Warehouse(root, prefect_api, dsn), copy_bundled(root / "lists", list(FIRST))


def served(dsn: str) -> str | None:
    with connect(dsn) as pg:
        return postgres_sync.postgres_generation(pg)


def sync_rows(dsn: str) -> int:
    with connect(dsn) as pg:
        return pg.execute(f"select count(*) from audit.{postgres_sync.SYNC_TABLE}").fetchone()[0]


def schema_oid(dsn: str, name: str) -> int | None:
    with connect(dsn) as pg:
        row = pg.execute("select oid from pg_namespace where nspname = %s", [name]).fetchone()
    return row[0] if row else None


def schemas_like(dsn: str, prefix: str) -> list[str]:
    with connect(dsn) as pg:
        return [n for (n,) in pg.execute("select nspname from pg_namespace where starts_with(nspname, %s)", [prefix])]


# --- every mart, row for row ------------------------------------------------------------------------------


def _normal(value, kind: str):
    """One cell as a comparable value: lists as tuples, NaN as a marker; NULL stays None, JSON its text."""
    if value is None:
        return None
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def differences(database: Path, dsn: str, schema: str = "marts") -> dict[str, str]:
    """Every table of `schema`: the DuckDB publication's rows against PostgreSQL's, as multisets of rows."""
    found = {}
    duck = duckdb.connect(str(database), read_only=True)
    try:
        tables = [t for t in postgres_sync.read_catalog(duck) if t.schema == schema]
        with connect(dsn) as pg:
            for table in tables:
                names = ", ".join(postgres_sync.ident(c.name) for c in table.columns)
                as_text = ", ".join(  # json keeps its text exactly: compared as written
                    postgres_sync.ident(c.name) + ("::text" if c.duck_type == "JSON" else "") for c in table.columns
                )
                kinds = [c.duck_type for c in table.columns]
                where = postgres_sync.ident(schema, table.name)
                want = Counter(
                    tuple(map(_normal, r, kinds)) for r in duck.execute(f"select {names} from {where}").fetchall()
                )
                got = Counter(
                    tuple(map(_normal, r, kinds)) for r in pg.execute(f"select {as_text} from {where}").fetchall()
                )
                if want != got:
                    only_duck, only_pg = list((want - got).elements())[:2], list((got - want).elements())[:2]
                    found[table.name] = f"publication only: {only_duck}; PostgreSQL only: {only_pg}"
    finally:
        duck.close()
    return found


# --- the story of one warehouse: catch up, a new list, nothing new, rollback and rollforward ---------------


@pytest.fixture(scope="module")
def story(cluster, first_runs, prefect_api, tmp_path_factory):
    """A warehouse published once without PostgreSQL; then, with TOP500_POSTGRES_DSN set, a run with nothing
    new (PostgreSQL behind: it catches up) and a run with a new list (published, then synced)."""
    dsn = new_database(cluster, "story")
    wh, lists = warehouse_after_first_run(first_runs, tmp_path_factory.mktemp("story"), prefect_api, dsn)
    first = wh.current()
    catch_up = wh.run("run", "--source", str(lists))
    shutil.copy2(copy_bundled(wh.root / "all", [NEW_LIST]) / NEW_LIST, lists / NEW_LIST)
    new_list = wh.run("run", "--source", str(lists))
    return {"wh": wh, "lists": lists, "first": first, "catch_up": catch_up, "new_list": new_list, "dsn": dsn}


def test_postgres_follows_each_run(story):
    wh, dsn, first = story["wh"], story["dsn"], story["first"]
    catch_up, new_list = story["catch_up"], story["new_list"]
    assert catch_up.returncode == 0, catch_up.stderr
    assert f"the published generation {first.generation} is up to date; PostgreSQL: synced generation " in (
        catch_up.stdout
    ), catch_up.stdout
    assert new_list.returncode == 0, new_list.stderr
    second = wh.current()
    assert second.generation != first.generation
    assert f"published generation {second.generation}; PostgreSQL: synced generation {second.generation}" in (
        new_list.stdout
    )
    assert served(dsn) == second.generation
    with connect(dsn) as pg:
        history = pg.execute(
            f"select generation, previous_generation from audit.{postgres_sync.SYNC_TABLE} order by synced_at"
        ).fetchall()
        comment = pg.execute("select obj_description('audit'::regnamespace, 'pg_namespace')").fetchone()[0]
        lists = pg.execute("select list_label, count(*) from marts.list_entries group by 1 order by 1").fetchall()
        checks = pg.execute(
            "select count(*) from pg_constraint where contype = 'c' and connamespace = 'marts'::regnamespace"
        ).fetchone()[0]
        grain = pg.execute("select obj_description('marts.list_entries'::regclass, 'pg_class')").fetchone()[0]
    assert history == [(first.generation, None), (second.generation, first.generation)]
    assert f"generation {second.generation}:" in comment
    assert lists == [("2023-11", 500), ("2024-06", 500)]
    assert checks > 50  # the contracts' CHECK constraints came along
    assert "Grain:" in grain
    status = wh.run("status")
    assert f"serves generation {second.generation}, the published one" in status.stdout, status.stdout


def test_every_mart_equal_row_for_row(story):
    wh, dsn = story["wh"], story["dsn"]
    database = wh.current().path / publish.DATABASE
    assert differences(database, dsn, "marts") == {}
    assert differences(database, dsn, "audit") == {}


def test_the_whole_publication_equal_row_for_row(published, cluster):
    """Every mart of the publication of every bundled list (each with rows) and every audit table, synced and compared."""
    dsn = new_database(cluster, "whole")
    current = publish.current(published)
    outcome = postgres_sync.sync(dsn, current, current.path / publish.DATABASE)
    database = current.path / publish.DATABASE
    with duckdb.connect(str(database), read_only=True) as duck:
        (published_tables,) = duck.execute(
            "select count(*) from duckdb_tables() where schema_name in ('marts', 'audit')"
        ).fetchone()
        empty = [
            t for (t,) in duck.execute("select table_name from duckdb_tables() where estimated_size = 0").fetchall()
        ]
    assert empty == []
    assert (outcome.status, outcome.generation, outcome.tables) == ("synced", current.generation, published_tables)
    assert published_tables > 30  # every mart and audit table, not a subset
    assert differences(database, dsn, "marts") == {}
    assert differences(database, dsn, "audit") == {}
    with connect(dsn) as pg:
        korea = pg.execute(
            "select systems from marts.country_list_stats where country = 'South Korea' and list_label = '2026-06'"
        ).fetchone()
    with duckdb.connect(str(database), read_only=True) as duck:
        assert (
            korea
            == duck.execute(
                "select systems from marts.country_list_stats where country = 'South Korea' and list_label = '2026-06'"
            ).fetchone()
        )


def test_a_run_with_nothing_new_does_not_sync(story):
    wh, dsn = story["wh"], story["dsn"]
    generation, syncs, oid = served(dsn), sync_rows(dsn), schema_oid(dsn, "marts")
    again = wh.run("run", "--source", str(story["lists"]))
    assert again.returncode == 0, again.stderr
    assert f"PostgreSQL: generation {generation} is up to date" in again.stdout
    assert (served(dsn), sync_rows(dsn), schema_oid(dsn, "marts")) == (generation, syncs, oid)


def test_a_long_reader_finishes_on_the_old_data_while_rollback_swaps(story, cluster):
    """A dashboard query running when `rollback` swaps the schemas finishes on what it started on; a new
    connection sees the rolled-back generation at once; the schema the reader holds is dropped later."""
    wh, dsn = story["wh"], story["dsn"]
    newer, older = wh.current(), story["first"]
    assert served(dsn) == newer.generation
    result: dict = {}
    with connect(dsn) as gate:
        gate.execute("select pg_advisory_lock(4242)")  # the reader's query waits on it, holding its tables

        def long_query() -> None:
            with connect(reader_dsn(dsn)) as reader:
                result["rows"] = reader.execute(
                    """with wait as materialized (select pg_advisory_lock_shared(4242) as held)
                       select count(*), max(list_label) from marts.list_entries, wait"""
                ).fetchone()

        thread = threading.Thread(target=long_query)
        thread.start()
        deadline = time.monotonic() + 30
        with connect(cluster.dsn()) as watcher:  # a superuser sees other roles' wait events
            while not watcher.execute(
                "select 1 from pg_stat_activity where usename = %s and wait_event = 'advisory'", [postgres_sync.READER]
            ).fetchone():
                assert thread.is_alive() and time.monotonic() < deadline, "the reader's query did not start"
                time.sleep(0.05)
        rolled = wh.run("rollback")
        assert rolled.returncode == 0, rolled.stderr
        assert f"PostgreSQL: synced generation {older.generation}" in rolled.stdout
        assert "1 retired schema(s) still read, dropped by a later sync" in rolled.stdout, rolled.stdout
        assert thread.is_alive(), "the sync waited for the reader"
        with connect(reader_dsn(dsn)) as fresh:
            assert fresh.execute("select count(*), max(list_label) from marts.list_entries").fetchone() == (
                500,
                "2023-11",
            )
        gate.execute("select pg_advisory_unlock(4242)")
        thread.join(timeout=60)
    assert result["rows"] == (1000, "2024-06")  # the generation it started on
    assert len(schemas_like(dsn, postgres_sync.RETIRED_PREFIX)) == 1
    forward = wh.run("rollforward")
    assert forward.returncode == 0, forward.stderr
    assert f"PostgreSQL: synced generation {newer.generation}" in forward.stdout
    assert "still read" not in forward.stdout
    assert served(dsn) == newer.generation
    assert schemas_like(dsn, postgres_sync.RETIRED_PREFIX) == []
    assert schemas_like(dsn, postgres_sync.STAGING_PREFIX) == []


def test_the_reader_role_only_reads(story):
    import psycopg

    dsn = story["dsn"]
    with connect(reader_dsn(dsn)) as reader:
        assert reader.execute("select count(*) from marts.systems").fetchone()[0] > 0
        assert reader.execute("select count(*) from audit.pipeline_runs").fetchone()[0] > 0
        assert reader.execute("select count(*) from list_entries").fetchone()[0] == 1000  # search path: marts
        assert reader.execute("show default_transaction_read_only").fetchone()[0] == "on"
        refused = {
            "insert": "insert into marts.systems select * from marts.systems limit 1",
            "create table": "create table marts.mine (a int)",
            "create table in public": "create table public.mine (a int)",
            "create temp table": "create temp table mine (a int)",
            "create schema": "create schema mine",
        }
        for what, statement in refused.items():
            for transaction in ("begin", "begin read write"):  # read-only by default; privileges either way
                reader.execute(transaction)
                with pytest.raises(psycopg.Error) as caught:
                    reader.execute(statement)
                reader.execute("rollback")
                if transaction == "begin read write":
                    assert "permission denied" in str(caught.value), (what, str(caught.value))


def test_the_reader_role_is_corrected(cluster):
    """A reader someone gave CREATEDB, TEMP and another role's rights gets them taken back by the sync."""
    dsn = new_database(cluster, "corrected")
    with connect(dsn) as pg:
        with pg.transaction():
            postgres_sync.ensure_reader(pg)
        pg.execute("GRANT TEMPORARY ON DATABASE corrected TO top500_reader")
        pg.execute("ALTER ROLE top500_reader CREATEDB")
        pg.execute("CREATE ROLE writers_for_test")
        pg.execute("GRANT writers_for_test TO top500_reader")
        with pg.transaction():
            postgres_sync.ensure_reader(pg)
        role = pg.execute("select rolcreatedb from pg_roles where rolname = 'top500_reader'").fetchone()
        temp = pg.execute("select has_database_privilege('top500_reader', 'corrected', 'TEMP')").fetchone()
        member = pg.execute("select pg_has_role('top500_reader', 'writers_for_test', 'MEMBER')").fetchone()
        pg.execute("DROP ROLE writers_for_test")
    assert (role, temp, member) == ((False,), (False,), (False,))


# --- Postgres down ------------------------------------------------------------------------------------------


def test_postgres_stopped_mid_run_then_the_next_run_catches_up(cluster, first_runs, prefect_api, tmp_path):
    dsn = new_database(cluster, "stopped")
    wh, lists = warehouse_after_first_run(first_runs, tmp_path, prefect_api, dsn)
    caught_up = wh.run("run", "--source", str(lists))
    first = wh.current()
    assert caught_up.returncode == 0 and served(dsn) == first.generation, caught_up.stderr
    shutil.copy2(copy_bundled(tmp_path / "all", [NEW_LIST]) / NEW_LIST, lists / NEW_LIST)
    argv, env = wh.command("run", "--source", str(lists))
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not list(wh.settings.publications_dir.glob(".staging-*")):  # the run is publishing its file
            assert proc.poll() is None, f"the run ended before publishing: {proc.communicate()}"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        cluster.stop()
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        if not cluster.running():
            cluster.start()
    second = wh.current()
    assert second.generation != first.generation  # the file publication stands
    assert proc.returncode == 69, (out, err)
    assert f"published generation {second.generation}; PostgreSQL SYNC FAILED (cannot reach" in out, out
    assert "it could not be reached" in out
    assert f"error: PostgreSQL was not brought to the published generation {second.generation}" in err
    assert "Traceback" not in err
    with duckdb.connect(str(wh.settings.build_db), read_only=True) as con:  # the audit says so
        message = con.execute(
            "select message from audit.pipeline_runs where generation = ?", [second.generation]
        ).fetchone()[0]
    assert "PostgreSQL SYNC FAILED" in message
    status = wh.run("status")
    assert f"serves generation {first.generation}, BEHIND the published {second.generation}" in status.stdout
    again = wh.run("run", "--source", str(lists))  # nothing new for the file; PostgreSQL catches up
    assert again.returncode == 0, again.stderr
    assert f"is up to date; PostgreSQL: synced generation {second.generation}" in again.stdout
    assert served(dsn) == second.generation


def test_a_sync_cut_off_mid_copy_leaves_the_served_generation_whole(story, cluster):
    """The sync's connection killed during COPY: the transaction rolls back; no staging schema, nothing
    half-swapped; PostgreSQL still serves the generation it had, every table of it."""
    import psycopg

    dsn = new_database(cluster, "cut")
    older, newer = publish.generations(story["wh"].settings)[-2:]
    postgres_sync.sync(dsn, older, older.path / publish.DATABASE)
    with connect(dsn) as pg:
        tables_before = pg.execute("select count(*) from pg_tables where schemaname in ('marts', 'audit')").fetchone()

    def kill_when_copying() -> None:
        with connect(cluster.dsn()) as admin:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if admin.execute(
                    """select pg_terminate_backend(pid) from pg_stat_activity
                       where application_name = %s and query like 'COPY%%list_entries%%'""",
                    [postgres_sync.APPLICATION_NAME],
                ).fetchone():
                    return
                time.sleep(0.002)

    killer = threading.Thread(target=kill_when_copying)
    killer.start()
    with pytest.raises(psycopg.Error):
        postgres_sync.sync(dsn, newer, newer.path / publish.DATABASE)
    killer.join()
    assert served(dsn) == older.generation
    assert schemas_like(dsn, postgres_sync.STAGING_PREFIX) == []
    with connect(dsn) as pg:
        assert (
            pg.execute("select count(*) from pg_tables where schemaname in ('marts', 'audit')").fetchone()
            == tables_before
        )
    assert differences(older.path / publish.DATABASE, dsn, "marts") == {}


# --- the setting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://top500_loader:s3cret-pw@127.0.0.1:5432/top500",
        "postgresql://top500_loader@127.0.0.1:5432/top500?password=s3cret-pw",
        "host=127.0.0.1 user=top500_loader password=s3cret-pw dbname=top500",
    ],
)
def test_a_dsn_with_a_password_is_refused(dsn, first_runs, prefect_api, tmp_path):
    wh, lists = warehouse_after_first_run(first_runs, tmp_path, prefect_api, dsn)
    before = file_state(wh.settings.published_db)
    for args in (("run", "--source", str(lists)), ("rollback",), ("status",)):
        result = wh.run(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "TOP500_POSTGRES_DSN carries a password" in result.stderr and "PGPASSWORD" in result.stderr
        assert "s3cret-pw" not in result.stdout + result.stderr
    assert file_state(wh.settings.published_db) == before
    assert not (wh.settings.build_dir / "last_run.log").read_text().count("s3cret-pw")


# --- the copy itself ------------------------------------------------------------------------------------


def test_copy_keeps_null_apart_from_empty_and_every_value_exact(cluster, tmp_path):
    """Values that break naive copies, through the catalog reader, the DDL, COPY and the checks."""
    dsn = new_database(cluster, "values")
    database = tmp_path / "top500.duckdb"
    with duckdb.connect(str(database)) as duck:
        duck.execute("create schema marts")
        duck.execute(
            """create table marts.odd (
                 k integer primary key, s varchar, n double, d date, t timestamp, b boolean, l varchar[],
                 j json, big hugeint, check (k > 0))"""
        )
        duck.execute("comment on table marts.odd is 'Odd values.\n\nGrain: one row per k.'")
        duck.execute("comment on column marts.odd.s is 'text, empty or NULL'")
        duck.execute(
            r"""insert into marts.odd values
              (1, '', 0.1, date '2026-06-01', timestamp '2026-06-01 12:34:56.789012', true, [], '{"a": 1}', 1000000000000000000000000000000),
              (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (3, 'Universität, "Supercomputación"' || chr(10) || 'a\b', 'nan'::double, date '1993-06-01', NULL, false,
               ['', NULL, 'x"y', 'back\slash', 'comma,brace}{'], '[1, "two", null]', -1),
              (4, 'NULL', 'inf'::double, NULL, NULL, NULL, [NULL], 'null', 0),
              (5, '\N', -0.0, NULL, NULL, NULL, ['NULL'], '"text"', 1)"""
        )
    with duckdb.connect(str(database), read_only=True) as duck, connect(dsn) as pg:
        (table,) = postgres_sync.read_catalog(duck, ("marts",))
        assert table.primary_key == ["k"] and table.checks == ["CHECK((k > 0))"]
        pg.execute("create schema marts")
        for statement in postgres_sync.create_table_sql(table, "marts"):
            pg.execute(statement)
        assert postgres_sync.copy_table(duck, pg, table, "marts") == 5
        assert postgres_sync.check_table(duck, pg, table, "marts") == []
        assert pg.execute("select count(*) from marts.odd where s = ''").fetchone()[0] == 1
        assert pg.execute("select count(*) from marts.odd where s is null").fetchone()[0] == 1
        assert pg.execute("select l from marts.odd where k = 3").fetchone()[0] == [
            "",
            None,
            'x"y',
            "back\\slash",
            "comma,brace}{",
        ]
        described = pg.execute(
            "select obj_description('marts.odd'::regclass, 'pg_class'), col_description('marts.odd'::regclass, 2)"
        ).fetchone()
        assert described == ("Odd values.\n\nGrain: one row per k.", "text, empty or NULL")
        assert differences(database, dsn) == {}
        pg.execute("update marts.odd set s = NULL where k = 1")  # a copy that lost an empty string is caught
        assert postgres_sync.check_table(duck, pg, table, "marts") == [
            "marts.odd.s: 2 NULLs in PostgreSQL, 1 in the publication"
        ]
        assert list(differences(database, dsn)) == ["odd"]
