"""A private, throwaway PostgreSQL cluster on 127.0.0.1: for the test suite, `make bench` and `make bi-check`.

Debian's PostgreSQL 15 (`apt-get install postgresql`): `initdb` refuses to run as root, and CI runs as root,
so as root the cluster belongs to `nobody` (its directory under /tmp, where nobody can reach it); as anyone
else it is the caller's own. Trust authentication on the loopback address and a socket in the cluster's own
directory: nothing listens beyond this machine. The loader and database a deployment would have are made by
`provision` (a login role with CREATEROLE owning its database, as docs/operations.md asks of an operator).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
LOADER = "top500_loader"
DATABASE = "top500"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed, or the cluster did not start."""


def bin_dir() -> Path:
    """Where `initdb` and `pg_ctl` live: Debian keeps them out of PATH, under /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise ClusterUnavailable("PostgreSQL server programs not found: apt-get install postgresql")
    return Path(versions[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    directory: Path
    port: int
    bin: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def dsn(self, user: str = SUPERUSER, database: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **_as_owner(),
        )

    def init(self) -> Cluster:
        made = self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync")
        if made.returncode != 0:
            raise ClusterUnavailable(f"initdb failed: {made.stderr.strip()[-500:]}")
        return self

    def start(self) -> Cluster:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start"
        )
        if started.returncode != 0:
            log = self.log.read_text()[-1500:] if self.log.exists() else ""
            raise ClusterUnavailable(f"pg_ctl start failed: {started.stderr.strip()[-500:]}\n{log}")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status").returncode == 0

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def provision(self) -> str:
        """The loader role (LOGIN, CREATEROLE) and the database it owns; returns the loader's DSN."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as con:
            exists = con.execute("select 1 from pg_roles where rolname = %s", [LOADER]).fetchone()
            if not exists:
                con.execute(f"CREATE ROLE {LOADER} LOGIN CREATEROLE")
            if not con.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone():
                con.execute(f"CREATE DATABASE {DATABASE} OWNER {LOADER}")
        return self.dsn(LOADER, DATABASE)


def _as_owner() -> dict:
    """subprocess options that run a server program as `nobody` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": "nogroup", "extra_groups": []}


def new_cluster(prefix: str = "top500-pg-") -> Cluster:
    """initdb a cluster in a new directory under /tmp and start it on a free port; `remove()` ends it."""
    directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(directory, "nobody", "nogroup")
    cluster = Cluster(directory, free_port(), bin_dir())
    try:
        cluster.init()
        deadline = time.monotonic() + 30
        while True:  # a free port can be taken between the probe and the start: try another
            try:
                return cluster.start()
            except ClusterUnavailable:
                if time.monotonic() > deadline:
                    raise
                cluster.port = free_port()
    except BaseException:
        cluster.remove()
        raise
