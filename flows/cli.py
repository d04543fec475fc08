"""`top500`: the command analysts, operators and the scheduler use."""

from __future__ import annotations

import contextlib
import gc
import os
import sys

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _PlainHelp:
    """Help without type placeholders: no `<bool>` beside flags, no `<str>` or `{SQL}` for arguments.

    Options show their metavar or name (`--max-rows N`, `--source SOURCE`), arguments their name (`SQL`)."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            if isinstance(param, (TyperOption, TyperArgument)):
                param.display_type_rich = lambda ctx, p=param: (
                    (p.metavar or p.name.upper()) if isinstance(p, TyperOption) and not p.is_flag else None
                )
        return params

    def collect_usage_pieces(self, ctx):
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or param.name.upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class _Command(_PlainHelp, TyperCommand):
    pass


class _Group(_PlainHelp, TyperGroup):
    def collect_usage_pieces(self, ctx):
        return [*super().collect_usage_pieces(ctx), self.subcommand_metavar]


class _App(typer.Typer):
    """The CLI: every command with the plain help; one line instead of a traceback when a tool holds the
    published file read-write."""

    def command(self, *args, cls=None, **kwargs):
        return super().command(*args, cls=cls or _Command, **kwargs)

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:  # only DuckDB's lock conflict is turned into a message
            from flows.analyst import lock_holder_message
            from flows.settings import get_settings

            message = type(exc).__name__ == "IOException" and lock_holder_message(get_settings().published_db, exc)
            if not message:
                raise
            typer.secho(message, fg=typer.colors.RED, err=True)
            raise SystemExit(4) from None


app = _App(
    cls=_Group,
    help="TOP500 warehouse: load every TOP500 list, specs and AI-compute data into DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Exit statuses (docs/operations.md): 0 ok; 1 the run or query failed; 2 bad option or input refused before
# anything ran; 3 write refused; 69 the file publication stands but PostgreSQL could not be brought to it
# (EX_UNAVAILABLE; the next run retries); 75 another run holds the warehouse (EX_TEMPFAIL: try again later).
EXIT_FAILED, EXIT_USAGE, EXIT_POSTGRES, EXIT_BUSY = 1, 2, 69, 75


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _analyst_door():
    """The read-only commands' refusals and lock conflicts as one message with their exit status."""
    from flows.analyst import AnalystError

    try:
        yield
    except AnalystError as exc:
        _fail(str(exc), code=exc.exit_code)


def _settings():
    """Settings from the environment; a bad TOP500_* value is a message, not a traceback."""
    from pydantic import ValidationError

    from flows.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"TOP500_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        _fail(f"error: bad setting: {problems}", EXIT_USAGE)
    if settings.postgres_dsn:
        from flows.postgres_sync import DsnRefused, refuse_password

        try:
            refuse_password(settings.postgres_dsn)
        except DsnRefused as exc:
            _fail(f"error: bad setting: {exc}; nothing was changed", EXIT_USAGE)
    return settings


@app.command()
def run(
    source: str = typer.Option(
        "bundled",
        help="'bundled', a directory of TOP500_YYYYMM.xls[x] files, or an http(s) base URL laid out like top500.org.",
    ),
    reference_source: str = typer.Option(
        "bundled",
        help="Specs and AI-compute files: 'bundled', a directory (specs/, ai_compute/) or an http(s) base URL.",
    ),
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Reload every file and rebuild every model (history is kept)."
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Also print Prefect's log of the run (always written to warehouse/build/last_run.log).",
    ),
) -> None:
    """Run the pipeline: extract, load, validate, transform, publish."""
    if not verbose:  # Prefect's console log (tracebacks included) goes to the run log; the user gets messages
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    from flows.errors import SourceError
    from flows.lock import RunInProgress, warehouse_lock
    from flows.sources.fetch import refuse_credentials

    settings = _settings()
    try:
        for where in (source, reference_source):
            refuse_credentials(where)
    except SourceError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    from flows.prefect_api import ServerDidNotStart, api_for_run

    try:
        # Taken before Prefect starts or anything is touched: a second run leaves at once.
        with (
            warehouse_lock(settings.warehouse_dir, command=f"top500 run --source {source}"),
            api_for_run(settings.build_dir / "prefect-server.log") as server,
        ):
            summary = _run_flow(source, reference_source, full_refresh, settings, server)
    except RunInProgress as exc:
        _fail(f"error: {exc}; nothing was changed", EXIT_BUSY)
    except ServerDidNotStart as exc:
        _fail(f"error: {exc}; nothing was changed")
    typer.echo(summary["headline"])
    if summary["new_countries"]:
        typer.echo("new country on the lists (ISO 3166, first seen now): " + ", ".join(summary["new_countries"]))
    for warning in summary["warnings"]:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    if summary["published"]:
        _print_coverage_line(settings)
    _exit_if_postgres_failed(summary.get("postgres"))


def _exit_if_postgres_failed(outcome: dict | None) -> None:
    """A failed PostgreSQL sync after a good file publication: said on stderr, with an exit status of its own."""
    if outcome and outcome["status"] == "failed":
        _fail(
            f"error: PostgreSQL was not brought to the published generation {outcome['generation']} "
            f"({outcome['message']}); the file publication stands; the next run (or `top500 run` now) retries",
            EXIT_POSTGRES,
        )


def _run_flow(source: str, reference_source: str, full_refresh: bool, settings, server=None) -> dict:
    """The flow, with every failure turned into one message naming what failed (the details go to a log)."""
    import traceback

    from flows.errors import SourceError, SourceErrors
    from flows.lock import RunInProgress
    from flows.pipeline import RunSummary, rebuild_expected, refresh
    from flows.publish import PublishError
    from flows.transform import DbtRunError
    from flows.validate import ValidationFailed

    failures = {
        SourceError: "bad input",
        SourceErrors: "bad input",
        ValidationFailed: "a quality gate failed",
        DbtRunError: "dbt failed",
        PublishError: "publishing failed",
    }
    log_file = _log_to_file(settings)
    if server is not None:
        if rebuild_expected(settings, source, reference_source, full_refresh):
            _import_in_background("great_expectations", "dbt.cli.main")
        server.wait_ready()  # it started while this process imported and scanned
    try:
        summary = refresh(source=source, reference_source=reference_source, full_refresh=full_refresh)
    except RunInProgress:
        raise
    except tuple(failures) as exc:
        what = next(label for kind, label in failures.items() if isinstance(exc, kind))
        _forget_frames(exc)
        _fail(f"error: {what}; the published warehouse is unchanged:\n{exc}\n(log: {log_file})")
    except Exception as exc:  # disk full, permissions, a bug: one message, the traceback in a file
        log = _save_traceback(settings, traceback.format_exc())
        _forget_frames(exc)
        _fail(
            f"error: the run failed; the published warehouse is unchanged:\n{type(exc).__name__}: {exc}\n"
            f"(traceback in {log})"
        )
    summary["headline"] = RunSummary(
        **{k: v for k, v in summary.items() if k in RunSummary.__dataclass_fields__}
    ).headline()
    return summary


def _import_in_background(*modules: str) -> None:
    """A run that will gate and build imports GX and dbt (~4 s) while this process only waits for its
    temporary server, on the core the server leaves. The flow's own imports then find them loaded (or
    wait for them on Python's import lock). A no-op needs neither and imports neither."""
    import importlib
    import threading

    def load() -> None:
        for module in modules:
            with contextlib.suppress(Exception):  # a real import error surfaces where the stage imports it
                importlib.import_module(module)

    threading.Thread(target=load, name="import-heavy-stages", daemon=True).start()


def _log_to_file(settings):
    """Everything Prefect, dbt and GX log during the run, tracebacks included, in build/last_run.log."""
    import logging

    path = settings.build_dir / "last_run.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)  # prefect's loggers propagate to the root
    logging.getLogger("flows").setLevel(logging.INFO)
    return path


def _save_traceback(settings, text: str):
    path = settings.build_dir / "last_error.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError:
        return "(could not be saved)"
    return path


def _print_coverage_line(settings) -> None:
    import duckdb

    from flows.load import connect
    from flows.specs_report import coverage_summary

    with contextlib.suppress(duckdb.Error), connect(settings.published_db, read_only=True) as con:
        typer.echo(coverage_summary(con, top=0).splitlines()[0])


def _forget_frames(exc: BaseException) -> None:
    """Drop the traceback frames a failed run keeps (Prefect holds the exception in its state).

    Those frames hold closed DuckDB connections alive until interpreter exit, where DuckDB's
    bindings print pages of "nanobind: leaked instance" after our one-line error.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        exc = exc.__cause__ or exc.__context__
    gc.collect()


@app.command()
def status() -> None:
    """What is published (generation, run, lists), what was rolled back, and what the last run did."""
    import json

    from flows import publish

    settings = _settings()
    current = publish.current(settings)
    if current is None:
        typer.echo("published: nothing yet (run `top500 run`)")
    else:
        lists = current.lists
        typer.echo(f"published: generation {current.generation} (run {current.run_id}, {current.published_at})")
        typer.echo(
            f"  lists: {lists.get('count', 0)} ({lists.get('first')} .. {lists.get('last')}), "
            f"{lists.get('entries', 0):,} entries; superseded file versions kept: "
            f"{lists.get('superseded_versions', 0)}"
        )
        typer.echo(
            f"  file: {settings.published_db} -> {current.path / publish.DATABASE} "
            f"({current.database.get('bytes', 0) / 1e6:.1f} MB, sha256 {current.database.get('sha256', '')[:12]})"
        )
    kept = publish.generations(settings)
    if kept:
        typer.echo(
            "kept generations: "
            + ", ".join(
                g.generation + (" (published)" if current and g.generation == current.generation else "") for g in kept
            )
        )
    for w in publish.withdrawals(settings):
        typer.echo(
            f"rolled back: generation {w.generation} withdrawn at {w.withdrawn_at} (runs with the same content "
            f"do not publish it again; `top500 rollforward` does)"
        )
    if settings.postgres_dsn:
        _print_postgres_status(settings, current)
    last = settings.build_dir / "last_run.json"
    if last.exists():
        try:
            run_info = json.loads(last.read_text())
            typer.echo(
                f"last run: {run_info.get('status')} at {run_info.get('started_at')} "
                f"({run_info.get('duration_s', 0):.1f} s): {run_info.get('headline')}"
            )
        except ValueError:
            pass


def _print_postgres_status(settings, current) -> None:
    from flows.postgres_sync import served_generation, where

    served, problem = served_generation(settings)
    at = where(settings.postgres_dsn)
    if problem:
        typer.echo(f"postgres: cannot tell what {at} serves: {problem}")
    elif current is None:
        typer.echo(f"postgres: {at} serves generation {served or '(none)'}; nothing is published here")
    elif served == current.generation:
        typer.echo(f"postgres: {at} serves generation {served}, the published one")
    else:
        typer.echo(
            f"postgres: {at} serves generation {served or '(none)'}, BEHIND the published "
            f"{current.generation}; the next run syncs it"
        )


@app.command("verify-snapshot")
def verify_snapshot() -> None:
    """Check the bundled list files against their recorded sha256."""
    from flows.snapshot import verify_bundled

    problems = verify_bundled()
    if problems:
        _fail("\n".join(problems))
    typer.echo("bundled snapshot: every file matches SHA256SUMS")


@app.command()
def sql(
    query: str = typer.Argument(
        ...,
        metavar="SQL",
        show_default=False,
        help='SQL to run, e.g. "select * from systems limit 5" (schema marts is the '
        "default); - reads it from standard input.",
    ),
    fmt: str = typer.Option(
        "table",
        "--format",
        "-f",
        metavar="table|csv|json|xlsx",
        help="table (first --max-rows rows), csv or json (all rows, exact values), or xlsx: an Excel workbook "
        "on standard output (> result.xlsx), the form to open in Excel: CSV is UTF-8 without a byte-order "
        "mark, which Excel reads in the locale's code page (in Korea CP949), garbling non-ASCII names.",
    ),
    max_rows: int = typer.Option(200, "--max-rows", metavar="N", help="Rows shown in table format (at least 1)."),
    expanded: bool = typer.Option(
        None,
        "--expanded/--aligned",
        "-x/-a",
        show_default=False,
        help="One field per line / one row per line. Default: one row per line "
        "when the table fits the terminal (COLUMNS), else one field per line.",
    ),
) -> None:
    """Query the published warehouse read-only; print a table, CSV or JSON."""
    from flows.analyst import Format, run_sql

    if fmt not in {f.value for f in Format}:
        _fail(f"unknown --format {fmt!r}: use table, csv, json or xlsx", code=2)
    if fmt == Format.xlsx and sys.stdout.isatty():
        _fail("--format xlsx writes a workbook: redirect it to a file, e.g. > result.xlsx", code=2)
    if max_rows < 1:
        _fail(f"--max-rows must be at least 1 (got {max_rows}); --format csv or json prints every row", code=2)
    if query.strip() == "-":
        query = sys.stdin.read()
    if not query.strip():
        _fail("no SQL given (an empty query, or nothing on standard input)", code=2)
    with _analyst_door():
        run_sql(query, fmt, max_rows=max_rows, expanded=expanded)


@app.command()
def tables() -> None:
    """List the marts of the published warehouse with their descriptions."""
    from flows.analyst import list_tables

    with _analyst_door():
        list_tables()


@app.command()
def describe(
    table: str = typer.Argument(
        ...,
        metavar="TABLE",
        show_default=False,
        help="A mart (systems, marts.systems) or schema.table (audit.pipeline_runs).",
    ),
) -> None:
    """A table's grain, and its columns with type, nullability and description."""
    from flows.analyst import describe_table, print_description

    with _analyst_door():
        print_description(describe_table(table))


@app.command()
def shell() -> None:
    """The DuckDB shell on the published warehouse: read-only, no file access, schema marts."""
    from flows.analyst import exec_shell

    with _analyst_door():
        exec_shell()


@app.command()
def serve(
    source: str = typer.Option(None, help="Where scheduled runs look for lists (default: https://www.top500.org)."),
) -> None:
    """Serve the semiannual deployment against the Prefect server at PREFECT_API_URL."""
    from flows import schedule
    from flows.errors import SourceError
    from flows.sources.fetch import refuse_credentials

    try:
        refuse_credentials(source or schedule.DEFAULT_SOURCE)
    except SourceError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    try:
        schedule.serve(source or schedule.DEFAULT_SOURCE)
    except schedule.NoServer as exc:
        _fail(f"error: {exc}")


@app.command()
def rollback() -> None:
    """Withdraw the published generation and publish the one before it (database, exports, report)."""
    _swap("rollback")


@app.command()
def rollforward() -> None:
    """Undo the last rollback: publish the withdrawn generation again."""
    _swap("rollforward")


def _swap(direction: str) -> None:
    from flows import publish
    from flows.lock import RunInProgress, warehouse_lock

    settings = _settings()
    try:
        with warehouse_lock(settings.warehouse_dir, command=f"top500 {direction}"):
            before, after = getattr(publish, direction)(settings)
    except RunInProgress as exc:
        _fail(f"error: {exc}; nothing was changed", EXIT_BUSY)
    except publish.PublishError as exc:
        _fail(f"error: {exc}")
    if direction == "rollback":
        typer.echo(f"rolled back: generation {before.generation} is withdrawn; published now: {after.describe()}")
        typer.echo("a run with nothing new will not publish the withdrawn content again; `top500 rollforward` does")
    else:
        was = before.generation if before is not None else "nothing published"
        typer.echo(f"rolled forward: published now: {after.describe()} (was {was})")
    if settings.postgres_dsn:  # PostgreSQL follows the file publication
        from flows.postgres_sync import sync_publication

        outcome = sync_publication(settings)
        typer.echo(outcome.describe())
        _exit_if_postgres_failed(outcome.as_dict())


@app.command()
def coverage(top: int = typer.Option(10, help="How many unmatched accelerator strings to show.")) -> None:
    """Share of accelerated Rmax matched to a hardware spec, and the largest unmatched strings."""
    from flows.analyst import open_published
    from flows.specs_report import coverage_summary

    settings = _settings()
    if not settings.published_db.exists():
        _fail("nothing published yet: run `top500 run` first")
    with _analyst_door():
        con = open_published(settings)  # the analysts' door: read-only, nothing else reachable
    try:
        typer.echo(coverage_summary(con, top=top))
    finally:
        con.close()


@app.command()
def schedule(
    count: int = typer.Option(6, "--count", "-n", metavar="N", min=1, help="How many upcoming runs to list."),
) -> None:
    """The deployment's next runs (UTC and local time) and what the last run did."""
    from flows import schedule as deployment_schedule

    for line in deployment_schedule.describe(count):
        typer.echo(line)


@app.command()
def docs() -> None:
    """Generate the dbt docs site (one offline HTML file) for the build."""
    from flows import transform
    from flows.lock import RunInProgress, warehouse_lock
    from flows.settings import get_settings

    # dbt reads the build file for its catalog; a run rewrites it. Hold the run lock meanwhile, so docs
    # never describe a half-built warehouse and a run started now says why it has to wait.
    settings = get_settings()
    try:
        with warehouse_lock(settings.warehouse_dir, command="top500 docs"):
            if not settings.build_db.exists():
                _fail("nothing built yet: run `top500 run` first")
            target = transform.docs_generate(settings)
    except RunInProgress as exc:
        _fail(f"error: {exc}; `top500 docs` reads the build file that run is writing: try again when it has finished")
    typer.echo(f"dbt docs: {target}")


def main() -> None:  # pragma: no cover - console entry for `python -m flows.cli`
    app(prog_name="top500")


if __name__ == "__main__":
    sys.exit(main())
