"""Reading the engine's input frames: keys, money columns, periods, questionnaires and factors, vectorised.

Rows are matched on integer codes (a nik's place in the reports' distinct niks, a period's month number), not on
text: one Arrow hash per text column, then numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.columns import RUPIAH_MAKS
from scoring.errors import ScoringInputError
from scoring.periods import month_number
from scoring.rulebook_format import PERIODE, Komponen, Rulebook

KUESIONER = ("nik", "tanggal", "komponen", "nomor", "jawaban")  # the management questionnaire (data-contract §1.3)
PEMERIKSAAN = ("nik", "tanggal", "indikator", "butir", "terpenuhi")  # an examiner's checklist (KKPKK)
ANSWERS = {"kuesioner": KUESIONER, "pemeriksaan": PEMERIKSAAN}
FAKTOR = ("nik", "kode", "berlaku_mulai", "berlaku_sampai")
FAKTOR_BERKAS = (*FAKTOR, "keterangan")  # the findings file (data-contract §1.4): FAKTOR and the supervisor's note


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> None:
    """Refuse a frame that lacks any of `columns`: ScoringInputError naming `what` (the input) and every missing
    column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScoringInputError(f"{what} lack the column(s) {', '.join(missing)}")


def require_filled(frame: pd.DataFrame, column: str, what: str) -> None:
    """Refuse a key column with an empty value (ScoringInputError naming how many rows)."""
    refuse_empty(int(frame[column].isna().sum()), column, what)


def refuse_empty(empty: int, column: str, what: str) -> None:
    """ScoringInputError for `empty` rows (none: nothing) whose key `column` is empty, missing or blank."""
    if empty:
        raise ScoringInputError(f"{what} have an empty {column} in {empty} row(s)")


def _text(values: pd.Series | pd.Index | np.ndarray) -> pa.Array:
    """Text values as one Arrow array (zero-copy for pandas' Arrow-backed strings)."""
    array = pa.array(values, from_pandas=True) if not isinstance(values, pa.ChunkedArray) else values
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array.cast(pa.large_string()) if not pa.types.is_large_string(array.type) else array


def is_in(values: pd.Series, known: pd.Series | pd.Index) -> np.ndarray:
    """`values.isin(known)` for text, as one Arrow hash lookup (pandas' own is slow on its Arrow strings)."""
    found = pc.is_in(_text(values), value_set=_text(known), skip_nulls=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def rows_of(keys: pd.Series, table: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Each key's row of `table` (indexed by distinct texts), on the keys' index; a key not in it gets a row of
    missing values. `table.reindex(keys)` (or `keys.map(table[column])` for each column) with the keys looked up
    once, as one Arrow hash lookup: pandas hashes them again for every column."""
    at = pc.index_in(_text(keys), value_set=_text(table.index), skip_nulls=True).fill_null(-1)
    return table.reset_index(drop=True).reindex(at.to_numpy(zero_copy_only=False)).set_axis(keys.index)


def datetimes(values: pd.Series) -> pd.Series:
    """Dates as datetime64 (NaT where missing), on the same index. An Arrow date column (a published table as
    read) is cast in Arrow: pandas converts one Python date at a time (0.2 s for a national month's 130,000)."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_date(values.dtype.pyarrow_dtype):
        stamps = pc.cast(pa.array(values, from_pandas=True), pa.timestamp("s"))
        return pd.Series(stamps.to_numpy(zero_copy_only=False), index=values.index, name=values.name)
    return pd.to_datetime(values)


def place_in(values: pd.Series | pa.Array, known: pa.Array) -> np.ndarray:
    """The place of each text value in `known` (int64; -1 where it is not there or is null); a categorical's
    categories are looked up once."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return np.append(place_in(values.cat.categories.to_series(), known), -1)[values.cat.codes.to_numpy()]
    found = pc.index_in(_text(values), value_set=_text(known))
    return np.asarray(pc.fill_null(found, -1)).astype(np.int64)


def encode(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Integer codes (int32, in order of first appearance; -1 for a null) and the distinct text values."""
    encoded = _text(values).dictionary_encode()
    indices = encoded.indices.fill_null(-1) if encoded.indices.null_count else encoded.indices
    return np.asarray(indices).astype(np.int32, copy=False), encoded.dictionary


def text_codes(*columns: pd.Series) -> np.ndarray:
    """Each row's code (int64, from 0, in order of first appearance) by the text of its values in `columns` (one or
    more, as long as each other): rows equal as text (`astype("str")`: 1 and "1", a category and the text it names)
    share one, and a missing value is a value of its own, as pandas pairs them in a merge. Only the distinct
    values are made text. (`encode` gives the distinct texts too, for a lookup.)"""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for values in columns:
        own, distinct = pd.factorize(values, use_na_sentinel=False)
        by_text = pd.factorize(pd.Index(distinct).astype("str"), use_na_sentinel=False)[0][own]
        codes = pd.factorize(codes * (int(by_text.max(initial=-1)) + 1) + by_text)[0].astype(np.int64)
    return codes


def check_periods(periode: pd.Series) -> None:
    """Refuse periods that are not YYYY-MM (data-contract §1.2): ScoringInputError with their count and the first."""
    bad = periode[~periode.astype("str").str.fullmatch(PERIODE.pattern).fillna(False)]
    if len(bad):
        raise ScoringInputError(
            f"{len(bad)} report row(s) have a periode that is not YYYY-MM, e.g. {bad.iloc[0]!r}"
        )


def money(reports: pd.DataFrame, column: str) -> np.ndarray:
    """A money column as exact int64 Rupiah (no copy when it is one already); refuses (ScoringInputError) nulls,
    fractions and amounts beyond RUPIAH_MAKS either way (the engine's exact arithmetic would overflow)."""
    series = reports[column]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":  # numpy integers hold no null
        return _in_range(series.to_numpy(), column)
    if series.isna().any():
        raise ScoringInputError(f"report column {column} has an empty value in {int(series.isna().sum())} row(s)")
    values = series.to_numpy()
    if values.dtype.kind == "f":
        if not np.all(np.mod(values, 1) == 0):
            raise ScoringInputError(f"report column {column} holds fractions of a Rupiah")
    elif values.dtype.kind not in "iu":
        raise ScoringInputError(f"report column {column} is not numeric (dtype {series.dtype})")
    return _in_range(values, column)


def _in_range(values: np.ndarray, column: str) -> np.ndarray:
    """Whole amounts as int64 once none is beyond RUPIAH_MAKS either way (an unsigned or float amount beyond int64
    is refused, not wrapped to a negative)."""
    if len(values) and (values.max() > RUPIAH_MAKS or values.min() < -RUPIAH_MAKS):
        raise ScoringInputError(f"report column {column} holds an amount beyond {RUPIAH_MAKS:,} Rupiah either way")
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True)
class Rows:
    """The report rows of one book as integer keys."""

    nik: np.ndarray  # int32: each row's place in `niks`
    niks: pa.Array  # the distinct niks, in order of first appearance
    periode: np.ndarray  # each row's place in `periodes`
    periodes: pd.Index  # the distinct periods (text), in order of first appearance
    month: np.ndarray  # int64: the period's month, 1..12
    months: np.ndarray  # int64: the period as months since year 0
    end: np.ndarray  # datetime64[ns]: the period's last day, 00:00
    present: frozenset[int]  # the months (1..12) the rows have


def rows(frame: pd.DataFrame) -> Rows:
    """Keys of the report rows; each distinct period is read once."""
    nik, niks = encode(frame["nik"])
    period_code, periods = pd.factorize(frame["periode"].astype("str"))
    distinct = pd.Series(periods, dtype="str")
    ends = (pd.to_datetime(distinct, format="%Y-%m") + pd.offsets.MonthEnd(0)).to_numpy(dtype="datetime64[ns]")
    month = distinct.str.slice(5, 7).astype("int64").to_numpy()
    return Rows(nik=nik, niks=niks, periode=period_code, periodes=pd.Index(distinct), month=month[period_code],
                months=month_number(distinct).to_numpy()[period_code], end=ends[period_code],
                present=frozenset(month.tolist()))


def yes_counts(keys: Rows, questionnaires: pd.DataFrame | None, komponen: list[Komponen],
               masukan: str = "kuesioner") -> dict[str, np.ndarray]:
    """Number of "ya" (or items terpenuhi) per questionnaire component in each row's latest set dated at or before
    its period's end (NaN: no such set, or the set lacks the component). `masukan` names the answers' columns
    (`ANSWERS`): the management questionnaire or an examiner's checklist.

    A set is one nik's answers of one date; every answered component of every set (reported or not) must have its
    rulebook's number of answers, else ScoringInputError names the first incomplete one."""
    ids = [k.id for k in komponen]
    n = len(keys.nik)
    if questionnaires is None or questionnaires.empty or not ids:
        return {i: np.full(n, np.nan) for i in ids}
    _, _, which, _, answer = ANSWERS[masukan]
    what = "questionnaires" if masukan == "kuesioner" else "checklists"
    require_columns(questionnaires, ANSWERS[masukan], what)
    require_filled(questionnaires, "nik", what)
    component = place_in(questionnaires[which], pa.array(ids, pa.large_string()))
    date_code, dates = pd.factorize(questionnaires["tanggal"])  # each distinct date read once
    day = pd.to_datetime(pd.Series(dates)).astype("datetime64[ns]").to_numpy()
    dated = np.append(~np.isnat(day), False)  # code -1 (no date) is the last
    keep = (component >= 0) & dated[date_code]  # answers of other components, or undated, count nowhere
    if not keep.any():
        return {i: np.full(n, np.nan) for i in ids}
    answers = questionnaires[["nik", answer]]  # the columns counted, without a copy of the others
    if not keep.all():
        answers, component, date_code = answers[keep], component[keep], date_code[keep]
    nik, niks = encode(answers["nik"])
    counted = np.zeros(len(dates), dtype=bool)
    counted[date_code] = True
    times = pd.DatetimeIndex(np.unique(day[counted]))  # the dates of the answers counted, in order
    time_code = np.searchsorted(times.to_numpy(), day)[date_code]
    set_code, sets = pd.factorize(nik.astype(np.int64) * len(times) + time_code)  # set key: nik x time rank
    cell = set_code.astype(np.int64) * len(ids) + component
    answered = np.bincount(cell, minlength=len(sets) * len(ids)).reshape(len(sets), len(ids))
    yes = np.bincount(cell, weights=_said_yes(answers[answer]),
                      minlength=len(sets) * len(ids)).reshape(len(sets), len(ids))
    _check_complete(answered, np.array([k.pertanyaan for k in komponen]), sets, niks, times, ids)
    yes[answered == 0] = np.nan

    # each row's latest set: sets ordered by (nik, time); the row's key is its nik and the last time <= its end
    order = np.argsort(sets, kind="stable")
    ordered = sets[order]
    row_nik = place_in(keys.niks, niks)[keys.nik]  # the row's nik among the questionnaires' (-1: none)
    latest_time = np.searchsorted(times.to_numpy(dtype="datetime64[ns]"), keys.end, side="right") - 1
    wanted = row_nik * len(times) + latest_time
    found = np.searchsorted(ordered, wanted, side="right") - 1
    ok = (row_nik >= 0) & (latest_time >= 0) & (found >= 0)
    ok &= ordered[np.maximum(found, 0)] // len(times) == row_nik  # the set is the row's nik's
    picked = yes[order[np.maximum(found, 0)]]
    return {i: np.where(ok, picked[:, j], np.nan) for j, i in enumerate(ids)}


def _said_yes(said: pd.Series) -> np.ndarray:
    """Whether each answer is "ya" (or true), in any case; each distinct answer read once (bool per answer)."""
    if said.dtype == bool:
        return said.to_numpy()
    code, distinct = pd.factorize(said.astype("str"))  # a missing answer: code -1, the last place
    return np.append(pd.Index(distinct).str.lower().isin(("ya", "true")), False)[code]


def _check_complete(answered: np.ndarray, expected: np.ndarray, sets: np.ndarray, niks: pa.Array,
                    times: pd.DatetimeIndex, ids: list[str]) -> None:
    wrong = (answered > 0) & (answered != expected)
    if wrong.any():
        first_set, first_component = np.argwhere(wrong)[0]
        key = int(sets[first_set])
        nik, tanggal = niks[key // len(times)].as_py(), times[key % len(times)]
        raise ScoringInputError(
            f"questionnaire of {nik} dated {tanggal:%Y-%m-%d}, {ids[first_component]}: "
            f"{answered[first_set, first_component]} answers, expected {expected[first_component]} "
            f"({int(wrong.any(axis=1).sum())} incomplete set(s) in all)"
        )


def year_earlier(keys: Rows, earlier: pd.DataFrame | None) -> tuple[pd.DataFrame | None, np.ndarray]:
    """Each row's report of the same month a year earlier, from `earlier` (reports of other periods; the first row
    of a (nik, periode) counts): the frame aligned to the rows, and where such a report exists."""
    missing = np.zeros(len(keys.nik), dtype=bool)
    if earlier is None or earlier.empty:
        return None, missing
    require_columns(earlier, ("nik", "periode"), "earlier reports")
    nik = place_in(earlier["nik"], keys.niks)
    known = np.flatnonzero(nik >= 0)
    key = pd.Index(nik[known] * 100_000 + month_number(earlier["periode"].iloc[known].astype("str")).to_numpy())
    first = ~key.duplicated()
    if not first.any():
        return None, missing
    index, rows = key[first], known[first]
    where = index.get_indexer(keys.nik.astype(np.int64) * 100_000 + keys.months - 12)
    found = where >= 0
    return earlier.take(rows[np.where(found, where, 0)]).reset_index(drop=True), found


def check_factor_codes(factors: pd.DataFrame | None, books: list[Rulebook]) -> None:
    """Refuse a findings frame (data-contract §1.4) without the FAKTOR columns, or with a code none of `books`
    lists as a faktor pengurang (rulebook.md §7): ScoringInputError naming the unknown codes. None or empty: no
    findings, nothing to check."""
    if factors is None or factors.empty:
        return
    require_columns(factors, FAKTOR, "factors")
    known = {code for book in books for code in book.faktor_kode}
    unknown = sorted(set(factors["kode"]) - known)
    if unknown:
        raise ScoringInputError(f"unknown faktor_pengurang code(s): {', '.join(unknown)}")


def active_factors(keys: Rows, factors: pd.DataFrame | None, book: Rulebook) -> pd.DataFrame:
    """(baris, kode) of every factor of the book in force for a row's period, sorted, each pair once."""
    columns = {"baris": np.array([], dtype=np.int64), "kode": pd.Series([], dtype="str")}
    if factors is None or factors.empty or not book.faktor_kode:
        return pd.DataFrame(columns)
    found = factors[factors["kode"].isin(book.faktor_kode)]
    nik = place_in(found["nik"], keys.niks)
    found, nik = found[nik >= 0], nik[nik >= 0]
    # every report row of each factor's nik: the rows sorted by nik, a range per factor
    order = np.argsort(keys.nik, kind="stable")
    first = np.searchsorted(keys.nik[order], nik, side="left")
    count = np.searchsorted(keys.nik[order], nik, side="right") - first
    factor = np.repeat(np.arange(len(found)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    row = order[first[factor] + offset]
    start = month_number(found["berlaku_mulai"].astype("str")).to_numpy()[factor]
    end = found["berlaku_sampai"]
    until = np.where(end.isna(), np.iinfo(np.int64).max,
                     month_number(end.fillna(found["berlaku_mulai"]).astype("str")).to_numpy())[factor]
    active = (start <= keys.months[row]) & (keys.months[row] <= until)
    pairs = pd.DataFrame({"baris": row[active].astype(np.int64),
                          "kode": found["kode"].astype("str").to_numpy()[factor[active]]})
    return pairs.drop_duplicates().sort_values(["baris", "kode"]).reset_index(drop=True)


def code_lists(active: pd.DataFrame, n: int) -> pd.Series:
    """One list of codes per row, built as an Arrow list column (no per-row Python)."""
    counts = np.bincount(active["baris"].to_numpy(dtype=np.int64), minlength=n)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), type=pa.int32())
    lists = pa.ListArray.from_arrays(offsets, pa.array(active["kode"].to_numpy(dtype=object), type=pa.string()))
    return pd.Series(lists, dtype=pd.ArrowDtype(pa.list_(pa.string())))
