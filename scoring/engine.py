"""The scoring engine: validated monthly reports in, component, aspect and cooperative scores out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from scoring import inputs
from scoring.bands import band_index, round_half_up
from scoring.columns import REGISTRI
from scoring.components import ComponentTable, in_chunks, score_components, threads
from scoring.errors import ScoringInputError
from scoring.rulebook import book_for, load_rulebook, published_books, rulebooks, unscored_reason
from scoring.rulebook_format import Mode, Rulebook


@dataclass(frozen=True)
class ScoringResult:
    """What `score_reports` returns: four frames, each with a fresh RangeIndex. koperasi: the report rows scored, in
    input order (skor_total in points 0-100, skor_<aspek> the aspect's points, 0 to its bobot; predikat after the
    downgrade factors of rulebook.md §7); indikator: component-major, each component of the rows' book over its
    rows (pembilang and penyebut in whole Rupiah for a report ratio, rasio in percent; for a questionnaire the
    "ya" answers and the questions); aspek: aspect-major (skor in points, persen of the aspect's bobot);
    tidak_dinilai: the report rows no book scores, with the reason. The published tables' columns are those of
    `schemas.outputs` (README, "Columns of each table")."""

    koperasi: pd.DataFrame  # one row per scored (nik, periode)
    indikator: pd.DataFrame  # one row per scored (nik, periode, komponen)
    aspek: pd.DataFrame  # one row per scored (nik, periode, aspek)
    tidak_dinilai: pd.DataFrame  # nik, periode, alasan: report rows no rulebook scores


def score_reports(reports: pd.DataFrame, questionnaires: pd.DataFrame | None = None,
                  factors: pd.DataFrame | None = None, rulebook: str | Rulebook | None = None,
                  mode: Mode | None = None, checklists: pd.DataFrame | None = None,
                  earlier: pd.DataFrame | None = None, books: Mapping[str, Rulebook] | None = None) -> ScoringResult:
    """Score every report row with its book (`book_for`: forced, or in force for its period and jenis).

    reports: the monthly report columns (data-contract §1.2), whole Rupiah; with `jenis` (and the other registry
    columns, carried through) only the jenis a book lists are scored, the rest return in `tidak_dinilai` with the
    reason. questionnaires: the management answers (§1.3); factors: the supervisors' findings (§1.4); checklists:
    an examiner's checklist (nik, tanggal, indikator, butir, terpenuhi) for the books that read one; earlier:
    reports of other periods, for growth indicators (the same month a year earlier); books: the books to choose
    from (default: the shipped books under scoring/rulebooks).
    Raises ScoringInputError for a missing column, a period not YYYY-MM, a money value that is empty, not a whole
    Rupiah, not a number or beyond RUPIAH_MAKS, an empty nik (reports, questionnaires, checklists), an empty periode
    or jenis (reports), an unknown factor code or an incomplete questionnaire set; RulebookError for an unknown book
    or a period no book covers."""
    if mode not in (None, "table", "linear"):
        raise ScoringInputError(f"mode must be 'table' or 'linear', not {mode!r}")
    inputs.require_columns(reports, ("nik", "periode"), "reports")
    for key in ("nik", "periode", "jenis"):  # an empty periode was a row left unscored without a reason, an empty
        if key in reports.columns:           # jenis an IndexError
            inputs.require_filled(reports, key, "reports")
    reports = reports.reset_index(drop=True)
    forced = load_rulebook(rulebook) if isinstance(rulebook, str) else rulebook
    chosen, book_of_row, reason = _books(reports, forced, books)
    inputs.check_factor_codes(factors, [*rulebooks().values(), *chosen])
    scored = book_of_row >= 0
    answers = {"kuesioner": questionnaires, "pemeriksaan": checklists}

    koperasi, indikator, aspek = [], [], []
    for j, book in enumerate(chosen or [_no_reports_book(forced)]):
        rows = np.flatnonzero(book_of_row == j)
        frame = reports if len(rows) == len(reports) else reports.take(rows).reset_index(drop=True)
        inputs.require_columns(frame, book.report_columns, "reports")
        keys = inputs.rows(frame)
        table = score_components(frame, keys, book, mode or book.mode, answers, earlier)
        k, a = _koperasi(frame, keys, book, mode or book.mode, table, factors)
        koperasi.append(k.set_axis(rows))
        indikator.append(table.frame())
        aspek.append(a)
    merged = _concat(koperasi)
    return ScoringResult(
        koperasi=(merged.sort_index(kind="stable") if len(koperasi) > 1 else merged).reset_index(drop=True),
        indikator=_concat(indikator).reset_index(drop=True),
        aspek=_concat(aspek).reset_index(drop=True),
        tidak_dinilai=pd.DataFrame({"nik": reports["nik"][~scored], "periode": reports["periode"][~scored],
                                    "alasan": pd.Series(reason[~scored], dtype="str", index=reports.index[~scored])}
                                   ).reset_index(drop=True),
    )


def _books(reports: pd.DataFrame, forced: Rulebook | None,
           library: Mapping[str, Rulebook] | None) -> tuple[list[Rulebook], np.ndarray, np.ndarray]:
    """The books that score the rows (by id), each row's place in that list (-1: not scored) and, for the rows not
    scored, why; chosen once per distinct (periode, jenis) by `book_for`."""
    period_code, periods = pd.factorize(reports["periode"].astype("str"))
    if "jenis" in reports.columns:
        jenis_code, jenis = pd.factorize(reports["jenis"].astype("str"))
        blank = [i for i, one in enumerate(jenis) if not one.strip()]  # as an empty one: it was left unscored, its
        inputs.refuse_empty(int(np.isin(jenis_code, blank).sum()), "jenis", "reports")  # reason 'jenis  tidak ...'
        code, distinct = pd.factorize(period_code.astype(np.int64) * len(jenis) + jenis_code)
        pairs = [(periods[d // len(jenis)], jenis[d % len(jenis)]) for d in distinct]
    else:
        code, pairs = period_code, [(p, None) for p in periods]
    inputs.check_periods(pd.Series([p for p, _ in pairs], dtype="str"))
    chosen = [book_for(periode, jenis, forced, library) for periode, jenis in pairs]
    books = sorted({b.id: b for b in chosen if b is not None}.values(), key=lambda b: b.id)
    place = [-1 if b is None else [x.id for x in books].index(b.id) for b in chosen]
    reasons = [None if b is not None else unscored_reason(periode, jenis, forced, library)
               for b, (periode, jenis) in zip(chosen, pairs)]
    return books, np.array(place + [-1], dtype=np.int64)[code], np.array(reasons + [None], dtype=object)[code]


def _no_reports_book(forced: Rulebook | None) -> Rulebook:
    """With no report rows, the book that shapes the empty result: the forced one, or the newest."""
    return forced or published_books()[max(published_books())]


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate the books' frames, keeping categorical columns categorical (a column only some books have, an
    aspect of their own, is missing in the others' rows)."""
    if len(parts) == 1:
        return parts[0]
    joined = pd.concat(parts)
    for column in joined.columns:
        kinds = [p[column] for p in parts if column in p.columns]
        if all(isinstance(c.dtype, pd.CategoricalDtype) for c in kinds):
            empty = kinds[0].cat.categories[:0]  # no category, of the same dtype
            filled = [p[column] if column in p.columns else pd.Series(pd.Categorical([None] * len(p), empty))
                      for p in parts]
            joined[column] = union_categoricals(filled, ignore_order=True)
    return joined


def _koperasi(frame: pd.DataFrame, keys: inputs.Rows, book: Rulebook, mode: Mode, table: ComponentTable,
              factors: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per report (total, predicates, factors, the wide aspect columns) and the long aspect table."""
    n = len(frame)
    skor, persen, predikat_index = _aspects(book, table)  # predikat_index: each aspect's, n rows per aspect
    # the wide columns: copies, so that no frame of the result shares memory with another
    by_aspect = {a.id: skor[i * n:(i + 1) * n].copy() for i, a in enumerate(book.aspek)}
    total = np.zeros(n)
    for w in by_aspect.values():  # NaN (an aspect not assessed) makes the total NaN
        total += w
    total = round_half_up(total, book.desimal_skor)
    by_score = band_index(total, book.predikat)
    active = inputs.active_factors(keys, factors, book)
    final = np.where(by_score >= 0, _apply_factors(by_score, active, book, n), -1)
    registry = {c: frame[c] if c in frame.columns else pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"))
                for c in REGISTRI}
    columns = {
        "nik": frame["nik"], **registry, "periode": frame["periode"],
        "rulebook": _constant(book.id, n), "versi_rulebook": _constant(book.versi, n), "mode_tabel": _constant(mode, n),
        "skor_total": total,
        "predikat_skor": _predikat(book, by_score),
        "predikat": _predikat(book, final),
        "faktor_pengurang": inputs.code_lists(active, n),
        **{f"skor_{a}": v for a, v in by_aspect.items()},
        **{f"predikat_{a}": _predikat(book, predikat_index[i * n:(i + 1) * n]) for i, a in enumerate(by_aspect)},
        "skor_total_sebelumnya": np.full(n, np.nan),
        "predikat_sebelumnya": _predikat(book, np.full(n, -1)),
        "asal_sebelumnya": pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str")),
    }
    width = len(book.aspek)
    aspek = pd.DataFrame({
        "nik": pd.Categorical.from_codes(np.tile(keys.nik, width), categories=pd.Index(pd.array(keys.niks, "str")),
                                      validate=False),
        "periode": pd.Categorical.from_codes(np.tile(table.columns["periode"][table.part(0)], width),
                                             categories=table.categories["periode"], validate=False),
        "rulebook": _constant(book.id, n * width),
        "aspek": pd.Categorical.from_codes(np.repeat(np.arange(width, dtype=np.int8), n),
                                           categories=[a.id for a in book.aspek], validate=False),
        "skor": skor,
        "bobot": np.repeat([float(a.bobot) for a in book.aspek], n),
        "persen": persen,
        "predikat": _predikat(book, predikat_index),
    }, copy=False)
    return pd.DataFrame(columns, copy=False), aspek


def _constant(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value], validate=False)


def _aspects(book: Rulebook, table: ComponentTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each aspect's weighted score (its part of the total, 0..bobot), its percent of its maximum and that
    percent's predicate (`band_index`): columns of the long aspect table, aspect-major (the aspects in book order,
    n report rows each); in chunks of rows on the threads, as the components.

    penilaian 'bobot': the sum of the components' rounded skor, added in component order. 'rata_rata': the
    assessed indicators' skor over their maximum (skala), x bobot / 100; NaN when none of the aspect's indicators
    is assessed."""
    n = table.n
    skor, persen = np.empty(n * len(book.aspek)), np.empty(n * len(book.aspek))
    predikat = np.empty(n * len(book.aspek), dtype=np.int8)  # the codes' type of a few predicates

    def chunk(rows: slice) -> None:
        for i, a in enumerate(book.aspek):
            part = slice(i * n + rows.start, i * n + rows.stop)
            if book.penilaian == "bobot":
                total = table.skor_of(a.komponen[0])[rows].copy()
                for k in a.komponen[1:]:
                    total += table.skor_of(k)[rows]
                round_half_up(total, book.desimal_skor, out=skor[part])
                np.divide(np.multiply(skor[part], 100, out=persen[part]), a.bobot, out=persen[part])
            else:
                components = np.column_stack([table.skor_of(k)[rows] for k in a.komponen])
                assessed = (~np.isnan(components)).sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    persen[part] = np.where(assessed > 0, np.nansum(components, axis=1) * 100
                                            / (book.skala.skor_maks * assessed), np.nan)
                round_half_up(persen[part] * a.bobot / 100, book.desimal_skor, out=skor[part])
            predikat[part] = band_index(persen[part], book.predikat)

    with threads(n) as pool:
        in_chunks(n, chunk, pool)
    return skor, persen, predikat


def _predikat(book: Rulebook, index: np.ndarray) -> pd.Categorical:
    """Predicate names as a categorical ordered best first, as the book lists them (index: -1 none, else a place in
    the book's list, as `band_index` gives; not checked again)."""
    return pd.Categorical.from_codes(index, categories=book.predikat_names, validate=False)


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
