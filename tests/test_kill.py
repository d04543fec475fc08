"""SIGKILL during publish: the published file is always a complete, readable warehouse."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from flows.load import connect, load_files
from flows.publish import check_copy, clean_stale_temp, publish, published_state
from flows.settings import Settings
from flows.sources import top500

PUBLISH_FOREVER = (
    "from flows.publish import publish; from flows.settings import Settings\n"
    "while True: publish(Settings(), with_exports=False, with_report=False)"
)


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("TOP500_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    s = Settings()
    files = [f for f in top500.collect("bundled", s) if f.file_name in {"TOP500_202311.xlsx", "TOP500_202406.xlsx"}]
    with connect(s.build_db) as con:
        load_files(con, top500.parse_all(files), "load-1")
    return s


def test_killed_publish_never_breaks_the_published_file(settings):
    publish(settings, with_exports=False, with_report=False)
    rng = random.Random(6)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", PUBLISH_FOREVER], env=os.environ.copy())
        time.sleep(0.8 + rng.random() * 0.8)  # interpreter start, then somewhere inside a publish
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts = check_copy(settings.published_db)  # opens, right format, every object readable
        assert counts["raw.top500_entries"] == 1000
    clean_stale_temp(settings)
    leftovers = [
        p.name
        for d in (settings.warehouse_dir, settings.publications_dir)
        for p in d.iterdir()
        if p.name.startswith(".") and p.name != "state.json"
    ]
    assert leftovers == []
    assert (
        publish(settings, with_exports=False, with_report=False).database["sha256"] == published_state(settings).sha256
    )
