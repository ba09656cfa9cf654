"""The latent profile of each savings-and-loan cooperative of a sample: its health, size, members and reporting
over the months, which steer every ratio the scoring reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sample.registry import aktif_pada
from sample.scales import SAMPLE_MONTHS, SIMPAN_PINJAM, Months, scored_jenis

T = SAMPLE_MONTHS  # the months of the paths (their columns)
INDIKATOR = ("modal", "pinjaman", "anggota", "npl", "cadangan", "berisiko", "kas", "biaya",
             "efisiensi", "pea", "kuesioner")


@dataclass(frozen=True)
class Profiles:
    """Latent health and shape of each savings-and-loan cooperative (rows) over the months (columns)."""

    nik: np.ndarray
    jenis: np.ndarray
    kualitas: np.ndarray
    ukuran: np.ndarray
    anggota: np.ndarray
    mulai: np.ndarray
    berhenti: np.ndarray
    melapor: np.ndarray
    diaudit: np.ndarray
    tanpa_kuesioner: np.ndarray
    bunga: np.ndarray
    porsi_lancar: np.ndarray
    porsi_ctr: np.ndarray
    tanda_kas: np.ndarray
    selisih: np.ndarray
    bobot_aset: np.ndarray
    bobot_kewajiban: np.ndarray
    bobot_ekuitas: np.ndarray
    bobot_npl: np.ndarray


def lerp(buruk: float, baik: float, x: np.ndarray) -> np.ndarray:
    """Interpolate from the unhealthy value (x = 0) to the healthy one (x = 1)."""
    return buruk + (baik - buruk) * x


def rint(x: np.ndarray) -> np.ndarray:
    """Round to whole Rupiah."""
    return np.rint(x).astype(np.int64)


def _stratified(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Final latent health, stratified within each group so that every predicate is well filled."""
    u = np.empty(len(groups))
    for group in np.unique(groups):
        idx = np.flatnonzero(groups == group)
        u[idx] = (rng.permutation(len(idx)) + rng.random(len(idx))) / len(idx)
    return np.interp(u, [0.0, 0.25, 0.5, 0.75, 1.0], [0.05, 0.4, 0.52, 0.68, 0.98])


def _health_paths(q_akhir: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Latent health per month: a trend ending at q_akhir plus AR(1) noise."""
    n = len(q_akhir)
    tren = rng.normal(0.0, 0.04, n)
    arah = rng.random(n)
    tren = np.where(arah < 0.12, -0.3, np.where(arah > 0.92, 0.25, tren))
    noise = np.empty((n, T))
    noise[:, 0] = rng.normal(0.0, 0.03, n)
    for t in range(1, T):
        noise[:, t] = 0.8 * noise[:, t - 1] + rng.normal(0.0, 0.018, n)
    waktu = (np.arange(T) - (T - 1)) / (T - 1)
    return np.clip(q_akhir[:, None] + tren[:, None] * waktu + noise, 0.0, 1.0)


def _size_paths(q_akhir: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Target total_aset (lognormal, Rp 60 million to 40 billion at start) and members per month."""
    n = len(q_akhir)
    aset0 = np.clip(rng.lognormal(np.log(1.2e9), 1.4, n), 6e7, 4e10)
    tumbuh = lerp(-0.06, 0.12, q_akhir) + rng.normal(0.0, 0.03, n)
    acak = np.cumsum(rng.normal(0.0, 0.012, (n, T)), axis=1)
    tahun = np.arange(T) / 12
    ukuran = aset0[:, None] * np.exp(tumbuh[:, None] * tahun + acak)
    anggota0 = np.clip(aset0 / rng.lognormal(np.log(7e6), 0.6, n), 25, 30_000)
    tumbuh_anggota = 0.5 * tumbuh + rng.normal(0.0, 0.02, n)
    anggota = np.maximum(rint(anggota0[:, None] * np.exp(tumbuh_anggota[:, None] * tahun)), 10)
    return ukuran, anggota


def _reporting(berdiri: np.ndarray, aktif: np.ndarray, months: Months, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, stop and the months reported: some stop, some skip 3+ months, a few miss one."""
    n = len(berdiri)
    mulai = np.clip((berdiri.astype("datetime64[M]") - months.first).astype(np.int64) + 2, 0, T)
    urutan = np.lexsort((rng.random(n), aktif))
    n_berhenti, n_jeda = round(0.08 * n), round(0.11 * n)
    berhenti = np.full(n, T)
    berhenti[urutan[:n_berhenti]] = rng.integers(6, T - 4, n_berhenti)
    jeda = rng.permutation(urutan[n_berhenti:])[:n_jeda]
    panjang = rng.integers(3, 6, n_jeda)
    awal = rng.integers(1, T - panjang - 1)
    panjang[0], awal[0] = 3, T - 4
    t = np.arange(T)
    melapor = (t >= mulai[:, None]) & (t < berhenti[:, None]) & (rng.random((n, T)) >= 0.015)
    melapor[jeda] &= ~((t >= awal[:, None]) & (t < (awal + panjang)[:, None]))
    melapor[jeda[0], T - 1] = True
    return mulai, berhenti, melapor


def build_profiles(registry: pd.DataFrame, months: Months, rng: np.random.Generator) -> Profiles:
    """One latent profile per savings-and-loan cooperative, steering every scoring ratio."""
    sp = registry[registry["jenis"].isin(SIMPAN_PINJAM)].reset_index(drop=True)
    n = len(sp)
    jenis = sp["jenis"].to_numpy()
    q_akhir = _stratified(np.isin(jenis, scored_jenis(months.akhir)), rng)
    ukuran, anggota = _size_paths(q_akhir, rng)
    berdiri = pd.to_datetime(sp["tanggal_badan_hukum"]).to_numpy().astype("datetime64[D]")
    mulai, berhenti, melapor = _reporting(berdiri, aktif_pada(sp, months.akhir), months, rng)
    return Profiles(
        nik=sp["nik"].to_numpy(dtype=object),
        jenis=jenis,
        kualitas=_health_paths(q_akhir, rng),
        ukuran=ukuran,
        anggota=anggota,
        mulai=mulai,
        berhenti=berhenti,
        melapor=melapor,
        diaudit=rng.random(n) < np.where(ukuran[:, 0] > 2.5e9, 0.85, 0.1),
        tanpa_kuesioner=rng.random(n) < 0.065,
        bunga=rng.uniform(0.15, 0.24, n),
        porsi_lancar=rng.uniform(0.55, 0.9, n),
        porsi_ctr=rng.uniform(0.02, 0.08, n),
        tanda_kas=rng.choice([-1.0, 1.0], n),
        selisih=rng.normal(0.0, 0.16, (n, len(INDIKATOR))),
        bobot_aset=rng.dirichlet([7, 2, 2, 2, 5, 2], n),
        bobot_kewajiban=rng.dirichlet([12, 8, 4, 1, 2], n),
        bobot_ekuitas=rng.dirichlet([2, 9, 1, 1, 1, 6], n),
        bobot_npl=rng.dirichlet([9, 5, 6], n),
    )


def indicator_health(p: Profiles, t: int, nama: str) -> np.ndarray:
    """Health of one indicator: the latent health plus the cooperative's own offset."""
    return np.clip(p.kualitas[:, t] + p.selisih[:, INDIKATOR.index(nama)], 0.0, 1.0)
