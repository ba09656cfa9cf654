"""What a hostile tester found after issue 11, each example with its exact outcome (the file's message, the
quarantine reason, the rows): digits of other scripts, entries the system refuses, bad settings, what one file may
cost once decompressed, sheets, pandas periods from another process, registry names, escaping, invisible
characters, periods held as dates, a stray quote, a text formula's empty value, empty folders, the output folder,
encodings and notations."""

from __future__ import annotations

import contextlib
import os
from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from builders import JUTA
from landings import NIK, NIK_B, NOW, REGISTRY_ROW, check, landing, parquet_bytes, report, row_xml, write_reports, xlsx
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from flows.config import DATA_DIR
from flows.ingest.csv_files import read_csv, short_row_notes
from flows.ingest.landing import KOPERASI, read_landing, read_text_table
from flows.ingest.walk import Limits
from schemas.inputs import Registry, check_koperasi, check_kuesioner, check_laporan, registry_of
from scoring import InputFileError
from scoring.columns import LAPORAN

LETTERS = [get_column_letter(i) for i in range(1, len(LAPORAN) + 1)]
HEADER = row_xml(1, dict(zip(LETTERS, LAPORAN, strict=True)))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# ----- D1, D13: digits of other scripts are the digits they are ---------------------------------------------

def test_digits_of_other_scripts_are_read_as_the_digits_they_are_in_every_column(tmp_path):
    root = landing(tmp_path)
    row = report(periode="２０２６-10", kas=str(20 * JUTA).translate(FULL_WIDTH),
                 bank=str(40 * JUTA).translate(ARABIC_INDIC))
    write_reports(root / "laporan" / "a.csv", row)
    (root / "kuesioner").mkdir()
    (root / "kuesioner" / "k.csv").write_text("nik,tanggal,komponen,nomor,jawaban\n"
                                              f"{NIK},2026-02-10,manajemen_umum,١,ya\n")
    found, checked, _ = check(root)
    assert checked.alasan.empty  # was: the whole run failed, ArrowInvalid naming no file
    assert checked.valid[["periode", "kas", "bank"]].values.tolist() == [["2026-10", 20 * JUTA, 40 * JUTA]]
    assert found.kuesioner["nomor"].tolist() == ["1"]
    assert {f.sumber: f.dibersihkan for f in found.berkas if f.dibersihkan} == {
        "kuesioner/k.csv": "angka aksara lain (mis. ５ atau ٥) dibaca sebagai 0-9 di: nomor baris 2",
        "laporan/a.csv": "angka aksara lain (mis. ５ atau ٥) dibaca sebagai 0-9 di: periode baris 2, kas baris 2, "
                         "bank baris 2"}


def test_a_dash_not_ascii_beside_ascii_digits_is_not_named_a_digit_of_another_script(tmp_path):
    """'2026\u201110' (a non-breaking hyphen) was noted "angka aksara lain ... dibaca sebagai 0-9" though every digit
    is ASCII (hostile trial): the note names the cells whose digits were rewritten, and the row is refused for its
    month as written."""
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report(periode="2026\u201110"), report(NIK_B, kas=str(JUTA).translate(
        FULL_WIDTH)))
    found, checked, _ = check(root)
    assert {f.sumber: f.dibersihkan for f in found.berkas if f.dibersihkan} == {
        "laporan/a.csv": "angka aksara lain (mis. ５ atau ٥) dibaca sebagai 0-9 di: kas baris 3"}
    assert checked.alasan.iloc[0][0].startswith("periode: ")


def test_without_the_reader_digits_of_other_scripts_are_a_reason_not_a_crash():
    raw = pd.DataFrame([{"sumber": "laporan/a.csv", "baris": 2, **report(periode="２０２６-10", kas="５８０９４８６")}])
    result = check_laporan(raw, Registry(pd.Series([NIK], dtype="str")), NOW)
    assert result.alasan.iloc[0][:2] == ["periode: bukan bulan YYYY-MM (nilai: '２０２６-10')",
                                         "kas: bukan bilangan bulat Rupiah (nilai: '５８０９４８６')"]


def test_a_period_of_other_digits_on_the_command_line_is_that_period():
    from flows.cli import _period
    from flows.monthly import RunParameters

    assert _period("２０２６-10") == "2026-10" and _period("٢٠٢٦-١٠") == "2026-10"
    with pytest.raises(Exception, match="bukan YYYY-MM"):
        _period("2026-13")
    with pytest.raises(ValueError):  # a flow parameter is checked with ASCII digits only: refused, not run
        RunParameters(period="２０２６-10")


# ----- D2, D16: every entry named, even one the system refuses; empty folders ----------------------------------

def test_an_entry_the_system_refuses_is_named_and_the_rest_is_read(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report())
    here = os.getcwd()
    try:  # the tester's folder: 18 levels of 250 characters, past PATH_MAX (4,096 bytes)
        os.chdir(root / "laporan")
        for _ in range(18):
            os.mkdir("n" * 250)
            os.chdir("n" * 250)
        with open("a.csv", "w") as handle:
            handle.write("nik\n")
    finally:
        os.chdir(here)
    found = read_landing(root, "2026-10", NOW)  # was OSError in walk_landing: a traceback, 3 retries, exit 1
    (refused,) = [e for e in found.tidak_dibaca if e.sumber.startswith("laporan/n")]
    assert refused.alasan == "folder tidak dapat dibaca (File name too long)" and refused.sumber.endswith("/")
    assert found.laporan["nik"].tolist() == [NIK]


def test_an_empty_folder_is_named_even_when_named_like_a_report_and_an_empty_laporan_reads_no_report(tmp_path):
    root = landing(tmp_path)
    (root / "laporan" / "laporan_2026-11.csv").mkdir()
    (root / "kuesioner").mkdir()
    found, checked, _ = check(root)
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("kuesioner/", "folder kosong: tidak ada berkas di dalamnya"),
        ("laporan/laporan_2026-11.csv/", "folder kosong: tidak ada berkas di dalamnya")]
    assert found.laporan.empty and checked.valid.empty and checked.alasan.empty  # D9: no report, no failure


# ----- D3: a setting that is not accepted ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["abc", "-1", "1e3", ""])
def test_a_bad_setting_is_one_line_naming_the_variable_and_exit_2_for_every_command(value, monkeypatch, capsys,
                                                                                    tmp_path):
    from flows.cli import main
    from flows.config import settings

    monkeypatch.setenv("KOPERASI_SEHAT_MAX_FILE_BYTES", value)
    settings.cache_clear()
    try:
        assert main(["template", "--output", str(tmp_path)]) == 2
    finally:
        monkeypatch.delenv("KOPERASI_SEHAT_MAX_FILE_BYTES")
        settings.cache_clear()
    assert capsys.readouterr().err == (f"koperasi-sehat: KOPERASI_SEHAT_MAX_FILE_BYTES={value!r} tidak sah: harus "
                                       "bilangan bulat 1 atau lebih\n")
    assert not any(tmp_path.iterdir())


# ----- D4, D5: what one file may cost once decompressed ---------------------------------------------------

def _shared_string_workbook(rows: int) -> bytes:
    """Every cell of `rows` rows points at one 32,767-character shared string (Excel's longest cell)."""
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in LETTERS) + "</row>"
                   for r in range(2, rows + 2))
    return xlsx({"laporan": HEADER + body}, ["x" * 32_767])


def test_a_cell_too_long_to_be_a_value_is_shown_shortened_and_quarantines_its_row(tmp_path):
    root = landing(tmp_path)
    (root / "laporan" / "a.xlsx").write_bytes(_shared_string_workbook(200))
    found, checked, _ = check(root)
    assert len(found.laporan) == 200 and checked.valid.empty
    assert found.laporan["kas"].iloc[0] == "x" * 60 + "… (32.767 karakter)"  # karantina's data: short
    reasons = checked.alasan.iloc[0]
    assert len(reasons) == len(LAPORAN) and reasons[4] == (
        "kas: sel berisi 32.767 karakter, lebih dari 2.000 karakter sebuah nilai; isinya tidak dibaca")


def test_a_workbook_whose_parts_expand_past_the_byte_limit_is_refused_before_it_is_read():
    data = _shared_string_workbook(200)
    import io
    import zipfile

    size = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(InputFileError) as error:
        read_text_table(data, "laporan/a.xlsx", LAPORAN, bounds=Limits(100_000, 10**9))
    assert str(error.value) == (f"laporan/a.xlsx: isi buku kerja {size:,} byte sesudah dibuka".replace(",", ".")
                                + ", lebih dari batas 100.000 byte (KOPERASI_SEHAT_MAX_FILE_BYTES)")


def test_a_sheet_with_a_cell_at_xfd_in_every_row_reads_only_the_contract_columns_and_is_bounded():
    import time

    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{NIK}</t></is></c><c r="XFD{r}"><v>1</v></c></row>'
                   for r in range(2, 5_002))
    data = xlsx({"laporan": HEADER.replace("</row>", '<c r="XFD1"><v>1</v></c></row>') + body})
    started = time.monotonic()
    frame, _ = read_text_table(data, "laporan/a.xlsx", LAPORAN)
    assert len(frame) == 5_000 and time.monotonic() - started < 5  # was 2.2 ms a row: 11 s
    with pytest.raises(InputFileError) as error:
        read_text_table(data, "laporan/a.xlsx", LAPORAN, bounds=Limits(10**9, 100 * len(LAPORAN)))
    assert str(error.value) == ("laporan/a.xlsx[laporan]: sedikitnya 101 baris x 48 kolom, lebih dari batas 4.800 sel "
                                "(KOPERASI_SEHAT_MAX_FILE_CELLS)")


def _report_table(rows: int) -> pa.Table:
    row = report()
    return pa.table({c: pa.array([row[c]] * rows).dictionary_encode() for c in LAPORAN})


def test_a_parquet_file_is_bounded_by_its_metadata_and_its_decoded_text_before_it_is_read():
    data = parquet_bytes(_report_table(1_000), compression="zstd")
    with pytest.raises(InputFileError, match=r"^laporan/a.parquet: 1.000 baris x 48 kolom, lebih dari batas 10.000 sel "
                                             r"\(KOPERASI_SEHAT_MAX_FILE_CELLS\)$"):
        read_text_table(data, "laporan/a.parquet", LAPORAN, bounds=Limits(10**9, 10_000))
    with pytest.raises(InputFileError, match=r"^laporan/a.parquet: [0-9.]+ byte sesudah dibuka, lebih dari batas "
                                             r"1.000 byte"):
        read_text_table(data, "laporan/a.parquet", LAPORAN, bounds=Limits(1_000, 10**9))
    long_text = pa.DictionaryArray.from_arrays(pa.array([0] * 1_000, pa.int32()), pa.array(["y" * 30_000]))
    long = parquet_bytes(pa.table({c: long_text for c in LAPORAN}))
    with pytest.raises(InputFileError, match=r"^laporan/a.parquet: teks 1.440.000.000 byte sesudah dibuka, lebih "
                                             r"dari batas 1.073.741.824 byte"):
        read_text_table(long, "laporan/a.parquet", LAPORAN)


def test_a_csv_file_over_the_cell_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", *[report()] * 30)
    monkeypatch.setenv("KOPERASI_SEHAT_MAX_FILE_CELLS", "1000")
    from flows.config import settings

    settings.cache_clear()
    try:
        found = read_landing(root, "2026-10", NOW)
    finally:
        monkeypatch.delenv("KOPERASI_SEHAT_MAX_FILE_CELLS")
        settings.cache_clear()
    assert found.galat == ["laporan/a.csv: 31 baris x 48 kolom, lebih dari batas 1.000 sel "
                           "(KOPERASI_SEHAT_MAX_FILE_CELLS)"]


# ----- D6, D12: Parquet periods and dates -----------------------------------------------------------------

@pytest.fixture
def pandas_period_unknown():
    """This process does not know pandas' period type, as a process that only reads the file."""
    from pandas.core.arrays.arrow.extension_types import ArrowPeriodType

    with contextlib.suppress(KeyError):  # not registered in this process yet
        pa.unregister_extension_type("pandas.period")
    yield
    pa.register_extension_type(ArrowPeriodType("M"))


def _periods_written_elsewhere(freq: str) -> bytes:
    """A Parquet column of pandas periods as another process writes it: int64 ordinals, named in the field."""
    kind = pa.field("periode", pa.int64(), metadata={b"ARROW:extension:name": b"pandas.period",
                                                     b"ARROW:extension:metadata": f'{{"freq": "{freq}"}}'.encode()})
    table = pa.table({"nik": [NIK], "kas": [1]}).append_column(kind, pa.array([681], pa.int64()))
    return parquet_bytes(table)


def test_a_pandas_period_written_by_another_process_is_the_month_it_names(pandas_period_unknown):
    columns = ("nik", "periode", "kas")
    frame, _ = read_text_table(_periods_written_elsewhere("M"), "laporan/a.parquet", columns)
    assert frame["periode"].tolist() == ["2026-10"]  # was '681', quarantined every run
    with pytest.raises(InputFileError, match=r"^laporan/a.parquet: kolom periode bertipe ekstensi pandas.period "
                                             r"\(int64\) tidak dapat dibaca"):
        read_text_table(_periods_written_elsewhere("Q-DEC"), "laporan/a.parquet", columns)


@pytest.mark.parametrize("array, meant", [
    (pa.array([date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15)], pa.date32()),
     ["2026-10", "2026-10", "2026-10-15"]),
    (pa.array([datetime(2026, 10, 1), datetime(2026, 10, 31), datetime(2026, 10, 1, 8)], pa.timestamp("ms")),
     ["2026-10", "2026-10", "2026-10-01T08:00:00"]),
])
def test_a_parquet_period_held_as_a_date_is_its_month_on_the_first_or_last_day(array, meant):
    table = pa.table({"nik": [NIK] * 3, "periode": array, "kas": [1] * 3})
    frame, _ = read_text_table(parquet_bytes(table), "laporan/a.parquet", ("nik", "periode", "kas"))
    assert frame["periode"].tolist() == meant


def test_a_parquet_stamp_at_midnight_is_its_date_as_an_excel_date_cell(tmp_path):
    """pandas writes a date column as stamps at midnight: every questionnaire answer was quarantined 'bukan tanggal
    YYYY-MM-DD (nilai: '2024-02-08T00:00:00')' and the month published lower scores (hostile trial)."""
    stamps = pa.array([datetime(2024, 2, 8), datetime(2024, 2, 8, 9, 30), None], pa.timestamp("ns"))
    table = pa.table({"nik": [NIK] * 3, "tanggal": stamps, "komponen": ["manajemen_umum"] * 3, "nomor": [1, 2, 3],
                      "jawaban": ["ya"] * 3})
    frame, _ = read_text_table(parquet_bytes(table), "kuesioner/k.parquet",
                               ("nik", "tanggal", "komponen", "nomor", "jawaban"))
    assert frame["tanggal"].tolist() == ["2024-02-08", "2024-02-08T09:30:00", ""]
    # a zone-aware stamp: midnight where it was written is its date (localized to WIB it read 01:00 WITA: review)
    for zone, later in (("Asia/Jakarta", "2024-02-08T10:30:00"), ("UTC", "2024-02-08T17:30:00")):
        zoned = table.set_column(1, "tanggal", pc.assume_timezone(stamps, zone))
        frame, _ = read_text_table(parquet_bytes(zoned), "kuesioner/k.parquet",
                                   ("nik", "tanggal", "komponen", "nomor", "jawaban"))
        assert frame["tanggal"].tolist() == ["2024-02-08", later, ""], zone
    root = landing(tmp_path)
    (root / "kuesioner").mkdir()
    (root / "kuesioner" / "k.parquet").write_bytes(parquet_bytes(table.slice(0, 1)))
    found = read_landing(root, "2026-10", NOW)
    koperasi = check_koperasi(found.koperasi, NOW.date(), found.catatan)
    answers = check_kuesioner(found.kuesioner, registry_of(found.koperasi, koperasi), found.catatan)
    (reasons,) = answers.alasan  # one answer: an incomplete set, not a date
    assert reasons[0].startswith("set kuesioner 6502000000000001 2024-02-08: ") and "bukan tanggal" not in str(reasons)


def test_an_excel_period_held_as_a_date_is_its_month_another_day_says_what_to_write(tmp_path):
    root = landing(tmp_path)
    book = Workbook()
    book.active.title = "laporan"
    book.active.append(list(LAPORAN))
    for day, nik in ((date(2026, 10, 1), NIK), (date(2026, 10, 31), NIK_B), (date(2026, 10, 15), NIK)):
        book.active.append([day if c == "periode" else v for c, v in report(nik).items()])
    book.save(root / "laporan" / "a.xlsx")
    _, checked, _ = check(root)
    assert checked.valid["periode"].tolist() == ["2026-10", "2026-10"]
    assert checked.alasan.tolist() == [["periode: berisi tanggal '2026-10-15', bukan bulan; tulis bulan laporan "
                                        "YYYY-MM sebagai teks (di Excel: sel berformat Teks)"]]


# ----- D7, D15: every sheet; a text formula's empty value -------------------------------------------------

def test_every_sheet_with_the_tables_header_is_read_and_every_other_sheet_named(tmp_path):
    root = landing(tmp_path)
    book = Workbook()
    book.active.title = "catatan"
    book.active.append(["Kiriman bulan Oktober"])
    for title, niks in (("Kiriman 1", [NIK]), ("Kiriman 2", [NIK_B])):
        sheet = book.create_sheet(title)
        sheet.append(list(LAPORAN))
        for nik in niks:
            sheet.append(list(report(nik).values()))
    book.save(root / "laporan" / "a.xlsx")
    found, checked, _ = check(root)
    assert found.laporan[["sumber", "baris", "nik"]].values.tolist() == [  # the second's rows were lost
        ["laporan/a.xlsx[Kiriman 1]", 2, NIK], ["laporan/a.xlsx[Kiriman 2]", 2, NIK_B]]
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("laporan/a.xlsx[catatan]", "lembar tanpa judul kolom tabel laporan: tidak dibaca")]
    (entry,) = [f for f in found.berkas if f.sumber == "laporan/a.xlsx"]
    assert entry.baris == 2 and entry.lembar_tidak_dibaca == [
        {"sumber": "laporan/a.xlsx[catatan]", "alasan": "lembar tanpa judul kolom tabel laporan: tidak dibaca"}]
    assert len(checked.valid) == 2



def test_a_sheet_without_the_tables_header_is_named_in_a_short_line(tmp_path):
    root = landing(tmp_path)
    book = Workbook()
    book.active.title = "Kiriman"
    book.active.append(list(LAPORAN))
    book.active.append(list(report().values()))
    for title, header in (("lama", ["nik", "periode", "kas"]),
                          ("ketik ulang", ["nik", "Kas", "Bank", "Pinjaman Anggota", "Total Aset"])):
        book.create_sheet(title).append(header)
    book.save(root / "laporan" / "a.xlsx")
    found, checked, _ = check(root)
    assert len(checked.valid) == 1
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [  # was: all 45 columns, then the 48 of the header
        ("laporan/a.xlsx[ketik ulang]", "lembar tanpa judul kolom tabel laporan: tidak dibaca (kolom 'Kas' harus "
         "ditulis 'kas'; kolom 'Bank' harus ditulis 'bank'; kolom 'Pinjaman Anggota' harus ditulis 'pinjaman_anggota' "
         "dan 1 kolom lain ditulis berbeda; kolom tidak ada: periode, tanggal_kirim, diaudit dan 40 kolom lain)"),
        ("laporan/a.xlsx[lama]", "lembar tanpa judul kolom tabel laporan: tidak dibaca (kolom tidak ada: "
         "tanggal_kirim, diaudit, bank dan 42 kolom lain)")]

@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_not_read_and_is_named_as_hidden(tmp_path, state):
    """A hidden sheet holding an old copy of rows sent later than the visible ones was read without a word and
    its rows replaced the visible ones (hostile trial); only the template's hidden helper sheet is named as such."""
    root = landing(tmp_path)
    book = Workbook()
    book.active.title = "laporan"
    book.active.append(list(LAPORAN))
    book.active.append(list(report().values()))
    old = book.create_sheet("lama")
    old.append(list(LAPORAN))
    old.append([("2026-11-30T10:00:00" if c == "tanggal_kirim" else v) for c, v in report().items()])
    old.sheet_state = state
    helper = book.create_sheet("daftar")  # named as the template's hidden helper, holding rows: not read either
    helper.append(list(LAPORAN))
    helper.append([("2026-11-30T10:00:00" if c == "tanggal_kirim" else v) for c, v in report().items()])
    helper.sheet_state = "hidden"
    book.save(root / "laporan" / "a.xlsx")
    found, checked, _ = check(root)
    assert found.laporan["sumber"].tolist() == ["laporan/a.xlsx"] and len(checked.valid) == 1  # one sheet read
    hidden = "lembar tersembunyi: tidak dibaca; bila isinya tabel laporan, tampilkan lembarnya di Excel (Unhide)"
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("laporan/a.xlsx[daftar]", "lembar bantuan templat: tidak dibaca"), ("laporan/a.xlsx[lama]", hidden)]
    old.sheet_state = "visible"  # the only sheet of the table hidden: the file's error says so
    book.remove(book["laporan"])
    book.create_sheet("catatan").append(["Kiriman bulan Oktober"])
    book["lama"].sheet_state = state
    book.save(root / "laporan" / "a.xlsx")
    found, _, _ = check(root)
    assert found.galat == ["laporan/a.xlsx: lembar 'lama' tersembunyi: tidak dibaca; bila isinya tabel laporan, "
                           "tampilkan lembarnya di Excel (Unhide)"]


def test_a_report_file_with_another_files_bytes_is_named_and_not_read_again(tmp_path):
    """A month's file sent twice ('laporan_2026-10 (1).csv') had every row of the copy quarantined as an exact copy
    and the quarantine share stopped the month (hostile trial). The copy is an entry not read, naming the file read:
    the shortest name of the identical ones; a file differing by one byte is read (its rows are exact copies)."""
    root = landing(tmp_path)
    write_reports(root / "laporan" / "laporan_2026-10 (1).csv", report(), report(NIK_B))
    (root / "laporan" / "laporan_2026-10.csv").write_bytes((root / "laporan" / "laporan_2026-10 (1).csv").read_bytes())
    (root / "laporan" / "z.csv").write_bytes((root / "laporan" / "laporan_2026-10.csv").read_bytes() + b"\n")
    found, checked, _ = check(root)
    assert found.laporan[["sumber", "nik"]].values.tolist() == [
        ["laporan/laporan_2026-10.csv", NIK], ["laporan/laporan_2026-10.csv", NIK_B], ["laporan/z.csv", NIK],
        ["laporan/z.csv", NIK_B]]
    assert [(e.sumber, e.alasan) for e in found.tidak_dibaca] == [
        ("laporan/laporan_2026-10 (1).csv", "isinya sama persis dengan laporan/laporan_2026-10.csv: tidak dibaca lagi")]
    assert sorted(f.sumber for f in found.berkas) == ["koperasi.csv", "laporan/laporan_2026-10.csv", "laporan/z.csv"]


def test_a_text_formula_whose_cached_value_is_empty_is_an_empty_cell(tmp_path):
    root = landing(tmp_path)
    cells = dict(zip(LETTERS, report().values(), strict=True))
    row = row_xml(2, {k: v for k, v in cells.items() if k not in ("E", "F")})
    row = row.replace("</row>", '<c r="E2" t="str"><f>IF(1=1,"",0)</f><v></v></c>'
                                '<c r="F2"><f>SUM(1,2)</f><v></v></c></row>')
    (root / "laporan" / "a.xlsx").write_bytes(xlsx({"laporan": HEADER + row}))
    _, checked, _ = check(root)
    assert checked.alasan.iloc[0][:2] == [  # was: "kas: sel E2 berisi rumus tanpa nilai tersimpan; ..."
        "kas: kosong, harus bilangan bulat Rupiah (isi 0 bila tidak ada)",
        "bank: sel F2 berisi rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel"]


# ----- D8: a registry name that is not its code's ---------------------------------------------------------

def test_a_registry_name_not_its_codes_usual_one_quarantines_the_row_not_the_run():
    from flows.ingest.landing import KOPERASI

    registry = pd.read_csv(DATA_DIR / "sample" / "koperasi.csv", dtype=str, keep_default_na=False)[list(KOPERASI)]
    first = registry.index[registry["kabupaten_kota"].eq("Bulungan")][0]
    registry.loc[first, "kabupaten_kota"] = "Bulongan"  # the tester's sed: the first Bulungan row
    raw = registry.assign(sumber="koperasi.csv", baris=registry.index + 2)
    checked = check_koperasi(raw, date(2026, 11, 5))
    assert checked.alasan.to_dict() == {first: [  # was: ringkasan_wilayah's uniqueness failed the whole run
        "kabupaten_kota: 'Bulongan' tidak sama dengan nama kode_wilayah 65.02 di 26 baris lain: 'Bulungan'"]}
    assert checked.valid.groupby("kode_wilayah")["kabupaten_kota"].nunique().eq(1).all()
    tie = raw[raw["kode_wilayah"].eq("65.71")].head(2).assign(kabupaten_kota=["Tarakan", "Kota Tarakan"])
    assert check_koperasi(tie, date(2026, 11, 5)).alasan.tolist() == [[
        "kabupaten_kota: kode_wilayah 65.71 ditulis dengan nama berbeda yang sama seringnya: 'Kota Tarakan' "
        "(1 baris), 'Tarakan' (1 baris); tulis satu nama"]] * 2


# ----- D10, D19: text from inputs escaped where the analyst reads it; the registry file named -------------

def test_registry_names_reach_the_summary_escaped_and_not_as_markup(tmp_path, monkeypatch, capsys):
    import json

    from flows import report as summary_report
    from scoring.status import ringkasan_wilayah

    name = "Bul\nungan \x1b[31m[bold]merah[/bold] | x"
    status = pd.DataFrame({"nik": ["1"], "kode_wilayah": ["65.02"], "kabupaten_kota": [name], "aktif": [True],
                           "melapor": [False], "dinilai": [False], "predikat": [None]})
    regions = ringkasan_wilayah(status, pd.DataFrame({"nik": [], "skor_total": []}), "2026-10")
    monkeypatch.setattr(summary_report.storage, "read_table", lambda output, table, *args, **kwargs: regions
                        if table == "ringkasan_wilayah" else summary_report.storage.empty_frame(table))
    manifest = tmp_path / "run.json"
    manifest.write_text(json.dumps({"berkas_masukan": [{"sumber": "koperasi.xlsx"}, {"sumber": "laporan/a.csv"}]}))
    summary = {"run_id": "r", "periode": "2026-10", "laporan_dibaca": 0, "dinilai": 0, "tidak_dinilai": 0,
               "laporan_dikarantina": 0, "laporan_terganti": 0, "kuesioner_dikarantina": 0, "kuesioner_dibaca": 0,
               "faktor_dikarantina": 0, "faktor_dibaca": 0, "koperasi_dikarantina": 0, "koperasi_dibaca": 1,
               "berkas_ditolak": [], "berkas_tidak_dibaca": [], "catatan_berkas": [], "alasan_teratas": [],
               "data_docs": "-", "manifest": str(manifest), "keluaran": {"laporan": str(tmp_path / "laporan")}}
    summary_report.print_summary(summary, tmp_path)
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "Bul\\x0aungan \\x1b[31m[bold]merah[/bold] | x" in printed
    assert "koperasi.xlsx 0 dari 1" in printed  # was: koperasi.csv whatever the registry file
    markdown = summary_report.summary_markdown(summary, tmp_path)
    assert "| Bul\\x0aungan \\x1b[31m[bold]merah[/bold] \\| x |" in markdown


def test_a_parquet_type_and_an_arrow_error_are_shown_escaped():
    struct = pa.array([{"a\nBERKAS DITOLAK palsu": 1}])
    data = parquet_bytes(pa.table({"nik": [NIK], "kas": struct, "nama": ["KSP"]}))
    with pytest.raises(InputFileError) as error:
        read_text_table(data, "laporan/a.parquet", ("nik", "kas", "nama"))
    assert "\n" not in str(error.value) and "struct<a\\x0aBERKAS DITOLAK palsu: int64>" in str(error.value)


# ----- D11: every character a person cannot see -----------------------------------------------------------

def test_every_character_a_person_cannot_see_is_cleaned_from_identifiers_and_recorded(tmp_path):
    root = landing(tmp_path, [{"nik": NIK, **REGISTRY_ROW, "nama": "Kope\u0301rasi\tMaju",
                               "kabupaten_kota": "Bulungan\x1b"}])
    hidden = ["\u034f", "\u3164", "\ufe0f", "\x00", "\x7f", "\u2028", "\u0301", "\U000e0041", "\u2800"]
    write_reports(root / "laporan" / "a.csv", *[report(nik=NIK[:8] + c + NIK[8:]) for c in hidden])
    found, checked, _ = check(root)
    assert checked.valid["nik"].tolist() == [NIK] * len(hidden)  # was: nik '6501149͏25802892' tidak terdaftar
    assert found.koperasi[["nama", "kabupaten_kota"]].values.tolist() == [["Kope\u0301rasi\tMaju", "Bulungan"]]
    assert {f.sumber: f.dibersihkan for f in found.berkas} == {
        "koperasi.csv": "karakter tak terlihat (spasi lebar-nol, spasi tak-putus, BOM, kendali) dihapus dari: "
                        "kabupaten_kota baris 2",
        "laporan/a.csv": "karakter tak terlihat (spasi lebar-nol, spasi tak-putus, BOM, kendali) dihapus dari: "
                         "nik baris 2, nik baris 3, nik baris 4, nik baris 5, nik baris 6 dan 4 lainnya"}


# ----- D14: a stray quote -----------------------------------------------------------------------------------

def test_a_stray_quote_names_the_lines_it_swallowed_and_the_rows_add_up(tmp_path):
    niks = [f"65020000000000{i:02d}" for i in range(1, 6)]
    root = landing(tmp_path, [{"nik": n, **REGISTRY_ROW} for n in niks])
    write_reports(root / "laporan" / "a.csv", *[report(n) for n in niks])
    lines = (root / "laporan" / "a.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",true,", ',"true,', 1)  # report 1 (line 2): the quote opens
    lines[4] = lines[4].replace(",true,", ',true",', 1)  # report 4 (line 5): it closes
    (root / "laporan" / "a.csv").write_text("\n".join(lines) + "\n")
    found, checked, _ = check(root)
    assert found.laporan[["baris", "nik"]].values.tolist() == [[2, niks[0]], [3, niks[4]]]
    assert checked.alasan.tolist() == [[
        "diaudit: tanda kutip (\") tampaknya tidak ditutup: sel ini memuat baris teks 2 sampai 5 berkas (3 baris "
        "tertelan ke dalam satu sel); perbaiki tanda kutipnya lalu kirim ulang"]]
    (entry,) = [f for f in found.berkas if f.sumber == "laporan/a.csv"]
    assert (entry.baris, entry.tertelan) == (2, 3)  # 5 reports: 2 rows read + 3 lines swallowed
    frame, _ = read_text_table(b'nik,kas,nama\nA,1,"Jl. A, No 5\nKota"\n', "laporan/b.csv", ("nik", "kas", "nama"))
    assert frame["nama"].tolist() == ["Jl. A, No 5\nKota"]  # a name on two lines swallows no row


def test_a_row_cut_short_is_one_reason_naming_the_cut_and_the_other_rows_are_read(tmp_path):
    niks = [f"65020000000000{i:02d}" for i in range(1, 4)]
    root = landing(tmp_path, [{"nik": n, **REGISTRY_ROW} for n in niks])
    write_reports(root / "laporan" / "a.csv", *[report(n) for n in niks])
    lines = (root / "laporan" / "a.csv").read_text().splitlines()
    lines[1] = ",".join(lines[1].split(",")[:5])  # report 1: nik .. kas, then nothing (a line edited by hand)
    lines[3] = ",".join(lines[3].split(",")[:2])  # report 3, the last line: the file cut after its periode
    (root / "laporan" / "a.csv").write_text("\n".join(lines))
    found, checked, _ = check(root)
    assert found.laporan["baris"].tolist() == [2, 3, 4]
    assert checked.valid["nik"].tolist() == [niks[1]]
    assert checked.alasan.tolist() == [  # was a kosong reason per missing cell: 43, then 46 of them
        ["baris terpotong: hanya 5 dari 48 kolom baris judul, tanpa sel bank, simpanan_di_lembaga_lain, "
         "surat_berharga dan 40 kolom lain; lengkapi barisnya lalu kirim ulang"],
        ["baris terpotong: hanya 2 dari 48 kolom baris judul, tanpa sel tanggal_kirim, diaudit, kas dan 43 kolom "
         "lain; lengkapi barisnya lalu kirim ulang"]]
    cut = b"nik,periode,kas,catatan\n" + b"A,2026-10,5,x\nB,2026-10,,\nC,2026-10,7\nD,2026-10\n\n"
    frame, _ = read_text_table(cut, "laporan/b.csv", ("nik", "periode", "kas"))
    assert frame["kas"].tolist() == ["5", "", "7", ""]  # only a contract column's cell missing is a cut row
    trailing = b"nik,periode,kas,bank\nA,2026-10,5,6\nB,2026-10,\n"  # a separator after the cut is no cell
    swallowing = b'nik,periode,kas,bank,,\nA,2026-10,"' + b"x" * 140_000 + b'",1,,\nB,2026-10\n'  # Python's csv
    assert read_csv(trailing, "a.csv").short == read_csv(swallowing, "b.csv").short == {1: 2}  # reader refused it
    reason = "baris terpotong: hanya 2 dari 4 kolom baris judul, tanpa sel kas; lengkapi barisnya lalu kirim ulang"
    assert short_row_notes({2: 3, 3: 2}, 4, [0, 1, 2], ["nik", "periode", "kas"]) == [(3, "kas", reason)]
    assert short_row_notes({0: 1}, 4, [2, 0, 1], ["kas", "nik", "periode"]) == [  # columns in the file's order
        (0, "periode", reason.replace("2 dari", "1 dari").replace("sel kas", "sel periode, kas")), (0, "kas", None)]


# ----- D17: the output folder ----------------------------------------------------------------------------

def test_an_output_folder_inside_the_landing_folder_is_refused_at_once(tmp_path, capsys):
    from flows.cli import main

    root = landing(tmp_path / "landing")
    output = root / "laporan" / "keluaran"
    assert main(["run", "--period", "2026-10", "--input", str(root), "--output", str(output)]) == 2
    assert capsys.readouterr().err == (f"koperasi-sehat: --output {output} ada di dalam folder masukan {root}: run "
                                       "berikutnya akan membaca keluarannya sebagai masukan; pilih folder keluaran "
                                       f"di luar {root}\n")
    assert not output.exists()


# ----- D18: encodings, separators, notations, names -----------------------------------------------------

COLUMNS = ("nik", "kas", "nama")


def test_utf16_without_a_bom_is_read_and_a_sep_line_is_honoured():
    from flows.ingest.csv_files import read_csv

    data = "nik\tkas\tnama\r\nA\t1000\tKSP\r\n".encode("utf-16-le")
    assert read_csv(data, "laporan/a.csv")[1:3] == ("csv-tab", "utf-16-le")  # was: all 48 columns missing
    frame, kind = read_text_table(b"sep=;\nnik;kas;nama\nA;1.234.567;KSP\n", "laporan/b.csv", COLUMNS, ["kas"])
    assert kind == "csv-id" and frame[["baris", "kas"]].values.tolist() == [[2, "1234567"]]


def test_indonesian_thousands_outside_the_semicolon_export_say_what_to_write(tmp_path):
    root = landing(tmp_path)
    write_reports(root / "laporan" / "a.csv", report(kas="20.000.000", bank="40.000.000,00"), sep="\t")
    _, checked, _ = check(root)
    assert checked.alasan.tolist() == [[
        "kas: '20.000.000' ditulis dengan titik pemisah ribuan; tulis tanpa pemisah: 20000000",
        "bank: '40.000.000,00' ditulis dengan titik pemisah ribuan; tulis tanpa pemisah: 40000000"]]


def test_a_file_name_that_is_not_utf8_shows_its_bytes(tmp_path):
    root = landing(tmp_path)
    os.close(os.open(os.path.join(os.fsencode(root / "laporan"), b"\xff.txt"), os.O_CREAT | os.O_WRONLY))
    found = read_landing(root, "2026-10", NOW)
    assert [e.sumber for e in found.tidak_dibaca] == ["laporan/\\xff.txt"]  # was: \udcff


@pytest.mark.parametrize(("rows", "message"), [
    ([{"nik": NIK, **REGISTRY_ROW, "tanggal_badan_hukum": "01/01/2010"},
      {"nik": NIK_B, **REGISTRY_ROW, "tanggal_badan_hukum": "13/03/2019"}],
     "koperasi.csv: tidak ada baris registri yang diterima (2 ditolak, mis. baris 2: tanggal_badan_hukum: bukan "
     "tanggal YYYY-MM-DD (nilai: '01/01/2010')): perbaiki daftar koperasi, lalu jalankan lagi"),
    ([], "koperasi.csv: daftar koperasi tanpa baris: isi satu baris per koperasi terdaftar"),
])
def test_a_registry_without_an_accepted_row_stops_the_run_in_one_line(tmp_path, rows, message):
    """Every registry date written as an Indonesian Excel writes it, or a header-only registry, crashed the run's
    summary in English ("dtype 'str' does not support operation 'mean'": hostile trial)."""
    from flows.prepare import _checked

    root = landing(tmp_path)
    pd.DataFrame(rows, columns=["nik", *REGISTRY_ROW])[list(KOPERASI)].to_csv(root / "koperasi.csv", index=False)
    with pytest.raises(InputFileError) as error:
        _checked(root, NOW.date())
    assert str(error.value) == message
