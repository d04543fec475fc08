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
from conftest import BUNDLED_LISTS, REISSUE_ORIGINAL, copy_bundled  # noqa: E402

from flows import load
from flows.sources import top500


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
    broken = load.ParsedFile(parsed_lists["2023-11"].file, good.table, parsed_lists["2023-11"].rows.copy())
    broken.rows.loc[3, "rank"] = None  # violates NOT NULL halfway through the batch
    replacement = load.ParsedFile(
        load.SourceFile("top500", "2023-06", good.file.path, "x", "f" * 64, 1), good.table, good.rows
    )
    with load.connect(db) as con, pytest.raises(duckdb.ConstraintException):
        load.load_files(con, [replacement, broken], "second")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select distinct run_id from raw.top500_entries").fetchall() == [("first",)]
        assert con.execute("select count(*) from raw.source_files where is_current").fetchone()[0] == 1


KILLABLE_LOAD = textwrap.dedent(
    """
    import sys
    from flows import load
    from flows.sources import top500
    from flows.settings import get_settings
    files = top500.collect("bundled", get_settings())
    parsed = top500.parse_all(files)
    with load.connect(__import__("pathlib").Path(sys.argv[1])) as con:
        print("loading", flush=True)
        load.load_files(con, parsed, "killed")
    print("done", flush=True)
    """
)


@pytest.mark.parametrize("delay_s", [0.05, 0.4])
def test_sigkill_mid_load_leaves_all_or_nothing(tmp_path, delay_s):
    db = tmp_path / "top500.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE_LOAD, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "loading"
    time.sleep(delay_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with load.connect(db) as con:
        lists, rows = con.execute("select count(distinct list_date), count(*) from raw.top500_entries").fetchone()
        files = con.execute("select count(*) from raw.source_files").fetchone()[0]
    assert (lists, rows, files) in {(0, 0, 0), (67, 33_500, 67)}
