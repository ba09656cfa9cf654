"""CSV files as spreadsheet programs write them, every cell read as text.

Encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode Text"), Windows-1252 when the bytes
are not UTF-8. Line ends: LF, CRLF and CR alone (Excel for Mac). Separators: comma, semicolon (an Indonesian
spreadsheet's export, whose numbers are `1.234.567,50`) and tab, told from the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from flows.ingest.walk import shown
from scoring.errors import InputFileError

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
KINDS = {",": "csv", ";": "csv-id", "\t": "csv-tab"}  # separator -> the file's kind (csv-id: Indonesian numbers)


def read_csv(data: bytes, sumber: str) -> tuple[pa.Table, str, str]:
    """The file's columns as text (header names as written), its kind (csv, csv-id, csv-tab) and its encoding."""
    utf8, encoding = _as_utf8(data, sumber)
    end = re.search(rb"[\r\n]", utf8)
    header = utf8[:end.start() if end else len(utf8)].decode("utf-8")
    separator = max(KINDS, key=header.count)  # ties (a one-column header): the first, comma
    try:
        names = next(csv.reader([header], delimiter=separator), [])
    except csv.Error:
        names = []
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(utf8),
            parse_options=pa_csv.ParseOptions(delimiter=separator, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
        if table.column_names == names and len(set(names)) == len(names):
            return table, KINDS[separator], encoding
    except (pa.ArrowException, ValueError):
        pass
    frame = csv_with_pandas(utf8.decode("utf-8"), sumber, separator)
    table = pa.Table.from_arrays([pa.array(frame.iloc[:, i], type=pa.string(), from_pandas=True)
                                  for i in range(frame.shape[1])], names=[str(c) for c in frame.columns])
    return table, KINDS[separator], encoding


def _as_utf8(data: bytes, sumber: str) -> tuple[bytes, str]:
    """The text as UTF-8 bytes without a BOM, and the encoding it was read in."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            return (body, encoding) if encoding == "utf-8-sig" else (body.decode(encoding).encode("utf-8"), encoding)
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as error:
        first = error.start
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        raise InputFileError(
            f"{sumber}: bukan teks UTF-8 (byte ke-{first + 1}) dan bukan Windows-1252. Simpan ulang dari spreadsheet "
            "sebagai 'CSV UTF-8 (comma delimited)'"
        ) from None


def csv_with_pandas(text: str, sumber: str, separator: str) -> pd.DataFrame:
    """The file read by pandas' parser, which says what is wrong (a row with more cells than the header)."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, header=None, dtype="str", keep_default_na=False,
                            na_filter=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{sumber}: berkas kosong, tanpa baris judul") from None
    except pd.errors.ParserError as error:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        detail = (f"baris {fields[2]} berisi {fields[3]} kolom, baris judul {fields[1]} kolom" if fields
                  else shown(str(error).strip()))
        raise InputFileError(f"{sumber}: bukan CSV yang dapat dibaca ({detail})") from None
    frame.columns = frame.iloc[0].to_numpy()
    return frame.iloc[1:].reset_index(drop=True)
