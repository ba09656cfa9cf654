"""jalan_menuju_sehat (scoring.path_to_sehat) on hand-made cooperatives, every figure worked out by hand.

The acceptance case of issue 14: KSP A of test_scoring_cooperatives (Sehat, 90.10) made Cukup Sehat at 78.50:
- kewajiban lancar 2,000,000,000 and kas + bank 640,000,000 (kas +44,250, aset lain -44,250, total aset
  unchanged, CAR still > 8%): rasio_kas 32.00% in x > 20 -> nilai 25, skor 2.50 instead of 10.00 (-7.50);
- questionnaire 9, 6, 5, 5, 0 "ya": 2.25 + 3.00 + 3.00 + 1.50 + 0.00 = 9.75 instead of 13.85 (-4.10);
so 90.10 - 7.50 - 4.10 = 78.50, Cukup Sehat; the next predicate is Sehat (80, 1.50 points away).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from schemas.outputs import validate_output
from scoring import score_reports
from scoring.path_to_sehat import NOTE_COMBINATION, NOTE_SINGLE, _singles, jalan_menuju_sehat, repeated_single
from builders import report
from test_scoring_cooperatives import KSP_A, KSP_C, NIK_A, QUESTIONNAIRES, _faktor, _kuesioner, _ya

RUN = "2025-09_20251005T020000000000"
CUKUP = dict(KSP_A, kas=152_384_750, aset_lain=27_470_000, kewajiban_lancar=2_000_000_000)
ANSWERS = pd.DataFrame(_kuesioner(NIK_A, "2025-02-14", _ya(9, 6, 5, 5, 0)))


def path(*rows: dict, questionnaires: pd.DataFrame = ANSWERS, factors: pd.DataFrame | None = None) -> pd.DataFrame:
    reports = pd.DataFrame(list(rows))
    result = score_reports(reports, questionnaires=questionnaires, factors=factors)
    return jalan_menuju_sehat(reports, result.koperasi, result.indikator)


@pytest.fixture(scope="module")
def cukup() -> pd.DataFrame:
    return path(CUKUP)


def test_the_acceptance_case_cash_to_at_most_15_percent(cukup):
    assert cukup["skor_total_baru"].gt(78.50).all() and set(cukup["predikat_berikutnya"]) == {"Sehat"}
    kas = cukup[cukup["komponen"] == "rasio_kas"].set_index("rentang_target")
    # 10 < x <= 15: kas + bank <= 15% x 2,000,000,000 = 300,000,000, i.e. Rp 340,000,000 less;
    # nilai 25 -> 100: skor 2.50 -> 10.00, +7.50 -> 86.00, Sehat
    best = kas.loc["10 < x <= 15"]
    assert (best["langkah"], best["sisi"], best["pos"], best["perubahan_rupiah"]) == (
        "satu_komponen", "pembilang", "kas_dan_bank", -340_000_000)
    assert (best["pos_sekarang"], best["rasio_sekarang"], best["rasio_target"]) == (640_000_000, 32.0, 15.0)
    assert (best["nilai_sekarang"], best["nilai_target"], best["poin_tambahan"]) == (25, 100, 7.50)
    assert (best["skor_total_baru"], best["predikat_skor_baru"], best["predikat_baru"]) == (86.00, "Sehat", "Sehat")
    assert best["mencapai_predikat_berikutnya"] and best["mencapai_sehat"]
    assert best["persen_aset"] == pytest.approx(340_000_000 / 8_055_090_000 * 100)  # 4.2209%
    assert best["uraian"] == ("rasio_kas: turunkan kas_dan_bank sebesar Rp 340.000.000 (Rp 640.000.000 menjadi "
                              "Rp 300.000.000); rasio 32,00% menjadi 15,00% (10 < x <= 15), nilai 25 menjadi 100, "
                              "+7,50 poin")
    assert best["keterangan"] == NOTE_SINGLE
    # the cheapest move that reaches Sehat: 15 < x <= 20, <= 400,000,000: -240,000,000, nilai 50, +2.50 -> 81.00
    near = kas.loc["15 < x <= 20"]
    assert (near["perubahan_rupiah"], near["rasio_target"], near["poin_tambahan"], near["skor_total_baru"]) == (
        -240_000_000, 20.0, 2.50, 81.00)
    assert len(kas) == 2  # x <= 10 scores 25 as now: not a move


def test_every_row_of_the_acceptance_case_in_order(cukup):
    shown = cukup[["urutan", "langkah", "komponen", "rentang_target", "perubahan_rupiah", "tambahan_ya",
                   "poin_tambahan", "skor_total_baru"]]
    rows = list(shown.astype(object).where(shown.notna(), None).itertuples(index=False, name=None))
    na = None
    assert rows == [
        # single moves reaching Sehat (80.00, +1.50): questionnaire first, fewer answers first
        (1, "satu_komponen", "manajemen_likuiditas", "3 dari 5 jawaban ya", na, 3, 1.80, 80.30),  # 3 x 0.60
        (2, "satu_komponen", "manajemen_aktiva", "10 dari 10 jawaban ya", na, 5, 1.50, 80.00),  # 5 x 0.30
        (3, "satu_komponen", "manajemen_likuiditas", "5 dari 5 jawaban ya", na, 5, 3.00, 81.50),  # the most points
        # ... then Rupiah moves, fewer Rupiah first:
        # modal sendiri 3,173,190,500 > 40% x 8,055,090,000 = 3,222,036,000: 3,222,036,001, +48,845,501; 50 -> 100
        (4, "satu_komponen", "ms_aset", "40 < x <= 60", 48_845_501, na, 3.00, 81.50),
        # SHU sebelum pajak (Jan-Sep) x 12/9 >= 7.5% x 8,055,090,000: >= 453,098,812.5 -> 453,098,813 - 285,875,000
        (5, "satu_komponen", "rentabilitas_aset", "7,5 <= x < 10", 167_223_813, na, 1.50, 80.00),
        (6, "satu_komponen", "rasio_kas", "15 < x <= 20", -240_000_000, na, 2.50, 81.00),
        # >= 10%: >= 604,131,750 (Jan-Sep): +318,256,750
        (7, "satu_komponen", "rentabilitas_aset", "x >= 10", 318_256_750, na, 2.25, 80.75),
        (8, "satu_komponen", "rasio_kas", "10 < x <= 15", -340_000_000, na, 7.50, 86.00),
        # the cheapest combination reaching 1.50 points: SHU bagian anggota (Jan-Sep) x 12/9 >= 5% of MS
        # 3,173,190,500: >= 118,994,643.75 -> +494,644 (25 -> 100, +0.75); PEA (Jan-Sep) x 12/9 >= 10% of
        # simpanan pokok + wajib 1,450,340,000: >= 108,775,500 -> +12,475,500 (75 -> 100, +0.75);
        # together Rp 12,970,144, less than ms_aset alone (48,845,501) or RA to 5% + RMS (16,190,875 + 494,644)
        (9, "kombinasi", "rentabilitas_modal_sendiri", "x >= 5", 494_644, na, 0.75, 80.00),
        (10, "kombinasi", "promosi_ekonomi_anggota", "x >= 10", 12_475_500, na, 0.75, 80.00),
        # moves that alone do not reach Sehat, most points first (each the one with the most points of its
        # component): beban usaha <= 40% of SHU kotor 667,985,000 = 267,194,000: -99,346,000; RPM to 0
        (11, "satu_komponen", "beban_usaha_shu_kotor", "x <= 40", -99_346_000, na, 1.00, 79.50),
        (12, "satu_komponen", "risiko_pinjaman_bermasalah", "x <= 0", -179_200_000, na, 1.00, 79.50),
        (13, "satu_komponen", "manajemen_umum", "12 dari 12 jawaban ya", na, 3, 0.75, 79.25),
        (14, "satu_komponen", "rentabilitas_modal_sendiri", "x >= 5", 494_644, na, 0.75, 79.25),
        (15, "satu_komponen", "promosi_ekonomi_anggota", "x >= 10", 12_475_500, na, 0.75, 79.25),
    ]
    combination = cukup[cukup["langkah"] == "kombinasi"]
    assert combination["mencapai_predikat_berikutnya"].all() and (combination["keterangan"] == NOTE_COMBINATION).all()


def test_a_downgrade_factor_stays_whatever_the_score(cukup):
    # pembukuan_bermasalah lowers the predicate one step: Cukup Sehat -> Dalam Pengawasan now; a move to Sehat
    # by score still ends Cukup Sehat
    factor = pd.DataFrame([_faktor(NIK_A, "pembukuan_bermasalah", "2025-06", None)])
    lowered = path(CUKUP, factors=factor)
    best = lowered[(lowered["komponen"] == "rasio_kas") & (lowered["rentang_target"] == "10 < x <= 15")].iloc[0]
    assert (best["predikat_skor_baru"], best["predikat_baru"]) == ("Sehat", "Cukup Sehat")
    assert best["keterangan"] == (NOTE_SINGLE + " Faktor pengurang pembukuan_bermasalah tetap berlaku: kenaikan "
                                  "skor tidak menghapusnya (predikat akhir Cukup Sehat).")
    assert lowered.drop(columns=["predikat_baru", "keterangan"]).equals(cukup.drop(columns=["predikat_baru",
                                                                                            "keterangan"]))


def test_a_sehat_cooperative_has_no_rows():
    assert path(KSP_A, questionnaires=QUESTIONNAIRES).empty  # 90.10


def test_the_cheapest_combination_toward_dalam_pengawasan():
    # KSP C (Dalam Pengawasan Khusus, 40.05) needs 10.95 points for Dalam Pengawasan (51); no single move reaches
    # it (rasio_kas gives the most: +7.50). The cheapest combination:
    #   rasio_kas: kas + bank 4,695,500 > 10% of kewajiban lancar 58,995,000: 5,899,501, +1,204,001 (25 -> 100, +7.50)
    #   RMS: SHU bagian anggota (Jan-Mar) x 12/3 >= 5% of MS 35,290,500: >= 441,131.25 -> +441,132 (+2.25)
    #   partisipasi bruto / pendapatan usaha >= 75%: the line is in both, so the denominator moves alone (pendapatan
    #   non anggota down): 3,860,000 / 5,146,666 >= 75%, -133,334 (50 -> 75 ... 75 -> 100: +1.75); the numerator
    #   would need +400,000 since the denominator grows with it
    #   7.50 + 2.25 + 1.75 = 11.50 -> 51.55, Rp 1,778,467 in all
    rows = path(KSP_C, questionnaires=QUESTIONNAIRES)
    assert set(rows["predikat_berikutnya"]) == {"Dalam Pengawasan"}
    combination = rows[rows["langkah"] == "kombinasi"]
    assert list(combination[["komponen", "pos", "perubahan_rupiah", "poin_tambahan"]].itertuples(
        index=False, name=None)) == [("rasio_kas", "kas_dan_bank", 1_204_001, 7.50),
                                     ("rentabilitas_modal_sendiri", "shu_bagian_anggota", 441_132, 2.25),
                                     ("partisipasi_bruto", "pendapatan_usaha", -133_334, 1.75)]
    assert set(combination["skor_total_baru"]) == {51.55}
    assert set(combination["predikat_skor_baru"]) == {"Dalam Pengawasan"}
    # it comes first: no single move reaches the next predicate
    assert combination["urutan"].tolist() == [1, 2, 3] and not rows["mencapai_predikat_berikutnya"].iloc[3:].any()


def test_when_no_combination_of_ratios_reaches_the_next_predicate():
    # only kas 5,000,000: every ratio has a denominator of 0 and takes its convention (rulebook.md §4):
    # MS/berisiko 6 + CAR 3 + RPM 5 + cadangan 5 + berisiko 5 + beban operasi 1 + beban usaha 1 + rasio_kas 2.50
    # + partisipasi 1.75 = 30.25, Dalam Pengawasan Khusus; no ratio can move. The questionnaire is missing (0 "ya"):
    # each component can gain its 3 points with every answer "ya", none alone the 20.75 points to 51.
    rows = path(report("6502000000000001", "2025-12", kas=5_000_000), questionnaires=None)
    first = rows.iloc[0]
    assert (first["urutan"], first["langkah"]) == (1, "kombinasi") and pd.isna(first["komponen"])
    assert pd.isna(first["poin_tambahan"]) and pd.isna(first["skor_total_baru"])
    assert list(rows.iloc[1:][["urutan", "langkah", "komponen", "tambahan_ya", "poin_tambahan"]].itertuples(
        index=False, name=None)) == [
        # 3 points each, fewer answers first (5, 5, 6, 10, 12), then the rulebook's order
        (2, "satu_komponen", "manajemen_permodalan", 5, 3.0), (3, "satu_komponen", "manajemen_likuiditas", 5, 3.0),
        (4, "satu_komponen", "kelembagaan", 6, 3.0), (5, "satu_komponen", "manajemen_aktiva", 10, 3.0),
        (6, "satu_komponen", "manajemen_umum", 12, 3.0)]
    assert rows["uraian"].iloc[0] == ("Tidak ada kombinasi perubahan rasio keuangan yang mencapai Dalam Pengawasan "
                                      "(jawaban kuesioner tidak dihitung dalam kombinasi).")
    assert rows["uraian"].iloc[1] == ("manajemen_permodalan: 5 jawaban ya lagi (5 dari 5 jawaban ya), nilai 0 menjadi "
                                      "100, +3,00 poin")
    assert not rows["mencapai_predikat_berikutnya"].any()
    validate_output("jalan_menuju_sehat", rows.assign(run_id=RUN))


def test_with_every_answer_ya_there_is_no_move_at_all_and_one_row_says_so():
    """The cooperative above with its 38 answers "ya": 30.25 + 5 x 3.00 = 45.25, Dalam Pengawasan Khusus, and no
    move of any component (this crashed the month: an index into the moves when there were none)."""
    rows = path(report("6502000000000001", "2025-12", kas=5_000_000),
                questionnaires=pd.DataFrame(_kuesioner("6502000000000001", "2025-06-30", _ya(12, 6, 5, 10, 5))))
    assert len(rows) == 1
    only = rows.iloc[0]
    assert (only["urutan"], only["langkah"], only["predikat_berikutnya"]) == (1, "kombinasi", "Dalam Pengawasan")
    assert pd.isna(only["komponen"]) and pd.isna(only["skor_total_baru"]) and not only["mencapai_predikat_berikutnya"]
    assert only["uraian"] == ("Tidak ada kombinasi perubahan rasio keuangan yang mencapai Dalam Pengawasan "
                              "(jawaban kuesioner tidak dihitung dalam kombinasi).")
    assert only["keterangan"] == NOTE_COMBINATION
    validate_output("jalan_menuju_sehat", rows.assign(run_id=RUN))


def test_the_rows_meet_their_contract(cukup):
    validate_output("jalan_menuju_sehat", cukup.assign(run_id=RUN))


def test_a_target_just_past_an_excluded_edge_is_never_shown_on_it(cukup):
    # ms_aset: 3,222,036,001 / 8,055,090,000 = 40.0000000124%, which two decimals show as 40,00: outside
    # 40 < x <= 60; the text says "lebih dari 40" (an inclusive edge met exactly keeps its number: 15,00)
    ms_aset = cukup[cukup["komponen"] == "ms_aset"].set_index("rentang_target").loc["40 < x <= 60"]
    assert ms_aset["rasio_target"] > 40
    assert "rasio 39,39% menjadi lebih dari 40% (40 < x <= 60)" in ms_aset["uraian"]
    kas = cukup[(cukup["komponen"] == "rasio_kas") & (cukup["rentang_target"] == "10 < x <= 15")].iloc[0]
    assert "rasio 32,00% menjadi 15,00% (10 < x <= 15)" in kas["uraian"]


def test_a_combination_of_one_move_shown_before_as_a_single_move_is_found():
    """Texts for people say a move once: the card and jelaskan listed it twice, the second time as a combination."""
    single, combination = "satu_komponen", "kombinasi"
    assert repeated_single([single, single, combination], ["a", "b", "b"]) == 2
    assert repeated_single([single, combination, single], ["a", "b", "b"]) is None  # after it: not shown before
    assert repeated_single([single, combination, combination], ["a", "a", "c"]) is None  # two moves together
    assert repeated_single([combination, single], ["a", "a"]) is None
    assert repeated_single([single], ["a"]) is None and repeated_single([], []) is None


def test_the_single_moves_kept_per_component_next_sehat_and_most_points():
    """`_singles` on hand-made moves of a cooperative two predicates below Sehat (the acceptance case's next
    predicate is Sehat, so there the first two kinds coincide). Per (cooperative, component): the cheapest move
    reaching the next predicate (a tie in Rupiah: the more points), the cheapest reaching Sehat, the one with the
    most points (the cheapest of those)."""
    moves = {  # positions 0-3 and 6: cooperative 0, component 0; 4: cooperative 1; 5: cooperative 0, component 1
        "coop": np.array([0, 0, 0, 0, 1, 0, 0]), "kk": np.array([0, 0, 0, 0, 0, 1, 0]),
        "gain": np.array([10, 20, 30, 30, 5, 10, 15]), "cost": np.array([1.0, 5.0, 9.0, 12.0, 3.0, 2.0, 1.0]),
        "next": np.array([True, True, True, True, False, True, True]),
        "best": np.array([False, True, True, True, False, False, False])}
    # 6 reaches the next predicate as cheaply as 0 with more points; 1 is the cheapest reaching Sehat; 2 the
    # cheaper of the two with the most points; 4 and 5 the only moves of their keys
    assert _singles(moves).tolist() == [1, 2, 4, 5, 6]
    # a move reaching Sehat not flagged as reaching the next predicate is still the cheapest reaching Sehat: the
    # pick does not rest on the flags agreeing (7 reaches Sehat, 8 has the most points; cooperative 2)
    flagged_apart = {name: np.r_[values, extra] for (name, values), extra in zip(moves.items(), (
        [2, 2], [0, 0], [5, 50], [1.0, 20.0], [False, False], [True, False]))}
    assert _singles(flagged_apart).tolist() == [1, 2, 4, 5, 6, 7, 8]
