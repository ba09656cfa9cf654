"""Component ratios in percent, exact at the band edges.

A ratio is numerator x scale / (denominator x months) of exact integers (hundredths of a Rupiah; scale 100 for a
plain percent, 1200 for a year-to-date flow annualised x 12 / month). Its float is the correctly rounded double of
that exact quotient: one float division where both operands are exact doubles (below 2^53, every balance of a
real cooperative), exact rational arithmetic for the rare larger ones. Rounding is monotone, so only a ratio whose
double equals an edge's double can sit on either side of the edge: those few are compared exactly, and moved one
unit in the last place off the edge for banding when the exact ratio is not on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

EXACT = 2**53  # integers below this are exact doubles
SMALL = 2**10  # edge fractions with terms below this compare exactly in int64 for exact-double operands


@dataclass(frozen=True)
class Ratio:
    """A component's ratio over its rows (`percent`): three arrays of the rows' length or, for `invalid`, of the
    positions whose denominator is not positive."""

    rasio: np.ndarray  # float64 percent, NaN where the denominator is <= 0
    banded: np.ndarray  # rasio, except one ulp off an edge that the exact ratio is not on: what to band
    invalid: np.ndarray  # positions where the denominator is <= 0


def percent(numerator: np.ndarray, denominator: np.ndarray, scale: int, months: np.ndarray | int,
            edges: list[Fraction], out: np.ndarray | None = None) -> Ratio:
    """The ratio of int64 numerator and denominator (same unit), x scale / months, and its value to band against
    `edges` (the table's inner edges as exact fractions). `months` is 1 for a plain ratio; `out` receives rasio."""
    plain = np.isscalar(months)
    valid = denominator > 0
    small = (np.abs(numerator) < EXACT // scale) & (denominator < EXACT // 12) & valid
    rasio = np.empty(len(numerator)) if out is None else out
    with np.errstate(divide="ignore", invalid="ignore"):  # int64 operands, exact as doubles where small
        np.true_divide(numerator * scale, denominator if plain and months == 1 else denominator * months, out=rasio)
    invalid = np.flatnonzero(~valid)
    rasio[invalid] = np.nan
    months = np.broadcast_to(np.asarray(months, dtype=np.int64), numerator.shape)
    for i in np.flatnonzero(valid & ~small):  # operands beyond exact doubles: exact rationals
        rasio[i] = float(_exact(numerator, denominator, scale, months, i))
    banded = rasio
    for edge in edges:
        on = np.flatnonzero(rasio == float(edge))
        if not len(on):
            continue
        side = _side(numerator[on], denominator[on], scale, months[on], edge)  # -1 below, 0 on, 1 above
        if side.any():
            banded = banded.copy() if banded is rasio else banded
            banded[on] = np.where(side == 0, rasio[on], np.nextafter(rasio[on], np.where(side > 0, np.inf, -np.inf)))
    return Ratio(rasio=rasio, banded=banded, invalid=invalid)


def _exact(numerator: np.ndarray, denominator: np.ndarray, scale: int, months: np.ndarray, i: int) -> Fraction:
    return Fraction(int(numerator[i]) * scale, int(denominator[i]) * int(months[i]))


def _side(numerator: np.ndarray, denominator: np.ndarray, scale: int, months: np.ndarray,
          edge: Fraction) -> np.ndarray:
    """Sign of (exact ratio - edge) for rows whose double equals the edge's double."""
    exact_ints = (np.abs(numerator) < EXACT // scale) & (denominator < EXACT // 12)
    if abs(edge.numerator) < SMALL and edge.denominator < SMALL and exact_ints.all():
        left = numerator * scale * edge.denominator
        right = denominator * months * edge.numerator
        return np.sign(left - right)
    return np.array([(lambda x: (x > edge) - (x < edge))(_exact(numerator, denominator, scale, months, i))
                     for i in range(len(numerator))], dtype=np.int64)
