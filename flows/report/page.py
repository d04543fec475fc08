"""The report page: every panel, rendered into one self-contained HTML file.

Built from a publication's own database copy (read-only) while the publication is staged, so it is
published and rolled back with the data it shows. plotly.js is embedded once, inline, so the page opens
offline and can be mailed or archived; each chart's data is in the page too, as a CSV download link. Each panel carries `data-status="chart"`, or `"unavailable"` when the
data holds nothing to draw (e.g. no list the Epoch data covers), so a browser test knows how many charts
must have drawn. A chart that raises stops the publication (`ChartFailed`).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from flows.files import sha256_of
from flows.report.announced import announced_panel
from flows.report.base import Marts, Panel
from flows.report.compute_needed import compute_needed_panel
from flows.report.countries import country_panels
from flows.report.demand import demand_panel
from flows.report.efficiency import efficiency_panel
from flows.report.hpl_mxp import hpl_mxp_panel
from flows.report.national import national_compute_panel
from flows.report.performance import performance_panel
from flows.report.turnover import turnover_panel

PLOT_CONFIG = {"displaylogo": False, "responsive": True}


PANELS = (
    performance_panel,
    country_panels,  # two panels: systems over time, and shares of a list
    demand_panel,
    announced_panel,
    efficiency_panel,
    hpl_mxp_panel,
    turnover_panel,
    national_compute_panel,
    compute_needed_panel,
)


class ChartFailed(Exception):
    """A chart could not be drawn from the marts: the publication stops (the report is part of it)."""


def build_panels(m: Marts) -> list[Panel]:
    """Every panel, in page order. The marts gate has checked every mart these read, so a chart that
    fails is a bug: it stops the publication with the chart's name rather than publish a page without it."""
    panels: list[Panel] = []
    for make in PANELS:
        try:
            made = make(m)
        except Exception as exc:
            name = make.__name__.removesuffix("_panel").removesuffix("_panels")
            raise ChartFailed(f"the report's {name} chart could not be drawn: {type(exc).__name__}: {exc}") from exc
        panels.extend(made if isinstance(made, tuple) else (made,))
    return panels


def chart_csv(figure) -> str:
    """The data a chart draws, one row per point: the chart (the subplot's title), the series (the legend
    name), x, y, and the axes' titles (which carry the units). Built from the figure itself, so it holds
    exactly what is drawn."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["chart", "series", "x", "y", "x_axis", "y_axis"])
    for trace in figure.data:
        if getattr(trace, "x", None) is None or getattr(trace, "y", None) is None:
            continue
        xaxis, yaxis = _axis(figure, "xaxis", trace.xaxis), _axis(figure, "yaxis", trace.yaxis)
        head = [_subplot_title(figure, xaxis, yaxis), _text(trace.name or trace.legendgroup or "")]
        axes = [_text(axis.title.text or "") if axis is not None else "" for axis in (xaxis, yaxis)]
        for x, y in zip(trace.x, trace.y):
            writer.writerow([*head, _cell(x), _cell(y), *axes])
    return out.getvalue()


def _axis(figure, kind: str, ref: str | None):
    return figure.layout[kind + (ref[1:] if ref and len(ref) > 1 else "")]


def _subplot_title(figure, xaxis, yaxis) -> str:
    """The title make_subplots puts centred above a subplot ('' for a figure without subplot titles)."""
    if xaxis is None or yaxis is None or xaxis.domain is None or yaxis.domain is None:
        return ""
    (left, right), top = xaxis.domain, yaxis.domain[1]
    for note in figure.layout.annotations or ():
        if note.xref == "paper" and note.yref == "paper" and left <= note.x <= right and abs(note.y - top) < 0.02:
            return _text(note.text)
    return ""


def _text(value: str) -> str:
    """Words without the HTML plotly labels may carry ("<b>South Korea</b>", "<br>")."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", value)).strip()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _text(value)
    return str(value)


def _download_link(panel: Panel) -> str:
    """The chart's data as a CSV file inside the page (a data: link), so it downloads offline."""
    data = base64.b64encode(chart_csv(panel.figure).encode("utf-8")).decode("ascii")
    return (
        f"<p class='download'><a download='{panel.key}.csv' href='data:text/csv;charset=utf-8;base64,{data}'>"
        "Download this chart's data (CSV)</a></p>"
    )


def _panel_html(panel: Panel, include_js: bool) -> str:
    title = f"<h2>{html.escape(panel.title)}</h2><p class='note'>{html.escape(panel.text)}</p>"
    if panel.figure is None:
        body = f"<div class='unavailable'>{html.escape(panel.unavailable or 'Not available.')}</div>"
        status = "unavailable"
    else:
        height = int(panel.figure.layout.height or 500)
        body = panel.figure.to_html(
            full_html=False,
            include_plotlyjs=include_js,
            div_id=f"chart-{panel.key}",
            config=PLOT_CONFIG,
            default_height=f"{height}px",
            default_width="100%",
        ) + _download_link(panel)
        status = "chart"
    return f"<section class='panel' id='{panel.key}' data-status='{status}'>{title}{body}</section>"


STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 1300px;
       padding: 16px 24px; color: #222; background: #fafafa; }
h1 { margin-bottom: 4px; } .meta { color: #666; font-size: 13px; margin-top: 0; }
.panel { background: white; border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px 16px; margin: 18px 0; }
.panel h2 { font-size: 19px; margin: 8px 0 4px; } .note { color: #555; font-size: 13px; margin: 0 0 8px; }
.download { font-size: 13px; margin: 4px 0 0; }
.unavailable { border: 2px dashed #c99; background: #fff6f6; color: #8a1f1f; padding: 28px; text-align: center;
               font-size: 15px; border-radius: 6px; }
"""


def render(panels: list[Panel], meta: dict) -> str:
    parts, js_done = [], False
    for panel in panels:
        parts.append(_panel_html(panel, include_js=not js_done and panel.figure is not None))
        js_done = js_done or panel.figure is not None
    drawn = sum(p.figure is not None for p in panels)
    subtitle = (
        f"Generated {meta['generated_at']} from {html.escape(meta['published'])} "
        f"(sha256 {meta['sha256'][:12]}), lists {meta['first_list']} to {meta['latest_list']}. "
        f"{drawn} of {len(panels)} charts available."
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>TOP500 warehouse report</title><style>{STYLE}</style></head><body>"
        f"<h1>TOP500 warehouse report</h1><p class='meta'>{subtitle}</p>" + "".join(parts) + "</body></html>"
    )


def build_report(db_path: Path, out_dir: Path) -> Path:
    """Render `out_dir/index.html` from the database at `db_path` (a publication's own copy)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        m = Marts(con)
        panels = build_panels(m)
        lists = m.rows("select min(list_label) as first, max(list_label) as latest from marts.country_list_stats")[0]
    finally:
        con.close()
    meta = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "published": db_path.name,
        "sha256": sha256_of(db_path),
        "first_list": lists["first"],
        "latest_list": lists["latest"],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "index.html"
    out.write_text(render(panels, meta), encoding="utf-8")
    return out
