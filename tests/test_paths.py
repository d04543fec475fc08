"""The paths users and operators run, walked as they run them: the `top500` command through the Prefect
flow, against a real HTTP server on 127.0.0.1, with real processes where two can meet."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from flows.files import sha256_of
from flows.lock import holder
from support.http_server import Fault, ServerThread, Top500Site
from support.warehouses import BUNDLED_LISTS, copy_bundled
from support.workbook_edits import edit_xlsx

pytestmark = pytest.mark.slow

EARLY = ["TOP500_199306.xls", "TOP500_199311.xls", "TOP500_199406.xls"]
AS_OF = {"TOP500_AS_OF_DATE": "1994-11-20"}  # 1994-11 is expected by then; the site has not published it


def _published(cli) -> Path:
    return cli.warehouse / "top500.duckdb"


def _lists(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [d for (d,) in con.execute("select distinct list_label from marts.list_entries order by 1").fetchall()]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]


# --- 1. the scheduled refresh over HTTP ----------------------------------------------------------


def test_http_refresh_through_the_cli_loads_what_is_new_and_only_that(cli, tmp_path):
    served = copy_bundled(tmp_path / "site", EARLY)
    site = Top500Site()
    site.add_directory(served)
    with ServerThread(site) as server:
        # (a) the first run loads every list the site has; the newest expected one (1994-11) is not out yet
        first = cli("run", "--source", server.base_url, extra_env=AS_OF)
        assert first.returncode == 0, first.stderr[-3000:]
        assert _first_line(first.stdout).startswith("loaded 1993-06, 1993-11, 1994-06: 1,500 entries"), first.stdout
        assert _lists(_published(cli)) == ["1993-06", "1993-11", "1994-06"]
        assert [site.bodies(n) for n in EARLY] == [1, 1, 1]
        before = sha256_of(_published(cli))

        # (c) nothing new: says so (and which expected list is not out yet), exits 0, downloads no body,
        # publishes nothing
        again = cli("run", "--source", server.base_url, extra_env=AS_OF)
        assert again.returncode == 0, again.stderr[-3000:]
        assert _first_line(again.stdout).startswith(
            "no new list (1994-11 not published yet): 3 lists in the warehouse (1993-06..1994-06), 3 in the source; "
            "the published generation"
        ), again.stdout
        assert [site.bodies(n) for n in EARLY] == [1, 1, 1]
        assert sha256_of(_published(cli)) == before

        # (b) the site publishes 1994-11: the next run fetches exactly that file and loads it
        site.add_file(copy_bundled(served, ["TOP500_199411.xls"]) / "TOP500_199411.xls")
        new = cli("run", "--source", server.base_url, extra_env={"TOP500_AS_OF_DATE": "1995-01-10"})
        assert new.returncode == 0, new.stderr[-3000:]
        assert _first_line(new.stdout).startswith("loaded 1994-11: 500 entries: 4 lists in the warehouse"), new.stdout
        assert [site.bodies(n) for n in [*EARLY, "TOP500_199411.xls"]] == [1, 1, 1, 1]
        assert _lists(_published(cli)) == ["1993-06", "1993-11", "1994-06", "1994-11"]
        _no_traceback(new)


def test_http_list_missing_in_the_middle_fails_naming_it(cli, tmp_path):
    site = Top500Site()
    site.add_directory(copy_bundled(tmp_path / "site", ["TOP500_199306.xls", "TOP500_199406.xls"]))
    with ServerThread(site) as server:
        result = cli("run", "--source", server.base_url, extra_env=AS_OF)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: bad input; the published warehouse is unchanged:"
    assert (
        lines[1]
        == f"TOP500_199311.xls: HTTP 404 Not Found at {server.base_url}/lists/top500/1993/11/download/TOP500_199311.xls"
    )
    assert not _published(cli).exists()
    _no_traceback(result)


@pytest.mark.parametrize(
    ("fault", "setting", "message"),
    [
        (
            Fault("drip", seconds=0.3),
            {"TOP500_HTTP_TOTAL_TIMEOUT_S": "2"},
            "TOP500_199406.xls: download stopped after 2 s (TOP500_HTTP_TOTAL_TIMEOUT_S)",
        ),
        (Fault("endless"), {"TOP500_HTTP_MAX_BYTES": "3000000"}, "TOP500_199406.xls: download stopped at 3,0"),
    ],
)
def test_a_download_that_never_ends_is_stopped_and_nothing_changes(cli, tmp_path, fault, setting, message):
    served = copy_bundled(tmp_path / "site", EARLY)
    site = Top500Site()
    site.add_directory(served)
    with ServerThread(site) as server:
        assert cli("run", "--source", server.base_url, extra_env=AS_OF).returncode == 0
        before = sha256_of(_published(cli))
        (served / "TOP500_199406.xls").touch()  # a newer Last-Modified: the file is asked for in full
        site.validators = False
        site.faults[site.path_for("TOP500_199406.xls")] = fault
        started = time.monotonic()
        result = cli("run", "--source", server.base_url, extra_env={**AS_OF, **setting, "TOP500_HTTP_RETRIES": "0"})
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines()[0] == "error: bad input; the published warehouse is unchanged:"
    assert message in result.stderr, result.stderr
    assert elapsed < 120, "the run must end, not hang"  # a bound on a hang, not a timing of the code
    assert sha256_of(_published(cli)) == before
    landing = cli.warehouse / "landing" / "top500"
    assert not [p for p in landing.iterdir() if p.name.endswith(".partial")]
    _no_traceback(result)


# --- 2. two runs at once ---------------------------------------------------------------------------


def _start_run(cli, *args: str) -> subprocess.Popen:
    env = {**os.environ, **cli.env, "TOP500_WAREHOUSE_DIR": str(cli.warehouse), "CI": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return value


def test_a_second_run_leaves_at_once_and_the_first_publishes_as_if_alone(cli, tmp_path):
    src = cli.after_first_run("TOP500_202311.xlsx", "TOP500_202406.xlsx")
    before = sha256_of(_published(cli))
    manifest = cli.warehouse / "build" / "dbt" / "target" / "manifest.json"  # dbt writes it once parsed
    parsed_at = manifest.stat().st_mtime_ns

    first = _start_run(cli, "--full-refresh", "--source", str(src))
    try:
        owner = _wait_for(lambda: holder(cli.warehouse), 120, "the first run to take the lock")
        assert owner["pid"] == first.pid
        _wait_for(
            lambda: first.poll() is None and manifest.stat().st_mtime_ns > parsed_at, 300, "the first run to be in dbt"
        )
        second = cli("run", "--source", str(src), timeout=60)
        assert second.returncode == 75
        assert second.stderr.splitlines()[0].startswith(
            f"error: another run is in progress (pid {first.pid}, started "
        ), second.stderr
        assert second.stderr.splitlines()[0].endswith("nothing was changed")
        _no_traceback(second)
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert first.returncode == 0, err[-3000:]
    assert "rebuilt, identical to the published generation" in out  # same content: nothing to rotate
    assert sha256_of(_published(cli)) == before
    assert _lists(_published(cli)) == ["2023-11", "2024-06"]


def test_a_run_killed_with_sigkill_leaves_no_lock_behind(cli, tmp_path):
    src = copy_bundled(tmp_path / "lists", ["TOP500_202311.xlsx", "TOP500_202406.xlsx"])
    victim = _start_run(cli, "--source", str(src))
    _wait_for(lambda: holder(cli.warehouse), 120, "the run to take the lock")
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    assert holder(cli.warehouse) is None  # the operating system dropped it with the process
    after = cli("run", "--source", str(src))
    assert after.returncode == 0, after.stderr[-3000:]
    assert _lists(_published(cli)) == ["2023-11", "2024-06"]


# --- 4. a real new country ----------------------------------------------------------------------


def test_a_real_new_country_passes_and_is_reported_an_invented_one_is_stopped(cli, tmp_path):
    src = cli.after_first_run("TOP500_202311.xlsx")
    # rank 412 of 2024-06 moves to Chile, a country no list has had
    edit_xlsx(BUNDLED_LISTS / "TOP500_202406.xlsx", src / "TOP500_202406.xlsx", {"I413": "Chile"})
    run = cli("run", "--source", str(src))
    assert run.returncode == 0, run.stderr[-3000:]
    # new to this warehouse, which held 2023-11 only: Chile, and three real countries 2023-11 lacked
    new = ["Chile (2024-06 #412)", "Iceland (2024-06 #88)", "Portugal (2024-06 #219)", "Turkey (2024-06 #313)"]
    assert f"new country on the lists (ISO 3166, first seen now): {', '.join(new)}" in run.stdout
    with duckdb.connect(str(_published(cli)), read_only=True) as con:
        assert con.execute(
            "select systems from marts.country_list_stats where country = 'Chile' and list_label = '2024-06'"
        ).fetchone() == (1,)
        assert con.execute(
            "select new_countries from audit.pipeline_runs where status = 'published' order by started_at"
        ).fetchall() == [([],), (new,)]
    before = sha256_of(_published(cli))

    edit_xlsx(BUNDLED_LISTS / "TOP500_202411.xlsx", src / "TOP500_202411.xlsx", {"I21": "Germnay"})
    bad = cli("run", "--source", str(src))
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == "error: a quality gate failed; the published warehouse is unchanged:"
    assert (
        "TOP500_202411.xlsx: unknown country 'Germnay' at rank 20: not an ISO 3166 country name nor a TOP500 spelling"
    ) in bad.stderr
    assert sha256_of(_published(cli)) == before
    _no_traceback(bad)


def test_a_rebuild_is_expected_only_when_the_flow_will_build(published, tmp_path):
    """The CLI imports GX and dbt early only for runs that will use them: a scheduled no-op stays lean."""
    from flows.pipeline import rebuild_expected
    from flows.settings import Settings

    assert not rebuild_expected(published, "bundled", "bundled", full_refresh=False)  # up to date
    assert rebuild_expected(published, "bundled", "bundled", full_refresh=True)
    one_more = copy_bundled(tmp_path / "lists")
    (one_more / "TOP500_202606.xlsx").write_bytes((one_more / "TOP500_202606.xlsx").read_bytes() + b"\0")
    assert rebuild_expected(published, str(one_more), "bundled", full_refresh=False)  # a changed file
    assert rebuild_expected(Settings(warehouse_dir=tmp_path / "new"), "bundled", "bundled", full_refresh=False)
    site = Top500Site()
    site.add_directory(one_more)
    with ServerThread(site) as server:  # an HTTP source is not fetched twice: the guess asks nothing
        assert not rebuild_expected(published, server.base_url, "bundled", full_refresh=False)
    assert site.requests == []


def test_run_with_its_temporary_server_builds_then_finds_nothing_new(tmp_path):
    """`make run`'s path: no PREFECT_API_URL, so `top500 run` starts its own Prefect server, imports GX and
    dbt while it starts (a build is expected), and leaves no server behind; the next run is a no-op."""
    lists = copy_bundled(tmp_path / "lists", EARLY)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"TOP500_WAREHOUSE_DIR": str(tmp_path / "warehouse"), "CI": "1", **AS_OF})

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--source", str(lists)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    first = run()
    assert first.returncode == 0, first.stderr[-3000:]
    assert _first_line(first.stdout).startswith("loaded 1993-06, 1993-11, 1994-06: 1,500 entries"), first.stdout
    again = run()
    assert again.returncode == 0, again.stderr[-3000:]
    assert "no new list" in again.stdout and "is up to date" in again.stdout, again.stdout
    assert (tmp_path / "warehouse" / "build" / "prefect-server.log").exists()  # its own server ran ...
    left = []
    for proc in psutil.process_iter(["cmdline"]):  # ... and none of them outlived its run
        with contextlib.suppress(psutil.Error):
            if (
                "uvicorn" in " ".join(proc.info["cmdline"] or [])
                and proc.environ().get("TOP500_WAREHOUSE_DIR") == env["TOP500_WAREHOUSE_DIR"]
            ):
                left.append(proc.pid)
    assert left == []


def test_what_a_no_op_run_calls_imports_no_heavy_library(published):
    """A scheduled run that finds nothing new neither parses nor builds: pandas, numpy, GX, dbt and plotly
    stay unimported (the no-op's time is mostly imports)."""
    code = f"""
import sys
from flows import cli, load, pipeline, publish, transform, validate  # what `top500 run` imports before the flow
from flows.fingerprint import code_fingerprint
from flows.settings import Settings
from flows.sources import top500
s = Settings(warehouse_dir={str(published.warehouse_dir)!r})
files = top500.collect("bundled", s) + pipeline.collect_reference("bundled", s)
assert not pipeline.rebuild_expected(s, "bundled", "bundled", full_refresh=False)
with load.connect(s.build_db, read_only=True) as con:
    assert load.changed_files(con, files) == []
    key = load.content_key(con, code_fingerprint(s))
    load.list_facts(con)
assert publish.current(s).content_key == key and publish.withdrawn_content(s, key) is None
print(sorted(m for m in ("pandas", "numpy", "great_expectations", "dbt", "plotly") if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, "CI": "1"}
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
