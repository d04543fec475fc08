"""The one column map for every TOP500 era (1993-06 to now).

Each canonical column lists the headers it has appeared under, each with the
factor that brings its unit to ours (TFlop/s, kW, GFlops/W). The unit comes
from the header, not from the date: `RMax` is GFlop/s, `Rmax [TFlop/s]` is
TFlop/s, `Mflops/Watt` is MFlops/W. Headers are matched case- and
space-insensitively; a header not in the map is still kept in `original`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GFLOPS_TO_TFLOPS = 1e-3
MFLOPS_PER_W_TO_GFLOPS_PER_W = 1e-3


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int" | "float" | "text" | "id"
    headers: dict[str, float] = field(default_factory=dict)  # normalized header -> unit factor
    required: bool = False
    zero_is_missing: bool = False  # old files write 0 for "not reported"


def _col(name: str, kind: str, *headers: str | tuple[str, float], **kw) -> Column:
    mapping = {}
    for h in headers:
        header, factor = (h, 1.0) if isinstance(h, str) else h
        mapping[normalize_header(header)] = factor
    return Column(name, kind, mapping, **kw)


def normalize_header(header: object) -> str:
    return " ".join(str(header).replace("\u200b", "").split()).lower()


COLUMNS: tuple[Column, ...] = (
    _col("rank", "int", "Rank", required=True),
    _col("previous_rank", "int", "Previous Rank"),
    _col("first_appearance", "int", "First Appearance"),
    _col("first_rank", "int", "First Rank"),
    _col("system_id", "id", "System ID"),
    _col("site_id", "id", "Site ID"),
    _col("name", "text", "Name"),
    _col("computer", "text", "Computer", required=True),
    _col("site", "text", "Site", required=True),
    _col("manufacturer", "text", "Manufacturer", required=True),
    _col("country", "text", "Country", required=True),
    _col("region", "text", "Region"),
    _col("continent", "text", "Continent"),
    _col("year", "int", "Year"),
    _col("segment", "text", "Segment"),
    _col("application_area", "text", "Application Area"),
    _col("total_cores", "int", "Processors", "Cores", "Total Cores", zero_is_missing=True),
    _col("cores_per_socket", "int", "Processor Cores", "Cores per Socket", zero_is_missing=True),
    _col("accelerator", "text", "Accelerator", "Accelerator/Co-Processor"),
    _col("accelerator_cores", "int", "Accelerator Cores", "Accelerator/Co-Processor Cores"),
    _col("rmax_tflops", "float", ("RMax", GFLOPS_TO_TFLOPS), "Rmax [TFlop/s]", required=True),
    _col("rpeak_tflops", "float", ("RPeak", GFLOPS_TO_TFLOPS), "Rpeak [TFlop/s]", required=True),
    _col("hpcg_tflops", "float", "HPCG [TFlop/s]", zero_is_missing=True),
    _col("nmax", "float", "Nmax", zero_is_missing=True),
    _col("nhalf", "float", "Nhalf", zero_is_missing=True),
    _col("power_kw", "float", "Power", "Power (kW)", zero_is_missing=True),
    _col("power_source", "text", "Power Source"),
    _col(
        "energy_efficiency_gflops_per_w",
        "float",
        ("Mflops/Watt", MFLOPS_PER_W_TO_GFLOPS_PER_W),
        "Power Effeciency [GFlops/Watts]",
        "Power Efficiency [GFlops/Watts]",
        "Energy Efficiency [GFlops/Watts]",
        zero_is_missing=True,
    ),
    _col("hpl_efficiency_pct", "float", "Effeciency (%)", "Efficiency (%)", zero_is_missing=True),
    _col("processor", "text", "Processor"),
    _col("processor_family", "text", "Processor Family"),
    _col("processor_technology", "text", "Processor Technology"),
    _col("processor_generation", "text", "Processor Generation"),
    _col("processor_speed_mhz", "float", "Proc. Frequency", "Processor Speed (MHz)", zero_is_missing=True),
    _col("system_family", "text", "System Family"),
    _col("system_model", "text", "System Model"),
    _col("operating_system", "text", "Operating System"),
    _col("os_family", "text", "OS Family"),
    _col("architecture", "text", "Architecture"),
    _col("interconnect_family", "text", "Interconnect Family"),
    _col("interconnect", "text", "Interconnect"),
    _col("memory", "text", "Memory"),
)

BY_HEADER: dict[str, tuple[Column, float]] = {
    header: (col, factor) for col in COLUMNS for header, factor in col.headers.items()
}

# Values that mean "nothing here" in a text column, by column.
MISSING_TEXT = {"accelerator": {"None", "none", "N/A"}}

# One name per country across eras (NOTES.md: the lists renamed several).
COUNTRY_NAMES = {
    "Korea, South": "South Korea",
    "Korea": "South Korea",
    "Czech Republic": "Czechia",
    "Saudia Arabia": "Saudi Arabia",
    "Slovak Republic": "Slovakia",
    "Russian Federation": "Russia",
}
