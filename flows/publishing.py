"""Publishing a period as one commit: stage the tables, the period's documents and the manifest, mark the run
committed, then switch (swap each partition and the documents' folder, move the manifest into `_runs/`, write the
period's record in `_terbit/`).

The switch is a critical section (`flows.interrupt.critical`): Ctrl-C and SIGTERM wait for its end. A run
killed anyway (kill -9, power loss) is finished (committed) or undone (not committed) by `recover`, the first
step of any later run on the output folder, whatever the period.

For readers, `_terbit/<periode>.json` names the run whose tables make the period and each table's rows: every
row of a published partition carries that run's `run_id`, so a dashboard that reads only the rows with the
record's `run_id`, and finds each table's count, reads one consistent period (README, "Reading them").

The documents (`flows.handouts`: the workbook, the report, the cards, the feedback) are built from the same tables
and switch with them: `<output>/laporan/periode=YYYY-MM/` is staged and swapped like a partition, so it always
holds the documents of the run the record names (or of the run before, until the switch is done).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from flows import storage
from flows.config import COMMITTED, REPORTS_DIR, RUNS_DIR, WORK_DIR, published_record, run_period, settings
from flows.interrupt import critical
from flows.locks import is_locked, period_lock
from flows.manifest import write_json
from flows.monthly import OUTPUT_TABLES
from flows.runs import RunParameters, new_run_id
from scoring.rulebook_format import PERIODE

MANIFEST = "manifest.json"  # the run's manifest, staged in its work folder until the switch
DOCUMENTS = "berkas_laporan"  # in the manifest: every document of the period, its path in the period's folder


def publish(params: RunParameters, run_id: str, manifest: dict) -> dict[str, str]:
    """Stage every table of the period, its documents and the run's manifest, mark the run committed, then switch.

    Killed before the mark, a later run discards what was staged; killed after it, a later run finishes the
    switch (`recover`): the period is never left half old, half new, nor published without its manifest or its
    documents."""
    stage(params, run_id, manifest)
    return commit(params.output, run_id, params.period)


def stage(params: RunParameters, run_id: str, manifest: dict) -> None:
    """Stage the period's tables, the documents built from them (`stage_documents`; none when the setting
    `documents` is false) and the manifest listing the documents, each fsynced, in the run's work folder: nothing a
    reader sees changes yet."""
    run = params.folder(run_id)
    for name in OUTPUT_TABLES:
        storage.stage_file(params.output, name, params.period, run.kept(name, params.period), run_id)
    if settings().documents:
        documents = stage_documents(params.output, params.period, run_id,
                                    {name: run.read_table(name) for name in OUTPUT_TABLES})
    else:  # the period's earlier documents go with the tables they described
        documents = []
        storage.staging_path(params.output, REPORTS_DIR, params.period, run_id).mkdir(parents=True, exist_ok=True)
    write_json(run.path / MANIFEST, {**manifest, DOCUMENTS: documents})


def commit(output: Path, run_id: str, periode: str) -> dict[str, str]:
    """Mark a staged run committed, then switch; Ctrl-C and SIGTERM wait for the end. Raises PublishedOutputError,
    nothing switched, when a place the switch writes is not a folder, or a file it writes is one
    (`storage.check_replaceable`)."""
    storage.check_replaceable(output, (*OUTPUT_TABLES, REPORTS_DIR), periode,
                              (published_record(output, periode).parent, Path(output) / RUNS_DIR),
                              (published_record(output, periode), Path(output) / RUNS_DIR / f"{run_id}.json"))
    with critical():
        write_json(Path(output) / WORK_DIR / run_id / COMMITTED, {"run_id": run_id, "periode": periode})
        return switch(output, run_id, periode)


def stage_documents(output: Path, periode: str, run_id: str, tables: dict[str, pd.DataFrame] | None = None
                    ) -> list[str]:
    """Write the period's documents into the run's staging folder of `laporan`, fsynced; their paths in it, sorted.

    `tables`: the period's tables in hand (a run publishing them), else the published ones; the earlier periods of
    the trend and the card histories are read from the output folder either way."""
    from flows.handouts import load_tables, write_reports  # matplotlib and openpyxl: only where documents are made

    folder = storage.staging_path(output, REPORTS_DIR, periode, run_id)
    if folder.exists():  # a retry of the same run
        shutil.rmtree(folder)
    config = settings()
    paths = write_reports(load_tables(output, periode, config, tables), periode, folder, config)
    storage.fsync_files(paths, folder)
    return sorted(path.relative_to(folder).as_posix() for path in paths)


def switch(output: Path, run_id: str, periode: str) -> dict[str, str]:
    """Finish a committed run's publication; idempotent, so that a later command can finish a killed one."""
    written = {name: str(storage.swap_period(output, name, periode, run_id)) for name in OUTPUT_TABLES}
    documents = storage.swap_period(output, REPORTS_DIR, periode, run_id)
    work = Path(output) / WORK_DIR / run_id
    manifest = Path(output) / RUNS_DIR / f"{run_id}.json"
    if (work / MANIFEST).exists():
        manifest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / MANIFEST, manifest)
    rows = {name: pq.read_metadata(Path(path) / storage.PART).num_rows for name, path in written.items()}
    files = sum(1 for path in documents.rglob("*") if path.is_file())
    write_json(published_record(output, periode), {
        "periode": periode, "run_id": run_id, "manifest": manifest.relative_to(output).as_posix(),
        "tabel": {name: {"folder": Path(path).relative_to(output).as_posix(), "baris": rows[name]}
                  for name, path in written.items()},
        "laporan": {"folder": documents.relative_to(output).as_posix(), "berkas": files}})
    shutil.rmtree(work, ignore_errors=True)
    return {**written, REPORTS_DIR: str(documents)}


def rebuild_documents(output: Path, periode: str) -> tuple[Path, list[str]]:
    """Build the period's documents again from its published tables and swap them in whole, holding the period's
    lock as a run does: staged in a work folder of their own (`_kerja/<periode>_laporan_<time>/`), then renamed
    into place. Killed, the next command on the folder undoes it (`recover`: the documents before stay)."""
    work_id = new_run_id(f"{periode}_laporan")
    with period_lock(output, periode, work_id):
        recover(output, holding=periode)  # a killed run's switch first: the documents follow the tables in force
        storage.check_replaceable(output, (REPORTS_DIR,), periode)
        try:
            files = stage_documents(output, periode, work_id)
            with critical():
                folder = storage.swap_period(output, REPORTS_DIR, periode, work_id)
        finally:
            recover(output, holding=periode)  # this work folder, done or not
    return folder, files


def recover(output: Path, holding: str | None = None) -> list[str]:
    """Finish (committed) or undo (not committed) every switch interrupted in the output folder; returns the ids.

    A period whose lock another live run holds is left to that run; `holding` is the period whose lock the
    caller holds (its own leftovers are recovered too). A critical section: a stop signal waits for its end (a run
    stopped, then stopped again while it cleaned up, left its work folder half removed)."""
    with critical():
        return _recover(output, holding)


def _recover(output: Path, holding: str | None) -> list[str]:
    left = []
    for work in sorted((Path(output) / WORK_DIR).glob("*_*")):
        periode = run_period(work.name)
        if not PERIODE.fullmatch(periode) or (periode != holding and is_locked(output, periode)):
            continue
        if (work / COMMITTED).exists():
            switch(output, work.name, periode)
        else:
            for name in (*OUTPUT_TABLES, REPORTS_DIR):
                storage.discard_staged(output, name, periode, work.name)
            shutil.rmtree(work, ignore_errors=True)
        left.append(work.name)
    try:
        (Path(output) / WORK_DIR).rmdir()  # tidy when no run is at work
    except OSError:
        pass
    return left


