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
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
    date(2016, 6, 20),
    date(2016, 11, 14),
    date(2017, 6, 19),
    date(2017, 11, 13),
    date(2018, 6, 25),
    date(2018, 11, 12),
    date(2019, 6, 17),
    date(2019, 11, 18),
    date(2020, 6, 22),
    date(2020, 11, 16),
    date(2021, 6, 28),
    date(2021, 11, 15),
    date(2022, 5, 30),
    date(2022, 11, 14),
    date(2023, 5, 22),
    date(2023, 11, 13),
    date(2024, 5, 13),
    date(2024, 11, 18),
    date(2025, 6, 10),
    date(2025, 11, 17),
)


class NoServer(RuntimeError):
    """No Prefect server to serve against; the message says how to start one."""


def schedules() -> list[Schedule]:
    return [
        Cron(ISC_CRON, timezone=TIMEZONE, slug="isc-season"),
        Cron(SC_CRON, timezone=TIMEZONE, slug="sc-season"),
    ]


def absolute_source(source: str) -> str:
    """A directory source as an absolute path: served runs do not run where `top500 serve` was typed."""
    if source == "bundled" or "://" in source:
        return source
    return str(Path(source).expanduser().resolve())


def deployment(source: str = DEFAULT_SOURCE):
    """The RunnerDeployment `serve` registers; importable so tests can inspect it without a server."""
    from prefect.deployments.runner import EntrypointType

    from flows.pipeline import refresh

    return refresh.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=schedules(),
        parameters={"source": absolute_source(source), "full_refresh": False},
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

    start = after or datetime.now(UTC)

    async def dates() -> list[datetime]:
        found: list[datetime] = []
        for s in schedules():
            found += await CronSchedule(cron=s.cron, timezone=s.timezone, day_or=s.day_or).get_dates(n=n, start=start)
        return sorted(found)[:n]

    # plain stdlib datetimes (Prefect returns pendulum ones)
    return [datetime.fromtimestamp(d.timestamp(), tz=UTC) for d in asyncio.run(dates())]


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _start_hint(url: str | None = None) -> str:
    """How to start a server where PREFECT_API_URL points (or on the default port when it is unset)."""
    parts = urllib.parse.urlsplit(url or "http://127.0.0.1:4200/api")
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
    if url and host not in ("127.0.0.1", "localhost", "::1"):
        return f"start the server on {host} (or point PREFECT_API_URL at a running one), then run `top500 serve` again"
    return (
        "start one in another terminal and point the command at it:\n"
        f"    prefect server start --host {host} --port {port}\n"
        f"    export PREFECT_API_URL={url or f'http://{host}:{port}/api'}\n"
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
    raise NoServer(f"the Prefect server at PREFECT_API_URL={url} {problem}: {_start_hint(url)}")


def serve(source: str = DEFAULT_SOURCE) -> None:
    """Register the deployment and run its scheduled (and API-triggered) runs until interrupted."""
    from prefect import serve as prefect_serve

    url = check_server(api_url())
    source = absolute_source(source)
    print(f"serving deployment top500-refresh/{DEPLOYMENT_NAME} against {url}", file=sys.stderr)
    print(
        f"source: {source}; next runs (UTC): " + ", ".join(f"{d:%Y-%m-%d %H:%M}" for d in next_runs(4)), file=sys.stderr
    )
    prefect_serve(deployment(source), limit=1)


def days_to_next_run(release: date, hour_utc: int = 12) -> float:
    """Days from an announcement (taken as `hour_utc` on that day) to the first run after it."""
    announced = datetime(release.year, release.month, release.day, hour_utc, tzinfo=UTC)
    first = next_runs(1, after=announced)[0]
    return (first - announced) / timedelta(days=1)


# --- `top500 schedule`: the next runs and what the last one did --------------------------------------


def when(moment: datetime) -> str:
    """`Tue 2026-05-05 06:00 UTC (08:00 CEST local)`: UTC, and the machine's local time (TZ)."""
    utc = moment.astimezone(UTC)
    local = moment.astimezone()
    text = f"{utc:%a %Y-%m-%d %H:%M} UTC"
    if local.utcoffset() != timedelta(0):
        same_day = local.date() == utc.date()
        text += f" ({local:%H:%M} {local:%Z} local)" if same_day else f" ({local:%a %Y-%m-%d %H:%M %Z} local)"
    return text


def describe(count: int = 6, now: datetime | None = None, settings=None) -> list[str]:
    """The lines `top500 schedule` prints."""
    from flows.settings import get_settings

    settings = settings or get_settings()
    lines = [
        f"deployment top500-refresh/{DEPLOYMENT_NAME}: Tuesdays and Fridays 06:00 UTC in May-July (ISC) "
        "and November-December (SC); see docs/operations.md",
        f"next {count} runs:" if count > 1 else "next run:",
    ]
    lines += [f"  {when(d)}" for d in next_runs(count, after=now)]
    url = api_url()
    server = None
    if url:
        try:
            server = _last_flow_run(check_server(url, timeout_s=3.0))
        except NoServer:
            lines.append(f"Prefect server at PREFECT_API_URL={url}: not reachable")
        except Exception as exc:  # an old server, a permission problem: say so, go on
            lines.append(f"Prefect server at {url}: could not read the deployment ({type(exc).__name__}: {exc})")
    else:
        lines.append("Prefect: PREFECT_API_URL is not set; the runs above are computed from the schedule")
    if server:
        lines.append(server)
    local = _last_local_run(settings)
    published = _published_run(settings)
    if local:
        lines.append(local)
    if published:
        lines.append(published)
    if not (server or local or published):
        lines.append(
            f"last run: none recorded (no {settings.published_db} and no {settings.build_dir / 'last_run.json'})"
        )
    return lines


def _last_flow_run(url: str) -> str:
    """The deployment's latest flow run on the server: state, times, and the run's summary artifact."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterStartTime,
    )
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            dep = client.read_deployment_by_name(f"top500-refresh/{DEPLOYMENT_NAME}")
        except ObjectNotFound:
            return f"Prefect server at {url}: the deployment is not registered (run `top500 serve`)"
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(is_null_=False)),
            deployment_filter=_deployment_filter(dep.id),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        paused = "" if not getattr(dep, "paused", False) else " (schedule paused: no `top500 serve` running)"
        if not runs:
            return f"Prefect server at {url}: deployment registered{paused}, no run yet"
        run = runs[0]
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
        summary = next((a.description for a in artifacts if a.key == "top500-refresh-summary" and a.description), None)
    state = run.state.name if run.state else "unknown"
    took = f", {run.total_run_time.total_seconds():.0f} s" if run.total_run_time else ""
    text = f"last run (Prefect server {url}): {run.name} started {when(run.start_time)}, {state}{took}"
    if run.state and run.state.message and not run.state.is_completed():
        text += f": {run.state.message.splitlines()[0]}"
    return text + (f"; {summary}" if summary else "") + paused


def _deployment_filter(deployment_id):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    return DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))


def _last_local_run(settings) -> str | None:
    """The last run of this warehouse as the pipeline recorded it when it finished (any outcome)."""
    path = settings.build_dir / "last_run.json"
    try:
        run = json.loads(path.read_text())
        started = datetime.fromisoformat(run["started_at"]).replace(tzinfo=UTC)  # recorded in UTC
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (
        f"last run ({path}): started {when(started)}, {run.get('status', '?')} in "
        f"{run.get('duration_s', 0):.0f} s: {run.get('headline') or run.get('message')}; "
        f"source {run.get('source', '?')}"
    )


def _published_run(settings) -> str | None:
    """Which run made what is published, from the publication's own record (publication.json)."""
    from flows import publish

    current = publish.current(settings)
    if current is None:
        return None
    published = datetime.fromisoformat(current.published_at.rstrip("Z")).replace(tzinfo=UTC)
    lists = current.lists
    return (
        f"published file {settings.published_db}: generation {current.generation} "
        f"({lists.get('count', 0)} lists, {lists.get('first')} .. {lists.get('last')}), made by run "
        f"{current.run_id[:8]} from {current.source}, published {when(published)}"
    )
