"""AI compute demand scenarios against TOP500 supply, and the gap between them."""

from __future__ import annotations

import html
import math
import textwrap

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import (
    HIGHLIGHT,
    HIGHLIGHT_COLOR,
    PALETTE,
    Marts,
    Panel,
    alpha,
    layout,
)

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
    """Scenarios grouped by monthly growth rate: each rate within `tolerance` of the next slower one in its group,
    so the lines of two groups are always more than `tolerance` apart."""
    groups: list[list[str]] = []
    for name in sorted(rates, key=lambda n: (rates[n], n)):
        if groups and rates[name] <= rates[groups[-1][-1]] * tolerance:
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
    rows = m.rows(f"""select scenario, scenario_kind, country, forecast_date, growth_multiplier, log_growth_per_month
                      from marts.{t} where growth_multiplier > 0 order by scenario, forecast_date""")
    fits = {
        r["selection"]: r["selection_description"]
        for r in m.rows("select selection, selection_description from marts.demand_growth_fits")
    }
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
                y=[r["growth_multiplier"] for r in pts],
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
                    y=[r["growth_multiplier"] for r in hi],
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
                    y=[r["growth_multiplier"] for r in lo],
                    mode="lines",
                    line=dict(width=0),
                    fill="tonexty",
                    fillcolor=alpha(color, 0.25),
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
                y=[r["growth_multiplier"] for r in pts],
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
        panel.figure = layout(fig, 940)
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
        panel.text += " No gap is drawn: the loaded lists are too few for a world supply trend."
        panel.figure = layout(fig, 560)
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
    if not world_supply:
        return []
    return m.rows(
        f"""select demand_scenario, forecast_date, gap_ratio from marts.{t}
                      where supply_scenario = ? and gap_ratio > 0 order by demand_scenario, forecast_date""",
        [world_supply],
    )
