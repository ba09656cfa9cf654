"""Publishing a period safely: stage every table, mark the run committed, swap; recover what a killed run left;
one run per period at a time (`period_lock`)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow.parquet as pq

from flows import storage
from flows.config import COMMITTED, LOCK_DIR, WORK_DIR
from flows.monthly import OUTPUT_TABLES, RunParameters, work_folder
from schemas import outputs
from scoring import KoperasiSehatError


class PeriodLockedError(KoperasiSehatError):
    """Another run is writing the same period."""


def publish(params: RunParameters, run_id: str) -> dict[str, str]:
    """Stage every table of the period, mark the run committed, then swap each partition in.

    Killed before the mark, the next run of the period discards the staged partitions; killed after it,
    the next run finishes the swaps (`recover`): the period is never left half old, half new."""
    work = work_folder(params, run_id)
    for name in OUTPUT_TABLES:
        frame = outputs.to_pandas(name, pq.read_table(work / "keluaran" / f"{name}.parquet"))
        storage.stage_period(params.output, name, params.period, frame, run_id)
    marker = work / COMMITTED
    with marker.open("w") as handle:
        handle.write(run_id)
        handle.flush()
        os.fsync(handle.fileno())
    return {name: str(storage.swap_period(params.output, name, params.period, run_id)) for name in OUTPUT_TABLES}


def recover(params: RunParameters) -> list[str]:
    """Finish (committed) or undo (not committed) what earlier runs of the period left; returns their ids.

    Call it holding the period's lock: it also cleans up after the current run."""
    runs = sorted((params.output / WORK_DIR).glob(f"{params.period}_*"))
    for work in runs:
        committed = (work / COMMITTED).exists()
        for name in OUTPUT_TABLES:
            if committed:
                storage.swap_period(params.output, name, params.period, work.name)
            else:
                storage.discard_staged(params.output, name, params.period, work.name)
        shutil.rmtree(work, ignore_errors=True)
    return [w.name for w in runs]


@contextmanager
def period_lock(params: RunParameters, run_id: str) -> Iterator[None]:
    """One run per output folder and period at a time; a second one is refused with who holds it.

    An advisory `flock`: the system releases it when the holder dies, even by kill -9."""
    folder = params.output / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{params.period}.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another run"
            raise PeriodLockedError(f"period {params.period} of {params.output} is being written by {holder}; "
                                    "wait for it to finish, then run again") from None
        handle.truncate(0)
        handle.write(f"run {run_id} (pid {os.getpid()})")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
