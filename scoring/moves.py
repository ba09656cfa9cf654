"""What it takes to bring a ratio into a band that scores higher: the whole-Rupiah change of its numerator or of
its denominator, everything else unchanged (rulebook.md §2-§3, §8).

Exact arithmetic throughout. Report lines are whole Rupiah and a derived quantity is an integer sum in
hundredths of a Rupiah (its coefficients are whole percents, as the rulebook loader enforces); band edges are
decimal fractions a/b. A component's ratio is

    x = N * P / (D * M) percent,   N, D in hundredths of a Rupiah,

with P = 100 and M = 1, or, for an annualised ratio, P = 1200 and M = the month (N is then the year-to-date
figure, and so is its target). A move changes N (or D) by a whole number of Rupiah, D (or N) unchanged; the
target is the nearest such value whose ratio lies inside the band: on an inclusive edge when the edge can be
met exactly, otherwise the closest whole Rupiah inside an exclusive (or inexact) edge. Products are int64 when
they fit (balances up to about Rp 5 x 10^12), otherwise Python integers.

Which quantity moves: the one whose change is smaller in Rupiah (the numerator on a tie). For one cooperative
that is also the smaller share of its total aset, the measure of the cheapest combination
(`scoring.combination`). The denominator moves only while the numerator is positive (a ratio with a zero or
negative numerator cannot be lifted by its denominator) and stays positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from scoring import inputs
from scoring.rulebook import Band, Komponen, Mode, NilaiBand, Rulebook

PEMBILANG, PENYEBUT = "pembilang", "penyebut"
_INT64_SAFE = 2**62


def quantity(reports: pd.DataFrame, book: Rulebook, name: str) -> np.ndarray:
    """A report line or derived quantity of each row, as exact int64 hundredths of a Rupiah."""
    parts = [int(c) * inputs.money(reports, line) for line, c in book.lines(name).items() if c]
    return np.sum(parts, axis=0, dtype=np.int64) if parts else np.zeros(len(reports), dtype=np.int64)


def target_bands(komponen: Komponen, mode: Mode) -> list[NilaiBand]:
    """The bands a ratio can move into: its table, or, for a linear component scored by its line, the one range
    where the line gives its maximum 100 (a line has no bands; rulebook.md §3)."""
    line = komponen.linear
    if mode != "linear" or line is None:
        return list(komponen.tabel)
    top = (100 - line.awal) / line.kemiringan
    return [NilaiBand(ge=top, nilai=100) if line.kemiringan > 0 else NilaiBand(le=top, nilai=100)]


@dataclass(frozen=True)
class Moves:
    """One move per row: the quantity moved, its change and the ratio it gives (invalid: no whole-Rupiah value of
    either quantity brings the ratio into the band)."""

    valid: np.ndarray  # bool
    penyebut: np.ndarray  # bool: the denominator moves (else the numerator)
    perubahan: np.ndarray  # int64 Rupiah, signed
    rasio: np.ndarray  # float percent after the move


def into_band(band: Band, numerator: np.ndarray, denominator: np.ndarray, per_year: int,
              months: np.ndarray) -> Moves:
    """The cheaper of the numerator's and the denominator's moves into `band` for each row (D > 0 on every row).

    `per_year` is P (100, or 1200 for an annualised ratio) and `months` is M per row (1, or the month)."""
    edges = [(_rational(limit[0]), limit[1]) for limit in (band.lower, band.upper) if limit is not None]
    factor = max([abs(a) * 12 + per_year * b for (a, b), _ in edges] or [1])
    size = max(int(np.abs(numerator).max(initial=0)), int(np.abs(denominator).max(initial=0)), 1)
    kind, unbounded = (np.int64, _INT64_SAFE) if size * factor * 4 < _INT64_SAFE else (object, 10**40)
    n, d, m = numerator.astype(kind), denominator.astype(kind), months.astype(kind)
    by_n = _numerator_range(band, n, d, per_year, m, unbounded)
    by_d = _denominator_range(band, n, d, per_year, m, unbounded)
    ok_n, ok_d = _possible(*by_n), _possible(*by_d) & (n > 0)
    dn, dd = np.where(ok_n, _closest(*by_n), 0), np.where(ok_d, _closest(*by_d), 0)
    use_d = ok_d & (~ok_n | (np.abs(dd) < np.abs(dn)))
    delta = np.where(use_d, dd, dn)
    new_n, new_d = np.where(use_d, n, n + 100 * delta), np.where(use_d, d + 100 * delta, d)
    valid = ok_n | ok_d
    return Moves(valid=valid, penyebut=use_d, perubahan=delta.astype(np.int64),
                 rasio=np.where(valid, _ratio(new_n * per_year, new_d * m), np.nan))


def _rational(value: float) -> tuple[int, int]:
    exact = Fraction(repr(value))
    return exact.numerator, exact.denominator


def _floor(x: np.ndarray, y: np.ndarray | int) -> np.ndarray:
    return x // y


def _ceil(x: np.ndarray, y: np.ndarray | int) -> np.ndarray:
    return -((-x) // y)


def _numerator_range(band: Band, n: np.ndarray, d: np.ndarray, p: int, m: np.ndarray,
                     unbounded: int) -> tuple[np.ndarray, np.ndarray]:
    """[low, high] of the whole-Rupiah changes of N keeping x = (N + 100 delta) P / (D M) inside the band."""
    low, high = np.full(len(n), -unbounded, dtype=n.dtype), np.full(len(n), unbounded, dtype=n.dtype)
    for lower, limit in ((True, band.lower), (False, band.upper)):
        if limit is None:
            continue
        (a, b), inclusive = _rational(limit[0]), limit[1]
        x, y = a * d * m - n * (p * b), 100 * p * b  # x' >= a/b  <=>  100 delta P b >= a D M - N P b
        if lower:
            low = _ceil(x, y) if inclusive else _floor(x, y) + 1
        else:
            high = _floor(x, y) if inclusive else _ceil(x, y) - 1
    return low, high


def _denominator_range(band: Band, n: np.ndarray, d: np.ndarray, p: int, m: np.ndarray,
                       unbounded: int) -> tuple[np.ndarray, np.ndarray]:
    """[low, high] of the whole-Rupiah changes of D keeping x = N P / ((D + 100 delta) M) inside the band and
    D > 0, for N > 0 (x > 0: a lower edge <= 0 always holds, an upper edge <= 0 never does)."""
    low, high = _floor(-d, 100) + 1, np.full(len(n), unbounded, dtype=n.dtype)
    for lower, limit in ((True, band.lower), (False, band.upper)):
        if limit is None:
            continue
        (a, b), inclusive = _rational(limit[0]), limit[1]
        if a <= 0:
            high = high if lower else np.full(len(n), -unbounded, dtype=n.dtype)
            continue
        x, y = n * (p * b) - a * d * m, 100 * a * m  # x' >= a/b  <=>  (D + 100 delta) a M <= N P b
        if lower:
            high = np.minimum(high, _floor(x, y) if inclusive else _ceil(x, y) - 1)
        else:
            low = np.maximum(low, _ceil(x, y) if inclusive else _floor(x, y) + 1)
    return low, high


def _possible(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A change exists, and zero is not one (the ratio is outside the band now)."""
    return ((low <= high) & ((low > 0) | (high < 0))).astype(bool)


def _closest(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The change nearest zero inside [low, high] (zero outside it)."""
    return np.where(low > 0, low, high)


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    if top.dtype == object:
        return (top / bottom).astype(float)  # Python integers: a correctly rounded true division
    return (top.astype(np.longdouble) / bottom.astype(np.longdouble)).astype(float)
