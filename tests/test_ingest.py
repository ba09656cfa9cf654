"""Reading input files: CSV (comma, and semicolon with Indonesian numbers, BOM), Parquet, file-level errors."""

from __future__ import annotations

import codecs
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.ingest.landing import KOPERASI, read_landing, read_text_table
from scoring.inputs import FAKTOR_BERKAS
from scoring import InputFileError

COLUMNS = ("nik", "kas", "nama")


def test_comma_csv_keeps_text_and_numbers_rows_as_a_spreadsheet_does():
    frame, kind = read_text_table(b"nik,kas,nama\nA, 1000 ,KSP Maju\n\nB,2000,KSP Jaya\n", "laporan/a.csv", COLUMNS,
                                  ["kas"])
    assert kind == "csv"
    assert frame.to_dict(orient="records") == [
        {"sumber": "laporan/a.csv", "baris": 2, "nik": "A", "kas": "1000", "nama": "KSP Maju"},
        {"sumber": "laporan/a.csv", "baris": 4, "nik": "B", "kas": "2000", "nama": "KSP Jaya"},  # blank line 3
    ]


def test_semicolon_csv_with_bom_and_indonesian_numbers():
    data = "\ufeffnik;kas;nama\nA;1.234.567;KSP 1.000 Maju\nB;-2.500,00;X\nC;12a;Y\nD;1.234,5;Z\n".encode()
    frame, kind = read_text_table(data, "laporan/b.csv", COLUMNS, ["kas"])
    assert kind == "csv-id"
    # whole numbers read; the rest as written, for validation to quote as written (1.234,5: not whole Rupiah)
    assert frame["kas"].tolist() == ["1234567", "-2500", "12a", "1.234,5"]
    assert frame["nama"].tolist() == ["KSP 1.000 Maju", "X", "Y", "Z"]  # text columns untouched
    assert frame.columns.tolist() == ["sumber", "baris", "nik", "kas", "nama"]


def test_parquet_becomes_the_same_text():
    table = pa.table({"nik": ["A"], "kas": pa.array([1_234_567_890_123], pa.int64()), "nama": ["KSP"],
                      "lain": [True]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    frame, kind = read_text_table(buffer.getvalue(), "laporan/c.parquet", COLUMNS, ["kas"])
    assert kind == "parquet"
    assert frame.to_dict(orient="records") == [{"sumber": "laporan/c.parquet", "baris": 1, "nik": "A",
                                                "kas": "1234567890123", "nama": "KSP"}]


@pytest.mark.parametrize("data, sumber, message", [
    (b"nik,nama\nA,B\n", "laporan/d.csv", "laporan/d.csv: kolom tidak ada: kas. Baris judul harus memuat kolom"),
    ("nik,kas,nama\nA,1,Koperasi Sejahtera\n".encode("cp1252") + b"\xe9\x81\n", "laporan/e.csv",
     "laporan/e.csv: bukan teks UTF-8 (byte ke-37) dan bukan Windows-1252"),
    # UTF-8 in one line, a Windows-1252 byte in another: read as Windows-1252, 'Señor' became 'SeÃ±or' (hostile trial)
    ("nik,kas,nama\nA,1,Cahaya Señor\nB,2,Nelayan Caf".encode() + b"\xe9\n", "laporan/p.csv", "laporan/p.csv: "
     "campuran UTF-8 dan Windows-1252: baris teks 3 (byte ke-47) bukan UTF-8, sedangkan baris teks 2 ditulis UTF-8"),
    # a byte of another encoding after a BOM, an odd last byte of UTF-16: tracebacks (hostile trial)
    (codecs.BOM_UTF8 + "nik,kas,nama\nA,1,Caf".encode() + b"\xe9\n", "laporan/q.csv", "laporan/q.csv: bertanda "
     "UTF-8 (BOM), tetapi baris teks 2 (byte ke-24) bukan UTF-8. Simpan ulang dari spreadsheet sebagai 'CSV UTF-8"),
    (codecs.BOM_UTF16_LE + "nik,kas,nama\nA,1,B\n".encode("utf-16-le") + b"\x00", "laporan/r.csv", "laporan/r.csv: "
     "bertanda UTF-16-LE (BOM), tetapi baris teks 3 (byte ke-41) bukan UTF-16-LE"),
    (b"nik,kas,nama\nA,1,B,C,D\n", "laporan/f.csv", "laporan/f.csv: bukan CSV yang dapat dibaca (baris 2 berisi 5 kolom, baris judul 3 kolom)"),
    (b"not parquet", "laporan/g.parquet", "laporan/g.parquet: bukan berkas Parquet"),
    # a title line above the header (was: 'baris 2 berisi 3 kolom, baris judul 1 kolom'), as a workbook's title row
    (b"Laporan Oktober 2026\nnik,kas,nama\nA,1,B\n", "laporan/h.csv", "laporan/h.csv: baris 1 ('Laporan Oktober "
     "2026') bukan baris judul kolom: judul kolom ada di baris 2; hapus baris di atasnya"),
    # each line split by its own separator; a blank line between; a title longer than 40 characters shortened
    (b"Laporan Bulanan Koperasi Simpan Pinjam Kalimantan Utara;;\r\n;;\r\nnik;kas;nama\r\nA;1;B\r\n",
     "laporan/i.csv", "laporan/i.csv: baris 1 ('Laporan Bulanan Koperasi Simpan Pinjam K\u2026') bukan baris judul "
     "kolom: judul kolom ada di baris 3; hapus baris di atasnya"),
    (b"sep=;\nJudul\nnik;kas;nama\nA;1;B\n", "laporan/j.csv", "laporan/j.csv: baris 2 ('Judul') bukan baris judul "
     "kolom: judul kolom ada di baris 3"),  # Excel's sep= line counted
    (b"\nnik,kas,nama\nA,1,B\n", "laporan/k.csv", "laporan/k.csv: baris 1 (kosong) bukan baris judul kolom: judul "
     "kolom ada di baris 2"),
    (b"NIK Koperasi,Saldo\nA,1\n", "laporan/l.csv", "laporan/l.csv: kolom tidak ada: nik, kas, nama. Baris judul"),
    # a header under the title written differently, or a title holding a column's name (hostile trial: the title
    # was not seen); the first line holding the header, however wrong, keeps its own words
    (b"Laporan\nNIK,Kas,Nama\nA,1,B\n", "laporan/m.csv", "laporan/m.csv: baris 1 ('Laporan') bukan baris judul kolom: "
     "judul kolom ada di baris 2"),
    (b"Laporan Koperasi,Nama,Oktober 2026\nnik,kas,nama\nA,1,B\n", "laporan/n.csv", "laporan/n.csv: baris 1 "
     "('Laporan Koperasi Nama Oktober 2026') bukan baris judul kolom: judul kolom ada di baris 2"),
    (b"NIK,Kas,nama\nnik,kas,nama\n", "laporan/o.csv", "laporan/o.csv: kolom 'NIK' harus ditulis 'nik'; kolom 'Kas' "
     "harus ditulis 'kas'"),
    # a quote left open to the end of the file: pandas' English words were shown ('C error: EOF inside string')
    (b'nik,kas,nama\r\nA,1,B\r\nC,"2,D\r\n', "laporan/p.csv", 'laporan/p.csv: bukan CSV yang dapat dibaca (tanda kutip '
     '(") di baris 3 tidak ditutup sampai akhir berkas; perbaiki tanda kutipnya lalu kirim ulang)'),
    # the file's own line numbers when a sep= line comes first (were one less), counts as Indonesian writes them
    (b"sep=,\nnik,kas,nama\nA,1,B\nC,2,D" + b",x" * 1_500 + b"\n", "laporan/q.csv",
     "laporan/q.csv: bukan CSV yang dapat dibaca (baris 4 berisi 1.503 kolom, baris judul 3 kolom)"),
    (b'sep=,\nnik,kas,nama\n"A,1,B\n', "laporan/r.csv", 'laporan/r.csv: bukan CSV yang dapat dibaca (tanda kutip (") '
     "di baris 3 tidak ditutup"),
    # a first line wider than an Excel sheet is no header: refused before it is split (a line of tens of MB
    # without a line break took minutes and gigabytes; hostile trial)
    (b"a;" * 16_384, "laporan/s.csv", "laporan/s.csv: baris 1 berisi lebih dari 16.384 kolom (batas satu lembar "
     "Excel): bukan baris judul kolom; periksa pemisah barisnya"),
    (b"sep=,\n" + b"a," * 16_384 + b"\nb\n", "laporan/t.csv", "laporan/t.csv: baris 2 berisi lebih dari 16.384 kolom"),
    # a sep= line naming another separator than the header's: every column was named missing, twice (hostile trial)
    (b"sep=;\nnik,kas,nama\nA,1,B\n", "laporan/v.csv", "laporan/v.csv: baris 1 ('sep=;') menyebut pemisah ';', tetapi "
     "baris judul dipisah dengan ',': hapus baris sep= itu atau simpan ulang dengan pemisah ';'"),
    (b"sep=\t\nnik;kas;nama\n", "laporan/w.csv", "laporan/w.csv: baris 1 ('sep=\\t') menyebut pemisah '\\t', "
     "tetapi baris judul dipisah dengan ';'"),
])
def test_a_bad_file_is_one_clear_error_naming_it(data, sumber, message):
    with pytest.raises(InputFileError) as error:
        read_text_table(data, sumber, COLUMNS)
    assert str(error.value).startswith(message)


def test_a_bad_report_file_is_recorded_and_the_others_go_on(tmp_path):
    (tmp_path / "laporan").mkdir()
    (tmp_path / "koperasi.csv").write_text("nik,nama,jenis,kode_wilayah,kabupaten_kota,wilayah_keanggotaan,"
                                           "tanggal_badan_hukum,tanggal_rat_terakhir,pendamping\n"
                                           "A,KSP,ksp,65.02,Bulungan,provinsi,2010-01-01,,\n")
    (tmp_path / "laporan" / "rusak.csv").write_bytes(b"nik,periode\nA,2026-10\n")
    landing = read_landing(tmp_path)
    assert len(landing.koperasi) == 1 and landing.laporan.empty and landing.faktor.columns.tolist()[2:] == list(
        FAKTOR_BERKAS)
    assert [f.sumber for f in landing.berkas] == ["koperasi.csv", "laporan/rusak.csv"]
    assert landing.galat[0].startswith("laporan/rusak.csv: kolom tidak ada: tanggal_kirim, diaudit, kas")
    assert len(landing.berkas[1].sha256) == 64


def test_without_a_registry_nothing_can_be_checked(tmp_path):
    with pytest.raises(InputFileError, match="^daftar koperasi tidak ada di folder landing: simpan koperasi.csv"):
        read_landing(tmp_path)
    with pytest.raises(InputFileError, match="does not exist"):
        read_landing(tmp_path / "nowhere")


def test_the_committed_samples_read_whole():
    from flows.config import DATA_DIR

    clean = read_landing(DATA_DIR / "sample")
    assert (len(clean.koperasi), len(clean.laporan), len(clean.kuesioner), len(clean.faktor)) == (109, 1468, 4788, 4)
    assert not clean.galat
    dirty = read_landing(DATA_DIR / "sample_dirty")
    semicolon = dirty.laporan[dirty.laporan["sumber"] == "laporan/laporan_2026-10_semicolon.csv"]
    assert len(semicolon) == 5 and semicolon["kas"].str.fullmatch(r"\d+").all()
    assert pd.Series([f.format for f in dirty.berkas]).value_counts().to_dict() == {
        "csv": 7, "csv-id": 1, "csv-tab": 1, "xlsx": 1, "parquet": 1}  # csv: with the rejected header-case file
    assert {f.sumber: f.encoding for f in dirty.berkas if f.encoding not in (None, "utf-8")} == {
        "laporan/laporan_2026-10_semicolon.csv": "utf-8-sig", "laporan/laporan_2026-10_unicode.csv": "utf-16-le"}


def _report_file(rows: list[tuple[str, str]]) -> str:
    """A report CSV with the given (nik, periode) rows and every other column empty."""
    from scoring.columns import LAPORAN

    others = ",".join([""] * (len(LAPORAN) - 2))
    return ",".join(LAPORAN) + "\n" + "".join(f"{nik},{periode},{others}\n" if nik else "\n" for nik, periode in rows)


def test_read_for_a_period_other_periods_keep_only_nik_the_month_meant_and_when_sent(tmp_path):
    (tmp_path / "laporan").mkdir()
    (tmp_path / "koperasi.csv").write_text(",".join(KOPERASI) + "\n")
    (tmp_path / "laporan" / "a.csv").write_text(_report_file(
        [("A", "2026-10"), ("B", "2026-09"), ("", ""), ("C", "Sept 2026"), ("D", "bulan lalu"), ("E", "11/2026")]))
    landing = read_landing(tmp_path, "2026-10")
    # a month not written YYYY-MM, readable or not, is read whole: validation names it (its own run would)
    assert landing.laporan[["baris", "nik", "periode"]].to_dict(orient="list") == {
        "baris": [2, 5, 6, 7], "nik": ["A", "C", "D", "E"], "periode": ["2026-10", "Sept 2026", "bulan lalu", "11/2026"]}
    assert landing.laporan_lain.to_dict(orient="list") == {
        "sumber": ["laporan/a.csv"], "baris": [3], "nik": ["B"], "periode": ["2026-09"],
        "tanggal_kirim": [""]}  # as written (none here)
    assert landing.berkas[1].baris == 5  # every row but the blank one
    whole = read_landing(tmp_path)
    assert len(whole.laporan) == 5 and whole.laporan_lain.empty


@pytest.mark.parametrize("data, expected", [
    # a line break inside quotes: Arrow's parser refuses it, pandas' reads it; B is on spreadsheet row 3
    (b'nik,kas,nama\nA,1,"KSP\nMaju"\nB,2,X\n', [(2, "A", "KSP\nMaju"), (3, "B", "X")]),
    (b"nik,kas,nama\r\nA,1,X\r\n\r\nB,2,Y\r\n", [(2, "A", "X"), (4, "B", "Y")]),  # Windows line ends, a blank
])
def test_csv_shapes_beyond_the_plain_one_keep_their_rows_and_numbers(data, expected):
    frame, _ = read_text_table(data, "laporan/h.csv", COLUMNS)
    assert list(zip(frame["baris"], frame["nik"], frame["nama"])) == expected


def test_arrows_parser_reads_every_committed_csv_as_pandas_parser_does(monkeypatch):
    from flows.config import DATA_DIR
    from flows.ingest import csv_files

    files = sorted((DATA_DIR / "sample").rglob("*.csv")) + sorted((DATA_DIR / "sample_dirty").rglob("*.csv"))
    assert len(files) == 49
    pandas_parser = csv_files.csv_with_pandas
    monkeypatch.setattr(csv_files, "csv_with_pandas", lambda *args: pytest.fail("Arrow's parser refused a sample"))
    for path in files:
        data = path.read_bytes()
        read = csv_files.read_csv(data, path.name)
        table, kind, encoding = read.table, read.kind, read.encoding
        assert read.notes == [] and read.short == {}, path
        text = data.decode(encoding if encoding != "cp1252" else "cp1252").lstrip("\ufeff")
        slow = pandas_parser(text, path.name, {"csv-id": ";", "csv-tab": "\t"}.get(kind, ","))
        assert table.column_names == list(slow.columns), path
        assert table.to_pandas().astype(object).values.tolist() == slow.astype(object).values.tolist(), path


def test_a_parquet_column_without_a_text_form_is_the_files_error(tmp_path):
    buffer = io.BytesIO()
    pq.write_table(pa.table({"nik": ["A"], "kas": pa.array([[1, 2]]), "nama": ["KSP"]}), buffer)
    with pytest.raises(InputFileError, match=r"^laporan/j.parquet: kolom kas bertipe list<element: int64> tidak dapat "
                                             r"dibaca sebagai teks, angka atau tanggal"):
        read_text_table(buffer.getvalue(), "laporan/j.parquet", COLUMNS)
    (tmp_path / "kuesioner").mkdir()
    (tmp_path / "koperasi.csv").write_text(",".join(KOPERASI) + "\n")
    pq.write_table(pa.table({"nik": ["A"], "tanggal": [[1]], "komponen": ["x"], "nomor": [1], "jawaban": ["ya"]}),
                   tmp_path / "kuesioner" / "k.parquet")
    landing = read_landing(tmp_path, "2026-10")
    assert landing.kuesioner.empty and landing.galat[0].startswith("kuesioner/k.parquet: kolom tanggal bertipe list")


def test_a_column_named_twice_is_refused_by_name():
    with pytest.raises(InputFileError, match=r"^laporan/i.csv: kolom ganda di baris judul: kas$"):
        read_text_table(b"nik,kas,nama,kas\nA,1,X,2\n", "laporan/i.csv", COLUMNS)


def test_a_backfill_reads_a_report_file_of_other_months_once_and_again_when_it_changed(tmp_path, monkeypatch):
    """Inside `keeping_common_inputs` (the months of a backfill), a report file read for a month none of whose rows
    it holds is not read again for another such month; a file with rows of the month is, and so is a file changed
    since. What each month reads equals a reading with nothing kept. The sample's laporan_2026-10.csv holds one row
    of 2026-09 (a late report), so the 2026-09 reading keeps the 32 other files only."""
    import os
    import shutil
    from dataclasses import replace
    from datetime import datetime

    from flows.config import DATA_DIR, TIMEZONE
    from flows.ingest import landing as ingest
    from flows.prepare import keeping_common_inputs
    from scoring.columns import LAPORAN

    root = tmp_path / "landing"
    shutil.copytree(DATA_DIR / "sample", root)
    now = datetime(2026, 12, 1, 10, tzinfo=TIMEZONE)
    common = ingest.read_common(root)
    read, real = [], ingest._read
    monkeypatch.setattr(ingest, "_read", lambda entry, *args: read.append(entry.sumber) or real(entry, *args))

    def month(period: str) -> tuple[list[str], ingest.Landing]:
        read.clear()
        landing = ingest.with_common(ingest.read_report_files(root, period, now), common)
        return sorted(read), landing

    def same(kept: ingest.Landing, fresh: ingest.Landing) -> None:
        for name in ("laporan", "laporan_lain", "catatan"):
            pd.testing.assert_frame_equal(getattr(kept, name), getattr(fresh, name), obj=name)
        assert [replace(f, dibaca_untuk=None) for f in kept.berkas] == fresh.berkas
        assert kept.tidak_dibaca == fresh.tidak_dibaca

    def month_fresh(period: str) -> ingest.Landing:  # read with nothing kept, then the kept reads back
        kept = dict(ingest._Remembered.reads)
        ingest.remember_report_files(False)
        try:
            return month(period)[1]
        finally:
            ingest.remember_report_files(True)
            ingest._Remembered.reads.update(kept)

    files = sorted(f"laporan/{p.name}" for p in (root / "laporan").iterdir())
    fresh = {period: month(period)[1] for period in ("2026-09", "2026-10")}
    with keeping_common_inputs():
        september, october = month("2026-09"), month("2026-10")
        assert september[0] == files and len(files) == 34
        assert october[0] == ["laporan/laporan_2026-09.csv", "laporan/laporan_2026-10.csv"]
        same(september[1], fresh["2026-09"])
        same(october[1], fresh["2026-10"])
        reused = {f.sumber: f.dibaca_untuk for f in october[1].berkas if f.sumber.startswith("laporan/")}
        assert reused == {name: None if name in october[0] else "2026-09" for name in files}  # the manifest says so
        with (root / "laporan" / "laporan_2024-01.csv").open("a") as changed:
            changed.write("6502999999999999,2024-01,2024-02-03" + "," * (len(LAPORAN) - 3) + "\n")
        again = month("2026-10")  # laporan_2026-09.csv is kept now: read for 2026-10, it held no row of it
        assert again[0] == ["laporan/laporan_2024-01.csv", "laporan/laporan_2026-10.csv"]
        assert again[1].laporan_lain["nik"].tolist().count("6502999999999999") == 1
        # rewritten in place to the same size, its modification time set back: its status time says it changed
        path = root / "laporan" / "laporan_2024-02.csv"
        before = path.stat()
        path.write_text(path.read_text().replace(",2024-02,", ",2024-03,", 1))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
        changed = month("2026-10")
        assert changed[0] == ["laporan/laporan_2024-02.csv", "laporan/laporan_2026-10.csv"]
        same(changed[1], month_fresh("2026-10"))
        # a link to a file is an entry of its own: named as itself, never as the file it points to
        (root / "laporan" / "zz_salinan.csv").symlink_to("laporan_2024-01.csv")
        linked = month("2026-10")
        assert linked[0] == ["laporan/laporan_2026-10.csv", "laporan/zz_salinan.csv"]
        assert [f.sumber for f in linked[1].berkas].count("laporan/laporan_2024-01.csv") == 1
        same(linked[1], month_fresh("2026-10"))
        assert month("2026-10")[0] == ["laporan/laporan_2026-10.csv"]  # now both are kept, each under its name
    assert month("2026-10")[0] == [*files, "laporan/zz_salinan.csv"]  # outside a backfill nothing is kept
    ingest.remember_report_files()  # a Dask worker: kept for good, but one run's reads at a time
    try:
        month("2026-09")
        first = len(ingest._Remembered.reads)
        now = datetime(2026, 12, 2, 10, tzinfo=TIMEZONE)  # the next backfill
        month("2026-09")
        assert len(ingest._Remembered.reads) == first == 33 and {k[-2] for k in ingest._Remembered.reads} == {now}
    finally:
        ingest.remember_report_files(False)


def test_each_header_name_is_loosened_once_whatever_the_columns_missing(monkeypatch):
    """A first line of 90 MB with one comma took 116 s: each missing column loosened every name again (hostile
    trial)."""
    from flows.ingest import cells

    calls = []
    loose = cells._loose
    monkeypatch.setattr(cells, "_loose", lambda name: calls.append(name) or loose(name))
    with pytest.raises(InputFileError, match="kolom tidak ada: kas, nama"):
        read_text_table(b"nik,Laporan " + b"x" * 1_000 + b"\n", "laporan/u.csv", COLUMNS)
    assert calls == ["nik", "Laporan " + "x" * 1_000] * 2  # once for the title check, once for the header


@pytest.mark.parametrize("kind", ["csv", "csv-id", "xlsx"])
def test_a_file_of_other_months_gives_the_same_empty_frame_as_before_made_once(kind):
    """A report file none of whose rows is the period's gives an empty text frame; it is made once per columns,
    kind and numbers (`_no_rows`), and is what `_frame` makes of no rows: the same columns and dtypes, and a
    frame of its own (changing one changes no other)."""
    import numpy as np

    from flows.ingest.text import Table, _frame, _no_rows, rows_as_text

    columns = ("nik", "periode", "tanggal_kirim", "total_aset")
    table = Table(pa.table({"nik": ["6502"], "periode": ["2026-09"], "tanggal_kirim": ["2026-10-05"],
                            "total_aset": ["1.000"]}), np.array([2]), kind)
    rows = rows_as_text(table, "laporan/x.csv", ["total_aset"], "2026-10")
    none = np.zeros(0, dtype=bool)
    made = _frame({c: (pa.chunked_array([], type=pa.large_string()), none, none) for c in columns}, table, none,
                  "laporan/x.csv", ["total_aset"])
    pd.testing.assert_frame_equal(rows.frame, made)
    assert rows.others["periode"].tolist() == ["2026-09"]
    rows.frame["nik"] = rows.frame["nik"] + "x"
    rows.frame["baru"] = 1
    pd.testing.assert_frame_equal(_no_rows(table, ["total_aset"]), made)
