"""Explaining every score (scoring.explain): points lost, the nearest better band, penjelasan, worked by hand.

The cooperatives are the three hand-scored ones of test_scoring_cooperatives (A Sehat 90.10, B Cukup Sehat
70.15 lowered to Dalam Pengawasan, C Dalam Pengawasan Khusus 40.05); their component figures are written out
there. Bands are those of rulebook.md §3.
"""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.outputs import validate_output
from scoring import ScoringInputError, score_reports
from scoring.explain import cooperative_columns, explain_scores, indicator_columns, places, status_columns
from test_scoring_cooperatives import FACTORS, KSP_A, KSP_C, NIK_A, NIK_B, NIK_C, QUESTIONNAIRES, USP_B

RUN = "2025-12_20260105T090000000000"


@pytest.fixture(scope="module")
def scored():
    result = score_reports(pd.DataFrame([KSP_A, USP_B, KSP_C]), questionnaires=QUESTIONNAIRES, factors=FACTORS)
    return result.koperasi, indicator_columns(result.indikator, result.koperasi)


def row(indikator: pd.DataFrame, nik: str, komponen: str) -> pd.Series:
    rows = indikator[(indikator["nik"] == nik) & (indikator["komponen"] == komponen)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(("nik", "komponen", "poin_hilang", "rentang", "nilai"), [
    # ms_aset 39.39% in 20 < x <= 40 (50, skor 3.00 of 6): the nearest higher band is 40 < x <= 60 (100)
    (NIK_A, "ms_aset", 3.00, "40 < x <= 60", 100),
    # rentabilitas_aset 4.73% (25, 0.75 of 3): 5 <= x < 7.5 (50) is nearer than x >= 10 (100)
    (NIK_A, "rentabilitas_aset", 2.25, "5 <= x < 7,5", 50),
    # RPM 2.75% in 0 < x <= 10 (80, 4.00 of 5): only x <= 0 scores higher
    (NIK_A, "risiko_pinjaman_bermasalah", 1.00, "x <= 0", 100),
    # rasio_kas 18.14% in 15 < x <= 20 (50, 5.00 of 10): 10 < x <= 15 (100); x <= 10 scores 25, lower
    (NIK_B, "rasio_kas", 5.00, "10 < x <= 15", 100),
    # rasio_kas 7.96% in x <= 10 (25): 10 < x <= 15 (100, 2.04 away) before 15 < x <= 20 (50, 7.04 away)
    (NIK_C, "rasio_kas", 7.50, "10 < x <= 15", 100),
    # volume pinjaman anggota 47.30% (50): 50 < x <= 75 (75), nearer than x > 75 (100)
    (NIK_C, "volume_pinjaman_anggota", 5.00, "50 < x <= 75", 75),
    # questionnaire: 8 of 12 "ya" (2.00 of 3) -> one more "ya": 9 of 12 = 75
    (NIK_B, "manajemen_umum", 1.00, "9 dari 12 jawaban ya", 75),
    # the top: pinjaman/dana diterima 83.40% in x >= 80 (100); kelembagaan 6 of 6
    (NIK_B, "pinjaman_dana_diterima", 0.00, None, None),
    (NIK_A, "kelembagaan", 0.00, None, None),
])
def test_points_lost_and_the_nearest_better_band(scored, nik, komponen, poin_hilang, rentang, nilai):
    r = row(scored[1], nik, komponen)
    assert r["poin_hilang"] == pytest.approx(poin_hilang, abs=1e-9)
    if rentang is None:
        assert pd.isna(r["rentang_lebih_baik"]) and pd.isna(r["nilai_lebih_baik"])
    else:
        assert (r["rentang_lebih_baik"], r["nilai_lebih_baik"]) == (rentang, nilai)


def test_the_nearest_band_is_not_the_best_band():
    # rasio_kas 32% (kas + bank 640,000,000 / kewajiban lancar 2,000,000,000) in x > 20 (25): the nearest band
    # that scores higher is 15 < x <= 20 (50), 12 points away; 10 < x <= 15 scores 100 but lies 17 away
    lines = dict(KSP_A, kas=152_384_750, aset_lain=27_470_000, kewajiban_lancar=2_000_000_000)
    result = score_reports(pd.DataFrame([lines]))
    r = row(indicator_columns(result.indikator, result.koperasi), NIK_A, "rasio_kas")
    assert r["rasio"] == pytest.approx(32.0, abs=1e-12)
    assert (r["rentang_lebih_baik"], r["nilai_lebih_baik"], r["poin_hilang"]) == ("15 < x <= 20", 50, 7.50)


def test_linear_mode_points_to_where_the_line_reaches_100():
    # C in linear mode: MS / pinjaman berisiko 67.09% -> nilai 67.09; RPM 33.97% -> 100 - 2 x 33.97 = 32.07;
    # cadangan 11.75% -> 11.75: each line gives 100 at x >= 100, x <= 0, x >= 100
    result = score_reports(pd.DataFrame([KSP_C]), questionnaires=QUESTIONNAIRES, mode="linear")
    indikator = indicator_columns(result.indikator, result.koperasi)
    for komponen, rentang in {"ms_pinjaman_berisiko": "x >= 100", "risiko_pinjaman_bermasalah": "x <= 0",
                              "cadangan_risiko": "x >= 100"}.items():
        assert (row(indikator, NIK_C, komponen)["rentang_lebih_baik"],
                row(indikator, NIK_C, komponen)["nilai_lebih_baik"]) == (rentang, 100)
    assert row(indikator, NIK_C, "rasio_kas")["rentang_lebih_baik"] == "10 < x <= 15"  # no line: its table


# ------------------------------------------------------------------ penjelasan

def test_penjelasan_of_the_three_cooperatives(scored):
    koperasi = explain_scores(*scored, factors=FACTORS).set_index("nik")["penjelasan"]
    assert koperasi[NIK_A] == (
        "Sehat, skor 90,10 (ksp-2016). Poin terbanyak hilang: "
        "ms_aset 39,39% (nilai 50, hilang 3,00 poin; nilai 100 bila 40 < x <= 60); "
        "rentabilitas_aset 4,73% (nilai 25, hilang 2,25 poin; nilai 50 bila 5 <= x < 7,5); "
        # 1.00 lost by RPM and by beban usaha / SHU kotor: the first in the rulebook's order
        "risiko_pinjaman_bermasalah 2,75% (nilai 80, hilang 1,00 poin; nilai 100 bila x <= 0).")
    assert koperasi[NIK_B] == (
        "Dalam Pengawasan, skor 70,15 (ksp-2016). Faktor pengurang: pembukuan_bermasalah (temuan pengawas; berlaku "
        "sejak 2025-10): predikat "
        "Cukup Sehat menurut skor diturunkan menjadi Dalam Pengawasan. Poin terbanyak hilang: "
        "rasio_kas 18,14% (nilai 50, hilang 5,00 poin; nilai 100 bila 10 < x <= 15); "
        # 3.00 lost by ms_aset (50 of 6 points) and cadangan_risiko (40 of 5): rulebook order
        "ms_aset 30,17% (nilai 50, hilang 3,00 poin; nilai 100 bila 40 < x <= 60); "
        "cadangan_risiko 31,63% (nilai 40, hilang 3,00 poin; nilai 50 bila 40 < x <= 50).")
    assert koperasi[NIK_C] == (
        "Dalam Pengawasan Khusus, skor 40,05 (ksp-2016). Faktor pengurang: pinjaman_tidak_sesuai_prosedur "
        "(temuan pengawas; berlaku 2024-11 s.d. 2025-06): predikat tetap Dalam Pengawasan Khusus. Poin terbanyak hilang: "
        "rasio_kas 7,96% (nilai 25, hilang 7,50 poin; nilai 100 bila 10 < x <= 15); "
        "volume_pinjaman_anggota 47,30% (nilai 50, hilang 5,00 poin; nilai 75 bila 50 < x <= 75); "
        # 4.00 lost by RPM, cadangan risiko and kemandirian operasional: RPM comes first
        "risiko_pinjaman_bermasalah 33,97% (nilai 20, hilang 4,00 poin; nilai 40 bila 20 < x <= 30).")


def test_penjelasan_names_the_conventions_that_fired():
    # B without kewajiban lancar and without a questionnaire: rasio_kas takes 25 by convention (2.50, was 5.00)
    # and management 0 (was 9.40): 70.15 - 2.50 - 9.40 = 58.25 Dalam Pengawasan, lowered to Dalam Pengawasan
    # Khusus by pembukuan_bermasalah (from 2025-10)
    result = score_reports(pd.DataFrame([dict(USP_B, kewajiban_lancar=0)]), factors=FACTORS)
    indikator = indicator_columns(result.indikator, result.koperasi)
    r = row(indikator, NIK_B, "rasio_kas")  # no ratio: the smallest nilai above 25
    assert (r["rentang_lebih_baik"], r["nilai_lebih_baik"], r["poin_hilang"]) == ("15 < x <= 20", 50, 7.50)
    r = row(indikator, NIK_B, "manajemen_umum")  # no answers: the first "ya" gives 1/12
    assert (r["rentang_lebih_baik"], r["nilai_lebih_baik"]) == ("1 dari 12 jawaban ya", pytest.approx(100 / 12))
    text = explain_scores(result.koperasi, indikator, FACTORS)["penjelasan"].iloc[0]
    assert text == (
        "Dalam Pengawasan Khusus, skor 58,25 (ksp-2016). Faktor pengurang: pembukuan_bermasalah (temuan pengawas; "
        "berlaku sejak 2025-10): "
        "predikat Dalam Pengawasan menurut skor diturunkan menjadi Dalam Pengawasan Khusus. Poin terbanyak hilang: "
        "rasio_kas tidak dapat dihitung (nilai 25, hilang 7,50 poin; nilai 50 bila 15 < x <= 20); "
        "ms_aset 30,17% (nilai 50, hilang 3,00 poin; nilai 100 bila 40 < x <= 60); "
        "cadangan_risiko 31,63% (nilai 40, hilang 3,00 poin; nilai 50 bila 40 < x <= 50). "
        "Konvensi: tidak ada kuesioner manajemen pada atau sebelum periode ini (manajemen_umum, kelembagaan, "
        "manajemen_permodalan, manajemen_aktiva, manajemen_likuiditas); kewajiban lancar <= 0: kas menganggur "
        "(band teratas) (rasio_kas).")


def test_a_full_score_loses_nothing_and_says_so():
    # one indicator row at its top (rasio_kas 12% in 10 < x <= 15: 100, 10.00 of 10)
    koperasi = pd.DataFrame({"nik": ["X"], "periode": ["2025-12"], "rulebook": ["ksp-2016"], "mode_tabel": ["table"],
                             "skor_total": [100.0], "predikat_skor": ["Sehat"], "predikat": ["Sehat"],
                             "faktor_pengurang": [[]]})
    indikator = pd.DataFrame({"nik": ["X"], "periode": ["2025-12"], "aspek": ["likuiditas"], "komponen": ["rasio_kas"],
                              "pembilang": [12.0], "penyebut": [100.0], "rasio": [12.0], "nilai": [100.0],
                              "bobot": [10.0], "skor": [10.0], "catatan": [None]})
    text = explain_scores(koperasi, indicator_columns(indikator, koperasi))["penjelasan"].iloc[0]
    assert text == "Sehat, skor 100,00 (ksp-2016). Tidak ada poin yang hilang."


def test_new_columns_of_skor_koperasi_and_status_koperasi(scored):
    koperasi, indikator = scored
    reports = pd.DataFrame([KSP_A, USP_B, KSP_C])
    registry = pd.DataFrame({"nik": [NIK_A, NIK_B, NIK_C, "6504000000000404"],
                             "pendamping": ["Budi Santoso", None, "Sari Dewi", None]})
    full = cooperative_columns(koperasi, indikator, reports, registry, FACTORS).set_index("nik")
    assert full.loc[NIK_A, ["total_aset", "jumlah_anggota", "pendamping"]].tolist() == [8_055_090_000, 3_730,
                                                                                        "Budi Santoso"]
    assert full.loc[NIK_B, ["total_aset", "jumlah_anggota"]].tolist() == [1_876_235_500, 852]
    assert pd.isna(full.loc[NIK_B, "pendamping"])
    assert full.loc[NIK_C, "penjelasan"].startswith("Dalam Pengawasan Khusus, skor 40,05 (ksp-2016).")
    status = pd.DataFrame({"nik": [NIK_A, "6504000000000404"], "alasan_tidak_dinilai": [None, "tidak ada laporan "
                                                                                              "untuk periode ini"]})
    status = status_columns(status, registry, full.reset_index()).set_index("nik")
    assert status.loc[NIK_A, "penjelasan"] == full.loc[NIK_A, "penjelasan"]
    assert status.loc["6504000000000404", "penjelasan"] == "Tidak dinilai: tidak ada laporan untuk periode ini"
    assert status.loc[NIK_A, "pendamping"] == "Budi Santoso" and pd.isna(status.loc["6504000000000404", "pendamping"])
    # the published contract
    validate_output("skor_koperasi", full.reset_index().assign(
        run_id=RUN, dihitung_pada=pd.Timestamp("2026-01-05 09:00", tz="UTC")))
    validate_output("skor_indikator", indikator.assign(run_id=RUN))


def test_reports_must_hold_every_scored_cooperative(scored):
    with pytest.raises(ScoringInputError, match=f"reports lack the row of {NIK_C} 2025-03"):
        cooperative_columns(scored[0], scored[1], pd.DataFrame([KSP_A, USP_B]), pd.DataFrame(
            {"nik": [], "pendamping": []}))


def test_places_match_nik_and_periode_as_text_or_categorical():
    keys = pd.DataFrame({"nik": ["a", "b", "a"], "periode": ["2025-01", "2025-01", "2025-02"]})
    rows = pd.DataFrame({"nik": ["a", "a", "b", "b", "c", "a"],
                         "periode": ["2025-02", "2025-01", "2025-01", "2025-02", "2025-01", "2025-03"]})
    want = [2, 0, 1, -1, -1, -1]  # b has no 2025-02, c is not there, 2025-03 is not there
    assert places(rows, keys).tolist() == want
    assert places(rows.astype("category"), keys.astype("category")).tolist() == want
    with pytest.raises(pd.errors.InvalidIndexError):
        places(rows, pd.concat([keys, keys.iloc[:1]]))
    # an empty nik matches nothing, on either side
    keys.loc[1, "nik"], rows.loc[0, "nik"] = None, None
    assert places(rows, keys).tolist() == [-1, 0, -1, -1, -1, -1]


def test_each_factor_is_named_with_its_own_words_and_months():
    """A cooperative with two factors showed the first one's keterangan and months on both, and a factor without a
    keterangan lost its months (hostile review): each code its own, the months always."""
    from scoring.explain import _factor_texts

    koperasi = pd.DataFrame({"nik": ["1", "2"], "periode": ["2026-10", "2026-10"],
                             "faktor_pengurang": [["pelanggaran_ketentuan", "rekayasa_pembukuan"],
                                                  ["pembukuan_bermasalah"]],
                             "predikat_skor": ["Sehat", "Sehat"], "predikat": ["Dalam Pengawasan", "Cukup Sehat"]})
    factors = pd.DataFrame({"nik": ["1", "1", "2"],
                            "kode": ["pelanggaran_ketentuan", "rekayasa_pembukuan", "pembukuan_bermasalah"],
                            "berlaku_mulai": ["2026-09", "2026-10", "2026-01"],
                            "berlaku_sampai": [None, "2026-10", "2026-12"], "keterangan": ["pinjaman", "kas fiktif", ""]})
    assert _factor_texts(koperasi, factors).tolist() == [
        "Faktor pengurang: pelanggaran_ketentuan (pinjaman; berlaku sejak 2026-09); rekayasa_pembukuan (kas fiktif; "
        "berlaku 2026-10): predikat Sehat menurut skor diturunkan menjadi Dalam Pengawasan.",
        "Faktor pengurang: pembukuan_bermasalah (berlaku 2026-01 s.d. 2026-12): predikat Sehat menurut skor "
        "diturunkan menjadi Cukup Sehat."]
