"""One month under every rulebook: the comparison table and its summary, on three hand-computed cooperatives."""

from __future__ import annotations

import math

import pandas as pd

from scoring import score_reports
from scoring.comparison import changes, perbandingan
from scoring.rulebook import rulebooks
from test_scoring_cooperatives import KSP_A, KSP_C, NIK_A, NIK_B, NIK_C, QUESTIONNAIRES, USP_B

BOOKS = ("kkpkk-2021-draft", "ksp-2009", "ksp-2016")


def _results():
    reports = pd.DataFrame([KSP_A, USP_B, KSP_C])  # the same validated reports for every book
    return {b: score_reports(reports, questionnaires=QUESTIONNAIRES, rulebook=b) for b in BOOKS}


def test_the_comparison_table_of_three_cooperatives():
    table = perbandingan(_results(), rulebooks()).set_index(["nik", "rulebook"])
    # the ksp books share every table: the same totals (test_scoring_cooperatives), other predicate bands
    assert table.loc[(NIK_A, "ksp-2016"), ["skor_total", "predikat"]].tolist() == [90.10, "Sehat"]
    assert table.loc[(NIK_A, "ksp-2009"), ["skor_total", "predikat"]].tolist() == [90.10, "Sehat"]
    assert table.loc[(NIK_B, "ksp-2016"), "predikat"] == "Cukup Sehat"  # 70.15, score alone (no downgrade)
    assert table.loc[(NIK_B, "ksp-2009"), "predikat"] == "Cukup Sehat"  # 60 <= 70.15 < 80
    assert table.loc[(NIK_C, "ksp-2016"), ["skor_total", "predikat"]].tolist() == [40.05, "Dalam Pengawasan Khusus"]
    assert table.loc[(NIK_C, "ksp-2009"), ["skor_total", "predikat"]].tolist() == [40.05, "Kurang Sehat"]  # >= 40
    for nik in (NIK_A, NIK_B, NIK_C):
        assert table.loc[(nik, "ksp-2016"), ["aspek_dinilai", "jumlah_aspek", "sebagian"]].tolist() == [7, 7, False]
        draft = table.loc[(nik, "kkpkk-2021-draft")]  # from reports alone: Tata Kelola needs the examiner
        assert (draft["aspek_dinilai"], draft["jumlah_aspek"], draft["sebagian"]) == (3, 4, True)
        assert math.isnan(draft["skor_total"]) and pd.isna(draft["predikat"])
        assert draft["alasan_sebagian"] == "aspek tidak dapat dinilai: tata_kelola"
        assert draft["status_rulebook"] == "draft"


def test_what_changes_between_the_regimes():
    results = _results()
    summary = changes(perbandingan(results, rulebooks()), results, rulebooks()).set_index(["rulebook_a", "rulebook_b"])
    ksp = summary.loc[("ksp-2009", "ksp-2016")]
    # only KSP C changes: 40.05 is Kurang Sehat under 2009 (40 <= x < 60), Dalam Pengawasan Khusus under 2016 (< 51)
    assert (ksp["dibandingkan"], ksp["berubah"], ksp["berubah_skor_sama"]) == (3, 1, 1)
    assert ksp["perpindahan"] == "Kurang Sehat -> Dalam Pengawasan Khusus: 1"
    # KSP C's components losing the most of their maximum, under each book (the same tables): kemandirian
    # operasional 0 of 4 and PEA 0 of 3 (all lost), then risiko pinjaman bermasalah 1 of 5 (first of the 80% losers)
    assert ksp["pendorong"] == ("kemandirian_operasional (2), promosi_ekonomi_anggota (2), "
                                "risiko_pinjaman_bermasalah (2)")
    draft = summary.loc[("kkpkk-2021-draft", "ksp-2016")]
    assert (draft["dibandingkan"], draft["berubah"]) == (0, 0)  # the draft has no predicate without a checklist
