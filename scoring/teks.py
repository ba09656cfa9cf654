"""Numbers as the office writes them in Indonesian texts."""

from __future__ import annotations

import pandas as pd


def rupiah(value: int) -> str:
    """Whole Rupiah with '.' thousands: -1234567 -> '-1.234.567'."""
    return f"{value:,}".replace(",", ".")


def rupiah_series(values: pd.Series) -> pd.Series:
    """`rupiah` of each value, as text."""
    return values.map(rupiah).astype("str")
