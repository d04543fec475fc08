"""The HTML report on a real published warehouse, drawn by a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import math
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from flows import report
from flows.report import announced, demand, page
from flows.report.base import TFLOPS, Marts
from flows.settings import Settings
from support.tools import chromium
from support.warehouses import BUNDLED_KEYS, private_copy

ALL_PANELS = [
    "performance",
    "countries",
    "shares",
    "demand",
    "announced",
    "efficiency",
    "hpl_mxp",
    "turnover",
    "national_compute",
    "compute_needed",
]


@pytest.fixture(scope="module")
def built(published, tmp_path_factory) -> tuple[Settings, Path]:
    settings = private_copy(published, tmp_path_factory.mktemp("report"))
    return settings, report.build_report(settings.published_db, settings.report_dir)


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(chromium()),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp / 'chromium-profile'}",
            "--virtual-time-budget=10000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


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
    assert statuses == dict.fromkeys(ALL_PANELS, "chart")
    assert "South Korea" in html and f"Country shares in the latest list ({BUNDLED_KEYS[-1]})" in html


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
    assert re.search(
        r'class="js-line" d="M[-\d.]+,[-\d.]+(L[-\d.]+,[-\d.]+){30,}"[^>]*'
        r"stroke: rgb\(214, 39, 40\); stroke-opacity: 1; stroke-width: 4px",
        countries,
    )
    assert shot.stat().st_size > 100_000, "a blank page screenshots to a few KB"
    # the efficiency chart is on a log axis in Flops/W and names the fitted doubling time
    efficiency = sections["efficiency"][1]
    assert "Green500 #1 fit: doubles every" in efficiency and "GFlops/W" in efficiency
    # every series drew: two efficiency lines, their fits, coverage bars; turnover bars, two rates, two ages;
    # the HPL-MxP #1 and its Rmax, and the speed-up bars
    assert _drawn_traces(efficiency) == 5 and _drawn_traces(sections["turnover"][1]) == 5
    assert "Green500 #1 fit: doubles every" in efficiency and "KAIROS" in efficiency
    assert _drawn_traces(sections["hpl_mxp"][1]) == 3 and "El Capitan" in sections["hpl_mxp"][1]


DOWNLOAD = re.compile(
    r"<a download=[\"'](\w+)\.csv[\"'] href=[\"']data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)[\"']>"
)


def _downloads(html: str) -> dict[str, list[dict]]:
    """panel id -> the rows of the CSV its download link holds."""
    found = {}
    for key, (_, body) in _sections(html).items():
        link = DOWNLOAD.search(body)
        assert link and link.group(1) == key, f"{key}: no download link of its own"
        found[key] = list(csv.DictReader(io.StringIO(base64.b64decode(link.group(2)).decode("utf-8"))))
    return found


def test_every_chart_downloads_its_data_as_csv_from_the_page(built, tmp_path):
    """Offline: the data is inside the page (a data: link), as the browser shows it, and it is the mart's."""
    settings, page = built
    dom = _chromium("--dump-dom", page.as_uri(), tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    downloads = _downloads(dom.stdout)
    assert list(downloads) == ALL_PANELS
    for key, rows in downloads.items():
        assert rows and list(rows[0]) == ["chart", "series", "x", "y", "x_axis", "y_axis"], key
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        share = con.execute("""select total_h100e_share_pct from marts.national_compute
                               where country = 'South Korea' and list_label = '2025-06'""").fetchone()[0]
        needed = con.execute("""select needed_h100e from marts.compute_needed
                                where country = 'South Korea' and scenario = 'keep_world_share' and year = 2028""").fetchone()[
            0
        ]
    korea = [r for r in downloads["national_compute"] if r["series"] == "South Korea" and r["x"] == "2025-06-01"]
    assert [float(r["y"]) for r in korea] == [pytest.approx(share)]
    need = [
        r
        for r in downloads["compute_needed"]
        if r["chart"] == "South Korea" and r["series"].startswith("needed to keep its share") and r["x"] == "2028-12-31"
    ]
    assert [float(r["y"]) for r in need] == [pytest.approx(needed)]


def test_a_chart_that_cannot_draw_stops_the_publication_naming_it(published, tmp_path):
    settings = private_copy(published, tmp_path)
    with duckdb.connect(str(settings.published_db)) as con:
        con.execute("drop table marts.list_turnover")
    with pytest.raises(page.ChartFailed, match=r"the report's turnover chart could not be drawn: .*list_turnover"):
        report.build_report(settings.published_db, tmp_path / "report")
    assert not (tmp_path / "report" / "index.html").exists()


# --- words, distinct lines, readable labels, fitted axes -------------------------------------------

ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # fit_notable_before_2010, top500_world_after_2013, ...


def _panel_pages(page: Path, tmp: Path) -> dict[str, tuple[Path, int]]:
    """One page per panel (the others hidden), and the window height that holds it."""
    html = page.read_text()
    pages = {}
    for key, (_, body) in _sections(html).items():
        heights = [int(h) for h in re.findall(r'"height":\s*(\d+)', body)] or [600]
        one = tmp / f"panel-{key}.html"
        one.write_text(
            html.replace(
                "</style>", f".panel{{display:none}} #{key}{{display:block}} h1,.meta{{display:none}}</style>", 1
            )
        )
        pages[key] = (one, max(heights) + 260)
    return pages


def test_a_screenshot_per_panel(built, tmp_path):
    """Each panel drawn alone and saved as <tmp>/screenshots/<panel>.png, for a person to look at."""
    _, page = built
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for key, (one, height) in _panel_pages(page, tmp_path).items():
        shot = shots / f"{key}.png"
        taken = _chromium(f"--screenshot={shot}", f"--window-size=1300,{height}", one.as_uri(), tmp=tmp_path)
        assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
        assert shot.stat().st_size > 40_000, f"{key}: a blank panel screenshots to a few KB"
    assert sorted(p.stem for p in shots.iterdir()) == sorted(ALL_PANELS)


def _dom(built, tmp_path) -> dict[str, str]:
    _, page = built
    dom = _chromium("--dump-dom", "--window-size=1300,4000", page.as_uri(), tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return {k: body for k, (_, body) in _sections(dom.stdout).items()}


def _texts(body: str, css_class: str) -> list[str]:
    found = re.findall(rf'class="{css_class}"[^>]*>(.*?)</text>', body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)).strip() for t in found]


def test_the_report_speaks_in_words_not_ids(built, tmp_path):
    """Legends and titles name scenarios and supply series as readers know them; ids only in the hover."""
    sections = _dom(built, tmp_path)
    settings, page = built
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        scenarios = [s for (s,) in con.execute("select distinct scenario from marts.demand_forecast").fetchall()]
    for key, body in sections.items():
        shown = _texts(body, "legendtext") + _texts(body, "gtitle") + _texts(body, "annotation-text")
        leaked = sorted({m for text in shown for m in ID.findall(text)})
        assert leaked == [], f"{key}: ids in legends or titles: {leaked}"
    demand = sections["demand"]
    legend = " ".join(_texts(demand, "legendtext"))
    for words in (
        "OpenAI (2018)",
        "Korean policy study (2020)",
        "Epoch AI (2024)",
        "our fit: notable models before 2010",
        "TOP500 world aggregate Rmax, trend since 2014",
        "TOP500 South Korea",
    ):
        assert words in legend, words
    html = page.read_text()
    drawn = {s for s in scenarios if f"id: {s}" in html}  # the ids are in the hover templates
    assert {"openai_2018", "kr_study_roberta_bert", "top500_world_after_2013"} <= drawn


def test_distinct_scenarios_draw_distinct_lines_and_the_gap_has_a_legend(built):
    settings, _ = built
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        panel = demand.demand_panel(Marts(con))
    fig = panel.figure
    top = [t for t in fig.data if t.showlegend is not False and t.legend in (None, "legend") and t.name]
    assert len({t.name for t in top}) == len(top), "one legend entry per line"
    # growth rates (log of the last multiplier): lines whose rates differ by less than 5% look like one
    rates = sorted(math.log(t.y[-1]) for t in top)
    for a, b in itertools.pairwise(rates):
        assert b / a > 1.05, (a, b)
    assert len({(t.line.color, t.line.dash) for t in top}) == len(top), "colour and dash differ line by line"
    # the two scenarios doubling every 3.4 months (OpenAI 2018 and the fit to OpenAI's points) are one entry
    assert sum("OpenAI" in t.name for t in top) == 1
    gap = [t for t in fig.data if t.legend == "legend2"]
    assert gap and all(t.showlegend is not False for t in gap), "the gap lines have a legend of their own"
    assert fig.layout.legend2.title.text.startswith("Gap against")


def _label_boxes(body: str) -> list[tuple[str, float, float, float, float]]:
    """Text labels of points as boxes (left, top, right, bottom) in px, from the SVG plotly drew."""
    boxes = []
    pattern = (
        r'<g class="textpoint" transform="translate\(([-\d.]+),([-\d.]+)\)"><text x="([-\d.]+)" '
        r'y="([-\d.]+)" data-unformatted="([^"]*)"[^>]*text-anchor="(\w+)"[^>]*font-size: (\d+)px'
    )
    for tx, ty, x, y, text, anchor, size in re.findall(pattern, body):
        width = len(text) * int(size) * 0.55
        ax, by = float(x) + float(tx), float(y) + float(ty)
        left = {"start": ax, "middle": ax - width / 2, "end": ax - width}[anchor]
        boxes.append((text, left, by - int(size), left + width, by + 2))
    return boxes


def _overlap(a, b) -> bool:
    return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]


def test_announced_labels_do_not_overlap_and_the_axis_fits_the_data(built, tmp_path):
    boxes = _label_boxes(_dom(built, tmp_path)["announced"])
    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]
    assert clashes == [], f"labels overlap: {clashes}"
    assert 4 <= len(boxes) <= 10, [b[0] for b in boxes]

    settings, _ = built
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        fig = announced.announced_panel(Marts(con)).figure
        low, high = con.execute("""select min(coalesce(est_rmax_tflops_low, est_rmax_tflops)),
                                          max(coalesce(est_rmax_tflops_high, est_rmax_tflops))
                                   from marts.announced_systems where est_rmax_tflops > 0""").fetchone()
    assert fig.layout.yaxis.range, "the y axis is fitted, not left to autorange over every list since 1993"
    x0, x1 = fig.layout.xaxis.range
    in_range = [y for t in fig.data if t.mode == "lines" for x, y in zip(t.x, t.y) if x0 <= x <= x1]
    lowest = min(low * TFLOPS, *in_range)
    highest = max(high * TFLOPS, *in_range)
    y0, y1 = fig.layout.yaxis.range
    # the axis spans what is drawn, with a margin under half a decade (not down to 10 GFlop/s)
    assert y0 <= math.log10(lowest) <= y0 + 0.5, (y0, lowest)
    assert y1 - 0.5 <= math.log10(highest) <= y1, (y1, highest)
