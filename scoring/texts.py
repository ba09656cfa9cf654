"""Numbers and ranges in the words a supervisor reads: 1.234.567 and 78,50 (Indonesian), "10 < x <= 15"."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.rulebook import Band

_SWAP = str.maketrans({",": ".", ".": ","})  # 1,234.50 -> 1.234,50


def angka(values: pd.Series | np.ndarray, decimals: int = 2) -> pd.Series:
    """Numbers with a thousands dot and a decimal comma (78,50; 1.234.567); empty text for a missing value."""
    series = pd.Series(values, dtype="float64")
    text = series.map(lambda v: "" if np.isnan(v) else f"{v:,.{decimals}f}".translate(_SWAP))
    return text.astype("str")


def rupiah(values: pd.Series | np.ndarray) -> pd.Series:
    """Rupiah amounts to the whole Rupiah: Rp 170.000.000, Rp -8.280.000."""
    return "Rp " + angka(values, 0)


def edge(value: float) -> str:
    """A band edge as the rulebook prints it: 15, 7,5."""
    return f"{value:g}".replace(".", ",")


def rentang(band: Band) -> str:
    """A band as a range of the ratio x: '10 < x <= 15', 'x > 20', 'x <= 0'."""
    low = band.lower and f"{edge(band.lower[0])} {'<=' if band.lower[1] else '<'} "
    high = band.upper and f" {'<=' if band.upper[1] else '<'} {edge(band.upper[0])}"
    if low and high:
        return f"{low}x{high}"
    if low:
        return f"x {'>=' if band.lower[1] else '>'} {edge(band.lower[0])}"
    return f"x{high}" if high else "semua x"


def nilai(values: pd.Series | np.ndarray) -> pd.Series:
    """A nilai or a points figure with at most two decimals and no trailing zeros: 25, 66,67, 7,5."""
    return angka(values, 2).str.replace(r",?0+$", "", regex=True).where(lambda t: t != "", "0")


def gabung(texts: pd.Series | np.ndarray, keys: pd.DataFrame, sep: str = "; ") -> pd.Series:
    """The texts of each key joined in their order: a Series indexed by the distinct keys (a MultiIndex, or a
    plain index for one key column), without a Python call per key."""
    def index_of(frame: pd.DataFrame) -> pd.Index:
        return pd.Index(frame.iloc[:, 0]) if frame.shape[1] == 1 else pd.MultiIndex.from_frame(frame)

    texts = pd.Series(np.asarray(texts, dtype=object), dtype="str")
    if texts.empty:
        return pd.Series([], dtype="str", index=index_of(keys))
    rank = keys.groupby(list(keys.columns), sort=False).cumcount().to_numpy()
    table = pd.Series(texts.to_numpy(), index=pd.MultiIndex.from_frame(keys.assign(_rank=rank))).unstack("_rank")
    joined = table[0]
    for column in table.columns[1:]:
        joined = joined + (sep + table[column]).fillna("")
    joined.index = index_of(joined.index.to_frame(index=False))
    return joined.reindex(index_of(keys.drop_duplicates())).astype("str")
