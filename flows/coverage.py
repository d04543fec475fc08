"""What the published data covers: each source's date range, and per list the share of accelerated Rmax with an
H100-equivalent estimate. `top500 status` and the end of `top500 run` print them (needs the dbt marts built)."""

from __future__ import annotations

import duckdb


def source_coverage_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per loaded source: where its data starts and ends (marts.source_coverage)."""
    rows = con.execute(
        """select dataset, coverage_measure, covered_from, covered_until, files
           from marts.source_coverage order by dataset = 'top500' desc, dataset"""
    ).fetchall()
    lines = ["sources (data from .. to):"]
    for dataset, measure, first, last, files in rows:
        span = f"{first} .. {last}" if first is not None else "no dated rows"
        lines.append(f"  {dataset}: {span} ({measure}; {files} file{'s' if files != 1 else ''})")
    return lines


def h100e_coverage_line(con: duckdb.DuckDBPyConnection, lists: int = 3) -> str:
    """The newest lists' share of accelerated Rmax with an H100e estimate, and the new accelerators without one."""
    rows = con.execute(
        """select list_label, rmax_share_estimated, new_unestimated_accelerators
           from marts.h100e_coverage order by list_date desc limit ?""",
        [lists],
    ).fetchall()
    if not rows:
        return "H100-equivalent coverage: no list loaded"
    shares = ", ".join(f"{label} {share:.1%}" if share is not None else f"{label} -" for label, share, _ in rows)
    line = f"H100-equivalent coverage (share of accelerated Rmax estimated): {shares}"
    label, _, new = rows[0]
    if new:
        line += f"; no estimate yet for accelerators new on {label}: {new}"
    return line
