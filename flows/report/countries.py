"""Systems per country over time, and the country shares of a list."""

from __future__ import annotations

import plotly.graph_objects as go

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


def country_panels(m: Marts) -> tuple[Panel, Panel]:
    over_time = Panel(
        "countries",
        "Systems per country over time",
        f"Systems on each list for the {TOP_COUNTRIES} countries with the most systems on the latest "
        f"list, and {HIGHLIGHT} (highlighted) (marts.country_list_stats).",
    )
    shares = Panel(
        "shares",
        "Country shares in the latest list",
        "Share of the list's 500 systems and of its total Rmax, top countries and the rest (marts.country_list_stats).",
    )
    latest = m.rows(
        "select * from marts.country_list_stats where list_date = (select max(list_date) "
        "from marts.country_list_stats) order by systems desc, rmax_tflops desc"
    )
    top = [r["country"] for r in latest[:TOP_COUNTRIES]]
    # the highlighted country last, so its line is drawn on top
    shown = [c for c in top if c != HIGHLIGHT] + [HIGHLIGHT]
    history = m.rows(
        "select list_date, list_label, country, systems from marts.country_list_stats "
        "where country in (select unnest(?)) order by list_date",
        [shown],
    )
    all_lists = [r["list_date"] for r in m.rows("select distinct list_date from marts.country_list_stats order by 1")]
    fig = go.Figure()
    for i, country in enumerate(shown):
        by_date = {r["list_date"]: r["systems"] for r in history if r["country"] == country}
        hi = country == HIGHLIGHT
        fig.add_trace(
            go.Scatter(
                x=all_lists,
                y=[by_date.get(d, 0) for d in all_lists],
                name=f"<b>{country}</b>" if hi else country,
                mode="lines+markers" if hi else "lines",
                line=dict(color=HIGHLIGHT_COLOR if hi else PALETTE[i % len(PALETTE)], width=4 if hi else 1.5),
                opacity=1 if hi else 0.75,
                marker=dict(size=6),
                hovertemplate="%{x|%Y-%m}: %{y} systems<extra>" + country + "</extra>",
            )
        )
    fig.update_yaxes(title_text="systems on the list", rangemode="tozero")
    fig.update_xaxes(title_text="TOP500 list")
    over_time.figure = layout(fig, 520)

    label = latest[0]["list_label"]
    head = (
        latest[:12]
        if HIGHLIGHT in [r["country"] for r in latest[:12]]
        else latest[:11] + [r for r in latest if r["country"] == HIGHLIGHT]
    )
    rest = [r for r in latest if r not in head]
    names = [r["country"] for r in head] + [f"Others ({len(rest)} countries)"]
    sys_share = [r["system_share_pct"] for r in head] + [sum(r["system_share_pct"] for r in rest)]
    rmax_share = [r["rmax_share_pct"] for r in head] + [sum(r["rmax_share_pct"] for r in rest)]
    ticks = [f"<b>{n}</b>" if n == HIGHLIGHT else n for n in names]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=ticks,
            x=sys_share,
            name="share of systems",
            orientation="h",
            marker_color=[HIGHLIGHT_COLOR if n == HIGHLIGHT else "#1f77b4" for n in names],
            text=[f"{v:.1f}%" for v in sys_share],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f}% of systems<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=ticks,
            x=rmax_share,
            name="share of total Rmax",
            orientation="h",
            marker_color=[alpha(HIGHLIGHT_COLOR, 0.5) if n == HIGHLIGHT else "#aec7e8" for n in names],
            text=[f"{v:.1f}%" for v in rmax_share],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f}% of Rmax<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="percent", ticksuffix="%")
    fig.update_layout(barmode="group", title_text=f"List {label}")
    shares.title = f"Country shares in the latest list ({label})"
    shares.figure = layout(fig, 620)
    return over_time, shares
