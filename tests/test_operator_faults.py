"""An operator's bad days, through the `top500` command on private warehouses: a published file overwritten
with random bytes, a broken `current` link, a corrupt publications/state.json, a read-only warehouse, a disk
that fills up during dbt or during publishing, a truncated build file. Each is a message, never a traceback;
nothing half-made is published; and there is a documented way back (docs/operations.md)."""

from __future__ import annotations

import json
import os
import random
import shutil
import time

import duckdb
import pytest

from flows.files import sha256_of
from support.filesystems import fill, remount, small_filesystem
from support.runs import dbt_finished, dbt_started, publishing, start_run, wait_for
from support.warehouses import copy_bundled

pytestmark = pytest.mark.slow

FIRST = "TOP500_202511.xlsx"
NEW = "TOP500_202606.xlsx"
TOTAL_2025_11 = "select round(sum(rmax_tflops)) from list_entries"


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]


def _publication(warehouse) -> dict:
    return json.loads((warehouse / "current" / "publication.json").read_text())


# --- corrupt published state ---------------------------------------------------------------------------------


def test_random_bytes_over_the_published_file_are_named_and_the_next_run_publishes_it_again(cli):
    src = cli.after_first_run(FIRST)
    published = cli.warehouse / "top500.duckdb"
    total = cli("sql", TOTAL_2025_11, "--format", "csv", check=True).stdout
    recorded = _publication(cli.warehouse)["database"]["sha256"]
    assert sha256_of(published) == recorded
    target = published.resolve()
    size = target.stat().st_size
    with target.open("r+b") as out:  # the header stays: DuckDB opens the file and fails on its blocks
        out.seek(size // 4)
        out.write(random.Random(26).randbytes(size // 2))
    damaged = sha256_of(published)

    status = cli("status")
    assert status.returncode == 1
    assert f"sha256 {recorded[:12]}: DAMAGED" in status.stdout
    assert status.stderr.splitlines() == [
        f"error: the published file is damaged: {target} has sha256 {damaged[:12]}, not the {recorded[:12]} its "
        "publication.json records; `top500 run` publishes it again from the build, `top500 rollback` publishes "
        "the generation before it"
    ]
    query = cli("sql", TOTAL_2025_11)
    assert query.returncode == 1
    assert query.stderr.splitlines()[0] == (
        f"error: the published warehouse is damaged: {target} has sha256 {damaged[:12]}, not the {recorded[:12]} "
        "its publication.json records."
    )
    for result in (status, query):
        _no_traceback(result)

    repaired = cli("run", "--source", str(src), check=True)  # nothing new: never "up to date" with a damaged file
    generation = _publication(cli.warehouse)["generation"]
    assert repaired.stdout.startswith(
        "no new list; rebuilt and re-published (the code changed or the last run did not publish): 1 lists in the "
        f"warehouse (2025-11..2025-11), 1 in the source; published generation {generation}"
    ), repaired.stdout
    assert f"warning: the published warehouse was damaged ({target} has sha256 {damaged[:12]}" in repaired.stderr
    assert sha256_of(published) == _publication(cli.warehouse)["database"]["sha256"] != damaged
    assert cli("status", check=True).returncode == 0
    assert cli("sql", TOTAL_2025_11, "--format", "csv", check=True).stdout == total
    assert not target.exists(), "the damaged generation is not kept: the repaired one has its content"


def test_a_broken_current_link_is_named_and_rollback_to_a_kept_generation_mends_it(cli):
    cli.after_first_run(FIRST)
    kept = _publication(cli.warehouse)
    link = cli.warehouse / "current"
    link.unlink()
    link.symlink_to("publications/20990101T000000Z-00000000")

    status = cli("status")
    assert status.returncode == 1
    assert status.stdout.splitlines()[:2] == [
        "published: nothing (the link is broken)",
        f"kept generations: {kept['generation']}",
    ]
    assert status.stderr.splitlines() == [
        f"error: the link {link} points to publications/20990101T000000Z-00000000, which does not exist: "
        "`top500 rollback --to GENERATION` points it at a kept generation"
    ]
    query = cli("sql", "select 1")
    assert query.returncode == 1
    assert query.stderr.startswith(f"error: the published warehouse is damaged: the link {link} points to ")
    back = cli("rollback")
    assert back.returncode == 1
    assert back.stderr.splitlines() == [
        f"error: the link {link} points to publications/20990101T000000Z-00000000, which does not exist; "
        f"`top500 rollback --to GENERATION` points it at a kept one ({kept['generation']})"
    ]
    for result in (status, query, back):
        _no_traceback(result)

    mended = cli("rollback", "--to", kept["generation"], check=True)
    assert mended.stdout.startswith(f"published now: generation {kept['generation']}: 1 lists (2025-11 .. 2025-11)")
    assert sha256_of(cli.warehouse / "top500.duckdb") == kept["database"]["sha256"]
    assert cli("status", check=True).stdout.startswith(f"published: generation {kept['generation']}")
    missing = cli("rollback", "--to", "20990101T000000Z-00000000")
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        f"error: generation 20990101T000000Z-00000000 is not kept (kept: {kept['generation']})"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2"),
        ('{"withdrawn": {"generation": "x"}}', "is not the record of rollbacks: expected"),
    ],
)
def test_a_corrupt_state_file_stops_publishing_by_name_until_it_is_repaired(cli, content, problem):
    src = cli.after_first_run(FIRST)
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)
    state = cli.warehouse / "publications" / "state.json"
    state.write_text(content)
    copy_bundled(src, [NEW])

    run = cli("run", "--source", str(src))
    assert run.returncode == 1
    assert run.stderr.splitlines()[:2] == [
        "error: publishing failed; the published warehouse is unchanged:",
        run.stderr.splitlines()[1],
    ]
    assert run.stderr.splitlines()[1].startswith(f"{state} {problem}")
    assert "nothing is published or rolled back until it is repaired" in run.stderr
    assert sha256_of(published) == before
    status, back = cli("status"), cli("rollback")
    assert status.returncode == back.returncode == 1
    assert status.stdout.startswith("published: generation ")
    assert status.stderr.startswith(f"error: {state} {problem}")
    assert back.stderr.startswith(f"error: {state} {problem}")
    for result in (run, status, back):
        _no_traceback(result)
        assert "AttributeError" not in result.stderr

    # the way back (docs/operations.md): set the file aside; withdrawals it held are to be made again
    state.rename(state.with_name("state.json.bad"))
    again = cli("run", "--source", str(src), check=True)
    assert "2 lists in the warehouse (2025-11..2026-06)" in again.stdout
    assert sha256_of(published) != before


# --- the machine's own faults ---------------------------------------------------------------------------------


def test_a_read_only_warehouse_is_a_message_and_the_readers_still_work(cli, first_runs, tmp_path):
    src = copy_bundled(tmp_path / "lists", [FIRST, NEW])
    with small_filesystem(tmp_path / "disk", 120) as disk:
        warehouse = disk / "warehouse"
        shutil.copytree(first_runs((FIRST,)), warehouse, symlinks=True)
        before = sha256_of(warehouse / "top500.duckdb")
        remount(disk, read_only=True)
        try:
            here = {"TOP500_WAREHOUSE_DIR": str(warehouse)}
            run = cli("run", "--source", str(src), extra_env=here)
            status = cli("status", extra_env=here)
            query = cli("sql", TOTAL_2025_11, extra_env=here)
        finally:
            remount(disk, read_only=False)
        assert run.returncode == 1
        assert run.stderr.splitlines() == [
            f"error: cannot write the warehouse directory {warehouse} (Read-only file system): every command that "
            "changes the warehouse needs it writable; the read-only commands (status, sql, tables) still work; "
            "nothing was changed"
        ]
        assert status.returncode == query.returncode == 0, status.stderr + query.stderr
        for result in (run, status, query):
            _no_traceback(result)
        assert sha256_of(warehouse / "top500.duckdb") == before


@pytest.mark.parametrize("moment", ["during dbt", "before publishing", "during publishing"])
def test_a_full_disk_is_a_message_that_says_so_and_nothing_is_published(first_runs, prefect_api, tmp_path, moment):
    src = copy_bundled(tmp_path / "lists", [FIRST, NEW])
    with small_filesystem(tmp_path / "disk", 160) as disk:
        warehouse = disk / "warehouse"
        shutil.copytree(first_runs((FIRST,)), warehouse, symlinks=True)
        (warehouse / "build" / "dbt" / "logs" / "dbt.log").unlink(missing_ok=True)
        published = warehouse / "top500.duckdb"
        before, started = sha256_of(published), time.time()
        run = start_run(warehouse, "--source", str(src), api_url=prefect_api["PREFECT_API_URL"])
        if moment == "during dbt":
            wait_for(dbt_started(warehouse), 600, "dbt", run)
            filler = fill(disk)
        elif moment == "before publishing":  # room for the marts gate's audit rows, not for a generation (~70 MB)
            wait_for(dbt_finished(warehouse, started), 600, "dbt to finish", run)
            filler = fill(disk, leave_bytes=40_000_000)
        else:
            wait_for(publishing(warehouse), 600, "the publication to begin", run)
            filler = fill(disk)
        out, err = run.communicate(timeout=600)

        assert run.returncode == 1, (out, err)
        lines = err.splitlines()
        assert "Traceback" not in out + err and "Logging error" not in err, err[-3000:]
        if moment == "during dbt":
            assert lines[0] == "error: dbt failed; the published warehouse is unchanged:"
            assert "No space left on device" in err
            assert f"the disk holding {warehouse} is full (" in err
        elif moment == "before publishing":
            assert lines[:2] == ["error: publishing failed; the published warehouse is unchanged:", lines[1]]
            assert lines[1].startswith("not enough free space to publish: a generation needs about ")
            assert f"MB under {warehouse / 'publications'} and " in lines[1]
            assert lines[1].endswith(
                " MB are free; free some space (or remove kept generations: `top500 status` lists them) and run again"
            )
        else:
            assert lines[:2] == ["error: publishing failed; the published warehouse is unchanged:", lines[1]]
            assert lines[1].startswith(
                f"could not write the publication: the disk holding {warehouse / 'publications'} is full ("
            ), lines[1]
            assert "a generation needs about " in lines[1]
        assert sha256_of(published) == before
        assert not [p for p in (warehouse / "publications").iterdir() if p.name.startswith(".staging-")]

        filler.unlink()  # room again: the next run publishes what this one could not
        again = start_run(warehouse, "--source", str(src), api_url=prefect_api["PREFECT_API_URL"])
        out, err = again.communicate(timeout=600)
        assert again.returncode == 0, err[-3000:]
        assert sha256_of(published) != before


def test_a_truncated_build_file_stops_a_run_by_name_and_a_full_refresh_rebuilds_it(cli):
    src = cli.after_first_run(FIRST)
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)
    with duckdb.connect(str(published), read_only=True) as con:
        runs_before = con.execute("select run_id from audit.pipeline_runs order by started_at").fetchall()
    build = cli.warehouse / "build" / "top500.duckdb"
    os.truncate(build, build.stat().st_size // 2)

    run = cli("run", "--source", str(src))
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == "error: the build file cannot be read; the published warehouse is unchanged:"
    assert lines[1].startswith(f"the build file {build} cannot be read (IOException: IO Error: ")
    assert lines[1].endswith(
        "); `top500 run --full-refresh` starts it again from the source files, with the history the published "
        "generation holds"
    )
    _no_traceback(run)
    assert sha256_of(published) == before

    copy_bundled(src, [NEW])  # a new list too, so the refresh publishes
    refreshed = cli("run", "--source", str(src), "--full-refresh", check=True)
    generation = _publication(cli.warehouse)["generation"]
    assert refreshed.stdout.startswith(
        "loaded 2025-11, 2026-06: 1,000 entries: 2 lists in the warehouse (2025-11..2026-06), 2 in the source"
    )
    assert f"published generation {generation}" in refreshed.stdout
    assert "warning: the build file could not be read (IOException: IO Error: " in refreshed.stderr
    assert "and rebuilt with the history of generation " in refreshed.stderr
    assert list((cli.warehouse / "build").glob("top500.duckdb.unreadable-*")), "set aside, not deleted"
    with duckdb.connect(str(published), read_only=True) as con:
        runs_after = con.execute("select run_id from audit.pipeline_runs order by started_at").fetchall()
    assert runs_after[: len(runs_before)] == runs_before, "the history of the published generation is kept"

    # `status` shows the publication's own time, which is after the run began (not the run's start)
    status = cli("status", check=True).stdout
    publication = _publication(cli.warehouse)
    record = json.loads((cli.warehouse / "build" / "last_run.json").read_text())
    assert f"(run {publication['run_id']}, published at {publication['published_at']})" in status
    assert publication["published_at"].replace("T", " ").rstrip("Z") > record["started_at"]
    assert f"last run: published (started {record['started_at']}, " in status
