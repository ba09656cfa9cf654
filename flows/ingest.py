"""Reading a landing folder: every input file into a text frame with its source file and row number."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scoring.columns import JUMLAH, LAPORAN
from scoring.errors import InputFileError

KOPERASI = ("nik", "nama", "jenis", "kode_wilayah", "kabupaten_kota", "wilayah_keanggotaan",
            "tanggal_badan_hukum", "tanggal_rat_terakhir", "pendamping")
KUESIONER = ("nik", "tanggal", "komponen", "nomor", "jawaban")
FAKTOR = ("nik", "kode", "berlaku_mulai", "berlaku_sampai", "keterangan")
ANGKA = (*JUMLAH, "jumlah_anggota", "nomor")
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
    """The raw text frames of a landing folder and what was read from where."""

    koperasi: pd.DataFrame
    laporan: pd.DataFrame
    kuesioner: pd.DataFrame
    faktor: pd.DataFrame
    berkas: list[InputFile] = field(default_factory=list)

    @property
    def galat(self) -> list[str]:
        return [f.galat for f in self.berkas if f.galat]


def read_landing(root: Path) -> Landing:
    """Read koperasi.csv (required), laporan/*, kuesioner/* and faktor_pengurang.csv (optional).

    A report, questionnaire or factor file that cannot be read is recorded with its error and
    skipped; the other files go on. Without a readable registry nothing can be checked: that raises.
    """
    if not root.is_dir():
        raise InputFileError(f"input folder {root} does not exist")
    files: list[InputFile] = []
    koperasi = _read(root / "koperasi.csv", root, KOPERASI, files, required=True)
    laporan = [_read(p, root, LAPORAN, files) for p in _listing(root / "laporan", (".csv", ".parquet"))]
    kuesioner = [_read(p, root, KUESIONER, files) for p in _listing(root / "kuesioner", (".csv", ".parquet"))]
    faktor_path = root / "faktor_pengurang.csv"
    faktor = [_read(faktor_path, root, FAKTOR, files)] if faktor_path.exists() else []
    return Landing(koperasi=koperasi, laporan=_concat(laporan, LAPORAN), kuesioner=_concat(kuesioner, KUESIONER),
                   faktor=_concat(faktor, FAKTOR), berkas=files)


def _listing(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in suffixes) if folder.is_dir() else []


def _read(path: Path, root: Path, columns: Sequence[str], files: list[InputFile],
          required: bool = False) -> pd.DataFrame | None:
    sumber = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        if required:
            raise InputFileError(f"{sumber}: cannot be read ({error.strerror})") from None
        files.append(InputFile(sumber, "", 0, "?", f"{sumber}: tidak dapat dibaca ({error.strerror})"))
        return None
    digest = hashlib.sha256(data).hexdigest()
    try:
        frame, kind = read_text_table(data, sumber, columns, ANGKA)
    except InputFileError as error:
        if required:
            raise
        files.append(InputFile(sumber, digest, 0, "?", str(error)))
        return None
    files.append(InputFile(sumber, digest, len(frame), kind))
    return frame


def read_text_table(data: bytes, sumber: str, columns: Sequence[str],
                    numeric: Collection[str] = ()) -> tuple[pd.DataFrame, str]:
    """A CSV or Parquet file's bytes as text columns (plain numbers) plus `sumber` and `baris`."""
    if sumber.lower().endswith(".parquet"):
        frame, kind = _parquet_as_text(data, sumber), "parquet"
        first_row = 1
    else:
        frame, kind = _csv_as_text(data, sumber)
        first_row = 2  # the header is row 1, as a spreadsheet shows it
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(
            f"{sumber}: kolom tidak ada: {', '.join(missing)}. Baris judul harus memuat kolom: {', '.join(columns)}"
        )
    frame = frame[list(columns)].apply(lambda s: s.str.strip())
    frame.insert(0, "baris", range(first_row, first_row + len(frame)))
    frame.insert(0, "sumber", sumber)
    frame = frame[(frame[list(columns)] != "").any(axis=1)]  # blank lines keep their numbers but are not rows
    if kind == "csv-id":
        for column in (c for c in numeric if c in frame.columns):
            frame[column] = _plain_number(frame[column])
    return frame.reset_index(drop=True), kind


def _csv_as_text(data: bytes, sumber: str) -> tuple[pd.DataFrame, str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"{sumber}: bukan teks UTF-8 (byte ke-{error.start + 1}). Simpan ulang dari spreadsheet "
            "sebagai 'CSV UTF-8 (comma delimited)'"
        ) from None
    header = text.split("\n", 1)[0]
    semicolon = header.count(";") > header.count(",")
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
    return frame.iloc[1:].reset_index(drop=True), "csv-id" if semicolon else "csv"


def _parquet_as_text(data: bytes, sumber: str) -> pd.DataFrame:
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise InputFileError(f"{sumber}: bukan berkas Parquet yang dapat dibaca ({error})") from None
    return pd.DataFrame({name: _column_as_text(table.column(name)) for name in table.column_names})


def _column_as_text(column: pa.ChunkedArray) -> pd.Series:
    """An Arrow column as the text a CSV would hold: integers plain, booleans true/false, dates ISO."""
    kind = column.type
    if pa.types.is_boolean(kind):
        text = pc.if_else(column, "true", "false")
    elif pa.types.is_timestamp(kind):
        text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    elif pa.types.is_date(kind):
        text = pc.strftime(column, format="%Y-%m-%d")
    else:
        text = pc.cast(column, pa.string())
    return pd.Series(pc.fill_null(text, ""), dtype="str")


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
