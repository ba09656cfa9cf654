"""One month under every rulebook: the comparison table and its summary, on three hand-computed cooperatives (and a
sharia one no book scores).

KSP A, USP B and KSP C are those of test_scoring_cooperatives (ksp books, by hand there) and KSP A also of
test_kkpkk (the draft, by hand there); the supervisors' findings are those of test_scoring_cooperatives (B's
pembukuan_bermasalah is in force, C's already leaves it in the last band). KSP A alone has an examiner's checklist,
with no item met.
"""

from __future__ import annotations

import math

import pandas as pd

from scoring import score_reports
from scoring.comparison import changes, per_book, perbandingan
from scoring.rulebook import rulebooks
from test_kkpkk import checklist
from test_scoring_cooperatives import FACTORS, KSP_A, KSP_C, NIK_A, NIK_B, NIK_C, QUESTIONNAIRES, USP_B

BOOKS = ("kkpkk-2021-draft", "ksp-2009", "ksp-2016")
NIK_S = "6502000000000404"
SYARIAH = {**KSP_A, "nik": NIK_S, "nama": "KSPPS Al-Ikhlas", "jenis": "kspps"}  # no book scores kspps
NONE_MET = checklist(NIK_A, "2025-08-20", {"prinsip_koperasi": 0, "kelembagaan_koperasi": 0,
                                          "manajemen_koperasi": 0, "kpmr": 0})
COLUMNS = ["skor_total", "predikat_skor", "predikat", "aspek_dinilai", "jumlah_aspek", "sebagian"]


def _results(checklists: pd.DataFrame | None = NONE_MET):
    reports = pd.DataFrame([KSP_A, USP_B, KSP_C, SYARIAH])  # the same validated reports for every book
    return {b: score_reports(reports, questionnaires=QUESTIONNAIRES, factors=FACTORS, checklists=checklists,
                             rulebook=b) for b in BOOKS}


def _row(table: pd.DataFrame, nik: str, book: str) -> list:
    return [None if pd.isna(v) else v for v in table.loc[(nik, book), COLUMNS]]


def test_the_comparison_table_of_three_cooperatives():
    table = perbandingan(_results(), rulebooks()).set_index(["nik", "rulebook"])
    assert len(table) == 4 * 3
    # the ksp books share every table: the same totals (test_scoring_cooperatives), other predicate bands, and
    # downgrade factors in 2016 only
    assert _row(table, NIK_A, "ksp-2009") == [90.10, "Sehat", "Sehat", 7, 7, False]
    assert _row(table, NIK_A, "ksp-2016") == [90.10, "Sehat", "Sehat", 7, 7, False]
    assert _row(table, NIK_B, "ksp-2009") == [70.15, "Cukup Sehat", "Cukup Sehat", 7, 7, False]  # 60 <= x < 80
    # B's pembukuan_bermasalah lowers 2016's Cukup Sehat one step
    assert _row(table, NIK_B, "ksp-2016") == [70.15, "Cukup Sehat", "Dalam Pengawasan", 7, 7, False]
    assert _row(table, NIK_C, "ksp-2009") == [40.05, "Kurang Sehat", "Kurang Sehat", 7, 7, False]  # 40 <= x < 60
    assert _row(table, NIK_C, "ksp-2016") == [40.05, "Dalam Pengawasan Khusus", "Dalam Pengawasan Khusus", 7, 7,
                                              False]
    # the draft, KSP A with its checklist (test_kkpkk's ratios; no report of 2024-09, so no growth indicator):
    #   A Tata Kelola: 0/7, 0/30, 0/10 met -> 0% <= 25 -> nilai 4, skor 1 each: 3 / 12 = 25% -> 30 x = 7.50
    #   B Profil Risiko: ratios skor 2 + 3 + 4, kpmr 0/10 -> skor 1: 10 / 16 = 62.5% -> 15 x = 9.375 -> 9.38
    #   C Kinerja Keuangan: 12 of 15 assessed, 41 / 48 -> 40 x 85.4167% = 34.17;  D Permodalan: 12 / 12 -> 15
    #   total 7.50 + 9.38 + 34.17 + 15 = 66.05 -> Cukup Sehat (66 <= x < 80; the draft's bands, unverified)
    assert _row(table, NIK_A, "kkpkk-2021-draft") == [66.05, "Cukup Sehat", "Cukup Sehat", 4, 4, False]
    draft = table.loc[(NIK_A, "kkpkk-2021-draft")]
    assert (draft["komponen_tidak_dinilai"], draft["komponen_tidak_terverifikasi"]) == (3, 21)  # 25 - 3 growth - 1 [V]
    assert not draft["terverifikasi"] and draft["status_rulebook"] == "draft" and pd.isna(draft["alasan_tanpa_total"])
    for nik in (NIK_B, NIK_C):  # from the reports alone: no total, no predicate, and why
        assert _row(table, nik, "kkpkk-2021-draft") == [None, None, None, 3, 4, True]
        assert table.loc[(nik, "kkpkk-2021-draft"), "alasan_tanpa_total"] == (
            "tidak ada skor total dan predikat: aspek tata_kelola tidak dapat dinilai (tidak ada hasil pemeriksaan "
            "(daftar periksa pemeriksa) pada atau sebelum periode ini)")
        assert table.loc[(nik, "kkpkk-2021-draft"), "komponen_tidak_dinilai"] == 7  # 4 checklists, 3 growth
    for nik in (NIK_A, NIK_B, NIK_C):
        ksp = table.loc[(nik, "ksp-2016")]
        # the three tables only corroborated by code (rulebook.md §3); the predicate bands are read [V]
        assert (ksp["komponen_tidak_terverifikasi"], ksp["komponen_tidak_dinilai"], ksp["terverifikasi"]) == (3, 0, True)
    for book in BOOKS:  # the sharia cooperative: under no book, with the reason of _koperasi.toml
        row = table.loc[(NIK_S, book)]
        assert _row(table, NIK_S, book)[:5] == [None, None, None, 0, len(rulebooks()[book].aspek)]
        assert not row["dinilai"] and not row["sebagian"]
        assert row["alasan_tanpa_total"] == ("tidak dinilai: koperasi simpan pinjam syariah: rulebook Perdep "
                                             "07/Per/Dep.6/IV/2016 belum tersedia (tabel komponen belum diverifikasi)")


def test_what_changes_between_the_regimes():
    results = _results()
    table = perbandingan(results, rulebooks())
    summary = changes(table, results, rulebooks()).set_index(["rulebook_a", "rulebook_b"])
    ksp = summary.loc[("ksp-2009", "ksp-2016")]
    # B: Cukup Sehat under 2009, Dalam Pengawasan under 2016 (its downgrade factor); C: 40.05 is Kurang Sehat
    # under 2009 (40 <= x < 60), Dalam Pengawasan Khusus under 2016 (< 51); A stays Sehat. Both with one total.
    assert (ksp["dibandingkan"], ksp["berubah"], ksp["berubah_skor_sama"]) == (3, 2, 2)
    assert ksp["perpindahan"] == "Cukup Sehat -> Dalam Pengawasan: 1; Kurang Sehat -> Dalam Pengawasan Khusus: 1"
    # what drives them: B's predicate by score is Cukup Sehat under both, only 2016's factor lowers it; C's
    # total is the same, its bands differ
    assert ksp["pendorong"] == "batas_predikat (1), faktor_pengurang (1)"
    draft = summary.loc[("kkpkk-2021-draft", "ksp-2016")]
    # only A has a draft predicate: Cukup Sehat (66.05) against Sehat (90.10); its weakest components under the
    # draft are the three Tata Kelola checklists (skor 1 of 4, the first three of the four 75% losers), under
    # 2016 rentabilitas_aset (0.75 of 3), ms_aset (3 of 6), beban_usaha_shu_kotor (3 of 4, the first 25% loser)
    assert (draft["dibandingkan"], draft["berubah"], draft["berubah_skor_sama"]) == (1, 1, 0)
    assert draft["perpindahan"] == "Cukup Sehat -> Sehat: 1"
    assert draft["pendorong"] == ("prinsip_koperasi (1), kelembagaan_koperasi (1), manajemen_koperasi (1), "
                                  "rentabilitas_aset (1), ms_aset (1)")
    books = per_book(table, rulebooks()).set_index("rulebook")
    assert books.loc["kkpkk-2021-draft", ["dinilai", "dengan_total", "sebagian", "tidak_dinilai", "predikat"]
                     ].tolist() == [3, 1, 2, 1, "Cukup Sehat 1"]
    assert books.loc["ksp-2016", "predikat"] == "Sehat 1; Dalam Pengawasan 1; Dalam Pengawasan Khusus 1"
    assert books.loc["ksp-2009", "predikat"] == "Sehat 1; Cukup Sehat 1; Kurang Sehat 1"


def test_without_any_checklist_the_draft_has_no_predicate_to_compare():
    results = _results(checklists=None)
    table = perbandingan(results, rulebooks())
    draft = table[table["rulebook"] == "kkpkk-2021-draft"]
    assert draft["skor_total"].isna().all() and draft["predikat"].isna().all()
    summary = changes(table, results, rulebooks()).set_index(["rulebook_a", "rulebook_b"])
    assert summary.loc[("kkpkk-2021-draft", "ksp-2016"), ["dibandingkan", "berubah"]].tolist() == [0, 0]
    assert math.isnan(table.set_index(["nik", "rulebook"]).loc[(NIK_A, "kkpkk-2021-draft"), "skor_total"])
