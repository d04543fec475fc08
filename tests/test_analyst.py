"""`top500 sql` and `top500 tables` against a real published warehouse (all 67 lists, dbt marts)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import make_settings  # noqa: E402

from flows import analyst
from flows.publish import file_state
from flows.settings import PROJECT_ROOT

MARTS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "marts"
KOREA = """
    select list_date, systems from marts.country_list_stats
    where country = 'South Korea' order by list_date
"""


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(settings.warehouse_dir), "CI": "1"}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _direct(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_table_output_shows_the_rows_of_the_query(published):
    out = io.StringIO()
    result = analyst.run_sql(KOREA, "table", settings=published, out=out)
    expected = _direct(published, KOREA)
    assert result.rows == expected and len(expected) > 20  # Korea has been on the list for decades
    text = out.getvalue()
    assert "list_date" in text and "systems" in text
    assert str(expected[-1][0]) in text
    assert f"{len(expected)} row(s)" in text


def test_table_output_is_capped_and_says_so(published):
    out = io.StringIO()
    result = analyst.run_sql("select * from marts.list_entries", "table", settings=published, out=out, max_rows=5)
    assert len(result.rows) == 5 and result.truncated
    assert "more rows not shown" in out.getvalue()


def test_csv_output_round_trips(published):
    out = io.StringIO()
    analyst.run_sql(KOREA, "csv", settings=published, out=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["list_date", "systems"]
    assert rows[1:] == [[d.isoformat(), str(n)] for d, n in _direct(published, KOREA)]


def test_json_output_is_valid_json_with_iso_dates(published):
    sql = KOREA + " limit 3"
    out = io.StringIO()
    analyst.run_sql(sql, "json", settings=published, out=out)
    records = json.loads(out.getvalue())
    assert records == [{"list_date": d.isoformat(), "systems": n} for d, n in _direct(published, sql)]
    out = io.StringIO()
    analyst.run_sql("select 'nan'::double as x, 1.25::decimal(5, 2) as y", "json", settings=published, out=out)
    assert json.loads(out.getvalue()) == [{"x": None, "y": 1.25}]  # strict JSON: no NaN literal


def test_cli_prints_csv_of_a_readme_question(published):
    result = _cli(published, "sql", "--format", "csv", KOREA)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "list_date,systems"
    assert len(result.stdout.splitlines()) == len(_direct(published, KOREA)) + 1


@pytest.mark.parametrize("statement", [
    "drop table marts.systems",
    "insert into marts.performance_development select * from marts.performance_development",
    "create table marts.scratch as select 1 as x",
])
def test_writes_are_refused_with_a_clear_message(published, statement):
    before = file_state(published.published_db)
    result = _cli(published, "sql", statement)
    assert result.returncode == analyst.WriteRefused.exit_code == 3
    assert "refused: the published warehouse is read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert file_state(published.published_db) == before
    with pytest.raises(analyst.WriteRefused):
        analyst.query(statement, published)


def test_bad_sql_and_missing_warehouse_are_errors_not_tracebacks(published, tmp_path):
    result = _cli(published, "sql", "selec 1")
    assert result.returncode == 1 and "query failed: Parser Error" in result.stderr
    assert "Traceback" not in result.stderr
    empty = make_settings(tmp_path)
    for args in (["sql", "select 1"], ["tables"]):
        result = _cli(empty, *args)
        assert result.returncode == 1 and "run `top500 run` first" in result.stderr, result.stderr


def _yml_descriptions() -> dict[str, str]:
    found = {}
    for path in MARTS_DIR.glob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            found[model["name"]] = " ".join(model.get("description", "").split())
    return found


def test_tables_lists_every_mart_with_its_description(published):
    infos = {m.name: m for m in analyst.marts(published)}
    in_file = {r[0] for r in _direct(published, "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert set(infos) == in_file and "list_entries" in infos
    assert infos["list_entries"].rows == 33_500
    documented = _yml_descriptions()
    for name, info in infos.items():
        assert info.description, f"marts.{name} has no description (add one to models/marts/{name}.yml)"
        if name in documented:
            assert " ".join(info.description.split()) == documented[name]
    result = _cli(published, "tables")
    assert result.returncode == 0, result.stderr
    for name in infos:
        assert f"marts.{name}" in result.stdout


def _readme_queries(path: Path = PROJECT_ROOT / "README.md") -> list[str]:
    """Every statement of the README's ```sql blocks (comment-only chunks dropped)."""
    import re

    blocks = re.findall(r"```sql\n(.*?)```", path.read_text(), flags=re.S)
    statements = [chunk for block in blocks for chunk in block.split(";")]
    return [s.strip() for s in statements
            if any(line.strip() and not line.strip().startswith("--") for line in s.splitlines())]


def test_readme_questions_answer_with_rows(published):
    queries = _readme_queries()
    if not queries:
        pytest.skip("README.md has no ```sql questions yet")
    for q in queries:
        result = analyst.query(q, published)
        assert result.rows, f"no rows for README query:\n{q}"
