"""The Prefect API a `top500 run` reports to: the configured server, or a lean temporary one.

With PREFECT_API_URL set, runs report to that server. Without it, Prefect would start its
temporary server itself, but only once the flow begins, and it imports the whole server package
(~4 s, ~100 MB) into the CLI process to do so. Starting the same server ourselves, first thing,
as a separate process overlaps its start-up with the CLI's own imports and source scanning on
the second core, keeps the server's code out of the CLI's memory, and leaves off the services a
server that lives for one run never uses (scheduler, late runs, foreman). It is still a real
Prefect server: every flow and task run, state, log and artifact goes through its API.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows import interrupt

# Services a one-run server has no use for: nothing is scheduled, nothing is late, no worker polls it.
IDLE_SERVICES = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "CANCELLATION_CLEANUP", "PAUSE_EXPIRATIONS", "REPOSSESSOR")


class ServerDidNotStart(RuntimeError):
    """The temporary Prefect server did not answer; the message says where its log is."""


class TemporaryServer:
    def __init__(self, log_path: Path):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        package = Path(importlib.util.find_spec("prefect").origin).parent  # without importing prefect here
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            **{f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in IDLE_SERVICES},
        }
        env.pop("PREFECT_API_URL", None)
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--app-dir",
                    str(package.parent),
                    "--factory",
                    "prefect.server.api.server:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "error",
                    "--lifespan",
                    "on",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"the temporary Prefect server exited ({self.process.returncode}); see {self.log_path}"
                )
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp,
            ):
                if resp.status == 200:
                    return
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"the temporary Prefect server did not answer within {timeout_s:.0f} s; see {self.log_path}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        with interrupt.deferred():  # a signal now must not leave the server running
            if self.process.poll() is None:
                _drain_prefect_workers()  # the run's last logs and events, while the server still listens
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()


@contextlib.contextmanager
def api_for_run(log_path: Path) -> Iterator[TemporaryServer | None]:
    """PREFECT_API_URL for the duration of a run: the configured one, or a temporary server's.

    Yields the temporary server (call `wait_ready()` before the flow starts) or None when a server
    is configured. Must be entered before `prefect` is imported: Prefect reads its settings then.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    server = None
    try:
        with interrupt.deferred():  # started and known, or not started: never an orphan
            server = TemporaryServer(log_path)
            os.environ["PREFECT_API_URL"] = server.url
        yield server
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if server is not None:
            server.stop()


def api_answers(url: str | None = None, timeout_s: float = 2.0) -> bool:
    """Does the Prefect API the run reports to answer its health check now? (True without a URL: Prefect's
    in-process API cannot go away.)"""
    url = url or os.environ.get("PREFECT_API_URL")
    if not url and "prefect" in sys.modules:
        from prefect.settings import get_current_settings

        url = get_current_settings().api.url
    if not url:
        return True
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout_s) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def exit_without_draining(status: int) -> None:
    """End the process now, when the Prefect server is gone: at interpreter exit Prefect's background
    workers would retry every unsent log and event against it, for minutes. Our output is flushed first;
    what they held is Prefect's record of a run it can no longer take."""
    import logging
    import multiprocessing.util

    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    for stream in (sys.stdout, sys.stderr, *files):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(Exception):  # what a normal exit does for multiprocessing: release its semaphores
        multiprocessing.util._exit_function()
    os._exit(status)


def _drain_prefect_workers(timeout_s: float = 10) -> None:
    """Send what Prefect's background workers hold (logs, events) before the server goes away;
    otherwise they retry against a closed port at interpreter exit, for a minute or more."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    with contextlib.suppress(Exception):
        APILogWorker.drain_all(timeout=timeout_s)
    with contextlib.suppress(Exception):
        EventsWorker.drain_all(timeout=timeout_s)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
