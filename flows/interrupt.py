"""SIGINT and SIGTERM stop a run at the next safe point, never half-way through a step that must finish whole.

`install()` (first thing in `top500 run`) makes both signals raise `Interrupted`, a KeyboardInterrupt, in the
main thread: dbt cancels its queries for it, DuckDB interrupts a running query (it then raises its own
"Query interrupted"), a load's transaction rolls back, a half-made publication is removed. Steps that must
not be cut (switching the publication, removing an old generation, recording the run, starting the
temporary Prefect server) run inside `deferred()`: a signal there is noted and raised when the step is done.
The first signal is the one that counts; more while the run cleans up are noted and ignored. Whatever
exception surfaces, `received()` tells the CLI the run was interrupted, so it says so and exits 128 + signal
(130 for SIGINT, 143 for SIGTERM). Prefect's flow engine installs its own SIGTERM handler while a flow
runs; `reclaim()` in the flow puts ours back in a `top500 run` process (served runs keep Prefect's).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_state = {"installed": False, "received": None, "raised": False, "deferring": 0}


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def _handler(signum: int, frame) -> None:
    if _state["received"] is not None:
        return  # the run is already stopping: let it clean up
    _state["received"] = signum
    if not _state["deferring"]:
        _state["raised"] = True
        raise Interrupted(signum)


def install() -> None:
    """SIGINT and SIGTERM raise Interrupted from now on (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    _state["installed"] = True


def reclaim() -> None:
    """Our handlers again, if `install()` ran in this process (Prefect replaces SIGTERM's while a flow runs)."""
    if _state["installed"]:
        install()


def received() -> int | None:
    """The signal that asked the run to stop (None: none did)."""
    return _state["received"]


def check() -> None:
    """At a safe point: stop here if a signal came (even one a library turned into another exception)."""
    if _state["received"] is not None:
        _state["raised"] = True
        raise Interrupted(_state["received"])


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A step that runs whole once begun: a signal during it is raised when it is done."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
    if not _state["deferring"] and _state["received"] is not None and not _state["raised"]:
        _state["raised"] = True
        raise Interrupted(_state["received"])


def exit_status() -> int | None:
    signum = _state["received"]
    return None if signum is None else 128 + signum
