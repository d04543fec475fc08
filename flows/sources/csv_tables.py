"""Typed CSV sources (Epoch AI, OpenAI) shared by `epoch` and `ai_compute`.

Each dataset declares the columns it needs and how to type them; everything
else the file holds stays in `original`. A bad cell raises SourceError naming
file, record (with its line) and column, before anything is loaded. The same
three source kinds as the TOP500 lists: bundled, a directory, an http(s) URL.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from flows.errors import SourceError
from flows.files import ParsedFile, SourceFile, describe_file
from flows.settings import Settings

if TYPE_CHECKING:  # imported where a file is parsed: a no-op run never pays pandas' ~0.3 s import
    import pandas as pd

EARLIEST_DATE = date(1900, 1, 1)  # nothing in these datasets predates computing
MISSING = {"", "nan", "NaN", "N/A", "n/a", "NA", "-", "None", "null"}


_SQL_TYPES = {
    "text": "VARCHAR",
    "float": "DOUBLE",
    "tflops": "DOUBLE",
    "usd": "DOUBLE",
    "int": "INTEGER",
    "date": "DATE",
    "month_date": "DATE",
    "timestamp": "TIMESTAMP",
    "bool": "BOOLEAN",
}
# What every raw table of these sources ends with: where the row came from.
LINEAGE_COLUMNS = (
    ("source_line", "INTEGER NOT NULL"),  # the line the record starts on
    ("original", "JSON NOT NULL"),  # every cell of the row as written
    ("source_file", "VARCHAR NOT NULL"),
    ("source_sha256", "VARCHAR NOT NULL"),
    ("loaded_at", "TIMESTAMP NOT NULL"),
    ("run_id", "VARCHAR NOT NULL"),
)


@dataclass(frozen=True)
class Column:
    header: str  # as written in the newest file
    name: str  # column in the raw table
    # text | float | int | tflops (FLOP/s -> TFlop/s) | usd | date | month_date (a date, or a month read as
    # its first day) | timestamp | bool
    kind: str = "text"
    aliases: tuple[str, ...] = ()  # what other versions of the file call it (Epoch renames headers)
    required: bool = False  # every row has a value: the parser says which row lacks it; NOT NULL in the table

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Derived:
    """A column the parser computes from the declared ones (e.g. FLOP from petaflop/s-days)."""

    name: str
    sql_type: str


@dataclass(frozen=True)
class Dataset:
    """One CSV source, declared once: the parser reads it by these columns and its raw table is made from
    them (`ddl`), so the two cannot drift apart."""

    name: str  # raw.source_files.dataset
    table: str
    subdir: str  # under the bundled dir / directory / base URL
    file_name: str
    columns: tuple[Column, ...]
    unique: str | None = None  # a column whose values must be present and unique
    key: tuple[str, ...] | None = None  # the source's own key of a row; default: the unique column
    derived: tuple[Derived, ...] = ()
    latest_date: Callable[[], date] = date.today  # dates after this are impossible

    @property
    def relative_path(self) -> str:
        return f"{self.subdir}/{self.file_name}"

    @property
    def row_key(self) -> tuple[str, ...]:
        if self.key is not None:
            return self.key
        return (self.unique,) if self.unique else ()

    def column_types(self) -> dict[str, str]:
        """Every column of the raw table with its SQL type (constraints included), in table order."""
        declared = {
            c.name: _SQL_TYPES[c.kind] + (" NOT NULL" if c.required or c.name == self.unique else "")
            for c in self.columns
        }
        return {**declared, **{d.name: d.sql_type for d in self.derived}, **dict(LINEAGE_COLUMNS)}

    def ddl(self) -> str:
        body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in self.column_types().items())
        return f"CREATE TABLE IF NOT EXISTS {self.table} (\n    {body}\n)"


# --- sources -------------------------------------------------------------------


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def collect(datasets: Sequence[Dataset], source: str, settings: Settings) -> list[SourceFile]:
    """The files of `datasets` from `source`, each described with its sha256."""
    if source == "bundled":
        return [_local(d, settings.bundled_dir, f"bundled:{d.relative_path}") for d in datasets]
    if is_url(source):
        return [_fetch(d, source, settings) for d in datasets]
    base = Path(source).expanduser()
    if not base.is_dir():
        raise SourceError(source, "is neither 'bundled', an http(s) URL, nor an existing directory")
    return [_local(d, base, None) for d in datasets]


def _local(d: Dataset, base: Path, uri: str | None) -> SourceFile:
    path = base / d.subdir / d.file_name
    if not path.is_file():
        raise SourceError(str(path), f"missing: expected {d.relative_path} under {base}")
    return describe_file(d.name, d.file_name, path, uri or path.resolve().as_uri())


def _fetch(d: Dataset, base_url: str, settings: Settings) -> SourceFile:
    from flows.sources.fetch import download  # requests only for this source

    url = base_url.rstrip("/") + "/" + d.subdir + "/" + quote(d.file_name)
    dest = settings.landing_dir / d.subdir / d.file_name
    download(url, dest, lambda p: check_header(d, p, d.file_name), settings)
    return describe_file(d.name, d.file_name, dest, url)


def check_header(d: Dataset, path: Path, name: str) -> None:
    """Cheap check for a fetched body: a CSV with every column we need (not an HTML page)."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        header = next(csv.reader(fh), [])
    _require_columns(d, [h.strip() for h in header], name)


# --- parsing -------------------------------------------------------------------


def parse(d: Dataset, file: SourceFile) -> ParsedFile:
    """One CSV -> typed rows for d.table plus the row as written in `original`."""
    name = file.file_name
    headers, records = read_records(file.path, name)
    index = _require_columns(d, headers, name)
    latest = d.latest_date()

    data: dict[str, list] = {c.name: [] for c in d.columns}
    original, lines = [], []
    for line, cells in records:
        for c in d.columns:
            raw = cells[index[c.name]]
            try:
                value = convert(raw, c.kind, latest)
            except ValueError as exc:
                raise SourceError(name, f"row at line {line}, column {headers[index[c.name]]!r}: {exc}") from None
            if value is None and c.required:
                header = headers[index[c.name]]
                raise SourceError(name, f"row at line {line}, column {header!r}: empty, but every row needs a {header}")
            data[c.name].append(value)
        original.append(json.dumps(dict(zip(headers, cells)), ensure_ascii=False))
        lines.append(line)

    if d.unique:
        j = index[d.unique]
        _check_unique(headers[j], [cells[j].strip() for _, cells in records], lines, name)
    import pandas as pd

    frame = pd.DataFrame({c.name: _series(data[c.name], c.kind) for c in d.columns})
    frame["source_line"] = pd.Series(lines, dtype="Int64")
    frame["original"] = original
    return ParsedFile(file=file, table=d.table, rows=frame, key=d.row_key)


def read_records(path: Path, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and records with the line each record starts on.

    Python's csv module copes with the BOM (utf-8-sig), quoted newlines and the
    stray carriage return in Epoch's chip dataset, which defeat CSV sniffers.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")  # bytes: read_text would turn the stray CR into a newline
    except UnicodeDecodeError as exc:
        raise SourceError(name, f"not a UTF-8 text file: {exc}") from None
    # A carriage return not followed by a line feed is stray (Epoch's chip
    # dataset has one inside an unquoted name); drop it.
    text = _STRAY_CR.sub("", text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows, start = [], 1
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(name, f"not a readable CSV file near line {reader.line_num}: {exc}") from None
    if not rows:
        raise SourceError(name, "is empty (no header row)")
    headers = [h.strip() for h in rows[0][1]]
    records = []
    for line, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(headers):
            raise SourceError(name, f"row at line {line} has {len(cells)} fields, the header has {len(headers)}")
        records.append((line, cells))
    if not records:
        raise SourceError(name, "has a header row but no records")
    return headers, records


def _require_columns(d: Dataset, headers: list[str], name: str) -> dict[str, int]:
    """column name -> index of its header in the file: the first of its headers (newest name first) present."""
    index, missing = {}, []
    for c in d.columns:
        j = next((headers.index(h) for h in c.headers if h in headers), None)
        if j is None:
            missing.append(" or ".join(repr(h) for h in c.headers))
        else:
            index[c.name] = j
    if missing:
        raise SourceError(name, f"missing required column(s): {', '.join(sorted(missing))}")
    return index


def _check_unique(header: str, values: list[str], lines: list[int], name: str) -> None:
    seen: dict[str, int] = {}
    for value, line in zip(values, lines):
        if not value:
            raise SourceError(name, f"row at line {line}, column {header!r}: empty, but every row needs a {header}")
        if value in seen:
            raise SourceError(
                name, f"row at line {line}, column {header!r}: duplicate value {value!r} (first on line {seen[value]})"
            )
        seen[value] = line


# --- cells ---------------------------------------------------------------------

_STRAY_CR = re.compile(r"\r(?!\n)")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})\s*([ap]m)?)?$", re.IGNORECASE)


def convert(raw: str, kind: str, latest: date) -> object:
    value = raw.strip()
    if kind == "text":
        return value or None
    if value in MISSING:
        return None
    if kind in ("float", "int", "tflops", "usd"):
        number = to_number(value, kind)
        if kind == "int":
            if number != int(number):
                raise ValueError(f"{raw!r} is not a whole number")
            return int(number)
        return number / 1e12 if kind == "tflops" else number
    if kind == "bool":
        lowered = value.lower()
        if lowered in ("true", "yes", "checked", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise ValueError(f"{raw!r} is not a boolean")
    if kind == "date":
        return to_date(value, latest)
    if kind == "month_date":  # Epoch gives some dates to the month ("2021-07"): read as its first day
        day = value + "-01" if _MONTH.match(value) else value
        try:
            return to_date(day, latest)
        except ValueError as exc:
            raise ValueError(str(exc).replace(repr(day), repr(value))) from None
    if kind == "timestamp":
        return to_timestamp(value)
    raise AssertionError(f"unknown column kind {kind}")


def to_number(value: str, kind: str) -> float:
    text = value.replace(",", "")
    if kind == "usd":
        text = text.lstrip("$").strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{value!r} is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def to_date(value: str, latest: date) -> date:
    """ISO (2025-05-22, or a timestamp's date part) or m/d/yyyy; must be a real, past date."""
    try:
        if _MDY.match(value):
            m = _MDY.match(value)
            parsed = date(int(m[3]), int(m[1]), int(m[2]))
        else:
            parsed = date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None
    if parsed < EARLIEST_DATE or parsed > latest:
        raise ValueError(f"{value!r} is outside the possible range {EARLIEST_DATE} .. {latest}")
    return parsed


def to_timestamp(value: str) -> datetime:
    m = _MDY.match(value)
    if m:
        hour, minute = int(m[4] or 0), int(m[5] or 0)
        if m[6]:
            hour = hour % 12 + (12 if m[6].lower() == "pm" else 0)
        try:
            return datetime(int(m[3]), int(m[1]), int(m[2]), hour, minute)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date and time") from None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a timestamp") from None
    if parsed.tzinfo is not None:  # stored as naive UTC, like loaded_at
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _series(values: list, kind: str) -> pd.Series:
    import pandas as pd

    if kind == "int":
        return pd.Series(values, dtype="Int64")
    if kind in ("float", "tflops", "usd"):
        return pd.Series(values, dtype="Float64")
    if kind == "bool":
        return pd.Series(values, dtype="boolean")
    return pd.Series(values, dtype="object")
