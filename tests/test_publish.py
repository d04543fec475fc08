"""Write-audit-publish with real files: a publication (database, exports, report) swaps in whole,
readers keep their snapshot, DuckDB 1.4 format, rollback and roll forward move all three."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest

from flows import publish
from flows.load import connect, load_files
from flows.publish import PublishError, check_copy, file_state, storage_version
from flows.settings import Settings
from flows.sources import top500
from support.warehouses import BUNDLED_KEYS

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
        con.execute("create schema marts")
        con.execute(
            "create view marts.list_sizes as select list_date, count(*) as n "
            'from "top500"."raw"."top500_entries" group by list_date'
        )
        con.execute("create table marts.list_dates as select distinct list_date from raw.top500_entries")
        con.execute("create schema staging")
        con.execute("create view staging.helper as select 1 as x")
    return s


@pytest.fixture
def real(published, tmp_path, monkeypatch) -> Settings:
    """A build holding real marts (a copy of the session's published file), so the real report draws."""
    monkeypatch.setenv("TOP500_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    s = Settings()
    s.build_dir.mkdir(parents=True)
    shutil.copy(published.published_db, s.build_db)
    return s


def _drop_the_2026_06_list(s: Settings) -> None:
    """New content for the next publication: the 2026-06 entries gone, its file version changed."""
    with duckdb.connect(str(s.build_db)) as con:
        con.execute("delete from marts.list_entries where list_date = date '2026-06-01'")
        con.execute("update raw.source_files set sha256 = 'changed' where dataset = 'top500' and file_key = '2026-06'")


def _entries(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from marts.list_entries").fetchone()[0]


def _count(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select sum(n) from marts.list_sizes").fetchone()[0]


def _drop_one_list(s: Settings) -> None:
    with duckdb.connect(str(s.build_db)) as con:
        con.execute("delete from raw.top500_entries where source_file = 'TOP500_202306.xlsx'")
        con.execute("update raw.source_files set sha256 = 'changed' where file_name = 'TOP500_202306.xlsx'")
        con.execute("delete from marts.list_dates where list_date = date '2023-06-01'")


def _publish(s: Settings) -> publish.Publication:
    return publish.publish(s, with_report=False)


def _unit(s: Settings) -> tuple:
    """What a reader of each published path sees: the database's sha256 and the manifest's claim."""
    manifest = json.loads((s.exports_dir / "manifest.json").read_text())
    return file_state(s.published_db).sha256, manifest["published_file"]["sha256"], manifest["list_range"]


def test_publish_writes_a_duckdb_14_file_with_working_views_and_only_the_contract(settings):
    pub = _publish(settings)
    assert publish.current(settings).generation == pub.generation
    assert settings.published_db.is_symlink() and settings.exports_dir.is_symlink()
    assert storage_version(settings.published_db).startswith("v1.4")
    assert storage_version(settings.build_db).startswith("v2")  # why the copy is needed
    counts = check_copy(settings.published_db)
    assert counts["marts.list_sizes"] == 2 and _count(settings.published_db) == 1000
    assert not [k for k in counts if k.startswith("staging.")], "staging is how marts are made, not published"
    assert pub.database["sha256"] == file_state(settings.published_db).sha256
    assert pub.lists == {"count": 2, "first": "2023-06", "last": "2023-11", "entries": 1000, "superseded_versions": 0}
    assert not [p.name for p in settings.publications_dir.iterdir() if p.name.startswith(".")]


def test_duckdb_14_reads_the_published_file(settings, duckdb14_python):
    _publish(settings)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, c.execute('select sum(n) from marts.list_sizes').fetchone()[0])"
    )
    out = subprocess.run(
        [str(duckdb14_python), "-c", code, str(settings.published_db)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0].startswith("1.4") and out[1] == "1000"


READER = textwrap.dedent("""
    import duckdb, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "select sum(n) from marts.list_sizes"
    print("before", con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until the test has published
    print("after", con.execute(q).fetchone()[0], flush=True)
""")


def test_reader_holding_the_file_keeps_its_snapshot_while_publish_succeeds(settings):
    _publish(settings)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.published_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == ["before", "1000"]
        _drop_one_list(settings)
        _publish(settings)  # must not fail on the reader's lock
        assert _count(settings.published_db) == 500  # a new connection sees the new data
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert out.split() == ["after", "1000"]  # the old snapshot, consistently


def test_rollback_moves_database_exports_and_report_together_and_rollforward_undoes_it(real):
    settings = real
    first = publish.publish(settings)
    first_unit = _unit(settings)
    first_report = (settings.report_dir / "index.html").read_text()
    _drop_the_2026_06_list(settings)
    second = publish.publish(settings)
    assert (settings.report_dir / "index.html").read_text() != first_report
    assert _unit(settings) != first_unit
    assert _unit(settings)[0] == _unit(settings)[1], "the manifest describes the database next to it"

    withdrawn, now = publish.rollback(settings)
    assert (withdrawn.generation, now.generation) == (second.generation, first.generation)
    assert _unit(settings) == first_unit, "database, manifest and Parquet all back to the first publication"
    assert (settings.report_dir / "index.html").read_text() == first_report
    assert publish.withdrawn_content(settings, second.content_key).generation == second.generation
    with pytest.raises(PublishError, match="no earlier publication"):
        publish.rollback(settings)

    previous, again = publish.rollforward(settings)
    assert (previous.generation, again.generation) == (first.generation, second.generation)
    assert publish.withdrawals(settings) == []
    assert _entries(settings.published_db) == 500 * (len(BUNDLED_KEYS) - 1)  # every bundled list but 2026-06
    with pytest.raises(PublishError, match="nothing to roll forward"):
        publish.rollforward(settings)


def test_a_failed_publication_leaves_every_published_path_untouched(real):
    settings = real
    publish.publish(settings)
    before = _unit(settings), (settings.report_dir / "index.html").read_bytes()
    _drop_the_2026_06_list(settings)

    def broken_exports(db, out_dir):
        raise OSError(28, "No space left on device")

    with pytest.raises(PublishError, match=r"could not write the publication: the disk holding .* is full"):
        publish.stage(settings, publish.Publication("g2", "r", "t", "k2", "s"), broken_exports)
    with duckdb.connect(str(settings.build_db)) as con:  # a view whose table is gone cannot be copied
        con.execute("create table marts.t as select 1 as x")
        con.execute("create view marts.broken as select x from marts.t")
        con.execute("drop table marts.t")
    with pytest.raises(PublishError, match=r"marts\.broken does not resolve"):
        _publish(settings)
    assert (_unit(settings), (settings.report_dir / "index.html").read_bytes()) == before
    assert len(publish.generations(settings)) == 1
    assert not [p.name for p in settings.publications_dir.iterdir() if p.name.startswith(".")]


def test_a_warehouse_that_cannot_be_written_is_a_message_and_nothing_changes(settings):
    publish.publish(settings, with_report=False)
    before = _unit(settings)
    _drop_one_list(settings)
    moved = settings.publications_dir.with_name("publications-kept")
    os.rename(settings.publications_dir, moved)
    settings.publications_dir.write_text("a file where the directory should be")  # every write below fails
    try:
        with pytest.raises(PublishError, match=r"could not write the publication under .*NotADirectoryError"):
            _publish(settings)
    finally:
        settings.publications_dir.unlink()
        os.rename(moved, settings.publications_dir)
    assert _unit(settings) == before


def test_the_last_distinct_generations_are_kept(settings):
    made = []
    for i in range(publish.KEEP_GENERATIONS + 2):
        with duckdb.connect(str(settings.build_db)) as con:
            con.execute("update raw.source_files set sha256 = ? where file_name = 'TOP500_202306.xlsx'", [f"v{i}"])
        made.append(_publish(settings).generation)
    kept = [g.generation for g in publish.generations(settings)]
    assert kept == made[-publish.KEEP_GENERATIONS :]
    assert publish.current(settings).generation == made[-1]
