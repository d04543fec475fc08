"""HPL-MxP: the mixed-precision rate of listed machines beside their HPL Rmax, and the speed-up."""

from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import Marts, Panel, layout, log_axis

EFLOPS = 1e18  # axes in Flop/s with SI prefixes, the mart in EFlop/s


def hpl_mxp_panel(m: Marts) -> Panel:
    panel = Panel(
        "hpl_mxp",
        "HPL-MxP: mixed-precision results beside HPL",
        "Top: the HPL-MxP #1 of each list (mixed-precision solver, the HPC benchmark closest to AI training) "
        "and the same system's HPL Rmax (FP64), log scale. Bottom: every result of the latest HPL-MxP list, its "
        "speed-up over HPL, with the system's TOP500 rank and H100-equivalent estimate on hover (marts.hpl_mxp).",
    )
    rows = m.rows("select * from marts.hpl_mxp order by list_date, hpl_mxp_rank")
    if not rows:
        panel.unavailable = "marts.hpl_mxp holds no result."
        return panel
    firsts = [r for r in rows if r["hpl_mxp_rank"] == 1]
    latest = max(r["list_date"] for r in rows)
    on_latest = [r for r in rows if r["list_date"] == latest]
    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.16,
        row_heights=[0.5, 0.5],
        subplot_titles=["HPL-MxP #1 of each list and its HPL Rmax", f"speed-up over HPL on {latest:%Y-%m}"],
    )
    names = [html.escape(r["computer"]) for r in firsts]
    for column, label, color in (
        ("hpl_mxp_eflops", "HPL-MxP #1 (mixed precision)", "#d62728"),
        ("hpl_rmax_eflops", "its HPL Rmax (FP64)", "#1f77b4"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[r["list_date"] for r in firsts],
                y=[r[column] * EFLOPS for r in firsts],
                name=label,
                mode="lines+markers",
                line=dict(color=color, width=2),
                customdata=[[r["list_label"], n] for r, n in zip(firsts, names)],
                hovertemplate="%{customdata[0]}: %{y:.3s}Flop/s (%{customdata[1]})<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=[html.escape(r["computer"]) for r in on_latest],
            y=[r["speedup_over_hpl"] for r in on_latest],
            name="speed-up over HPL",
            marker_color="#ff7f0e",
            customdata=[
                [
                    r["hpl_mxp_rank"],
                    r["top500_rank"] if r["top500_rank"] is not None else "-",
                    f"{r['top500_h100e']:,.0f}" if r["top500_h100e"] is not None else "no estimate",
                ]
                for r in on_latest
            ],
            hovertemplate="%{x}: HPL-MxP #%{customdata[0]}, %{y:.1f}x HPL; TOP500 #%{customdata[1]}, "
            "%{customdata[2]} H100e<extra></extra>",
        ),
        row=2,
        col=1,
    )
    log_axis(fig, "performance", row=1, col=1)
    fig.update_yaxes(title_text="HPL-MxP / HPL Rmax", ticksuffix="x", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=1, col=1)
    fig.update_xaxes(tickangle=-45, row=2, col=1)
    panel.figure = layout(fig, 820)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=1.08))
    return panel
