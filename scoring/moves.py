"""What it takes to bring a ratio into a band that scores higher: the change of its numerator or of its
denominator, in the smallest steps it can take, everything else unchanged (rulebook.md §2-§3, §8).

Exact arithmetic throughout. Report lines are whole Rupiah and a derived quantity is an integer sum in
hundredths of a Rupiah (its coefficients are whole percents, as the rulebook loader enforces); band edges are
decimal fractions a/b. A component's ratio is

    x = N * P / (D * M) percent,   N, D in hundredths of a Rupiah,

with P = 100 and M = 1, or, for an annualised ratio, P = 1200 and M = the month (N is then the year-to-date
figure, and so is its target). A move changes N (or D) by a whole number of Rupiah, the other lines unchanged;
a derived quantity that holds sen now (a line counted at 50% or 75%) moves in its smallest step instead (`step`:
risiko_pinjaman_bermasalah = 50% kurang lancar + 75% diragukan + 100% macet moves in Rp 0,25), so that a target
on an edge (a quantity of 0, a whole figure) is met exactly;
when every line of N is also in D in one proportion s (partisipasi bruto in pendapatan usaha: s = 1), D moves
with N by s times the change. Each band edge is then a linear condition on the change, solved exactly: the
target is the nearest step whose ratio lies inside the band (on an inclusive edge when it can be met
exactly), with D staying positive. Products are int64 when they fit (balances up to about Rp 5 x 10^12),
otherwise Python integers.

Which quantity moves: the one whose change is smaller in Rupiah (the numerator on a tie). For one cooperative
that is also the smaller share of its total aset, the measure of the cheapest combination
(`scoring.combination`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from scoring import inputs
from scoring.rulebook_format import Band, Komponen, Mode, NilaiBand, Rulebook

PEMBILANG, PENYEBUT = "pembilang", "penyebut"
_INT64_SAFE = 2**62


def quantity(reports: pd.DataFrame, book: Rulebook, name: str) -> np.ndarray:
    """A report line or derived quantity of each row, as exact int64 hundredths of a Rupiah."""
    parts = [int(c) * inputs.money(reports, line) for line, c in book.lines(name).items() if c]
    return np.sum(parts, axis=0, dtype=np.int64) if parts else np.zeros(len(reports), dtype=np.int64)


def step(book: Rulebook, name: str) -> int:
    """The smallest change of a report line or derived quantity, in hundredths of a Rupiah: 100 for a line (whole
    Rupiah), the greatest common divisor of a quantity's coefficients in percent otherwise (25: Rp 0,25)."""
    return math.gcd(*(int(abs(c)) for c in book.lines(name).values() if c)) or 100


def target_bands(komponen: Komponen, mode: Mode) -> list[NilaiBand]:
    """The bands a ratio can move into: its table, or, for a linear component scored by its line, the one range
    where the line gives its maximum 100 (a line has no bands; rulebook.md §3)."""
    line = komponen.linear
    if mode != "linear" or line is None:
        return list(komponen.tabel)
    top = (100 - line.awal) / line.kemiringan + 0.0  # + 0.0: no "-0" edge
    return [NilaiBand(ge=top, nilai=100) if line.kemiringan > 0 else NilaiBand(le=top, nilai=100)]


@dataclass(frozen=True)
class Moves:
    """One move per row: the quantity moved, its change and the ratio it gives (invalid: no value of either quantity,
    in its steps, brings the ratio into the band)."""

    valid: np.ndarray  # bool
    penyebut: np.ndarray  # bool: the denominator moves (else the numerator)
    perubahan: np.ndarray  # float Rupiah, signed: a whole number of the quantity's steps
    rasio: np.ndarray  # float percent after the move


def shared(book: Rulebook, komponen: Komponen) -> Fraction:
    """s when every line of the numerator is also in the denominator with s times its coefficient, else 0."""
    top, bottom = book.lines(komponen.pembilang), book.lines(komponen.penyebut)
    shares = {Fraction(bottom.get(line, 0)) / Fraction(c) for line, c in top.items() if c}
    return shares.pop() if len(shares) == 1 else Fraction(0)


def into_band(band: Band, numerator: np.ndarray, denominator: np.ndarray, per_year: int, months: np.ndarray,
              share: Fraction = Fraction(0), steps: tuple[int, int] = (100, 100)) -> Moves:
    """The cheaper of the numerator's and the denominator's moves into `band` for each row (D > 0 on every row).

    `per_year` is P (100, or 1200 for an annualised ratio), `months` is M per row (1, or the month), `share` is s
    (`shared`), `steps` the numerator's and the denominator's `step` in hundredths of a Rupiah, taken by a row whose
    quantity is not a whole Rupiah now (the others move in whole Rupiah)."""
    edges = [(_rational(limit[0]), limit[1]) for limit in (band.lower, band.upper) if limit is not None]
    factor = max([abs(a) * 12 + per_year * b for (a, b), _ in edges] or [1]) * share.denominator * (share.numerator + 1)
    size = max(int(np.abs(numerator).max(initial=0)), int(np.abs(denominator).max(initial=0)), 1)
    kind, unbounded = (np.int64, _INT64_SAFE) if size * factor * 400 < _INT64_SAFE else (object, 10**40)
    n, d, m = numerator.astype(kind), denominator.astype(kind), months.astype(kind)
    u, v = share.numerator, share.denominator
    gn, gd = (np.where(q % 100 == 0, 100, g).astype(kind) for q, g in ((n, steps[0]), (d, steps[1])))
    # N' = N + g delta, D' = D + s g delta:  x' >= a/b  <=>  g delta (P b v - a M u) >= a M D v - N P b v
    by_n = _solve(band, lambda a, b: (gn * (per_year * b * v - a * m * u), a * m * d * v - n * (per_year * b * v)),
                  (gn * u, -d * v), unbounded)
    # D' = D + g delta:  x' >= a/b  <=>  -g a M delta >= a M D - N P b
    by_d = _solve(band, lambda a, b: (-gd * a * m, a * m * d - n * (per_year * b)), (gd, -d), unbounded)
    ok_n, ok_d = _possible(*by_n), _possible(*by_d)
    dn, dd = np.where(ok_n, _closest(*by_n), 0) * gn, np.where(ok_d, _closest(*by_d), 0) * gd  # hundredths
    use_d = ok_d & (~ok_n | (np.abs(dd) < np.abs(dn)))
    change = np.where(use_d, dd, dn)
    new_n = np.where(use_d, n, n + change)
    new_d = np.where(use_d, d + change, d + (u * change) // v)
    valid = ok_n | ok_d
    return Moves(valid=valid, penyebut=use_d, perubahan=change.astype(np.int64) / 100,
                 rasio=np.where(valid, _ratio(new_n * per_year, new_d * m), np.nan))


def _rational(value: float) -> tuple[int, int]:
    exact = Fraction(repr(value))
    return exact.numerator, exact.denominator


def _solve(band: Band, lower_edge, positive: tuple, unbounded: int) -> tuple[np.ndarray, np.ndarray]:
    """[low, high] of the whole-Rupiah changes that keep x' inside the band and D' > 0.

    `lower_edge(a, b)` gives (Y, X) of the condition x' >= a/b as Y delta >= X (Y, X arrays); x' <= a/b is
    -Y delta >= -X; `positive` is (Y, X) of D' > 0 as Y delta > X."""
    n = len(positive[1])
    low, high = np.full(n, -unbounded, dtype=positive[1].dtype), np.full(n, unbounded, dtype=positive[1].dtype)
    conditions = [(*positive, True)]
    for lower, limit in ((True, band.lower), (False, band.upper)):
        if limit is not None:
            y, x = lower_edge(*_rational(limit[0]))
            conditions.append((y, x, not limit[1]) if lower else (-y, -x, not limit[1]))
    for y, x, strict in conditions:
        y = np.broadcast_to(np.asarray(y, dtype=low.dtype), low.shape)
        safe = np.where(y == 0, 1, y)
        exact = x % safe == 0
        floor, ceil = x // safe, -((-x) // safe)
        above = np.where(strict, np.where(exact, floor + 1, ceil), ceil)  # y > 0: delta >= (or >) x / y
        below = np.where(strict, np.where(exact, floor - 1, floor), floor)  # y < 0: delta <= (or <) x / y
        holds = (0 > x) if strict else (0 >= x)  # y == 0: the condition does not depend on delta
        low = np.where(y > 0, np.maximum(low, above), np.where((y == 0) & ~holds, unbounded, low))
        high = np.where(y < 0, np.minimum(high, below), np.where((y == 0) & ~holds, -unbounded, high))
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
