"""The Prefect flow: extract -> gate -> load -> gate -> dbt -> gate -> publish.

Tasks are thin wrappers around plain functions (flows.sources.*, flows.load,
flows.validate, flows.transform, flows.publish) so tests call those directly.
The whole run holds the warehouse lock (flows.lock). Nothing reaches the
published warehouse unless every gate passed, and a publication (database,
exports, report) is swapped in whole. Whether there is anything to do is decided
by content, not by what the last run said: the loaded file versions plus the
code (flows.load.content_key) against the published generation's.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import interrupt, load, specs_report
from flows.files import ParsedFile, SourceFile, parse_each
from flows.fingerprint import code_fingerprint
from flows.lock import warehouse_lock
from flows.settings import Settings, get_settings
from flows.sources import ai_compute, epoch, green500, hpl_mxp, top500
from flows.sources.fetch import refuse_credentials

REFERENCE_MODULES = (epoch, ai_compute, hpl_mxp)
REFERENCE_PARSERS = {d.name: m.parse for m in REFERENCE_MODULES for d in m.DATASETS}


@dataclass
class RunSummary:
    run_id: str
    source: str
    started_at: datetime
    status: str = "running"  # published | up to date | withdrawn | rebuilt | failed | interrupted
    lists_added: list[str] = field(default_factory=list)
    lists_in_warehouse: list[str] = field(default_factory=list)
    lists_in_source: int = 0
    lists_not_in_source: list[str] = field(default_factory=list)
    lists_pending: list[str] = field(default_factory=list)  # expected by the calendar, not published yet
    reference_updated: list[str] = field(default_factory=list)
    files_loaded: int = 0
    list_rows_loaded: int = 0
    rows_loaded: int = 0
    rebuilt: bool = False
    published: bool = False
    generation: str | None = None
    content_key: str | None = None
    withdrawn: dict | None = None  # the rollback that kept this run from publishing
    gates_passed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_countries: list[str] = field(default_factory=list)
    stages_s: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0
    message: str | None = None
    postgres: dict | None = None  # the PostgreSQL sync's outcome (flows.postgres_sync.SyncOutcome), when configured

    def headline(self) -> str:
        """What happened, in one line: what was loaded, what is published now, and what PostgreSQL serves."""
        if not self.postgres:
            return self._file_headline()
        from flows.postgres_sync import SyncOutcome

        return f"{self._file_headline()}; {SyncOutcome(**self.postgres).describe()}"

    def _file_headline(self) -> str:
        in_wh = len(self.lists_in_warehouse)
        span = f"{self.lists_in_warehouse[0]}..{self.lists_in_warehouse[-1]}" if in_wh else "none"
        pending = f" ({', '.join(self.lists_pending)} not published yet)" if self.lists_pending else ""
        if self.lists_added:
            added = ", ".join(self.lists_added) if len(self.lists_added) <= 4 else f"{len(self.lists_added)} lists"
            what = f"loaded {added}: {self.list_rows_loaded:,} entries{pending}"
        elif self.reference_updated:
            what = f"no new list{pending}; reference file(s) updated: {', '.join(self.reference_updated)}"
        else:
            what = f"no new list{pending}"
        where = f"{in_wh} lists in the warehouse ({span}), {self.lists_in_source} in the source"
        if self.status == "failed":
            return f"failed: {self.message or 'see the log'}"
        if self.status == "interrupted":
            return f"interrupted: {self.message}"
        if self.new_countries:  # named on a line of their own and in audit.pipeline_runs.new_countries
            n = len(self.new_countries)
            where += f"; {n} new countr{'y' if n == 1 else 'ies'} on the lists"
        if self.status == "up to date":
            return f"{what}: {where}; the published generation {self.generation} is up to date"
        if self.status == "withdrawn":
            w = self.withdrawn or {}
            return (
                f"{what}: {where}; nothing published: this content is generation {w.get('generation')}, "
                f"rolled back at {w.get('withdrawn_at')} (`top500 rollforward` publishes it again)"
            )
        if self.status == "rebuilt":
            return f"{what}: {where}; rebuilt, identical to the published generation {self.generation}"
        if not self.lists_added and not self.reference_updated:
            what = "no new list; rebuilt and re-published (the code changed or the last run did not publish)"
        return f"{what}: {where}; published generation {self.generation}"

    @contextlib.contextmanager
    def stage(self, name: str):
        interrupt.check()  # a stage boundary is a safe point to stop at
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages_s[name] = round(self.stages_s.get(name, 0.0) + time.perf_counter() - started, 3)


# --- tasks ---------------------------------------------------------------------


def step(name: str, **options):
    """A task that never caches: its inputs are settings and parsed DataFrames, and hashing those
    for Prefect's default cache key costs time and buys nothing (every run works on new input)."""
    return task(name=name, cache_policy=NO_CACHE, **options)


@step("collect-lists", task_run_name="collect lists from {source}")
def collect_lists_task(source: str, settings: Settings) -> tuple[list[SourceFile], list[str]]:
    """The source's list files, and the lists the calendar expects that the site has not published yet."""
    pending: list[str] = []
    return top500.collect(source, settings, pending=pending), pending


@step("collect-green500", task_run_name="collect Green500 lists from {source}")
def collect_green500_task(source: str, settings: Settings) -> list[SourceFile]:
    return green500.collect(source, settings)


@step("collect-reference", task_run_name="collect specs and AI-compute files from {source}")
def collect_reference_task(source: str, settings: Settings) -> list[SourceFile]:
    return collect_reference(source, settings)


def collect_reference(source: str, settings: Settings) -> list[SourceFile]:
    """The Epoch hardware, AI-compute and HPL-MxP files of `source`, in the order they load."""
    return [f for module in REFERENCE_MODULES for f in module.collect(source, settings)]


@step("parse-lists", task_run_name="parse {label}")
def parse_lists_task(files: list[SourceFile], label: str) -> list[ParsedFile]:
    return top500.parse_all(files)


@step("parse-green500", task_run_name="parse {label}")
def parse_green500_task(files: list[SourceFile], label: str) -> list[ParsedFile]:
    return green500.parse_all(files)


@step("gate-green500", task_run_name="gate {label}")
def gate_green500_task(settings: Settings, run_id: str, parsed: list[ParsedFile], label: str) -> None:
    from flows import validate

    validate.validate_parsed(settings, run_id, parsed, stage="green500", module="green500_list")


@step("parse-reference", task_run_name="parse {label}")
def parse_reference_task(files: list[SourceFile], label: str) -> list[ParsedFile]:
    return parse_each(lambda f: REFERENCE_PARSERS[f.dataset](f), files)


@step("gate-lists", task_run_name="gate {label}")
def gate_lists_task(settings: Settings, run_id: str, parsed: list[ParsedFile], label: str) -> None:
    from flows import validate

    validate.validate_parsed(settings, run_id, parsed)


@step("load-raw", task_run_name="load {label}")
def load_raw_task(parsed: list[ParsedFile], settings: Settings, run_id: str, label: str) -> None:
    with load.connect(settings.build_db) as con:
        load.load_files(con, parsed, run_id)


@step("gate-reference")
def gate_reference_task(settings: Settings, run_id: str) -> None:
    from flows import validate

    validate.validate_reference(settings, run_id)


@step("dbt-build")
def dbt_build_task(settings: Settings) -> dict:
    from flows import transform

    return asdict(transform.build(settings))


@step("gate-marts")
def gate_marts_task(settings: Settings, run_id: str) -> None:
    from flows import validate

    validate.validate_marts(settings, run_id)


@step("postgres-sync")
def postgres_sync_task(settings: Settings) -> dict:
    from flows import postgres_sync

    return postgres_sync.sync_publication(settings).as_dict()


@step("publish", task_run_name="publish generation {publication.generation}")
def publish_task(settings: Settings, publication) -> dict:
    from flows import exports, publish, report

    staged = publish.stage(settings, publication, exports.write_exports, report.build_report)
    return asdict(publish.swap_in(settings, staged))


# --- the flow --------------------------------------------------------------------


@flow(name="top500-refresh", log_prints=True)
def refresh(source: str = "bundled", reference_source: str = "bundled", full_refresh: bool = False) -> dict:
    """Bring the warehouse up to date with the sources and publish it if every gate passes."""
    interrupt.reclaim()  # Prefect's engine took SIGTERM for the flow; a `top500 run` stops its own way
    settings = get_settings()
    for where in (source, reference_source):
        refuse_credentials(where)
    if settings.postgres_dsn:
        from flows.postgres_sync import refuse_password

        refuse_password(settings.postgres_dsn)
    with warehouse_lock(settings.warehouse_dir, command=f"top500 run --source {source}"):
        return _refresh(settings, source, reference_source, full_refresh)


def _refresh(settings: Settings, source: str, reference_source: str, full_refresh: bool) -> dict:
    from flows import publish

    logger = get_run_logger()
    started = time.perf_counter()
    run = RunSummary(run_id=str(flow_run.id or uuid.uuid4()), source=source, started_at=_now())
    fingerprint = code_fingerprint(settings)

    _clean_leftovers(settings)
    started_over = _start_over_if_unreadable(settings, full_refresh)
    if full_refresh:
        logger.info("full refresh: reloading every file and rebuilding every model; history is kept")
        with load.connect(settings.build_db) as con:
            load.reset_for_full_refresh(con)
    _start(run, settings, fingerprint)
    if started_over:
        run.warnings.append(started_over)
    try:
        with run.stage("extract_parse"), _warnings_logged_by("flows.sources.fetch", run.warnings):
            list_files, run.lists_pending = collect_lists_task(source, settings)
            green500_files = collect_green500_task(source, settings)
            reference_files = collect_reference_task(reference_source, settings)
            run.lists_in_source = len(list_files)
            strays = top500.skipped_files(source, settings)
            if strays:
                run.warnings.append(
                    f"skipped {len(strays)} file(s) in the source that are not list files: " + ", ".join(strays)
                )
            changed = plan(list_files + green500_files + reference_files, settings)
            lists = [f for f in changed if f.dataset == top500.DATASET]
            greens = [f for f in changed if f.dataset == green500.DATASET]
            references = [f for f in changed if f.dataset not in (top500.DATASET, green500.DATASET)]
            parsed_lists = parse_lists_task(lists, label=_label(lists)) if lists else []
            green_label = f"Green500 {_label(greens)}"
            parsed_green = parse_green500_task(greens, label=green_label) if greens else []
            parsed_reference = (
                parse_reference_task(references, label=f"{len(references)} reference file(s)") if references else []
            )
            run.warnings += [note for p in parsed_lists for note in p.notes]  # another spelling of a country

        if parsed_lists:
            with run.stage("gate_lists"):
                gate_lists_task(settings, run.run_id, parsed_lists, label=_label(lists))
            run.gates_passed.append("top500_list")
            run.new_countries = new_countries(settings, parsed_lists)
        if parsed_green:
            with run.stage("gate_green500"):
                gate_green500_task(settings, run.run_id, parsed_green, label=green_label)
            run.gates_passed.append("green500_list")
        parsed_other = parsed_green + parsed_reference  # files that are not TOP500 lists
        if parsed_lists or parsed_other:
            with run.stage("load"):
                load_raw_task(
                    parsed_lists + parsed_other,
                    settings,
                    run.run_id,
                    label=f"{len(parsed_lists)} list(s), {len(parsed_other)} other file(s)",
                )
        run.lists_added = [p.file.file_key for p in parsed_lists]
        run.reference_updated = [p.file.file_name for p in parsed_other]
        run.files_loaded = len(parsed_lists) + len(parsed_other)
        run.list_rows_loaded = sum(len(p.rows) for p in parsed_lists)
        run.rows_loaded = run.list_rows_loaded + sum(len(p.rows) for p in parsed_other)

        with load.connect(settings.build_db) as con:
            run.lists_in_warehouse = load.current_list_keys(con)
            run.content_key = load.content_key(con, fingerprint)
            facts = load.list_facts(con)
        in_source = {f.file_key for f in list_files}
        run.lists_not_in_source = [k for k in run.lists_in_warehouse if k not in in_source]
        if run.lists_not_in_source:
            run.warnings.append(
                f"{len(run.lists_not_in_source)} list(s) in the warehouse are no longer in the "
                f"source and stay published: {', '.join(run.lists_not_in_source)}"
            )

        published_now = publish.current(settings)
        withdrawal = publish.withdrawn_content(settings, run.content_key)
        damage = publish.published_damage(settings)
        if damage:  # never "up to date" with a file that is not what was published: publish it again
            run.warnings.append(f"the published warehouse was damaged ({damage}); this run publishes it again")
        same_as_published = published_now is not None and not damage and published_now.content_key == run.content_key
        if same_as_published and not full_refresh:
            run.status, run.generation = "up to date", published_now.generation
        elif withdrawal is not None:
            run.status, run.withdrawn = "withdrawn", asdict(withdrawal)
        else:
            run.rebuilt = True
            with run.stage("gate_reference"):
                gate_reference_task(settings, run.run_id)
            run.gates_passed.append("reference")
            with run.stage("dbt"):
                dbt = dbt_build_task(settings)
            run.gates_passed.append("dbt_tests")
            run.warnings += dbt["warnings"]
            with run.stage("gate_marts"):
                gate_marts_task(settings, run.run_id)
            run.gates_passed.append("marts")
            with load.connect(settings.build_db, read_only=True) as con:
                run.warnings += specs_report.new_unmatched_warnings(con, run.lists_added)
            if same_as_published:
                run.status, run.generation = "rebuilt", published_now.generation
            else:
                with run.stage("publish"):
                    _publish(run, settings, facts)
    except BaseException as exc:
        signum = interrupt.received()
        name = signal.Signals(signum).name if signum else None
        if not run.published:
            run.status = "interrupted" if signum else "failed"
            stage = next(reversed(run.stages_s), "the start")
            run.message = (
                f"by {name} during {stage}; nothing was published" if signum else f"{type(exc).__name__}: {exc}"
            )
        elif signum:  # the publication was switched in before the signal came: it stands
            run.warnings.append(f"interrupted by {name} after publishing generation {run.generation}")
        _finish(run, started, settings)
        with contextlib.suppress(Exception):
            _report(run)
        raise
    if settings.postgres_dsn:  # after every run, so a run with nothing new still catches Postgres up
        with run.stage("postgres_sync"):
            run.postgres = postgres_sync_task(settings)
    _finish(run, started, settings)
    logger.info(run.headline())
    if run.postgres and run.postgres["status"] == "failed":
        logger.error("PostgreSQL sync failed: %s", run.postgres["message"])
    for warning in run.warnings:
        logger.warning(warning)
    with contextlib.suppress(Exception):  # the artifact is a copy of the headline: it never fails a run
        _report(run)
    return asdict(run)


def _publish(run: RunSummary, settings: Settings, facts: dict) -> None:
    """Record the run as published in the build (so the file we publish says so), then stage and swap."""
    from flows import publish

    run.generation = publish.new_generation_id(run.content_key)
    run.status, run.published = "published", True
    _record(run, settings)  # the copy carries this row: published, with its finish time
    publication = publish.Publication(
        generation=run.generation,
        run_id=run.run_id,
        published_at=publish.published_at(),
        content_key=run.content_key,
        source=run.source,
        lists=facts,
    )
    try:
        publish_task(settings, publication)
    except BaseException:
        now = publish.current(settings)
        if now is None or now.generation != run.generation:  # a signal right after the switch leaves it done
            run.published, run.generation = False, None
        raise
    with contextlib.suppress(Exception), interrupt.deferred():  # an old generation left costs disk, not data
        publish.prune(settings)


@contextlib.contextmanager
def _warnings_logged_by(logger_name: str, into: list[str]):
    """Warnings a stage logs (a server that asked the download to wait) become the run's warnings."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            into.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _label(files: list[SourceFile]) -> str:
    keys = [f.file_key for f in files]
    if len(keys) <= 3:
        return ", ".join(keys) or "no list"
    return f"{len(keys)} lists ({keys[0]}..{keys[-1]})"


def new_countries(settings: Settings, parsed: list[ParsedFile]) -> list[str]:
    """Countries on the new lists that no loaded list had: real ones pass the gate and are reported.

    Nothing is "new" on a first load, when every country is.
    """
    with load.connect(settings.build_db) as con:
        known = {c for (c,) in con.execute("SELECT DISTINCT country FROM raw.top500_entries").fetchall()}
    if not known:
        return []
    found: dict[str, str] = {}
    for p in parsed:
        for country, rank in zip(p.rows["country"], p.rows["rank"]):
            if country not in known and country not in found:
                found[country] = f"{country} ({p.file.file_key} #{rank})"
    return sorted(found.values())


def rebuild_expected(settings: Settings, source: str, reference_source: str, full_refresh: bool) -> bool:
    """Will this run gate and build? Asked before the flow starts, so the CLI can import GX and dbt while
    it waits for its temporary server. A guess, never a decision (the flow decides): an HTTP source is
    not fetched twice, and any doubt answers False, which costs time, not correctness."""
    from flows import publish

    if full_refresh:
        return True
    if top500.is_url(source) or top500.is_url(reference_source):
        return False
    try:
        files = (
            top500.collect(source, settings)
            + green500.collect(source, settings)
            + collect_reference(reference_source, settings)
        )
        published_now = publish.current(settings)
        if published_now is None or not settings.build_db.exists():
            return True
        with load.connect(settings.build_db, read_only=True) as con:
            if load.changed_files(con, files):
                return True
            return load.content_key(con, code_fingerprint(settings)) != published_now.content_key
    except Exception:
        return False


def _start_over_if_unreadable(settings: Settings, full_refresh: bool) -> str | None:
    """An unreadable build file stops a normal run with what to do; a full refresh sets it aside and starts a
    new one, with the history (raw file versions, audit) of the newest intact publication. Returns the
    warning to report, or None when the build file is fine."""
    from flows import publish

    problem = load.build_problem(settings.build_db)
    if problem is None:
        return None
    if not full_refresh:
        raise load.BuildUnreadable(
            f"the build file {settings.build_db} cannot be read ({problem}); `top500 run --full-refresh` starts it "
            "again from the source files, with the history the published generation holds"
        )
    aside = load.set_aside(settings.build_db)
    intact = [g for g in reversed(publish.generations(settings)) if publish.damage(g) is None]
    with load.connect(settings.build_db) as con:
        if intact:
            load.restore_history(con, intact[0].path / publish.DATABASE)
    history = f"the history of generation {intact[0].generation}" if intact else "no history (no intact publication)"
    return f"the build file could not be read ({problem}); it was moved to {aside.name} and rebuilt with {history}"


def _clean_leftovers(settings: Settings) -> None:
    """Temporary files a killed run left behind (a partial download, a half-made publication)."""
    from flows import publish

    publish.clean_stale_temp(settings)
    if settings.landing_dir.exists():
        for partial in settings.landing_dir.rglob(".*.partial"):
            partial.unlink(missing_ok=True)


def plan(files: list[SourceFile], settings: Settings) -> list[SourceFile]:
    """The files whose content differs from what the build file holds (a copy of a loaded list, or a list past
    the warehouse's newest with one between missing, is refused)."""
    with load.connect(settings.build_db) as con:
        for dataset in (top500.DATASET, green500.DATASET):
            loaded = load.current_versions(con, dataset)
            top500.reject_copies([f for f in files if f.dataset == dataset], loaded)
            if dataset == top500.DATASET:
                top500.reject_gaps([f for f in files if f.dataset == dataset], list(loaded))
        return load.changed_files(con, files)


def _start(run: RunSummary, settings: Settings, fingerprint: str) -> None:
    with load.connect(settings.build_db) as con:
        con.execute(
            """INSERT INTO audit.pipeline_runs (run_id, started_at, source, status, files_loaded, lists_added,
                   rows_loaded, code_fingerprint) VALUES (?, ?, ?, 'running', 0, [], 0, ?)""",
            [run.run_id, run.started_at, run.source, fingerprint],
        )


def _record(run: RunSummary, settings: Settings) -> None:
    with load.connect(settings.build_db) as con:
        con.execute(
            """UPDATE audit.pipeline_runs SET finished_at = ?, status = ?, files_loaded = ?, lists_added = ?,
                   rows_loaded = ?, stages_s = ?, message = ?, generation = ?, content_key = ?, warnings = ?,
                   new_countries = ? WHERE run_id = ?""",
            [
                _now(),
                run.status,
                run.files_loaded,
                run.lists_added,
                run.rows_loaded,
                json.dumps(run.stages_s),
                run.message or run.headline(),
                run.generation,
                run.content_key,
                run.warnings,
                run.new_countries,
                run.run_id,
            ],
        )


def _finish(run: RunSummary, started: float, settings: Settings) -> None:
    run.duration_s = round(time.perf_counter() - started, 3)
    with interrupt.deferred():
        with contextlib.suppress(Exception):
            _record(run, settings)
        with contextlib.suppress(OSError):  # a full disk: the run's message still reaches the operator
            settings.build_dir.mkdir(parents=True, exist_ok=True)
            partial = settings.build_dir / f".last_run.json.{os.getpid()}"
            partial.write_text(json.dumps({**asdict(run), "headline": run.headline()}, default=str, indent=2))
            os.replace(partial, settings.build_dir / "last_run.json")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _report(run: RunSummary) -> None:
    """The run's summary as a Prefect artifact, failed runs included, visible next to the flow run.

    Not when the Prefect server stopped answering: its client would retry for a minute, and the run's
    own record (audit.pipeline_runs, build/last_run.json) is already written."""
    from flows.prefect_api import api_answers

    if not api_answers():
        return
    stages = "\n".join(f"| {k} | {v:.2f} |" for k, v in run.stages_s.items())
    warnings = "".join(f"- warning: {w}\n" for w in run.warnings)
    create_markdown_artifact(
        key="top500-refresh-summary",
        markdown=(
            f"# TOP500 refresh: {run.status}\n\n**{run.headline()}**\n\n{warnings}"
            f"- source: `{run.source}`\n- lists added: {', '.join(run.lists_added) or 'none'}\n"
            f"- new countries: {', '.join(run.new_countries) or 'none'}\n"
            f"- rows loaded: {run.rows_loaded:,}\n- gates passed: {', '.join(run.gates_passed) or 'none needed'}\n"
            f"- published: {run.published} (generation {run.generation or '-'})\n"
            f"- duration: {run.duration_s:.1f} s\n\n"
            f"| stage | seconds |\n|---|---|\n{stages}\n"
        ),
        description=run.headline(),
    )
