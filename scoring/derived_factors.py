"""The downgrade factors the pipeline derives from the reports (rulebook.md §7), as rows of a factors frame."""

from __future__ import annotations

import pandas as pd

from scoring.inputs import FAKTOR_BERKAS
from scoring.periods import month_number
from scoring.rulebook import book_for
from scoring.rulebook_format import Rulebook
from scoring.texts import format_number

COLUMNS = list(FAKTOR_BERKAS)


def derived_factors(reports: pd.DataFrame, last_report: pd.Series, forced: Rulebook | None = None) -> pd.DataFrame:
    """Factors in force for each report's own period, by the rules of the report's book (`book_for` its period and
    jenis, or the forced book); a book without derived factors (ksp-2009) derives none.

    `last_report` maps nik -> the latest earlier period with a report; a cooperative with no earlier report
    in the history is not held to have missed any (the history may simply start with it).
    """
    if reports.empty:
        return _empty()
    columns = ["periode", "jenis"] if "jenis" in reports.columns else ["periode"]
    keys = [reports[c].astype("str") for c in columns]
    parts = []
    for pair, rows in reports.groupby(keys, sort=False):
        book = book_for(pair[0], pair[1] if len(pair) > 1 else None, forced)
        if book is not None:
            parts.append(_of_book(rows, last_report, book))
    return pd.concat([_empty(), *parts], ignore_index=True)


def _of_book(reports: pd.DataFrame, last_report: pd.Series, book: Rulebook) -> pd.DataFrame:
    rules = book.faktor_pengurang.turunan if book.faktor_pengurang else None
    if rules is None or reports.empty:
        return _empty()
    last = reports["nik"].map(last_report.astype("str")).astype("str")
    missed = month_number(reports["periode"]) - month_number(last.fillna(reports["periode"]).astype("str")) - 1
    late = reports[last.notna() & (missed >= rules.tidak_melapor.bulan_berturut)]
    unaudited = reports[(reports["volume_pinjaman"] > rules.tanpa_audit.volume_di_atas)
                        & ~reports["diaudit"].astype(bool)]
    found = pd.concat([
        late.assign(kode=rules.tidak_melapor.kode, keterangan="tidak melapor " + missed[late.index].astype("str")
                    + " bulan berturut-turut sebelum laporan ini (laporan sebelumnya: " + last[late.index] + ")"),
        unaudited.assign(kode=rules.tanpa_audit.kode, keterangan="volume pinjaman Rp "
                         + format_number(unaudited["volume_pinjaman"], 0) + " tanpa audit akuntan publik"),
    ])
    return found.assign(berlaku_mulai=found["periode"], berlaku_sampai=found["periode"])[COLUMNS].reset_index(
        drop=True).astype("str")


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in COLUMNS})
