"""Excel workbooks (.xlsx), read with openpyxl (read-only): every cell as the text a CSV would hold.

Every visible sheet whose header (its first row with a value, looked for in the first `HEADER_COLUMNS` columns) holds
the table's columns is read; every other sheet is named with why not, in one short line: the helper sheets of the
office's template (`flows.templates.HELPER_SHEETS`: petunjuk, daftar) as such, a hidden one as hidden, another naming
at most a few of the columns its header lacks. With none read, the sheet named after the table (koperasi, laporan, kuesioner,
faktor_pengurang, pemeriksaan), else the first that is not a template's helper, says what is wrong with the file.
Rows keep the numbers Excel shows. Whole numbers are read as integers exactly, other numbers as decimal text, dates ISO (a
date-time without a zone is WITA), booleans true/false. A formula gives its cached value (a text formula may have
cached the empty text: the cell is empty); a formula saved without one (written by a program, never opened in
Excel) gives a note naming the cell, and its row is quarantined.

What a workbook may cost is bounded: its parts once decompressed (the zip members' sizes) by the byte limit, the
rows read x contract columns by the cell limit; only the columns up to the last contract column are read, and a
cell too long to be a value is shortened as it is read (a note quarantines its row).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from flows.ingest.cells import (LONGEST_CELL, TITLE_ROWS, HeaderError, clean_name, find_columns, header_below,
                                title_above, too_long)
from flows.ingest.parquet_files import LARGEST_WHOLE
from flows.ingest.walk import Limits, limit_text, over_cells, shown
from scoring.errors import InputFileError
from scoring.quoting import shortened

if TYPE_CHECKING:  # openpyxl is imported when a workbook is read (0.25 s of the background server's start)
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

HEADER_COLUMNS = 1_024  # columns looked at for a sheet's header (Excel's own limit is 16,384)
HELPER = "lembar bantuan templat: tidak dibaca"  # why a helper sheet of the office's template is not read
HIDDEN = "lembar tersembunyi: tidak dibaca; bila isinya tabel {table}, tampilkan lembarnya di Excel (Unhide)"
_EMPTY = ("", False)


@dataclass(frozen=True)
class Sheet:
    """A sheet's contract columns as text (named as the contract), the Excel number of each row, which cells held
    text (per column), the notes on cells (row number, column, reason: a formula without a value, a cell too
    long) and which header names were cleaned."""

    title: str
    columns: pa.Table
    baris: np.ndarray
    textual: list[np.ndarray]
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Book:
    """The sheets of a workbook read as the table, and every other sheet with why it is not read."""

    sheets: list[Sheet]
    not_read: list[tuple[str, str]]  # (sheet title, why)


def read_xlsx(data: bytes, sumber: str, table: str, columns: Sequence[str], limits: Limits) -> Book:
    """The workbook's sheets of `table` (see the module); a file that is not a workbook openpyxl can open (an old
    .xls renamed, a workbook with a password) or whose parts are over the byte limit is the file's error."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with warnings.catch_warnings():  # openpyxl warns of extensions it does not read (slicers, styles)
        warnings.simplefilter("ignore")
        try:
            size = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
            if size > limits.bytes:
                raise InputFileError(f"{sumber}: isi buku kerja {size:,} byte sesudah dibuka".replace(",", ".")
                                     + f", lebih dari batas {limit_text(limits.bytes)}")
            values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError) as error:
            raise InputFileError(f"{sumber}: bukan buku kerja .xlsx yang dapat dibaca ({type(error).__name__}); "
                                 "simpan ulang dari Excel sebagai 'Excel Workbook (*.xlsx)' tanpa kata sandi") from None
    try:
        return _read_book(values, formulas, sumber, table, columns, limits)
    finally:
        values.close()
        formulas.close()


def _read_book(values: Workbook, formulas: Workbook, sumber: str, table: str, columns: Sequence[str],
               limits: Limits) -> Book:
    from flows.templates import HELPER_SHEETS  # here: the templates module reads the contract's columns from ingest

    sheets, not_read, problems = [], [], {}
    budget = [limits.cells // max(len(columns), 1)]  # rows left to read, over every sheet
    for sheet in values.worksheets:
        if sheet.sheet_state != "visible":  # an old copy or a draft, as often as not: its rows replaced the visible
            helper = sheet.title.strip().lower() in HELPER_SHEETS  # ones (hostile trials: a sheet named as the
            reason = HELPER if helper else HIDDEN.format(table=table)  # template's helper too)
            not_read.append((sheet.title, reason))  # the file's error, when no sheet is read, names it (new-user
            problems[sheet.title] = reason.replace("lembar ", f"lembar '{shown(sheet.title)}' ", 1)  # trial)
            continue
        try:
            sheets.append(_read_sheet(sheet, formulas[sheet.title], f"{sumber}[{shown(sheet.title)}]", columns,
                                      budget, limits))
        except _NoHeader as problem:
            problems[sheet.title] = problem.whole
            reason = (f"lembar tanpa judul kolom tabel {table}: tidak dibaca"
                      + (f" ({problem.brief})" if problem.brief else ""))
            not_read.append((sheet.title, HELPER if sheet.title.strip().lower() in HELPER_SHEETS else reason))
    not_read += [(chart.title, "lembar grafik: tidak dibaca") for chart in values.chartsheets]
    if not sheets:
        named = [title for title in problems if title.strip().lower() == table]
        others = [title for title in problems if title.strip().lower() not in HELPER_SHEETS]
        first = (named or others or list(problems) or [None])[0]
        if first is None:
            raise InputFileError(f"{sumber}: tidak ada lembar kerja di buku kerja")
        raise InputFileError(f"{sumber}: {problems[first]}")
    return Book(sheets, not_read)


class _NoHeader(Exception):
    """The sheet has no header holding the table's columns: what is wrong in full (the file's error when no sheet
    is read), and briefly, naming at most a few columns (empty when the header has none of the table's columns, nor
    a name written differently)."""

    def __init__(self, whole: str, brief: str = "") -> None:
        super().__init__(whole)
        self.whole, self.brief = whole, brief


def _read_sheet(values: ReadOnlyWorksheet, stored: ReadOnlyWorksheet, where: str, columns: Sequence[str],
                budget: list[int], limits: Limits) -> Sheet:
    values.reset_dimensions()  # a sheet's recorded size can be wrong: read every row there is
    stored.reset_dimensions()
    header, names = _header(values, budget, limits, where, len(columns))
    try:
        positions, cleaned = find_columns(names, "", columns)
    except HeaderError as error:
        whole = str(error).removeprefix(": ")
        near = "harus ditulis" in whole or any(clean_name(name) in columns for name in names)
        rows = values.iter_rows(min_row=header + 1, max_row=header + TITLE_ROWS, max_col=HEADER_COLUMNS,
                                values_only=True)
        below = header_below(([_text(value)[0] for value in row] for row in rows), header + 1, columns, names)
        if below is not None:  # a title above the columns' names: every column was said missing (hostile trial)
            raise _NoHeader(*title_above(header, names, below)) from None
        raise _NoHeader(whole, error.brief if near else "") from None
    width = max(positions) + 1
    placed = list(zip(positions, columns, strict=True))
    rows: list[list[str]] = []
    textual: list[list[bool]] = []
    numbers: list[int] = []
    notes: list[tuple[int, str, str]] = []
    pairs = zip(values.iter_rows(min_row=header + 1, max_col=width),
                stored.iter_rows(min_row=header + 1, max_col=width), strict=True)
    for number, (cells, raw) in enumerate(pairs, start=header + 1):
        _spend(budget, limits, where, len(columns))
        read = [_EMPTY if cells[p].value is None and raw[p].data_type != "f" else _cell(cells[p], raw[p], column,
                                                                                       number, notes)
                for p, column in placed]
        if any(text for text, _ in read):
            rows.append([text for text, _ in read])
            textual.append([typed for _, typed in read])
            numbers.append(number)
    cells = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    typed = np.array(textual, dtype=bool).reshape(len(rows), len(columns))
    return Sheet(values.title, pa.table({c: pa.array(cells[:, i], pa.large_string()) for i, c in enumerate(columns)}),
                 np.array(numbers, dtype=np.int64), [typed[:, i] for i in range(len(columns))], notes, cleaned)


def _header(sheet: ReadOnlyWorksheet, budget: list[int], limits: Limits, where: str, count: int
            ) -> tuple[int, list[str]]:
    """The row number and the names of the sheet's header: its first row with a value."""
    for number, row in enumerate(sheet.iter_rows(max_col=HEADER_COLUMNS, values_only=True), start=1):
        _spend(budget, limits, where, count)
        names = [_text(value)[0].strip() for value in row]
        if any(names):
            while not names[-1]:
                names.pop()
            return number, names
    raise _NoHeader("lembar kosong, tanpa baris judul")


def _spend(budget: list[int], limits: Limits, where: str, count: int) -> None:
    """One more row read; past the cell limit, the file is refused naming the sheet."""
    budget[0] -= 1
    if budget[0] < 0:
        raise InputFileError(f"{where}: {over_cells(limits.cells // max(count, 1) + 1, count, limits.cells, True)}")


def _cell(cell: object, raw: object, column: str, number: int, notes: list[tuple[int, str, str]]) -> tuple[str, bool]:
    """A cell's text and whether it held text; a formula without a cached value, or a cell too long, adds a note
    (and reads as the formula, or the cell shortened)."""
    text, typed = _text(getattr(cell, "value", None))
    if not text and getattr(raw, "data_type", None) == "f":
        if getattr(cell, "data_type", None) == "str":  # a text formula whose cached value is the empty text
            return "", False
        notes.append((number, column, f"{column}: sel {raw.coordinate} berisi rumus tanpa nilai tersimpan; buka dan "
                                      "simpan ulang berkas di Excel"))
        return str(raw.value), False
    if len(text) > LONGEST_CELL:
        notes.append((number, column, too_long(column, len(text))))
        return shortened(text), typed
    return text, typed


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
