"""The [P] conventions of rulebook.md: zero denominators, annualisation, questionnaires, downgrades, predicates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from builders import JUTA, factor, frame, nilai, questionnaire, report, sehat
from scoring import ScoringInputError, score_reports
from scoring.columns import RUPIAH_MAKS
from scoring.rulebook import rulebooks

NIK = "6502000000000001"

# rulebook.md §4, for a report with every line 0: (nilai, catatan fires)
ZERO_ROW = {
    "ms_aset": 0, "ms_pinjaman_berisiko": 100, "kecukupan_modal": 100, "volume_pinjaman_anggota": 0,
    "risiko_pinjaman_bermasalah": 100, "cadangan_risiko": 100, "pinjaman_berisiko": 100,
    "beban_operasi_anggota": 25, "beban_usaha_shu_kotor": 25, "efisiensi_pelayanan": 0, "rasio_kas": 25,
    "pinjaman_dana_diterima": 0, "rentabilitas_aset": 0, "rentabilitas_modal_sendiri": 0,
    "kemandirian_operasional": 0, "partisipasi_bruto": 25, "promosi_ekonomi_anggota": 0,
}


def test_every_zero_denominator_convention_fires_with_a_note():
    result = score_reports(frame(report(NIK)))
    for komponen, want in ZERO_ROW.items():
        row = nilai(result, NIK, komponen)
        assert row["nilai"] == want, komponen
        assert math.isnan(row["rasio"]), komponen
        assert isinstance(row["catatan"], str) and row["catatan"], komponen
    # 6 + 3 + 5 + 5 + 5 (KAP and permodalan conventions) + 1 + 1 + 0 + 2.5 + 1.75 = 30.25
    koperasi = result.koperasi.iloc[0]
    assert koperasi["skor_total"] == 30.25
    assert koperasi["predikat_skor"] == "Dalam Pengawasan Khusus"
    assert koperasi["skor_permodalan"] == 9.0
    assert koperasi["skor_kualitas_aktiva_produktif"] == 15.0
    assert koperasi["skor_efisiensi"] == 2.0  # 1 + 1 + 0: efisiensi_pelayanan's worst band
    assert koperasi["skor_likuiditas"] == 2.5
    assert koperasi["skor_jatidiri"] == 1.75


def test_kemandirian_operasional_without_costs_depends_on_net_participation():
    result = score_reports(frame(report("a", partisipasi_bruto=500), report("b", partisipasi_bruto=500,
                                                                            beban_pokok=500)))
    assert nilai(result, "a", "kemandirian_operasional")["nilai"] == 100
    assert nilai(result, "b", "kemandirian_operasional")["nilai"] == 0


def test_a_negative_denominator_is_a_convention_not_a_ratio():
    # modal sendiri -100 (accumulated loss) and SHU kotor -50 (a loss)
    result = score_reports(frame(report(NIK, shu_belum_dibagi=-100, shu_bagian_anggota=10, beban_pokok=150,
                                        partisipasi_bruto=100, beban_usaha=10)))
    assert nilai(result, NIK, "rentabilitas_modal_sendiri")["nilai"] == 0
    assert nilai(result, NIK, "beban_usaha_shu_kotor")["nilai"] == 25
    assert math.isnan(nilai(result, NIK, "beban_usaha_shu_kotor")["rasio"])


def test_healthy_cooperative_scored_by_hand():
    # SEHAT in builders: permodalan 6+6+3, KAP 10+5+5+5, manajemen 15 (all "ya"), efisiensi 4+4+2,
    # likuiditas 10 + 5 (pinjaman/dana diterima 900/1025 = 87.80% -> x >= 80: 100), kemandirian 3+3+4, jatidiri 7+3
    result = score_reports(frame(sehat(NIK)), questionnaires=questionnaire(NIK, "2025-02-10", 12))
    k = result.koperasi.iloc[0]
    assert [k[f"skor_{a}"] for a in ("permodalan", "kualitas_aktiva_produktif", "manajemen", "efisiensi",
                                      "likuiditas", "kemandirian_pertumbuhan", "jatidiri")] == [
        15, 25, 15, 10, 15, 10, 10]
    assert k["skor_total"] == 100.0
    assert (k["predikat_skor"], k["predikat"]) == ("Sehat", "Sehat")
    assert k["predikat_likuiditas"] == "Sehat"  # 15 / 15 = 100%
    row = nilai(result, NIK, "pinjaman_dana_diterima")
    assert row["pembilang"] == 900 * JUTA and row["penyebut"] == 1025 * JUTA
    assert row["rasio"] == pytest.approx(87.8049, abs=1e-4)
    assert (row["nilai"], row["skor"]) == (100, 5.0)
    assert row["sumber"] == ("Permen KUKM 14/2009, Tabel 18 (printed to 90; x >= 90 scores 100 as in independent "
                             "implementations)")
    assert k["versi_rulebook"] == "2026-11-30"
    kecukupan = nilai(result, NIK, "kecukupan_modal")  # MST 775 / ATMR 963
    assert (kecukupan["pembilang"], kecukupan["penyebut"]) == (775 * JUTA, 963 * JUTA)
    assert len(result.indikator) == 22


def test_annualisation_march_against_december():
    # the same year-to-date SHU bagian anggota, 10 on a modal sendiri of 1,000
    march = report("m", "2025-03", simpanan_pokok=1000, shu_bagian_anggota=10, promosi_ekonomi_anggota=20)
    december = report("d", "2025-12", simpanan_pokok=1000, shu_bagian_anggota=10, promosi_ekonomi_anggota=20)
    result = score_reports(frame(march, december))
    m, d = nilai(result, "m", "rentabilitas_modal_sendiri"), nilai(result, "d", "rentabilitas_modal_sendiri")
    assert (m["pembilang"], m["rasio"], m["nilai"]) == (40, 4.0, 75)  # 10 x 12/3 = 40 -> 4% -> 75
    assert (d["pembilang"], d["rasio"], d["nilai"]) == (10, 1.0, 25)
    assert "12/3" in m["catatan"] and pd.isna(d["catatan"])
    pea_m, pea_d = nilai(result, "m", "promosi_ekonomi_anggota"), nilai(result, "d", "promosi_ekonomi_anggota")
    assert (pea_m["rasio"], pea_m["nilai"], pea_d["rasio"], pea_d["nilai"]) == (8.0, 75, 2.0, 0)  # x < 5 -> 0
    # flow over flow is not annualised
    assert nilai(result, "m", "efisiensi_pelayanan")["catatan"] != nilai(result, "m", "rentabilitas_aset")["catatan"]


def test_questionnaire_as_of_the_period():
    answers = pd.concat([questionnaire(NIK, "2025-02-10", 12), questionnaire(NIK, "2026-02-10", 0),
                         questionnaire(NIK, "2026-03-31", 3)])
    rows = frame(*(report(NIK, p) for p in ("2025-01", "2025-02", "2026-01", "2026-02", "2026-03")))
    result = score_reports(rows, questionnaires=answers)
    by_period = result.koperasi.set_index("periode")["skor_manajemen"]
    # none before 2025-02-10; 2025 set all "ya"; 2026-02-10 set all "tidak"; dated on the period's last day counts
    assert by_period.to_dict() == {"2025-01": 0.0, "2025-02": 15.0, "2026-01": 15.0, "2026-02": 0.0,
                                   "2026-03": 6.75}
    missing = nilai(result, NIK, "manajemen_umum", "2025-01")
    assert missing["nilai"] == 0 and "kuesioner" in missing["catatan"]
    umum = nilai(result, NIK, "manajemen_umum", "2026-03")
    assert (umum["pembilang"], umum["penyebut"], umum["rasio"], umum["skor"]) == (3, 12, 25.0, 0.75)


def test_questionnaire_answers_count_as_ya_in_any_case_or_as_true():
    answers = questionnaire(NIK, "2025-02-10", 12)
    umum = (answers["komponen"] == "manajemen_umum").to_numpy()
    # ya: YA, Ya, true, TRUE, ya (5 of 12); a space, another word or an empty answer is not
    answers.loc[umum, "jawaban"] = ["YA", "Ya", "true", "TRUE", "ya ", "tidak", None, "Tidak", "ya", "no", "1", "yes"]
    row = nilai(score_reports(frame(report(NIK)), questionnaires=answers), NIK, "manajemen_umum")
    assert (row["pembilang"], row["penyebut"], row["skor"]) == (5, 12, 1.25)  # 5 x bobot 3 / 12
    as_bool = questionnaire(NIK, "2025-02-10", 7).assign(jawaban=lambda q: q["jawaban"] == "ya")
    row = nilai(score_reports(frame(report(NIK)), questionnaires=as_bool), NIK, "manajemen_umum")
    assert (row["pembilang"], row["skor"]) == (7, 1.75)


def test_questionnaire_without_a_nik_is_refused():
    answers = questionnaire(NIK, "2025-02-10", 12)
    answers.loc[[0, 5], "nik"] = None
    with pytest.raises(ScoringInputError, match="questionnaires have an empty nik in 2 row"):
        score_reports(frame(report(NIK)), questionnaires=answers)


def test_questionnaire_with_a_missing_answer_is_refused():
    answers = questionnaire(NIK, "2025-02-10", 12).iloc[1:]
    with pytest.raises(ScoringInputError, match="manajemen_umum: 11 answers, expected 12"):
        score_reports(frame(report(NIK)), questionnaires=answers)


@pytest.mark.parametrize("codes, want", [
    ([], "Sehat"),
    (["pembukuan_bermasalah"], "Cukup Sehat"),
    (["pembukuan_bermasalah", "pelanggaran_ketentuan"], "Cukup Sehat"),  # one step, however many
    (["rekayasa_pembukuan"], "Dalam Pengawasan Khusus"),
    (["pembukuan_bermasalah", "perselisihan_intern"], "Dalam Pengawasan Khusus"),
])
def test_downgrade_factors(codes, want):
    factors = pd.DataFrame([factor(NIK, c, "2025-06") for c in codes],
                           columns=["nik", "kode", "berlaku_mulai", "berlaku_sampai", "keterangan"])
    result = score_reports(frame(sehat(NIK)), factors=factors)  # 85.00 without questionnaire
    k = result.koperasi.iloc[0]
    assert (k["skor_total"], k["predikat_skor"], k["predikat"]) == (85.0, "Sehat", want)
    assert list(k["faktor_pengurang"]) == sorted(codes)


def test_downgrade_never_goes_below_the_last_predicate_and_respects_validity():
    factors = pd.DataFrame([factor("z", "pembukuan_bermasalah", "2025-01"),
                            factor(NIK, "pembukuan_bermasalah", "2025-01", "2025-11"),
                            factor("x", "pinjaman_tidak_sesuai_prosedur", "2025-12", "2025-12")])
    result = score_reports(frame(report("z"), sehat(NIK), sehat("x")), factors=factors)
    k = result.koperasi.set_index("nik")
    assert k.loc["z", "predikat"] == "Dalam Pengawasan Khusus"  # 30.25, already last
    assert k.loc[NIK, "predikat"] == "Sehat" and list(k.loc[NIK, "faktor_pengurang"]) == []  # ended 2025-11
    assert k.loc["x", "predikat"] == "Cukup Sehat"  # berlaku_sampai is inclusive


def test_ksp_2009_has_no_downgrades_and_five_predicates():
    factors = pd.DataFrame([factor(NIK, "rekayasa_pembukuan", "2015-01")])
    result = score_reports(frame(report(NIK, "2015-12")), factors=factors)
    k = result.koperasi.iloc[0]
    assert (k["rulebook"], k["skor_total"], k["predikat"]) == ("ksp-2009", 30.25, "Tidak Sehat")
    assert list(k["faktor_pengurang"]) == []


def test_unknown_factor_code_is_refused():
    with pytest.raises(ScoringInputError, match="unknown faktor_pengurang code"):
        score_reports(frame(sehat(NIK)), factors=pd.DataFrame([factor(NIK, "pembukuan_salah", "2025-01")]))


@pytest.mark.parametrize("periode, book", [("2016-03", "ksp-2009"), ("2016-04", "ksp-2016"),
                                           ("2009-12", "ksp-2009"), ("2026-10", "ksp-2016")])
def test_rulebook_chosen_by_period(periode, book):
    assert score_reports(frame(report(NIK, periode))).koperasi.loc[0, "rulebook"] == book


def test_forced_rulebook_and_mixed_periods_keep_input_order():
    rows = frame(report("a", "2016-04"), report("b", "2016-03"), report("c", "2016-05"))
    result = score_reports(rows)
    assert result.koperasi[["nik", "rulebook"]].values.tolist() == [["a", "ksp-2016"], ["b", "ksp-2009"],
                                                                     ["c", "ksp-2016"]]
    assert len(result.indikator) == 66
    forced = score_reports(rows, rulebook="ksp-2009")
    assert set(forced.koperasi["rulebook"]) == {"ksp-2009"}


def test_sharia_and_non_savings_cooperatives_are_never_scored():
    rows = frame(report("a", jenis="ksp"), report("b", jenis="kspps"), report("c", jenis="konsumen"),
                 report("d", jenis="usp"))
    result = score_reports(rows)
    assert result.koperasi["nik"].tolist() == ["a", "d"]
    reasons = result.tidak_dinilai.set_index("nik")["alasan"]
    assert reasons.index.tolist() == ["b", "c"]
    assert "syariah" in reasons["b"] and "07/Per/Dep.6/IV/2016" in reasons["b"]
    assert "bukan koperasi simpan pinjam" in reasons["c"]


def test_money_is_exact_on_hundreds_of_billions():
    # half of an odd modal penyertaan: MS = 300,000,000,001 + 0.5
    row = report(NIK, simpanan_pokok=300_000_000_001, modal_penyertaan=1, total_aset=900_000_000_000)
    result = score_reports(frame(row))
    ms = nilai(result, NIK, "ms_aset")
    assert ms["pembilang"] == 300_000_000_001.5
    assert ms["nilai"] == 50  # 33.33% -> 20 < x <= 40


def test_registry_columns_are_carried_through():
    row = report(NIK, nama="KSP Maju", jenis="ksp", kode_wilayah="65.02", kabupaten_kota="Bulungan")
    k = score_reports(frame(row)).koperasi.iloc[0]
    assert (k["nama"], k["jenis"], k["kode_wilayah"], k["kabupaten_kota"]) == ("KSP Maju", "ksp", "65.02",
                                                                               "Bulungan")


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="kas"), "kas"),
    (lambda f: f.assign(periode="10/2026"), "not YYYY-MM"),
    (lambda f: f.assign(kas=None), "kas has an empty value"),
    (lambda f: f.assign(kas=0.5), "fractions of a Rupiah"),
    (lambda f: f.assign(kas="1000"), "kas is not numeric"),
    (lambda f: f.assign(nik=[None]), "reports have an empty nik in 1 row"),
    # an empty periode was the row in tidak_dinilai without a reason; an empty jenis an IndexError (review)
    (lambda f: pd.concat([f, f.assign(periode=None)], ignore_index=True), "reports have an empty periode in 1 row"),
    (lambda f: pd.concat([f.assign(jenis="ksp"), f.assign(jenis=None)], ignore_index=True),
     "reports have an empty jenis in 1 row"),
    (lambda f: pd.concat([f.assign(jenis="ksp"), f.assign(jenis=" "), f.assign(jenis="")], ignore_index=True),
     "reports have an empty jenis in 2 row"),  # blank: unscored, its reason 'jenis  tidak dinilai' (hostile trial)
    # beyond RUPIAH_MAKS (beyond int64 too): refused, not wrapped to a negative amount, whatever the column type
    (lambda f: f.assign(kas=RUPIAH_MAKS + 1), "kas holds an amount beyond 999,999,999,999,999 Rupiah either way"),
    (lambda f: f.assign(shu_belum_dibagi=-RUPIAH_MAKS - 1), "shu_belum_dibagi holds an amount beyond"),
    (lambda f: f.assign(kas=10**17), "kas holds an amount beyond"),  # wrapped to -8.4e16 in pembilang before
    (lambda f: f.assign(kas=np.array([2**63], dtype=np.uint64)), "kas holds an amount beyond"),
    (lambda f: f.assign(kas=pd.array([2**63], dtype="UInt64")), "kas holds an amount beyond"),
    (lambda f: f.assign(kas=1e19), "kas holds an amount beyond"),
])
def test_bad_input_is_a_clear_error(change, message):
    with pytest.raises(ScoringInputError, match=message):
        score_reports(change(frame(report(NIK))))


def test_the_largest_amount_is_scored_exactly():
    row = frame(sehat(NIK)).assign(kas=RUPIAH_MAKS)
    kas = nilai(score_reports(row), NIK, "rasio_kas")  # kas + bank, exact as a double below 2^53
    assert kas["pembilang"] == RUPIAH_MAKS + row.loc[0, "bank"] == 1_000_000_039_999_999


def test_no_quantity_of_a_shipped_book_can_overflow_at_the_largest_amount():
    # a quantity is a sum of lines x whole-percent coefficients in 1/100 Rupiah; a growth subtracts two of them
    for book in rulebooks().values():
        for k in book.komponen:
            for name in filter(None, (k.pembilang, k.penyebut)):
                reach = sum(abs(c) for c in book.lines(name).values()) * RUPIAH_MAKS * 2
                assert reach < 2**63, (book.id, k.id, name)


def test_money_of_any_integer_type_in_int64_range_scores_as_int64():
    want = score_reports(frame(sehat(NIK))).koperasi["skor_total"].tolist()
    for kind in ("uint64", "UInt64", "int32", "float64"):
        assert score_reports(frame(sehat(NIK)).astype({"kas": kind})).koperasi["skor_total"].tolist() == want, kind


def test_no_two_frames_of_a_result_share_memory():
    # the wide aspect scores are copies of the long table's: changing one frame never changes another
    result = score_reports(frame(sehat(NIK), report("6502000000000002")))
    long = result.aspek["skor"].to_numpy()
    for column in (c for c in result.koperasi.columns if c.startswith("skor_")):
        assert not np.shares_memory(result.koperasi[column].to_numpy(), long), column


def test_mode_must_be_known():
    with pytest.raises(ScoringInputError, match="mode"):
        score_reports(frame(report(NIK)), mode="steps")


def test_no_reports_give_empty_frames_with_every_column():
    result = score_reports(frame(report(NIK)).iloc[:0])
    assert len(result.koperasi) == 0 and "skor_total" in result.koperasi.columns
    assert list(result.indikator.columns)[:4] == ["nik", "periode", "aspek", "komponen"]
