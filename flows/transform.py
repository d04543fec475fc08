"""Run the dbt project in-process against the private build file.

dbt runs through `dbtRunner` (not a shell-out) so failures arrive as result
objects, not as text to parse. Targets and logs go under
`<warehouse>/build/dbt/` so a run never dirties the repository, and DuckDB
connections are closed afterwards: DuckDB allows one writer per file, and the
pipeline publishes the file right after this step.

dbt runs in the build directory and opens the build file by its bare name.
Every warehouse then has the same profile, so a parse of this project made by
one warehouse is valid in any other (see `_reuse_parse`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (sets the no-telemetry environment before dbt is imported)
from flows import progress
from flows.settings import Settings, get_settings

FAILED_STATUSES = {"error", "fail", "runtime error"}


class DbtRunError(RuntimeError):
    """dbt failed; `failures` holds (node, status, message) of every failing node."""

    def __init__(self, command: str, failures: Sequence[tuple[str, str, str]], detail: str = ""):
        self.command = command
        self.failures = list(failures)
        lines = [f"dbt {command} failed"]
        lines += [f"  {node} [{status}]: {message}" for node, status, message in self.failures]
        if detail:
            lines.append(f"  {detail}")
        super().__init__("\n".join(lines))


@dataclass
class DbtSummary:
    command: str
    seconds: float
    models_built: int = 0
    tests_passed: int = 0
    tests_run: int = 0
    seeds_loaded: int = 0
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # warn-level tests that did not pass: shown, not blocking
    target_path: Path | None = None


def dbt_paths(settings: Settings) -> tuple[Path, Path]:
    """(target_path, log_path) under the warehouse build directory."""
    base = settings.build_dir / "dbt"
    return base / "target", base / "logs"


def build(
    settings: Settings | None = None,
    vars: Mapping[str, Any] | None = None,
    select: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
) -> DbtSummary:
    """`dbt build` (seeds, models, tests) into settings.build_db; raises DbtRunError on any failure.

    The pipeline builds everything; `select`/`exclude` are for tests and the benchmark.
    """
    settings = settings or get_settings()
    args = ["build"]
    if select:
        # a partial build runs only tests whose every parent is selected
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if exclude:
        args += ["--exclude", *exclude]
    return _invoke(settings, args, vars)


def docs_generate(settings: Settings | None = None, vars: Mapping[str, Any] | None = None) -> Path:
    """`dbt docs generate --static`: a single offline HTML file with manifest and catalog inside."""
    settings = settings or get_settings()
    summary = _invoke(settings, ["docs", "generate", "--static"], vars)
    assert summary.target_path is not None
    return summary.target_path / "static_index.html"


def _invoke(settings: Settings, args: list[str], vars: Mapping[str, Any] | None) -> DbtSummary:
    from dbt.cli.main import dbtRunner

    target_path, log_path = dbt_paths(settings)
    target_path.mkdir(parents=True, exist_ok=True)
    log_path.mkdir(parents=True, exist_ok=True)
    project_dir = str(settings.dbt_project_dir)
    cli_args = [
        *args,
        "--project-dir",
        project_dir,
        "--profiles-dir",
        project_dir,
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        # the console stays ours (the CLI prints dbt's failures and warnings itself); dbt's own log goes to a file
        "--log-level",
        "none",
        "--log-level-file",
        "info",
        "--no-use-colors",
    ]
    if vars:
        cli_args += ["--vars", json.dumps(dict(vars))]
    command = " ".join(a for a in args if not a.startswith("-"))
    started = time.perf_counter()
    seed = _parse_seed(settings, vars)
    parse_before = _reuse_parse(seed, target_path)
    # The profile's path is the bare file name, so dbt opens it (and DuckDB its WAL and spill files)
    # from the build directory; the connection is closed before leaving it.
    with _env(TOP500_BUILD_DB=settings.build_db.name), _working_directory(settings.build_dir):
        try:
            with progress.steps(f"dbt {command}") as step:
                result = dbtRunner(callbacks=[progress.dbt_callback(step)]).invoke(cli_args)
        finally:
            close_connections()
    _keep_parse(target_path, seed, parse_before)
    seconds = round(time.perf_counter() - started, 2)
    summary = _summarize(command, result.result, seconds)
    summary.target_path = target_path
    failures = _failures(result.result)
    if failures or not result.success:
        detail = f"{type(result.exception).__name__}: {result.exception}" if result.exception else ""
        raise DbtRunError(command, failures, detail)
    return summary


PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # dbt's name, in its target path


def _parse_seed(settings: Settings, vars: Mapping[str, Any] | None) -> Path:
    """Where a parse of this dbt project (its files, these vars, this dbt) is kept for other warehouses.

    A new warehouse has no parse of its own and dbt parses the whole project again (about 2.5 s of
    every first run, and of every test's private warehouse); the key names exactly what dbt's parse
    depends on besides the profile, which is the same for every warehouse.
    """
    from dbt.version import __version__ as dbt_version

    from flows.fingerprint import tree_digest

    digest = tree_digest(settings.dbt_project_dir)
    digest.update(f"\ndbt {dbt_version}\nvars {json.dumps(dict(vars or {}), sort_keys=True)}".encode())
    return settings.dbt_project_dir / "target" / "parse_seeds" / f"{digest.hexdigest()[:32]}.msgpack"


def _reuse_parse(seed: Path, target_path: Path) -> int | None:
    """Start dbt from the kept parse of these exact files. dbt still checks it (versions, vars,
    profile, each file's checksum) and parses again whatever does not match.

    Returns the modification time of the parse dbt starts from (None: none), to tell whether dbt wrote one.
    """
    if seed.is_file():
        with contextlib.suppress(OSError):
            shutil.copyfile(seed, target_path / PARTIAL_PARSE_FILE)
    with contextlib.suppress(OSError):
        return (target_path / PARTIAL_PARSE_FILE).stat().st_mtime_ns
    return None


def _keep_parse(target_path: Path, seed: Path, parse_before: int | None) -> None:
    """Keep the parse dbt wrote in this run for the next new warehouse, written whole (temporary file,
    rename); the four newest keys stay (a build with other vars has its own). Nothing is kept when dbt
    wrote no parse (it failed, or started from the kept one), nor where the project cannot be written."""
    made = target_path / PARTIAL_PARSE_FILE
    with contextlib.suppress(OSError):
        if seed.exists() or made.stat().st_mtime_ns == parse_before:
            return
        seed.parent.mkdir(parents=True, exist_ok=True)
        partial = seed.with_name(f".{seed.name}.{os.getpid()}")
        shutil.copyfile(made, partial)
        os.replace(partial, seed)
        for old in sorted(seed.parent.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True)[4:]:
            old.unlink(missing_ok=True)


def close_connections() -> None:
    """Release dbt-duckdb's cached connections so the build file can be reopened read-write."""
    with contextlib.suppress(ImportError):
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()


def _results(run_result: Any) -> list[Any]:
    return list(getattr(run_result, "results", None) or [])


def _failures(run_result: Any) -> list[tuple[str, str, str]]:
    failures = []
    for r in _results(run_result):
        status = str(getattr(r.status, "value", r.status))
        if status in FAILED_STATUSES:
            failures.append((r.node.unique_id, status, (r.message or "").strip()))
    return failures


def _summarize(command: str, run_result: Any, seconds: float) -> DbtSummary:
    summary = DbtSummary(command=command, seconds=seconds)
    for r in _results(run_result):
        node = getattr(r, "node", None)
        kind = getattr(node, "resource_type", None)
        kind = str(getattr(kind, "value", kind))
        status = str(getattr(r.status, "value", r.status))
        if status == "skipped":
            summary.skipped.append(node.unique_id)
        if status == "warn":
            summary.warnings.append(f"{node.name}: {(r.message or 'warning').strip()}")
        elif kind == "model" and status == "success":
            summary.models_built += 1
        elif kind == "seed" and status == "success":
            summary.seeds_loaded += 1
        elif kind in ("test", "unit_test"):
            summary.tests_run += 1
            summary.tests_passed += status == "pass"
    return summary


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    try:
        previous = os.getcwd()
    except FileNotFoundError:  # started in a directory deleted since: nothing to go back to
        previous = None
    os.chdir(path)
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                os.chdir(previous)


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    """dbt reads the profile's env_var() from os.environ; restore it afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
