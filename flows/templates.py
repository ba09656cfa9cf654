"""The Excel templates the office sends to cooperatives: one workbook per input table.

Each workbook has three sheets: the data sheet, named after the table (the sheet ingest reads), with exactly the
contract's columns as its header, number formats (whole Rupiah `#,##0`, dates `yyyy-mm-dd`, nik and periods as
text) and drop-down lists (diaudit, jawaban, jenis, wilayah_keanggotaan, komponen, kode, indikator, terpenuhi)
from the rulebooks and the contract; `petunjuk`, one line per column: what it holds, in plain Indonesian for the
cooperatives' staff (`petunjuk.toml`; the Pandera models' English descriptions are the engineers' contract), and
an example value; and a hidden `daftar` holding the lists. The example is on `petunjuk`, one column per line,
under a title row: it can never be read as a row of data (ingest reads the sheet named after the table, and a
sheet whose first row is a title has no contract header). Ingest names the two helper sheets (`HELPER_SHEETS`) of
a filled template in one short line each, never as sheets missing the table's header.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from flows.ingest.landing import COLUMNS
from schemas.input_models import (
    INDIKATOR_PEMERIKSAAN,
    JAWABAN,
    JENIS,
    KODE_FAKTOR,
    KOMPONEN_KUESIONER,
    WILAYAH_KEANGGOTAAN,
)
from scoring.columns import JUMLAH

PETUNJUK, DAFTAR = "petunjuk", "daftar"  # the helper sheets: the columns explained, the drop-down lists (hidden)
HELPER_SHEETS = (PETUNJUK, DAFTAR)
KETERANGAN_FILE = Path(__file__).parent / "petunjuk.toml"
LISTS = {"diaudit": JAWABAN, "jawaban": JAWABAN, "jenis": JENIS,
         "wilayah_keanggotaan": WILAYAH_KEANGGOTAAN, "komponen": KOMPONEN_KUESIONER, "kode": KODE_FAKTOR,
         "indikator": INDIKATOR_PEMERIKSAAN, "terpenuhi": JAWABAN}
TEXT = ("nik", "periode", "kode_wilayah", "berlaku_mulai", "berlaku_sampai")  # typed as text, never as a number
DATES = ("tanggal", "tanggal_badan_hukum", "tanggal_rat_terakhir")
WHOLE = ("jumlah_anggota", "nomor", "butir")
JUTA = 1_000_000
# A balanced report of a healthy KSP (millions of Rupiah); the other money columns are 0.
_REPORT = {"kas": 20, "bank": 40, "pinjaman_anggota": 900, "aset_tetap": 90, "total_aset": 1050,
           "simpanan_sukarela": 325, "hutang_pihak_lain": 200, "kewajiban_lancar": 525, "simpanan_pokok": 100,
           "simpanan_wajib": 300, "cadangan_umum": 100, "shu_belum_dibagi": 25, "pinjaman_lancar": 900,
           "pinjaman_berisiko": 100, "volume_pinjaman": 1000, "volume_pinjaman_anggota": 900,
           "partisipasi_bruto": 200, "beban_usaha": 60, "biaya_karyawan": 30, "beban_perkoperasian": 10,
           "shu_bagian_anggota": 30, "promosi_ekonomi_anggota": 50}
EXAMPLES: dict[str, dict[str, object]] = {
    "koperasi": {"nik": "6502123456789012", "nama": "KSP Contoh Sejahtera", "jenis": "ksp", "kode_wilayah": "65.02",
                 "kabupaten_kota": "Bulungan", "wilayah_keanggotaan": "provinsi",
                 "tanggal_badan_hukum": datetime(2012, 5, 1), "tanggal_rat_terakhir": datetime(2026, 3, 15),
                 "pendamping": "Nama Pendamping"},
    "laporan": {"nik": "6502123456789012", "periode": "2026-10", "tanggal_kirim": datetime(2026, 11, 5, 9, 30),
                "diaudit": "ya", **{c: _REPORT.get(c, 0) * JUTA for c in JUMLAH}, "jumlah_anggota": 250},
    "kuesioner": {"nik": "6502123456789012", "tanggal": datetime(2026, 2, 10), "komponen": "manajemen_umum",
                  "nomor": 1, "jawaban": "ya"},
    "faktor_pengurang": {"nik": "6502123456789012", "kode": KODE_FAKTOR[0], "berlaku_mulai": "2026-06",
                         "berlaku_sampai": "", "keterangan": "Temuan pemeriksaan lapangan"},
    "pemeriksaan": {"nik": "6502123456789012", "tanggal": datetime(2026, 8, 20), "indikator": INDIKATOR_PEMERIKSAAN[0],
                    "butir": 1, "terpenuhi": "ya"},
}
_ROWS = 1_048_576  # Excel's last row: validations and formats cover the whole column


@cache
def keterangan() -> dict[str, dict[str, str]]:
    """What each column of each template holds, in plain Indonesian (`petunjuk.toml`): table -> column -> text,
    with the shared parts ({nik}, {rupiah}, ...) filled in."""
    with KETERANGAN_FILE.open("rb") as handle:
        texts = tomllib.load(handle)
    parts = texts.pop("bagian")
    return {table: {column: text.format_map(parts) for column, text in columns.items()}
            for table, columns in texts.items()}


def write_templates(folder: Path) -> list[Path]:
    """Write koperasi.xlsx, laporan.xlsx, kuesioner.xlsx, faktor_pengurang.xlsx and pemeriksaan.xlsx into
    `folder`; return them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, columns in COLUMNS.items():
        path = folder / f"{table}.xlsx"
        _workbook(table, columns).save(path)
        written.append(path)
    return written


def _workbook(table: str, columns: tuple[str, ...]) -> Workbook:
    book = Workbook()
    data = book.active
    data.title = table
    data.append(list(columns))
    data.freeze_panes = "A2"
    for cell in data[1]:
        cell.font = Font(bold=True)
    lists = book.create_sheet(DAFTAR)
    lists.sheet_state = "hidden"
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        data.column_dimensions[letter].width = max(12, len(column) + 2)
        data.column_dimensions[letter].number_format = _number_format(column)
        if column in LISTS:
            _drop_down(data, lists, column, f"{letter}2:{letter}{_ROWS}")
    _instructions(book.create_sheet(PETUNJUK, 1), table, columns)
    return book


def _number_format(column: str) -> str:
    if column in TEXT:
        return "@"
    if column in DATES:
        return "yyyy-mm-dd"
    if column == "tanggal_kirim":
        return "yyyy-mm-dd hh:mm:ss"
    if column in JUMLAH:
        return "#,##0"
    return "0" if column in WHOLE else "General"


def _drop_down(data, lists, column: str, cells: str) -> None:
    """A list validation of `cells` from the column's values, kept on the hidden sheet `DAFTAR`."""
    letter = get_column_letter(lists.max_column + 1 if lists.max_row > 1 else 1)
    lists[f"{letter}1"] = column
    for row, value in enumerate(LISTS[column], start=2):
        lists[f"{letter}{row}"] = value
    last = len(LISTS[column]) + 1
    check = DataValidation(type="list", formula1=f"{DAFTAR}!${letter}$2:${letter}${last}", allow_blank=True,
                           showErrorMessage=True, errorTitle=column,
                           error=f"{column}: pilih salah satu dari daftar ({', '.join(LISTS[column])})")
    data.add_data_validation(check)
    check.add(cells)


def _instructions(sheet, table: str, columns: tuple[str, ...]) -> None:
    """One line per column: its name, what it holds (`keterangan`) and an example value (a described example
    report)."""
    texts = keterangan()[table]
    sheet.append([f"Petunjuk {table}.xlsx: lembar ini tidak dibaca. Isi satu baris per data di lembar '{table}', "
                  "mulai baris 2, tanpa mengubah baris judul."])
    sheet.append([])
    sheet.append(["kolom", "keterangan", "contoh"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column, texts[column], EXAMPLES[table][column]])
        sheet.cell(sheet.max_row, 3).number_format = _number_format(column)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 24
