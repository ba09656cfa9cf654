"""The tables of a monthly run (data-contract §3, and the columns issues 12 to 14 added): one definition each.

The rulebooks decide some of their columns and values: one `skor_<aspek>` and `predikat_<aspek>` column per
aspect of the published books (the ksp books; another book's aspects are in `skor_aspek` only), the components
and the predicates a value may take.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import pandera.pandas as pdr

from schemas.contract import (BOOL, COUNT, DATE, FLOAT, INT32, INT64, NO_NULL_ITEMS, NON_EMPTY_LIST, NOT_BLANK,
                              SCORE, STRING, STRINGS, TIMESTAMP, Column, OutputTable, iff, nik_column,
                              pendamping_column, periode_column, points_column, rule, run_id_column, set_together,
                              text_column)
from scoring.rulebook import published_books
from scoring.rulebook_format import TANGGAL, Rulebook
from scoring.status import predicate_columns

MODES = ("table", "linear")
TINGKAT = ("kabupaten_kota", "provinsi")
ASAL = ("terbit", "landing")  # asal_sebelumnya: the published previous period, or its reports in the landing folder


WIDE_JENIS = "ksp"  # skor_koperasi's wide skor_<aspek> columns are those of the books that score this jenis


def aspek_ids(books: Mapping[str, Rulebook] | None = None) -> list[str]:
    """Aspect ids of the books, in book order (books by id), without repeats. Default: the published books that
    score WIDE_JENIS, whose aspects skor_koperasi carries as wide columns; another book's aspects (the sharia
    book's eight) are in skor_aspek only, so adding it adds no column."""
    books = {i: b for i, b in published_books().items() if WIDE_JENIS in b.jenis} if books is None else books
    return list(dict.fromkeys(a.id for book in sorted(books) for a in books[book].aspek))


def komponen_ids() -> list[str]:
    """The components of the published books (books by id, each book's in rulebook order), each id once."""
    books = published_books()
    return list(dict.fromkeys(k.id for book in sorted(books) for k in books[book].komponen))


def predikat_names() -> list[str]:
    """The union of the books' predicates (books by id, best first), as `scoring.status` counts them."""
    return list(predicate_columns())


def predikat_check() -> pdr.Check:
    """The Pandera check that a value is one of the books' predicates (`predikat_names`)."""
    return pdr.Check.isin(predikat_names())


def _skor_koperasi() -> OutputTable:
    aspek = aspek_ids()
    return OutputTable("skor_koperasi", "one row per scored cooperative and period", (
        Column("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        Column("nama", STRING, "cooperative's name, from the registry"),
        Column("jenis", STRING, "jenis koperasi (ksp, usp, ...), from the registry"),
        Column("kode_wilayah", STRING, "BPS code of the kabupaten/kota, e.g. 65.02"),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota"),
        periode_column(),
        Column("rulebook", STRING, "id of the rulebook that scored the row, e.g. ksp-2016", nullable=False,
              checks=(NOT_BLANK,)),
        Column("versi_rulebook", STRING, "versi of that rulebook (date of its last change, YYYY-MM-DD): scores "
              "made before and after a correction differ here", nullable=False,
              checks=(pdr.Check.str_matches(TANGGAL),)),
        Column("mode_tabel", STRING, "table (band tables) or linear (linear interpolation)", nullable=False,
              checks=(pdr.Check.isin(MODES),)),
        Column("skor_total", FLOAT, "total score 0..100 (sum of the aspect scores)", nullable=False, checks=(SCORE,)),
        Column("predikat_skor", STRING, "predicate of the total score alone", nullable=False,
              checks=(predikat_check(),)),
        Column("predikat", STRING, "predicate after the supervisors' downgrades (faktor_pengurang)", nullable=False,
              checks=(predikat_check(),)),
        Column("faktor_pengurang", STRINGS, "codes of the downgrade factors in force (empty list: none)",
              nullable=False, checks=(NO_NULL_ITEMS,)),
        *(Column(f"skor_{a}", FLOAT, f"score of the aspect {a} (weighted, >= 0)", nullable=False, checks=(COUNT,))
          for a in aspek),
        *(Column(f"predikat_{a}", STRING, f"predicate of the aspect {a}'s score as a percent of its weight",
                nullable=False, checks=(predikat_check(),)) for a in aspek),
        Column("skor_total_sebelumnya", FLOAT, "skor_total of the previous period (null: none, see asal_sebelumnya)",
              checks=(SCORE,)),
        Column("predikat_sebelumnya", STRING, "predikat of the previous period (null: none, see asal_sebelumnya)",
              checks=(predikat_check(),)),
        Column("asal_sebelumnya", STRING, "where the previous period's score comes from: terbit (its published "
              "output) or landing (its reports in the landing folder, scored with the rulebook in force then, when "
              "it was never published); null: no score of the previous period", checks=(pdr.Check.isin(ASAL),)),
        Column("total_aset", INT64, "total aset of the period's report (whole Rupiah)", nullable=False),
        Column("jumlah_anggota", INT64, "members in the period's report", nullable=False, checks=(COUNT,)),
        pendamping_column(),
        text_column("penjelasan", "why the score is what it is, in plain Indonesian: predicate and total, the "
                    "downgrade factors with the supervisors' keterangan, the three components losing the most points "
                    "(ratio, nilai, the range that scores higher), the zero-denominator and missing-questionnaire "
                    "conventions that fired"),
        run_id_column(),
        Column("dihitung_pada", TIMESTAMP, "when the score was computed (UTC)", nullable=False),
    ), key=("nik", "periode"), rules=(
        set_together("asal_sebelumnya", "skor_total_sebelumnya"),
    ))


def _skor_indikator() -> OutputTable:
    return OutputTable("skor_indikator", "one row per scored cooperative, period and component", (
        Column("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        periode_column(),
        Column("aspek", STRING, "aspect id the component belongs to", nullable=False,
              checks=(pdr.Check.isin(aspek_ids(published_books())),)),
        Column("komponen", STRING, "component id in the rulebook", nullable=False,
              checks=(pdr.Check.isin(komponen_ids()),)),
        Column("pembilang", FLOAT, "numerator (Rupiah, annualised where the rulebook says; answers 'ya')"),
        Column("penyebut", FLOAT, "denominator (Rupiah; questions asked)"),
        Column("rasio", FLOAT, "ratio in percent (null when the denominator is <= 0)"),
        Column("nilai", FLOAT, "component value 0..100 from the band table or the linear rule", nullable=False,
              checks=(SCORE,)),
        Column("bobot", FLOAT, "component weight in the total (percent)", nullable=False, checks=(pdr.Check.gt(0),)),
        Column("skor", FLOAT, "nilai x bobot / 100, rounded as the rulebook says", nullable=False, checks=(COUNT,)),
        Column("terverifikasi", BOOL, "the band table is verified against the regulation's text [V]", nullable=False),
        Column("sumber", STRING, "where the component's table comes from (a short citation, from the rulebook)",
              nullable=False, checks=(NOT_BLANK,)),
        Column("catatan", STRING, "which convention fired (null: none)"),
        points_column("poin_hilang", "points the component loses: bobot - skor"),
        text_column("rentang_lebih_baik", "the nearest band that scores higher, as a range of the ratio x (e.g. "
                    "'10 < x <= 15'; questionnaire: '9 dari 12 jawaban ya'); null at the top", nullable=True),
        Column("nilai_lebih_baik", FLOAT, "nilai of that band (null iff rentang_lebih_baik is null)",
               checks=(SCORE,)),
        run_id_column(),
    ), key=("nik", "periode", "komponen"), rules=(
        set_together("rentang_lebih_baik", "nilai_lebih_baik"),
        rule(("nilai_lebih_baik", "nilai"), "nilai_lebih_baik is above nilai",
             lambda df: df["nilai_lebih_baik"].isna() | (df["nilai_lebih_baik"] > df["nilai"])),
        rule(("poin_hilang", "bobot", "skor"), "poin_hilang = bobot - skor",
             lambda df: (df["poin_hilang"] - (df["bobot"] - df["skor"])).abs() < 0.005),
    ))


def _karantina() -> OutputTable:
    return OutputTable("karantina", "every rejected input row, with every reason", (
        Column("sumber", STRING, "input file the row came from", nullable=False, checks=(NOT_BLANK,)),
        Column("baris", INT64, "row number in that file (CSV: as a spreadsheet shows it, the header is row 1 and "
              "a sep= line, which Excel hides, not counted; Excel: the sheet's row number; Parquet: the first row "
              "is 1)", nullable=False,
              checks=(pdr.Check.ge(1),)),
        Column("nik", STRING, "Nomor Induk Koperasi as written in the row (null: none)"),
        periode_column(nullable=True),
        Column("alasan", STRINGS, "every rule the row failed, human readable (at least one)", nullable=False,
              checks=(NON_EMPTY_LIST,)),
        Column("data", STRING, "the original row, as text", nullable=False),
        run_id_column(),
    ))


def _laporan_terganti() -> OutputTable:
    return OutputTable("laporan_terganti", "every submission superseded by a later one, so a correction can be traced", (
        Column("sumber", STRING, "input file the superseded row came from", nullable=False, checks=(NOT_BLANK,)),
        Column("baris", INT64, "row number in that file (as in karantina)", nullable=False,
              checks=(pdr.Check.ge(1),)),
        Column("nik", STRING, "Nomor Induk Koperasi", nullable=False),
        periode_column(),
        Column("tanggal_kirim", STRING, "submission time of the superseded row, as written", nullable=False),
        Column("diganti_oleh", STRING, "file:row of the submission in force", nullable=False, checks=(NOT_BLANK,)),
        Column("data", STRING, "the superseded row, as text (JSON)", nullable=False),
        run_id_column(),
    ), key=("sumber", "baris"))


def _status_koperasi() -> OutputTable:
    return OutputTable("status_koperasi", "every registered cooperative in a period: aktif, reported, scored or why not", (
        Column("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        Column("nama", STRING, "cooperative's name, from the registry"),
        Column("jenis", STRING, "jenis koperasi (ksp, usp, ...), from the registry", nullable=False),
        Column("kode_wilayah", STRING, "BPS code of the kabupaten/kota, e.g. 65.02"),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota", nullable=False),
        periode_column(),
        Column("aktif", BOOL, "a RAT within the 3 years before the period's end", nullable=False),
        Column("tanggal_rat_terakhir", DATE, "date of the last RAT (null: none known)"),
        Column("melapor", BOOL, "a report for the period was accepted", nullable=False),
        Column("bulan_tidak_melapor_berturut", INT32, "consecutive months without a report (null: never reported)",
              checks=(COUNT,)),
        Column("dinilai", BOOL, "the cooperative was scored for the period", nullable=False),
        Column("alasan_tidak_dinilai", STRING, "why it was not scored (null iff dinilai)"),
        Column("predikat", STRING, "predicate after downgrades (null iff not dinilai)", checks=(predikat_check(),)),
        pendamping_column(),
        text_column("penjelasan", "skor_koperasi.penjelasan for a scored cooperative; otherwise 'Tidak dinilai: ' "
                    "and alasan_tidak_dinilai"),
        run_id_column(),
    ), key=("nik", "periode"), rules=(
        iff("alasan_tidak_dinilai", "dinilai", "alasan_tidak_dinilai is null iff dinilai",
             lambda df: df["alasan_tidak_dinilai"].isna(), lambda df: df["dinilai"]),
        iff("predikat", "dinilai", "predikat is set iff dinilai",
             lambda df: df["predikat"].notna(), lambda df: df["dinilai"]),
    ))


def jumlah_melapor(status: pd.DataFrame, kabupaten: Sequence[str] = ()) -> int:
    """Reporting cooperatives (status_koperasi.melapor) of the table, or of the areas named (their names matched
    without regard to case or surrounding spaces, as `--kabupaten` is)."""
    melapor = status["melapor"].astype(bool)
    if kabupaten:
        areas = {name.strip().casefold() for name in kabupaten}
        melapor = melapor & status["kabupaten_kota"].astype("str").str.strip().str.casefold().isin(areas)
    return int(melapor.sum())


def _ringkasan_wilayah() -> OutputTable:
    predikat = predicate_columns()
    counts = ("jumlah_koperasi", "jumlah_aktif", "jumlah_tidak_aktif", "jumlah_melapor", "jumlah_dinilai")
    meaning = {"jumlah_koperasi": "registered cooperatives", "jumlah_aktif": "aktif cooperatives",
               "jumlah_tidak_aktif": "cooperatives not aktif", "jumlah_melapor": "cooperatives that reported",
               "jumlah_dinilai": "cooperatives scored"}
    no_score = "null iff jumlah_dinilai = 0"
    return OutputTable("ringkasan_wilayah", "counts per kabupaten/kota and for the province, per period", (
        Column("tingkat", STRING, "kabupaten_kota or provinsi", nullable=False, checks=(pdr.Check.isin(TINGKAT),)),
        Column("kode_wilayah", STRING, "BPS code of the kabupaten/kota (65.02) or of the province (65)",
              nullable=False),
        Column("kabupaten_kota", STRING, "name of the kabupaten/kota, or of the province on its row", nullable=False),
        periode_column(),
        *(Column(c, INT64, f"number of {meaning[c]}", nullable=False, checks=(COUNT,)) for c in counts),
        *(Column(c, INT64, f"cooperatives scored {name}", nullable=False, checks=(COUNT,))
          for name, c in predikat.items()),
        Column("persen_sehat", FLOAT, f"percent of the scored cooperatives that are Sehat ({no_score})",
              checks=(SCORE,)),
        Column("rata_rata_skor", FLOAT, f"mean skor_total of the scored cooperatives ({no_score})", checks=(SCORE,)),
        run_id_column(),
    ), key=("tingkat", "kode_wilayah", "periode"), rules=(
        iff("persen_sehat", "jumlah_dinilai", f"persen_sehat is {no_score}",
             lambda df: df["persen_sehat"].isna(), lambda df: df["jumlah_dinilai"] == 0),
        iff("rata_rata_skor", "jumlah_dinilai", f"rata_rata_skor is {no_score}",
             lambda df: df["rata_rata_skor"].isna(), lambda df: df["jumlah_dinilai"] == 0),
        rule(("jumlah_aktif", "jumlah_tidak_aktif", "jumlah_koperasi"),
               "jumlah_aktif + jumlah_tidak_aktif = jumlah_koperasi",
               lambda df: df["jumlah_aktif"] + df["jumlah_tidak_aktif"] == df["jumlah_koperasi"]),
        rule(("jumlah_dinilai", "jumlah_melapor", "jumlah_koperasi"),
               "jumlah_dinilai <= jumlah_melapor <= jumlah_koperasi",
               lambda df: (df["jumlah_dinilai"] <= df["jumlah_melapor"])
               & (df["jumlah_melapor"] <= df["jumlah_koperasi"])),
        rule(("jumlah_dinilai", *predikat.values()), "the jumlah_<predikat> add up to jumlah_dinilai",
               lambda df: df[list(predikat.values())].sum(axis=1) == df["jumlah_dinilai"]),
    ))


def _skor_aspek() -> OutputTable:
    return OutputTable("skor_aspek", "one row per scored cooperative, period and aspect of its rulebook: a book with "
                       "other aspects (the sharia book's eight) needs no new column", (
        nik_column(), periode_column(),
        Column("rulebook", STRING, "id of the rulebook that scored the row", nullable=False, checks=(NOT_BLANK,)),
        Column("aspek", STRING, "aspect id in that rulebook", nullable=False, checks=(NOT_BLANK,)),
        Column("skor", FLOAT, "the aspect's weighted score: its part of skor_total, 0..bobot", nullable=False,
               checks=(COUNT,)),
        Column("bobot", FLOAT, "the aspect's weight (its maximum), percent of the total", nullable=False,
               checks=(pdr.Check.gt(0),)),
        Column("persen", FLOAT, "skor as a percent of bobot", nullable=False, checks=(SCORE,)),
        Column("predikat", STRING, "predicate of persen, banded with the rulebook's predicate table", nullable=False,
               checks=(predikat_check(),)),
        run_id_column(),
    ), key=("nik", "periode", "aspek"))


def monthly_tables() -> tuple[OutputTable, ...]:
    """The tables of a monthly run's period, in publication order (the action tables follow them)."""
    return (_skor_koperasi(), _skor_indikator(), _skor_aspek(), _karantina(), _status_koperasi(),
            _ringkasan_wilayah(), _laporan_terganti())
