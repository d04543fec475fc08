"""The one column map for every Green500 era (2013-11 to now).

Each canonical column lists the headers it has appeared under, in order of preference, each with the
factor that brings its unit to ours (TFlop/s, kW, GFlops/W): `Rmax` is GFlop/s, `Rmax [TFlop/s]` is
TFlop/s, `Mflops/Watt` is MFlops/W (to 2016-11). A header is matched exactly as written first, then
case-, space- and underscore-insensitively, and each header of a file names one column only. Two eras
need that order:
- `Rank` is the Green500 rank from 2017-06, but the TOP500 rank in 2016-11, a TOP500-style file that
  prints `Green500_Rank` beside it: green500_rank prefers `Green500_Rank`, and `Rank` is left to
  top500_rank when it was not taken.
- 2013-11 prints the system's name as `Name` and its description as `name`: the exact `Name` goes to
  name, and computer (no `Computer` there) takes `name`; in 2015 `name` is the name and `Computer` exists.
The 2017-06..2024-06 files print `Power Source` twice (the HPL run's and the optimized run's): the first
is the measurement the list's efficiency comes from. A header not in the map is kept in `original`.
"""

from __future__ import annotations

from dataclasses import dataclass

GFLOPS_TO_TFLOPS = 1e-3
MFLOPS_PER_W_TO_GFLOPS_PER_W = 1e-3


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int" | "float" | "text" | "id"
    headers: tuple[tuple[str, float], ...]  # (header as printed, unit factor), in order of preference
    required: bool = False


def _col(name: str, kind: str, *headers: str | tuple[str, float], required: bool = False) -> Column:
    return Column(name, kind, tuple((h, 1.0) if isinstance(h, str) else h for h in headers), required)


def normalize_header(header: object) -> str:
    return " ".join(str(header).replace("\u200b", "").replace("_", " ").split()).lower()


COLUMNS: tuple[Column, ...] = (
    _col("green500_rank", "int", "Green500_Rank", "green500_rank", "Rank", required=True),
    _col("top500_rank", "int", "TOP500 Rank", "Top500_Rank", "top500_rank", "Rank", required=True),
    _col("system_id", "id", "System ID"),
    _col("site_id", "id", "Site ID"),
    _col("name", "text", "Name"),
    _col("computer", "text", "Computer", "name", required=True),
    _col("site", "text", "Site", required=True),
    _col("manufacturer", "text", "Manufacturer"),
    _col("country", "text", "Country", required=True),
    _col("year", "int", "Year"),
    _col("segment", "text", "Segment"),
    _col("total_cores", "int", "Total Cores"),
    _col("accelerator", "text", "Accelerator/Co-Processor"),
    _col("rmax_tflops", "float", ("Rmax", GFLOPS_TO_TFLOPS), "Rmax [TFlop/s]", required=True),
    _col("rpeak_tflops", "float", ("Rpeak", GFLOPS_TO_TFLOPS), "Rpeak [TFlop/s]"),
    _col("power_kw", "float", "Power (kW)", "Power", "total_power", required=True),
    _col(
        "energy_efficiency_gflops_per_w",
        "float",
        "Energy Efficiency [GFlops/Watts]",
        "Power Efficiency [GFlops/Watts]",
        "Power Effeciency [GFlops/Watts]",
        ("Mflops/Watt", MFLOPS_PER_W_TO_GFLOPS_PER_W),
        ("mflops_per_watt", MFLOPS_PER_W_TO_GFLOPS_PER_W),
        required=True,
    ),
    # how the power was measured: Submitted / Optimized / Derived (to 2016: Submission / Top500 / Derived)
    _col("power_source", "text", "Power Source", "How?", "how"),
    _col("power_quality_level", "int", "Power Quality Level"),
)

# Values that mean "nothing here" in a text column, by column.
MISSING_TEXT = {"accelerator": {"None", "none", "N/A"}}
