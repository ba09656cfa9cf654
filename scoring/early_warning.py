"""peringatan_dini: who is slipping, one row per cooperative and warning, with the reason in words.

Warnings of a period t (kode):
- `predikat_turun`: the predicate (after downgrades) is worse than in t - 1, in the order of the book.
- `mendekati_batas_bawah`: the total is at most `margin` points above the lower edge of its predicate (by
  score), and it fell in each of the last `falling_periods` months (t - n < ... < t, every month scored).
- `komponen_turun_band`: one or more components score a lower nilai than in t - 1 (a worse band, or fewer "ya").
- `tidak_melapor_<m>_bulan`, m = 1 .. silent - 1, and `tidak_melapor_<silent>_bulan_atau_lebih`: no report
  accepted for m consecutive months up to t (status_koperasi.bulan_tidak_melapor_berturut; a cooperative that
  never reported is not warned: it is not known to owe reports).
- `karantina_dua_periode`: the period's report was quarantined in t - 1 and in t (status_koperasi).
- `segera_tidak_aktif`: aktif now, but without a new RAT it is tidak aktif within `rat_months` months (aktif: a
  RAT within the last `tahun_rat` years before the period's end: `_koperasi.toml`, data-contract §1.1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from scoring.inputs import datetimes, is_in, rows_of, text_codes
from scoring.periods import previous_period, shift_period
from scoring.rulebook import aktif_years, rulebooks
from scoring.rulebook_format import Rulebook
from scoring.status import LAPORAN_DIKARANTINA, aktif
from scoring.texts import format_nilai, format_number, join_per_key

PREDIKAT_TURUN, MENDEKATI_BATAS, KOMPONEN_TURUN = "predikat_turun", "mendekati_batas_bawah", "komponen_turun_band"
KARANTINA, SEGERA_TIDAK_AKTIF = "karantina_dua_periode", "segera_tidak_aktif"
CODE_PATTERN = r"^(?:predikat_turun|mendekati_batas_bawah|komponen_turun_band|karantina_dua_periode|segera_tidak_aktif" \
       r"|tidak_melapor_\d+_bulan(?:_atau_lebih)?)$"
SILENT_SUFFIX = "_bulan_atau_lebih"  # the code of the top not-reporting level
COLUMNS = ["nik", "nama", "kabupaten_kota", "periode", "kode", "alasan"]
READS = {  # the columns of each input table the warnings read
    "skor_koperasi": ("nik", "periode", "rulebook", "skor_total", "predikat_skor", "predikat"),
    "skor_indikator": ("nik", "periode", "komponen", "rasio", "nilai"),
    "status_koperasi": ("nik", "nama", "kabupaten_kota", "periode", "aktif", "tanggal_rat_terakhir", "melapor",
                        "bulan_tidak_melapor_berturut", "alasan_tidak_dinilai"),
}


def silent_code(months: pd.Series, silent: int) -> pd.Series:
    """The not-reporting code of a count of months: tidak_melapor_1_bulan .. tidak_melapor_<silent>_bulan_atau_lebih."""
    level = months.clip(upper=silent).astype("int64").astype("str")
    return ("tidak_melapor_" + level + np.where(months >= silent, SILENT_SUFFIX, "_bulan")).astype("str")


def peringatan_dini(periode: str, skor_koperasi: pd.DataFrame, skor_indikator: pd.DataFrame,
                    status_koperasi: pd.DataFrame, *, margin: float, falling_periods: int, silent_months: int,
                    rat_months: int, books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """The warnings of `periode` (columns COLUMNS; schemas.outputs adds run_id).

    skor_koperasi: the published rows of `periode` and of the months before it (at least `falling_periods`
    of them for the near-the-edge warning); skor_indikator and status_koperasi: rows of `periode` and the month
    before; of each, the columns READS names are read."""
    books = books or rulebooks()
    before = previous_period(periode)
    skor = skor_koperasi.astype({"nik": "str", "periode": "str", "rulebook": "str", "predikat": "str",
                                 "predikat_skor": "str"})
    status = status_koperasi.astype({"nik": "str", "periode": "str"})
    now = status[status["periode"] == periode]
    found = pd.concat([
        _fallen(skor[skor["periode"] == periode], skor[skor["periode"] == before], books),
        _near_edge(periode, skor, books, margin, falling_periods),
        _worse_components(skor_indikator, periode, before),
        _silent(now, periode, silent_months),
        _quarantined(now, status[status["periode"] == before], before, periode),
        _becoming_inactive(now, periode, rat_months),
    ], ignore_index=True)
    names = rows_of(found["nik"], now.drop_duplicates("nik").set_index("nik")[["nama", "kabupaten_kota"]])
    found = found.assign(periode=periode, nama=names["nama"].astype("str"),
                         kabupaten_kota=names["kabupaten_kota"].astype("str"))
    return found.sort_values(["nik", "kode"], kind="stable")[COLUMNS].reset_index(drop=True)


def _warnings(nik: pd.Series, kode: str | pd.Series, alasan: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"nik": nik.to_numpy(), "kode": kode if isinstance(kode, str) else kode.to_numpy(),
                         "alasan": alasan.to_numpy()}).astype("str")


def predicate_steps(rows: pd.DataFrame, column: str, books: Mapping[str, Rulebook]) -> pd.Series:
    """Steps of each row's predicate below its book's best (rows carry `rulebook`; 0 best; missing when the row
    has no predicate or its book does not list it)."""
    rank = pd.Series(np.nan, index=rows.index)
    for book_id, book in books.items():
        mine = rows["rulebook"] == book_id
        rank[mine] = rows_of(rows.loc[mine, column], pd.Series(range(len(book.predikat_names)),
                                                               index=book.predikat_names, dtype="float64"))
    return rank


def _fallen(now: pd.DataFrame, before: pd.DataFrame, books: Mapping[str, Rulebook]) -> pd.DataFrame:
    pair = now.merge(before[["nik", "periode", "predikat", "skor_total"]], on="nik", suffixes=("", "_lalu"))
    lalu = pair.assign(predikat=pair["predikat_lalu"])
    fell = pair[predicate_steps(pair, "predikat", books) > predicate_steps(lalu, "predikat", books)]
    return _warnings(fell["nik"], PREDIKAT_TURUN, "predikat turun dari " + fell["predikat_lalu"] + " ("
                     + fell["periode_lalu"] + ", skor " + format_number(fell["skor_total_lalu"]).to_numpy() + ") menjadi "
                     + fell["predikat"] + " (skor " + format_number(fell["skor_total"]).to_numpy() + ")")


def _near_edge(periode: str, skor: pd.DataFrame, books: Mapping[str, Rulebook], margin: float,
               falling: int) -> pd.DataFrame:
    months = [shift_period(periode, -i) for i in range(falling, -1, -1)]
    totals = skor[skor["periode"].isin(months)].drop_duplicates(["nik", "periode"]).pivot(
        index="nik", columns="periode", values="skor_total").reindex(columns=months)
    falls = np.all(np.diff(totals.to_numpy(), axis=1) < 0, axis=1)  # NaN (a month unscored) is no fall
    now = skor[skor["periode"] == periode].set_index("nik").reindex(totals.index[falls])
    edge, lower = pd.Series(np.nan, index=now.index), pd.Series(None, index=now.index, dtype="str")
    for book_id, book in books.items():
        bands = book.predikat
        for i, band in enumerate(bands[:-1]):
            at = (now["rulebook"] == book_id) & (now["predikat_skor"] == band.nama)
            edge[at], lower[at] = band.lower[0], bands[i + 1].nama
    gap = now["skor_total"] - edge
    near = now[(gap >= 0) & (gap.round(6) <= margin)]  # totals have 2 decimals: no float noise at the margin
    stacked = totals.loc[near.index].stack()
    steps = stacked.index.to_frame(index=False)
    history = join_per_key(format_number(stacked).to_numpy() + " (" + steps["periode"] + ")", steps[["nik"]], " → ")
    return _warnings(near.index.to_series(), MENDEKATI_BATAS,
                     "skor turun " + str(falling) + " periode berturut-turut (" + history.reindex(near.index).to_numpy()
                     + ") dan tinggal " + format_number(gap[near.index]).to_numpy() + " poin di atas batas "
                     + format_number(edge[near.index]).to_numpy() + " antara " + near["predikat_skor"] + " dan "
                     + lower[near.index])


def _worse_components(indikator: pd.DataFrame, periode: str, before: str) -> pd.DataFrame:
    """The components whose nilai fell since `before`, per cooperative in one text. The two months' rows are paired
    by one integer per (nik, komponen) (two national months: 0.3 s paired by their texts), and only the rows that
    fell are taken as text."""
    month = indikator["periode"].astype("str")
    figures = {name: indikator[name].to_numpy(dtype=float, na_value=np.nan) for name in ("rasio", "nilai")}
    rows = pd.DataFrame({"key": text_codes(indikator["nik"], indikator["komponen"]), "at": np.arange(len(indikator)),
                         **figures})
    pair = rows[(month == periode).to_numpy()].merge(rows[(month == before).to_numpy()], on="key",
                                                     suffixes=("", "_lalu"))
    worse = pair[pair["nilai"] < pair["nilai_lalu"]]
    at = worse["at"].to_numpy()
    worse = worse.assign(nik=indikator["nik"].iloc[at].astype("str").array,
                         komponen=indikator["komponen"].iloc[at].astype("str").array)

    def ratio(values: pd.Series) -> np.ndarray:
        return np.where(values.isna(), "tidak dapat dihitung", format_number(values) + "%")

    text = (worse["komponen"] + " " + ratio(worse["rasio_lalu"]) + " menjadi " + ratio(worse["rasio"]) + " (nilai "
            + format_nilai(worse["nilai_lalu"]).to_numpy() + " menjadi " + format_nilai(worse["nilai"]).to_numpy() + ")")
    listed = join_per_key(text, worse[["nik"]])
    return _warnings(listed.index.to_series(), KOMPONEN_TURUN,
                     "nilai komponen turun sejak " + before + ": " + listed)


def _silent(now: pd.DataFrame, periode: str, silent: int) -> pd.DataFrame:
    months = now["bulan_tidak_melapor_berturut"].astype("Int64")
    rows = now[~now["melapor"].astype(bool) & months.ge(1).fillna(False).to_numpy()]
    count = rows["bulan_tidak_melapor_berturut"].astype("int64")
    last = pd.Series([shift_period(periode, -int(m)) for m in np.unique(count)], index=np.unique(count))
    return _warnings(rows["nik"], silent_code(count, silent),
                     "tidak ada laporan diterima dalam " + count.astype("str") + " bulan terakhir (laporan terakhir: "
                     + count.map(last).astype("str") + ")")


def _quarantined(now: pd.DataFrame, before: pd.DataFrame, previous: str, periode: str) -> pd.DataFrame:
    twice = now[(now["alasan_tidak_dinilai"] == LAPORAN_DIKARANTINA).to_numpy() & is_in(
        now["nik"], before.loc[before["alasan_tidak_dinilai"] == LAPORAN_DIKARANTINA, "nik"])]
    return _warnings(twice["nik"], KARANTINA, pd.Series(f"laporan dikarantina dua periode berturut-turut ({previous} "
                                                        f"dan {periode}): lihat tabel karantina", index=twice.index))


def _becoming_inactive(now: pd.DataFrame, periode: str, horizon: int) -> pd.DataFrame:
    """Aktif now; the first of the next `horizon` months whose end is `tahun_rat` years or more after the last RAT."""
    rat, years = datetimes(now["tanggal_rat_terakhir"]), aktif_years()
    first = pd.Series(None, index=now.index, dtype="str")
    for ahead in range(horizon, 0, -1):
        month = shift_period(periode, ahead)
        first[~aktif(rat, month).to_numpy()] = month
    soon = now[now["aktif"].astype(bool).to_numpy() & rat.notna().to_numpy() & first.notna().to_numpy()]
    return _warnings(soon["nik"], SEGERA_TIDAK_AKTIF,
                     "RAT terakhir " + rat[soon.index].dt.strftime("%Y-%m-%d") + ": tanpa RAT baru koperasi menjadi "
                     "tidak aktif pada periode " + first[soon.index] + f" (tidak ada RAT dalam {years} tahun)")
