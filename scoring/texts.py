"""Numbers and ranges in the words a supervisor reads: 1.234.567 and 78,50 (Indonesian), "10 < x <= 15"."""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import groupby

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.rulebook_format import Band

# pieces of a number: the leading group of digits, a following group with its thousands dot, nothing
_GROUPS = pa.array([str(i) for i in range(1000)] + [f".{i:03d}" for i in range(1000)] + [""])
# decimals: none, one (",5"), two (",25")
_DECIMALS = pa.array([""] + [f",{i}" for i in range(10)] + [f",{i:02d}" for i in range(100)])
_SIGN = pa.array(["", "-"])


def missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA (a scalar)."""
    if value is None or type(value) is float:  # the common cases first: a card formats a million numbers
        return value is None or value != value
    return type(value) is not int and not isinstance(value, (str, list, tuple)) and bool(pd.isna(value))


def number(value: object, decimals: int = 2) -> str:
    """One number as `format_number` writes a column's: 1.234.567 and 78,50 (rounded half away from zero); '-'
    for a missing value; 'tak hingga' for an infinite one (a column never holds one)."""
    if missing(value):
        return "-"
    if math.isinf(value):
        return "tak hingga" if value > 0 else "-tak hingga"
    scaled = math.floor(abs(float(value)) * 10**decimals + 0.5 + 1e-9)
    whole, fraction = divmod(scaled, 10**decimals)
    sign = "-" if value < 0 and scaled else ""
    text = f"{sign}{whole:,}".replace(",", ".")
    return f"{text},{fraction:0{decimals}d}" if decimals else text


def trimmed(value: object) -> str:
    """One number as `format_nilai` writes a column's: at most two decimals, no trailing zeros (25; 66,67; 7,5)."""
    text = number(value)
    return text.rstrip("0").rstrip(",") if "," in text else text


def format_number(values: pd.Series | np.ndarray, decimals: int = 2) -> pd.Series:
    """Numbers with a thousands dot and a decimal comma (78,50; 1.234.567), rounded half up; empty text for a
    missing value. `decimals` is 0, 1 or 2. Vectorised: each piece is taken from a small table of texts."""
    return _number(values, decimals, trim="")


def format_nilai(values: pd.Series | np.ndarray) -> pd.Series:
    """A nilai or a points figure with at most two decimals and no trailing zeros: 25, 66,67, 7,5."""
    return _number(values, 2, trim="zeros")


def _number(values: pd.Series | np.ndarray, decimals: int, trim: str) -> pd.Series:
    """trim: "" every decimal; "zeros" no trailing zeros (7,5; 25); "whole" none for a whole number, else every
    decimal (Rp 7,50; Rp 25)."""
    x = np.asarray(values, dtype=float)
    missing = np.isnan(x)
    scaled = np.floor(np.round(np.abs(np.where(missing, 0, x)) * 10**decimals, 6) + 0.5).astype(np.int64)
    whole, fraction = scaled // 10**decimals, scaled % 10**decimals
    top = np.searchsorted(1000 ** np.arange(1, 7), whole, side="right")  # the leading group: 0 below 1,000
    pieces = [pc.take(_SIGN, pa.array(((x < 0) & (scaled > 0)).astype(np.int64)))]
    for group in range(int(top.max(initial=0)), -1, -1):
        digits = (whole // 1000**group) % 1000
        pieces.append(pc.take(_GROUPS, pa.array(np.select([top == group, top > group], [digits, 1000 + digits], 2000))))
    shown = np.full(len(x), decimals)
    if trim:  # drop trailing zeros: 7,50 -> 7,5 ("zeros"); 25,00 -> 25
        shown = np.where(fraction == 0, 0, decimals if trim == "whole" else np.where(fraction % 10 == 0, 1, decimals))
        fraction = np.where(shown == 1, fraction // 10 ** (decimals - 1), fraction)
    pieces.append(pc.take(_DECIMALS, pa.array(np.select([shown == 1, shown == 2], [1 + fraction, 11 + fraction], 0))))
    text = pc.binary_join_element_wise(*pieces, "")
    if missing.any():
        text = pc.if_else(pa.array(missing), "", text)
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(pd.arrays.ArrowStringArray(text), index=index).astype("str")


def format_rupiah(values: pd.Series | np.ndarray, sen: bool = False) -> pd.Series:
    """Rupiah amounts to the whole Rupiah: Rp 170.000.000, Rp -8.280.000; with `sen`, an amount that is not whole
    keeps its sen, two decimals (a derived quantity: Rp 118.468.235,50; Rp 0,25; "…,5" beside "…,75" read as two
    kinds of number: new-user trial)."""
    return concat_texts("Rp ", _number(values, 2, trim="whole") if sen else format_number(values, 0))


def choose_texts(labels: list[str | None] | np.ndarray, index: np.ndarray) -> pd.Series:
    """labels[index] as a str Series (an index of -1, or a label None, is missing): a take from a small table, no
    Python string per row."""
    table = pa.array(list(labels) + [None], type=pa.string())
    at = np.where(np.asarray(index) < 0, len(table) - 1, index)
    return pd.Series(pd.arrays.ArrowStringArray(pc.take(table, pa.array(at))), dtype="str")


def concat_texts(*parts: pd.Series | np.ndarray | str) -> pd.Series:
    """Texts joined element-wise in one Arrow call (a missing part makes the result missing), from Series,
    arrays and single texts; indexed like the first Series among the parts."""
    index = next((part.index for part in parts if isinstance(part, pd.Series)), None)
    arrays = [part if isinstance(part, str) else pa.array(part, type=pa.string(), from_pandas=True)
              for part in parts]
    joined = pc.binary_join_element_wise(*arrays, "")
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=index).astype("str")


def row_ranges(rows: Iterable[int]) -> str:
    """Row numbers, sorted, as runs: '2-38', '4, 9-10'."""
    ordered = sorted(set(rows))
    runs = [[n for _, n in run] for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0])]
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def rows_by_reason(sumber: Iterable[str], baris: Iterable[int], alasan: Iterable[list[str]]
                   ) -> list[tuple[str, str, str, int]]:
    """Quarantined rows (the karantina table's columns) as one line per file and reasons, in the order first seen:
    (sumber, 'baris 723-761 (39 baris)', the reasons joined by '; ', how many rows). A questionnaire set refused
    whole was 37 lines of one reason (new-user trials: jelaskan, then the card)."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for file, line, reasons in zip(sumber, baris, alasan):
        grouped.setdefault((file, "; ".join(reasons)), []).append(int(line))
    return [(file, f"baris {row_ranges(lines)}" + f" ({number(len(lines), 0)} baris)" * (len(lines) > 1), reasons,
             len(lines)) for (file, reasons), lines in grouped.items()]


def edge_text(value: float) -> str:
    """A band edge as the rulebook prints it: 15, 7,5."""
    return f"{value:g}".replace(".", ",")


def band_range(band: Band) -> str:
    """A band as a range of the ratio x: '10 < x <= 15', 'x > 20', 'x <= 0'."""
    low = band.lower and f"{edge_text(band.lower[0])} {'<=' if band.lower[1] else '<'} "
    high = band.upper and f" {'<=' if band.upper[1] else '<'} {edge_text(band.upper[0])}"
    if low and high:
        return f"{low}x{high}"
    if low:
        return f"x {'>=' if band.lower[1] else '>'} {edge_text(band.lower[0])}"
    return f"x{high}" if high else "semua x"


def join_per_key(texts: pd.Series | np.ndarray, keys: pd.DataFrame, sep: str = "; ", most: int | None = None,
                 other: str = "lain") -> pd.Series:
    """The texts of each key joined in their order: a Series indexed by the distinct keys (a MultiIndex, or a
    plain index for one key column), without a Python call per key. `most` (1 or more): at most so many texts a
    key, then '<sep>dan N <other>' (a key's text stays short however many rows it has: 6,000 copies of one report each
    named all the others, minutes and 7 GB; hostile trial)."""
    def index_of(frame: pd.DataFrame) -> pd.Index:
        return pd.Index(frame.iloc[:, 0]) if frame.shape[1] == 1 else pd.MultiIndex.from_frame(frame)

    texts = pd.Series(np.asarray(texts, dtype=object), dtype="str")
    if texts.empty:
        return pd.Series([], dtype="str", index=index_of(keys))
    keys = keys.reset_index(drop=True)
    rank = keys.groupby(list(keys.columns), sort=False).cumcount().to_numpy()
    kept = np.ones(len(keys), dtype=bool) if most is None else rank < most
    table = pd.Series(texts.to_numpy()[kept], index=pd.MultiIndex.from_frame(keys[kept].assign(_rank=rank[kept])))
    table = table.unstack("_rank")
    joined = table[0]
    for column in table.columns[1:]:
        joined = joined + (sep + table[column]).fillna("")
    joined.index = index_of(joined.index.to_frame(index=False))
    joined = joined.reindex(index_of(keys.drop_duplicates())).astype("str")
    if most is not None:
        more = pd.Series(keys.groupby(list(keys.columns), sort=False).size().reindex(joined.index).to_numpy() - most,
                         index=joined.index)
        joined = joined.where(more <= 0, joined + f"{sep}dan " + format_number(more.clip(lower=0), 0).to_numpy()
                              + f" {other}")
    return joined
