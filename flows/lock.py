"""One lock for everything that writes the warehouse (`run`, served runs, `rollback`, `rollforward`).

An advisory `flock` on `<warehouse>/.lock`, taken before anything is deleted or
written. The operating system drops it when the process ends, however it ends
(a `kill -9` leaves no stale lock), so there is nothing to clean up. The file
keeps the holder's pid, start time and command for the "another run is in
progress" message. Re-entrant within a process: the CLI takes it before Prefect
starts, and the flow takes it again for runs that come from a served deployment.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class RunInProgress(RuntimeError):
    """Another process holds the warehouse lock."""

    def __init__(self, holder: dict):
        self.holder = holder
        pid = holder.get("pid", "?")
        started = holder.get("started_at", "?")
        what = holder.get("command")
        super().__init__(f"another run is in progress (pid {pid}, started {started}{f', {what}' if what else ''})")


class WarehouseUnwritable(OSError):
    """The warehouse directory cannot be written (a read-only file system, permissions): nothing can run."""

    def __str__(self) -> str:
        return self.strerror


@dataclass
class _Held:
    fd: int
    depth: int


_HELD: dict[Path, _Held] = {}


def lock_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / ".lock"


def holder(warehouse_dir: Path) -> dict | None:
    """Who holds the lock now (None when nobody does)."""
    path = lock_path(warehouse_dir)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def warehouse_lock(warehouse_dir: Path, command: str | None = None) -> Iterator[None]:
    """Hold the warehouse's write lock for the block; RunInProgress at once if another process has it."""
    path = lock_path(warehouse_dir).resolve()
    held = _HELD.get(path)
    if held is not None:
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseUnwritable(
            exc.errno,
            f"cannot write the warehouse directory {path.parent} ({exc.strerror}): every command that "
            "changes the warehouse needs it writable; the read-only commands (status, sql, tables) still work",
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunInProgress(_read(path)) from None
    info = {
        "pid": os.getpid(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or " ".join(["top500", *sys.argv[1:2]]),
    }
    with contextlib.suppress(OSError):  # who holds it is for messages; a full disk must not stop the run here
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
    _HELD[path] = _Held(fd, 1)
    try:
        yield
    finally:
        del _HELD[path]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # no stale holder shown once released
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
