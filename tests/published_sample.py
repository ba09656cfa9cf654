"""The committed sample published for a few months, with the action tables of issue 14: test data for the handouts.

The landing folder is the clean sample with October 2026 as the dirty drop delivers it (its report files and
questionnaires), so that the month has quarantined rows. Each month runs the monthly job's plain steps (prepare,
score, publish the six tables; no Prefect, no Great Expectations: the gate is tested elsewhere), then the five
action tables of the last month are computed by the pure functions of scoring/ from what was published and from
the run's work folder, as the flow will once it writes them.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from flows import monthly, storage
from flows.config import DATA_DIR, TIMEZONE, Settings
from schemas.outputs import ADDED_COLUMNS, NEW_TABLES, to_pandas
from scoring.early_warning import peringatan_dini
from scoring.explain import cooperative_columns, indicator_columns, status_columns
from scoring.path_to_sehat import jalan_menuju_sehat
from scoring.peers import persentil_sejawat
from scoring.periods import previous_period, shift_period
from scoring.reporting_quality import mutu_pelaporan
from scoring.worklist import daftar_prioritas

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


def publish(input: Path, output: Path) -> dict[str, Path]:
    """Run and publish the months up to PERIODE; the work folder of each month's run (kept)."""
    work = {}
    with monthly.keeping_common_inputs():
        for months_back in range(MONTHS - 1, -1, -1):
            periode = shift_period(PERIODE, -months_back)
            params = monthly.RunParameters(period=periode, input=input, output=output, max_quarantine_share=1)
            run_id = monthly.new_run_id(periode, STARTED)
            monthly.prepare(params, run_id, STARTED)
            monthly.score(params, run_id, STARTED)
            work[periode] = monthly.work_folder(params, run_id)
            for name in monthly.OUTPUT_TABLES:
                frame = to_pandas(name, pq.read_table(work[periode] / "keluaran" / f"{name}.parquet"))
                storage.write_period(output, name, periode, frame, run_id)
    return work


def _read(output: Path, table: str) -> pd.DataFrame:
    return storage.read_table(output, table)


def action_tables(output: Path, work: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """Every table of PERIODE (skor_koperasi and ringkasan_wilayah: every month) with the columns and the five
    tables of issue 14."""
    run = work[PERIODE]
    run_id = run.name
    registry = pd.read_parquet(run / "koperasi.parquet")
    reports = pd.read_parquet(run / "laporan.parquet")
    factors = pd.read_parquet(run / "faktor.parquet")
    skor_all, status_all = _read(output, "skor_koperasi"), _read(output, "status_koperasi")
    skor = skor_all[skor_all["periode"] == PERIODE].reset_index(drop=True)
    status = status_all[status_all["periode"] == PERIODE].reset_index(drop=True)
    indikator_all = _read(output, "skor_indikator")
    indikator = indicator_columns(indikator_all[indikator_all["periode"] == PERIODE].reset_index(drop=True), skor)
    koperasi = cooperative_columns(skor, indikator, reports, registry, factors)
    status = status_columns(status, registry, koperasi)
    s = SETTINGS
    jalan = jalan_menuju_sehat(reports, koperasi, indikator)
    recent = [previous_period(PERIODE), PERIODE]
    peringatan = peringatan_dini(PERIODE, skor_all, indikator_all[indikator_all["periode"].isin(recent)],
                                 status_all[status_all["periode"].isin(recent)], margin=s.warning_margin,
                                 falling_periods=s.falling_periods, silent_months=s.silent_months,
                                 rat_months=s.rat_warning_months)
    history = pd.concat([skor_all[skor_all["periode"] != PERIODE], koperasi], ignore_index=True)
    actions = {
        "jalan_menuju_sehat": jalan, "peringatan_dini": peringatan,
        "persentil_sejawat": persentil_sejawat(koperasi, indikator, min_peers=s.min_peers),
        "daftar_prioritas": daftar_prioritas(PERIODE, history, status, jalan, peringatan,
                                             capacity=s.visits_per_pendamping, silent_months=s.silent_months,
                                             members_per_step=s.priority_members_per_step),
        "mutu_pelaporan": mutu_pelaporan(PERIODE, registry, _submissions(output, work), _quarantined(output),
                                         deadline_day=s.deadline_day, months=MONTHS, timezone=str(TIMEZONE)),
    }
    tables = {name: frame.assign(run_id=run_id) for name, frame in actions.items()}
    for name, frame in tables.items():
        storage.write_period(output, name, PERIODE, frame, run_id)
    tables.update({
        "skor_koperasi": pd.concat([skor_all[skor_all["periode"] != PERIODE], koperasi], ignore_index=True),
        "skor_indikator": indikator, "status_koperasi": status,
        "ringkasan_wilayah": _read(output, "ringkasan_wilayah"),
        **{name: storage.read_table(output, name, PERIODE) for name in ("karantina", "laporan_terganti")},
    })
    assert set(tables) == {*monthly.OUTPUT_TABLES, *NEW_TABLES} and set(ADDED_COLUMNS) <= set(tables)
    return tables


def _submissions(output: Path, work: dict[str, Path]) -> pd.DataFrame:
    """Every accepted report of the published months, those in force and those superseded."""
    current = pd.concat([pd.read_parquet(folder / "laporan.parquet", columns=["nik", "periode", "tanggal_kirim"])
                         for folder in work.values()], ignore_index=True).assign(terganti=False)
    replaced = _read(output, "laporan_terganti")[["nik", "periode", "tanggal_kirim"]].assign(terganti=True)
    both = pd.concat([current.astype({"tanggal_kirim": "str"}), replaced], ignore_index=True)
    return both.assign(tanggal_kirim=pd.to_datetime(both["tanggal_kirim"], format="ISO8601"))


def _quarantined(output: Path) -> pd.DataFrame:
    karantina = _read(output, "karantina")
    return karantina[karantina["sumber"].str.startswith("laporan/")]
