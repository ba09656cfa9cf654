"""The downgrade factors the pipeline derives from the reports (rulebook.md §7), as rows of a factors frame."""

from __future__ import annotations

import pandas as pd

from scoring.inputs import FAKTOR
from scoring.rulebook import Rulebook
from scoring.teks import rupiah_series
from scoring.periods import month_number



def derived_factors(reports: pd.DataFrame, last_report: pd.Series, book: Rulebook) -> pd.DataFrame:
    """Factors in force for each report's own period.

    `last_report` maps nik -> the latest earlier period with a report; a cooperative with no earlier report
    in the history is not held to have missed any (the history may simply start with it).
    """
    columns = [*FAKTOR, "keterangan"]
    rules = book.faktor_pengurang.turunan if book.faktor_pengurang else None
    if rules is None or reports.empty:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    last = reports["nik"].map(last_report.astype("str")).astype("str")
    missed = month_number(reports["periode"]) - month_number(last.fillna(reports["periode"]).astype("str")) - 1
    late = reports[last.notna() & (missed >= rules.tidak_melapor.bulan_berturut)]
    unaudited = reports[(reports["volume_pinjaman"] > rules.tanpa_audit.volume_di_atas)
                        & ~reports["diaudit"].astype(bool)]
    found = pd.concat([
        late.assign(kode=rules.tidak_melapor.kode, keterangan="tidak melapor " + missed[late.index].astype("str")
                    + " bulan berturut-turut sebelum laporan ini (laporan sebelumnya: " + last[late.index] + ")"),
        unaudited.assign(kode=rules.tanpa_audit.kode, keterangan="volume pinjaman Rp "
                         + rupiah_series(unaudited["volume_pinjaman"]) + " tanpa audit akuntan publik"),
    ])
    return found.assign(berlaku_mulai=found["periode"], berlaku_sampai=found["periode"])[columns].reset_index(
        drop=True).astype("str")
