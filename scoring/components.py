"""Every component of a book over every report row, written straight into the long `indikator` table.

The table is component-major (each component in rulebook order, over the rows in input order) and preallocated.
Rows are scored in chunks, a thread per core (numpy releases the GIL): each chunk writes its own rows of every
column, so nothing is stacked or copied afterwards and the memory is first touched in parallel. With several
chunks the questionnaire answers are counted on one thread while the others score the report's components; the
questionnaire components follow. The notes a component may write are registered first, in component order, so the
result never depends on the threads.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring import inputs
from scoring.bands import band_index, edge_fractions, linear_nilai, round_half_up
from scoring.errors import ScoringInputError
from scoring.ratios import percent
from scoring.rulebook_format import Komponen, Mode, Rulebook

NO_ANSWERS = {"kuesioner": "tidak ada kuesioner manajemen pada atau sebelum periode ini",
              "pemeriksaan": "tidak ada hasil pemeriksaan (daftar periksa pemeriksa) pada atau sebelum periode ini"}
NO_YEAR_EARLIER = "tidak ada laporan bulan yang sama tahun lalu: indikator pertumbuhan tidak dinilai"
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
        """The skor column of one component of the book over every report row (a view of the table's column, points)."""
        return self.columns["skor"][self.part(self.book.komponen.index(komponen))]

    def frame(self) -> pd.DataFrame:
        """The `indikator` frame: numbers as float64, the per-row and per-component columns as categoricals (codes
        the engine wrote, valid by construction: not checked again), terverifikasi as bool."""
        columns = {name: pd.Categorical.from_codes(self.columns[name], categories=self.categories[name], validate=False)
                   if name in self.categories else self.columns[name]
                   for name in ("nik", "periode", "aspek", "komponen", "pembilang", "penyebut", "rasio", "nilai",
                                "bobot", "skor", "terverifikasi", "sumber", "catatan")}
        return pd.DataFrame(columns, copy=False)


def score_components(frame: pd.DataFrame, keys: inputs.Rows, book: Rulebook, mode: Mode,
                     answers: dict[str, pd.DataFrame | None], earlier: pd.DataFrame | None = None) -> ComponentTable:
    """pembilang, penyebut, rasio, nilai, skor and catatan of every component of the book for every row, with the
    rows' nik and periode and the components' aspek, komponen, bobot, terverifikasi and sumber.

    `answers` holds the questionnaire answers by input (kuesioner, pemeriksaan); `earlier`, reports of other periods
    for the growth components (the same month a year earlier)."""
    n = len(frame)
    notes = list(dict.fromkeys(text for k in book.komponen for text in _notes(k, keys.present)))
    categories = {"nik": pd.Index(pd.array(keys.niks, dtype="str")), "periode": keys.periodes,
                  **{name: list(dict.fromkeys(_per_component(book, name))) for name in PER_COMPONENT},
                  "catatan": notes or ["-"]}
    size = n * len(book.komponen)
    columns = {name: np.empty(size) for name in NUMBERS}
    columns |= {name: np.empty(size, dtype=_codes(len(values))) for name, values in categories.items()}
    columns["terverifikasi"] = np.empty(size, dtype=bool)
    table = ComponentTable(book, n, columns, categories)
    growth = [k for k in book.komponen if k.pertumbuhan]
    past, found = inputs.year_earlier(keys, earlier) if growth else (None, None)
    place = {name: [categories[name].index(v) for v in _per_component(book, name)] for name in PER_COMPONENT}
    asked = [j for j, k in enumerate(book.komponen) if k.kuesioner]
    others = [j for j, k in enumerate(book.komponen) if not k.kuesioner]

    def score(rows: slice, which: list[int], yes: dict[str, np.ndarray]) -> None:
        quantity = _Quantities(frame.iloc[rows], book, [q for j in which for q in book.komponen[j].quantities])
        last_year = _Quantities(past.iloc[rows], book, [k.pembilang for k in growth]) if past is not None else None
        for j in which:
            k, part = book.komponen[j], table.part(j, rows)
            columns["nik"][part] = keys.nik[rows]
            columns["periode"][part] = keys.periode[rows]
            columns["terverifikasi"][part] = k.terverifikasi
            for name in PER_COMPONENT:
                columns[name][part] = place[name][j]
            if k.kuesioner:
                _questionnaire(k, yes[k.id][rows], table, part)
            elif k.pertumbuhan:
                _growth(k, quantity, last_year, None if found is None else found[rows], table, part)
            else:
                _ratio(k, quantity, keys.month[rows], mode, table, part)

    with threads(n) as pool:
        if pool is None:  # one chunk (or none: the answers are still checked)
            yes = _yes_counts(keys, answers, book)
            in_chunks(n, lambda rows: score(rows, others + asked, yes))
        else:  # the answers are counted on one thread while the others score the reports' components
            counted = pool.submit(_yes_counts, keys, answers, book)
            try:
                in_chunks(n, lambda rows: score(rows, others, {}), pool)
            except ScoringInputError:  # refused as without threads: the answers first, then all the rows at once
                counted.result()  # (a chunk's refusal counted its own rows: hostile trial)
                score(slice(0, n), others, {})
                raise
            in_chunks(n, lambda rows: score(rows, asked, counted.result()), pool)
    return table


def threads(n: int) -> ThreadPoolExecutor | contextlib.nullcontext:
    """A thread per core for the chunks of n report rows, or none (`None` as the context) for a single chunk."""
    return ThreadPoolExecutor(max_workers=os.cpu_count()) if n > CHUNK_ROWS else contextlib.nullcontext()


def in_chunks(n: int, work: Callable[[slice], None], pool: ThreadPoolExecutor | None = None) -> None:
    """`work` on the rows 0..n-1, CHUNK_ROWS at a time: on the pool's threads (numpy releases the GIL), or in turn
    without one. Each chunk must write only its own rows. A chunk's exception reaches the caller."""
    chunks = [slice(start, min(start + CHUNK_ROWS, n)) for start in range(0, n, CHUNK_ROWS)]
    list(pool.map(work, chunks) if pool is not None else map(work, chunks))


def _yes_counts(keys: inputs.Rows, answers: dict[str, pd.DataFrame | None], book: Rulebook) -> dict[str, np.ndarray]:
    """Each questionnaire component's "ya" count per report row (`inputs.yes_counts`), over each input it reads."""
    return {k: v for masukan in book.masukan for k, v in inputs.yes_counts(
        keys, answers.get(masukan), [k for k in book.komponen if k.kuesioner and k.masukan == masukan],
        masukan).items()}


def _per_component(book: Rulebook, name: str) -> list:
    """Each component's aspek id, komponen id, bobot or sumber, in component order. Under penilaian 'rata_rata' a
    component's bobot is its equal share of its aspect's."""
    if name == "aspek":
        return [a.id for a in book.aspek for _ in a.komponen]
    if name == "bobot":
        return [k.bobot if k.bobot is not None else a.bobot / len(a.komponen) for a in book.aspek for k in a.komponen]
    return [getattr(k, "id" if name == "komponen" else name) for k in book.komponen]


def _codes(categories: int) -> type:
    """The integer type pandas keeps categorical codes in for this many categories (no conversion copy)."""
    return np.int8 if categories < 2**7 else np.int16 if categories < 2**15 else np.int32


def _notes(k: Komponen, months: frozenset[int]) -> list[str]:
    """The notes a component may write, in the order it writes them."""
    if k.kuesioner:
        return [NO_ANSWERS[k.masukan]]
    if k.pertumbuhan:
        return [NO_YEAR_EARLIER, k.penyebut_nol.catatan]
    annualised = [_annualised(m) for m in sorted(months) if m != 12] if k.disetahunkan else []
    return [*annualised, k.penyebut_nol.catatan]


def _annualised(month: int) -> str:
    return f"pembilang disetahunkan: nilai Januari-bulan {month} x 12/{month}"


class _Quantities:
    """Derived quantities of a book as exact int64 in 1/100 Rupiah (coefficients are whole percents); each is
    kept until its last use (`uses`: the names, once per use)."""

    def __init__(self, frame: pd.DataFrame, book: Rulebook, uses: list[str]) -> None:
        self._frame, self._book = frame, book
        self._uses = Counter(uses)
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


def _skor(nilai: np.ndarray, k: Komponen, book: Rulebook) -> np.ndarray:
    """A component's skor: nilai x bobot / 100 (penilaian 'bobot'), or terbaik + terburuk - nilai ('rata_rata');
    rounded half up to the book's decimals. NaN (not assessed) stays NaN."""
    if book.penilaian == "rata_rata":
        return round_half_up(book.skala.terbaik + book.skala.terburuk - nilai, book.desimal_skor)
    return round_half_up(nilai * k.bobot / 100, book.desimal_skor)


def _note(table: ComponentTable, text: str) -> int:
    return table.categories["catatan"].index(text)


def _ratio(k: Komponen, quantity: _Quantities, month: np.ndarray, mode: Mode, table: ComponentTable,
           part: slice) -> None:
    numerator, denominator = quantity(k.pembilang), quantity(k.penyebut)
    columns = table.columns
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
        skor[:] = _skor(nilai, k, table.book)
    else:  # a few band values: score each once
        values = np.array([b.nilai for b in k.tabel])
        index = band_index(ratio.banded, k.tabel)
        np.take(values, index, out=nilai, mode="clip")
        np.take(_skor(values, k, table.book), index, out=skor, mode="clip")
    catatan = columns["catatan"][part]
    if k.disetahunkan:  # a note per month; December is the year itself
        notes = [_note(table, _annualised(m)) if _annualised(m) in table.categories["catatan"] else -1
                 for m in range(1, 12)]
        np.take(np.array([-1, *notes, -1], dtype=catatan.dtype), month, out=catatan)
        columns["pembilang"][part] = numerator * (scale / 100) / (100 * month)
    else:
        catatan[:] = -1
        np.divide(numerator, 100, out=columns["pembilang"][part])
    _zero_denominator(k, numerator[ratio.invalid], table, part, ratio.invalid)
    np.divide(denominator, 100, out=columns["penyebut"][part])


def _zero_denominator(k: Komponen, numerator: np.ndarray, table: ComponentTable, part: slice,
                      invalid: np.ndarray) -> None:
    """The book's convention where the denominator is zero or negative (rulebook.md §4), with its note; nilai None:
    not assessed."""
    if not len(invalid):
        return
    zero = k.penyebut_nol
    positive = zero.nilai if zero.nilai_pembilang_positif is None else zero.nilai_pembilang_positif
    fallback = np.where(numerator > 0, positive, zero.nilai).astype(float)
    columns = table.columns
    columns["nilai"][part][invalid] = fallback
    columns["skor"][part][invalid] = _skor(fallback, k, table.book)
    columns["catatan"][part][invalid] = _note(table, zero.catatan)


def _growth(k: Komponen, quantity: _Quantities, last_year: _Quantities | None, found: np.ndarray | None,
            table: ComponentTable, part: slice) -> None:
    """Growth since the same month a year earlier: (now - then) / then x 100, banded; without last year's report
    the indicator is not assessed."""
    now = quantity(k.pembilang)
    then = last_year(k.pembilang) if last_year is not None else np.zeros_like(now)
    found = np.zeros(len(now), dtype=bool) if found is None else found
    columns = table.columns
    ratio = percent(now - then, np.where(found, then, 1), 100, 1, edge_fractions(k.tabel), out=columns["rasio"][part])
    index = band_index(ratio.banded, k.tabel)
    values = np.array([b.nilai for b in k.tabel])
    np.take(values, index, out=columns["nilai"][part], mode="clip")
    np.take(_skor(values, k, table.book), index, out=columns["skor"][part], mode="clip")
    columns["catatan"][part] = -1
    _zero_denominator(k, now[ratio.invalid], table, part, ratio.invalid)
    absent = np.flatnonzero(~found)
    for name in ("rasio", "nilai", "skor"):
        columns[name][part][absent] = np.nan
    columns["catatan"][part][absent] = _note(table, NO_YEAR_EARLIER)
    np.divide(now - then, 100, out=columns["pembilang"][part])
    columns["penyebut"][part] = np.where(found, then / 100, np.nan)


def _questionnaire(k: Komponen, yes: np.ndarray, table: ComponentTable, part: slice) -> None:
    """The share of "ya" answers (percent), banded by the component's tabel or, without one, the nilai itself
    (ksp: skor = "ya" x bobot / questions); each count scored once. Without answers: nilai 0, or not assessed
    (`tanpa_jawaban`)."""
    columns, book = table.columns, table.book
    missing = np.isnan(yes)
    count = np.where(missing, 0, yes).astype(np.int64)
    share = np.arange(k.pertanyaan + 1) * 100 / k.pertanyaan
    nilai = np.array([b.nilai for b in k.tabel])[band_index(share, k.tabel)] if k.tabel else share
    skor = _skor(nilai, k, book)
    none = np.nan if book.tanpa_jawaban == "tidak_dinilai" else 0.0
    columns["catatan"][part] = np.where(missing, _note(table, NO_ANSWERS[k.masukan]), -1)
    columns["pembilang"][part] = yes
    columns["penyebut"][part] = float(k.pertanyaan)
    columns["rasio"][part] = np.where(missing, np.nan, share[count])
    columns["nilai"][part] = np.where(missing, none, nilai[count])
    columns["skor"][part] = np.where(missing, none if np.isnan(none) else _skor(np.array([0.0]), k, book)[0],
                                     skor[count])
