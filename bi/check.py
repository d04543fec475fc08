"""`make bi-check`: a real BI tool, Apache Superset, reads the publication from both of its homes.

In a private directory: a PostgreSQL cluster on 127.0.0.1 (flows/pg_cluster.py), a warehouse made by
`top500 run` with TOP500_POSTGRES_DSN set (the DuckDB file published, then copied into PostgreSQL), and
Superset (bi/.venv, pinned by bi/superset.lock) serving on 127.0.0.1 with its metadata in that cluster.
Through Superset's REST API it registers the DuckDB file (read-only) and the PostgreSQL database (as the
reader role `top500_reader`), adds the mart `marts.country_list_stats` from each as a dataset, and runs one
chart query on each: the ten countries with the most systems on the 2026-06 list. Both answers must equal
the one DuckDB gives directly. Prints the API's answers; exits non-zero on any difference or failure.

Usage: python bi/check.py [--keep]   (--keep leaves the directory for a look; its path is printed)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import pg_cluster  # noqa: E402

SUPERSET = ROOT / "bi" / ".venv" / "bin" / "superset"
LIST = "2026-06"
MART = "country_list_stats"
TOP = 10
ADMIN = "bi-check"


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def run(argv: list, env: dict, timeout: float = 900) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, argv[:3]))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def publish_warehouse(work: Path, dsn: str) -> Path:
    """`top500 run` (bundled lists) into a private warehouse, PostgreSQL synced; returns the warehouse."""
    warehouse = work / "warehouse"
    env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(warehouse), "TOP500_POSTGRES_DSN": dsn, "CI": "1"}
    env.pop("PREFECT_API_URL", None)
    out = run([sys.executable, "-m", "flows.cli", "run"], env)
    print(out.strip())
    if "PostgreSQL: synced generation" not in out:
        raise SystemExit("the run did not sync PostgreSQL")
    return warehouse


def expected_answer(published: Path) -> list[dict]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            f"""select country, sum(systems) as systems from marts.{MART} where list_label = ?
                group by country order by systems desc, country limit {TOP}""",
            [LIST],
        ).fetchall()
    return [{"country": c, "systems": s} for c, s in rows]


class Superset:
    """`superset run` on 127.0.0.1 with its metadata in PostgreSQL, and an API session as its admin."""

    def __init__(self, work: Path, metadata_uri: str):
        self.home = work / "superset"
        self.home.mkdir()
        self.port = pg_cluster.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(16)
        self.env = {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(ROOT / "bi" / "superset_config.py"),
            "SUPERSET_HOME": str(self.home),
            "SUPERSET_SECRET_KEY": secrets.token_urlsafe(32),
            "SUPERSET_METADATA_URI": metadata_uri,
            "FLASK_APP": "superset",
            "PYTHONWARNINGS": "ignore",
        }
        self.process = None
        self.http = requests.Session()

    def start(self) -> None:
        step("superset db upgrade, fab create-admin, init")
        run([SUPERSET, "db", "upgrade"], self.env)
        run(
            [
                *(SUPERSET, "fab", "create-admin", "--username", ADMIN, "--firstname", "bi", "--lastname", "check"),
                *("--email", "bi-check@localhost", "--password", self.password),
            ],
            self.env,
        )
        run([SUPERSET, "init"], self.env)
        step(f"superset run on {self.url}")
        log = (self.home / "server.log").open("w")
        self.process = subprocess.Popen(
            [SUPERSET, "run", "-h", "127.0.0.1", "-p", str(self.port), "--with-threads"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while True:
            try:
                if self.http.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"superset did not start; see {self.home / 'server.log'}")
            time.sleep(0.5)
        token = self.api(
            "post",
            "security/login",
            json={"username": ADMIN, "password": self.password, "provider": "db", "refresh": False},
        )
        self.http.headers["Authorization"] = f"Bearer {token['access_token']}"
        self.http.headers["X-CSRFToken"] = self.api("get", "security/csrf_token/")["result"]
        self.http.headers["Referer"] = self.url

    def api(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, f"{self.url}/api/v1/{path}", timeout=120, **kwargs)
        if response.status_code >= 400:
            raise SystemExit(f"Superset {method.upper()} /api/v1/{path}: {response.status_code} {response.text[:2000]}")
        return response.json()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def add_database(self, name: str, uri: str) -> int:
        self.api("post", "database/test_connection/", json={"database_name": name, "sqlalchemy_uri": uri})
        return self.api("post", "database/", json={"database_name": name, "sqlalchemy_uri": uri})["id"]

    def add_dataset(self, database: int, schema: str, table: str) -> int:
        return self.api("post", "dataset/", json={"database": database, "schema": schema, "table_name": table})["id"]

    def chart_query(self, dataset: int) -> dict:
        """The chart's query: countries by systems on LIST, through the chart-data API."""
        metric = {
            "expressionType": "SIMPLE",
            "column": {"column_name": "systems"},
            "aggregate": "SUM",
            "label": "systems",
        }
        body = {
            "datasource": {"id": dataset, "type": "table"},
            "queries": [
                {
                    "columns": ["country"],
                    "metrics": [metric],
                    "filters": [{"col": "list_label", "op": "==", "val": LIST}],
                    "orderby": [[metric, False], ["country", True]],
                    "row_limit": TOP,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        }
        return self.api("post", "chart/data", json=body)


def main() -> None:
    keep = "--keep" in sys.argv[1:]
    if not SUPERSET.exists():
        raise SystemExit(f"{SUPERSET} is missing: run `make bi-check` (it installs bi/superset.lock)")
    work = Path(tempfile.mkdtemp(prefix="top500-bi-check-"))
    started = time.monotonic()
    step(f"working in {work}")
    cluster = pg_cluster.new_cluster()
    superset = None
    try:
        dsn = cluster.provision()
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE superset_meta OWNER {pg_cluster.LOADER}")
        step(f"PostgreSQL 15 on 127.0.0.1:{cluster.port}; top500 run with TOP500_POSTGRES_DSN={dsn}")
        warehouse = publish_warehouse(work, dsn)
        published = warehouse / "top500.duckdb"
        want = expected_answer(published)

        superset = Superset(
            work, cluster.dsn(pg_cluster.LOADER, "superset_meta").replace("postgresql:", "postgresql+psycopg2:")
        )
        superset.start()
        connections = {
            "DuckDB file (read-only)": f"duckdb:///{published.absolute()}?access_mode=READ_ONLY",  # the stable link
            "PostgreSQL (top500_reader)": cluster.dsn("top500_reader", pg_cluster.DATABASE).replace(
                "postgresql:", "postgresql+psycopg2:"
            ),
        }
        failures = []
        for name, uri in connections.items():
            database = superset.add_database(f"top500 {name}", uri)
            dataset = superset.add_dataset(database, "marts", MART)
            answer = superset.chart_query(dataset)
            result = answer["result"][0]
            step(f"{name}: {uri}")
            print(f"  query: {json.dumps(result['query'].strip())}\n  rowcount: {result['rowcount']}\n  data:")
            for row in result["data"]:
                print(f"    {json.dumps(row, ensure_ascii=False)}")
            got = [{"country": r["country"], "systems": r["systems"]} for r in result["data"]]
            if got != want:
                failures.append(f"{name}: Superset answered {got}, DuckDB directly {want}")
        if failures:
            raise SystemExit("\n".join(failures))
        step(
            f"bi-check passed: the chart query on marts.{MART} ({LIST}, top {TOP} countries by systems) "
            f"answered the same on both connections in Superset, as DuckDB does directly "
            f"({time.monotonic() - started:.0f} s)"
        )
    finally:
        if superset is not None:
            superset.stop()
        cluster.remove()
        if keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
