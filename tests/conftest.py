"""Shared fixtures: the real bundled files, a loaded build file, a real Prefect server."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from flows import files, load
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import top500
from support.tools import missing_tool
from support.warehouses import BUNDLED_KEYS, copy_bundled, make_settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def bundled_files() -> list[files.SourceFile]:
    return top500.collect("bundled", make_settings(PROJECT_ROOT))


@pytest.fixture(scope="session")
def parsed_lists(bundled_files) -> dict[str, files.ParsedFile]:
    """Every bundled list parsed once per test session (about 2 s)."""
    return {p.file.file_key: p for p in top500.parse_all(bundled_files)}


@pytest.fixture(scope="session")
def loaded_build_db(tmp_path_factory, parsed_lists) -> Path:
    """A build file holding every bundled list; copy it before writing to it."""
    path = tmp_path_factory.mktemp("loaded") / "top500.duckdb"
    with load.connect(path) as con:
        load.load_files(con, list(parsed_lists.values()), "fixture")
    return path


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """A real `prefect server start` on 127.0.0.1 for every CLI and flow test of the session."""
    from support.prefect_server import PrefectServer

    home = tmp_path_factory.mktemp("prefect-home")
    server = PrefectServer(home)
    server.wait_ready(timeout_s=120)
    yield {"PREFECT_API_URL": server.url, "PREFECT_HOME": str(home)}
    server.stop()


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """`make(home)` run once per test session, whichever worker asks first; the others wait for it (a file
    lock in the directory the xdist workers share) and get the same `home`."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    home = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / ".made").exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            make(home)
            (home / ".made").touch()
    return home


@pytest.fixture(scope="session")
def first_runs(tmp_path_factory, prefect_api):
    """Warehouses as a first `top500 run --source <lists>` leaves them: made with the real command once per
    list set for the whole session and copied by each test that starts there. Many tests' first run is
    their arrangement, not what they test."""

    def made(names: tuple[str, ...]) -> Path:
        def make(home: Path) -> None:
            src = copy_bundled(home / "lists", list(names))
            env = {**os.environ, **prefect_api, "TOP500_WAREHOUSE_DIR": str(home / "warehouse"), "CI": "1"}
            run = subprocess.run(
                [sys.executable, "-m", "flows.cli", "run", "--source", str(src)],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert run.returncode == 0, f"first run of {names} failed:\n{run.stdout}\n{run.stderr[-3000:]}"

        name = "first-run-" + "-".join(Path(name).stem.removeprefix("TOP500_") for name in names)
        return made_once(tmp_path_factory, name, make) / "warehouse"

    return made


@pytest.fixture
def cli(prefect_api, tmp_path, first_runs):
    """Run the real `top500` command in a subprocess against a private warehouse dir."""
    warehouse = tmp_path / "warehouse"

    def run(
        *args: str, check: bool | None = None, extra_env: dict | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess:
        env = {**os.environ, **prefect_api, "TOP500_WAREHOUSE_DIR": str(warehouse), "CI": "1", **(extra_env or {})}
        result = subprocess.run(
            [sys.executable, "-m", "flows.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check is True and result.returncode != 0:
            raise AssertionError(
                f"top500 {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def after_first_run(*names: str) -> Path:
        """This test's warehouse as `top500 run --source <these bundled lists>` left it (a copy of the session's
        `first_runs` one), and this test's own directory of those lists, to run again and change."""
        shutil.copytree(first_runs(tuple(sorted(names))), warehouse, symlinks=True)
        return copy_bundled(tmp_path / "lists", list(names))

    run.warehouse = warehouse
    run.env = prefect_api
    run.after_first_run = after_first_run
    return run


@pytest.fixture(scope="module")
def con(built):
    """A read-only connection to the build file of the module's own `built` fixture (a `built_copy`)."""
    import duckdb

    settings, _ = built
    connection = duckdb.connect(str(settings.build_db), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def published(tmp_path_factory, prefect_api) -> Settings:
    """The warehouse a user gets: `top500 run` with its defaults (the bundled lists and reference files)
    through the Prefect flow, every gate, dbt and publish. Built once per session and shared (by both
    workers): read-only for tests; a test that changes things works on `private_copy(published, ...)`.
    """

    def make(home: Path) -> None:
        env = {**os.environ, **prefect_api, "TOP500_WAREHOUSE_DIR": str(home / "warehouse"), "CI": "1"}
        run = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run"], env=env, capture_output=True, text=True, timeout=900
        )
        assert run.returncode == 0, run.stderr[-3000:]
        n, span = len(BUNDLED_KEYS), f"{BUNDLED_KEYS[0]}..{BUNDLED_KEYS[-1]}"
        assert run.stdout.startswith(
            f"loaded {n} lists: {500 * n:,} entries: {n} lists in the warehouse ({span}), {n} in the source; "
            "published generation "
        ), run.stdout

    return Settings(warehouse_dir=made_once(tmp_path_factory, "published", make) / "warehouse")


@pytest.fixture(scope="session")
def duckdb14_python(tmp_path_factory) -> Path:
    """A throwaway venv with duckdb==1.4.*, made once per test session (needs the package index)."""
    venv = tmp_path_factory.mktemp("duckdb14") / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        missing_tool(f"could not create a venv for DuckDB 1.4: {made.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "duckdb==1.4.*"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if pip.returncode != 0:
        missing_tool(f"pip could not install duckdb==1.4.* (no package index?): {pip.stderr.strip()[-300:]}")
    return python


# Modules that take longest (measured with --durations on the project machine: each 40-250 s), handed out
# first: `--dist loadfile` gives each worker whole modules as it runs short, so the long ones must not be left
# for last, or one worker runs alone at the end. The rest follow in their usual order.
LONGEST_MODULES_FIRST = (
    "test_future_lists.py",
    "test_official_sources.py",
    "test_paths.py",
    "test_publication.py",
    "test_cli.py",
    "test_faults.py",
    "test_postgres.py",
    "test_operator_faults.py",
    "test_signals.py",
    "test_schedule.py",
    "test_validate.py",
    "test_analyst.py",
    "test_contracts.py",
    "test_report.py",
)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_MODULES_FIRST.index(name) if name in LONGEST_MODULES_FIRST else len(LONGEST_MODULES_FIRST)

    items.sort(key=rank)  # stable: tests keep their order within a module
