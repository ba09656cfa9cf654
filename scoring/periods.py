"""Period arithmetic on YYYY-MM texts: month numbers, the month before, ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd


MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def month_name(periode: str) -> str:
    """2026-10 -> Oktober 2026."""
    year, number = periode.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def month_number(periode: pd.Series | str) -> pd.Series | int:
    """Months since year 0, so that differences of periods are month counts (int64, indexed like `periode`).

    Each distinct period is parsed once: a national history has half a million rows of a few dozen periods.
    Raises ValueError for a missing or malformed period."""
    if isinstance(periode, str):
        return int(periode[:4]) * 12 + int(periode[5:7])
    codes, distinct = pd.factorize(periode, use_na_sentinel=False)
    text = pd.Series(distinct, dtype="str")
    numbers = text.str.slice(0, 4).astype("int64") * 12 + text.str.slice(5, 7).astype("int64")
    return pd.Series(numbers.to_numpy()[codes], index=periode.index)


def last_day(periode: str) -> pd.Timestamp:
    """The last day of a YYYY-MM period (midnight): what is dated at or before the period's end is dated on or before
    it (rulebook §5: the latest questionnaire; the registry's aktif)."""
    return pd.Timestamp(periode + "-01") + pd.offsets.MonthEnd(0)


def previous_period(periode: str) -> str:
    """The month before a YYYY-MM period (January -> December of the year before)."""
    year, month = int(periode[:4]), int(periode[5:7])
    return f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Every YYYY-MM period from first to last, in order."""
    return [f"{n // 12}-{n % 12 + 1:02d}" for n in range(month_number(first) - 1, month_number(last))]


def period_span(periods: list[str]) -> str:
    """Consecutive months in words: one ("2026-08"), or the first and the last ("2026-08 s.d. 2026-10")."""
    return periods[0] if len(periods) == 1 else f"{periods[0]} s.d. {periods[-1]}"


def shift_period(periode: str, months: int) -> str:
    """The YYYY-MM period `months` months after (negative: before) `periode`."""
    n = month_number(periode) - 1 + months
    return f"{n // 12}-{n % 12 + 1:02d}"


def period_names(numbers: np.ndarray) -> np.ndarray:
    """YYYY-MM of month numbers (`month_number`), each distinct month formatted once."""
    distinct, inverse = np.unique(np.asarray(numbers, dtype=np.int64), return_inverse=True)
    return np.array([f"{(m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in distinct], dtype=object)[inverse]
