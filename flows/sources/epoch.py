"""Epoch AI hardware specs: ML hardware, the chip database, hardware prices.

Peaks are stored in TFlop/s (`*_tflops`, FLOP/s / 1e12, dense, no sparsity) so they compare with
TOP500 Rmax/Rpeak directly; int8_tops is OP/s / 1e12; bytes and byte/s as given; internode bandwidth
stays in bit/s as Epoch gives it; `last_modified` is UTC (the chip file gives m/d/yyyy h:mm am/pm, no
zone). Each dataset is declared once here: the parser reads by it and its raw table is made from it.
Epoch AI data is CC BY 4.0 (see warehouse/sources/specs/SOURCES.md).
"""

from __future__ import annotations

from flows.errors import SourceError
from flows.files import ParsedFile, SourceFile, parse_each
from flows.settings import Settings
from flows.sources import csv_tables
from flows.sources.csv_tables import Column as C
from flows.sources.csv_tables import Dataset

# Columns both Epoch hardware files share (same headers in both exports).
_PEAKS = (
    C("FP64 (double precision) performance (FLOP/s)", "fp64_tflops", "tflops"),  # vector/non-tensor FP64
    C("FP32 (single precision) performance (FLOP/s)", "fp32_tflops", "tflops"),
    C("TF32 (TensorFloat-32) performance (FLOP/s)", "tf32_tflops", "tflops"),
    C("FP16 (half precision) performance (FLOP/s)", "fp16_tflops", "tflops"),
    C("Tensor-FP16/BF16 performance (FLOP/s)", "tensor_fp16_bf16_tflops", "tflops"),
    C("FP8 performance (FLOP/s)", "fp8_tflops", "tflops"),
    C("FP4 performance (FLOP/s)", "fp4_tflops", "tflops"),
    C("INT8 performance (OP/s)", "int8_tops", "tflops"),
)

ML_HARDWARE = Dataset(
    name="epoch_ml_hardware",
    table="raw.epoch_ml_hardware",
    subdir="specs",
    file_name="ml_hardware.csv",
    unique="hardware_name",
    columns=(
        C("Hardware name", "hardware_name"),
        C("Manufacturer", "manufacturer"),
        C("Type", "hardware_type"),
        C("Release date", "release_date", "date"),
        C("Release price (USD)", "release_price_usd", "usd"),
        *_PEAKS,
        # the 2025-12-17 export calls it "Memory size per board (Byte)", as the chip dataset does
        C("Memory (bytes)", "memory_bytes", "float", aliases=("Memory size per board (Byte)",)),
        C("Memory bandwidth (byte/s)", "memory_bandwidth_bytes_per_s", "float"),
        C("Intranode bandwidth (byte/s)", "intranode_bandwidth_bytes_per_s", "float"),
        C("Internode bandwidth (bit/s)", "internode_bandwidth_bits_per_s", "float"),  # bit/s, not byte/s
        C("TDP (W)", "tdp_w", "float"),
        C("Foundry", "foundry"),
        C("Process size (nm)", "process_size_nm", "float"),
        C("Transistors (millions)", "transistors_millions", "float"),
        C("Link to datasheet", "datasheet_url"),
        C("Last modified", "last_modified", "timestamp"),
    ),
)

CHIPS = Dataset(
    name="epoch_chips",
    table="raw.epoch_chips",
    subdir="specs",
    file_name="Chip dataset-Grid view.csv",
    # Not unique: Epoch's snapshot repeats 6 names (a curated row and a stub);
    # stg_epoch__chips keeps the curated one. Rows without a name are dropped there.
    key=("hardware_name",),
    columns=(
        C("Hardware name", "hardware_name"),
        C("Manufacturer", "manufacturer"),
        C("Type", "hardware_type"),
        C("Release date", "release_date", "date"),
        C("Release price (USD)", "release_price_usd", "usd"),
        *_PEAKS,
        C("Memory size per board (Byte)", "memory_bytes", "float"),
        C("Memory bandwidth (byte/s)", "memory_bandwidth_bytes_per_s", "float"),
        C("Intranode bandwidth (byte/s)", "intranode_bandwidth_bytes_per_s", "float"),
        C("Internode bandwidth (bit/s)", "internode_bandwidth_bits_per_s", "float"),
        C("TDP (W)", "tdp_w", "float"),
        C("Base clock (MHz)", "base_clock_mhz", "float"),
        C("Boost clock (MHz)", "boost_clock_mhz", "float"),
        C("Process size (nm)", "process_size_nm", "float"),
        C("Number of transistors (millions)", "transistors_millions", "float"),
        C("ML hardware", "is_ml_hardware", "bool"),  # 'checked' = also in ml_hardware.csv
        C("Link to datasheet", "datasheet_url"),
        C("Last modified", "last_modified", "timestamp"),
    ),
)

HARDWARE_PRICES = Dataset(
    name="epoch_hardware_prices",
    table="raw.epoch_hardware_prices",
    subdir="specs",
    file_name="Hardware prices.csv",
    columns=(
        C("Price source", "price_source"),
        C("Price date", "price_date", "date"),
        C("Hardware model", "hardware_model"),
        C("Manufacturer", "manufacturer"),
        C("Vendor", "vendor"),
        C("Location", "location"),
        C("Price per chip-hour (on-demand)", "price_per_chip_hour_on_demand_usd", "usd"),
        C("Price per chip-hour (1-year CUD)", "price_per_chip_hour_1y_commit_usd", "usd"),
        C("Price per chip-hour (3-year CUD)", "price_per_chip_hour_3y_commit_usd", "usd"),
        C("Price (hardware purchase)", "purchase_price_usd", "usd"),
        C("Notes", "notes"),
        C("Cloud GPU description", "cloud_gpu_description"),
        C("Number of GPUs", "number_of_gpus", "int"),
    ),
)

DATASETS = (ML_HARDWARE, CHIPS, HARDWARE_PRICES)
BY_FILE_NAME = {d.file_name: d for d in DATASETS}


def collect(source: str, settings: Settings) -> list[SourceFile]:
    """The three Epoch hardware files from 'bundled', a directory (specs/...) or a base URL."""
    return csv_tables.collect(DATASETS, source, settings)


def parse(file: SourceFile) -> ParsedFile:
    dataset = BY_FILE_NAME.get(file.file_name)
    if dataset is None:
        raise SourceError(file.file_name, f"not an Epoch hardware file (expected one of {sorted(BY_FILE_NAME)})")
    parsed = csv_tables.parse(dataset, file)
    if dataset is CHIPS:
        names = parsed.rows["hardware_name"]
        dupes = names[names.notna() & names.duplicated()].unique().tolist()
        if dupes:
            parsed.notes.append(f"{len(dupes)} repeated hardware names kept in raw: {', '.join(sorted(dupes))}")
    return parsed


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every file first (raises SourceErrors naming each bad file) so a bad file loads nothing."""
    return parse_each(parse, files)
