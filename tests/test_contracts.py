"""The marts' dbt model contracts: what BI tools see in the published schema (types, NOT NULL, CHECK,
PRIMARY KEY, column comments), and a violated constraint stopping the real `top500 run` with nothing published."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from flows.files import sha256_of
from flows.settings import PROJECT_ROOT
from support.warehouses import copy_bundled

MARTS_DIR = PROJECT_ROOT / "dbt_project" / "models" / "marts"
# DuckDB's own names; no DECIMAL (BI tools read it as a fixed-point string), no unsigned or HUGEINT types
PLAIN_TYPES = {"date", "varchar", "integer", "bigint", "double", "boolean", "timestamp"}
# what a constraint cannot say: a cross-model fact, a goal that only warns, a fact of the real lists
COLUMN_TESTS_KEPT = {"relationships", "accepted_range"}


def declared_marts() -> dict[str, dict]:
    """{mart name: its model entry} from the marts' YAML files."""
    marts = {}
    for path in sorted(MARTS_DIR.glob("*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            marts[model["name"]] = model
    return marts


def constraint_types(column: dict) -> list[str]:
    return [c["type"] for c in column.get("constraints", [])]


def test_every_mart_declares_an_enforced_contract():
    marts = declared_marts()
    assert set(marts) == {p.stem for p in MARTS_DIR.glob("*.sql")}
    for name, model in marts.items():
        assert model["config"]["contract"]["enforced"] is True, name
        for column in model["columns"]:
            where = f"{name}.{column['name']}"
            assert column["data_type"] in PLAIN_TYPES, where
            assert column["description"].strip(), where
            for test in column.get("data_tests", []):
                kind, spec = next(iter(test.items())) if isinstance(test, dict) else (test, {})
                # a range or not-null rule belongs in `constraints:`, unless it only warns or is a known answer
                assert kind in COLUMN_TESTS_KEPT, f"{where}: test {kind} could be a constraint"
                if kind == "accepted_range":
                    config = spec.get("config", {})
                    assert config.get("severity") == "warn" or "known_answers" in config.get("tags", []), where


@pytest.fixture(scope="module")
def published_schema(published):
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        columns = con.execute(
            """select table_name, column_name, data_type, is_nullable, comment from duckdb_columns()
               where schema_name = 'marts' order by table_name, column_index"""
        ).fetchall()
        constraints = con.execute(
            """select table_name, constraint_type, constraint_column_names, constraint_text from duckdb_constraints()
               where schema_name = 'marts'"""
        ).fetchall()
    return columns, constraints


def test_published_marts_are_typed_and_not_null_as_declared(published_schema):
    columns, constraints = published_schema
    published = {(t, c): (data_type, nullable, comment) for t, c, data_type, nullable, comment in columns}
    # the examples BI tools rely on most
    assert published["list_entries", "rank"][:2] == ("INTEGER", False)
    assert published["list_entries", "system_key"][:2] == ("VARCHAR", False)
    assert published["list_entries", "rmax_tflops"][:2] == ("DOUBLE", False)
    assert published["list_entries", "accelerator"][:2] == ("VARCHAR", True)
    assert published["performance_trend", "n_lists"][:2] == ("INTEGER", False)
    assert ("list_entries", "CHECK", ["rank"], "CHECK((rank BETWEEN 1 AND 500))") in constraints
    assert ("systems", "PRIMARY KEY", ["system_key"], "PRIMARY KEY(system_key)") in constraints

    for name, model in declared_marts().items():
        in_file = [c for t, c, *_ in columns if t == name]
        assert in_file == [c["name"] for c in model["columns"]], f"{name}: columns or their order differ"
        for column in model["columns"]:
            where = f"{name}.{column['name']}"
            data_type, nullable, comment = published[name, column["name"]]
            kinds = constraint_types(column)
            assert data_type == column["data_type"].upper(), where
            assert nullable == ("not_null" not in kinds and "primary_key" not in kinds), where
            assert comment == column["description"], f"{where}: description not persisted"
            # a check on this column (DuckDB lists every column a check reads, e.g. `x between 1 and entries`)
            checks = [
                text
                for t, kind, cols, text in constraints
                if (t, kind) == (name, "CHECK") and cols[0] == column["name"]
            ]
            assert len(checks) == kinds.count("check"), where
            for kind in ("primary_key", "unique"):
                held = (name, kind.replace("_", " ").upper(), [column["name"]])
                assert (held in [(t, k, cols) for t, k, cols, _ in constraints]) == (kind in kinds), where


def _copy_project(dst: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "dbt_project", dst, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name}: {old!r} not found once"
    path.write_text(text.replace(old, new))


def _run_error(stderr: str) -> str:
    """What `top500 run` says last (Prefect's log above it repeats the exception's traceback)."""
    marker = "error: dbt failed; the published warehouse is unchanged:"
    assert marker in stderr, stderr[-3000:]
    message = stderr.rsplit(marker, 1)[1]
    return message


@pytest.mark.slow
def test_violated_constraints_stop_the_run_and_publish_nothing(cli, tmp_path):
    project = _copy_project(tmp_path / "dbt_project")
    env = {"TOP500_DBT_PROJECT_DIR": str(project)}
    src = copy_bundled(tmp_path / "lists", ["TOP500_202311.xlsx", "TOP500_202406.xlsx"])
    cli("run", "--source", str(src), check=True, extra_env=env)
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)

    # two independent marts break at once (changed models change the code fingerprint: the run rebuilds):
    # a NULL in a NOT NULL column, and a negative value in a CHECK (> 0) column
    marts = project / "models" / "marts"
    _edit(
        marts / "list_entries.sql",
        "    system_keys.system_key,\n",
        "    case when entries.rank = 7 then null else system_keys.system_key end as system_key,\n",
    )
    _edit(
        marts / "demand_growth_fits.sql",
        "        fits.doubling_time_months,\n",
        "        -fits.doubling_time_months as doubling_time_months,\n",
    )
    result = cli("run", "--source", str(src), extra_env=env)
    assert result.returncode != 0
    message = _run_error(result.stderr)
    assert "Runtime Error in model list_entries" in message
    assert "NOT NULL constraint failed: list_entries__dbt_tmp.system_key" in message
    assert "Runtime Error in model demand_growth_fits" in message
    assert "CHECK constraint failed" in message and "doubling_time_months > 0" in message
    assert sha256_of(published) == before
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.list_entries where system_key is null").fetchone()[0] == 0
        assert con.execute("select min(doubling_time_months) from marts.demand_growth_fits").fetchone()[0] > 0
