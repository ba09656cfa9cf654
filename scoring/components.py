"""Every component of a book over every report row, written straight into the long `indikator` table.

The table is component-major (each component in rulebook order, over the rows in input order) and preallocated.
Rows are scored in chunks, a thread per core (numpy releases the GIL): each chunk writes its own rows of every
column, so nothing is stacked or copied afterwards and the memory is first touched in parallel. The notes a
component may write are registered first, in component order, so the result never depends on the threads.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring import inputs
from scoring.bands import band_index, edge_fractions, linear_nilai, round_half_up
from scoring.ratios import percent
from scoring.rulebook import Komponen, Mode, Rulebook

NO_QUESTIONNAIRE = "tidak ada kuesioner manajemen pada atau sebelum periode ini"
CHUNK_ROWS = 262_144  # report rows a thread scores at a time: enough to amortise numpy's per-call cost
NUMBERS = ("pembilang", "penyebut", "rasio", "nilai", "skor")
# one value per component, from the rulebook: a categorical (bobot too: a weight per component, 1 byte a row)
PER_COMPONENT = ("aspek", "komponen", "bobot", "sumber")


@dataclass(frozen=True)
class ComponentTable:
    """The long table's columns, n rows per component: numbers, and codes of the categorical columns."""

    book: Rulebook
    n: int
    columns: dict[str, np.ndarray]
    categories: dict[str, list]  # of the code columns nik, periode, aspek, komponen, bobot, sumber, catatan

    def part(self, j: int, rows: slice | None = None) -> slice:
        """Component j's rows (of the report rows `rows`, default all)."""
        rows = rows or slice(0, self.n)
        return slice(j * self.n + rows.start, j * self.n + rows.stop)

    def skor_of(self, komponen: Komponen) -> np.ndarray:
        return self.columns["skor"][self.part(self.book.komponen.index(komponen))]

    def frame(self) -> pd.DataFrame:
        """The `indikator` frame: numbers as float64, the per-row and per-component columns as categoricals,
        terverifikasi as bool."""
        columns = {name: pd.Categorical.from_codes(self.columns[name], categories=self.categories[name])
                   if name in self.categories else self.columns[name]
                   for name in ("nik", "periode", "aspek", "komponen", "pembilang", "penyebut", "rasio", "nilai",
                                "bobot", "skor", "terverifikasi", "sumber", "catatan")}
        return pd.DataFrame(columns, copy=False)


def score_components(frame: pd.DataFrame, keys: inputs.Rows, questionnaires: pd.DataFrame | None,
                     book: Rulebook, mode: Mode) -> ComponentTable:
    """pembilang, penyebut, rasio, nilai, skor and catatan of every component of the book for every row, with the
    rows' nik and periode and the components' aspek, komponen, bobot, terverifikasi and sumber."""
    n = len(frame)
    period_code, periods = pd.factorize(frame["periode"])
    notes = list(dict.fromkeys(text for k in book.komponen for text in _notes(k, keys.present)))
    categories = {"nik": pd.Index(pd.array(keys.niks, dtype="str")), "periode": pd.Index(periods).astype("str"),
                  **{name: list(dict.fromkeys(_per_component(book, name))) for name in PER_COMPONENT},
                  "catatan": notes or ["-"]}
    size = n * len(book.komponen)
    columns = {name: np.empty(size) for name in NUMBERS}
    columns |= {name: np.empty(size, dtype=_codes(len(values))) for name, values in categories.items()}
    columns["terverifikasi"] = np.empty(size, dtype=bool)
    table = ComponentTable(book, n, columns, categories)
    yes = inputs.yes_counts(keys, questionnaires, [k for k in book.komponen if k.kuesioner])
    place = {name: [categories[name].index(v) for v in _per_component(book, name)] for name in PER_COMPONENT}

    def score(start: int) -> None:
        rows = slice(start, min(start + CHUNK_ROWS, n))
        quantity = _Quantities(frame.iloc[rows], book)
        for j, k in enumerate(book.komponen):
            part = table.part(j, rows)
            columns["nik"][part] = keys.nik[rows]
            columns["periode"][part] = period_code[rows]
            columns["terverifikasi"][part] = k.terverifikasi
            for name in PER_COMPONENT:
                columns[name][part] = place[name][j]
            if k.kuesioner:
                _questionnaire(k, yes[k.id][rows], table, part)
            else:
                _ratio(k, quantity, keys.month[rows], mode, table, part)

    starts = range(0, n, CHUNK_ROWS)
    if len(starts) > 1:
        with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
            list(pool.map(score, starts))
    elif n:
        score(0)
    return table


def _per_component(book: Rulebook, name: str) -> list:
    """Each component's aspek id, komponen id, bobot or sumber, in component order."""
    if name == "aspek":
        return [a.id for a in book.aspek for _ in a.komponen]
    return [getattr(k, "id" if name == "komponen" else name) for k in book.komponen]


def _codes(categories: int) -> type:
    """The integer type pandas keeps categorical codes in for this many categories (no conversion copy)."""
    return np.int8 if categories < 2**7 else np.int16 if categories < 2**15 else np.int32


def _notes(k: Komponen, months: frozenset[int]) -> list[str]:
    """The notes a component may write, in the order it writes them."""
    if k.kuesioner:
        return [NO_QUESTIONNAIRE]
    annualised = [_annualised(m) for m in sorted(months) if m != 12] if k.disetahunkan else []
    return [*annualised, k.penyebut_nol.catatan]


def _annualised(month: int) -> str:
    return f"pembilang disetahunkan: nilai Januari-bulan {month} x 12/{month}"


class _Quantities:
    """Derived quantities of a book as exact int64 in 1/100 Rupiah (coefficients are whole percents); each is
    kept until its last use by a component."""

    def __init__(self, frame: pd.DataFrame, book: Rulebook) -> None:
        self._frame, self._book = frame, book
        self._uses = Counter(name for k in book.komponen for name in (k.pembilang, k.penyebut) if name)
        self._known: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        total = self._known.get(name)
        if total is None:
            by_coefficient: dict[int, list[str]] = {}
            for line, coefficient in self._book.lines(name).items():
                if coefficient:
                    by_coefficient.setdefault(int(coefficient), []).append(line)
            total = np.zeros(len(self._frame), dtype=np.int64)
            for coefficient, lines in by_coefficient.items():  # one multiplication per coefficient
                total += coefficient * sum(inputs.money(self._frame, line) for line in lines)
        self._uses[name] -= 1
        if self._uses[name] > 0:
            self._known[name] = total
        else:
            self._known.pop(name, None)
        return total


def _skor(nilai: np.ndarray, k: Komponen, decimals: int) -> np.ndarray:
    return round_half_up(nilai * k.bobot / 100, decimals)


def _note(table: ComponentTable, text: str) -> int:
    return table.categories["catatan"].index(text)


def _ratio(k: Komponen, quantity: _Quantities, month: np.ndarray, mode: Mode, table: ComponentTable,
           part: slice) -> None:
    numerator, denominator = quantity(k.pembilang), quantity(k.penyebut)
    columns, decimals = table.columns, table.book.desimal_skor
    # annualised: x 12 / month (1200 in percent); see scoring.ratios for why a ratio on an edge stays on it
    scale, months = (1200, month) if k.disetahunkan else (100, 1)
    linear = mode == "linear" and k.linear is not None
    ratio = percent(numerator, denominator, scale, months, [] if linear else edge_fractions(k.tabel),
                    out=columns["rasio"][part])
    nilai, skor = columns["nilai"][part], columns["skor"][part]
    if linear:  # the line on the extended-precision quotient, so its nilai carries no rounding of the ratio
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = numerator.astype(np.longdouble) * scale / (denominator.astype(np.longdouble) * months)
        nilai[:] = linear_nilai(exact, k.linear)
        skor[:] = _skor(nilai, k, decimals)
    else:  # a few band values: score each once
        values = np.array([b.nilai for b in k.tabel])
        index = band_index(ratio.banded, k.tabel)
        np.take(values, index, out=nilai, mode="clip")
        np.take(_skor(values, k, decimals), index, out=skor, mode="clip")
    invalid = ratio.invalid  # denominator <= 0: the book's convention
    if len(invalid):
        zero = k.penyebut_nol
        positive = zero.nilai if zero.nilai_pembilang_positif is None else zero.nilai_pembilang_positif
        fallback = np.where(numerator[invalid] > 0, positive, zero.nilai)
        nilai[invalid], skor[invalid] = fallback, _skor(fallback, k, decimals)
    catatan = columns["catatan"][part]
    if k.disetahunkan:  # a note per month; December is the year itself
        notes = [_note(table, _annualised(m)) if _annualised(m) in table.categories["catatan"] else -1
                 for m in range(1, 12)]
        np.take(np.array([-1, *notes, -1], dtype=catatan.dtype), month, out=catatan)
    else:
        catatan[:] = -1
    catatan[invalid] = _note(table, k.penyebut_nol.catatan)
    if k.disetahunkan:
        columns["pembilang"][part] = numerator * (scale / 100) / (100 * month)
    else:
        np.divide(numerator, 100, out=columns["pembilang"][part])
    np.divide(denominator, 100, out=columns["penyebut"][part])


def _questionnaire(k: Komponen, yes: np.ndarray, table: ComponentTable, part: slice) -> None:
    """skor = "ya" answers x bobot / questions, looked up per count (NaN: no questionnaire, nilai 0)."""
    columns = table.columns
    missing = np.isnan(yes)
    count = np.where(missing, 0, yes).astype(np.int64)
    rasio = np.arange(k.pertanyaan + 1) * 100 / k.pertanyaan
    columns["catatan"][part] = np.where(missing, _note(table, NO_QUESTIONNAIRE), -1)
    columns["pembilang"][part] = yes
    columns["penyebut"][part] = float(k.pertanyaan)
    columns["rasio"][part] = np.where(missing, np.nan, rasio[count])
    columns["nilai"][part] = rasio[count]
    columns["skor"][part] = _skor(rasio, k, table.book.desimal_skor)[count]
