"""The monthly reports of a sample (data-contract §1.2): balance sheets that balance, year-to-date income
statements, submission times, and the corrected resubmissions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.profiles import Profiles, indicator_health, lerp, rint
from sample.scales import Months, month_start
from schemas.rules import RINCIAN_ASET, TOTAL_KEWAJIBAN
from scoring.columns import ASET, EKUITAS, LAPORAN

# the asset lines drawn one by one below; the other asset lines of the contract share what is left
ASET_SISA = tuple(c for c in ASET if c not in ("kas", "bank", "pinjaman_anggota", "pinjaman_non_anggota",
                                               "penyisihan_penghapusan_pinjaman", "total_aset"))


def _assets(p: Profiles, t: int, e: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Asset lines and loans by collectibility; total_aset is exactly the contract's sum of the asset lines."""
    n, ukuran = len(p.nik), p.ukuran[:, t]
    rasio_kas = 0.125 + p.tanda_kas * np.maximum(0.0, 0.55 - indicator_health(p, t, "kas")) * 0.5
    rasio_kas = np.clip(rasio_kas + rng.normal(0.0, 0.005, n), 0.01, 0.6)
    kas_bank = rasio_kas * (1 - e) * ukuran * p.porsi_lancar
    pinjaman = np.minimum(lerp(0.45, 0.82, indicator_health(p, t, "pinjaman")), 0.93 - kas_bank / ukuran) * ukuran
    porsi_anggota = np.clip(lerp(0.4, 0.96, indicator_health(p, t, "anggota")), 0.02, 0.99)
    rpm = np.clip(lerp(0.42, -0.02, indicator_health(p, t, "npl")) + rng.normal(0.0, 0.004, n), 0.0, 0.5)
    bermasalah = np.minimum(pinjaman * rpm / (p.bobot_npl @ [0.5, 0.75, 1.0]), 0.7 * pinjaman)
    kl, dr, mc = (rint(bermasalah * p.bobot_npl[:, k]) for k in range(3))
    ctr = rint(e * ukuran * p.porsi_ctr)
    cakupan = np.clip(lerp(0.05, 1.2, indicator_health(p, t, "cadangan")), 0.0, 1.5)
    penyisihan = rint(np.maximum(cakupan * (0.5 * kl + 0.75 * dr + mc) - ctr, 0.0))
    lines = {"kas": rint(0.3 * kas_bank)}
    lines["bank"] = rint(kas_bank) - lines["kas"]
    lines["pinjaman_anggota"] = rint(porsi_anggota * pinjaman)
    lines["pinjaman_non_anggota"] = rint(pinjaman) - lines["pinjaman_anggota"]
    lines["penyisihan_penghapusan_pinjaman"] = penyisihan
    sisa = ukuran - kas_bank - pinjaman + penyisihan
    lines.update({c: rint(sisa * bobot) for c, bobot in zip(ASET_SISA, p.bobot_aset.T, strict=True)})
    diberikan = lines["pinjaman_anggota"] + lines["pinjaman_non_anggota"]
    berisiko = np.clip(lerp(0.45, 0.06, indicator_health(p, t, "berisiko")), 0.0, 0.9)
    lines["total_aset"] = sum(-lines[c[1:]] if c.startswith("-") else lines[c] for c in RINCIAN_ASET)
    lines.update(pinjaman_lancar=diberikan - kl - dr - mc, pinjaman_kurang_lancar=kl,
                 pinjaman_diragukan=dr, pinjaman_macet=mc, pinjaman_berisiko=rint(berisiko * diberikan),
                 cadangan_tujuan_risiko=ctr)
    return lines


def _liabilities_equity(p: Profiles, e: np.ndarray, aset: dict[str, np.ndarray],
                        shu_lalu: np.ndarray) -> dict[str, np.ndarray]:
    """Liability and equity lines; shu_belum_dibagi balances the sheet exactly."""
    total_aset = aset["total_aset"]
    total_kewajiban = rint((1 - e) * total_aset)
    lines = {c: rint(total_kewajiban * bobot) for c, bobot in zip(TOTAL_KEWAJIBAN, p.bobot_kewajiban.T, strict=True)}
    lines["simpanan_sukarela"] = total_kewajiban - sum(lines[c] for c in TOTAL_KEWAJIBAN if c != "simpanan_sukarela")
    lines["kewajiban_lancar"] = rint(p.porsi_lancar * total_kewajiban)
    ekuitas = total_aset - total_kewajiban - aset["cadangan_tujuan_risiko"]
    lain = np.maximum(ekuitas - np.minimum(shu_lalu, 0.5 * ekuitas), 0)
    tanpa_shu = [c for c in EKUITAS if c not in ("cadangan_tujuan_risiko", "shu_belum_dibagi")]
    lines.update({c: rint(lain * bobot) for c, bobot in zip(tanpa_shu, p.bobot_ekuitas.T, strict=True)})
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
    biaya = indicator_health(p, t, "biaya")
    partisipasi = rint(p.bunga * b["pinjaman_anggota"] / 12 * _noise(rng, n, 0.05))
    non_anggota = rint((p.bunga * b["pinjaman_non_anggota"] + 0.002 * b["total_aset"]) / 12
                        * _noise(rng, n, 0.05))
    beban_pokok = rint(lerp(0.58, 0.28, biaya) * partisipasi)
    beban_usaha = rint(lerp(1.05, 0.33, biaya) * (partisipasi + non_anggota - beban_pokok)
                        * _noise(rng, n, 0.05))
    volume = rint(lerp(0.6, 1.4, indicator_health(p, t, "pinjaman")) * diberikan / 12 * _noise(rng, n, 0.1))
    porsi = np.clip(b["pinjaman_anggota"] / np.maximum(diberikan, 1) + rng.normal(0.0, 0.03, n), 0, 1)
    karyawan = np.minimum(lerp(0.19, 0.025, indicator_health(p, t, "efisiensi")) * volume, 0.9 * beban_usaha)
    flows = {
        "volume_pinjaman": volume,
        "volume_pinjaman_anggota": rint(porsi * volume),
        "partisipasi_bruto": partisipasi,
        "pendapatan_non_anggota": non_anggota,
        "beban_pokok": beban_pokok,
        "beban_usaha": beban_usaha,
        "biaya_karyawan": rint(karyawan),
        "beban_perkoperasian": rint(lerp(0.06, 0.02, biaya) * partisipasi),
        "pendapatan_lain": rint(0.035 * (b["bank"] + b["simpanan_di_lembaga_lain"]
                                          + b["surat_berharga"]) / 12),
        "beban_lain": rint(0.001 * b["total_aset"] / 12),
    }
    flows["shu_bagian_anggota"] = rint(np.maximum(0.4 * _shu_before_tax(flows), 0))
    modal_anggota = b["simpanan_pokok"] + b["simpanan_wajib"]
    flows["promosi_ekonomi_anggota"] = rint(lerp(0.02, 0.16, indicator_health(p, t, "pea")) * modal_anggota / 12)
    return flows


def _shu_before_tax(f: dict[str, np.ndarray]) -> np.ndarray:
    """shu_sebelum_pajak of data-contract §2 from income statement lines."""
    return (f["partisipasi_bruto"] + f["pendapatan_non_anggota"] - f["beban_pokok"] - f["beban_usaha"]
            - f["beban_perkoperasian"] + f["pendapatan_lain"] - f["beban_lain"])


def _submission_times(bulan: np.datetime64, n: int, rng: np.random.Generator) -> np.ndarray:
    """tanggal_kirim (WITA, naive): 0-11 days after the month ends, a few up to 40 days late."""
    hari = np.where(rng.random(n) < 0.08, rng.integers(12, 40, n), rng.integers(0, 12, n))
    detik = hari * 86_400 + rng.integers(7 * 3600 + 1800, 18 * 3600, n)
    return month_start(bulan + 1) + detik.astype("timedelta64[s]")


def build_reports(p: Profiles, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """First submissions of every reported month, plus the internal column `berkas` (file month)."""
    n = len(p.nik)
    frames, ytd, shu_lalu = [], {}, np.zeros(n)
    for t, bulan in enumerate(months.bulan):
        e = np.clip(lerp(0.08, 0.52, indicator_health(p, t, "modal")) + rng.normal(0.0, 0.01, n), 0.03, 0.9)
        aset = _assets(p, t, e, rng)
        neraca = {**aset, **_liabilities_equity(p, e, aset, shu_lalu)}
        flows = _monthly_flows(p, t, neraca, rng)
        bulan_ke = int(bulan.astype(np.int64)) % 12 + 1
        if bulan_ke == 1 or not ytd:  # January; or a first month in the year: as if the months before were like it
            ytd = {k: v * bulan_ke for k, v in flows.items()}
        else:
            ytd = {k: ytd[k] + v for k, v in flows.items()}
        shu_lalu = _shu_before_tax(ytd)
        kirim = _submission_times(bulan, n, rng)
        lapor = p.melapor[:, t]
        row = {"nik": p.nik, "periode": np.full(n, str(bulan)), "tanggal_kirim": kirim,
               "diaudit": p.diaudit, **neraca, **ytd, "jumlah_anggota": p.anggota[:, t]}
        frame = pd.DataFrame({c: row[c][lapor] for c in LAPORAN})
        frames.append(frame.assign(berkas=str(bulan)))
    return pd.concat(frames, ignore_index=True)


def correct(rows: pd.DataFrame, berkas: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Resubmissions: part of lancar reclassified macet, allowance raised, equity and SHU lowered."""
    n = len(rows)
    out = rows.copy()
    geser = rint(out["pinjaman_lancar"].to_numpy() * rng.uniform(0.03, 0.1, n))
    tambah = rint(0.5 * geser)
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


def build_corrections(reports: pd.DataFrame, n_sp: int, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """Corrected resubmissions: 2 of the last period and 1 of the one before in the last file, rest later."""
    last = months.last
    akhir = np.flatnonzero(reports["periode"].to_numpy() == str(last))
    sebelum = np.flatnonzero(reports["periode"].to_numpy() == str(last - 1))
    lama = np.flatnonzero(reports["periode"].to_numpy() < str(last - 1))
    n_koreksi = max(5, round(0.1 * n_sp))
    pilih = np.concatenate([rng.choice(akhir, 2, replace=False), rng.choice(sebelum, 1),
                            rng.choice(lama, n_koreksi - 3, replace=False)])
    rows = reports.iloc[pilih]
    periode = rows["periode"].to_numpy().astype("datetime64[M]")
    berkas = np.minimum(periode + rng.integers(1, 3, len(pilih)), last)
    berkas[:3] = last
    return correct(rows, berkas.astype(str), rng)
