"""Progress bars for a person at a terminal, silence for CI logs and Prefect workers.

Bars go to stderr and only when stderr is a terminal and CI is not set
(`CI=true` as GitHub/GitLab set it; `CI=0`/`false` counts as unset). A served
or scheduled Prefect run has no terminal, so its logs stay clean; the run's
log lines and summary artifact are what it reports. `TOP500_PROGRESS=0/1`
overrides the guess either way.

Usage from the pipeline (plain functions, no Prefect needed):

    from flows import progress

    for f in progress.track(files, "parse lists"):
        parsed.append(top500.parse(f))

    with progress.steps("GX suites", total=len(suites)) as step:
        for suite in suites:
            run_suite(...)
            step.advance(note=suite.name)

    with progress.steps("dbt build") as step:     # total learned from dbt's events
        dbtRunner(callbacks=[progress.dbt_callback(step)]).invoke([...])
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

T = TypeVar("T")
_FALSE = {"", "0", "false", "no", "off"}


def enabled(stream: TextIO | None = None) -> bool:
    """True when a person is watching: stderr is a TTY and we are not in CI."""
    override = os.environ.get("TOP500_PROGRESS")
    if override is not None and override.strip() != "":
        return override.strip().lower() not in _FALSE
    if os.environ.get("CI", "").strip().lower() not in _FALSE:
        return False
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


class Step:
    """One bar; `advance` is a no-op when progress is disabled."""

    def __init__(self, progress: Any | None, task_id: Any | None):
        self._progress, self._task = progress, task_id
        self.completed = 0
        self.total: int | None = None

    def advance(self, n: int = 1, note: str | None = None) -> None:
        self.completed += n
        if self._progress is not None:
            fields = {"note": note} if note is not None else {}
            self._progress.update(self._task, advance=n, **fields)

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._progress is not None:
            self._progress.update(self._task, total=total)


@contextmanager
def steps(description: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[Step]:
    """A progress bar for one long step; quiet (but still counting) when not at a terminal."""
    stream = stream or sys.stderr
    if not enabled(stream):
        step = Step(None, None)
        step.total = total
        yield step
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[note]}"),
        console=Console(file=stream),
        transient=False,
    )
    with progress:
        step = Step(progress, progress.add_task(description, total=total, note=""))
        step.total = total
        yield step


def track(items: Iterable[T], description: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[T]:
    """Iterate `items`, advancing a bar after each one."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with steps(description, total, stream) as step:
        for item in items:
            yield item
            step.advance()


def dbt_callback(step: Step) -> Callable[[Any], None]:
    """A dbtRunner callback: learns the node count from dbt's start lines, advances once per finished node."""

    def on_event(event: Any) -> None:
        name = event.info.name
        if name in ("LogStartLine",) and step.total is None:
            total = getattr(event.data, "total", None)
            if total:
                step.set_total(int(total))
        elif name == "NodeFinished":
            node = getattr(event.data, "node_info", None)
            step.advance(note=getattr(node, "node_name", None))

    return on_event
