"""CSV files as spreadsheet programs write them, every cell read as text.

Encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode Text") or without one (told by its
NUL bytes), Windows-1252 when the bytes are not UTF-8. Line ends: LF, CRLF and CR alone (Excel for Mac).
Separators: comma, semicolon (an Indonesian spreadsheet's export, whose numbers are `1.234.567,50`) and tab, told
from the header line, or the one Excel's first line `sep=;` names. A quote left open swallows the lines after it
into one cell: such a cell (line breaks and a row's worth of separators) is a note naming the lines it took. A row
with fewer cells than the header (a file cut short, a line edited by hand) is a note too (`short`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from itertools import islice
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from flows.ingest.cells import TITLE_ROWS, clean_name, header_below, listed, title_above
from flows.ingest.walk import over_cells, shown
from scoring.errors import InputFileError
from scoring.texts import number

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# what a line of UTF-8 text written in Indonesia holds beyond ASCII: Latin-1's letters and signs (é, ñ, °, NBSP),
# general punctuation (curly quotes, dashes) and currency signs. Two Windows-1252 characters can make a valid UTF-8
# pair by chance ('É’' is U+0252), never one of these but in text already garbled ('Ã©')
_UTF8_WRITTEN = re.compile(r"[^\x00-\x7f\u00a0-\u00ff\u2000-\u206f\u20a0-\u20cf]")
KINDS = {",": "csv", ";": "csv-id", "\t": "csv-tab"}  # separator -> the file's kind (csv-id: Indonesian numbers)
_SEP_LINE = re.compile(rb'^"?sep=(.)"?(\r\n|\r|\n|$)', re.IGNORECASE)  # Excel's first line naming the separator
_LINE_BREAK = r"\r\n|\r|\n"
TITLE_BYTES = 1 << 20  # of the text looked at for a header line under a title line
WIDEST = 16_384  # columns of an Excel sheet: a wider first line is no table's header (split, it cost minutes and GB)
# a cell as long as a file: a quote left open swallows thousands of lines into one (Python's csv reader refused more
# than 128 KiB, and the file with it: hostile trial); the size limit bounds the file
csv.field_size_limit(2**31 - 1)


class Csv(NamedTuple):
    """A CSV file read: its columns as text (named as the header writes them), kind and encoding; the notes on
    cells that swallowed lines (index of the row, column as written, reason) and how many lines they took; the rows
    with fewer cells than the header (index of the row -> its cells: the missing ones read as empty)."""

    table: pa.Table
    kind: str
    encoding: str
    notes: list[tuple[int, str, str]] = []
    swallowed: int = 0
    short: dict[int, int] = {}


def read_csv(data: bytes, sumber: str, cells: int | None = None, columns: Sequence[str] = ()) -> Csv:
    """The file's columns as text (header names as written), its kind (csv, csv-id, csv-tab) and encoding; a file
    of more than `cells` cells (lines x header columns, counted before parsing) is refused, and so is one whose
    first line is not the table's header but one of the TITLE_ROWS lines under it is (`cells.header_below`: a
    title above the header; InputFileError naming both lines)."""
    utf8, encoding = _as_utf8(data, sumber)
    separator, skipped = None, 0
    named = _SEP_LINE.match(utf8)
    if named:
        separator, skipped, utf8 = named[1].decode("utf-8", "replace"), 1, utf8[named.end():]
    end = re.search(rb"[\r\n]", utf8)
    header = utf8[:end.start() if end else len(utf8)].decode("utf-8")
    written = _separator(header)
    if separator and separator not in header and written in header:  # every name was listed missing, twice
        raise InputFileError(f"{sumber}: baris 1 ({'sep=' + separator!r}) menyebut pemisah {separator!r}, tetapi "
                             f"baris judul dipisah dengan {written!r}: hapus baris sep= itu atau simpan ulang dengan "
                             f"pemisah {separator!r}")
    separator = separator or written
    if header.count(separator) >= WIDEST:  # counted before splitting: the cell limit needs the lines, and has none
        raise InputFileError(f"{sumber}: baris {skipped + 1} berisi lebih dari {number(WIDEST, 0)} kolom (batas satu "
                             "lembar Excel): bukan baris judul kolom; periksa pemisah barisnya")
    names = _names(header, separator)
    if columns and not set(columns) <= {clean_name(name) for name in names}:  # not the header, or a wrong one
        _title_above(utf8, separator if named else None, skipped, names, columns, sumber)
    lines = max(utf8.count(b"\n"), utf8.count(b"\r"))
    if cells is not None and lines * max(len(names), 1) > cells:
        raise InputFileError(f"{sumber}: {over_cells(lines, len(names), cells)}")
    table, short = _with_arrow(utf8, separator, names), {}
    if table is None:
        text = utf8.decode("utf-8")
        frame = csv_with_pandas(text, sumber, separator, skipped)
        table = pa.Table.from_arrays([pa.array(frame.iloc[:, i], type=pa.string(), from_pandas=True)
                                      for i in range(frame.shape[1])], names=[str(c) for c in frame.columns])
        short = _short_rows(text, separator, table.num_rows, len(names))
    notes, swallowed = _swallowed(table, separator, skipped)
    return Csv(table, KINDS.get(separator, "csv"), encoding, notes, swallowed, short)


def _separator(line: str) -> str:
    """A line's separator: its most frequent of comma, semicolon and tab (ties, a one-column line: comma)."""
    return max(KINDS, key=line.count)


def _names(line: str, separator: str) -> list[str]:
    """The cells of one line (no line break in it)."""
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return []


def _title_above(utf8: bytes, separator: str | None, skipped: int, names: list[str], columns: Sequence[str],
                 sumber: str) -> None:
    """Refuse a file whose header line is below a title line (or more): InputFileError naming both lines. Each
    line under the first is split by its own separator (one a `sep=` line names, else its most frequent one)."""
    lines = islice(re.split(_LINE_BREAK, utf8[:TITLE_BYTES].decode("utf-8", "replace"), maxsplit=TITLE_ROWS + 1), 1,
                   TITLE_ROWS + 1)
    below = header_below((_names(line, separator or _separator(line)) for line in lines), skipped + 2,
                         columns, names)
    if below is not None:
        raise InputFileError(f"{sumber}: {title_above(skipped + 1, names, below)[0]}")


def _with_arrow(utf8: bytes, separator: str, names: list[str]) -> pa.Table | None:
    """The file read by Arrow's parser (fast), None when it refuses it or reads another header."""
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(utf8),
            parse_options=pa_csv.ParseOptions(delimiter=separator, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    return table if table.column_names == names and len(set(names)) == len(names) else None


def _swallowed(table: pa.Table, separator: str, skipped: int) -> tuple[list[tuple[int, str, str]], int]:
    """Cells holding line breaks and at least a row's worth of separators (columns - 1): a quote left open took
    the lines after it. Each is a note naming the lines of the file it spans; and how many lines were taken."""
    breaks = [pc.count_substring_regex(column, pattern=_LINE_BREAK).to_numpy(zero_copy_only=False)
              if pc.any(pc.match_substring_regex(column, pattern="[\r\n]")).as_py() else None
              for column in table.columns]
    if all(b is None for b in breaks):
        return [], 0
    per_cell = np.column_stack([np.zeros(table.num_rows, np.int64) if b is None else b for b in breaks])
    per_row = per_cell.sum(axis=1)
    first_line = 2 + skipped + np.arange(table.num_rows) + np.cumsum(per_row) - per_row  # the header is line 1
    notes, swallowed = [], 0
    least = max(table.num_columns - 1, 1)
    for j, column in enumerate(table.columns):
        if breaks[j] is None:
            continue
        rows = np.flatnonzero(per_cell[:, j] > 0)
        separators = pc.count_substring(column.take(pa.array(rows)), pattern=separator).to_numpy(zero_copy_only=False)
        for row in rows[separators >= least]:
            line, taken = int(first_line[row]), int(per_row[row])
            swallowed += taken
            notes.append((int(row), table.column_names[j],
                          f"{shown(table.column_names[j])}: tanda kutip (\") tampaknya tidak ditutup: sel ini memuat "
                          f"baris teks {line} sampai {line + taken} berkas ({taken} baris tertelan ke dalam satu sel); "
                          "perbaiki tanda kutipnya lalu kirim ulang"))
    return notes, swallowed


def _short_rows(text: str, separator: str, rows: int, width: int) -> dict[int, int]:
    """The rows (index -> cells up to the last that is not blank: a separator after the cut is no cell) with fewer
    cells than the header's `width` and at least one filled (a blank line is no row: it is left out later), counted
    by Python's csv reader, which splits records as pandas' parser does; none when the reader refuses the text or
    counts other rows than pandas' `rows` (no guess)."""
    try:
        counts = [_filled(cells) if len(cells) < width else width
                  for cells in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]
    except csv.Error:  # a NUL byte, say (pandas reads it; the cell is cleaned later)
        return {}
    if len(counts) != rows + 1:
        return {}
    return {i: n for i, n in enumerate(counts[1:]) if 0 < n < width}


def _filled(cells: list[str]) -> int:
    """The cells up to the last that is not blank."""
    return next((n for n in range(len(cells), 0, -1) if cells[n - 1].strip()), 0)


def short_row_notes(short: dict[int, int], width: int, positions: Sequence[int], columns: Sequence[str]
                    ) -> list[tuple[int, str, str | None]]:
    """The notes of the rows cut short (`Csv.short`) that lack a cell of the contract's columns (at `positions` of
    the header): one reason per row, on its first missing column, and the other missing cells explained without
    one (each was a `kosong` reason of its own, the cut unsaid: hostile trial)."""
    notes: list[tuple[int, str, str | None]] = []
    for row, cells in short.items():
        missing = [column for at, column in sorted(zip(positions, columns, strict=True)) if at >= cells]
        if missing:
            reason = (f"baris terpotong: hanya {number(cells, 0)} dari {number(width, 0)} kolom baris judul, tanpa "
                      f"sel {listed(missing, 3)}; lengkapi barisnya lalu kirim ulang")
            notes += [(row, missing[0], reason), *((row, column, None) for column in missing[1:])]
    return notes


def _as_utf8(data: bytes, sumber: str) -> tuple[bytes, str]:
    """The text as UTF-8 bytes without a BOM, and the encoding it was read in."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:  # a byte of another encoding after the BOM was a traceback (hostile trial)
                text = body.decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError as error:
                at = len(bom) + error.start
                raise InputFileError(
                    f"{sumber}: bertanda {encoding.removesuffix('-sig').upper()} (BOM), tetapi baris teks "
                    f"{_text_line(data, at, encoding)} (byte ke-{at + 1}) bukan {encoding.removesuffix('-sig').upper()}"
                    ". Simpan ulang dari spreadsheet sebagai 'CSV UTF-8 (comma delimited)'") from None
            return (body, encoding) if encoding == "utf-8-sig" else (text.encode("utf-8"), encoding)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16).encode("utf-8"), utf16
        except UnicodeDecodeError:
            pass
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as error:
        first = error.start
    utf8_line = _utf8_line(data)
    if utf8_line is not None:  # read as Windows-1252, its UTF-8 characters became two or three others each
        line = _text_line(data, first)  # (hostile trial)
        raise InputFileError(
            f"{sumber}: campuran UTF-8 dan Windows-1252: baris teks {line} (byte ke-{first + 1}) bukan UTF-8, "
            f"sedangkan baris teks {utf8_line} ditulis UTF-8. Simpan ulang dari spreadsheet sebagai 'CSV UTF-8 "
            "(comma delimited)'")
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        raise InputFileError(
            f"{sumber}: bukan teks UTF-8 (byte ke-{first + 1}) dan bukan Windows-1252. Simpan ulang dari spreadsheet "
            "sebagai 'CSV UTF-8 (comma delimited)'"
        ) from None


def _utf8_line(data: bytes) -> int | None:
    """The first line (1 the first) of a file that is not UTF-8 throughout which is UTF-8 text beyond ASCII
    (`_UTF8_WRITTEN`): a sign of a file written in two encodings; None when there is none (a line that is not UTF-8
    as a whole never counts, whatever pairs of its bytes happen to be)."""
    for at, line in enumerate(data.split(b"\n"), start=1):
        if not line.isascii():
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if not _UTF8_WRITTEN.search(text):
                return at
    return None


def _text_line(data: bytes, at: int, encoding: str = "utf-8") -> int:
    """The line of the text (1 the first) that holds byte `at` of the file, its line breaks in `encoding`."""
    return data.count("\n".encode(encoding.removesuffix("-sig")), 0, at) + 1


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM, told by its NUL bytes: text that is mostly ASCII has a NUL in every other byte (the
    second of each pair little-endian, the first big-endian), which no UTF-8 or Windows-1252 text has."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0:2 * half:2].count(0), sample[1:2 * half:2].count(0)
    if odd >= half / 2 and even <= odd / 10:
        return "utf-16-le"
    if even >= half / 2 and odd <= even / 10:
        return "utf-16-be"
    return None


def csv_with_pandas(text: str, sumber: str, separator: str, skipped: int = 0) -> pd.DataFrame:
    """The file read by pandas' parser, which says what is wrong: a row with more cells than the header, a quote
    left open to the end of the file (the file's line numbers: `skipped` lines before `text`, a `sep=` line)."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype="str", keep_default_na=False,
                            na_filter=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{sumber}: berkas kosong, tanpa baris judul") from None
    except pd.errors.ParserError as error:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        open_quote = re.search(r"EOF inside string starting at row (\d+)", str(error))  # the row from 0: the header
        if fields:
            detail = (f"baris {number(int(fields[2]) + skipped, 0)} berisi {number(int(fields[3]), 0)} kolom, "
                      f"baris judul {number(int(fields[1]), 0)} kolom")
        elif open_quote:
            detail = (f"tanda kutip (\") di baris {number(int(open_quote[1]) + 1 + skipped, 0)} tidak ditutup "
                      "sampai akhir berkas; perbaiki tanda kutipnya lalu kirim ulang")
        else:
            detail = shown(str(error).strip())
        raise InputFileError(f"{sumber}: bukan CSV yang dapat dibaca ({detail})") from None
    frame.columns = frame.iloc[0].to_numpy()
    return frame.iloc[1:].reset_index(drop=True)
