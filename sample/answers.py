"""The questionnaire answers (data-contract §1.3) and the supervisors' findings (§1.4) of a sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.profiles import Profiles, indicator_health, lerp
from sample.scales import AKHIR, KONVENSIONAL, PERIODE_AKHIR, year_start

KUESIONER = {"manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5,
             "manajemen_aktiva": 10, "manajemen_likuiditas": 5}
KOMPONEN = np.repeat(list(KUESIONER), list(KUESIONER.values()))
NOMOR = np.concatenate([np.arange(1, n + 1) for n in KUESIONER.values()])
FAKTOR = (  # kode, berlaku_mulai and berlaku_sampai in months before the last period (None: open)
    ("pembukuan_bermasalah", 4, None, "Pembukuan terlambat lebih dari dua bulan (pemeriksaan lapangan)"),
    ("rekayasa_pembukuan", 2, 0, "Saldo pinjaman direkayasa untuk menutupi pinjaman macet"),
    ("perselisihan_intern", 20, 14, "Perselisihan pengurus dan pengawas; RAT tertunda"),
    ("pelanggaran_ketentuan", 1, None, "Pinjaman kepada non-anggota melebihi batas AD/ART"),
)


def build_questionnaires(p: Profiles, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly 38-answer sets filled in February; "ya" is likelier the healthier the cooperative."""
    frames = []
    for tahun in range(2024, int(AKHIR[:4]) + 1):
        t = (tahun - 2024) * 12 + 1
        ada = (p.mulai <= t) & (t < p.berhenti) & ~p.tanpa_kuesioner
        k = int(ada.sum())
        tanggal = year_start(np.full(k, tahun)) + 32 + rng.integers(0, 27, k)
        ya = rng.random((k, len(NOMOR))) < lerp(0.15, 0.97, indicator_health(p, t, "kuesioner"))[ada, None]
        frames.append(pd.DataFrame({
            "nik": np.repeat(p.nik[ada], len(NOMOR)),
            "tanggal": np.repeat(np.datetime_as_string(tanggal, unit="D"), len(NOMOR)),
            "komponen": np.tile(KOMPONEN, k),
            "nomor": np.tile(NOMOR, k),
            "jawaban": np.where(ya.ravel(), "ya", "tidak"),
        }))
    return pd.concat(frames, ignore_index=True)


def build_factors(p: Profiles, rng: np.random.Generator) -> pd.DataFrame:
    """Supervisors' findings (rulebook §7) on the healthiest third of ksp/usp reporting last month."""
    konvensional = np.isin(p.jenis, KONVENSIONAL) & p.melapor[:, -1]
    sehat = p.kualitas[:, -1] >= np.quantile(p.kualitas[konvensional, -1], 2 / 3)
    n = max(len(FAKTOR), round(0.09 * konvensional.sum()))
    pilih = rng.choice(np.flatnonzero(konvensional & sehat), n, replace=False)
    kode, mulai, sampai, keterangan = (np.array(col, dtype=object)[np.arange(n) % len(FAKTOR)]
                                       for col in zip(*FAKTOR))
    factors = pd.DataFrame({
        "nik": p.nik[pilih],
        "kode": kode,
        "berlaku_mulai": (PERIODE_AKHIR - mulai.astype(np.int64)).astype(str),
        "berlaku_sampai": [None if s is None else str(PERIODE_AKHIR - s) for s in sampai],
        "keterangan": keterangan,
    })
    return factors.sort_values(["berlaku_mulai", "nik"], ignore_index=True)
