"""Loads are idempotent, a re-issued list replaces the old one, and a crash leaves no mix."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from flows import files, load
from flows.sources import top500
from support.warehouses import BUNDLED_LISTS, REISSUE_ORIGINAL, copy_bundled


def load_dir(directory, db, run_id="test"):
    files = top500.collect(str(directory), None)
    with load.connect(db) as con:
        changed = load.changed_files(con, files)
        load.load_files(con, top500.parse_all(changed), run_id)
    return changed


def test_second_load_of_the_same_files_loads_nothing(tmp_path):
    src = copy_bundled(tmp_path / "src", ["TOP500_202306.xlsx", "TOP500_202311.xlsx"])
    db = tmp_path / "top500.duckdb"
    assert [f.file_key for f in load_dir(src, db)] == ["2023-06", "2023-11"]
    assert load_dir(src, db, "second") == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.top500_entries").fetchone()[0] == 1000
        assert con.execute("select count(*) from raw.source_files").fetchone()[0] == 2


def test_one_load_replaces_several_lists_and_keeps_the_others(tmp_path, parsed_lists):
    """Re-issues of two lists in one load: only their old rows go, every other list stays."""
    db = tmp_path / "top500.duckdb"
    keys = ["2022-06", "2022-11", "2023-06"]
    with load.connect(db) as con:
        load.load_files(con, [parsed_lists[k] for k in keys], "first")
    reissues = [
        files.ParsedFile(
            files.SourceFile("top500", k, parsed_lists[k].file.path, "x", c * 64, 1),
            "raw.top500_entries",
            parsed_lists[k].rows,
        )
        for k, c in (("2022-06", "a"), ("2023-06", "b"))
    ]
    with load.connect(db) as con:
        threads = con.execute("select current_setting('threads')").fetchone()[0]
        load.load_files(con, reissues, "second")
        assert con.execute("select current_setting('threads')").fetchone()[0] == threads
    with duckdb.connect(str(db), read_only=True) as con:
        by_list = con.execute(
            "select strftime(list_date, '%Y-%m'), run_id, count(*) from raw.top500_entries group by all order by 1"
        ).fetchall()
        assert by_list == [("2022-06", "second", 500), ("2022-11", "first", 500), ("2023-06", "second", 500)]
        history = con.execute(
            "select file_key, run_id, is_current, superseded_at is not null from raw.source_files"
            " order by file_key, run_id"
        ).fetchall()
        assert history == [
            ("2022-06", "first", False, True),
            ("2022-06", "second", True, False),
            ("2022-11", "first", True, False),
            ("2023-06", "first", False, True),
            ("2023-06", "second", True, False),
        ]


def test_reissued_list_replaces_the_old_version_and_keeps_history(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy2(REISSUE_ORIGINAL, src / "TOP500_202011.xlsx")  # as first published, 2020-11-17
    db = tmp_path / "top500.duckdb"
    load_dir(src, db, "first")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.top500_entries where country = 'China'").fetchone()[0] == 213

    shutil.copy2(BUNDLED_LISTS / "TOP500_202011.xlsx", src / "TOP500_202011.xlsx")  # the 2021-01-10 re-issue
    assert [f.file_key for f in load_dir(src, db, "reissue")] == ["2020-11"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(distinct run_id) from raw.top500_entries").fetchone() == (500, 1)
        assert con.execute("select count(*) from raw.top500_entries where country = 'China'").fetchone()[0] == 214
        history = con.execute(
            "select run_id, is_current, superseded_at is not null from raw.source_files order by loaded_at"
        ).fetchall()
        assert history == [("first", False, True), ("reissue", True, False)]


def test_a_failing_load_rolls_back_every_file(tmp_path, parsed_lists):
    db = tmp_path / "top500.duckdb"
    good = parsed_lists["2023-06"]
    with load.connect(db) as con:
        load.load_files(con, [good], "first")
    broken = files.ParsedFile(parsed_lists["2023-11"].file, good.table, parsed_lists["2023-11"].rows.copy())
    broken.rows.loc[3, "rank"] = None  # violates NOT NULL halfway through the batch
    replacement = files.ParsedFile(
        files.SourceFile("top500", "2023-06", good.file.path, "x", "f" * 64, 1), good.table, good.rows
    )
    with load.connect(db) as con:
        threads = con.execute("select current_setting('threads')").fetchone()[0]
        with pytest.raises(duckdb.ConstraintException):
            load.load_files(con, [replacement, broken], "second")
        # the load runs single-threaded; the setting comes back after the rollback too
        assert con.execute("select current_setting('threads')").fetchone()[0] == threads
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select distinct run_id from raw.top500_entries").fetchall() == [("first",)]
        assert con.execute("select count(*) from raw.source_files where is_current").fetchone()[0] == 1


KILLABLE_LOAD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from flows import load
    from flows.sources import top500
    files = top500.collect(sys.argv[2], None)
    with load.connect(Path(sys.argv[1])) as con:
        load.load_files(con, top500.parse_all(load.changed_files(con, files)), "killed")
    print("done", flush=True)
    """
)


def test_sigkill_inside_the_load_transaction_leaves_the_previous_state(tmp_path):
    """The kill lands after the new rows are written, inside the transaction (a test-only pause point says
    when): the re-issued list's old rows, its file history and the absent new list must all be as before."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "TOP500_202011.xlsx").write_bytes(REISSUE_ORIGINAL.read_bytes())
    db = tmp_path / "top500.duckdb"
    load_dir(src, db, "first")
    with duckdb.connect(str(db), read_only=True) as con:
        before = (
            con.execute("select count(*), sum(rmax_tflops), min(run_id) from raw.top500_entries").fetchone(),
            con.execute("select file_name, sha256, is_current from raw.source_files").fetchall(),
        )

    shutil.copy2(BUNDLED_LISTS / "TOP500_202011.xlsx", src / "TOP500_202011.xlsx")  # the re-issue ...
    copy_bundled(src, ["TOP500_202106.xlsx"])  # ... and a new list, in one load
    marker = tmp_path / "paused"
    env = {**__import__("os").environ, "TOP500_TEST_PAUSE_IN_LOAD": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_LOAD, str(db), str(src)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the load never reached its pause point"
            time.sleep(0.05)
        assert int(marker.read_text()) == proc.pid
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        after = (
            con.execute("select count(*), sum(rmax_tflops), min(run_id) from raw.top500_entries").fetchone(),
            con.execute("select file_name, sha256, is_current from raw.source_files").fetchall(),
        )
        lists = con.execute("select distinct list_date::varchar from raw.top500_entries").fetchall()
    assert after == before and lists == [("2020-11-01",)]
