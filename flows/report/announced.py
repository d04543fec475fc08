"""Announced AI systems at their estimated Rmax against the #1, #10, #100 and #500 of every list."""

from __future__ import annotations

import html
import math
from datetime import date

import plotly.graph_objects as go

from flows.report.base import (
    HIGHLIGHT,
    HIGHLIGHT_COLOR,
    TFLOPS,
    Marts,
    Panel,
    layout,
    log_axis,
)

LABEL_TOP = 3  # announced systems labelled besides the curated and Korean ones
LABEL_FONT_PX = 10


def announced_panel(m: Marts) -> Panel:
    panel = Panel(
        "announced",
        "Announced AI systems against the list",
        "AI systems that never ran HPL for the TOP500, at their estimated Rmax (observed Rmax per "
        "accelerator of listed systems with the same chip; bars: low to high) on the list they are "
        "compared with, against the #1, #10, #100 and #500 of every list. Named: the curated systems, "
        f"the {LABEL_TOP} largest and {HIGHLIGHT}'s largest, with the rank they would take; hover any "
        "marker for its name, chip and rank (marts.announced_systems, marts.list_entries).",
    )
    t = "announced_systems"
    systems = m.rows(f"""select system_name, est_rmax_tflops, compared_list_date, est_rmax_tflops_low,
                                est_rmax_tflops_high, would_rank, accelerator, accelerator_count, announced_date,
                                nearest_listed_system, compared_list_label, record_source, country
                         from marts.{t}
                         where est_rmax_tflops > 0 order by compared_list_date, est_rmax_tflops desc""")
    if not systems:
        panel.unavailable = f"marts.{t} has no system with an estimated Rmax yet."
        return panel
    first = min(s["compared_list_date"] for s in systems)
    last = max(s["compared_list_date"] for s in systems)
    x_range = (date(first.year - 3, 1, 1), date(last.year + 1, 12, 31))
    fig = go.Figure()
    lows = [(s["est_rmax_tflops_low"] or s["est_rmax_tflops"]) for s in systems]
    highs = [(s["est_rmax_tflops_high"] or s["est_rmax_tflops"]) for s in systems]
    ranks = m.rows(
        "select list_date, rank, max(rmax_tflops) as rmax from marts.list_entries "
        "where rank in (1, 10, 100, 500) group by all order by list_date"
    )
    for r, color in zip((1, 10, 100, 500), ("#2ca02c", "#1f77b4", "#8c564b", "#9467bd")):
        pts = [p for p in ranks if p["rank"] == r]
        fig.add_trace(
            go.Scatter(
                x=[p["list_date"] for p in pts],
                y=[p["rmax"] * TFLOPS for p in pts],
                name=f"#{r} of the list",
                mode="lines",
                line=dict(color=color, width=1.5),
                hovertemplate="%{x|%Y-%m}: %{y:.3s}Flop/s<extra>#" + str(r) + "</extra>",
            )
        )
        visible = [p["rmax"] for p in pts if x_range[0] <= p["list_date"] <= x_range[1]]
        lows += visible
        highs += visible
    largest = sorted(systems, key=lambda s: -s["est_rmax_tflops"])
    named = {s["system_name"] for s in largest[:LABEL_TOP]}
    named |= {s["system_name"] for s in systems if s["record_source"] == "curated"}
    named |= {s["system_name"] for s in [s for s in largest if s["country"] == HIGHLIGHT][:1]}
    labelled = [s for s in systems if s["system_name"] in named]
    korean = [s for s in systems if s["country"] == HIGHLIGHT and s not in labelled]
    others = [s for s in systems if s not in labelled and s not in korean]
    _announced_trace(fig, others, "other announced AI systems (Epoch AI clusters)", "#ff9896", 8)
    _announced_trace(fig, korean, f"{HIGHLIGHT} (names on hover)", HIGHLIGHT_COLOR, 9)
    # y fitted to what is shown: the list lines inside the x range and every estimate with its bar
    y_range = (math.log10(min(lows) * TFLOPS) - 0.15, math.log10(max(highs) * TFLOPS) + 0.15)
    positions = place_labels(
        [(s["compared_list_date"], s["est_rmax_tflops"] * TFLOPS, _short_label(s)) for s in labelled], x_range, y_range
    )
    _announced_trace(
        fig,
        labelled,
        f"named: curated, the {LABEL_TOP} largest, {HIGHLIGHT}'s largest",
        "#7b1113",
        12,
        positions=positions,
    )
    fig.update_xaxes(range=list(x_range), title_text="TOP500 list")
    log_axis(fig, "HPL Rmax (estimated for announced systems)")
    fig.update_yaxes(range=list(y_range), dtick=1)  # one tick per decade: no minor 2 and 5 labels
    panel.figure = layout(fig, 620)
    return panel


def _short_label(s: dict) -> str:
    rank = f" (#{s['would_rank']})" if s["would_rank"] else ""
    return f"{s['system_name']}{rank}"


# Plot area the label placement assumes: the report's 1300 px page less margins and legend. A wider
# window only spreads labels further apart; the Chromium test checks the drawn labels do not overlap.
PLOT_AREA_PX = (820, 530)
CHAR_PX = 0.6 * LABEL_FONT_PX


def place_labels(
    points: list[tuple[date, float, str]], x_range: tuple[date, date], y_range: tuple[float, float]
) -> list[str]:
    """A plotly textposition per point so that no two labels (estimated boxes) overlap, largest first."""
    width, height = PLOT_AREA_PX
    span = (x_range[1] - x_range[0]).days

    def box(x: date, y: float, text: str, where: str) -> tuple[float, float, float, float]:
        px = (x - x_range[0]).days / span * width
        py = (math.log10(y) - y_range[0]) / (y_range[1] - y_range[0]) * height
        w, h, gap = len(text) * CHAR_PX, LABEL_FONT_PX * 1.3, 8
        vertical, horizontal = where.split()
        left = {"left": px - gap - w, "right": px + gap, "center": px - w / 2}[horizontal]
        bottom = {"middle": py - h / 2, "top": py + gap, "bottom": py - gap - h}[vertical]
        return left, bottom, left + w, bottom + h

    def clash(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    order = sorted(range(len(points)), key=lambda i: -points[i][1])
    placed: list[tuple] = []
    chosen = ["middle left"] * len(points)
    for i in order:
        x, y, text = points[i]
        fits = []
        for where in (
            "middle left",
            "middle right",
            "top center",
            "bottom center",
            "top left",
            "bottom left",
            "top right",
            "bottom right",
        ):
            b = box(x, y, text, where)
            inside = b[0] >= 0 and b[2] <= width and b[1] >= 0 and b[3] <= height
            if inside and not any(clash(b, other) for other in placed):
                chosen[i] = where
                placed.append(b)
                break
            fits.append((b, where))
        else:  # nowhere free: the least crowded spot
            b, where = min(fits, key=lambda f: sum(clash(f[0], o) for o in placed))
            chosen[i] = where
            placed.append(b)
    return chosen


def _announced_trace(
    fig: go.Figure, systems: list[dict], name: str, color: str, size: int, positions: list[str] | None = None
) -> None:
    est = [s["est_rmax_tflops"] for s in systems]
    error = dict(
        type="data",
        symmetric=False,
        color="#777",
        thickness=1,
        array=[((s["est_rmax_tflops_high"] or e) - e) * TFLOPS for s, e in zip(systems, est)],
        arrayminus=[(e - (s["est_rmax_tflops_low"] or e)) * TFLOPS for s, e in zip(systems, est)],
    )
    hover = [
        f"<b>{html.escape(str(s['system_name']))}</b> ({html.escape(str(s['country'] or '?'))})<br>"
        f"{s['accelerator_count'] or '?'} x {html.escape(str(s['accelerator'] or '?'))}"
        f", announced {s['announced_date'] or '?'}<br>would rank #{s['would_rank'] or '?'} in "
        f"{s['compared_list_label'] or s['compared_list_date']}; nearest: "
        f"{html.escape(str(s['nearest_listed_system'] or '?'))}"
        for s in systems
    ]
    fig.add_trace(
        go.Scatter(
            x=[s["compared_list_date"] for s in systems],
            y=[e * TFLOPS for e in est],
            mode="markers+text" if positions else "markers",
            name=name,
            error_y=error,
            hovertext=hover,
            marker=dict(symbol="diamond", size=size, color=color, line=dict(color="black", width=1)),
            text=[_short_label(s) for s in systems] if positions else None,
            textposition=positions,
            textfont=dict(size=LABEL_FONT_PX),
            hovertemplate="%{hovertext}<br>est. Rmax %{y:.3s}Flop/s<extra></extra>",
        )
    )
