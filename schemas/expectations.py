"""Great Expectations suites for the output tables (data-contract §3), built in code with the GX Core 1.x API.

One function per table returns its `gx.ExpectationSuite`; each is pure (no file I/O, no Data Context) and
takes what it needs: the rulebooks, the registry size, thresholds, the previous period's figures. Every rule
value (aspect maxima, component lists, predicate bands and names) comes from the rulebooks passed in.

Checks that compare a row with something outside it (the sum of its aspect scores, the predicate its book
gives its score, the component count of its rulebook, the kabupaten rows' sum of a province) are expressed on
derived columns named `cek_*`, which the `batch_*` functions below add to a copy of the table before
validation: GX Core 1.24 runs `UnexpectedRowsExpectation` (SQL) on SQL and Spark data sources only, not on
pandas, so a cross-column rule on a pandas batch is a map expectation over a derived column. A check of some
rows only (a book's, the province rows) reads a derived column missing on the other rows, which GX skips, or
goes without a condition where every row is concerned (`sole_book`): a row condition costs a pandas query of the
whole batch per metric.

Every expectation carries `meta["cek"]`, a stable id (`<suite>.<check>`), and a `description` in words; a
failure report names both (see flows/quality.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from schemas.tables import aspek_ids, jumlah_melapor
from scoring.bands import band_index
from scoring.inputs import rows_of
from scoring.rulebook_format import NilaiBand, Rulebook
from scoring.status import predicate_columns
from scoring.texts import trimmed

SKOR_KOPERASI = "skor_koperasi"
SKOR_INDIKATOR = "skor_indikator"
STATUS_KOPERASI = "status_koperasi"
RINGKASAN_WILAYAH = "ringkasan_wilayah"
ANTAR_PERIODE = "antar_periode"  # run-to-run figures: a one-row batch built by `batch_antar_periode`
SUITES = (SKOR_KOPERASI, SKOR_INDIKATOR, STATUS_KOPERASI, RINGKASAN_WILAYAH, ANTAR_PERIODE)

TOLERANSI_TOTAL = 0.005  # skor_total vs the sum of the aspect scores (both rounded to 2 decimals)
JUMLAH_DASAR = ("jumlah_koperasi", "jumlah_aktif", "jumlah_tidak_aktif", "jumlah_melapor", "jumlah_dinilai")


# ------------------------------------------------------------------ rule values from the books

def skor_total_maks(books: Mapping[str, Rulebook]) -> float:
    """The highest total any book can give: the sum of its aspects' maxima."""
    return max(sum(a.bobot for a in book.aspek) for book in books.values())


def nilai_bounds() -> tuple[float, float]:
    """The scale of a component's nilai, as the rulebook schema bounds it (NilaiBand.nilai)."""
    metadata = NilaiBand.model_fields["nilai"].metadata
    low = next(m.ge for m in metadata if hasattr(m, "ge"))
    high = next(m.le for m in metadata if hasattr(m, "le"))
    return float(low), float(high)


def kolom_jumlah() -> list[str]:
    """ringkasan_wilayah's jumlah_* columns: the base counts, then one per predicate of every book."""
    return [*JUMLAH_DASAR, *predicate_columns().values()]


def predikat_by_band(skor: pd.Series, rulebook: pd.Series, books: Mapping[str, Rulebook]) -> pd.Series:
    """The predicate each row's book gives its score (missing for an unknown book or a missing score), by the
    engine's own band lookup (`scoring.bands.band_index`)."""
    expected = np.full(len(skor), np.nan, dtype=object)
    values = skor.to_numpy(dtype="float64", na_value=np.nan)
    book_of = rulebook.astype("str").to_numpy()
    for book in books.values():
        rows = book_of == book.id
        names = np.array([band.nama for band in book.predikat] + [np.nan], dtype=object)  # -1 (NaN) reads the last
        expected[rows] = names[band_index(values[rows], book.predikat)]
    return pd.Series(expected, index=skor.index, dtype="object").astype("str")


# ------------------------------------------------------------------ small builders

SHARE = "porsi"  # meta["satuan"] of a check whose observed value is a share: shown as a percent


def expectation(suite: str, kode: str, description: str, kind: type, unit: str | None = None,
                **kwargs) -> gxe.Expectation:
    """An expectation of `kind` with its stable id `<suite>.<kode>` and its description (words of a failure)."""
    meta = {"cek": f"{suite}.{kode}"} | ({"satuan": unit} if unit else {})
    return kind(**kwargs, description=description, meta=meta)


def _pct(share: float) -> str:
    """A share as a percent, as Indonesian writes it (0.125 -> 12,5%; 0.1 -> 10%)."""
    return f"{trimmed(share * 100)}%"


def make_suite(name: str, expectations: list[gxe.Expectation], about: str) -> gx.ExpectationSuite:
    # the constructor, not add_expectation: add_expectation looks for a Data Context (DataContextRequiredError)
    """A GX expectation suite named `name` with `expectations`, its purpose in meta 'tentang' (shown in Data Docs)."""
    return gx.ExpectationSuite(name=name, expectations=expectations, meta={"tentang": about})


# ------------------------------------------------------------------ suites

def skor_koperasi_suite(books: Mapping[str, Rulebook], toleransi_total: float = TOLERANSI_TOTAL,
                        sole_book: str | None = None) -> gx.ExpectationSuite:
    """One row per (nik, periode); scores within the books' maxima; total = sum of aspects; predicates by band.

    Each book's checks cover its rows (a row condition on `rulebook`); where `sole_book` names the book of every
    row of the table (`sole_book()`), its checks go without the condition: the same rows, without GX's pandas
    query of the table per metric (about a tenth of a sample month's run)."""
    s = SKOR_KOPERASI
    total_max = skor_total_maks(books)
    aspects = aspek_ids(books)

    def rows_of(book_id: str) -> dict:
        return {} if book_id == sole_book else {"row_condition": Column("rulebook") == book_id}
    checks = [
        expectation(s, "unik_nik_periode", "satu baris per koperasi dan periode (nik, periode unik)",
                    gxe.ExpectCompoundColumnsToBeUnique, column_list=["nik", "periode"]),
        *(expectation(s, f"{c}_terisi", f"{c} tidak pernah kosong", gxe.ExpectColumnValuesToNotBeNull, column=c)
          for c in ("nik", "periode", "rulebook", "skor_total")),
        expectation(s, "skor_total_rentang", f"skor_total antara 0 dan {trimmed(total_max)}",
                    gxe.ExpectColumnValuesToBeBetween, column="skor_total", min_value=0, max_value=total_max),
    ]
    for book_id, book in sorted(books.items()):
        checks += [
            expectation(s, f"skor_{a.id}_rentang.{book_id}",
                        f"skor_{a.id} antara 0 dan {trimmed(a.bobot)} (maksimum {a.id} rulebook {book_id})",
                        gxe.ExpectColumnValuesToBeBetween, column=f"skor_{a.id}", min_value=0, max_value=a.bobot,
                        **rows_of(book_id))
            for a in book.aspek
        ]
    checks += [
        expectation(s, "skor_total_jumlah_aspek",
                    f"skor_total sama dengan jumlah {len(aspects)} skor aspek (toleransi {trimmed(toleransi_total)}); "
                    "teramati: skor_total dikurangi jumlahnya",
                    gxe.ExpectColumnValuesToBeBetween, column="cek_selisih_total_aspek", min_value=-toleransi_total,
                    max_value=toleransi_total),
        expectation(s, "predikat_skor_sesuai_band",
                    "predikat_skor adalah predikat yang diberikan rulebook baris itu untuk skor_total; teramati: (predikat_skor, menurut band)",
                    gxe.ExpectColumnPairValuesToBeEqual, column_A="predikat_skor", column_B="cek_predikat_skor"),
    ]
    checks.append(expectation(s, "rulebook_dikenal", "rulebook adalah salah satu rulebook yang ada",
                              gxe.ExpectColumnValuesToBeInSet, column="rulebook", value_set=sorted(books)))
    for book_id, book in sorted(books.items()):
        checks += [
            expectation(s, f"{column}_dari_rulebook.{book_id}", f"{column} adalah salah satu predikat rulebook {book_id}",
                        gxe.ExpectColumnValuesToBeInSet, column=column, value_set=book.predikat_names,
                        **rows_of(book_id))
            for column in ("predikat_skor", "predikat", *(f"predikat_{a.id}" for a in book.aspek))
        ]
    return make_suite(s, checks, "one row per scored cooperative and period (data-contract §3)")


def skor_indikator_suite(books: Mapping[str, Rulebook], jumlah_baris: int | None = None) -> gx.ExpectationSuite:
    """Every scored cooperative has exactly its rulebook's components; nilai on its scale; skor >= 0.

    `jumlah_baris` is the row count the scored cooperatives call for (`jumlah_baris_indikator`); with the
    per-row checks (each component of the row's own rulebook, each once) it rules out a missing row.
    """
    s = SKOR_INDIKATOR
    low, high = nilai_bounds()
    sizes = sorted({len(book.komponen) for book in books.values()})
    checks = [
        expectation(s, "unik_nik_periode_komponen", "satu baris per koperasi, periode dan komponen",
                    gxe.ExpectCompoundColumnsToBeUnique, column_list=["nik", "periode", "komponen"]),
        expectation(s, "koperasi_dinilai", "setiap baris milik koperasi yang dinilai di skor_koperasi (nik, periode)",
                    gxe.ExpectColumnValuesToNotBeNull, column="cek_rulebook"),
        *(expectation(s, f"komponen_dari_rulebook.{book_id}",
                      f"komponen adalah komponen rulebook {book_id}, yang menilai koperasinya",
                      gxe.ExpectColumnValuesToBeInSet, column=komponen_of(book_id),
                      value_set=[k.id for k in book.komponen])
          for book_id, book in sorted(books.items())),
        expectation(s, "jumlah_komponen_per_koperasi",
                    f"setiap koperasi yang dinilai punya baris komponen sebanyak komponen rulebooknya "
                    f"({'/'.join(map(str, sizes))}); teramati: (baris, komponen rulebook)",
                    gxe.ExpectColumnPairValuesToBeEqual, column_A="cek_jumlah_komponen",
                    column_B="cek_jumlah_komponen_rulebook", ignore_row_if="neither"),
        expectation(s, "nilai_rentang", f"nilai antara {trimmed(low)} dan {trimmed(high)}",
                    gxe.ExpectColumnValuesToBeBetween, column="nilai", min_value=low, max_value=high),
        expectation(s, "skor_tidak_negatif", "skor 0 atau lebih",
                    gxe.ExpectColumnValuesToBeBetween, column="skor", min_value=0),
        *(expectation(s, f"{c}_terisi", f"{c} tidak pernah kosong", gxe.ExpectColumnValuesToNotBeNull, column=c)
          for c in ("nilai", "skor")),
    ]
    checks += row_count(s, jumlah_baris, "komponen rulebook setiap koperasi yang dinilai, masing-masing sekali")
    return make_suite(s, checks, "one row per scored cooperative and rulebook component (data-contract §3)")


def row_count(suite: str, jumlah_baris: int | None, what: str) -> list[gxe.Expectation]:
    """`<suite>.jumlah_baris`: the table has exactly the rows the scored cooperatives call for (`what` they are);
    none when the count is not known."""
    if jumlah_baris is None:
        return []
    return [expectation(suite, "jumlah_baris", f"{jumlah_baris} baris: {what}", gxe.ExpectTableRowCountToEqual,
                        value=jumlah_baris)]


def status_koperasi_suite(jumlah_terdaftar: int) -> gx.ExpectationSuite:
    """Every registered cooperative in scope, once."""
    s = STATUS_KOPERASI
    return make_suite(s, [
        expectation(s, "nik_unik", "satu baris per koperasi (nik unik)", gxe.ExpectColumnValuesToBeUnique, column="nik"),
        expectation(s, "nik_terisi", "nik tidak pernah kosong", gxe.ExpectColumnValuesToNotBeNull, column="nik"),
        expectation(s, "semua_terdaftar", f"satu baris untuk setiap {jumlah_terdaftar} koperasi terdaftar dalam cakupan run",
                    gxe.ExpectTableRowCountToEqual, value=jumlah_terdaftar),
    ], "every registered cooperative: aktif, reported, scored or why not (data-contract §3)")


def ringkasan_wilayah_suite(kolom: Sequence[str]) -> gx.ExpectationSuite:
    """The kabupaten/kota rows add up to their province's row, for every jumlah_* column.

    Each check reads the rows its derived column has a value on (`batch_ringkasan_wilayah`: the sums on the
    province rows, whether the province row is there on the kabupaten/kota rows; the contract's counts are never
    missing): the rows a row condition on `tingkat` would select, without GX's pandas query of the table per
    metric (the costliest suite of a sample month)."""
    s = RINGKASAN_WILAYAH
    checks = [
        expectation(s, "kabupaten_punya_provinsi", "setiap baris kabupaten/kota punya baris provinsinya",
                    gxe.ExpectColumnValuesToBeInSet, column="cek_ada_baris_provinsi", value_set=[True]),
    ]
    checks += [
        expectation(s, f"{c}_provinsi", f"{c} setiap baris provinsi sama dengan jumlah baris kabupaten/kotanya; "
                    "teramati: (provinsi, jumlah kabupaten/kota)",
                    gxe.ExpectColumnPairValuesToBeEqual, column_A=c, column_B=f"cek_{c}_kabupaten",
                    ignore_row_if="either_value_is_missing")
        for c in kolom
    ]
    return make_suite(s, checks, "counts per kabupaten/kota and per province (data-contract §3)")


def _in_areas(kabupaten: Sequence[str]) -> str:
    return f" di {', '.join(kabupaten)}" if kabupaten else ""


def area_key(area: str) -> str:
    """An area's name as part of a column or check name: 'Tana Tidung' -> 'tana_tidung'."""
    return re.sub(r"[^0-9a-z]+", "_", area.casefold()).strip("_")


def antar_periode_suite(jumlah_melapor_sebelumnya: int | None, batas_penurunan_melapor: float,
                        batas_porsi_karantina: float, jumlah_melapor_terbit: int | None = None,
                        kabupaten: Sequence[str] = (),
                        terbit_per_wilayah: Mapping[str, int | None] | None = None) -> gx.ExpectationSuite:
    """Run-to-run: reporting has not collapsed against the previous period, nor against this period as published
    before (a rerun missing the month's files replaced a published month with one of no reports: hostile trial);
    quarantine stays under its ceiling. An area run's reporting is its areas' (`kabupaten`), and so are the counts
    it is held to (`jumlah_melapor`): against the whole month, an area losing every report was a drop of a few
    percent (review). A run of several areas also holds each to its own count as published (`terbit_per_wilayah`,
    column `jumlah_melapor_<area>`: Tana Tidung losing its only report passed as 17 -> 16 with Nunukan: hostile
    trial).

    Without a previous period (`None`, the first run), or this period not published before, that check is left out.
    """
    s = ANTAR_PERIODE
    checks = []
    published = "yang diterbitkan sebelumnya untuk periode ini"
    drops = [("penurunan_melapor", "jumlah_melapor", kabupaten, jumlah_melapor_sebelumnya, "pada periode sebelumnya"),
             ("penurunan_melapor_terbit", "jumlah_melapor", kabupaten, jumlah_melapor_terbit, published)]
    drops += [(f"penurunan_melapor_terbit_{area_key(area)}", f"jumlah_melapor_{area_key(area)}", (area,), before,
               published) for area, before in (terbit_per_wilayah or {}).items()]
    for cek, column, areas, before, which in drops:
        if before is not None:
            minimum = math.ceil(before * (1 - batas_penurunan_melapor) - 1e-9)
            checks.append(expectation(
                s, cek, f"jumlah koperasi yang melapor{_in_areas(areas)} (status_koperasi.melapor) turun tidak lebih "
                f"dari {_pct(batas_penurunan_melapor)} dari {before} {which} (paling sedikit {minimum})",
                gxe.ExpectColumnMinToBeBetween, column=column, min_value=minimum))
    checks.append(expectation(
        s, "porsi_karantina",
        f"porsi baris laporan yang dikarantina (dikarantina / dibaca) paling banyak {_pct(batas_porsi_karantina)}",
        gxe.ExpectColumnMaxToBeBetween, SHARE, column="porsi_karantina", max_value=batas_porsi_karantina))
    checks.append(expectation(
        s, "porsi_kuesioner_karantina",
        f"porsi koperasi yang melapor dan dinilai dengan kuesioner, yang kuesioner terbarunya (sampai akhir "
        f"periode) dikarantina sehingga aspek manajemennya dinilai dari kuesioner lebih lama atau 0, paling banyak "
        f"{_pct(batas_porsi_karantina)}",
        gxe.ExpectColumnMaxToBeBetween, SHARE, column="porsi_kuesioner_karantina", max_value=batas_porsi_karantina))
    return make_suite(s, checks, "this run's figures against the previous period and the report rows read")


# ------------------------------------------------------------------ batches: the tables with their cek_* columns

def batch_skor_koperasi(koperasi: pd.DataFrame, books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """The skor_koperasi table with the cek_* columns its suite reads: skor_total minus the sum of its skor_<aspek>
    columns (points), and the predicate of skor_total in its book's predicate bands (rulebook.md §6)."""
    aspects = [f"skor_{a}" for a in aspek_ids(books) if f"skor_{a}" in koperasi.columns]
    return koperasi.assign(
        cek_selisih_total_aspek=koperasi["skor_total"] - koperasi[aspects].sum(axis=1, min_count=1),
        cek_predikat_skor=predikat_by_band(koperasi["skor_total"], koperasi["rulebook"], books),
    )


def books_in_use(koperasi: pd.DataFrame, books: Mapping[str, Rulebook]) -> dict[str, Rulebook]:
    """The books that scored the table's rows (all books when none did), for the per-book checks.

    A row naming an unknown book fails `rulebook_dikenal`, as that check lists these books only.
    """
    used = {b: books[b] for b in koperasi["rulebook"].dropna().astype("str").unique() if b in books}
    return used or dict(books)


def sole_book(koperasi: pd.DataFrame) -> str | None:
    """The book of every row of the table; None when the rows have several, a missing one, or there are none."""
    books = koperasi["rulebook"].astype("str").unique()
    return str(books[0]) if len(books) == 1 and koperasi["rulebook"].notna().all() else None


def _rulebook_by_key(koperasi: pd.DataFrame) -> pd.DataFrame:
    keys = koperasi[["nik", "periode", "rulebook"]].astype("str")
    return keys.drop_duplicates(["nik", "periode"])


def _components_of(rulebook: pd.Series, books: Mapping[str, Rulebook]) -> pd.Series:
    """The component count of each row's book (NaN: unknown book), numeric even when there are no rows."""
    return _per_book(rulebook, {book_id: len(book.komponen) for book_id, book in books.items()})


def _per_book(rulebook: pd.Series, sizes: Mapping[str, int]) -> pd.Series:
    """Each row's book's count in `sizes` (NaN: unknown book), numeric even when there are no rows; the books
    looked up once (`rows_of`: pandas' `map` of skor_indikator's 320,000 rows took 0.1 s)."""
    return rows_of(rulebook, pd.Series(sizes, dtype="float64")).rename(rulebook.name)


def jumlah_baris_indikator(koperasi: pd.DataFrame, books: Mapping[str, Rulebook]) -> int:
    """The skor_indikator rows the scored cooperatives call for: their rulebooks' component counts."""
    return int(_components_of(_rulebook_by_key(koperasi)["rulebook"], books).fillna(0).sum())


def jumlah_baris_aspek(koperasi: pd.DataFrame, books: Mapping[str, Rulebook]) -> int:
    """The skor_aspek rows the scored cooperatives call for: their rulebooks' aspect counts."""
    sizes = {book_id: len(book.aspek) for book_id, book in books.items()}
    return int(_per_book(_rulebook_by_key(koperasi)["rulebook"], sizes).fillna(0).sum())


def komponen_of(book_id: str) -> str:
    """skor_indikator's derived column of a book's rows' komponen (missing on the other rows, which GX skips: a
    book's check reads its rows without a row condition, whose pandas query costs per metric)."""
    return f"cek_komponen_{book_id}"


def batch_skor_indikator(indikator: pd.DataFrame, koperasi: pd.DataFrame,
                         books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """The skor_indikator table with the cek_* columns its suite reads: each book's komponen on its rows only, each
    row's book (from skor_koperasi), its (nik, periode)'s component count and its book's."""
    keys = indikator[["nik", "periode"]].astype("str")
    rulebook = keys.merge(_rulebook_by_key(koperasi), on=["nik", "periode"], how="left")["rulebook"]
    count = indikator.groupby(["nik", "periode"], observed=True, sort=False)["komponen"].transform("size")
    komponen = indikator["komponen"].astype("str")
    return indikator.assign(
        **{komponen_of(book_id): komponen.where(rulebook.to_numpy() == book_id)
           for book_id in books_in_use(koperasi, books)},  # the books the suite checks
        cek_rulebook=rulebook.to_numpy(),
        cek_jumlah_komponen=count.to_numpy(),
        cek_jumlah_komponen_rulebook=_components_of(rulebook, books).to_numpy(),
    )


def batch_ringkasan_wilayah(ringkasan: pd.DataFrame, kolom: Sequence[str]) -> pd.DataFrame:
    """The ringkasan_wilayah table with the cek_* columns its suite reads: for each province row, the sums of its
    kabupaten/kota rows' `kolom`."""
    tingkat = ringkasan["tingkat"].astype("str")
    kode = ringkasan["kode_wilayah"].astype("str")
    periode = ringkasan["periode"].astype("str")
    kabupaten, provinsi = tingkat.eq("kabupaten_kota"), tingkat.eq("provinsi")
    code_of_kab = kode.str.split(".").str[0]
    sums = ringkasan.loc[kabupaten, list(kolom)].groupby(
        [periode[kabupaten], code_of_kab[kabupaten]]).sum()
    province_keys = pd.MultiIndex.from_arrays([periode[provinsi], kode[provinsi]])
    added = sums.reindex(province_keys).fillna(0).astype(sums.dtypes)  # one row per province row, in order
    has_province = pd.MultiIndex.from_arrays([periode, code_of_kab]).isin(province_keys)
    at = np.flatnonzero(provinsi.to_numpy())  # by position: an index of repeated labels aligns nothing wrongly
    derived = {}
    for c in kolom:  # integer counts stay integers (nullable: the kabupaten rows have no sum of their own)
        column = pd.Series(None, index=range(len(ringkasan)),
                           dtype="Int64" if pd.api.types.is_integer_dtype(added[c]) else added[c].dtype)
        column.iloc[at] = added[c].to_numpy()
        derived[f"cek_{c}_kabupaten"] = column.array
    on_kabupaten = pd.array(has_province, dtype="boolean")
    on_kabupaten[~kabupaten.to_numpy()] = pd.NA  # a province row is not checked for a province row
    return ringkasan.assign(cek_ada_baris_provinsi=on_kabupaten, **derived)


def batch_antar_periode(status: pd.DataFrame, periode: str, laporan_dibaca: int, laporan_dikarantina: int,
                        jumlah_melapor_sebelumnya: int | None, koperasi_kuesioner_dinilai: int = 0,
                        koperasi_kuesioner_dikarantina: int = 0, jumlah_melapor_terbit: int | None = None,
                        kabupaten: Sequence[str] = (), per_wilayah: bool = False) -> pd.DataFrame:
    """One row: this run's reporting count (from status_koperasi) and quarantine shares (of the report rows read; of
    the run's reporting cooperatives whose book scores the questionnaire, those whose latest set is quarantined),
    with the previous period's count and this period's as published before. All of the run's scope (an area run:
    its areas, `kabupaten`); `per_wilayah`, each area's count too (`jumlah_melapor_<area_key>`)."""
    dinilai = koperasi_kuesioner_dinilai
    areas = {f"jumlah_melapor_{area_key(area)}": [jumlah_melapor(status, (area,))] for area in kabupaten} \
        if per_wilayah else {}
    return pd.DataFrame({
        "periode": [periode],
        "jumlah_melapor": [jumlah_melapor(status, kabupaten)],
        "jumlah_melapor_sebelumnya": pd.array([jumlah_melapor_sebelumnya], dtype="Int64"),
        "jumlah_melapor_terbit": pd.array([jumlah_melapor_terbit], dtype="Int64"),
        "laporan_dibaca": [laporan_dibaca],
        "laporan_dikarantina": [laporan_dikarantina],
        "porsi_karantina": [laporan_dikarantina / laporan_dibaca if laporan_dibaca else 0.0],
        "koperasi_kuesioner_dinilai": [dinilai],
        "koperasi_kuesioner_dikarantina": [koperasi_kuesioner_dikarantina],
        "porsi_kuesioner_karantina": [koperasi_kuesioner_dikarantina / dinilai if dinilai else 0.0],
        **areas,
    })
