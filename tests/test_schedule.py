"""The semiannual deployment: its calendar, and a served run on a real `prefect server start`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from flows import schedule
from flows.publish import file_state
from support.warehouses import BUNDLED_KEYS, copy_bundled

FLOW_AND_DEPLOYMENT = f"top500-refresh/{schedule.DEPLOYMENT_NAME}"
SEASON_MONTHS = {m for months in schedule.SEASON_MONTHS.values() for m in months}
# The warehouse already holds the other bundled lists; the served site brings the two newest (2025-11, 2026-06).
# (dbt's fact tests need the whole history, so a warehouse of two lists alone would not pass them.)
NEW_KEYS = set(BUNDLED_KEYS[-2:])
NEWEST_FILE = f"TOP500_{BUNDLED_KEYS[-1].replace('-', '')}.xlsx"
# The served runs look for lists as of a day in the newest list's season (not the machine's today, whose
# calendar expects lists this site never gets): 2026-07-15 for 2026-06.
AS_OF = f"{BUNDLED_KEYS[-1][:4]}-{'07' if BUNDLED_KEYS[-1].endswith('06') else '12'}-15"


# --- the calendar (no server needed) ---------------------------------------------


def test_every_recent_release_is_picked_up_within_three_days():
    """ISC lists came out from 13 May to 28 June, SC lists 12-18 November; a run must follow each soon."""
    late = {d: schedule.days_to_next_run(d) for d in schedule.RELEASE_DAYS}
    assert max(late.values()) <= 3.0, {str(d): round(v, 2) for d, v in late.items() if v > 3}
    # Monday announcements (all but ISC 2025) are picked up the next morning
    assert sum(v < 1 for v in late.values()) >= len(late) - 2


def test_next_runs_fall_only_in_release_seasons():
    start = datetime(2027, 1, 1, tzinfo=UTC)
    runs = schedule.next_runs(60, after=start)
    assert len(runs) == 60
    assert {r.month for r in runs} <= SEASON_MONTHS
    assert {r.month for r in runs if r.year == 2027} == SEASON_MONTHS  # every season month is covered
    assert all((r.hour, r.minute, r.weekday()) in {(6, 0, 1), (6, 0, 4)} for r in runs)  # Tue/Fri 06:00 UTC
    per_year = sum(r.year == 2027 for r in schedule.next_runs(200, after=start))
    assert 35 <= per_year <= 50, per_year  # twice a week in five months, not daily


def test_deployment_definition_passes_source_and_limits_concurrency(tmp_path):
    d = schedule.deployment(str(tmp_path))
    assert d.entrypoint == "flows.pipeline.refresh"
    assert d.parameters == {"source": str(tmp_path), "full_refresh": False}
    assert "no new list" in d.description
    assert d.concurrency_limit == 1
    assert sorted((s.schedule.cron, s.schedule.timezone) for s in d.schedules) == sorted(
        [(schedule.ISC_CRON, "UTC"), (schedule.SC_CRON, "UTC")]
    )


@pytest.mark.parametrize("api_url", [None, "http://127.0.0.1:9/api"])
def test_serve_without_a_server_says_how_to_start_one(tmp_path, api_url):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), TOP500_WAREHOUSE_DIR=str(tmp_path / "warehouse"))
    if api_url:
        env["PREFECT_API_URL"] = api_url
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "serve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "prefect server start" in result.stderr
    assert ("PREFECT_API_URL is not set" if api_url is None else "is not reachable") in result.stderr
    # the hint starts a server where PREFECT_API_URL points, not always on port 4200
    port = 4200 if api_url is None else 9
    assert f"prefect server start --host 127.0.0.1 --port {port}\n" in result.stderr
    assert f"export PREFECT_API_URL=http://127.0.0.1:{port}/api\n" in result.stderr
    assert not (tmp_path / "warehouse").exists()  # nothing ran


def test_relative_source_is_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mirror").mkdir()
    assert schedule.deployment("mirror").parameters["source"] == str(tmp_path / "mirror")
    assert schedule.deployment("~/lists").parameters["source"] == str(Path.home() / "lists")
    for kept in ("bundled", "https://www.top500.org", "http://127.0.0.1:8000/mirror"):
        assert schedule.deployment(kept).parameters["source"] == kept


def _schedule_cli(tmp_path, *args, env_extra=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(
        {
            "PREFECT_HOME": str(tmp_path / "prefect-home"),
            "TOP500_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            **(env_extra or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_schedule_command_lists_next_runs_in_utc_and_local_time(tmp_path):
    result = _schedule_cli(tmp_path, "schedule", "--count", "4", env_extra={"TZ": "Asia/Seoul"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    runs = [line.strip() for line in lines[lines.index("next 4 runs:") + 1 :][:4]]
    expected = schedule.next_runs(4)
    assert runs == [f"{d:%a %Y-%m-%d} 06:00 UTC (15:00 KST local)" for d in expected]  # UTC+9, same day
    assert "datetime.datetime" not in result.stdout
    assert "PREFECT_API_URL is not set" in result.stdout
    assert "last run: none recorded" in result.stdout
    west = _schedule_cli(tmp_path, "schedule", "-n", "1", env_extra={"TZ": "America/Los_Angeles"}).stdout
    day_before = expected[0] - timedelta(days=1)
    assert (
        f"{expected[0]:%a %Y-%m-%d} 06:00 UTC ({day_before:%a %Y-%m-%d} 22:00 PST local)" in west
        or f"({day_before:%a %Y-%m-%d} 23:00 PDT local)" in west
    )


def test_schedule_command_tells_what_the_published_file_came_from(published, tmp_path):
    from flows import publish

    current = publish.current(published)
    when = datetime.fromisoformat(current.published_at).replace(tzinfo=UTC)
    result = _schedule_cli(
        tmp_path, "schedule", "-n", "1", env_extra={"TZ": "UTC", "TOP500_WAREHOUSE_DIR": str(published.warehouse_dir)}
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"published file {published.published_db}: generation {current.generation} ({len(BUNDLED_KEYS)} lists, "
        f"1993-06 .. {BUNDLED_KEYS[-1]}), made by run {current.run_id[:8]} from bundled, published {when:%a %Y-%m-%d %H:%M} UTC\n"
    ) in result.stdout, result.stdout


HOLD_LOCK = """
import sys, time
from pathlib import Path
from flows.lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), command="top500 run"):
    print("holding", flush=True)
    time.sleep(120)
"""


def test_docs_refuses_while_a_run_holds_the_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = _schedule_cli(tmp_path, "docs")
        assert result.returncode == 1
        assert f"another run is in progress (pid {holder.pid}" in result.stderr
        assert "try again when it has finished" in result.stderr
        assert not (warehouse / "build").exists(), "docs wrote nothing"
    finally:
        holder.kill()
        holder.wait()
    result = _schedule_cli(tmp_path, "docs")
    assert result.returncode == 1 and "nothing built yet" in result.stderr, "the lock is free again"


# --- a served deployment on a real server ----------------------------------------


def _wait(condition, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def served(prefect_api, tmp_path, parsed_lists):
    """`top500 serve --source <http site>` in a subprocess, the site laid out like top500.org and serving
    every bundled list (and Green500 list), 2020-11 as first published (the re-issue comes later in the test).

    Yields (client, deployment, warehouse dir, site, site directory, log path, the command's environment)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import load
    from support.http_server import ServerThread, Top500Site
    from support.warehouses import BUNDLED_LISTS, REISSUE_ORIGINAL, make_settings

    served_dir = copy_bundled(tmp_path / "site")
    (served_dir / "TOP500_202011.xlsx").write_bytes(REISSUE_ORIGINAL.read_bytes())
    for green in (BUNDLED_LISTS.parents[1] / "green500" / "raw").iterdir():
        shutil.copy2(green, served_dir / green.name)
    site = Top500Site()
    site.add_directory(served_dir)
    warehouse = make_settings(tmp_path).warehouse_dir
    with load.connect(make_settings(tmp_path).build_db) as con:
        load.load_files(con, [p for key, p in parsed_lists.items() if key not in NEW_KEYS], "history")
    log_path = tmp_path / "serve.log"
    with ServerThread(site) as server:
        env = {
            **os.environ,
            **prefect_api,
            "TOP500_WAREHOUSE_DIR": str(warehouse),
            "CI": "1",
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",
            "TOP500_AS_OF_DATE": AS_OF,
        }
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", "serve", "--source", server.base_url],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            with (
                temporary_settings({PREFECT_API_URL: prefect_api["PREFECT_API_URL"]}),
                get_client(sync_client=True) as client,
            ):

                def deployment():
                    if proc.poll() is not None:
                        raise AssertionError(f"top500 serve exited {proc.returncode}:\n{log_path.read_text()}")
                    try:
                        return client.read_deployment_by_name(FLOW_AND_DEPLOYMENT)
                    except Exception:  # ObjectNotFound until the runner has registered it
                        return None

                dep = _wait(deployment, 120, "the served deployment to register")
                yield client, dep, warehouse, site, served_dir, log_path, env
        finally:
            proc.send_signal(signal.SIGINT)  # the runner pauses the schedule and exits
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _run_to_completion(client, deployment_id, log_path: Path, timeout: float = 900):
    run = client.create_flow_run_from_deployment(deployment_id)

    def final():
        state = client.read_flow_run(run.id).state
        return state if state is not None and state.is_final() else None

    state = _wait(final, timeout, f"flow run {run.id} to finish", every=2)
    assert state.is_completed(), f"run ended {state.type}: {state.message}\n{log_path.read_text()[-4000:]}"
    return run


def _log_text(client, run_id, must_contain: str) -> str:
    """The run's log lines from the API (the run ships them at exit, so poll briefly)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    def text():
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])), limit=200)
        joined = "\n".join(log.message for log in logs)
        return joined if must_contain in joined else None

    return _wait(text, 60, f"log line {must_contain!r} of run {run_id}")


@pytest.mark.slow
def test_served_deployment_refreshes_over_http_finds_nothing_new_then_a_reissued_list(served):
    """The scheduled path as it runs in production: a served deployment, an HTTP source laid out like
    top500.org, conditional requests, and the real 2020-11 re-issue of January 2021."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.server.schemas.schedules import CronSchedule

    from support.warehouses import BUNDLED_LISTS

    client, dep, warehouse, site, served_dir, log_path, env = served
    published = warehouse / "top500.duckdb"

    # the registered deployment: parameters, description, schedules as the server stores them
    assert dep.parameters["source"].startswith("http://127.0.0.1:")
    assert "no new list" in (dep.description or "")
    crons = sorted((s.schedule.cron, s.schedule.timezone) for s in dep.schedules)
    assert crons == sorted([(schedule.ISC_CRON, "UTC"), (schedule.SC_CRON, "UTC")])
    now = datetime.now(UTC)
    upcoming = []
    for s in dep.schedules:
        cron = CronSchedule(cron=s.schedule.cron, timezone=s.schedule.timezone, day_or=s.schedule.day_or)
        upcoming += asyncio.run(cron.get_dates(n=20, start=now))
    assert upcoming and {d.month for d in upcoming} <= SEASON_MONTHS
    assert min(upcoming) - now < timedelta(days=200)  # never more than half a year without a run

    # first triggered run: every list downloaded once; the two new ones and 2020-11 (first version) loaded
    assert not published.exists()
    first = _run_to_completion(client, dep.id, log_path)
    assert published.exists()
    after_first = file_state(published)
    text = _log_text(client, first.id, f"loaded 2020-11, {', '.join(sorted(NEW_KEYS))}")
    assert "1,500 entries" in text, text
    assert site.bodies(NEWEST_FILE) == 1
    with duckdb.connect(str(published), read_only=True) as con:
        lists, entries = con.execute("select count(distinct list_date), count(*) from marts.list_entries").fetchone()
        china = con.execute(
            "select systems from marts.country_list_stats where list_date = '2020-11-01' and country = 'China'"
        ).fetchone()[0]
    assert (lists, entries, china) == (len(BUNDLED_KEYS), 500 * len(BUNDLED_KEYS), 213)  # the first 2020-11: 213
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[first.id]))
    )
    assert any("TOP500 refresh" in (a.data or "") for a in artifacts), [a.key for a in artifacts]

    # second triggered run: the server answers 304 for every list; nothing new, nothing published
    bodies = sum(h.get("_status") == 200 for _, h in site.requests)
    second = _run_to_completion(client, dep.id, log_path)
    _log_text(client, second.id, "no new list")
    assert sum(h.get("_status") == 200 for _, h in site.requests) == bodies, "no file downloaded again"
    assert file_state(published) == after_first

    # `top500 schedule` reads the last run from the server: the no-op run, with its summary
    shown = subprocess.run(
        [sys.executable, "-m", "flows.cli", "schedule", "-n", "2"],
        env={**env, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    last = next(line for line in shown.stdout.splitlines() if line.startswith("last run (Prefect server"))
    second_run = client.read_flow_run(second.id)
    assert f"{second_run.name} started {second_run.start_time:%a %Y-%m-%d %H:%M} UTC, Completed" in last
    assert "no new list" in last

    # the re-issue appears on the server: the third run fetches that file alone and replaces its list
    (served_dir / "TOP500_202011.xlsx").write_bytes((BUNDLED_LISTS / "TOP500_202011.xlsx").read_bytes())
    third = _run_to_completion(client, dep.id, log_path)
    _log_text(client, third.id, "loaded 2020-11: 500 entries")
    assert sum(h.get("_status") == 200 for _, h in site.requests) == bodies + 1
    with duckdb.connect(str(published), read_only=True) as con:
        china = con.execute(
            "select systems from marts.country_list_stats where list_date = '2020-11-01' and country = 'China'"
        ).fetchone()[0]
        versions = con.execute(
            "select count(*) from raw.source_files where dataset = 'top500' and file_key = '2020-11'"
        ).fetchone()[0]
    assert (china, versions) == (214, 3)  # re-issue counted, every version kept
    with duckdb.connect(str(warehouse / "build" / "top500.duckdb"), read_only=True) as con:
        audit = dict(con.execute("select run_id, status from audit.pipeline_runs").fetchall())
        stages = con.execute("select stages_s from audit.pipeline_runs where run_id = ?", [str(second.id)]).fetchone()[
            0
        ]
    assert [audit[str(r.id)] for r in (first, second, third)] == ["published", "up to date", "published"]
    # the no-op run skips the gates after loading, dbt and publishing (timings are for `make bench`)
    assert not {"dbt", "publish", "gate_marts"} & set(json.loads(stages)), stages
