"""The marts built by flows.transform on every bundled list (67 to 2026-06): facts analysts rely on."""

from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pytest

from flows import transform
from flows.settings import PROJECT_ROOT, Settings
from support.tools import ReadOnlyDirectory
from support.warehouses import built_copy

MY_MODELS = ["@list_entries", "@system_linkage_quality"]  # "@": descendants and all their parents


@pytest.fixture(scope="module")
def built(tmp_path_factory, loaded_build_db):
    """One full `dbt build` on a private copy of the loaded build file."""
    # this area's models, their upstream and their tests (the pipeline builds everything)
    return built_copy(tmp_path_factory.mktemp("marts"), loaded_build_db, "test-marts", MY_MODELS)


def test_build_reports_and_releases_the_file(built):
    settings, summary = built
    assert summary.models_built >= 12
    assert summary.tests_run >= 120 and summary.tests_passed == summary.tests_run  # 158 in this selection
    assert not summary.skipped
    # the marts' not-null, range and key rules are enforced constraints of the built tables, not test nodes
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        held = Counter(
            dict(
                con.execute("""select table_name, count(*) from duckdb_constraints()
                                           where schema_name = 'marts' group by all""").fetchall()
            )
        )
    assert held["list_entries"] >= 25 and held["system_linkage_quality"] >= 17 and held["systems"] >= 15
    # dbt's connections are closed: this process can open the file read-write again.
    writer = duckdb.connect(str(settings.build_db))
    writer.execute("create or replace table main.write_probe as select 1 as x")
    writer.execute("drop table main.write_probe")
    writer.close()
    # targets and logs stay under the warehouse, not in the repository
    assert (settings.build_dir / "dbt" / "target" / "manifest.json").exists()
    assert not (PROJECT_ROOT / "dbt_project" / "logs").exists()


def test_known_list_facts(con):
    china = con.execute("""select systems, rank_by_systems from marts.country_list_stats
                       where list_label = '2020-11' and country = 'China'""").fetchone()
    assert china == (214, 1)
    top = con.execute("""select system_name, rmax_tflops from marts.list_entries
                     where list_label = '2020-11' and rank = 1""").fetchone()
    assert top == ("Supercomputer Fugaku", 442010.0)


def test_linkage_quality(con):
    worst, overall = con.execute("""select min(previous_rank_linked_pct),
                                       sum(linked_entries) / sum(entries) filter (where previous_list_loaded)
                                from marts.system_linkage_quality""").fetchone()
    assert worst >= 95
    assert 0.5 < overall < 0.95  # about a third of every list is new


def test_performance_development_1993(con):
    total, first, last = con.execute("""select total_rmax_tflops, rank1_rmax_tflops, rank500_rmax_tflops
                                    from marts.performance_development where list_label = '1993-06'""").fetchone()
    assert (round(total, 1), round(first, 4), round(last, 4)) == (1.1, 0.0597, 0.0004)


def test_doubling_times_are_plausible(con):
    fits = {
        (series, era): (months, lo, hi, r2)
        for series, era, months, lo, hi, r2 in con.execute(
            """select series, era, doubling_time_months, doubling_time_months_lower_95,
                      doubling_time_months_upper_95, r_squared
               from marts.performance_trend where scope = 'global'"""
        ).fetchall()
    }
    months, lo, hi, r2 = fits[("total_rmax", "all")]
    assert 12 < months < 24 and lo < months < hi and r2 > 0.95
    # growth slowed after 2013 (TOP500.org's own observation)
    assert fits[("total_rmax", "after_2013")][0] > fits[("total_rmax", "before_2008")][0] * 1.3
    for months, lo, hi, _ in fits.values():
        assert 6 < months < 60 and lo < months < hi


def test_t_quantile_matches_scipy(con):
    stats = pytest.importorskip("scipy.stats")
    for n, t in con.execute("select distinct n_lists, t_critical_95 from marts.performance_trend").fetchall():
        assert abs(t - stats.t.ppf(0.975, n - 2)) < 1e-3


def test_projection_reaches_the_horizon(con):
    latest = con.execute("select max(list_date) from marts.performance_development").fetchone()[0]
    rows = con.execute("""select max(years_ahead), count(*), bool_and(lower_95_tflops < projected_tflops
                             and projected_tflops < upper_95_tflops)
                      from marts.performance_projection where series = 'total_rmax' and fit_era = 'all'""").fetchone()
    assert rows == (5.0, 10, True), latest


def test_list_shares_has_the_dimensions_analysts_filter_by(con):
    dims = {d for (d,) in con.execute("select distinct dimension from marts.list_shares").fetchall()}
    assert {
        "vendor",
        "segment",
        "accelerator_family",
        "interconnect_family",
        "processor_family",
        "architecture",
        "os_family",
        "continent",
    } <= dims


def test_failing_test_raises_with_node_name(built, tmp_path):
    settings, _ = built
    broken = Settings(warehouse_dir=tmp_path / "warehouse")
    broken.build_dir.mkdir(parents=True)
    shutil.copy(settings.build_db, broken.build_db)
    with duckdb.connect(str(broken.build_db)) as c:
        c.execute("update raw.top500_entries set rmax_tflops = 1e9 where list_date = date '2020-11-01' and rank = 250")
    with pytest.raises(transform.DbtRunError) as err:
        transform.build(broken, select=["+list_entries", "assert_rmax_sorted_by_rank"])
    assert "assert_rmax_sorted_by_rank" in str(err.value)
    # the file is released even after a failure
    duckdb.connect(str(broken.build_db)).close()


def test_docs_generate_offline(built, tmp_path):
    # on a copy: this process holds the module's read-only connection to the original
    settings = Settings(warehouse_dir=tmp_path / "warehouse")
    settings.build_dir.mkdir(parents=True)
    shutil.copy(built[0].build_db, settings.build_db)
    page = transform.docs_generate(settings)
    html = page.read_text()
    assert "performance_trend" in html and "system_key" in html


def test_a_new_warehouse_reuses_the_parse_of_the_same_project_files(loaded_build_db, tmp_path):
    """dbt parses the project once per set of project files, not once per warehouse (about 2.5 s of every
    first run); a changed model file is parsed again."""
    project = tmp_path / "dbt_project"  # private: other tests keep their parses in the real project
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))

    def build(name: str) -> str:
        settings = Settings(warehouse_dir=tmp_path / name, dbt_project_dir=project)
        if not settings.build_db.exists():
            settings.build_dir.mkdir(parents=True)
            shutil.copy(loaded_build_db, settings.build_db)
        transform.build(settings, select=["stg_top500__list_entries"])
        return (settings.build_dir / "dbt" / "logs" / "dbt.log").read_text()

    def kept() -> set[str]:
        return {p.name for p in (project / "target" / "parse_seeds").glob("*.msgpack")}

    full_parse = "Unable to do partial parsing"
    assert full_parse in build("first")
    assert len(kept()) == 1
    assert full_parse not in build("second")

    model = project / "models" / "staging" / "stg_top500__list_entries.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    assert full_parse in build("after-a-change")
    assert len(kept()) == 2

    # where the parse cannot be kept (a read-only install), the build still runs and keeps nothing
    model.write_text(model.read_text() + "\n-- changed again\n")
    with ReadOnlyDirectory(project / "target" / "parse_seeds"):
        assert full_parse in build("read-only")
    assert len(kept()) == 2

    # a project that does not parse keeps nothing, not even the older parse its warehouse holds
    model.write_text(model.read_text() + "\n{{ not closed\n")
    with pytest.raises(transform.DbtRunError):
        build("after-a-change")
    assert len(kept()) == 2
