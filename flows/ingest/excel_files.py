"""Excel workbooks (.xlsx), read with openpyxl: every cell as the text a CSV would hold.

The sheet named after the table (koperasi, laporan, kuesioner, faktor_pengurang) when there is one, else the
first; the header is the first row with a value; rows keep the numbers Excel shows. Whole numbers are read as
integers exactly, other numbers as decimal text, dates ISO (a date-time without a zone is WITA), booleans
true/false. A formula gives its cached value; a formula saved without one (written by a program, never opened in
Excel) gives a note naming the cell, and its row is quarantined.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from flows.ingest.parquet_files import LARGEST_WHOLE
from scoring.errors import InputFileError


@dataclass(frozen=True)
class Sheet:
    """A sheet's columns as text (named as the header writes them), the Excel number of each row, which cells
    held text (per column), and the formulas saved without a value (row number, column position, cell)."""

    columns: pa.Table
    baris: np.ndarray
    textual: list[np.ndarray]
    formulas: list[tuple[int, int, str]]


def read_xlsx(data: bytes, sumber: str, table: str) -> Sheet:
    """The workbook's sheet of `table` (see the module); a file that is not a workbook openpyxl can open (an old
    .xls renamed, a workbook with a password) is the file's error."""
    with warnings.catch_warnings():  # openpyxl warns of extensions it does not read (slicers, styles)
        warnings.simplefilter("ignore")
        try:
            values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
            raise InputFileError(f"{sumber}: bukan buku kerja .xlsx yang dapat dibaca ({type(error).__name__}); "
                                 "simpan ulang dari Excel sebagai 'Excel Workbook (*.xlsx)' tanpa kata sandi") from None
    try:
        return _read_sheet(_sheet(values, table), formulas)
    finally:
        values.close()
        formulas.close()


def _sheet(book: Workbook, table: str) -> ReadOnlyWorksheet:
    named = [sheet for sheet in book.worksheets if sheet.title.strip().lower() == table]
    return (named or book.worksheets)[0]


def _read_sheet(values: ReadOnlyWorksheet, formulas: Workbook) -> Sheet:
    stored = formulas[values.title]
    values.reset_dimensions()  # a sheet's recorded size can be wrong: read every row there is
    stored.reset_dimensions()
    names: list[str] | None = None
    rows: list[list[str]] = []
    textual: list[list[bool]] = []
    numbers: list[int] = []
    formulas: list[tuple[int, int, str]] = []
    for number, (cells, raw) in enumerate(zip(values.iter_rows(), stored.iter_rows(), strict=True), start=1):
        read = [_text(getattr(cell, "value", None)) for cell in cells]
        if names is None:
            if any(text for text, _ in read):
                names = [text.strip() for text, _ in read]
                while names and not names[-1]:
                    names.pop()
            continue
        read = (read + [("", False)] * len(names))[:len(names)]
        for i, (text, _) in enumerate(read):
            cell = raw[i] if i < len(raw) else None
            if not text and getattr(cell, "data_type", None) == "f":
                formulas.append((number, i, cell.coordinate))
                read[i] = (str(cell.value), False)
        if any(text for text, _ in read):
            rows.append([text for text, _ in read])
            textual.append([typed for _, typed in read])
            numbers.append(number)
    names = names or []
    cells = np.array(rows, dtype=object).reshape(len(rows), len(names))
    typed = np.array(textual, dtype=bool).reshape(len(rows), len(names))
    return Sheet(pa.table({f"{i}": pa.array(cells[:, i], pa.large_string()) for i in range(len(names))}
                          ).rename_columns(names),
                 np.array(numbers, dtype=np.int64), [typed[:, i] for i in range(len(names))], formulas)


def _text(value: object) -> tuple[str, bool]:
    """A cell's value as text, and whether the cell held text (rather than a number, date or boolean)."""
    if value is None:
        return "", False
    if isinstance(value, str):
        return value, True
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        whole = abs(value) < LARGEST_WHOLE and value.is_integer()
        return (str(int(value)) if whole else np.format_float_positional(value, unique=True, trim="-")), False
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time() else value.isoformat()), False
    if isinstance(value, date | time):
        return value.isoformat(), False
    if isinstance(value, timedelta):
        return str(value), False
    return str(value), True
