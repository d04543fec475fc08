"""What every panel shares: the Panel record, read access to the marts, colours, axes and layout."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import plotly.graph_objects as go

HIGHLIGHT = "South Korea"
HIGHLIGHT_COLOR = "#d62728"
TOP_COUNTRIES = 8
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
TFLOPS = 1e12  # axes are in Flop/s with SI prefixes, the marts in TFlop/s


@dataclass
class Panel:
    key: str
    title: str
    text: str
    figure: go.Figure | None = None
    unavailable: str | None = None  # why there is nothing to draw (no data yet), shown in the chart's place


class Marts:
    """Read access to the published marts (every mart is required: the marts gate checked them)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r)} for r in cur.fetchall()]


def year_to_date(x: float) -> date:
    year = math.floor(x)
    month = round((x - year) * 12) + 1
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def log_axis(fig: go.Figure, title: str, suffix: str = "Flop/s", **subplot: int) -> None:
    fig.update_yaxes(
        type="log", title_text=title, exponentformat="SI extended", ticksuffix=suffix, showgrid=True, **subplot
    )


def layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin=dict(l=70, r=30, t=40, b=50),
        legend=dict(orientation="v", x=1.01, y=1),
        hovermode="closest",
    )
    return fig


def alpha(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
