"""`top500 sql`, `tables`, `describe` and `shell` against a real published warehouse (every bundled list, dbt marts)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time

import duckdb
import pytest
import yaml

from flows import analyst
from flows.publish import file_state
from flows.settings import PROJECT_ROOT
from support.warehouses import BUNDLED_KEYS, make_settings, private_copy

MARTS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "marts"
KOREA = """
    select list_date, systems from marts.country_list_stats
    where country = 'South Korea' order by list_date
"""


def _cli(settings, *args: str, columns: int | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(settings.warehouse_dir), "CI": "1"}
    env.pop("COLUMNS", None)
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, text=True, timeout=120, input=stdin
    )


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


@pytest.mark.parametrize(
    "statement",
    [
        "drop table marts.systems",
        "insert into marts.performance_development select * from marts.performance_development",
        "create table marts.scratch as select 1 as x",
    ],
)
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
    assert infos["list_entries"].rows == 500 * len(BUNDLED_KEYS)
    documented = _yml_descriptions()
    for name, info in infos.items():
        assert info.description, f"marts.{name} has no description (add one to models/marts/{name}.yml)"
        if name in documented:
            # a mart whose figures stop where a source's data does says where, after its description
            described, _, coverage = " ".join(info.description.split()).partition(" Data coverage in this build: ")
            assert described == documented[name]
            if name in ("national_compute", "ai_clusters"):
                assert "epoch_gpu_clusters from 2010-11-15 to 2025-07-22" in coverage, coverage
    result = _cli(published, "tables")
    assert result.returncode == 0, result.stderr
    for name in infos:
        assert f"marts.{name}" in result.stdout


def test_every_analyst_question_answers_with_rows(published):
    """docs/analysts.md is the one place the questions live: each runs through the analysts' door."""
    questions = analyst.analyst_questions()
    text = analyst.QUESTIONS.read_text()
    assert len(questions) == len(re.findall(r"^-- \d+\. ", text, flags=re.M)) >= 12
    for heading, sql in questions.items():
        result = analyst.query(sql, published)
        assert result.rows, f"no rows for the analyst question {heading!r}:\n{sql}"


# --- readable answers at any terminal width -----------------------------------------------------

FIRST_QUERY = "select * from marts.performance_development order by list_date desc limit 5"


def test_narrow_terminal_shows_every_value_whole_one_field_per_line(published):
    """At 80 columns the 11 columns do not fit: one field per line, every number and date whole."""
    result = _cli(published, "sql", FIRST_QUERY, columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 80, "nothing wider than the terminal"
    assert "…" not in result.stdout
    assert lines[0].startswith("-[ RECORD 1 ]") and lines[-1] == "5 row(s)"
    rows = _direct(published, FIRST_QUERY)
    fields = {}
    for line in lines:
        if " | " in line and not line.startswith("-["):
            name, value = line.split(" | ", 1)
            fields.setdefault(name.strip(), []).append(value.strip())
    assert fields["list_date"] == [r[0].isoformat() for r in rows]
    assert fields["total_rmax_tflops"] == [f"{r[5]:.2f}" for r in rows]  # 18732742.16, not 187…
    assert fields["list_year_fraction"] == [f"{r[3]:.4f}" for r in rows]  # 2026.4167, not 2026.4166666666667
    assert fields["systems"] == ["500"] * 5
    # numbers share one right edge within a record
    record = lines[1:12]
    numeric = [line for line in record if line.split(" | ")[0].strip() in ("edition", "systems", "total_rmax_tflops")]
    assert len({len(line) for line in numeric}) == 1, numeric


def test_wide_terminal_prints_an_aligned_table_with_numbers_right_aligned(published):
    result = _cli(published, "sql", FIRST_QUERY, columns=250)
    assert result.returncode == 0, result.stderr
    header, _rule, *body, footer = result.stdout.splitlines()
    assert footer == "5 row(s)" and len(body) == 5
    names = [h.strip() for h in header.split("|")]
    assert names[:3] == ["list_date", "list_label", "edition"]
    cells = [list(line.split("|")) for line in body]
    rmax = names.index("total_rmax_tflops")
    assert [c[rmax].strip() for c in cells] == [f"{r[5]:.2f}" for r in _direct(published, FIRST_QUERY)]
    for row in cells:  # right-aligned: padding on the left, one space before the separator
        assert row[rmax].endswith(" ") and not row[rmax].endswith("  ") and row[rmax].startswith("  ")
        assert row[0].strip() == row[0][1:].rstrip(), "text left-aligned"
    assert _cli(published, "sql", "-x", FIRST_QUERY, columns=250).stdout.startswith("-[ RECORD 1 ]")
    assert _cli(published, "sql", "--aligned", FIRST_QUERY, columns=80).stdout.splitlines()[1].startswith("---")


def test_null_and_empty_string_differ_in_table_csv_and_json(published):
    q = "select NULL as a, '' as b, 'x,\"y\"' as c, 0.1::double as d, true as e"
    table = _cli(published, "sql", q, columns=120).stdout.splitlines()
    assert table[2].split("|")[0].strip() == "NULL" and table[2].split("|")[1].strip() == ""
    text = _cli(published, "sql", "--format", "csv", q).stdout
    assert text.splitlines()[1] == ',"","x,""y""",0.1,true'
    assert json.loads(_cli(published, "sql", "--format", "json", q).stdout) == [
        {"a": None, "b": "", "c": 'x,"y"', "d": 0.1, "e": True}
    ]


def test_marts_is_the_default_schema(published):
    result = _cli(published, "sql", "--format", "csv", "select count(*) as n from systems")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == str(_direct(published, "select count(*) from marts.systems")[0][0])
    shown = _cli(published, "sql", "--format", "csv", "show tables").stdout.splitlines()[1:]
    marts = {r[0] for r in _direct(published, "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert set(shown) == marts


def test_query_from_standard_input(published):
    result = _cli(published, "sql", "--format", "csv", "-", stdin="select 41 + 1 as answer\n")
    assert result.returncode == 0 and result.stdout == "answer\n42\n", result.stderr
    empty = _cli(published, "sql", "-", stdin="")
    assert empty.returncode == 2 and "no SQL given" in empty.stderr


@pytest.mark.parametrize("value", ["0", "-1"])
def test_max_rows_must_be_positive(published, value):
    result = _cli(published, "sql", "--max-rows", value, "select 1")
    assert result.returncode == 2
    assert f"--max-rows must be at least 1 (got {value})" in result.stderr
    assert result.stdout == ""


def test_help_has_no_type_placeholders(published):
    for args in (
        ["--help"],
        ["sql", "--help"],
        ["describe", "--help"],
        ["tables", "--help"],
        ["shell", "--help"],
        ["schedule", "--help"],
        ["docs", "--help"],
        ["run", "--help"],
    ):
        result = _cli(published, *args, columns=100)
        assert result.returncode == 0, (args, result.stderr)
        for placeholder in ("<bool>", "<str>", "<int>", "{"):
            assert placeholder not in result.stdout, f"top500 {' '.join(args)} shows {placeholder}:\n{result.stdout}"
    assert "Usage: top500 sql [OPTIONS] SQL" in _cli(published, "sql", "--help", columns=100).stdout


# --- the read-only door ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "statement"),
    [
        ("copy onto the published file", "COPY (select 'x' as x) TO '{published}' (FORMAT csv)"),
        ("copy elsewhere", "COPY marts.systems TO '{target}' (FORMAT csv)"),
        ("export database", "EXPORT DATABASE '{target}'"),
        ("attach for writing", "ATTACH '{target}' AS scratch (READ_WRITE)"),
        ("install", "INSTALL httpfs"),
        ("load", "LOAD httpfs"),
    ],
)
def test_no_statement_writes_a_file(published, tmp_path, name, statement):
    settings = private_copy(published, tmp_path)
    target = tmp_path / "written"
    before = file_state(settings.published_db)
    sql = statement.format(published=settings.published_db, target=target)
    result = _cli(settings, "sql", sql)
    assert result.returncode == 3, (name, result.stdout, result.stderr)
    assert result.stderr.startswith("refused:"), result.stderr
    assert "Traceback" not in result.stderr
    assert file_state(settings.published_db) == before, "the published file is byte-identical"
    assert not target.exists()
    assert sorted(p.name for p in settings.warehouse_dir.iterdir()) == ["top500.duckdb"], "no file beside it"


def test_reading_files_and_unlocking_are_refused_too(published, tmp_path):
    (tmp_path / "mine.csv").write_text("a\n1\n")
    for sql in (
        f"select * from read_csv('{tmp_path / 'mine.csv'}')",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
    ):
        result = _cli(published, "sql", sql)
        assert result.returncode == 3 and result.stderr.startswith("refused:"), (sql, result.stderr)


def test_every_published_relation_reads_with_external_access_off(published):
    relations = _direct(
        published,
        "select schema_name, table_name from duckdb_tables() union all "
        "select schema_name, view_name from duckdb_views() where not internal",
    )
    assert {schema for schema, _ in relations} == {"marts", "audit", "raw"}, "only the contract and its lineage"
    for schema, name in relations:
        analyst.query(f'select count(*) from "{schema}"."{name}"', published)
    settings = analyst.query(
        "select current_setting('enable_external_access'), current_setting('lock_configuration'), current_schema()",
        published,
    ).rows
    assert settings == [(False, True, "marts")]


# --- describe: the grain and the columns ------------------------------------------------------------


def _yml_models() -> dict[str, dict]:
    return {m["name"]: m for path in MARTS_DIR.glob("*.yml") for m in yaml.safe_load(path.read_text())["models"]}


def test_describe_shows_grain_and_every_column_with_its_description(published):
    result = _cli(published, "describe", "marts.systems", columns=250)
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    model = _yml_models()["systems"]
    assert out[0] == f"marts.systems (table, {_direct(published, 'select count(*) from marts.systems')[0][0]:,} rows)"
    assert out[1] == " ".join(model["description"].split())
    assert out[2] == "Grain: one row per system_key"
    columns = _direct(
        published,
        "select column_name, data_type, is_nullable from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'systems' order by column_index",
    )
    described = {c["name"]: " ".join(c["description"].split()) for c in model["columns"]}
    for name, dtype, nullable in columns:
        line = next(line for line in out if line.startswith(f" {name} "))
        cells = [c.strip() for c in line.split("|")]
        assert cells == [name, dtype, "yes" if nullable else "not null", described[name]]
    assert out[-1] == f"{len(columns)} column(s)"
    narrow = _cli(published, "describe", "systems", columns=80)
    assert narrow.returncode == 0 and max(map(len, narrow.stdout.splitlines())) <= 80


def test_describe_unknown_table_suggests_a_name(published):
    result = _cli(published, "describe", "sytems")
    assert result.returncode == 1 and "did you mean" in result.stderr and "systems" in result.stderr
    audit = _cli(published, "describe", "audit.pipeline_runs", columns=200)
    assert audit.returncode == 0 and "run_id" in audit.stdout and "Grain: (not declared)" in audit.stdout


def test_every_mart_declares_its_grain_and_the_grain_holds(published):
    """The grain in each mart's YAML (config.meta.grain) reaches the published table comment, and no two rows
    share it: a declared grain is a checked fact, not a comment."""
    models = _yml_models()
    for mart in analyst.marts(published):
        declared = models[mart.name].get("config", {}).get("meta", {}).get("grain")
        assert declared is not None, f"models/marts/{mart.name}.yml declares no config.meta.grain"
        assert mart.grain == (f"one row per {' x '.join(declared)}" if declared else "one row"), mart.name
        key = ", ".join(declared) or "1"
        dupes = analyst.query(
            f"select count(*) from (select {key} from marts.{mart.name} group by all having count(*) > 1)", published
        ).rows[0][0]
        assert dupes == 0, f"marts.{mart.name}: {dupes} values of its grain ({key}) repeat"
        if not declared:
            assert mart.rows == 1


# --- the DuckDB shell --------------------------------------------------------------------------------


def _shell(settings, script: str) -> subprocess.CompletedProcess:
    return _cli(settings, "shell", stdin=script)


def test_shell_reads_marts_and_writes_nothing(published, tmp_path):
    settings = private_copy(published, tmp_path)
    before = file_state(settings.published_db)
    out = _shell(
        settings,
        ".mode csv\nselect count(*) as n from systems;\n"
        "select current_setting('enable_external_access') as ext, "
        "current_setting('lock_configuration') as locked;\n",
    )
    assert out.returncode == 0, out.stderr
    n = _direct(settings, "select count(*) from marts.systems")[0][0]
    assert out.stdout.split() == ["n", str(n), "ext,locked", "false,true"]
    target = tmp_path / "out"
    for script, refusal in [
        (f"COPY (select 1) TO '{target}.csv';", "disabled by configuration"),
        (f"COPY (select 'x') TO '{settings.published_db}' (FORMAT csv);", "disabled by configuration"),
        (f"ATTACH '{target}.duckdb' AS w;", "disabled by configuration"),
        ("SET enable_external_access = true;", "configuration has been locked"),
        (f".output {target}.txt", "cannot be used in -safe mode"),
        (f".once {target}.txt", "cannot be used in -safe mode"),
        (f".shell touch {target}.sh", "cannot be used in -safe mode"),
        (f".open {target}.db", "cannot be used in -safe mode"),
        ("INSTALL httpfs;", "disabled by configuration"),
    ]:
        result = _shell(settings, script + "\nselect 'still here' as s;\n")
        assert refusal in result.stdout + result.stderr, (script, result.stdout, result.stderr)
        assert "still here" in result.stdout
    assert file_state(settings.published_db) == before
    assert not list(tmp_path.glob("out*")), "no file written"


# --- a tool holding the published file read-write ---------------------------------------------------

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write, as a BI tool without read-only mode opens it
print("holding", flush=True)
time.sleep(120)
"""


def test_a_read_write_holder_gets_one_line_not_a_traceback(published, tmp_path):
    settings = private_copy(published, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(settings.published_db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        for args in (["sql", "select 1"], ["tables"], ["describe", "systems"], ["coverage"]):
            result = _cli(settings, *args)
            assert result.returncode == 4, (args, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, (args, result.stderr)
            assert f"is locked by another process that opened it read-write (PID {holder.pid}" in lines[0]
            assert "read-only" in lines[0]
        status = _cli(settings, "status")
        assert "Traceback" not in status.stderr
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    assert _cli(settings, "sql", "select 1").returncode == 0, "readable again once the holder is gone"
