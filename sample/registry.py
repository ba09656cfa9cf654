"""The registry of a sample (koperasi.csv, data-contract §1.1): regions, names, founding and RAT dates, with the
exact jenis mix and aktif count of its scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.scales import SIMPAN_PINJAM, Months, Scale, apportion, contract_columns, year_of, year_start
from schemas.input_models import Koperasi
from scoring.rulebook import aktif_years
from scoring.status import aktif

REGISTRY_COLUMNS = contract_columns(Koperasi)
KALTARA = pd.DataFrame({
    "kode_wilayah": ["65.01", "65.02", "65.03", "65.04", "65.71"],
    "kabupaten_kota": ["Malinau", "Bulungan", "Tana Tidung", "Nunukan", "Tarakan"],
    "bobot": [215.0, 330.0, 101.0, 482.0, 199.0],
})
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


def _last_inactive_year(months: Months) -> int:
    """The last year whose RAT (February to June) leaves a cooperative tidak aktif at the last period
    (`scoring.status.aktif`): 2023 for 2026-10."""
    return year_of(months.last - 12 * aktif_years() - 5)


def _founding_dates(baru: np.ndarray, months: Months, rng: np.random.Generator) -> np.ndarray:
    """tanggal_badan_hukum: in the 38 years before the last year of a RAT that leaves a cooperative tidak aktif
    (1985-2022 for 2026-10), or within 300 days from the second month of the reports for the newly founded."""
    lama = year_start(_last_inactive_year(months) - 38) + rng.integers(0, 13_878, len(baru))
    baru_sejak = (months.first + 1).astype("datetime64[D]")
    return np.where(baru, baru_sejak + rng.integers(0, 300, len(baru)), lama)


def _rat_dates(berdiri: np.ndarray, aktif: np.ndarray, months: Months, rng: np.random.Generator) -> np.ndarray:
    """Last RAT between February and June, after the founding year: for the aktif in the last three years up to
    the last period (within the aktif rule's years, never after the period: 2024-2026 for 2026-10), for the others
    in a year that leaves them tidak aktif then (or never)."""
    n = len(berdiri)
    tahun_berdiri = berdiri.astype("datetime64[Y]").astype(np.int64) + 1970
    tahun_lalu = np.minimum(rng.choice([2, 1, 0], n, p=[0.1, 0.3, 0.6]), aktif_years() - 1)
    tahun_aktif = np.maximum(year_of(months.last) - tahun_lalu, tahun_berdiri + 1)
    sampai = _last_inactive_year(months)
    tahun_lama = rng.integers(np.minimum(np.maximum(tahun_berdiri + 1, sampai - 11), sampai), sampai + 1)
    tanggal = year_start(np.where(aktif, tahun_aktif, tahun_lama)) + 31 + rng.integers(0, 150, n)
    tanggal = np.minimum(tanggal, (months.last + 1).astype("datetime64[D]") - 1)
    return np.where(~aktif & (rng.random(n) < 0.3), np.datetime64("NaT"), tanggal)


def _nik(kode_wilayah: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Unique 15-digit numbers: the 4 digits of the region code and 11 random digits."""
    suffix = rng.choice(9 * 10**10, len(kode_wilayah), replace=False) + 10**10
    return kode_wilayah.str.replace(".", "", regex=False) + pd.Series(suffix).astype(str)


def _iso_dates(dates: np.ndarray) -> pd.Series:
    """ISO `YYYY-MM-DD` strings, missing where NaT."""
    text = pd.Series(np.datetime_as_string(dates.astype("datetime64[D]"), unit="D"), dtype=object)
    return text.where(~np.isnat(dates), None)


def build_registry(scale: Scale, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """koperasi.csv with the exact jenis mix and the exact aktif count at the last period."""
    regions = _regions(scale.provinsi, rng)
    n = sum(scale.jenis_counts.values())
    wilayah = regions.iloc[rng.permutation(np.repeat(np.arange(len(regions)),
                                                     apportion(n, regions["bobot"])))]
    jenis = rng.permutation(np.repeat(list(scale.jenis_counts), list(scale.jenis_counts.values())))
    simpan_pinjam = np.isin(jenis, SIMPAN_PINJAM)
    n_baru = round(0.045 * simpan_pinjam.sum())
    baru = np.zeros(n, dtype=bool)
    baru[rng.choice(np.flatnonzero(simpan_pinjam), n_baru, replace=False)] = True
    kunci = rng.random(n) + 0.4 * simpan_pinjam + 2.0 * baru
    aktif = np.zeros(n, dtype=bool)
    aktif[np.argsort(-kunci, kind="stable")[: scale.n_aktif]] = True
    berdiri = _founding_dates(baru, months, rng)
    registry = pd.DataFrame({
        "nik": _nik(wilayah["kode_wilayah"].reset_index(drop=True), rng),
        "nama": _names(jenis, rng),
        "jenis": jenis,
        "kode_wilayah": wilayah["kode_wilayah"].to_numpy(),
        "kabupaten_kota": wilayah["kabupaten_kota"].to_numpy(),
        "wilayah_keanggotaan": rng.choice(["provinsi", "kabupaten_kota", "nasional"], n,
                                          p=[0.65, 0.3, 0.05]),
        "tanggal_badan_hukum": _iso_dates(berdiri),
        "tanggal_rat_terakhir": _iso_dates(_rat_dates(berdiri, aktif, months, rng)),
        "pendamping": np.where(rng.random(n) < 0.6, rng.choice(PENDAMPING, n), None),
    })
    return registry.sort_values("nik", ignore_index=True)[REGISTRY_COLUMNS]


def aktif_pada(registry: pd.DataFrame, periode: str) -> np.ndarray:
    """Kemenkop's aktif at the end of the period, by the status rule (`scoring.status.aktif`)."""
    return aktif(registry["tanggal_rat_terakhir"], periode).to_numpy()
