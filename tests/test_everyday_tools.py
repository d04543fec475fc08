"""The publication in the tools analysts use every day: Excel, pandas, a terminal 80 columns wide."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from flows import analyst


def _cli(settings, *args: str, columns: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(settings.warehouse_dir), "CI": "1"}
    env.pop("COLUMNS", None)
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, timeout=120)


def test_xlsx_keeps_non_ascii_names_and_types(published, tmp_path):
    """On 2026-06, entries whose site or name is not plain ASCII (Petróleo Brasileiro, Pégaso) come out of
    `--format xlsx` intact, with numbers as numbers; CSV stays UTF-8 without a byte-order mark."""
    from python_calamine import CalamineWorkbook

    query = """select rank, system_name, site, country, rmax_tflops, list_date from marts.list_entries
               where list_label = '2026-06' and regexp_matches(site || system_name, '[^\\x00-\\x7F]') order by rank"""
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        expected = con.execute(query).fetchall()
    assert len(expected) >= 10 and any(row[2] == "Petróleo Brasileiro S.A" for row in expected)
    result = _cli(published, "sql", "--format", "xlsx", query)
    assert result.returncode == 0, result.stderr
    book = tmp_path / "result.xlsx"
    book.write_bytes(result.stdout)
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["rank", "system_name", "site", "country", "rmax_tflops", "list_date"]
    assert [(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows[1:]] == expected
    csv = _cli(published, "sql", "--format", "csv", query)
    assert not csv.stdout.startswith(b"\xef\xbb\xbf") and "Petróleo".encode() in csv.stdout


def test_xlsx_help_and_terminal_refusal(published):
    helped = _cli(published, "sql", "--help", columns=200)
    assert b"xlsx" in helped.stdout and b"byte-order" in helped.stdout
    with pytest.raises(analyst.QueryError, match="do not fit an Excel worksheet"):
        analyst.write_xlsx(analyst.Result(["n"], [(1,)] * analyst.EXCEL_MAX_ROWS), sys.stdout.buffer)


def test_tables_prints_one_line_per_mart(published):
    infos = analyst.marts(published)
    result = _cli(published, "tables", columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == len(infos) + 3  # header, rule, one per mart, the pointer to `describe`
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    for info, line in zip(infos, lines[2:]):
        assert line.startswith(f" marts.{info.name} ")
    described = _cli(published, "describe", "list_entries", columns=80).stdout.decode()
    entries = next(i for i in infos if i.name == "list_entries")
    assert " ".join(entries.description.split())[:200] in " ".join(described.split())


def test_pandas_reads_every_export(published):
    """`pd.read_parquet` in the project's own environment, for every Parquet file of the exports."""
    import pandas as pd
    import pyarrow.parquet as pq

    manifest = analyst.json.loads((published.exports_dir / "manifest.json").read_text())
    for entry in manifest["tables"]:
        path = published.exports_dir / entry["file"]
        frame = pd.read_parquet(path)
        assert len(frame) == entry["rows"] and list(frame.columns) == [c["name"] for c in entry["columns"]]
        assert pq.read_schema(path).metadata[b"table"].decode() == entry["table"]
