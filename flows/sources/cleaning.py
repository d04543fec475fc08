"""Cell cleaning shared by every source: text, numbers, workbook sniffing."""

from __future__ import annotations

import functools
import math

import ftfy

from flows.errors import SourceError

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)

# Magic bytes of the two workbook formats top500.org publishes.
_XLS_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file (.xls)
_XLSX_MAGIC = b"PK\x03\x04"  # zip container (.xlsx)


def clean_text(value: object) -> str | None:
    """Strip invisible characters and stray whitespace, repair mojibake; '' -> None."""
    if type(value) is str:  # nearly every cell: straight to the cache
        return _clean_str(value)
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        value = int(value) if value.is_integer() else value
    return _clean_str(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _clean_str(text: str) -> str | None:
    """Cached: list files repeat the same sites, vendors and countries thousands of times."""
    if not text.isascii():
        text = text.translate(_INVISIBLE).replace("\xa0", " ")
        # Only the mojibake fixer: no quote uncurling or other "improvements".
        text = ftfy.fix_encoding(text)
    return " ".join(text.split()) or None


def to_float(value: object) -> float | None:
    """A number from a cell that may be a float, an int, '' or a string like '1,234.5'.

    Raises ValueError for text that is not a number; the caller names file and cell.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = clean_text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def to_int(value: object) -> int | None:
    number = to_float(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def check_workbook(path, name: str | None = None) -> None:
    """Reject what is not an Excel workbook before a parser sees it.

    A server that wants a login answers 200 with an HTML page; that must be an
    error that says so, not a list with no rows.
    """
    label = name or path.name
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(_XLS_MAGIC) or head.startswith(_XLSX_MAGIC):
        return
    if not head:
        raise SourceError(label, "file is empty, not an Excel workbook")
    sniff = head.lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in sniff:
        raise SourceError(label, "is an HTML page, not an Excel workbook (a login or error page?)")
    raise SourceError(label, "is not an Excel workbook (no .xls or .xlsx signature)")


def check_ranks(ranks: list[int | None], excel_rows: list[int], name: str, rank: str = "rank") -> None:
    """Every row has a rank and no rank repeats; the first three problems name their rows (`rank` says which
    ranking: "rank", "Green500 rank")."""
    seen: dict[int, int] = {}
    problems = []
    for value, excel_row in zip(ranks, excel_rows):
        if value is None:
            problems.append(f"row {excel_row}: {rank} is empty")
        elif value in seen:
            problems.append(f"{rank} {value} appears twice (rows {seen[value]} and {excel_row})")
        else:
            seen[value] = excel_row
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise SourceError(name, "; ".join(problems[:3]) + more)
