"""Exact moves into a band (scoring.moves) and the cheapest combination search (scoring.combination).

Every expected figure is worked out by hand below: x = N P / (D M) percent, N and D in hundredths of a Rupiah.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from scoring import combination
from scoring.combination import cheapest
from scoring.moves import into_band, shared, step, target_bands
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Band

H = 100  # hundredths of a Rupiah per Rupiah


def move(band: Band, n_rupiah: int, d_rupiah: int, per_year: int = 100, month: int = 1, share: int = 0):
    result = into_band(band, np.array([n_rupiah * H]), np.array([d_rupiah * H]), per_year, np.array([month]),
                       Fraction(share))
    return bool(result.valid[0]), bool(result.penyebut[0]), int(result.perubahan[0]), float(result.rasio[0])


def test_inclusive_edge_is_met_exactly_by_the_numerator():
    # rasio_kas (kas + bank) 640,000,000 / kewajiban lancar 2,000,000,000 = 32%
    # 10 < x <= 15: kas + bank <= 15% x 2,000,000,000 = 300,000,000 -> -340,000,000 (the denominator would need
    # 640,000,000 / 15% = 4,266,666,667 - 2,000,000,000 = +2,266,666,667)
    assert move(Band(gt=10, le=15), 640_000_000, 2_000_000_000) == (True, False, -340_000_000, 15.0)
    # 15 < x <= 20: <= 400,000,000 -> -240,000,000
    assert move(Band(gt=15, le=20), 640_000_000, 2_000_000_000) == (True, False, -240_000_000, 20.0)


def test_exclusive_edge_takes_the_closest_whole_rupiah_inside():
    # ms_aset: modal sendiri 3,173,190,500 / total aset 8,055,090,000 = 39.39%; 40 < x <= 60 needs
    # modal sendiri > 40% x 8,055,090,000 = 3,222,036,000: 3,222,036,001 -> +48,845,501
    valid, penyebut, change, rasio = move(Band(gt=40, le=60), 3_173_190_500, 8_055_090_000)
    assert (valid, penyebut, change) == (True, False, 48_845_501)
    assert rasio == pytest.approx(3_222_036_001 / 8_055_090_000 * 100, rel=1e-15) and rasio > 40
    # one Rupiah less sits on the edge (exactly 40%, the band below): from there the move is +1
    assert move(Band(gt=40, le=60), 3_222_036_000, 8_055_090_000)[:3] == (True, False, 1)


def test_a_derived_quantity_holding_sen_reaches_zero_exactly():
    # risiko_pinjaman_bermasalah = 50% kurang lancar + 75% diragukan + 100% macet (ksp-2009): kurang lancar
    # 236,936,471 gives 118,468,235.5 (hundredths 11,846,823,550); over pinjaman diberikan 1,000,000,000 = 11.85%.
    # x <= 0 (nilai 100) needs the quantity at 0: in its step of Rp 0.25 (gcd of 50, 75, 100) the change is
    # exactly -118,468,235.5 (in whole Rupiah it would overshoot to Rp -0.5, a quantity that cannot be negative)
    book = rulebooks()["ksp-2009"]
    assert step(book, "risiko_pinjaman_bermasalah") == 25 and step(book, "kas") == 100
    result = into_band(Band(le=0), np.array([11_846_823_550]), np.array([1_000_000_000 * H]), 100, np.array([1]),
                       Fraction(0), (step(book, "risiko_pinjaman_bermasalah"), step(book, "pinjaman_diberikan")))
    assert (bool(result.valid[0]), float(result.perubahan[0]), float(result.rasio[0])) == (True, -118_468_235.5, 0.0)
    # a quantity that is a whole Rupiah now moves in whole Rupiah: 118,468,236 -> -118,468,236
    whole = into_band(Band(le=0), np.array([11_846_823_600]), np.array([1_000_000_000 * H]), 100, np.array([1]),
                      Fraction(0), (25, 100))
    assert float(whole.perubahan[0]) == -118_468_236.0


def test_annualised_ratio_moves_the_year_to_date_figure():
    # rentabilitas_modal_sendiri in March: SHU bagian anggota (Jan-Mar) 0 x 12/3 / MS 35,290,500; x >= 5 needs
    # SHU x 4 >= 5% x 35,290,500 = 1,764,525, i.e. SHU (Jan-Mar) >= 441,131.25: 441,132
    valid, penyebut, change, rasio = move(Band(ge=5), 0, 35_290_500, per_year=1200, month=3)
    assert (valid, penyebut, change) == (True, False, 441_132)
    assert rasio == pytest.approx(441_132 * 4 / 35_290_500 * 100, rel=1e-15)  # 5.0000085%


def test_equal_changes_move_the_numerator():
    # kemandirian_operasional: partisipasi neto 2,675,000 / beban 5,210,000 = 51.34%; x > 100:
    # numerator > 5,210,000: +2,535,001; denominator < 2,675,000: 2,674,999, -2,535,001: a tie, the numerator
    assert move(Band(gt=100), 2_675_000, 5_210_000)[:3] == (True, False, 2_535_001)


def test_the_denominator_moves_when_it_is_cheaper():
    # x = 100 / 100 = 100%; x >= 150: numerator +50; denominator <= 100 / 1.5 = 66.67: 66, -34 (cheaper)
    valid, penyebut, change, rasio = move(Band(ge=150), 100, 100)
    assert (valid, penyebut, change) == (True, True, -34)
    assert rasio == pytest.approx(100 / 66 * 100, rel=1e-15)


def test_a_numerator_inside_its_denominator_moves_it_too():
    # partisipasi_bruto: partisipasi bruto 3,860,000 / pendapatan usaha (partisipasi bruto 3,860,000 + non anggota
    # 1,420,000) = 73.11%; the denominator holds the numerator's line (s = 1)
    by_id = {k.id: k for k in rulebooks()["ksp-2016"].komponen}
    assert shared(rulebooks()["ksp-2016"], by_id["partisipasi_bruto"]) == 1
    assert shared(rulebooks()["ksp-2016"], by_id["rasio_kas"]) == 0
    # x >= 75: numerator (3,860,000 + d) / (5,280,000 + d) >= 0.75 <=> 0.25 d >= 100,000: +400,000; the
    # denominator alone (non anggota falls): <= 3,860,000 / 0.75 = 5,146,666.67: 5,146,666, -133,334 (cheaper)
    valid, penyebut, change, rasio = move(Band(ge=75), 3_860_000, 5_280_000, share=1)
    assert (valid, penyebut, change) == (True, True, -133_334)
    assert rasio == pytest.approx(3_860_000 / 5_146_666 * 100, rel=1e-15)
    # x <= 0 only by the numerator: 3,860,000 - 3,860,000 = 0 over 5,280,000 - 3,860,000 = 1,420,000
    assert move(Band(le=0), 3_860_000, 5_280_000, share=1) == (True, False, -3_860_000, 0.0)


def test_no_whole_rupiah_fits_a_band_too_narrow():
    # D = Rp 1: x = N (hundredths) %; 10 < x < 11 needs N between 10 and 11 hundredths: no whole-Rupiah change
    # of N = 0 gets there, and a zero numerator cannot be moved by the denominator
    assert move(Band(gt=10, lt=11), 0, 1)[0] is False


def test_balances_beyond_int64_products_use_exact_integers():
    # the first test's cooperative a million times larger (Rp 6.4 x 10^14): the change scales exactly
    assert move(Band(gt=10, le=15), 640_000_000 * 10**6, 2_000_000_000 * 10**6) == (
        True, False, -340_000_000 * 10**6, 15.0)


def test_a_linear_component_moves_to_where_its_line_gives_100():
    book = rulebooks()["ksp-2016"]
    by_id = {k.id: k for k in book.komponen}
    [rpm] = target_bands(by_id["risiko_pinjaman_bermasalah"], "linear")  # 100 - 2x = 100 at x = 0
    assert (rpm.upper, rpm.lower, rpm.nilai) == ((0.0, True), None, 100)
    [msp] = target_bands(by_id["ms_pinjaman_berisiko"], "linear")  # x = 100
    assert (msp.lower, msp.upper, msp.nilai) == ((100.0, True), None, 100)
    assert target_bands(by_id["rasio_kas"], "linear") == by_id["rasio_kas"].tabel


# ------------------------------------------------------------------ the cheapest combination

def test_cheapest_combination_of_a_hand_made_cooperative():
    # need 5.00 points; options (gain, Rupiah): A (2.50, 100) or (7.50, 400); B (3.00, 150); C (1.00, 10)
    # A 7.50 alone: 400; A 2.50 + B 3.00 = 5.50: 250 (the least); B + C = 4.00 and A 2.50 + C = 3.50 fall short;
    # A 2.50 + B + C: 260
    coop = np.zeros(4, dtype=int)
    chosen = cheapest(coop, np.array([0, 0, 1, 2]), np.array([250, 750, 300, 100]), np.array([100.0, 400, 150, 10]),
                      np.array([500]))
    assert chosen.tolist() == [True, False, True, False]


def test_one_band_per_component_and_unreachable_needs():
    # need 10.00: A's two options together (2.50 + 7.50 for 500) are one component twice: not allowed;
    # A 7.50 + B 3.00 = 10.50 for 550
    gains, costs, komponen = np.array([250, 750, 300]), np.array([100.0, 400, 150]), np.array([0, 0, 1])
    assert cheapest(np.zeros(3, dtype=int), komponen, gains, costs, np.array([1000])).tolist() == [False, True, True]
    # need 11.00: at most 7.50 + 3.00 = 10.50: nothing is chosen
    assert not cheapest(np.zeros(3, dtype=int), komponen, gains, costs, np.array([1100])).any()


def test_cooperatives_are_searched_apart():
    # cooperative 0 needs 1.00 (C alone, 10); cooperative 1 the same options but needs 3.00 (B, 150)
    coop = np.array([0, 0, 1, 1])
    chosen = cheapest(coop, np.array([1, 2, 1, 2]), np.array([300, 100, 300, 100]), np.array([150.0, 10, 150, 10]),
                      np.array([100, 300]))
    assert chosen.tolist() == [False, True, True, False]


def test_cheapest_matches_an_exhaustive_search():
    rng = np.random.default_rng(14)
    for _ in range(60):
        coops, rows = 3, []
        for c in range(coops):
            for k in range(rng.integers(1, 5)):
                for _ in range(rng.integers(1, 4)):
                    rows.append((c, k, int(rng.integers(1, 8)) * 25, float(rng.integers(0, 50))))
        coop, komponen, gain, cost = (np.array(column) for column in zip(*rows))
        need = rng.integers(25, 400, coops)
        chosen = cheapest(coop, komponen, gain, cost, need)
        for c in range(coops):
            options = [[(0, 0.0)] + [(g, x) for cc, kk, g, x in rows if cc == c and kk == k]
                       for k in sorted({kk for cc, kk, _, _ in rows if cc == c})]
            costs = [sum(x for _, x in pick) for pick in itertools.product(*options)
                     if sum(g for g, _ in pick) >= need[c]]
            mine = chosen & (coop == c)
            if not costs:
                assert not mine.any()
                continue
            assert gain[mine].sum() >= need[c]
            assert len(set(komponen[mine])) == mine.sum()
            assert cost[mine].sum() == pytest.approx(min(costs))


def test_blocks_of_any_size_choose_the_same_options(monkeypatch):
    # 40 cooperatives' options in shuffled order, searched in one block, in blocks of a few and one by one
    rng = np.random.default_rng(3)
    n = 400
    coop, komponen = rng.integers(0, 40, n), rng.integers(0, 6, n)
    gain, cost = rng.integers(1, 12, n) * 25, rng.integers(0, 100, n).astype(float)
    need = rng.integers(25, 600, 40)
    chosen = []
    for cells in (combination.CELLS, 100, 1):
        monkeypatch.setattr(combination, "CELLS", cells)
        chosen.append(cheapest(coop, komponen, gain, cost, need).tolist())
    assert chosen[0] == chosen[1] == chosen[2]
    assert 0 < sum(chosen[0]) < n
