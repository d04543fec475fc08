"""Write-audit-publish: a validated build becomes what analysts, BI tools and readers of the report see.

A publication is one unit: the DuckDB file, the Parquet exports with their
manifest, and the report, made from the same build and published together.

    warehouse/
      publications/<generation>/   top500.duckdb, exports/, report/, publication.json
      current -> publications/<generation>     (the one atomic switch)
      top500.duckdb -> current/top500.duckdb   (stable paths for analysts and BI tools)
      exports -> current/exports
      report -> current/report

`stage` builds a whole generation in a hidden directory (the database copied in
DuckDB 1.4's storage format, which BI drivers bundling 1.4 need; every view
checked to resolve; exports and report made from that copy); `swap_in` renames
it into place and repoints `current` with one `os.replace`. Readers already
connected keep the inode they opened; new ones see the new generation; at no
moment is there none. Nothing here opens a published file for writing, so a
reader holding one open cannot make a publish fail.

Rollback is a state, not a swap: `rollback` points `current` at the previous
kept generation and records the withdrawn one (and its content) in
`publications/state.json`. A run whose content is identical to a withdrawn
generation publishes nothing; `rollforward` undoes the rollback. The last few
distinct generations (by content) are kept.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from flows.files import sha256_of
from flows.settings import Settings

STORAGE_VERSION = "v1.4.0"
COPY_MEMORY_LIMIT = "150MB"  # DuckDB memory for the publish copy (see _copy_build)
KEEP_GENERATIONS = 3  # distinct publications kept for rollback (the current one included)
DATABASE = "top500.duckdb"
# What the published file holds: the marts (the contract), audit (every run and gate) and raw
# (every loaded cell with its file and checksum, so any number traces back to its source).
# staging/intermediate/reference are how the marts are made, not something to build on.
PUBLISHED_SCHEMAS = ("marts", "audit", "raw")
STABLE_LINKS = {DATABASE: DATABASE, "exports": "exports", "report": "report"}


class PublishError(Exception):
    """The publication could not be made or did not check out; what is published is untouched."""


@dataclass(frozen=True)
class FileState:
    path: Path
    exists: bool
    sha256: str | None
    size_bytes: int | None
    mtime_ns: int | None


@dataclass
class Publication:
    """publication.json of one generation."""

    generation: str
    run_id: str
    published_at: str  # ISO 8601 UTC, microseconds: orders the generations
    content_key: str
    source: str
    lists: dict = field(default_factory=dict)  # count, first, last, entries, superseded_versions
    database: dict = field(default_factory=dict)  # file, sha256, bytes, storage_version
    path: Path | None = None

    @classmethod
    def read(cls, directory: Path) -> Publication | None:
        try:
            data = json.loads((directory / "publication.json").read_text())
        except (OSError, ValueError):
            return None
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "path"}, path=directory)

    def describe(self) -> str:
        lists = self.lists
        return (
            f"generation {self.generation}: {lists.get('count', 0)} lists ({lists.get('first')} .. "
            f"{lists.get('last')}), {lists.get('entries', 0):,} entries, run {self.run_id}, "
            f"published {self.published_at}"
        )


def file_state(path: Path) -> FileState:
    """Checksum and mtime of a file, to prove a failed run left it byte-identical."""
    if not path.exists():
        return FileState(path, False, None, None, None)
    path = path.resolve()
    st = path.stat()
    return FileState(path, True, sha256_of(path), st.st_size, st.st_mtime_ns)


def published_state(settings: Settings) -> FileState:
    return file_state(settings.published_db)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def storage_version(path: Path) -> str:
    """The storage version DuckDB reports for a file, e.g. 'v1.4.0' or 'v2.0.0+'."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_path(path)}' AS probe (READ_ONLY)")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'probe'").fetchone()[0]
        return tags.get("storage_version")
    finally:
        con.close()


def fsync_path(path: Path) -> None:
    """Flush a file or a directory entry to disk (a rename is durable only after its directory is)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_build(build_db: Path, dest: Path) -> None:
    """COPY FROM DATABASE into a file in DuckDB 1.4 format, then keep only the published schemas.

    The catalog of the copy must be named like the build's (`top500`): view SQL names it.
    """
    catalog = build_db.stem
    con = duckdb.connect()
    try:
        # The copy is the run's memory peak: uncapped, DuckDB buffers ~350 MB for a 50 MB file; at 150 MB it
        # costs ~0.2 s more (bench). What does not fit spills under the private build directory.
        con.execute(f"SET memory_limit = '{COPY_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{_sql_path(build_db.parent / 'duckdb_tmp')}'")
        con.execute(f"ATTACH '{_sql_path(build_db)}' AS \"{catalog}\" (READ_ONLY)")
        con.execute(f"ATTACH '{_sql_path(dest)}' AS publish_copy (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute(f'COPY FROM DATABASE "{catalog}" TO publish_copy')
        schemas = con.execute(
            "select schema_name from duckdb_schemas() where database_name = 'publish_copy' and not internal"
        ).fetchall()
        for (schema,) in schemas:
            if schema not in PUBLISHED_SCHEMAS and schema != "main":
                con.execute(f'DROP SCHEMA publish_copy."{schema}" CASCADE')
        con.execute("DETACH publish_copy")  # checkpoints: no .wal left next to the copy
    finally:
        con.close()


def check_copy(path: Path, catalog: str = "top500") -> dict[str, int]:
    """Every table and view of the copy readable under the published catalog name; returns counts."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_sql_path(path)}' AS \"{catalog}\" (READ_ONLY)")
        con.execute(f'USE "{catalog}"')
        objects = con.execute(
            """select schema_name, table_name from duckdb_tables() where database_name = ?
               union all select schema_name, view_name from duckdb_views() where database_name = ? and not internal""",
            [catalog, catalog],
        ).fetchall()
        counts = {}
        for schema, name in objects:
            try:
                counts[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from "{catalog}"."{schema}"."{name}"'
                ).fetchone()[0]
            except duckdb.Error as exc:
                raise PublishError(f"{schema}.{name} does not resolve in the copy: {exc}") from exc
        tags = con.execute("select tags from duckdb_databases() where database_name = ?", [catalog]).fetchone()[0]
        version = tags.get("storage_version") or ""
        if version.rstrip("+") != STORAGE_VERSION:  # DuckDB reports 'v1.4.0+'
            raise PublishError(f"copy has storage version {version!r}, expected {STORAGE_VERSION}")
        return counts
    finally:
        con.close()


# --- generations ---------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def published_at() -> str:
    """ISO 8601 UTC with microseconds, e.g. 2026-11-25T04:43:06.177646Z: orders the generations."""
    return _now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_generation_id(content_key: str, at: datetime | None = None) -> str:
    return f"{(at or _now()):%Y%m%dT%H%M%SZ}-{content_key[:8]}"


def generations(settings: Settings) -> list[Publication]:
    """Every complete generation on disk, oldest first."""
    root = settings.publications_dir
    if not root.is_dir():
        return []
    found = [Publication.read(p) for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted((p for p in found if p is not None), key=lambda p: (p.published_at, p.generation))


def current(settings: Settings) -> Publication | None:
    """What is published now (None before the first publication)."""
    link = settings.current_link
    if not link.is_symlink() or not link.exists():
        return None
    return Publication.read(link.resolve())


@dataclass
class Withdrawal:
    generation: str
    content_key: str
    withdrawn_at: str
    rolled_back_to: str | None


def _state_path(settings: Settings) -> Path:
    return settings.publications_dir / "state.json"


def withdrawals(settings: Settings) -> list[Withdrawal]:
    """Generations taken back by `rollback` and not rolled forward, newest last."""
    try:
        data = json.loads(_state_path(settings).read_text())
    except (OSError, ValueError):
        return []
    return [Withdrawal(**w) for w in data.get("withdrawn", [])]


def _write_withdrawals(settings: Settings, items: list[Withdrawal]) -> None:
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".state.json.{os.getpid()}")
    tmp.write_text(json.dumps({"withdrawn": [asdict(w) for w in items]}, indent=2) + "\n")
    fsync_path(tmp)
    os.replace(tmp, path)


def withdrawn_content(settings: Settings, content_key: str) -> Withdrawal | None:
    """The withdrawal a run with this content would undo silently (it must not)."""
    return next((w for w in reversed(withdrawals(settings)) if w.content_key == content_key), None)


def stage(settings: Settings, publication: Publication, write_exports=None, build_report=None) -> Path:
    """Build a complete generation in a hidden directory; returns it. Raises PublishError, leaving nothing.

    `write_exports(db, dir)` and `build_report(db, dir)` make the exports and the report from the
    staged copy (the pipeline passes flows.exports / flows.report; tests may pass None).
    """
    build = settings.build_db
    if build.stem != Path(DATABASE).stem:
        raise PublishError(f"{build.name} must be named {DATABASE}: views name their catalog")
    if not build.exists():
        raise PublishError(f"no build file at {build}")
    staging = settings.publications_dir / f".staging-{publication.generation}-{os.getpid()}"
    try:
        staging.mkdir(parents=True)
        db = staging / DATABASE
        _copy_build(build, db)
        check_copy(db, catalog=db.stem)
        if write_exports is not None:
            write_exports(db, staging / "exports")
        if build_report is not None:
            build_report(db, staging / "report")
        publication.database = {
            "file": DATABASE,
            "sha256": sha256_of(db),
            "bytes": db.stat().st_size,
            "storage_version": STORAGE_VERSION,
        }
        (staging / "publication.json").write_text(
            json.dumps({k: v for k, v in asdict(publication).items() if k != "path"}, indent=2, default=str) + "\n"
        )
        for path in staging.rglob("*"):
            if path.is_file():
                fsync_path(path)
        fsync_path(staging)
    except PublishError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except Exception as exc:  # disk full, permissions, an export or report that failed
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(
            f"could not write the publication under {settings.publications_dir}: {type(exc).__name__}: {exc}"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def swap_in(settings: Settings, staging: Path) -> Publication:
    """Make the staged generation the published one: one atomic rename of `current`."""
    final = settings.publications_dir / staging.name.removeprefix(".staging-").rsplit("-", 1)[0]
    try:
        if final.exists():  # the same content again within a second: publish the one on disk
            shutil.rmtree(staging)
        else:
            os.rename(staging, final)
        fsync_path(final.parent)
        _point(settings.current_link, final)
        _ensure_stable_links(settings)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"could not switch the publication under {settings.warehouse_dir}: {exc}") from exc
    publication = Publication.read(final)
    assert publication is not None
    return publication


def _point(link: Path, target: Path) -> None:
    """Atomically make `link` a (relative) symlink to `target`."""
    tmp = link.with_name(f".{link.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(os.path.relpath(target, link.parent), target_is_directory=target.is_dir())
    os.replace(tmp, link)
    fsync_path(link.parent)


def _ensure_stable_links(settings: Settings) -> None:
    """warehouse/top500.duckdb, exports, report -> current/...; replaces an older layout's files once."""
    for name, inside in STABLE_LINKS.items():
        link = settings.warehouse_dir / name
        wanted = os.path.join(settings.current_link.name, inside)
        if link.is_symlink() and os.readlink(link) == wanted:
            continue
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)  # a report/ directory from the single-file layout
        tmp = link.with_name(f".{name}.link-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(wanted)
        os.replace(tmp, link)
    for old in (settings.warehouse_dir / "top500.previous.duckdb", settings.warehouse_dir / ".exports"):
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    fsync_path(settings.warehouse_dir)


def prune(settings: Settings, keep: int = KEEP_GENERATIONS) -> list[str]:
    """Keep the newest `keep` distinct generations (by content) and the current one; returns the removed."""
    now = current(settings)
    kept: list[str] = []
    seen_content: set[str] = set()
    removed = []
    for pub in reversed(generations(settings)):
        is_current = now is not None and pub.generation == now.generation
        if is_current or (len(kept) < keep and pub.content_key not in seen_content):
            kept.append(pub.generation)
            seen_content.add(pub.content_key)
            continue
        shutil.rmtree(pub.path, ignore_errors=True)  # readers keep open files; the inodes live on
        removed.append(pub.generation)
    withdrawn = withdrawals(settings)  # a withdrawal of a removed generation has nothing left to guard
    live = [w for w in withdrawn if w.generation in kept]
    if len(live) != len(withdrawn):
        _write_withdrawals(settings, live)
    return removed


def rollback(settings: Settings) -> tuple[Publication, Publication]:
    """Withdraw the current generation and publish the one before it; returns (withdrawn, now current)."""
    now = current(settings)
    if now is None:
        raise PublishError("nothing is published, so there is nothing to roll back")
    withdrawn = {w.generation for w in withdrawals(settings)}
    kept = generations(settings)
    position = next((i for i, p in enumerate(kept) if p.generation == now.generation), len(kept))
    earlier = [p for p in kept[:position] if p.generation not in withdrawn]
    if not earlier:
        raise PublishError(f"no earlier publication is kept to roll back to (current: {now.generation})")
    target = earlier[-1]
    items = [w for w in withdrawals(settings) if w.generation != now.generation]
    items.append(Withdrawal(now.generation, now.content_key, _now().isoformat(timespec="seconds"), target.generation))
    _write_withdrawals(settings, items)  # first: a crash before the swap still blocks a silent re-publish
    _point(settings.current_link, target.path)
    return now, target


def rollforward(settings: Settings) -> tuple[Publication | None, Publication]:
    """Undo the last rollback: publish the newest withdrawn generation again; returns (previous, now current)."""
    now = current(settings)
    items = withdrawals(settings)
    on_disk = {p.generation: p for p in generations(settings)}
    candidates = [w for w in items if w.generation in on_disk]
    if not candidates:
        raise PublishError("no withdrawn publication is kept, so there is nothing to roll forward")
    target = on_disk[candidates[-1].generation]
    _point(settings.current_link, target.path)
    _write_withdrawals(settings, [w for w in items if w.generation != target.generation])
    return now, target


def publish(
    settings: Settings,
    run_id: str = "manual",
    source: str = "manual",
    with_exports: bool = True,
    with_report: bool = True,
) -> Publication:
    """Publish the build file as it is (tests, the benchmark and manual use; the flow records its run first)."""
    from flows import exports, load, report
    from flows.fingerprint import code_fingerprint

    with load.connect(settings.build_db, read_only=True) as con:
        key = load.content_key(con, code_fingerprint(settings))
        facts = load.list_facts(con)
    publication = Publication(
        generation=new_generation_id(key),
        run_id=run_id,
        published_at=published_at(),
        content_key=key,
        source=source,
        lists=facts,
    )
    staged = stage(
        settings,
        publication,
        exports.write_exports if with_exports else None,
        report.build_report if with_report else None,
    )
    published = swap_in(settings, staged)
    prune(settings)
    return published


def clean_stale_temp(settings: Settings) -> list[Path]:
    """Half-made generations and link temp files a killed publish left behind."""
    removed = []
    if settings.publications_dir.is_dir():
        for path in settings.publications_dir.glob(".staging-*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        for path in settings.publications_dir.glob(".state.json.*"):
            path.unlink(missing_ok=True)
            removed.append(path)
    if settings.warehouse_dir.is_dir():
        for path in settings.warehouse_dir.glob(".*.link-*"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
