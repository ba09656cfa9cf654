"""Resubmission precedence, the status of every registered cooperative and the regional summary."""

from __future__ import annotations

import pandas as pd

from schemas.resubmission import resolve_submissions
from scoring.columns import LAPORAN
from scoring.status import predicate_columns, ringkasan_wilayah, status_koperasi


def submission(sumber: str, baris: int, nik: str, kirim: str, kas: int = 0, periode: str = "2026-10") -> dict:
    row = {c: 0 for c in LAPORAN}
    row.update(sumber=sumber, baris=baris, nik=nik, periode=periode, tanggal_kirim=pd.Timestamp(kirim), kas=kas,
               diaudit=False)
    return row


def test_latest_submission_wins_and_copies_and_clashes_are_rejected():
    rows = pd.DataFrame([
        submission("laporan/a.csv", 2, "A", "2026-11-01 10:00"),
        submission("laporan/a.csv", 3, "A", "2026-11-01 10:00"),  # exact copy of row 2
        submission("laporan/b.csv", 2, "A", "2026-11-05 09:00", kas=5),  # correction
        submission("laporan/a.csv", 4, "B", "2026-11-01 10:00", kas=1),
        submission("laporan/a.csv", 5, "B", "2026-11-01 10:00", kas=2),  # same time, other figures
        submission("laporan/a.csv", 6, "C", "2026-11-02 08:00"),
        submission("laporan/a.csv", 7, "C", "2026-11-02 08:00", periode="2026-09"),  # another period
    ])
    result = resolve_submissions(rows)
    assert result.current[["nik", "periode", "sumber", "baris"]].values.tolist() == [
        ["A", "2026-10", "laporan/b.csv", 2], ["C", "2026-10", "laporan/a.csv", 6],
        ["C", "2026-09", "laporan/a.csv", 7]]
    assert result.superseded[["baris", "diganti_oleh"]].values.tolist() == [[2, "laporan/b.csv:2"]]
    assert result.alasan.to_dict() == {
        1: ["duplikat persis dari laporan/a.csv baris 2"],
        3: ["laporan B periode 2026-10 dikirim lebih dari sekali pada 2026-11-01 10:00:00 dengan isi berbeda "
            "(laporan/a.csv baris 4, laporan/a.csv baris 5): tidak dapat ditentukan mana yang berlaku, "
            "kirim ulang satu laporan"],
        4: ["laporan B periode 2026-10 dikirim lebih dari sekali pada 2026-11-01 10:00:00 dengan isi berbeda "
            "(laporan/a.csv baris 4, laporan/a.csv baris 5): tidak dapat ditentukan mana yang berlaku, "
            "kirim ulang satu laporan"],
    }
    # nothing lost: every row is current, superseded or rejected, once
    assert len(result.current) + len(result.superseded) + len(result.alasan) == len(rows)


def test_a_submission_dated_without_a_time_cannot_be_ordered_with_another_of_that_day():
    """A correction whose tanggal_kirim was typed as a date (an Excel date cell: midnight) lost to the original sent
    at 10:39 that day, without a word (hostile trial): both are rejected. The same figures sent twice that day are
    no conflict (the later counts), and a date alone on another day is ordered by its day."""
    rows = pd.DataFrame([
        submission("laporan/a.xlsx", 3, "A", "2026-11-01 10:39:48", kas=1),
        submission("laporan/a.xlsx", 29, "A", "2026-11-01", kas=2),  # the correction, a date without a time
        submission("laporan/a.xlsx", 4, "B", "2026-11-01 10:00", kas=1),
        submission("laporan/a.xlsx", 30, "B", "2026-11-01", kas=1),  # the same figures again: no conflict
        submission("laporan/a.xlsx", 5, "C", "2026-11-01 10:00", kas=1),
        submission("laporan/a.xlsx", 31, "C", "2026-11-03", kas=2),  # a later day: the correction counts
    ])
    result = resolve_submissions(rows)
    reason = ("laporan A periode 2026-10 dikirim lebih dari sekali pada 2026-11-01 (sebagian tanpa jam atau 00:00) dengan isi "
              "berbeda (laporan/a.xlsx baris 3, laporan/a.xlsx baris 29): tidak dapat ditentukan mana yang berlaku, "
              "tulis tanggal_kirim lengkap dengan jamnya, atau kirim ulang satu laporan")
    assert result.alasan.to_dict() == {0: [reason], 1: [reason]}
    assert result.current[["nik", "baris"]].values.tolist() == [["B", 4], ["C", 31]]
    assert result.superseded[["baris", "diganti_oleh"]].values.tolist() == [[30, "laporan/a.xlsx:4"],
                                                                            [5, "laporan/a.xlsx:31"]]


def test_a_same_time_conflict_of_many_rows_names_five_and_counts_the_others():
    """6,000 rows of one report at one time each named all the others: minutes and 7 GB (hostile trial)."""
    rows = pd.DataFrame([submission("laporan/a.csv", b, "A", "2026-11-01 10:00", kas=b) for b in range(2, 10)]
                        + [submission("laporan/a.csv", 10, "B", "2026-11-01 10:00", kas=1),
                           submission("laporan/b.csv", 2, "B", "2026-11-01 10:00", kas=2)])
    alasan = resolve_submissions(rows).alasan
    assert len(alasan) == 10 and set(map(len, alasan)) == {1}
    assert alasan[0] == alasan[7] == [
        "laporan A periode 2026-10 dikirim lebih dari sekali pada 2026-11-01 10:00:00 dengan isi berbeda ("
        "laporan/a.csv baris 2, laporan/a.csv baris 3, laporan/a.csv baris 4, laporan/a.csv baris 5, laporan/a.csv baris 6, dan 3 "
        "baris lain): tidak dapat ditentukan mana yang berlaku, kirim ulang satu laporan"]
    many = pd.DataFrame([submission("laporan/c.csv", b, "C", "2026-11-01 10:00", kas=b) for b in range(2, 1_203)])
    assert resolve_submissions(many).alasan.iloc[0][0].endswith(  # a count as Indonesian writes it (was 1196)
        "laporan/c.csv baris 6, dan 1.196 baris lain): tidak dapat ditentukan mana yang berlaku, kirim ulang satu "
        "laporan")
    assert alasan[9] == ["laporan B periode 2026-10 dikirim lebih dari sekali pada 2026-11-01 10:00:00 dengan isi "
                         "berbeda (laporan/a.csv baris 10, laporan/b.csv baris 2): tidak dapat ditentukan mana yang "
                         "berlaku, kirim ulang satu laporan"]


REGISTRY = pd.DataFrame({
    "nik": ["K1", "K2", "K3", "S1", "P1", "K4"],
    "nama": ["KSP Satu", "KSP Dua", "USP Tiga", "KSPPS Satu", "Kop Produsen", "KSP Empat"],
    "jenis": ["ksp", "ksp", "usp", "kspps", "produsen", "ksp"],
    "kode_wilayah": ["65.02", "65.02", "65.71", "65.71", "65.02", "65.71"],
    "kabupaten_kota": ["Bulungan", "Bulungan", "Tarakan", "Tarakan", "Bulungan", "Tarakan"],
    "tanggal_rat_terakhir": pd.to_datetime(["2026-03-01", "2023-11-01", "2023-10-31", None, "2025-01-01",
                                            "2024-02-01"]),
})
KOPERASI = pd.DataFrame({"nik": ["K1", "K3"], "skor_total": [85.5, 60.25],
                         "predikat": ["Sehat", "Dalam Pengawasan"]})


def status() -> pd.DataFrame:
    return status_koperasi(
        REGISTRY, "2026-10", KOPERASI, pd.DataFrame({"nik": ["S1"], "alasan": ["syariah belum tersedia"]}),
        accepted=["K1", "K3", "S1"], quarantined=["K2"], last_report=pd.Series({"K2": "2026-07", "K4": "2026-09"}),
        scored_jenis=["ksp", "usp"])


def test_status_covers_every_registered_cooperative():
    s = status().set_index("nik")
    assert s.index.tolist() == ["K1", "K2", "K3", "S1", "P1", "K4"]
    # RAT after 2023-10-31 (3 years before 2026-10-31) -> aktif
    assert s["aktif"].to_dict() == {"K1": True, "K2": True, "K3": False, "S1": False, "P1": True, "K4": True}
    assert s["melapor"].to_dict() == {"K1": True, "K2": False, "K3": True, "S1": True, "P1": False, "K4": False}
    assert s["dinilai"].to_dict() == {"K1": True, "K2": False, "K3": True, "S1": False, "P1": False, "K4": False}
    assert s["bulan_tidak_melapor_berturut"].tolist() == [0, 3, 0, 0, pd.NA, 1]  # P1 never reported
    reasons = s["alasan_tidak_dinilai"]
    assert reasons["K2"] == "laporan periode ini dikarantina: lihat tabel karantina"
    assert reasons["K4"] == "tidak ada laporan untuk periode ini"
    assert reasons["S1"].startswith("koperasi simpan pinjam syariah: rulebook Perdep 07")
    assert reasons["P1"].startswith("bukan koperasi simpan pinjam")
    assert pd.isna(reasons["K1"]) and s.loc["K3", "predikat"] == "Dalam Pengawasan"


def test_regional_summary_adds_up_to_the_province():
    summary = ringkasan_wilayah(status(), KOPERASI, "2026-10").set_index("kabupaten_kota")
    assert summary.index.tolist() == ["Bulungan", "Tarakan", "Kalimantan Utara"]
    assert summary["tingkat"].tolist() == ["kabupaten_kota", "kabupaten_kota", "provinsi"]
    assert summary.loc["Kalimantan Utara", "kode_wilayah"] == "65"
    assert summary["jumlah_koperasi"].tolist() == [3, 3, 6]
    assert summary["jumlah_aktif"].tolist() == [3, 1, 4]
    assert summary["jumlah_tidak_aktif"].tolist() == [0, 2, 2]
    assert summary["jumlah_melapor"].tolist() == [1, 2, 3]
    assert summary["jumlah_dinilai"].tolist() == [1, 1, 2]
    assert summary["jumlah_sehat"].tolist() == [1, 0, 1]
    assert summary["jumlah_dalam_pengawasan"].tolist() == [0, 1, 1]
    assert summary["persen_sehat"].tolist() == [100.0, 0.0, 50.0]
    assert summary["rata_rata_skor"].tolist() == [85.5, 60.25, 72.88]
    assert list(predicate_columns().values()) == [
        "jumlah_sehat", "jumlah_cukup_sehat", "jumlah_kurang_sehat", "jumlah_tidak_sehat",
        "jumlah_sangat_tidak_sehat", "jumlah_dalam_pengawasan", "jumlah_dalam_pengawasan_khusus"]
