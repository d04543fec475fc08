"""`make bench`: how fast and how big, measured on this machine.

Writes bench/results.json and prints a table. Every figure is the median of
several runs, with min and max. The pipeline runs as users run it (`top500
run` in a subprocess, each in a private warehouse directory), in two set-ups:
as `make run` does, with no Prefect server configured (the CLI starts its lean
temporary server: the top-level keys), and as an operator runs it, against a
Prefect server that is already running (`with_server`: PREFECT_API_URL set,
the server started once by the bench). Peak memory is the sum of the RSS of
the whole process tree (CLI, temporary server, anything they start), sampled
every 20 ms; in `with_server` the server is not in the tree and its own RSS is
reported beside it.

The 10x scale figures run the pipeline's stages in a fresh process without
Prefect (`run_stages`), on the real lists and on 670 synthetic ones, so the
ratio compares like with like.

Usage: python bench/run.py [--repeat N] [--skip-scale] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import load  # noqa: E402
from flows.analyst import analyst_questions  # noqa: E402
from flows.settings import Settings  # noqa: E402
from flows.sources import top500, top500_calendar  # noqa: E402

BUNDLED = ROOT / "warehouse" / "sources" / "top500" / "raw"
GOALS = {  # the targets each figure is measured against
    "full_rebuild_s": ("<=", 15.0),
    "noop_run_s": ("<=", 3.0),
    "incremental_run_s": ("<=", 10.0),
    "peak_rss_mb": ("<=", 600.0),
    "parse_load_all_lists_s": ("<=", 1.0),
    "scale_10x_time_ratio": ("<=", 3.0),
    "query_p95_ms": ("<", 50.0),
    "postgres_sync_s": ("<=", 2.0),  # the whole publication into PostgreSQL, replacing the one it served
}


def stats(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


SERVER_URL: str | None = None  # set while a `with_server` pass runs


def run_cli(warehouse: Path, *args: str) -> tuple[float, float, dict]:
    """(wall seconds, peak tree RSS MB, last_run.json) of one `top500 run`."""
    env = {**os.environ, "TOP500_WAREHOUSE_DIR": str(warehouse), "CI": "1"}
    env.pop("PREFECT_API_URL", None)  # as `make run` does: a temporary Prefect server
    if SERVER_URL:
        env["PREFECT_API_URL"] = SERVER_URL
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with TreeMemory(proc.pid) as memory:
        output, _ = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"top500 run {' '.join(args)} failed:\n{output[-4000:]}")
    summary = json.loads((warehouse / "build" / "last_run.json").read_text())
    return wall, memory.peak / 1e6, summary


def bench_pipeline(work: Path, repeat: int) -> dict:
    """Full rebuilds (each in a new warehouse: every list loaded, gated, built and published, as a first
    `make run` does) and no-op runs (a scheduled run finding nothing new). dbt's parse of the project is
    kept for new warehouses (flows.transform), so after the first rebuild the others start from it, as a
    second warehouse of the same checkout does; `stages_s.dbt` shows both in its min and max."""
    walls, peaks, stages, startup = [], [], {}, []
    for i in range(repeat):
        warehouse = work / f"full-{i}"
        wall, peak, summary = run_cli(warehouse, "--full-refresh")
        walls.append(wall)
        peaks.append(peak)
        startup.append(wall - summary["duration_s"])
        for stage, seconds in summary["stages_s"].items():
            stages.setdefault(stage, []).append(seconds)
    noop = [run_cli(warehouse)[0] for _ in range(repeat)]
    return {
        "full_rebuild_s": stats(walls),
        "peak_rss_mb": stats(peaks),
        "stages_s": {k: stats(v) for k, v in stages.items()},
        "outside_the_flow_s": stats(startup),  # interpreter, imports, Prefect server start and exit
        "outside_the_flow_share": round(statistics.median(startup) / statistics.median(walls), 3),
        "noop_run_s": stats(noop),
        "published_db": str(warehouse / "top500.duckdb"),
    }


def bench_incremental(work: Path, repeat: int) -> dict:
    walls, proofs, stages = [], [], {}
    names = sorted(p.name for p in BUNDLED.iterdir())
    for i in range(repeat):
        src = work / f"incremental-src-{i}"
        src.mkdir()
        for name in names[:-1]:
            os.link(BUNDLED / name, src / name)
        warehouse = work / f"incremental-{i}"
        run_cli(warehouse, "--source", str(src))
        os.link(BUNDLED / names[-1], src / names[-1])
        wall, _, summary = run_cli(warehouse, "--source", str(src))
        walls.append(wall)
        for stage, seconds in summary["stages_s"].items():
            stages.setdefault(stage, []).append(seconds)
        proofs.append(
            {
                "lists_added": summary["lists_added"],
                "files_loaded": summary["files_loaded"],
                "list_rows_loaded": summary["list_rows_loaded"],
            }
        )
    return {
        "incremental_run_s": stats(walls),
        "incremental_stages_s": {k: stats(v) for k, v in stages.items()},
        "incremental_proof": proofs[-1],
    }


def bench_with_server(work: Path, repeat: int) -> dict:
    """Full, no-op and incremental runs against a Prefect server started once (an operator's set-up)."""
    global SERVER_URL
    from flows.prefect_api import TemporaryServer

    work.mkdir(parents=True)
    server = TemporaryServer(work / "prefect-server.log")
    try:
        server.wait_ready()
        SERVER_URL = server.url
        pipeline = bench_pipeline(work, repeat)
        pipeline.pop("published_db")
        incremental = bench_incremental(work, repeat)
        server_rss = psutil.Process(server.process.pid).memory_info().rss / 1e6
    finally:
        SERVER_URL = None
        server.stop()
    keys = ("full_rebuild_s", "noop_run_s", "peak_rss_mb", "stages_s", "outside_the_flow_s")
    return {
        **{k: pipeline[k] for k in keys},
        "incremental_run_s": incremental["incremental_run_s"],
        "server_rss_mb": round(server_rss, 1),
    }


def bench_parse_load(work: Path, repeat: int, source_dir: Path = BUNDLED) -> dict:
    from python_calamine import CalamineWorkbook

    settings = Settings(warehouse_dir=work / "parse")
    files = top500.collect(str(source_dir), settings)
    floor, total = [], []
    for i in range(repeat):
        started = time.perf_counter()
        for f in files:
            CalamineWorkbook.from_path(str(f.path)).get_sheet_by_index(0).to_python()
        floor.append(time.perf_counter() - started)

        db = work / f"parse-{i}.duckdb"
        started = time.perf_counter()
        parsed = top500.parse_all(top500.collect(str(source_dir), settings))
        with load.connect(db) as con:
            load.load_files(con, parsed, "bench")
        total.append(time.perf_counter() - started)
        db.unlink()
    return {"lists": len(files), "parse_load_s": stats(total), "calamine_floor_s": stats(floor)}


def synthetic_lists(dst: Path, factor: int) -> Path:
    """`factor` x the real lists: each real file again under later list dates (real workbooks, real parsing).

    The few lists whose Rmax > Rpeak excesses are accepted by date (expectations/top500_rmax_tolerance.json)
    would rightly fail the gate under another date, so their copies use the next list's file instead.
    """
    dst.mkdir(parents=True, exist_ok=True)
    tolerated = {
        e["list"] for e in json.loads((ROOT / "expectations" / "top500_rmax_tolerance.json").read_text())["exceptions"]
    }
    paths = sorted(BUNDLED.iterdir())
    years = [top500_calendar.list_date_of(p.name).year for p in paths]
    span = years[-1] - years[0] + 1  # years the real lists cover (34 to 2026), so copies never collide
    for i, path in enumerate(paths):
        d = top500_calendar.list_date_of(path.name)
        for k in range(factor):
            source = path
            if k and f"{d:%Y-%m}" in tolerated:
                source = next(
                    p
                    for p in paths[i + 1 :] + paths
                    if f"{top500_calendar.list_date_of(p.name):%Y-%m}" not in tolerated
                )
            shifted = date(d.year + k * span, d.month, 1)
            target = dst / f"TOP500_{shifted:%Y%m}{source.suffix}"
            distinct_copy(source, target, tag=f"bench copy: {target.name}")
    return dst


def distinct_copy(source: Path, target: Path, tag: str) -> None:
    """The same workbook in other bytes: the pipeline rightly refuses a file byte-identical to another
    list's. An .xlsx (a zip) gets a zip comment; an .xls (an OLE2 compound file, read through its sector
    table) gets one unreferenced 512-byte sector holding the tag."""
    if source.suffix == ".xlsx":
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            zout.comment = tag.encode()
            for info in zin.infolist():
                zout.writestr(info, zin.read(info.filename))
    else:
        target.write_bytes(source.read_bytes() + tag.encode().ljust(512, b"\0"))


SYNTHETIC_BREAKS = ["tag:known_answers", "assert_system_key_once_per_list", "assert_list_turnover_counts_add_up"]


def run_stages(source: Path, warehouse: Path) -> dict:
    """The pipeline's stages in this process, without Prefect: collect+parse, gate, load, gate,
    dbt build, gate, publish. dbt skips what synthetic copies break by construction: the tests tagged
    known_answers (Summit and Fugaku one key each, linkage >= 95%: facts of the real lists), and the two
    tests of one key per system per list (assert_system_key_once_per_list and, through it,
    assert_list_turnover_counts_add_up): the copies repeat each System ID in ten lists 34 years apart,
    so two chains can start at the same ID. No real list reuses an ID; the real build keeps both tests."""
    from flows import publish, transform, validate
    from flows.sources import ai_compute, epoch

    settings = Settings(warehouse_dir=warehouse)
    stages, run_id = {}, "bench-stages"

    def timed(name, fn, *args, **kw):
        started = time.perf_counter()
        out = fn(*args, **kw)
        stages[name] = round(time.perf_counter() - started, 3)
        return out

    lists = timed("parse_lists", lambda: top500.parse_all(top500.collect(str(source), settings)))
    reference = timed(
        "parse_reference", lambda: [p for m in (epoch, ai_compute) for p in m.parse_all(m.collect("bundled", settings))]
    )
    timed("gate_lists", validate.validate_parsed, settings, run_id, lists)
    with load.connect(settings.build_db) as con:
        timed("load", load.load_files, con, lists + reference, run_id)
    timed("gate_reference", validate.validate_reference, settings, run_id)
    timed("dbt", transform.build, settings, exclude=SYNTHETIC_BREAKS)
    timed("gate_marts", validate.validate_marts, settings, run_id)
    timed("publish", publish.publish, settings)
    return {
        "lists": len(lists),
        "entries": sum(len(p.rows) for p in lists),
        "stages_s": stages,
        "total_s": round(sum(stages.values()), 3),
    }


def stages_in_subprocess(source: Path, warehouse: Path) -> dict:
    """`run_stages` in a fresh interpreter (imports paid every time), with its peak memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--stages", str(source), str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CI": "1"},
    )
    with TreeMemory(proc.pid) as memory:
        out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"stages on {source} failed:\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 3)
    result["peak_rss_mb"] = round(memory.peak / 1e6, 1)
    return result


def bench_scale(work: Path) -> dict:
    """The same stages on the real lists and on 10x synthetic lists (10 copies of each real workbook, later dates)."""
    one = stages_in_subprocess(BUNDLED, work / "scale-1x")
    ten = stages_in_subprocess(synthetic_lists(work / "scale-src", 10), work / "scale-10x")
    return {
        "1x": one,
        "10x": ten,
        "time_ratio_vs_1x": round(ten["wall_s"] / one["wall_s"], 2),
        "memory_ratio_vs_1x": round(ten["peak_rss_mb"] / one["peak_rss_mb"], 2),
        "stage_ratios": {
            k: round(ten["stages_s"][k] / one["stages_s"][k], 2) for k in one["stages_s"] if one["stages_s"][k] > 0
        },
    }


def bench_postgres(publications: list, repeat: int) -> dict:
    """The PostgreSQL sync (flows/postgres_sync.py) into a private cluster on 127.0.0.1: the first sync into an
    empty database, then syncs that replace the generation served (what a new list or a rollback costs: the
    whole publication is copied, checked and swapped in), and a check that finds it up to date."""
    from flows import pg_cluster, postgres_sync

    cluster = pg_cluster.new_cluster("top500-bench-pg-")
    try:
        dsn = cluster.provision()

        def sync(publication) -> postgres_sync.SyncOutcome:
            outcome = postgres_sync.sync(dsn, publication, publication.path / "top500.duckdb")
            if outcome.status not in ("synced", "up to date"):
                raise SystemExit(f"postgres sync failed: {outcome}")
            return outcome

        first = sync(publications[0])
        if len(publications) < 2:
            raise SystemExit("the PostgreSQL bench needs two publications (--repeat 2 or more)")
        replaced = [sync(publications[(i + 1) % len(publications)]) for i in range(repeat)]
        current = publications[repeat % len(publications)]
        up_to_date = [sync(current).seconds for _ in range(repeat)]
    finally:
        cluster.remove()
    return {
        "postgres_sync_s": stats([o.seconds for o in replaced]),
        "postgres_first_sync_s": round(first.seconds, 3),
        "postgres_up_to_date_s": stats(up_to_date),
        "postgres_sync_stages_s": {k: stats([o.stages_s[k] for o in replaced]) for k in replaced[0].stages_s},
        "postgres_rows": replaced[0].rows,
        "postgres_tables": replaced[0].tables,
    }


def bench_queries(db: Path, repeat: int = 30) -> dict:
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for name, sql in analyst_questions().items():
            try:
                con.execute(sql).fetchall()  # warm
            except duckdb.Error as exc:
                out[name] = {"error": str(exc).splitlines()[0]}
                continue
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out[name] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
                "n": repeat,
            }
    return out


def machine() -> dict:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "os": platform.platform(),
        "load_avg_at_start": os.getloadavg(),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--stages":  # child of stages_in_subprocess
        print(json.dumps(run_stages(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="top500-bench-"))
    failed = None
    try:
        results: dict = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
        print("parse + load ...", flush=True)
        pl = bench_parse_load(work, max(args.repeat, 5))
        results["parse_load_all_lists_s"] = pl["parse_load_s"]
        results["calamine_floor_s"] = pl["calamine_floor_s"]
        print("full rebuild + no-op runs ...", flush=True)
        pipeline = bench_pipeline(work, args.repeat)
        published = Path(pipeline.pop("published_db"))
        results.update(pipeline)
        print("incremental runs ...", flush=True)
        results.update(bench_incremental(work, args.repeat))
        print("the same against a running Prefect server ...", flush=True)
        results["with_server"] = bench_with_server(work / "with-server", args.repeat)
        print("PostgreSQL sync ...", flush=True)
        from flows import publish

        kept = [publish.current(Settings(warehouse_dir=work / f"full-{i}")) for i in range(args.repeat)]
        results.update(bench_postgres(kept, args.repeat))
        print("analyst questions ...", flush=True)
        results["queries"] = bench_queries(published)
        p95s = [q["p95_ms"] for q in results["queries"].values() if "p95_ms" in q]
        results["query_p95_ms"] = max(p95s) if p95s else None
        if not args.skip_scale:
            print("10x data ...", flush=True)
            try:
                scale = bench_scale(work)
            except RuntimeError as e:  # keep the figures measured so far; the exit status says it failed
                failed = str(e)
                results["scale_10x"] = {"error": failed}
            else:
                results["scale_10x"] = scale
                results["scale_10x_time_ratio"] = scale["time_ratio_vs_1x"]
        results["goals"] = check_goals(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwritten: {args.out}")
    if failed:
        raise SystemExit(failed)


def figure(results: dict, key: str) -> float | None:
    value = results.get(key)
    return value["median"] if isinstance(value, dict) else value


def check_goals(results: dict) -> dict:
    out = {}
    for key, (op, goal) in GOALS.items():
        value = figure(results, key)
        met = None if value is None else (value <= goal if op == "<=" else value < goal)
        out[key] = {"goal": f"{op} {goal:g}", "value": value, "met": met}
    return out


def print_table(results: dict) -> None:
    rows = [("figure", "median", "min", "max", "goal", "met")]
    for key in (
        "full_rebuild_s",
        "peak_rss_mb",
        "parse_load_all_lists_s",
        "calamine_floor_s",
        "noop_run_s",
        "incremental_run_s",
        "outside_the_flow_s",
        "postgres_sync_s",
        "postgres_up_to_date_s",
    ):
        v = results.get(key)
        if isinstance(v, dict):
            goal = results["goals"].get(key, {})
            rows.append((key, v["median"], v["min"], v["max"], goal.get("goal", ""), _met(goal)))
    for stage, v in results.get("stages_s", {}).items():
        rows.append((f"  stage {stage}", v["median"], v["min"], v["max"], "", ""))
    served = results.get("with_server") or {}
    for key in ("full_rebuild_s", "noop_run_s", "incremental_run_s", "peak_rss_mb", "outside_the_flow_s"):
        v = served.get(key)
        if isinstance(v, dict):
            goal = GOALS.get(key)
            met = "" if goal is None else _met({"met": v["median"] <= goal[1]})
            rows.append(
                (f"with server: {key}", v["median"], v["min"], v["max"], f"<= {goal[1]:g}" if goal else "", met)
            )
    if served:
        rows.append(("with server: the server's own RSS (MB)", served["server_rss_mb"], "", "", "", ""))
    for name, q in results.get("queries", {}).items():
        rows.append(
            (f"  query {name} (ms)", q.get("p50_ms", q.get("error", "")), "", q.get("p95_ms", ""), "p95 < 50", "")
        )
    goal = results["goals"].get("query_p95_ms", {})
    rows.append(("query_p95_ms (worst)", results.get("query_p95_ms"), "", "", goal.get("goal", ""), _met(goal)))
    if "scale_10x" in results and "error" not in results["scale_10x"]:
        s = results["scale_10x"]
        goal = results["goals"]["scale_10x_time_ratio"]
        for label in ("1x", "10x"):
            r = s[label]
            rows.append(
                (f"stages {label}: {r['lists']} lists, wall s / peak MB", r["wall_s"], r["peak_rss_mb"], "", "", "")
            )
        rows.append(("10x time ratio", s["time_ratio_vs_1x"], "", "", goal["goal"], _met(goal)))
        rows.append(("10x memory ratio", s["memory_ratio_vs_1x"], "", "", "", ""))
        for stage, ratio in s["stage_ratios"].items():
            rows.append((f"  10x ratio {stage}", ratio, "", "", "", ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def _met(goal: dict) -> str:
    return {True: "yes", False: "NO", None: ""}[goal.get("met")]


if __name__ == "__main__":
    main()
