"""The draft of the 2021 worksheet (KKPKK, kkpkk-2021-draft.md) on KSP Sejahtera Bersama, scored by hand.

KSP A of test_scoring_cooperatives (period 2025-09, total aset Rp 8,055,090,000). Every ratio is written out
from the book's besaran (the KKPKK's terms as report lines); nilai 1 best .. 4 worst, skor = 5 - nilai; an aspect
scores the sum of its assessed indicators' skor / (4 x assessed) x 100, weighted 30 / 15 / 40 / 15.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from builders import report
from scoring import score_reports
from test_scoring_cooperatives import KSP_A, NIK_A

BOOK = "kkpkk-2021-draft"
# indicator: (rasio %, nilai), by hand
#   aset produktif = pinjaman 6,527,980,000 + di lembaga lain 350,000,000 + surat berharga 100,000,000
#                    + penyertaan 50,000,000 = 7,027,980,000
#   aset likuid = kas 152,340,500 + bank 487,615,250 + di lembaga lain 350,000,000 = 989,955,750
#   SHU (no tax line: before tax) = 667,985,000 - 366,540,000 - 27,750,000 + 18,300,000 - 6,120,000 = 285,875,000,
#   x 12/9 = 381,166,666.67 where it is over a stock; ekuitas 3,298,190,500
#   total pendapatan = 842,615,000 + 47,250,000 + 18,300,000 = 908,165,000
#   aset lancar = kas + bank + di lembaga lain + surat berharga + pinjaman - penyisihan 98,450,000
#                 + pendapatan ymhd 45,230,000 = 7,564,715,750
RATIOS = {
    "pinjaman_aset_produktif": (92.8856, 3),         # 6,527,980,000 / 7,027,980,000; 85 < x <= 95
    "aset_likuid_total_aset": (12.2898, 2),          # 989,955,750 / 8,055,090,000; 10 < x <= 15
    "aset_likuid_kewajiban_lancar": (21.9369, 1),    # / kewajiban lancar 4,512,750,000; x > 21
    "roa": (4.7320, 3),                              # 381,166,666.67 / 8,055,090,000; 3 <= x < 5
    "roe": (11.5568, 1),                             # 381,166,666.67 / 3,298,190,500; x >= 10
    "kemandirian_operasional_kkpkk": (157.4311, 1),  # 620,735,000 / 394,290,000; x >= 120
    "net_profit_margin": (31.4783, 1),               # 285,875,000 / 908,165,000; x >= 15
    "bopo": (73.1259, 1),                            # 616,170,000 / 842,615,000; x < 80
    "beban_usaha_shu_kotor_kkpkk": (54.8725, 2),     # 366,540,000 / 667,985,000; 40 <= x < 60
    "pinjaman_bermasalah": (4.3689, 1),              # (180,000,000 + 64,000,000 + 41,200,000) / 6,527,980,000
    "kas_kewajiban_lancar": (14.1811, 3),            # 639,955,750 / 4,512,750,000; 10 <= x < 15
    "pinjaman_dana_diterima_kkpkk": (84.0827, 2),    # 6,527,980,000 / 7,763,757,000; 75 <= x < 90
    "aset_lancar_kewajiban_lancar": (167.6298, 1),   # 7,564,715,750 / 4,512,750,000; x >= 125
    "pendapatan_utama": (92.7821, 1),                # 842,615,000 / 908,165,000; x >= 85
    "shu_simpanan_pokok_wajib": (26.2812, 2),        # 381,166,666.67 / (186,500,000 + 1,263,840,000); 20 <= x < 30
    "ekuitas_total_aset": (40.9454, 1),              # 3,298,190,500 / 8,055,090,000; x > 30 (the [V] table)
    "modal_pinjaman_anggota_total_aset": (52.8768, 1),  # (2,684,275,000 + 1,575,000,000) / 8,055,090,000; >= 30
    "kewajiban_jangka_panjang_ekuitas": (7.4025, 1),  # (4,756,899,500 - 4,512,750,000) / 3,298,190,500; <= 100
}
CHECKLISTS = ("prinsip_koperasi", "kelembagaan_koperasi", "manajemen_koperasi", "kpmr")
GROWTH = ("pertumbuhan_aset", "pertumbuhan_ekuitas", "pertumbuhan_shu")
# The same month a year earlier (2024-09): total aset 7,300,000,000, ekuitas (simpanan pokok) 3,050,000,000 and
# a year-to-date SHU of 280,000,000 (partisipasi bruto, every other line 0).
LAST_YEAR = report(NIK_A, "2024-09", total_aset=7_300_000_000, simpanan_pokok=3_050_000_000,
                   partisipasi_bruto=280_000_000)
GROWTH_BY_HAND = {
    "pertumbuhan_aset": (10.3437, 1),     # (8,055,090,000 - 7,300,000,000) / 7,300,000,000; x >= 10
    "pertumbuhan_ekuitas": (8.1374, 2),   # (3,298,190,500 - 3,050,000,000) / 3,050,000,000; 7 <= x < 10
    "pertumbuhan_shu": (2.0982, 3),       # (285,875,000 - 280,000,000) / 280,000,000; 1 <= x < 3
}


def checklist(nik: str, tanggal: str, terpenuhi: dict[str, int]) -> pd.DataFrame:
    """An examiner's complete checklist: the first `terpenuhi[indikator]` items of each indicator are met."""
    sizes = {"prinsip_koperasi": 7, "kelembagaan_koperasi": 30, "manajemen_koperasi": 10, "kpmr": 10}
    return pd.DataFrame([{"nik": nik, "tanggal": tanggal, "indikator": i, "butir": b, "terpenuhi": b <= terpenuhi[i]}
                         for i, n in sizes.items() for b in range(1, n + 1)])


def _score(**extra) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    result = score_reports(pd.DataFrame([KSP_A]), rulebook=BOOK, **extra)
    return result.koperasi.iloc[0], result.indikator.set_index("komponen"), result.aspek.set_index("aspek")


def test_ratio_indicators_by_hand():
    _, indikator, _ = _score()
    for komponen, (rasio, nilai) in RATIOS.items():
        row = indikator.loc[komponen]
        assert row["rasio"] == pytest.approx(rasio, abs=1e-4), komponen
        assert (row["nilai"], row["skor"]) == (nilai, 5 - nilai), komponen
    assert indikator.loc["ekuitas_total_aset", "terverifikasi"]
    assert not indikator.drop(index="ekuitas_total_aset")["terverifikasi"].any()
    assert indikator.loc["ekuitas_total_aset", "sumber"] == "Juknis Deputi Perkoperasian 15/2021, Tabel 4.1"


def test_from_the_reports_alone_the_view_is_partial_and_has_no_predicate():
    koperasi, indikator, aspek = _score()
    for komponen in (*CHECKLISTS, *GROWTH):  # no checklist, no report of 2024-09: not assessed, and why
        row = indikator.loc[komponen]
        assert math.isnan(row["nilai"]) and math.isnan(row["skor"]), komponen
    assert "daftar periksa pemeriksa" in indikator.loc["kpmr", "catatan"]
    assert "bulan yang sama tahun lalu" in indikator.loc["pertumbuhan_aset", "catatan"]
    # B: 3 of 4 assessed: (2 + 3 + 4) / (4 x 3) = 75% -> 15 x 75% = 11.25
    # C: 12 of 15 assessed: (2 + 4 + 4 + 4 + 4 + 3 + 4 + 2 + 3 + 4 + 4 + 3) = 41 / 48 = 85.4167% -> 40 x = 34.17
    # D: (4 + 4 + 4) / 12 = 100% -> 15
    assert math.isnan(aspek.loc["tata_kelola", "skor"]) and math.isnan(aspek.loc["tata_kelola", "persen"])
    assert aspek.loc["profil_risiko", ["persen", "skor"]].tolist() == pytest.approx([75.0, 11.25])
    assert aspek.loc["kinerja_keuangan", "persen"] == pytest.approx(41 / 48 * 100)
    assert aspek.loc["kinerja_keuangan", "skor"] == 34.17
    assert aspek.loc["permodalan_kkpkk", ["persen", "skor"]].tolist() == [100.0, 15.0]
    assert math.isnan(koperasi["skor_total"]) and pd.isna(koperasi["predikat_skor"])  # partial: no total


def test_with_an_examiners_checklist_and_last_years_report_the_total_and_predicate():
    checklist_ = checklist(NIK_A, "2025-08-20", {"prinsip_koperasi": 6, "kelembagaan_koperasi": 20,
                                                 "manajemen_koperasi": 5, "kpmr": 8})
    koperasi, indikator, aspek = _score(checklists=checklist_, earlier=pd.DataFrame([LAST_YEAR]))
    # A: 6/7 = 85.71% -> 1 (skor 4); 20/30 = 66.67% -> 2 (3); 5/10 = 50% -> 3 (2): 9 / 12 = 75% -> 30 x = 22.5
    assert [indikator.loc[i, "nilai"] for i in CHECKLISTS] == [1, 2, 3, 1]  # kpmr 8/10 = 80% -> 1
    assert indikator.loc["prinsip_koperasi", "rasio"] == pytest.approx(600 / 7)
    assert aspek.loc["tata_kelola", "skor"] == 22.5
    # B: (2 + 3 + 4 + 4) / 16 = 81.25% -> 15 x = 12.1875 -> 12.19
    assert aspek.loc["profil_risiko", "skor"] == 12.19
    for komponen, (rasio, nilai) in GROWTH_BY_HAND.items():
        assert indikator.loc[komponen, "rasio"] == pytest.approx(rasio, abs=1e-4), komponen
        assert indikator.loc[komponen, "nilai"] == nilai, komponen
    # C: 41 + 4 + 3 + 2 = 50 / 60 = 83.33% -> 40 x = 33.33; D 15
    assert aspek.loc["kinerja_keuangan", "skor"] == 33.33
    # total 22.5 + 12.19 + 33.33 + 15 = 83.02 -> Sehat (the draft's bands, unverified)
    assert koperasi["skor_total"] == 83.02
    assert (koperasi["predikat_skor"], koperasi["rulebook"]) == ("Sehat", BOOK)


def test_a_growth_indicator_without_last_years_report_is_not_assessed():
    _, with_report, _ = _score(earlier=pd.DataFrame([LAST_YEAR]))
    _, without, _ = _score(earlier=pd.DataFrame([{**LAST_YEAR, "periode": "2024-08"}]))  # not the same month
    assert with_report.loc["pertumbuhan_aset", "nilai"] == 1
    assert math.isnan(without.loc["pertumbuhan_aset", "nilai"])
    # last year's SHU <= 0: growth is not meaningful
    _, loss, _ = _score(earlier=pd.DataFrame([{**LAST_YEAR, "partisipasi_bruto": 0, "beban_lain": 5_000_000}]))
    assert math.isnan(loss.loc["pertumbuhan_shu", "nilai"]) and "SHU tahun lalu <= 0" in loss.loc[
        "pertumbuhan_shu", "catatan"]
