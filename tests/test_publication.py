"""Write-audit-publish keeps its promises, shown with the real `top500` command on private warehouses:
one publication, honest rollback, history that survives, truthful run states, no secrets at rest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.files import sha256_of
from support.tools import ReadOnlyDirectory
from support.warehouses import BUNDLED_LISTS, REISSUE_ORIGINAL, copy_bundled

pytestmark = pytest.mark.slow

TWO = ["TOP500_202311.xlsx", "TOP500_202406.xlsx"]
THIRD = "TOP500_202411.xlsx"


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]


def _publication(warehouse: Path) -> dict:
    """What a reader sees on each published path: the database, the manifest, the report."""
    manifest = json.loads((warehouse / "exports" / "manifest.json").read_text())
    report = (warehouse / "report" / "index.html").read_text()
    return {
        "generation": os.readlink(warehouse / "current").rsplit("/", 1)[1],
        "database": sha256_of(warehouse / "top500.duckdb"),
        "manifest_database": manifest["published_file"]["sha256"],
        "manifest_lists": manifest["list_range"]["max"],
        "parquet": sha256_of(warehouse / "exports" / "list_entries.parquet"),
        "report_lists": report.split("lists ", 1)[1].split(".", 1)[0],
    }


def _generations(warehouse: Path) -> list[str]:
    return sorted(p.name for p in (warehouse / "publications").iterdir() if p.is_dir() and not p.name.startswith("."))


def test_rollback_moves_the_whole_publication_and_stays_rolled_back(cli, tmp_path):
    src = cli.after_first_run(*TWO)
    first = _publication(cli.warehouse)
    copy_bundled(src, [THIRD])
    cli("run", "--source", str(src), check=True)
    second = _publication(cli.warehouse)
    assert second["manifest_lists"] == "2024-11-01" and second["report_lists"] == "2023-11 to 2024-11"

    # a failed run, then a normal one: no generation is lost or rotated
    failed = cli("run", "--source", str(tmp_path / "no-such-dir"))
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[0] == "error: bad input; the published warehouse is unchanged:"
    _no_traceback(failed)
    normal = cli("run", "--source", str(src), check=True)
    assert normal.stdout.startswith(
        "no new list: 3 lists in the warehouse (2023-11..2024-11), 3 in the source; "
        f"the published generation {second['generation']} is up to date"
    )
    assert _publication(cli.warehouse) == second
    assert _generations(cli.warehouse) == sorted([first["generation"], second["generation"]])

    # rollback: database, manifest, Parquet and report all go back, and status says so
    rolled = cli("rollback", check=True)
    assert rolled.stdout.startswith(
        f"rolled back: generation {second['generation']} is withdrawn; "
        f"published now: generation {first['generation']}: 2 lists (2023-11 .. 2024-06)"
    )
    after = _publication(cli.warehouse)
    assert after == first and after["database"] == after["manifest_database"]
    status = cli("status", check=True).stdout
    assert f"published: generation {first['generation']}" in status
    assert "lists: 2 (2023-11 .. 2024-06), 1,000 entries" in status
    assert f"rolled back: generation {second['generation']} withdrawn at" in status

    # a scheduled run with nothing new does not bring the withdrawn data back
    again = cli("run", "--source", str(src), check=True)
    assert f"nothing published: this content is generation {second['generation']}, rolled back at" in again.stdout
    assert _publication(cli.warehouse) == first

    # rolling forward is explicit
    forward = cli("rollforward", check=True)
    assert forward.stdout.startswith(f"rolled forward: published now: generation {second['generation']}")
    assert _publication(cli.warehouse) == second
    assert "rolled back:" not in cli("status", check=True).stdout
    nothing = cli("rollforward")
    assert nothing.returncode == 1
    assert nothing.stderr.splitlines()[0] == (
        "error: no withdrawn publication is kept, so there is nothing to roll forward"
    )


def test_a_publication_that_cannot_be_written_is_a_message_and_costs_no_generation(cli, tmp_path):
    src = cli.after_first_run(*TWO)
    before = _publication(cli.warehouse)

    copy_bundled(src, [THIRD])
    with ReadOnlyDirectory(cli.warehouse / "publications"):
        failed = cli("run", "--source", str(src))
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines[0] == "error: publishing failed; the published warehouse is unchanged:"
    assert lines[1].startswith(
        f"could not write the publication under {cli.warehouse / 'publications'}: PermissionError: [Errno"
    ), lines[1]
    _no_traceback(failed)
    assert _publication(cli.warehouse) == before
    last = json.loads((cli.warehouse / "build" / "last_run.json").read_text())
    assert (last["status"], last["published"]) == ("failed", False)

    retried = cli("run", "--source", str(src), check=True)
    # 2024-11 was loaded by the failed run; this one publishes it and says why it rebuilt
    assert retried.stdout.startswith(
        "no new list; rebuilt and re-published (the code changed or the last run "
        "did not publish): 3 lists in the warehouse (2023-11..2024-11)"
    ), retried.stdout
    assert len(_generations(cli.warehouse)) == 2 and before["generation"] in _generations(cli.warehouse)


def test_full_refresh_keeps_history_and_the_published_audit_tells_the_truth(cli, tmp_path):
    src = tmp_path / "lists"
    src.mkdir()
    (src / "TOP500_202011.xlsx").write_bytes(REISSUE_ORIGINAL.read_bytes())  # first published version
    cli("run", "--source", str(src), check=True)
    (src / "TOP500_202011.xlsx").write_bytes((BUNDLED_LISTS / "TOP500_202011.xlsx").read_bytes())  # the re-issue
    cli("run", "--source", str(src), check=True)

    def history(db: Path) -> tuple:
        with duckdb.connect(str(db), read_only=True) as con:
            return (
                con.execute("select count(*) from audit.pipeline_runs").fetchone()[0],
                con.execute("select count(*) from audit.validation_runs").fetchone()[0],
                con.execute("select count(*) from raw.source_files where not is_current").fetchone()[0],
            )

    build = cli.warehouse / "build" / "top500.duckdb"
    runs, validations, superseded = history(build)
    assert superseded == 1
    refreshed = cli("run", "--full-refresh", "--source", str(src), check=True)
    assert "rebuilt, identical to the published generation" in refreshed.stdout
    assert history(build) == (runs + 1, validations + 3, 1)  # list, reference and marts gates ran again
    assert "superseded file versions kept: 1" in cli("status", check=True).stdout

    # the run that made the published file is recorded in it as published, with its finish time
    generation = os.readlink(cli.warehouse / "current").rsplit("/", 1)[1]
    with duckdb.connect(str(cli.warehouse / "top500.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select status, finished_at is not null from audit.pipeline_runs where generation = ?", [generation]
        ).fetchall()
        running = con.execute("select count(*) from audit.pipeline_runs where status = 'running'").fetchone()[0]
    assert rows == [("published", True)] and running == 0


def test_credentials_in_a_url_are_refused_and_never_stored(cli, tmp_path):
    secret = "s3cret-in-url"
    result = cli("run", "--reference-source", f"http://alice:{secret}@127.0.0.1:9/data")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "error: http://127.0.0.1:9/data: credentials in a URL are refused (they would be stored in the "
        "warehouse, Prefect's database and logs); set TOP500_HTTP_USERNAME and TOP500_HTTP_PASSWORD in the "
        "environment instead"
    )
    served = cli("serve", "--source", f"https://bob:{secret}@mirror.example/top500")
    assert served.returncode == 2 and secret not in served.stderr + served.stdout
    # every file the commands could have written: the warehouse and Prefect's home (its database)
    roots = [cli.warehouse, Path(cli.env["PREFECT_HOME"])]
    leaks = [
        p
        for root in roots
        if root.exists()
        for p in root.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    ]
    assert leaks == []
    _no_traceback(result)


def test_failures_are_messages_not_tracebacks(cli, tmp_path, monkeypatch):
    # nothing published yet
    for args, first_line in [
        (("status",), "published: nothing yet (run `top500 run`)"),
        (("coverage",), "nothing published yet: run `top500 run` first"),
    ]:
        result = cli(*args)
        out = (result.stdout + result.stderr).strip().splitlines()
        assert out[0] == first_line, out
        _no_traceback(result)
    # a relative TOP500_WAREHOUSE_DIR is resolved from the working directory (GX and dbt need absolute paths)
    src = copy_bundled(tmp_path / "lists", ["TOP500_202406.xlsx"])
    env = {**os.environ, **cli.env, "TOP500_WAREHOUSE_DIR": "relative-warehouse", "CI": "1"}
    relative = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--source", str(src)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert relative.returncode == 0, relative.stderr[-3000:]
    assert (tmp_path / "relative-warehouse" / "top500.duckdb").exists()
    # a bad setting is a message too
    bad = cli("status", extra_env={"TOP500_HTTP_MAX_BYTES": "lots"})
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[0].startswith("error: bad setting: TOP500_HTTP_MAX_BYTES: ")


def test_headlines_say_what_happened_and_bad_input_is_caught(cli, tmp_path):
    src = copy_bundled(tmp_path / "lists", ["TOP500_202311.xlsx"])
    # a workbook read by its signature: .xlsx content under an .xls name is still the 2024-06 list
    shutil.copy2(BUNDLED_LISTS / "TOP500_202406.xlsx", src / "TOP500_202406.xls")
    (src / "TOP500_README.txt").write_text("downloaded from top500.org")
    shutil.copy2(BUNDLED_LISTS / "TOP500_202306.xlsx", src / "TOP500_202306 (1).xlsx")
    run = cli("run", "--source", str(src))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("loaded 2023-11, 2024-06: 1,000 entries: 2 lists in the warehouse")
    assert (
        "warning: skipped 2 file(s) in the source that are not list files: TOP500_202306 (1).xlsx, TOP500_README.txt"
    ) in run.stderr
    before = sha256_of(cli.warehouse / "top500.duckdb")

    # the 2024-06 workbook copied under the next list's name is not a new list
    shutil.copy2(BUNDLED_LISTS / "TOP500_202406.xlsx", src / "TOP500_202411.xlsx")
    copied = cli("run", "--source", str(src))
    assert copied.returncode == 1
    assert copied.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        f"TOP500_202411.xlsx: is byte-identical to TOP500_202406.xls (sha256 {sha256_of(src / 'TOP500_202411.xlsx')[:12]}): "
        "a copy under another list's name, not the 2024-11 list",
    ]
    assert sha256_of(cli.warehouse / "top500.duckdb") == before
    (src / "TOP500_202411.xlsx").unlink()

    # a list that left the source stays published, and the run says so
    (src / "TOP500_202406.xls").unlink()
    gone = cli("run", "--source", str(src), check=True)
    assert gone.stdout.startswith("no new list: 2 lists in the warehouse (2023-11..2024-06), 1 in the source")
    assert "warning: 1 list(s) in the warehouse are no longer in the source and stay published: 2024-06" in gone.stderr

    # new code, same data: rebuilt and re-published, and the headline says why
    project = tmp_path / "dbt_project"
    shutil.copytree(Path(__file__).parents[1] / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "systems.sql").write_text(
        "-- a comment is a code change\n" + (project / "models" / "marts" / "systems.sql").read_text()
    )
    rebuilt = cli("run", "--source", str(src), extra_env={"TOP500_DBT_PROJECT_DIR": str(project)}, check=True)
    assert rebuilt.stdout.startswith(
        "no new list; rebuilt and re-published (the code changed or the last run "
        "did not publish): 2 lists in the warehouse (2023-11..2024-06), 1 in the source"
    )
