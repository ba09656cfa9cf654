"""Real landing folders, built in each test: every entry read or named, only regular files inside the folder,
every format and encoding read as what it means, dates that cannot be true, reasons that lead to the fix."""

from __future__ import annotations

import io
import os
import re
import socket
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from builders import JUTA
from landings import NIK, NIK_B, NOW, REGISTRY_ROW, check, landing, parquet_bytes, report, write_reports
from openpyxl import Workbook, load_workbook

from flows.ingest.landing import COLUMNS as TABLES, read_landing, read_text_table
from flows.ingest.walk import read_bounded, shown
from flows.templates import keterangan, write_templates
from schemas.input_models import Koperasi
from schemas.inputs import Registry, check_kuesioner, check_pemeriksaan
from schemas.landing_paths import meant_folder
from schemas.resubmission import resolve_submissions
from scoring import InputFileError
from scoring.columns import JUMLAH, LAPORAN


# ----- every entry accounted for; only regular files inside the folder -----------------------------------------

def test_every_entry_is_read_or_named_with_why(tmp_path):
    root = landing(tmp_path / "landing")
    outside = tmp_path / "elsewhere.csv"
    write_reports(outside, report(NIK_B))
    write_reports(root / "laporan" / "a.csv", report())
    (root / "laporan" / "2026").mkdir()
    write_reports(root / "laporan" / "2026" / "dalam.csv", report(NIK_B))  # any depth under laporan/
    (root / "laporan" / "~$a.xlsx").write_bytes(b"lock")
    (root / "laporan" / ".DS_Store").write_bytes(b"\0")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("x")
    (root / "CACAT.md").write_text("# notes")
    (root / "Kuesioner.xlsx").write_text("x")  # meant for kuesioner/: said so (hostile trials)
    (root / "laporan_2026-10.csv").write_text("x")
    (root / "Laporan Oktober.xls").write_text("x")
    (root / "laporan" / "catatan.txt").write_text("x")
    (root / "arsip").mkdir()
    (root / "arsip" / "lama.csv").write_text("x")
    (root / "laporan" / "luar.csv").symlink_to(outside)
    (root / "laporan" / "passwd.csv").symlink_to("/etc/passwd")
    (root / "laporan" / "nol.csv").symlink_to("/dev/zero")
    (root / "laporan" / "salinan.csv").symlink_to(root / "laporan" / "a.csv")  # stays inside: read, but a copy
    (root / "laporan" / "folder").symlink_to(tmp_path)
    os.mkfifo(root / "laporan" / "pipa.csv")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(root / "laporan" / "soket.csv"))
        found = read_landing(root, "2026-10", NOW)
    assert {e.sumber: e.alasan for e in found.tidak_dibaca} == {
        ".git/": "folder tersembunyi (namanya diawali titik): isinya tidak dibaca",
        "CACAT.md": "bukan berkas masukan: di akar folder landing hanya koperasi dan faktor_pengurang "
                    "(.csv, .parquet, .xlsx) yang dibaca",
        "Kuesioner.xlsx": "bukan berkas masukan: kuesioner dibaca dari folder kuesioner/, bukan dari berkas di akar "
                          "folder landing; simpan berkas ini di dalam folder kuesioner/",
        "laporan_2026-10.csv": "bukan berkas masukan: laporan dibaca dari folder laporan/, bukan dari berkas di akar "
                               "folder landing; simpan berkas ini di dalam folder laporan/",
        "Laporan Oktober.xls": "bukan berkas masukan: laporan dibaca dari folder laporan/, bukan dari berkas di akar "
                               "folder landing; simpan berkas ini sebagai .csv, .parquet atau .xlsx di dalam folder "
                               "laporan/",
        "arsip/lama.csv": "bukan berkas masukan: tidak ada tabel masukan di folder arsip/ (hanya laporan/, "
                          "kuesioner/ dan pemeriksaan/)",
        "laporan/.DS_Store": "berkas tersembunyi (namanya diawali titik)",
        "laporan/catatan.txt": "jenis berkas tidak dikenal (.txt): hanya .csv, .parquet dan .xlsx yang dibaca",
        "laporan/folder": "tautan ke folder: tidak diikuti; letakkan berkasnya di folder landing",
        "laporan/luar.csv": f"tautan ke luar folder landing ({outside}): tidak dibaca",
        "laporan/nol.csv": "tautan ke luar folder landing (/dev/zero): tidak dibaca",
        "laporan/passwd.csv": "tautan ke luar folder landing (/etc/passwd): tidak dibaca",
        "laporan/pipa.csv": "bukan berkas biasa (FIFO): tidak dibaca",
        "laporan/salinan.csv": "isinya sama persis dengan laporan/a.csv: tidak dibaca lagi",
        "laporan/soket.csv": "bukan berkas biasa (soket): tidak dibaca",
        "laporan/~$a.xlsx": "berkas kunci spreadsheet (~$...): tutup berkasnya di Excel, lalu hapus",
    }
    assert [f.sumber for f in found.berkas] == ["koperasi.csv", "laporan/2026/dalam.csv", "laporan/a.csv"]
    assert [meant_folder(name) for name in (" laporan.csv", "KUESIONER_2026.XLSX", "laporan/a.csv", "koperasi.csv")] \
        == ["laporan", "kuesioner", None, None]  # a space before the name too (hostile trial)
    assert found.laporan["nik"].tolist() == [NIK_B, NIK]


def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipa")
    for path in (tmp_path / "pipa", "/dev/zero"):
        with pytest.raises(InputFileError, match=r"^bukan berkas biasa \((FIFO|perangkat karakter)\)"):
            read_bounded(path, 1 << 20)


def test_a_file_over_the_size_limit_is_named_with_the_setting(tmp_path, monkeypatch):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "besar.csv", report())
    found = read_landing(root, "2026-10", NOW, limit=1000)
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("laporan/besar.csv", "lebih besar dari batas 1.000 byte (KOPERASI_SEHAT_MAX_FILE_BYTES)")]
    with pytest.raises(InputFileError, match=r"^lebih besar dari batas 10 byte"):
        read_bounded(root / "koperasi.csv", 10)
    from flows.config import Settings

    monkeypatch.setenv("KOPERASI_SEHAT_MAX_FILE_BYTES", "1000")
    assert Settings().max_file_bytes == 1000 and Settings.model_fields["max_file_bytes"].default == 1 << 30


def test_two_registries_or_no_registry_are_the_runs_error(tmp_path):
    root = landing(tmp_path)
    (root / "Koperasi.xlsx").write_bytes(b"x")
    (root / "koperasi.bak").write_bytes(b"x")  # not a registry: named as of an unknown kind
    with pytest.raises(InputFileError, match=r"^2 berkas koperasi di folder landing: Koperasi.xlsx, koperasi.csv; "
                                             r"simpan satu saja$"):
        read_landing(root)
    (root / "Koperasi.xlsx").unlink()
    (root / "koperasi.csv").unlink()
    os.mkfifo(root / "koperasi.csv")
    with pytest.raises(InputFileError, match=r"^koperasi.csv: tidak dapat dibaca \(bukan berkas biasa \(FIFO\)"):
        read_landing(root)
    (root / "koperasi.csv").unlink()  # none at all: the same words, in Indonesian (they were in English)
    with pytest.raises(InputFileError, match=r"^daftar koperasi tidak ada di folder landing: simpan koperasi.csv, "
                                             r"koperasi.xlsx atau koperasi.parquet langsung di folder itu$"):
        read_landing(root)


def test_file_names_are_shown_escaped_so_they_cannot_forge_a_line_or_reach_the_terminal(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a\nBERKAS DITOLAK palsu.csv", report())
    (root / "laporan" / "\x1b[31mmerah.txt").write_text("x")
    found = read_landing(root, "2026-10", NOW)
    assert found.laporan["sumber"].tolist() == ["laporan/a\\x0aBERKAS DITOLAK palsu.csv"]
    assert [e.sumber for e in found.tidak_dibaca] == ["laporan/\\x1b[31mmerah.txt"]
    assert shown("a\\b\u200bc\u00a0") == "a\\\\b\\u200bc\\xa0"


# ----- each file's failure is that file's; common shapes read -------------------------------------------------

COLUMNS = ("nik", "kas", "nama")


@pytest.mark.parametrize("data, kind, encoding", [
    (b"nik,kas,nama\rA,1000,KSP Maju\r\rB,2000,X\r", "csv", "utf-8"),  # Excel for Mac: CR alone
    ("nik\tkas\tnama\r\nA\t1000\tKSP Maju\r\n\r\nB\t2000\tX\r\n".encode("utf-16"), "csv-tab", "utf-16-le"),
    ("nik,kas,nama\nA,1000,KSP Maju\n\nB,2000,X\n".encode("utf-16-be").join([b"\xfe\xff", b""]), "csv",
     "utf-16-be"),
    ("nik;kas;nama\nA;1.000;KSP Maju\n\nB;2.000;X\n".encode("cp1252"), "csv-id", "utf-8"),
    ("nik,kas,nama\nA,1000,KSP Maju\n\nB,2000,X\n".encode("utf-8-sig"), "csv", "utf-8-sig"),
    # Windows-1252 whose pairs 'É’' and 'É”' are valid UTF-8 by chance: refused as a mix of two (hostile trial)
    ("nik,kas,nama\nA,1000,KSP Maju\n\nB,2000,X\n".encode("cp1252").replace(b"X", "JOSÉ’S “ANDRÉ”".encode("cp1252")),
     "csv", "cp1252"),
])
def test_line_ends_encodings_and_separators_spreadsheets_write(data, kind, encoding):
    from flows.ingest.csv_files import read_csv

    frame, read_kind = read_text_table(data, "laporan/a.csv", COLUMNS, ["kas"])
    assert read_kind == kind and read_csv(data, "laporan/a.csv")[2] == encoding
    assert list(zip(frame["baris"], frame["nik"], frame["kas"], frame["nama"])) == [
        (2, "A", "1000", "KSP Maju"), (4, "B", "2000", "X" if encoding != "cp1252" else "JOSÉ’S “ANDRÉ”")]


def test_windows_1252_is_read_and_recorded(tmp_path):
    root = landing(tmp_path)
    rows = pd.DataFrame([report()])[list(LAPORAN)].assign(catatan="Koperasi Caf\u00e9")  # an extra column
    (root / "laporan" / "a.csv").write_bytes(rows.to_csv(index=False).encode("cp1252"))
    found, checked, _ = check(root)
    assert checked.valid["nik"].tolist() == [NIK]
    assert {f.sumber: f.encoding for f in found.berkas} == {"koperasi.csv": "utf-8", "laporan/a.csv": "cp1252"}


def test_a_cr_only_report_no_longer_stops_the_month(tmp_path):
    root = landing(tmp_path)
    text = pd.DataFrame([report(), report(NIK_B)])[list(LAPORAN)].to_csv(index=False, lineterminator="\r")
    (root / "laporan" / "mac.csv").write_text(text)
    write_reports(root / "laporan" / "rusak.csv", report(), sep=",", header=False)  # no header: its own error
    found, checked, _ = check(root)
    assert checked.alasan.empty and checked.valid["nik"].tolist() == [NIK, NIK_B]
    assert found.galat == ["laporan/rusak.csv: kolom tidak ada: " + ", ".join(LAPORAN[:1]) + ", "
                           + ", ".join(LAPORAN[1:]) + ". Baris judul harus memuat kolom: " + ", ".join(LAPORAN)]


def test_a_header_differing_in_case_or_separator_names_only_those_columns():
    header = ",".join("Total Aset" if c == "total_aset" else "kas-" if c == "kas" else c for c in LAPORAN)
    data = (header.replace("kas-", "Kas") + "\n").encode()
    with pytest.raises(InputFileError) as error:
        read_text_table(data, "laporan/a.csv", LAPORAN)
    assert str(error.value) == "laporan/a.csv: kolom 'Kas' harus ditulis 'kas'; kolom 'Total Aset' harus ditulis " \
                               "'total_aset'"
    units = header.replace("kas-", "kas (Rp)").replace("Total Aset", "total_aset [Rupiah]")  # a unit in brackets:
    with pytest.raises(InputFileError) as error:                                              # all 48 names were
        read_text_table((units + "\n").encode(), "laporan/a.csv", LAPORAN)                   # listed (hostile trial)
    assert str(error.value) == "laporan/a.csv: kolom 'kas (Rp)' harus ditulis 'kas'; kolom 'total_aset [Rupiah]' " \
                               "harus ditulis 'total_aset'"


def test_invisible_characters_are_cleaned_and_the_cleaning_is_recorded(tmp_path):
    root = landing(tmp_path)
    rows = [report(nik=NIK + "\u200b"), report(NIK_B, diaudit="\u00a0true\ufeff")]
    header = ["periode\u200b" if c == "periode" else c for c in LAPORAN]
    pd.DataFrame(rows)[list(LAPORAN)].set_axis(header, axis=1).to_csv(root / "laporan" / "a.csv", index=False)
    found, checked, _ = check(root)
    assert checked.alasan.empty and checked.valid["nik"].tolist() == [NIK, NIK_B]
    assert found.berkas[1].dibersihkan == ("karakter tak terlihat (spasi lebar-nol, spasi tak-putus, BOM, kendali) "
                                           "dihapus dari: judul kolom 'periode\\u200b', nik baris 2, diaudit baris 3")


# ----- Parquet: every type read as what it means, or named --------------------------------------------------

@pytest.mark.parametrize("array, text", [
    (pa.array([17_123_575_904.0]), "17123575904"),  # whole Rupiah stored as float64, above Rp 10 billion
    (pa.array([9_007_199_254_740_992.0]), "9007199254740992"),
    (pa.array([1234.5]), "1234.5"),
    (pa.array([0.1], pa.float32()), "0.1"),
    (pa.array(np.array([2048], np.float16)), "2048"),
    (pa.array([-5], pa.int8()), "-5"), (pa.array([7], pa.uint32()), "7"),
    (pa.array([2**63 + 1], pa.uint64()), str(2**63 + 1)),
    (pa.array([1234], pa.decimal128(12, 2)), "1234.00"), (pa.array([5], pa.decimal256(40, 0)), "5"),
    (pa.array([20_000], pa.date32()), "2024-10-04"), (pa.array([1_728_000_000_000], pa.date64()), "2024-10-04"),
    (pa.array([1_791_189_000], pa.timestamp("s")), "2026-10-05T08:30:00"),
    (pa.array([1_791_189_000_000], pa.timestamp("ms", tz="UTC")), "2026-10-05T16:30:00"),
    (pa.array([1_791_189_000_500_000], pa.timestamp("us", tz="+07:00")), "2026-10-05T16:30:00.5"),
    (pa.array([1_791_189_000_000_000_001], pa.timestamp("ns")), "2026-10-05T08:30:00.000000001"),
    (pa.array(["x", "x"]).dictionary_encode()[:1], "x"), (pa.array(["y"], pa.large_string()), "y"),
    (pa.array(["z"], pa.string_view()), "z"), (pa.array([True]), "true"), (pa.array([None], pa.null()), ""),
    (pa.array([b"teks"]), "teks"),
])
def test_every_parquet_type_reads_as_what_it_means(array, text):
    table = pa.table({"nik": ["A"], "kas": array, "nama": ["KSP"]})
    frame, _ = read_text_table(parquet_bytes(table), "laporan/a.parquet", COLUMNS)
    assert frame["kas"].tolist() == [text]


@pytest.mark.parametrize("array", [
    pa.array([[1]]), pa.array([{"a": 1}]),
    pa.array([1], pa.duration("s")), pa.array([1], pa.time32("s")), pa.array([b"\xff"]),
])
def test_a_parquet_type_without_a_reading_is_named_with_the_column(array):
    data = parquet_bytes(pa.table({"nik": ["A"], "kas": array, "nama": ["KSP"]}))
    written = pq.read_schema(io.BytesIO(data)).field("kas").type  # as Parquet stores it (time32[s] -> [ms])
    with pytest.raises(InputFileError, match=rf"^laporan/a.parquet: kolom kas bertipe {re.escape(str(written))} "
                                             "tidak dapat dibaca"):
        read_text_table(data, "laporan/a.parquet", COLUMNS)


def test_a_pandas_period_is_the_month_it_names():
    frame = pd.DataFrame({"nik": ["A"], "kas": pd.period_range("2026-10", periods=1, freq="M"), "nama": ["KSP"]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    assert read_text_table(buffer.getvalue(), "laporan/a.parquet", COLUMNS)[0]["kas"].tolist() == ["2026-10"]


def test_a_zone_aware_correction_wins_over_an_earlier_submission_in_wita(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report(tanggal_kirim="2026-11-02T12:55:00"))
    correction = pd.DataFrame([report(kas=str(30 * JUTA), bank=str(30 * JUTA))])[list(LAPORAN)]
    types = {c: pa.int64() for c in (*JUMLAH, "jumlah_anggota")}
    table = pa.Table.from_pandas(correction.astype({c: "int64" for c in types}), preserve_index=False)
    stamp = pa.array([pd.Timestamp("2026-11-02T08:30:00Z")], pa.timestamp("us", tz="UTC"))  # 16:30 WITA
    table = table.set_column(table.column_names.index("tanggal_kirim"), "tanggal_kirim", stamp)
    pq.write_table(table, root / "laporan" / "koreksi.parquet")
    _, checked, _ = check(root)
    result = resolve_submissions(checked.valid)
    assert result.current["sumber"].tolist() == ["laporan/koreksi.parquet"]
    assert str(result.current["tanggal_kirim"].iloc[0]) == "2026-11-02 16:30:00"
    assert result.superseded["diganti_oleh"].tolist() == ["laporan/koreksi.parquet:1"]


# ----- Excel ---------------------------------------------------------------------------------------------------

def test_an_excel_report_is_read_with_excels_row_numbers_and_exact_values(tmp_path):
    root = landing(tmp_path)
    book = Workbook()
    book.active.title = "catatan"
    sheet = book.create_sheet("Laporan")  # the sheet named after the table, not the first
    sheet.append([])
    sheet.append(list(LAPORAN))  # header: the first row with a value (row 2)
    first = {**report(), "tanggal_kirim": datetime(2026, 11, 2, 12, 55), "diaudit": True}
    sheet.append([int(v) if c in (*JUMLAH, "jumlah_anggota") else v for c, v in first.items()])
    sheet.append([])  # a blank row keeps its number
    big = {**report(NIK_B), "kas": "999999999999999", "total_aset": 999_999_999_999_999.0, "bank": 1234.5}
    sheet.append([big[c] for c in LAPORAN])
    sheet["E5"] = "=SUM(A1:A2)"  # a formula without a cached value (written by a program, never opened in Excel)
    book.save(root / "laporan" / "a.xlsx")
    found, checked, _ = check(root)
    assert found.berkas[1].format == "xlsx"
    assert found.laporan[["baris", "nik", "tanggal_kirim", "diaudit", "total_aset"]].values.tolist() == [
        [3, NIK, "2026-11-02T12:55:00", "true", str(1050 * JUTA)], [5, NIK_B, "2026-11-02T12:55:00", "true",
                                                                     "999999999999999"]]
    assert checked.valid["nik"].tolist() == [NIK]
    first, second, third = checked.alasan.iloc[0]  # kas and bank unread: the asset sum is not checked
    assert (first, second) == ("kas: sel E5 berisi rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel",
                               "bank: bukan bilangan bulat Rupiah (nilai: '1234.5')")
    assert third.startswith("neraca tidak seimbang: total_aset 999.999.999.999.999 != kewajiban + ekuitas")
    assert found.laporan.loc[1, "kas"] == "=SUM(A1:A2)"  # the original row keeps what the cell holds


def test_a_file_that_is_not_a_workbook_is_that_files_error(tmp_path):
    root = landing(tmp_path)
    (root / "laporan" / "lama.xlsx").write_bytes(b"\xd0\xcf\x11\xe0 an old .xls or a workbook with a password")
    write_reports(root / "laporan" / "a.csv", report())
    found, checked, _ = check(root)
    assert found.galat == ["laporan/lama.xlsx: bukan buku kerja .xlsx yang dapat dibaca (BadZipFile); simpan ulang "
                           "dari Excel sebagai 'Excel Workbook (*.xlsx)' tanpa kata sandi"]
    assert checked.valid["nik"].tolist() == [NIK]


def test_a_filled_template_round_trips(tmp_path):
    written = write_templates(tmp_path / "templat")
    assert [p.name for p in written] == ["koperasi.xlsx", "laporan.xlsx", "kuesioner.xlsx", "faktor_pengurang.xlsx",
                                         "pemeriksaan.xlsx"]
    book = load_workbook(written[1])
    assert book.sheetnames == ["laporan", "petunjuk", "daftar"] and book["daftar"].sheet_state == "hidden"
    assert [c.value for c in book["laporan"][1]] == list(LAPORAN) and book["laporan"].max_row == 1
    assert {str(v.sqref): v.formula1 for v in book["laporan"].data_validations.dataValidation} == {
        "D2:D1048576": "daftar!$A$2:$A$3"}
    assert book["laporan"].column_dimensions["E"].number_format == "#,##0"
    assert book["petunjuk"]["A1"].value.startswith("Petunjuk laporan.xlsx: lembar ini tidak dibaca")
    assert [c.value for c in book["petunjuk"][8]] == [
        "kas", "kas: posisi akhir bulan laporan, Rupiah bulat tanpa titik atau koma, tidak negatif (isi 0 bila tidak "
        "ada)", 20 * JUTA]
    assert [book["daftar"].cell(r, 1).value for r in (1, 2, 3)] == ["diaudit", "ya", "tidak"]
    root = landing(tmp_path / "landing")
    values = {**report(), "tanggal_kirim": datetime(2026, 11, 2, 12, 55, 0), "diaudit": "tidak"}
    book["laporan"].append([int(v) if c in (*JUMLAH, "jumlah_anggota") else v for c, v in values.items()])
    book.save(root / "laporan" / "dari_templat.xlsx")
    kuesioner = load_workbook(written[2])
    kuesioner["kuesioner"].append([NIK, datetime(2026, 2, 10), "manajemen_umum", 1, "ya"])
    (root / "kuesioner").mkdir()
    kuesioner.save(root / "kuesioner" / "k.xlsx")
    found, checked, registry = check(root)
    assert checked.alasan.empty
    row = checked.valid.iloc[0]
    assert (row["nik"], row["periode"], str(row["tanggal_kirim"]), row["diaudit"], row["kas"],
            row["total_aset"]) == (NIK, "2026-10", "2026-11-02 12:55:00", False, 20 * JUTA, 1050 * JUTA)
    answers = check_kuesioner(found.kuesioner, registry)
    assert found.kuesioner[["baris", "nik", "tanggal", "komponen", "nomor", "jawaban"]].values.tolist() == [
        [2, NIK, "2026-02-10", "manajemen_umum", "1", "ya"]]
    assert answers.alasan.iloc[0][0].startswith(f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 2, 3")
    # an examiner's checklist: the seven items of prinsip_koperasi, "tidak" for the last, read and accepted
    checklist = load_workbook(written[4])
    for butir in range(1, 8):
        checklist["pemeriksaan"].append([NIK, datetime(2026, 8, 20), "prinsip_koperasi", butir,
                                         "ya" if butir < 7 else "tidak"])
    (root / "pemeriksaan").mkdir()
    checklist.save(root / "pemeriksaan" / "p.xlsx")
    found, _, registry = check(root)
    items = check_pemeriksaan(found.pemeriksaan, registry)
    assert items.alasan.empty and found.pemeriksaan["sumber"].unique().tolist() == ["pemeriksaan/p.xlsx"]
    assert items.valid["terpenuhi"].tolist() == [True] * 6 + [False]



# the English of the Pandera models, which the templates showed the cooperatives' staff until issue tmpl11
ENGLISH = re.compile(r"\b(the|of|and|or|in|at|to|by|is|month|year|date|line|whole|registry|answer|number|name|"
                     r"loans?|assets?|income|members?)\b", re.IGNORECASE)


def test_every_template_column_is_explained_in_plain_indonesian(tmp_path):
    texts = keterangan()
    assert {table: list(columns) for table, columns in texts.items()} == {
        table: list(columns) for table, columns in TABLES.items()}  # every contract column, in the header's order
    english = Koperasi.to_schema().columns["nik"].description
    for table, columns in texts.items():
        for column, text in columns.items():
            assert text.strip() and "{" not in text and not ENGLISH.search(text), (table, column, text)
            assert text != english
    for path in write_templates(tmp_path):
        sheet = load_workbook(path)["petunjuk"]
        lines = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, max_col=2, values_only=True)}
        assert lines == texts[path.stem], path.name
    laporan = texts["laporan"]
    assert laporan["nik"] == texts["kuesioner"]["nik"] == "Nomor Induk Koperasi (NIK) sesuai daftar koperasi"
    assert laporan["periode"] == "bulan laporan, YYYY-MM (mis. 2026-10)"
    assert laporan["tanggal_kirim"].startswith("waktu laporan dikirim (WITA), YYYY-MM-DD jj:mm (mis. 2026-11-05 09:30)")
    assert laporan["diaudit"] == ("ya bila laporan tahunan terakhir diaudit akuntan publik, selain itu tidak; pilih "
                                  "dari daftar")
    assert laporan["partisipasi_bruto"] == (
        "partisipasi bruto (pendapatan dari pelayanan kepada anggota): angka tahun berjalan (Januari s.d. bulan "
        "laporan), Rupiah bulat tanpa titik atau koma, tidak negatif (isi 0 bila tidak ada)")
    assert laporan["shu_belum_dibagi"].startswith("SHU belum dibagi: posisi akhir bulan laporan, Rupiah bulat tanpa "
                                                  "titik atau koma; negatif (tanda minus di depan")
    assert texts["pemeriksaan"]["terpenuhi"] == "ya bila butir terpenuhi, selain itu tidak; pilih dari daftar"


def test_a_filled_templates_helper_sheets_are_named_in_one_short_line_each(tmp_path):
    (written,) = [p for p in write_templates(tmp_path / "templat") if p.stem == "laporan"]
    book = load_workbook(written)
    values = {**report(), "tanggal_kirim": datetime(2026, 11, 2, 12, 55, 0), "diaudit": "ya"}
    book["laporan"].append([int(v) if c in (*JUMLAH, "jumlah_anggota") else v for c, v in values.items()])
    root = landing(tmp_path / "landing")
    book.save(root / "laporan" / "x.xlsx")
    found = read_landing(root, "2026-10", NOW)
    assert found.galat == [] and found.laporan[["sumber", "baris", "nik"]].values.tolist() == [
        ["laporan/x.xlsx", 2, NIK]]
    short = "lembar bantuan templat: tidak dibaca"
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("laporan/x.xlsx[daftar]", short), ("laporan/x.xlsx[petunjuk]", short)]
    (entry,) = [f for f in found.berkas if f.sumber == "laporan/x.xlsx"]
    assert entry.baris == 1 and entry.lembar_tidak_dibaca == [
        {"sumber": "laporan/x.xlsx[petunjuk]", "alasan": short}, {"sumber": "laporan/x.xlsx[daftar]", "alasan": short}]
    # with its data sheet's header broken, the file's error is the data sheet's, never a helper sheet's
    book["laporan"]["A1"] = "NIK Koperasi"
    book.save(root / "laporan" / "x.xlsx")
    assert read_landing(root, "2026-10", NOW).galat == [
        "laporan/x.xlsx: kolom tidak ada: nik. Baris judul harus memuat kolom: " + ", ".join(LAPORAN)]
    # a title row above the columns' names: every column was said missing; now the row that holds them is named
    book["laporan"]["A1"] = "nik"
    book["laporan"].insert_rows(1, amount=2)
    book["laporan"]["B1"] = "Laporan Bulanan KSP Contoh"
    book.save(root / "laporan" / "x.xlsx")
    assert read_landing(root, "2026-10", NOW).galat == [
        "laporan/x.xlsx: baris 1 ('Laporan Bulanan KSP Contoh') bukan baris judul kolom: judul kolom ada di baris 3; "
        "hapus baris di atasnya"]
    book["laporan"]["C1"] = "Periode"  # a title holding a column's name written differently: a title still (it was
    book.save(root / "laporan" / "x.xlsx")  # "kolom 'Periode' harus ditulis 'periode'", the CSV reader's not)
    assert read_landing(root, "2026-10", NOW).galat == [
        "laporan/x.xlsx: baris 1 ('Laporan Bulanan KSP Contoh Periode') bukan baris judul kolom: judul kolom ada di "
        "baris 3; hapus baris di atasnya"]

# ----- no value misread; dates that cannot be true; reasons that lead to the fix ---------------------------------

def test_a_number_whose_value_depends_on_the_notation_is_quarantined_naming_both_readings(tmp_path):
    root = landing(tmp_path)
    # the examples: PEA 500.000 was read as Rp 500 (PEA nilai 0 since issue 10, instead of 100), kas
    # 20.000 as Rp 20 (inside the balance tolerance): now each row is quarantined, never scored
    write_reports(root / "laporan" / "a.csv", report(promosi_ekonomi_anggota="500.000"),
                  report(NIK_B, kas="-20.000"))
    write_reports(root / "laporan" / "b.csv", report(kas="20.000", tanggal_kirim="2026-11-03T08:00:00"),
                  report(kas="5,809,486", tanggal_kirim="2026-11-04T08:00:00"),
                  report(jumlah_anggota="1.234", tanggal_kirim="2026-11-04T09:00:00"),
                  report(kas="5,809", tanggal_kirim="2026-11-04T10:00:00"))
    _, checked, _ = check(root)
    assert checked.valid.empty
    assert checked.alasan.tolist() == [
        ["promosi_ekonomi_anggota: '500.000' dapat berarti 500 atau 500.000 (titik sebagai pemisah ribuan); tulis "
         "tanpa pemisah: 500000"],
        ["kas: '-20.000' dapat berarti -20 atau -20.000 (titik sebagai pemisah ribuan); tulis tanpa pemisah: -20000"],
        ["kas: '20.000' dapat berarti 20 atau 20.000 (titik sebagai pemisah ribuan); tulis tanpa pemisah: 20000"],
        # an English export's thousands commas said what to write too; a decimal reading is written with a comma
        # (it was 'dapat berarti 1.234 atau 1.234': hostile trial)
        ["kas: '5,809,486' ditulis dengan koma pemisah ribuan; tulis tanpa pemisah: 5809486"],
        ["jumlah_anggota: '1.234' dapat berarti 1,234 atau 1.234 (titik sebagai pemisah ribuan); tulis tanpa "
         "pemisah: 1234"],
        ["kas: '5,809' dapat berarti 5,809 atau 5.809 (koma sebagai pemisah ribuan); tulis tanpa pemisah: 5809"]]
    (root / "laporan" / "b.csv").unlink()
    (root / "laporan" / "a.csv").unlink()
    write_reports(root / "laporan" / "b.csv", report(kas="20.000.000", promosi_ekonomi_anggota="50.000.000"),
                  sep=";")  # the Indonesian export: one reading
    _, checked, _ = check(root)
    assert checked.alasan.empty and checked.valid["promosi_ekonomi_anggota"].tolist() == [50 * JUTA]


def test_another_month_not_written_yyyy_mm_is_quarantined_in_every_run_never_counted_as_a_report(tmp_path):
    """'2026-1' (January) in a run of 2026-10 was set aside as January's report: mutu_pelaporan counted it as sent
    and the warnings named 2026-01 as its last report, while January's own run quarantined it (hostile trial)."""
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report(), report(NIK_B, periode="2026-1"),
                  report(NIK_B, periode="2026-09"))
    found, checked, _ = check(root)
    assert found.laporan_lain[["nik", "periode"]].values.tolist() == [[NIK_B, "2026-09"]]
    assert checked.valid["nik"].tolist() == [NIK]
    assert checked.alasan.tolist() == [["periode: ditulis '2026-1', harus YYYY-MM (maksud 2026-01?)"]]


def test_dates_that_cannot_be_true_are_quarantined_and_not_set_aside(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report(), report(NIK_B, periode="2027-10"),
                  report(NIK_B, periode="2026-09", tanggal_kirim="2099-10-05T08:00:00"))
    found, checked, _ = check(root)
    assert found.laporan_lain.empty and checked.valid["nik"].tolist() == [NIK]
    assert checked.alasan.tolist() == [
        ["periode: tidak boleh sesudah bulan berjalan 2026-11 (nilai: '2027-10')",
         "periode 2027-10 sesudah bulan tanggal_kirim 2026-11 (laporan suatu bulan tidak dapat dikirim sebelum "
         "bulan itu)"],
        ["tanggal_kirim: tidak boleh sesudah waktu mulai proses 2026-11-05 02:00:00 WITA (nilai: 2099-10-05T08:00:00)"]]


def test_a_rerun_of_an_earlier_month_takes_later_honest_reports_as_other_periods(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "september.csv", report(periode="2026-09", tanggal_kirim="2026-10-03T10:00:00"))
    write_reports(root / "laporan" / "oktober.csv", report(), report(NIK_B))
    found, checked, _ = check(root, "2026-09")
    assert checked.alasan.empty and checked.valid["periode"].tolist() == ["2026-09"]
    assert found.laporan_lain[["nik", "periode"]].values.tolist() == [[NIK, "2026-10"], [NIK_B, "2026-10"]]


def test_a_report_of_a_rejected_registry_row_says_which_row_and_why(tmp_path):
    root = landing(tmp_path, [{"nik": NIK, **REGISTRY_ROW, "tanggal_badan_hukum": "31/05/2026"},
                              {"nik": NIK_B, **REGISTRY_ROW, "jenis": "bank"}, {"nik": NIK_B, **REGISTRY_ROW}])
    write_reports(root / "laporan" / "a.csv", report(), report(NIK_B), report("6502000000000003"))
    _, checked, registry = check(root)
    assert isinstance(registry, Registry) and registry.nik.empty
    assert checked.alasan.tolist() == [
        [f"baris registri koperasi.csv:2 (nik {NIK}) ditolak: tanggal_badan_hukum: bukan tanggal YYYY-MM-DD "
         "(nilai: '31/05/2026')"],
        [f"baris registri koperasi.csv:3 (nik {NIK_B}) ditolak: nik '{NIK_B}' tercatat lebih dari sekali: juga di "
         "baris 4; jenis: harus salah satu dari: ksp, usp, kspps, uspps, konsumen, produsen, pemasaran, jasa "
         "(nilai: 'bank')"],
        ["nik '6502000000000003' tidak terdaftar di koperasi.csv"]]


def test_the_template_command_writes_one_workbook_per_table(tmp_path, capsys, monkeypatch):
    from flows.cli import main

    monkeypatch.chdir(tmp_path)  # a folder given relative: the files named absolute, as a run's (hostile trial)
    assert main(["template", "--output", "templat"]) == 0
    assert sorted(p.name for p in (tmp_path / "templat").iterdir()) == [
        "faktor_pengurang.xlsx", "koperasi.xlsx", "kuesioner.xlsx", "laporan.xlsx", "pemeriksaan.xlsx"]
    assert capsys.readouterr().out.startswith(f"templat ditulis: {(tmp_path / 'templat').resolve()}/")
    lists = {str(v.sqref): v.formula1 for v in load_workbook(tmp_path / "templat" / "kuesioner.xlsx")[
        "kuesioner"].data_validations.dataValidation}
    assert lists == {"C2:C1048576": "daftar!$A$2:$A$6", "E2:E1048576": "daftar!$B$2:$B$3"}  # komponen, jawaban
    checklist = load_workbook(tmp_path / "templat" / "pemeriksaan.xlsx")
    lists = {str(v.sqref): v.formula1 for v in checklist["pemeriksaan"].data_validations.dataValidation}
    assert lists == {"C2:C1048576": "daftar!$A$2:$A$5", "E2:E1048576": "daftar!$B$2:$B$3"}  # indikator, terpenuhi
    assert [checklist["daftar"].cell(r, 2).value for r in (1, 2, 3)] == ["terpenuhi", "ya", "tidak"]
