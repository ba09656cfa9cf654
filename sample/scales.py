"""What a sample is: its months, its scale (size and shape of the landing folder), and the calendar helpers the
generator's modules share."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandera.pandas as pa

from scoring.rulebook import books_in_force
from scoring.rulebook_format import PERIODE

LAST_PERIOD = "2026-10"  # the last period of data/sample and data/sample_dirty
SAMPLE_MONTHS = 34  # months of reports a sample holds, its last period included

JENIS = ("ksp", "usp", "kspps", "uspps", "konsumen", "produsen", "pemasaran", "jasa")
SIMPAN_PINJAM = ("ksp", "usp", "kspps", "uspps")
PROVINSI = ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34",
            "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74",
            "75", "76", "81", "82", "91", "92", "93", "94", "95", "96")


@dataclass(frozen=True)
class Scale:
    """Size and shape of a generated landing folder."""

    jenis_counts: dict[str, int]
    n_aktif: int
    provinsi: tuple[str, ...]
    format_laporan: str


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to weights that sum exactly to total (largest remainder)."""
    exact = total * np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[: total - counts.sum()]] += 1
    return counts


_NASIONAL_JENIS = dict(zip(JENIS, apportion(
    130_000, np.array([0.105, 0.02, 0.01, 0.0035, 0.43, 0.19, 0.07, 0.1715])).tolist()))
SCALES = {
    "kaltara": Scale({"ksp": 28, "usp": 12, "kspps": 4, "uspps": 2, "konsumen": 25,
                      "produsen": 16, "pemasaran": 10, "jasa": 12}, 68, ("65",), "csv"),
    "national": Scale(_NASIONAL_JENIS, 107_900, PROVINSI, "parquet"),
}


@dataclass(frozen=True)
class Months:
    """The months of a sample's reports: SAMPLE_MONTHS months ending at its last period."""

    bulan: np.ndarray  # datetime64[M], oldest first

    @classmethod
    def ending(cls, last_period: str) -> Months:
        if not re.fullmatch(PERIODE.pattern, last_period):
            raise ValueError(f"last_period {last_period!r} is not YYYY-MM (e.g. {LAST_PERIOD})")
        last = np.datetime64(last_period, "M")
        return cls(np.arange(last - (SAMPLE_MONTHS - 1), last + 1))

    @property
    def first(self) -> np.datetime64:
        return self.bulan[0]

    @property
    def last(self) -> np.datetime64:
        return self.bulan[-1]

    @property
    def akhir(self) -> str:
        """The last period, YYYY-MM."""
        return str(self.last)


def year_of(month: np.datetime64) -> int:
    """The calendar year of a datetime64[M] month."""
    return int(month.astype("datetime64[Y]").astype(np.int64)) + 1970


def month_start(months: np.ndarray) -> np.ndarray:
    """First second of each month (datetime64[M] in, datetime64[s] out)."""
    return months.astype("datetime64[D]").astype("datetime64[s]")


def year_start(years: np.ndarray) -> np.ndarray:
    """1 January of each year as datetime64[D]."""
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def scored_jenis(periode: str) -> tuple[str, ...]:
    """The jenis the books in force for the period score (ksp, usp): their health is spread over every predicate, and
    they get the supervisors' findings."""
    return tuple(dict.fromkeys(j for book in books_in_force(periode) for j in book.jenis))


def contract_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """The columns of an input model of the contract (`schemas.inputs`), in order, without the reader's sumber and
    baris."""
    return [c for c in model.to_schema().columns if c not in ("sumber", "baris")]
