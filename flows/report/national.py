"""Who has the AI compute: each country's share of the world in H100-equivalents."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import (
    HIGHLIGHT,
    HIGHLIGHT_COLOR,
    PALETTE,
    TOP_COUNTRIES,
    Marts,
    Panel,
    alpha,
    layout,
)


def national_compute_panel(m: Marts) -> Panel:
    panel = Panel(
        "national_compute",
        "Who has the AI compute: share of the world by country",
        "Top: each country's share of the world's compute in H100-equivalents, TOP500 systems and the "
        "AI clusters that never ran HPL together with nothing counted twice (listed systems by their "
        "accelerators, CPU-only systems 0; Epoch AI GPU clusters not on that list), per list date the "
        "Epoch data covers, on a log scale so that shares under 1% can be read. Bottom: on the latest covered "
        "list, each country's listed and unlisted compute side by side (not stacked: on a log axis a stacked "
        f"bar hides its upper part); {HIGHLIGHT} highlighted (marts.national_compute).",
    )
    t = "national_compute"
    rows = m.rows(f"""select list_date, country, total_h100e, total_h100e_share_pct, top500_h100e,
                             unlisted_cluster_h100e, epoch_data_until
                      from marts.{t} where is_within_epoch_coverage and list_date >= date '2019-06-01'
                      order by list_date, country""")
    if not rows:
        panel.unavailable = f"marts.{t} has no list date the Epoch cluster data covers."
        return panel
    latest = max(r["list_date"] for r in rows)
    at_latest = sorted((r for r in rows if r["list_date"] == latest), key=lambda r: -(r["total_h100e"] or 0))
    top = [r["country"] for r in at_latest[:TOP_COUNTRIES]]
    shown = [c for c in top if c != HIGHLIGHT] + [HIGHLIGHT]  # the highlighted country drawn last, on top
    dates = sorted({r["list_date"] for r in rows})
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.14,
        row_heights=[0.55, 0.45],
        subplot_titles=[
            "share of world compute (H100-equivalents, %)",
            f"listed and unlisted compute on {latest:%Y-%m}, side by side (H100-equivalents)",
        ],
    )
    for i, country in enumerate(shown):
        share = {r["list_date"]: r["total_h100e_share_pct"] for r in rows if r["country"] == country}
        hi = country == HIGHLIGHT
        fig.add_trace(
            go.Scatter(
                x=dates,
                # a country without compute on a date has no point there (a log axis has no 0)
                y=[share.get(d) or None for d in dates],
                name=f"<b>{country}</b>" if hi else country,
                mode="lines+markers" if hi else "lines",
                legendgroup=country,
                line=dict(color=HIGHLIGHT_COLOR if hi else PALETTE[i % len(PALETTE)], width=4 if hi else 1.5),
                hovertemplate="%{x|%Y-%m}: %{y:.2f}% of world compute<extra>" + country + "</extra>",
            ),
            row=1,
            col=1,
        )
    bars = [r for r in at_latest if r["country"] in shown]
    names = [f"<b>{r['country']}</b>" if r["country"] == HIGHLIGHT else r["country"] for r in bars]
    for column, label, color, hi_color in (
        ("top500_h100e", "on the TOP500 list", "#1f77b4", HIGHLIGHT_COLOR),
        ("unlisted_cluster_h100e", "AI clusters not on the list", "#aec7e8", alpha(HIGHLIGHT_COLOR, 0.45)),
    ):
        fig.add_trace(
            go.Bar(
                x=names,
                y=[r[column] or 0 for r in bars],
                name=label,
                marker_color=[hi_color if r["country"] == HIGHLIGHT else color for r in bars],
                hovertemplate="%{x}: %{y:,.0f} H100e<extra>" + label + "</extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_layout(barmode="group")
    shares = [r["total_h100e_share_pct"] for r in rows if r["country"] in shown and r["total_h100e_share_pct"]]
    fig.update_yaxes(
        type="log",
        title_text="share of world (%, log scale)",
        ticksuffix="%",
        range=[math.floor(math.log10(min(shares))), 2],
        row=1,
        col=1,
    )
    fig.update_yaxes(type="log", title_text="H100-equivalents (log scale)", row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=1, col=1)
    until = rows[0]["epoch_data_until"]
    panel.text += f" The Epoch cluster data ends {until}; later lists are not shown."
    panel.figure = layout(fig, 820)
    return panel
