"""Epoch hardware and AI-compute sources on the real bundled files: collect, parse, load, and bad input."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import files, load
from flows.errors import SourceError, SourceErrors
from flows.settings import PROJECT_ROOT, Settings
from flows.sources import ai_compute, epoch
from support.http_server import serve_directory

BUNDLED = PROJECT_ROOT / "warehouse" / "sources"
ALL_FILES = [("specs", d.file_name) for d in epoch.DATASETS] + [
    ("ai_compute", d.file_name) for d in ai_compute.DATASETS
]
# sha256 recorded in the SOURCES.md files when the snapshot was taken (bytes unchanged since); ML hardware and
# notable models are Epoch's 2026-07-19 exports, the GPU clusters its 2025-12-17 export
SNAPSHOT_SHA256 = {
    "ml_hardware.csv": "a72edaf105f6eb178ef7206671e7828c2ccc5f534fecea8e1429411ad05efd94",
    "Chip dataset-Grid view.csv": "4a5e453104abfc894c47af64957c8a8e8cb0281c9af44975772318a5eacab5cc",
    "Hardware prices.csv": "e397345924db0a6bf83bd39d27c1fc7e9ec298339261c6e5d35f535abc898d2f",
    "notable_ai_models.csv": "c5a262f52d614d11d7b6f0e5e2ac07d3501cfd7d325d92895bb2c5a9190ed860",
    "gpu_clusters.csv": "4da98d5233cd942f4145384e4595051c719c724f7bcea7e7bf97a35f80a30c6f",
    "compute.csv": "7237f3dc1552d93e069b1c79eb2fcb338b8da7c6bf74ff1da88369cbd52e9ece",
}


def settings_at(tmp_path: Path) -> Settings:
    return Settings(warehouse_dir=tmp_path / "warehouse", bundled_dir=BUNDLED)


def collect_all(source: str, settings: Settings) -> list[files.SourceFile]:
    return epoch.collect(source, settings) + ai_compute.collect(source, settings)


def parse(file: files.SourceFile) -> files.ParsedFile:
    module = epoch if file.file_name in epoch.BY_FILE_NAME else ai_compute
    return module.parse(file)


@pytest.fixture(scope="module")
def parsed() -> dict[str, files.ParsedFile]:
    files = collect_all("bundled", Settings(bundled_dir=BUNDLED))
    return {f.file_name: parse(f) for f in files}


def copy_sources(dst: Path) -> Path:
    for subdir, name in ALL_FILES:
        (dst / subdir).mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED / subdir / name, dst / subdir / name)
    return dst


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


# --- collect -----------------------------------------------------------------


def test_bundled_collect_finds_the_six_snapshot_files(tmp_path):
    files = collect_all("bundled", settings_at(tmp_path))
    assert {f.file_name: f.sha256 for f in files} == SNAPSHOT_SHA256
    assert {f.dataset for f in files} == {
        "epoch_ml_hardware",
        "epoch_chips",
        "epoch_hardware_prices",
        "epoch_notable_ai_models",
        "epoch_gpu_clusters",
        "openai_ai_and_compute",
    }
    assert all(f.source_uri.startswith("bundled:") and f.file_key == f.file_name for f in files)


def test_directory_source_uses_the_same_layout(tmp_path):
    copy_sources(tmp_path / "mirror")
    files = collect_all(str(tmp_path / "mirror"), settings_at(tmp_path))
    assert {f.file_name: f.sha256 for f in files} == SNAPSHOT_SHA256
    assert all(f.source_uri.startswith("file://") for f in files)
    (tmp_path / "mirror" / "ai_compute" / "compute.csv").unlink()
    with pytest.raises(SourceError, match=r"ai_compute/compute\.csv"):
        ai_compute.collect(str(tmp_path / "mirror"), settings_at(tmp_path))


@pytest.fixture
def http_base(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a copy of the sources in the bundled layout."""
    root = copy_sources(tmp_path / "site")
    with serve_directory(root) as base:
        yield root, base


def test_http_source_lands_checked_files(tmp_path, http_base):
    _, base = http_base
    settings = Settings(warehouse_dir=tmp_path / "wh", http_retries=0)
    files = collect_all(base, settings)
    assert {f.file_name: f.sha256 for f in files} == SNAPSHOT_SHA256
    chips = next(f for f in files if f.dataset == "epoch_chips")
    assert chips.path == settings.landing_dir / "specs" / "Chip dataset-Grid view.csv"
    assert chips.source_uri == base + "specs/Chip%20dataset-Grid%20view.csv"


def test_http_source_rejects_an_html_page_and_lands_nothing(tmp_path, http_base):
    root, base = http_base
    (root / "specs" / "ml_hardware.csv").write_text("<!DOCTYPE html><html><body>Please log in</body></html>\n")
    settings = Settings(warehouse_dir=tmp_path / "wh", http_retries=0)
    with pytest.raises(SourceError, match="missing required column"):
        epoch.collect(base, settings)
    assert not (settings.landing_dir / "specs" / "ml_hardware.csv").exists()


# --- parse -------------------------------------------------------------------


def test_row_counts_match_the_snapshot(parsed):
    counts = {name: len(p.rows) for name, p in parsed.items()}
    # the chip file has 5,774 records: DuckDB's recipe reports 5,775 because it splits the
    # record with the stray carriage return in two; here that record stays whole.
    assert counts == {
        "ml_hardware.csv": 176,
        "Chip dataset-Grid view.csv": 5774,
        "Hardware prices.csv": 591,
        "notable_ai_models.csv": 1036,
        "gpu_clusters.csv": 786,
        "compute.csv": 20,
    }


def test_units_are_normalized_and_originals_kept(parsed):
    hw = parsed["ml_hardware.csv"].rows.set_index("hardware_name")
    a100 = hw.loc["NVIDIA A100 SXM4 40 GB"]
    assert a100["fp64_tflops"] == pytest.approx(9.746)  # Epoch: 9.746e12 FLOP/s
    assert a100["tensor_fp16_bf16_tflops"] == pytest.approx(312)
    h100 = hw.loc["NVIDIA H100 SXM5 80GB"]
    assert h100["fp64_tflops"] == pytest.approx(33.45)
    # internode bandwidth stays in bit/s: 400 Gbit/s InfiniBand NDR per H100
    assert h100["internode_bandwidth_bits_per_s"] == pytest.approx(4e11)
    assert '"Hardware name": "NVIDIA A100 SXM4 40 GB"' in a100["original"]


def test_chip_dataset_survives_bom_and_stray_carriage_return(parsed):
    chips = parsed["Chip dataset-Grid view.csv"].rows
    row = chips[chips["hardware_name"] == "NVIDIA GeForce RTX 2080 Ti Founders Edition"].iloc[0]
    assert row["manufacturer"] == "NVIDIA" and row["hardware_type"] == "GPU"
    assert row["fp16_tflops"] == pytest.approx(28.46)  # the fields after the stray CR land in their columns
    assert chips["hardware_name"].isna().sum() == 0
    assert chips["hardware_name"].iloc[0]  # the BOM did not eat the first header
    assert any("6 repeated hardware names" in n for n in parsed["Chip dataset-Grid view.csv"].notes)


def test_ai_compute_values(parsed):
    models = parsed["notable_ai_models.csv"].rows.set_index("model")
    assert models.loc["BERT-Large", "training_compute_flop"] == pytest.approx(2.85e20)
    assert str(models.loc["RoBERTa Large", "publication_date"]) == "2019-07-01"
    clusters = parsed["gpu_clusters.csv"].rows
    perlmutter = clusters[clusters["name"] == "Lawrence Berkeley NL NERSC Perlmutter"].iloc[0]
    assert perlmutter["chip_quantity_primary"] == 6144 and str(perlmutter["first_operational_date"]) == "2021-05-17"
    openai = parsed["compute.csv"].rows.set_index("result")
    assert openai.loc["AlphaGoZero", "training_compute_flop"] == pytest.approx(1862 * 8.64e19)


# --- load --------------------------------------------------------------------


def test_load_is_idempotent_and_a_changed_file_replaces_its_rows(tmp_path):
    settings = settings_at(tmp_path)
    mirror = copy_sources(tmp_path / "mirror")
    db = tmp_path / "build.duckdb"
    with load.connect(db) as con:
        files = collect_all(str(mirror), settings)
        load.load_files(con, [parse(f) for f in load.changed_files(con, files)], "run-1")
        assert load.changed_files(con, collect_all(str(mirror), settings)) == []
        # a re-issued compute.csv without its last point replaces the 20 old rows
        path = mirror / "ai_compute" / "compute.csv"
        write_rows(path, read_rows(path)[:-1])
        changed = load.changed_files(con, collect_all(str(mirror), settings))
        assert [f.file_name for f in changed] == ["compute.csv"]
        load.load_files(con, [parse(f) for f in changed], "run-2")
        assert con.execute("select count(*), min(run_id) from raw.openai_ai_and_compute").fetchall() == [(19, "run-2")]
        assert con.execute("select count(*) from raw.epoch_chips").fetchall() == [(5774,)]
        cols = [r[0] for r in con.execute("describe raw.epoch_ml_hardware").fetchall()]
        assert cols[-4:] == ["source_file", "source_sha256", "loaded_at", "run_id"]


# --- bad input -----------------------------------------------------------------


def test_missing_column_names_file_and_column(tmp_path):
    mirror = copy_sources(tmp_path / "m")
    path = mirror / "specs" / "ml_hardware.csv"
    rows = read_rows(path)
    j = rows[0].index("FP64 (double precision) performance (FLOP/s)")
    write_rows(path, [r[:j] + r[j + 1 :] for r in rows])
    files = epoch.collect(str(mirror), settings_at(tmp_path))
    with pytest.raises(SourceError, match=r"ml_hardware.csv: missing required column.*'FP64 \(double precision\)"):
        epoch.parse(files[0])


def test_non_numeric_flops_names_file_row_and_column(tmp_path):
    mirror = copy_sources(tmp_path / "m")
    path = mirror / "specs" / "ml_hardware.csv"
    rows = read_rows(path)
    a100 = next(i for i, r in enumerate(rows) if r[0] == "NVIDIA A100 SXM4 40 GB")
    rows[a100][rows[0].index("Tensor-FP16/BF16 performance (FLOP/s)")] = "312 TFLOPS"
    write_rows(path, rows)
    line = _record_line(path, "NVIDIA A100 SXM4 40 GB")
    files = epoch.collect(str(mirror), settings_at(tmp_path))
    with pytest.raises(SourceError) as err:
        epoch.parse(files[0])
    message = str(err.value)
    assert "ml_hardware.csv" in message and f"line {line}" in message
    assert "'Tensor-FP16/BF16 performance (FLOP/s)'" in message and "'312 TFLOPS' is not a number" in message


def test_duplicate_hardware_names_are_rejected(tmp_path):
    mirror = copy_sources(tmp_path / "m")
    path = mirror / "specs" / "ml_hardware.csv"
    rows = read_rows(path)
    h100 = next(r for r in rows if r[0] == "NVIDIA H100 SXM5 80GB")
    write_rows(path, [*rows, h100])
    files = epoch.collect(str(mirror), settings_at(tmp_path))
    with pytest.raises(
        SourceError,
        match=r"ml_hardware.csv: row at line \d+, column 'Hardware name': duplicate value 'NVIDIA H100 SXM5 80GB' \(first on line \d+\)",
    ):
        epoch.parse(files[0])


@pytest.mark.parametrize("bad_date", ["2023-02-30", "2099-01-01", "1850-05-01", "last spring"])
def test_model_with_impossible_date_is_rejected(tmp_path, bad_date):
    mirror = copy_sources(tmp_path / "m")
    path = mirror / "ai_compute" / "notable_ai_models.csv"
    rows = read_rows(path)
    j = rows[0].index("Publication date")
    i = next(i for i, r in enumerate(rows) if r[0] == "BERT-Large")
    rows[i][j] = bad_date
    write_rows(path, rows)
    line = _record_line(path, "BERT-Large")
    files = ai_compute.collect(str(mirror), settings_at(tmp_path))
    with pytest.raises(SourceError) as err:
        ai_compute.parse(files[0])
    assert f"notable_ai_models.csv: row at line {line}, column 'Publication date': '{bad_date}'" in str(err.value)


def test_a_bad_file_loads_nothing_and_keeps_the_old_rows(tmp_path):
    """Good chips + bad ml_hardware in one run: nothing of the run lands; the earlier load stays."""
    settings = settings_at(tmp_path)
    mirror = copy_sources(tmp_path / "m")
    db = tmp_path / "build.duckdb"
    with load.connect(db) as con:
        load.load_files(con, epoch.parse_all(epoch.collect(str(mirror), settings)), "good")
        prices = mirror / "specs" / "Hardware prices.csv"
        write_rows(prices, read_rows(prices))  # same rows, new bytes (no BOM, CRLF): a good changed file
        path = mirror / "specs" / "ml_hardware.csv"
        write_rows(path, [*read_rows(path), read_rows(path)[1]])  # duplicate name
        changed = load.changed_files(con, epoch.collect(str(mirror), settings))
        with pytest.raises(SourceErrors, match="duplicate value"):
            load.load_files(con, epoch.parse_all(changed), "bad")
        assert con.execute("select distinct run_id from raw.epoch_ml_hardware").fetchall() == [("good",)]
        assert con.execute("select distinct run_id from raw.epoch_hardware_prices").fetchall() == [("good",)]
        assert con.execute("select count(*) from raw.epoch_ml_hardware").fetchall() == [(176,)]


def _record_line(path: Path, first_cell: str) -> int:
    """Line on which the record starts, counted the way a text editor does (quoted newlines included)."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for row in reader:
        if row and row[0] == first_cell:
            return start
        start = reader.line_num + 1
    raise AssertionError(first_cell)


def test_loaded_tables_are_queryable_with_lineage(tmp_path):
    db = tmp_path / "build.duckdb"
    with load.connect(db) as con:
        load.load_files(con, epoch.parse_all(epoch.collect("bundled", settings_at(tmp_path))), "lineage")
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            """select source_file, count(*), count(distinct source_sha256)
               from raw.epoch_chips group by 1"""
        ).fetchall()
        assert rows == [("Chip dataset-Grid view.csv", 5774, 1)]
        original = con.execute(
            "select original->>'Hardware name' from raw.epoch_ml_hardware where hardware_name = 'NVIDIA H100 SXM5 80GB'"
        ).fetchall()
        assert original == [("NVIDIA H100 SXM5 80GB",)]
    finally:
        con.close()
