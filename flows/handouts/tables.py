"""The published tables a period's handouts present, read from an output folder or passed in, and the selections the
documents share (the period's rows, the areas, the trend's periods, the run's time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from flows import storage
from flows.config import TIMEZONE, Settings
from flows.handouts.style import PREDICATE_COLOURS
from schemas.outputs import TABLES
from scoring.inputs import is_in
from scoring.periods import shift_period
from scoring.rulebook import books_in_force, rulebooks
from scoring.rulebook_format import Rulebook

HISTORY = ("skor_koperasi", "ringkasan_wilayah")  # read for the trend's periods too (trend, movers, card histories)
PROVINCE, AREA = "provinsi", "kabupaten_kota"  # ringkasan_wilayah.tingkat


def trend_periods(periode: str, count: int) -> list[str]:
    """The period and the `count - 1` before it, oldest first."""
    return [shift_period(periode, -back) for back in range(count - 1, -1, -1)]


def load_tables(output: Path, periode: str, settings: Settings, current: dict[str, pd.DataFrame] | None = None
                ) -> dict[str, pd.DataFrame]:
    """The tables `write_reports` takes, read from an output folder: every table's rows of `periode`, and for
    skor_koperasi and ringkasan_wilayah those of the trend's periods before it as well (a period not published
    reads as no rows). `current`: the period's tables already in hand (a run about to publish them), used instead of
    the published ones; only the earlier periods are read then."""
    periods = trend_periods(periode, settings.trend_periods)[:-1]
    tables = {}
    for name in TABLES:
        now = storage.read_table(output, name, periode) if current is None else current[name]
        earlier = [storage.read_table(output, name, p) for p in periods] if name in HISTORY else []
        tables[name] = pd.concat([*earlier, now], ignore_index=True)
    return tables


@dataclass(frozen=True)
class Published:
    """One period's tables as the documents read them."""

    periode: str
    tables: dict[str, pd.DataFrame]
    settings: Settings
    _now: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def now(self, name: str) -> pd.DataFrame:
        """The rows of the period (a table missing from `tables` has none)."""
        if name not in self._now:
            frame = self.tables.get(name)
            frame = storage.empty_frame(name) if frame is None else frame
            rows = frame["periode"].astype("str") == self.periode
            self._now[name] = frame[rows.to_numpy()].reset_index(drop=True)
        return self._now[name]

    def history(self, name: str) -> pd.DataFrame:
        """The rows of the trend's periods (skor_koperasi, ringkasan_wilayah), oldest first."""
        frame = self.tables[name]
        kept = frame[frame["periode"].astype("str").isin(self.periods).to_numpy()]
        return kept.sort_values("periode", kind="stable").reset_index(drop=True)

    @cached_property
    def owes_report(self) -> np.ndarray:
        """Per row of the period's status_koperasi, whether the cooperative owes a monthly report: it reported before,
        sent any report row up to the period (mutu_pelaporan lists it, counting the month as owed), or its jenis is
        one a book scores. Tidak Melapor lists those of them without an accepted report; the report's coverage is
        theirs (it divided by every aktif cooperative, konsumen and jasa too: new-user trial)."""
        status = self.now("status_koperasi")
        scored_jenis = [jenis for book in self.books for jenis in book.jenis]
        return ((status["bulan_tidak_melapor_berturut"].notna() | status["jenis"].isin(scored_jenis)).to_numpy(bool)
                | is_in(status["nik"], self.now("mutu_pelaporan")["nik"]))

    @cached_property
    def periods(self) -> list[str]:
        """The trend's periods: the period and the ones before it, oldest first (the setting's count)."""
        return trend_periods(self.periode, self.settings.trend_periods)

    @cached_property
    def run_time(self) -> datetime | None:
        """When the period's scores were computed (WITA, without a zone); None for a month with no score."""
        computed = self.now("skor_koperasi")["dihitung_pada"]
        if computed.empty:
            return None
        return pd.Timestamp(computed.max()).tz_convert(TIMEZONE).tz_localize(None).to_pydatetime()

    @property
    def document_time(self) -> datetime:
        """The time a document of the period carries: the run's; for a month with no score, the first moment after
        the period (never the clock's, so the same tables give the same files)."""
        after = pd.Timestamp(self.periode + "-01") + pd.offsets.MonthBegin(1)
        return self.run_time or after.to_pydatetime()

    @cached_property
    def areas(self) -> pd.DataFrame:
        """The ringkasan_wilayah rows of the period's areas: the kabupaten/kota of a province's run, the provinces
        when the run covers several (a national month), in code order."""
        ringkasan = self.now("ringkasan_wilayah")
        provinces = ringkasan[ringkasan["tingkat"] == PROVINCE]
        level = AREA if len(provinces) <= 1 else PROVINCE
        return ringkasan[ringkasan["tingkat"] == level].sort_values("kode_wilayah").reset_index(drop=True)

    @cached_property
    def region(self) -> str:
        """The name the documents carry: the province, or 'Nasional' for a run over several."""
        provinces = self.now("ringkasan_wilayah")
        names = provinces.loc[provinces["tingkat"] == PROVINCE, "kabupaten_kota"].astype("str").tolist()
        return names[0] if len(names) == 1 else "Nasional"

    @cached_property
    def books(self) -> list[Rulebook]:
        """The books behind the period: those that scored its cooperatives (most scored first), else the books in
        force for it (`scoring.rulebook.books_in_force`)."""
        used = self.now("skor_koperasi")["rulebook"].astype("str").value_counts(sort=True)
        return [rulebooks()[b] for b in used.index] or books_in_force(self.periode)

    @cached_property
    def predicate_names(self) -> list[str]:
        """The predicates of the period's books (`books`) and of the previous period's (a predikat_sebelumnya of
        another book at a rulebook change is shown too: review), in PREDICATE_COLOURS' order (best first): what a
        legend lists (every book's seven listed four of them unused: fresh-clone trial)."""
        books = [*self.books, *books_in_force(shift_period(self.periode, -1))]
        in_force = {name for book in books for name in book.predikat_names}
        return [name for name in PREDICATE_COLOURS if name in in_force]

    @property
    def main_book(self) -> Rulebook:
        """The book whose predicate bands the charts shade: the one that scored most of the period's cooperatives."""
        return self.books[0]

