"""Where the data ends and how much of it is estimated, as a user meets it: `top500 status`, the end of
`top500 run`, the report page, and the citations the published marts carry."""

from __future__ import annotations

import re

import duckdb

from support.warehouses import BUNDLED_LISTS
from support.workbook_edits import edit_xlsx, header_cell

NEW_CHIP = "NVIDIA Rubin R100"  # a chip no spec knows yet


def test_status_shows_where_each_source_ends(cli):
    cli.after_first_run("TOP500_202311.xlsx")
    status = cli("status", check=True).stdout
    assert "sources (data from .. to):" in status
    assert re.search(r"top500: 2023-11-01 \.\. 2023-11-01 \(TOP500 list dates; 1 file\)", status), status
    # the national compute totals stop where the cluster data does
    assert (
        "epoch_gpu_clusters: 2010-11-15 .. 2025-07-22 (first operational dates of existing or decommissioned" in status
    )
    # the newest chip of the bundled ml_hardware.csv (Epoch AI, 2026-07-19)
    assert re.search(r"epoch_ml_hardware: \S+ \.\. 2026-03-11 \(chip release dates; 1 file\)", status), status
    assert re.search(r"hpl_mxp: 2019-11-01 \.\. \S+ \(TOP500 list dates of the results; 1 file\)", status), status


def test_a_new_accelerator_no_spec_knows_lowers_coverage_with_a_warning(cli, tmp_path):
    """A future list (2026-11) whose top GPU system names a chip no spec knows: the run publishes, warns, and
    the H100e coverage of that list is lower; nothing fails."""
    lists = cli.after_first_run("TOP500_202606.xlsx")
    src = BUNDLED_LISTS / "TOP500_202606.xlsx"
    accelerator = re.sub(r"\d+$", "", header_cell(src, "Accelerator/Co-Processor"))
    previous = re.sub(r"\d+$", "", header_cell(src, "Previous Rank"))
    # 2026-11 as the 2026-06 systems again, each at its rank (row r + 1 holds rank r), so every entry was on the
    # list before; Frontier (#3, MI250X) and NIPA(NHN Cloud)-CL-1 (#20, B200) now name the new chip
    cells = {f"{previous}{rank + 1}": rank for rank in range(1, 501)}
    cells |= {f"{accelerator}4": NEW_CHIP, f"{accelerator}21": NEW_CHIP}
    edit_xlsx(src, lists / "TOP500_202611.xlsx", cells)
    result = cli("run", "--source", str(lists))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published generation" in result.stdout.splitlines()[0]
    coverage = next(ln for ln in result.stdout.splitlines() if ln.startswith("H100-equivalent coverage"))
    shares = dict(re.findall(r"(\d{4}-\d{2}) (\d+\.\d)%", coverage))
    assert float(shares["2026-11"]) < float(shares["2026-06"]), coverage
    assert coverage.endswith(f"no estimate yet for accelerators new on 2026-11: {NEW_CHIP}"), coverage
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert any(ln.startswith("warning: assert_new_accelerators_have_h100e") for ln in warnings), warnings
    with duckdb.connect(str(cli.warehouse / "top500.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select h100e, h100e_method from marts.list_entries where list_label = '2026-11' and rank in (3, 20)"
        ).fetchall()
    assert rows == [(None, "no_spec"), (None, "no_spec")]  # unknown, not 0


def test_the_report_says_where_the_data_ends(published):
    page = (published.warehouse_dir / "report" / "index.html").read_text(encoding="utf-8")
    coverage = re.search(r"<p class='meta' id='coverage'>(.*?)</p>", page)
    assert coverage, "the report has a coverage line"
    assert "top500 1993-06-01 to 2026-06-01" in coverage[1]
    assert "epoch_gpu_clusters 2010-11-15 to 2025-07-22" in coverage[1]
    assert "lists after it (2025-11, 2026-06) have no national totals" in page


REPOSITORY_PATH = re.compile(r"\.\./|shared/(seeds|data)|seeds/\d{3}_|\w+\.(txt|md)\b")


def test_published_citations_name_publications_not_repository_files(published):
    """Every text a published mart carries (citations, sources, evidence) names a publication, never a file of
    this repository (a path such as ../shared/seeds/004_....txt means nothing to a reader of the warehouse)."""
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        columns = con.execute(
            """select table_name, column_name from duckdb_columns()
               where schema_name = 'marts' and data_type = 'VARCHAR'
                 -- the marts about the loaded source files themselves name them (hpl-mxp-results.md)
                 and table_name not in ('source_coverage', 'source_versions')"""
        ).fetchall()
        found = []
        for table, column in columns:
            for (value,) in con.execute(
                f'select distinct "{column}" from marts."{table}" where regexp_matches("{column}", ?)',
                [REPOSITORY_PATH.pattern],
            ).fetchall():
                found.append(f"{table}.{column}: {value[:120]}")
        citations = con.execute(
            "select citation from marts.announced_systems where system_name = 'Naver NVIDIA DGX SuperPOD'"
        ).fetchone()[0]
    assert found == []
    assert "World Today (월드투데이)" in citations and "January 2022" in citations
