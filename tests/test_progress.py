"""Progress bars: drawn on a real terminal (a pty), silent in CI and in pipes, counting either way."""

from __future__ import annotations

import io
import os
import pty

import pytest

from flows import progress


@pytest.fixture
def tty():
    """A real terminal: the slave side of a pseudo-terminal, and a reader of what was drawn on it."""
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w", buffering=1)

    def drawn() -> str:
        stream.flush()
        os.set_blocking(master, False)
        chunks = []
        try:
            while chunk := os.read(master, 65536):
                chunks.append(chunk)
        except (BlockingIOError, OSError):
            pass
        return b"".join(chunks).decode(errors="replace")

    yield stream, drawn
    stream.close()
    os.close(master)


@pytest.fixture
def no_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TOP500_PROGRESS", raising=False)


def test_bar_is_drawn_on_a_terminal(tty, no_ci):
    stream, drawn = tty
    assert progress.enabled(stream)
    items = list(progress.track(["a", "b", "c"], "parse lists", stream=stream))
    assert items == ["a", "b", "c"]
    out = drawn()
    assert "parse lists" in out and "3/3" in out


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_silences_even_a_terminal(tty, no_ci, monkeypatch, ci):
    stream, drawn = tty
    monkeypatch.setenv("CI", ci)
    assert not progress.enabled(stream)
    with progress.steps("dbt build", total=2, stream=stream) as step:
        step.advance()
        step.advance(note="x")
    assert step.completed == 2  # still counts, for the run summary
    assert drawn() == ""


def test_pipes_and_logs_stay_quiet(no_ci, monkeypatch):
    piped = io.StringIO()
    assert not progress.enabled(piped)
    assert list(progress.track(range(5), "suites", stream=piped)) == list(range(5))
    assert piped.getvalue() == ""
    monkeypatch.setenv("CI", "false")  # CI=false is not CI
    monkeypatch.setenv("TOP500_PROGRESS", "1")  # explicit opt-in wins
    assert progress.enabled(piped)


def test_dbt_callback_counts_every_node_of_a_real_dbt_build(tmp_path, loaded_build_db, monkeypatch):
    import shutil

    from dbt.cli.main import dbtRunner

    from flows.settings import PROJECT_ROOT
    from flows.transform import close_connections

    db = tmp_path / "top500.duckdb"
    shutil.copy2(loaded_build_db, db)
    monkeypatch.setenv("TOP500_BUILD_DB", str(db))
    project = str(PROJECT_ROOT / "dbt_project")
    with progress.steps("dbt build", stream=io.StringIO()) as step:
        try:
            result = dbtRunner(callbacks=[progress.dbt_callback(step)]).invoke(
                [
                    "build",
                    "--select",
                    "stg_top500__list_entries",
                    "--project-dir",
                    project,
                    "--profiles-dir",
                    project,
                    "--target-path",
                    str(tmp_path / "target"),
                    "--log-path",
                    str(tmp_path / "logs"),
                    "--log-level",
                    "none",
                ]
            )
        finally:
            close_connections()
    assert result.success, result.exception
    nodes = len(result.result.results)
    assert nodes > 1  # the view and its tests
    assert (step.completed, step.total) == (nodes, nodes)
