"""What keeping up would take: South Korea and three peers, their AI compute so far, what exists and is planned,
and what each scenario would need (marts.national_compute, national_compute_outlook, compute_needed)."""

from __future__ import annotations

import math
from datetime import date

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from flows.report.base import HIGHLIGHT, HIGHLIGHT_COLOR, Marts, Panel, layout

PEERS = ("United States", "China", "Japan")
SCENARIO_LABELS = {
    "keep_world_share": "needed to keep its share of world AI compute",
    "fit_notable_2010_on": "needed to keep pace with AI training demand (notable-model trend, recommended)",
    "openai_2018": "needed to keep pace with OpenAI's 3.4-month doubling",
    "kr_study_roberta_bert": "needed to keep pace with the Korean study's 2.98x per 3.4 months",
}
NEED_STYLE = {
    "keep_world_share": ("#2ca02c", "dash"),
    "fit_notable_2010_on": ("#9467bd", "dash"),
    "openai_2018": ("#ff7f0e", "dot"),
    "kr_study_roberta_bert": ("#8c564b", "dot"),
}
SUPPLY_STYLE = {
    "listed": ("#1f77b4", "dot", 1.5),
    "unlisted": ("#17becf", "dot", 1.5),
    "total": ("black", "solid", 3),
    "existing": ("black", "dashdot", 1.5),
    "supply": (HIGHLIGHT_COLOR, "solid", 3),
    "all_plans": (HIGHLIGHT_COLOR, "dash", 1.5),
}


def compute_needed_panel(m: Marts) -> Panel:
    countries = (HIGHLIGHT, *PEERS)
    panel = Panel(
        "compute_needed",
        f"What keeping up would take: {HIGHLIGHT} and three peers",
        f"Top: {HIGHLIGHT}'s AI compute over time (H100-equivalents; TOP500 systems and the AI clusters not on the "
        "list, lines, not stacked) and, from the base date to 2030, what it has carried forward (leaving as Epoch AI "
        "records), with its planned clusters (confirmed and likely; and with the speculative ones), against what "
        "it would need to keep its share of world AI compute or to keep pace with AI training demand. Bottom: the "
        f"same for {', '.join(PEERS)}. Log scale; a need that leaves the chart keeps rising (hover for values). "
        "Plans count from the end of the year Epoch expects them in; undated plans (most of China's) are in no "
        "year, and Epoch's coverage of China is thin (marts.national_compute, national_compute_outlook, "
        "compute_needed).",
    )
    placeholders = ", ".join("?" for _ in countries)
    history = m.rows(
        f"""select list_date, country, top500_h100e, unlisted_cluster_h100e, total_h100e
            from marts.national_compute
            where is_within_epoch_coverage and list_date >= date '2018-06-01' and country in ({placeholders})
            order by list_date""",
        list(countries),
    )
    outlook = m.rows(
        f"""select country, as_of_date, base_date, existing_h100e, supply_h100e,
                   supply_h100e + planned_speculative_h100e
                   - case when supply_planned_tiers like '%speculative%' then planned_speculative_h100e else 0 end
                       as all_plans_h100e
            from marts.national_compute_outlook where country in ({placeholders}) order by as_of_date""",
        list(countries),
    )
    needed = m.rows(
        f"""select country, scenario, as_of_date, needed_h100e, is_recommended
            from marts.compute_needed where country in ({placeholders}) order by as_of_date""",
        list(countries),
    )
    if not outlook:
        panel.unavailable = "marts.national_compute_outlook is empty: no list date the Epoch cluster data covers."
        return panel
    base = outlook[0]["base_date"]
    fig = make_subplots(
        rows=2,
        cols=3,
        specs=[[{"colspan": 3}, None, None], [{}, {}, {}]],
        row_heights=[0.6, 0.4],
        vertical_spacing=0.12,
        horizontal_spacing=0.06,
        subplot_titles=[HIGHLIGHT, *PEERS],
    )
    cells = {HIGHLIGHT: (1, 1), **{c: (2, i + 1) for i, c in enumerate(PEERS)}}
    for country, (row, col) in cells.items():
        first = country == HIGHLIGHT
        past = [r for r in history if r["country"] == country]
        # the outlook and the needs start from the base date's compute
        start = next((r["total_h100e"] for r in past if r["list_date"] == base), None)
        drawn = _history(fig, past, row, col, first)
        drawn += _outlook(fig, [r for r in outlook if r["country"] == country], row, col, first, (base, start))
        limit = 30 * max(drawn or [1])
        _needs(fig, [r for r in needed if r["country"] == country], row, col, first, (base, start))
        low = min((v for v in drawn if v > 0), default=1)
        fig.update_yaxes(
            type="log",
            range=[math.floor(math.log10(low)), math.log10(limit)],
            title_text="H100-equivalents (log)" if col == 1 else None,
            row=row,
            col=col,
        )
    panel.figure = layout(fig, 900)
    panel.figure.update_layout(legend=dict(x=1.01, y=1, font=dict(size=11), tracegroupgap=2))
    panel.text += f" Base date {base:%Y-%m}."
    return panel


def _history(fig: go.Figure, rows: list[dict], row: int, col: int, legend: bool) -> list[float]:
    dates = [r["list_date"] for r in rows]
    drawn = []
    for column, key, label in (
        ("top500_h100e", "listed", "on the TOP500 list"),
        ("unlisted_cluster_h100e", "unlisted", "AI clusters not on the list"),
        ("total_h100e", "total", "AI compute (both)"),
    ):
        values = [r[column] or None for r in rows]
        drawn += [v for v in values if v]
        color, dash, width = SUPPLY_STYLE[key]
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=values,
                name=label,
                legendgroup=key,
                showlegend=legend,
                mode="lines+markers" if key == "total" else "lines",
                line=dict(color=color, dash=dash, width=width),
                hovertemplate="%{x|%Y-%m}: %{y:,.0f} H100e<extra>" + label + "</extra>",
            ),
            row=row,
            col=col,
        )
    return drawn


def _outlook(
    fig: go.Figure, rows: list[dict], row: int, col: int, legend: bool, start: tuple[date, float | None]
) -> list[float]:
    drawn = []
    for column, key, label in (
        ("existing_h100e", "existing", "existing, carried forward"),
        ("supply_h100e", "supply", "existing + planned (confirmed, likely)"),
        ("all_plans_h100e", "all_plans", "existing + every plan (also speculative)"),
    ):
        values = [start[1], *(r[column] or None for r in rows)]
        drawn += [v for v in values if v]
        color, dash, width = SUPPLY_STYLE[key]
        fig.add_trace(
            go.Scatter(
                x=[start[0], *(r["as_of_date"] for r in rows)],
                y=values,
                name=label,
                legendgroup=key,
                showlegend=legend,
                mode="lines",
                # a year's value is what is in service by its end: the step rises within the year
                line=dict(color=color, dash=dash, width=width, shape="vh"),
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} H100e<extra>" + label + "</extra>",
            ),
            row=row,
            col=col,
        )
    return drawn


def _needs(
    fig: go.Figure, rows: list[dict], row: int, col: int, legend: bool, start: tuple[date, float | None]
) -> None:
    order = list(SCENARIO_LABELS)
    for scenario in sorted({r["scenario"] for r in rows}, key=lambda s: order.index(s) if s in order else len(order)):
        points = [r for r in rows if r["scenario"] == scenario]
        label = SCENARIO_LABELS.get(scenario, f"needed to keep pace with {scenario.replace('_', ' ')}")
        color, dash = NEED_STYLE.get(scenario, ("#7f7f7f", "dash"))
        fig.add_trace(
            go.Scatter(
                x=[start[0], *(r["as_of_date"] for r in points)],
                y=[start[1], *(r["needed_h100e"] for r in points)],
                name=label,
                legendgroup=scenario,
                showlegend=legend,
                mode="lines+markers",
                line=dict(color=color, dash=dash, width=3 if points[0]["is_recommended"] else 2),
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.3s} H100e<extra>" + label + "</extra>",
            ),
            row=row,
            col=col,
        )
