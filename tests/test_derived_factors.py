"""The two downgrade factors the pipeline derives (rulebook.md §7), and their effect on the predicate."""

from __future__ import annotations

import pandas as pd

from builders import frame, sehat
from scoring import load_rulebook, score_reports
from scoring.derived_factors import derived_factors

BOOK = load_rulebook("ksp-2016")


def test_three_missed_months_and_unaudited_volume_over_2_5_billion():
    reports = pd.DataFrame({"nik": ["a", "b", "c", "d", "e"], "periode": "2026-10",
                            "volume_pinjaman": [2_500_000_001, 100, 2_500_000_000, 9_000_000_000, 100],
                            "diaudit": [False, False, False, True, False]})
    last = pd.Series({"b": "2026-06", "c": "2026-07", "d": "2026-09"})  # e: no earlier report known
    found = derived_factors(reports, last, BOOK)
    assert found[["nik", "kode", "berlaku_mulai", "berlaku_sampai"]].values.tolist() == [
        ["b", "tidak_melapor_3_kali", "2026-10", "2026-10"],  # July, August, September missed
        ["a", "volume_pinjaman_tidak_diaudit", "2026-10", "2026-10"]]  # c: exactly 2.5 billion is not over
    assert found["keterangan"].tolist() == [
        "tidak melapor 3 bulan berturut-turut sebelum laporan ini (laporan sebelumnya: 2026-06)",
        "volume pinjaman Rp 2.500.000.001 tanpa audit akuntan publik"]


def test_derived_factors_lower_the_predicate_one_step():
    row = sehat("a", "2026-10", volume_pinjaman=3_000_000_000, volume_pinjaman_anggota=2_700_000_000)
    reports = frame({**row, "diaudit": False})
    factors = derived_factors(reports, pd.Series(dtype="str"), BOOK)
    k = score_reports(reports, factors=factors).koperasi.iloc[0]
    assert (k["predikat_skor"], k["predikat"]) == ("Sehat", "Cukup Sehat")
    assert list(k["faktor_pengurang"]) == ["volume_pinjaman_tidak_diaudit"]


def test_ksp_2009_derives_nothing():
    reports = pd.DataFrame({"nik": ["a"], "periode": "2015-10", "volume_pinjaman": [9_000_000_000],
                            "diaudit": [False]})
    assert derived_factors(reports, pd.Series({"a": "2015-01"}), load_rulebook("ksp-2009")).empty
