"""Small and read-only file systems for the machine's own faults: a tmpfs of a given size mounted on a test's
directory (root only: CI runs as root), remounted read-only on demand, filled to the brim."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from support.tools import missing_tool


@contextlib.contextmanager
def small_filesystem(path: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of `size_mb` MB mounted on `path` for the block; unmounted (lazily, if still busy) after."""
    if os.geteuid() != 0:
        missing_tool("mounting a small file system needs root (CI runs the tests as root)")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        missing_tool(f"cannot mount a tmpfs on {path}: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, read_only: bool) -> None:
    option = "remount,ro" if read_only else "remount,rw"
    subprocess.run(["mount", "-o", option, str(path)], check=True, capture_output=True)


def fill(path: Path, leave_bytes: int = 0) -> Path:
    """A file under `path` taking the free space but `leave_bytes`; returns it (remove it to free the space)."""
    filler = path / f".filler-{os.getpid()}-{len(list(path.glob('.filler-*')))}"
    size = max(0, shutil.disk_usage(path).free - leave_bytes)
    with filler.open("wb") as out:
        try:
            os.posix_fallocate(out.fileno(), 0, size)
        except OSError:  # a file system without fallocate: write zeros until it is full
            chunk = b"\0" * (1 << 20)
            with contextlib.suppress(OSError):
                while shutil.disk_usage(path).free > leave_bytes + len(chunk):
                    out.write(chunk)
    return filler
