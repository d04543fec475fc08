"""The HTTP source against a real server on 127.0.0.1 serving the bundled files."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from flows.errors import SourceError, SourceErrors
from flows.files import sha256_of
from flows.sources import top500, top500_calendar, top500_http
from support.http_server import Fault, ServerThread, Top500Site
from support.warehouses import BUNDLED_LISTS, copy_bundled, make_settings

EARLY = ["TOP500_199306.xls", "TOP500_199311.xls", "TOP500_199406.xls"]
TODAY = date(1994, 11, 20)  # 1994-11 is expected but "not out yet" on this server


@pytest.fixture
def site(tmp_path):
    site = Top500Site()
    site.add_directory(copy_bundled(tmp_path / "served", EARLY))
    return site


@pytest.fixture
def fast_settings(tmp_path):
    return make_settings(tmp_path, http_retries=2, http_backoff_s=0.01, http_read_timeout_s=1.0)


def landed(settings):
    """Landed list files; anything else in the landing zone but their validators is a leftover."""
    names = [p.name for p in top500_http.landing_dir(settings).iterdir()]
    assert all(n.startswith("TOP500_") or n.endswith(".http.json") for n in names), names
    return sorted(n for n in names if n.startswith("TOP500_"))


def test_fetches_every_list_once_and_later_asks_only_whether_it_changed(site, fast_settings):
    with ServerThread(site) as server:
        files = top500.collect(server.base_url, fast_settings, TODAY)
        assert [f.file_key for f in files] == ["1993-06", "1993-11", "1994-06"]
        for f in files:
            assert f.sha256 == sha256_of(BUNDLED_LISTS / f.file_name)
            assert f.source_uri.startswith(server.base_url + "/lists/top500/")
        assert landed(fast_settings) == EARLY  # no temporary files left behind
        assert [site.bodies(n) for n in EARLY] == [1, 1, 1]
        served = len(site.requests)
        assert top500.collect(server.base_url, fast_settings, TODAY) == files
        again = site.requests[served:]
        # every landed list is asked for with its validators and answered 304; the pending one 404
        assert [(p.rsplit("/", 1)[1], h.get("_status")) for p, h in again] == [
            ("TOP500_199306.xls", 304),
            ("TOP500_199311.xls", 304),
            ("TOP500_199406.xls", 304),
            ("TOP500_199411.xls", 404),
        ]
        assert all("If-None-Match" in h for p, h in again[:3])


def test_a_reissued_file_on_the_server_is_fetched_again_and_only_that_one(tmp_path, fast_settings):
    """top500.org re-issued 2020-11 in January 2021: the first file, then the re-issue, at the same URL."""
    from support.warehouses import REISSUE_ORIGINAL

    served = copy_bundled(
        tmp_path / "served",
        [p.name for p in sorted(BUNDLED_LISTS.iterdir()) if top500_calendar.list_date_of(p.name) < date(2020, 11, 1)],
    )
    (served / "TOP500_202011.xlsx").write_bytes(REISSUE_ORIGINAL.read_bytes())
    site = Top500Site()
    site.add_directory(served)
    as_of = date(2021, 2, 1)
    landed_2020_11 = top500_http.landing_dir(fast_settings) / "TOP500_202011.xlsx"
    with ServerThread(site) as server:
        first = top500_http.FetchReport([], 0, [])
        top500_http.collect(server.base_url, fast_settings, as_of, first)
        assert len(first.downloaded) == 56 and sha256_of(landed_2020_11) == sha256_of(REISSUE_ORIGINAL)

        (served / "TOP500_202011.xlsx").write_bytes((BUNDLED_LISTS / "TOP500_202011.xlsx").read_bytes())
        second = top500_http.FetchReport([], 0, [])
        files = top500_http.collect(server.base_url, fast_settings, as_of, second)
        assert (second.downloaded, second.not_modified) == (["TOP500_202011.xlsx"], 55)
        assert sha256_of(landed_2020_11) == sha256_of(BUNDLED_LISTS / "TOP500_202011.xlsx")
        assert next(f for f in files if f.file_key == "2020-11").sha256 == sha256_of(landed_2020_11)


def test_sends_a_user_agent_and_credentials_from_the_environment(site, tmp_path, monkeypatch, caplog):
    site.credentials = ("analyst", "s3cret-pass")
    monkeypatch.setenv("TOP500_HTTP_USERNAME", "analyst")
    monkeypatch.setenv("TOP500_HTTP_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("TOP500_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    from flows.settings import get_settings

    settings = get_settings()
    caplog.set_level(logging.DEBUG)
    with ServerThread(site) as server:
        top500.collect(server.base_url, settings, TODAY)
    headers = site.requests[0][1]
    assert headers["User-Agent"].startswith("top500-warehouse/")
    assert "s3cret-pass" not in caplog.text
    assert "s3cret-pass" not in repr(settings)
    assert len(landed(settings)) == 3


def test_wrong_credentials_are_a_clear_error(site, fast_settings):
    site.credentials = ("analyst", "right")
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert "HTTP 401" in str(info.value)
    assert not top500_http.landing_dir(fast_settings).exists() or landed(fast_settings) == []


def test_html_login_page_with_status_200_is_not_a_list(site, fast_settings):
    site.faults[site.path_for("TOP500_199311.xls")] = Fault("html")
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert str(info.value) == "TOP500_199311.xls: is an HTML page, not an Excel workbook (a login or error page?)"
    assert landed(fast_settings) == ["TOP500_199306.xls", "TOP500_199406.xls"]


def test_server_errors_are_retried_with_backoff(site, fast_settings):
    site.faults[site.path_for("TOP500_199306.xls")] = Fault("status", status=503, times=2)
    with ServerThread(site) as server:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert site.count("TOP500_199306.xls") == 3
    assert "TOP500_199306.xls" in landed(fast_settings)


def test_persistent_500_fails_after_the_retries(site, fast_settings):
    site.faults[site.path_for("TOP500_199406.xls")] = Fault("status", status=500)
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    message = str(info.value)
    assert "TOP500_199406.xls" in message and ("HTTP 500" in message or "retries" in message)
    assert site.count("TOP500_199406.xls") == 1 + fast_settings.http_retries
    assert "TOP500_199406.xls" not in landed(fast_settings)


def test_missing_older_list_is_an_error_but_the_newest_may_be_pending(tmp_path, fast_settings):
    site = Top500Site()
    site.add_directory(copy_bundled(tmp_path / "served", ["TOP500_199306.xls", "TOP500_199406.xls"]))
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert str(info.value).startswith("TOP500_199311.xls: HTTP 404 Not Found at http")


def test_read_timeout(site, fast_settings):
    site.faults[site.path_for("TOP500_199306.xls")] = Fault("slow", seconds=3.0)
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert "TOP500_199306.xls: timed out" in str(info.value)
    assert "TOP500_199306.xls" not in landed(fast_settings)


def test_truncated_download_lands_nothing(site, fast_settings):
    site.faults[site.path_for("TOP500_199311.xls")] = Fault("truncate")
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert "TOP500_199311.xls: download failed: ProtocolError" in str(info.value)
    assert landed(fast_settings) == ["TOP500_199306.xls", "TOP500_199406.xls"]


def test_connection_refused(fast_settings):
    from support.tools import free_port

    with pytest.raises(SourceErrors) as info:
        top500.collect(f"http://127.0.0.1:{free_port()}", fast_settings, date(1993, 7, 1))
    assert "could not connect" in str(info.value)


def test_error_messages_are_source_errors(site, fast_settings):
    site.faults[site.path_for("TOP500_199306.xls")] = Fault("html")
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, fast_settings, TODAY)
    assert all(isinstance(e, SourceError) for e in info.value.errors)


def test_a_body_that_drips_forever_is_stopped_by_the_total_time_limit(site, tmp_path):
    settings = make_settings(tmp_path, http_retries=0, http_read_timeout_s=5.0, http_total_timeout_s=2.0)
    site.faults[site.path_for("TOP500_199311.xls")] = Fault("drip", seconds=0.2)  # each read is quick
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, settings, TODAY)
    message = str(info.value)
    assert message.startswith("TOP500_199311.xls: download stopped after 2 s (TOP500_HTTP_TOTAL_TIMEOUT_S)"), message
    assert "TOP500_199311.xls" not in landed(settings)


def test_a_body_larger_than_the_size_limit_is_stopped(site, tmp_path):
    settings = make_settings(tmp_path, http_retries=0, http_max_bytes=2_000_000)
    site.faults[site.path_for("TOP500_199311.xls")] = Fault("endless")
    with ServerThread(site) as server, pytest.raises(SourceErrors) as info:
        top500.collect(server.base_url, settings, TODAY)
    assert str(info.value).startswith("TOP500_199311.xls: download stopped at 2,0"), str(
        info.value
    )  # the first chunk past the limit
    assert "more than TOP500_HTTP_MAX_BYTES=2,000,000" in str(info.value)
    assert "TOP500_199311.xls" not in landed(settings)


def test_credentials_in_a_url_are_refused_before_anything_is_asked():
    from flows.sources.fetch import refuse_credentials

    with pytest.raises(SourceError) as info:
        refuse_credentials("http://alice:s3cret@127.0.0.1:9/lists")
    assert "s3cret" not in str(info.value)
    assert str(info.value).startswith("http://127.0.0.1:9/lists: credentials in a URL are refused")
    refuse_credentials("https://www.top500.org")  # no userinfo: fine
