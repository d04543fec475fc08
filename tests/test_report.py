"""The HTML report on a real published warehouse, drawn by a real browser (headless Chromium)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import private_copy  # noqa: E402

from flows import report
from flows.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ALL_PANELS = ["performance", "countries", "shares", "demand", "announced", "national_compute"]


@pytest.fixture(scope="module")
def built(published, tmp_path_factory) -> tuple[Settings, Path]:
    settings = private_copy(published, tmp_path_factory.mktemp("report"))
    return settings, report.build_report(settings)


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed: apt-get install -y chromium (.ci/run installs it)")
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=10000", *args],
        capture_output=True, text=True, timeout=180)


def _sections(dom: str) -> dict[str, tuple[str, str]]:
    """panel id -> (data-status, the section's HTML); sections never nest."""
    found = {}
    pattern = r"<section class=[\"']panel[\"'] id=[\"'](\w+)[\"'] data-status=[\"'](\w+)[\"']>(.*?)</section>"
    for m in re.finditer(pattern, dom, re.S):
        found[m.group(1)] = (m.group(2), m.group(3))
    return found


def _drawn_traces(section: str) -> int:
    """Trace groups plotly drew with real geometry (a path with coordinates or bar points)."""
    groups = section.split('<g class="trace ')[1:]
    return sum(bool(re.search(r'\bd="M[-\d.]+,[-\d.]+[LHVA]', g)) for g in groups)


def _render(page: Path, tmp: Path) -> tuple[str, Path]:
    dom = _chromium("--dump-dom", page.as_uri(), tmp=tmp)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp / "report.png"
    taken = _chromium(f"--screenshot={shot}", "--window-size=1400,4000", page.as_uri(), tmp=tmp)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    return dom.stdout, shot


def test_page_is_self_contained(built):
    _, page = built
    html = page.read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?(https?:)?//", html), "no external resources"
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1, "plotly.js embedded exactly once"
    statuses = {k: v[0] for k, v in _sections(html).items()}
    assert statuses == {k: "chart" for k in ALL_PANELS}
    assert "South Korea" in html and "2026-06" in html


def test_every_chart_draws_in_chromium(built, tmp_path):
    _, page = built
    dom, shot = _render(page, tmp_path)
    sections = _sections(dom)
    assert list(sections) == ALL_PANELS
    for key, (status, body) in sections.items():
        assert status == "chart", key
        assert 'class="plot-container plotly"' in body, f"{key}: plotly did not initialise"
        assert body.count('class="main-svg"') >= 2, key
        assert _drawn_traces(body) >= 2, f"{key}: fewer than two traces drew"
    # South Korea is highlighted in the country chart: bold legend entry, a thick red line with data
    countries = sections["countries"][1]
    assert '<tspan style="font-weight:bold">South Korea</tspan>' in countries
    assert re.search(r'class="js-line" d="M[-\d.]+,[-\d.]+(L[-\d.]+,[-\d.]+){30,}"[^>]*'
                     r'stroke: rgb\(214, 39, 40\); stroke-opacity: 1; stroke-width: 4px', countries)
    assert shot.stat().st_size > 100_000, "a blank page screenshots to a few KB"


def test_missing_marts_render_not_available_and_the_rest_still_draws(published, tmp_path):
    settings = private_copy(published, tmp_path)
    con = duckdb.connect(str(settings.published_db))
    for table in ("demand_supply_gap", "demand_gap_milestones", "demand_forecast"):
        con.execute(f"drop table if exists marts.{table}")
    con.execute("alter table marts.announced_systems drop column est_rmax_tflops")  # a mart of an older shape
    con.close()
    page = report.build_report(settings)
    statuses = {k: v[0] for k, v in _sections(page.read_text()).items()}
    assert statuses == {"performance": "chart", "countries": "chart", "shares": "chart",
                        "demand": "unavailable", "announced": "unavailable", "national_compute": "chart"}
    assert "Not available: marts.demand_forecast is not in the published warehouse yet" in page.read_text()
    assert "marts.announced_systems lacks the columns est_rmax_tflops this chart reads." in page.read_text()
    dom, _ = _render(page, tmp_path)
    drawn = {k: _drawn_traces(body) for k, (_, body) in _sections(dom).items()}
    assert all(drawn[k] >= 2 for k in ("performance", "countries", "shares")), drawn
    assert drawn["demand"] == drawn["announced"] == 0


def test_report_is_replaced_atomically(built):
    settings, page = built
    before = page.stat().st_ino
    again = report.build_report(settings)
    assert again == page and page.stat().st_ino != before, "a new file renamed over the old one"
    assert [p.name for p in page.parent.iterdir()] == ["index.html"], "no temp file left behind"
