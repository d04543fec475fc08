"""BI access to a real published warehouse: Parquet exports + manifest, DuckDB 1.4.x, SQLAlchemy duckdb_engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import create_engine, inspect, text

from flows import exports
from flows.files import sha256_of
from flows.publish import file_state
from flows.settings import Settings
from support.warehouses import BUNDLED_KEYS, private_copy


@pytest.fixture(scope="module")
def exported(published, tmp_path_factory) -> tuple[Settings, dict]:
    settings = private_copy(published, tmp_path_factory.mktemp("exports"))
    manifest = exports.write_exports(settings.published_db, settings.exports_dir)
    return settings, json.loads(manifest.read_text())


def _marts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            n
            for (n,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def test_manifest_describes_every_mart(exported):
    settings, manifest = exported
    marts = _marts(settings.published_db)
    assert len(marts) >= 11
    assert {t["table"] for t in manifest["tables"]} == {f"marts.{n}" for n in marts}
    assert manifest["published_file"]["sha256"] == file_state(settings.published_db).sha256
    assert manifest["list_range"] == {"min": "1993-06-01", "max": f"{BUNDLED_KEYS[-1]}-01"}
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        for entry in manifest["tables"]:
            name = entry["table"].split(".", 1)[1]
            parquet = settings.exports_dir / entry["file"]
            assert entry["rows"] == marts[name], name
            assert entry["sha256"] == sha256_of(parquet), name
            assert entry["bytes"] == parquet.stat().st_size
            cols = con.execute(
                "select column_name, data_type, comment from duckdb_columns() where "
                "schema_name = 'marts' and table_name = ? order by column_index",
                [name],
            ).fetchall()
            assert [c["name"] for c in entry["columns"]] == [c for c, _, _ in cols]
            for exported, (column, dtype, comment) in zip(entry["columns"], cols):
                assert exported["type"] == exports._EXPORT_TYPES.get(dtype, dtype), (name, column)
                assert exported["description"] == " ".join(comment.split()) and comment, (name, column)
            if "list_date" in [c for c, _, _ in cols]:
                lo, hi = con.execute(f'select min(list_date), max(list_date) from marts."{name}"').fetchone()
                assert entry["list_range"] == {"min": lo.isoformat(), "max": hi.isoformat()}
            else:
                assert entry["list_range"] is None
    finally:
        con.close()
    by_name = {t["table"]: t for t in manifest["tables"]}
    assert by_name["marts.list_entries"]["rows"] == 500 * len(BUNDLED_KEYS)
    assert by_name["marts.list_entries"]["grain"] == "one row per list_date x rank"
    assert by_name["marts.systems"]["description"].startswith("One row per system (system_key)")
    assert by_name["marts.performance_development"]["rows"] == len(BUNDLED_KEYS)


def test_parquet_holds_exactly_the_table(exported):
    """Row for row, both directions (EXCEPT ALL keeps duplicates), for every mart."""
    settings, manifest = exported
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        for entry in manifest["tables"]:
            parquet = str(settings.exports_dir / entry["file"])
            for a, b in (
                (entry["table"], f"read_parquet('{parquet}')"),
                (f"read_parquet('{parquet}')", entry["table"]),
            ):
                missing = con.execute(f"select count(*) from (from {a} except all from {b})").fetchone()[0]
                assert missing == 0, f"{entry['table']}: {missing} rows of {a} not in {b}"
    finally:
        con.close()


def _kv(con, parquet: Path) -> dict[str, str]:
    return {
        k.decode(): v.decode()
        for k, v in con.execute("select key, value from parquet_kv_metadata(?)", [str(parquet)]).fetchall()
    }


def test_parquet_files_carry_their_descriptions_and_no_unsigned_types(exported):
    settings, manifest = exported
    con = duckdb.connect()
    try:
        for entry in manifest["tables"]:
            parquet = settings.exports_dir / entry["file"]
            kv = _kv(con, parquet)
            assert kv["table"] == entry["table"] and kv["description"] == entry["description"] != ""
            assert kv["grain"] == entry["grain"]
            assert json.loads(kv["column_descriptions"]) == {c["name"]: c["description"] for c in entry["columns"]}
            kinds = con.execute(
                "select name, converted_type from parquet_schema(?) where converted_type like 'UINT%'", [str(parquet)]
            ).fetchall()
            assert kinds == [], f"{entry['file']}: unsigned columns {kinds}"
        n_lists = con.execute(
            "select converted_type from parquet_schema(?) where name = 'n_lists'",
            [str(settings.exports_dir / "performance_trend.parquet")],
        ).fetchone()
        assert n_lists[0] in ("INT_32", "INT_64", None), n_lists  # was UINT_32 (regr_count)
    finally:
        con.close()


def test_unsigned_and_hugeint_columns_export_as_exact_signed_types(published, tmp_path):
    """Whatever type a mart ends up with, the export gives BI tools a signed one holding the same values."""
    settings = private_copy(published, tmp_path)
    values = {
        "u8": "255::utinyint",
        "u16": "65535::usmallint",
        "u32": "4294967295::uinteger",
        "u64": "18446744073709551615::ubigint",
        "i128": "170141183460469231731687303715884105::hugeint",
    }
    with duckdb.connect(str(settings.published_db)) as con:
        con.execute("create table marts.zz_types as select " + ", ".join(f"{v} as {k}" for k, v in values.items()))
        con.execute("comment on column marts.zz_types.u32 is 'a count'")
    manifest = exports.write_exports(settings.published_db, settings.exports_dir)
    entry = next(t for t in json.loads(manifest.read_text())["tables"] if t["table"] == "marts.zz_types")
    assert {c["name"]: c["type"] for c in entry["columns"]} == {
        "u8": "SMALLINT",
        "u16": "INTEGER",
        "u32": "BIGINT",
        "u64": "DECIMAL(20,0)",
        "i128": "DECIMAL(38,0)",
    }
    assert next(c for c in entry["columns"] if c["name"] == "u32")["description"] == "a count"
    parquet = settings.exports_dir / entry["file"]
    con = duckdb.connect()
    try:
        kinds = dict(
            con.execute(
                "select name, type from parquet_schema(?) where name <> 'duckdb_schema'", [str(parquet)]
            ).fetchall()
        )
        assert kinds == {
            "u8": "INT32",
            "u16": "INT32",
            "u32": "INT64",
            "u64": "FIXED_LEN_BYTE_ARRAY",
            "i128": "FIXED_LEN_BYTE_ARRAY",
        }
        row = con.execute(
            "select u8, u16, u32, u64::varchar, i128::varchar from read_parquet(?)", [str(parquet)]
        ).fetchone()
        assert row == (255, 65535, 4294967295, "18446744073709551615", "170141183460469231731687303715884105")
    finally:
        con.close()


def test_exposures_name_every_published_mart(published):
    """dbt exposures (models/exposures.yml) must keep up with the marts the exports write."""
    manifest = json.loads((published.build_dir / "dbt" / "target" / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"warehouse_report", "parquet_exports"}
    exported_nodes = set(exposures["parquet_exports"]["depends_on"]["nodes"])
    assert exported_nodes == {f"model.top500_warehouse.{n}" for n in _marts(published.published_db)}
    report_nodes = set(exposures["warehouse_report"]["depends_on"]["nodes"])
    assert "model.top500_warehouse.country_list_stats" in report_nodes and report_nodes <= exported_nodes


# --- DuckDB 1.4.x, what BI drivers bundle -------------------------------------------------------

PROBE_14 = textwrap.dedent("""
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    marts = {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for (n,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    views = [f"{s}.{v}" for s, v in con.execute(
        "select schema_name, view_name from duckdb_views() where not internal").fetchall()]
    view_rows = {v: con.execute(f"select count(*) from {v}").fetchone()[0] for v in views}
    korea = con.execute("select systems from marts.country_list_stats "
                        "where country = 'South Korea' and list_label = '2026-06'").fetchone()[0]
    parquet = {f: con.execute(f"select count(*) from read_parquet('{sys.argv[2]}/{f}')").fetchone()[0]
               for f in sys.argv[3:]}
    print(json.dumps({"version": duckdb.__version__, "marts": marts, "views": view_rows, "korea": korea,
                      "parquet": parquet}))
""")


def test_published_file_and_exports_open_in_duckdb_14(exported, duckdb14_python):
    settings, manifest = exported
    files = [t["file"] for t in manifest["tables"]]
    out = subprocess.run(
        [str(duckdb14_python), "-c", PROBE_14, str(settings.published_db), str(settings.exports_dir), *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["version"].startswith("1.4.")
    assert seen["marts"] == _marts(settings.published_db)
    assert all(n > 0 for n in seen["views"].values()), seen["views"]  # any view the contract grows must resolve
    assert seen["korea"] == 19
    assert seen["parquet"] == {t["file"]: t["rows"] for t in manifest["tables"]}


# --- SQLAlchemy duckdb_engine, what Superset uses ----------------------------------------------


@pytest.fixture
def engine(published):
    eng = create_engine(f"duckdb:///{published.published_db}", connect_args={"read_only": True})
    yield eng
    eng.dispose()


def test_duckdb_engine_lists_and_queries_the_marts(engine, published):
    expected = _marts(published.published_db)  # before the engine connects: one config per file per process
    inspector = inspect(engine)
    assert "top500.marts" in inspector.get_schema_names()
    assert sorted(inspector.get_table_names(schema="marts")) == sorted(expected)
    with engine.connect() as con:
        rows = con.execute(
            text(
                "select country, systems from marts.country_list_stats "
                "where list_label = '2026-06' order by systems desc limit 3"
            )
        ).fetchall()
        assert rows[0] == ("United States", 161)
        with pytest.raises(sqlalchemy.exc.ProgrammingError, match="read-only"):
            con.execute(text("create table marts.bi_probe as select 1 as x"))
    # a second read-only reader (another BI worker) at the same time is fine
    with (
        engine.connect() as a,
        create_engine(f"duckdb:///{published.published_db}", connect_args={"read_only": True}).connect() as b,
    ):
        assert a.execute(text("select count(*) from marts.list_entries")).scalar() == 500 * len(BUNDLED_KEYS)
        assert b.execute(text("select count(*) from marts.performance_development")).scalar() == len(BUNDLED_KEYS)


def test_duckdb_engine_reflects_columns(engine):
    """Superset's dataset editor reflects columns. SQLAlchemy >= 2.0.45 does that through
    pg_catalog.pg_collation, which DuckDB 2.0 lacks (Mause/duckdb_engine#1379, #1391), hence the
    SQLAlchemy 2.0.44 pin in requirements.lock; this test fails if a lock change breaks it again."""
    cols = inspect(engine).get_columns("country_list_stats", schema="marts")
    assert [c["name"] for c in cols][:2] == ["list_date", "list_label"]


def test_documented_sqlalchemy_uri_is_read_only(published, tmp_path):
    """The BI section's Superset URI: reads the marts, refuses writes, and leaves room for other readers."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "analysts.md").read_text()
    assert "duckdb:////abs/path/warehouse/top500.duckdb?access_mode=READ_ONLY" in guide
    # a file of its own: DuckDB admits one configuration per file and process, and other tests of this
    # session open the shared published file with theirs
    published = private_copy(published, tmp_path)
    uri = f"duckdb:///{published.published_db}?access_mode=READ_ONLY"
    assert uri.startswith("duckdb:////")
    before = file_state(published.published_db)
    engine = create_engine(uri)
    try:
        with engine.connect() as con:
            assert con.execute(text("select count(*) from marts.list_entries")).scalar() == 500 * len(BUNDLED_KEYS)
            with pytest.raises(sqlalchemy.exc.ProgrammingError, match="read-only"):
                con.execute(text("create table marts.bi_probe as select 1 as x"))
            # while the BI tool holds it, an analyst's `top500 sql` still opens it (read-only beside read-only)
            env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(published.warehouse_dir), "CI": "1"}
            other = subprocess.run(
                [sys.executable, "-m", "flows.cli", "sql", "--format", "csv", "select 1 as one"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert other.returncode == 0 and other.stdout == "one\n1\n", other.stderr
    finally:
        engine.dispose()
    assert file_state(published.published_db) == before
