"""The Prefect flow: extract -> load -> validate -> transform -> validate -> publish.

Tasks are thin wrappers around plain functions (flows.sources.*, flows.load,
flows.transform, flows.validate, flows.publish) so tests call those directly.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import load
from flows.errors import SourceError
from flows.load import ParsedFile, SourceFile
from flows.settings import Settings, get_settings
from flows.sources import top500
from flows.sources.fetch import TransientFetchError


@dataclass
class RunSummary:
    run_id: str
    source: str
    lists_added: list[str] = field(default_factory=list)
    lists_unchanged: int = 0
    rows_loaded: int = 0
    published: bool = False
    stages_s: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def nothing_new(self) -> bool:
        return not self.lists_added

    def headline(self) -> str:
        if self.nothing_new:
            return f"no new list ({self.lists_unchanged} lists already loaded)"
        added = ", ".join(self.lists_added) if len(self.lists_added) <= 4 else f"{len(self.lists_added)} lists"
        return f"loaded {added}: {self.rows_loaded:,} rows"


def _retry_transient(task, task_run, state) -> bool:
    """Retry timeouts and 5xx; a bad file stays bad however often we ask."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, TransientFetchError)


@task(name="fetch-list", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=_retry_transient)
def fetch_list_task(item, settings: Settings):
    from flows.sources import top500_http

    return top500_http.fetch_list(item, settings)


@task(name="collect-lists")
def collect_lists_task(source: str, settings: Settings) -> list[SourceFile]:
    if top500.is_url(source):
        from flows.sources import top500_http

        missing = top500_http.missing_lists(source, settings, date.today())
        if missing:
            fetch_list_task.map(missing, settings=settings).result()
        return top500_http.landed_files(source, settings)
    return top500.collect(source, settings)


@task(name="parse-list")
def parse_list_task(file: SourceFile) -> ParsedFile:
    return top500.parse(file)


@task(name="load-raw")
def load_raw_task(parsed: list[ParsedFile], settings: Settings, run_id: str) -> None:
    with load.connect(settings.build_db) as con:
        load.load_files(con, parsed, run_id)


@task(name="publish")
def publish_task(settings: Settings) -> None:
    from flows import publish

    publish.publish(settings)


def plan(files: list[SourceFile], settings: Settings) -> list[SourceFile]:
    with load.connect(settings.build_db) as con:
        return load.changed_files(con, files)


@flow(name="top500-refresh", log_prints=True)
def refresh(source: str = "bundled", full_refresh: bool = False) -> dict:
    """Bring the warehouse up to date with `source` and publish it if anything changed."""
    settings = get_settings()
    logger = get_run_logger()
    started = time.perf_counter()
    summary = RunSummary(run_id=str(flow_run.id or uuid.uuid4()), source=source)

    if full_refresh and settings.build_dir.exists():
        logger.info("full refresh: rebuilding %s from the raw sources", settings.build_db)
        shutil.rmtree(settings.build_dir)

    t = time.perf_counter()
    files = collect_lists_task(source, settings)
    changed = plan(files, settings)
    summary.lists_unchanged = len(files) - len(changed)
    parsed_futures = parse_list_task.map(changed)
    parsed = _results_or_raise(parsed_futures)
    summary.stages_s["extract_parse"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    load_raw_task(parsed, settings, summary.run_id)
    summary.lists_added = [p.file.file_key for p in parsed]
    summary.rows_loaded = sum(len(p.rows) for p in parsed)
    summary.stages_s["load"] = round(time.perf_counter() - t, 3)

    if summary.nothing_new and settings.published_db.exists():
        logger.info("no new list: the published warehouse is unchanged")
    else:
        t = time.perf_counter()
        publish_task(settings)
        summary.published = True
        summary.stages_s["publish"] = round(time.perf_counter() - t, 3)

    summary.duration_s = round(time.perf_counter() - started, 3)
    logger.info(summary.headline())
    _report(summary)
    return asdict(summary)


def _results_or_raise(futures) -> list[ParsedFile]:
    """Wait for every parse; if any file was bad, report them all and load none."""
    from flows.errors import SourceErrors

    results, errors = [], []
    for fut in futures:
        fut.wait()
        outcome = fut.state.result(raise_on_failure=False)
        if isinstance(outcome, SourceError):
            errors.append(outcome)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            results.append(outcome)
    if errors:
        raise SourceErrors(errors)
    return results


def _report(summary: RunSummary) -> None:
    rows = "\n".join(f"| {k} | {v:.2f} |" for k, v in summary.stages_s.items())
    create_markdown_artifact(
        key="top500-refresh-summary",
        markdown=(
            f"# TOP500 refresh\n\n**{summary.headline()}**\n\n"
            f"- source: `{summary.source}`\n- lists added: {len(summary.lists_added)}\n"
            f"- rows loaded: {summary.rows_loaded:,}\n- published: {summary.published}\n"
            f"- duration: {summary.duration_s:.1f} s\n\n| stage | seconds |\n|---|---|\n{rows}\n"
        ),
        description=summary.headline(),
    )
