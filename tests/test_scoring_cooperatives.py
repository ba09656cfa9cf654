"""Complete cooperatives scored by hand from the spec, and the public examples of rulebook.md §9.

Every expected value below was computed by hand from rulebook.md (§2 components, §3 tables, §4 zero
denominators, §5 questionnaire, §6 predicates, §7 downgrades, §8 annualisation) and data-contract.md §2
(derived quantities); none of it comes from the engine. Ratios are percent, written to 4 decimals.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import score_reports
from scoring.columns import JUMLAH
from scoring.components import NO_ANSWERS

ASPEK = ("permodalan", "kualitas_aktiva_produktif", "manajemen", "efisiensi", "likuiditas",
         "kemandirian_pertumbuhan", "jatidiri")
BOBOT_ASPEK = {"permodalan": 15, "kualitas_aktiva_produktif": 25, "manajemen": 15, "efisiensi": 10,
               "likuiditas": 15, "kemandirian_pertumbuhan": 10, "jatidiri": 10}
# rulebook.md §2: component -> (aspek, bobot)
KOMPONEN = {
    "ms_aset": ("permodalan", 6), "ms_pinjaman_berisiko": ("permodalan", 6), "kecukupan_modal": ("permodalan", 3),
    "volume_pinjaman_anggota": ("kualitas_aktiva_produktif", 10),
    "risiko_pinjaman_bermasalah": ("kualitas_aktiva_produktif", 5),
    "cadangan_risiko": ("kualitas_aktiva_produktif", 5), "pinjaman_berisiko": ("kualitas_aktiva_produktif", 5),
    "manajemen_umum": ("manajemen", 3), "kelembagaan": ("manajemen", 3), "manajemen_permodalan": ("manajemen", 3),
    "manajemen_aktiva": ("manajemen", 3), "manajemen_likuiditas": ("manajemen", 3),
    "beban_operasi_anggota": ("efisiensi", 4), "beban_usaha_shu_kotor": ("efisiensi", 4),
    "efisiensi_pelayanan": ("efisiensi", 2),
    "rasio_kas": ("likuiditas", 10), "pinjaman_dana_diterima": ("likuiditas", 5),
    "rentabilitas_aset": ("kemandirian_pertumbuhan", 3), "rentabilitas_modal_sendiri": ("kemandirian_pertumbuhan", 3),
    "kemandirian_operasional": ("kemandirian_pertumbuhan", 4),
    "partisipasi_bruto": ("jatidiri", 7), "promosi_ekonomi_anggota": ("jatidiri", 3),
}
KUESIONER = {"manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5, "manajemen_aktiva": 10,
             "manajemen_likuiditas": 5}
# rulebook.md §3 (revised 2026-11-30): the "C" tables (only corroborated by code, never read in a regulation
# text) are not terverifikasi
BELUM_TERVERIFIKASI = {"beban_operasi_anggota", "beban_usaha_shu_kotor", "efisiensi_pelayanan"}
DISETAHUNKAN = {"rentabilitas_aset", "rentabilitas_modal_sendiri", "promosi_ekonomi_anggota"}

ASET_PLUS = ("kas", "bank", "simpanan_di_lembaga_lain", "surat_berharga", "pinjaman_anggota", "pinjaman_non_anggota",
             "pendapatan_yang_masih_harus_diterima", "penyertaan", "aset_tetap", "aset_lain")
KEWAJIBAN = ("simpanan_sukarela", "simpanan_berjangka", "hutang_pihak_lain", "beban_yang_masih_harus_dibayar",
             "kewajiban_lain")
EKUITAS = ("simpanan_pokok", "simpanan_wajib", "modal_penyetaraan", "modal_penyertaan", "hibah", "cadangan_umum",
           "cadangan_tujuan_risiko", "shu_belum_dibagi")
KOLEKTIBILITAS = ("pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet")

# ------------------------------------------------------------------ row builders (local to this file)

def _laporan(nik: str, periode: str, registri: dict, jumlah_anggota: int, lines: dict) -> dict:
    """A full report row: `lines` must hold every money column of data-contract §1.2, written out."""
    assert set(lines) == set(JUMLAH), sorted(set(JUMLAH) ^ set(lines))
    return {"nik": nik, "periode": periode, "tanggal_kirim": f"{periode}-28T10:00:00", "diaudit": True,
            **registri, "jumlah_anggota": jumlah_anggota, **lines}

def _crafted(nik: str, periode: str = "2025-12", **lines: int) -> dict:
    """A crafted report for the public examples: the given lines, every other money column 0."""
    unknown = set(lines) - set(JUMLAH)
    assert not unknown, unknown
    row = {c: 0 for c in JUMLAH} | lines
    _assert_balanced(row)
    return {"nik": nik, "periode": periode, "tanggal_kirim": f"{periode}-28T10:00:00", "diaudit": True,
            "jenis": "ksp", "jumlah_anggota": 100, **row}

def _assert_balanced(row: dict) -> None:
    """data-contract §1.2 row rules, exactly (these are the test's own data, not the engine)."""
    aset = sum(row[c] for c in ASET_PLUS) - row["penyisihan_penghapusan_pinjaman"]
    assert aset == row["total_aset"], (aset, row["total_aset"])
    assert sum(row[c] for c in KEWAJIBAN) + sum(row[c] for c in EKUITAS) == row["total_aset"]
    assert sum(row[c] for c in KOLEKTIBILITAS) == row["pinjaman_anggota"] + row["pinjaman_non_anggota"]
    assert row["pinjaman_berisiko"] <= row["pinjaman_anggota"] + row["pinjaman_non_anggota"]
    assert row["volume_pinjaman_anggota"] <= row["volume_pinjaman"]
    assert row["biaya_karyawan"] <= row["beban_usaha"]
    assert row["kewajiban_lancar"] <= sum(row[c] for c in KEWAJIBAN)

def _kuesioner(nik: str, tanggal: str, ya: dict[str, int]) -> list[dict]:
    """A complete 38-answer set (12/6/5/10/5): the first ya[k] answers of component k are "ya"."""
    return [{"nik": nik, "tanggal": tanggal, "komponen": k, "nomor": i, "jawaban": "ya" if i <= ya[k] else "tidak"}
            for k, n in KUESIONER.items() for i in range(1, n + 1)]

def _ya(umum: int, kelembagaan: int, permodalan: int, aktiva: int, likuiditas: int) -> dict[str, int]:
    return {"manajemen_umum": umum, "kelembagaan": kelembagaan, "manajemen_permodalan": permodalan,
            "manajemen_aktiva": aktiva, "manajemen_likuiditas": likuiditas}

def _faktor(nik: str, kode: str, mulai: str, sampai: str | None) -> dict:
    return {"nik": nik, "kode": kode, "berlaku_mulai": mulai, "berlaku_sampai": sampai, "keterangan": "temuan pengawas"}

def _indikator(result, nik: str, komponen: str) -> pd.Series:
    rows = result.indikator[(result.indikator["nik"] == nik) & (result.indikator["komponen"] == komponen)]
    assert len(rows) == 1, (nik, komponen, len(rows))
    return rows.iloc[0]

def _koperasi(result, nik: str) -> pd.Series:
    rows = result.koperasi[result.koperasi["nik"] == nik]
    assert len(rows) == 1, (nik, len(rows))
    return rows.iloc[0]

# ============================================================================================
# A. KSP Sejahtera Bersama, Tarakan: a healthy medium KSP, total aset Rp 8,055,090,000,
#    period 2025-09 (September: year-to-date flows x 12/9 for the three annualised ratios).
# ============================================================================================
NIK_A = "6571000000000101"
KSP_A = _laporan(NIK_A, "2025-09", {"nama": "KSP Sejahtera Bersama", "jenis": "ksp", "kode_wilayah": "65.71",
                                    "kabupaten_kota": "Tarakan"}, 3_730, {
    # aset
    "kas": 152_340_500,
    "bank": 487_615_250,
    "simpanan_di_lembaga_lain": 350_000_000,
    "surat_berharga": 100_000_000,
    "pinjaman_anggota": 6_215_480_000,
    "pinjaman_non_anggota": 312_500_000,
    "penyisihan_penghapusan_pinjaman": 98_450_000,
    "pendapatan_yang_masih_harus_diterima": 45_230_000,
    "penyertaan": 50_000_000,
    "aset_tetap": 412_860_000,
    "aset_lain": 27_514_250,
    "total_aset": 8_055_090_000,
    # kewajiban (total 4,756,899,500)
    "simpanan_sukarela": 2_684_275_000,
    "simpanan_berjangka": 1_575_000_000,
    "hutang_pihak_lain": 450_000_000,
    "beban_yang_masih_harus_dibayar": 32_418_000,
    "kewajiban_lain": 15_206_500,
    "kewajiban_lancar": 4_512_750_000,
    # ekuitas (total 3,298,190,500)
    "simpanan_pokok": 186_500_000,
    "simpanan_wajib": 1_263_840_000,
    "modal_penyetaraan": 0,
    "modal_penyertaan": 250_000_000,
    "hibah": 75_000_000,
    "cadangan_umum": 1_188_935_500,
    "cadangan_tujuan_risiko": 75_000_000,
    "shu_belum_dibagi": 258_915_000,
    # pinjaman (lancar + kurang lancar + diragukan + macet = 6,527,980,000)
    "pinjaman_lancar": 6_242_780_000,
    "pinjaman_kurang_lancar": 180_000_000,
    "pinjaman_diragukan": 64_000_000,
    "pinjaman_macet": 41_200_000,
    "pinjaman_berisiko": 1_184_300_000,
    "volume_pinjaman": 6_180_000_000,
    "volume_pinjaman_anggota": 5_553_750_000,
    # laba rugi, January-September 2025
    "partisipasi_bruto": 842_615_000,
    "pendapatan_non_anggota": 47_250_000,
    "beban_pokok": 221_880_000,
    "beban_usaha": 366_540_000,
    "biaya_karyawan": 192_600_000,
    "beban_perkoperasian": 27_750_000,
    "pendapatan_lain": 18_300_000,
    "beban_lain": 6_120_000,
    "shu_bagian_anggota": 118_500_000,
    "promosi_ekonomi_anggota": 96_300_000,
})
# Derived quantities (data-contract §2), by hand:
#   pinjaman_diberikan = 6,215,480,000 + 312,500,000 = 6,527,980,000
#   total_kewajiban    = 2,684,275,000 + 1,575,000,000 + 450,000,000 + 32,418,000 + 15,206,500 = 4,756,899,500
#   total_ekuitas      = 186,500,000 + 1,263,840,000 + 0 + 250,000,000 + 75,000,000 + 1,188,935,500
#                        + 75,000,000 + 258,915,000 = 3,298,190,500 (+ kewajiban = 8,055,090,000 = total_aset)
#   MS   = total_ekuitas - 50% x modal_penyertaan 250,000,000 = 3,173,190,500
#   MST  = 100% x (186,500,000 + 1,263,840,000 + 0 + 1,188,935,500 + 75,000,000) = 2,714,275,500
#        + 50% x (250,000,000 + 75,000,000 + 258,915,000 + 2,684,275,000 + 1,575,000,000 + 32,418,000
#                 + 450,000,000 + 15,206,500 = 5,340,814,500) = 2,670,407,250          -> MST 5,384,682,750
#   ATMR = 20% x 350,000,000 = 70,000,000 + 50% x (100,000,000 + 45,230,000) = 72,615,000
#        + 100% x (6,215,480,000 + 312,500,000 + 50,000,000 + 27,514,250) = 6,605,494,250
#        + 70% x 412,860,000 = 289,002,000                                                -> ATMR 7,037,111,250
#   RPM  = 50% x 180,000,000 + 75% x 64,000,000 + 41,200,000 = 90,000,000 + 48,000,000 + 41,200,000 = 179,200,000
#   cadangan_risiko    = 75,000,000 + 98,450,000 = 173,450,000
#   dana_diterima      = 4,756,899,500 + 3,298,190,500 - 32,418,000 - 258,915,000 = 7,763,757,000
#   partisipasi_neto   = 842,615,000 - 221,880,000 = 620,735,000
#   beban_operasi_anggota = 221,880,000 + 366,540,000 + 27,750,000 = 616,170,000
#   shu_kotor          = 842,615,000 + 47,250,000 - 221,880,000 = 667,985,000
#   shu_sebelum_pajak  = 667,985,000 - 366,540,000 - 27,750,000 + 18,300,000 - 6,120,000 = 285,875,000
#   annualised (x 12/9): SHU sebelum pajak 381,166,666.67; SHU bagian anggota 158,000,000; PEA 128,400,000
#   (without annualisation rentabilitas_modal_sendiri would be 3.73% -> 50 and PEA 6.64% -> 50, not 75)
YA_A = _ya(11, 6, 5, 9, 4)  # 2.75 + 3.00 + 3.00 + 2.70 + 2.40 = 13.85
# komponen: (pembilang, penyebut, rasio %, nilai, skor)
EXPECTED_A = {
    "ms_aset": (3_173_190_500, 8_055_090_000, 39.3936, 50, 3.00),                 # 20 < x <= 40
    "ms_pinjaman_berisiko": (3_173_190_500, 1_184_300_000, 267.9381, 100, 6.00),  # x >= 100
    "kecukupan_modal": (5_384_682_750, 7_037_111_250, 76.5184, 100, 3.00),        # x > 8
    "volume_pinjaman_anggota": (5_553_750_000, 6_180_000_000, 89.8665, 100, 10.00),
    "risiko_pinjaman_bermasalah": (179_200_000, 6_527_980_000, 2.7451, 80, 4.00),  # 0 < x <= 10
    "cadangan_risiko": (173_450_000, 179_200_000, 96.7913, 100, 5.00),             # 90 < x
    "pinjaman_berisiko": (1_184_300_000, 6_527_980_000, 18.1419, 100, 5.00),       # x <= 21
    "manajemen_umum": (None, None, None, 1100 / 12, 2.75),
    "kelembagaan": (None, None, None, 100, 3.00),
    "manajemen_permodalan": (None, None, None, 100, 3.00),
    "manajemen_aktiva": (None, None, None, 90, 2.70),
    "manajemen_likuiditas": (None, None, None, 80, 2.40),
    "beban_operasi_anggota": (616_170_000, 842_615_000, 73.1259, 100, 4.00),       # x < 90
    "beban_usaha_shu_kotor": (366_540_000, 667_985_000, 54.8725, 75, 3.00),        # 40 < x <= 60
    "efisiensi_pelayanan": (192_600_000, 6_180_000_000, 3.1165, 100, 2.00),        # x < 5
    "rasio_kas": (639_955_750, 4_512_750_000, 14.1811, 100, 10.00),                # 10 < x <= 15
    "pinjaman_dana_diterima": (6_527_980_000, 7_763_757_000, 84.0827, 100, 5.00),  # x >= 80
    "rentabilitas_aset": (381_166_666.67, 8_055_090_000, 4.7320, 25, 0.75),        # x < 5
    "rentabilitas_modal_sendiri": (158_000_000, 3_173_190_500, 4.9792, 75, 2.25),  # 4 <= x < 5
    "kemandirian_operasional": (620_735_000, 394_290_000, 157.4311, 100, 4.00),    # x > 100
    "partisipasi_bruto": (842_615_000, 889_865_000, 94.6902, 100, 7.00),           # x >= 75
    "promosi_ekonomi_anggota": (128_400_000, 1_450_340_000, 8.8531, 75, 2.25),     # 7.5 <= x < 10
}
# aspects: permodalan 3 + 6 + 3 = 12; KAP 10 + 4 + 5 + 5 = 24; manajemen 13.85; efisiensi 4 + 3 + 2 = 9;
# likuiditas 10 + 5 = 15; kemandirian 0.75 + 2.25 + 4 = 7; jatidiri 7 + 2.25 = 9.25 -> total 90.10 Sehat
ASPEK_A = {"permodalan": 12.00, "kualitas_aktiva_produktif": 24.00, "manajemen": 13.85, "efisiensi": 9.00,
           "likuiditas": 15.00, "kemandirian_pertumbuhan": 7.00, "jatidiri": 9.25}
# aspect predicates: % of the aspect maximum, banded like the total (ksp-2016)
PREDIKAT_ASPEK_A = {"permodalan": "Sehat",                  # 12/15 = 80%
                    "kualitas_aktiva_produktif": "Sehat",   # 96%
                    "manajemen": "Sehat",                   # 92.33%
                    "efisiensi": "Sehat",                   # 90%
                    "likuiditas": "Sehat",                  # 100%
                    "kemandirian_pertumbuhan": "Cukup Sehat",  # 70%
                    "jatidiri": "Sehat"}                    # 92.5%

# ============================================================================================
# B. USP KSU Bulungan Mandiri, Bulungan: a middling small USP, total aset Rp 1,876,235,500,
#    period 2025-12 (the annual assessment: no annualisation), with pembukuan_bermasalah active.
# ============================================================================================
NIK_B = "6502000000000202"
USP_B_LINES = {
    # aset
    "kas": 38_415_000,
    "bank": 96_250_500,
    "simpanan_di_lembaga_lain": 60_000_000,
    "surat_berharga": 0,
    "pinjaman_anggota": 1_412_650_000,
    "pinjaman_non_anggota": 96_000_000,
    "penyisihan_penghapusan_pinjaman": 22_630_000,
    "pendapatan_yang_masih_harus_diterima": 12_480_000,
    "penyertaan": 25_000_000,
    "aset_tetap": 148_720_000,
    "aset_lain": 9_350_000,
    "total_aset": 1_876_235_500,
    # kewajiban (total 1,260,225,000)
    "simpanan_sukarela": 612_300_000,
    "simpanan_berjangka": 285_000_000,
    "hutang_pihak_lain": 350_000_000,
    "beban_yang_masih_harus_dibayar": 8_745_000,
    "kewajiban_lain": 4_180_000,
    "kewajiban_lancar": 742_500_000,
    # ekuitas (total 616,010,500)
    "simpanan_pokok": 42_600_000,
    "simpanan_wajib": 318_450_000,
    "modal_penyetaraan": 0,
    "modal_penyertaan": 100_000_000,
    "hibah": 30_000_000,
    "cadangan_umum": 53_820_500,
    "cadangan_tujuan_risiko": 12_500_000,
    "shu_belum_dibagi": 58_640_000,
    # pinjaman (1,357,000,000 + 62,000,000 + 38,400,000 + 51,250,000 = 1,508,650,000)
    "pinjaman_lancar": 1_357_000_000,
    "pinjaman_kurang_lancar": 62_000_000,
    "pinjaman_diragukan": 38_400_000,
    "pinjaman_macet": 51_250_000,
    "pinjaman_berisiko": 402_700_000,
    "volume_pinjaman": 1_985_000_000,
    "volume_pinjaman_anggota": 1_402_300_000,
    # laba rugi, January-December 2025
    "partisipasi_bruto": 312_480_000,
    "pendapatan_non_anggota": 41_760_000,
    "beban_pokok": 86_950_000,
    "beban_usaha": 185_000_000,
    "biaya_karyawan": 104_400_000,
    "beban_perkoperasian": 14_200_000,
    "pendapatan_lain": 6_850_000,
    "beban_lain": 3_940_000,
    "shu_bagian_anggota": 28_400_000,
    "promosi_ekonomi_anggota": 24_600_000,
}
REGISTRI_B = {"nama": "USP KSU Bulungan Mandiri", "jenis": "usp", "kode_wilayah": "65.02",
              "kabupaten_kota": "Bulungan"}
USP_B = _laporan(NIK_B, "2025-12", REGISTRI_B, 852, USP_B_LINES)
# Derived quantities, by hand:
#   pinjaman_diberikan = 1,412,650,000 + 96,000,000 = 1,508,650,000
#   total_kewajiban    = 612,300,000 + 285,000,000 + 350,000,000 + 8,745,000 + 4,180,000 = 1,260,225,000
#   total_ekuitas      = 42,600,000 + 318,450,000 + 0 + 100,000,000 + 30,000,000 + 53,820,500 + 12,500,000
#                        + 58,640,000 = 616,010,500 (+ kewajiban = 1,876,235,500 = total_aset)
#   MS   = 616,010,500 - 50% x 100,000,000 = 566,010,500
#   MST  = 100% x (42,600,000 + 318,450,000 + 0 + 53,820,500 + 30,000,000) = 444,870,500
#        + 50% x (100,000,000 + 12,500,000 + 58,640,000 + 612,300,000 + 285,000,000 + 8,745,000 + 350,000,000
#                 + 4,180,000 = 1,431,365,000) = 715,682,500                              -> MST 1,160,553,000
#   ATMR = 20% x 60,000,000 = 12,000,000 + 50% x (0 + 12,480,000) = 6,240,000
#        + 100% x (1,412,650,000 + 96,000,000 + 25,000,000 + 9,350,000) = 1,543,000,000
#        + 70% x 148,720,000 = 104,104,000                                                -> ATMR 1,665,344,000
#   RPM  = 31,000,000 + 28,800,000 + 51,250,000 = 111,050,000
#   cadangan_risiko    = 12,500,000 + 22,630,000 = 35,130,000
#   dana_diterima      = 1,260,225,000 + 616,010,500 - 8,745,000 - 58,640,000 = 1,808,850,500
#   partisipasi_neto   = 312,480,000 - 86,950,000 = 225,530,000
#   beban_operasi_anggota = 86,950,000 + 185,000,000 + 14,200,000 = 286,150,000
#   shu_kotor          = 312,480,000 + 41,760,000 - 86,950,000 = 267,290,000
#   shu_sebelum_pajak  = 267,290,000 - 185,000,000 - 14,200,000 + 6,850,000 - 3,940,000 = 71,000,000
YA_B = _ya(8, 4, 3, 6, 3)  # 2.00 + 2.00 + 1.80 + 1.80 + 1.80 = 9.40
EXPECTED_B = {
    "ms_aset": (566_010_500, 1_876_235_500, 30.1673, 50, 3.00),
    "ms_pinjaman_berisiko": (566_010_500, 402_700_000, 140.5539, 100, 6.00),
    "kecukupan_modal": (1_160_553_000, 1_665_344_000, 69.6885, 100, 3.00),
    "volume_pinjaman_anggota": (1_402_300_000, 1_985_000_000, 70.6448, 75, 7.50),  # 50 < x <= 75
    "risiko_pinjaman_bermasalah": (111_050_000, 1_508_650_000, 7.3609, 80, 4.00),
    "cadangan_risiko": (35_130_000, 111_050_000, 31.6344, 40, 2.00),               # 30 < x <= 40
    "pinjaman_berisiko": (402_700_000, 1_508_650_000, 26.6927, 50, 2.50),          # 26 < x <= 30
    "manajemen_umum": (None, None, None, 800 / 12, 2.00),
    "kelembagaan": (None, None, None, 400 / 6, 2.00),
    "manajemen_permodalan": (None, None, None, 60, 1.80),
    "manajemen_aktiva": (None, None, None, 60, 1.80),
    "manajemen_likuiditas": (None, None, None, 60, 1.80),
    "beban_operasi_anggota": (286_150_000, 312_480_000, 91.5739, 75, 3.00),        # 90 <= x < 95
    "beban_usaha_shu_kotor": (185_000_000, 267_290_000, 69.2132, 50, 2.00),        # 60 < x <= 80
    "efisiensi_pelayanan": (104_400_000, 1_985_000_000, 5.2594, 75, 1.50),         # 5 <= x < 10
    "rasio_kas": (134_665_500, 742_500_000, 18.1368, 50, 5.00),                    # 15 < x <= 20
    "pinjaman_dana_diterima": (1_508_650_000, 1_808_850_500, 83.4038, 100, 5.00),  # x >= 80
    "rentabilitas_aset": (71_000_000, 1_876_235_500, 3.7842, 25, 0.75),
    "rentabilitas_modal_sendiri": (28_400_000, 566_010_500, 5.0176, 100, 3.00),    # x >= 5 (just)
    "kemandirian_operasional": (225_530_000, 199_200_000, 113.2179, 100, 4.00),
    "partisipasi_bruto": (312_480_000, 354_240_000, 88.2114, 100, 7.00),
    "promosi_ekonomi_anggota": (24_600_000, 361_050_000, 6.8135, 50, 1.50),        # 5 <= x < 7.5
}
# permodalan 12; KAP 7.5 + 4 + 2 + 2.5 = 16; manajemen 9.4; efisiensi 3 + 2 + 1.5 = 6.5; likuiditas 5 + 5 = 10;
# kemandirian 0.75 + 3 + 4 = 7.75; jatidiri 7 + 1.5 = 8.5 -> total 70.15 Cukup Sehat,
# lowered one step by pembukuan_bermasalah -> Dalam Pengawasan
ASPEK_B = {"permodalan": 12.00, "kualitas_aktiva_produktif": 16.00, "manajemen": 9.40, "efisiensi": 6.50,
           "likuiditas": 10.00, "kemandirian_pertumbuhan": 7.75, "jatidiri": 8.50}
PREDIKAT_ASPEK_B = {"permodalan": "Sehat",                       # 80%
                    "kualitas_aktiva_produktif": "Dalam Pengawasan",  # 64%
                    "manajemen": "Dalam Pengawasan",             # 62.67%
                    "efisiensi": "Dalam Pengawasan",             # 65%
                    "likuiditas": "Cukup Sehat",                 # 66.67%
                    "kemandirian_pertumbuhan": "Cukup Sehat",    # 77.5%
                    "jatidiri": "Sehat"}                         # 85%

# ============================================================================================
# C. KSP Tunas Harapan, Tana Tidung: a weak micro KSP, total aset Rp 120,585,500, problem loans,
#    an accumulated loss and a loss this year; period 2025-03 (x 12/3 = x 4).
# ============================================================================================
NIK_C = "6503000000000303"
KSP_C = _laporan(NIK_C, "2025-03", {"nama": "KSP Tunas Harapan", "jenis": "ksp", "kode_wilayah": "65.03",
                                    "kabupaten_kota": "Tana Tidung"}, 128, {
    # aset
    "kas": 3_215_000,
    "bank": 1_480_500,
    "simpanan_di_lembaga_lain": 0,
    "surat_berharga": 0,
    "pinjaman_anggota": 98_750_000,
    "pinjaman_non_anggota": 6_500_000,
    "penyisihan_penghapusan_pinjaman": 4_200_000,
    "pendapatan_yang_masih_harus_diterima": 1_350_000,
    "penyertaan": 0,
    "aset_tetap": 12_640_000,
    "aset_lain": 850_000,
    "total_aset": 120_585_500,
    # kewajiban (total 85,295,000)
    "simpanan_sukarela": 46_820_000,
    "simpanan_berjangka": 10_000_000,
    "hutang_pihak_lain": 25_000_000,
    "beban_yang_masih_harus_dibayar": 2_175_000,
    "kewajiban_lain": 1_300_000,
    "kewajiban_lancar": 58_995_000,
    # ekuitas (total 35,290,500, after an accumulated loss of 9,750,000)
    "simpanan_pokok": 6_400_000,
    "simpanan_wajib": 28_910_000,
    "modal_penyetaraan": 0,
    "modal_penyertaan": 0,
    "hibah": 5_000_000,
    "cadangan_umum": 4_730_500,
    "cadangan_tujuan_risiko": 0,
    "shu_belum_dibagi": -9_750_000,
    # pinjaman (59,300,000 + 14,500,000 + 11,800,000 + 19,650,000 = 105,250,000)
    "pinjaman_lancar": 59_300_000,
    "pinjaman_kurang_lancar": 14_500_000,
    "pinjaman_diragukan": 11_800_000,
    "pinjaman_macet": 19_650_000,
    "pinjaman_berisiko": 52_600_000,
    "volume_pinjaman": 18_500_000,
    "volume_pinjaman_anggota": 8_750_000,
    # laba rugi, January-March 2025 (a loss)
    "partisipasi_bruto": 3_860_000,
    "pendapatan_non_anggota": 1_420_000,
    "beban_pokok": 1_185_000,
    "beban_usaha": 4_960_000,
    "biaya_karyawan": 2_700_000,
    "beban_perkoperasian": 250_000,
    "pendapatan_lain": 95_000,
    "beban_lain": 1_050_000,
    "shu_bagian_anggota": 0,
    "promosi_ekonomi_anggota": 180_000,
})
# Derived quantities, by hand:
#   pinjaman_diberikan = 98,750,000 + 6,500,000 = 105,250,000
#   total_kewajiban    = 46,820,000 + 10,000,000 + 25,000,000 + 2,175,000 + 1,300,000 = 85,295,000
#   total_ekuitas      = 6,400,000 + 28,910,000 + 0 + 0 + 5,000,000 + 4,730,500 + 0 - 9,750,000 = 35,290,500
#   MS   = 35,290,500 (no modal penyertaan)
#   MST  = 100% x (6,400,000 + 28,910,000 + 0 + 4,730,500 + 5,000,000) = 45,040,500
#        + 50% x (0 + 0 - 9,750,000 + 46,820,000 + 10,000,000 + 2,175,000 + 25,000,000 + 1,300,000
#                 = 75,545,000) = 37,772,500                                              -> MST 82,813,000
#   ATMR = 0 + 50% x 1,350,000 = 675,000 + 100% x (98,750,000 + 6,500,000 + 0 + 850,000) = 106,100,000
#        + 70% x 12,640,000 = 8,848,000                                                   -> ATMR 115,623,000
#   RPM  = 7,250,000 + 8,850,000 + 19,650,000 = 35,750,000
#   cadangan_risiko    = 0 + 4,200,000 = 4,200,000
#   dana_diterima      = 85,295,000 + 35,290,500 - 2,175,000 - (-9,750,000) = 128,160,500
#   partisipasi_neto   = 3,860,000 - 1,185,000 = 2,675,000
#   beban_operasi_anggota = 1,185,000 + 4,960,000 + 250,000 = 6,395,000
#   shu_kotor          = 3,860,000 + 1,420,000 - 1,185,000 = 4,095,000
#   shu_sebelum_pajak  = 4,095,000 - 4,960,000 - 250,000 + 95,000 - 1,050,000 = -2,070,000
#   annualised (x 12/3): SHU sebelum pajak -8,280,000; SHU bagian anggota 0; PEA 720,000
YA_C = _ya(5, 2, 2, 3, 1)  # 1.25 + 1.00 + 1.20 + 0.90 + 0.60 = 4.95
EXPECTED_C = {
    "ms_aset": (35_290_500, 120_585_500, 29.2660, 50, 3.00),
    "ms_pinjaman_berisiko": (35_290_500, 52_600_000, 67.0922, 60, 3.60),           # 60 < x <= 70
    "kecukupan_modal": (82_813_000, 115_623_000, 71.6233, 100, 3.00),
    "volume_pinjaman_anggota": (8_750_000, 18_500_000, 47.2973, 50, 5.00),         # 25 < x <= 50
    "risiko_pinjaman_bermasalah": (35_750_000, 105_250_000, 33.9667, 20, 1.00),    # 30 < x <= 40
    "cadangan_risiko": (4_200_000, 35_750_000, 11.7483, 20, 1.00),                 # 10 < x <= 20
    "pinjaman_berisiko": (52_600_000, 105_250_000, 49.9762, 25, 1.25),             # x > 30
    "manajemen_umum": (None, None, None, 500 / 12, 1.25),
    "kelembagaan": (None, None, None, 200 / 6, 1.00),
    "manajemen_permodalan": (None, None, None, 40, 1.20),
    "manajemen_aktiva": (None, None, None, 30, 0.90),
    "manajemen_likuiditas": (None, None, None, 20, 0.60),
    "beban_operasi_anggota": (6_395_000, 3_860_000, 165.6736, 25, 1.00),           # x >= 100
    "beban_usaha_shu_kotor": (4_960_000, 4_095_000, 121.1233, 25, 1.00),           # x > 80
    "efisiensi_pelayanan": (2_700_000, 18_500_000, 14.5946, 50, 1.00),             # 10 <= x < 15
    "rasio_kas": (4_695_500, 58_995_000, 7.9591, 25, 2.50),                        # x <= 10
    "pinjaman_dana_diterima": (105_250_000, 128_160_500, 82.1236, 100, 5.00),      # x >= 80
    "rentabilitas_aset": (-8_280_000, 120_585_500, -6.8665, 25, 0.75),             # a loss: x < 5
    "rentabilitas_modal_sendiri": (0, 35_290_500, 0.0, 25, 0.75),
    "kemandirian_operasional": (2_675_000, 5_210_000, 51.3436, 0, 0.00),           # x <= 100
    "partisipasi_bruto": (3_860_000, 5_280_000, 73.1061, 75, 5.25),                # 50 <= x < 75
    "promosi_ekonomi_anggota": (720_000, 35_310_000, 2.0391, 0, 0.00),             # x < 5 -> 0
}
# permodalan 3 + 3.6 + 3 = 9.6; KAP 5 + 1 + 1 + 1.25 = 8.25; manajemen 4.95; efisiensi 1 + 1 + 1 = 3;
# likuiditas 2.5 + 5 = 7.5; kemandirian 0.75 + 0.75 + 0 = 1.5; jatidiri 5.25 + 0 = 5.25 -> total 40.05
# Dalam Pengawasan Khusus; a one-step factor cannot lower it further (never below the last band)
ASPEK_C = {"permodalan": 9.60, "kualitas_aktiva_produktif": 8.25, "manajemen": 4.95, "efisiensi": 3.00,
           "likuiditas": 7.50, "kemandirian_pertumbuhan": 1.50, "jatidiri": 5.25}
PREDIKAT_ASPEK_C = {"permodalan": "Dalam Pengawasan",                      # 64%
                    "kualitas_aktiva_produktif": "Dalam Pengawasan Khusus",  # 33%
                    "manajemen": "Dalam Pengawasan Khusus",                # 33%
                    "efisiensi": "Dalam Pengawasan Khusus",                # 30%
                    "likuiditas": "Dalam Pengawasan Khusus",               # 50%
                    "kemandirian_pertumbuhan": "Dalam Pengawasan Khusus",  # 15%
                    "jatidiri": "Dalam Pengawasan"}                        # 52.5%

COOPERATIVES = {
    # nik: (report, expected components, aspects, total, predikat_skor, predikat, faktor_pengurang, aspect predicates)
    NIK_A: (KSP_A, EXPECTED_A, ASPEK_A, 90.10, "Sehat", "Sehat", [], PREDIKAT_ASPEK_A),
    NIK_B: (USP_B, EXPECTED_B, ASPEK_B, 70.15, "Cukup Sehat", "Dalam Pengawasan", ["pembukuan_bermasalah"],
            PREDIKAT_ASPEK_B),
    NIK_C: (KSP_C, EXPECTED_C, ASPEK_C, 40.05, "Dalam Pengawasan Khusus", "Dalam Pengawasan Khusus",
            ["pinjaman_tidak_sesuai_prosedur"], PREDIKAT_ASPEK_C),
}

QUESTIONNAIRES = pd.DataFrame(
    _kuesioner(NIK_A, "2025-02-14", YA_A)
    # B: an older set (ignored) and this year's set, the latest at or before 2025-12-31
    + _kuesioner(NIK_B, "2024-03-18", _ya(12, 6, 5, 10, 5))
    + _kuesioner(NIK_B, "2025-03-20", YA_B)
    # C: last year's set (ignored), this year's (used), and one filled after the period (ignored)
    + _kuesioner(NIK_C, "2024-02-15", _ya(12, 6, 5, 10, 5))
    + _kuesioner(NIK_C, "2025-02-20", YA_C)
    + _kuesioner(NIK_C, "2025-04-10", _ya(12, 6, 5, 10, 5))
)
FACTORS = pd.DataFrame([
    _faktor(NIK_A, "pembukuan_bermasalah", "2025-01", "2025-06"),  # ended before 2025-09: not active
    _faktor(NIK_B, "pembukuan_bermasalah", "2025-10", None),       # active in 2025-12: one step down
    _faktor(NIK_C, "pinjaman_tidak_sesuai_prosedur", "2024-11", "2025-06"),  # active, already the last band
])

@pytest.fixture(scope="module")
def scored():
    return score_reports(pd.DataFrame([KSP_A, USP_B, KSP_C]), questionnaires=QUESTIONNAIRES, factors=FACTORS)

@pytest.mark.parametrize("nik", COOPERATIVES)
def test_the_reports_are_complete_and_balanced(nik):
    report = COOPERATIVES[nik][0]
    assert set(JUMLAH) <= set(report)
    _assert_balanced(report)

def test_every_cooperative_is_scored_once_with_22_components(scored):
    assert sorted(scored.koperasi["nik"]) == sorted(COOPERATIVES)
    assert len(scored.indikator) == 3 * 22
    assert scored.tidak_dinilai.empty

@pytest.mark.parametrize(("nik", "komponen"), [(nik, k) for nik in COOPERATIVES for k in KOMPONEN])
def test_component_by_hand(scored, nik, komponen):
    pembilang, penyebut, rasio, nilai, skor = COOPERATIVES[nik][1][komponen]
    row = _indikator(scored, nik, komponen)
    aspek, bobot = KOMPONEN[komponen]
    assert row["aspek"] == aspek
    assert row["bobot"] == bobot
    assert row["nilai"] == pytest.approx(nilai, abs=1e-6)
    assert row["skor"] == pytest.approx(skor, abs=1e-9)
    assert bool(row["terverifikasi"]) is (komponen not in BELUM_TERVERIFIKASI)
    if komponen in KUESIONER:
        return  # questionnaire components: nilai = ya x 100 / n, skor = ya x 3 / n (rulebook.md §5)
    assert row["pembilang"] == pytest.approx(pembilang, abs=0.01)
    assert row["penyebut"] == pytest.approx(penyebut, abs=0.01)
    assert row["rasio"] == pytest.approx(rasio, abs=1e-4)
    if komponen not in DISETAHUNKAN:
        # every denominator is positive: no §4 convention fired, so no note
        assert pd.isna(row["catatan"]) or row["catatan"] == ""

@pytest.mark.parametrize("nik", COOPERATIVES)
def test_aspects_total_and_predicates_by_hand(scored, nik):
    report, _, aspek, total, predikat_skor, predikat, faktor, predikat_aspek = COOPERATIVES[nik]
    k = _koperasi(scored, nik)
    for a in ASPEK:
        assert k[f"skor_{a}"] == pytest.approx(aspek[a], abs=1e-9), a
        assert k[f"predikat_{a}"] == predikat_aspek[a], a
    assert sum(aspek.values()) == pytest.approx(total, abs=1e-9)  # the hand total is the sum of the hand aspects
    assert k["skor_total"] == pytest.approx(total, abs=1e-9)
    assert k["predikat_skor"] == predikat_skor
    assert k["predikat"] == predikat
    assert list(k["faktor_pengurang"]) == faktor
    assert k["rulebook"] == "ksp-2016"
    assert k["mode_tabel"] == "table"
    for column in ("nama", "jenis", "kode_wilayah", "kabupaten_kota", "periode"):
        assert k[column] == report[column], column

def test_the_same_cooperatives_scored_one_by_one_give_the_same_totals():
    for nik, (report, *_rest) in COOPERATIVES.items():
        alone = score_reports(pd.DataFrame([report]), questionnaires=QUESTIONNAIRES, factors=FACTORS)
        assert alone.koperasi.iloc[0]["skor_total"] == pytest.approx(COOPERATIVES[nik][3], abs=1e-9)

def test_healthy_ksp_in_linear_mode():
    # Only the three components with a text rule change (rulebook.md §3):
    #   ms_pinjaman_berisiko clamp(267.9381, 0, 100) = 100 -> 6.00 (unchanged)
    #   risiko_pinjaman_bermasalah 100 - 2 x 2.745106 = 94.5098 -> x 5 / 100 = 4.72549 -> 4.73
    #   cadangan_risiko clamp(96.7913) = 96.7913 -> 4.83956 -> 4.84
    # KAP 10 + 4.73 + 4.84 + 5 = 24.57; total 90.10 - 24 + 24.57 = 90.67
    result = score_reports(pd.DataFrame([KSP_A]), questionnaires=QUESTIONNAIRES, mode="linear")
    rpm = _indikator(result, NIK_A, "risiko_pinjaman_bermasalah")
    assert rpm["nilai"] == pytest.approx(94.5098, abs=1e-4)
    assert rpm["skor"] == pytest.approx(4.73, abs=1e-9)
    cadangan = _indikator(result, NIK_A, "cadangan_risiko")
    assert cadangan["nilai"] == pytest.approx(96.7913, abs=1e-4)
    assert cadangan["skor"] == pytest.approx(4.84, abs=1e-9)
    assert _indikator(result, NIK_A, "ms_pinjaman_berisiko")["nilai"] == 100
    k = result.koperasi.iloc[0]
    assert k["mode_tabel"] == "linear"
    assert k["skor_kualitas_aktiva_produktif"] == pytest.approx(24.57, abs=1e-9)
    assert k["skor_total"] == pytest.approx(90.67, abs=1e-9)
    assert k["predikat_skor"] == "Sehat"

def test_usp_downgrade_factor_only_in_its_period():
    # the same USP one year earlier (figures unchanged), before the factor began: no downgrade
    earlier = _laporan(NIK_B, "2024-12", REGISTRI_B, 852, USP_B_LINES)
    result = score_reports(pd.DataFrame([earlier]),
                           questionnaires=pd.DataFrame(_kuesioner(NIK_B, "2024-03-18", YA_B)), factors=FACTORS)
    k = result.koperasi.iloc[0]
    assert k["skor_total"] == pytest.approx(70.15, abs=1e-9)
    assert (k["predikat_skor"], k["predikat"]) == ("Cukup Sehat", "Cukup Sehat")
    assert list(k["faktor_pengurang"]) == []

# ============================================================================================
# rulebook.md §9: the public examples, through score_reports
# ============================================================================================

def test_public_car_110_51():
    # MST = 100% x (simpanan_pokok 131,473,063 + simpanan_wajib 1,200,000,000) = 1,331,473,063
    # ATMR = 0% x kas + 100% x pinjaman_anggota 1,204,854,973 = 1,204,854,973 -> 110.51% > 8 -> 100 -> 3 x 100 / 100
    row = _crafted("car", kas=126_618_090, pinjaman_anggota=1_204_854_973, total_aset=1_331_473_063,
                   simpanan_pokok=131_473_063, simpanan_wajib=1_200_000_000, pinjaman_lancar=1_204_854_973)
    k = _indikator(score_reports(pd.DataFrame([row])), "car", "kecukupan_modal")
    assert (k["pembilang"], k["penyebut"]) == (1_331_473_063, 1_204_854_973)
    assert k["rasio"] == pytest.approx(110.5090, abs=1e-4)
    assert round(k["rasio"], 2) == 110.51
    assert (k["nilai"], k["skor"]) == (100, 3.00)

def test_public_rpm_4_19_table_and_linear():
    # RPM = 100% x macet 49,904,008; pinjaman diberikan 1,190,916,827 -> 4.190386%
    # table: 0 < x <= 10 -> 80 -> skor 4.00; linear: 100 - 2 x 4.190386 = 91.6192 -> skor 4.58096 -> 4.58
    row = _crafted("rpm", kas=9_083_173, pinjaman_anggota=1_190_916_827, total_aset=1_200_000_000,
                   simpanan_wajib=1_200_000_000, pinjaman_lancar=1_141_012_819, pinjaman_macet=49_904_008)
    table = _indikator(score_reports(pd.DataFrame([row])), "rpm", "risiko_pinjaman_bermasalah")
    assert (table["pembilang"], table["penyebut"]) == (49_904_008, 1_190_916_827)
    assert table["rasio"] == pytest.approx(4.1904, abs=1e-4)
    assert round(table["rasio"], 2) == 4.19
    assert (table["nilai"], table["skor"]) == (80, 4.00)
    linear = _indikator(score_reports(pd.DataFrame([row]), mode="linear"), "rpm", "risiko_pinjaman_bermasalah")
    assert linear["nilai"] == pytest.approx(91.6192, abs=1e-4)
    assert round(linear["nilai"], 2) == 91.62
    assert linear["skor"] == pytest.approx(4.58, abs=1e-9)

@pytest.mark.parametrize(("lines", "rasio", "nilai", "skor"), [
    # RPM = macet 100,000,000 in each; cadangan = cadangan_tujuan_risiko + penyisihan
    ({"penyisihan_penghapusan_pinjaman": 46_940_000, "total_aset": 1_003_060_000, "simpanan_wajib": 1_003_060_000},
     46.94, 50, 2.50),  # 40 < x <= 50
    ({"cadangan_tujuan_risiko": 24_940_000, "total_aset": 1_050_000_000, "simpanan_wajib": 1_025_060_000},
     24.94, 30, 1.50),  # 20 < x <= 30
    ({"penyisihan_penghapusan_pinjaman": 60_000_000, "cadangan_tujuan_risiko": 37_850_000,
      "total_aset": 990_000_000, "simpanan_wajib": 952_150_000},
     97.85, 100, 5.00),  # 90 < x
])
def test_public_cadangan_risiko(lines, rasio, nilai, skor):
    row = _crafted("cadangan", kas=50_000_000, pinjaman_anggota=1_000_000_000, pinjaman_lancar=900_000_000,
                   pinjaman_macet=100_000_000, **lines)
    k = _indikator(score_reports(pd.DataFrame([row])), "cadangan", "cadangan_risiko")
    assert k["penyebut"] == 100_000_000
    assert k["rasio"] == pytest.approx(rasio, abs=1e-9)
    assert (k["nilai"], k["skor"]) == (nilai, skor)

def test_public_volume_pinjaman_anggota_73_34():
    # 16,650,000 / 22,701,250 = 73.3440% -> 50 < x <= 75 -> 75 -> 10 x 75 / 100 = 7.50
    row = _crafted("volume", kas=5_000_000, pinjaman_anggota=15_000_000, total_aset=20_000_000,
                   simpanan_wajib=20_000_000, pinjaman_lancar=15_000_000,
                   volume_pinjaman=22_701_250, volume_pinjaman_anggota=16_650_000)
    k = _indikator(score_reports(pd.DataFrame([row])), "volume", "volume_pinjaman_anggota")
    assert k["rasio"] == pytest.approx(73.3440, abs=1e-4)
    assert round(k["rasio"], 2) == 73.34
    assert (k["nilai"], k["skor"]) == (75, 7.50)

# A crafted KSP for the aspect and total examples (December 2025, figures in Rupiah), hand-scored:
#   TA 1,395,000,000 = kas 50M + bank 150M + di lembaga lain 700M + pinjaman 400M - penyisihan 5M + aset tetap 100M
#   kewajiban 900M (sukarela 600M, berjangka 300M; lancar 600M); ekuitas 495M (SP 40M, SW 160M, CU 245M, SHU 50M)
#   permodalan: MS 495M / TA = 35.4839% -> 50 -> 3; MS / berisiko 150M = 330% -> 100 -> 6;
#               MST 445M + 50% x 950M = 920M / ATMR (140M + 400M + 70M = 610M) = 150.8197% -> 100 -> 3   = 12
#   KAP: volume 160M / 400M = 40% -> 50 -> 5; RPM macet 100M / 400M = 25% -> 40 -> 2;
#        cadangan 5M / 100M = 5% -> 10 -> 0.5; berisiko 150M / 400M = 37.5% -> 25 -> 1.25             = 8.75
#   efisiensi: (20M + 55M + 5M) / 90M = 88.89% -> 100 -> 4; 55M / SHU kotor 110M = 50% -> 75 -> 3;
#              50M / 400M = 12.5% -> 50 -> 1                                                         = 8
#   likuiditas: 200M / 600M = 33.33% -> 25 -> 2.5; 400M / dana diterima 1,345M = 29.74% -> 25 -> 1.25 = 3.75
#   kemandirian: SHU sebelum pajak (110M - 55M - 5M + pendapatan lain 15M) 65M / TA = 4.6595% -> 25 -> 0.75;
#                17M / 495M = 3.4343% -> 50 -> 1.5; partisipasi neto 70M / 60M = 116.67% -> 100 -> 4  = 6.25
#   jatidiri: 90M / 130M = 69.23% -> 75 -> 5.25; PEA 12M / 200M = 6% -> 50 -> 1.5                   = 6.75
#   non-management total 45.50, plus the questionnaire.
# (The §9 split 12 + 8.75 + 15 + 8 + 3.75 + 6 + 7 cannot come from one report: kemandirian 6 needs
#  kemandirian_operasional 0, i.e. partisipasi neto <= beban usaha + perkoperasian, which makes beban operasi
#  >= partisipasi bruto, so efisiensi <= 1 + 4 + 2 = 7. Since the 2026-11-30 tables (PEA x < 5 scores 0), a
#  jatidiri of 6 cannot be made either (7 x {25, 50, 75, 100}% + 3 x {0, 50, 75, 100}%). The last two aspects
#  here are 6.25 + 6.75: the same 13 points and the same total 60.50.)
PUBLIK = {
    "kas": 50_000_000, "bank": 150_000_000, "simpanan_di_lembaga_lain": 700_000_000,
    "pinjaman_anggota": 400_000_000, "penyisihan_penghapusan_pinjaman": 5_000_000, "aset_tetap": 100_000_000,
    "total_aset": 1_395_000_000,
    "simpanan_sukarela": 600_000_000, "simpanan_berjangka": 300_000_000, "kewajiban_lancar": 600_000_000,
    "simpanan_pokok": 40_000_000, "simpanan_wajib": 160_000_000, "cadangan_umum": 245_000_000,
    "shu_belum_dibagi": 50_000_000,
    "pinjaman_lancar": 300_000_000, "pinjaman_macet": 100_000_000, "pinjaman_berisiko": 150_000_000,
    "volume_pinjaman": 400_000_000, "volume_pinjaman_anggota": 160_000_000,
    "partisipasi_bruto": 90_000_000, "pendapatan_non_anggota": 40_000_000, "beban_pokok": 20_000_000,
    "beban_usaha": 55_000_000, "biaya_karyawan": 50_000_000, "beban_perkoperasian": 5_000_000,
    "pendapatan_lain": 15_000_000, "shu_bagian_anggota": 17_000_000, "promosi_ekonomi_anggota": 12_000_000,
}

def test_public_management_three_ya_in_every_component():
    # 3 x 3/12 + 3 x 3/6 + 3 x 3/5 + 3 x 3/10 + 3 x 3/5 = 0.75 + 1.5 + 1.8 + 0.9 + 1.8 = 6.75
    row = _crafted("mgmt", **PUBLIK)
    result = score_reports(pd.DataFrame([row]),
                           questionnaires=pd.DataFrame(_kuesioner("mgmt", "2025-06-30", _ya(3, 3, 3, 3, 3))))
    for komponen, skor in {"manajemen_umum": 0.75, "kelembagaan": 1.5, "manajemen_permodalan": 1.8,
                           "manajemen_aktiva": 0.9, "manajemen_likuiditas": 1.8}.items():
        assert _indikator(result, "mgmt", komponen)["skor"] == pytest.approx(skor, abs=1e-9), komponen
    k = result.koperasi.iloc[0]
    assert k["skor_manajemen"] == pytest.approx(6.75, abs=1e-9)
    assert k["skor_total"] == pytest.approx(45.50 + 6.75, abs=1e-9)  # 52.25
    assert k["predikat_skor"] == "Dalam Pengawasan"

def test_public_aspect_scores_60_50():
    row = _crafted("aspek", **PUBLIK)
    result = score_reports(pd.DataFrame([row]),
                           questionnaires=pd.DataFrame(_kuesioner("aspek", "2025-06-30", _ya(12, 6, 5, 10, 5))))
    k = result.koperasi.iloc[0]
    assert [k[f"skor_{a}"] for a in ASPEK] == pytest.approx([12, 8.75, 15, 8, 3.75, 6.25, 6.75], abs=1e-9)
    assert k["skor_total"] == pytest.approx(60.50, abs=1e-9)
    assert (k["rulebook"], k["predikat_skor"], k["predikat"]) == ("ksp-2016", "Dalam Pengawasan", "Dalam Pengawasan")

@pytest.mark.parametrize(("ya", "total", "predikat"), [
    # KSP A without its questionnaire points: 90.10 - 13.85 = 76.25 outside management
    (_ya(3, 6, 0, 0, 0), 80.00, "Sehat"),        # + 0.75 + 3.00
    (_ya(0, 2, 0, 9, 0), 79.95, "Cukup Sehat"),  # + 1.00 + 2.70
])
def test_public_total_80_is_sehat(ya, total, predikat):
    result = score_reports(pd.DataFrame([KSP_A]), questionnaires=pd.DataFrame(_kuesioner(NIK_A, "2025-02-14", ya)))
    k = result.koperasi.iloc[0]
    assert k["skor_total"] == pytest.approx(total, abs=1e-9)
    assert k["predikat_skor"] == predikat

def test_answers_without_a_date_or_of_another_component_count_nowhere():
    """Such answers alone are no questionnaire (it crashed the engine: an index of an empty list of dates); beside
    a dated set, that set counts. KSP A: 76.25 outside management (above), + 0.75 + 3.00 with _ya(3, 6, 0, 0, 0)."""
    undated = [dict(answer, tanggal=None) for answer in _kuesioner(NIK_A, "2025-02-14", YA_A)]
    other = [dict(answer, komponen="lain") for answer in _kuesioner(NIK_A, "2025-02-14", YA_A)]
    alone = score_reports(pd.DataFrame([KSP_A]), questionnaires=pd.DataFrame(undated + other))
    assert alone.koperasi.iloc[0]["skor_total"] == pytest.approx(76.25, abs=1e-9)
    umum = _indikator(alone, NIK_A, "manajemen_umum")
    assert (umum["nilai"], umum["skor"], umum["catatan"]) == (0, 0, NO_ANSWERS["kuesioner"])
    beside = score_reports(pd.DataFrame([KSP_A]), questionnaires=pd.DataFrame(
        undated + other + _kuesioner(NIK_A, "2025-02-14", _ya(3, 6, 0, 0, 0))))
    assert beside.koperasi.iloc[0]["skor_total"] == pytest.approx(80.00, abs=1e-9)

@pytest.mark.parametrize(("penyisihan", "cadangan_umum", "total_aset", "cadangan_skor", "total", "predikat"), [
    # linear mode on the crafted KSP (a total ending in .99 needs a continuous nilai; table skor move by 0.05):
    #   RPM 25% -> 100 - 50 = 50 -> 2.50; cadangan x% -> x -> 0.05x; other KAP 5 + 1.25; management 2.25 + 3 = 5.25
    #   total = 12 + (5 + 2.5 + 0.05x + 1.25) + 5.25 + 8 + 3.75 + 6.25 + 6.75
    (5_000_000, 245_000_000, 1_395_000_000, 0.25, 51.00, "Dalam Pengawasan"),         # x = 5.0
    (4_800_000, 245_200_000, 1_395_200_000, 0.24, 50.99, "Dalam Pengawasan Khusus"),  # x = 4.8
])
def test_public_totals_51_00_and_50_99(penyisihan, cadangan_umum, total_aset, cadangan_skor, total, predikat):
    row = _crafted("batas", **(PUBLIK | {"penyisihan_penghapusan_pinjaman": penyisihan, "cadangan_umum": cadangan_umum,
                                         "total_aset": total_aset}))
    result = score_reports(pd.DataFrame([row]), mode="linear",
                           questionnaires=pd.DataFrame(_kuesioner("batas", "2025-06-30", _ya(9, 6, 0, 0, 0))))
    assert _indikator(result, "batas", "cadangan_risiko")["skor"] == pytest.approx(cadangan_skor, abs=1e-9)
    assert _indikator(result, "batas", "risiko_pinjaman_bermasalah")["nilai"] == pytest.approx(50, abs=1e-9)
    k = result.koperasi.iloc[0]
    assert k["skor_total"] == pytest.approx(total, abs=1e-9)
    assert (k["rulebook"], k["predikat_skor"]) == ("ksp-2016", predikat)

def test_public_totals_ksp_2009():
    # USP B without its questionnaire points: 70.15 - 9.40 = 60.75 outside management
    #   + 2.00 + 3.00 = 65.75: ksp-2009 Cukup Sehat (60 <= x < 80); ksp-2016 would say Dalam Pengawasan
    forced = score_reports(pd.DataFrame([USP_B]), rulebook="ksp-2009", factors=FACTORS,
                           questionnaires=pd.DataFrame(_kuesioner(NIK_B, "2025-03-20", _ya(8, 6, 0, 0, 0))))
    k = forced.koperasi.iloc[0]
    assert k["rulebook"] == "ksp-2009"
    assert k["skor_total"] == pytest.approx(65.75, abs=1e-9)
    # ksp-2009 has no downgrade factors: pembukuan_bermasalah (active in 2025-12) changes nothing
    assert (k["predikat_skor"], k["predikat"]) == ("Cukup Sehat", "Cukup Sehat")
    assert list(k["faktor_pengurang"]) == []
    by_2016 = score_reports(pd.DataFrame([USP_B]),
                            questionnaires=pd.DataFrame(_kuesioner(NIK_B, "2025-03-20", _ya(8, 6, 0, 0, 0))))
    assert by_2016.koperasi.iloc[0]["predikat_skor"] == "Dalam Pengawasan"

    #   + 3 + 3 + 3 + 7 x 0.3 + 3 x 0.6 = 12.90 -> 73.65, period 2015-12 (before 2016-04: ksp-2009 by period)
    old = _laporan(NIK_B, "2015-12", REGISTRI_B, 852, USP_B_LINES)
    result = score_reports(pd.DataFrame([old]),
                           questionnaires=pd.DataFrame(_kuesioner(NIK_B, "2015-05-11", _ya(12, 6, 5, 7, 3))))
    k = result.koperasi.iloc[0]
    assert k["rulebook"] == "ksp-2009"
    assert k["skor_manajemen"] == pytest.approx(12.90, abs=1e-9)
    assert k["skor_total"] == pytest.approx(73.65, abs=1e-9)
    assert k["predikat_skor"] == "Cukup Sehat"


def test_component_rounding_decides_a_total_in_linear_mode():
    """rulebook.md §6: each component's skor is rounded half up to 2 decimals before the sums.

    The crafted KSP in linear mode with RPM 25.05% and cadangan 4.9% of RPM:
      RPM = macet 100,200,000 / pinjaman 400,000,000 = 25.05% -> 100 - 2 x 25.05 = 49.9 -> x 5 / 100 = 2.495
      cadangan = penyisihan 4,909,800 / RPM 100,200,000 = 4.9% -> 4.9 -> x 5 / 100 = 0.245
    Rounded first (the rule): 2.50 + 0.25; KAP 5 + 2.50 + 0.25 + 1.25 = 9.00 and the total
      12 + 9.00 + 5.25 + 8 + 3.75 + 6.25 + 6.75 = 51.00 -> Dalam Pengawasan.
    Summed unrounded, KAP would be 5 + 2.495 + 0.245 + 1.25 = 8.99 and the total 50.99 -> Dalam Pengawasan Khusus.
    """
    row = _crafted("tepi", **(PUBLIK | {"pinjaman_lancar": 299_800_000, "pinjaman_macet": 100_200_000,
                                        "penyisihan_penghapusan_pinjaman": 4_909_800,
                                        "cadangan_umum": 245_090_200, "total_aset": 1_395_090_200}))
    result = score_reports(pd.DataFrame([row]), mode="linear",
                           questionnaires=pd.DataFrame(_kuesioner("tepi", "2025-06-30", _ya(9, 6, 0, 0, 0))))
    rpm, cadangan = (_indikator(result, "tepi", k) for k in ("risiko_pinjaman_bermasalah", "cadangan_risiko"))
    assert (rpm["rasio"], cadangan["rasio"]) == pytest.approx((25.05, 4.9), abs=1e-12)
    assert (rpm["nilai"], cadangan["nilai"]) == pytest.approx((49.9, 4.9), abs=1e-12)
    assert (rpm["skor"], cadangan["skor"]) == (2.50, 0.25)
    k = result.koperasi.iloc[0]
    assert k["skor_kualitas_aktiva_produktif"] == 9.00
    assert k["skor_total"] == 51.00
    assert k["predikat_skor"] == "Dalam Pengawasan"
