"""The Prefect flow: extract -> gate -> load -> gate -> dbt -> gate -> publish.

Tasks are thin wrappers around plain functions (flows.sources.*, flows.load,
flows.validate, flows.transform, flows.publish) so tests call those directly.
Nothing reaches the published file unless every gate passed; a run with no
new data (and no new code) publishes nothing and says "no new list".
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import load, progress
from flows.errors import SourceError, SourceErrors
from flows.fingerprint import code_fingerprint
from flows.load import ParsedFile, SourceFile
from flows.settings import Settings, get_settings
from flows.sources import ai_compute, epoch, top500
from flows.sources.fetch import TransientFetchError

REFERENCE_MODULES = (epoch, ai_compute)
REFERENCE_PARSERS = {d.name: m.parse for m in REFERENCE_MODULES for d in m.DATASETS}


@dataclass
class RunSummary:
    run_id: str
    source: str
    started_at: datetime
    status: str = "running"
    lists_added: list[str] = field(default_factory=list)
    lists_unchanged: int = 0
    files_loaded: int = 0
    list_rows_loaded: int = 0
    rows_loaded: int = 0
    published: bool = False
    gates_passed: list[str] = field(default_factory=list)
    stages_s: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0

    def headline(self) -> str:
        if not self.files_loaded:
            return f"no new list ({self.lists_unchanged} lists already loaded)"
        if not self.lists_added:
            return f"no new list; {self.files_loaded} reference file(s) updated, {self.rows_loaded:,} rows"
        added = ", ".join(self.lists_added) if len(self.lists_added) <= 4 else f"{len(self.lists_added)} lists"
        return f"loaded {added}: {self.list_rows_loaded:,} entries ({self.rows_loaded:,} rows in all)"

    @contextlib.contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages_s[name] = round(self.stages_s.get(name, 0.0) + time.perf_counter() - started, 3)


# --- tasks ---------------------------------------------------------------------

def _retry_transient(task, task_run, state) -> bool:
    """Retry timeouts and 5xx; a bad file stays bad however often we ask."""
    return isinstance(state.result(raise_on_failure=False), TransientFetchError)


@task(name="fetch-list", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_retry_transient)
def fetch_list_task(item, settings: Settings):
    from flows.sources import top500_http

    return top500_http.fetch_list(item, settings)


@task(name="collect-lists")
def collect_lists_task(source: str, settings: Settings) -> list[SourceFile]:
    if top500.is_url(source):
        from flows.sources import top500_http

        missing = top500_http.missing_lists(source, settings, date.today())
        _raise_all(fetch_list_task.map(missing, settings=settings), "fetch lists")
        return top500_http.landed_files(source, settings)
    return top500.collect(source, settings)


@task(name="collect-reference", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_retry_transient)
def collect_reference_task(source: str, settings: Settings) -> list[SourceFile]:
    return [f for module in REFERENCE_MODULES for f in module.collect(source, settings)]


@task(name="parse-list")
def parse_list_task(file: SourceFile) -> ParsedFile:
    return top500.parse(file)


@task(name="parse-reference")
def parse_reference_task(file: SourceFile) -> ParsedFile:
    return REFERENCE_PARSERS[file.dataset](file)


@task(name="gate-lists")
def gate_lists_task(settings: Settings, run_id: str, parsed: list[ParsedFile]) -> None:
    from flows import validate

    validate.validate_parsed(settings, run_id, parsed)


@task(name="load-raw")
def load_raw_task(parsed: list[ParsedFile], settings: Settings, run_id: str) -> None:
    with load.connect(settings.build_db) as con:
        load.load_files(con, parsed, run_id)


@task(name="gate-reference")
def gate_reference_task(settings: Settings, run_id: str) -> None:
    from flows import validate

    validate.validate_reference(settings, run_id)


@task(name="dbt-build")
def dbt_build_task(settings: Settings) -> dict:
    from flows import transform

    return asdict(transform.build(settings))


@task(name="gate-marts")
def gate_marts_task(settings: Settings, run_id: str) -> None:
    from flows import validate

    validate.validate_marts(settings, run_id)


@task(name="publish")
def publish_task(settings: Settings) -> None:
    from flows import publish

    publish.publish(settings)


@task(name="exports")
def exports_task(settings: Settings) -> str:
    from flows import exports

    return str(exports.write_exports(settings))


@task(name="report")
def report_task(settings: Settings) -> str:
    from flows import report

    return str(report.build_report(settings))


# --- the flow --------------------------------------------------------------------

@flow(name="top500-refresh", log_prints=True)
def refresh(source: str = "bundled", reference_source: str = "bundled", full_refresh: bool = False) -> dict:
    """Bring the warehouse up to date with the sources and publish it if every gate passes."""
    settings = get_settings()
    logger = get_run_logger()
    started = time.perf_counter()
    run = RunSummary(run_id=str(flow_run.id or uuid.uuid4()), source=source, started_at=_now())
    fingerprint = code_fingerprint(settings)

    _clean_leftovers(settings)
    if full_refresh:
        # The build file only: dbt's parse cache beside it stays valid and saves seconds.
        logger.info("full refresh: rebuilding %s from the raw sources", settings.build_db)
        for path in (settings.build_db, settings.build_db.with_name(settings.build_db.name + ".wal")):
            path.unlink(missing_ok=True)
    _start(run, settings, fingerprint)
    try:
        with run.stage("extract_parse"):
            files = collect_lists_task(source, settings) + collect_reference_task(reference_source, settings)
            changed = plan(files, settings)
            lists = [f for f in changed if f.dataset == top500.DATASET]
            parsed_lists = _raise_all(parse_list_task.map(lists), "parse lists")
            parsed_reference = _raise_all(parse_reference_task.map([f for f in changed if f not in lists]), "parse reference files")
        run.lists_unchanged = sum(f.dataset == top500.DATASET for f in files) - len(lists)

        if parsed_lists:
            with run.stage("gate_lists"):
                gate_lists_task(settings, run.run_id, parsed_lists)
            run.gates_passed.append("top500_list")
        with run.stage("load"):
            load_raw_task(parsed_lists + parsed_reference, settings, run.run_id)
        run.lists_added = [p.file.file_key for p in parsed_lists]
        run.files_loaded = len(parsed_lists) + len(parsed_reference)
        run.list_rows_loaded = sum(len(p.rows) for p in parsed_lists)
        run.rows_loaded = run.list_rows_loaded + sum(len(p.rows) for p in parsed_reference)

        if not run.files_loaded and _up_to_date(settings, fingerprint, run.run_id):
            run.status = "no new list"
            logger.info("no new list: the published warehouse is unchanged")
        else:
            with run.stage("gate_reference"):
                gate_reference_task(settings, run.run_id)
            run.gates_passed.append("reference")
            with run.stage("dbt"):
                dbt_build_task(settings)
            run.gates_passed.append("dbt_tests")
            with run.stage("gate_marts"):
                gate_marts_task(settings, run.run_id)
            run.gates_passed.append("marts")
            with run.stage("publish"):
                publish_task(settings)
            run.published = True
            # BI exports and the report read only the published file.
            with run.stage("exports"):
                exports_task(settings)
            with run.stage("report"):
                report_task(settings)
            run.status = "published"
    except BaseException as exc:
        run.status = "failed"
        _finish(run, started, settings, message=f"{type(exc).__name__}: {exc}")
        raise
    _finish(run, started, settings)
    logger.info(run.headline())
    _report(run)
    return asdict(run)


def _clean_leftovers(settings: Settings) -> None:
    """Temporary files a killed run left behind (a partial download, a half-written publish copy)."""
    from flows import publish

    publish.clean_stale_temp(settings)
    if settings.landing_dir.exists():
        for partial in settings.landing_dir.rglob(".*.partial"):
            partial.unlink(missing_ok=True)


def plan(files: list[SourceFile], settings: Settings) -> list[SourceFile]:
    """The files whose content differs from what the build file holds."""
    with load.connect(settings.build_db) as con:
        return load.changed_files(con, files)


def _up_to_date(settings: Settings, fingerprint: str, run_id: str) -> bool:
    """The previous run finished and published with the code and models we have now.

    A run killed after loading leaves its row at 'running', so the next run
    rebuilds and publishes even though no file is new.
    """
    if not settings.published_db.exists():
        return False
    with load.connect(settings.build_db) as con:
        last = con.execute(
            """SELECT status, code_fingerprint FROM audit.pipeline_runs
               WHERE run_id <> ? ORDER BY started_at DESC LIMIT 1""",
            [run_id],
        ).fetchone()
    return last is not None and last[0] in ("published", "no new list") and last[1] == fingerprint


def _start(run: RunSummary, settings: Settings, fingerprint: str) -> None:
    with load.connect(settings.build_db) as con:
        con.execute(
            "INSERT INTO audit.pipeline_runs VALUES (?, ?, NULL, ?, 'running', 0, [], 0, ?, NULL, NULL)",
            [run.run_id, run.started_at, run.source, fingerprint],
        )


def _finish(run: RunSummary, started: float, settings: Settings, message: str | None = None) -> None:
    run.duration_s = round(time.perf_counter() - started, 3)
    with contextlib.suppress(Exception), load.connect(settings.build_db) as con:
        con.execute(
            """UPDATE audit.pipeline_runs SET finished_at = ?, status = ?, files_loaded = ?, lists_added = ?,
                   rows_loaded = ?, stages_s = ?, message = ? WHERE run_id = ?""",
            [_now(), run.status, run.files_loaded, run.lists_added, run.rows_loaded,
             json.dumps(run.stages_s), message, run.run_id],
        )
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    (settings.build_dir / "last_run.json").write_text(json.dumps(asdict(run), default=str, indent=2))


def _raise_all(futures, label: str = "tasks") -> list:
    """Wait for every task; if any input was bad, report them all together."""
    results, errors = [], []
    for fut in progress.track(futures, label):
        fut.wait()
        outcome = fut.state.result(raise_on_failure=False)
        if isinstance(outcome, SourceErrors):
            errors.extend(outcome.errors)
        elif isinstance(outcome, SourceError):
            errors.append(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            results.append(outcome)
    if errors:
        raise SourceErrors(errors)
    return results


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _report(run: RunSummary) -> None:
    """The run's summary as a Prefect artifact, visible in the UI next to the flow run."""
    stages = "\n".join(f"| {k} | {v:.2f} |" for k, v in run.stages_s.items())
    create_markdown_artifact(
        key="top500-refresh-summary",
        markdown=(
            f"# TOP500 refresh: {run.status}\n\n**{run.headline()}**\n\n"
            f"- source: `{run.source}`\n- lists added: {', '.join(run.lists_added) or 'none'}\n"
            f"- rows loaded: {run.rows_loaded:,}\n- gates passed: {', '.join(run.gates_passed) or 'none needed'}\n"
            f"- published: {run.published}\n- duration: {run.duration_s:.1f} s\n\n"
            f"| stage | seconds |\n|---|---|\n{stages}\n"
        ),
        description=run.headline(),
    )
