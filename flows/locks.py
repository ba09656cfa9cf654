"""Cross-platform locks of an output folder (filelock): one run per period, one writer of the GX context.

The lock is the operating system's (flock on POSIX, LockFileEx on Windows) on `_kunci/<name>.lock`, so the
system releases it when its holder dies, even by kill -9. Who holds it is written beside it, in
`_kunci/<name>.pemilik`, for the message a refused run prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from flows.config import LOCK_DIR
from scoring.errors import PeriodLockedError

GX_LOCK = "_gx"


def _paths(output: Path, name: str) -> tuple[Path, Path]:
    folder = Path(output) / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.lock", folder / f"{name}.pemilik"


@contextmanager
def period_lock(output: Path, periode: str, run_id: str) -> Iterator[None]:
    """One run per output folder and period at a time; a second one is refused at once, naming who holds it."""
    lock_path, holder_path = _paths(output, periode)
    lock = FileLock(lock_path, timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        holder = holder_path.read_text(encoding="utf-8").strip() if holder_path.exists() else "run lain"
        raise PeriodLockedError(f"periode {periode} di {output} sedang ditulis oleh {holder}; tunggu sampai "
                                "selesai, lalu jalankan lagi") from None
    try:
        holder_path.write_text(f"run {run_id} (pid {os.getpid()})", encoding="utf-8")
        yield
    finally:
        lock.release()


def is_locked(output: Path, periode: str) -> bool:
    """Whether a live run holds the period's lock (checked by taking and releasing it at once)."""
    lock = FileLock(_paths(output, periode)[0], timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


@contextmanager
def exclusive(output: Path, name: str = GX_LOCK) -> Iterator[None]:
    """Wait for, then hold, the output folder's lock `name` (one GX context, one writer at a time)."""
    with FileLock(_paths(output, name)[0], is_singleton=False):
        yield
