"""peringatan_dini (scoring.early_warning) on hand-made published frames of a few months, reasons written out."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from schemas.outputs import validate_output
from scoring.early_warning import peringatan_dini, silent_code
from scoring.status import LAPORAN_DIKARANTINA, TANPA_LAPORAN

PERIODE = "2026-09"
SETTINGS = {"margin": 2.0, "falling_periods": 3, "silent_months": 3, "rat_months": 3}
CS, DP, DPK = "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus"


def skor(*rows: tuple) -> pd.DataFrame:
    """(nik, periode, skor_total, predikat_skor, predikat) rows of skor_koperasi, book ksp-2016."""
    return pd.DataFrame(rows, columns=["nik", "periode", "skor_total", "predikat_skor", "predikat"]).assign(
        rulebook="ksp-2016")


def status(*rows: tuple) -> pd.DataFrame:
    """(nik, periode, aktif, tanggal_rat_terakhir, melapor, bulan_tidak_melapor_berturut, alasan_tidak_dinilai)."""
    frame = pd.DataFrame(rows, columns=["nik", "periode", "aktif", "tanggal_rat_terakhir", "melapor",
                                        "bulan_tidak_melapor_berturut", "alasan_tidak_dinilai"])
    return frame.assign(nama="Koperasi " + frame["nik"], kabupaten_kota="Tarakan",
                        bulan_tidak_melapor_berturut=frame["bulan_tidak_melapor_berturut"].astype("Int32"))


NO_INDICATORS = pd.DataFrame({"nik": [], "periode": [], "komponen": [], "rasio": [], "nilai": []})
RAT = dt.date(2025, 3, 1)


def warnings(skor_frame: pd.DataFrame, status_frame: pd.DataFrame, indikator: pd.DataFrame = NO_INDICATORS,
             **settings) -> list[tuple[str, str, str]]:
    found = peringatan_dini(PERIODE, skor_frame, indikator, status_frame, **(SETTINGS | settings))
    validate_output("peringatan_dini", found.assign(run_id="r"))
    return list(found[["nik", "kode", "alasan"]].itertuples(index=False, name=None))


def test_falling_three_months_toward_the_66_edge():
    # A: 72.00 -> 70.50 -> 69.00 -> 67.20, three falls in a row; 67.20 is 1.20 above 66.00 (Cukup Sehat's lower
    # edge), within the 2-point margin
    rows = skor(("A", "2026-06", 72.0, CS, CS), ("A", "2026-07", 70.5, CS, CS), ("A", "2026-08", 69.0, CS, CS),
                ("A", "2026-09", 67.2, CS, CS))
    assert warnings(rows, status(("A", PERIODE, True, RAT, True, 0, None))) == [(
        "A", "mendekati_batas_bawah",
        "skor turun 3 periode berturut-turut (72,00 (2026-06) → 70,50 (2026-07) → 69,00 (2026-08) → 67,20 (2026-09)) "
        "dan tinggal 1,20 poin di atas batas 66,00 antara Cukup Sehat dan Dalam Pengawasan")]


def test_exactly_the_margin_above_the_edge_warns():
    # 68.00 is exactly 2.00 above 66.00: within the margin (at most 2 points)
    rows = skor(*(("A", m, t, CS, CS) for m, t in zip(["2026-06", "2026-07", "2026-08", "2026-09"],
                                                       (72.0, 70.5, 69.1, 68.0))))
    [(_, kode, alasan)] = warnings(rows, status(("A", PERIODE, True, RAT, True, 0, None)))
    assert kode == "mendekati_batas_bawah" and "tinggal 2,00 poin di atas batas 66,00" in alasan


@pytest.mark.parametrize("totals", [
    (72.0, 70.5, 69.0, 68.1),  # 2.10 above 66: outside the margin
    (69.0, 70.5, 69.0, 67.2),  # two falls only (June to July rose)
    (72.0, 70.5, 70.5, 67.2),  # equal months are no fall
    (72.0, None, 69.0, 67.2),  # July not scored: three falls cannot be seen
])
def test_no_edge_warning_without_three_falls_within_the_margin(totals):
    months = ["2026-06", "2026-07", "2026-08", "2026-09"]
    rows = skor(*(("A", m, t, CS, CS) for m, t in zip(months, totals) if t is not None))
    assert warnings(rows, status(("A", PERIODE, True, RAT, True, 0, None))) == []


def test_the_last_predicate_has_no_lower_edge():
    rows = skor(*(("A", f"2026-0{m}", t, DPK, DPK) for m, t in zip(range(6, 10), (50.0, 45.0, 40.0, 30.5))))
    assert warnings(rows, status(("A", PERIODE, True, RAT, True, 0, None))) == []


def test_predicate_fell_and_a_component_moved_to_a_worse_band():
    rows = skor(("B", "2026-08", 70.0, CS, CS), ("B", "2026-09", 60.0, DP, DP),
                # C: fell by score, but the predicate after downgrades did not change (a factor already applied)
                ("C", "2026-08", 70.0, CS, DP), ("C", "2026-09", 64.0, DP, DP))
    indikator = pd.DataFrame({
        "nik": ["B"] * 6, "periode": ["2026-08", "2026-09"] * 3,
        "komponen": ["rasio_kas", "rasio_kas", "ms_aset", "ms_aset", "manajemen_umum", "manajemen_umum"],
        # rasio_kas 12.50% (100) -> 32.00% (25); ms_aset 30% (50) -> no total aset (0); management 9 -> 9 "ya"
        "rasio": [12.5, 32.0, 30.0, None, 75.0, 75.0], "nilai": [100, 25, 50, 0, 75, 75]})
    found = warnings(rows, status(("B", PERIODE, True, RAT, True, 0, None), ("C", PERIODE, True, RAT, True, 0, None)),
                     indikator)
    assert found == [
        ("B", "komponen_turun_band", "nilai komponen turun sejak 2026-08: rasio_kas 12,50% menjadi "
         "32,00% (nilai 100 menjadi 25); ms_aset 30,00% menjadi tidak dapat dihitung (nilai 50 menjadi 0)"),
        ("B", "predikat_turun", "predikat turun dari Cukup Sehat (2026-08, skor 70,00) menjadi Dalam Pengawasan "
         "(skor 60,00)"),
    ]


def test_not_reporting_one_two_three_or_more_months_and_quarantine_twice():
    rows = status(("D1", PERIODE, True, RAT, False, 1, TANPA_LAPORAN),
                  ("D2", PERIODE, True, RAT, False, 2, TANPA_LAPORAN),
                  ("D5", PERIODE, True, RAT, False, 5, TANPA_LAPORAN),
                  ("N", PERIODE, True, RAT, False, None, TANPA_LAPORAN),  # never reported: owes nothing known
                  ("Q", PERIODE, True, RAT, False, 1, LAPORAN_DIKARANTINA),
                  ("Q", "2026-08", True, RAT, False, 0, LAPORAN_DIKARANTINA),
                  ("Q1", PERIODE, True, RAT, True, 0, None),  # quarantined last month only
                  ("Q1", "2026-08", True, RAT, False, 0, LAPORAN_DIKARANTINA))
    assert warnings(skor(), rows) == [
        ("D1", "tidak_melapor_1_bulan", "tidak ada laporan diterima dalam 1 bulan terakhir (laporan terakhir: 2026-08)"),
        ("D2", "tidak_melapor_2_bulan", "tidak ada laporan diterima dalam 2 bulan terakhir (laporan terakhir: 2026-07)"),
        ("D5", "tidak_melapor_3_bulan_atau_lebih",
         "tidak ada laporan diterima dalam 5 bulan terakhir (laporan terakhir: 2026-04)"),
        ("Q", "karantina_dua_periode", "laporan dikarantina dua periode berturut-turut (2026-08 dan 2026-09): lihat "
         "tabel karantina"),
        ("Q", "tidak_melapor_1_bulan", "tidak ada laporan diterima dalam 1 bulan terakhir (laporan terakhir: 2026-08)"),
    ]
    assert silent_code(pd.Series([1, 3, 7]), 4).tolist() == [
        "tidak_melapor_1_bulan", "tidak_melapor_3_bulan", "tidak_melapor_4_bulan_atau_lebih"]


def test_rat_overdue_within_three_months():
    # aktif: a RAT within 3 years before the period's end. Ends: 2026-09-30, 10-31, 11-30, 12-31; three years
    # before: 2023-09-30, 10-31, 11-30, 12-31.
    rows = status(("R1", PERIODE, True, dt.date(2023, 11, 15), True, 0, None),  # not aktif at the end of 2026-11
                  ("R2", PERIODE, True, dt.date(2023, 10, 1), True, 0, None),   # ... of 2026-10
                  ("R3", PERIODE, True, dt.date(2024, 1, 1), True, 0, None),    # 2027-01: beyond 3 months
                  ("R4", PERIODE, False, dt.date(2023, 6, 1), True, 0, None),   # already tidak aktif
                  ("R5", PERIODE, False, None, True, 0, None))                  # no RAT known
    assert warnings(skor(), rows) == [
        ("R1", "segera_tidak_aktif", "RAT terakhir 2023-11-15: tanpa RAT baru koperasi menjadi tidak aktif pada "
         "periode 2026-11 (tidak ada RAT dalam 3 tahun)"),
        ("R2", "segera_tidak_aktif", "RAT terakhir 2023-10-01: tanpa RAT baru koperasi menjadi tidak aktif pada "
         "periode 2026-10 (tidak ada RAT dalam 3 tahun)"),
    ]
    # R3: at the end of 2026-12 (three years after 2023-12-31) a RAT of 2024-01-01 still counts; at the end of
    # 2027-01 (three years after 2024-01-31) it does not: four months ahead, warned with a horizon of 4
    assert warnings(skor(), rows, rat_months=4)[2] == (
        "R3", "segera_tidak_aktif", "RAT terakhir 2024-01-01: tanpa RAT baru koperasi menjadi tidak aktif pada "
        "periode 2027-01 (tidak ada RAT dalam 3 tahun)")
    # the dates as a published table is read (Arrow date32, cast in Arrow): the same warnings
    published = rows.assign(tanggal_rat_terakhir=rows["tanggal_rat_terakhir"].astype(pd.ArrowDtype(pa.date32())))
    assert warnings(skor(), published, rat_months=4) == warnings(skor(), rows, rat_months=4)


def test_a_quiet_healthy_month_warns_of_nothing():
    rows = skor(("A", "2026-08", 85.0, "Sehat", "Sehat"), ("A", "2026-09", 84.0, "Sehat", "Sehat"))
    assert warnings(rows, status(("A", PERIODE, True, RAT, True, 0, None))) == []


def test_a_component_pairs_with_last_month_by_the_text_of_its_keys():
    """The months' components are paired by integer codes of their text (`scoring.inputs.text_codes`): a nik held
    as the number 7 in one month's rows and as the text "7" in the other's is one cooperative, as when the two were
    paired as text (a hostile review of the integer keys)."""
    from scoring.inputs import text_codes

    rows = skor(("7", "2026-08", 70.0, CS, CS), ("7", "2026-09", 69.0, CS, CS))
    indikator = pd.DataFrame({"nik": pd.Series([7, "7"], dtype=object), "periode": ["2026-08", "2026-09"],
                              "komponen": ["rasio_kas", "rasio_kas"], "rasio": [12.5, 32.0], "nilai": [100, 25]})
    assert warnings(rows, status(("7", PERIODE, True, RAT, True, 0, None)), indikator) == [
        ("7", "komponen_turun_band", "nilai komponen turun sejak 2026-08: rasio_kas 12,50% menjadi 32,00% (nilai 100 "
         "menjadi 25)")]
    assert text_codes(pd.Series([1, "1", None, "a", float("nan"), "a"], dtype=object)).tolist() == [0, 0, 1, 2, 1, 2]
    assert text_codes(pd.Series(["x", "y", "x"], dtype="category")).tolist() == [0, 1, 0]
    assert text_codes(pd.Series(["7", 7, "8", "7"], dtype=object),  # pairs: ("7", a), ("7", b), ("8", a), ("7", a)
                      pd.Series(["a", "b", "a", "a"], dtype="category")).tolist() == [0, 1, 2, 0]
