"""Hand-made report rows, questionnaires and factors for the engine's tests."""

from __future__ import annotations

import pandas as pd

from scoring.columns import JUMLAH

SIZES = {"manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5, "manajemen_aktiva": 10,
         "manajemen_likuiditas": 5}
JUTA = 1_000_000

# A healthy KSP (figures in millions of Rupiah), hand-scored in test_engine_conventions:
# 100.00 with every questionnaire answer "ya", 85.00 without a questionnaire.
SEHAT = {
    "kas": 20, "bank": 40, "pinjaman_anggota": 900, "aset_tetap": 90, "total_aset": 1050,
    "simpanan_sukarela": 325, "hutang_pihak_lain": 200, "kewajiban_lancar": 525,
    "simpanan_pokok": 100, "simpanan_wajib": 300, "cadangan_umum": 100, "shu_belum_dibagi": 25,
    "pinjaman_lancar": 900, "pinjaman_berisiko": 100, "volume_pinjaman": 1000, "volume_pinjaman_anggota": 900,
    "partisipasi_bruto": 200, "beban_usaha": 60, "biaya_karyawan": 30, "beban_perkoperasian": 10,
    "shu_bagian_anggota": 30, "promosi_ekonomi_anggota": 50,
}


def report(nik: str = "6502000000000001", periode: str = "2025-12", **lines: int) -> dict:
    """One report row: every money column 0 except the given lines (whole Rupiah)."""
    row = {c: 0 for c in JUMLAH}
    unknown = set(lines) - set(JUMLAH) - {"jenis", "nama", "kode_wilayah", "kabupaten_kota"}
    assert not unknown, f"not report columns: {unknown}"
    row.update(lines)
    return {"nik": nik, "periode": periode, "tanggal_kirim": f"{periode}-28T10:00:00", "diaudit": True,
            "jumlah_anggota": 250, **row}


def sehat(nik: str = "6502000000000001", periode: str = "2025-12", **lines: int) -> dict:
    return report(nik, periode, **{**{k: v * JUTA for k, v in SEHAT.items()}, **lines})


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def questionnaire(nik: str, tanggal: str, ya: dict[str, int] | int) -> pd.DataFrame:
    """A complete 38-answer set with the first `ya` answers of each component "ya"."""
    counts = ya if isinstance(ya, dict) else {k: min(ya, n) for k, n in SIZES.items()}
    rows = [
        {"nik": nik, "tanggal": tanggal, "komponen": k, "nomor": i, "jawaban": "ya" if i <= counts[k] else "tidak"}
        for k, n in SIZES.items() for i in range(1, n + 1)
    ]
    return pd.DataFrame(rows)


def factor(nik: str, kode: str, mulai: str, sampai: str | None = None) -> dict:
    return {"nik": nik, "kode": kode, "berlaku_mulai": mulai, "berlaku_sampai": sampai, "keterangan": "temuan"}


def nilai(result, nik: str, komponen: str, periode: str | None = None) -> pd.Series:
    """The indikator row of one component of one cooperative."""
    rows = result.indikator[(result.indikator["nik"] == nik) & (result.indikator["komponen"] == komponen)]
    if periode is not None:
        rows = rows[rows["periode"] == periode]
    assert len(rows) == 1, f"{nik} {komponen}: {len(rows)} rows"
    return rows.iloc[0]
