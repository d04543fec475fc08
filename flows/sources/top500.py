"""TOP500 lists: discover which exist, bring the files in, parse every era.

Three sources, one interface (`collect`): the bundled snapshot, a local
directory of `TOP500_YYYYMM.xls[x]` files, or an HTTP base URL laid out like
top500.org. `parse` maps any era onto raw.top500_entries through the one
column map in `top500_columns`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from python_calamine import CalamineWorkbook

from flows import countries
from flows.errors import SourceError, SourceErrors
from flows.files import ParsedFile, SourceFile, describe_file, parse_each
from flows.settings import Settings
from flows.sources import cleaning
from flows.sources.top500_calendar import (
    DATASET,
    FILE_NAME,
    edition_of,
    expected_lists,
    file_key,
    file_name_for,
    list_date_of,
)
from flows.sources.top500_columns import (
    BY_HEADER,
    COLUMNS,
    MISSING_TEXT,
    normalize_header,
)

if TYPE_CHECKING:  # imported where a file is parsed: a no-op run never pays their ~0.3 s import
    import numpy as np

log = logging.getLogger(__name__)

TABLE = "raw.top500_entries"
HEADER_SEARCH_ROWS = 10


# --- sources -----------------------------------------------------------------


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def collect(
    source: str, settings: Settings, today: date | None = None, pending: list[str] | None = None
) -> list[SourceFile]:
    """The list files a run should consider, with their checksums, oldest first.

    `pending` collects the lists the calendar expects by now that the site has not published yet (HTTP only).
    """
    if source == "bundled":
        return _from_directory(settings.bundled_dir / "top500" / "raw", "bundled:top500/raw/")
    if is_url(source):
        from flows.sources import top500_http  # requests is only needed for this source

        report = top500_http.FetchReport([], 0, [])
        files = top500_http.collect(source, settings, today or settings.today, report)
        if pending is not None:
            pending += [file_key(list_date_of(name)) for name in report.pending]
        return files
    directory = Path(source).expanduser()
    if not directory.is_dir():
        raise SourceError(source, "is neither 'bundled', an http(s) URL, nor an existing directory")
    return _from_directory(directory, None)


def skipped_files(source: str, settings: Settings) -> list[str]:
    """Files in a directory source that are not list files (a README, a browser's 'TOP500_202506 (1).xlsx')."""
    directory = settings.bundled_dir / "top500" / "raw" if source == "bundled" else Path(source).expanduser()
    if is_url(source) or not directory.is_dir():
        return []
    return _strays(directory)


def _strays(directory: Path) -> list[str]:
    """Not a list file (TOP500 or Green500), not hidden, not the snapshot's own notes (*.md)."""
    from flows.sources.green500 import is_list_file as is_green500_file

    return sorted(
        p.name
        for p in directory.iterdir()
        if p.is_file()
        and not FILE_NAME.match(p.name)
        and not is_green500_file(p.name)
        and not p.name.startswith(".")
        and not p.name.endswith(".md")
    )


def _from_directory(directory: Path, uri_prefix: str | None) -> list[SourceFile]:
    paths = sorted(p for p in directory.iterdir() if p.is_file() and FILE_NAME.match(p.name))
    strays = _strays(directory)
    if strays:
        log.warning(
            "%s: skipped %d file(s) that are not TOP500_YYYYMM.xls[x] list files: %s",
            directory,
            len(strays),
            ", ".join(strays),
        )
    by_date: dict[date, Path] = {}
    for path in paths:
        list_date = list_date_of(path.name)
        if list_date in by_date:
            raise SourceError(
                str(directory),
                f"two files for the {file_key(list_date)} list: {by_date[list_date].name} and {path.name}",
            )
        by_date[list_date] = path
    if not by_date:
        raise SourceError(str(directory), "holds no TOP500_YYYYMM.xls[x] files")
    files = [
        describe_file(DATASET, file_key(d), p, (uri_prefix + p.name) if uri_prefix else p.resolve().as_uri())
        for d, p in sorted(by_date.items())
    ]
    reject_copies(files)
    return files


def reject_copies(files: list[SourceFile], loaded: dict[str, str] | None = None) -> None:
    """A list file byte-identical to another list's file is a copy under the wrong name, not a new list.

    `loaded` (file_key -> sha256 of the version in the warehouse) catches a copy of a list loaded earlier.
    """
    errors, seen = [], {}
    for key, sha in (loaded or {}).items():
        seen.setdefault(sha, (key, None))
    for f in files:
        first = seen.get(f.sha256)
        if first is not None and first[0] != f.file_key:
            other = first[1] or f"the {first[0]} list already loaded"
            errors.append(
                SourceError(
                    f.file_name,
                    f"is byte-identical to {other} (sha256 {f.sha256[:12]}): "
                    f"a copy under another list's name, not the {f.file_key} list",
                )
            )
        else:
            seen[f.sha256] = (f.file_key, f.file_name)
    if errors:
        raise SourceErrors(errors)


def reject_gaps(files: list[SourceFile], loaded: list[str]) -> None:
    """The warehouse's newest list moves forward one edition at a time: a list newer than it loads only with
    every list between (loaded or in this source). A source that offers 2027-06 but not 2026-11 to a warehouse
    ending at 2026-06 is refused, naming 2026-11, and nothing loads; the HTTP source refuses the same gap from
    the calendar. Below the newest list a source may leave lists out (a directory of a few lists)."""
    if not loaded:
        return
    newest = max(loaded)
    offered = {f.file_key: f for f in files if f.file_key > newest}
    if not offered:
        return
    have = set(loaded) | set(offered)
    last = max(offered)
    between = [d for d in expected_lists(date.fromisoformat(f"{last}-01")) if newest < file_key(d) < last]
    missing = [file_key(d) for d in between if file_key(d) not in have]
    if missing:
        names = ", ".join(file_name_for(date.fromisoformat(f"{k}-01")) for k in missing)
        raise SourceError(
            offered[last].file_name,
            f"the {', '.join(missing)} list{'s are' if len(missing) > 1 else ' is'} missing from the source: "
            f"the warehouse ends at {newest} and lists load in order, none skipped (add {names})",
        )


# --- parsing -----------------------------------------------------------------


def parse(file: SourceFile) -> ParsedFile:
    """One list file -> one row per rank in the raw.top500_entries shape.

    The workbook is read by its signature, not its extension: an .xlsx saved as .xls is still a list.
    """
    name = file.file_name
    list_date = list_date_of(name)
    cleaning.check_workbook(file.path, name)
    try:
        sheet_name, header_row, rows, sheets = _read_table(file.path, name)
    except SourceError:
        raise
    except Exception as exc:  # calamine raises several types for broken files
        raise SourceError(name, f"not a readable workbook (truncated or corrupt?): {exc}") from exc
    file_name = name
    if sheets > 1:  # messages name the sheet read when there is a choice
        name = f"{name} (sheet {sheet_name!r})"

    headers = [cleaning.clean_text(h) or "" for h in rows[header_row]]
    mapping = _map_headers(headers, name)
    body = [(i, r) for i, r in enumerate(rows[header_row + 1 :], start=header_row + 2) if _has_data(r)]
    if not body:
        raise SourceError(name, f"sheet {sheet_name!r} has a header row but no data rows")

    excel_rows = [i for i, _ in body]
    body_rows = [row for _, row in body]
    if any(len(row) < len(headers) for row in body_rows):  # calamine's rows are rectangular; be safe anyway
        body_rows = [row + [None] * (len(headers) - len(row)) for row in body_rows]
    columns = list(zip(*body_rows))

    # The rows as one block of plain Python values, a block row per column (None where the file lacks
    # the column), each column converted as a whole. DuckDB types them on insert (None -> NULL, never NaN).
    import numpy as np
    import pandas as pd

    names = ["list_date", *(c.name for c in COLUMNS)]
    block = np.full((len(names), len(body)), None, dtype=object)
    block[0] = list_date
    for k, col in enumerate(COLUMNS, start=1):
        if col.name in mapping:
            j, factor = mapping[col.name]
            block[k] = _convert_column(columns[j], col, factor, name, headers[j], excel_rows)
    column = dict(zip(names, block))  # views: a change lands in the block
    cleaning.check_ranks(column["rank"], excel_rows, name)
    notes = _resolve_countries(column["country"], column["rank"], file_name)

    frame = pd.DataFrame(block.T, columns=names, dtype=object, copy=False)
    frame.insert(1, "edition", edition_of(list_date))
    frame["original"] = [orjson.dumps(dict(zip(headers, row))).decode() for _, row in body]  # rows as read
    return ParsedFile(file=file, table=TABLE, rows=frame, key=("rank",), notes=notes)


def _resolve_countries(cells, ranks, name: str) -> list[str]:
    """Each country as its one published name, in place; a spelling other than the lists' own is a note.

    A name that is no country stays as it is, for the list gate to stop by name.
    """
    spelled: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        country = countries.resolve(cell)
        if country is None or country.name == cell:
            continue
        if not countries.is_renamed_silently(cell):
            spelled.setdefault(cell, []).append(ranks[i])
        cells[i] = country.name
    return [
        f"{name}: country {cell!r} (rank {', '.join(map(str, at[:3]))}{' ...' if len(at) > 3 else ''}) is read as "
        f"{countries.resolve(cell).name} ({countries.resolve(cell).code}), the one name the lists use for it"
        for cell, at in spelled.items()
    ]


def _has_data(row: list) -> bool:
    # any() is the fast test; only all-falsy rows (blank, or zeros) need the exact one.
    return any(row) or any(c not in ("", None) for c in row)


def _read_table(path: Path, name: str) -> tuple[str, int, list[list], int]:
    """The sheet that holds the list: of the sheets whose first rows hold a header with Rank and Site (or
    Computer), the first with every required column, else the one with most of them (whose message then
    names what it lacks). A summary sheet before the list ("Rank | Site | Country" of the top ten) is passed
    over. Returns (sheet, header row, rows, number of sheets)."""
    with path.open("rb") as fh:  # from_filelike sniffs the format; from_path trusts the extension
        workbook = CalamineWorkbook.from_filelike(fh)
    required = [c for c in COLUMNS if c.required]
    best: tuple[int, str, int, list[list]] | None = None
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            normalized = {normalize_header(c) for c in row}
            if "rank" in normalized and ("site" in normalized or "computer" in normalized):
                found = sum(any(h in c.headers for h in normalized) for c in required)
                if found == len(required):
                    return sheet_name, i, rows, len(workbook.sheet_names)
                if best is None or found > best[0]:
                    best = (found, sheet_name, i, rows)
                break
    if best is not None:
        return best[1], best[2], best[3], len(workbook.sheet_names)
    raise SourceError(name, f"no header row with 'Rank' and 'Site' in the first {HEADER_SEARCH_ROWS} rows of any sheet")


def _map_headers(headers: list[str], name: str) -> dict[str, tuple[int, float]]:
    mapping: dict[str, tuple[int, float]] = {}
    for j, header in enumerate(headers):
        hit = BY_HEADER.get(normalize_header(header))
        if hit is None:
            continue  # kept in `original` only
        col, factor = hit
        if col.name in mapping:
            first = headers[mapping[col.name][0]]
            raise SourceError(name, f"columns {first!r} and {header!r} both map to {col.name}")
        mapping[col.name] = (j, factor)
    missing = [c for c in COLUMNS if c.required and c.name not in mapping]
    if missing:
        wanted = "; ".join(f"{c.name} (one of: {', '.join(sorted(c.headers))})" for c in missing)
        raise SourceError(name, f"missing required column(s): {wanted}")
    return mapping


def _convert_column(
    cells: tuple, col, factor: float, name: str, header: str, excel_rows: list[int]
) -> list | np.ndarray:
    """One column of one file, converted as a whole rather than cell by cell.

    Text columns repeat a few values (sites, vendors, countries): each distinct cell is cleaned once.
    Number columns are nearly always floats, ints and blanks: one numpy pass does them. Anything else
    goes through the per-cell rules (`_converter`), which also name the cell that breaks them.
    """
    convert = _converter(col, factor)
    try:
        if col.kind in ("text", "id"):
            return _by_distinct_value(cells, convert)
        values = _plain_numbers(cells, col, factor)
        return values if values is not None else list(map(convert, cells))
    except ValueError:
        for cell, excel_row in zip(cells, excel_rows):  # slow path: find the cell to name it
            try:
                convert(cell)
            except ValueError as exc:
                raise SourceError(name, f"row {excel_row}, column {header!r}: {exc}") from None
        raise


_NUMBER_TYPES = {bool, int, float}


def _by_distinct_value(cells: tuple, convert: Callable[[object], object]) -> list:
    """`convert` applied once per distinct cell, then looked up for every cell.

    Cell by cell where bools, ints and floats mix: True, 1 and 1.0 are one set element but convert differently.
    """
    distinct = set(cells)
    if not _NUMBER_TYPES.isdisjoint(map(type, distinct)) and len(_NUMBER_TYPES.intersection(map(type, cells))) > 1:
        return list(map(convert, cells))
    converted = dict(zip(distinct, map(convert, distinct)))
    return list(map(converted.__getitem__, cells))


def _plain_numbers(cells: tuple, col, factor: float) -> np.ndarray | None:
    """The number column every list has: only floats, ints and blanks (""), whole where the column is
    an int column. Converted in one numpy pass with the same results as `_converter`; None for any
    other column, which the per-cell rules then convert (or reject, naming the cell).
    """
    import numpy as np

    kinds = set(map(type, cells))
    if str in kinds:
        cells = [None if c == "" else c for c in cells]
        kinds = set(map(type, cells))
    if not kinds <= {float, int, type(None)}:
        return None  # text like '1,234', a bool, a date: the per-cell rules decide
    try:
        numbers = np.array(cells, dtype=np.float64)  # None -> NaN: a blank and a NaN cell are both missing
    except (OverflowError, ValueError):
        return None
    missing = np.isnan(numbers)
    is_int = col.kind == "int"
    if is_int and not np.all(missing | ((numbers == np.trunc(numbers)) & (np.abs(numbers) < 2.0**63))):
        return None  # 7.5 or inf in an int column: the per-cell rules name the cell
    if col.zero_is_missing:
        missing |= numbers == 0
    if factor != 1.0:
        result = numbers * factor
    elif is_int:
        result = np.where(missing, 0, numbers).astype(np.int64)
    else:
        result = numbers
    result = result.astype(object)  # Python ints and floats, as the per-cell rules give
    result[missing] = None
    return result


def _converter(col, factor: float) -> Callable[[object], object]:
    """The per-cell rules for one column of one file: what a cell means, and which cells are errors.

    `_convert_column` applies them to whole columns; the fast paths there must agree with them.
    """
    if col.kind in ("text", "id"):
        missing = MISSING_TEXT.get(col.name)
        if not missing:
            return cleaning.clean_text

        def text(cell):
            value = cleaning.clean_text(cell)
            return None if value in missing else value

        return text

    is_int = col.kind == "int"
    parse_number = cleaning.to_int if is_int else cleaning.to_float
    zero_is_missing = col.zero_is_missing

    def number(cell):
        if type(cell) is float and cell == cell and (not is_int or cell.is_integer()):
            value = int(cell) if is_int else cell
        else:
            value = parse_number(cell)
            if value is None:
                return None
        if zero_is_missing and value == 0:
            return None
        return value * factor if factor != 1.0 else value

    return number


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every list; report all bad files together, load none of them."""
    return parse_each(parse, files)
