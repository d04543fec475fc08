"""TOP500 lists from an HTTP server laid out like top500.org.

`{base}/lists/top500/YYYY/MM/download/TOP500_YYYYMM.xlsx` (`.xls` up to
2019-11). Discovery is by calendar: every June and November list up to today.
A list not landed yet is downloaded; a landed one is asked for again with the
validators its server gave (ETag / Last-Modified), so a re-issued file (2020-11
was re-issued in January 2021) is fetched and replaces its list, while an
unchanged one costs a 304 and no body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests

from flows.errors import SourceError, SourceErrors
from flows.files import SourceFile, describe_file
from flows.settings import Settings
from flows.sources import cleaning, fetch
from flows.sources.top500_calendar import (
    DATASET,
    expected_lists,
    file_key,
    file_name_for,
    list_date_of,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListDownload:
    list_date: date
    url: str
    dest: Path
    is_newest: bool  # the newest expected list may not be published yet


@dataclass
class FetchReport:
    """What a collect did: logged at the end of every collect (and read by the tests)."""

    downloaded: list[str]
    not_modified: int
    pending: list[str]  # the newest list, not out yet


def landing_dir(settings: Settings) -> Path:
    return settings.landing_dir / "top500"


def list_url(base: str, list_date: date) -> str:
    return f"{base.rstrip('/')}/lists/top500/{list_date:%Y/%m}/download/{file_name_for(list_date)}"


def expected_downloads(base: str, settings: Settings, today: date) -> list[ListDownload]:
    expected = expected_lists(today)
    newest = expected[-1]
    return [ListDownload(d, list_url(base, d), landing_dir(settings) / file_name_for(d), d == newest) for d in expected]


def fetch_list(item: ListDownload, settings: Settings, session: requests.Session | None = None) -> bool | None:
    """Land or refresh one list: True when a new body landed, False when ours is current, None when the
    newest list is simply not out yet (404)."""
    check = lambda path: cleaning.check_workbook(path, item.dest.name)  # noqa: E731
    try:
        return fetch.download(item.url, item.dest, check, settings, session, known=fetch.read_validators(item.dest))
    except fetch.NotFound:
        if item.is_newest and not item.dest.exists():
            return None
        raise


def landed_files(base: str, settings: Settings) -> list[SourceFile]:
    files = []
    for path in sorted(landing_dir(settings).glob("TOP500_*.xls*")):
        d = list_date_of(path.name)
        files.append(describe_file(DATASET, file_key(d), path, list_url(base, d)))
    return files


def collect(base: str, settings: Settings, today: date, report: FetchReport | None = None) -> list[SourceFile]:
    """Fetch what is missing or changed (all errors reported together), then list the landing zone."""
    errors: list[SourceError] = []
    report = report if report is not None else FetchReport([], 0, [])
    with fetch.session_for(settings) as session:
        for item in expected_downloads(base, settings, today):
            try:
                outcome = fetch_list(item, settings, session)
            except SourceError as exc:
                errors.append(exc)
                continue
            if outcome is None:
                report.pending.append(item.dest.name)
            elif outcome:
                report.downloaded.append(item.dest.name)
            else:
                report.not_modified += 1
    log.info(
        "%s: %d list(s) downloaded%s, %d unchanged (304)%s",
        base,
        len(report.downloaded),
        f" ({', '.join(report.downloaded)})" if report.downloaded else "",
        report.not_modified,
        f", not out yet: {', '.join(report.pending)}" if report.pending else "",
    )
    if errors:
        raise SourceErrors(errors)
    return landed_files(base, settings)
