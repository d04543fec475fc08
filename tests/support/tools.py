"""Tools a test needs from the machine (Chromium, a free port, a directory nobody can write to)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest


def missing_tool(message: str) -> None:
    """A test that needs a tool this machine lacks: skipped on a developer's machine, failed in CI.

    CI installs every tool the suite needs (.ci/run), so there a missing one is a broken setup, not a skip.
    """
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message} (CI must have it: .ci/run installs what the suite needs)")
    pytest.skip(message)


def chromium() -> Path:
    """The headless browser for the report tests, found on PATH."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        missing_tool("headless Chromium not installed: apt-get install -y chromium")
    return Path(found)


class ReadOnlyDirectory:
    """A directory nobody can add to: chmod for a user, the immutable flag for root (who ignores modes)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i", str(self.path)], check=True, capture_output=True)
        else:
            self.path.chmod(0o555)
        return self

    def __exit__(self, *exc):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(self.path)], check=True, capture_output=True)
        else:
            self.path.chmod(0o755)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
