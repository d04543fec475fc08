"""The official Green500 lists: discover which exist, bring the files in, parse every era.

The Green500 ranks systems by the energy efficiency of their own power submissions (often a
power-optimised run), so its values and its #1 differ from the power columns of the TOP500 file.
Three sources, one interface (`collect`), as for the TOP500 lists: the bundled snapshot, the
`green500_top_YYYYMM.xlsx` files of a local directory (beside the TOP500 files), or an HTTP base URL laid
out like top500.org (`{base}/files/green500/green500_top_YYYYMM.xlsx`). A directory without Green500
files has no Green500 lists; over HTTP the newest list may not be out yet. Several files are binary
.xls content under an .xlsx name: the workbook is read by its signature. `parse` maps every era onto
raw.green500_entries through the one column map in `green500_columns`.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import orjson
from python_calamine import CalamineWorkbook

from flows.errors import SourceError, SourceErrors
from flows.files import ParsedFile, SourceFile, describe_file, parse_each
from flows.settings import Settings
from flows.sources import cleaning
from flows.sources.green500_columns import COLUMNS, MISSING_TEXT, normalize_header
from flows.sources.top500_calendar import expected_lists, file_key
from flows.sources.top500_columns import COUNTRY_NAMES

log = logging.getLogger(__name__)

DATASET = "green500"
TABLE = "raw.green500_entries"
ROW_KEY = ("green500_rank",)
FILE_NAME = re.compile(r"^green500_top_(\d{4})(\d{2})\.xlsx?$", re.IGNORECASE)
FIRST_LIST = date(2007, 11, 1)  # the first Green500 list
FIRST_SERVED = date(2013, 11, 1)  # the first list top500.org serves as green500_top_YYYYMM.xlsx
HEADER_SEARCH_ROWS = 10
_EFFICIENCY = {normalize_header(h) for c in COLUMNS if c.name == "energy_efficiency_gflops_per_w" for h, _ in c.headers}


def is_list_file(name: str) -> bool:
    return bool(FILE_NAME.match(name))


def list_date_of(name: str) -> date:
    match = FILE_NAME.match(name)
    if not match:
        raise SourceError(name, "file name is not green500_top_YYYYMM.xlsx")
    year, month = int(match[1]), int(match[2])
    if month not in (6, 11) or date(year, month, 1) < FIRST_LIST:
        raise SourceError(
            name, f"no Green500 list is published for {year}-{month:02d} (lists are June and November since 2007-11)"
        )
    return date(year, month, 1)


def file_name_for(list_date: date) -> str:
    return f"green500_top_{list_date:%Y%m}.xlsx"


def list_url(base: str, list_date: date) -> str:
    return f"{base.rstrip('/')}/files/green500/{file_name_for(list_date)}"


# --- sources -----------------------------------------------------------------


def collect(source: str, settings: Settings, today: date | None = None) -> list[SourceFile]:
    """The Green500 list files a run should consider, with their checksums, oldest first."""
    if source == "bundled":
        files = _from_directory(settings.bundled_dir / "green500" / "raw", "bundled:green500/raw/")
        if not files:
            raise SourceError(str(settings.bundled_dir / "green500" / "raw"), "holds no green500_top_YYYYMM.xlsx files")
        return files
    if source.startswith(("http://", "https://")):
        return _from_http(source, settings, today or settings.today)
    directory = Path(source).expanduser()
    if not directory.is_dir():
        raise SourceError(source, "is neither 'bundled', an http(s) URL, nor an existing directory")
    return _from_directory(directory, None)


def _from_directory(directory: Path, uri_prefix: str | None) -> list[SourceFile]:
    by_date: dict[date, Path] = {}
    for path in sorted(p for p in directory.iterdir() if p.is_file() and is_list_file(p.name)):
        list_date = list_date_of(path.name)
        if list_date in by_date:
            raise SourceError(
                str(directory),
                f"two files for the {file_key(list_date)} Green500 list: {by_date[list_date].name} and {path.name}",
            )
        by_date[list_date] = path
    return [
        describe_file(DATASET, file_key(d), p, (uri_prefix + p.name) if uri_prefix else p.resolve().as_uri())
        for d, p in sorted(by_date.items())
    ]


def landing_dir(settings: Settings) -> Path:
    return settings.landing_dir / "green500"


def _from_http(base: str, settings: Settings, today: date) -> list[SourceFile]:
    """Fetch what is missing or changed (a re-issued file at the same URL replaces its list; an unchanged
    one costs a 304), then list the landing zone. The newest list may not be out yet (404)."""
    from flows.sources import fetch  # requests only for this source

    expected = [d for d in expected_lists(today) if d >= FIRST_SERVED]
    errors: list[SourceError] = []
    downloaded, pending = [], []
    with fetch.session_for(settings) as session:
        for list_date in expected:
            dest = landing_dir(settings) / file_name_for(list_date)
            try:
                if fetch.download(
                    list_url(base, list_date),
                    dest,
                    lambda path, name=dest.name: cleaning.check_workbook(path, name),
                    settings,
                    session,
                    known=fetch.read_validators(dest),
                ):
                    downloaded.append(dest.name)
            except fetch.NotFound as exc:
                if list_date == expected[-1] and not dest.exists():
                    pending.append(dest.name)
                else:
                    errors.append(exc)
            except SourceError as exc:
                errors.append(exc)
    log.info(
        "%s: %d Green500 list(s) downloaded%s",
        base,
        len(downloaded),
        f", not out yet: {', '.join(pending)}" if pending else "",
    )
    if errors:
        raise SourceErrors(errors)
    landed = landing_dir(settings)
    if not landed.is_dir():
        return []
    return [
        describe_file(DATASET, file_key(list_date_of(p.name)), p, list_url(base, list_date_of(p.name)))
        for p in sorted(landed.iterdir())
        if p.is_file() and is_list_file(p.name)
    ]


# --- parsing -----------------------------------------------------------------


def parse(file: SourceFile) -> ParsedFile:
    """One Green500 file -> one row per Green500 rank in the raw.green500_entries shape."""
    name = file.file_name
    list_date = list_date_of(name)
    cleaning.check_workbook(file.path, name)
    try:
        sheet_name, header_row, rows = _read_table(file.path, name)
    except SourceError:
        raise
    except Exception as exc:  # calamine raises several types for broken files
        raise SourceError(name, f"not a readable workbook (truncated or corrupt?): {exc}") from exc

    headers = [cleaning.clean_text(h) or "" for h in rows[header_row]]
    mapping = map_headers(headers, name)
    body = [
        (i, row)
        for i, row in enumerate(rows[header_row + 1 :], start=header_row + 2)
        if any(c not in ("", None) for c in row)
    ]
    if not body:
        raise SourceError(name, f"sheet {sheet_name!r} has a header row but no data rows")

    data: dict[str, list] = {c.name: [] for c in COLUMNS}
    for excel_row, row in body:
        for col in COLUMNS:
            if col.name not in mapping:
                data[col.name].append(None)
                continue
            j, factor = mapping[col.name]
            try:
                data[col.name].append(_convert(row[j] if j < len(row) else None, col, factor))
            except ValueError as exc:
                raise SourceError(name, f"row {excel_row}, column {headers[j]!r}: {exc}") from None
    cleaning.check_ranks(data["green500_rank"], [i for i, _ in body], name, rank="Green500 rank")
    data["country"] = [COUNTRY_NAMES.get(c, c) for c in data["country"]]

    import pandas as pd

    keys = _unique_keys(headers)
    frame = pd.DataFrame({"list_date": [list_date] * len(body), **data}, dtype=object)
    frame["original"] = [orjson.dumps(dict(zip(keys, row))).decode() for _, row in body]  # rows as read
    return ParsedFile(file=file, table=TABLE, rows=frame, key=ROW_KEY)


def _read_table(path: Path, name: str) -> tuple[str, int, list[list]]:
    """The first sheet whose first rows hold a header with an energy-efficiency column."""
    with path.open("rb") as fh:  # from_filelike sniffs the format; from_path trusts the extension
        workbook = CalamineWorkbook.from_filelike(fh)
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if _EFFICIENCY.intersection(normalize_header(c) for c in row):
                return sheet_name, i, rows
    raise SourceError(
        name, f"no header row with an energy-efficiency column in the first {HEADER_SEARCH_ROWS} rows of any sheet"
    )


def map_headers(headers: list[str], name: str) -> dict[str, tuple[int, float]]:
    """column -> (index in the file, unit factor): each column takes the first of its headers the file has,
    exactly as written, else case-, space- and underscore-insensitively; a header names one column."""
    normalized = [normalize_header(h) for h in headers]
    taken: set[int] = set()
    mapping: dict[str, tuple[int, float]] = {}
    for col in COLUMNS:
        for header, factor in col.headers:
            j = next((j for j, h in enumerate(headers) if j not in taken and h == header), None)
            if j is None:
                key = normalize_header(header)
                j = next((j for j, h in enumerate(normalized) if j not in taken and h == key), None)
            if j is not None:
                mapping[col.name] = (j, factor)
                taken.add(j)
                break
    missing = [c for c in COLUMNS if c.required and c.name not in mapping]
    if missing:
        wanted = "; ".join(f"{c.name} (one of: {', '.join(h for h, _ in c.headers)})" for c in missing)
        raise SourceError(name, f"missing required column(s): {wanted}")
    return mapping


def _convert(cell: object, col, factor: float) -> object:
    if col.kind in ("text", "id"):
        value = cleaning.clean_text(cell)
        return None if value in MISSING_TEXT.get(col.name, ()) else value
    number = cleaning.to_int(cell) if col.kind == "int" else cleaning.to_float(cell)
    if number is None or factor == 1.0:
        return number
    return number * factor


def _unique_keys(headers: list[str]) -> list[str]:
    """Headers as keys of `original`: a repeated header (`Power Source`, 2017-06..2024-06) gets ' (2)'."""
    seen: dict[str, int] = {}
    keys = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        keys.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return keys


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every list; report all bad files together, load none of them."""
    return parse_each(parse, files)
