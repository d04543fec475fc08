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


def new_unmatched_warnings(con: duckdb.DuckDBPyConnection, new_lists: list[str]) -> list[str]:
    """A warning for each new list bringing accelerator strings no spec matches (a chip too new for the spec
    sources): what they are, and the coverage of accelerated Rmax with and without the new lists. Never an error:
    the list is published, and the strings wait in marts.unmatched_accelerators for an alias or a spec.

    Only lists after the newest one loaded before them count: on a first load or a backfill every old list is
    "added", and none of them brings a chip too new for the specs."""
    (newest_before,) = con.execute(
        """select max(list_date) from raw.top500_entries
           where strftime(list_date, '%Y-%m') not in (select unnest(?::varchar[]))""",
        [new_lists or [""]],
    ).fetchone()
    if newest_before is None:
        return []
    new_lists = [label for label in new_lists if label > f"{newest_before:%Y-%m}"]
    if not new_lists:
        return []
    found = con.execute(
        """select strftime(first_list_date, '%Y-%m') as list_label, accelerator, entry_count, best_rank,
                  total_rmax_tflops
           from marts.unmatched_accelerators
           where strftime(first_list_date, '%Y-%m') in (select unnest(?::varchar[]))
           order by list_label, total_rmax_tflops desc, accelerator""",
        [new_lists],
    ).fetchall()
    if not found:
        return []
    since, now = con.execute(
        "select since_list_date, rmax_share_matched from marts.accelerator_match_coverage"
    ).fetchone()
    before = con.execute(
        """select sum(e.rmax_tflops) filter (where m.accelerator_spec_name is not null) / sum(e.rmax_tflops)
           from raw.top500_entries as e
           inner join intermediate.int_accelerator_spec_matches as m using (accelerator)
           where e.list_date >= ? and strftime(e.list_date, '%Y-%m') not in (select unnest(?::varchar[]))""",
        [since, new_lists],
    ).fetchone()[0]
    by_list: dict[str, list[str]] = {}
    for label, accelerator, entries, best_rank, rmax in found:
        by_list.setdefault(label, []).append(
            f"{accelerator!r} ({entries} {'entry' if entries == 1 else 'entries'}, best #{best_rank}, "
            f"{rmax / 1e3:,.1f} PFlop/s)"
        )
    without = "" if before is None else f" ({before:.2%} without {', '.join(new_lists)})"
    return [
        f"{label} brings accelerator string(s) no spec matches: {', '.join(items)}; spec coverage of accelerated "
        f"Rmax since {since:%Y-%m} is {now:.2%}{without}: add an alias or a spec (dbt_project/seeds) to match them"
        for label, items in by_list.items()
    ]
