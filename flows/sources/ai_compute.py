"""AI training-compute sources: Epoch notable models, Epoch AI supercomputers, OpenAI "AI and Compute".

These feed the demand-trend marts. OP/s figures are stored in TFlop/s
(`*_tflops`), training compute stays in FLOP (1 petaflop/s-day = 8.64e19 FLOP).
Epoch AI data is CC BY 4.0 (see warehouse/sources/ai_compute/SOURCES.md).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flows.errors import SourceError
from flows.files import ParsedFile, SourceFile, parse_each
from flows.settings import Settings
from flows.sources import csv_tables
from flows.sources.csv_tables import Column as C
from flows.sources.csv_tables import Dataset, Derived

if TYPE_CHECKING:  # imported where a file is parsed: a no-op run never pays pandas' ~0.3 s import
    import pandas as pd

FLOP_PER_PETAFLOP_S_DAY = 1e15 * 86_400
PLANNED_HORIZON = date(2100, 1, 1)  # planned clusters carry future dates on purpose

NOTABLE_AI_MODELS = Dataset(
    name="epoch_notable_ai_models",
    table="raw.epoch_notable_ai_models",
    subdir="ai_compute",
    file_name="notable_ai_models.csv",
    unique="model",
    columns=(
        C("Model", "model"),
        C("Organization", "organization"),
        C("Publication date", "publication_date", "date"),
        C("Domain", "domain"),
        C("Task", "task"),
        C("Parameters", "parameters", "float"),
        C("Training compute (FLOP)", "training_compute_flop", "float"),
        # renamed twice by Epoch: "(datapoints)" to 2025, "(gradients)" in 2025-12, "(total)" since 2026
        C(
            "Training dataset size (total)",
            "training_dataset_size",
            "float",
            aliases=("Training dataset size (gradients)", "Training dataset size (datapoints)"),
        ),
        C("Confidence", "confidence"),
        C("Organization categorization", "organization_categorization"),
        C("Country (of organization)", "country"),
        C("Training time (hours)", "training_time_hours", "float"),
        C("Training hardware", "training_hardware"),  # same names as raw.epoch_ml_hardware.hardware_name
        C("Hardware quantity", "hardware_quantity", "float"),
        C("Hardware utilization (MFU)", "hardware_utilization", "float", aliases=("Hardware utilization",)),  # fraction
        C("Training compute cost (2023 USD)", "training_compute_cost_2023_usd", "usd"),
        C("Training power draw (W)", "training_power_draw_w", "float"),
        C("Finetune compute (FLOP)", "finetune_compute_flop", "float"),
        C("Model accessibility", "model_accessibility"),
        C("Numerical format", "numerical_format"),
        C("Frontier model", "is_frontier_model", "bool"),  # NULL when the file leaves it blank
    ),
)

GPU_CLUSTERS = Dataset(
    name="epoch_gpu_clusters",
    table="raw.epoch_gpu_clusters",
    subdir="ai_compute",
    file_name="gpu_clusters.csv",
    latest_date=lambda: PLANNED_HORIZON,
    key=("name",),  # names repeat ("Anonymized Chinese System"): told apart by their order in the file
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
        C("Decommissioned Date (if applicable)", "decommissioned_date", "month_date"),
        C("Superseded by", "superseded_by"),  # Name of the record (a later phase) that replaces this one
        C("Builds Upon", "builds_upon"),  # Name of the record this one extends
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
        C("publication_date", "publication_date", "date", required=True),
        C("overall_peta_flop_days", "petaflop_s_days", "float", required=True),
        C("result", "result"),  # the model/result name
    ),
    derived=(Derived("training_compute_flop", "DOUBLE NOT NULL"),),  # petaflop_s_days x 8.64e19
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
    if dataset is AI_AND_COMPUTE:
        rows = parsed.rows
        rows.insert(2, "training_compute_flop", rows["petaflop_s_days"] * FLOP_PER_PETAFLOP_S_DAY)
        _require_positive(rows, "petaflop_s_days", "overall_peta_flop_days", file.file_name)
    return parsed


def _require_positive(rows: pd.DataFrame, column: str, header: str, name: str) -> None:
    bad = rows[rows[column].isna() | (rows[column] <= 0)]
    if len(bad):
        line = int(bad["source_line"].iloc[0])
        raise SourceError(name, f"row at line {line}, column {header!r}: compute must be a positive number")


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every file first (raises SourceErrors naming each bad file) so a bad file loads nothing."""
    return parse_each(parse, files)
