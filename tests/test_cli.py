"""The `top500` command end to end, against a real Prefect server."""

from __future__ import annotations

import duckdb
import pytest
from conftest import BUNDLED_LISTS, copy_bundled  # noqa: E402
from workbook_edits import edit_xlsx

from flows.load import sha256_of

pytestmark = pytest.mark.slow


def test_help_lists_every_subcommand_with_a_line_each():
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for command in ("run", "status", "verify-snapshot"):
        assert command in result.output


def test_run_publishes_a_directory_source_then_finds_nothing_new(cli, tmp_path):
    src = copy_bundled(tmp_path / "lists", ["TOP500_202306.xlsx", "TOP500_202311.xlsx", "TOP500_202406.xlsx"])
    first = cli("run", "--source", str(src), check=True)
    assert "loaded 3 list(s), 1,500 entries" in first.stdout
    published = cli.warehouse / "top500.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*), count(distinct list_date) from marts.list_entries").fetchone() == (1500, 3)
    before = sha256_of(published)

    second = cli("run", "--source", str(src), check=True)
    assert "no new list (3 lists already loaded)" in second.stdout
    assert sha256_of(published) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"A13": 11}, "TOP500_202406.xlsx: rank 11 appears twice"),
        ({"N5": "n/a"}, "TOP500_202406.xlsx: row 5, column 'Rmax [TFlop/s]': not a number: 'n/a'"),
    ],
)
def test_bad_list_fails_the_run_and_leaves_the_published_file_alone(cli, tmp_path, edit, message):
    src = copy_bundled(tmp_path / "lists", ["TOP500_202306.xlsx", "TOP500_202311.xlsx"])
    cli("run", "--source", str(src), check=True)
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)

    edit_xlsx(BUNDLED_LISTS / "TOP500_202406.xlsx", src / "TOP500_202406.xlsx", edit)
    result = cli("run", "--source", str(src))
    assert result.returncode != 0
    assert message in result.stderr
    assert sha256_of(published) == before
    with duckdb.connect(str(cli.warehouse / "build" / "top500.duckdb"), read_only=True) as con:
        assert con.execute("select count(distinct list_date) from raw.top500_entries").fetchone()[0] == 2


def test_html_page_in_a_directory_source_fails_cleanly(cli, tmp_path):
    src = tmp_path / "lists"
    src.mkdir()
    (src / "TOP500_202406.xlsx").write_text("<html><body>Please sign in</body></html>")
    result = cli("run", "--source", str(src))
    assert result.returncode != 0
    assert "TOP500_202406.xlsx: is an HTML page, not an Excel workbook" in result.stderr
    assert not (cli.warehouse / "top500.duckdb").exists()
