"""One self-contained HTML page with the warehouse's headline charts.

Built from a publication's own database copy (read-only) while the publication is staged,
so it is published and rolled back with the data it shows. plotly.js is
embedded once, inline, so the page opens offline and can be mailed or archived.
Marts built by other parts of the project may not exist yet: their panel then
says so instead of failing the run, and the chart appears on the first publish
that has the table. Each panel carries `data-status="chart"` or
`"unavailable"` so a browser test knows how many charts must have drawn.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.load import sha256_of

HIGHLIGHT = "South Korea"
HIGHLIGHT_COLOR = "#d62728"
TOP_COUNTRIES = 8
LABEL_TOP = 3  # announced systems labelled besides the curated and Korean ones
SERIES = {  # performance_development column -> (trend series key, label, colour)
    "total_rmax_tflops": ("total_rmax", "Sum of all 500", "#1f77b4"),
    "rank1_rmax_tflops": ("rank1_rmax", "#1", "#2ca02c"),
    "rank500_rmax_tflops": ("rank500_rmax", "#500", "#9467bd"),
}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
TFLOPS = 1e12  # axes are in Flop/s with SI prefixes, the marts in TFlop/s
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
# Names readers know the scenarios by; the internal id stays in the hover. Scenarios not listed here
# get a label from their id's pattern (fit_<selection>, top500_<country>_<era>).
SCENARIO_LABELS = {
    "openai_2018": "OpenAI (2018), largest training runs",
    "kr_study_roberta_bert": "Korean policy study (2020), RoBERTa vs BERT",
    "epoch_2024_frontier": "Epoch AI (2024), frontier models",
    "sevilla_2022_deep_learning": "Sevilla et al. (2022), deep-learning era",
    "fit_notable_2010_on": "our fit: notable models since 2010",
    "fit_frontier_2010_on": "our fit: frontier models since 2010",
    "fit_notable_before_2010": "our fit: notable models before 2010",
    "fit_openai_2012_2018": "our fit: OpenAI's points 2012-2018",
}
ERA_LABELS = {"after_2013": "trend since 2014", "all": "trend since 1993"}
# Demand scenarios whose monthly growth rates differ by less than this factor draw as one band:
# on a log axis spanning ten decades they would be one line with several legend entries.
SAME_RATE = 1.05
LABEL_FONT_PX = 10


@dataclass
class Panel:
    key: str
    title: str
    text: str
    figure: go.Figure | None = None
    unavailable: str | None = None
    error: bool = False


class Marts:
    """Read access to the published marts, tolerant of tables not built yet."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        rows = con.execute(
            """select table_name, column_name from information_schema.columns
               where table_catalog = current_database() and table_schema = 'marts'"""
        ).fetchall()
        self.columns: dict[str, list[str]] = {}
        for table, column in rows:
            self.columns.setdefault(table, []).append(column)

    def has(self, table: str) -> bool:
        return table in self.columns

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r)} for r in cur.fetchall()]


def _missing(table: str, issue: str) -> str:
    return (
        f"Not available: marts.{table} is not in the published warehouse yet ({issue}). "
        "This chart appears on the first publish that contains it."
    )


def _unreadable(m: Marts, table: str, need: set[str], issue: str) -> str | None:
    """Why a chart cannot read marts.`table` (missing, or lacking columns it needs); None when it can."""
    if not m.has(table):
        return _missing(table, issue)
    lacking = need - set(m.columns[table])
    if lacking:
        return f"marts.{table} lacks the columns {', '.join(sorted(lacking))} this chart reads."
    return None


def _year_to_date(x: float) -> date:
    year = math.floor(x)
    month = round((x - year) * 12) + 1
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _log_axis(fig: go.Figure, title: str, suffix: str = "Flop/s", **subplot: int) -> None:
    fig.update_yaxes(
        type="log", title_text=title, exponentformat="SI extended", ticksuffix=suffix, showgrid=True, **subplot
    )


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin=dict(l=70, r=30, t=40, b=50),
        legend=dict(orientation="v", x=1.01, y=1),
        hovermode="closest",
    )
    return fig


def performance_panel(m: Marts) -> Panel:
    panel = Panel(
        "performance",
        "Performance development",
        "Sum of all 500 systems, the #1 and the #500 per list (HPL Rmax, log scale). Dotted: "
        "log-linear fit over all lists; dashed with band: projection from the fit since 2014 with "
        "its 95% prediction interval (marts.performance_development, performance_trend, "
        "performance_projection).",
    )
    for table in ("performance_development", "performance_trend", "performance_projection"):
        if not m.has(table):
            panel.unavailable = _missing(table, "built by the marts issue")
            return panel
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
                    x=[_year_to_date(x) for x in xs],
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
                    fillcolor=_alpha(color, 0.15),
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
    _log_axis(fig, "HPL Rmax")
    fig.update_xaxes(title_text="TOP500 list")
    panel.figure = _layout(fig, 640)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.15))
    return panel


def _alpha(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


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
    if not m.has("country_list_stats"):
        over_time.unavailable = shares.unavailable = _missing("country_list_stats", "built by the marts issue")
        return over_time, shares
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
    over_time.figure = _layout(fig, 520)

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
            marker_color=[_alpha(HIGHLIGHT_COLOR, 0.5) if n == HIGHLIGHT else "#aec7e8" for n in names],
            text=[f"{v:.1f}%" for v in rmax_share],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f}% of Rmax<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="percent", ticksuffix="%")
    fig.update_layout(barmode="group", title_text=f"List {label}")
    shares.title = f"Country shares in the latest list ({label})"
    shares.figure = _layout(fig, 620)
    return over_time, shares


def scenario_label(scenario: str, country: str | None = None, fits: dict[str, str] | None = None) -> str:
    """The scenario's name for readers: curated, else derived from the id's pattern."""
    if scenario in SCENARIO_LABELS:
        return SCENARIO_LABELS[scenario]
    if scenario.startswith("top500_"):
        era = next((e for e in ERA_LABELS if scenario.endswith(f"_{e}")), None)
        place = country or scenario.removeprefix("top500_").removesuffix(f"_{era}").replace("_", " ").title()
        place = "world" if place == "World" else place
        return f"TOP500 {place} aggregate Rmax, {ERA_LABELS.get(era, era or 'trend')}"
    if scenario.startswith("fit_") and fits and scenario.removeprefix("fit_") in fits:
        return f"our fit: {fits[scenario.removeprefix('fit_')]}"
    return scenario.replace("_", " ")


def _doubling_months(rate_per_month: float) -> float:
    return math.log(2) / rate_per_month


def rate_groups(rates: dict[str, float], tolerance: float = SAME_RATE) -> list[list[str]]:
    """Scenarios grouped by monthly growth rate: each group's rates within `tolerance` of its slowest."""
    groups: list[list[str]] = []
    for name in sorted(rates, key=lambda n: (rates[n], n)):
        if groups and rates[name] <= rates[groups[-1][0]] * tolerance:
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups


def demand_panel(m: Marts) -> Panel:
    panel = Panel(
        "demand",
        "AI compute demand scenarios against TOP500 supply",
        "Top: growth since the base date of the compute used to train AI models under each demand "
        "scenario, and of TOP500 aggregate Rmax (supply: world and South Korea, log-linear trend since "
        "2014) (marts.demand_forecast). Scenarios growing at rates within 5% of each other are drawn as "
        "one band (its edges: the slowest and the fastest) with one legend entry naming them all. "
        "Bottom: the gap, demand growth divided by world TOP500 supply growth, with the 10x, 100x and "
        "1,000x marks (marts.demand_supply_gap). Hover a line for its scenario ids.",
    )
    t = "demand_forecast"
    need = {"scenario", "scenario_kind", "country", "forecast_date", "demand_multiplier", "log_growth_per_month"}
    panel.unavailable = _unreadable(m, t, need, "built by the demand-forecast issue")
    if panel.unavailable:
        return panel
    rows = m.rows(f"""select scenario, scenario_kind, country, forecast_date, demand_multiplier, log_growth_per_month
                      from marts.{t} where demand_multiplier > 0 order by scenario, forecast_date""")
    fits = (
        {
            r["selection"]: r["selection_description"]
            for r in m.rows("select selection, selection_description from marts.demand_growth_fits")
        }
        if {"selection", "selection_description"} <= set(m.columns.get("demand_growth_fits", []))
        else {}
    )
    rates = {r["scenario"]: r["log_growth_per_month"] for r in rows if r["scenario_kind"] == "demand"}
    groups = rate_groups(rates)[::-1]  # fastest first: the legend lists the lines top to bottom
    supply_names = {r["scenario"]: r["country"] for r in rows if r["scenario_kind"] == "supply"}
    world_supply = _preferred_supply(s for s, c in supply_names.items() if c == "World")
    supplies = [(world_supply, "black")] if world_supply else []
    korea = _preferred_supply(s for s, c in supply_names.items() if c == HIGHLIGHT)
    if korea:
        supplies.append((korea, HIGHLIGHT_COLOR))
    series = {s: [r for r in rows if r["scenario"] == s] for s in {r["scenario"] for r in rows}}
    gap = _gap_rows(m, world_supply)
    base = rows[0]["forecast_date"] if rows else None
    world_label = scenario_label(world_supply, "World") if world_supply else ""
    fig = make_subplots(
        rows=2 if gap else 1,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[f"Growth since {base:%Y-%m} (x, log scale)" if base else "Growth (x)"]
        + ([f"Gap: demand growth / growth of {world_label}"] if gap else []),
    )
    for s, color in supplies:  # first, so the demand lines are drawn over them
        pts = series[s]
        label = f"{scenario_label(s, supply_names[s])} (supply)"
        rate = pts[0]["log_growth_per_month"]
        fig.add_trace(
            go.Scatter(
                x=[r["forecast_date"] for r in pts],
                y=[r["demand_multiplier"] for r in pts],
                name=_wrap_legend(f"{label}: doubles every {_doubling_months(rate):.1f} months"),
                mode="lines",
                legendrank=2000,  # after the demand scenarios (default rank 1000)
                line=dict(color=color, width=3),
                hovertemplate="%{x|%Y-%m}: %{y:.3s}x<br>" + html.escape(label) + f"<br><i>id: {s}</i><extra></extra>",
            ),
            row=1,
            col=1,
        )
    for i, group in enumerate(groups):
        color, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        label, hover, short = _group_label(group, rates, fits)
        middle = group[len(group) // 2]
        pts = series[middle]
        if len(group) > 1:  # the band between the slowest and the fastest of the group
            lo, hi = series[group[0]], series[group[-1]]
            fig.add_trace(
                go.Scatter(
                    x=[r["forecast_date"] for r in hi],
                    y=[r["demand_multiplier"] for r in hi],
                    mode="lines",
                    line=dict(width=0),
                    legendgroup=label,
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=[r["forecast_date"] for r in lo],
                    y=[r["demand_multiplier"] for r in lo],
                    mode="lines",
                    line=dict(width=0),
                    fill="tonexty",
                    fillcolor=_alpha(color, 0.25),
                    legendgroup=label,
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=[r["forecast_date"] for r in pts],
                y=[r["demand_multiplier"] for r in pts],
                name=label,
                mode="lines",
                legendgroup=label,
                line=dict(color=color, width=2.5, dash=dash),
                hovertemplate="%{x|%Y-%m}: %{y:.3s}x<br>" + hover + "<extra></extra>",
            ),
            row=1,
            col=1,
        )
        if gap:
            gpts = [r for r in gap if r["demand_scenario"] == middle]
            if gpts:
                fig.add_trace(
                    go.Scatter(
                        x=[r["forecast_date"] for r in gpts],
                        y=[r["gap_ratio"] for r in gpts],
                        name=short,
                        mode="lines",
                        legend="legend2",
                        legendgroup=f"gap {label}",
                        line=dict(color=color, width=2, dash=dash),
                        hovertemplate="%{x|%Y-%m}: gap %{y:.3s}x<br>" + hover + f"<br>supply: {world_supply}"
                        "<extra></extra>",
                    ),
                    row=2,
                    col=1,
                )
    fig.update_yaxes(type="log", exponentformat="power", ticksuffix="x", title_text="growth", row=1, col=1)
    legend = dict(
        title_text="Demand scenarios and supply (growth)",
        x=1.01,
        y=1,
        yanchor="top",
        font=dict(size=11),
        tracegroupgap=2,
    )
    if gap:
        span = [min(r["forecast_date"] for r in gap), max(r["forecast_date"] for r in gap)]
        for level in (10, 100, 1000):  # traces, not shapes: shapes on log axes take log10 coordinates
            fig.add_trace(
                go.Scatter(
                    x=span,
                    y=[level, level],
                    mode="lines+text",
                    text=[f"{level:,}x", ""],
                    textposition="top right",
                    showlegend=False,
                    hoverinfo="skip",
                    line=dict(color="#999", width=1, dash="dash"),
                ),
                row=2,
                col=1,
            )
        fig.update_yaxes(type="log", exponentformat="power", ticksuffix="x", title_text="gap", row=2, col=1)
        panel.figure = _layout(fig, 940)
        panel.figure.update_layout(
            legend=legend,
            legend2=dict(
                title_text=f"Gap against {world_label}",
                x=1.01,
                y=0.44,
                yanchor="top",
                font=dict(size=11),
                tracegroupgap=2,
            ),
        )
    else:
        panel.text += " " + _missing("demand_supply_gap", "built by the demand-forecast issue")
        panel.figure = _layout(fig, 560)
        panel.figure.update_layout(legend=legend)
    panel.figure.update_layout(margin=dict(l=70, r=30, t=60, b=50))
    return panel


def _group_label(group: list[str], rates: dict[str, float], fits: dict[str, str]) -> tuple[str, str, str]:
    """(legend entry, hover text, short legend entry) of a group of scenarios with near-equal growth rates."""
    months = [_doubling_months(rates[s]) for s in group]
    names = [scenario_label(s, fits=fits) for s in group]
    if len(group) == 1:
        legend = f"{names[0]}: doubles every {months[0]:.1f} months"
        return _wrap_legend(legend), html.escape(names[0]) + f"<br><i>id: {group[0]}</i>", _wrap_legend(names[0])
    digits = 1 if f"{min(months):.1f}" != f"{max(months):.1f}" else 2
    legend = f"{' / '.join(names)}: doubles every {min(months):.{digits}f}-{max(months):.{digits}f} months"
    hover = "<br>".join(
        f"{html.escape(n)}: doubles every {d:.2f} months <i>(id: {s})</i>" for n, d, s in zip(names, months, group)
    )
    return _wrap_legend(legend), hover, _wrap_legend(" / ".join(names))


def _wrap_legend(text: str, width: int = 52) -> str:
    """Long legend entries on several lines (plotly breaks lines only at <br>)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width))


def _preferred_supply(names) -> str | None:
    """The supply fit since 2014 (the recent slowdown), else the whole-history fit."""
    names = sorted(names)
    for era in ("after_2013", "all"):
        for name in names:
            if name.endswith(era):
                return name
    return names[0] if names else None


def _gap_rows(m: Marts, world_supply: str | None) -> list[dict]:
    t = "demand_supply_gap"
    need = {"demand_scenario", "supply_scenario", "forecast_date", "gap_ratio"}
    if not (m.has(t) and world_supply and need <= set(m.columns[t])):
        return []
    return m.rows(
        f"""select demand_scenario, forecast_date, gap_ratio from marts.{t}
                      where supply_scenario = ? and gap_ratio > 0 order by demand_scenario, forecast_date""",
        [world_supply],
    )


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
    need = {"system_name", "est_rmax_tflops", "compared_list_date"}
    panel.unavailable = _unreadable(m, t, need, "built by the demand-forecast issue")
    if panel.unavailable:
        return panel
    optional = [
        "est_rmax_tflops_low",
        "est_rmax_tflops_high",
        "would_rank",
        "accelerator",
        "accelerator_count",
        "announced_date",
        "nearest_listed_system",
        "compared_list_label",
        "record_source",
        "country",
    ]
    cols = ", ".join(c if c in m.columns[t] else f"null as {c}" for c in optional)
    systems = m.rows(f"""select system_name, est_rmax_tflops, compared_list_date, {cols} from marts.{t}
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
    if m.has("list_entries"):
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
    _log_axis(fig, "HPL Rmax (estimated for announced systems)")
    fig.update_yaxes(range=list(y_range), dtick=1)  # one tick per decade: no minor 2 and 5 labels
    panel.figure = _layout(fig, 620)
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


ENERGY_SERIES = {  # energy_development column -> (performance_trend series, label, colour)
    "green500_rank1_efficiency_gflops_per_w": ("green500_rank1_efficiency", "Green500 #1", "#2ca02c"),
    "median_efficiency_gflops_per_w": ("median_efficiency", "Median of entries reporting power", "#1f77b4"),
}
GFLOPS = 1e9  # efficiency axis in Flops/W with SI prefixes, the marts in GFlops/W


def efficiency_panel(m: Marts) -> Panel:
    panel = Panel(
        "efficiency",
        "Energy efficiency",
        "Energy efficiency of the Green500 #1 (the list's entries ranked by the GFlops/W printed in the "
        "TOP500 file, derived from Rmax and power before 2011-11) and the median of the entries reporting "
        "power, log scale. Dotted: log-linear fit over all lists with its doubling time and 95% interval "
        "(marts.energy_development, performance_trend scope energy). Bars: share of the list reporting "
        "power.",
    )
    need = {"list_date", "list_label", "power_coverage_pct", "green500_rank1_system_name", *ENERGY_SERIES}
    panel.unavailable = _unreadable(
        m, "energy_development", need, "built by the TOP500.org parity issue"
    ) or _unreadable(m, "performance_trend", {"scope", "series", "era", "intercept_ln"}, "built by the marts issue")
    if panel.unavailable:
        return panel
    dev = m.rows("select * from marts.energy_development order by list_date")
    fits = {
        r["series"]: r for r in m.rows("select * from marts.performance_trend where scope = 'energy' and era = 'all'")
    }
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.04)
    for column, (series, label, color) in ENERGY_SERIES.items():
        names = [r["green500_rank1_system_name"] if series == "green500_rank1_efficiency" else "median" for r in dev]
        fig.add_trace(
            go.Scatter(
                x=[r["list_date"] for r in dev],
                y=[r[column] * GFLOPS for r in dev],
                name=label,
                mode="lines+markers",
                marker=dict(size=5),
                line=dict(color=color, width=2),
                legendgroup=series,
                customdata=[[r["list_label"], html.escape(str(n))] for r, n in zip(dev, names)],
                hovertemplate="%{customdata[0]}: %{y:.3s}Flops/W (%{customdata[1]})<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
        fit = fits.get(series)
        if fit:
            xs = [dev[0]["list_year_fraction"], dev[-1]["list_year_fraction"]]
            upper = fit["doubling_time_months_upper_95"]
            interval = (
                f"{fit['doubling_time_months_lower_95']:.1f}-{upper:.1f}"
                if upper is not None
                else f"from {fit['doubling_time_months_lower_95']:.1f}"
            )
            fig.add_trace(
                go.Scatter(
                    x=[_year_to_date(x) for x in xs],
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
    fig.add_trace(
        go.Bar(
            x=[r["list_date"] for r in dev],
            y=[r["power_coverage_pct"] for r in dev],
            name="entries reporting power",
            marker_color="#c7c7c7",
            customdata=[r["list_label"] for r in dev],
            hovertemplate="%{customdata}: %{y:.1f}% of the list report power<extra></extra>",
        ),
        row=2,
        col=1,
    )
    _log_axis(fig, "energy efficiency", "Flops/W", row=1, col=1)
    fig.update_yaxes(title_text="reporting", ticksuffix="%", range=[0, 100], row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=2, col=1)
    panel.figure = _layout(fig, 640)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.15))
    return panel


def turnover_panel(m: Marts) -> Panel:
    panel = Panel(
        "turnover",
        "List turnover",
        "Top: entries new to each list (not linked to the previous list) as a share of the list, the "
        "share of the list's Rmax they bring, and the growth of the entry level (#500 Rmax) over the "
        "list a year earlier. Bottom: median and mean installation age of the list's systems "
        "(marts.list_turnover).",
    )
    need = {
        "list_date",
        "list_label",
        "new_entries",
        "replacement_rate_pct",
        "new_entries_rmax_share_pct",
        "rank500_rmax_yoy_growth_pct",
        "median_installation_age_years",
        "mean_installation_age_years",
    }
    panel.unavailable = _unreadable(m, "list_turnover", need, "built by the TOP500.org parity issue")
    if panel.unavailable:
        return panel
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
    panel.figure = _layout(fig, 620)
    panel.figure.update_layout(legend=dict(orientation="h", x=0, y=-0.12), bargap=0.15)
    return panel


def national_compute_panel(m: Marts) -> Panel:
    panel = Panel(
        "national_compute",
        "Who has the AI compute: share of the world by country",
        "Top: each country's share of the world's compute in H100-equivalents, TOP500 systems and the "
        "AI clusters that never ran HPL together with nothing counted twice (listed systems by their "
        "accelerators, CPU-only systems 0; Epoch AI GPU clusters not on that list), per list date the "
        "Epoch data covers. Bottom: on the latest covered list, each country's listed and unlisted "
        f"compute; {HIGHLIGHT} highlighted (marts.national_compute).",
    )
    t = "national_compute"
    need = {
        "list_date",
        "country",
        "total_h100e",
        "total_h100e_share_pct",
        "top500_h100e",
        "unlisted_cluster_h100e",
        "is_within_epoch_coverage",
        "epoch_data_until",
    }
    panel.unavailable = _unreadable(m, t, need, "built by the national-compute issue")
    if panel.unavailable:
        return panel
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
            f"listed and unlisted compute on {latest:%Y-%m} (H100-equivalents)",
        ],
    )
    for i, country in enumerate(shown):
        share = {r["list_date"]: r["total_h100e_share_pct"] for r in rows if r["country"] == country}
        hi = country == HIGHLIGHT
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=[share.get(d, 0) or 0 for d in dates],
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
        ("unlisted_cluster_h100e", "AI clusters not on the list", "#aec7e8", _alpha(HIGHLIGHT_COLOR, 0.45)),
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
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="share of world (%)", ticksuffix="%", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(type="log", title_text="H100-equivalents", row=2, col=1)
    fig.update_xaxes(title_text="TOP500 list", row=1, col=1)
    until = rows[0]["epoch_data_until"]
    panel.text += f" The Epoch cluster data ends {until}; later lists are not shown."
    panel.figure = _layout(fig, 820)
    return panel


def build_panels(m: Marts) -> list[Panel]:
    countries, shares = country_panels(m)
    return [
        performance_panel(m),
        countries,
        shares,
        _guarded(demand_panel, m),
        _guarded(announced_panel, m),
        _guarded(efficiency_panel, m),
        _guarded(turnover_panel, m),
        _guarded(national_compute_panel, m),
    ]


def _guarded(make, m: Marts) -> Panel:
    """Panels over marts another area is still shaping: a surprise there shows in the page
    (data-status="error", which the browser test rejects) instead of stopping the publish."""
    try:
        return make(m)
    except Exception as exc:
        key = make.__name__.removesuffix("_panel")
        panel = Panel(key, f"{key} chart", "")
        panel.unavailable = f"Could not draw this chart: {type(exc).__name__}: {exc}"
        panel.error = True
        return panel


def _panel_html(panel: Panel, include_js: bool) -> str:
    title = f"<h2>{html.escape(panel.title)}</h2><p class='note'>{html.escape(panel.text)}</p>"
    if panel.figure is None:
        body = f"<div class='unavailable'>{html.escape(panel.unavailable or 'Not available.')}</div>"
        status = "error" if panel.error else "unavailable"
    else:
        height = int(panel.figure.layout.height or 500)
        body = panel.figure.to_html(
            full_html=False,
            include_plotlyjs=include_js,
            div_id=f"chart-{panel.key}",
            config=PLOT_CONFIG,
            default_height=f"{height}px",
            default_width="100%",
        )
        status = "chart"
    return f"<section class='panel' id='{panel.key}' data-status='{status}'>{title}{body}</section>"


STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 1300px;
       padding: 16px 24px; color: #222; background: #fafafa; }
h1 { margin-bottom: 4px; } .meta { color: #666; font-size: 13px; margin-top: 0; }
.panel { background: white; border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px 16px; margin: 18px 0; }
.panel h2 { font-size: 19px; margin: 8px 0 4px; } .note { color: #555; font-size: 13px; margin: 0 0 8px; }
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
        lists = (
            m.rows("select min(list_label) as first, max(list_label) as latest from marts.country_list_stats")[0]
            if m.has("country_list_stats")
            else {"first": "?", "latest": "?"}
        )
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
