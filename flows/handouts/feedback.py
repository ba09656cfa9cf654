"""Feedback to cooperatives, `umpan_balik/<nik>.xlsx`: for each registered cooperative with quarantined rows this
period, every row with every reason in plain words and what to write instead (`perbaikan.toml`), ready to send.

An Excel workbook rather than a CSV: an Indonesian spreadsheet opens a comma CSV as one column, and the rows, the
reasons and the fixes are text a cooperative reads, not data it loads. A row whose nik is not in the registry goes
to the cooperative whose nik it likely mistyped (two digits swapped or one wrong, the quarantine reason says which);
the others cannot be sent to anyone: the office finds them in the workbook's Karantina sheet.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.handouts.cards import UNSAFE
from flows.handouts.sheets import add_sheet, columns, new_workbook, save
from flows.handouts.tables import Published
from schemas.parsing import meant_per_row
from scoring.inputs import is_in
from scoring.periods import month_name
from scoring.rulebook import load_data_file

ADVICE_FILE = Path(__file__).parent / "perbaikan.toml"


class Rule(BaseModel):
    """A row of perbaikan.toml: the pattern searched in a quarantine reason and the advice it gives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pola: str = Field(description="regular expression searched in a reason")
    perbaikan: str = Field(min_length=1, description="the advice; {name} is what the group (?P<name>...) found")

    @field_validator("pola")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class AdviceTable(BaseModel):
    """The rules of perbaikan.toml, the first that matches giving the advice, and `lainnya` for a reason none
    matches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lainnya: str = Field(min_length=1)
    aturan: list[Rule] = Field(min_length=1)


@cache
def advice_table(path: Path = ADVICE_FILE) -> AdviceTable:
    """The advice rules of `path` (default perbaikan.toml), loaded once; a file that is not a valid table raises the
    loader's error naming the file (`load_data_file`)."""
    return load_data_file(path, AdviceTable)


def advice(reason: str) -> str:
    """What to write instead, for one quarantine reason."""
    table = advice_table()
    for rule in table.aturan:
        found = re.search(rule.pola, reason)
        if found:
            return rule.perbaikan.format(**found.groupdict())
    return table.lainnya


def _as_text(data: str) -> str:
    """The row as it was written, 'kolom: nilai; ...' (the row's JSON, or the text itself)."""
    try:
        row = json.loads(data)
    except ValueError:
        return data
    return "; ".join(f"{k}: {v}" for k, v in row.items()) if isinstance(row, dict) else data


def recipients(published: Published) -> pd.Series:
    """Per quarantined row (karantina's index), the registered cooperative whose feedback workbook holds it: its own
    nik when that is in status_koperasi (its registry row accepted), else the registered nik its reason says it
    likely meant (`schemas.parsing.meant_per_row`: a typo); NA for nobody."""
    rows = published.now("karantina")
    registered = published.now("status_koperasi")["nik"]
    own = rows["nik"].astype("str")
    to = own.where(is_in(own, registered), meant_per_row(rows["alasan"]).astype("str"))
    return to.where(is_in(to, registered))


def fed_back(published: Published) -> pd.DataFrame:
    """The quarantined rows a feedback workbook holds, with the cooperative it goes to (`penerima`, `recipients`);
    a row whose nik is neither registered nor a likely typo of a registered one has no cooperative to go to."""
    rows = published.now("karantina").assign(penerima=recipients(published))
    return rows[rows["penerima"].notna()]


def feedback_rows(published: Published) -> pd.DataFrame:
    """One row per quarantined row of a registered cooperative and reason, with the advice."""
    rows = fed_back(published).explode("alasan").dropna(subset=["alasan"])
    rows = rows.assign(alasan=rows["alasan"].astype("str"), isi=rows["data"].map(_as_text))
    rows["perbaikan"] = rows["alasan"].map(advice)
    return rows.sort_values(["penerima", "sumber", "baris"], kind="stable").reset_index(drop=True)


def write_feedback(published: Published, folder: Path) -> list[Path]:
    """One workbook per cooperative with quarantined rows, in `folder` (made if needed)."""
    rows = feedback_rows(published)
    if rows.empty:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    names = published.now("status_koperasi").set_index("nik")["nama"]
    paths = []
    for nik, group in rows.groupby("penerima", sort=True):
        book = new_workbook()
        add_sheet(book, "Umpan Balik", columns("umpan_balik"), group, frozen_columns=2)
        about = pd.DataFrame([
            ("Koperasi", f"{names.get(nik) or '-'} (NIK {nik})"), ("Periode", month_name(published.periode)),
            ("Baris dikarantina", str(group[["sumber", "baris"]].drop_duplicates().shape[0])),
            ("Yang perlu dilakukan", "Perbaiki setiap baris seperti kolom Perbaikan, lalu kirim ulang laporan atau "
                                     "kuesioner yang sudah diperbaiki ke dinas; baris ini belum dinilai."),
        ], columns=["hal", "isi"])
        add_sheet(book, "Keterangan", columns("umpan_balik_keterangan"), about)
        paths.append(save(book, folder / (UNSAFE.sub("_", str(nik)) + ".xlsx"), published.document_time))
    return paths
