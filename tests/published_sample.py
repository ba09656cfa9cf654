"""The committed sample published for a few months: test data for the handouts and the readers.

The landing folder is the clean sample with October 2026 as the dirty drop delivers it (its report files and
questionnaires), so that the month has quarantined rows. Each month runs the monthly job's plain steps (prepare,
score, assemble, publish every table; no Prefect, no Great Expectations: the gate is tested elsewhere).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from flows import storage
from flows.assemble import score_all
from flows.catalog import RunFolder
from flows.config import DATA_DIR, TIMEZONE, Settings
from flows.monthly import OUTPUT_TABLES
from flows.prepare import keeping_common_inputs, prepare
from flows.runs import RunParameters, new_run_id
from scoring.periods import shift_period

PERIODE = "2026-10"
MONTHS = 6  # published months, the last one PERIODE: enough for every warning (3 falling months) and a trend
STARTED = datetime(2026, 12, 1, 2, 0, tzinfo=TIMEZONE)  # every month's run, so that the outputs are reproducible
SETTINGS = Settings()


def landing(folder: Path) -> Path:
    """The clean sample, with October 2026's reports and the 2026 questionnaires of the dirty drop."""
    shutil.copytree(DATA_DIR / "sample", folder)
    (folder / "laporan" / f"laporan_{PERIODE}.csv").unlink()
    dirty = DATA_DIR / "sample_dirty"
    for path in (dirty / "laporan").glob("laporan_*"):
        shutil.copy(path, folder / "laporan" / path.name)
    shutil.copy(dirty / "kuesioner" / "kuesioner_2026.csv", folder / "kuesioner" / "kuesioner_2026.csv")
    return folder


def publish(input: Path, output: Path) -> Path:
    """Run and publish the months up to PERIODE; the output folder."""
    with keeping_common_inputs():
        for months_back in range(MONTHS - 1, -1, -1):
            periode = shift_period(PERIODE, -months_back)
            publish_month(RunParameters(period=periode, input=input, output=output, max_quarantine_share=1), STARTED)
    return output


def publish_month(params: RunParameters, started: datetime) -> RunFolder:
    """One month's steps without Prefect and without the quality gate: prepare, score, write every table of the
    period into the output folder; the run's work folder (kept)."""
    run_id = new_run_id(params.period, started)
    prepare(params, run_id, started)
    score_all(params, run_id, started)
    run = params.folder(run_id)
    for name in OUTPUT_TABLES:
        storage.write_period(params.output, name, params.period, run.read_table(name), run_id)
    return run
