"""List turnover: new entries, the Rmax they bring, the entry level's growth and installation age."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import (
    Marts,
    Panel,
    layout,
)


def turnover_panel(m: Marts) -> Panel:
    panel = Panel(
        "turnover",
        "List turnover",
        "Top: entries new to each list (not linked to the previous list) as a share of the list, the "
        "share of the list's Rmax they bring, and the growth of the entry level (#500 Rmax) over the "
        "list a year earlier. Bottom: median and mean installation age of the list's systems "
        "(marts.list_turnover).",
    )
    rows = m.rows("select * from marts.list_turnover where new_entries is not null order by list_date")
    x = [r["list_date"] for r in rows]
    labels = [r["list_label"] for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06)
    fig.add_trace(
        go.Bar(
            x=x,
            y=[r["replacement_rate_pct"] for r in rows],
            name="new entries (% of the list)",
            marker_color="#aec7e8",
            customdata=[[lbl, r["new_entries"]] for lbl, r in zip(labels, rows)],
            hovertemplate="%{customdata[0]}: %{customdata[1]} new entries (%{y:.1f}%)<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for column, label, color in (
        ("new_entries_rmax_share_pct", "their share of the list's Rmax", "#1f77b4"),
        ("rank500_rmax_yoy_growth_pct", "#500 Rmax growth over a year", "#9467bd"),
    ):
        pts = [(d, lbl, r[column]) for d, lbl, r in zip(x, labels, rows) if r[column] is not None]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in pts],
                y=[p[2] for p in pts],
                name=label,
                mode="lines+markers",
                marker=dict(size=4),
                line=dict(color=color, width=2),
                customdata=[p[1] for p in pts],
                hovertemplate="%{customdata}: %{y:.1f}%<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
    for column, label, dash in (
        ("median_installation_age_years", "median installation age", "solid"),
        ("mean_installation_age_years", "mean installation age", "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[r[column] for r in rows],
                name=label,
                mode="lines",
                line=dict(color="#8c564b", width=2, dash=dash),
                customdata=labels,
                hovertemplate="%{customdata}: %{y:.2f} years<extra>" + label + "</extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text="percent", ticksuffix="%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="years", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=2, col=1)
    panel.figure = layout(fig, 620)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.12), bargap=0.15)
    return panel
