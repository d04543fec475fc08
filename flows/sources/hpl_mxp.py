"""HPL-MxP (formerly HPL-AI) results: the mixed-precision benchmark's tables, one per list.

The source is the results page of hpl-mxp.org (Markdown holding one HTML `<table>` per list, its
`<caption>` naming the list, e.g. "November 2025"), read with lxml's HTML parser, never with regular
expressions over the markup. Each table's header row names its columns (HPL-AI until 2022-11, HPL-MxP
after; `<br/>` inside a header reads as a space). EFlop/s stay EFlop/s as published; a TOP500 rank of 0
or none means the system is not on that list. A `<sup>` mark in a
cell refers to the note printed under its table ("Results with FP8 data type ..."): the row keeps that
note. Three source kinds like the other reference files: bundled, a directory (`hpl_mxp/`), an http(s)
base URL with the same layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flows.errors import SourceError
from flows.files import ParsedFile, SourceFile, describe_file, parse_each
from flows.settings import Settings
from flows.sources import csv_tables


@dataclass(frozen=True)
class Source:
    name: str  # raw.source_files.dataset
    table: str
    subdir: str
    file_name: str


RESULTS = Source("hpl_mxp", "raw.hpl_mxp_results", "hpl_mxp", "hpl-mxp-results.md")
DATASETS = (RESULTS,)
ROW_KEY = ("list_date", "rank")

# column -> (kind, the headers it has appeared under, normalized: lower case, single spaces)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rank": ("int", ("rank",)),
    "site": ("text", ("site",)),
    "computer": ("text", ("computer",)),
    "cores": ("int", ("cores",)),
    "hpl_mxp_eflops": ("float", ("hpl-mxp (eflop/s)", "hpl-ai (eflop/s)")),
    "top500_rank": ("int", ("top500 rank",)),
    "hpl_rmax_eflops": ("float", ("hpl rmax (eflop/s)",)),
    "speedup": ("float", ("speedup",)),
}
REQUIRED = ("rank", "site", "computer", "hpl_mxp_eflops", "hpl_rmax_eflops")


def collect(source: str, settings: Settings) -> list[SourceFile]:
    """The results page from 'bundled', a directory (hpl_mxp/...) or a base URL."""
    d = RESULTS
    relative = f"{d.subdir}/{d.file_name}"
    if source == "bundled":
        return [_local(settings.bundled_dir, relative, f"bundled:{relative}")]
    if source.startswith(("http://", "https://")):
        from flows.sources.fetch import download  # requests only for this source

        url = f"{source.rstrip('/')}/{relative}"
        dest = settings.landing_dir / d.subdir / d.file_name
        download(url, dest, lambda path: _tables(path, d.file_name), settings)
        return [describe_file(d.name, d.file_name, dest, url)]
    base = Path(source).expanduser()
    if not base.is_dir():
        raise SourceError(source, "is neither 'bundled', an http(s) URL, nor an existing directory")
    return [_local(base, relative, None)]


def _local(base: Path, relative: str, uri: str | None) -> SourceFile:
    path = base / relative
    if not path.is_file():
        raise SourceError(str(path), f"missing: expected {relative} under {base}")
    return describe_file(RESULTS.name, RESULTS.file_name, path, uri or path.resolve().as_uri())


# --- parsing -------------------------------------------------------------------


def parse(file: SourceFile) -> ParsedFile:
    """Every results table -> one row per list x rank in the raw.hpl_mxp_results shape."""
    name = file.file_name
    records: list[dict] = []
    for table in _tables(file.path, name):
        list_date = _list_date(table, name)
        headers, rows = _rows(table)
        where = f"table {_caption(table)!r} (line {table.sourceline})"
        mapping = _map_headers(headers, name, where)
        notes = _notes(table)
        seen: dict[int, int] = {}
        for line, cells, marks in rows:
            if len(cells) != len(headers):
                raise SourceError(name, f"line {line} in {where}: {len(cells)} cells, the header has {len(headers)}")
            record: dict = {"list_date": list_date}
            for column, (kind, _) in COLUMNS.items():
                j = mapping.get(column)
                try:
                    record[column] = None if j is None else csv_tables.convert(cells[j], kind, date.max)
                except ValueError as exc:
                    raise SourceError(name, f"line {line} in {where}, column {headers[j]!r}: {exc}") from None
            if record["top500_rank"] == 0:  # the page prints 0 (or nothing) for a system not on the list
                record["top500_rank"] = None
            for column in REQUIRED:
                if record[column] is None:
                    raise SourceError(name, f"line {line} in {where}: {headers[mapping[column]]!r} is empty")
            if record["rank"] in seen:
                raise SourceError(
                    name,
                    f"line {line} in {where}: rank {record['rank']} appears twice (first on line {seen[record['rank']]})",
                )
            seen[record["rank"]] = line
            unknown = sorted(set(marks) - set(notes))
            if unknown:
                raise SourceError(name, f"line {line} in {where}: note mark(s) {', '.join(unknown)} explained nowhere")
            record["notes"] = "; ".join(notes[m] for m in dict.fromkeys(marks)) or None
            record["source_line"] = line
            record["original"] = json.dumps(dict(zip(headers, cells)), ensure_ascii=False)
            records.append(record)
    if not records:
        raise SourceError(name, "holds no results table")
    import pandas as pd

    columns = ["list_date", *COLUMNS, "notes", "source_line", "original"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column, (kind, _) in COLUMNS.items():
        if kind == "int":
            frame[column] = frame[column].astype("Int64")
    return ParsedFile(file=file, table=RESULTS.table, rows=frame, key=ROW_KEY)


def _tables(path: Path, name: str) -> list:
    """The page's `<table>` elements; a page without one (a login page, an error) is not the results page."""
    import lxml.html

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(name, f"not a UTF-8 text file: {exc}") from None
    if not text.strip():
        raise SourceError(name, "is empty, not the HPL-MxP results page")
    document = lxml.html.document_fromstring(text)
    tables = document.xpath("//table")
    if not tables:
        raise SourceError(name, "holds no HTML <table>: not the HPL-MxP results page (a login or error page?)")
    return tables


def _caption(table) -> str:
    caption = table.find("caption")
    return " ".join(caption.text_content().split()) if caption is not None else ""


def _list_date(table, name: str) -> date:
    caption = _caption(table)
    try:
        when = datetime.strptime(caption, "%B %Y").date()
    except ValueError:
        raise SourceError(
            name, f"table at line {table.sourceline}: caption {caption!r} does not name a list (e.g. 'November 2025')"
        ) from None
    if when.month not in (6, 11):
        raise SourceError(name, f"table at line {table.sourceline}: {caption!r} is not a June or November list")
    return when


def _text(cell) -> str:
    """A cell's text without its note marks; `<br/>` reads as a space."""
    parts = [cell.text or ""]
    for child in cell:
        if child.tag != "sup":
            parts.append(" ".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _rows(table) -> tuple[list[str], list[tuple[int, list[str], list[str]]]]:
    """The header row (its `th` cells) and every row of `td` cells with its line and note marks."""
    headers: list[str] = []
    rows = []
    for tr in table.iter("tr"):
        ths, tds = tr.findall("th"), tr.findall("td")
        if ths and not headers:
            headers = [_text(th) for th in ths]
        elif tds:
            marks = [" ".join(s.text_content().split()) for td in tds for s in td.findall("sup")]
            rows.append((tr.sourceline, [_text(td) for td in tds], marks))
    return headers, rows


def _map_headers(headers: list[str], name: str, where: str) -> dict[str, int]:
    normalized = [" ".join(h.lower().split()) for h in headers]
    mapping = {}
    for column, (_, names) in COLUMNS.items():
        hit = [j for j, h in enumerate(normalized) if h in names]
        if len(hit) > 1:
            raise SourceError(name, f"{where}: columns {', '.join(repr(headers[j]) for j in hit)} all map to {column}")
        if hit:
            mapping[column] = hit[0]
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        wanted = "; ".join(f"{c} (one of: {', '.join(COLUMNS[c][1])})" for c in missing)
        raise SourceError(name, f"{where}: missing required column(s): {wanted}")
    return mapping


def _notes(table) -> dict[str, str]:
    """The notes printed under a table, up to the next one: `<sup>a</sup> text` -> {"a": "text"}."""
    notes = {}
    for sibling in table.itersiblings():
        if sibling.tag == "table":
            break
        if sibling.tag == "sup":
            mark = " ".join(sibling.text_content().split())
            notes[mark] = " ".join((sibling.tail or "").split())
    return notes


def parse_all(files: list[SourceFile]) -> list[ParsedFile]:
    """Parse every file first (raises SourceErrors naming each bad file) so a bad file loads nothing."""
    return parse_each(parse, files)
