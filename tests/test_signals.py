"""An operator's Ctrl-C, a service manager's SIGTERM and a Prefect server that goes away, each sent to a real
`top500 run` at a real moment of it: the run says what happened and what is published, and leaves nothing
behind (no lock, no half-made generation, no temporary Prefect server)."""

from __future__ import annotations

import json
import signal
import time

import duckdb
import psutil
import pytest

from flows.files import sha256_of
from flows.lock import holder
from support.prefect_server import PrefectServer
from support.runs import dbt_log, dbt_started, publishing, start_run, wait_for
from support.warehouses import copy_bundled

pytestmark = pytest.mark.slow

FIRST = "TOP500_202511.xlsx"
NEW = "TOP500_202606.xlsx"


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text, text[-3000:]


def _generation(warehouse) -> str:
    return json.loads((warehouse / "current" / "publication.json").read_text())["generation"]


def _prefect_server_processes(proc) -> list[psutil.Process]:
    return [p for p in psutil.Process(proc.pid).children(recursive=True) if "uvicorn" in " ".join(p.cmdline())]


def _gone(processes: list[psutil.Process]) -> bool:
    return all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in processes)


@pytest.mark.parametrize(
    ("moment", "signum", "where", "own_server"),
    [
        ("before the flow starts", signal.SIGTERM, "before the run began", True),
        ("during dbt", signal.SIGINT, "during dbt", False),
        ("during dbt", signal.SIGTERM, "during dbt", True),
        ("during publish", signal.SIGTERM, "during publish", False),
    ],
)
def test_a_signal_stops_the_run_at_a_safe_point_and_says_what_is_published(
    cli, tmp_path, moment, signum, where, own_server
):
    src = cli.after_first_run(FIRST)
    copy_bundled(src, [NEW])
    published = cli.warehouse / "top500.duckdb"
    before, generation = sha256_of(published), _generation(cli.warehouse)
    dbt_log(cli.warehouse).unlink(missing_ok=True)
    # own_server: no PREFECT_API_URL, so the command starts (and must stop) its temporary Prefect server
    run = start_run(cli.warehouse, "--source", str(src), api_url=None if own_server else cli.env["PREFECT_API_URL"])
    ready = {
        "before the flow starts": lambda: _prefect_server_processes(run),
        "during dbt": dbt_started(cli.warehouse),
        "during publish": publishing(cli.warehouse),
    }[moment]
    wait_for(ready, 600, moment, run)
    servers = _prefect_server_processes(run)
    run.send_signal(signum)
    out, err = run.communicate(timeout=300)

    assert run.returncode == 128 + signum, (out, err)
    name = signal.Signals(signum).name
    first = "nothing was changed" if where == "before the run began" else "the run stopped there and published nothing"
    assert err.splitlines() == [
        f"interrupted by {name} {where}; {first}; published: generation {generation} (unchanged)"
    ]
    _no_traceback(out + err)
    assert sha256_of(published) == before
    assert holder(cli.warehouse) is None, "the lock is released"
    assert _gone(servers), "the temporary Prefect server stopped with the run"
    assert not [p for p in (cli.warehouse / "publications").iterdir() if p.name.startswith(".")]
    if where != "before the run began":
        with duckdb.connect(str(cli.warehouse / "build" / "top500.duckdb"), read_only=True) as con:
            assert con.execute(
                "select status, message from audit.pipeline_runs order by started_at desc limit 1"
            ).fetchone() == ("interrupted", f"by {name} {where}; nothing was published")
    if signum == signal.SIGINT:  # and the next run converges: it publishes what the interrupted one began
        after = cli("run", "--source", str(src), check=True)
        assert "2 lists in the warehouse (2025-11..2026-06), 2 in the source" in after.stdout
        assert _generation(cli.warehouse) != generation


def test_a_prefect_server_lost_during_dbt_the_run_publishes_and_says_so_in_one_line(cli, tmp_path):
    src = cli.after_first_run(FIRST)
    copy_bundled(src, [NEW])
    published = cli.warehouse / "top500.duckdb"
    before, old_generation = sha256_of(published), _generation(cli.warehouse)
    server = PrefectServer(tmp_path / "prefect-home")
    try:
        server.wait_ready()
        dbt_log(cli.warehouse).unlink(missing_ok=True)
        run = start_run(cli.warehouse, "--source", str(src), api_url=server.url)
        wait_for(dbt_started(cli.warehouse), 600, "dbt", run)
        server.kill()
        started = time.monotonic()
        out, err = run.communicate(timeout=600)
    finally:
        server.kill()

    # The choice (docs/operations.md): the run goes on without the API and publishes; the headline is true.
    assert run.returncode == 0, (out, err)
    generation = _generation(cli.warehouse)
    assert generation != old_generation
    assert out.splitlines()[0].endswith(f"; published generation {generation}"), out
    assert err.splitlines() == [
        f"warning: the Prefect server at {server.url} stopped answering during the run; the run went on without "
        f"it and published generation {generation} (Prefect's record of this run is incomplete; the run's own: "
        f"audit.pipeline_runs, {cli.warehouse / 'build' / 'last_run.json'})"
    ], err
    assert "EventsWorker" not in out + err
    _no_traceback(out + err)
    assert time.monotonic() - started < 300, "Prefect's retries against the lost server must not hang the run"
    after = sha256_of(published)
    assert after != before
    assert after == json.loads((cli.warehouse / "current" / "publication.json").read_text())["database"]["sha256"]

    status = cli("status", check=True).stdout
    assert status.startswith(f"published: generation {generation} (run ")
    assert "sha256 " + after[:12] + ", verified" in status
    assert "last run: published (started " in status
