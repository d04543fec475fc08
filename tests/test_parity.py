"""TOP500.org parity marts (green500, hpcg, list_turnover, energy_development, the energy fits) on every bundled list."""

from __future__ import annotations

import re

import pytest
from conftest import BUNDLED_KEYS, built_copy

from flows.settings import PROJECT_ROOT

PARITY_MODELS = ["+green500", "+hpcg", "+list_turnover", "+energy_development", "+performance_projection", "+systems"]
ANALYST_QUERIES = PROJECT_ROOT / "dbt_project" / "models" / "marts" / "analyst_queries.md"
# The file prints efficiency rounded: MFlops/W with 2 decimals to 2016-11, GFlops/W with 3 decimals after.
PRINTED_ROUNDING_GFLOPS_PER_W = 0.0005 + 1e-9


@pytest.fixture(scope="module")
def built(tmp_path_factory, loaded_build_db):
    return built_copy(tmp_path_factory.mktemp("parity"), loaded_build_db, "test-parity", PARITY_MODELS)


def test_build_runs_the_parity_tests(built):
    _, summary = built
    assert summary.tests_run >= 60 and summary.tests_passed == summary.tests_run
    assert not summary.skipped


def test_hpcg_2020_11_top_two(con):
    top = con.execute("""select hpcg_rank, system_name, hpcg_tflops, top500_rank from marts.hpcg
                         where list_label = '2020-11' and hpcg_rank <= 4 order by hpcg_rank""").fetchall()
    assert top[:2] == [(1, "Supercomputer Fugaku", 16004.5, 1), (2, "Summit", 2925.75, 2)]
    # HPCG reorders the list: Selene (TOP500 #5) passes Sunway TaihuLight (#4)
    assert top[3][1:] == ("Selene", 1622.51, 5)
    disorder = con.execute("""select count(*) from (
                                  select hpcg_tflops, lag(hpcg_tflops) over (partition by list_date order by hpcg_rank) as prev
                                  from marts.hpcg) where hpcg_tflops > prev""").fetchone()[0]
    assert disorder == 0
    pct = con.execute("""select hpcg_to_hpl_pct from marts.hpcg
                         where list_label = '2020-11' and hpcg_rank = 1""").fetchone()[0]
    assert pct == pytest.approx(100 * 16004.5 / 442010)


def test_green500_rank_is_a_permutation_per_list(con):
    """n per list is counted from list_entries, not from the mart, so dropped entries fail too."""
    bad = con.execute("""
        with expected as (
            select list_date, count(*) as n from marts.list_entries
            where power_kw > 0 and rmax_tflops > 0 group by list_date
        ),
        ranks as (
            select list_date, list(green500_rank order by green500_rank) as ranks from marts.green500 group by list_date
        )
        select expected.list_date, expected.n, ranks.ranks[:3]
        from expected full outer join ranks using (list_date)
        where ranks.ranks is distinct from range(1, expected.n + 1)""").fetchall()
    assert bad == []
    green = [k for (k,) in con.execute("select distinct list_label from marts.green500 order by 1").fetchall()]
    assert green == [k for k in BUNDLED_KEYS if k >= "2008-06"]  # the lists reporting power: 37 to 2026-06
    # ordered by efficiency, ties by Rmax
    disorder = con.execute("""
        select count(*) from (
            select energy_efficiency_gflops_per_w as eff, rmax_tflops as rmax,
                   lag(energy_efficiency_gflops_per_w) over w as prev_eff, lag(rmax_tflops) over w as prev_rmax
            from marts.green500 window w as (partition by list_date order by green500_rank))
        where eff > prev_eff or (eff = prev_eff and rmax > prev_rmax)""").fetchone()[0]
    assert disorder == 0


def test_derived_efficiency_agrees_with_the_files_own(con):
    # Systems unchanged (same Rmax and power) from 2011-06, where the mart derives efficiency, to 2011-11, where the
    # file prints it: the derived figure must equal the printed one within the print's rounding.
    pairs = con.execute("""
        select derived.system_name, derived.energy_efficiency_gflops_per_w, printed.energy_efficiency_gflops_per_w
        from marts.green500 as derived
        inner join marts.green500 as printed using (system_key, rmax_tflops, power_kw)
        where derived.list_label = '2011-06' and printed.list_label = '2011-11'""").fetchall()
    assert len(pairs) > 40  # 53 on the bundled lists
    off = [(name, d, p) for name, d, p in pairs if abs(d - p) > PRINTED_ROUNDING_GFLOPS_PER_W]
    assert off == []
    sources = dict(
        con.execute("""select efficiency_source, count(distinct list_date) from marts.green500
                                  group by all""").fetchall()
    )
    assert sources == {"derived": 7, "file": 30}  # 2008-06..2011-06 print power but no efficiency
    # Where the file prints both, Rmax / power reproduces its efficiency within rounding, except the one entry
    # whose efficiency comes from a separate power-optimized run (Piz Daint, 2017-06, power source "Optimized").
    off = con.execute(f"""
        select list_label, system_name, energy_efficiency_gflops_per_w, rmax_tflops / power_kw
        from marts.green500
        where efficiency_source = 'file'
            and abs(rmax_tflops / power_kw - energy_efficiency_gflops_per_w) > {PRINTED_ROUNDING_GFLOPS_PER_W}
        """).fetchall()
    assert [(label, name) for label, name, *_ in off] == [("2017-06", "Piz Daint")]


def test_turnover_counts_add_up(con):
    # stayed = entries of the list whose system_key was on the previous list, counted here from list_entries
    rows = con.execute("""
        with by_key as (
            select cur.list_date, count(*) as stayed_by_key
            from marts.list_entries as cur
            inner join marts.list_entries as prev
                on prev.edition = cur.edition - 1 and prev.system_key = cur.system_key
            group by cur.list_date
        )
        select turnover.list_label, turnover.previous_list_entries, turnover.stayed_entries, turnover.left_systems,
               turnover.new_entries, turnover.entries, by_key.stayed_by_key
        from marts.list_turnover as turnover
        left join by_key using (list_date)
        order by turnover.list_date""").fetchall()
    assert [r[0] for r in rows] == BUNDLED_KEYS
    first, *rest = rows
    assert first[:5] == ("1993-06", None, None, None, None)
    for label, previous, stayed, left, new, entries, stayed_by_key in rest:
        assert previous == stayed + left, label
        assert entries == new + stayed, label
        assert stayed == stayed_by_key, label
    # about a third of each list is new before 2013, about a tenth since 2020
    rates = dict(con.execute("select list_label, replacement_rate_pct from marts.list_turnover").fetchall())
    assert 25 < sum(rates[f"{y}-{m}"] for y in range(2000, 2013) for m in ("06", "11")) / 26 < 50
    assert 5 < sum(rates[f"{y}-{m}"] for y in range(2020, 2026) for m in ("06", "11")) / 12 < 15


def test_turnover_entry_level_and_year_ago(con):
    rows = {
        label: (r1, r500, yoy)
        for label, r1, r500, yoy in con.execute(
            """select list_label, rank1_rmax_tflops, rank500_rmax_tflops, rank500_rmax_yoy_growth_pct
           from marts.list_turnover"""
        ).fetchall()
    }
    assert rows["1993-06"][2] is None and rows["1993-11"][2] is None
    assert rows["2020-11"][0] == 442010.0
    r500_2019_11 = rows["2019-11"][1]
    assert rows["2020-11"][2] == pytest.approx(100 * (rows["2020-11"][1] / r500_2019_11 - 1))


def test_energy_series_and_fits(con):
    lists = con.execute("""select list_label, power_reporting_entries, power_coverage_pct,
                                  green500_rank1_efficiency_gflops_per_w, median_efficiency_gflops_per_w
                           from marts.energy_development order by list_date""").fetchall()
    assert lists[0][0] == "2008-06" and len(lists) == 37
    assert all(g1 >= median > 0 for _, _, _, g1, median in lists)
    assert all(cov == pytest.approx(n / 5) for _, n, cov, _, _ in lists)
    assert {r[0]: r[1] for r in lists}["2017-06"] == 500  # the one list where every entry printed power
    fits = {
        (s, e): (months, lo, hi)
        for s, e, months, lo, hi in con.execute(
            """select series, era, doubling_time_months, doubling_time_months_lower_95, doubling_time_months_upper_95
           from marts.performance_trend where scope = 'energy'"""
        ).fetchall()
    }
    assert set(fits) == {
        (s, e) for s in ("green500_rank1_efficiency", "median_efficiency") for e in ("all", "2008_2013", "after_2013")
    }
    for months, lo, hi in fits.values():
        assert 12 < lo < months < hi < 48  # efficiency doubles every one to four years
    # energy fits never leak into the TFlop/s projections
    assert (
        con.execute("""select count(*) from marts.performance_projection
                          where series like '%efficiency%'""").fetchone()[0]
        == 0
    )


def _analyst_query(heading: str) -> str:
    text = ANALYST_QUERIES.read_text()
    match = re.search(rf"^-- {re.escape(heading)}.*?\n(.*?;)", text, re.S | re.M)
    assert match, heading
    return match.group(1)


def test_analyst_questions_run_on_the_marts(con):
    green = con.execute(_analyst_query("The five most energy-efficient systems on each list since 2020")).fetchall()
    per_list: dict[str, list] = {}
    for row in green:
        per_list.setdefault(row[0], []).append(row)
    assert next(iter(per_list)) == "2020-06" and len(per_list) == 13
    assert all([r[1] for r in rows] == [1, 2, 3, 4, 5] for rows in per_list.values())
    assert all(rows[0][4] >= rows[-1][4] for rows in per_list.values())
    assert per_list["2022-06"][0][2] == "Frontier TDS"

    turnover = con.execute(_analyst_query("How fast the list turns over")).fetchall()
    assert [r[0] for r in turnover][:2] == ["2010-06", "2010-11"] and len(turnover) == 33
    assert all(r[1] is not None and r[2] is not None for r in turnover)
