"""Writing a sample landing folder: the registry, the findings, the monthly report files (corrections in later
files) and the yearly questionnaire files; or, with `dirty`, the last period's drop of `sample.dirty`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sample.answers import build_checklists, build_factors, build_questionnaires
from sample.profiles import build_profiles
from sample.registry import aktif_pada, build_registry
from sample.reports import build_corrections, build_reports
from sample.scales import LAST_PERIOD, SCALES, Months
from scoring.columns import LAPORAN


def csv_ready(reports: pd.DataFrame) -> pd.DataFrame:
    """Report rows as a CSV carries them: ISO timestamps and true/false."""
    return reports.assign(tanggal_kirim=reports["tanggal_kirim"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
                          diaudit=np.where(reports["diaudit"], "true", "false"))


def write_csv(frame: pd.DataFrame, path: Path, **options: str) -> None:
    """Write a UTF-8 CSV with a header row and no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", **options)


def write_reports(reports: pd.DataFrame, path: Path, fmt: str) -> Path:
    """One laporan file (path without suffix) in the scale's format, columns in contract order."""
    reports = reports[list(LAPORAN)]
    if fmt == "parquet":
        path.parent.mkdir(parents=True, exist_ok=True)
        kirim = reports["tanggal_kirim"].astype("datetime64[s]")
        reports.assign(tanggal_kirim=kirim).to_parquet(path.with_suffix(".parquet"), index=False)
        return path.with_suffix(".parquet")
    write_csv(csv_ready(reports), path.with_suffix(".csv"))
    return path.with_suffix(".csv")


def _write_clean(out: Path, fmt: str, reports: pd.DataFrame, corrections: pd.DataFrame,
                 kuesioner: pd.DataFrame) -> dict[str, int]:
    """Monthly laporan files (corrections in later files) and yearly kuesioner files."""
    semua = pd.concat([reports, corrections], ignore_index=True)
    semua = semua.sort_values(["berkas", "tanggal_kirim", "nik"], kind="stable")
    for berkas, part in semua.groupby("berkas", sort=True):
        write_reports(part, out / "laporan" / f"laporan_{berkas}", fmt)
    for tahun, part in kuesioner.groupby(kuesioner["tanggal"].str[:4], sort=True):
        write_csv(part, out / "kuesioner" / f"kuesioner_{tahun}.csv")
    return {"laporan": len(semua), "laporan_koreksi": len(corrections),
            "berkas_laporan": semua["berkas"].nunique(), "kuesioner": len(kuesioner)}


COUNTED = {"koperasi": "koperasi", "aktif": "aktif", "tidak_aktif": "tidak aktif",
           "simpan_pinjam": "koperasi simpan pinjam", "faktor_pengurang": "faktor pengurang",
           "laporan": "baris laporan", "laporan_koreksi": "baris laporan koreksi",
           "laporan_semicolon": "baris laporan bertitik koma", "berkas_laporan": "berkas laporan",
           "kuesioner": "jawaban kuesioner", "pemeriksaan": "butir pemeriksaan"}


def counted(key: str) -> str:
    """What a count `write_sample` returns counts, in words ("tidak_aktif" -> "tidak aktif"); a dirty drop's defect
    by its code in CACAT.md ("cacat_nik_salah_ketik" -> "cacat nik_salah_ketik")."""
    return COUNTED.get(key) or (f"cacat {key.removeprefix('cacat_')}" if key.startswith("cacat_") else key)


def write_sample(output: Path, scale: str = "kaltara", seed: int = 2026, dirty: bool = False,
                 last_period: str = LAST_PERIOD) -> dict[str, int]:
    """Write the clean landing folder, its reports the SAMPLE_MONTHS months up to `last_period` (or the dirty drop
    of that period), and return its row counts."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec, months, rng, output = SCALES[scale], Months.ending(last_period), np.random.default_rng(seed), Path(output)
    registry = build_registry(spec, months, rng)
    profiles = build_profiles(registry, months, rng)
    reports = build_reports(profiles, months, rng)
    corrections = build_corrections(reports, len(profiles.nik), months, rng)  # both drops: one rng stream
    kuesioner = build_questionnaires(profiles, months, rng)
    factors = build_factors(profiles, months, rng)
    write_csv(registry, output / "koperasi.csv")
    write_csv(factors, output / "faktor_pengurang.csv")
    aktif = aktif_pada(registry, months.akhir)
    counts = {"koperasi": len(registry), "aktif": int(aktif.sum()), "tidak_aktif": int((~aktif).sum()),
              "simpan_pinjam": len(profiles.nik), "faktor_pengurang": len(factors)}
    if dirty:
        from sample.dirty import write_dirty  # the dirty drop builds on the clean sample's parts

        return counts | write_dirty(output, months.akhir, registry, reports, kuesioner, rng)
    # the checklists draw from a stream of their own, so that adding them changed no other file of a sample
    pemeriksaan = build_checklists(profiles, months, np.random.default_rng([seed, 2021]))
    write_csv(pemeriksaan, output / "pemeriksaan" / f"pemeriksaan_{months.akhir[:4]}.csv")
    return counts | _write_clean(output, spec.format_laporan, reports, corrections, kuesioner) | {
        "pemeriksaan": len(pemeriksaan)}
