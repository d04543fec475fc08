"""Query results as text an analyst can trust at any terminal width.

Every value is printed whole: numbers right-aligned with the decimals their column
needs (never cut mid-digit), NULL as `NULL` (an empty string stays empty), dates in
ISO form. When the table is wider than the terminal the rows are printed one field
per line instead (psql's expanded mode), long text wrapped, so nothing is elided.
"""

from __future__ import annotations

import math
import os
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

NULL = "NULL"
SIGNIFICANT = 10  # digits kept for large numbers: 18732742.16, not 18732742.161770012
MAX_DECIMALS = 4  # for |x| >= 1: 2026.4167, not 2026.4166666666667
SMALL_SIGNIFICANT = 4  # for |x| < 1: 0.001234
SCI_ABOVE, SCI_BELOW = 1e15, 1e-4  # outside this range: 2.85e+20 (FLOP counts, tiny shares)
MIN_WRAP = 24  # a wrapped column narrower than this is unreadable: move it below instead


@dataclass
class Column:
    name: str
    cells: list[str]
    numeric: bool


def terminal_width(out: IO[str]) -> int | None:
    """The width to fit: COLUMNS when set, the terminal's when `out` is one, else no limit (pipes, files)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        if out.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError):
        pass
    return None


def format_columns(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Column]:
    columns = []
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        present = [v for v in values if v is not None]
        numeric = bool(present) and all(_is_number(v) for v in present)
        decimals = _float_decimals([v for v in present if isinstance(v, float)])
        columns.append(Column(name, [_cell(v, decimals) for v in values], numeric))
    return columns


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _float_decimals(values: list[float]) -> int:
    """One precision per column: SIGNIFICANT digits of its largest value (at most MAX_DECIMALS
    decimals), or SMALL_SIGNIFICANT digits of its smallest when all are below 1; trailing zeros
    common to the whole column dropped."""
    shown = [abs(v) for v in values if math.isfinite(v) and v != 0 and not _scientific(v)]
    if not shown:
        return 0
    largest = max(shown)
    if largest >= 1:
        decimals = max(0, min(MAX_DECIMALS, SIGNIFICANT - _magnitude(largest)))
    else:
        decimals = SMALL_SIGNIFICANT - _magnitude(min(shown))
    needed = 0
    for v in shown:
        text = f"{v:.{decimals}f}"
        if "." in text:
            needed = max(needed, len(text.rstrip("0").split(".")[1]))
    return needed


def _magnitude(a: float) -> int:
    """Digits before the decimal point (<= 0 below 1: 0.01234 -> -1)."""
    return math.floor(math.log10(a)) + 1


def _scientific(v: float) -> bool:
    return abs(v) >= SCI_ABOVE or 0 < abs(v) < SCI_BELOW


def _cell(v: Any, decimals: int) -> str:
    if v is None:
        return NULL
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        text = f"{v:.{decimals}f}"
        if _scientific(v) or (v != 0 and not text.strip("-0.")):
            return f"{v:.6g}"  # too large or too small for the column's precision: 2.85e+20, 1.2e-05
        return text
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, bytes):
        return "\\x" + v.hex()
    text = str(v)
    # one value, one line: a newline inside a value must not look like the next row
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def table_width(columns: list[Column]) -> int:
    widths = [max([len(c.name), *map(len, c.cells)]) for c in columns]
    return sum(widths) + 3 * len(columns) - 1


def render_table(columns: list[Column], wrap_last: int | None = None) -> list[str]:
    """psql's aligned layout; `wrap_last`: wrap the last column's text to this many characters."""
    widths = [max([len(c.name), *map(len, c.cells)]) for c in columns]
    if wrap_last is not None and columns:
        widths[-1] = min(widths[-1], max(wrap_last, len(columns[-1].name)))
    head = " | ".join(_pad(c.name, w, c.numeric) for c, w in zip(columns, widths))
    lines = [" " + head.rstrip(), "-" + "-+-".join("-" * w for w in widths) + "-"]
    for r in range(len(columns[0].cells) if columns else 0):
        cells = [c.cells[r] for c in columns]
        last = _wrap(cells[-1], widths[-1]) if wrap_last is not None else [cells[-1]]
        for k, piece in enumerate(last):
            parts = [
                (_pad(cell, w, c.numeric) if k == 0 else " " * w)
                for c, cell, w in zip(columns[:-1], cells[:-1], widths[:-1])
            ]
            parts.append(_pad(piece, widths[-1], columns[-1].numeric))
            lines.append((" " + " | ".join(parts)).rstrip())
    return lines


def render_expanded(columns: list[Column], width: int | None) -> list[str]:
    """One field per line, a header per record (psql's \\x); numbers share a right edge, text wraps."""
    label = max(len(c.name) for c in columns)
    number_width = max([len(cell) for c in columns if c.numeric for cell in c.cells] or [0])
    value_width = max([len(cell) for c in columns for cell in c.cells] or [1])
    if width is not None:
        value_width = max(8, min(value_width, width - label - 3))
    lines = []
    for r in range(len(columns[0].cells)):
        header = f"-[ RECORD {r + 1} ]"
        rule = "-" * max(0, label + 1 - len(header))
        lines.append((header + rule + "+" + "-" * (value_width + 1))[: width or None])
        for c in columns:
            cell = c.cells[r]
            pieces = [cell.rjust(number_width)] if c.numeric else _wrap(cell, value_width)
            for k, piece in enumerate(pieces):
                lines.append(f"{c.name.ljust(label) if k == 0 else ' ' * label} | {piece}".rstrip())
    return lines


def render(
    names: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None, expanded: bool | None = None
) -> list[str]:
    """The aligned table when it fits `width` (or `expanded` is False), else the expanded layout."""
    if not names:
        return []
    columns = format_columns(names, rows)
    if expanded is None:
        expanded = width is not None and bool(rows) and table_width(columns) > width
    return render_expanded(columns, width) if expanded else render_table(columns)


def render_described(columns: list[Column], width: int | None) -> list[str]:
    """A table whose last column is prose (descriptions): wrapped to the width that is left.

    When less than MIN_WRAP characters are left, each row's prose goes on its own indented lines."""
    if width is None or table_width(columns) <= width:
        return render_table(columns)
    left = width - table_width(columns[:-1]) - 3
    if left >= MIN_WRAP:
        return render_table(columns, wrap_last=left)
    lines = render_table(columns[:-1])
    out = lines[:2]
    prose = columns[-1]
    for r, line in enumerate(lines[2:]):
        out.append(line)
        out += ["     " + piece for piece in _wrap(prose.cells[r], max(MIN_WRAP, width - 5))]
    return out


def _pad(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False, drop_whitespace=True) or [""]
