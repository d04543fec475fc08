"""`top500`: the command analysts, operators and the scheduler use."""

from __future__ import annotations

import gc
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
                    (p.metavar or p.name.upper()) if isinstance(p, TyperOption) and not p.is_flag else None)
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
        except Exception as exc:  # noqa: BLE001 - only DuckDB's lock conflict is turned into a message
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


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def run(
    source: str = typer.Option("bundled", help="'bundled', a directory of TOP500_YYYYMM.xls[x] files, or an http(s) base URL laid out like top500.org."),
    reference_source: str = typer.Option("bundled", help="Specs and AI-compute files: 'bundled', a directory (specs/, ai_compute/) or an http(s) base URL."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild the private build file from the raw sources."),
) -> None:
    """Run the pipeline: extract, load, validate, transform, publish."""
    import duckdb

    from flows.errors import SourceError, SourceErrors
    from flows.pipeline import refresh
    from flows.publish import PublishError
    from flows.transform import DbtRunError
    from flows.validate import ValidationFailed

    failures = {
        SourceError: "bad input", SourceErrors: "bad input", ValidationFailed: "a quality gate failed",
        DbtRunError: "dbt failed", PublishError: "publishing failed",
    }
    try:
        summary = refresh(source=source, reference_source=reference_source, full_refresh=full_refresh)
    except tuple(failures) as exc:
        what = next(label for kind, label in failures.items() if isinstance(exc, kind))
        _forget_frames(exc)
        _fail(f"error: {what}; the published warehouse is unchanged:\n{exc}")
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        _forget_frames(exc)
        _fail(f"error: another run is writing the build file (DuckDB allows one writer); try again later:\n{exc}")
    status = "published" if summary["published"] else "nothing published"
    typer.echo(f"{_headline(summary)}; {status} in {summary['duration_s']:.1f} s")
    if summary["published"]:
        _print_coverage_line()


def _print_coverage_line() -> None:
    from flows.load import connect
    from flows.settings import get_settings
    from flows.specs_report import coverage_summary

    with connect(get_settings().published_db, read_only=True) as con:
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


def _headline(summary: dict) -> str:
    if not summary["files_loaded"]:
        return f"no new list ({summary['lists_unchanged']} lists already loaded)"
    if not summary["lists_added"]:
        return f"no new list; {summary['files_loaded']} reference file(s) updated"
    return f"loaded {len(summary['lists_added'])} list(s), {summary['list_rows_loaded']:,} entries"


@app.command()
def status() -> None:
    """Show which lists and file versions are loaded, and the published file."""
    from flows.load import connect
    from flows.settings import get_settings

    settings = get_settings()
    if not settings.build_db.exists():
        _fail("nothing loaded yet: run `top500 run` first")
    with connect(settings.build_db, read_only=True) as con:
        lists, rows, first, last = con.execute(
            "SELECT count(DISTINCT list_date), count(*), min(list_date), max(list_date) FROM raw.top500_entries"
        ).fetchone()
        versions = con.execute(
            "SELECT count(*) FILTER (WHERE NOT is_current) FROM raw.source_files WHERE dataset = 'top500'"
        ).fetchone()[0]
    typer.echo(f"lists loaded: {lists} ({first:%Y-%m} .. {last:%Y-%m}), {rows:,} entries; superseded file versions kept: {versions}")
    if settings.published_db.exists():
        typer.echo(f"published: {settings.published_db} ({settings.published_db.stat().st_size / 1e6:.1f} MB)")
    else:
        typer.echo("published: (none yet)")


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
    query: str = typer.Argument(..., metavar="SQL", show_default=False,
                                help="SQL to run, e.g. \"select * from systems limit 5\" (schema marts is the "
                                     "default); - reads it from standard input."),
    fmt: str = typer.Option("table", "--format", "-f", metavar="table|csv|json",
                            help="table (first --max-rows rows), csv or json (all rows, exact values)."),
    max_rows: int = typer.Option(200, "--max-rows", metavar="N", help="Rows shown in table format (at least 1)."),
    expanded: bool = typer.Option(None, "--expanded/--aligned", "-x/-a", show_default=False,
                                  help="One field per line / one row per line. Default: one row per line "
                                       "when the table fits the terminal (COLUMNS), else one field per line."),
) -> None:
    """Query the published warehouse read-only; print a table, CSV or JSON."""
    from flows.analyst import AnalystError, Format, run_sql

    if fmt not in {f.value for f in Format}:
        _fail(f"unknown --format {fmt!r}: use table, csv or json", code=2)
    if max_rows < 1:
        _fail(f"--max-rows must be at least 1 (got {max_rows}); --format csv or json prints every row", code=2)
    if query.strip() == "-":
        query = sys.stdin.read()
    if not query.strip():
        _fail("no SQL given (an empty query, or nothing on standard input)", code=2)
    try:
        run_sql(query, fmt, max_rows=max_rows, expanded=expanded)
    except AnalystError as exc:
        _fail(str(exc), code=exc.exit_code)


@app.command()
def tables() -> None:
    """List the marts of the published warehouse with their descriptions."""
    from flows.analyst import AnalystError, list_tables

    try:
        list_tables()
    except AnalystError as exc:
        _fail(str(exc), code=exc.exit_code)


@app.command()
def describe(
    table: str = typer.Argument(..., metavar="TABLE", show_default=False,
                                help="A mart (systems, marts.systems) or schema.table (audit.pipeline_runs)."),
) -> None:
    """A table's grain, and its columns with type, nullability and description."""
    from flows.analyst import AnalystError, describe_table, print_description

    try:
        print_description(describe_table(table))
    except AnalystError as exc:
        _fail(str(exc), code=exc.exit_code)


@app.command()
def shell() -> None:
    """The DuckDB shell on the published warehouse: read-only, no file access, schema marts."""
    from flows.analyst import AnalystError, exec_shell

    try:
        exec_shell()
    except AnalystError as exc:
        _fail(str(exc), code=exc.exit_code)


@app.command()
def serve(
    source: str = typer.Option(None, help="Where scheduled runs look for lists (default: https://www.top500.org)."),
) -> None:
    """Serve the semiannual deployment against the Prefect server at PREFECT_API_URL."""
    from flows import schedule

    try:
        schedule.serve(source or schedule.DEFAULT_SOURCE)
    except schedule.NoServer as exc:
        _fail(f"error: {exc}")


@app.command()
def rollback() -> None:
    """Swap the previously published warehouse back into place (and again to undo)."""
    from flows.publish import PublishError
    from flows.publish import rollback as swap_back
    from flows.settings import get_settings

    try:
        state = swap_back(get_settings())
    except (PublishError, FileNotFoundError) as exc:
        _fail(f"error: cannot roll back: {exc}")
    typer.echo(f"rolled back: {state.path} is now the previously published file (sha256 {state.sha256[:12]})")


@app.command()
def coverage(top: int = typer.Option(10, help="How many unmatched accelerator strings to show.")) -> None:
    """Share of accelerated Rmax matched to a hardware spec, and the largest unmatched strings."""
    from flows.load import connect
    from flows.settings import get_settings
    from flows.specs_report import coverage_summary

    settings = get_settings()
    db = settings.published_db if settings.published_db.exists() else settings.build_db
    if not db.exists():
        _fail("nothing built yet: run `top500 run` first")
    with connect(db, read_only=True) as con:
        typer.echo(coverage_summary(con, top=top))


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
