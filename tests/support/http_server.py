"""A real HTTP server on 127.0.0.1 serving list files in top500.org's layout, with faults on demand.

Files are served with an ETag (their sha256) and a Last-Modified (their mtime), and conditional
requests are answered with 304, as a real web server does for static files.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flows.sources import green500
from flows.sources.top500 import list_date_of


@dataclass
class Fault:
    kind: str  # "html" | "status" | "slow" | "truncate" | "drip" (a byte every `seconds`, forever) | "endless"
    status: int = 500
    times: int = 10**9  # how many requests get the fault before the file is served
    seconds: float = 0.0


@dataclass
class Top500Site:
    """TOP500 files served at /lists/top500/YYYY/MM/download/NAME and Green500 files at /files/green500/NAME, as
    top500.org lays them out; everything else is 404."""

    files: dict[str, Path] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    credentials: tuple[str, str] | None = None
    requests: list[tuple[str, dict]] = field(default_factory=list)
    validators: bool = True  # send ETag/Last-Modified and answer conditional requests

    def add_directory(self, directory: Path) -> None:
        for path in sorted(directory.iterdir()):
            self.add_file(path)

    def add_file(self, path: Path) -> None:
        if green500.is_list_file(path.name):
            self.files[f"/files/green500/{path.name}"] = path
            return
        d = list_date_of(path.name)
        self.files[f"/lists/top500/{d:%Y/%m}/download/{path.name}"] = path

    def remove(self, name: str) -> None:
        del self.files[self.path_for(name)]

    def bodies(self, name: str) -> int:
        """Requests for `name` answered with the whole file (200), not 304."""
        return sum(1 for path, headers in self.requests if path.endswith("/" + name) and headers.get("_status") == 200)

    def path_for(self, name: str) -> str:
        return next(p for p in self.files if p.endswith("/" + name))

    def count(self, name: str) -> int:
        return sum(1 for path, _ in self.requests if path.endswith("/" + name))


def _handler(site: Top500Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            self._record = dict(self.headers)
            site.requests.append((self.path, self._record))
            if site.credentials and not self._authorized():
                return self._send(401, b"login required", "text/plain", {"WWW-Authenticate": 'Basic realm="top500"'})
            fault = site.faults.get(self.path)
            if fault and fault.times > 0:
                fault.times -= 1
                if fault.kind == "html":
                    page = b"<!DOCTYPE html><html><head><title>Login</title></head><body><form>Sign in</form></body></html>"
                    return self._send(200, page, "text/html")
                if fault.kind == "status":
                    return self._send(fault.status, b"server error", "text/plain")
                if fault.kind == "slow":
                    time.sleep(fault.seconds)
                if fault.kind in ("drip", "endless"):
                    return self._stream_forever(fault)
                if fault.kind == "truncate":
                    body = site.files[self.path].read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/vnd.ms-excel")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
            path = site.files.get(self.path)
            if path is None:
                return self._send(404, b"not found", "text/plain")
            body = path.read_bytes()
            if not site.validators:
                return self._send(200, body, "application/octet-stream")
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            modified = formatdate(path.stat().st_mtime, usegmt=True)
            headers = {"ETag": etag, "Last-Modified": modified}
            if self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == modified
            ):
                return self._send(304, b"", None, headers)
            return self._send(200, body, "application/octet-stream", headers)

        def _stream_forever(self, fault: Fault):
            """A 200 whose body never ends: a byte every `seconds` (drip) or as fast as it goes (endless)."""
            self._record["_status"] = 200
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                chunk = b"x" if fault.kind == "drip" else b"x" * 65536
                while True:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if fault.seconds:
                        time.sleep(fault.seconds)
            except (BrokenPipeError, ConnectionResetError):
                return None

        def _authorized(self) -> bool:
            user, password = site.credentials
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            return self.headers.get("Authorization") == expected

        def _send(self, status: int, body: bytes, content_type: str | None, headers: dict | None = None):
            self._record["_status"] = status
            try:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


class ServerThread:
    def __init__(self, site: Top500Site):
        self.site = site
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address
        return f"http://{host}:{port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """A plain static file server on 127.0.0.1 for `root` (the reference sources' layout); yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
