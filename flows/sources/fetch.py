"""HTTP downloads that either land a whole, checked file or land nothing.

requests + urllib3's Retry (connection errors and 5xx, with backoff and
Retry-After), explicit connect/read timeouts plus a total time and size limit,
a User-Agent, optional basic-auth credentials from the environment (never from
the URL). The body streams into a temporary file in the landing directory, is
checked, then renamed into place atomically; the server's validators (ETag,
Last-Modified) are kept beside it so the next run asks "changed since?".
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from flows.errors import SourceError, TemporaryRefusal
from flows.settings import Settings

log = logging.getLogger(__name__)
RETRY_STATUSES = (500, 502, 503, 504)


class NotFound(SourceError):
    """The server says the file does not exist (HTTP 404)."""


class TransientFetchError(SourceError):
    """Timeouts, refused connections, 5xx: worth another try later (not bad input)."""


class RateLimited(TemporaryRefusal):
    """HTTP 429 Too Many Requests, and the server's Retry-After does not fit in the download's deadline."""


class _Retry(Retry):
    """urllib3's retries without its own handling of 429: urllib3 would sleep whatever Retry-After says (an
    hour, say); `download` honours it only within TOP500_HTTP_TOTAL_TIMEOUT_S and says so."""

    RETRY_AFTER_STATUS_CODES = frozenset(Retry.RETRY_AFTER_STATUS_CODES - {429})


def session_for(settings: Settings) -> requests.Session:
    session = requests.Session()
    retry = _Retry(
        total=settings.http_retries,
        connect=settings.http_retries,
        read=settings.http_retries,
        status=settings.http_retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=settings.http_backoff_s,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.http_user_agent
    if settings.http_username:
        password = settings.http_password.get_secret_value() if settings.http_password else ""
        session.auth = (settings.http_username, password)
    return session


@dataclass(frozen=True)
class Validators:
    """What the server said about a body we keep: replayed as a conditional request next time."""

    etag: str | None = None
    last_modified: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    @property
    def conditional(self) -> bool:
        return bool(self.etag or self.last_modified)


def read_validators(path: Path) -> Validators | None:
    """The validators recorded next to a landed file (None when there are none)."""
    meta = validators_path(path)
    if not path.exists() or not meta.exists():
        return None
    try:
        return Validators(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def validators_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.http.json")


def download(
    url: str,
    dest: Path,
    check: Callable[[Path], None],
    settings: Settings,
    session: requests.Session | None = None,
    known: Validators | None = None,
) -> bool:
    """Fetch `url` into `dest` atomically; False when the server says our copy is current (304).

    `known` (the validators recorded when `dest` landed) makes the request conditional, so a
    re-issued file is noticed without downloading every file on every run. `check(tmp_path)`
    raises SourceError when the body is not what we asked for (an HTML login page served with
    200, say); nothing lands then. A body that arrives too slowly overall
    (`http_total_timeout_s`) or grows past `http_max_bytes` stops the download the same way.
    """
    own_session = session is None
    session = session or session_for(settings)
    label = dest.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    tmp = Path(tmp_name)
    headers = known.request_headers() if known and dest.exists() else {}
    try:
        digest = hashlib.sha256()
        started = time.monotonic()
        try:
            with _get(session, url, headers, settings, label, started) as resp:
                if resp.status_code == 304 and headers:
                    return False
                if resp.status_code == 404:
                    raise NotFound(label, f"HTTP 404 Not Found at {_safe(url)}")
                if resp.status_code in RETRY_STATUSES:
                    raise TransientFetchError(
                        label,
                        f"HTTP {resp.status_code} {resp.reason} after {settings.http_retries} retries from {_safe(url)}",
                    )
                if resp.status_code >= 400:
                    raise SourceError(label, f"HTTP {resp.status_code} {resp.reason} from {_safe(url)}")
                announced = int(resp.headers.get("Content-Length") or 0)
                if announced > settings.http_max_bytes:
                    raise SourceError(
                        label,
                        f"the server announces {announced:,} bytes, more than "
                        f"TOP500_HTTP_MAX_BYTES={settings.http_max_bytes:,} ({_safe(url)})",
                    )
                size = 0
                with os.fdopen(fd, "wb") as out:
                    fd = -1
                    # read1: whatever one socket read returns, so the clocks below run even when a
                    # server drips a byte at a time (iter_content would wait for a whole chunk).
                    while chunk := resp.raw.read1(1 << 16, decode_content=True):
                        size += len(chunk)
                        if size > settings.http_max_bytes:
                            raise SourceError(
                                label,
                                f"download stopped at {size:,} bytes: more than "
                                f"TOP500_HTTP_MAX_BYTES={settings.http_max_bytes:,} ({_safe(url)})",
                            )
                        if time.monotonic() - started > settings.http_total_timeout_s:
                            raise SourceError(
                                label,
                                f"download stopped after {settings.http_total_timeout_s:g} s "
                                f"(TOP500_HTTP_TOTAL_TIMEOUT_S) with {size:,} bytes received ({_safe(url)})",
                            )
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                received = Validators(
                    resp.headers.get("ETag"), resp.headers.get("Last-Modified"), size, digest.hexdigest()
                )
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise TransientFetchError(label, f"{_describe(exc, settings)} ({_safe(url)})") from None
        check(tmp)
        os.replace(tmp, dest)
        _write_validators(dest, received)
        log.info("fetched %s -> %s", _safe(url), dest.name)
        return True
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        if own_session:
            session.close()


def _get(
    session: requests.Session, url: str, headers: dict, settings: Settings, label: str, started: float
) -> requests.Response:
    """GET `url`, streamed; an HTTP 429 is waited out as its Retry-After asks (a warning says so) while the wait
    fits before the download's deadline and retries remain, else RateLimited."""
    for attempt in range(settings.http_retries + 1):
        resp = session.get(
            url, stream=True, headers=headers, timeout=(settings.http_connect_timeout_s, settings.http_read_timeout_s)
        )
        if resp.status_code != 429:
            return resp
        resp.close()
        wait = _retry_after(resp.headers.get("Retry-After"), settings.http_backoff_s * 2**attempt)
        left = settings.http_total_timeout_s - (time.monotonic() - started)
        if attempt < settings.http_retries and wait <= left:
            log.warning(
                "%s: HTTP 429 Too Many Requests from %s; waited %g s as the server asked (Retry-After), then asked again",
                label,
                _safe(url),
                wait,
            )
            time.sleep(wait)
            continue
        why = (
            f"asks to wait {wait:g} s (Retry-After), beyond the {settings.http_total_timeout_s:g} s a download may take "
            "(TOP500_HTTP_TOTAL_TIMEOUT_S)"
            if wait > left
            else f"still refused after {settings.http_retries} waits"
        )
        raise RateLimited(label, f"HTTP 429 Too Many Requests from {_safe(url)}: the server refuses for now and {why}")
    raise AssertionError("unreachable")


def _retry_after(value: str | None, default: float) -> float:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date (default when absent or bad)."""
    from email.utils import parsedate_to_datetime

    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    from datetime import UTC, datetime

    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _write_validators(dest: Path, validators: Validators) -> None:
    meta = validators_path(dest)
    tmp = meta.with_name(meta.name + ".partial")
    tmp.write_text(json.dumps(asdict(validators)))
    os.replace(tmp, meta)


def _describe(exc: Exception, settings: Settings) -> str:
    """Say what went wrong in words, from the innermost urllib3 reason."""
    reason = exc if isinstance(exc, urllib3.exceptions.HTTPError) else (exc.args[0] if exc.args else exc)
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(reason, NewConnectionError):
        return f"could not connect after {settings.http_retries} retries"
    if isinstance(exc, requests.exceptions.Timeout) or isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)):
        return (
            f"timed out after {settings.http_retries} retries "
            f"(connect {settings.http_connect_timeout_s:g} s, read {settings.http_read_timeout_s:g} s)"
        )
    if isinstance(exc, requests.exceptions.RetryError) or isinstance(reason, ResponseError):
        return f"server kept failing after {settings.http_retries} retries"
    return f"download failed: {type(reason).__name__}"


def refuse_credentials(source: str) -> None:
    """A user:password@ in a source URL would end up in the warehouse, Prefect and logs: refuse it."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and (parts.username or parts.password):
        raise SourceError(
            _safe(source),
            "credentials in a URL are refused (they would be stored in the warehouse, Prefect's database and "
            "logs); set TOP500_HTTP_USERNAME and TOP500_HTTP_PASSWORD in the environment instead",
        )


def _safe(url: str) -> str:
    """The URL without any user:password@ part, for messages and logs."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return urlunsplit(parts)
