"""`top500`: the command analysts, operators and the scheduler use."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
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
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild the private build file from the raw sources."),
) -> None:
    """Run the pipeline: extract, load, validate, transform, publish."""
    from flows.errors import SourceError, SourceErrors
    from flows.pipeline import refresh

    try:
        summary = refresh(source=source, full_refresh=full_refresh)
    except (SourceError, SourceErrors) as exc:
        _fail(f"error: bad input, nothing was published:\n{exc}")
    status = "published" if summary["published"] else "nothing to publish"
    typer.echo(f"{_headline(summary)}; {status} in {summary['duration_s']:.1f} s")


def _headline(summary: dict) -> str:
    if not summary["lists_added"]:
        return f"no new list ({summary['lists_unchanged']} lists already loaded)"
    return f"loaded {len(summary['lists_added'])} list(s), {summary['rows_loaded']:,} rows"


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


def main() -> None:  # pragma: no cover - console entry for `python -m flows.cli`
    app(prog_name="top500")


if __name__ == "__main__":
    sys.exit(main())
