"""Shared fixtures: the real bundled files, a loaded build file, a real Prefect server."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from flows import load
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import top500

BUNDLED_LISTS = PROJECT_ROOT / "warehouse" / "sources" / "top500" / "raw"
# The bundled snapshot's lists, oldest first (1993-06..2026-06 today): a test of a warehouse of the bundled lists
# compares with these, not with a count of today's lists, so adding a list to the snapshot breaks nothing.
BUNDLED_KEYS = [f"{top500.list_date_of(p.name):%Y-%m}" for p in sorted(BUNDLED_LISTS.glob("TOP500_*.xls*"))]
REISSUE_ORIGINAL = (
    PROJECT_ROOT / "warehouse" / "sources" / "top500" / "variants" / "original-2020-11-17" / "TOP500_202011.xlsx"
)


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


def make_settings(root: Path, **overrides) -> Settings:
    return Settings(warehouse_dir=root / "warehouse", **overrides)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def bundled_files() -> list[load.SourceFile]:
    return top500.collect("bundled", make_settings(PROJECT_ROOT))


@pytest.fixture(scope="session")
def parsed_lists(bundled_files) -> dict[str, load.ParsedFile]:
    """Every bundled list parsed once per test session (about 2 s)."""
    return {p.file.file_key: p for p in top500.parse_all(bundled_files)}


@pytest.fixture(scope="session")
def loaded_build_db(tmp_path_factory, parsed_lists) -> Path:
    """A build file holding every bundled list; copy it before writing to it."""
    path = tmp_path_factory.mktemp("loaded") / "top500.duckdb"
    with load.connect(path) as con:
        load.load_files(con, list(parsed_lists.values()), "fixture")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """A real `prefect server start` on 127.0.0.1 for every CLI and flow test of the session."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"prefect server did not start; see {home / 'server.log'}")
        time.sleep(0.5)
    yield {"PREFECT_API_URL": url, "PREFECT_HOME": str(home)}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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


def load_reference_sources(db_path: Path, run_id: str = "test", ai_compute_source: str = "bundled") -> None:
    """The Epoch hardware and AI-compute tables, loaded as the pipeline loads them (the marts need them)."""
    from flows.sources import ai_compute, epoch

    bundled = make_settings(PROJECT_ROOT)
    parsed = epoch.parse_all(epoch.collect("bundled", bundled))
    parsed += ai_compute.parse_all(ai_compute.collect(ai_compute_source, bundled))
    with load.connect(db_path) as con:
        load.load_files(con, parsed, run_id)


def built_copy(root: Path, loaded_build_db: Path, run_id: str, select: list[str] | None = None):
    """A private warehouse under `root`: the loaded lists copied, reference sources added, `dbt build` run.

    Returns (settings, dbt summary); `select` limits the build to one area's models and their tests.
    """
    from flows import transform

    settings = Settings(warehouse_dir=root / "warehouse")
    settings.build_dir.mkdir(parents=True)
    shutil.copy(loaded_build_db, settings.build_db)
    load_reference_sources(settings.build_db, run_id)
    return settings, transform.build(settings, select=select)


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


def private_copy(settings: Settings, root: Path) -> Settings:
    """A warehouse of its own holding a copy of the published file, for tests that change things."""
    mine = Settings(warehouse_dir=root / "warehouse")
    mine.warehouse_dir.mkdir(parents=True)
    shutil.copy(settings.published_db, mine.published_db)
    return mine


def copy_bundled(dst: Path, names: list[str] | None = None) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(BUNDLED_LISTS.iterdir()):
        if names is None or path.name in names:
            shutil.copy2(path, dst / path.name)
    return dst


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
    "test_paths.py",
    "test_publication.py",
    "test_cli.py",
    "test_faults.py",
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
