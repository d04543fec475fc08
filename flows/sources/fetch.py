"""HTTP downloads that either land a whole, checked file or land nothing.

requests + urllib3's Retry (connection errors and 5xx, with backoff and
Retry-After), explicit connect/read timeouts, a User-Agent, optional basic-auth
credentials from the environment. The body streams into a temporary file in
the landing directory, is checked, then renamed into place atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from flows.errors import SourceError
from flows.settings import Settings

log = logging.getLogger(__name__)
RETRY_STATUSES = (500, 502, 503, 504)


class NotFound(SourceError):
    """The server says the file does not exist (HTTP 404)."""


class TransientFetchError(SourceError):
    """Timeouts, refused connections, 5xx: worth another try later (not bad input)."""


def session_for(settings: Settings) -> requests.Session:
    session = requests.Session()
    retry = Retry(
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


def download(
    url: str,
    dest: Path,
    check: Callable[[Path], None],
    settings: Settings,
    session: requests.Session | None = None,
) -> str:
    """Fetch `url` into `dest` atomically; return the body's sha256.

    `check(tmp_path)` raises SourceError when the body is not what we asked
    for (an HTML login page served with 200, say); nothing lands then.
    """
    own_session = session is None
    session = session or session_for(settings)
    label = dest.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        try:
            with session.get(url, stream=True, timeout=(settings.http_connect_timeout_s, settings.http_read_timeout_s)) as resp:
                if resp.status_code == 404:
                    raise NotFound(label, f"HTTP 404 Not Found at {_safe(url)}")
                if resp.status_code in RETRY_STATUSES:
                    raise TransientFetchError(label, f"HTTP {resp.status_code} {resp.reason} after {settings.http_retries} retries from {_safe(url)}")
                if resp.status_code >= 400:
                    raise SourceError(label, f"HTTP {resp.status_code} {resp.reason} from {_safe(url)}")
                with os.fdopen(fd, "wb") as out:
                    fd = -1
                    for chunk in resp.iter_content(chunk_size=1 << 16):
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
        except requests.exceptions.RequestException as exc:
            raise TransientFetchError(label, f"{_describe(exc, settings)} ({_safe(url)})") from None
        check(tmp)
        os.replace(tmp, dest)
        log.info("fetched %s -> %s", _safe(url), dest.name)
        return digest.hexdigest()
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        if own_session:
            session.close()


def _describe(exc: requests.exceptions.RequestException, settings: Settings) -> str:
    """Say what went wrong in words, from the innermost urllib3 reason."""
    reason = exc.args[0] if exc.args else exc
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(reason, NewConnectionError):
        return f"could not connect after {settings.http_retries} retries"
    if isinstance(exc, requests.exceptions.Timeout) or isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)):
        return (f"timed out after {settings.http_retries} retries "
                f"(connect {settings.http_connect_timeout_s:g} s, read {settings.http_read_timeout_s:g} s)")
    if isinstance(exc, requests.exceptions.RetryError) or isinstance(reason, ResponseError):
        return f"server kept failing after {settings.http_retries} retries"
    return f"download failed: {type(reason).__name__}"


def _safe(url: str) -> str:
    """The URL without any user:password@ part, for messages and logs."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return urlunsplit(parts)
