"""The output contract (data-contract §3): one definition per table, from which both the Pandera schema
and the explicit Arrow schema of the Parquet files are derived.

Each table is a `Tabel` of `Kolom`s. A column states its Arrow type, whether it may be null, a description
and its value checks; `Tabel.arrow_schema` and `Tabel.pandera_schema` are computed from that one list, as is
the pandas dtype a validated frame carries (`Kolom.pandas_dtype`):

    Arrow                     pandas (validated frames, `read_table`)
    string                    "str" (pandas' default string dtype)
    float64                   float64 (NaN is null)
    int64 / int32 not null    int64 / int32;  nullable: Int64 / Int32
    bool not null             bool;  nullable: boolean
    date32                    date32[day][pyarrow]
    timestamp[us, tz=UTC]     datetime64[us, UTC]
    list<element: string>     object: a Python list of str per row

List columns are plain lists, not ArrowDtype: pandas cannot read back a list ArrowDtype column it wrote with
`to_parquet` (pandas-dev/pandas#53011, apache/arrow#39914), and frames from here get written by others.

`validate_output` accepts whatever pandas made of a column as long as it means the contract's type
(categoricals of strings, "str", object columns of str / lists / dates, ArrowDtype, numpy): integers for
a float column, integral floats for an integer column, tz-aware timestamps for the UTC timestamp (converted),
midnight timestamps or dates for a date. Anything else (text for a number, a naive timestamp, a fractional
count) is a contract break, never coerced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pandera.pandas as pdr
import pyarrow as pa
import pyarrow.compute as pc

from scoring.early_warning import CODE_PATTERN
from scoring.errors import KoperasiSehatError
from scoring.rulebook import PERIODE, TANGGAL, published_books
from scoring.status import predicate_columns

CONTRACT_VERSION = "1"
STRING = pa.string()
FLOAT = pa.float64()
INT64 = pa.int64()
INT32 = pa.int32()
BOOL = pa.bool_()
DATE = pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")
# the list child is named "element" as the Parquet format names it, so the files read back to this schema
STRINGS = pa.list_(pa.field("element", pa.string()))
MODES = ("table", "linear")
TINGKAT = ("kabupaten_kota", "provinsi")
ASAL = ("terbit", "landing")  # asal_sebelumnya: the published previous period, or its reports in the landing folder
SAMPLES = 5  # failing values quoted per problem in an error message


class OutputContractError(KoperasiSehatError):
    """An output frame breaks its table's contract: missing/extra column, wrong type, null, value out of range."""

    def __init__(self, table: str, problems: Sequence[Masalah]) -> None:
        self.table = table
        self.problems = list(problems)
        super().__init__(f"output table {table} breaks its contract: " + "; ".join(p.describe() for p in problems))


@dataclass(frozen=True)
class Masalah:
    """One contract break: the column(s), the check that failed, a few failing values and how many rows."""

    columns: tuple[str, ...]
    check: str
    values: tuple[str, ...] = ()
    rows: int | None = None

    def describe(self) -> str:
        where = f"column {self.columns[0]}" if len(self.columns) == 1 else f"columns {', '.join(self.columns)}"
        text = f"{where}: {self.check}" if self.columns else self.check
        if self.rows is not None:
            text += f" fails in {self.rows} row{'s' * (self.rows != 1)}"
        if self.values:
            text += f" (e.g. {', '.join(self.values)})"
        return text


@dataclass(frozen=True)
class Kolom:
    """One column of an output table: Arrow type, nullability, description and value checks."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    checks: tuple[pdr.Check, ...] = ()

    @property
    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable,
                        metadata={"description": self.description})

    @property
    def pandas_dtype(self) -> object:
        """The dtype this column has in a validated frame and in what `read_table` returns."""
        if self.type == STRING:
            return pd.StringDtype(na_value=np.nan)
        if self.type == FLOAT:
            return np.dtype("float64")
        if self.type in (INT64, INT32):
            bits = self.type.bit_width
            return pd.api.types.pandas_dtype(f"Int{bits}" if self.nullable else f"int{bits}")
        if self.type == BOOL:
            return pd.BooleanDtype() if self.nullable else np.dtype("bool")
        if self.type == TIMESTAMP:
            return pd.DatetimeTZDtype("us", "UTC")
        if self.type == DATE:
            return pd.ArrowDtype(self.type)
        if self.type == STRINGS:
            return np.dtype("object")
        raise TypeError(f"no pandas dtype for {self.type}")

    @property
    def pandera_column(self) -> pdr.Column:
        return pdr.Column(self.pandas_dtype, checks=list(self.checks), nullable=self.nullable,
                          description=self.description, title=self.name)


@dataclass(frozen=True)
class Aturan:
    """A rule across columns of one row; `test` returns True for the rows that keep it."""

    columns: tuple[str, ...]
    description: str
    test: Callable[[pd.DataFrame], pd.Series]

    @property
    def check(self) -> pdr.Check:
        return pdr.Check(self.test, name=self.description, error=self.description)


@dataclass(frozen=True)
class Tabel:
    """An output table: its columns in file order, its key (unique per row) and its cross-column rules."""

    name: str
    description: str
    columns: tuple[Kolom, ...]
    key: tuple[str, ...] = ()
    rules: tuple[Aturan, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Kolom:
        return self.columns[self.names.index(name)]

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([c.arrow_field for c in self.columns],
                         metadata={"koperasi_sehat.tabel": self.name, "koperasi_sehat.kontrak": CONTRACT_VERSION})

    @cached_property
    def pandera_schema(self) -> pdr.DataFrameSchema:
        return pdr.DataFrameSchema(
            {c.name: c.pandera_column for c in self.columns}, checks=[r.check for r in self.rules],
            unique=list(self.key) or None, strict=True, ordered=True, name=self.name,
            description=self.description)


# ---------------------------------------------------------------------------------------------------------------
# What the rulebooks decide: aspects, components, predicates


def aspek_ids() -> list[str]:
    """Aspect ids of every book, in book order (the books share them)."""
    books = published_books()
    return list(dict.fromkeys(a.id for book in sorted(books) for a in books[book].aspek))


def komponen_ids() -> list[str]:
    books = published_books()
    return list(dict.fromkeys(k.id for book in sorted(books) for k in books[book].komponen))


def predikat_names() -> list[str]:
    """The union of the books' predicates (books by id, best first), as `scoring.status` counts them."""
    return list(predicate_columns())


def _predikat_check() -> pdr.Check:
    return pdr.Check.isin(predikat_names())


def _list_items(series: pd.Series, non_empty: bool) -> pd.Series:
    """Rows whose list holds no null item (and, if asked, at least one item)."""
    lists = pa.chunked_array([pa.array(series, type=STRINGS, from_pandas=True)]).combine_chunks()
    ok = np.ones(len(lists), dtype=bool)
    items = pc.list_flatten(lists)
    bad_items = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)[
        pc.is_null(items).to_numpy(zero_copy_only=False)]
    ok[bad_items] = False
    if non_empty:
        ok &= pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False) > 0
    return pd.Series(ok, index=series.index)


NO_NULL_ITEMS = pdr.Check(lambda s: _list_items(s, non_empty=False), name="no null item")
NON_EMPTY_LIST = pdr.Check(lambda s: _list_items(s, non_empty=True), name="non-empty list without null items")
NOT_BLANK = pdr.Check.str_length(min_value=1)
PERIODE_CHECK = pdr.Check.str_matches(PERIODE.pattern)
SCORE = pdr.Check.in_range(0, 100)
COUNT = pdr.Check.ge(0)


def _run_id() -> Kolom:
    return Kolom("run_id", STRING, "id of the run that wrote the row", nullable=False, checks=(NOT_BLANK,))


def _periode(nullable: bool = False) -> Kolom:
    return Kolom("periode", STRING, "reporting month, YYYY-MM (also the partition key periode=YYYY-MM)",
                 nullable=nullable, checks=() if nullable else (PERIODE_CHECK,))


def _iff(left: str, right: str, description: str, left_holds: Callable[[pd.DataFrame], pd.Series],
         right_holds: Callable[[pd.DataFrame], pd.Series]) -> Aturan:
    """A rule that two per-row conditions on two columns hold together or not at all."""
    return Aturan((left, right), description, lambda df: left_holds(df) == right_holds(df))


# ---------------------------------------------------------------------------------------------------------------
# The five tables


def _skor_koperasi() -> Tabel:
    aspek = aspek_ids()
    return Tabel("skor_koperasi", "one row per scored cooperative and period", (
        Kolom("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        Kolom("nama", STRING, "cooperative's name, from the registry"),
        Kolom("jenis", STRING, "jenis koperasi (ksp, usp, ...), from the registry"),
        Kolom("kode_wilayah", STRING, "BPS code of the kabupaten/kota, e.g. 65.02"),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota"),
        _periode(),
        Kolom("rulebook", STRING, "id of the rulebook that scored the row, e.g. ksp-2016", nullable=False,
              checks=(NOT_BLANK,)),
        Kolom("versi_rulebook", STRING, "versi of that rulebook (date of its last change, YYYY-MM-DD): scores "
              "made before and after a correction differ here", nullable=False,
              checks=(pdr.Check.str_matches(TANGGAL),)),
        Kolom("mode_tabel", STRING, "table (band tables) or linear (linear interpolation)", nullable=False,
              checks=(pdr.Check.isin(MODES),)),
        Kolom("skor_total", FLOAT, "total score 0..100 (sum of the aspect scores)", nullable=False, checks=(SCORE,)),
        Kolom("predikat_skor", STRING, "predicate of the total score alone", nullable=False,
              checks=(_predikat_check(),)),
        Kolom("predikat", STRING, "predicate after the supervisors' downgrades (faktor_pengurang)", nullable=False,
              checks=(_predikat_check(),)),
        Kolom("faktor_pengurang", STRINGS, "codes of the downgrade factors in force (empty list: none)",
              nullable=False, checks=(NO_NULL_ITEMS,)),
        *(Kolom(f"skor_{a}", FLOAT, f"score of the aspect {a} (weighted, >= 0)", nullable=False, checks=(COUNT,))
          for a in aspek),
        *(Kolom(f"predikat_{a}", STRING, f"predicate of the aspect {a}'s score as a percent of its weight",
                nullable=False, checks=(_predikat_check(),)) for a in aspek),
        Kolom("skor_total_sebelumnya", FLOAT, "skor_total of the previous period (null: none, see asal_sebelumnya)",
              checks=(SCORE,)),
        Kolom("predikat_sebelumnya", STRING, "predikat of the previous period (null: none, see asal_sebelumnya)",
              checks=(_predikat_check(),)),
        Kolom("asal_sebelumnya", STRING, "where the previous period's score comes from: terbit (its published "
              "output) or landing (its reports in the landing folder, scored with the rulebook in force then, when "
              "it was never published); null: no score of the previous period", checks=(pdr.Check.isin(ASAL),)),
        _run_id(),
        Kolom("dihitung_pada", TIMESTAMP, "when the score was computed (UTC)", nullable=False),
    ), key=("nik", "periode"), rules=(
        _iff("asal_sebelumnya", "skor_total_sebelumnya", "asal_sebelumnya is set iff skor_total_sebelumnya is",
             lambda df: df["asal_sebelumnya"].notna(), lambda df: df["skor_total_sebelumnya"].notna()),
    ))


def _skor_indikator() -> Tabel:
    return Tabel("skor_indikator", "one row per scored cooperative, period and component", (
        Kolom("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        _periode(),
        Kolom("aspek", STRING, "aspect id the component belongs to", nullable=False,
              checks=(pdr.Check.isin(aspek_ids()),)),
        Kolom("komponen", STRING, "component id in the rulebook", nullable=False,
              checks=(pdr.Check.isin(komponen_ids()),)),
        Kolom("pembilang", FLOAT, "numerator (Rupiah, annualised where the rulebook says; answers 'ya')"),
        Kolom("penyebut", FLOAT, "denominator (Rupiah; questions asked)"),
        Kolom("rasio", FLOAT, "ratio in percent (null when the denominator is <= 0)"),
        Kolom("nilai", FLOAT, "component value 0..100 from the band table or the linear rule", nullable=False,
              checks=(SCORE,)),
        Kolom("bobot", FLOAT, "component weight in the total (percent)", nullable=False, checks=(pdr.Check.gt(0),)),
        Kolom("skor", FLOAT, "nilai x bobot / 100, rounded as the rulebook says", nullable=False, checks=(COUNT,)),
        Kolom("terverifikasi", BOOL, "the band table is verified against the regulation's text [V]", nullable=False),
        Kolom("sumber", STRING, "where the component's table comes from (a short citation, from the rulebook)",
              nullable=False, checks=(NOT_BLANK,)),
        Kolom("catatan", STRING, "which convention fired (null: none)"),
        _run_id(),
    ), key=("nik", "periode", "komponen"))


def _karantina() -> Tabel:
    return Tabel("karantina", "every rejected input row, with every reason", (
        Kolom("sumber", STRING, "input file the row came from", nullable=False, checks=(NOT_BLANK,)),
        Kolom("baris", INT64, "row number in that file (CSV: as a spreadsheet shows it, the header is row 1; "
              "Excel: the sheet's row number; Parquet: the first row is 1)", nullable=False,
              checks=(pdr.Check.ge(1),)),
        Kolom("nik", STRING, "Nomor Induk Koperasi as written in the row (null: none)"),
        _periode(nullable=True),
        Kolom("alasan", STRINGS, "every rule the row failed, human readable (at least one)", nullable=False,
              checks=(NON_EMPTY_LIST,)),
        Kolom("data", STRING, "the original row, as text", nullable=False),
        _run_id(),
    ))


def _laporan_terganti() -> Tabel:
    return Tabel("laporan_terganti", "every submission superseded by a later one, so a correction can be traced", (
        Kolom("sumber", STRING, "input file the superseded row came from", nullable=False, checks=(NOT_BLANK,)),
        Kolom("baris", INT64, "row number in that file (as in karantina)", nullable=False,
              checks=(pdr.Check.ge(1),)),
        Kolom("nik", STRING, "Nomor Induk Koperasi", nullable=False),
        _periode(),
        Kolom("tanggal_kirim", STRING, "submission time of the superseded row, as written", nullable=False),
        Kolom("diganti_oleh", STRING, "file:row of the submission in force", nullable=False, checks=(NOT_BLANK,)),
        Kolom("data", STRING, "the superseded row, as text (JSON)", nullable=False),
        _run_id(),
    ), key=("sumber", "baris"))


def _status_koperasi() -> Tabel:
    return Tabel("status_koperasi", "every registered cooperative in a period: aktif, reported, scored or why not", (
        Kolom("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,)),
        Kolom("nama", STRING, "cooperative's name, from the registry"),
        Kolom("jenis", STRING, "jenis koperasi (ksp, usp, ...), from the registry", nullable=False),
        Kolom("kode_wilayah", STRING, "BPS code of the kabupaten/kota, e.g. 65.02"),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota", nullable=False),
        _periode(),
        Kolom("aktif", BOOL, "a RAT within the 3 years before the period's end", nullable=False),
        Kolom("tanggal_rat_terakhir", DATE, "date of the last RAT (null: none known)"),
        Kolom("melapor", BOOL, "a report for the period was accepted", nullable=False),
        Kolom("bulan_tidak_melapor_berturut", INT32, "consecutive months without a report (null: never reported)",
              checks=(COUNT,)),
        Kolom("dinilai", BOOL, "the cooperative was scored for the period", nullable=False),
        Kolom("alasan_tidak_dinilai", STRING, "why it was not scored (null iff dinilai)"),
        Kolom("predikat", STRING, "predicate after downgrades (null iff not dinilai)", checks=(_predikat_check(),)),
        _run_id(),
    ), key=("nik", "periode"), rules=(
        _iff("alasan_tidak_dinilai", "dinilai", "alasan_tidak_dinilai is null iff dinilai",
             lambda df: df["alasan_tidak_dinilai"].isna(), lambda df: df["dinilai"]),
        _iff("predikat", "dinilai", "predikat is set iff dinilai",
             lambda df: df["predikat"].notna(), lambda df: df["dinilai"]),
    ))


def _ringkasan_wilayah() -> Tabel:
    predikat = predicate_columns()
    counts = ("jumlah_koperasi", "jumlah_aktif", "jumlah_tidak_aktif", "jumlah_melapor", "jumlah_dinilai")
    meaning = {"jumlah_koperasi": "registered cooperatives", "jumlah_aktif": "aktif cooperatives",
               "jumlah_tidak_aktif": "cooperatives not aktif", "jumlah_melapor": "cooperatives that reported",
               "jumlah_dinilai": "cooperatives scored"}
    no_score = "null iff jumlah_dinilai = 0"
    return Tabel("ringkasan_wilayah", "counts per kabupaten/kota and for the province, per period", (
        Kolom("tingkat", STRING, "kabupaten_kota or provinsi", nullable=False, checks=(pdr.Check.isin(TINGKAT),)),
        Kolom("kode_wilayah", STRING, "BPS code of the kabupaten/kota (65.02) or of the province (65)",
              nullable=False),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota, or of the province on its row", nullable=False),
        _periode(),
        *(Kolom(c, INT64, f"number of {meaning[c]}", nullable=False, checks=(COUNT,)) for c in counts),
        *(Kolom(c, INT64, f"cooperatives scored {name}", nullable=False, checks=(COUNT,))
          for name, c in predikat.items()),
        Kolom("persen_sehat", FLOAT, f"percent of the scored cooperatives that are Sehat ({no_score})",
              checks=(SCORE,)),
        Kolom("rata_rata_skor", FLOAT, f"mean skor_total of the scored cooperatives ({no_score})", checks=(SCORE,)),
        _run_id(),
    ), key=("tingkat", "kode_wilayah", "periode"), rules=(
        _iff("persen_sehat", "jumlah_dinilai", f"persen_sehat is {no_score}",
             lambda df: df["persen_sehat"].isna(), lambda df: df["jumlah_dinilai"] == 0),
        _iff("rata_rata_skor", "jumlah_dinilai", f"rata_rata_skor is {no_score}",
             lambda df: df["rata_rata_skor"].isna(), lambda df: df["jumlah_dinilai"] == 0),
        Aturan(("jumlah_aktif", "jumlah_tidak_aktif", "jumlah_koperasi"),
               "jumlah_aktif + jumlah_tidak_aktif = jumlah_koperasi",
               lambda df: df["jumlah_aktif"] + df["jumlah_tidak_aktif"] == df["jumlah_koperasi"]),
        Aturan(("jumlah_dinilai", "jumlah_melapor", "jumlah_koperasi"),
               "jumlah_dinilai <= jumlah_melapor <= jumlah_koperasi",
               lambda df: (df["jumlah_dinilai"] <= df["jumlah_melapor"])
               & (df["jumlah_melapor"] <= df["jumlah_koperasi"])),
        Aturan(("jumlah_dinilai", *predikat.values()), "the jumlah_<predikat> add up to jumlah_dinilai",
               lambda df: df[list(predikat.values())].sum(axis=1) == df["jumlah_dinilai"]),
    ))


# ---------------------------------------------------------------------------------------------------------------
# From scores to action (issue 14): the columns the tables above gain, and five new tables
#
# The monthly flow does not write the added columns yet: `with_added_columns(tabel)` is a table above with its
# added columns (before run_id), the contract once the flow writes them; until then they are documented apart
# (`markdown_added`). The five new tables are computed by scoring.explain, path_to_sehat, early_warning,
# peers, worklist and reporting_quality.


def _nik() -> Kolom:
    return Kolom("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,))


def _pendamping() -> Kolom:
    return Kolom("pendamping", STRING, "field assistant (pendamping) the registry assigns (null: none)")


def _text(name: str, description: str, nullable: bool = False) -> Kolom:
    return Kolom(name, STRING, description, nullable=nullable, checks=() if nullable else (NOT_BLANK,))


def _points(name: str, description: str) -> Kolom:
    return Kolom(name, FLOAT, description, nullable=False, checks=(COUNT,))


ADDED_COLUMNS: dict[str, tuple[Kolom, ...]] = {
    "skor_koperasi": (
        Kolom("total_aset", INT64, "total aset of the period's report (whole Rupiah)", nullable=False),
        Kolom("jumlah_anggota", INT64, "members in the period's report", nullable=False, checks=(COUNT,)),
        _pendamping(),
        _text("penjelasan", "why the score is what it is, in plain Indonesian: predicate and total, the downgrade "
              "factors with the supervisors' keterangan, the three components losing the most points (ratio, nilai, "
              "the range that scores higher), the zero-denominator and missing-questionnaire conventions that fired"),
    ),
    "skor_indikator": (
        _points("poin_hilang", "points the component loses: bobot - skor"),
        _text("rentang_lebih_baik", "the nearest band that scores higher, as a range of the ratio x (e.g. "
              "'10 < x <= 15'; questionnaire: '9 dari 12 jawaban ya'); null at the top", nullable=True),
        Kolom("nilai_lebih_baik", FLOAT, "nilai of that band (null iff rentang_lebih_baik is null)", checks=(SCORE,)),
    ),
    "status_koperasi": (
        _pendamping(),
        _text("penjelasan", "skor_koperasi.penjelasan for a scored cooperative; otherwise 'Tidak dinilai: ' and "
              "alasan_tidak_dinilai"),
    ),
}
ADDED_RULES: dict[str, tuple[Aturan, ...]] = {
    "skor_indikator": (
        _iff("rentang_lebih_baik", "nilai_lebih_baik", "rentang_lebih_baik is null iff nilai_lebih_baik is null",
             lambda df: df["rentang_lebih_baik"].isna(), lambda df: df["nilai_lebih_baik"].isna()),
        Aturan(("nilai_lebih_baik", "nilai"), "nilai_lebih_baik is above nilai",
               lambda df: df["nilai_lebih_baik"].isna() | (df["nilai_lebih_baik"] > df["nilai"])),
        Aturan(("poin_hilang", "bobot", "skor"), "poin_hilang = bobot - skor",
               lambda df: (df["poin_hilang"] - (df["bobot"] - df["skor"])).abs() < 0.005),
    ),
}


def with_added_columns(spec: Tabel) -> Tabel:
    """The table with the columns and rules issue 14 adds to it (its columns before run_id and what follows)."""
    added = ADDED_COLUMNS.get(spec.name, ())
    at = spec.names.index("run_id")
    return Tabel(spec.name, spec.description, spec.columns[:at] + added + spec.columns[at:], spec.key,
                 spec.rules + ADDED_RULES.get(spec.name, ()))


STEP_KINDS = ("satu_komponen", "kombinasi")


def _jalan_menuju_sehat() -> Tabel:
    rupiah_move = "a ratio move, null for a questionnaire move"
    return Tabel("jalan_menuju_sehat", "for every scored cooperative below Sehat: moves of one component at a time "
                 "(the others unchanged) toward the next predicate and Sehat, then the cheapest combination of ratio "
                 "moves reaching the next predicate; a simulation on the period's figures", (
        _nik(), _periode(),
        Kolom("urutan", INT32, "order of the rows of a cooperative, from 1: single moves that reach the next "
              "predicate, the combination, the other single moves", nullable=False, checks=(pdr.Check.ge(1),)),
        Kolom("langkah", STRING, "satu_komponen (one component alone) or kombinasi (part of the cheapest "
              "combination)", nullable=False, checks=(pdr.Check.isin(STEP_KINDS),)),
        Kolom("predikat_berikutnya", STRING, "the predicate above the cooperative's predicate by score",
              nullable=False, checks=(_predikat_check(),)),
        Kolom("komponen", STRING, "component moved (null: the row saying no combination reaches the next "
              "predicate)", checks=(pdr.Check.isin(komponen_ids()),)),
        Kolom("rasio_sekarang", FLOAT, "ratio now, percent (questionnaire: percent of answers 'ya')"),
        Kolom("rasio_target", FLOAT, "ratio after the move, percent: the nearest whole-Rupiah value inside the band"),
        _text("rentang_target", "the band moved into, as a range of the ratio (questionnaire: 'k dari n jawaban "
              "ya')", nullable=True),
        Kolom("nilai_sekarang", FLOAT, "nilai now", checks=(SCORE,)),
        Kolom("nilai_target", FLOAT, "nilai after the move", checks=(SCORE,)),
        Kolom("sisi", STRING, f"pembilang or penyebut: which quantity moves ({rupiah_move})",
              checks=(pdr.Check.isin(("pembilang", "penyebut")),)),
        Kolom("pos", STRING, f"the report line or derived quantity (rulebook besaran) that moves ({rupiah_move})"),
        Kolom("pos_sekarang", FLOAT, "its value now, Rupiah (year to date for an annualised ratio's numerator)"),
        Kolom("perubahan_rupiah", INT64, "its change, whole Rupiah, signed (year to date for an annualised "
              "numerator)"),
        Kolom("persen_aset", FLOAT, "the change's size as percent of total aset (null: a questionnaire move, or "
              "total aset <= 0)", checks=(COUNT,)),
        Kolom("tambahan_ya", INT32, "more answers 'ya' needed (a questionnaire move, else null)",
              checks=(pdr.Check.ge(1),)),
        Kolom("poin_tambahan", FLOAT, "points the move gains", checks=(pdr.Check.gt(0),)),
        Kolom("skor_total_baru", FLOAT, "total after the move (kombinasi: after the whole combination)",
              checks=(SCORE,)),
        Kolom("predikat_skor_baru", STRING, "predicate of skor_total_baru", checks=(_predikat_check(),)),
        Kolom("predikat_baru", STRING, "predicate after the downgrade factors in force: a score does not lift a "
              "factor", checks=(_predikat_check(),)),
        Kolom("mencapai_predikat_berikutnya", BOOL, "skor_total_baru reaches predikat_berikutnya", nullable=False),
        Kolom("mencapai_sehat", BOOL, "skor_total_baru reaches Sehat (the book's best predicate)", nullable=False),
        _text("uraian", "the move in words"),
        _text("keterangan", "what the simulation holds fixed, and the downgrade factors that stay"),
        _run_id(),
    ), key=("nik", "periode", "urutan"), rules=(
        _iff("sisi", "perubahan_rupiah", "sisi is set iff perubahan_rupiah is set",
             lambda df: df["sisi"].notna(), lambda df: df["perubahan_rupiah"].notna()),
        _iff("komponen", "poin_tambahan", "komponen is set iff poin_tambahan is set",
             lambda df: df["komponen"].notna(), lambda df: df["poin_tambahan"].notna()),
        Aturan(("nilai_target", "nilai_sekarang"), "nilai_target is above nilai_sekarang",
               lambda df: df["komponen"].isna() | (df["nilai_target"] > df["nilai_sekarang"])),
        Aturan(("mencapai_sehat", "mencapai_predikat_berikutnya"), "mencapai_sehat implies "
               "mencapai_predikat_berikutnya", lambda df: ~df["mencapai_sehat"] | df["mencapai_predikat_berikutnya"]),
    ))


def _peringatan_dini() -> Tabel:
    return Tabel("peringatan_dini", "early warnings: one row per cooperative and warning of the period", (
        _nik(), Kolom("nama", STRING, "cooperative's name, from the registry"),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota"), _periode(),
        Kolom("kode", STRING, "predikat_turun, mendekati_batas_bawah, komponen_turun_band, tidak_melapor_<m>_bulan "
              "(m below the silent months), tidak_melapor_<m>_bulan_atau_lebih, karantina_dua_periode, "
              "segera_tidak_aktif", nullable=False, checks=(pdr.Check.str_matches(CODE_PATTERN),)),
        _text("alasan", "the reason in words, with the figures"),
        _run_id(),
    ), key=("nik", "periode", "kode"))


def _persentil_sejawat() -> Tabel:
    return Tabel("persentil_sejawat", "each scored cooperative's ratio among its peers (same jenis and asset class), "
                 "per ratio component, in its province and nationally", (
        _nik(), _periode(),
        Kolom("komponen", STRING, "ratio component", nullable=False, checks=(pdr.Check.isin(komponen_ids()),)),
        Kolom("cakupan", STRING, "provinsi or nasional (when the run covers several provinces)", nullable=False,
              checks=(pdr.Check.isin(("provinsi", "nasional")),)),
        _text("wilayah", "BPS code of the province, or nasional"),
        _text("jenis", "jenis koperasi"),
        Kolom("kelas_aset", STRING, "asset class of Permenkop 8/2023 Pasal 49 (I up to Rp 15 billion, II to 100, "
              "III to 500, IV above)", nullable=False, checks=(NOT_BLANK,)),
        Kolom("rasio", FLOAT, "the cooperative's ratio, percent (null: denominator <= 0)"),
        Kolom("persentil", FLOAT, "100 x (peers below + peers equal / 2) / peers, itself included; null below the "
              "minimum group size or without a ratio", checks=(SCORE,)),
        Kolom("median_sejawat", FLOAT, "median ratio of the peers (null below the minimum group size)"),
        Kolom("jumlah_sejawat", INT64, "peers with a ratio in the group, itself included", nullable=False,
              checks=(COUNT,)),
        _text("keterangan", "why there is no percentile (null when there is one)", nullable=True),
        _run_id(),
    ), key=("nik", "periode", "komponen", "cakupan"), rules=(
        _iff("persentil", "keterangan", "persentil is null iff keterangan is set",
             lambda df: df["persentil"].isna(), lambda df: df["keterangan"].notna()),
    ))


def _daftar_prioritas() -> Tabel:
    parts = ("poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota")
    return Tabel("daftar_prioritas", "the cooperatives to visit, per kabupaten/kota and pendamping, in order of "
                 "priority", (
        _periode(), Kolom("kode_wilayah", STRING, "BPS code of the kabupaten/kota"),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota"),
        Kolom("peringkat", INT32, "rank within the kabupaten/kota, from 1", nullable=False, checks=(pdr.Check.ge(1),)),
        _nik(), Kolom("nama", STRING, "cooperative's name, from the registry"), _pendamping(),
        Kolom("pendamping_usulan", STRING, "suggested pendamping of the same kabupaten/kota, for a cooperative with "
              "none (null: assigned, or no capacity left)"),
        Kolom("kunjungan_ke", INT32, "the visit's number in its pendamping's list this month", checks=(
            pdr.Check.ge(1),)),
        Kolom("dalam_kapasitas", BOOL, "the visit fits the pendamping's monthly capacity", nullable=False),
        Kolom("predikat", STRING, "predicate of the period (null: not scored)", checks=(_predikat_check(),)),
        Kolom("skor_total", FLOAT, "total score of the period (null: not scored)", checks=(SCORE,)),
        Kolom("bulan_tidak_melapor", INT32, "consecutive months without a report (null: never reported)",
              checks=(COUNT,)),
        Kolom("jumlah_anggota", INT64, "members, from the latest report", checks=(COUNT,)),
        _points("poin_predikat", "predicate steps below the book's best (Sehat 0 .. Dalam Pengawasan Khusus 3)"),
        _points("poin_penurunan", "predicate steps fallen since the previous period"),
        _points("poin_tidak_melapor", "months without a report, at most the silent months setting"),
        _points("poin_anggota", "members / the members-per-step setting, at most 1"),
        _points("skor_prioritas", "the sum of the four parts: the order of the list"),
        _text("alasan", "why the cooperative is on the list"),
        _text("langkah_utama", "the top of its jalan_menuju_sehat (null: none)", nullable=True),
        _text("keterangan_pendamping", "suggestion, or capacity exceeded, in words", nullable=True),
        _run_id(),
    ), key=("periode", "nik"), rules=(
        Aturan(("skor_prioritas", *parts), "skor_prioritas is the sum of its parts",
               lambda df: (df["skor_prioritas"] - df[list(parts)].sum(axis=1)).abs() < 1e-6),
        Aturan(("pendamping", "pendamping_usulan"), "a suggestion only for a cooperative without pendamping",
               lambda df: df["pendamping"].isna() | df["pendamping_usulan"].isna()),
    ))


def _mutu_pelaporan() -> Tabel:
    def count(name: str, description: str) -> Kolom:
        return Kolom(name, INT32, description, nullable=False, checks=(COUNT,))

    return Tabel("mutu_pelaporan", "how well each cooperative reports over the last months of the landing folder", (
        _nik(), Kolom("nama", STRING, "cooperative's name, from the registry"),
        Kolom("kabupaten_kota", STRING, "name of the kabupaten/kota"), _periode(),
        Kolom("bulan_awal", STRING, "first month owed in the window (its first report, or the window's start)",
              nullable=False, checks=(PERIODE_CHECK,)),
        Kolom("bulan_wajib", INT32, "months owed in the window", nullable=False, checks=(pdr.Check.ge(1),)),
        count("bulan_melapor", "months with an accepted report"),
        count("bulan_tepat_waktu", "months first sent by the deadline day of the next month (WITA)"),
        count("bulan_terlambat", "months reported after the deadline"),
        count("kirim_ulang", "submissions replaced by a later one"),
        count("baris_karantina", "quarantined report rows"),
        _text("alasan_karantina_terbanyak", "most frequent kind of quarantine reason (null: none)", nullable=True),
        Kolom("persen_melapor", FLOAT, "bulan_melapor / bulan_wajib x 100", nullable=False, checks=(SCORE,)),
        Kolom("persen_tepat_waktu", FLOAT, "bulan_tepat_waktu / bulan_wajib x 100", nullable=False, checks=(SCORE,)),
        Kolom("nilai_mutu", STRING, "grade A-D: the first row of scoring/mutu_pelaporan.toml met", nullable=False,
              checks=(pdr.Check.str_matches(r"^[A-Z]$"),)),
        _run_id(),
    ), key=("nik", "periode"), rules=(
        Aturan(("bulan_tepat_waktu", "bulan_terlambat", "bulan_melapor", "bulan_wajib"),
               "bulan_tepat_waktu + bulan_terlambat = bulan_melapor <= bulan_wajib",
               lambda df: (df["bulan_tepat_waktu"] + df["bulan_terlambat"] == df["bulan_melapor"])
               & (df["bulan_melapor"] <= df["bulan_wajib"])),
        _iff("alasan_karantina_terbanyak", "baris_karantina", "alasan_karantina_terbanyak is null iff baris_karantina "
             "= 0", lambda df: df["alasan_karantina_terbanyak"].isna(), lambda df: df["baris_karantina"] == 0),
    ))


NEW_TABLES = ("jalan_menuju_sehat", "peringatan_dini", "persentil_sejawat", "daftar_prioritas", "mutu_pelaporan")


TABLES: dict[str, Tabel] = {t.name: t for t in (
    _skor_koperasi(), _skor_indikator(), _karantina(), _status_koperasi(), _ringkasan_wilayah(),
    _laporan_terganti(), _jalan_menuju_sehat(), _peringatan_dini(), _persentil_sejawat(), _daftar_prioritas(),
    _mutu_pelaporan())}


def tabel(table: str) -> Tabel:
    if table not in TABLES:
        raise OutputContractError(table, [Masalah((), f"unknown output table; known: {', '.join(TABLES)}")])
    return TABLES[table]


def arrow_schema(table: str) -> pa.Schema:
    """The exact Arrow schema of the table's Parquet files (field descriptions in the field metadata)."""
    return tabel(table).arrow_schema


def pandera_schema(table: str) -> pdr.DataFrameSchema:
    return tabel(table).pandera_schema


def markdown(table: str) -> str:
    """The table's section of the README: its description and one row per column (name, Arrow type, meaning).

    The README holds exactly this text for every table (a test compares them); `python -m schemas.outputs`
    prints every section, to paste after a change of the contract."""
    spec = tabel(table)
    rows = [f"| `{c.name}` | {c.type}{'' if c.nullable else ' not null'} | {c.description} |" for c in spec.columns]
    return "\n".join([f"### `{spec.name}`", "", f"{spec.description}.", "", "| column | type | meaning |",
                      "|---|---|---|", *rows])


def markdown_added(table: str) -> str:
    """The README's rows of the columns issue 14 adds to a table, until the flow writes them (then `markdown`
    of `with_added_columns` replaces the table's section)."""
    rows = [f"| `{c.name}` | {c.type}{'' if c.nullable else ' not null'} | {c.description} |"
            for c in ADDED_COLUMNS[table]]
    return "\n".join([f"#### Columns `{table}` gains (issue 14)", "", "| column | type | meaning |", "|---|---|---|",
                       *rows])


# ---------------------------------------------------------------------------------------------------------------
# pandas -> Arrow, exactly the schema


def to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table of exactly `arrow_schema(table)`: columns in schema order, each column cast
    to its contract type; a missing or extra column, a type that does not mean the contract's, or a null in a
    not-null column raises OutputContractError naming them."""
    spec = tabel(table)
    arrays, problems = _convert(spec, df)
    for kolom in spec.columns:
        if kolom.name in arrays and not kolom.nullable and arrays[kolom.name].null_count:
            problems.append(Masalah((kolom.name,), "not null", rows=arrays[kolom.name].null_count))
    if problems:
        raise OutputContractError(table, problems)
    return pa.Table.from_arrays([arrays[c] for c in spec.names], schema=spec.arrow_schema)


def _convert(spec: Tabel, df: pd.DataFrame) -> tuple[dict[str, pa.Array], list[Masalah]]:
    problems = [Masalah((c,), "column missing") for c in spec.names if c not in df.columns]
    problems += [Masalah((str(c),), "column not in the contract (extra)") for c in df.columns if c not in spec.names]
    if df.columns.duplicated().any():
        problems += [Masalah((str(c),), "column appears more than once") for c in df.columns[df.columns.duplicated()]]
        return {}, problems
    arrays = {}
    for kolom in spec.columns:
        if kolom.name in df.columns:
            try:
                arrays[kolom.name] = _cast(df[kolom.name], kolom)
            except _TypeProblem as problem:
                problems.append(Masalah((kolom.name,), problem.check, problem.values))
    return arrays, problems


class _TypeProblem(Exception):
    def __init__(self, check: str, values: tuple[str, ...] = ()) -> None:
        super().__init__(check)
        self.check, self.values = check, values


def _cast(series: pd.Series, kolom: Kolom) -> pa.Array:
    """One pandas column as an Arrow array of the column's type, if its values mean that type."""
    target = kolom.type
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise _TypeProblem(f"type {target} expected, got {series.dtype} values that are not ({error})",
                           _samples(series)) from None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not _means(array.type, target):
        raise _TypeProblem(f"type {target} expected, got {series.dtype} ({array.type})", _samples(series))
    try:
        cast = array.cast(target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise _TypeProblem(f"type {target} expected, got {series.dtype} values that do not fit ({error})",
                           _samples(series)) from None
    if target == DATE and pa.types.is_timestamp(array.type):
        moved = pc.fill_null(pc.not_equal(cast.cast(array.type), array), False).to_numpy(zero_copy_only=False)
        if moved.any():
            raise _TypeProblem(f"type {target} expected, got timestamps with a time of day",
                               _samples(series[moved]))
    return cast


def _means(source: pa.DataType, target: pa.DataType) -> bool:
    """Whether values of the Arrow type pandas produced stand for the contract's type (casting checks the rest)."""
    t = pa.types
    if t.is_null(source):
        return True
    if target == STRING:
        return t.is_string(source) or t.is_large_string(source) or t.is_string_view(source)
    if t.is_floating(target) or t.is_integer(target):
        return t.is_integer(source) or t.is_floating(source)
    if t.is_boolean(target):
        return t.is_boolean(source)
    if t.is_date(target):
        return t.is_date(source) or (t.is_timestamp(source) and source.tz is None)
    if t.is_timestamp(target):
        return t.is_timestamp(source) and source.tz is not None
    if t.is_list(target):
        return ((t.is_list(source) or t.is_large_list(source) or t.is_list_view(source))
                and _means(source.value_type, target.value_type))
    return source == target


def _samples(series: pd.Series) -> tuple[str, ...]:
    values = series.dropna() if not isinstance(series.dtype, pd.ArrowDtype) else series
    return tuple(dict.fromkeys(repr(_plain(v)) for v in values.iloc[:50]))[:SAMPLES]


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


# ---------------------------------------------------------------------------------------------------------------
# Arrow -> pandas, and validation


def to_pandas(table: str | Tabel, data: pa.Table) -> pd.DataFrame:
    """An Arrow table of the table's schema as a frame of the contract's pandas dtypes (`Kolom.pandas_dtype`)."""
    spec = table if isinstance(table, Tabel) else tabel(table)
    columns = {}
    for kolom in spec.columns:
        array = data.column(kolom.name)
        dtype = kolom.pandas_dtype
        if kolom.type == STRINGS:
            series = pd.Series(array.to_pylist(), dtype=object)
        elif isinstance(dtype, pd.ArrowDtype):
            series = pd.Series(pd.arrays.ArrowExtensionArray(array), copy=False)
        else:
            series = array.to_pandas()
        columns[kolom.name] = series if series.dtype == dtype else series.astype(dtype)
    return pd.DataFrame(columns, copy=False)


def empty_frame(table: str) -> pd.DataFrame:
    """A frame with the table's columns and dtypes and no rows."""
    return to_pandas(table, arrow_schema(table).empty_table())


def validate_output(table: str | Tabel, df: pd.DataFrame) -> pd.DataFrame:
    """Check a frame against the table's contract (Pandera, lazy: every problem at once); a table by name, or a
    `Tabel` itself (e.g. `with_added_columns(tabel(name))`).

    Returns the frame converted to the contract's pandas dtypes, columns in schema order, a fresh RangeIndex.
    Raises OutputContractError naming the table and, per problem, the column(s), the check and a few failing
    values."""
    spec = table if isinstance(table, Tabel) else tabel(table)
    arrays, problems = _convert(spec, df)
    if problems:
        raise OutputContractError(spec.name, problems)
    frame = to_pandas(spec, pa.Table.from_arrays([arrays[c] for c in spec.names], schema=spec.arrow_schema))
    try:
        return spec.pandera_schema.validate(frame, lazy=True)
    except pdr.errors.SchemaErrors as errors:
        raise OutputContractError(spec.name, _problems(spec, frame, errors.failure_cases)) from None


def _problems(spec: Tabel, frame: pd.DataFrame, failures: pd.DataFrame) -> list[Masalah]:
    rules = {r.description: r for r in spec.rules}
    problems = []
    for check, cases in failures.groupby("check", sort=False, dropna=False):
        rows = pd.unique(cases["index"].dropna())
        if check in rules or check == "multiple_fields_uniqueness":
            columns = rules[check].columns if check in rules else spec.key
            shown = [", ".join(f"{c}={_plain(frame.at[i, c])!r}" for c in columns) for i in rows[:SAMPLES]]
            name = check if check in rules else "unique"
            problems.append(Masalah(tuple(columns), name, tuple(f"({s})" for s in shown), len(rows)))
            continue
        for column, per_column in cases.groupby("column", sort=False, dropna=False):
            values = pd.unique(per_column["failure_case"].map(lambda v: repr(_plain(v))))
            count = per_column["index"].nunique() if per_column["index"].notna().any() else None
            name = "not null" if check == "not_nullable" else str(check)
            problems.append(Masalah((str(column),), name, tuple(values[:SAMPLES]), count))
    return problems


__all__ = ["ADDED_COLUMNS", "NEW_TABLES", "TABLES", "Aturan", "Kolom", "Masalah", "OutputContractError", "Tabel",
           "arrow_schema", "aspek_ids", "empty_frame", "markdown", "markdown_added", "pandera_schema", "predikat_names",
           "to_arrow", "to_pandas", "validate_output", "with_added_columns"]

if __name__ == "__main__":
    print("\n\n".join([*(markdown(name) for name in TABLES), *(markdown_added(name) for name in ADDED_COLUMNS)]))
