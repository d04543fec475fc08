"""`top500 run` as a process a test can signal, and the moments of a run it can wait for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def start_run(warehouse: Path, *args: str, env: dict | None = None, api_url: str | None = None) -> subprocess.Popen:
    """`python -m flows.cli run ARGS` on `warehouse`, in a session of its own; without `api_url` (and with
    PREFECT_API_URL unset) the command starts its temporary Prefect server."""
    full = {**os.environ, **(env or {}), "TOP500_WAREHOUSE_DIR": str(warehouse), "CI": "1"}
    full.pop("PREFECT_API_URL", None)
    if api_url:
        full["PREFECT_API_URL"] = api_url
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None):
    """Poll `condition` every 10 ms until it is true; fail naming `what` (and the run's output if it ended)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the run ended ({proc.returncode}) before {what}:\n{out}\n{err[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
    return value


def dbt_log(warehouse: Path) -> Path:
    return warehouse / "build" / "dbt" / "logs" / "dbt.log"


def dbt_started(warehouse: Path):
    """True once dbt writes its log (remove the log before the run, so an earlier run's does not count)."""
    log = dbt_log(warehouse)
    return lambda: log.exists() and log.stat().st_size > 0


def dbt_finished(warehouse: Path, after: float):
    """True once dbt wrote run_results.json (its last file) after `after` (a time.time())."""
    results = warehouse / "build" / "dbt" / "target" / "run_results.json"
    return lambda: results.exists() and results.stat().st_mtime > after


def publishing(warehouse: Path):
    """True while a publication is being made (its hidden staging directory exists)."""
    publications = warehouse / "publications"
    return lambda: publications.is_dir() and any(p.name.startswith(".staging-") for p in publications.iterdir())
