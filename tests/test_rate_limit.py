"""HTTP 429 Too Many Requests is a temporary refusal, not bad input: a Retry-After that fits in the download's
deadline is waited out and the run says so; one that does not stops the run at once with exit status 75 (try again later)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from flows.files import sha256_of
from flows.sources.fetch import _retry_after
from support.http_server import Fault, ServerThread, Top500Site
from support.warehouses import copy_bundled

EARLY = ["TOP500_199306.xls", "TOP500_199311.xls", "TOP500_199406.xls"]
AS_OF = {"TOP500_AS_OF_DATE": "1994-11-20"}  # 1994-11 is expected by then; the site has not published it


def test_retry_after_is_seconds_or_an_http_date():
    assert _retry_after("7", 1.0) == 7.0
    assert _retry_after(None, 1.5) == 1.5
    assert _retry_after("soon", 2.0) == 2.0
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= _retry_after(in_a_minute, 1.0) <= 60


@pytest.mark.slow
def test_a_429_is_waited_out_within_the_deadline_or_is_a_refusal_for_now(cli, tmp_path):
    site = Top500Site()
    site.add_directory(copy_bundled(tmp_path / "site", EARLY))
    with ServerThread(site) as server:
        cli("run", "--source", server.base_url, extra_env=AS_OF, check=True)
        before = sha256_of(cli.warehouse / "top500.duckdb")
        url = f"{server.base_url}{site.path_for('TOP500_199406.xls')}"

        site.faults[site.path_for("TOP500_199406.xls")] = Fault(
            "status", status=429, times=1, headers={"Retry-After": "1"}
        )
        waited = cli("run", "--source", server.base_url, extra_env=AS_OF, check=True)
        # as of that day 1994-11 is due but not out: the headline says so
        assert waited.stdout.startswith(
            "no new list (1994-11 not published yet): 3 lists in the warehouse (1993-06..1994-06)"
        ), waited.stdout
        assert (
            f"warning: TOP500_199406.xls: HTTP 429 Too Many Requests from {url}; waited 1 s as the server asked "
            "(Retry-After), then asked again"
        ) in waited.stderr.splitlines()
        assert site.count("TOP500_199406.xls") == 3  # the first run, the refusal, the request after the wait

        site.faults[site.path_for("TOP500_199406.xls")] = Fault("status", status=429, headers={"Retry-After": "3600"})
        refused = cli("run", "--source", server.base_url, extra_env=AS_OF)
    assert refused.returncode == 75
    assert refused.stderr.splitlines() == [
        "error: the source refused for now; try again later (nothing was changed):",
        f"TOP500_199406.xls: HTTP 429 Too Many Requests from {url}: the server refuses for now and asks to wait "
        "3600 s (Retry-After), beyond the 300 s a download may take (TOP500_HTTP_TOTAL_TIMEOUT_S)",
    ]
    assert sha256_of(cli.warehouse / "top500.duckdb") == before
