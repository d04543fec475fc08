"""Kill the whole pipeline at any point: the published file survives and the next run converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from flows.files import sha256_of
from flows.publish import check_copy
from support.warehouses import copy_bundled

pytestmark = pytest.mark.slow

FIRST = ["TOP500_202306.xlsx", "TOP500_202311.xlsx"]
NEW = "TOP500_202406.xlsx"


def content(db) -> tuple:
    """What analysts see, independent of run ids and timestamps."""
    with duckdb.connect(str(db), read_only=True) as con:
        return (
            con.execute(
                "select list_date, count(*), sum(rmax_tflops), count(distinct system_key) "
                "from marts.list_entries group by 1 order by 1"
            ).fetchall(),
            con.execute(
                "select list_date, country, systems, rmax_tflops from marts.country_list_stats order by 1, 2"
            ).fetchall(),
            con.execute("select count(*) from marts.systems").fetchone(),
        )


def test_sigkill_at_any_stage_keeps_the_published_file_and_the_next_run_converges(cli, prefect_api, tmp_path):
    # What a clean run with all three lists publishes, and how long a run takes here.
    reference_src = copy_bundled(tmp_path / "all-lists", [*FIRST, NEW])
    reference_env = {"TOP500_WAREHOUSE_DIR": str(tmp_path / "reference")}
    started = time.monotonic()
    cli("run", "--source", str(reference_src), check=True, extra_env=reference_env)
    duration = time.monotonic() - started
    reference = content(tmp_path / "reference" / "top500.duckdb")

    src = cli.after_first_run(*FIRST)
    published = cli.warehouse / "top500.duckdb"
    before = sha256_of(published)
    copy_bundled(src, [NEW])

    env = {**os.environ, **prefect_api, "TOP500_WAREHOUSE_DIR": str(cli.warehouse), "CI": "1"}
    outcomes = set()
    for fraction in (0.25, 0.6, 0.9):  # during extract/gates, dbt, publish
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "run", "--source", str(src)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(duration * fraction)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if sha256_of(published) == before:
            outcomes.add("old")
        else:  # the kill came after the atomic rename: the new file is whole
            check_copy(published)
            assert content(published) == reference
            outcomes.add("new")
            break
    assert "old" in outcomes  # at least one kill landed before publishing

    final = cli("run", "--source", str(src), check=True)
    assert final.returncode == 0
    assert content(published) == reference
    assert not [p for p in cli.warehouse.iterdir() if p.name.startswith(".top500.")]
