"""Every registered cooperative's status for a period, and the summary per kabupaten/kota and province."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from functools import cache
from pathlib import Path

import pandas as pd

from scoring.inputs import is_in, rows_of
from scoring.periods import last_day, month_number
from scoring.rulebook import aktif_years, published_books, unscored_jenis
TANPA_LAPORAN = "tidak ada laporan untuk periode ini"
LAPORAN_DIKARANTINA = "laporan periode ini dikarantina: lihat tabel karantina"


def status_koperasi(registry: pd.DataFrame, periode: str, koperasi: pd.DataFrame, tidak_dinilai: pd.DataFrame,
                    accepted: Collection[str], quarantined: Collection[str], last_report: pd.Series,
                    scored_jenis: Collection[str] | None = None) -> pd.DataFrame:
    """One row per registered cooperative: aktif by the RAT rule, reported, scored or why not.

    `last_report` maps nik -> the latest period before `periode` with a report (any accepted or not);
    `scored_jenis`: the jenis a book scores (default: those of the published books); a cooperative of another
    jenis is not scored for the reason `_koperasi.toml` gives.
    """
    if scored_jenis is None:
        scored_jenis = {jenis for book in published_books().values() for jenis in book.jenis}
    rat = pd.to_datetime(registry["tanggal_rat_terakhir"])
    nik = registry["nik"]
    melapor = pd.Series(is_in(nik, accepted), index=nik.index)
    predikat = nik.map(koperasi.set_index("nik")["predikat"].astype("str"))
    dinilai = predikat.notna()
    last = nik.map(last_report.astype("str")).astype("str")
    gap = month_number(periode) - month_number(last.fillna(periode))
    alasan = pd.Series(LAPORAN_DIKARANTINA, index=registry.index).where(is_in(nik, quarantined), TANPA_LAPORAN)
    alasan = nik.map(tidak_dinilai.set_index("nik")["alasan"].astype("str")).astype("str").fillna(alasan)
    unscored = registry["jenis"].map(unscored_jenis())
    alasan = unscored.where(~registry["jenis"].isin(scored_jenis), alasan).fillna(alasan)
    return pd.DataFrame({
        "nik": nik, "nama": registry["nama"], "jenis": registry["jenis"], "kode_wilayah": registry["kode_wilayah"],
        "kabupaten_kota": registry["kabupaten_kota"], "periode": periode,
        "aktif": aktif(rat, periode),
        "tanggal_rat_terakhir": rat.dt.date,
        "melapor": melapor,
        "bulan_tidak_melapor_berturut": gap.where(~melapor, 0).where(melapor | last.notna()).astype("Int32"),
        "dinilai": dinilai,
        "alasan_tidak_dinilai": alasan.where(~dinilai).astype("str"),
        "predikat": predikat.astype("str"),
    }).reset_index(drop=True)


def aktif(tanggal_rat_terakhir: pd.Series, periode: str) -> pd.Series:
    """Kemenkop's aktif (`_koperasi.toml`): the last RAT within `aktif_years()` years before the end of the period
    (no RAT: not aktif)."""
    end = last_day(periode)
    rat = pd.to_datetime(tanggal_rat_terakhir)
    return (rat > end - pd.DateOffset(years=aktif_years())).fillna(False).astype(bool)


def predicate_columns() -> dict[str, str]:
    """jumlah_<predikat> column per predicate of every published book, in a stable order (books by id, best
    first)."""
    books = published_books()
    names = dict.fromkeys(p for book in sorted(books) for p in books[book].predikat_names)
    return {name: "jumlah_" + re.sub(r"\W+", "_", name.lower()) for name in names}


def sehat_columns() -> list[str]:
    """The jumlah_<predikat> columns of the books' best predicates (persen_sehat counts them)."""
    return list(dict.fromkeys(predicate_columns()[book.sehat] for book in published_books().values()))


@cache
def province_names() -> dict[str, str]:
    """BPS province code (the first part of kode_wilayah) -> name, from provinsi.toml, read once."""
    with (Path(__file__).parent / "provinsi.toml").open("rb") as handle:
        return tomllib.load(handle)["provinsi"]


def ringkasan_wilayah(status: pd.DataFrame, koperasi: pd.DataFrame, periode: str) -> pd.DataFrame:
    """Counts per kabupaten/kota and per province (the province rows add up the kabupaten rows)."""
    kode = status["kode_wilayah"]
    kode_provinsi = pd.Series({k: k.split(".")[0] for k in kode.dropna().unique()}, dtype="str")
    rows = status.assign(skor_total=rows_of(status["nik"], koperasi.set_index("nik")["skor_total"]),
                         provinsi=rows_of(kode, kode_provinsi))
    kabupaten = _summarise(rows, ["kode_wilayah", "kabupaten_kota"]).assign(tingkat="kabupaten_kota")
    provinsi = _summarise(rows, ["provinsi"]).rename(columns={"provinsi": "kode_wilayah"})
    provinsi = provinsi.assign(tingkat="provinsi", kabupaten_kota=provinsi["kode_wilayah"].map(
        lambda code: province_names().get(code, f"Provinsi {code}")))
    summary = pd.concat([kabupaten, provinsi], ignore_index=True).assign(periode=periode)
    first = ["tingkat", "kode_wilayah", "kabupaten_kota", "periode"]
    return summary[first + [c for c in summary.columns if c not in first]]


def _summarise(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    predikat = predicate_columns()
    counts = pd.get_dummies(rows["predikat"]).reindex(columns=list(predikat), fill_value=False).astype("int64")
    frame = pd.concat([rows[by], counts.rename(columns=predikat)], axis=1).assign(
        jumlah_koperasi=1, jumlah_aktif=rows["aktif"].astype("int64"),
        jumlah_tidak_aktif=(~rows["aktif"]).astype("int64"), jumlah_melapor=rows["melapor"].astype("int64"),
        jumlah_dinilai=rows["dinilai"].astype("int64"), skor_total=rows["skor_total"])
    summed = frame.groupby(by, sort=True).agg(
        **{c: (c, "sum") for c in ["jumlah_koperasi", "jumlah_aktif", "jumlah_tidak_aktif", "jumlah_melapor",
                                   "jumlah_dinilai", *predikat.values()]},
        rata_rata_skor=("skor_total", "mean")).reset_index()
    dinilai = summed["jumlah_dinilai"].where(summed["jumlah_dinilai"] > 0)
    summed["persen_sehat"] = (100 * summed[sehat_columns()].sum(axis=1) / dinilai).round(2)
    summed["rata_rata_skor"] = summed["rata_rata_skor"].round(2)
    return summed
