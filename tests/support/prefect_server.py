"""A real `prefect server start` of a test's own, for a test that stops it mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support.tools import free_port


class PrefectServer:
    def __init__(self, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
        }
        env.pop("PREFECT_API_URL", None)
        self.log = home / "server.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("prefect")),
                    "server",
                    "start",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}/api"

    def wait_ready(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"prefect server did not start; see {self.log}")
            time.sleep(0.5)

    def kill(self) -> None:
        """The whole server (its process group), at once, as a crash or an operator's kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout_s: float = 20) -> None:
        """The whole server, asked to end (SIGTERM); killed if it does not within `timeout_s`."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
