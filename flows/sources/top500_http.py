"""TOP500 lists from an HTTP server laid out like top500.org.

`{base}/lists/top500/YYYY/MM/download/TOP500_YYYYMM.xlsx` (`.xls` up to
2019-11). Discovery is by calendar: every June and November list up to today;
only lists not already in the landing zone are fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests

from flows.errors import SourceError, SourceErrors
from flows.load import SourceFile, describe_file
from flows.settings import Settings
from flows.sources import cleaning, fetch
from flows.sources.top500 import (
    DATASET,
    expected_lists,
    file_key,
    file_name_for,
    list_date_of,
)


@dataclass(frozen=True)
class ListDownload:
    list_date: date
    url: str
    dest: Path
    is_newest: bool  # the newest expected list may not be published yet


def landing_dir(settings: Settings) -> Path:
    return settings.landing_dir / "top500"


def list_url(base: str, list_date: date) -> str:
    return f"{base.rstrip('/')}/lists/top500/{list_date:%Y/%m}/download/{file_name_for(list_date)}"


def missing_lists(base: str, settings: Settings, today: date) -> list[ListDownload]:
    expected = expected_lists(today)
    newest = expected[-1]
    return [
        ListDownload(d, list_url(base, d), landing_dir(settings) / file_name_for(d), d == newest)
        for d in expected
        if not (landing_dir(settings) / file_name_for(d)).exists()
    ]


def fetch_list(item: ListDownload, settings: Settings, session: requests.Session | None = None) -> Path | None:
    """Land one list; None when the newest list is simply not out yet (404)."""
    check = lambda path: cleaning.check_workbook(path, item.dest.name)  # noqa: E731
    try:
        fetch.download(item.url, item.dest, check, settings, session)
    except fetch.NotFound:
        if item.is_newest:
            return None
        raise
    return item.dest


def landed_files(base: str, settings: Settings) -> list[SourceFile]:
    files = []
    for path in sorted(landing_dir(settings).glob("TOP500_*.xls*")):
        d = list_date_of(path.name)
        files.append(describe_file(DATASET, file_key(d), path, list_url(base, d)))
    return files


def collect(base: str, settings: Settings, today: date) -> list[SourceFile]:
    """Fetch what is missing (all errors reported together), then list the landing zone."""
    errors: list[SourceError] = []
    with fetch.session_for(settings) as session:
        for item in missing_lists(base, settings, today):
            try:
                fetch_list(item, settings, session)
            except SourceError as exc:
                errors.append(exc)
    if errors:
        raise SourceErrors(errors)
    return landed_files(base, settings)
