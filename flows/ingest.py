"""Reading a landing folder: every input file into a text frame with its source file and row number."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from schemas.periode import recognise_periode
from scoring.columns import JUMLAH, LAPORAN
from scoring.errors import InputFileError

KOPERASI = ("nik", "nama", "jenis", "kode_wilayah", "kabupaten_kota", "wilayah_keanggotaan",
            "tanggal_badan_hukum", "tanggal_rat_terakhir", "pendamping")
KUESIONER = ("nik", "tanggal", "komponen", "nomor", "jawaban")
FAKTOR = ("nik", "kode", "berlaku_mulai", "berlaku_sampai", "keterangan")
ANGKA = (*JUMLAH, "jumlah_anggota", "nomor")
RIWAYAT = ("sumber", "baris", "nik", "periode")
# 1.234.567 or 1.234.567,50 or 1234,5 (Indonesian spreadsheets), optionally negative
_ANGKA_INDONESIA = r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
_SEN_NOL = r",0+$"  # ",00": whole Rupiah written with cents


@dataclass(frozen=True)
class InputFile:
    """One file of the landing folder as the run saw it."""

    sumber: str
    sha256: str
    baris: int  # data rows read (0 when the file was rejected)
    format: str  # csv, csv-id (semicolon, Indonesian numbers), parquet
    galat: str | None = None  # why the whole file was rejected


@dataclass
class Landing:
    """The raw text frames of a landing folder and what was read from where.

    Read for one period, `laporan` holds the report rows of that period and those whose period cannot be
    read; the rows of the other periods are only in `laporan_lain`, as nik and the period meant."""

    koperasi: pd.DataFrame
    kuesioner: pd.DataFrame
    faktor: pd.DataFrame
    laporan: pd.DataFrame = field(default_factory=lambda: _concat([], LAPORAN))
    laporan_lain: pd.DataFrame = field(default_factory=lambda: _concat([], RIWAYAT[2:]))
    berkas: list[InputFile] = field(default_factory=list)  # by sumber

    @property
    def galat(self) -> list[str]:
        return [f.galat for f in self.berkas if f.galat]


@dataclass(frozen=True)
class _Table:
    """A file's columns as read (text for CSV, typed for Parquet), each row with its spreadsheet number."""

    columns: pa.Table
    baris: np.ndarray
    kind: str  # csv, csv-id, parquet


def read_landing(root: Path, period: str | None = None) -> Landing:
    """Read koperasi.csv (required), kuesioner/* and faktor_pengurang.csv (optional), then laporan/*.

    With a period, only the report rows of that period (or of no readable period) are read whole.
    A report, questionnaire or factor file that cannot be read is recorded with its error and
    skipped; the other files go on. Without a readable registry nothing can be checked: that raises.
    """
    return read_reports(root, read_common(root), period)


def common_files(root: Path) -> list[Path]:
    """The files every period of a landing folder shares: registry, questionnaires, findings."""
    if not root.is_dir():
        raise InputFileError(f"input folder {root} does not exist")
    faktor = root / "faktor_pengurang.csv"
    return [root / "koperasi.csv", *_listing(root / "kuesioner", (".csv", ".parquet")),
            *([faktor] if faktor.exists() else [])]


def read_common(root: Path) -> Landing:
    """The registry, questionnaires and findings of a landing folder (no report rows yet)."""
    registry, *others = common_files(root)
    files: list[InputFile] = []
    koperasi = _read(registry, root, KOPERASI, files, required=True)[0]
    kuesioner = [_read(p, root, KUESIONER, files)[0] for p in others if p.parent.name == "kuesioner"]
    faktor = [_read(p, root, FAKTOR, files)[0] for p in others if p.parent.name != "kuesioner"]
    return Landing(koperasi=koperasi, kuesioner=_concat(kuesioner, KUESIONER), faktor=_concat(faktor, FAKTOR),
                   berkas=files)


def read_reports(root: Path, common: Landing, period: str | None = None) -> Landing:
    """`common` with the report files of laporan/* (of the period, when given)."""
    files = list(common.berkas)
    laporan = [_read(p, root, LAPORAN, files, period=period) for p in _listing(root / "laporan", (".csv", ".parquet"))]
    return Landing(koperasi=common.koperasi, kuesioner=common.kuesioner, faktor=common.faktor,
                   laporan=_concat([f for f, _ in laporan], LAPORAN),
                   laporan_lain=_concat([o for _, o in laporan], RIWAYAT[2:]),
                   berkas=sorted(files, key=lambda f: f.sumber))


def digest(path: Path) -> str | None:
    """The file's SHA-256, None when it cannot be read (reading it will say why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _listing(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in suffixes) if folder.is_dir() else []


def _read(path: Path, root: Path, columns: Sequence[str], files: list[InputFile], required: bool = False,
          period: str | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The file's rows as text (of the period, when given) and, with a period, the other periods' rows."""
    sumber = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        if required:
            raise InputFileError(f"{sumber}: cannot be read ({error.strerror})") from None
        files.append(InputFile(sumber, "", 0, "?", f"{sumber}: tidak dapat dibaca ({error.strerror})"))
        return None, None
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        table = _read_table(data, sumber, columns)
    except InputFileError as error:
        if required:
            raise
        files.append(InputFile(sumber, sha256, 0, "?", str(error)))
        return None, None
    try:
        frame, others = _rows_as_text(table, sumber, ANGKA, period)
    except InputFileError as error:
        files.append(InputFile(sumber, sha256, 0, "?", str(error)))
        return None, None
    files.append(InputFile(sumber, sha256, len(frame) + (0 if others is None else len(others)), table.kind))
    return frame, others


def _rows_as_text(table: _Table, sumber: str, numeric: Collection[str],
                  period: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The rows as text (of the period, when given, with the other periods' rows apart); a column that has no
    text form (a list or struct in Parquet, bytes that are not UTF-8) is the file's error, naming it."""
    try:
        others = None
        if period is not None:
            table, others = _split_period(table, sumber, period)
        return _as_text(table, sumber, numeric), others
    except pa.ArrowException as error:
        raise InputFileError(f"{sumber}: isi kolom tidak dapat dibaca sebagai teks atau angka ({error})") from None


def _split_period(table: _Table, sumber: str, period: str) -> tuple[_Table, pd.DataFrame]:
    """The rows of the period (or of no readable period), and sumber, baris, nik, periode meant of the others."""
    meant = recognise_periode(_text(table.columns["periode"]))
    ours = (meant.eq(period) | meant.isna()).to_numpy(dtype=bool)
    others = pd.DataFrame({"sumber": sumber, "baris": table.baris[~ours],
                           "nik": _text(table.columns["nik"].filter(pa.array(~ours))), "periode": meant[~ours].array})
    return _Table(table.columns.filter(pa.array(ours)), table.baris[ours], table.kind), others


def read_text_table(data: bytes, sumber: str, columns: Sequence[str],
                    numeric: Collection[str] = ()) -> tuple[pd.DataFrame, str]:
    """A CSV or Parquet file's bytes as text columns (plain numbers) plus `sumber` and `baris`."""
    table = _read_table(data, sumber, columns)
    return _rows_as_text(table, sumber, numeric)[0], table.kind


def _read_table(data: bytes, sumber: str, columns: Sequence[str]) -> _Table:
    if sumber.lower().endswith(".parquet"):
        table, kind, first_row = _parquet(data, sumber), "parquet", 1
    else:
        table, kind = _csv(data, sumber)
        first_row = 2  # the header is row 1, as a spreadsheet shows it
    table = table.rename_columns([str(c).strip() for c in table.column_names])
    names = table.column_names
    twice = sorted({c for c in columns if names.count(c) > 1})
    if twice:
        raise InputFileError(f"{sumber}: kolom ganda di baris judul: {', '.join(twice)}")
    missing = [c for c in columns if c not in names]
    if missing:
        raise InputFileError(
            f"{sumber}: kolom tidak ada: {', '.join(missing)}. Baris judul harus memuat kolom: {', '.join(columns)}"
        )
    return _Table(table.select(list(columns)), np.arange(first_row, first_row + len(table)), kind)


def _as_text(table: _Table, sumber: str, numeric: Collection[str]) -> pd.DataFrame:
    """Every column as trimmed text; blank lines keep their numbers but are not rows."""
    text = {name: _trimmed(column) for name, column in zip(table.columns.column_names, table.columns.columns,
                                                            strict=True)}
    keep = np.zeros(len(table.baris), dtype=bool)
    for column in text.values():
        keep |= pc.not_equal(column, "").to_numpy(zero_copy_only=False).astype(bool)
    frame = pa.table({name: column.filter(pa.array(keep)) for name, column in text.items()}).to_pandas()
    frame.insert(0, "baris", table.baris[keep])
    frame.insert(0, "sumber", pd.Series(sumber, index=frame.index, dtype="str"))
    if table.kind == "csv-id":
        for column in (c for c in numeric if c in frame.columns):
            frame[column] = _plain_number(frame[column])
    return frame


def _trimmed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(_column_as_text(column))


def _text(column: pa.ChunkedArray) -> pd.Series:
    return pd.Series(_trimmed(column), dtype="str")


def _csv(data: bytes, sumber: str) -> tuple[pa.Table, str]:
    """All text: Arrow's parser for a regular file, pandas' (which names what is wrong) for any other."""
    end = data.find(b"\n")
    header = data[:end if end >= 0 else len(data)].decode("utf-8-sig", errors="replace")
    semicolon = header.count(";") > header.count(",")
    kind = "csv-id" if semicolon else "csv"
    names = next(csv.reader([header.rstrip("\r")], delimiter=";" if semicolon else ","), [])
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            parse_options=pa_csv.ParseOptions(delimiter=";" if semicolon else ",", ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
        if table.column_names == names and len(set(names)) == len(names):
            return table, kind
    except (pa.ArrowException, ValueError):
        pass
    frame = _csv_with_pandas(data, sumber, semicolon)
    return pa.Table.from_arrays([pa.array(frame.iloc[:, i], type=pa.string(), from_pandas=True)
                                 for i in range(frame.shape[1])], names=[str(c) for c in frame.columns]), kind


def _csv_with_pandas(data: bytes, sumber: str, semicolon: bool) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"{sumber}: bukan teks UTF-8 (byte ke-{error.start + 1}). Simpan ulang dari spreadsheet "
            "sebagai 'CSV UTF-8 (comma delimited)'"
        ) from None
    try:
        frame = pd.read_csv(io.StringIO(text), sep=";" if semicolon else ",", header=None, dtype="str",
                            keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{sumber}: berkas kosong, tanpa baris judul") from None
    except pd.errors.ParserError as error:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        detail = (f"baris {fields[2]} berisi {fields[3]} kolom, baris judul {fields[1]} kolom" if fields
                  else str(error).strip())
        raise InputFileError(f"{sumber}: bukan CSV yang dapat dibaca ({detail})") from None
    frame.columns = frame.iloc[0].to_numpy()
    return frame.iloc[1:].reset_index(drop=True)


def _parquet(data: bytes, sumber: str) -> pa.Table:
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise InputFileError(f"{sumber}: bukan berkas Parquet yang dapat dibaca ({error})") from None


def _column_as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """An Arrow column as the text a CSV would hold: integers plain, booleans true/false, dates ISO."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column
    elif pa.types.is_boolean(kind):
        text = pc.if_else(column, "true", "false")
    elif pa.types.is_timestamp(kind):
        text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    elif pa.types.is_date(kind):
        text = pc.strftime(column, format="%Y-%m-%d")
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(text, "")


def _plain_number(text: pd.Series) -> pd.Series:
    """1.234.567,00 -> 1234567 and 1.234,5 -> 1234.5 where the text is such a number; other text unchanged."""
    indonesian = text.str.fullmatch(_ANGKA_INDONESIA)
    plain = text.str.replace(_SEN_NOL, "", regex=True).str.replace(".", "", regex=False).str.replace(
        ",", ".", regex=False)
    return text.where(~indonesian, plain)


def _concat(frames: list[pd.DataFrame | None], columns: Sequence[str]) -> pd.DataFrame:
    present = [f for f in frames if f is not None]
    if not present:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("sumber", *columns)}
                            | {"baris": pd.Series([], dtype="int64")})[["sumber", "baris", *columns]]
    return pd.concat(present, ignore_index=True)
