"""Landing folders built in a test: a registry, report rows as written in a file, and files of every format
(a workbook written part by part, when a test needs XML that no writer gives)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from builders import JUTA, SEHAT

from flows.config import TIMEZONE
from flows.ingest.landing import KOPERASI, read_landing
from schemas.inputs import check_koperasi, check_laporan, registry_of
from scoring.columns import JUMLAH, LAPORAN

NIK, NIK_B = "6502000000000001", "6502000000000002"
NOW = datetime(2026, 11, 5, 2, 0, tzinfo=TIMEZONE)  # the run's start: 02:00 WITA on the 5th
REGISTRY_ROW = {"nama": "KSP Maju", "jenis": "ksp", "kode_wilayah": "65.02", "kabupaten_kota": "Bulungan",
                "wilayah_keanggotaan": "provinsi", "tanggal_badan_hukum": "2010-01-01",
                "tanggal_rat_terakhir": "2026-03-01", "pendamping": ""}


def report(nik: str = NIK, periode: str = "2026-10", **changes: object) -> dict:
    """A balanced report row (SEHAT of the builders, whole Rupiah), every value as written in a file."""
    row = {"nik": nik, "periode": periode, "tanggal_kirim": "2026-11-02T12:55:00", "diaudit": "true",
           **{c: SEHAT.get(c, 0) * JUTA for c in JUMLAH}, "jumlah_anggota": 250}
    return {c: str(v) for c, v in {**row, **changes}.items()}


def landing(tmp_path, registry: list[dict] | None = None):
    """A landing folder with a registry of NIK and NIK_B and a laporan/ folder (an empty folder is named as not
    read: a test fills it)."""
    tmp_path.mkdir(exist_ok=True)
    rows = registry or [{"nik": NIK, **REGISTRY_ROW}, {"nik": NIK_B, **REGISTRY_ROW}]
    pd.DataFrame(rows)[list(KOPERASI)].to_csv(tmp_path / "koperasi.csv", index=False)
    (tmp_path / "laporan").mkdir()
    return tmp_path


def write_reports(path, *rows: dict, **options) -> None:
    pd.DataFrame(list(rows))[list(LAPORAN)].to_csv(path, index=False, **options)


def check(root, period: str = "2026-10", now: datetime = NOW):
    """Read and check the landing folder as a run does: (landing, checked reports, registry)."""
    found = read_landing(root, period, now)
    koperasi = check_koperasi(found.koperasi, now.date(), found.catatan)
    registry = registry_of(found.koperasi, koperasi)
    return found, check_laporan(found.laporan, registry, now, found.catatan), registry


def parquet_bytes(table: pa.Table, **options) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **options)
    return buffer.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(sheets: dict[str, str], shared: list[str] | None = None) -> bytes:
    """A workbook written part by part: each sheet's rows as the XML inside its <sheetData>, and the shared
    strings (a cell `t="s"` holds an index into them)."""
    count = len(sheets)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
                      for i in range(1, count + 1))
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
               if shared is not None else "") + "</Types>"),
        "_rels/.rels": (f'<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" '
                        f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
                            + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                                      for i, name in enumerate(sheets, 1)) + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELATIONSHIPS}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_OFFICE}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, count + 1))
            + (f'<Relationship Id="rId{count + 1}" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared is not None else "") + "</Relationships>"),
        **{f"xl/worksheets/sheet{i}.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
           for i, rows in enumerate(sheets.values(), 1)},
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in shared) \
            + "</sst>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return buffer.getvalue()


def row_xml(number: int, cells: dict[str, str]) -> str:
    """A row of inline strings: {column letter: text}."""
    return (f'<row r="{number}">' + "".join(f'<c r="{letter}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
                                            for letter, text in cells.items()) + "</row>")
