"""TOP500.org parity marts (the official green500, hpl_mxp, hpcg, list_turnover, energy_development, the energy fits)
on every bundled list."""

from __future__ import annotations

import pytest

from flows.analyst import analyst_questions
from support.warehouses import BUNDLED_GREEN500_KEYS, BUNDLED_KEYS, built_copy

PARITY_MODELS = [
    "+green500",
    "+hpl_mxp",
    "+hpcg",
    "+list_turnover",
    "+energy_development",
    "+performance_projection",
    "+systems",
]


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


def test_green500_ranks_are_as_published_and_follow_the_efficiency(con):
    """n per list is counted from raw (the entries each file ranks), not from the mart, so dropped entries fail."""
    bad = con.execute("""
        with expected as (
            select list_date, count(*) as n from raw.green500_entries
            where energy_efficiency_gflops_per_w is not null group by list_date
        ),
        ranks as (
            select list_date, list(green500_rank order by green500_rank) as ranks from marts.green500 group by list_date
        )
        select expected.list_date, expected.n, ranks.ranks[:3]
        from expected full outer join ranks using (list_date)
        where ranks.ranks is distinct from range(1, expected.n + 1)""").fetchall()
    assert bad == []
    green = [k for (k,) in con.execute("select distinct list_label from marts.green500 order by 1").fetchall()]
    assert green == BUNDLED_GREEN500_KEYS  # the official lists bundled: 26 from 2013-11 to 2026-06
    # ordered by the published efficiency (to the files' last digit: 2015-06 prints 0.496798919 below 0.4967987805)
    disorder = con.execute("""
        select count(*) from (
            select energy_efficiency_gflops_per_w as eff, lag(energy_efficiency_gflops_per_w) over w as prev_eff
            from marts.green500 window w as (partition by list_date order by green500_rank))
        where eff > prev_eff + 1e-6""").fetchone()[0]
    assert disorder == 0


def test_green500_links_to_the_top500_entries_by_evidence(con):
    """Most entries link; a link never points at an entry of another list or at two Green500 entries, and where
    both files print a System ID the linked entry has the same one."""
    linked, total = con.execute("select count(system_key), count(*) from marts.green500").fetchone()
    assert linked / total > 0.9
    wrong_id = con.execute("""
        select count(*) from marts.green500 g
        join raw.green500_entries r using (list_date, green500_rank)
        join marts.list_entries e on e.list_date = g.list_date and e.rank = g.top500_rank
        where r.system_id is not null and e.system_id is not null and r.system_id <> e.system_id""").fetchone()[0]
    assert wrong_id == 0
    # 2014-06 prints other TOP500 ranks than the TOP500 file: TSUBAME-KFC printed at #437 is the file's #435
    assert con.execute("""select printed_top500_rank, top500_rank, top500_link_rule from marts.green500
                          where list_label = '2014-06' and green500_rank = 1""").fetchone() == (
        437,
        435,
        "computer_site",
    )


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
    assert [r[0] for r in lists] == [k for k in BUNDLED_KEYS if k >= "2008-06"]  # 37 lists to 2026-06
    assert all(cov == pytest.approx(n / 5) for _, n, cov, _, _ in lists)
    assert {r[0]: r[1] for r in lists}["2017-06"] == 500  # the one list where every entry printed power
    green = [r for r in lists if r[3] is not None]
    assert [r[0] for r in green] == BUNDLED_GREEN500_KEYS  # the official Green500 lists: 26 to 2026-06
    assert all(g1 >= median > 0 for _, _, _, g1, median in green)
    fits = {
        (s, e): (months, lo, hi)
        for s, e, months, lo, hi in con.execute(
            """select series, era, doubling_time_months, doubling_time_months_lower_95, doubling_time_months_upper_95
           from marts.performance_trend where scope = 'energy'"""
        ).fetchall()
    }
    assert set(fits) == {
        (s, e) for s in ("green500_rank1_efficiency", "median_efficiency") for e in ("all", "after_2013")
    }
    for months, lo, hi in fits.values():
        assert 12 < lo < months < hi < 48  # efficiency doubles every one to four years
    # energy fits never leak into the TFlop/s projections
    assert (
        con.execute("""select count(*) from marts.performance_projection
                          where series like '%efficiency%'""").fetchone()[0]
        == 0
    )


def _analyst_query(start: str) -> str:
    """The analyst question of docs/analysts.md whose heading starts with `start`."""
    return next(sql for heading, sql in analyst_questions().items() if heading.startswith(start))


def test_analyst_questions_run_on_the_marts(con):
    green = con.execute(_analyst_query("The Green500 #1 of each list since 2013-11")).fetchall()
    assert [r[0] for r in green] == BUNDLED_GREEN500_KEYS and green[0][:3] == ("2013-11", "TSUBAME-KFC", 4.5)
    by_list = {row[0]: row for row in green}
    assert by_list["2021-11"][1:3] == ("MN-3", 39.38) and by_list["2025-11"][1:3] == ("KAIROS", 73.28)
    mxp = con.execute(_analyst_query("Each HPL-MxP result with its TOP500 rank")).fetchall()
    assert len([r for r in mxp if r[0] <= "2025-11"]) == 266 and mxp[0][:3] == ("2019-11", 1, "Summit")  # to 2025-11

    turnover = con.execute(_analyst_query("How fast the list turns over")).fetchall()
    assert [r[0] for r in turnover] == [k for k in BUNDLED_KEYS if k >= "2010-06"]  # 33 lists to 2026-06
    assert all(r[1] is not None and r[2] is not None for r in turnover)
