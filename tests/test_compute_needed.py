"""Power, cost, ownership, the outlook and what keeping up would take, on every bundled list and Epoch's real files.

Figures are recomputed here from the raw and list-grain tables (with pandas-free Python) and compared with the
marts: the reported-vs-estimated split of power and cost, the planned dates, one scenario by hand.
"""

from __future__ import annotations

import math
import re
import shutil
import statistics
from datetime import date

import duckdb
import pytest

from flows import transform
from flows.analyst import analyst_questions
from flows.report import compute_needed as panel_module
from flows.report.base import Marts
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import ai_compute
from support.warehouses import built_copy

NODES = [
    "+compute_needed",
    "+frontier_run_days",
    "+ai_cluster_development",
    "+demand_scenarios",
    "+demand_gap_milestones",
    "+ai_clusters",
]
BASE = date(2025, 6, 1)  # the latest list the Epoch cluster file (data to 2025-07-22) covers
DAYS_PER_MONTH = 365.25 / 12
CHIP = re.compile(r"\b(GH200|GB200|H200|H100|A100|V100|MI300A|MI300X|MI250X|B200)\b", re.I)


@pytest.fixture(scope="module")
def build(tmp_path_factory, loaded_build_db) -> Settings:
    settings, summary = built_copy(tmp_path_factory.mktemp("needed"), loaded_build_db, "test-needed", NODES)
    assert summary.tests_passed == summary.tests_run > 150
    return settings


@pytest.fixture(scope="module")
def con(build):
    connection = duckdb.connect(str(build.build_db), read_only=True)
    yield connection
    connection.close()


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# --- the columns the loader now reads --------------------------------------------------------------------------------


def test_loader_reads_reported_and_calculated_power_and_cost_and_the_planned_date_note():
    files = [
        f
        for f in ai_compute.collect("bundled", Settings(warehouse_dir=PROJECT_ROOT / "warehouse"))
        if f.file_name == "gpu_clusters.csv"
    ]
    rows = ai_compute.parse(files[0]).rows.set_index("name")
    frontier = rows.loc["Oak Ridge NL Frontier"]
    assert (frontier["reported_power_mw"], frontier["calculated_power_mw"]) == (40, pytest.approx(40.0667904))
    assert frontier["reported_cost_usd"] == 600e6
    assert frontier["reported_cost_inflation_adjusted_usd"] == pytest.approx(620445966.2)
    assert frontier["calculated_cost_usd"] == pytest.approx(967488702.6)
    assert rows.loc["South Korea Planned 3GW Cluster", "first_operational_date_note"] == "Planned 2028"
    assert rows["reported_power_mw"].notna().sum() == 132 and rows["calculated_cost_usd"].notna().sum() == 536


# --- reported vs estimated -------------------------------------------------------------------------------------------


def _raw_clusters(con) -> dict[str, dict]:
    """cluster_id -> the cluster's mart row and its raw reported / calculated figures."""
    rows = _rows(
        con,
        """select c.cluster_id, c.country, c.is_in_supply, c.in_supply_from, c.in_supply_until, c.top500_system_key,
                  c.top500_partial_system_key, c.h100e, c.chip, c.chip_count, r.chip_type_secondary, r.reported_power_mw, r.calculated_power_mw,
                  coalesce(r.reported_cost_inflation_adjusted_usd, r.reported_cost_usd) as reported_cost_usd,
                  r.calculated_cost_usd
           from marts.ai_clusters c join raw.epoch_gpu_clusters r using (source_line)""",
    )
    return {r["cluster_id"]: r for r in rows}


def _site_factor(con, clusters: dict[str, dict]) -> float:
    """Epoch's reported capacity / the matched system's median listed power on the lists the Epoch data covers,
    the median over such clusters."""
    listed = dict(
        con.execute("""select system_key, median(power_kw) / 1000 from marts.list_entries
                       where power_kw > 0
                         and list_date <= (select max(epoch_data_until) from marts.national_compute)
                       group by system_key""").fetchall()
    )
    return statistics.median(
        c["reported_power_mw"] / listed[c["top500_system_key"]]
        for c in clusters.values()
        if c["reported_power_mw"] and c["top500_system_key"] in listed
    )


def _chip_rate(clusters: dict[str, dict], chip: str, field: str) -> float:
    """Epoch's median calculated figure per chip over its one-chip-type clusters of that chip (NaN: unknown chip)."""
    if chip == "?":
        return math.nan
    token = re.compile(rf"\b{chip}\b", re.I)
    return statistics.median(
        c[field] / c["chip_count"] * (1e6 if field == "calculated_power_mw" else 1)
        for c in clusters.values()
        if c["chip"] and token.search(c["chip"]) and not c["chip_type_secondary"] and c[field] and c["chip_count"]
    )


def _recompute(con, country: str, on: date) -> dict:
    clusters = _raw_clusters(con)
    factor = _site_factor(con, clusters)
    entries = _rows(
        con,
        """select e.system_key, e.power_kw, e.accelerator, h.gpu_count, h.h100e
           from intermediate.int_top500__h100_equivalents h join marts.list_entries e using (list_date, rank)
           where h.list_date = ? and h.country = ? and h.h100e > 0""",
        [on, country],
    )
    listed_h100e = dict(
        con.execute(
            "select system_key, coalesce(h100e, 0) from intermediate.int_top500__h100_equivalents where list_date = ?",
            [on],
        ).fetchall()
    )
    totals = dict.fromkeys(("power", "power_reported", "cost", "cost_reported"), 0.0)
    for e in entries:
        # the chip, for the estimates (the tests that use those pick countries whose chips this names)
        found = CHIP.search(e["accelerator"])
        chip = found.group(1).upper() if found else "?"
        if e["power_kw"]:
            totals["power_reported"] += e["power_kw"] / 1000 * factor
            totals["power"] += e["power_kw"] / 1000 * factor
        else:
            totals["power"] += e["gpu_count"] * _chip_rate(clusters, chip, "calculated_power_mw") / 1e6
        same_machine = [
            c
            for c in clusters.values()
            if c["top500_system_key"] == e["system_key"]
            and c["reported_cost_usd"]
            and abs(c["chip_count"] - e["gpu_count"]) <= 0.1 * c["chip_count"]
        ]
        if same_machine:
            best = max(same_machine, key=lambda c: (-abs(c["chip_count"] - e["gpu_count"]), c["in_supply_from"]))
            totals["cost_reported"] += best["reported_cost_usd"]
            totals["cost"] += best["reported_cost_usd"]
        else:
            totals["cost"] += e["gpu_count"] * _chip_rate(clusters, chip, "calculated_cost_usd")
    for c in clusters.values():
        running = (
            c["is_in_supply"]
            and c["in_supply_from"] <= on
            and (c["in_supply_until"] is None or c["in_supply_until"] > on)
        )
        if c["country"] != country or not running:
            continue
        # a cluster whose system (or a listed part of it) is on the list adds only what exceeds the listed figure,
        # and that share of its power and cost
        listed = [
            listed_h100e[k] for k in (c["top500_system_key"], c["top500_partial_system_key"]) if k in listed_h100e
        ]
        share = 1.0 if not listed else max((c["h100e"] or 0) - sum(listed), 0) / c["h100e"] if c["h100e"] else 0.0
        totals["power_reported"] += share * (c["reported_power_mw"] or 0)
        totals["power"] += share * (c["reported_power_mw"] or c["calculated_power_mw"] or 0)
        totals["cost_reported"] += share * (c["reported_cost_usd"] or 0)
        totals["cost"] += share * (c["reported_cost_usd"] or c["calculated_cost_usd"] or 0)
    return totals


def _national(con, country: str, on: date) -> dict:
    return _rows(
        con,
        """select power_mw as power, power_reported_mw as power_reported, hardware_cost_usd as cost,
                  hardware_cost_reported_usd as cost_reported, power_reported_pct, hardware_cost_reported_pct
           from marts.national_compute where country = ? and list_date = ?""",
        [country, on],
    )[0]


def test_south_korea_power_and_cost_split_into_reported_and_estimated(con):
    mart = _national(con, "South Korea", BASE)
    expected = _recompute(con, "South Korea", BASE)
    assert {k: mart[k] for k in expected} == pytest.approx(expected, rel=1e-9)
    # on 2025-06 the list reports the power of one Korean entry (SSC-24 Energy Module) and Epoch that of one cluster
    assert 0 < mart["power_reported_pct"] < 5 and mart["hardware_cost_reported_pct"] == 0
    assert mart["power_reported_pct"] == pytest.approx(100 * expected["power_reported"] / expected["power"])


def test_united_states_reported_power_and_cost_come_from_the_lists_and_epoch(con):
    mart = _national(con, "United States", BASE)
    expected = _recompute(con, "United States", BASE)
    assert mart["power_reported"] == pytest.approx(expected["power_reported"], rel=1e-9)
    assert mart["cost_reported"] == pytest.approx(expected["cost_reported"], rel=1e-9)
    assert mart["cost_reported"] >= 600e6  # Frontier's reported 600 million USD, among others


def test_the_listed_power_factor_is_epochs_site_capacity_over_the_lists_power(con):
    factor = con.execute("select distinct site_power_per_listed_power from intermediate.int_top500__power_and_cost")
    (value,) = factor.fetchall()
    assert value[0] == pytest.approx(_site_factor(con, _raw_clusters(con)), rel=1e-12)
    assert 1.5 < value[0] < 2  # Epoch derives capacities from the lists' power with about 1.67


def test_chip_rates_are_epochs_medians_and_near_the_hardware_prices(con):
    clusters = _raw_clusters(con)
    rates = {r["chip_family"]: r for r in _rows(con, "select * from intermediate.int_compute__chip_rates")}
    h100 = rates["h100"]
    assert h100["watts_per_chip"] == pytest.approx(_chip_rate(clusters, "H100", "calculated_power_mw"))
    assert h100["usd_per_chip"] == pytest.approx(_chip_rate(clusters, "H100", "calculated_cost_usd"))
    # a site supplies 2x the chip's 700 W; a chip with its share of servers and network costs more than the chip
    assert 1300 < h100["watts_per_chip"] < 1500
    prices = [
        p
        for (p,) in con.execute("""select purchase_price_usd from raw.epoch_hardware_prices
                                     where hardware_model like 'NVIDIA H100 SXM5%' and purchase_price_usd > 0""").fetchall()
    ]
    assert min(prices) < h100["usd_per_chip"] < 1.5 * max(prices)


def test_ownership_splits_the_cluster_compute(con):
    rows = con.execute(
        """select sum(ai_cluster_private_h100e), sum(ai_cluster_public_h100e), sum(ai_cluster_h100e)
                          from marts.national_compute where list_date = ?""",
        [BASE],
    ).fetchone()
    private, public, total = rows
    unknown = con.execute(
        """select coalesce(sum(h100e), 0) from marts.ai_clusters
           where is_in_supply and country is not null and sector is null
             and in_supply_from <= ? and (in_supply_until is null or in_supply_until > ?)""",
        [BASE, BASE],
    ).fetchone()[0]
    assert private + public + unknown == pytest.approx(total)
    development = dict(con.execute("select list_label, private_share_pct from marts.ai_cluster_development").fetchall())
    # Epoch AI: the private share of AI-cluster compute rose from about 40% (2019) to about 80% (2025), in Epoch's
    # unit; in the dense 16-bit H100e, chips without a faster 8-bit path (more of them public) weigh more
    assert 35 < development["2019-06"] < 45 and 70 < development["2025-06"] < 90
    assert development["2025-06"] == pytest.approx(100 * private / (private + public))


# --- the outlook -----------------------------------------------------------------------------------------------------


def _end_of_period(note: str) -> date | None:
    """Independent reading of Epoch's planned-date notes: the last day of the period named."""
    m = re.fullmatch(r"\s*(?:Planned\s+)?(?:(H[12]|Q[1-4])\s+)?(\d{4})(?:-(\d{2}))?\s*", note or "")
    if not m:
        return None
    part, year, month = m.group(1), int(m.group(2)), m.group(3)
    last_month = int(month) if month else {"Q1": 3, "Q2": 6, "H1": 6, "Q3": 9}.get(part, 12)
    following = date(year + last_month // 12, last_month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@pytest.mark.parametrize(
    ("cluster", "arrives", "basis"),
    [
        ("South Korea Planned 3GW Cluster", date(2028, 12, 31), "planned_year"),
        ("SK Group AWS Uslan Phase 2", date(2029, 2, 28), "planned_month"),
        ("Nebius Finland Phase 2", date(2025, 12, 31), "planned_half"),
        ("PanaAI AUS AISF", date(2025, 3, 31), "planned_quarter"),
        ("S. Korea 7th national supercomputer", None, None),
        ("Samsung SSC-21", date(2021, 11, 1), "recorded"),
    ],
)
def test_planned_clusters_arrive_at_the_end_of_the_period_epoch_names(con, cluster, arrives, basis):
    row = con.execute(
        "select arrives_on, arrival_basis from intermediate.int_ai_clusters__expected_periods where cluster_name = ?",
        [cluster],
    ).fetchall()
    assert row == [(arrives, basis)]


def test_south_korea_outlook_recomputed_from_the_raw_plans(con):
    plans = _rows(
        con,
        # the one H100-equivalent, by hand: dense 16-bit peak (else half the 8-bit, else the 32-bit) / 989.4 TF
        """select r.name, r.certainty, r.first_operational_date_note,
                  coalesce(r.tflops_16bit, r.tops_8bit / 2, r.tflops_32bit) / 989.4 as h100e
           from raw.epoch_gpu_clusters r
           where r.country = 'Korea (Republic of)' and r.status = 'Planned'
             and not coalesce(r.is_possible_duplicate, false) and not coalesce(r.is_excluded, false)""",
    )
    base_h100e = con.execute(
        "select total_h100e from marts.national_compute where country = 'South Korea' and list_date = ?", [BASE]
    ).fetchone()[0]
    outlook = {
        r["year"]: r for r in _rows(con, "select * from marts.national_compute_outlook where country = 'South Korea'")
    }
    assert sorted(outlook) == list(range(2025, 2031))
    for year, row in outlook.items():
        end = date(year, 12, 31)
        by_tier = {"Confirmed": 0.0, "Likely": 0.0, "Unlikely": 0.0}
        for plan in plans:
            arrives = _end_of_period(plan["first_operational_date_note"])
            if arrives and arrives <= end:
                by_tier[plan["certainty"]] += plan["h100e"] or 0
        # nothing Korean is recorded as leaving, and the one cluster that started after the base date (Samsung
        # SSC4, 2025-06-15) is the SSC-24 already listed on 2025-06
        assert row["existing_h100e"] == pytest.approx(base_h100e)
        assert (row["planned_confirmed_h100e"], row["planned_likely_h100e"], row["planned_speculative_h100e"]) == (
            pytest.approx(by_tier["Confirmed"]),
            pytest.approx(by_tier["Likely"]),
            pytest.approx(by_tier["Unlikely"]),
        )
        assert row["supply_h100e"] == pytest.approx(base_h100e + by_tier["Confirmed"] + by_tier["Likely"])
    gigawatt = next(p for p in plans if p["name"] == "South Korea Planned 3GW Cluster")
    assert outlook[2028]["planned_likely_h100e"] - outlook[2027]["planned_likely_h100e"] == pytest.approx(
        gigawatt["h100e"]
    )
    assert outlook[2028]["planned_likely_power_mw"] - outlook[2027]["planned_likely_power_mw"] == pytest.approx(3000)
    assert outlook[2025]["planned_undated_clusters"] == 1  # the 7th national supercomputer


# --- what keeping up would take, by hand --------------------------------------------------------------------------------


def _world_slopes(con) -> dict[str, float]:
    return dict(
        con.execute("""select series, slope_ln_per_year from marts.performance_trend
                       where scope = 'global' and era = 'since_2019_06'""").fetchall()
    )


def test_keeping_pace_with_openais_doubling_computed_by_hand(con):
    korea = con.execute(
        "select total_h100e from marts.national_compute where country = 'South Korea' and list_date = ?", [BASE]
    ).fetchone()[0]
    world_h100e, world_power, world_cost = con.execute(
        """select sum(ai_cluster_h100e), sum(ai_cluster_power_mw), sum(ai_cluster_hardware_cost_usd)
           from marts.national_compute where list_date = ?""",
        [BASE],
    ).fetchone()
    slopes = _world_slopes(con)
    supply = con.execute(
        """select existing_h100e + planned_confirmed_h100e + planned_likely_h100e from marts.national_compute_outlook
           where country = 'South Korea' and year = 2028"""
    ).fetchone()[0]

    months = (date(2028, 12, 31) - BASE).days / DAYS_PER_MONTH
    needed = korea * 2 ** (months / 3.4)  # 2x every 3.4 months
    mw_per_h100e = (
        world_power / world_h100e * math.exp((slopes["ai_cluster_power_mw"] - slopes["ai_cluster_h100e"]) * months / 12)
    )
    usd_per_h100e = (
        world_cost
        / world_h100e
        * math.exp((slopes["ai_cluster_hardware_cost_usd"] - slopes["ai_cluster_h100e"]) * months / 12)
    )
    row = _rows(
        con,
        "select * from marts.compute_needed where country = 'South Korea' and scenario = 'openai_2018' and year = 2028",
    )[0]
    assert row["months_after_base"] == pytest.approx(months, rel=1e-12)
    assert row["needed_h100e"] == pytest.approx(needed, rel=1e-9)
    assert row["needed_power_mw"] == pytest.approx(needed * mw_per_h100e, rel=1e-9)
    assert row["needed_hardware_cost_usd"] == pytest.approx(needed * usd_per_h100e, rel=1e-9)
    assert row["supply_h100e"] == pytest.approx(supply)
    assert row["shortfall_h100e"] == pytest.approx(needed - supply, rel=1e-9)
    assert row["shortfall_hardware_cost_usd"] == pytest.approx((needed - supply) * usd_per_h100e, rel=1e-9)
    assert row["is_behind"] and row["first_year_behind"] == 2025 and row["behind_from_year"] == 2025


def test_keeping_the_2025_share_is_the_share_of_the_projected_world(con):
    share, world = con.execute(
        """select k.total_h100e_share_pct, (select sum(total_h100e) from marts.national_compute w where w.list_date = ?)
           from marts.national_compute k where k.country = 'South Korea' and k.list_date = ?""",
        [BASE, BASE],
    ).fetchone()
    slope = _world_slopes(con)["ai_cluster_h100e"]
    rows = {
        r["year"]: r
        for r in _rows(
            con,
            """select * from marts.compute_needed
                                             where country = 'South Korea' and scenario = 'keep_world_share'""",
        )
    }
    for year, row in rows.items():
        months = (date(year, 12, 31) - BASE).days / DAYS_PER_MONTH
        projected_world = world * math.exp(slope * months / 12)
        assert row["world_h100e"] == pytest.approx(projected_world, rel=1e-9)
        assert row["needed_h100e"] == pytest.approx(share / 100 * projected_world, rel=1e-9)
        assert row["needed_share_pct"] == pytest.approx(share, rel=1e-9)
    # the 3 GW cluster Epoch expects in 2028 (Likely) would carry South Korea past its share
    assert [y for y, r in sorted(rows.items()) if r["is_behind"]] == [2025, 2026, 2027]
    assert rows[2025]["first_year_behind"] == 2025 and rows[2025]["behind_from_year"] is None


def test_scenario_vars_move_the_base_date_and_choose_the_scenarios(build, tmp_path):
    mine = Settings(warehouse_dir=tmp_path / "warehouse")
    mine.build_dir.mkdir(parents=True)
    shutil.copy(build.build_db, mine.build_db)
    transform.build(
        mine,
        select=["national_compute_outlook", "compute_needed"],
        vars={"compute_base_date": "2024-08-15", "compute_needed_demand_scenarios": ["epoch_2024_frontier"]},
    )
    with duckdb.connect(str(mine.build_db), read_only=True) as db:
        bases = db.execute("select distinct base_date from marts.compute_needed").fetchall()
        scenarios = {s for (s,) in db.execute("select distinct scenario from marts.compute_needed").fetchall()}
        first_year, growth = db.execute(
            """select min(year), any_value(annual_growth_factor) filter (where scenario = 'epoch_2024_frontier')
               from marts.compute_needed"""
        ).fetchone()
    assert bases == [(date(2024, 6, 1),)]  # the latest covered list on or before the date given
    assert scenarios == {"keep_world_share", "epoch_2024_frontier"} and first_year == 2024
    assert growth == pytest.approx(4.7)


# --- the gap an analyst can read ---------------------------------------------------------------------------------------


def test_scenarios_are_published_in_one_convention_with_one_recommended_pair(con):
    rows = {r["scenario"]: r for r in _rows(con, "select * from marts.demand_scenarios")}
    for name, r in rows.items():
        assert r["annual_growth_factor"] == pytest.approx(
            r["stated_growth_factor"] ** (12 / r["stated_period_months"]), rel=1e-9
        ), name
        assert r["doubling_time_months"] == pytest.approx(12 * math.log(2) / math.log(r["annual_growth_factor"])), name
    kr = rows["kr_study_roberta_bert"]
    assert kr["stated_growth"] == "2.98x every 3.4 months" and kr["annual_growth_factor"] == pytest.approx(
        47.17, abs=0.01
    )
    assert "not between demand and supply" in kr["definition"]
    assert rows["epoch_2024_frontier"]["stated_growth"] == "4.7x per year"
    recommended = {(r["scenario_kind"], name) for name, r in rows.items() if r["is_recommended"]}
    assert recommended == {("demand", "fit_notable_2010_on"), ("supply", "ai_clusters_world_since_2019_06")}
    # the recommended demand rate is the 4-5x a year Epoch AI publishes
    assert 4 < rows["fit_notable_2010_on"]["annual_growth_factor"] < 5
    pairs = con.execute("""select distinct demand_scenario, supply_scenario from marts.demand_supply_gap
                           where is_recommended_pair""").fetchall()
    assert pairs == [("fit_notable_2010_on", "ai_clusters_world_since_2019_06")]
    forecast = con.execute("""select count(*) from marts.demand_forecast
                              where abs(annual_growth_factor - exp(12 * log_growth_per_month)) > 1e-9
                                 or abs(growth_multiplier - exp(log_growth_per_month * months_ahead)) > 1e-9""").fetchone()
    assert forecast == (0,)


def test_days_to_train_the_largest_model_on_south_koreas_compute(con):
    row = _rows(con, "select * from marts.frontier_run_days where country = 'South Korea' and list_date = ?", [BASE])[0]
    largest = con.execute(
        """select model, training_compute_flop from raw.epoch_notable_ai_models
           where publication_date <= ? order by training_compute_flop desc nulls last limit 1""",
        [BASE],
    ).fetchone()
    # in Epoch's notable models of 2026-07-19 (the bundled file), the largest run published by 2025-06-01
    assert (row["largest_run_model"], row["largest_run_flop"]) == largest == ("GPT-4.5", 3.8e26)
    peak = row["total_h100e"] * 989.4e12  # one H100's dense 16-bit peak per H100-equivalent
    assert row["largest_run_days_at_peak"] == pytest.approx(3.8e26 / peak / 86400)
    assert row["largest_run_days"] == pytest.approx(3.8e26 / (peak * 0.4) / 86400)
    assert row["largest_run_days"] > 1000  # more than three years of everything South Korea has
    us = _rows(con, "select * from marts.frontier_run_days where country = 'United States' and list_date = ?", [BASE])[
        0
    ]
    assert us["largest_run_days"] < 30


def test_power_and_cost_trends_have_intervals_and_grow_slower_than_compute(con):
    fits = {
        r["series"]: r
        for r in _rows(
            con,
            """select * from marts.performance_trend where country = 'World' and era = 'since_2019_06'""",
        )
    }
    assert set(fits) == {"ai_cluster_h100e", "ai_cluster_power_mw", "ai_cluster_hardware_cost_usd"}
    for series in ("ai_cluster_power_mw", "ai_cluster_hardware_cost_usd"):
        fit = fits[series]
        assert fit["doubling_time_months_lower_95"] < fit["doubling_time_months"] < fit["doubling_time_months_upper_95"]
        assert fit["annual_growth_factor"] < fits["ai_cluster_h100e"]["annual_growth_factor"], series
    korea = con.execute("""select count(*) from marts.performance_trend where country = 'South Korea'
                           and series in ('ai_cluster_power_mw', 'ai_cluster_hardware_cost_usd')""").fetchone()
    assert korea == (2,)


# --- the analyst questions and the panel ---------------------------------------------------------------------------------


def test_the_two_questions_answer(con):
    questions = analyst_questions()
    share = questions["How much compute, power and money would South Korea need by 2028 to keep its 2025 share"]
    pace = questions[
        "Which countries' planned capacity keeps pace with demand (the recommended demand scenario, to the last year)"
    ]
    (row,) = con.execute(share).fetchall()
    base_date, share_pct, year, needed, mw, usd_bn = row[:6]
    assert (base_date, year) == (BASE, 2028) and 0.3 < share_pct < 1 and needed > 0 and mw > 0 and usd_bn > 0
    countries = con.execute(pace).fetchall()
    assert {r[0] for r in countries} >= {"South Korea", "United States", "China", "Japan"}
    assert all(r[-1] == (r[6] is None) for r in countries)


def test_the_panel_draws_south_korea_and_three_peers(con):
    panel = panel_module.compute_needed_panel(Marts(con))
    assert panel.figure is not None
    titles = [a.text for a in panel.figure.layout.annotations]
    assert titles == ["South Korea", "United States", "China", "Japan"]
    needed = [t for t in panel.figure.data if t.name and t.name.startswith("needed to keep its share")]
    assert len(needed) == 4 and needed[0].showlegend and not needed[1].showlegend
    korea_2028 = con.execute("""select needed_h100e from marts.compute_needed
                                where country = 'South Korea' and scenario = 'keep_world_share' and year = 2028""").fetchone()[
        0
    ]
    assert korea_2028 in needed[0].y
