"""Energy efficiency: the official Green500's #1 and median, with fits, and the TOP500 file's power coverage."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import (
    Marts,
    Panel,
    layout,
    log_axis,
    year_to_date,
)

ENERGY_SERIES = {  # energy_development column -> (performance_trend series, label, colour)
    "green500_rank1_efficiency_gflops_per_w": ("green500_rank1_efficiency", "Green500 #1", "#2ca02c"),
    "median_efficiency_gflops_per_w": ("median_efficiency", "Green500 median", "#1f77b4"),
}
GFLOPS = 1e9  # efficiency axis in Flops/W with SI prefixes, the marts in GFlops/W


def efficiency_panel(m: Marts) -> Panel:
    panel = Panel(
        "efficiency",
        "Energy efficiency",
        "Energy efficiency of the official Green500 list's #1 and the median of the systems it ranks, GFlops/W as "
        "published (the Green500's own power submissions, from 2013-11), log scale. Dotted: log-linear fit over "
        "all Green500 lists with its doubling time and 95% interval (marts.energy_development, performance_trend "
        "scope energy). Bars: share of the TOP500 list that reports power in the TOP500 file.",
    )
    dev = m.rows("select * from marts.energy_development order by list_date")
    green = [r for r in dev if r["green500_rank1_efficiency_gflops_per_w"] is not None]
    if not green:
        panel.unavailable = "marts.energy_development holds no official Green500 list."
        return panel
    fits = {
        r["series"]: r for r in m.rows("select * from marts.performance_trend where scope = 'energy' and era = 'all'")
    }
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.04)
    for column, (series, label, color) in ENERGY_SERIES.items():
        names = [r["green500_rank1_system_name"] if series == "green500_rank1_efficiency" else "median" for r in green]
        fig.add_trace(
            go.Scatter(
                x=[r["list_date"] for r in green],
                y=[r[column] * GFLOPS for r in green],
                name=label,
                mode="lines+markers",
                marker=dict(size=5),
                line=dict(color=color, width=2),
                legendgroup=series,
                customdata=[[r["list_label"], html.escape(str(n))] for r, n in zip(green, names)],
                hovertemplate="%{customdata[0]}: %{y:.3s}Flops/W (%{customdata[1]})<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
        fit = fits.get(series)
        if fit:
            xs = [green[0]["list_year_fraction"], green[-1]["list_year_fraction"]]
            upper = fit["doubling_time_months_upper_95"]
            interval = (
                f"{fit['doubling_time_months_lower_95']:.1f}-{upper:.1f}"
                if upper is not None
                else f"from {fit['doubling_time_months_lower_95']:.1f}"
            )
            fig.add_trace(
                go.Scatter(
                    x=[year_to_date(x) for x in xs],
                    y=[math.exp(fit["intercept_ln"] + fit["slope_ln_per_year"] * x) * GFLOPS for x in xs],
                    name=f"{label} fit: doubles every {fit['doubling_time_months']:.1f} months (95%: {interval})",
                    mode="lines",
                    line=dict(color=color, width=1, dash="dot"),
                    legendgroup=series,
                    hoverinfo="skip",
                ),
                row=1,
                col=1,
            )
    covered = [r for r in dev if r["power_coverage_pct"] is not None]
    fig.add_trace(
        go.Bar(
            x=[r["list_date"] for r in covered],
            y=[r["power_coverage_pct"] for r in covered],
            name="TOP500 entries reporting power",
            marker_color="#c7c7c7",
            customdata=[r["list_label"] for r in covered],
            hovertemplate="%{customdata}: %{y:.1f}% of the list report power<extra></extra>",
        ),
        row=2,
        col=1,
    )
    log_axis(fig, "energy efficiency", "Flops/W", row=1, col=1)
    fig.update_yaxes(title_text="reporting", ticksuffix="%", range=[0, 100], row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=2, col=1)
    panel.figure = layout(fig, 640)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.15))
    return panel
