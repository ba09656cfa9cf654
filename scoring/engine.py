"""The scoring engine: validated monthly reports in, component and cooperative scores out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from scoring import inputs
from scoring.bands import band_index, linear_nilai, round_half_up
from scoring.columns import REGISTRI
from scoring.errors import ScoringInputError
from scoring.rulebook import (Komponen, Mode, Rulebook, load_rulebook, rulebook_for_period, rulebooks,
                              unscored_jenis)

@dataclass(frozen=True)
class ScoringResult:
    koperasi: pd.DataFrame  # one row per scored (nik, periode)
    indikator: pd.DataFrame  # one row per scored (nik, periode, komponen)
    tidak_dinilai: pd.DataFrame  # nik, periode, alasan: report rows no rulebook scores


@dataclass
class _Component:
    """One component's arrays over all rows of a book."""

    pembilang: np.ndarray
    penyebut: np.ndarray
    rasio: np.ndarray
    nilai: np.ndarray
    catatan: np.ndarray  # codes into the book's notes, -1 for none


def score_reports(reports: pd.DataFrame, questionnaires: pd.DataFrame | None = None,
                  factors: pd.DataFrame | None = None, rulebook: str | Rulebook | None = None,
                  mode: Mode | None = None) -> ScoringResult:
    """Score every report row with its rulebook (forced, or by period), vectorised over rows."""
    if mode not in (None, "table", "linear"):
        raise ScoringInputError(f"mode must be 'table' or 'linear', not {mode!r}")
    inputs.require_columns(reports, ("nik", "periode"), "reports")
    reports = reports.reset_index(drop=True)
    inputs.check_periods(reports["periode"])
    book_of = _books_by_row(reports, rulebook)
    inputs.check_factor_codes(factors, [*rulebooks().values(), *book_of.values()])
    book_ids = reports["periode"].map({p: b.id for p, b in book_of.items()})
    books = {b.id: b for b in book_of.values()} or _no_reports_book(rulebook)
    scored = _jenis_scored(reports, book_ids, books)

    koperasi, indikator = [], []
    for book_id in sorted(book_ids[scored].unique()) or [min(books)]:
        rows = np.flatnonzero(scored & (book_ids == book_id).to_numpy())
        frame = reports.iloc[rows].reset_index(drop=True)
        k, i = _score_book(frame, questionnaires, factors, books[book_id], mode or books[book_id].mode)
        koperasi.append(k.set_axis(rows))
        indikator.append(i)
    return ScoringResult(
        koperasi=_concat(koperasi).sort_index(kind="stable").reset_index(drop=True),
        indikator=_concat(indikator).reset_index(drop=True),
        tidak_dinilai=_unscored(reports, book_ids, scored),
    )


def _books_by_row(reports: pd.DataFrame, rulebook: str | Rulebook | None) -> dict[str, Rulebook]:
    """The book for each distinct period: the forced one, or the one in force then."""
    periods = reports["periode"].unique()
    if rulebook is not None:
        forced = load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook
        return {p: forced for p in periods}
    return {p: rulebook_for_period(p) for p in periods}


def _no_reports_book(rulebook: str | Rulebook | None) -> dict[str, Rulebook]:
    """With no report rows, the book that shapes the empty result: the forced one, or the newest."""
    book = (load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook) or rulebooks()[max(rulebooks())]
    return {book.id: book}


def _jenis_scored(reports: pd.DataFrame, book_ids: pd.Series, books: dict[str, Rulebook]) -> np.ndarray:
    """Rows whose jenis their book scores (all rows when the reports carry no jenis)."""
    if "jenis" not in reports.columns:
        return np.ones(len(reports), dtype=bool)
    scored = np.zeros(len(reports), dtype=bool)
    for book in books.values():
        scored |= (book_ids.eq(book.id) & reports["jenis"].isin(book.jenis)).to_numpy()
    return scored


def _unscored(reports: pd.DataFrame, book_ids: pd.Series, scored: np.ndarray) -> pd.DataFrame:
    """nik, periode and the reason for every report row that no book scores."""
    rows = reports.loc[~scored, ["nik", "periode"]].reset_index(drop=True)
    jenis = reports.loc[~scored, "jenis"].reset_index(drop=True) if len(rows) else pd.Series([], dtype="str")
    other = "jenis " + jenis.astype("str") + " tidak dinilai oleh rulebook " + book_ids[~scored].reset_index(drop=True)
    rows["alasan"] = jenis.map(unscored_jenis()).fillna(other).astype("str")
    return rows


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate the books' frames, keeping categorical columns categorical."""
    if len(parts) == 1:
        return parts[0]
    joined = pd.concat(parts)
    for column, dtype in parts[0].dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            joined[column] = union_categoricals([p[column] for p in parts])
    return joined


def _score_book(frame: pd.DataFrame, questionnaires: pd.DataFrame | None, factors: pd.DataFrame | None,
                book: Rulebook, mode: Mode) -> tuple[pd.DataFrame, pd.DataFrame]:
    inputs.require_columns(frame, book.report_columns, "reports")
    notes: dict[str, int] = {}
    month = inputs.month_of(frame["periode"])
    quantity = _Quantities(frame, book)
    komponen = book.komponen
    yes = inputs.yes_counts(frame, questionnaires, [k for k in komponen if k.kuesioner])
    components = {
        k.id: (_questionnaire(k, yes[k.id], notes) if k.kuesioner
               else _ratio(k, quantity, month, mode, notes))
        for k in komponen
    }
    skor = {k.id: round_half_up(components[k.id].nilai * k.bobot / 100, book.desimal_skor) for k in komponen}
    koperasi = _koperasi(frame, book, mode, skor, factors)
    indikator = _indikator(frame, book, components, skor, notes)
    return koperasi, indikator


class _Quantities:
    """Derived quantities of a book as exact int64 in 1/100 Rupiah (coefficients are percents)."""

    def __init__(self, frame: pd.DataFrame, book: Rulebook) -> None:
        self._frame, self._book = frame, book
        self._money: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        total = np.zeros(len(self._frame), dtype=np.int64)
        for line, coefficient in self._book.lines(name).items():
            if coefficient:
                if line not in self._money:
                    self._money[line] = inputs.money(self._frame, line)
                total += int(coefficient) * self._money[line]
        return total


def _note(notes: dict[str, int], text: str) -> int:
    return notes.setdefault(text, len(notes))


def _ratio(k: Komponen, quantity: _Quantities, month: np.ndarray, mode: Mode, notes: dict[str, int]) -> _Component:
    numerator, denominator = quantity(k.pembilang), quantity(k.penyebut)
    # annualised: x 12 / month; the division is one of exact integers in extended precision,
    # so a ratio exactly on a band edge stays on it (exact for balances up to ~Rp 10^14)
    per_year, months = (1200, month) if k.disetahunkan else (100, np.ones_like(month))
    valid = denominator > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(valid, (numerator.astype(np.longdouble) * per_year)
                         / (denominator.astype(np.longdouble) * months), np.nan)
    rasio = exact.astype(float)
    if mode == "linear" and k.linear is not None:
        nilai = linear_nilai(exact, k.linear).astype(float)
    else:
        values = np.array([b.nilai for b in k.tabel] + [np.nan])
        nilai = values[band_index(exact, k.tabel)]
    zero = k.penyebut_nol
    fallback = np.full(len(rasio), zero.nilai)
    if zero.nilai_pembilang_positif is not None:
        fallback = np.where(numerator > 0, zero.nilai_pembilang_positif, zero.nilai)
    catatan = np.full(len(rasio), -1, dtype=np.int16)
    if k.disetahunkan:
        for m in np.unique(month[month != 12]):
            catatan[month == m] = _note(notes, f"pembilang disetahunkan: nilai Januari-bulan {m} x 12/{m}")
    catatan[~valid] = _note(notes, zero.catatan)
    return _Component(pembilang=numerator * (per_year / 100) / (100 * months), penyebut=denominator / 100, rasio=rasio,
                      nilai=np.where(valid, nilai, fallback), catatan=catatan)


def _questionnaire(k: Komponen, yes: np.ndarray, notes: dict[str, int]) -> _Component:
    missing = np.isnan(yes)
    rasio = yes * 100 / k.pertanyaan
    catatan = np.where(missing, _note(notes, "tidak ada kuesioner manajemen pada atau sebelum periode ini"),
                       -1).astype(np.int16)
    return _Component(pembilang=yes, penyebut=np.full(len(yes), float(k.pertanyaan)), rasio=rasio,
                      nilai=np.where(missing, 0.0, rasio), catatan=catatan)


def _koperasi(frame: pd.DataFrame, book: Rulebook, mode: Mode, skor: dict[str, np.ndarray],
              factors: pd.DataFrame | None) -> pd.DataFrame:
    n = len(frame)
    aspek = {a.id: round_half_up(sum(skor[k.id] for k in a.komponen), book.desimal_skor) for a in book.aspek}
    total = round_half_up(sum(aspek.values()), book.desimal_skor)
    by_score = band_index(total, book.predikat)
    active = inputs.active_factors(frame, factors, book)
    final = _apply_factors(by_score, active, book, n)
    registry = {c: frame[c] if c in frame.columns else pd.Series([None] * n, dtype="str") for c in REGISTRI}
    columns = {
        "nik": frame["nik"], **registry, "periode": frame["periode"],
        "rulebook": pd.Categorical.from_codes(np.zeros(n, dtype=int), categories=[book.id]),
        "versi_rulebook": pd.Categorical.from_codes(np.zeros(n, dtype=int), categories=[book.versi]),
        "mode_tabel": pd.Categorical.from_codes(np.zeros(n, dtype=int), categories=[mode]),
        "skor_total": total,
        "predikat_skor": _predikat(book, by_score),
        "predikat": _predikat(book, final),
        "faktor_pengurang": inputs.code_lists(active, n),
    }
    columns |= {f"skor_{a}": v for a, v in aspek.items()}
    columns |= {f"predikat_{a.id}": _predikat(book, band_index(aspek[a.id] * 100 / a.bobot, book.predikat))
                for a in book.aspek}
    columns |= {"skor_total_sebelumnya": np.full(n, np.nan),
                "predikat_sebelumnya": pd.Categorical.from_codes(np.full(n, -1), categories=book.predikat_names)}
    return pd.DataFrame(columns, copy=False)


def _predikat(book: Rulebook, index: np.ndarray) -> pd.Categorical:
    """Predicate names as a categorical ordered best first, as the book lists them."""
    return pd.Categorical.from_codes(index, categories=book.predikat_names)


def _apply_factors(by_score: np.ndarray, active: pd.DataFrame, book: Rulebook, n: int) -> np.ndarray:
    """Lower one step for any turun_satu_tingkat factor (never below the last), or force predikat_paksa."""
    rules = book.faktor_pengurang
    if rules is None or active.empty:
        return by_score
    rows = active["baris"].to_numpy()
    down = np.zeros(n, dtype=bool)
    down[rows[active["kode"].isin(rules.turun_satu_tingkat).to_numpy()]] = True
    forced = np.zeros(n, dtype=bool)
    forced[rows[active["kode"].isin(rules.paksa).to_numpy()]] = True
    final = np.minimum(by_score + down, len(book.predikat) - 1)
    return np.where(forced, np.maximum(final, book.predikat_names.index(rules.predikat_paksa)), final)


def _indikator(frame: pd.DataFrame, book: Rulebook, components: dict[str, _Component],
               skor: dict[str, np.ndarray], notes: dict[str, int]) -> pd.DataFrame:
    """Long table, component-major: each component in rulebook order, over the rows in input order."""
    komponen = book.komponen
    n, width = len(frame), len(komponen)
    rows = np.tile(np.arange(n, dtype=np.int32), width)

    def field(name: str) -> np.ndarray:
        return np.concatenate([getattr(components[k.id], name) for k in komponen])

    return pd.DataFrame({
        "nik": _repeated(frame["nik"], rows),
        "periode": _repeated(frame["periode"], rows),
        "aspek": _per_component([a.id for a in book.aspek for _ in a.komponen], n),
        "komponen": _per_component([k.id for k in komponen], n),
        "pembilang": field("pembilang"),
        "penyebut": field("penyebut"),
        "rasio": field("rasio"),
        "nilai": field("nilai"),
        "bobot": np.repeat(np.array([k.bobot for k in komponen], dtype=float), n),
        "skor": np.concatenate([skor[k.id] for k in komponen]),
        "terverifikasi": np.repeat([k.terverifikasi for k in komponen], n),
        "sumber": _per_component([k.sumber for k in komponen], n),
        "catatan": pd.Categorical.from_codes(field("catatan"), categories=list(notes) or ["-"]),
    }, copy=False)


def _per_component(values: list[str], n: int) -> pd.Categorical:
    """One value per component, each repeated over the n rows (component-major), as a categorical."""
    categories = list(dict.fromkeys(values))
    codes = np.array([categories.index(v) for v in values], dtype=np.int16)
    return pd.Categorical.from_codes(np.repeat(codes, n), categories=categories)


def _repeated(values: pd.Series, rows: np.ndarray) -> pd.Categorical:
    """values[rows] as a categorical: a take of integer codes, not of strings."""
    codes, uniques = pd.factorize(values)
    return pd.Categorical.from_codes(codes.astype(np.int32)[rows], categories=uniques.astype("str"))
