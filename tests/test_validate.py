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
)
from support.warehouses import BUNDLED_KEYS

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


def test_all_bundled_lists_pass_and_are_recorded(settings, parsed_lists):
    """The gate the flow runs (validate_parsed, before loading) on every bundled list (67 to 2026-06)."""
    report = validate_parsed(settings, "run-1", list(parsed_lists.values()))
    n = len(parsed_lists)
    assert len(report.batches) == n
    assert report.evaluations == n * 21
    runs = _audit(settings, "select success, batches, expectations, failures from audit.validation_runs")
    assert runs == [(True, n, n * 21, 0)]
    assert (settings.warehouse_dir / "data_docs" / "index.html").exists()


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
    failed = _audit(
        settings,
        """select expectation, unexpected_count, message from audit.validation_results
                                 where run_id = 'run-dup' and not success order by expectation""",
    )
    assert [f[0] for f in failed] == ["expect_column_values_to_be_between(rank_count)"]
    assert failed[0][1] == 2
    assert _audit(settings, "select success, failures from audit.validation_runs") == [(False, 1)]


def test_rmax_above_rpeak_fails_but_documented_exceptions_pass(settings, bundled_files):
    parsed = top500.parse_all([f for f in bundled_files if f.file_name in FEW])
    rows = next(p for p in parsed if p.file.file_name == "TOP500_202411.xlsx").rows
    at_rank_3 = rows["rank"] == 3
    rows.loc[at_rank_3, "rpeak_tflops"] = rows.loc[at_rank_3, "rmax_tflops"] * 0.9
    rmax, rpeak = rows.loc[at_rank_3, ["rmax_tflops", "rpeak_tflops"]].iloc[0]
    with pytest.raises(ValidationFailed) as exc:
        validate_parsed(settings, "run-a", parsed)
    msg = str(exc.value)
    assert f"TOP500_202411.xlsx: rmax_tflops > rpeak_tflops at rank 3 ({rmax:.6g} > {rpeak:.6g})" in msg
    # 1996-06 and 2019-11 pass: their excesses are in the documented tolerance file.
    assert "TOP500_199606" not in msg and "TOP500_201911" not in msg
    assert _audit(settings, "select run_id, batches, failures from audit.validation_runs") == [("run-a", 3, 1)]


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


def test_a_real_country_new_to_the_lists_passes_and_a_misspelt_one_is_stopped(settings, bundled_files):
    chile = _parsed(bundled_files, "TOP500_202411.xlsx")
    chile.rows.loc[chile.rows["rank"] == 412, "country"] = "Chile"  # ISO 3166, never on a list before
    chile.rows.loc[chile.rows["rank"] == 413, "country"] = "Kenya"
    validate_parsed(settings, "run-new", [chile])

    typo = _parsed(bundled_files, "TOP500_202411.xlsx")
    typo.rows.loc[typo.rows["rank"] == 20, "country"] = "Germnay"
    with pytest.raises(ValidationFailed) as exc:
        validate_parsed(settings, "run-typo", [typo])
    assert (
        "TOP500_202411.xlsx: unknown country 'Germnay' at rank 20: not an ISO 3166 country name nor a TOP500 spelling"
    ) in str(exc.value)


def test_every_required_mart_missing_fails_the_gate_by_name(settings, bundled_files):
    _load(settings, [f for f in bundled_files if f.file_name in FEW])  # raw only: no dbt marts at all
    with pytest.raises(ValidationFailed) as exc:
        validate_marts(settings, "run-m")
    message = str(exc.value)
    for mart in (
        "list_entries",
        "country_list_stats",
        "list_shares",
        "performance_development",
        "system_linkage_quality",
        "systems",
        "demand_forecast",
    ):
        assert f"marts.{mart}" in message and "does not exist" in message, mart
    assert not exc.value.report.success


@pytest.fixture
def marts_copy(tmp_path, published) -> Settings:
    import shutil

    mine = Settings(warehouse_dir=tmp_path / "warehouse")
    mine.build_dir.mkdir(parents=True)
    shutil.copy(published.build_db, mine.build_db)
    return mine


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (
            "delete from marts.country_list_stats where list_date = (select max(list_date) from marts.country_list_stats)",
            f"{BUNDLED_KEYS[-1]} is loaded (500 entries in raw) but marts.country_list_stats counts 0 systems, not 500",
        ),
        (
            "delete from marts.list_entries",
            "1993-06 is loaded (500 entries in raw) but marts.list_entries holds 0 of its entries",
        ),
        ("delete from marts.systems", "marts.systems holds 0 systems, fewer than the 500 entries of the largest"),
        (
            "delete from marts.list_shares where dimension = 'vendor' and list_date = '2020-11-01'",
            "2020-11 is loaded (500 entries in raw) but marts.list_shares adds up to 500 systems in 8 of its 9",
        ),
        ("drop table marts.demand_forecast", "marts.demand_forecast does not exist (required by suite"),
        (
            "delete from marts.green500 where list_date = '2024-06-01' and green500_rank > 100",
            "the 2024-06 Green500 list ranks 194 entries in raw but marts.green500 holds 100",
        ),
        (
            "delete from marts.list_turnover",
            "1993-06 is loaded (500 entries in raw) but marts.list_turnover has 0 rows",
        ),
        (
            "delete from marts.national_compute where list_date = '2024-06-01' and country = 'Japan'",
            "2024-06 is loaded (500 entries in raw) but marts.national_compute counts 471 TOP500 systems for it, not 500",
        ),
        (
            "delete from marts.demand_forecast where scenario = 'openai_2018'",
            "1 demand scenario(s) of the seed are missing from marts.demand_forecast",
        ),
        (
            "delete from marts.national_compute_outlook where country = 'South Korea' and year > 2026",
            "South Korea has 5 planned cluster(s) in raw.epoch_gpu_clusters but 2 of the 6 years in "
            "marts.national_compute_outlook",
        ),
    ],
)
def test_a_mart_broken_as_a_bug_would_fails_the_gate(marts_copy, breakage, expected):
    validate_marts(marts_copy, "run-ok")  # the real marts pass
    with duckdb.connect(str(marts_copy.build_db)) as con:
        con.execute(breakage)
    with pytest.raises(ValidationFailed) as exc:
        validate_marts(marts_copy, "run-broken")
    assert expected in str(exc.value)


def test_a_broken_mart_fails_the_marts_gate_with_its_rows_named(tmp_path, published):
    import shutil

    mine = Settings(warehouse_dir=tmp_path / "warehouse")
    mine.build_dir.mkdir(parents=True)
    shutil.copy(published.build_db, mine.build_db)
    validate_marts(mine, "run-ok")  # the real marts pass
    with duckdb.connect(str(mine.build_db)) as con:
        japan = con.execute(
            "select systems from marts.country_list_stats where list_date = '2020-11-01' and country = 'Japan'"
        ).fetchone()[0]
        con.execute("delete from marts.country_list_stats where list_date = '2020-11-01' and country = 'Japan'")
        con.execute(
            "update marts.list_entries set system_key = 'no-such-system' where list_date = '2020-11-01' and rank = 1"
        )
    with pytest.raises(ValidationFailed) as exc:
        validate_marts(mine, "run-broken")
    message = str(exc.value)
    assert (
        f"2020-11 is loaded (500 entries in raw) but marts.country_list_stats counts {500 - japan} systems" in message
    )
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


def test_an_unknown_cluster_country_or_an_impossible_date_fails_the_reference_gate(settings):
    from flows.sources import ai_compute

    bundled = Settings(warehouse_dir=settings.warehouse_dir.parent / "unused")
    parsed = [ai_compute.parse(f) for f in ai_compute.collect("bundled", bundled) if f.file_name == "gpu_clusters.csv"]
    rows = parsed[0].rows
    first, second = rows.index[rows["country"].notna()][:2]
    rows.loc[first, "country"] = "Atlantis"
    rows.loc[second, "decommissioned_date"] = __import__("datetime").date(1850, 1, 1)
    with connect(settings.build_db) as con:
        load_files(con, parsed, "load-clusters")
    with pytest.raises(ValidationFailed) as exc:
        validate_reference(settings, "run-clusters")
    message = str(exc.value)
    line_1, name_1 = rows.loc[first, "source_line"], rows.loc[first, "name"]
    line_2 = rows.loc[second, "source_line"]
    assert (
        f"gpu_clusters.csv: country 'Atlantis' at line {line_1} ({name_1}) is neither an ISO 3166 name nor a "
        "spelling in dbt_project/seeds/epoch_country_names.csv"
    ) in message
    assert f"gpu_clusters.csv: decommissioned_date 1850-01-01 before 2000 at line {line_2}" in message
