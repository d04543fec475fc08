"""The accelerator-matching figure a run prints at its end: coverage and what is still unmatched."""

from __future__ import annotations

import duckdb


def coverage_summary(con: duckdb.DuckDBPyConnection, top: int = 10) -> str:
    """Coverage of accelerated Rmax since 2012-06 and the largest unmatched strings (needs the dbt marts built)."""
    row = con.execute(
        """select rmax_share_matched, rmax_share_goal, matched_rmax_tflops, accelerated_rmax_tflops,
                  matched_entries, accelerated_entries, since_list_date, latest_list_date
           from marts.accelerator_match_coverage"""
    ).fetchall()
    if not row:
        return "accelerator spec coverage: no accelerated entries loaded"
    share, goal, matched, total, m_entries, entries, since, latest = row[0]
    verdict = "meets" if share >= float(goal) else "BELOW"
    lines = [
        f"accelerator spec coverage {since:%Y-%m}..{latest:%Y-%m}: {share:.2%} of accelerated Rmax matched "
        f"({matched / 1e3:,.0f} of {total / 1e3:,.0f} PFlop/s; {m_entries:,} of {entries:,} entries) "
        f"- {verdict} the {float(goal):.0%} goal",
    ]
    unmatched = con.execute(
        """select unmatched_rank, accelerator, rmax_tflops_since_2012_06, entry_count, list_count
           from marts.unmatched_accelerators order by unmatched_rank limit ?""",
        [top],
    ).fetchall()
    if unmatched:
        lines.append("largest unmatched accelerator strings (Rmax since 2012-06):")
        for rank, name, rmax, n_entries, n_lists in unmatched:
            lines.append(
                f"  {rank:>2}. {name:<40} {rmax / 1e3:>10,.1f} PFlop/s  {n_entries:>4} entries on {n_lists:>2} lists"
            )
    return "\n".join(lines)
