"""The scoring engine: validated monthly reports in, component and cooperative scores out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from scoring import inputs
from scoring.bands import band_index, round_half_up
from scoring.columns import REGISTRI
from scoring.components import ComponentTable, score_components
from scoring.errors import ScoringInputError
from scoring.rulebook import Mode, Rulebook, book_for, load_rulebook, rulebooks, unscored_reason

@dataclass(frozen=True)
class ScoringResult:
    koperasi: pd.DataFrame  # one row per scored (nik, periode)
    indikator: pd.DataFrame  # one row per scored (nik, periode, komponen)
    tidak_dinilai: pd.DataFrame  # nik, periode, alasan: report rows no rulebook scores


def score_reports(reports: pd.DataFrame, questionnaires: pd.DataFrame | None = None,
                  factors: pd.DataFrame | None = None, rulebook: str | Rulebook | None = None,
                  mode: Mode | None = None) -> ScoringResult:
    """Score every report row with its book (`book_for`: forced, or in force for its period and jenis).

    reports: the monthly report columns (data-contract §1.2), whole Rupiah; with `jenis` (and the other registry
    columns, carried through) only the jenis a book lists are scored, the rest return in `tidak_dinilai` with the
    reason. Raises ScoringInputError for a missing column, a period not YYYY-MM, an unknown factor code or an
    incomplete questionnaire set; RulebookError for an unknown book or a period no book covers."""
    if mode not in (None, "table", "linear"):
        raise ScoringInputError(f"mode must be 'table' or 'linear', not {mode!r}")
    inputs.require_columns(reports, ("nik", "periode"), "reports")
    reports = reports.reset_index(drop=True)
    forced = load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook
    books, book_of_row, reason = _books(reports, forced)
    inputs.check_factor_codes(factors, [*rulebooks().values(), *books])
    scored = book_of_row >= 0

    koperasi, indikator = [], []
    for j, book in enumerate(books or [_no_reports_book(forced)]):
        rows = np.flatnonzero(book_of_row == j)
        frame = reports if len(rows) == len(reports) else reports.take(rows).reset_index(drop=True)
        k, i = _score_book(frame, questionnaires, factors, book, mode or book.mode)
        koperasi.append(k.set_axis(rows))
        indikator.append(i)
    merged = _concat(koperasi)
    return ScoringResult(
        koperasi=(merged.sort_index(kind="stable") if len(koperasi) > 1 else merged).reset_index(drop=True),
        indikator=_concat(indikator).reset_index(drop=True),
        tidak_dinilai=pd.DataFrame({"nik": reports["nik"][~scored], "periode": reports["periode"][~scored],
                                    "alasan": pd.Series(reason[~scored], dtype="str", index=reports.index[~scored])}
                                   ).reset_index(drop=True),
    )


def _books(reports: pd.DataFrame, forced: Rulebook | None) -> tuple[list[Rulebook], np.ndarray, np.ndarray]:
    """The books that score the rows (by id), each row's place in that list (-1: not scored) and, for the rows not
    scored, why; chosen once per distinct (periode, jenis) by `book_for`."""
    period_code, periods = pd.factorize(reports["periode"].astype("str"))
    if "jenis" in reports.columns:
        jenis_code, jenis = pd.factorize(reports["jenis"].astype("str"))
        code, distinct = pd.factorize(period_code.astype(np.int64) * len(jenis) + jenis_code)
        pairs = [(periods[d // len(jenis)], jenis[d % len(jenis)]) for d in distinct]
    else:
        code, pairs = period_code, [(p, None) for p in periods]
    inputs.check_periods(pd.Series([p for p, _ in pairs], dtype="str"))
    chosen = [book_for(periode, jenis, forced) for periode, jenis in pairs]
    books = sorted({b.id: b for b in chosen if b is not None}.values(), key=lambda b: b.id)
    place = [-1 if b is None else [x.id for x in books].index(b.id) for b in chosen]
    reasons = [None if b is not None else unscored_reason(periode, jenis, forced)
               for b, (periode, jenis) in zip(chosen, pairs)]
    return books, np.array(place + [-1], dtype=np.int64)[code], np.array(reasons + [None], dtype=object)[code]


def _no_reports_book(forced: Rulebook | None) -> Rulebook:
    """With no report rows, the book that shapes the empty result: the forced one, or the newest."""
    return forced or rulebooks()[max(rulebooks())]


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
    keys = inputs.rows(frame)
    table = score_components(frame, keys, questionnaires, book, mode)
    return _koperasi(frame, keys, book, mode, table, factors), table.frame()


def _koperasi(frame: pd.DataFrame, keys: inputs.Rows, book: Rulebook, mode: Mode, table: ComponentTable,
              factors: pd.DataFrame | None) -> pd.DataFrame:
    n = len(frame)
    aspek = {a.id: round_half_up(sum(table.skor_of(k) for k in a.komponen), book.desimal_skor) for a in book.aspek}
    total = round_half_up(sum(aspek.values()), book.desimal_skor)
    by_score = band_index(total, book.predikat)
    active = inputs.active_factors(keys, factors, book)
    final = _apply_factors(by_score, active, book, n)
    registry = {c: frame[c] if c in frame.columns else pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"))
                for c in REGISTRI}
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
                "predikat_sebelumnya": pd.Categorical.from_codes(np.full(n, -1), categories=book.predikat_names),
                "asal_sebelumnya": pd.Series(pd.NA, index=range(n), dtype="str")}
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
