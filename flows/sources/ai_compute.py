"""AI training-compute sources: Epoch notable models, Epoch AI supercomputers, OpenAI "AI and Compute".

These feed the demand-trend marts. OP/s figures are stored in TFlop/s
(`*_tflops`), training compute stays in FLOP (1 petaflop/s-day = 8.64e19 FLOP).
Epoch AI data is CC BY 4.0 (see warehouse/sources/ai_compute/SOURCES.md).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from flows.errors import SourceError
from flows.files import ParsedFile, SourceFile, parse_each
from flows.settings import Settings
from flows.sources import csv_tables
from flows.sources.csv_tables import Column as C
from flows.sources.csv_tables import Dataset

if TYPE_CHECKING:  # imported where a file is parsed: a no-op run never pays pandas' ~0.3 s import
    import pandas as pd

FLOP_PER_PETAFLOP_S_DAY = 1e15 * 86_400
PLANNED_HORIZON = date(2100, 1, 1)  # planned clusters carry future dates on purpose

NOTABLE_AI_MODELS = Dataset(
    name="epoch_notable_ai_models",
    table="raw.epoch_notable_ai_models",
    subdir="ai_compute",
    file_name="notable_ai_models.csv",
    unique="Model",
    columns=(
        C("Model", "model"),
        C("Organization", "organization"),
        C("Publication date", "publication_date", "date"),
        C("Domain", "domain"),
        C("Task", "task"),
        C("Parameters", "parameters", "float"),
        C("Training compute (FLOP)", "training_compute_flop", "float"),
        C("Training dataset size (datapoints)", "training_dataset_size", "float"),
        C("Confidence", "confidence"),
        C("Organization categorization", "organization_categorization"),
        C("Country (of organization)", "country"),
        C("Training time (hours)", "training_time_hours", "float"),
        C("Training hardware", "training_hardware"),
        C("Hardware quantity", "hardware_quantity", "float"),
        C("Hardware utilization", "hardware_utilization", "float"),
        C("Training compute cost (2023 USD)", "training_compute_cost_2023_usd", "usd"),
        C("Training power draw (W)", "training_power_draw_w", "float"),
        C("Finetune compute (FLOP)", "finetune_compute_flop", "float"),
        C("Model accessibility", "model_accessibility"),
        C("Numerical format", "numerical_format"),
        C("Frontier model", "is_frontier_model", "bool"),
    ),
)

GPU_CLUSTERS = Dataset(
    name="epoch_gpu_clusters",
    table="raw.epoch_gpu_clusters",
    subdir="ai_compute",
    file_name="gpu_clusters.csv",
    latest_date=lambda: PLANNED_HORIZON,
    columns=(
        C("Name", "name"),
        C("Status", "status"),
        C("Certainty", "certainty"),
        C("Single cluster?", "single_cluster"),
        C("Chip type (primary)", "chip_type_primary"),
        C("Chip quantity (primary)", "chip_quantity_primary", "float"),
        C("Chip type (secondary)", "chip_type_secondary"),
        C("Chip quantity (secondary)", "chip_quantity_secondary", "float"),
        C("Total number of AI chips", "total_ai_chips", "float"),
        C("H100 equivalents", "h100_equivalents", "float"),
        C("Country", "country"),
        C("Owner", "owner"),
        C("Sector", "sector"),
        C("First Operational Date", "first_operational_date", "date"),
        C("Max OP/s", "max_tflops", "tflops"),
        C("16-bit OP/s", "tflops_16bit", "tflops"),
        C("8-bit OP/s", "tops_8bit", "tflops"),
        C("32-bit OP/s", "tflops_32bit", "tflops"),
        C("Power Capacity (MW)", "power_capacity_mw", "float"),
        C("Hardware Cost", "hardware_cost_usd", "usd"),
        C("Include in Standard Analysis", "include_in_standard_analysis", "bool"),
        C("Noteworthy", "is_noteworthy", "bool"),
        # lifetime and record links: what counts as operational compute on a date (marts.ai_clusters)
        C("Decommissioned Date (if applicable)", "decommissioned_date"),  # a date or a month: see parse()
        C("Superseded by", "superseded_by"),
        C("Builds Upon", "builds_upon"),
        C("Possible Duplicate", "is_possible_duplicate", "bool"),
        C("Possible Duplicate Of", "possible_duplicate_of"),
        C("Exclude", "is_excluded", "bool"),
        # reported vs estimated power and cost, and when a planned cluster is expected ("Planned H2 2026"):
        # marts.national_compute and marts.national_compute_outlook
        C("Reported Power Capacity (MW)", "reported_power_mw", "float"),
        C("Calculated Power Capacity (MW)", "calculated_power_mw", "float"),
        C("Reported Cost", "reported_cost_usd", "usd"),
        C("Reported Cost (Inflation adjusted)", "reported_cost_inflation_adjusted_usd", "usd"),
        C("Calculated Cost", "calculated_cost_usd", "usd"),
        C("First Operational Date Note", "first_operational_date_note"),
    ),
)

AI_AND_COMPUTE = Dataset(
    name="openai_ai_and_compute",
    table="raw.openai_ai_and_compute",
    subdir="ai_compute",
    file_name="compute.csv",
    unique="result",
    columns=(
        C("publication_date", "publication_date", "date"),
        C("overall_peta_flop_days", "petaflop_s_days", "float"),
        C("result", "result"),
    ),
)

DATASETS = (NOTABLE_AI_MODELS, GPU_CLUSTERS, AI_AND_COMPUTE)
BY_FILE_NAME = {d.file_name: d for d in DATASETS}


def collect(source: str, settings: Settings) -> list[SourceFile]:
    """The three AI-compute files from 'bundled', a directory (ai_compute/...) or a base URL."""
    return csv_tables.collect(DATASETS, source, settings)


def parse(file: SourceFile) -> ParsedFile:
    dataset = BY_FILE_NAME.get(file.file_name)
    if dataset is None:
        raise SourceError(file.file_name, f"not an AI-compute file (expected one of {sorted(BY_FILE_NAME)})")
    parsed = csv_tables.parse(dataset, file)
    if dataset is GPU_CLUSTERS:
        rows = parsed.rows
        rows["decommissioned_date"] = _dates_or_months(
            rows, "decommissioned_date", "Decommissioned Date (if applicable)", file.file_name
        )
    if dataset is AI_AND_COMPUTE:
        rows = parsed.rows
        rows.insert(2, "training_compute_flop", rows["petaflop_s_days"] * FLOP_PER_PETAFLOP_S_DAY)
        _require_positive(rows, "petaflop_s_days", "overall_peta_flop_days", file.file_name)
    return parsed


def _dates_or_months(rows: pd.DataFrame, column: str, header: str, name: str) -> pd.Series:
    """A calendar date, or a month ("2021-07", read as its first day): Epoch gives some dates to the month."""
    import pandas as pd

    def one(value: object, line: int) -> date | None:
        if value is None or pd.isna(value):
            return None
        text = str(value).strip()
        day = text + "-01" if re.fullmatch(r"\d{4}-\d{2}", text) else text
        try:
            return csv_tables.to_date(day, PLANNED_HORIZON)
        except ValueError as exc:
            problem = str(exc).replace(repr(day), repr(text))
            raise SourceError(name, f"row at line {line}, column {header!r}: {problem}") from None

    return pd.Series(
        [one(v, int(line)) for v, line in zip(rows[column], rows["source_line"])], index=rows.index, dtype="object"
    )


def _require_positive(rows: pd.DataFrame, column: str, header: str, name: str) -> None:
    bad = rows[rows[column].isna() | (rows[column] <= 0)]
    if len(bad):
        line = int(bad["source_line"].iloc[0])
        raise SourceError(name, f"row at line {line}, column {header!r}: compute must be a positive number")


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every file first (raises SourceErrors naming each bad file) so a bad file loads nothing."""
    return parse_each(parse, files)
