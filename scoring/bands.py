"""Vectorised banding and rounding, shared by component tables and predicates."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from scoring.rulebook_format import Band, Linear

FEW_EDGES = 16  # up to this many inner edges a value's band is found by comparisons, beyond by binary search


def edges(bands: Sequence[Band]) -> tuple[np.ndarray, np.ndarray, bool]:
    """The inner edges of a band table in ascending order, whether each edge belongs to the band above it, and
    whether the table is listed descending (predicates are listed best first).

    The loader guarantees the bands cover every real number once (`check_bands`): each inner edge closes one
    band and opens the next."""
    descending = bands[0].upper is None and len(bands) > 1
    ordered = list(bands)[::-1] if descending else list(bands)
    inner = [(band.upper[0], not band.upper[1]) for band in ordered[:-1]]  # (edge, belongs to the band above)
    return np.array([e for e, _ in inner], dtype=float), np.array([up for _, up in inner], dtype=bool), descending


def band_index(x: np.ndarray, bands: Sequence[Band]) -> np.ndarray:
    """Index (in the order the bands are listed) of the band holding each value; -1 for NaN.

    Compared at full precision: a value equal to an edge goes to the band whose side of the edge is closed. A
    value passes an edge closing the band below (x <= e) when x > e, and one opening the band above (x >= e) when
    x >= e: the edges passed are counted, one comparison per edge for a rulebook's few edges (4x faster on a
    million values than a binary search), one binary search over each kind of edge for a long table."""
    edge, above, descending = edges(bands)
    x = np.asarray(x, dtype=float)
    if len(edge) > FEW_EDGES:
        index = np.searchsorted(edge[~above], x, side="left")
        if above.any():
            index += np.searchsorted(edge[above], x, side="right")
    else:
        index = np.zeros(x.shape, dtype=np.intp)
        for e, up in zip(edge.tolist(), above.tolist()):
            np.add(index, np.greater_equal(x, e) if up else np.greater(x, e), out=index)
    if descending:
        index = len(bands) - 1 - index
    nan = np.isnan(x)
    if nan.any():
        index[nan] = -1
    return index


def edge_fractions(bands: Sequence[Band]) -> list[Fraction]:
    """The inner edges as exact fractions of their decimal text (7.5 -> 15/2, 0.1 -> 1/10)."""
    return [Fraction(str(e)) for e in edges(bands)[0]]


def linear_nilai(x: np.ndarray, line: Linear) -> np.ndarray:
    """The text rule read as a line, clamped to 0..100."""
    nilai = np.clip(line.awal + line.kemiringan * x, 0.0, 100.0)
    if line.nol_mulai is not None:
        nilai = np.where(x >= line.nol_mulai, 0.0, nilai)
    return nilai


def round_half_up(x: np.ndarray, decimals: int, out: np.ndarray | None = None) -> np.ndarray:
    """Round half away from zero after removing binary noise (65.9999999 -> 66.00): sign(y) x floor(|y| + 0.5),
    y = x scaled to the decimals and rounded to 6 decimals. Computed in one array (a new one, or `out`: x itself
    may be given) and the signs: the engine rounds whole columns of a million rows."""
    scale = 10.0**decimals
    x = np.asarray(x, dtype=float)  # a Series, a list, ints: as floats (no copy of a float array)
    scaled = np.multiply(x, scale, out=np.empty(x.shape) if out is None else out)
    np.round(scaled, 6, out=scaled)
    sign = np.sign(scaled)
    np.abs(scaled, out=scaled)
    scaled += 0.5
    np.floor(scaled, out=scaled)
    scaled *= sign
    scaled /= scale
    return scaled[()]  # a number for a number
