"""Write-audit-publish with real files: atomic swap, readers undisturbed, DuckDB 1.4 format, rollback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest

from flows.load import connect, load_files
from flows.publish import (
    PublishError,
    check_copy,
    file_state,
    publish,
    published_state,
    rollback,
    storage_version,
)
from flows.settings import Settings
from flows.sources import top500

LISTS = {"TOP500_202306.xlsx", "TOP500_202311.xlsx"}


@pytest.fixture(scope="module")
def parsed():
    files = [f for f in top500.collect("bundled", Settings()) if f.file_name in LISTS]
    return top500.parse_all(files)


@pytest.fixture
def settings(tmp_path, monkeypatch, parsed) -> Settings:
    monkeypatch.setenv("TOP500_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    s = Settings()
    with connect(s.build_db) as con:
        load_files(con, parsed, "load-1")
        # A catalog-qualified view, as dbt writes them: must still resolve in the published copy.
        con.execute("create schema staging")
        con.execute('create view staging.list_sizes as select list_date, count(*) as n '
                    'from "top500"."raw"."top500_entries" group by list_date')
    return s


def _count(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select sum(n) from staging.list_sizes").fetchone()[0]


def _drop_one_list(s: Settings) -> None:
    with duckdb.connect(str(s.build_db)) as con:
        con.execute("delete from raw.top500_entries where source_file = 'TOP500_202306.xlsx'")


def test_publish_writes_a_duckdb_14_file_with_working_views(settings):
    state = publish(settings)
    assert state.exists and state == published_state(settings)
    assert storage_version(settings.published_db).startswith("v1.4")
    assert storage_version(settings.build_db).startswith("v2")  # why the copy is needed
    assert check_copy(settings.published_db)["staging.list_sizes"] == 2
    assert _count(settings.published_db) == 1000
    leftovers = [p.name for p in settings.warehouse_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_duckdb_14_reads_the_published_file(settings, duckdb14_python):
    publish(settings)
    code = ("import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(duckdb.__version__, c.execute('select sum(n) from staging.list_sizes').fetchone()[0])")
    out = subprocess.run([str(duckdb14_python), "-c", code, str(settings.published_db)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith("1.4") and out[1] == "1000"


READER = textwrap.dedent("""
    import duckdb, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "select sum(n) from staging.list_sizes"
    print("before", con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until the test has published
    print("after", con.execute(q).fetchone()[0], flush=True)
""")


def test_reader_holding_the_file_keeps_its_snapshot_while_publish_succeeds(settings):
    publish(settings)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.published_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().split() == ["before", "1000"]
        _drop_one_list(settings)
        publish(settings)  # must not fail on the reader's lock
        assert _count(settings.published_db) == 500  # a new connection sees the new data
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert out.split() == ["after", "1000"]  # the old snapshot, consistently


def test_rollback_restores_the_previous_file_byte_identically(settings):
    publish(settings)
    first = published_state(settings)
    _drop_one_list(settings)
    second = publish(settings)
    assert second.sha256 != first.sha256
    assert file_state(settings.previous_db).sha256 == first.sha256
    restored = rollback(settings)
    assert (restored.sha256, restored.size_bytes) == (first.sha256, first.size_bytes)
    assert _count(settings.published_db) == 1000
    assert file_state(settings.previous_db).sha256 == second.sha256  # rollback twice = roll forward


def test_failed_publish_leaves_the_published_file_untouched(settings):
    publish(settings)
    before = published_state(settings)
    with duckdb.connect(str(settings.build_db)) as con:  # a view whose table is gone cannot be copied
        con.execute("create table staging.t as select 1 as x")
        con.execute("create view staging.broken as select x from staging.t")
        con.execute("drop table staging.t")
    with pytest.raises((PublishError, duckdb.Error)):
        publish(settings)
    assert published_state(settings) == before
    assert not settings.previous_db.exists()
    assert [p.name for p in settings.warehouse_dir.iterdir() if p.name.startswith(".")] == []
