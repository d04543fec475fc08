"""The scheduled deployment of `flows.pipeline.refresh`, fitted to the TOP500 release calendar.

Why these runs. A new list is announced twice a year, on the first day of a
conference: ISC High Performance (the "June" list) and SC (the "November"
list). The days move: ISC ran from 13 May (2024) to 28 June (2021) over the
last decade, and the 2025 list came out on a Tuesday; SC lists came out between
12 and 18 November. Files also reach top500.org later than the press release
now and then, and corrected files follow (the 2025-11 list is dated 6 December;
the 2020-11 re-issue came in January). So instead of one run on a guessed day,
the deployment runs twice a week through each release season:

- ISC season, `0 6 * 5-7 2,5`: Tuesdays and Fridays 06:00 UTC, May to July.
- SC season,  `0 6 * 11,12 2,5`: Tuesdays and Fridays 06:00 UTC, November and December.

Tuesday 06:00 UTC is the morning after a Monday announcement, even one made in
the evening in the Americas (SC); Friday catches a Tuesday announcement (ISC
2025) and anything published late. Every run after the first of a season is
the retry window: a run that finds the site down or the file missing fails
visibly, and the next one three or four days later tries again. Runs that find
nothing new finish in seconds ("no new list") and publish nothing, so ~43 runs
a year cost nothing. UTC, because the two conferences sit in different time
zones and UTC has no daylight-saving jumps. One run at a time
(`concurrency_limit=1`): DuckDB allows a single writer of the build file.

The Prefect scheduler only creates runs about 100 days ahead, so outside a
season the UI shows no upcoming run; `next_runs()` computes them from the same
schedule objects the server uses.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone

from prefect.schedules import Cron, Schedule

DEPLOYMENT_NAME = "semiannual"
TIMEZONE = "UTC"
ISC_CRON = "0 6 * 5-7 2,5"
SC_CRON = "0 6 * 11,12 2,5"
# The months the schedule covers: release month plus margins either side.
SEASON_MONTHS = {"isc": (5, 6, 7), "sc": (11, 12)}
# The live site; `top500 serve --source` points the deployment elsewhere (a mirror, a directory).
DEFAULT_SOURCE = "https://www.top500.org"

# Announcement days of recent lists (top500.org list pages and press coverage);
# the schedule must reach each of them within a few days (tests/test_schedule.py).
RELEASE_DAYS = (
    date(2016, 6, 20), date(2016, 11, 14), date(2017, 6, 19), date(2017, 11, 13),
    date(2018, 6, 25), date(2018, 11, 12), date(2019, 6, 17), date(2019, 11, 18),
    date(2020, 6, 22), date(2020, 11, 16), date(2021, 6, 28), date(2021, 11, 15),
    date(2022, 5, 30), date(2022, 11, 14), date(2023, 5, 22), date(2023, 11, 13),
    date(2024, 5, 13), date(2024, 11, 18), date(2025, 6, 10), date(2025, 11, 17),
)


class NoServer(RuntimeError):
    """No Prefect server to serve against; the message says how to start one."""


def schedules() -> list[Schedule]:
    return [
        Cron(ISC_CRON, timezone=TIMEZONE, slug="isc-season"),
        Cron(SC_CRON, timezone=TIMEZONE, slug="sc-season"),
    ]


def deployment(source: str = DEFAULT_SOURCE):
    """The RunnerDeployment `serve` registers; importable so tests can inspect it without a server."""
    from prefect.deployments.runner import EntrypointType

    from flows.pipeline import refresh

    return refresh.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=schedules(),
        parameters={"source": source, "full_refresh": False},
        description=(
            "Refresh the TOP500 warehouse after each list: Tuesdays and Fridays 06:00 UTC "
            "in May-July (ISC) and November-December (SC). A run that finds no new list "
            "publishes nothing. See flows/schedule.py for why."
        ),
        tags=["top500", "semiannual"],
        concurrency_limit=1,
        # module path, not file path: works from any working directory of an installed checkout
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def next_runs(n: int = 6, after: datetime | None = None) -> list[datetime]:
    """The next `n` run times of the deployment, computed the way the Prefect server does."""
    from prefect.server.schemas.schedules import CronSchedule

    start = after or datetime.now(timezone.utc)

    async def dates() -> list[datetime]:
        found: list[datetime] = []
        for s in schedules():
            found += await CronSchedule(cron=s.cron, timezone=s.timezone, day_or=s.day_or).get_dates(n=n, start=start)
        return sorted(found)[:n]

    # plain stdlib datetimes (Prefect returns pendulum ones)
    return [datetime.fromtimestamp(d.timestamp(), tz=timezone.utc) for d in asyncio.run(dates())]


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _start_hint() -> str:
    return (
        "start one in another terminal and point the command at it:\n"
        "    prefect server start --host 127.0.0.1 --port 4200\n"
        "    export PREFECT_API_URL=http://127.0.0.1:4200/api\n"
        "    top500 serve"
    )


def check_server(url: str | None, timeout_s: float = 5.0) -> str:
    """The API URL if a server answers there; NoServer otherwise.

    Without this, Prefect would quietly start a temporary server on which
    schedules never fire.
    """
    if not url:
        raise NoServer(f"no Prefect server configured (PREFECT_API_URL is not set): {_start_hint()}")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout_s) as resp:
            if resp.status == 200:
                return url
            problem = f"answered HTTP {resp.status}"
    except (urllib.error.URLError, OSError) as exc:
        problem = f"is not reachable ({getattr(exc, 'reason', exc)})"
    raise NoServer(f"the Prefect server at PREFECT_API_URL={url} {problem}: {_start_hint()}")


def serve(source: str = DEFAULT_SOURCE) -> None:
    """Register the deployment and run its scheduled (and API-triggered) runs until interrupted."""
    from prefect import serve as prefect_serve

    url = check_server(api_url())
    print(f"serving deployment top500-refresh/{DEPLOYMENT_NAME} against {url}", file=sys.stderr)
    print(f"source: {source}; next runs (UTC): " + ", ".join(f"{d:%Y-%m-%d %H:%M}" for d in next_runs(4)), file=sys.stderr)
    prefect_serve(deployment(source), limit=1)


def days_to_next_run(release: date, hour_utc: int = 12) -> float:
    """Days from an announcement (taken as `hour_utc` on that day) to the first run after it."""
    announced = datetime(release.year, release.month, release.day, hour_utc, tzinfo=timezone.utc)
    first = next_runs(1, after=announced)[0]
    return (first - announced) / timedelta(days=1)
