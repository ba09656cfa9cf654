"""What the office hands around, rendered from a period's published tables: the workbook, the report, a card per
cooperative and the feedback to cooperatives whose rows were quarantined.

    tables = load_tables(output, "2026-10", settings())          # or the frames a run has in hand
    paths = write_reports(tables, "2026-10", folder, settings())  # folder: <output>/laporan/periode=2026-10 (staged)

Every file opens offline (styles, charts and text inline; nothing fetched), and the same tables give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.config import Settings
from flows.handouts.cards import write_cards
from flows.handouts.feedback import write_feedback
from flows.handouts.report import write_report
from flows.handouts.tables import TABLES, Published, load_tables
from flows.handouts.workbook import write_workbook

CARDS, FEEDBACK = "kartu", "umpan_balik"


def write_reports(tables: dict[str, pd.DataFrame], periode: str, folder: Path, settings: Settings) -> list[Path]:
    """Write the period's documents into `folder` (made if missing) and return their paths:
    `ringkasan_<periode>.xlsx`, `laporan_<periode>.html`, `kartu/<nik>.html` and `umpan_balik/<nik>.xlsx`.

    `tables`: the period's rows of the eleven tables (`TABLES`), and for skor_koperasi and ringkasan_wilayah also
    the rows of the `settings.trend_periods - 1` periods before it (as `load_tables` reads them); a missing table
    is taken as empty, a missing column of issue 14 as null."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    published = Published(periode, tables, settings)
    return [write_workbook(published, folder / f"ringkasan_{periode}.xlsx"),
            write_report(published, folder / f"laporan_{periode}.html"),
            *write_cards(published, folder / CARDS), *write_feedback(published, folder / FEEDBACK)]


__all__ = ["CARDS", "FEEDBACK", "TABLES", "load_tables", "write_reports"]
