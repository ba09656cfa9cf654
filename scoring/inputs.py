"""Reading the engine's input frames: money columns, periods, questionnaires and factors, vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import ScoringInputError
from scoring.rulebook import PERIODE, Komponen, Rulebook

KUESIONER = ("nik", "tanggal", "komponen", "nomor", "jawaban")
FAKTOR = ("nik", "kode", "berlaku_mulai", "berlaku_sampai")


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScoringInputError(f"{what} lack the column(s) {', '.join(missing)}")


def is_in(values: pd.Series, known: pd.Series | pd.Index) -> np.ndarray:
    """`values.isin(known)` for text, as one Arrow hash lookup (pandas' own is slow on its Arrow strings)."""
    found = pc.is_in(pa.array(values, pa.large_string(), from_pandas=True),
                     value_set=pa.array(known, pa.large_string(), from_pandas=True), skip_nulls=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def check_periods(periode: pd.Series) -> None:
    bad = periode[~periode.astype("str").str.fullmatch(PERIODE.pattern).fillna(False)]
    if len(bad):
        raise ScoringInputError(
            f"{len(bad)} report row(s) have a periode that is not YYYY-MM, e.g. {bad.iloc[0]!r}"
        )


def money(reports: pd.DataFrame, column: str) -> np.ndarray:
    """A money column as exact int64 Rupiah; refuses nulls and fractions."""
    series = reports[column]
    if series.isna().any():
        raise ScoringInputError(f"report column {column} has an empty value in {int(series.isna().sum())} row(s)")
    values = series.to_numpy()
    if values.dtype.kind == "f":
        if not np.all(np.mod(values, 1) == 0):
            raise ScoringInputError(f"report column {column} holds fractions of a Rupiah")
    elif values.dtype.kind not in "iu":
        raise ScoringInputError(f"report column {column} is not numeric (dtype {series.dtype})")
    return values.astype(np.int64)


def month_of(periode: pd.Series) -> np.ndarray:
    return periode.str.slice(5, 7).astype("int64").to_numpy()


def month_end(periode: pd.Series) -> pd.Series:
    """Last day of each period, computed once per distinct period."""
    distinct = pd.Series(periode.unique())
    ends = pd.to_datetime(distinct, format="%Y-%m") + pd.offsets.MonthEnd(0)
    return periode.map(dict(zip(distinct, ends))).astype("datetime64[ns]")


def yes_counts(frame: pd.DataFrame, questionnaires: pd.DataFrame | None,
               komponen: list[Komponen]) -> dict[str, np.ndarray]:
    """Number of "ya" per questionnaire component in the latest set dated at or before each period's end (NaN: none)."""
    ids = [k.id for k in komponen]
    empty = {i: np.full(len(frame), np.nan) for i in ids}
    if questionnaires is None or questionnaires.empty or not ids:
        return empty
    require_columns(questionnaires, KUESIONER, "questionnaires")
    answers = questionnaires[questionnaires["komponen"].isin(ids)]
    answers = answers.assign(tanggal=pd.to_datetime(answers["tanggal"]).astype("datetime64[ns]"),
                             ya=answers["jawaban"].eq("ya"))
    grouped = answers.groupby(["nik", "tanggal", "komponen"], observed=True)["ya"]
    _check_complete(grouped.size(), {k.id: k.pertanyaan for k in komponen})
    counts = grouped.sum().unstack("komponen").reindex(columns=ids).reset_index()
    counts["nik"] = counts["nik"].astype("str")
    left = pd.DataFrame({"nik": frame["nik"].astype("str").array,
                         "akhir": month_end(frame["periode"]).to_numpy(), "baris": np.arange(len(frame))})
    matched = pd.merge_asof(left.sort_values("akhir", kind="stable"), counts.sort_values("tanggal"),
                            left_on="akhir", right_on="tanggal", by="nik", direction="backward")
    matched = matched.sort_values("baris")
    return {i: matched[i].to_numpy(dtype=float) for i in ids}


def _check_complete(answered: pd.Series, expected: dict[str, int | None]) -> None:
    size = answered.index.get_level_values("komponen").map(expected)
    wrong = answered[answered.to_numpy() != size.to_numpy()]
    if len(wrong):
        nik, tanggal, komponen = wrong.index[0]
        raise ScoringInputError(
            f"questionnaire of {nik} dated {tanggal:%Y-%m-%d}, {komponen}: {wrong.iloc[0]} answers, "
            f"expected {expected[komponen]} ({len(wrong)} incomplete set(s) in all)"
        )


def check_factor_codes(factors: pd.DataFrame | None, books: list[Rulebook]) -> None:
    if factors is None or factors.empty:
        return
    require_columns(factors, FAKTOR, "factors")
    known = {code for book in books for code in book.faktor_kode}
    unknown = sorted(set(factors["kode"]) - known)
    if unknown:
        raise ScoringInputError(f"unknown faktor_pengurang code(s): {', '.join(unknown)}")


def active_factors(frame: pd.DataFrame, factors: pd.DataFrame | None, book: Rulebook) -> pd.DataFrame:
    """(baris, kode) of every factor of the book in force for a row's period, sorted."""
    columns = {"baris": np.array([], dtype=np.int64), "kode": pd.Series([], dtype="str")}
    if factors is None or factors.empty or not book.faktor_kode:
        return pd.DataFrame(columns)
    rows = pd.DataFrame({"baris": np.arange(len(frame)), "nik": frame["nik"].to_numpy(),
                         "periode": frame["periode"].to_numpy()})
    found = rows.merge(factors[factors["kode"].isin(book.faktor_kode)][list(FAKTOR)], on="nik")
    sampai = found["berlaku_sampai"]
    active = (found["berlaku_mulai"] <= found["periode"]) & (sampai.isna() | (found["periode"] <= sampai))
    found = found[active].drop_duplicates(["baris", "kode"]).sort_values(["baris", "kode"])
    return found[["baris", "kode"]].reset_index(drop=True)


def code_lists(active: pd.DataFrame, n: int) -> pd.Series:
    """One list of codes per row, built as an Arrow list column (no per-row Python)."""
    counts = np.bincount(active["baris"].to_numpy(dtype=np.int64), minlength=n)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), type=pa.int32())
    lists = pa.ListArray.from_arrays(offsets, pa.array(active["kode"].to_numpy(dtype=object), type=pa.string()))
    return pd.Series(lists, dtype=pd.ArrowDtype(pa.list_(pa.string())))
