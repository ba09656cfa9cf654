"""A file's table as text rows: the contract's columns found in its header, every cell as trimmed text cleaned
(`cells`), each row with the number a spreadsheet shows, and notes on the cells that cannot be read without guessing
(a number whose value depends on the notation, a formula without a value, a cell too long to be a value).

A period held as a date (an Excel date cell, a Parquet date or time stamp) is read as its month when the date is
the first or the last day of a month (a spreadsheet stores a month typed in as its first day; a month-end position
is its last day); any other day stays a date, which the checks quarantine saying what to write.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flows.ingest.cells import FREE_TEXT, clean_cells, find_columns, long_cells, too_long
from flows.ingest.parquet_files import column_as_text
from schemas.periode import cannot_be_true, recognise_periode
from scoring.quoting import shortened
from scoring.rulebook_format import PERIODE

NOTES = ("sumber", "baris", "kolom", "alasan")
PERIOD_COLUMNS = ("periode", "berlaku_mulai", "berlaku_sampai")
# a whole number written 1.234.567 or 1.234.567,00 or 1234,00 (Indonesian spreadsheets), optionally negative
_ANGKA_INDONESIA = r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,0+)?"
_SEN_NOL = r",0+$"  # ",00": whole Rupiah written with cents
_DUA_BACAAN = r"-?[0-9]+\.[0-9]{3}"  # 500.000: 500 with a decimal point, or 500000 with a thousands dot
_RIBUAN = r"-?[0-9]{1,3}(\.[0-9]{3}){2,}(,0+)?"  # 53.861.865: thousands dots, one reading
_RIBUAN_KOMA = r"-?[0-9]{1,3}(,[0-9]{3}){2,}(\.0+)?"  # 5,809,486: thousands commas (an English export), one reading
_DUA_BACAAN_KOMA = r"-?[0-9]+,[0-9]{3}"  # 5,809: 5 with a decimal comma, or 5809 with a thousands comma
_DATE_CELL = r"^([0-9]{4}-[0-9]{2})-([0-9]{2})(?:T00:00(?::00)?)?$"  # a date cell as text (time 00:00)


@dataclass(frozen=True)
class Table:
    """A file's table as read: the contract's columns (any Arrow type), each row's spreadsheet number, the file's
    kind (csv, csv-id, csv-tab, parquet, xlsx) and encoding, which cells were written as text (per column: one
    flag, or one per row), the reader's notes (row number, column, reason) and what was cleaned in the header."""

    columns: pa.Table
    baris: np.ndarray
    kind: str
    encoding: str | None = None
    textual: dict[str, np.ndarray | bool] = field(default_factory=dict)
    notes: list[tuple[int, str, str | None]] = field(default_factory=list)  # no reason: see `Rows.notes`
    cleaned: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rows:
    """A table's rows as text (of the run's period, when read for one) and what reading them found."""

    frame: pd.DataFrame  # sumber, baris and the contract's columns, all text ("" when empty)
    others: pd.DataFrame | None  # with a period: sumber, baris, nik and the month meant of the other periods' rows
    notes: pd.DataFrame  # sumber, baris, kolom, alasan: cells that cannot be read without guessing (no alasan: a
    # cell missing from a row cut short whose reason is on another of its cells; it reads as empty without one)
    cleaned: list[str]  # the cells (and header names) from which invisible characters were removed
    digits: list[str] = field(default_factory=list)  # the cells whose digits of another script were read as 0-9
    previous: Rows | None = None  # read also for the month before: its rows as text, with their notes


def contract_columns(table: pa.Table, sumber: str, columns: Sequence[str]) -> tuple[pa.Table, list[int], list[str]]:
    """The contract's columns of a table, found by their header names (see `cells.find_columns`), their positions
    in the table, and which names were cleaned."""
    positions, cleaned = find_columns(table.column_names, sumber, columns)
    return table.select(positions).rename_columns(list(columns)), positions, cleaned


def rows_as_text(table: Table, sumber: str, numeric: Collection[str], period: str | None = None,
                 now: datetime | None = None, previous: str | None = None) -> Rows:
    """The rows as text; with a period, the rows of the period and those whose period cannot be read or cannot
    be true at `now` (see `schemas.periode.cannot_be_true`), and apart the other periods' rows (only their nik
    and month are read as text). With `previous` too, the rows of that period are also read whole, apart
    (`Rows.previous`; they stay among the other periods' rows): a file is read once for both months."""
    others, before = None, None
    table = _period_dates(table, sumber)
    if period is not None:
        table, others, before = _of_period(table, sumber, period, now, previous)
        if not len(table.baris):  # a file of other months only (most of them): nothing more to read
            return Rows(_no_rows(table, numeric), others, empty_notes(), list(table.cleaned))
    text = {name: clean_cells(column_as_text(column, name, sumber), name not in FREE_TEXT)
            for name, column in zip(table.columns.column_names, table.columns.columns, strict=True)}
    keep = np.zeros(len(table.baris), dtype=bool)
    for column, _, _ in text.values():
        keep |= pc.not_equal(column, "").to_numpy(zero_copy_only=False).astype(bool)
    notes = [*table.notes, *(note for name, (column, _, _) in text.items()
                             for note in _long(text, name, column, table.baris, keep))]
    if table.kind != "csv-id":
        notes += _notation(text, table, numeric, keep)
    earlier = None
    if before is not None and (keep & before).any():
        past = _frame(text, table, keep & before, sumber, numeric)
        earlier = Rows(past, None, _notes(notes, sumber, past["baris"]), [])
        keep = keep & ~before
    frame = _frame(text, table, keep, sumber, numeric)
    cleaned = table.cleaned + [f"{name} baris {b}" for name, (_, changed, _) in text.items()
                               for b in table.baris[keep & changed]]
    digits = [f"{name} baris {b}" for name, (_, _, rewritten) in text.items() for b in table.baris[keep & rewritten]]
    return Rows(frame, others, _notes(notes, sumber, frame["baris"]), cleaned, digits, earlier)


def _frame(text: dict[str, tuple[pa.ChunkedArray, np.ndarray, np.ndarray]], table: Table, rows: np.ndarray,
           sumber: str, numeric: Collection[str]) -> pd.DataFrame:
    """The rows as a text frame: sumber, baris and the columns (an Indonesian export's numbers made plain)."""
    kept = pa.array(rows)
    frame = pa.table({name: column.filter(kept) for name, (column, _, _) in text.items()}).to_pandas()
    frame.insert(0, "baris", table.baris[rows])
    frame.insert(0, "sumber", pd.Series(sumber, index=frame.index, dtype="str"))
    if table.kind == "csv-id":
        for column in (c for c in numeric if c in frame.columns):
            frame[column] = _plain_number(frame[column])
    return frame


def _no_rows(table: Table, numeric: Collection[str]) -> pd.DataFrame:
    """The text frame of a table none of whose rows is read: `_frame`'s columns and dtypes, made once per columns,
    kind and numbers (each report file of other months made its own: a quarter of reading a month's reports)."""
    return _empty_frame(tuple(table.columns.column_names), table.kind, frozenset(numeric), table.baris.dtype).copy()


@cache
def _empty_frame(columns: tuple[str, ...], kind: str, numeric: frozenset[str], baris: np.dtype) -> pd.DataFrame:
    none = np.zeros(0, dtype=bool)
    text = {name: (pa.chunked_array([], type=pa.large_string()), none, none) for name in columns}
    table = Table(pa.table({name: pa.array([], pa.large_string()) for name in columns}), np.zeros(0, baris), kind)
    return _frame(text, table, none, "", numeric)


def _long(text: dict[str, tuple[pa.ChunkedArray, np.ndarray, np.ndarray]], name: str, column: pa.ChunkedArray,
          baris: np.ndarray, keep: np.ndarray) -> list[tuple[int, str, str]]:
    """The notes of a column's cells too long to be a value; `text[name]` then holds them shortened."""
    long = long_cells(column) & keep
    if not long.any():
        return []
    cells = np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)
    notes = [(int(b), name, too_long(name, len(cell))) for b, cell in zip(baris[long], cells[long], strict=True)]
    cells[long] = [shortened(cell) for cell in cells[long]]
    text[name] = (pa.chunked_array([pa.array(cells, pa.large_string())]), *text[name][1:])
    return notes


def _period_dates(table: Table, sumber: str) -> Table:
    """Period cells held as dates (not written as text) on the first or the last day of a month, as the month
    (see the module)."""
    columns = table.columns
    for name in (c for c in PERIOD_COLUMNS if c in columns.column_names):
        typed = ~np.broadcast_to(np.asarray(table.textual.get(name, True), dtype=bool), table.baris.shape)
        if not typed.any():
            continue
        cells = pd.Series(column_as_text(columns[name], name, sumber).to_numpy(zero_copy_only=False), dtype="str")
        parts = cells.str.extract(_DATE_CELL)
        day = pd.to_datetime(parts[0] + "-" + parts[1], format="%Y-%m-%d", errors="coerce")
        edge = ((day.dt.day == 1) | day.dt.is_month_end).fillna(False).to_numpy(dtype=bool) & typed
        if edge.any():
            month = pa.array(cells.where(~edge, parts[0]).to_numpy(dtype=object), pa.large_string())
            columns = columns.set_column(columns.column_names.index(name), name, month)
    return replace(table, columns=columns)


def _of_period(table: Table, sumber: str, period: str, now: datetime | None, previous: str | None = None
               ) -> tuple[Table, pd.DataFrame, np.ndarray]:
    """The table's rows of the period, of no readable period (blank rows too) or whose dates cannot be true, and
    those of `previous` (marked in the mask returned); and sumber, baris, nik, the month meant and the
    tanggal_kirim (as written) of the other rows (those of `previous` included)."""
    def text(name: str, rows: np.ndarray | None = None) -> pd.Series:
        column = table.columns[name] if rows is None else table.columns[name].filter(pa.array(rows))
        return pd.Series(clean_cells(column_as_text(column, name, sumber), True)[0], dtype="str")

    written = text("periode")
    meant = recognise_periode(written)
    # a month written otherwise than YYYY-MM ('2026-1', 'Okt 2026') is quarantined by its own month's run: read whole
    # by every run, so that no other month's counts it as a report (hostile trial), as one that cannot be read
    odd = ~written.str.fullmatch(PERIODE.pattern).fillna(False).to_numpy(dtype=bool)
    ours = (meant.eq(period) | meant.isna()).to_numpy(dtype=bool, copy=True) | odd
    if now is not None and not ours.all():
        away = np.flatnonzero(~ours)
        ours[away] = cannot_be_true(meant.iloc[away].reset_index(drop=True), text("tanggal_kirim", ~ours), now)
    others = pd.DataFrame({"sumber": sumber, "baris": table.baris[~ours], "nik": text("nik", ~ours).array,
                           "periode": meant[~ours].array, "tanggal_kirim": text("tanggal_kirim", ~ours).array})
    read = ours | (meant.eq(previous).fillna(False).to_numpy(dtype=bool) if previous else False)
    textual = {c: v if np.ndim(v) == 0 else np.asarray(v)[read] for c, v in table.textual.items()}
    return Table(table.columns.filter(pa.array(read)), table.baris[read], table.kind, table.encoding, textual,
                 table.notes, table.cleaned), others, ~ours[read]


def _notation(text: dict[str, tuple[pa.ChunkedArray, np.ndarray, np.ndarray]], table: Table,
              numeric: Collection[str], keep: np.ndarray) -> list[tuple[int, str, str]]:
    """Notes on the numbers written as text with thousands dots, in a file whose notation is not the Indonesian
    export's: '500.000' is 500 with a decimal point, 500000 with a thousands dot (two readings); '53.861.865' has
    one reading, but is written in the other notation (what to write). Looked for with Arrow's regular
    expressions, on the rows kept."""
    notes = []
    for column in (c for c in numeric if c in text):
        cells = text[column][0]
        textual = np.broadcast_to(np.asarray(table.textual.get(column, True), dtype=bool), keep.shape)
        for pattern, reason in ((_DUA_BACAAN, _two_readings), (_RIBUAN, _thousands_dots),
                                (_DUA_BACAAN_KOMA, _two_readings_comma), (_RIBUAN_KOMA, _thousands_commas)):
            hit = pc.match_substring_regex(cells, pattern=f"^{pattern}$").to_numpy(zero_copy_only=False)
            hit = np.asarray(hit, dtype=bool) & textual & keep
            notes += [(int(baris), column, reason(column, value))
                      for baris, value in zip(table.baris[hit], cells.filter(pa.array(hit)).to_pylist(), strict=True)]
    return notes


def _two_readings(column: str, value: str) -> str:
    whole = value.replace(".", "")
    return (f"{column}: '{value}' dapat berarti {_decimal(value)} atau {_thousands(whole)} (titik sebagai pemisah "
            f"ribuan); tulis tanpa pemisah: {int(whole)}")


def _two_readings_comma(column: str, value: str) -> str:
    whole = value.replace(",", "")
    return (f"{column}: '{value}' dapat berarti {value.rstrip('0').rstrip(',')} atau {_thousands(whole)} (koma "
            f"sebagai pemisah ribuan); tulis tanpa pemisah: {int(whole)}")


def _thousands_dots(column: str, value: str) -> str:
    whole = int(value.split(",")[0].replace(".", ""))
    return f"{column}: '{value}' ditulis dengan titik pemisah ribuan; tulis tanpa pemisah: {whole}"


def _thousands_commas(column: str, value: str) -> str:
    whole = int(value.split(".")[0].replace(",", ""))
    return f"{column}: '{value}' ditulis dengan koma pemisah ribuan; tulis tanpa pemisah: {whole}"


def _decimal(value: str) -> str:
    """The value read with a decimal point, written as Indonesian writes decimals ('1.234' -> '1,234', '500.000' ->
    '500'): with the point kept, '1.234' read 'dapat berarti 1.234 atau 1.234' (hostile trial)."""
    return value.rstrip("0").rstrip(".").replace(".", ",")


def _thousands(whole: str) -> str:
    return f"{int(whole):,}".replace(",", ".")


def _notes(notes: list[tuple[int, str, str | None]], sumber: str, kept: pd.Series) -> pd.DataFrame:
    """The notes of the rows kept, as a frame."""
    if not notes:  # most files: the empty frame is built once
        return _no_notes().copy()
    frame = pd.DataFrame(notes, columns=list(NOTES[1:])).astype({"baris": "int64", "kolom": "str", "alasan": "str"})
    frame = frame[frame["baris"].isin(kept)]
    frame.insert(0, "sumber", pd.Series(sumber, index=frame.index, dtype="str"))
    return frame


def _plain_number(text: pd.Series) -> pd.Series:
    """1.234.567,00 -> 1234567 where the text is such a whole number; other text as written (1.234,5 is not a
    whole number: the reason quotes it as written)."""
    indonesian = text.str.fullmatch(_ANGKA_INDONESIA)
    plain = text.str.replace(_SEN_NOL, "", regex=True).str.replace(".", "", regex=False).str.replace(
        ",", ".", regex=False)
    return text.where(~indonesian, plain)


def empty_notes() -> pd.DataFrame:
    """A frame of no notes."""
    return _no_notes().copy()


@cache
def _no_notes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "baris" else "str") for c in NOTES})
