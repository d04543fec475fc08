"""The official Green500 lists, HPL-MxP results and newer Epoch files through `top500 run`, for each source kind:
bundled (the published warehouse), a directory, and HTTP on 127.0.0.1."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.settings import PROJECT_ROOT
from flows.sources import green500
from support.http_server import ServerThread, Top500Site
from support.warehouses import BUNDLED_LISTS, copy_bundled

pytestmark = pytest.mark.slow

SOURCES = PROJECT_ROOT / "warehouse" / "sources"
GREEN500 = SOURCES / "green500" / "raw"
RELEASE_WEEK = SOURCES / "green500" / "variants" / "release-week-2023-11_2024-06_2024-11"
EPOCH_2025_12_17 = SOURCES / "epoch_snapshots" / "2025-12-17"

# The official Green500 #1 of named lists (top500.org), GFlops/W rounded to 2 decimals.
OFFICIAL_RANK1 = {
    "2013-11": ("TSUBAME-KFC", 4.50),
    "2014-11": ("L-CSC", 5.27),
    "2021-11": ("MN-3", 39.38),
    "2024-06": ("JEDI", 72.73),
    "2024-11": ("JEDI", 72.73),
    "2025-06": ("JEDI", 72.73),
    "2025-11": ("KAIROS", 73.28),
}


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _rank1(db: Path) -> dict[str, tuple[str, float]]:
    rows = _rows(
        db,
        "select list_label, system_name, round(energy_efficiency_gflops_per_w, 2) from marts.green500 "
        "where green500_rank = 1",
    )
    return {label: (name, gflops) for label, name, gflops in rows}


def _ok(result) -> None:
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr


# --- bundled: the published warehouse ------------------------------------------------------------


def test_bundled_green500_is_the_official_list_of_every_file(published):
    """Every bundled Green500 file's #1 and size, read from the file itself, is what marts.green500 says."""
    db = published.published_db
    rank1 = _rank1(db)
    for label, expected in OFFICIAL_RANK1.items():
        assert rank1[label] == expected, label
    for parsed in green500.parse_all(green500.collect("bundled", published)):
        rows = parsed.rows[parsed.rows["energy_efficiency_gflops_per_w"].notna()]
        top = rows.sort_values("green500_rank").iloc[0]
        label = parsed.file.file_key
        name = top["name"] or top["computer"]
        assert rank1[label] == (name, round(top["energy_efficiency_gflops_per_w"], 2)), label
        count = _rows(db, "select count(*) from marts.green500 where list_label = ?", [label])[0][0]
        assert count == len(rows), label
    # the official #1 differs from the TOP500 file's own power figures: JEDI 72.73 here, 66.91 in TOP500_202406
    jedi = _rows(
        db,
        """select round(e.energy_efficiency_gflops_per_w, 2), g.top500_link_rule
           from marts.green500 g join marts.list_entries e using (list_date, system_key)
           where g.list_label = '2024-06' and g.green500_rank = 1""",
    )
    assert jedi == [(66.91, "system_id")]
    # the efficiency trend follows the official lists: 2013-11 on
    fits = _rows(
        db,
        "select series, first_list_date from marts.performance_trend where scope = 'energy' and era = 'all'",
    )
    assert {first for _, first in fits} == {date(2013, 11, 1)}
    energy = dict(_rows(db, "select list_label, green500_rank1_system_name from marts.energy_development"))
    assert energy["2008-06"] is None and energy["2021-11"] == "MN-3"


def test_bundled_hpl_mxp_results_with_their_top500_entries(published):
    db = published.published_db
    firsts = _rows(
        db,
        """select list_label, computer, hpl_mxp_eflops, top500_rank, top500_system_name, round(speedup_over_hpl, 1)
           from marts.hpl_mxp where hpl_mxp_rank = 1 order by list_date""",
    )
    by_list = {f[0]: f for f in firsts}
    assert firsts[0] == ("2019-11", "Summit", 0.45, 1, "Summit", 3.0)
    assert by_list["2025-11"][:5] == ("2025-11", "El Capitan", 16.68, 1, "El Capitan")
    # a #1 on every list from 2019-11 to 2025-11 (13 lists)
    assert [k for k in by_list if k <= "2025-11"] == [f"{y}-{m}" for y in range(2019, 2026) for m in ("06", "11")][1:]
    # the page prints Selene at TOP500 #9 on 2023-11, where Eos stands; Selene is the file's #13 (name and Rmax)
    selene = _rows(
        db,
        """select printed_top500_rank, top500_rank, top500_system_name, top500_link_rule from marts.hpl_mxp
           where list_label = '2023-11' and computer = 'Selene'""",
    )
    assert selene == [(9, 13, "Selene", "name_rmax")]
    # ABCI 3.0's 2025-11 result carries the page's FP8 note
    notes = _rows(
        db, "select computer, notes from marts.hpl_mxp where notes is not null and list_date <= date '2025-11-01'"
    )
    assert notes == [("ABCI 3.0", "Results with FP8 data type (no longer admissible as of November 2025).")]


# --- a directory: re-issued Green500 lists, and a TOP500 list before its Green500 list ---------------


def test_a_directory_with_green500_lists_reissues_and_a_list_before_its_green500(cli, tmp_path):
    """2024-06 and 2024-11 as first published (release week), then their re-issues and the 2025-06 TOP500 list
    without its Green500 list: the re-issues replace their lists, the old versions stay listed, the run passes."""
    src = cli.after_first_run("TOP500_202406.xlsx", "TOP500_202411.xlsx")
    for name in ("green500_top_202406.xlsx", "green500_top_202411.xlsx"):
        shutil.copy2(RELEASE_WEEK / name, src / name)
    first = cli("run", "--source", str(src))
    _ok(first)
    assert "green500_top_202411.xlsx" in first.stdout and "skipped" not in first.stderr
    db = cli.warehouse / "top500.duckdb"
    assert _rank1(db) == {"2024-06": ("JEDI", 72.73), "2024-11": ("JEDI", 72.73)}
    # the release-week 2024-11 file prints JEDI at TOP500 #224; the TOP500 file has it at #222
    assert _rows(
        db,
        "select printed_top500_rank, top500_rank from marts.green500 where list_label = '2024-11' and green500_rank = 1",
    ) == [(224, 222)]

    for name in ("green500_top_202406.xlsx", "green500_top_202411.xlsx"):
        shutil.copy2(GREEN500 / name, src / name)
    shutil.copy2(BUNDLED_LISTS / "TOP500_202506.xlsx", src / "TOP500_202506.xlsx")
    second = cli("run", "--source", str(src))
    _ok(second)
    assert second.stdout.startswith("loaded 2025-06: 500 entries"), second.stdout
    versions = _rows(
        db,
        """select file_key, version, is_current, rows_loaded, rows_added, rows_removed, rows_changed
           from marts.source_versions where dataset = 'green500' order by file_key, version""",
    )
    assert [v[:4] for v in versions] == [
        ("2024-06", 1, False, 500),
        ("2024-06", 2, True, 500),
        ("2024-11", 1, False, 500),
        ("2024-11", 2, True, 500),
    ]
    assert versions[0][4:] == (None, None, None)  # nothing before the first version
    changed_2024_11 = versions[3][4:]
    assert changed_2024_11[:2] == (0, 0) and changed_2024_11[2] > 0  # same ranks, corrected rows
    assert _rows(
        db,
        "select printed_top500_rank, top500_rank from marts.green500 where list_label = '2024-11' and green500_rank = 1",
    ) == [(222, 222)]
    # 2025-06: the TOP500 list is in, its Green500 list is not yet
    energy = _rows(
        db,
        "select list_label, power_reporting_entries is not null, green500_entries from marts.energy_development order by 1",
    )
    by_list = {e[0]: e[1:] for e in energy}
    assert by_list["2025-06"] == (True, None)
    assert [by_list["2024-06"][1] is not None, by_list["2024-11"][1] is not None] == [True, True]


# --- HTTP: top500.org's layout -------------------------------------------------------------------


def test_http_source_fetches_the_green500_lists_at_top500_orgs_path(cli, tmp_path):
    """Every TOP500 list to 2014-06 and the 2013-11 Green500 list at /files/green500/; 2014-06's Green500 list is
    the newest expected and not out yet (404): the run passes and fetches it on a later run."""
    lists = [p.name for p in sorted(BUNDLED_LISTS.iterdir()) if p.name <= "TOP500_201406.xls"]
    served = copy_bundled(tmp_path / "site", lists)
    shutil.copy2(GREEN500 / "green500_top_201311.xlsx", served)
    site = Top500Site()
    site.add_directory(served)
    as_of = {"TOP500_AS_OF_DATE": "2014-06-30"}
    with ServerThread(site) as server:
        first = cli("run", "--source", server.base_url, extra_env=as_of)
        _ok(first)
        db = cli.warehouse / "top500.duckdb"
        assert _rank1(db) == {"2013-11": ("TSUBAME-KFC", 4.50)}
        assert site.count("green500_top_201406.xlsx") == 1  # asked for, 404
        uri = _rows(db, "select source_uri from raw.source_files where dataset = 'green500'")
        assert uri == [(f"{server.base_url}/files/green500/green500_top_201311.xlsx",)]

        site.add_file(Path(shutil.copy2(GREEN500 / "green500_top_201406.xlsx", served)))
        second = cli("run", "--source", server.base_url, extra_env=as_of)
        _ok(second)
        assert _rank1(db) == {"2013-11": ("TSUBAME-KFC", 4.50), "2014-06": ("TSUBAME-KFC", 4.39)}
        assert site.bodies("green500_top_201311.xlsx") == 1  # unchanged: a 304, not a second download


def test_a_bad_green500_file_is_named_and_nothing_is_published(cli, tmp_path):
    src = cli.after_first_run("TOP500_202406.xlsx")
    before = (cli.warehouse / "top500.duckdb").resolve()
    (src / "green500_top_202406.xlsx").write_bytes(b"<!DOCTYPE html><html><body>Sign in</body></html>")
    result = cli("run", "--source", str(src))
    assert result.returncode == 1
    assert "green500_top_202406.xlsx: is an HTML page, not an Excel workbook" in result.stderr
    assert "Traceback" not in result.stderr
    assert (cli.warehouse / "top500.duckdb").resolve() == before


# --- Epoch files that change ---------------------------------------------------------------------


def _reference_dir(root: Path, snapshot: Path | None) -> Path:
    """The bundled reference layout, with the files of `snapshot` in place of the bundled ones."""
    for sub in ("specs", "ai_compute", "hpl_mxp"):
        shutil.copytree(SOURCES / sub, root / sub)
    if snapshot is not None:
        for path in snapshot.rglob("*.csv"):
            shutil.copy2(path, root / path.relative_to(snapshot))
    return root


def test_a_newer_epoch_snapshot_replaces_its_rows_and_the_marts_follow(cli, tmp_path):
    """The 2025-12-17 Epoch snapshot, then the newer one (2026-07-19 ML hardware and notable models), both
    through `top500 run`: the changed files replace their rows, the versions say what changed, and the demand
    fits and national compute are made from the new rows."""
    src = cli.after_first_run("TOP500_202511.xlsx", "TOP500_202606.xlsx")
    old = _reference_dir(tmp_path / "epoch-2025-12-17", EPOCH_2025_12_17)
    _ok(cli("run", "--source", str(src), "--reference-source", str(old)))
    db = cli.warehouse / "top500.duckdb"
    first_generation = (cli.warehouse / "current").resolve().name
    fits_before = dict(_rows(db, "select selection, n from marts.demand_growth_fits where n is not null"))
    hardware_before = _rows(db, "select count(*) from raw.epoch_ml_hardware")[0][0]

    new = _reference_dir(tmp_path / "epoch-newest", None)
    second = cli("run", "--source", str(src), "--reference-source", str(new))
    _ok(second)
    assert "ml_hardware.csv" in second.stdout and "notable_ai_models.csv" in second.stdout
    versions = {
        dataset: rest
        for dataset, *rest in _rows(
            db,
            """select dataset, rows_loaded, rows_added, rows_removed, rows_changed from marts.source_versions
               where is_current and dataset like 'epoch%'""",
        )
    }
    # 2025-12-17 -> 2026-07-19: rows added, removed, and changed under the same key (Epoch corrects rows)
    assert versions["epoch_ml_hardware"] == [176, 9, 3, 90]
    assert versions["epoch_notable_ai_models"] == [1036, 78, 7, 72]
    assert versions["epoch_gpu_clusters"][1:] == [None, None, None]  # the same file: one version only
    assert (hardware_before, _rows(db, "select count(*) from raw.epoch_ml_hardware")[0][0]) == (170, 176)
    fits_after = dict(_rows(db, "select selection, n from marts.demand_growth_fits where n is not null"))
    assert fits_after != fits_before
    assert fits_after["notable_2010_on"] > fits_before["notable_2010_on"]
    # national compute is rebuilt from the new chip rows: its H100e come from marts.accelerator_specs, which now
    # holds the 176 chips of the new file (none of the changed chips is on these lists, so the H100e stay equal)
    specs = _rows(db, "select count(*) from marts.accelerator_specs where spec_source = 'epoch_ml_hardware'")[0][0]
    assert specs == 176
    assert first_generation != (cli.warehouse / "current").resolve().name  # a new publication, not a no-op
