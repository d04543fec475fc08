"""The TOP500 list calendar and file names: which lists exist by a date, their editions and files.

Shared by the directory and HTTP sources (`top500`, `top500_http`), so neither imports the other for it.
"""

from __future__ import annotations

import re
from datetime import date

from flows.errors import SourceError

DATASET = "top500"
FIRST_LIST = date(1993, 6, 1)
LAST_XLS_LIST = date(2019, 11, 1)  # top500.org switched to .xlsx with 2020-06
FILE_NAME = re.compile(r"^TOP500_(\d{4})(\d{2})\.xlsx?$", re.IGNORECASE)


# --- the list calendar -------------------------------------------------------

# The "June" list comes out at ISC, which some years is in May (2022-2024):
# expect it from May 1 so a May run looks for it (a 404 for the newest list is fine).
EXPECTED_FROM = {6: (5, 1), 11: (11, 1)}


def expected_lists(today: date) -> list[date]:
    """Every June and November list from 1993-06 that may be out by `today`."""
    dates = []
    for year in range(FIRST_LIST.year, today.year + 1):
        for month, (from_month, from_day) in EXPECTED_FROM.items():
            if date(year, from_month, from_day) <= today:
                dates.append(date(year, month, 1))
    return dates


def edition_of(list_date: date) -> int:
    """1 for 1993-06, 2 for 1993-11, ... (the number top500.org gives each list)."""
    return (list_date.year - FIRST_LIST.year) * 2 + (1 if list_date.month == 6 else 2)


def file_name_for(list_date: date) -> str:
    ext = "xls" if list_date <= LAST_XLS_LIST else "xlsx"
    return f"TOP500_{list_date:%Y%m}.{ext}"


def list_date_of(file_name: str) -> date:
    match = FILE_NAME.match(file_name)
    if not match:
        raise SourceError(file_name, "file name is not TOP500_YYYYMM.xls or TOP500_YYYYMM.xlsx")
    year, month = int(match[1]), int(match[2])
    if month not in (6, 11) or year < FIRST_LIST.year:
        raise SourceError(
            file_name, f"no TOP500 list is published for {year}-{month:02d} (lists are June and November since 1993)"
        )
    return date(year, month, 1)


def file_key(list_date: date) -> str:
    return f"{list_date:%Y-%m}"
