"""The engine's arithmetic: exact ratios at band edges at any size, banding by edge kind, chunked threads."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from builders import frame, questionnaire, report, sehat
from scoring import bands, components, load_rulebook, score_reports
from scoring.bands import FEW_EDGES, band_index, edges
from scoring.errors import ScoringInputError
from scoring.ratios import percent
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Band

I64 = np.int64


def test_a_ratio_is_the_correctly_rounded_double_of_the_exact_quotient():
    numerator = np.array([1, 2, 10, 7_777_777_777_777], dtype=I64)
    denominator = np.array([3, 3, 0, 9_999_999_999_999], dtype=I64)
    ratio = percent(numerator, denominator, 100, 1, [])
    assert ratio.rasio[0] == float(Fraction(100, 3)) and ratio.rasio[1] == float(Fraction(200, 3))
    assert np.isnan(ratio.rasio[2]) and ratio.invalid.tolist() == [2]
    assert ratio.rasio[3] == float(Fraction(777_777_777_777_700, 9_999_999_999_999))


def test_operands_beyond_exact_doubles_are_divided_exactly():
    # 3 x 10^17 / 7 (hundredths of a Rupiah): the operands are not exact doubles
    numerator, denominator = np.array([3 * 10**17], dtype=I64), np.array([7 * 10**17 + 1], dtype=I64)
    assert percent(numerator, denominator, 100, 1, []).rasio[0] == float(Fraction(3 * 10**19, 7 * 10**17 + 1))


def test_a_ratio_whose_double_is_the_edge_is_placed_by_its_exact_value():
    # 15 x 10^16 + 1 over 10^18, in percent: 15.0000000000000001, whose double is 15.0 exactly
    numerator = np.array([15 * 10**16, 15 * 10**16 + 1, 15 * 10**16 - 1], dtype=I64)
    denominator = np.full(3, 10**18, dtype=I64)
    ratio = percent(numerator, denominator, 100, 1, [Fraction(15)])
    assert ratio.rasio.tolist() == [15.0, 15.0, 15.0]
    assert ratio.banded.tolist() == [15.0, np.nextafter(15.0, np.inf), np.nextafter(15.0, -np.inf)]
    tabel = next(k for k in load_rulebook("ksp-2016").komponen if k.id == "rasio_kas").tabel
    assert band_index(ratio.banded, tabel).tolist() == [1, 2, 1]  # 10 < x <= 15 | 15 < x <= 20


def test_annualised_ratio_is_exact_at_the_edge():
    # promosi ekonomi anggota 12,500 in March on Rp 1,000,000: 12,500 x 12/3 = 50,000 -> 5% exactly
    row = percent(np.array([12_500_00], dtype=I64), np.array([1_000_000_00], dtype=I64), 1200,
                  np.array([3], dtype=I64), [Fraction(5)])
    assert row.rasio[0] == 5.0 and row.banded[0] == 5.0


def test_bands_place_values_on_closed_edges_in_either_order():
    book = load_rulebook("ksp-2016")
    kas = next(k for k in book.komponen if k.id == "rasio_kas").tabel  # <=10 | 10-15 | 15-20 | >20, le edges
    assert band_index(np.array([10.0, 10.0001, 15.0, 20.0, 20.5, np.nan]), kas).tolist() == [0, 1, 1, 2, 3, -1]
    pea = next(k for k in book.komponen if k.id == "promosi_ekonomi_anggota").tabel  # <5 | 5-7.5 | ... ge edges
    assert band_index(np.array([4.99, 5.0, 7.5, 10.0]), pea).tolist() == [0, 1, 2, 3]
    # predicates are listed best first: Sehat (>= 80) is index 0
    assert band_index(np.array([80.0, 79.99, 66.0, 51.0, 50.99]), book.predikat).tolist() == [0, 1, 1, 2, 3]


def test_a_long_band_table_is_searched_with_the_same_edge_kinds():
    # 21 bands, 20 inner edges (more than FEW_EDGES: the binary search): <1 | [1,2) ... [9,10) (edges opening the
    # band above) | [10,11] | (11,12] ... (19,20] (edges closing the band below) | >20
    bands = [Band(lt=1), *(Band(ge=e, lt=e + 1) for e in range(1, 10)), Band(ge=10, le=11),
             *(Band(gt=e, le=e + 1) for e in range(11, 20)), Band(gt=20)]
    assert len(bands) - 1 > FEW_EDGES
    values = np.array([0.5, 1.0, 9.0, 9.99, 10.0, 11.0, 11.5, 20.0, 20.5, np.nan])
    assert band_index(values, bands).tolist() == [0, 1, 9, 9, 10, 10, 11, 19, 20, -1]


def test_the_result_does_not_depend_on_how_the_rows_are_chunked(monkeypatch):
    rows = frame(*(sehat(f"k{i}", "2026-03", kas=(20 + i) * 1_000_000) for i in range(40)),
                 *(report(f"z{i}", "2026-03") for i in range(7)))
    answers = pd.concat([questionnaire(f"k{i}", "2026-01-10", i % 13) for i in range(0, 40, 3)])
    whole = score_reports(rows, questionnaires=answers)
    monkeypatch.setattr(components, "CHUNK_ROWS", 5)  # ten chunks on the threads
    chunked = score_reports(rows, questionnaires=answers)
    pd.testing.assert_frame_equal(whole.koperasi, chunked.koperasi)
    pd.testing.assert_frame_equal(whole.indikator, chunked.indikator)



def test_an_incomplete_questionnaire_set_is_refused_however_the_rows_are_chunked(monkeypatch):
    # the answers are counted on a thread of their own beside the chunks: its refusal reaches the caller the same
    rows = frame(*(sehat(f"k{i}", "2026-03") for i in range(12)))
    answers = questionnaire("k3", "2026-01-10", 4).iloc[:-1]
    monkeypatch.setattr(components, "CHUNK_ROWS", 5)
    with pytest.raises(ScoringInputError, match="k3") as refused:
        score_reports(rows, questionnaires=answers)
    monkeypatch.setattr(components, "CHUNK_ROWS", 262_144)
    with pytest.raises(ScoringInputError) as whole:
        score_reports(rows, questionnaires=answers)
    assert str(refused.value) == str(whole.value)
    # with an empty kas in three rows too: the answers' refusal first, and a report column's counts all its rows,
    # however chunked (chunked, the column came first, counting one row: hostile trial)
    rows["kas"] = rows["kas"].astype(float)
    rows.loc[[1, 6, 11], "kas"] = np.nan
    for chunk in (5, 262_144):
        monkeypatch.setattr(components, "CHUNK_ROWS", chunk)
        with pytest.raises(ScoringInputError) as both:
            score_reports(rows, questionnaires=answers)
        assert str(both.value) == str(whole.value)
        with pytest.raises(ScoringInputError, match=r"^report column kas has an empty value in 3 row\(s\)$"):
            score_reports(rows)

def test_comparisons_and_binary_search_band_every_shipped_table_alike(monkeypatch):
    rng = np.random.default_rng(5)
    for book in rulebooks().values():
        for tabel in [book.predikat, *(k.tabel for k in book.komponen if k.tabel)]:
            edge = edges(tabel)[0]
            x = np.concatenate([rng.uniform(-50, 250, 1_000), edge, np.nextafter(edge, np.inf),
                                np.nextafter(edge, -np.inf), [np.nan, np.inf, -np.inf, -0.0]])
            compared = band_index(x, tabel)
            monkeypatch.setattr(bands, "FEW_EDGES", -1)
            searched = band_index(x, tabel)
            monkeypatch.setattr(bands, "FEW_EDGES", FEW_EDGES)
            assert compared.tolist() == searched.tolist(), (book.id, tabel)
