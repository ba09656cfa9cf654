"""Vectorised banding and rounding, shared by component tables and predicates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scoring.rulebook import Band, Linear


def band_index(x: np.ndarray, bands: Sequence[Band]) -> np.ndarray:
    """Index of the band holding each value (-1 for NaN), compared at full precision."""
    conditions = []
    for band in bands:
        inside = np.ones(x.shape, dtype=bool)
        if band.lower is not None:
            edge, inclusive = band.lower
            inside &= (x >= edge) if inclusive else (x > edge)
        if band.upper is not None:
            edge, inclusive = band.upper
            inside &= (x <= edge) if inclusive else (x < edge)
        conditions.append(inside)
    return np.select(conditions, np.arange(len(bands)), default=-1)


def linear_nilai(x: np.ndarray, line: Linear) -> np.ndarray:
    """The text rule read as a line, clamped to 0..100."""
    nilai = np.clip(line.awal + line.kemiringan * x, 0.0, 100.0)
    if line.nol_mulai is not None:
        nilai = np.where(x >= line.nol_mulai, 0.0, nilai)
    return nilai


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero after removing binary noise (65.9999999 -> 66.00)."""
    scale = 10.0**decimals
    scaled = np.round(np.asarray(x, dtype=float) * scale, 6)
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale
