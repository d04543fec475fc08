"""GX gates on real TOP500 files: the bundled lists pass, broken ones fail with a clear message."""

from __future__ import annotations

import duckdb
import pytest

from flows.load import connect, load_files
from flows.settings import Settings
from flows.sources import top500
from flows.validate import (
    ValidationFailed,
    validate_marts,
    validate_parsed,
    validate_reference,
    validate_top500,
)

# 1996-06 and 2019-11 carry the documented Rmax > Rpeak exceptions; 2019-11 also a year+1 system.
FEW = {"TOP500_199606.xls", "TOP500_201911.xls", "TOP500_202411.xlsx"}


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("TOP500_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return Settings()


def _load(settings, files, run_id="load-1"):
    parsed = top500.parse_all(files)
    with connect(settings.build_db) as con:
        load_files(con, parsed, run_id)
    return parsed


def _audit(settings, sql):
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_all_bundled_lists_pass_and_are_recorded(settings, bundled_files):
    _load(settings, bundled_files)
    report = validate_top500(settings, "run-1")
    assert len(report.batches) == 67
    assert report.evaluations == 67 * 15
    runs = _audit(settings, "select success, batches, expectations, failures from audit.validation_runs")
    assert runs == [(True, 67, 1005, 0)]
    assert (settings.warehouse_dir / "data_docs" / "index.html").exists()
    # Nothing changed: the next run has nothing left to validate.
    assert validate_top500(settings, "run-2").evaluations == 0


def _parsed(bundled_files, name):
    [parsed] = top500.parse_all([f for f in bundled_files if f.file_name == name])
    return parsed


def test_duplicated_rank_fails_before_load_and_is_recorded(settings, bundled_files):
    parsed = _parsed(bundled_files, "TOP500_202411.xlsx")
    rows = parsed.rows
    rows.loc[rows["rank"] == 12, "rank"] = 11  # the parser rejects this in files; GX must too
    with pytest.raises(ValidationFailed) as exc:
        validate_parsed(settings, "run-dup", [parsed])
    assert "TOP500_202411.xlsx: rank 11 appears twice" in str(exc.value)
    assert "expect_column_values_to_be_between(rank_count)" in str(exc.value)
    failed = _audit(settings, """select expectation, unexpected_count, message from audit.validation_results
                                 where run_id = 'run-dup' and not success order by expectation""")
    assert [f[0] for f in failed] == ["expect_column_values_to_be_between(rank_count)"]
    assert failed[0][1] == 2
    assert _audit(settings, "select success, failures from audit.validation_runs") == [(False, 1)]


def test_rmax_above_rpeak_in_build_file_fails_and_stays_failed(settings, bundled_files):
    _load(settings, [f for f in bundled_files if f.file_name in FEW])
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("""update raw.top500_entries set rpeak_tflops = rmax_tflops * 0.9
                       where source_file = 'TOP500_202411.xlsx' and rank = 3""")
        rmax, rpeak = con.execute("""select rmax_tflops, rpeak_tflops from raw.top500_entries
                                     where source_file = 'TOP500_202411.xlsx' and rank = 3""").fetchone()
    with pytest.raises(ValidationFailed) as exc:
        validate_top500(settings, "run-a")
    msg = str(exc.value)
    assert f"TOP500_202411.xlsx: rmax_tflops > rpeak_tflops at rank 3 ({rmax:.6g} > {rpeak:.6g})" in msg
    # 1996-06 and 2019-11 pass: their excesses are in the documented tolerance file.
    assert "TOP500_199606" not in msg and "TOP500_201911" not in msg
    # Unchanged input is validated again next run (it never passed), so it cannot slip through.
    with pytest.raises(ValidationFailed):
        validate_top500(settings, "run-b")
    assert _audit(settings, "select run_id, batches from audit.validation_runs order by run_id") == [
        ("run-a", 3), ("run-b", 1)]


def test_unknown_country_and_rising_rmax_fail(settings, bundled_files):
    parsed = _parsed(bundled_files, "TOP500_202411.xlsx")
    rows = parsed.rows
    rows.loc[rows["rank"] == 7, "country"] = "Atlantis"
    rows.loc[rows["rank"] == 100, "rmax_tflops"] = rows.loc[rows["rank"] == 50, "rmax_tflops"].iloc[0]
    with pytest.raises(ValidationFailed) as exc:
        validate_parsed(settings, "run-c", [parsed])
    msg = str(exc.value)
    assert "TOP500_202411.xlsx: unknown country 'Atlantis' at rank 7" in msg
    assert "TOP500_202411.xlsx: rmax_tflops rises with rank: rank 100 has" in msg
    # Rank 100 now also exceeds its own Rpeak: three distinct rules broke, each reported.
    assert sorted(o.expectation for o in exc.value.report.failures) == [
        "expect_column_pair_values_a_to_be_greater_than_b(rmax_of_rank_above,rmax_tflops)",
        "expect_column_pair_values_a_to_be_greater_than_b(rpeak_allowed_tflops,rmax_tflops)",
        "expect_column_values_to_be_in_set(country)",
    ]


def test_marts_suites_skip_absent_tables_and_say_so(settings, bundled_files):
    _load(settings, [f for f in bundled_files if f.file_name in FEW])
    with connect(settings.build_db) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
    if "demand_forecast" in tables:
        pytest.skip("marts.demand_forecast exists in this build: nothing is skipped")
    try:
        report = validate_marts(settings, "run-m")
        skipped = report.skipped
    except ValidationFailed as exc:  # required marts absent in a raw-only build: recorded as failures
        skipped = exc.report.skipped
        assert any("does not exist" in o.messages[0] for o in exc.report.failures)
    assert any(s.startswith("demand_forecast") for s in skipped)
    recorded = _audit(settings, "select message from audit.validation_runs where run_id = 'run-m'")[0][0]
    assert "skipped demand_forecast" in recorded


def test_a_broken_mart_fails_the_marts_gate_with_its_rows_named(tmp_path, published):
    import shutil

    mine = Settings(warehouse_dir=tmp_path / "warehouse")
    mine.build_dir.mkdir(parents=True)
    shutil.copy(published.build_db, mine.build_db)
    validate_marts(mine, "run-ok")  # the real marts pass
    with duckdb.connect(str(mine.build_db)) as con:
        japan = con.execute("select systems from marts.country_list_stats "
                            "where list_date = '2020-11-01' and country = 'Japan'").fetchone()[0]
        con.execute("delete from marts.country_list_stats where list_date = '2020-11-01' and country = 'Japan'")
        con.execute("update marts.list_entries set system_key = 'no-such-system' "
                    "where list_date = '2020-11-01' and rank = 1")
    with pytest.raises(ValidationFailed) as exc:
        validate_marts(mine, "run-broken")
    message = str(exc.value)
    assert f"2020-11: countries' systems sum to {500 - japan}, not 500" in message
    assert "system_key 'no-such-system' (2020-11 rank 1) is not in marts.systems" in message
    runs = _audit(mine, "select run_id, success from audit.validation_runs order by started_at")
    assert runs[-2:] == [("run-ok", True), ("run-broken", False)]


def test_an_implausible_spec_fails_the_reference_gate(settings):
    from flows.sources import epoch

    bundled = Settings(warehouse_dir=settings.warehouse_dir.parent / "unused")
    parsed = [epoch.parse(f) for f in epoch.collect("bundled", bundled) if f.file_name == "ml_hardware.csv"]
    rows = parsed[0].rows
    a100 = rows.index[rows["hardware_name"] == "NVIDIA A100 SXM4 40 GB"][0]
    rows.loc[a100, "fp64_tflops"] = 9.7e9  # 9.7e21 FLOP/s: a unit slip no accelerator has
    with connect(settings.build_db) as con:
        load_files(con, parsed, "load-spec")
    with pytest.raises(ValidationFailed) as exc:
        validate_reference(settings, "run-spec")
    assert "fp64_tflops is 9.7e+09" in str(exc.value) and "NVIDIA A100 SXM4 40 GB" in str(exc.value)
