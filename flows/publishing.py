"""Publishing a period as one commit: stage the six tables and the manifest, mark the run committed, then switch
(swap each partition, move the manifest into `_runs/`, write the period's record in `_terbit/`).

The switch is a critical section (`flows.interrupt.critical`): Ctrl-C and SIGTERM wait for its end. A run
killed anyway (kill -9, power loss) is finished (committed) or undone (not committed) by `recover`, the first
step of any later run on the output folder, whatever the period.

For readers, `_terbit/<periode>.json` names the run whose tables make the period and each table's rows: every
row of a published partition carries that run's `run_id`, so a dashboard that reads only the rows with the
record's `run_id`, and finds each table's count, reads one consistent period (README, "Reading them").
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from flows import storage
from flows.config import COMMITTED, PUBLISHED_DIR, RUNS_DIR, WORK_DIR
from flows.interrupt import critical
from flows.locks import is_locked
from flows.manifest import write_json
from flows.monthly import OUTPUT_TABLES
from flows.runs import RunParameters
from scoring.rulebook import PERIODE

MANIFEST = "manifest.json"  # the run's manifest, staged in its work folder until the switch


def publish(params: RunParameters, run_id: str, manifest: dict) -> dict[str, str]:
    """Stage every table of the period and the run's manifest, mark the run committed, then switch.

    Killed before the mark, a later run discards what was staged; killed after it, a later run finishes the
    switch (`recover`): the period is never left half old, half new, nor published without its manifest."""
    run = params.folder(run_id)
    for name in OUTPUT_TABLES:
        storage.stage_period(params.output, name, params.period, run.read_checked(name), run_id)
    write_json(run.path / MANIFEST, manifest)
    with critical():
        write_json(run.path / COMMITTED, {"run_id": run_id, "periode": params.period})
        return switch(params.output, run_id, params.period)


def switch(output: Path, run_id: str, periode: str) -> dict[str, str]:
    """Finish a committed run's publication; idempotent, so that a later command can finish a killed one."""
    written = {name: str(storage.swap_period(output, name, periode, run_id)) for name in OUTPUT_TABLES}
    work = Path(output) / WORK_DIR / run_id
    manifest = Path(output) / RUNS_DIR / f"{run_id}.json"
    if (work / MANIFEST).exists():
        manifest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / MANIFEST, manifest)
    rows = {name: pq.read_metadata(Path(path) / storage.PART).num_rows for name, path in written.items()}
    write_json(Path(output) / PUBLISHED_DIR / f"{periode}.json", {
        "periode": periode, "run_id": run_id, "manifest": manifest.relative_to(output).as_posix(),
        "tabel": {name: {"folder": Path(path).relative_to(output).as_posix(), "baris": rows[name]}
                  for name, path in written.items()}})
    shutil.rmtree(work, ignore_errors=True)
    return written


def recover(output: Path, holding: str | None = None) -> list[str]:
    """Finish (committed) or undo (not committed) every switch interrupted in the output folder; returns the ids.

    A period whose lock another live run holds is left to that run; `holding` is the period whose lock the
    caller holds (its own leftovers are recovered too)."""
    left = []
    for work in sorted((Path(output) / WORK_DIR).glob("*_*")):
        periode = work.name.split("_")[0]
        if not PERIODE.fullmatch(periode) or (periode != holding and is_locked(output, periode)):
            continue
        if (work / COMMITTED).exists():
            switch(output, work.name, periode)
        else:
            for name in OUTPUT_TABLES:
                storage.discard_staged(output, name, periode, work.name)
            shutil.rmtree(work, ignore_errors=True)
        left.append(work.name)
    try:
        (Path(output) / WORK_DIR).rmdir()  # tidy when no run is at work
    except OSError:
        pass
    return left


def published_run(output: Path, periode: str) -> dict | None:
    """The period's record in `_terbit/` (the run whose tables are published), if any."""
    path = Path(output) / PUBLISHED_DIR / f"{periode}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
