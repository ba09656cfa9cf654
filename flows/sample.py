"""Deterministic, seeded sample of a landing folder of cooperative submissions (data-contract §1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PERIODE_AWAL = np.datetime64("2024-01", "M")
PERIODE_AKHIR = np.datetime64("2026-10", "M")
BULAN = np.arange(PERIODE_AWAL, PERIODE_AKHIR + 1)
T = len(BULAN)
AKHIR = str(PERIODE_AKHIR)

JENIS = ("ksp", "usp", "kspps", "uspps", "konsumen", "produsen", "pemasaran", "jasa")
SIMPAN_PINJAM = ("ksp", "usp", "kspps", "uspps")
KONVENSIONAL = ("ksp", "usp")

REGISTRY_COLUMNS = [
    "nik", "nama", "jenis", "kode_wilayah", "kabupaten_kota", "wilayah_keanggotaan",
    "tanggal_badan_hukum", "tanggal_rat_terakhir", "pendamping",
]
ASET = [
    "kas", "bank", "simpanan_di_lembaga_lain", "surat_berharga", "pinjaman_anggota",
    "pinjaman_non_anggota", "penyisihan_penghapusan_pinjaman", "pendapatan_yang_masih_harus_diterima",
    "penyertaan", "aset_tetap", "aset_lain",
]
ASET_SISA = ["simpanan_di_lembaga_lain", "surat_berharga", "pendapatan_yang_masih_harus_diterima",
             "penyertaan", "aset_tetap", "aset_lain"]
KEWAJIBAN = ["simpanan_sukarela", "simpanan_berjangka", "hutang_pihak_lain",
             "beban_yang_masih_harus_dibayar", "kewajiban_lain"]
EKUITAS = ["simpanan_pokok", "simpanan_wajib", "modal_penyetaraan", "modal_penyertaan", "hibah",
           "cadangan_umum", "cadangan_tujuan_risiko", "shu_belum_dibagi"]
PINJAMAN = ["pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet",
            "pinjaman_berisiko", "volume_pinjaman", "volume_pinjaman_anggota"]
LABA_RUGI = ["partisipasi_bruto", "pendapatan_non_anggota", "beban_pokok", "beban_usaha",
             "biaya_karyawan", "beban_perkoperasian", "pendapatan_lain", "beban_lain",
             "shu_bagian_anggota", "promosi_ekonomi_anggota"]
REPORT_COLUMNS = ["nik", "periode", "tanggal_kirim", "diaudit", *ASET, "total_aset", *KEWAJIBAN,
                  "kewajiban_lancar", *EKUITAS, *PINJAMAN, *LABA_RUGI, "jumlah_anggota"]
MONEY_COLUMNS = REPORT_COLUMNS[4:-1]
KUESIONER = {"manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5,
             "manajemen_aktiva": 10, "manajemen_likuiditas": 5}
KOMPONEN = np.repeat(list(KUESIONER), list(KUESIONER.values()))
NOMOR = np.concatenate([np.arange(1, n + 1) for n in KUESIONER.values()])
# the examiner's checklist of the draft 2021 worksheet (kkpkk-2021-draft.toml): items per indicator
PEMERIKSAAN = {"prinsip_koperasi": 7, "kelembagaan_koperasi": 30, "manajemen_koperasi": 10, "kpmr": 10}
INDIKATOR_PEMERIKSAAN = np.repeat(list(PEMERIKSAAN), list(PEMERIKSAAN.values()))
BUTIR = np.concatenate([np.arange(1, n + 1) for n in PEMERIKSAAN.values()])
DIPERIKSA = 0.25  # share of the ksp/usp reporting in the last period with an examiner's checklist of that year
INDIKATOR = ("modal", "pinjaman", "anggota", "npl", "cadangan", "berisiko", "kas", "biaya",
             "efisiensi", "pea", "kuesioner")
FAKTOR = (  # kode, berlaku_mulai and berlaku_sampai in months before the last period (None: open)
    ("pembukuan_bermasalah", 4, None, "Pembukuan terlambat lebih dari dua bulan (pemeriksaan lapangan)"),
    ("rekayasa_pembukuan", 2, 0, "Saldo pinjaman direkayasa untuk menutupi pinjaman macet"),
    ("perselisihan_intern", 20, 14, "Perselisihan pengurus dan pengawas; RAT tertunda"),
    ("pelanggaran_ketentuan", 1, None, "Pinjaman kepada non-anggota melebihi batas AD/ART"),
)
NAMA_BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")

KALTARA = pd.DataFrame({
    "kode_wilayah": ["65.01", "65.02", "65.03", "65.04", "65.71"],
    "kabupaten_kota": ["Malinau", "Bulungan", "Tana Tidung", "Nunukan", "Tarakan"],
    "bobot": [215.0, 330.0, 101.0, 482.0, 199.0],
})
PROVINSI = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34",
            "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74",
            "75", "76", "81", "82", "91", "92", "93", "94", "95", "96")
AWALAN = {"ksp": "KSP", "usp": "USP Koperasi", "kspps": "KSPPS", "uspps": "USPPS Koperasi",
          "konsumen": "Koperasi Konsumen", "produsen": "Koperasi Produsen",
          "pemasaran": "Koperasi Pemasaran", "jasa": "Koperasi Jasa"}
KATA = ("Sejahtera", "Bersama", "Mandiri", "Makmur", "Maju", "Jaya", "Karya", "Sentosa", "Harapan",
        "Bahagia", "Abadi", "Lestari", "Mitra", "Bina", "Tunas", "Berkah", "Sinar", "Cahaya",
        "Benuanta", "Borneo", "Kayan", "Sesayap", "Sebuku", "Sembakung", "Intan", "Mutiara",
        "Pesisir", "Perbatasan", "Rukun", "Setia", "Gotong Royong", "Nelayan", "Tani", "Pelangi")
KATA_SYARIAH = ("Al-Ikhlas", "Al-Amanah", "Baitul Mal", "Barokah", "Muamalah", "At-Taqwa",
                "Al-Falah", "Nurul Iman", "Ummat", "Al-Hikmah")
PENDAMPING = ("Andi Saputra", "Budi Santoso", "Citra Lestari", "Dewi Anggraini", "Eko Prasetyo",
              "Fitri Handayani", "Gusti Ayu Rahayu", "Hendra Gunawan", "Indah Permatasari",
              "Joko Susilo", "Kartini Lumban Gaol", "Lukas Ding", "Maria Ngau", "Nur Aisyah",
              "Oktavianus Lerang", "Putri Wulandari", "Rahmat Hidayat", "Sri Mulyani",
              "Taufik Rahman", "Usman Laing", "Veronika Bulan", "Wahyu Nugroho", "Yohanes Ajang",
              "Zulkifli Ahmad")


@dataclass(frozen=True)
class Scale:
    """Size and shape of a generated landing folder."""

    jenis_counts: dict[str, int]
    n_aktif: int
    provinsi: tuple[str, ...]
    format_laporan: str


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to weights that sum exactly to total (largest remainder)."""
    exact = total * np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[: total - counts.sum()]] += 1
    return counts


_NASIONAL_JENIS = dict(zip(JENIS, _apportion(
    130_000, np.array([0.105, 0.02, 0.01, 0.0035, 0.43, 0.19, 0.07, 0.1715])).tolist()))
SCALES = {
    "kaltara": Scale({"ksp": 28, "usp": 12, "kspps": 4, "uspps": 2, "konsumen": 25,
                      "produsen": 16, "pemasaran": 10, "jasa": 12}, 68, ("65",), "csv"),
    "national": Scale(_NASIONAL_JENIS, 107_900, PROVINSI, "parquet"),
}


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


def _lerp(buruk: float, baik: float, x: np.ndarray) -> np.ndarray:
    """Interpolate from the unhealthy value (x = 0) to the healthy one (x = 1)."""
    return buruk + (baik - buruk) * x


def _rint(x: np.ndarray) -> np.ndarray:
    """Round to whole Rupiah."""
    return np.rint(x).astype(np.int64)


def _month_start(months: np.ndarray) -> np.ndarray:
    """First second of each month (datetime64[M] in, datetime64[s] out)."""
    return months.astype("datetime64[D]").astype("datetime64[s]")


def _year_start(years: np.ndarray) -> np.ndarray:
    """1 January of each year as datetime64[D]."""
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


# --- registry -------------------------------------------------------------------------------


def _regions(provinsi: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Kabupaten/kota with weights: real Kaltara, synthetic BPS-like codes elsewhere."""
    parts = []
    for kode in provinsi:
        if kode == "65":
            parts.append(KALTARA)
            continue
        kabupaten = [f"{kode}.{k:02d}" for k in range(1, rng.integers(4, 26))]
        kota = [f"{kode}.{k}" for k in range(71, 71 + rng.integers(1, 5))]
        parts.append(pd.DataFrame({
            "kode_wilayah": kabupaten + kota,
            "kabupaten_kota": [f"Kabupaten {k}" for k in kabupaten] + [f"Kota {k}" for k in kota],
            "bobot": rng.lognormal(np.log(250.0), 0.6, len(kabupaten) + len(kota)),
        }))
    return pd.concat(parts, ignore_index=True)


def _names(jenis: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Indonesian-looking cooperative names, made unique with a number where they repeat."""
    n = len(jenis)
    i, j = rng.integers(0, len(KATA), n), rng.integers(1, len(KATA), n)
    kata = np.array(KATA, dtype=object)
    syariah = np.isin(jenis, ("kspps", "uspps"))
    first = np.where(syariah, np.array(KATA_SYARIAH, dtype=object)[rng.integers(0, len(KATA_SYARIAH), n)],
                     kata[i])
    names = pd.Series(pd.Series(jenis).map(AWALAN).to_numpy(dtype=object) + " " + first + " "
                      + kata[(i + j) % len(KATA)])
    seen = names.groupby(names).cumcount()
    return names.where(seen == 0, names + " " + (seen + 1).astype(str))


def _founding_dates(baru: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """tanggal_badan_hukum: 1985-2022, or during 2024 for the newly founded."""
    lama = np.datetime64("1985-01-01") + rng.integers(0, 13_878, len(baru))
    return np.where(baru, np.datetime64("2024-02-01") + rng.integers(0, 300, len(baru)), lama)


def _rat_dates(berdiri: np.ndarray, aktif: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Last RAT between February and June: 2024-2026 when aktif, before 2024 (or never) otherwise."""
    n = len(berdiri)
    tahun_berdiri = berdiri.astype("datetime64[Y]").astype(np.int64) + 1970
    tahun_aktif = np.maximum(rng.choice([2024, 2025, 2026], n, p=[0.1, 0.3, 0.6]), tahun_berdiri + 1)
    tahun_lama = rng.integers(np.minimum(np.maximum(tahun_berdiri + 1, 2012), 2023), 2024)
    tanggal = _year_start(np.where(aktif, tahun_aktif, tahun_lama)) + 31 + rng.integers(0, 150, n)
    return np.where(~aktif & (rng.random(n) < 0.3), np.datetime64("NaT"), tanggal)


def _nik(kode_wilayah: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Unique 15-digit numbers: the 4 digits of the region code and 11 random digits."""
    suffix = rng.choice(9 * 10**10, len(kode_wilayah), replace=False) + 10**10
    return kode_wilayah.str.replace(".", "", regex=False) + pd.Series(suffix).astype(str)


def _iso_dates(dates: np.ndarray) -> pd.Series:
    """ISO `YYYY-MM-DD` strings, missing where NaT."""
    text = pd.Series(np.datetime_as_string(dates.astype("datetime64[D]"), unit="D"), dtype=object)
    return text.where(~np.isnat(dates), None)


def build_registry(scale: Scale, rng: np.random.Generator) -> pd.DataFrame:
    """koperasi.csv with the exact jenis mix and the exact aktif count at the last period."""
    regions = _regions(scale.provinsi, rng)
    n = sum(scale.jenis_counts.values())
    wilayah = regions.iloc[rng.permutation(np.repeat(np.arange(len(regions)),
                                                     _apportion(n, regions["bobot"])))]
    jenis = rng.permutation(np.repeat(list(scale.jenis_counts), list(scale.jenis_counts.values())))
    simpan_pinjam = np.isin(jenis, SIMPAN_PINJAM)
    n_baru = round(0.045 * simpan_pinjam.sum())
    baru = np.zeros(n, dtype=bool)
    baru[rng.choice(np.flatnonzero(simpan_pinjam), n_baru, replace=False)] = True
    kunci = rng.random(n) + 0.4 * simpan_pinjam + 2.0 * baru
    aktif = np.zeros(n, dtype=bool)
    aktif[np.argsort(-kunci, kind="stable")[: scale.n_aktif]] = True
    berdiri = _founding_dates(baru, rng)
    registry = pd.DataFrame({
        "nik": _nik(wilayah["kode_wilayah"].reset_index(drop=True), rng),
        "nama": _names(jenis, rng),
        "jenis": jenis,
        "kode_wilayah": wilayah["kode_wilayah"].to_numpy(),
        "kabupaten_kota": wilayah["kabupaten_kota"].to_numpy(),
        "wilayah_keanggotaan": rng.choice(["provinsi", "kabupaten_kota", "nasional"], n,
                                          p=[0.65, 0.3, 0.05]),
        "tanggal_badan_hukum": _iso_dates(berdiri),
        "tanggal_rat_terakhir": _iso_dates(_rat_dates(berdiri, aktif, rng)),
        "pendamping": np.where(rng.random(n) < 0.6, rng.choice(PENDAMPING, n), None),
    })
    return registry.sort_values("nik", ignore_index=True)[REGISTRY_COLUMNS]


def aktif_pada(registry: pd.DataFrame, periode: str) -> np.ndarray:
    """Kemenkop's aktif: a RAT within the 3 years before the end of the period."""
    akhir = pd.Period(periode, "M").end_time.normalize()
    rat = pd.to_datetime(registry["tanggal_rat_terakhir"])
    return ((rat > akhir - pd.DateOffset(years=3)) & (rat <= akhir)).to_numpy()


# --- profiles -------------------------------------------------------------------------------


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
    tumbuh = _lerp(-0.06, 0.12, q_akhir) + rng.normal(0.0, 0.03, n)
    acak = np.cumsum(rng.normal(0.0, 0.012, (n, T)), axis=1)
    tahun = np.arange(T) / 12
    ukuran = aset0[:, None] * np.exp(tumbuh[:, None] * tahun + acak)
    anggota0 = np.clip(aset0 / rng.lognormal(np.log(7e6), 0.6, n), 25, 30_000)
    tumbuh_anggota = 0.5 * tumbuh + rng.normal(0.0, 0.02, n)
    anggota = np.maximum(_rint(anggota0[:, None] * np.exp(tumbuh_anggota[:, None] * tahun)), 10)
    return ukuran, anggota


def _reporting(berdiri: np.ndarray, aktif: np.ndarray, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, stop and the months reported: some stop, some skip 3+ months, a few miss one."""
    n = len(berdiri)
    mulai = np.clip((berdiri.astype("datetime64[M]") - PERIODE_AWAL).astype(np.int64) + 2, 0, T)
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


def build_profiles(registry: pd.DataFrame, rng: np.random.Generator) -> Profiles:
    """One latent profile per savings-and-loan cooperative, steering every scoring ratio."""
    sp = registry[registry["jenis"].isin(SIMPAN_PINJAM)].reset_index(drop=True)
    n = len(sp)
    jenis = sp["jenis"].to_numpy()
    q_akhir = _stratified(np.isin(jenis, KONVENSIONAL), rng)
    ukuran, anggota = _size_paths(q_akhir, rng)
    berdiri = pd.to_datetime(sp["tanggal_badan_hukum"]).to_numpy().astype("datetime64[D]")
    mulai, berhenti, melapor = _reporting(berdiri, aktif_pada(sp, AKHIR), rng)
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


# --- monthly reports ------------------------------------------------------------------------


def _ind(p: Profiles, t: int, nama: str) -> np.ndarray:
    """Health of one indicator: the latent health plus the cooperative's own offset."""
    return np.clip(p.kualitas[:, t] + p.selisih[:, INDIKATOR.index(nama)], 0.0, 1.0)


def _assets(p: Profiles, t: int, e: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Asset lines and loans by collectibility; total_aset is their exact sum."""
    n, ukuran = len(p.nik), p.ukuran[:, t]
    rasio_kas = 0.125 + p.tanda_kas * np.maximum(0.0, 0.55 - _ind(p, t, "kas")) * 0.5
    rasio_kas = np.clip(rasio_kas + rng.normal(0.0, 0.005, n), 0.01, 0.6)
    kas_bank = rasio_kas * (1 - e) * ukuran * p.porsi_lancar
    pinjaman = np.minimum(_lerp(0.45, 0.82, _ind(p, t, "pinjaman")), 0.93 - kas_bank / ukuran) * ukuran
    porsi_anggota = np.clip(_lerp(0.4, 0.96, _ind(p, t, "anggota")), 0.02, 0.99)
    rpm = np.clip(_lerp(0.42, -0.02, _ind(p, t, "npl")) + rng.normal(0.0, 0.004, n), 0.0, 0.5)
    bermasalah = np.minimum(pinjaman * rpm / (p.bobot_npl @ [0.5, 0.75, 1.0]), 0.7 * pinjaman)
    kl, dr, mc = (_rint(bermasalah * p.bobot_npl[:, k]) for k in range(3))
    ctr = _rint(e * ukuran * p.porsi_ctr)
    cakupan = np.clip(_lerp(0.05, 1.2, _ind(p, t, "cadangan")), 0.0, 1.5)
    penyisihan = _rint(np.maximum(cakupan * (0.5 * kl + 0.75 * dr + mc) - ctr, 0.0))
    lines = {"kas": _rint(0.3 * kas_bank)}
    lines["bank"] = _rint(kas_bank) - lines["kas"]
    lines["pinjaman_anggota"] = _rint(porsi_anggota * pinjaman)
    lines["pinjaman_non_anggota"] = _rint(pinjaman) - lines["pinjaman_anggota"]
    lines["penyisihan_penghapusan_pinjaman"] = penyisihan
    sisa = ukuran - kas_bank - pinjaman + penyisihan
    lines.update({c: _rint(sisa * p.bobot_aset[:, k]) for k, c in enumerate(ASET_SISA)})
    diberikan = lines["pinjaman_anggota"] + lines["pinjaman_non_anggota"]
    berisiko = np.clip(_lerp(0.45, 0.06, _ind(p, t, "berisiko")), 0.0, 0.9)
    lines["total_aset"] = sum(lines[c] for c in ASET if c != "penyisihan_penghapusan_pinjaman")
    lines["total_aset"] -= penyisihan
    lines.update(pinjaman_lancar=diberikan - kl - dr - mc, pinjaman_kurang_lancar=kl,
                 pinjaman_diragukan=dr, pinjaman_macet=mc, pinjaman_berisiko=_rint(berisiko * diberikan),
                 cadangan_tujuan_risiko=ctr)
    return lines


def _liabilities_equity(p: Profiles, e: np.ndarray, aset: dict[str, np.ndarray],
                        shu_lalu: np.ndarray) -> dict[str, np.ndarray]:
    """Liability and equity lines; shu_belum_dibagi balances the sheet exactly."""
    total_aset = aset["total_aset"]
    total_kewajiban = _rint((1 - e) * total_aset)
    lines = {c: _rint(total_kewajiban * p.bobot_kewajiban[:, k]) for k, c in enumerate(KEWAJIBAN)}
    lines["simpanan_sukarela"] = total_kewajiban - sum(lines[c] for c in KEWAJIBAN[1:])
    lines["kewajiban_lancar"] = _rint(p.porsi_lancar * total_kewajiban)
    ekuitas = total_aset - total_kewajiban - aset["cadangan_tujuan_risiko"]
    lain = np.maximum(ekuitas - np.minimum(shu_lalu, 0.5 * ekuitas), 0)
    tanpa_shu = [c for c in EKUITAS if c not in ("cadangan_tujuan_risiko", "shu_belum_dibagi")]
    lines.update({c: _rint(lain * p.bobot_ekuitas[:, k]) for k, c in enumerate(tanpa_shu)})
    lines["shu_belum_dibagi"] = ekuitas - sum(lines[c] for c in tanpa_shu)
    return lines


def _noise(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """Multiplicative noise around 1, never below 0.5."""
    return np.maximum(rng.normal(1.0, sd, n), 0.5)


def _monthly_flows(p: Profiles, t: int, b: dict[str, np.ndarray], rng: np.random.Generator
                   ) -> dict[str, np.ndarray]:
    """One month of lending volume and income statement (not yet year to date)."""
    n = len(p.nik)
    diberikan = b["pinjaman_anggota"] + b["pinjaman_non_anggota"]
    biaya = _ind(p, t, "biaya")
    partisipasi = _rint(p.bunga * b["pinjaman_anggota"] / 12 * _noise(rng, n, 0.05))
    non_anggota = _rint((p.bunga * b["pinjaman_non_anggota"] + 0.002 * b["total_aset"]) / 12
                        * _noise(rng, n, 0.05))
    beban_pokok = _rint(_lerp(0.58, 0.28, biaya) * partisipasi)
    beban_usaha = _rint(_lerp(1.05, 0.33, biaya) * (partisipasi + non_anggota - beban_pokok)
                        * _noise(rng, n, 0.05))
    volume = _rint(_lerp(0.6, 1.4, _ind(p, t, "pinjaman")) * diberikan / 12 * _noise(rng, n, 0.1))
    porsi = np.clip(b["pinjaman_anggota"] / np.maximum(diberikan, 1) + rng.normal(0.0, 0.03, n), 0, 1)
    karyawan = np.minimum(_lerp(0.19, 0.025, _ind(p, t, "efisiensi")) * volume, 0.9 * beban_usaha)
    flows = {
        "volume_pinjaman": volume,
        "volume_pinjaman_anggota": _rint(porsi * volume),
        "partisipasi_bruto": partisipasi,
        "pendapatan_non_anggota": non_anggota,
        "beban_pokok": beban_pokok,
        "beban_usaha": beban_usaha,
        "biaya_karyawan": _rint(karyawan),
        "beban_perkoperasian": _rint(_lerp(0.06, 0.02, biaya) * partisipasi),
        "pendapatan_lain": _rint(0.035 * (b["bank"] + b["simpanan_di_lembaga_lain"]
                                          + b["surat_berharga"]) / 12),
        "beban_lain": _rint(0.001 * b["total_aset"] / 12),
    }
    flows["shu_bagian_anggota"] = _rint(np.maximum(0.4 * _shu_before_tax(flows), 0))
    modal_anggota = b["simpanan_pokok"] + b["simpanan_wajib"]
    flows["promosi_ekonomi_anggota"] = _rint(_lerp(0.02, 0.16, _ind(p, t, "pea")) * modal_anggota / 12)
    return flows


def _shu_before_tax(f: dict[str, np.ndarray]) -> np.ndarray:
    """shu_sebelum_pajak of data-contract §2 from income statement lines."""
    return (f["partisipasi_bruto"] + f["pendapatan_non_anggota"] - f["beban_pokok"] - f["beban_usaha"]
            - f["beban_perkoperasian"] + f["pendapatan_lain"] - f["beban_lain"])


def _submission_times(t: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """tanggal_kirim (WITA, naive): 0-11 days after the month ends, a few up to 40 days late."""
    hari = np.where(rng.random(n) < 0.08, rng.integers(12, 40, n), rng.integers(0, 12, n))
    detik = hari * 86_400 + rng.integers(7 * 3600 + 1800, 18 * 3600, n)
    return _month_start(BULAN[t] + 1) + detik.astype("timedelta64[s]")


def build_reports(p: Profiles, rng: np.random.Generator) -> pd.DataFrame:
    """First submissions of every reported month, plus the internal column `berkas` (file month)."""
    n = len(p.nik)
    frames, ytd, shu_lalu = [], {}, np.zeros(n)
    for t, bulan in enumerate(BULAN):
        e = np.clip(_lerp(0.08, 0.52, _ind(p, t, "modal")) + rng.normal(0.0, 0.01, n), 0.03, 0.9)
        aset = _assets(p, t, e, rng)
        neraca = {**aset, **_liabilities_equity(p, e, aset, shu_lalu)}
        flows = _monthly_flows(p, t, neraca, rng)
        januari = str(bulan).endswith("-01")
        ytd = {k: v if januari else ytd[k] + v for k, v in flows.items()}
        shu_lalu = _shu_before_tax(ytd)
        kirim = _submission_times(t, n, rng)
        lapor = p.melapor[:, t]
        row = {"nik": p.nik, "periode": np.full(n, str(bulan)), "tanggal_kirim": kirim,
               "diaudit": p.diaudit, **neraca, **ytd, "jumlah_anggota": p.anggota[:, t]}
        frame = pd.DataFrame({c: row[c][lapor] for c in REPORT_COLUMNS})
        frames.append(frame.assign(berkas=str(bulan)))
    return pd.concat(frames, ignore_index=True)


def correct(rows: pd.DataFrame, berkas: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Resubmissions: part of lancar reclassified macet, allowance raised, equity and SHU lowered."""
    n = len(rows)
    out = rows.copy()
    geser = _rint(out["pinjaman_lancar"].to_numpy() * rng.uniform(0.03, 0.1, n))
    tambah = _rint(0.5 * geser)
    out["pinjaman_lancar"] -= geser
    out["pinjaman_macet"] += geser
    out["penyisihan_penghapusan_pinjaman"] += tambah
    out["total_aset"] -= tambah
    out["shu_belum_dibagi"] -= tambah
    out["beban_lain"] += tambah
    sejak = np.maximum(out["tanggal_kirim"].to_numpy().astype("datetime64[D]"),
                       berkas.astype("datetime64[M]") + 1).astype("datetime64[s]")
    detik = rng.integers(3, 16, n) * 86_400 + rng.integers(8 * 3600, 17 * 3600, n)
    out["tanggal_kirim"] = sejak + detik.astype("timedelta64[s]")
    out["berkas"] = berkas
    return out


def build_corrections(reports: pd.DataFrame, n_sp: int, rng: np.random.Generator) -> pd.DataFrame:
    """Corrected resubmissions: 2 of the last period and 1 of the one before in the last file, rest later."""
    akhir = np.flatnonzero(reports["periode"].to_numpy() == AKHIR)
    sebelum = np.flatnonzero(reports["periode"].to_numpy() == str(PERIODE_AKHIR - 1))
    lama = np.flatnonzero(reports["periode"].to_numpy() < str(PERIODE_AKHIR - 1))
    n_koreksi = max(5, round(0.1 * n_sp))
    pilih = np.concatenate([rng.choice(akhir, 2, replace=False), rng.choice(sebelum, 1),
                            rng.choice(lama, n_koreksi - 3, replace=False)])
    rows = reports.iloc[pilih]
    periode = rows["periode"].to_numpy().astype("datetime64[M]")
    berkas = np.minimum(periode + rng.integers(1, 3, len(pilih)), PERIODE_AKHIR)
    berkas[:3] = PERIODE_AKHIR
    return correct(rows, berkas.astype(str), rng)


# --- questionnaires and findings --------------------------------------------------------------


def build_questionnaires(p: Profiles, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly 38-answer sets filled in February; "ya" is likelier the healthier the cooperative."""
    frames = []
    for tahun in range(2024, int(AKHIR[:4]) + 1):
        t = (tahun - 2024) * 12 + 1
        ada = (p.mulai <= t) & (t < p.berhenti) & ~p.tanpa_kuesioner
        k = int(ada.sum())
        tanggal = _year_start(np.full(k, tahun)) + 32 + rng.integers(0, 27, k)
        ya = rng.random((k, len(NOMOR))) < _lerp(0.15, 0.97, _ind(p, t, "kuesioner"))[ada, None]
        frames.append(pd.DataFrame({
            "nik": np.repeat(p.nik[ada], len(NOMOR)),
            "tanggal": np.repeat(np.datetime_as_string(tanggal, unit="D"), len(NOMOR)),
            "komponen": np.tile(KOMPONEN, k),
            "nomor": np.tile(NOMOR, k),
            "jawaban": np.where(ya.ravel(), "ya", "tidak"),
        }))
    return pd.concat(frames, ignore_index=True)


def build_checklists(p: Profiles, rng: np.random.Generator) -> pd.DataFrame:
    """Examiners' checklists (the Tata Kelola and KPMR items of the draft 2021 worksheet) of a quarter of the ksp/usp
    reporting in the last period, examined between March and August of its year; an item is met likelier the
    healthier the cooperative."""
    t = T - 1
    konvensional = np.flatnonzero(np.isin(p.jenis, KONVENSIONAL) & p.melapor[:, t])
    pilih = np.sort(rng.choice(konvensional, max(1, round(DIPERIKSA * len(konvensional))), replace=False))
    k = len(pilih)
    tanggal = _year_start(np.full(k, int(AKHIR[:4]))) + 59 + rng.integers(0, 184, k)
    terpenuhi = rng.random((k, len(BUTIR))) < _lerp(0.2, 0.95, _ind(p, t, "kuesioner"))[pilih, None]
    return pd.DataFrame({
        "nik": np.repeat(p.nik[pilih], len(BUTIR)),
        "tanggal": np.repeat(np.datetime_as_string(tanggal, unit="D"), len(BUTIR)),
        "indikator": np.tile(INDIKATOR_PEMERIKSAAN, k),
        "butir": np.tile(BUTIR, k),
        "terpenuhi": np.where(terpenuhi.ravel(), "ya", "tidak"),
    })


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


# --- writing --------------------------------------------------------------------------------


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
    reports = reports[REPORT_COLUMNS]
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


def write_sample(output: Path, scale: str = "kaltara", seed: int = 2026, dirty: bool = False
                 ) -> dict[str, int]:
    """Write the clean landing folder (or the dirty last-period drop) and return its row counts."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec, rng, output = SCALES[scale], np.random.default_rng(seed), Path(output)
    registry = build_registry(spec, rng)
    profiles = build_profiles(registry, rng)
    reports = build_reports(profiles, rng)
    corrections = build_corrections(reports, len(profiles.nik), rng)  # both drops: one rng stream
    kuesioner = build_questionnaires(profiles, rng)
    factors = build_factors(profiles, rng)
    write_csv(registry, output / "koperasi.csv")
    write_csv(factors, output / "faktor_pengurang.csv")
    aktif = aktif_pada(registry, AKHIR)
    counts = {"koperasi": len(registry), "aktif": int(aktif.sum()), "tidak_aktif": int((~aktif).sum()),
              "simpan_pinjam": len(profiles.nik), "faktor_pengurang": len(factors)}
    if dirty:
        from flows.sample_dirty import write_dirty  # the dirty drop builds on this module's parts

        return counts | write_dirty(output, spec.format_laporan, registry, reports, kuesioner, rng)
    # the checklists draw from a stream of their own, so that adding them changed no other file of a sample
    pemeriksaan = build_checklists(profiles, np.random.default_rng([seed, 2021]))
    write_csv(pemeriksaan, output / "pemeriksaan" / f"pemeriksaan_{AKHIR[:4]}.csv")
    return counts | _write_clean(output, spec.format_laporan, reports, corrections, kuesioner) | {
        "pemeriksaan": len(pemeriksaan)}
