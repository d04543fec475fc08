"""GX suite `top500_list`: the rules every TOP500 list file must meet.

All lists of a run are validated in one GX batch (GX's cost is per expectation
and batch, not per row: 67 batches took ~15 s, one takes ~0.3 s); results are
still recorded and reported per file, because every rule is a row-level rule
on columns that `prepare` derives within each file.

Rules (all checked per list file, i.e. per `source_file`):
- 500 rows; ranks present, unique and within 1..500 (so exactly 1..500); one list_date, a June or November one.
- rmax_tflops present and > 0; rmax <= rpeak within the tolerance documented in
  top500_rmax_tolerance.json; rmax non-increasing with rank (ties allowed: many lists have them).
- country is a real one: ISO 3166 (pycountry) or the TOP500's own spelling (flows/countries.py); a real
  country new to the lists passes (the run reports it as new), an invented or misspelt one is stopped.
- year between 1980 and the list's year (+1 for November lists: 1993-11, 2000-11, 2003-11 and
  2019-11 each list a system dated the following year, installed after the list was compiled).
- power_kw >= 0 where present (empty before 2008).
- plausible against history (a wrong unit: GFlop/s under a TFlop/s header): the list's total Rmax, its #1 and
  its #500 against the list before it (`flows.validate.with_previous_lists`: the newest earlier list of the
  batch or of the build file), a system against its own entry on the list before (by Previous Rank), and Rmax
  and Rpeak per core, each within the bounds in top500_list_history.json. Those are learnt from every list
  since 1993 (`python expectations/top500_list.py` writes them): g is the largest factor by which the measure
  ever changed from one list to the next, in either direction, and a new list may change it by up to g²
  either way (per list: a list k lists after the one before it may change by g^(2k)); per core, a core may
  be up to g² faster than the fastest core ever listed, g being the largest jump of that record. Every real
  list passes with room for more than the largest jump seen (a new #1 5× the old one, 2002-06); ×1000 does not.
Derived columns (added by `prepare`) keep every rule a plain GX expectation that Data Docs can show.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from flows.countries import published_names
from flows.validate import Suite

HERE = Path(__file__).parent
TOLERANCE = json.loads((HERE / "top500_rmax_tolerance.json").read_text())
HISTORY_FILE = HERE / "top500_list_history.json"
HISTORY = json.loads(HISTORY_FILE.read_text())
EARLIEST_YEAR = 1980
# Measures compared with the list before, the rank whose row carries the file-level ones, and their words.
LIST_MEASURES = {
    "list_total_rmax": (1, "the list's total Rmax"),
    "rank1_rmax": (1, "Rmax at #1"),
    "rank500_rmax": (500, "Rmax at #500"),
}


def _allowed_ratio(list_date: pd.Series, rank: pd.Series) -> pd.Series:
    ratio = pd.Series(TOLERANCE["default_max_ratio"], index=list_date.index, dtype="float64")
    month = list_date.dt.strftime("%Y-%m")
    for exc in sorted(TOLERANCE["exceptions"], key=lambda e: "rank" in e):  # rank-specific rules win
        hit = month == exc["list"]
        if "rank" in exc:
            hit &= rank == exc["rank"]
        ratio[hit] = exc["max_ratio"]
    return ratio


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """One file's rows plus the per-file facts the row-level rules compare against."""
    df = df.sort_values("rank", kind="stable").reset_index(drop=True)
    df["rows_in_file"] = len(df)
    df["list_dates_in_file"] = df["list_date"].nunique()
    df["list_month"] = df["list_date"].dt.month
    counts = df.groupby("rank", dropna=False)["rank"].transform("size")
    df["rank_count"] = counts.where(df["rank"].notna(), 1)
    df["rank_times"] = df["rank_count"].map(lambda n: "twice" if n == 2 else f"{n} times")
    df["rpeak_allowed_tflops"] = df["rpeak_tflops"] * _allowed_ratio(df["list_date"], df["rank"])
    # The entry one rank better on the same list: its Rmax must be >= this one's.
    df["rank_above"] = df["rank"].shift(1)
    df["rmax_of_rank_above"] = df["rmax_tflops"].shift(1)
    # November lists may carry systems dated the next year (installed after compilation).
    latest = df["list_date"].max()
    df["max_year_allowed"] = 0 if pd.isna(latest) else int(latest.year) + (1 if latest.month == 11 else 0)
    return _against_history(df)


def _measures(df: pd.DataFrame) -> dict[str, float]:
    rmax = df.set_index("rank")["rmax_tflops"].astype("float64")
    return {"list_total_rmax": rmax.sum(), "rank1_rmax": rmax.get(1, np.nan), "rank500_rmax": rmax.get(500, np.nan)}


def _against_history(df: pd.DataFrame) -> pd.DataFrame:
    """The history rules' columns: changes against the list before (NaN where there is none), per core."""
    df["rmax_tflops"] = df["rmax_tflops"].astype("float64")
    df["rpeak_tflops"] = df["rpeak_tflops"].astype("float64")
    cores = pd.to_numeric(df["total_cores"], errors="coerce").astype("float64").where(lambda c: c > 0)
    df["rmax_per_core_tflops"] = df["rmax_tflops"] / cores
    df["rpeak_per_core_tflops"] = df["rpeak_tflops"] / cores
    steps = pd.to_numeric(df.get("previous_list_steps"), errors="coerce") if "previous_list_steps" in df else None
    df["previous_list"] = df["previous_list_date"].dt.strftime("%Y-%m") if "previous_list_date" in df else None
    for measure, (rank, _) in LIST_MEASURES.items():
        df[measure] = _measures(df)[measure]
        change = np.nan
        if steps is not None and f"previous_{measure}_tflops" in df:
            change = df[measure] / df[f"previous_{measure}_tflops"]
        df[f"{measure}_change"] = change
        # per list, so a list several lists after the one before it gets the compounded bound
        df[f"{measure}_change_per_list"] = df[f"{measure}_change"] ** (1 / steps) if steps is not None else np.nan
        df.loc[df["rank"] != rank, f"{measure}_change_per_list"] = np.nan  # one row carries the file's figure
    if "previous_entry_rmax_tflops" in df:
        df["system_rmax_change"] = df["rmax_tflops"] / df["previous_entry_rmax_tflops"]
        before = df["previous_entry_rpeak_tflops"] / df["previous_entry_total_cores"].where(lambda c: c > 0)
        df["system_rpeak_per_core_change"] = df["rpeak_per_core_tflops"] / before
    else:
        df["system_rmax_change"] = np.nan
        df["system_rpeak_per_core_change"] = np.nan
    return df


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="rows_in_file", min_value=500, max_value=500, meta={"message": "{rows_in_file} rows, expected 500"}
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="rank", meta={"message": "an entry has no rank (site {site!r})"}),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank_count", min_value=1, max_value=1, meta={"message": "rank {rank} appears {rank_times}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank", min_value=1, max_value=500, meta={"message": "rank {rank} is outside 1..500"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="list_dates_in_file",
            min_value=1,
            max_value=1,
            meta={"message": "the file holds {list_dates_in_file} different list dates, expected 1"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="list_month",
            value_set=[6, 11],
            meta={"message": "list_date {list_date:%Y-%m} is not a June or November list"},
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="rmax_tflops", meta={"message": "rmax_tflops is empty at rank {rank}"}
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rmax_tflops",
            min_value=0,
            strict_min=True,
            meta={"message": "rmax_tflops is {rmax_tflops} at rank {rank}, must be > 0"},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rpeak_allowed_tflops",
            column_B="rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "rmax_tflops > rpeak_tflops at rank {rank} ({rmax_tflops:.6g} > {rpeak_tflops:.6g})",
                "notes": "tolerance: expectations/top500_rmax_tolerance.json",
            },
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rmax_of_rank_above",
            column_B="rmax_tflops",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={
                "message": "rmax_tflops rises with rank: rank {rank} has {rmax_tflops:.6g}, "
                "rank {rank_above:.0f} above it only {rmax_of_rank_above:.6g}"
            },
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="country", meta={"message": "country is empty at rank {rank}"}),
        gxe.ExpectColumnValuesToBeInSet(
            column="country",
            value_set=sorted(published_names()),
            meta={
                "message": "unknown country {country!r} at rank {rank}: not an ISO 3166 country name "
                "nor a TOP500 spelling (flows/countries.py)"
            },
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="year",
            min_value=EARLIEST_YEAR,
            meta={"message": "year {year:.0f} at rank {rank} is before " + str(EARLIEST_YEAR)},
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="max_year_allowed",
            column_B="year",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"message": "year {year:.0f} at rank {rank} is implausible for the {list_date:%Y-%m} list"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="power_kw", min_value=0, meta={"message": "power_kw is {power_kw} at rank {rank}, must be >= 0"}
        ),
        *history_expectations(),
    ]


def _times(x: float) -> str:
    return f"×{x:.3g}"


def history_expectations() -> list:
    """A list against the list before it and against the fastest cores ever listed (top500_list_history.json)."""
    import great_expectations.expectations as gxe

    source = f"expectations/{HISTORY_FILE.name}, learnt from {HISTORY['learnt_from']}"
    rules = []
    for measure, (rank, words) in LIST_MEASURES.items():
        bounds = HISTORY[measure]
        allowed = f"{_times(bounds['allowed_min'])}..{_times(bounds['allowed_max'])}"
        rules.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{measure}_change_per_list",
                min_value=bounds["allowed_min"],
                max_value=bounds["allowed_max"],
                meta={
                    "message": f"{words} is {{{measure}:,.6g}} TFlop/s, ×{{{measure}_change:.4g}} the "
                    f"{{previous_list}} list's {{previous_{measure}_tflops:,.6g}}: outside {allowed} per list, the "
                    f"largest change since 1993 squared either way ({source}); rank {rank} is {{computer}} at "
                    "{rmax_tflops:,.6g} TFlop/s: a wrong unit?"
                },
            )
        )
    system = HISTORY["system_rmax"]
    rules.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="system_rmax_change",
            min_value=system["allowed_min"],
            max_value=system["allowed_max"],
            meta={
                "message": "rank {rank} ({computer}) has Rmax {rmax_tflops:,.6g} TFlop/s, ×{system_rmax_change:.4g} "
                "its Rmax at Previous Rank {previous_rank:.0f} on the {previous_list} list "
                "({previous_entry_rmax_tflops:,.6g}), Rpeak per core ×{system_rpeak_per_core_change:.3g}: outside "
                f"{_times(system['allowed_min'])}..{_times(system['allowed_max'])}, the largest change of a listed "
                f"system since 2012 squared either way ({source}): a wrong unit?"
            },
        )
    )
    for column, words in (("rmax_per_core", "Rmax"), ("rpeak_per_core", "Rpeak")):
        core = HISTORY[column]
        rules.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{column}_tflops",
                min_value=0,
                max_value=core["allowed_max"],
                meta={
                    "message": f"rank {{rank}} ({{computer}}) has {words} per core {{{column}_tflops:,.6g}} TFlop/s "
                    f"({{{words.lower()}_tflops:,.6g}} TFlop/s on {{total_cores:,.0f}} cores), beyond any known chip: "
                    f"more than {core['allowed_max']:.4g}, the fastest core listed ({core['fastest']:.4g}, "
                    f"{core['fastest_at']}) times its largest jump squared ({source})"
                },
            )
        )
    return rules


SUITES = [
    Suite(
        name="top500_list",
        tables=("raw.top500_entries",),
        query="select * exclude (original) from raw.top500_entries",
        batch_by="source_file",
        row_id=("rank",),
        prepare=prepare,
        expectations=expectations,
        description="One TOP500 list file: 500 ranked entries with plausible values.",
    )
]


# --- learning the bounds ------------------------------------------------------------------------------


def _sig(x: float) -> float:
    return float(f"{x:.6g}")


def _bounds(changes: list[float]) -> dict:
    """g = the largest factor of change either way; allowed: 1/g² .. g²."""
    smallest, largest = min(changes), max(changes)
    g = max(largest, 1 / smallest)
    return {
        "changes": len(changes),
        "smallest_change": _sig(smallest),
        "largest_change": _sig(largest),
        "allowed_min": _sig(1 / g**2),
        "allowed_max": _sig(g**2),
    }


def learn_history(lists: list[pd.DataFrame]) -> dict:
    """The bounds of the history rules, from whole lists (one frame per list, the parser's columns)."""
    frames = sorted((f.assign(rmax_tflops=f["rmax_tflops"].astype("float64")) for f in lists), key=_list_date)
    facts = [_measures(f) for f in frames]
    history: dict = {
        "learnt_from": f"{_list_date(frames[0]):%Y-%m}..{_list_date(frames[-1]):%Y-%m}, {len(frames)} lists",
        "rule": "g = the largest factor by which the measure changed from one list to the next, either way; "
        "a new list may change it by 1/g² .. g² per list. Per core: up to g² times the fastest core listed, "
        "g being the largest jump of that record. Written by `python expectations/top500_list.py`.",
    }
    for measure in LIST_MEASURES:
        history[measure] = _bounds([b[measure] / a[measure] for a, b in itertools.pairwise(facts)])
    system_changes = []
    for before, after in itertools.pairwise(frames):
        linked = after.dropna(subset=["previous_rank"])
        if not len(linked):
            continue
        rmax_before = before.set_index("rank")["rmax_tflops"]
        at = linked["previous_rank"].astype("int64").map(rmax_before)
        system_changes += list((linked["rmax_tflops"] / at).dropna())
    history["system_rmax"] = _bounds(system_changes)
    history["system_rmax"]["learnt_from"] = "entries linked to the list before by their Previous Rank (from 2012-06)"
    for column, value in (("rmax_per_core", "rmax_tflops"), ("rpeak_per_core", "rpeak_tflops")):
        per_core = [
            f[value].astype("float64") / pd.to_numeric(f["total_cores"]).astype("float64").where(lambda c: c > 0)
            for f in frames
        ]
        record = [p.max() for p in per_core]
        jump = max(b / a for a, b in itertools.pairwise(record))
        fastest = max(range(len(frames)), key=lambda i: record[i])
        at_rank = frames[fastest].loc[per_core[fastest].idxmax(), "rank"]
        history[column] = {
            "fastest": _sig(record[fastest]),
            "fastest_at": f"{_list_date(frames[fastest]):%Y-%m} #{int(at_rank)}",
            "largest_jump": _sig(jump),
            "allowed_max": _sig(record[fastest] * jump**2),
        }
    return history


def _list_date(frame: pd.DataFrame):
    return pd.Timestamp(frame["list_date"].iloc[0])


if __name__ == "__main__":  # python expectations/top500_list.py: learn the bounds again from the bundled lists
    import sys

    sys.path.insert(0, str(HERE.parent))
    from flows.settings import Settings
    from flows.sources import top500

    parsed = top500.parse_all(top500.collect("bundled", Settings()))
    HISTORY_FILE.write_text(json.dumps(learn_history([p.rows for p in parsed]), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.write(f"wrote {HISTORY_FILE}\n")
