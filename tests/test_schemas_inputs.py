"""Row validation of the inputs: typed rows, and for every rejected row every reason, worded for a clerk."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from flows.ingest.landing import ANGKA, read_text_table
from schemas.input_models import KODE_FAKTOR
from schemas.inputs import Registry, check_faktor, check_koperasi, check_kuesioner, check_laporan, registry_of
from schemas.kuesioner import latest_set_quarantined, questionnaire_scored, without_questionnaire
from schemas.parsing import lowercase, ya_tidak
from schemas.periode import recognise_periode
from scoring.columns import JUMLAH, LAPORAN
from scoring.rulebook import rulebooks

from builders import JUTA, SEHAT

NIK = "6502000000000001"
REGISTRY = Registry(pd.Series([NIK, "6502000000000002"], dtype="str"))
RUN = "2026-10"
STARTED = datetime(2026, 11, 10, 2, 0)  # the run's start, WITA
# SEHAT (builders): a balanced report in millions of Rupiah, assets 1,050 = liabilities 525 + equity 525.
ASET_RUMUS = ("kas + bank + simpanan_di_lembaga_lain + surat_berharga + pinjaman_anggota + pinjaman_non_anggota"
              " - penyisihan_penghapusan_pinjaman + pendapatan_yang_masih_harus_diterima + penyertaan + aset_tetap"
              " + aset_lain")
KOLEKTIBILITAS_RUMUS = "pinjaman_lancar + pinjaman_kurang_lancar + pinjaman_diragukan + pinjaman_macet"
TOTAL_KEWAJIBAN_RUMUS = ("simpanan_sukarela + simpanan_berjangka + hutang_pihak_lain + beban_yang_masih_harus_dibayar"
                         " + kewajiban_lain")


def laporan_row(**changes: object) -> dict[str, str]:
    """One raw report row as ingest gives it: every value text; money in whole Rupiah unless changed."""
    money = {c: SEHAT.get(c, 0) * JUTA for c in JUMLAH}
    row = {"nik": NIK, "periode": RUN, "tanggal_kirim": "2026-11-05T09:30:00", "diaudit": "ya",
           **money, "jumlah_anggota": 250}
    row.update(changes)
    return {"sumber": "laporan/laporan_2026-10.csv", "baris": 2, **{c: str(row[c]) for c in LAPORAN}}


def raw(*rows: dict, index: list | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), index=index)
    frame["baris"] = frame["baris"].astype("int64")
    return frame.astype({c: "str" for c in frame.columns if c != "baris"})


def reasons(**changes: object) -> list[str]:
    result = check_laporan(raw(laporan_row(**changes)), REGISTRY, STARTED)
    assert len(result.valid) + len(result.alasan) == 1
    return result.alasan.iloc[0] if len(result.alasan) else []


# ----- reports ---------------------------------------------------------------------------------------------

def test_a_valid_report_row_passes_typed_under_its_raw_index():
    result = check_laporan(raw(laporan_row(diaudit="TRUE"), laporan_row(nik="6502000000000002", diaudit="0"),
                               index=[7, 3]), REGISTRY, STARTED)
    assert result.alasan.empty
    valid = result.valid
    assert list(valid.index) == [7, 3]
    assert list(valid.columns) == ["sumber", "baris", *LAPORAN]
    assert all(valid[c].dtype == np.int64 for c in (*JUMLAH, "jumlah_anggota", "baris"))
    assert valid["diaudit"].dtype == bool and valid["diaudit"].tolist() == [True, False]
    assert valid["tanggal_kirim"].dtype.kind == "M"
    first = valid.loc[7]
    assert first["kas"] == 20 * JUTA and first["total_aset"] == 1050 * JUTA and first["jumlah_anggota"] == 250
    assert first["periode"] == "2026-10" and first["nik"] == NIK
    assert first["tanggal_kirim"] == pd.Timestamp("2026-11-05 09:30:00")
    assert first["sumber"] == "laporan/laporan_2026-10.csv" and first["baris"] == 2


RULES = [
    ({"beban_lain": -5000}, "beban_lain: tidak boleh negatif (nilai: -5.000)"),
    ({"kas": -5000, "bank": 60 * JUTA + 5000}, "kas: tidak boleh negatif (nilai: -5.000)"),
    ({"kas": "12a"}, "kas: bukan bilangan bulat Rupiah (nilai: '12a')"),
    ({"kas": "1234.50"}, "kas: bukan bilangan bulat Rupiah (nilai: '1234.50')"),
    ({"kas": ""}, "kas: kosong, harus bilangan bulat Rupiah (isi 0 bila tidak ada)"),
    ({"beban_lain": "1234567890123456"}, "beban_lain: terlalu besar, lebih dari 15 angka (nilai: '1234567890123456')"),
    ({"kas": 30 * JUTA},
     f"total_aset tidak sama dengan jumlah rincian aset: total_aset 1.050.000.000 != {ASET_RUMUS} 1.060.000.000 "
     "(selisih 10.000.000; toleransi 105.000)"),
    ({"simpanan_sukarela": 335 * JUTA},
     "neraca tidak seimbang: total_aset 1.050.000.000 != kewajiban + ekuitas 1.060.000.000 "
     "(selisih 10.000.000; toleransi 105.000)"),
    ({"pinjaman_lancar": 890 * JUTA},
     f"pinjaman menurut kolektibilitas tidak sama dengan pinjaman diberikan: {KOLEKTIBILITAS_RUMUS} 890.000.000 != "
     "pinjaman_anggota + pinjaman_non_anggota 900.000.000 (selisih 10.000.000; toleransi 105.000)"),
    ({"pinjaman_berisiko": 950 * JUTA},
     "pinjaman_berisiko lebih dari pinjaman diberikan: pinjaman_berisiko 950.000.000 > "
     "pinjaman_anggota + pinjaman_non_anggota 900.000.000"),
    ({"volume_pinjaman_anggota": 1100 * JUTA},
     "volume_pinjaman_anggota lebih dari volume_pinjaman: volume_pinjaman_anggota 1.100.000.000 > "
     "volume_pinjaman 1.000.000.000"),
    ({"biaya_karyawan": 70 * JUTA},
     "biaya_karyawan lebih dari beban_usaha: biaya_karyawan 70.000.000 > beban_usaha 60.000.000"),
    ({"kewajiban_lancar": 600 * JUTA},
     f"kewajiban_lancar lebih dari total kewajiban: kewajiban_lancar 600.000.000 > {TOTAL_KEWAJIBAN_RUMUS} "
     "525.000.000"),
    ({"jumlah_anggota": 0}, "jumlah_anggota: harus lebih dari 0 (nilai: 0)"),
    ({"jumlah_anggota": "banyak"}, "jumlah_anggota: bukan bilangan bulat (nilai: 'banyak')"),
    ({"nik": "650200000000O01"}, "nik '650200000000O01' tidak terdaftar di koperasi.csv"),
    # a typo of a registered nik, two digits swapped or one wrong: the registered one suggested (new-user trial)
    ({"nik": "6502000000000010"}, "nik '6502000000000010' tidak terdaftar di koperasi.csv (maksud 6502000000000001?)"),
    ({"nik": "6502000000000007"}, "nik '6502000000000007' tidak terdaftar di koperasi.csv"),  # 1 or 2: not one
    ({"nik": ""}, "nik: kosong"),
    ({"periode": "10/2026"}, "periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)"),
    ({"periode": "Oktober 2026"}, "periode: ditulis 'Oktober 2026', harus YYYY-MM (maksud 2026-10?)"),
    ({"periode": "2026-13"}, "periode: bukan bulan YYYY-MM (nilai: '2026-13')"),
    ({"periode": ""}, "periode: kosong, harus bulan YYYY-MM"),
    ({"periode": "2026-11", "tanggal_kirim": "2026-10-20T10:00:00"},
     "periode 2026-11 sesudah bulan tanggal_kirim 2026-10 (laporan suatu bulan tidak dapat dikirim sebelum bulan itu)"),
    ({"tanggal_kirim": "2099-10-05T08:00:00"},
     "tanggal_kirim: tidak boleh sesudah waktu mulai proses 2026-11-10 02:00:00 WITA (nilai: 2099-10-05T08:00:00)"),
    # zone-aware times are converted to WITA: both are 02:30 WITA, half an hour after the run's start
    ({"tanggal_kirim": "2026-11-09T18:30:00Z"},
     "tanggal_kirim: tidak boleh sesudah waktu mulai proses 2026-11-10 02:00:00 WITA (nilai: 2026-11-10T02:30:00)"),
    ({"tanggal_kirim": "2026-11-10T02:30:00+08:00"},
     "tanggal_kirim: tidak boleh sesudah waktu mulai proses 2026-11-10 02:00:00 WITA (nilai: 2026-11-10T02:30:00)"),
    ({"diaudit": "mungkin"}, "diaudit: bukan ya atau tidak (nilai: 'mungkin')"),
    ({"tanggal_kirim": "05/11/2026"},
     "tanggal_kirim: bukan tanggal YYYY-MM-DD atau waktu YYYY-MM-DDTHH:MM:SS (nilai: '05/11/2026')"),
    ({"tanggal_kirim": "2026-02-30"},
     "tanggal_kirim: bukan tanggal YYYY-MM-DD atau waktu YYYY-MM-DDTHH:MM:SS (nilai: '2026-02-30')"),
]


@pytest.fixture(scope="module")
def rule_reasons() -> pd.Series:
    """One row per case of RULES, checked together (rows are independent): row i -> its reasons."""
    result = check_laporan(raw(*(laporan_row(**changes) for changes, _ in RULES)), REGISTRY, STARTED)
    assert result.valid.empty
    return result.alasan


@pytest.mark.parametrize(("case", "expected"), [(i, expected) for i, (_, expected) in enumerate(RULES)])
def test_each_report_rule_alone_gives_exactly_its_reason(rule_reasons, case, expected):
    assert rule_reasons[case] == [expected]


def test_the_example_of_an_unbalanced_balance_sheet():
    # assets 1,250 million (kas 220), liabilities + equity 1,240 million
    assert reasons(kas=220 * JUTA, total_aset=1250 * JUTA, simpanan_sukarela=515 * JUTA) == [
        "neraca tidak seimbang: total_aset 1.250.000.000 != kewajiban + ekuitas 1.240.000.000 "
        "(selisih 10.000.000; toleransi 125.000)"]


def test_a_row_breaking_three_rules_gets_every_reason_in_column_then_rule_order():
    assert reasons(nik="X1", beban_lain=-1, biaya_karyawan=70 * JUTA) == [
        "nik 'X1' tidak terdaftar di koperasi.csv",
        "beban_lain: tidak boleh negatif (nilai: -1)",
        "biaya_karyawan lebih dari beban_usaha: biaya_karyawan 70.000.000 > beban_usaha 60.000.000",
    ]


def test_a_value_that_cannot_be_read_leaves_the_other_checkable_rules():
    # kas unreadable: the asset identity cannot be checked, the balance and the other rules can
    assert reasons(kas="12a", simpanan_sukarela=335 * JUTA, periode="10/2026") == [
        "periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)",
        "kas: bukan bilangan bulat Rupiah (nilai: '12a')",
        "neraca tidak seimbang: total_aset 1.050.000.000 != kewajiban + ekuitas 1.060.000.000 "
        "(selisih 10.000.000; toleransi 105.000)",
    ]


def test_a_long_value_is_quoted_by_its_start_and_length_in_every_reason_that_cites_it():
    """A cell of 2,000 characters (the longest a value can be) was quoted whole in its reason: 44 of them made a
    feedback cell of 88,000 (hostile trial). Up to 100 characters a value is quoted whole; beyond, its first 60 and
    its length; the row itself stays whole in the karantina's `data`."""
    long, hundred = "9x" * 1000, "7" * 99 + "x"
    assert reasons(kas=long, bank=hundred, diaudit="y" * 101, periode="2026-10-15" + "0" * 200)[:4] == [
        "periode: berisi tanggal '2026-10-15" + "0" * 50 + "… (210 karakter)', "
        "bukan bulan; tulis bulan laporan YYYY-MM sebagai teks (di Excel: sel berformat Teks)",
        "diaudit: bukan ya atau tidak (nilai: '" + "y" * 60 + "… (101 karakter)')",
        f"kas: bukan bilangan bulat Rupiah (nilai: '{long[:60]}… (2.000 karakter)')",
        f"bank: bukan bilangan bulat Rupiah (nilai: '{hundred}')",
    ]
    duplicates = check_koperasi(raw(koperasi_row(2, nik="6" * 150), koperasi_row(3, nik="6" * 150)), TODAY)
    assert duplicates.alasan[0][0] == f"nik '{'6' * 60}… (150 karakter)' tercatat lebih dari sekali: juga di baris 3"


def test_a_value_with_a_single_quote_is_quoted_in_double_quotes_so_that_its_end_shows():
    assert reasons(kas="12'5", diaudit="y'a")[:2] == [
        'diaudit: bukan ya atau tidak (nilai: "y\'a")', 'kas: bukan bilangan bulat Rupiah (nilai: "12\'5")']
    duplicates = check_koperasi(raw(koperasi_row(2, nik="65'01"), koperasi_row(3, nik="65'01")), TODAY)
    assert duplicates.alasan[0][0] == 'nik "65\'01" tercatat lebih dari sekali: juga di baris 3'
    assert reasons(kas='1\'2"3')[0] == 'kas: bukan bilangan bulat Rupiah (nilai: \u201c1\'2"3\u201d)'  # both kinds


def test_a_kabupaten_kota_name_longer_than_any_area_s_is_refused_with_its_start_and_length():
    """An area name of 2,000 characters, a cell pasted wrong, was printed whole by every summary and message that
    names areas (hostile trial): beyond NAMA_WILAYAH_MAKS (100) characters the registry row is refused."""
    long, longest = "Tana Tidung " * 20, "T" * 100
    result = check_koperasi(raw(koperasi_row(2, kabupaten_kota=long), koperasi_row(3, nik="650299", kabupaten_kota=""),
                                koperasi_row(4, nik="650300", kabupaten_kota=longest, kode_wilayah="65.03")), TODAY)
    assert result.alasan[0] == [f"kabupaten_kota: lebih dari 100 karakter (nilai: '{long[:60]}… (240 karakter)')"]
    assert result.alasan[1] == ["kabupaten_kota: kosong"]
    assert result.valid["kabupaten_kota"].tolist() == [longest]


def small(total: int, **changes: int) -> dict:
    """A 'micro' balance sheet: kas = total_aset = simpanan_pokok, no loans."""
    zero = {c: 0 for c in JUMLAH}
    return {**zero, "kas": total, "total_aset": total, "simpanan_pokok": total, **changes}


def test_tolerance_is_rp_1000_on_a_small_balance_sheet():
    assert reasons(**small(5_000_000, simpanan_pokok=5_000_000 - 500)) == []
    assert reasons(**small(5_000_000, simpanan_pokok=5_000_000 - 1000)) == []
    assert reasons(**small(5_000_000, simpanan_pokok=5_000_000 - 1001)) == [
        "neraca tidak seimbang: total_aset 5.000.000 != kewajiban + ekuitas 4.998.999 (selisih 1.001; toleransi 1.000)"]


def test_tolerance_is_a_hundredth_of_a_percent_on_a_big_balance_sheet():
    total = 20_000 * JUTA  # 0.01% = Rp 2,000,000
    assert reasons(**small(total, simpanan_pokok=total - 2 * JUTA)) == []
    assert reasons(**small(total, kas=total + 2 * JUTA + 1, simpanan_pokok=total)) == [
        f"total_aset tidak sama dengan jumlah rincian aset: total_aset 20.000.000.000 != {ASET_RUMUS} "
        "20.002.000.001 (selisih 2.000.001; toleransi 2.000.000)"]


def test_numbers_of_a_semicolon_spreadsheet_export_parse_after_ingest():
    good = laporan_row()
    header = ";".join(LAPORAN)
    line = ";".join(f"{int(good[c]):,}".replace(",", ".") if c in JUMLAH else good[c] for c in LAPORAN)
    cents = line.replace("20.000.000", "20.000.000,00", 1)  # kas with ',00'
    fraction = line.replace("20.000.000", "1.234,50", 1)
    data = f"\ufeff{header}\n{line}\n{cents}\n{fraction}\n".encode()
    frame, kind = read_text_table(data, "laporan/ekspor.csv", LAPORAN, ANGKA)
    assert kind == "csv-id"
    result = check_laporan(frame, REGISTRY, STARTED)
    assert result.valid["kas"].tolist() == [20 * JUTA, 20 * JUTA]
    assert result.valid["total_aset"].tolist() == [1050 * JUTA] * 2
    assert result.alasan.tolist() == [["kas: bukan bilangan bulat Rupiah (nilai: '1.234,50')"]]  # as written
    assert frame.loc[result.alasan.index, "baris"].tolist() == [4]


def test_an_integral_decimal_and_hexadecimal_looking_text():
    assert reasons(beban_lain="5000.00") == []
    assert reasons(beban_lain="0x10") == ["beban_lain: bukan bilangan bulat Rupiah (nilai: '0x10')"]


def test_no_rows_and_rejected_rows_keep_the_raw_index():
    empty = check_laporan(raw(laporan_row()).iloc[:0], REGISTRY, STARTED)
    assert empty.valid.empty and empty.alasan.empty
    result = check_laporan(raw(laporan_row(), laporan_row(kas="?"), laporan_row(), index=["a", "b", "c"]),
                           REGISTRY, STARTED)
    assert list(result.valid.index) == ["a", "c"]
    assert result.alasan.to_dict() == {"b": ["kas: bukan bilangan bulat Rupiah (nilai: '?')"]}


# ----- periods as clerks write them ------------------------------------------------------------------------

def test_recognise_periode_reads_every_listed_spelling_and_refuses_junk():
    written = ["2026-10", "10/2026", "1/2026", "2026/10", "Oktober 2026", "okt 2026", "Okt-2026", "  OKTOBER 2026 ",
               "desember 2025", "Mei 2026", "agu 2026", "13/2026", "0/2026", "2026-13", "Oktober", "2026", "foo",
               "", "10/26", "Oct 2026", None]
    meant = recognise_periode(pd.Series(written, dtype="str", index=range(100, 100 + len(written))))
    assert list(meant.index) == list(range(100, 100 + len(written)))
    assert meant.dtype == "str"
    assert meant.tolist()[:11] == ["2026-10", "2026-10", "2026-01", "2026-10", "2026-10", "2026-10", "2026-10",
                                   "2026-10", "2025-12", "2026-05", "2026-08"]
    assert meant.iloc[11:].isna().all()



def test_recognise_periode_gives_the_same_months_from_texts_read_before_and_past_its_limit(monkeypatch):
    """Each distinct text is read once per process: a text seen before, in another order and mixed with new ones,
    means the same month; past the limit of texts kept, those kept are dropped and the call's own read again."""
    from schemas import periode

    monkeypatch.setattr(periode._Recognised, "meant", {})
    monkeypatch.setattr(periode._Recognised, "LIMIT", 5)
    first = recognise_periode(pd.Series(["okt 2026", "13/2026", None, "2026-1"], dtype="str"))
    again = recognise_periode(pd.Series(["x", "2026-1", "okt 2026", "Mei 2026", "13/2026", "2/2026"], dtype="str"))
    assert first.tolist()[::3] == ["2026-10", "2026-01"] and first.iloc[1:3].isna().all()
    assert again.tolist()[1:4] + again.tolist()[5:] == ["2026-01", "2026-10", "2026-05", "2026-02"]
    assert again.iloc[[0, 4]].isna().all() and again.dtype == "str"
    assert set(periode._Recognised.meant) == {"x", "2026-1", "okt 2026", "Mei 2026", "13/2026", "2/2026"}
    padded = " " * 45 + "okt 2026"  # a month, but longer than any text kept: read each time, never kept
    assert recognise_periode(pd.Series([padded, padded], dtype="str")).tolist() == ["2026-10", "2026-10"]
    assert padded not in periode._Recognised.meant


def test_a_month_written_as_the_contract_writes_it_means_what_pandas_reads_in_it(monkeypatch):
    """Texts in the contract's 'YYYY-MM' are taken as they are, without pandas (`PERIODE`): each means what the
    general reading (`_months`) finds in it, and the near misses are left to it (years 0000-9999 sampled, every
    month number 00-19, spaces, one digit, a trailing newline, other scripts' digits)."""
    from schemas import periode

    monkeypatch.setattr(periode._Recognised, "meant", {})
    texts = [f"{year:04d}-{month:02d}" for year in (0, 1, 999, 1999, 2026, 2099, 9999) for month in range(20)]
    texts += ["2026-1", " 2026-10", "2026-10 ", "2026-10\n", "2026-010", "20261-10", "2026-١٠", "٢٠٢٦-10"]
    meant = recognise_periode(pd.Series(texts, dtype="str"))
    general = periode._months(pd.Series(texts, dtype="str"))
    assert [None if pd.isna(m) else m for m in meant] == general
    assert sum(m is not None for m in general) == 7 * 12 + 4  # '2026-1', the spaces stripped, the newline too

# ----- registry --------------------------------------------------------------------------------------------

def koperasi_row(baris: int, **changes: str) -> dict:
    row = {"sumber": "koperasi.csv", "baris": baris, "nik": NIK, "nama": "KSP Maju Bersama", "jenis": "ksp",
           "kode_wilayah": "65.02", "kabupaten_kota": "Bulungan", "wilayah_keanggotaan": "provinsi",
           "tanggal_badan_hukum": "2005-03-01", "tanggal_rat_terakhir": "2026-03-15", "pendamping": ""}
    return {**row, **changes}


TODAY = date(2026, 11, 5)


def test_a_valid_registry_row_is_typed():
    result = check_koperasi(raw(koperasi_row(2, jenis="KSP", tanggal_rat_terakhir="")), TODAY)
    assert result.alasan.empty
    row = result.valid.iloc[0]
    assert row["jenis"] == "ksp" and row["tanggal_badan_hukum"] == pd.Timestamp("2005-03-01")
    assert pd.isna(row["tanggal_rat_terakhir"]) and pd.isna(row["pendamping"])


def test_every_copy_of_a_duplicate_nik_is_rejected_naming_the_other_rows():
    result = check_koperasi(raw(koperasi_row(2), koperasi_row(3, nik="6502000000000002"), koperasi_row(5),
                                koperasi_row(9)), TODAY)
    assert result.valid["nik"].tolist() == ["6502000000000002"]
    assert result.alasan.to_dict() == {
        0: [f"nik '{NIK}' tercatat lebih dari sekali: juga di baris 5, 9"],
        2: [f"nik '{NIK}' tercatat lebih dari sekali: juga di baris 2, 9"],
        3: [f"nik '{NIK}' tercatat lebih dari sekali: juga di baris 2, 5"],
    }


def test_registry_rules_each_with_their_reason():
    result = check_koperasi(raw(
        koperasi_row(2, nik="", nama="", jenis="koperasi"),
        koperasi_row(3, nik="A", kode_wilayah="6502", kabupaten_kota="", wilayah_keanggotaan="kota"),
        koperasi_row(4, nik="B", tanggal_badan_hukum="2027-01-01", tanggal_rat_terakhir="15/03/2026"),
    ), TODAY)
    assert result.valid.empty
    assert result.alasan.to_dict() == {
        0: ["nik: kosong", "nama: kosong",
            "jenis: harus salah satu dari: ksp, usp, kspps, uspps, konsumen, produsen, pemasaran, jasa "
            "(nilai: 'koperasi')"],
        1: ["kode_wilayah: harus kode BPS kabupaten/kota NN.NN, mis. 65.02 (nilai: '6502')", "kabupaten_kota: kosong",
            "wilayah_keanggotaan: harus salah satu dari: kabupaten_kota, provinsi, nasional (nilai: 'kota')"],
        2: ["tanggal_badan_hukum: tidak boleh sesudah hari ini 2026-11-05 (nilai: 2027-01-01)",
            "tanggal_rat_terakhir: bukan tanggal YYYY-MM-DD (nilai: '15/03/2026')"],
    }


@pytest.mark.parametrize(("nik", "reason"), [
    ("6.50110E+14", "nik: ditulis dalam notasi ilmiah spreadsheet (digit terakhirnya hilang): format kolom nik sebagai "
                    "Teks, lalu tulis ulang nik-nya (nilai: '6.50110E+14')"),
    ("6,5021E+15", "nik: ditulis dalam notasi ilmiah spreadsheet (digit terakhirnya hilang): format kolom nik sebagai "
                   "Teks, lalu tulis ulang nik-nya (nilai: '6,5021E+15')"),
    ("7E+14", "nik: ditulis dalam notasi ilmiah spreadsheet (digit terakhirnya hilang): format kolom nik sebagai "
              "Teks, lalu tulis ulang nik-nya (nilai: '7E+14')"),
    (f"'{NIK}", f"nik: diawali tanda petik ('), tanda teks Excel yang ikut tertulis: hapus tanda petiknya (nilai: "
                f"\"'{NIK}\")"),
])
def test_a_nik_a_spreadsheet_made_is_refused_saying_so_in_the_registry_and_the_reports(nik, reason):
    """Read as themselves, a registry's niks written 6.50110E+14 collided as duplicates and a report's written
    '6502... was 'tidak terdaftar', the cause unsaid (hostile trial). A nik stays opaque otherwise (E12 is one, so
    is 1E5: no sign before its exponent)."""
    registry = check_koperasi(raw(koperasi_row(2, nik=nik), koperasi_row(3, nik="E12"), koperasi_row(4, nik="1E5")),
                              TODAY)
    assert registry.alasan.to_dict() == {0: [reason]} and registry.valid["nik"].tolist() == ["E12", "1E5"]
    assert reasons(nik=nik) == [reason, f"nik {reason.split('(nilai: ')[1][:-1]} tidak terdaftar di koperasi.csv"]
    if nik.startswith("'"):  # the registry's nik marked: a report of the nik says which registry row, and why (it
        rows = raw(koperasi_row(2, nik=nik))  # said 'tidak terdaftar': new-user trial)
        registry = registry_of(rows, check_koperasi(rows, TODAY))
        report = check_laporan(raw(laporan_row()), registry, STARTED)
        assert report.alasan.iloc[0] == [f"baris registri koperasi.csv:2 (nik {nik}) ditolak: {reason}"]


# ----- questionnaires --------------------------------------------------------------------------------------

BOOK = rulebooks()["ksp-2016"]
SIZES = {k.id: k.pertanyaan for k in BOOK.komponen if k.kuesioner}


def answers(nik: str = NIK, tanggal: str = "2026-02-10", baris: int = 2) -> list[dict]:
    """A complete set: every question of every questionnaire component, answered 'ya'."""
    rows = [{"nik": nik, "tanggal": tanggal, "komponen": k, "nomor": str(i), "jawaban": "ya"}
            for k, n in SIZES.items() for i in range(1, n + 1)]
    return [{"sumber": "kuesioner/kuesioner_2026.csv", "baris": baris + j, **r} for j, r in enumerate(rows)]


def test_a_complete_questionnaire_set_passes_typed():
    rows = answers()
    rows[0]["jawaban"] = "Tidak"
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.alasan.empty
    assert len(result.valid) == sum(SIZES.values())
    assert result.valid["nomor"].dtype == np.int64 and result.valid["jawaban"].iloc[0] == "tidak"
    assert (result.valid["tanggal"] == pd.Timestamp("2026-02-10")).all()


def test_komponen_and_jawaban_in_any_case_read_in_lower_case_and_a_lower_case_column_is_kept_as_it_is():
    rows = answers()
    rows[0]["komponen"], rows[1]["jawaban"] = rows[0]["komponen"].upper(), "YA"
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.alasan.empty and len(result.valid) == sum(SIZES.values())
    assert result.valid["komponen"].iloc[0] == answers()[0]["komponen"] and result.valid["jawaban"].iloc[1] == "ya"
    text = pd.Series(["ya", "tidak", "", "7"], dtype="str")
    assert lowercase(text) is text
    assert lowercase(pd.Series(["Ya", "TIDAK"], dtype="str")).tolist() == ["ya", "tidak"]


def test_an_answer_written_as_diaudit_and_terpenuhi_may_be_is_read_as_ya_or_tidak():
    rows = answers()  # true/false, 1/0 and an Excel boolean (read as TRUE/FALSE) were refused, as 'mungkin' is
    for row, written in zip(rows, ["true", "1", "TRUE", "false", "0", "False", "Ya"]):
        row["jawaban"] = written
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.alasan.empty and len(result.valid) == sum(SIZES.values())
    assert result.valid["jawaban"].iloc[:8].tolist() == ["ya", "ya", "ya", "tidak", "tidak", "tidak", "ya", "ya"]
    text = pd.Series(["ya", "tidak", "", "mungkin"], dtype="str")
    assert ya_tidak(text) is text  # as the contract writes them: no copy
    assert ya_tidak(pd.Series(["1", "", "Mungkin", "FALSE"], dtype="str")).tolist() == ["ya", "", "mungkin", "tidak"]


def test_a_set_missing_a_question_rejects_every_row_of_the_set():
    rows = [r for r in answers() if not (r["komponen"] == "manajemen_umum" and r["nomor"] in ("7", "8"))]
    other = answers("6502000000000002", baris=100)
    result = check_kuesioner(raw(*rows, *other), REGISTRY)
    assert len(result.alasan) == len(rows)
    assert set(result.alasan.map(tuple)) == {
        (f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 7, 8 tidak dijawab",)}
    assert result.valid["nik"].unique().tolist() == ["6502000000000002"]


def test_a_question_answered_twice_rejects_every_row_of_the_set():
    rows = answers()
    rows.append({**rows[2], "baris": 99, "jawaban": "tidak"})  # manajemen_umum nomor 3 again
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.valid.empty
    assert set(result.alasan.map(tuple)) == {
        (f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 3 dijawab 2 kali (baris 4, 99)",)}
    rows.append({**rows[2], "baris": 100})  # a third time: the rows that answer it, as ranges
    assert set(check_kuesioner(raw(*rows), REGISTRY).alasan.map(tuple)) == {
        (f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 3 dijawab 3 kali (baris 4, 99-100)",)}
    # a set in two files: each file's rows named (two files' row 4 were one 'baris 4': hostile trial)
    more = "kuesioner/tambahan.csv"
    rows += [{**rows[2], "sumber": more, "baris": 4}, {**rows[5], "sumber": more, "baris": 5, "jawaban": "mungkin"}]
    assert set(check_kuesioner(raw(*rows), REGISTRY).alasan.map(lambda r: r[-1])) == {
        f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 3 dijawab 4 kali (kuesioner/kuesioner_2026.csv baris "
        "4, 99-100; kuesioner/tambahan.csv baris 4); manajemen_umum nomor 6 dijawab 2 kali "
        "(kuesioner/kuesioner_2026.csv baris 7; kuesioner/tambahan.csv baris 5)"}


def test_a_rejected_answer_rejects_its_set_and_bad_rows_name_their_column():
    rows = answers()
    rows[0]["jawaban"] = "mungkin"  # manajemen_umum nomor 1, baris 2
    last = len(rows) - 1
    rows[last]["nomor"] = "6"  # manajemen_likuiditas has 5 questions: nomor 5 is missing, a nomor 6 is given
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.valid.empty
    set_reason = (f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 1 ditolak (baris 2); "
                  "manajemen_likuiditas nomor 5 tidak dijawab")  # one reason for the set, the same on every row
    assert result.alasan[0] == ["jawaban: harus salah satu dari: ya, tidak (nilai: 'mungkin')", set_reason]
    assert result.alasan[last] == ["nomor: harus 1 sampai 5 untuk manajemen_likuiditas (nilai: 6)", set_reason]
    assert result.alasan[1] == [set_reason]


def test_a_set_with_several_problems_words_them_in_komponen_then_number_order():
    rows = [r for r in answers() if not (r["komponen"] == "manajemen_umum" and r["nomor"] in ("7", "8"))]
    rows[2]["jawaban"] = "mungkin"  # manajemen_umum nomor 3, baris 4
    rows += [{**rows[12], "baris": 90}, {**rows[0], "baris": 91}]  # kelembagaan nomor 3, manajemen_umum nomor 1
    later = answers(tanggal="2026-08-10", baris=200)  # the same nik, another date: another set, complete
    mixed = [row for pair in zip(rows, later) for row in pair] + rows[len(later):] + later[len(rows):]
    result = check_kuesioner(raw(*mixed, index=[10 * i + 3 for i in range(len(mixed))]), REGISTRY)
    set_reason = (f"set kuesioner {NIK} 2026-02-10: manajemen_umum nomor 1 dijawab 2 kali (baris 2, 91); "
                  "manajemen_umum nomor 3 ditolak (baris 4); manajemen_umum nomor 7, 8 tidak dijawab; dan 1 masalah "
                  "lain")  # the first three
    assert result.valid["tanggal"].eq(pd.Timestamp("2026-08-10")).all() and len(result.valid) == len(later)
    assert len(result.alasan) == len(rows)
    rejected = 10 * mixed.index(rows[2]) + 3
    assert result.alasan[rejected] == ["jawaban: harus salah satu dari: ya, tidak (nilai: 'mungkin')", set_reason]
    assert all(reasons == [set_reason] for i, reasons in result.alasan.items() if i != rejected)


def test_questionnaire_rows_with_unknown_values():
    rows = answers()[:1]
    rows[0].update(nik="X9", tanggal="10-02-2026", komponen="keuangan", nomor="0")
    result = check_kuesioner(raw(*rows), REGISTRY)
    assert result.alasan[0] == [
        "nik 'X9' tidak terdaftar di koperasi.csv",
        "tanggal: bukan tanggal YYYY-MM-DD (nilai: '10-02-2026')",
        "komponen: harus salah satu dari: manajemen_umum, kelembagaan, manajemen_permodalan, manajemen_aktiva, "
        "manajemen_likuiditas (nilai: 'keuangan')",
        "nomor: tidak boleh kurang dari 1 (nilai: 0)",
    ]


def test_the_reporting_cooperatives_whose_latest_questionnaire_is_quarantined():
    """A month whose latest sets were all quarantined scored every management aspect from an older set or as 0 and
    was published (review): the gate counts the cooperatives whose latest set by the period's end is quarantined,
    its date read as written or as meant (10/02/2026), or who have an answer whose date cannot be read at all and no
    accepted set (it may be their only one). An older quarantined set (18/02/2024 beside a 2025 set included), a
    later one, a stray unreadable row beside an accepted set, a stray row of the accepted set's day (hostile trials),
    or another cooperative's does not; a set's worth of rows of an unreadable date does (it may be the latest)."""
    a, b, c, d, e, f, g, h = (f"650200000000000{i}" for i in range(1, 9))
    registry = Registry(pd.Series([a, b, c, d, e, f, g, h], dtype="str"))
    newer_wrong = answers(a, "2026-02-10")
    newer_wrong[0]["jawaban"] = "mungkin"
    older_wrong = answers(b, "2025-02-10")
    older_wrong[3]["nomor"] = "99"
    unreadable = answers(c, "pada bulan Februari")
    other = answers(d, "2026-03-01")
    other[0]["jawaban"] = ""
    stray = {**answers(e)[0], "tanggal": "", "baris": 999}  # an empty date beside e's accepted 2025 set
    same_day = {**answers(b, "2026-02-10")[0], "komponen": "lainnya", "baris": 998}  # beside b's accepted set
    frame = raw(*answers(a, "2025-02-10"), *newer_wrong, *answers(b, "2026-02-10"), *older_wrong, *unreadable,
                *other, *answers(e, "2025-03-01"), stray, same_day, *answers(f, "2025-03-01"),
                *answers(f, "10/02/2026"),
                *answers(g, "2025-03-01"), *answers(g, "18/02/2024"), *answers(h, "2025-03-01"),
                *answers(h, "Feb 2026"))  # a set's worth of rows of a date that cannot be read, beside a 2025 set
    checked = check_kuesioner(frame, registry)
    sets = sum(SIZES.values())
    assert len(checked.valid) == 6 * sets and len(checked.alasan) == 7 * sets + 2
    scored = pd.Series([a, b, c, e, f, g, h], dtype="str")
    quarantined = frame.loc[checked.alasan.index]
    assert latest_set_quarantined(checked.valid, quarantined, scored, "2026-10").tolist() == [a, c, f, h]
    # in 2026-01 a's and f's quarantined sets are later; b's quarantined 2025 set is its latest (the accepted later)
    assert latest_set_quarantined(checked.valid, quarantined, scored, "2026-01").tolist() == [b, c, h]
    assert latest_set_quarantined(checked.valid, quarantined.iloc[:0], scored, "2026-10").tolist() == []
    # without an accepted set by the period's end (management 0): c always, and every one of them before 2025-02
    assert without_questionnaire(checked.valid, scored, "2026-10").tolist() == [c]
    assert without_questionnaire(checked.valid, scored, "2025-01").tolist() == [a, b, c, e, f, g, h]


def test_a_date_is_read_as_meant_day_first():
    from schemas.parsing import meant_dates

    written = pd.Series(["2026-02-10", "10/02/2026", " 1-2-2026", None, "2026/2/10", "31/02/2026", "x", "",
                         "2026-2-10", "10.02.2026", "02/10/2026", "02/13/2026", "2026-02-06 00:00:00",
                         "2026-02-06T09:30:00", "46059", "46059.0", "06/02/26"], dtype="str", index=range(5, 22))
    meant = meant_dates(written)
    assert meant.index.tolist() == list(range(5, 22))
    assert [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in meant] == [
        "2026-02-10", "2026-02-10", "2026-02-01", None, "2026-02-10", None, None, None, "2026-02-10", "2026-02-10",
        "2026-10-02",  # day first, as Indonesian writes a date
        "2026-02-13",  # month first where only that is a date (hostile trial: read as nothing)
        "2026-02-06", "2026-02-06", "2026-02-06", "2026-02-06",  # a time after it; an Excel serial (hostile trial)
        "2026-02-06"]  # YY: 20YY
    more = pd.Series(["06 Feb 2026", "6 Februari 2026", "2026-02-06T08:00:00+08:00", "2026-02-06T00:00:00Z",
                      "20260206", "46059.5", "6-Peb-26", "13/13/2026", "6 Bulan 2026"], dtype="str")
    assert [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in meant_dates(more)] == ["2026-02-06"] * 7 + [None] * 2
    # a file written month first is read so whole, as its 02/13/2026 shows; beside a date only day first, not
    month_first = pd.Series(["02/06/2026", "02/13/2026", "02/06/2026", "25/01/2026", "02/06/2026"], dtype="str")
    files = pd.Series(["a.csv", "a.csv", "b.csv", "b.csv", "c.csv"])
    assert [f"{d:%Y-%m-%d}" for d in meant_dates(month_first, files)] == [
        "2026-02-06", "2026-02-13", "2026-06-02", "2026-01-25", "2026-06-02"]


def test_the_cooperatives_scored_with_a_questionnaire_are_those_of_a_book_that_has_one():
    jenis = pd.Series({"1": "ksp", "2": "usp", "3": "kspps", "4": "jasa", "5": "ksp"})
    reporting = pd.Series(["5", "3", "1", "2", "4", "1", "9"], dtype="str")  # 9: not in the registry
    # the sharia kspps and the jasa have no book in 2026 (rulebook.md §1): a lost set lowers no score of theirs
    assert questionnaire_scored(reporting, jenis, "2026-10").tolist() == ["1", "2", "5"]


# ----- supervisors' findings -------------------------------------------------------------------------------

def faktor_row(**changes: str) -> dict:
    row = {"sumber": "faktor_pengurang.csv", "baris": 2, "nik": NIK, "kode": KODE_FAKTOR[0],
           "berlaku_mulai": "2026-06", "berlaku_sampai": "", "keterangan": "temuan pemeriksaan"}
    return {**row, **changes}


def test_a_valid_factor_is_typed_with_an_open_end():
    result = check_faktor(raw(faktor_row(), faktor_row(berlaku_sampai="2026-09")), REGISTRY)
    assert result.alasan.empty
    assert pd.isna(result.valid["berlaku_sampai"].iloc[0]) and result.valid["berlaku_sampai"].iloc[1] == "2026-09"


def test_a_factor_with_an_unknown_code_names_the_known_ones():
    assert check_faktor(raw(faktor_row(kode="salah_kode")), REGISTRY).alasan[0] == [
        f"kode: harus salah satu dari: {', '.join(KODE_FAKTOR)} (nilai: 'salah_kode')"]


def test_factor_periods_and_nik():
    result = check_faktor(raw(
        faktor_row(berlaku_mulai="2026-06", berlaku_sampai="2026-03"),
        faktor_row(nik="X", berlaku_mulai="Juni 2026", berlaku_sampai="sekarang"),
    ), REGISTRY)
    assert result.alasan.to_dict() == {
        0: ["berlaku_sampai: tidak boleh sebelum berlaku_mulai 2026-06 (nilai: '2026-03')"],
        1: ["nik 'X' tidak terdaftar di koperasi.csv",
            "berlaku_mulai: ditulis 'Juni 2026', harus YYYY-MM (maksud 2026-06?)",
            "berlaku_sampai: bukan bulan YYYY-MM (nilai: 'sekarang')"],
    }


def test_the_current_month_is_the_month_in_wita_of_the_moment():
    """One function says which month is current for every check (the command's, the reports' and the rows' that
    cannot be true yet)."""
    from zoneinfo import ZoneInfo

    from schemas.wita import current_period
    utc = ZoneInfo("UTC")
    assert current_period(datetime(2026, 10, 31, 15, 59, tzinfo=utc)) == "2026-10"  # 23:59 WITA
    assert current_period(datetime(2026, 10, 31, 16, 0, tzinfo=utc)) == "2026-11"  # 00:00 WITA, 1 November
    assert current_period(datetime(2026, 10, 31, 23, 30)) == "2026-10"  # a naive moment is WITA already
    row = laporan_row(periode="2026-11", tanggal_kirim="2026-10-31T15:00:00Z")  # sent 23:00 WITA, 31 October
    later = "periode: tidak boleh sesudah bulan berjalan 2026-10 (nilai: '2026-11')"
    for start, current in (((15, 59), True), ((16, 0), False)):  # the run started 23:59 WITA, then 00:00 WITA
        reasons = check_laporan(raw(row), REGISTRY, datetime(2026, 10, 31, *start, tzinfo=utc)).alasan[0]
        assert (later in reasons) is current and reasons[-1].startswith("periode 2026-11 sesudah bulan tanggal_kirim")


def test_a_year_typo_in_periode_cannot_be_true_twice_over():
    assert reasons(periode="2027-10", tanggal_kirim="2026-11-05T09:30:00") == [
        "periode: tidak boleh sesudah bulan berjalan 2026-11 (nilai: '2027-10')",
        "periode 2027-10 sesudah bulan tanggal_kirim 2026-11 (laporan suatu bulan tidak dapat dikirim sebelum "
        "bulan itu)"]


def test_a_zone_aware_submission_time_is_read_in_wita():
    result = check_laporan(raw(laporan_row(tanggal_kirim="2026-10-05T08:30:00Z"),
                               laporan_row(tanggal_kirim="2026-10-05T08:30:00+00:00"),
                               laporan_row(tanggal_kirim="2026-10-05 12:55")), REGISTRY, STARTED)
    assert result.alasan.empty
    assert result.valid["tanggal_kirim"].astype("str").tolist() == ["2026-10-05 16:30:00", "2026-10-05 16:30:00",
                                                                    "2026-10-05 12:55:00"]


def test_a_nik_of_another_length_than_any_registered_is_not_looked_up_for_a_typo():
    """1,000 distinct niks of 1,999 digits took 73 s: each lookup built 11 x n^2 characters (hostile trial). A swap or
    one wrong digit keeps the length: only a nik of a registered length is looked up."""
    from schemas import inputs

    result = check_laporan(raw(laporan_row(nik="6" * 1999), laporan_row(nik="6502000000000010", baris=3)), REGISTRY,
                           STARTED)
    assert len(result.alasan) == 2 and not any("maksud" in reason for reason in result.alasan.iloc[0])
    # the length is checked by near_nik itself, for jelaskan too (50,000 digits took 48 s and 22 GB: hostile trial)
    assert inputs.near_nik("6" * 50_000, {"6502000000000001"}, {16}) is None
    assert inputs.near_nik("6502000000000010", {"6502000000000001"}, {16}) == "6502000000000001"


def test_the_lines_of_a_problem_name_their_files_where_its_set_is_in_several():
    from schemas.parsing import lines_of

    rows = pd.DataFrame({"kunci": [7, 7, 7, 3, 7], "sumber": ["k/a.csv", "k/b.csv", "k/a.csv", "k/a.csv", "k/a.csv"],
                         "baris": [1522, 3, 3, 9, 4], "berkas_lain": [True, True, True, False, True]})
    assert lines_of(rows).to_dict() == {7: "k/a.csv baris 3-4, 1522; k/b.csv baris 3", 3: "baris 9"}


def test_the_rows_of_a_mistyped_nik_are_told_to_the_cooperative_they_meant_and_no_other_suggestion_is():
    from schemas.parsing import typo_rows

    karantina = pd.DataFrame({
        "sumber": ["laporan/l.csv", "laporan/l.csv", "faktor_pengurang.csv", "laporan/l.csv"], "baris": [29, 28, 3, 4],
        "nik": ["6571", "6571", "651", "6502"],
        "alasan": [["nik '6571' tidak terdaftar di koperasi.csv (maksud 6517?)"]] * 2
                  + [["nik '651' tidak terdaftar di koperasi.csv (maksud 615?)", "kas: kosong"],
                     ["periode: ditulis '10/2026', harus YYYY-MM (maksud 2026-10?)"]]})  # not a nik's: none
    assert typo_rows(karantina).to_dict("index") == {
        "615": {"teks": "faktor_pengurang.csv baris 3 (nik 651)", "tabel": {"faktor_pengurang"}},
        "6517": {"teks": "laporan/l.csv baris 28 (nik 6571) dan 1 baris lain", "tabel": {"laporan"}}}


def test_a_questionnaire_set_sent_under_a_mistyped_nik_counts_as_the_meant_cooperative_s_latest_set():
    """The run's guard on quarantined latest questionnaires (porsi_kuesioner_karantina) did not count a set sent
    under a mistyped nik, though the card and jelaskan tell its cooperative (last note): it counts as its own."""
    from schemas.kuesioner import latest_set_rows
    from schemas.parsing import meant_per_row, under_meant_nik

    why = "nik '6571' tidak terdaftar di koperasi.csv (maksud 6517?)"
    alasan = pd.Series([[why], ["kas: kosong", why], ["tanggal: bukan tanggal YYYY-MM-DD (nilai: 'x')"]],
                       index=[2, 3, 5])
    assert meant_per_row(alasan)[[2, 3]].tolist() == ["6517", "6517"] and meant_per_row(alasan).isna()[5]
    answers = pd.DataFrame({"nik": ["6517", "6517", "6571", "6571", "6502", "6502"],
                            "tanggal": ["2026-01-10", "2026-01-10", "2026-09-01", "2026-09-01", "2026-09-01", "x"],
                            "sumber": "kuesioner/k.csv"})
    accepted = pd.DataFrame({"nik": pd.Series(["6517", "6517"], dtype="str"),
                             "tanggal": pd.to_datetime(["2026-01-10", "2026-01-10"])})
    meant = under_meant_nik(answers, alasan)
    assert meant["nik"].tolist() == ["6517", "6517", "6517", "6517", "6502", "6502"]
    assert under_meant_nik(answers, alasan.iloc[2:]) is answers  # no typo: the rows as they are
    scored = pd.Series(["6517"], dtype="str")
    assert latest_set_rows(accepted, answers, scored, "2026-10").tolist() == [False] * 6  # before: not counted
    assert latest_set_rows(accepted, meant, scored, "2026-10").tolist() == [False, False, True, True, False, False]


def test_the_input_table_of_a_column_of_paths_is_the_one_a_path_alone_has():
    """The report's table of quarantined rows per input and the typo lines each read a path's table their own way,
    and the landing's walk a third (reviews): one rule, `input_table`, for a path and for a column of them; a root
    workbook's sheet whose title holds a dot is its table's too."""
    from schemas.landing_paths import input_table
    from schemas.parsing import input_tables

    paths = ["laporan/laporan_2026-10.csv", "Laporan/2026/x.xlsx[Kiriman 2]", "kuesioner/k.csv",
             "pemeriksaan/p.parquet", "koperasi.csv", "faktor_pengurang.xlsx", "KOPERASI.parquet",
             "koperasi.xlsx[Lembar 1.2]", "catatan.txt", "lain/laporan.csv", "koperasi_lama.csv"]
    tables = ["laporan", "laporan", "kuesioner", "pemeriksaan", "koperasi", "faktor_pengurang", "koperasi",
              "koperasi", None, None, None]
    assert [input_table(p) for p in paths] == tables
    assert input_tables(pd.Series(paths)).fillna("-").tolist() == [t or "-" for t in tables]


def test_a_date_column_is_read_per_distinct_text_with_each_rows_reason():
    from schemas.parsing import Reasons, dates

    written = pd.Series(["2026-02-10", "", "2026-02-30", "2026-02-10", "10/02/2026", "2026-02-30", "2026-02-10"],
                        dtype="str", index=range(3, 10))
    reasons = Reasons(len(written), {"tanggal": 0})
    read = dates(written.reset_index(drop=True), "tanggal", reasons)
    assert [None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in read] == [
        "2026-02-10", None, None, "2026-02-10", None, None, "2026-02-10"]
    assert read.dtype == "datetime64[us]"
    wrong = "tanggal: bukan tanggal YYYY-MM-DD (nilai: {})"
    assert reasons.per_row(written.index).to_dict() == {  # the rows' own index: 3..9
        4: ["tanggal: kosong, harus tanggal YYYY-MM-DD"], 5: [wrong.format("'2026-02-30'")],
        7: [wrong.format("'10/02/2026'")], 8: [wrong.format("'2026-02-30'")]}
    from schemas.parsing import iso_dates, per_distinct

    asked = []  # each distinct text read once (a national questionnaire year: 625,746 answers, 27 dates)
    assert per_distinct(written, lambda texts: asked.append(texts.tolist()) or iso_dates(texts)).equals(read.set_axis(
        written.index))
    assert asked == [["2026-02-10", "", "2026-02-30", "10/02/2026"]]
    sent = pd.Series(["2026-03-01T08:00:00Z", "2026-03-01 07:00", "2026-03-01T08:00:00Z"], dtype="str")
    times = dates(sent, "tanggal_kirim", Reasons(3, {"tanggal_kirim": 0}), with_time=True)
    assert [f"{t:%Y-%m-%d %H:%M}" for t in times] == ["2026-03-01 16:00", "2026-03-01 07:00", "2026-03-01 16:00"]
