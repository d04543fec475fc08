"""The `top500` command end to end, against a real Prefect server: every exit path a user meets says what
happened in its first line, with the exit status scripts rely on and no traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.files import sha256_of
from support.http_server import serve_directory
from support.warehouses import BUNDLED_LISTS, copy_bundled
from support.workbook_edits import edit_xlsx

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent
PROJECT = TESTS.parent / "dbt_project"
BUNDLED_SOURCES = TESTS.parent / "warehouse" / "sources"  # specs/ and ai_compute/, the reference layout


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]


def test_help_lists_every_subcommand_with_a_line_each():
    import typer
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    commands = typer.main.get_command(app).commands
    assert len(commands) >= 13
    for name, command in commands.items():
        line = next(
            (ln for ln in result.output.splitlines() if re.match(rf"^\W*{re.escape(name)}\s{{2,}}\S", ln)), None
        )
        assert line, f"{name} has no line of its own in --help"
        assert command.help and len(command.help.splitlines()[0]) > 20, name


def test_every_command_and_option_is_run_by_some_test():
    """A command or option no test invokes is a path nobody walked: name it here when you add one."""
    import typer

    from flows.cli import app

    sources = "\n".join(p.read_text() for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name)
    sources += "\n".join(Path(__file__).read_text().split("# --- invocations", 1)[1:])
    missing = []
    for name, command in typer.main.get_command(app).commands.items():
        if f'"{name}"' not in sources:
            missing.append(name)
        for param in command.params:
            if param.param_type_name == "option" and not any(f'"{opt}"' in sources for opt in param.opts):
                missing.append(f"{name} {param.opts[0]}")
    assert missing == [], f"never invoked by a test: {missing}"


# --- invocations ---------------------------------------------------------------------------------


def test_run_publishes_a_directory_source_then_finds_nothing_new(cli, tmp_path):
    """Lists from a directory; reference files over HTTP, then from a directory (the same bytes: nothing new)."""
    src = copy_bundled(tmp_path / "lists", ["TOP500_202306.xlsx", "TOP500_202311.xlsx", "TOP500_202406.xlsx"])
    with serve_directory(BUNDLED_SOURCES) as reference_url:
        first = cli("run", "--source", str(src), "--reference-source", reference_url, check=True)
    assert first.stdout.startswith("loaded 2023-06, 2023-11, 2024-06: 1,500 entries: 3 lists in the warehouse")
    with duckdb.connect(str(cli.warehouse / "top500.duckdb"), read_only=True) as con:
        uris = con.execute(
            "select distinct regexp_extract(source_uri, '^[a-z]+') from raw.source_files where dataset <> 'top500'"
        ).fetchall()
    assert uris == [("http",)], "the reference files came from the server"
    published = cli.warehouse / "top500.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), count(distinct list_date) from marts.list_entries").fetchone() == (1500, 3)
    before = sha256_of(published)

    second = cli("run", "--source", str(src), check=True)
    assert second.stdout.startswith("no new list: 3 lists in the warehouse (2023-06..2024-06), 3 in the source")
    assert sha256_of(published) == before

    assert cli("verify-snapshot", check=True).stdout.strip() == "bundled snapshot: every file matches SHA256SUMS"
    coverage = cli("coverage", "--top", "2", check=True).stdout.splitlines()
    assert coverage[0].startswith("accelerator spec coverage 2012-06..2024-06: ")
    assert len([ln for ln in coverage if re.match(r"^\s+\d+\. ", ln)]) <= 2
    docs = cli("docs", check=True)
    assert Path(docs.stdout.strip().removeprefix("dbt docs: ")).is_file()
    verbose = cli("run", "--source", str(src), "--reference-source", str(BUNDLED_SOURCES), "--verbose", check=True)
    assert "Flow run" in verbose.stderr and verbose.stdout.startswith("no new list")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"A13": 11}, "TOP500_202406.xlsx: rank 11 appears twice (rows 12 and 13)"),
        ({"N5": "n/a"}, "TOP500_202406.xlsx: row 5, column 'Rmax [TFlop/s]': not a number: 'n/a'"),
    ],
)
def test_bad_list_fails_the_run_and_leaves_the_published_file_alone(cli, tmp_path, edit, message):
    src = cli.after_first_run("TOP500_202306.xlsx", "TOP500_202311.xlsx")
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)

    edit_xlsx(BUNDLED_LISTS / "TOP500_202406.xlsx", src / "TOP500_202406.xlsx", edit)
    result = cli("run", "--source", str(src))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == ["error: bad input; the published warehouse is unchanged:", message]
    _no_traceback(result)
    assert sha256_of(published) == before
    with duckdb.connect(str(cli.warehouse / "build" / "top500.duckdb"), read_only=True) as con:
        assert con.execute("select count(distinct list_date) from raw.top500_entries").fetchone()[0] == 2


def test_html_page_in_a_directory_source_fails_cleanly(cli, tmp_path):
    src = tmp_path / "lists"
    src.mkdir()
    (src / "TOP500_202406.xlsx").write_text("<html><body>Please sign in</body></html>")
    result = cli("run", "--source", str(src))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        "TOP500_202406.xlsx: is an HTML page, not an Excel workbook (a login or error page?)",
    ]
    _no_traceback(result)
    assert not (cli.warehouse / "top500.duckdb").exists()


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    return project


def test_a_model_that_breaks_is_a_dbt_failure_and_nothing_is_published(cli, tmp_path):
    src = cli.after_first_run("TOP500_202311.xlsx", "TOP500_202406.xlsx")
    before = sha256_of(cli.warehouse / "top500.duckdb")
    project = _project_copy(tmp_path)
    model = project / "models" / "marts" / "performance_development.sql"
    model.write_text(model.read_text().replace("select", "selec", 1))  # a typo a developer makes
    result = cli("run", "--source", str(src), extra_env={"TOP500_DBT_PROJECT_DIR": str(project)})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == ["error: dbt failed; the published warehouse is unchanged:", "dbt build failed"]
    assert "model.top500_warehouse.performance_development [error]" in result.stderr
    _no_traceback(result)
    assert sha256_of(cli.warehouse / "top500.duckdb") == before


def test_a_model_bug_that_drops_the_newest_list_stops_the_run_and_nothing_is_published(cli, tmp_path):
    """The bug the marts gate exists for: the model builds, but the analyst's newest country counts are gone."""
    src = cli.after_first_run("TOP500_202311.xlsx")
    before = sha256_of(cli.warehouse / "top500.duckdb")
    copy_bundled(src, ["TOP500_202406.xlsx"])
    project = _project_copy(tmp_path)
    model = project / "models" / "marts" / "country_list_stats.sql"
    model.write_text(
        model.read_text().rstrip() + "\nwhere current_list.list_date < (select max(list_date) from stats)\n"
    )
    env = {"TOP500_DBT_PROJECT_DIR": str(project)}
    # the model builds and its contract holds; the marts gate counts each loaded list from raw and stops it
    result = cli("run", "--source", str(src), extra_env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "error: a quality gate failed; the published warehouse is unchanged:", (
        result.stderr
    )
    assert (
        "2024-06 is loaded (500 entries in raw) but marts.country_list_stats counts 0 systems, not 500" in result.stderr
    )
    _no_traceback(result)
    assert sha256_of(cli.warehouse / "top500.duckdb") == before


def test_a_warning_is_shown_in_the_headline_the_audit_and_the_artifact_without_blocking(cli, tmp_path):
    """A warn-level check (here the spec-coverage goal, raised out of reach) publishes and says so everywhere."""
    src = copy_bundled(tmp_path / "lists", ["TOP500_202311.xlsx", "TOP500_202406.xlsx"])
    project = _project_copy(tmp_path)
    coverage = project / "models" / "marts" / "accelerator_match_coverage.yml"
    coverage.write_text(coverage.read_text().replace("arguments: {min_value: 0.95}", "arguments: {min_value: 0.9999}"))
    result = cli("run", "--source", str(src), extra_env={"TOP500_DBT_PROJECT_DIR": str(project)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published generation" in result.stdout.splitlines()[0]
    warning = next(ln for ln in result.stderr.splitlines() if ln.startswith("warning: "))
    assert warning.startswith("warning: accelerator_rmax_coverage_meets_goal: Got 1 result"), warning

    with duckdb.connect(str(cli.warehouse / "top500.duckdb"), read_only=True) as con:
        run_id, warnings = con.execute(
            "select run_id, warnings from audit.pipeline_runs where status = 'published'"
        ).fetchone()
    assert warnings and warnings[0].startswith("accelerator_rmax_coverage_meets_goal")

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: cli.env["PREFECT_API_URL"]}), get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    assert any("- warning: accelerator_rmax_coverage_meets_goal" in (a.data or "") for a in artifacts)


def test_every_failed_run_leaves_its_audit_row_and_artifact(cli, tmp_path):
    failed = cli("run", "--source", str(tmp_path / "missing"))
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[:2] == [
        "error: bad input; the published warehouse is unchanged:",
        f"{tmp_path / 'missing'}: is neither 'bundled', an http(s) URL, nor an existing directory",
    ]
    with duckdb.connect(str(cli.warehouse / "build" / "top500.duckdb"), read_only=True) as con:
        run_id, status, message = con.execute("select run_id, status, message from audit.pipeline_runs").fetchone()
    assert status == "failed" and "is neither 'bundled'" in message

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: cli.env["PREFECT_API_URL"]}), get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    assert any("# TOP500 refresh: failed" in (a.data or "") for a in artifacts)
