"""A file's table as text rows: the contract's columns found in its header, every cell as trimmed text with the
characters a person cannot see cleaned, each row with the number a spreadsheet shows, and notes on the cells that
cannot be read without guessing (a number whose value depends on the notation; a formula without a value).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flows.ingest.parquet_files import column_as_text
from flows.ingest.walk import shown
from schemas.periode import cannot_be_true, recognise_periode
from scoring.errors import InputFileError

NOTES = ("sumber", "baris", "kolom", "alasan")
# 1.234.567 or 1.234.567,50 or 1234,5 (Indonesian spreadsheets), optionally negative
_ANGKA_INDONESIA = r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
_SEN_NOL = r",0+$"  # ",00": whole Rupiah written with cents
_DUA_BACAAN = r"-?\d+\.\d{3}"  # 500.000: 500 with a decimal point, or 500000 with a thousands dot


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
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rows:
    """A table's rows as text (of the run's period, when read for one) and what reading them found."""

    frame: pd.DataFrame  # sumber, baris and the contract's columns, all text ("" when empty)
    others: pd.DataFrame | None  # with a period: sumber, baris, nik and the month meant of the other periods' rows
    notes: pd.DataFrame  # sumber, baris, kolom, alasan: cells that cannot be read without guessing
    cleaned: list[str]  # the cells (and header names) from which invisible characters were removed


def contract_columns(table: pa.Table, sumber: str, columns: Sequence[str]) -> tuple[pa.Table, list[int], list[str]]:
    """The contract's columns of a table, found by their header names (invisible characters cleaned), their
    positions in the table, and which names were cleaned; a name missing, written twice, or written differently
    is the file's error, naming only the columns concerned and what to write."""
    written = [str(name) for name in table.column_names]
    names = [_clean(name).strip() for name in written]
    cleaned = [f"judul kolom '{shown(old)}'" for old, new in zip(written, names, strict=True) if old.strip() != new]
    twice = sorted({c for c in columns if names.count(c) > 1})
    if twice:
        raise InputFileError(f"{sumber}: kolom ganda di baris judul: {', '.join(twice)}")
    missing = [c for c in columns if c not in names]
    if missing:
        hints = [f"kolom '{shown(written[i])}' harus ditulis '{c}'" for c in missing
                 for i, name in enumerate(names) if _loose(name) == c]
        absent = [c for c in missing if not any(_loose(name) == c for name in names)]
        parts = hints + ([f"kolom tidak ada: {', '.join(absent)}"] if absent else [])
        whole = "" if hints else f". Baris judul harus memuat kolom: {', '.join(columns)}"
        raise InputFileError(f"{sumber}: " + "; ".join(parts) + whole)
    positions = [names.index(c) for c in columns]
    return table.rename_columns(names).select(positions), positions, cleaned


def _loose(name: str) -> str:
    """A header name without the differences a person does not mean: case, spaces, hyphens."""
    return re.sub(r"[\s\-_]+", "_", name.lower()).strip("_")


def _clean(text: str) -> str:
    """Format characters (zero-width space, BOM, word joiner) removed, other spaces (no-break) made plain."""
    return "".join("" if unicodedata.category(c) == "Cf" else " " if unicodedata.category(c) == "Zs" else c
                   for c in text)


def rows_as_text(table: Table, sumber: str, numeric: Collection[str], period: str | None = None,
                 now: datetime | None = None) -> Rows:
    """The rows as text; with a period, the rows of the period and those whose period cannot be read or cannot
    be true at `now` (see `schemas.periode.cannot_be_true`), and apart the other periods' rows (only their nik
    and month are read as text)."""
    others = None
    if period is not None:
        table, others = _of_period(table, sumber, period, now)
    text = {name: _cleaned(column_as_text(column, name, sumber))
            for name, column in zip(table.columns.column_names, table.columns.columns, strict=True)}
    keep = np.zeros(len(table.baris), dtype=bool)
    for column, _ in text.values():
        keep |= pc.not_equal(column, "").to_numpy(zero_copy_only=False).astype(bool)
    rows = pa.array(keep)
    frame = pa.table({name: column.filter(rows) for name, (column, _) in text.items()}).to_pandas()
    frame.insert(0, "baris", table.baris[keep])
    frame.insert(0, "sumber", pd.Series(sumber, index=frame.index, dtype="str"))
    notes = [(baris, column, reason) for baris, column, reason in table.notes]
    if table.kind == "csv-id":
        for column in (c for c in numeric if c in frame.columns):
            frame[column] = _plain_number(frame[column])
    else:
        notes += _two_readings(text, table, numeric, keep)
    cleaned = table.cleaned + [f"{name} baris {b}" for name, (_, changed) in text.items()
                               for b in table.baris[keep & changed]]
    return Rows(frame, others, _notes(notes, sumber, frame["baris"]), cleaned)


def _of_period(table: Table, sumber: str, period: str, now: datetime | None) -> tuple[Table, pd.DataFrame]:
    """The table's rows of the period, of no readable period (blank rows too) or whose dates cannot be true; and
    sumber, baris, nik, the month meant and the tanggal_kirim (as written) of the other rows."""
    def text(name: str, rows: np.ndarray | None = None) -> pd.Series:
        column = table.columns[name] if rows is None else table.columns[name].filter(pa.array(rows))
        return pd.Series(_cleaned(column_as_text(column, name, sumber))[0], dtype="str")

    meant = recognise_periode(text("periode"))
    ours = (meant.eq(period) | meant.isna()).to_numpy(dtype=bool, copy=True)
    if now is not None and not ours.all():
        away = np.flatnonzero(~ours)
        ours[away] = cannot_be_true(meant.iloc[away].reset_index(drop=True), text("tanggal_kirim", ~ours), now)
    others = pd.DataFrame({"sumber": sumber, "baris": table.baris[~ours], "nik": text("nik", ~ours).array,
                           "periode": meant[~ours].array, "tanggal_kirim": text("tanggal_kirim", ~ours).array})
    textual = {c: v if np.ndim(v) == 0 else np.asarray(v)[ours] for c, v in table.textual.items()}
    return Table(table.columns.filter(pa.array(ours)), table.baris[ours], table.kind, table.encoding, textual,
                 table.notes, table.cleaned), others


def _cleaned(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """A text column trimmed, with format characters removed and other spaces made plain; and which cells
    changed by more than trimming."""
    trimmed = pc.utf8_trim_whitespace(column)
    unusual = np.logical_not(pc.string_is_ascii(trimmed).to_numpy(zero_copy_only=False))
    if not unusual.any():
        return trimmed, unusual
    clean = pc.replace_substring_regex(pc.replace_substring_regex(trimmed, pattern=r"\p{Cf}", replacement=""),
                                       pattern=r"\p{Zs}", replacement=" ")
    clean = pc.utf8_trim_whitespace(clean)
    return clean, pc.not_equal(clean, trimmed).to_numpy(zero_copy_only=False).astype(bool)


def _two_readings(text: dict[str, tuple[pa.ChunkedArray, np.ndarray]], table: Table, numeric: Collection[str],
                  keep: np.ndarray) -> list[tuple[int, str, str]]:
    """Notes on the numbers written as text whose value depends on the notation: '500.000' is 500 with a decimal
    point, 500000 with a thousands dot (looked for with Arrow's regular expressions, on the rows kept)."""
    notes = []
    for column in (c for c in numeric if c in text):
        cells = text[column][0]
        textual = np.broadcast_to(np.asarray(table.textual.get(column, True), dtype=bool), keep.shape)
        hit = pc.match_substring_regex(cells, pattern=f"^{_DUA_BACAAN}$").to_numpy(zero_copy_only=False)
        hit = np.asarray(hit, dtype=bool) & textual & keep
        for baris, value in zip(table.baris[hit], cells.filter(pa.array(hit)).to_pylist(), strict=True):
            whole = value.replace(".", "")
            notes.append((int(baris), column, f"{column}: '{value}' dapat berarti {_decimal(value)} atau "
                                              f"{_thousands(whole)} (titik sebagai pemisah ribuan); tulis tanpa "
                                              f"pemisah: {int(whole)}"))
    return notes


def _decimal(value: str) -> str:
    return value.rstrip("0").rstrip(".")


def _thousands(whole: str) -> str:
    return f"{int(whole):,}".replace(",", ".")


def _notes(notes: list[tuple[int, str, str]], sumber: str, kept: pd.Series) -> pd.DataFrame:
    """The notes of the rows kept, as a frame."""
    frame = pd.DataFrame(notes, columns=list(NOTES[1:])).astype({"baris": "int64", "kolom": "str", "alasan": "str"})
    frame = frame[frame["baris"].isin(kept)]
    frame.insert(0, "sumber", pd.Series(sumber, index=frame.index, dtype="str"))
    return frame


def _plain_number(text: pd.Series) -> pd.Series:
    """1.234.567,00 -> 1234567 and 1.234,5 -> 1234.5 where the text is such a number; other text unchanged."""
    indonesian = text.str.fullmatch(_ANGKA_INDONESIA)
    plain = text.str.replace(_SEN_NOL, "", regex=True).str.replace(".", "", regex=False).str.replace(
        ",", ".", regex=False)
    return text.where(~indonesian, plain)


def empty_notes() -> pd.DataFrame:
    """A frame of no notes."""
    return _notes([], "", pd.Series([], dtype="int64"))
