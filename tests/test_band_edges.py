"""Every band edge of every table of rulebook.md §3: just below, at and just above, in both modes.

Expectations are written by hand from rulebook.md; the engine reads its tables from the TOML books.
A ratio x (percent) is produced exactly as numerator = x * 10,000 Rupiah over a denominator of Rp 1,000,000.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from builders import nilai, report
from scoring import load_rulebook, score_reports
from scoring.rulebook import published_books

D = 1_000_000
# komponen -> (numerator line, denominator line) such that the ratio is exactly line / line
# (all other lines 0, period December: no annualisation).
LINES = {
    "ms_aset": ("shu_belum_dibagi", "total_aset"),
    "ms_pinjaman_berisiko": ("shu_belum_dibagi", "pinjaman_berisiko"),
    "kecukupan_modal": ("simpanan_pokok", "pinjaman_anggota"),
    "volume_pinjaman_anggota": ("volume_pinjaman_anggota", "volume_pinjaman"),
    "risiko_pinjaman_bermasalah": ("pinjaman_macet", "pinjaman_anggota"),
    "cadangan_risiko": ("cadangan_tujuan_risiko", "pinjaman_macet"),
    "pinjaman_berisiko": ("pinjaman_berisiko", "pinjaman_anggota"),
    "beban_operasi_anggota": ("beban_usaha", "partisipasi_bruto"),
    "beban_usaha_shu_kotor": ("beban_usaha", "partisipasi_bruto"),
    "efisiensi_pelayanan": ("biaya_karyawan", "volume_pinjaman"),
    "rasio_kas": ("kas", "kewajiban_lancar"),
    "pinjaman_dana_diterima": ("pinjaman_anggota", "simpanan_sukarela"),
    "rentabilitas_aset": ("pendapatan_lain", "total_aset"),
    "rentabilitas_modal_sendiri": ("shu_bagian_anggota", "simpanan_pokok"),
    "kemandirian_operasional": ("partisipasi_bruto", "beban_perkoperasian"),
    "partisipasi_bruto": ("partisipasi_bruto", None),  # denominator partisipasi_bruto + pendapatan_non_anggota
    "promosi_ekonomi_anggota": ("promosi_ekonomi_anggota", "simpanan_pokok"),
}

B, A = -0.0001, 0.0001  # just below, just above
TABLE = {
    "ms_aset": [(B, 0), (0, 25), (A, 25), (20 + B, 25), (20, 25), (20 + A, 50), (40 + B, 50), (40, 50),
                (40 + A, 100), (60 + B, 100), (60, 100), (60 + A, 50), (80 + B, 50), (80, 50), (80 + A, 25),
                (150, 25)],
    "ms_pinjaman_berisiko": [(-5, 0), (5, 0), (10 + B, 0), (10, 0), (10 + A, 10), (20, 10), (20 + A, 20),
                             (30, 20), (30 + A, 30), (40, 30), (40 + A, 40), (50, 40), (50 + A, 50), (60, 50),
                             (60 + A, 60), (70, 60), (70 + A, 70), (80, 70), (80 + A, 80), (90 + B, 80),
                             (90, 80), (90 + A, 90), (100 + B, 90), (100, 100), (100 + A, 100), (250, 100)],
    "kecukupan_modal": [(4 + B, 0), (4, 0), (4 + A, 50), (6 + B, 50), (6, 50), (6 + A, 75), (8 + B, 75),
                        (8, 75), (8 + A, 100)],
    "volume_pinjaman_anggota": [(25 + B, 0), (25, 0), (25 + A, 50), (50 + B, 50), (50, 50), (50 + A, 75),
                                (75 + B, 75), (75, 75), (75 + A, 100), (100, 100)],
    "risiko_pinjaman_bermasalah": [(0, 100), (A, 80), (10 + B, 80), (10, 80), (10 + A, 60), (20, 60),
                                   (20 + A, 40), (30, 40), (30 + A, 20), (40 + B, 20), (40, 20), (40 + A, 10),
                                   (45 + B, 10), (45, 0), (45 + A, 0), (100, 0)],
    "cadangan_risiko": [(0, 0), (A, 10), (10 + B, 10), (10, 10), (10 + A, 20), (20, 20), (20 + A, 30), (30, 30),
                        (30 + A, 40), (40, 40), (40 + A, 50), (50, 50), (50 + A, 60), (60, 60), (60 + A, 70),
                        (70, 70), (70 + A, 80), (80, 80), (80 + A, 90), (90 + B, 90), (90, 90), (90 + A, 100),
                        (100, 100), (100 + A, 100), (300, 100)],
    "pinjaman_berisiko": [(0, 100), (21 + B, 100), (21, 100), (21 + A, 75), (26 + B, 75), (26, 75),
                          (26 + A, 50), (30 + B, 50), (30, 50), (30 + A, 25)],
    "beban_operasi_anggota": [(90 + B, 100), (90, 75), (90 + A, 75), (95 + B, 75), (95, 50), (95 + A, 50),
                              (100 + B, 50), (100, 25), (100 + A, 25)],
    "beban_usaha_shu_kotor": [(40 + B, 100), (40, 100), (40 + A, 75), (60 + B, 75), (60, 75), (60 + A, 50),
                              (80 + B, 50), (80, 50), (80 + A, 25)],
    # x >= 15 scores 0 (rulebook.md §3, revised 2026-11-30; was 25)
    "efisiensi_pelayanan": [(5 + B, 100), (5, 75), (5 + A, 75), (10 + B, 75), (10, 50), (10 + A, 50),
                            (14.99, 50), (15 + B, 50), (15, 0), (15 + A, 0), (40, 0)],
    "rasio_kas": [(10 + B, 25), (10, 25), (10 + A, 100), (15 + B, 100), (15, 100), (15 + A, 50), (20 + B, 50),
                  (20, 50), (20 + A, 25)],
    # cut-offs 60 / 70 / 80 (Permen 14/2009 Tabel 18; revised 2026-11-30, were 50 / 75 / 100)
    "pinjaman_dana_diterima": [(30, 25), (59.99, 25), (60 + B, 25), (60, 50), (60 + A, 50), (69.99, 50), (70, 75),
                               (79.99, 75), (80, 100), (95, 100), (130, 100)],
    "rentabilitas_aset": [(5 + B, 25), (5, 50), (5 + A, 50), (7.5 + B, 50), (7.5, 75), (7.5 + A, 75),
                          (10 + B, 75), (10, 100), (10 + A, 100)],
    "rentabilitas_modal_sendiri": [(3 + B, 25), (3, 50), (3 + A, 50), (4 + B, 50), (4, 75), (4 + A, 75),
                                   (5 + B, 75), (5, 100), (5 + A, 100)],
    "kemandirian_operasional": [(100 + B, 0), (100, 0), (100 + A, 100)],
    "partisipasi_bruto": [(25 + B, 25), (25, 50), (25 + A, 50), (50 + B, 50), (50, 75), (50 + A, 75),
                          (75 + B, 75), (75, 100), (75 + A, 100), (100, 100)],
    # x < 5 scores 0 (Permen 14/2009 Tabel 23 and its rule text; revised 2026-11-30, was 25)
    "promosi_ekonomi_anggota": [(0, 0), (4.99, 0), (5 + B, 0), (5, 50), (5 + A, 50), (7.5 + B, 50), (7.5, 75),
                                (7.5 + A, 75),
                                (10 + B, 75), (10, 100), (10 + A, 100)],
}
# The linear readings (rulebook.md §3) of the three components that have one.
LINEAR = {
    "ms_pinjaman_berisiko": [(-5, 0), (0, 0), (37.5, 37.5), (99.9999, 99.9999), (100, 100), (250, 100)],
    "risiko_pinjaman_bermasalah": [(0, 100), (4.19, 91.62), (20, 60), (44.9999, 10.0002), (45, 0), (60, 0)],
    "cadangan_risiko": [(0, 0), (24.94, 24.94), (46.94, 46.94), (100, 100), (120, 100)],
}
BOBOT = {"ms_aset": 6, "ms_pinjaman_berisiko": 6, "kecukupan_modal": 3, "volume_pinjaman_anggota": 10,
         "risiko_pinjaman_bermasalah": 5, "cadangan_risiko": 5, "pinjaman_berisiko": 5,
         "beban_operasi_anggota": 4, "beban_usaha_shu_kotor": 4, "efisiensi_pelayanan": 2, "rasio_kas": 10,
         "pinjaman_dana_diterima": 5, "rentabilitas_aset": 3, "rentabilitas_modal_sendiri": 3,
         "kemandirian_operasional": 4, "partisipasi_bruto": 7, "promosi_ekonomi_anggota": 3}


def ratio_row(nik: str, komponen: str, x: float) -> dict:
    numerator, denominator = LINES[komponen]
    amount = round(x * D / 100)
    if denominator is None:
        return report(nik, partisipasi_bruto=amount, pendapatan_non_anggota=D - amount)
    lines = {denominator: D, numerator: amount}
    if numerator == denominator:
        raise AssertionError(komponen)
    return report(nik, **lines)


def score_cases(cases: dict[str, list[tuple[float, float]]], mode: str) -> list[tuple[str, float, float, pd.Series]]:
    rows, expected = [], []
    for komponen, points in cases.items():
        for x, want in points:
            nik = f"{komponen}|{x}"
            rows.append(ratio_row(nik, komponen, x))
            expected.append((nik, komponen, x, want))
    result = score_reports(pd.DataFrame(rows), mode=mode)
    found = result.indikator.set_index(["nik", "komponen"], drop=False)
    return [(komponen, x, want, found.loc[(nik, komponen)]) for nik, komponen, x, want in expected]


@pytest.mark.parametrize("mode, cases", [("table", TABLE), ("linear", LINEAR)])
def test_every_band_edge(mode, cases):
    wrong = []
    for komponen, x, want, row in score_cases(cases, mode):
        if not math.isclose(row["nilai"], want, abs_tol=1e-9) or not math.isclose(row["rasio"], x, abs_tol=1e-9):
            wrong.append(f"{komponen} x={x}: nilai {row['nilai']} (want {want}), rasio {row['rasio']}")
        if row["skor"] != pytest.approx(round(want * BOBOT[komponen] / 100 + 1e-9, 2)):
            wrong.append(f"{komponen} x={x}: skor {row['skor']}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("book", sorted(published_books()))
def test_every_table_of_the_books_is_covered(book):
    """The hand-written tables above cover exactly the books' ratio components, with the spec's weights."""
    komponen = load_rulebook(book).komponen
    assert set(TABLE) == set(LINES) == {k.id for k in komponen if not k.kuesioner}
    assert set(LINEAR) == {k.id for k in komponen if k.linear is not None}
    assert BOBOT == {k.id: k.bobot for k in komponen if not k.kuesioner}


@pytest.mark.parametrize("periode, pea, want", [
    # PEA / (simpanan pokok + wajib Rp 1,000,000), annualised x 12 / month (rulebook.md §8)
    ("2025-03", 12_475, (4.99, 0)),   # 12,475 x 12/3 = 49,900 -> 4.99% -> 0
    ("2025-03", 12_500, (5.0, 50)),   # 12,500 x 4 = 50,000 -> 5% -> 50
    ("2025-12", 49_900, (4.99, 0)),   # December: the year's figure, 4.99% -> 0
    ("2025-12", 50_000, (5.0, 50)),
])
def test_pea_edge_at_5_percent_annualised_and_in_december(periode, pea, want):
    result = score_reports(pd.DataFrame([report("k", periode, promosi_ekonomi_anggota=pea, simpanan_pokok=D)]))
    row = nilai(result, "k", "promosi_ekonomi_anggota")
    assert (row["rasio"], row["nilai"], row["skor"]) == (want[0], want[1], want[1] * 3 / 100)


def test_efisiensi_pelayanan_without_volume_takes_the_worst_band():
    row = nilai(score_reports(pd.DataFrame([report("k", biaya_karyawan=D)])), "k", "efisiensi_pelayanan")
    assert (row["nilai"], row["skor"]) == (0, 0)
    assert math.isnan(row["rasio"]) and "volume pinjaman <= 0" in row["catatan"]


def test_linear_mode_leaves_the_other_components_on_their_tables():
    result = score_reports(pd.DataFrame([ratio_row("k", "rasio_kas", 12.5)]), mode="linear")
    row = result.indikator[result.indikator["komponen"] == "rasio_kas"].iloc[0]
    assert row["nilai"] == 100
    assert result.koperasi.loc[0, "mode_tabel"] == "linear"


def test_a_ratio_exactly_on_an_edge_is_not_pushed_off_it_by_binary_fractions():
    # 15% exactly of Rp 987.654.321.000 (the rasio_kas edge 10 < x <= 15 -> 100); hundreds of billions
    result = score_reports(pd.DataFrame([report("k", kas=148_148_148_150, kewajiban_lancar=987_654_321_000)]))
    row = result.indikator[result.indikator["komponen"] == "rasio_kas"].iloc[0]
    assert row["rasio"] == 15.0
    assert row["nilai"] == 100
    # one Rupiah more is above the edge
    result = score_reports(pd.DataFrame([report("k", kas=148_148_148_151, kewajiban_lancar=987_654_321_000)]))
    assert result.indikator[result.indikator["komponen"] == "rasio_kas"].iloc[0]["nilai"] == 50


def test_round_half_up_takes_what_numpy_reads_as_floats():
    """Half away from zero, binary noise removed; a Series, a list with a gap, ints and a number as before the
    rounding was computed in place (a Series raised then: hostile trial)."""
    from scoring.bands import round_half_up

    assert round_half_up(pd.Series([0.5, 1.5, -2.5, 65.9999999]), 0).tolist() == [1.0, 2.0, -3.0, 66.0]
    halves = round_half_up([1.005, None, -0.125], 2)
    assert halves[0] == 1.01 and np.isnan(halves[1]) and halves[2] == -0.13
    assert round_half_up(np.arange(3), 1).tolist() == [0.0, 1.0, 2.0]
    assert isinstance(round_half_up(2.675, 2), np.float64) and round_half_up(2.675, 2) == 2.68
