"""Performance development: the sum, #1 and #500 per list, the fits and the projection."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from flows.report.base import (
    TFLOPS,
    Marts,
    Panel,
    alpha,
    layout,
    log_axis,
    year_to_date,
)

SERIES = {  # performance_development column -> (trend series key, label, colour)
    "total_rmax_tflops": ("total_rmax", "Sum of all 500", "#1f77b4"),
    "rank1_rmax_tflops": ("rank1_rmax", "#1", "#2ca02c"),
    "rank500_rmax_tflops": ("rank500_rmax", "#500", "#9467bd"),
}


def performance_panel(m: Marts) -> Panel:
    panel = Panel(
        "performance",
        "Performance development",
        "Sum of all 500 systems, the #1 and the #500 per list (HPL Rmax, log scale). Dotted: "
        "log-linear fit over all lists; dashed with band: projection from the fit since 2014 with "
        "its 95% prediction interval (marts.performance_development, performance_trend, "
        "performance_projection).",
    )
    dev = m.rows("select * from marts.performance_development order by list_date")
    fits = {
        (r["series"], r["era"]): r
        for r in m.rows("select * from marts.performance_trend where scope = 'global' and era in ('all', 'after_2013')")
    }
    proj = m.rows("select * from marts.performance_projection where fit_era = 'after_2013' order by projected_date")
    first_x, last_x = dev[0]["list_year_fraction"], dev[-1]["list_year_fraction"]
    horizon = max((r["years_ahead"] for r in proj), default=0)
    fig = go.Figure()
    for column, (series, label, color) in SERIES.items():
        fig.add_trace(
            go.Scatter(
                x=[r["list_date"] for r in dev],
                y=[r[column] * TFLOPS for r in dev],
                name=label,
                mode="lines+markers",
                marker=dict(size=4),
                line=dict(color=color, width=2),
                legendgroup=series,
                customdata=[r["list_label"] for r in dev],
                hovertemplate="%{customdata}: %{y:.3s}Flop/s<extra>" + label + "</extra>",
            )
        )
        fit = fits.get((series, "all"))
        if fit:
            xs = [first_x + i * 0.5 for i in range(int((last_x + horizon - first_x) * 2) + 1)]
            fig.add_trace(
                go.Scatter(
                    x=[year_to_date(x) for x in xs],
                    y=[math.exp(fit["intercept_ln"] + fit["slope_ln_per_year"] * x) * TFLOPS for x in xs],
                    name=f"{label} fit 1993-: doubles every {fit['doubling_time_months']:.1f} months",
                    mode="lines",
                    line=dict(color=color, width=1, dash="dot"),
                    legendgroup=series,
                    hoverinfo="skip",
                )
            )
        rows = [r for r in proj if r["series"] == series]
        recent = fits.get((series, "after_2013"))
        if rows and recent:
            xs = [r["projected_date"] for r in rows]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[r["upper_95_tflops"] * TFLOPS for r in rows],
                    mode="lines",
                    line=dict(width=0),
                    showlegend=False,
                    legendgroup=series,
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[r["lower_95_tflops"] * TFLOPS for r in rows],
                    mode="lines",
                    line=dict(width=0),
                    fill="tonexty",
                    fillcolor=alpha(color, 0.15),
                    showlegend=False,
                    legendgroup=series,
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[r["projected_tflops"] * TFLOPS for r in rows],
                    mode="lines",
                    name=f"{label} projection (fit 2014-: doubles every {recent['doubling_time_months']:.1f} months)",
                    line=dict(color=color, width=2, dash="dash"),
                    legendgroup=series,
                    hovertemplate="%{x|%Y-%m}: %{y:.3s}Flop/s<extra>projection</extra>",
                )
            )
    log_axis(fig, "HPL Rmax")
    fig.update_xaxes(title_text="TOP500 list")
    panel.figure = layout(fig, 640)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.15))
    return panel
