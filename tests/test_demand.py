"""Demand-growth fits, the demand forecast and gap, and announced AI systems, built by flows.transform.

The fit is checked on AI-compute data with a known doubling time (loaded through the real loader), the
Korean study's figures and the announced-system estimates on the real bundled files.
"""

from __future__ import annotations

import csv
import math
import shutil
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from scipy import stats

from flows import transform
from flows.settings import PROJECT_ROOT, Settings
from support.warehouses import built_copy, load_reference_sources

BUNDLED = Settings(warehouse_dir=PROJECT_ROOT / "warehouse")
DEMAND_MARTS = ["+demand_gap_milestones", "+announced_systems"]


def _private_settings(root: Path) -> Settings:
    settings = Settings(warehouse_dir=root / "warehouse")
    settings.build_dir.mkdir(parents=True)
    return settings


@pytest.fixture(scope="module")
def built(tmp_path_factory, loaded_build_db):
    """The demand and announced-system marts, their upstream and tests, on a copy of the loaded build file."""
    return built_copy(tmp_path_factory.mktemp("demand"), loaded_build_db, "test-demand", DEMAND_MARTS)


def test_build_runs_every_model_and_test(built):
    settings, summary = built
    assert summary.models_built >= 10
    assert summary.tests_run >= 100 and summary.tests_passed == summary.tests_run
    assert not summary.skipped
    # the demand marts' not-null and range rules are enforced constraints of the built tables
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        held = Counter(
            dict(
                con.execute("""select table_name, count(*) from duckdb_constraints()
                                           where schema_name = 'marts' group by all""").fetchall()
            )
        )
    assert held["demand_growth_fits"] >= 15 and held["demand_forecast"] >= 15
    assert held["demand_supply_gap"] >= 13 and held["demand_gap_milestones"] >= 9 and held["announced_systems"] >= 31


# --- fits on data with a known doubling time --------------------------------------------------------------


def _decimal_year(d: date) -> float:
    """The x of the fits (int_ai_compute__training_runs.publication_year_fraction)."""
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def _write_synthetic_openai(root: Path, doubling_months: float) -> list[tuple[float, float]]:
    """compute.csv with exactly 2x per `doubling_months`, each date twice at +-20% in ln (slope unchanged)."""
    ai_dir = root / "ai_compute"
    ai_dir.mkdir(parents=True)
    for name in ("notable_ai_models.csv", "gpu_clusters.csv"):
        shutil.copy(BUNDLED.bundled_dir / "ai_compute" / name, ai_dir / name)
    points = []
    with (ai_dir / "compute.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["publication_date", "overall_peta_flop_days", "result"])
        for k in range(9):
            day = date(2012 + (k * 8) // 12, 1 + (k * 8) % 12, 15)
            x = _decimal_year(day)
            ln_flop = math.log(1e17) + math.log(2) * (x - 2012) * 12 / doubling_months
            for tag, noise in (("a", 0.2), ("b", -0.2)):
                flop = math.exp(ln_flop + noise)
                writer.writerow([day.isoformat(), repr(flop / 8.64e19), f"synthetic run {k}{tag}"])
                points.append((x, math.log(flop)))
    return points


def test_fit_recovers_a_known_doubling_time_with_a_t_interval(tmp_path):
    points = _write_synthetic_openai(tmp_path / "sources", doubling_months=6.0)
    settings = _private_settings(tmp_path)
    load_reference_sources(settings.build_db, "test-demand", ai_compute_source=str(tmp_path / "sources"))
    # the models build; the one data test that pins OpenAI's real 3.4 months must catch the other rate
    with pytest.raises(transform.DbtRunError) as failed:
        transform.build(settings, select=["+demand_growth_fits"])
    assert [node for node, _, _ in failed.value.failures] == [
        "test.top500_warehouse.assert_demand_openai_fit_covers_published_rate"
    ]

    with duckdb.connect(str(settings.build_db), read_only=True) as db:
        row = db.execute("""
            select n, doubling_time_months, doubling_time_months_lower, doubling_time_months_upper,
                   annual_growth_factor, annual_growth_factor_lower, annual_growth_factor_upper
            from marts.demand_growth_fits
            where estimate_kind = 'fitted' and selection = 'openai_2012_2018'""").fetchone()
    n, months, months_lo, months_hi, factor, factor_lo, factor_hi = row
    assert n == len(points) == 18
    assert months == pytest.approx(6.0, rel=1e-9)
    assert factor == pytest.approx(4.0, rel=1e-9)

    fit = stats.linregress([x for x, _ in points], [y for _, y in points])
    t = stats.t.ppf(0.975, n - 2)
    assert months_lo == pytest.approx(12 * math.log(2) / (fit.slope + t * fit.stderr), rel=1e-4)
    assert months_hi == pytest.approx(12 * math.log(2) / (fit.slope - t * fit.stderr), rel=1e-4)
    assert factor_lo == pytest.approx(math.exp(fit.slope - t * fit.stderr), rel=1e-4)
    assert factor_hi == pytest.approx(math.exp(fit.slope + t * fit.stderr), rel=1e-4)
    assert months_lo < 6.0 < months_hi


def test_real_fits_state_selection_and_bracket_published_rates(con):
    fits = {
        r[0]: r[1:]
        for r in con.execute("""
        select selection, n, window_start, doubling_time_months_lower, doubling_time_months_upper
        from marts.demand_growth_fits where estimate_kind = 'fitted'""").fetchall()
    }
    assert set(fits) == {"openai_2012_2018", "notable_before_2010", "notable_2010_on", "frontier_2010_on"}
    n, start, lo, hi = fits["openai_2012_2018"]
    assert n == 15 and start == date(2012, 6, 1) and lo < 3.4 < hi  # OpenAI's published 3.4 months
    n, _, lo, hi = fits["notable_before_2010"]
    assert lo < 20 < hi  # Sevilla et al.: ~20 months before 2010
    published = con.execute("""select count(*) from marts.demand_growth_fits
                               where estimate_kind = 'published' and citation like '%http%'""").fetchone()[0]
    assert published >= 2


# --- the Korean study's comparison ------------------------------------------------------------------------


def test_kr_study_gap_is_2905x_after_20_periods_and_1140x_at_60_months(con):
    per_period = 2.98 / 2
    gap = dict(
        con.execute("""
        select months_ahead, gap_ratio from marts.demand_supply_gap
        where demand_scenario = 'kr_study_roberta_bert' and supply_scenario = 'openai_2018'
          and months_ahead in (60, 68)""").fetchall()
    )
    assert gap[68] == pytest.approx(per_period**20, rel=1e-9)
    assert gap[68] == pytest.approx(2905, rel=0.005)
    assert gap[60] == pytest.approx(per_period ** (60 / 3.4), rel=1e-9)
    assert gap[60] == pytest.approx(1140, rel=0.005)

    forecast = dict(
        con.execute("""
        select months_ahead, ratio_to_baseline from marts.demand_forecast
        where scenario = 'kr_study_roberta_bert' and months_ahead in (60, 68)""").fetchall()
    )
    assert forecast == pytest.approx(gap, rel=1e-9)

    first_1000x = con.execute("""
        select first_month_at_or_above from marts.demand_gap_milestones
        where demand_scenario = 'kr_study_roberta_bert' and supply_scenario = 'openai_2018'
          and gap_threshold = 1000""").fetchone()[0]
    assert first_1000x == math.ceil(math.log(1000) / (math.log(per_period) / 3.4))


def test_forecast_defaults_to_latest_list_and_120_months_with_extrapolated_flop(con):
    latest = con.execute("select max(list_date) from marts.list_entries").fetchone()[0]
    base, horizon, scenarios = con.execute("""
        select min(base_date), max(months_ahead), count(distinct scenario) from marts.demand_forecast""").fetchone()
    assert base == latest and horizon == 120 and scenarios >= 10
    flop = con.execute("""
        select extrapolated_flop from marts.demand_forecast
        where scenario = 'kr_study_roberta_bert' and months_ahead = 0""").fetchone()[0]
    months = (latest - date(2019, 7, 1)).days / (365.25 / 12)
    assert flop == pytest.approx(8.5067e21 * 2.98 ** (months / 3.4), rel=1e-9)


def test_gap_covers_world_top_countries_and_south_korea(con):
    countries = {
        r[0]
        for r in con.execute(
            "select distinct supply_country from marts.demand_supply_gap where supply_kind = 'top500'"
        ).fetchall()
    }
    assert {"World", "South Korea", "United States", "China", "Japan"} <= countries


def test_forecast_vars_move_base_date_and_horizon(built, tmp_path):
    settings, _ = built
    private = _private_settings(tmp_path)
    shutil.copy(settings.build_db, private.build_db)
    transform.build(
        private, select=["demand_forecast"], vars={"demand_base_date": "2020-11-01", "demand_horizon_months": 68}
    )
    with duckdb.connect(str(private.build_db), read_only=True) as db:
        base, horizon, last = db.execute("""select min(base_date), max(months_ahead), max(forecast_date)
                                            from marts.demand_forecast""").fetchone()
    assert (base, horizon, last) == (date(2020, 11, 1), 68, date(2026, 7, 1))


# --- announced AI systems -------------------------------------------------------------------------------


def _a100_rmax_per_gpu(con) -> list[float]:
    """Independent of the model: each listed A100 system's best Rmax / GPUs (accelerator cores / 108 SMs)."""
    rows = con.execute("""
        select arg_max(rmax_tflops / round(accelerator_cores / 108), rmax_tflops),
               arg_max(rpeak_tflops / round(accelerator_cores / 108), rmax_tflops)
        from marts.list_entries
        where accelerator ilike '%A100%' and accelerator_cores > 0
        group by system_key""").fetchall()  # the A100 entries only: a few systems later swap in H100s
    return [rmax for rmax, rpeak in rows if 0.5 * 9.7 <= rpeak <= 1.2 * 19.5]


def test_announced_estimates_use_the_median_a100_rmax_per_gpu(con):
    median = statistics.median(_a100_rmax_per_gpu(con))
    assert 10 < median < 16  # FACTS.md: Perlmutter 11.5, Selene 12.3-14.2 TF per A100
    rows = con.execute("""
        select system_name, accelerator_count, est_rmax_tflops, est_rmax_tflops_low, est_rmax_tflops_high,
               peak_fp64_tensor_tflops, peak_16bit_dense_tflops
        from marts.announced_systems where record_source = 'curated'""").fetchall()
    assert len(rows) == 3
    for name, count, est, low, high, fp64, peak16 in rows:
        assert est == pytest.approx(count * median, rel=1e-9), name
        assert low < est < high, name
        assert fp64 == pytest.approx(count * 19.5) and peak16 == pytest.approx(count * 312)
        assert est < fp64  # an HPL estimate stays below the datasheet peak


def test_naver_lands_near_cori_and_rsc_near_perlmutter(con):
    def row(name):
        return con.execute(
            """
            select compared_list_label, would_rank, nearest_listed_system, nearest_listed_rmax_tflops,
                   est_rmax_tflops
            from marts.announced_systems where system_name = ?""",
            [name],
        ).fetchone()

    label, rank, nearest, nearest_rmax, est = row("Naver NVIDIA DGX SuperPOD")
    assert (label, nearest) == ("2020-11", "Cori") and nearest_rmax == pytest.approx(14014.7)
    assert abs(est / 14014.7 - 1) < 0.25
    listed_above = con.execute(
        """select count(*) from marts.list_entries
                                  where list_label = '2020-11' and rmax_tflops > ?""",
        [est],
    ).fetchone()[0]
    assert rank == listed_above + 1

    label, rank, nearest, nearest_rmax, est = row("Meta AI Research SuperCluster (RSC) phase 1")
    assert (label, nearest) == ("2022-06", "Perlmutter") and nearest_rmax == pytest.approx(70870)
    assert rank <= 10

    label, _, _, _, est2 = row("Meta AI Research SuperCluster (RSC) phase 2")
    assert label == "2023-06" and est2 == pytest.approx(est * 16000 / 6080)


def test_epoch_clusters_join_without_repeating_curated_systems(con):
    counts = dict(con.execute("select record_source, count(*) from marts.announced_systems group by all").fetchall())
    assert counts["epoch_gpu_clusters"] >= 20
    repeated = con.execute("""
        select count(*) from marts.announced_systems
        where record_source = 'epoch_gpu_clusters'
          and system_name in (select epoch_cluster_name from reference.announced_ai_systems)""").fetchone()[0]
    assert repeated == 0
