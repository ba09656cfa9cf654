"""Great Expectations suites of the tables that turn scores into action (issue 14) and of skor_aspek.

Built like the suites of `schemas.expectations` (whose helpers they use): one pure function per table returns its
`gx.ExpectationSuite`, and cross-row rules are map expectations over `cek_*` columns that the `batch_*`
functions add to a copy of the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from schemas.expectations import expectation, make_suite, row_count, skor_total_maks
from scoring.texts import trimmed
from scoring.early_warning import CODE_PATTERN
from scoring.inputs import rows_of
from scoring.rulebook_format import Rulebook

SKOR_ASPEK = "skor_aspek"
JALAN_MENUJU_SEHAT = "jalan_menuju_sehat"
PERINGATAN_DINI = "peringatan_dini"
PERSENTIL_SEJAWAT = "persentil_sejawat"
DAFTAR_PRIORITAS = "daftar_prioritas"
MUTU_PELAPORAN = "mutu_pelaporan"
ACTION_SUITES = (SKOR_ASPEK, JALAN_MENUJU_SEHAT, PERINGATAN_DINI, PERSENTIL_SEJAWAT, DAFTAR_PRIORITAS, MUTU_PELAPORAN)
PRIORITY_TOLERANCE = 1e-6


def _unique(suite: str, columns: list[str]) -> gxe.Expectation:
    return expectation(suite, "unik_" + "_".join(columns), f"satu baris per {', '.join(columns)}",
                       gxe.ExpectCompoundColumnsToBeUnique, column_list=columns)


def _holds(suite: str, kode: str, description: str) -> gxe.Expectation:
    """A rule computed per row into cek_<kode> (True where it holds)."""
    return expectation(suite, kode, description, gxe.ExpectColumnValuesToBeInSet, column=f"cek_{kode}",
                       value_set=[True])


def _between(suite: str, column: str, low: float, high: float) -> gxe.Expectation:
    return expectation(suite, f"{column}_rentang", f"{column} antara {trimmed(low)} dan {trimmed(high)}",
                       gxe.ExpectColumnValuesToBeBetween, column=column, min_value=low, max_value=high)


def _dense_rank(df: pd.DataFrame, by: list[str], column: str) -> pd.Series:
    """1, 2, 3 ... of `column` within each group: equal to it iff it counts from 1 without gaps."""
    return df.groupby(by, dropna=False)[column].rank(method="first").astype("Int64")


def skor_aspek_suite(jumlah_baris: int | None = None) -> gx.ExpectationSuite:
    """One row per cooperative and aspect; an aspect's score within its weight; the aspects of the row's book;
    `jumlah_baris`: the rows the scored cooperatives call for (`expectations.jumlah_baris_aspek`), which rules out
    a cooperative of skor_koperasi without its aspects."""
    s = SKOR_ASPEK
    return make_suite(s, [
        _unique(s, ["nik", "periode", "aspek"]),
        expectation(s, "skor_dalam_bobot", "skor aspek tidak melebihi bobotnya",
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB, column_A="bobot", column_B="skor", or_equal=True),
        _between(s, "persen", 0, 100),
        _holds(s, "aspek_rulebook", "setiap koperasi punya tepat aspek-aspek rulebook-nya, masing-masing sekali"),
        *row_count(s, jumlah_baris, "aspek rulebook setiap koperasi yang dinilai, masing-masing sekali"),
    ], "skor aspek setiap koperasi yang dinilai, menurut aspek rulebook-nya")


def batch_skor_aspek(df: pd.DataFrame, books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """The rows with cek_aspek_rulebook: the cooperative's aspects are exactly its book's (the book of its first
    row): every row of it has an aspect of that book, none twice, and it has as many rows as the book aspects."""
    aspects = {book: {a.id for a in rules.aspek} for book, rules in books.items()}
    cooperative = [df["nik"], df["periode"]]
    book = df["rulebook"].astype("str").groupby(cooperative, sort=False).transform("first")
    pairs = [(b, a) for b, ids in aspects.items() for a in ids]
    allowed = pd.MultiIndex.from_arrays([[b for b, _ in pairs], [a for _, a in pairs]], names=["b", "a"])
    found = pd.MultiIndex.from_arrays([book, df["aspek"].astype("str")], names=["b", "a"])
    wrong = pd.Series(~found.isin(allowed), index=df.index) | df.duplicated(["nik", "periode", "aspek"], keep=False)
    rows = wrong.groupby(cooperative, sort=False)
    counts = rows_of(book, pd.Series({b: len(ids) for b, ids in aspects.items()}, dtype="float64")).fillna(0)
    holds = rows.transform("sum").eq(0) & rows.transform("size").eq(counts)
    return df.assign(cek_aspek_rulebook=holds.to_numpy(dtype=bool))


def jalan_menuju_sehat_suite(books: Mapping[str, Rulebook]) -> gx.ExpectationSuite:
    """Rows of a cooperative numbered 1.. without gaps; each move gains points and raises the nilai; totals within
    the books' maximum; the combination reaches the next predicate."""
    s = JALAN_MENUJU_SEHAT
    return make_suite(s, [
        _unique(s, ["nik", "periode", "urutan"]),
        expectation(s, "urutan_rapat", "urutan 1, 2, 3 ... tanpa celah per koperasi; teramati: (urutan, peringkatnya)",
                    gxe.ExpectColumnPairValuesToBeEqual, column_A="urutan", column_B="cek_urutan"),
        expectation(s, "poin_tambahan_positif", "setiap langkah menambah poin (poin_tambahan > 0)",
                    gxe.ExpectColumnValuesToBeBetween, column="poin_tambahan", min_value=0, strict_min=True),
        expectation(s, "nilai_naik", "setiap langkah menaikkan nilai komponennya",
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB, column_A="nilai_target", column_B="nilai_sekarang",
                    ignore_row_if="either_value_is_missing"),
        _between(s, "skor_total_baru", 0, skor_total_maks(books)),
        _holds(s, "kombinasi_mencapai", "setiap langkah kombinasi termasuk kombinasi yang mencapai predikat berikutnya"),
    ], "langkah menuju predikat berikutnya dan Sehat, dan kombinasi termurah")


def batch_jalan_menuju_sehat(df: pd.DataFrame) -> pd.DataFrame:
    """The jalan_menuju_sehat table with the cek_* columns its suite reads: the dense rank of urutan per (nik,
    periode), and whether each combination row's component is in the combination that reaches the next predicate."""
    combination = df["langkah"].astype("str").eq("kombinasi") & df["komponen"].notna()
    return df.assign(cek_urutan=_dense_rank(df, ["nik", "periode"], "urutan"),
                     cek_kombinasi_mencapai=~combination | df["mencapai_predikat_berikutnya"].astype(bool))


def peringatan_dini_suite() -> gx.ExpectationSuite:
    """The GX suite of peringatan_dini: one row per (nik, periode, kode), known codes, every warning with its reason."""
    s = PERINGATAN_DINI
    return make_suite(s, [
        _unique(s, ["nik", "periode", "kode"]),
        expectation(s, "kode_dikenal", "kode adalah salah satu peringatan", gxe.ExpectColumnValuesToMatchRegex,
                    column="kode", regex=CODE_PATTERN),
        expectation(s, "alasan_terisi", "setiap peringatan punya alasan", gxe.ExpectColumnValuesToNotBeNull,
                    column="alasan"),
    ], "peringatan dini, satu baris per koperasi dan peringatan")


def persentil_sejawat_suite(min_peers: int) -> gx.ExpectationSuite:
    """The GX suite of persentil_sejawat: one row per (nik, periode, komponen, cakupan), persentil 0-100, and a
    persentil only for groups of at least `min_peers` peers."""
    s = PERSENTIL_SEJAWAT
    return make_suite(s, [
        _unique(s, ["nik", "periode", "komponen", "cakupan"]),
        _between(s, "persentil", 0, 100),
        _holds(s, "sejawat_cukup", f"persentil hanya untuk kelompok dengan minimal {min_peers} koperasi sejawat"),
    ], "persentil sejawat per komponen rasio, provinsi dan nasional")


def batch_persentil_sejawat(df: pd.DataFrame, min_peers: int) -> pd.DataFrame:
    """The persentil_sejawat table with cek_sejawat_cukup: no persentil, or at least `min_peers` peers."""
    return df.assign(cek_sejawat_cukup=df["persentil"].isna() | (df["jumlah_sejawat"] >= min_peers))


def daftar_prioritas_suite(capacity: int) -> gx.ExpectationSuite:
    """The GX suite of daftar_prioritas: one row per (periode, nik), ranks 1, 2, 3 ... without gaps per
    kabupaten/kota and in skor_prioritas order, skor_prioritas the sum of its four parts, visits within capacity
    among the first `capacity` of their pendamping."""
    s = DAFTAR_PRIORITAS
    return make_suite(s, [
        _unique(s, ["periode", "nik"]),
        expectation(s, "peringkat_rapat", "peringkat 1, 2, 3 ... tanpa celah per kabupaten/kota; teramati: "
                    "(peringkat, urutannya)", gxe.ExpectColumnPairValuesToBeEqual, column_A="peringkat",
                    column_B="cek_peringkat"),
        expectation(s, "skor_prioritas_jumlah_bagian", "skor_prioritas = jumlah keempat bagiannya; teramati: selisihnya",
                    gxe.ExpectColumnValuesToBeBetween, column="cek_selisih_prioritas",
                    min_value=-PRIORITY_TOLERANCE, max_value=PRIORITY_TOLERANCE),
        _holds(s, "urut_prioritas", "dalam satu kabupaten/kota, peringkat lebih bawah tidak pernah punya "
               "skor_prioritas lebih tinggi"),
        _holds(s, "dalam_kapasitas", f"kunjungan dalam kapasitas termasuk {capacity} pertama pendampingnya"),
    ], "daftar kunjungan pendamping per kabupaten/kota")


def batch_daftar_prioritas(df: pd.DataFrame, capacity: int) -> pd.DataFrame:
    """The daftar_prioritas table with the cek_* columns its suite reads (each kabupaten/kota's dense ranks, the
    difference between skor_prioritas and its parts, the order of skor_prioritas, the visits within `capacity`)."""
    parts = ["poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota"]
    ordered = df.sort_values(["kode_wilayah", "peringkat"], kind="stable")
    before = ordered.groupby("kode_wilayah", dropna=False)["skor_prioritas"].shift()
    return df.assign(
        cek_peringkat=_dense_rank(df, ["periode", "kode_wilayah"], "peringkat"),
        cek_selisih_prioritas=df["skor_prioritas"] - df[parts].sum(axis=1),
        cek_urut_prioritas=(before.isna() | (before >= ordered["skor_prioritas"])).reindex(df.index),
        cek_dalam_kapasitas=~df["dalam_kapasitas"].astype(bool) | (df["kunjungan_ke"] <= capacity).fillna(False))


def mutu_pelaporan_suite(grades: Sequence[str]) -> gx.ExpectationSuite:
    """The GX suite of mutu_pelaporan: one row per (nik, periode), nilai_mutu one of `grades`, its percents 0-100,
    and the months counted consistently."""
    s = MUTU_PELAPORAN
    return make_suite(s, [
        _unique(s, ["nik", "periode"]),
        expectation(s, "nilai_mutu_dikenal", f"nilai_mutu salah satu dari {', '.join(grades)}",
                    gxe.ExpectColumnValuesToBeInSet, column="nilai_mutu", value_set=list(grades)),
        _between(s, "persen_melapor", 0, 100),
        _between(s, "persen_tepat_waktu", 0, 100),
        _holds(s, "bulan_terhitung", "bulan_tepat_waktu + bulan_terlambat = bulan_melapor <= bulan_wajib"),
    ], "mutu pelaporan per koperasi selama jendela bulan")


def batch_mutu_pelaporan(df: pd.DataFrame) -> pd.DataFrame:
    """The mutu_pelaporan table with cek_bulan_terhitung: bulan_tepat_waktu + bulan_terlambat = bulan_melapor <=
    bulan_wajib."""
    return df.assign(cek_bulan_terhitung=(df["bulan_tepat_waktu"] + df["bulan_terlambat"] == df["bulan_melapor"])
                     & (df["bulan_melapor"] <= df["bulan_wajib"]))
