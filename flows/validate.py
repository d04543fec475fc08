"""Great Expectations gates on DataFrames read from the build file.

GX's SQL datasource returns empty results on DuckDB (GX closes the connection before it fetches), so each
suite reads a DataFrame with a query and validates it through GX's pandas
datasource. Suites live in `expectations/*.py` (one `SUITES` list per file).
Every run is recorded in `audit.validation_runs` / `audit.validation_results`
of the build file before a failure is raised, so a failed run can be inspected
and the published file still shows the history of every published run.
GX is imported lazily: the import alone costs ~2.5 s.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import duckdb

from flows import progress
from flows.files import ParsedFile
from flows.load import connect
from flows.settings import Settings

if TYPE_CHECKING:  # imported where suites run: the CLI imports this module for ValidationFailed on every run
    import pandas as pd

MAX_EXAMPLES = 10  # failing rows kept per expectation and batch in audit
MESSAGE_EXAMPLES = 3  # failing rows named per expectation and batch in the exception


@dataclass(frozen=True)
class Suite:
    """A GX suite plus how to get its data: a query, optionally split into batches."""

    name: str
    query: str
    expectations: Callable[[], list]
    tables: tuple[str, ...] = ()  # the query needs these: a missing one fails the suite (none is optional)
    batch_by: str | None = None  # one GX batch per value of this column
    row_id: tuple[str, ...] = ()  # columns that name a failing row
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    parameters: Callable[[pd.DataFrame], dict] | None = None
    description: str = ""


@dataclass
class Outcome:
    suite: str
    batch: str
    expectation: str
    success: bool | None
    observed_value: object = None
    unexpected_count: int | None = None
    unexpected_examples: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    batch_sha256: str | None = None
    suite_version: str | None = None


@dataclass
class ValidationReport:
    run_id: str
    stage: str
    started_at: datetime
    finished_at: datetime | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.success is False]

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def suites(self) -> list[str]:
        return sorted({o.suite for o in self.outcomes if o.success is not None})

    @property
    def batches(self) -> list[str]:
        return sorted({f"{o.suite}/{o.batch}" for o in self.outcomes if o.success is not None})

    @property
    def evaluations(self) -> int:
        return sum(o.success is not None for o in self.outcomes)

    def describe(self) -> str:
        """The failures in words: 'TOP500_202411.xlsx: rank 11 appears twice [top500_list: ...]'."""
        lines = []
        for o in self.failures:
            shown = o.messages[:MESSAGE_EXAMPLES] or [f"{o.batch}: failed (observed {o.observed_value})"]
            more = len(o.messages) - len(shown)
            for msg in shown:
                lines.append(f"  {msg}  [suite {o.suite}, {o.expectation}]")
            if more > 0:
                lines.append(f"  ... and {more} more in {o.batch}  [suite {o.suite}, {o.expectation}]")
        head = (
            f"validation failed ({self.stage}): {len(self.failures)} of {self.evaluations} "
            f"expectation checks failed in {len({(o.suite, o.batch) for o in self.failures})} batch(es)"
        )
        return "\n".join([head, *lines])


class ValidationFailed(Exception):
    """A GX gate failed: nothing may be published. `report` holds every outcome."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(report.describe())


# --- suites ------------------------------------------------------------------


def load_suites(settings: Settings, module: str) -> list[Suite]:
    """SUITES from expectations/<module>.py (a file, not a package: loaded by path)."""
    path = settings.expectations_dir / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"top500_expectations.{module}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return list(mod.SUITES)


def suite_version(settings: Settings, module: str) -> str:
    """Checksum of the suite file and the data files next to it (country set, tolerances)."""
    digest = hashlib.sha256()
    for path in sorted(settings.expectations_dir.glob(f"{module}*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# --- GX ------------------------------------------------------------------------

_CONTEXTS: dict[Path, object] = {}


def _context(docs_dir: Path):
    """One ephemeral GX context per process and docs dir, so one run's stages share the docs index."""
    if docs_dir in _CONTEXTS:
        return _CONTEXTS[docs_dir]
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    for site in list(ctx.get_site_names()):  # the default site writes to a temp dir: drop both
        base = ctx.variables.data_docs_sites[site].get("store_backend", {}).get("base_directory")
        ctx.delete_data_docs_site(site)
        if base and Path(base).is_dir() and not any(Path(base).iterdir()):
            Path(base).rmdir()
    shutil.rmtree(docs_dir / "validations", ignore_errors=True)  # docs show this process's runs only
    ctx.add_data_docs_site(
        "warehouse",
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    ctx.data_sources.add_pandas("duckdb_frames")
    _CONTEXTS[docs_dir] = ctx
    return ctx


def run_suite(
    suite: Suite,
    frames: dict[str, pd.DataFrame],
    run_id: str,
    docs_dir: Path,
    version: str | None = None,
    checksums: dict[str, str] | None = None,
) -> list[Outcome]:
    """Validate each frame (one batch) with the suite; never raises for failed expectations."""
    import great_expectations as gx

    ctx = _context(docs_dir)
    source = ctx.data_sources.get("duckdb_frames")
    for name in [suite.name]:
        if any(s.name == name for s in ctx.suites.all()):
            ctx.checkpoints.delete(name)
            ctx.validation_definitions.delete(name)
            ctx.suites.delete(name)
            source.delete_asset(name)
    asset = source.add_dataframe_asset(suite.name)
    batch_def = asset.add_batch_definition_whole_dataframe("frame")
    gx_suite = ctx.suites.add(
        gx.ExpectationSuite(
            name=suite.name,
            expectations=suite.expectations(),
            meta={"description": suite.description, "version": version},
        )
    )
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch_def, suite=gx_suite))
    checkpoint = ctx.checkpoints.add(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[vd],
            actions=[],
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row", *suite.row_id]},
        )
    )

    # GX gets only the columns it checks (a narrow frame is ~2x faster); messages use the full row.
    needed = ["_row", *suite.row_id, *sorted(_columns(gx_suite) - {"_row", *suite.row_id})]
    if not frames:
        return []
    # One GX run for all batches: GX's cost is per expectation and run, not per row. Each batch is
    # prepared on its own, and results are split back per batch by the failing rows' batch.
    import pandas as pd

    prepared = []
    for batch, frame in frames.items():
        df = suite.prepare(frame.copy()) if suite.prepare else frame.copy()
        prepared.append(df.assign(_batch=batch))
    df = pd.concat(prepared, ignore_index=True)
    df["_row"] = range(len(df))
    params = suite.parameters(df) if suite.parameters else {}
    result = checkpoint.run(
        batch_parameters={"dataframe": df[needed]},
        expectation_parameters=params,
        run_id=gx.RunIdentifier(run_name=f"{run_id}__{suite.name}"),
    )
    batch_of_row = df["_batch"].to_numpy()
    rows_per_batch = df["_batch"].value_counts().to_dict()
    outcomes: list[Outcome] = []
    for validation in result.run_results.values():
        for r in validation.results:
            for batch in frames:
                part = r if len(frames) == 1 else _part_of(r, batch, batch_of_row, rows_per_batch.get(batch, 0))
                outcome = _outcome(suite, batch, df, part)
                outcome.suite_version = version
                outcome.batch_sha256 = (checksums or {}).get(batch)
                outcomes.append(outcome)
    return outcomes


def _part_of(r, batch: str, batch_of_row, rows: int) -> SimpleNamespace:
    """One batch's share of a row-level result on several batches (its own failing rows only).

    A table-level expectation cannot be split; a suite validated in several batches at once
    keeps to row-level rules (see expectations/top500_list.py), and a table-level failure
    here counts against every batch rather than none.
    """
    res = r.result or {}
    if "unexpected_index_list" not in res:
        return r
    mine = [i for i in res["unexpected_index_list"] if batch_of_row[int(i["_row"])] == batch]
    part = {**res, "unexpected_index_list": mine, "unexpected_count": len(mine), "element_count": rows}
    return SimpleNamespace(
        expectation_config=r.expectation_config,
        exception_info=r.exception_info,
        result=part,
        success=bool(r.success) or not mine,
    )


def _columns(gx_suite) -> set[str]:
    cols = set()
    for e in gx_suite.expectations:
        kw = e.configuration.kwargs
        cols.update(c for c in (kw.get("column"), kw.get("column_A"), kw.get("column_B")) if c)
        cols.update(kw.get("column_list") or [])
    return cols


def _label(config) -> str:
    kw = config.kwargs
    cols = (
        kw.get("column")
        or ",".join(c for c in (kw.get("column_A"), kw.get("column_B")) if c)
        or ",".join(kw.get("column_list") or [])
    )
    return f"{config.type}({cols})" if cols else config.type


def _outcome(suite: Suite, batch: str, df: pd.DataFrame, r) -> Outcome:
    config = r.expectation_config
    res = r.result or {}
    label = _label(config)
    if r.exception_info and r.exception_info.get("raised_exception"):
        msg = r.exception_info.get("exception_message")
        return Outcome(suite.name, batch, label, False, messages=[f"{batch}: {label} could not run: {msg}"])
    observed = res.get("observed_value")
    if observed is None and "element_count" in res:
        observed = {"element_count": res["element_count"], "unexpected_count": res.get("unexpected_count")}
    indexed = res.get("unexpected_index_list") or []
    examples, messages = [], []
    template = (config.meta or {}).get("message")
    if not r.success:
        rows = [df.iloc[int(i["_row"])].to_dict() for i in indexed] or [{}]
        for idx, row in zip(indexed or [{}], rows):
            if idx:
                examples.append({k: v for k, v in idx.items() if k != "_row"})
            messages.append(f"{batch}: {_say(template, row, df, config, observed, label)}")
        messages = list(dict.fromkeys(messages))
    return Outcome(
        suite.name,
        batch,
        label,
        bool(r.success),
        observed_value=observed,
        unexpected_count=res.get("unexpected_count"),
        unexpected_examples=examples[:MAX_EXAMPLES],
        messages=messages,
    )


def _say(template: str | None, row: dict, df: pd.DataFrame, config, observed, label: str) -> str:
    """A failing row in words, from the expectation's meta.message template."""
    values = dict(row)
    values["observed_value"] = observed
    column = config.kwargs.get("column")
    if column and column in row:
        n = int((df[column] == row[column]).sum())
        values["times"] = "twice" if n == 2 else f"{n} times"
    if template:
        try:
            return template.format(**values)
        except (KeyError, ValueError, TypeError, IndexError):
            pass
    shown = {
        k: row.get(k)
        for k in (config.kwargs.get("column"), config.kwargs.get("column_A"), config.kwargs.get("column_B"))
        if k and k in row
    }
    return f"{label} failed" + (f" for {shown}" if shown else f" (observed {observed})")


def build_docs(settings: Settings) -> Path:
    """Static HTML of this process's validations under <warehouse>/data_docs/."""
    docs_dir = settings.warehouse_dir / "data_docs"
    _context(docs_dir).build_data_docs(site_names=["warehouse"])
    return docs_dir / "index.html"


# --- audit ----------------------------------------------------------------------


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v), ensure_ascii=False)


def write_audit(con: duckdb.DuckDBPyConnection, report: ValidationReport, message: str | None = None) -> None:
    """Replace this (run_id, stage)'s rows, in one transaction (the tables: flows/ddl/90_audit.sql)."""
    rows = [
        (
            report.run_id,
            report.stage,
            o.suite,
            o.suite_version,
            o.batch,
            o.batch_sha256,
            o.expectation,
            o.success,
            _json(o.observed_value),
            o.unexpected_count,
            _json(o.unexpected_examples) if o.unexpected_examples else None,
            "\n".join(o.messages) or None,
        )
        for o in report.outcomes
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("audit.validation_runs", "audit.validation_results"):
            con.execute(f"DELETE FROM {table} WHERE run_id = ? AND stage = ?", [report.run_id, report.stage])
        con.execute(
            "INSERT INTO audit.validation_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.run_id,
                report.stage,
                report.started_at,
                report.finished_at,
                report.success,
                len(report.suites),
                len(report.batches),
                report.evaluations,
                len(report.failures),
                message,
            ],
        )
        if rows:
            con.executemany("INSERT INTO audit.validation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# --- stages -----------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() union all "
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    }


def _frames(con, suite: Suite, only: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    sql, args = f"select * from ({suite.query}) q", []
    if suite.batch_by and only is not None:
        if not only:
            return {}
        sql += f" where {suite.batch_by} in (select unnest(?))"
        args = [list(only)]
    df = con.execute(sql, args).df()
    if not suite.batch_by:
        return {suite.name: df}
    return {str(k): g for k, g in df.groupby(suite.batch_by, sort=True)}


def _run_stage(
    settings: Settings,
    run_id: str,
    stage: str,
    module: str,
    select: Callable[[duckdb.DuckDBPyConnection, Suite, str], tuple[dict, dict]],
) -> ValidationReport:
    """Read frames, validate, record, build docs; raise ValidationFailed after recording."""
    report = ValidationReport(run_id, stage, _now())
    error: BaseException | None = None
    try:
        suites = load_suites(settings, module)
        version = suite_version(settings, module)
        work = []
        with connect(settings.build_db) as con:
            tables = _existing_tables(con)
            for suite in suites:
                missing = [t for t in suite.tables if t not in tables]
                if missing:
                    why = f"{', '.join(missing)} does not exist (required by suite {suite.name})"
                    report.outcomes.append(
                        Outcome(
                            suite.name,
                            "(missing)",
                            "table exists",
                            False,
                            observed_value=why,
                            messages=[why],
                            suite_version=version,
                        )
                    )
                    continue
                frames, checksums = select(con, suite, version)
                work.append((suite, frames, checksums))
        docs_dir = settings.warehouse_dir / "data_docs"
        for suite, frames, checksums in progress.track(work, f"GX {stage} suites"):
            if frames:
                report.outcomes += run_suite(suite, frames, run_id, docs_dir, version, checksums)
        if any(frames for _, frames, _ in work):
            build_docs(settings)
    except BaseException as exc:  # record the crash too, then re-raise
        error = exc
    report.finished_at = _now()
    message = None
    if error is not None:
        message = f"validation crashed: {type(error).__name__}: {error}"
        report.outcomes.append(Outcome(module, "(run)", "(validation ran)", False, messages=[message]))
    elif not report.success:
        message = report.describe()
    with connect(settings.build_db) as con:
        write_audit(con, report, message)
    if error is not None:
        raise error
    if not report.success:
        raise ValidationFailed(report)
    return report


def validate_parsed(
    settings: Settings,
    run_id: str,
    parsed: Sequence[ParsedFile],
    stage: str = "top500",
    module: str = "top500_list",
) -> ValidationReport:
    """Validate parsed lists before `load_files`, so a bad list never enters the build file.

    A list that fails is not loaded, so the next run finds it changed and validates it again. The TOP500
    lists by default; the Green500 lists with stage "green500" and the suites of expectations/green500_list.py.
    """
    # Round-trip through DuckDB so the frames have exactly the dtypes a read from the build file has.
    typed, checksums = {}, {}
    # A private in-memory connection, closed here: the module's default connection would live
    # until interpreter exit (and nanobind reports it as a leak when a failure keeps frames alive).
    with duckdb.connect() as scratch:
        for p in parsed:
            df = p.rows.drop(columns=["original"], errors="ignore")
            df["source_file"] = p.file.file_name
            typed[p.file.file_name] = scratch.from_df(df).df()
            checksums[p.file.file_name] = p.file.sha256

    def select(con, suite: Suite, version: str):
        return typed, checksums

    return _run_stage(settings, run_id, stage, module, select)


def validate_reference(settings: Settings, run_id: str) -> ValidationReport:
    """Vendor specs and AI-compute raw tables (suites in expectations/reference.py)."""
    return _run_stage(settings, run_id, "reference", "reference", lambda con, s, v: (_frames(con, s), {}))


def validate_marts(settings: Settings, run_id: str) -> ValidationReport:
    """Cross-checks on the dbt marts (suites in expectations/marts.py)."""
    return _run_stage(settings, run_id, "marts", "marts", lambda con, s, v: (_frames(con, s), {}))
