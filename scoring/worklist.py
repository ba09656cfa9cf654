"""daftar_prioritas: the cooperatives the pendamping of each kabupaten/kota should visit first, and who goes.

On the list: every registered cooperative that is in the book's last predicate (Dalam Pengawasan Khusus), whose
predicate fell since the previous period, that has been silent for `silent_months` months or more, or that has
an early warning (peringatan_dini). Ranked within its kabupaten/kota by

    skor_prioritas = poin_predikat + poin_penurunan + poin_tidak_melapor + poin_anggota

in predicate steps: poin_predikat, the steps below the book's best predicate (Sehat 0 ... Dalam Pengawasan
Khusus 3; not scored this period: 0); poin_penurunan, the steps fallen since the previous period;
poin_tidak_melapor, the months without a report, at most `silent_months` (so 3 silent months weigh as much as
Dalam Pengawasan Khusus); poin_anggota = min(jumlah_anggota / members_per_step, 1), the members affected (the
latest reported count), at most one step. Ties: more members first, then nik.

Pendamping: the one the registry assigns (status_koperasi.pendamping). A visit is within capacity when it is
among the first `capacity` of that pendamping's listed cooperatives (by priority, all areas). For a cooperative
with none, the pendamping of the same kabupaten/kota with the fewest visits so far is suggested (ties: by name),
highest priority first, while a pendamping has capacity left; a pendamping belongs to the kabupaten/kota of most
of the cooperatives the registry assigns him (ties: the lower code), so no visit is suggested twice. When
capacity is short, the cooperatives that do not fit keep their place on the list with no suggestion and
`keterangan_pendamping` says so (more pendamping, or a visit next month); nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import pandas as pd

from scoring.early_warning import PREDIKAT_TURUN, SILENT_SUFFIX, predicate_steps
from scoring.inputs import is_in, rows_of
from scoring.path_to_sehat import COMBINATION
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Rulebook
from scoring.texts import format_number, join_per_key

COLUMNS = ["periode", "kode_wilayah", "kabupaten_kota", "peringkat", "nik", "nama", "pendamping",
           "pendamping_usulan", "kunjungan_ke", "dalam_kapasitas", "predikat", "skor_total", "bulan_tidak_melapor",
           "jumlah_anggota", "poin_predikat", "poin_penurunan", "poin_tidak_melapor", "poin_anggota",
           "skor_prioritas", "alasan", "langkah_utama", "keterangan_pendamping"]
T = TypeVar("T", str, pd.Series)  # a text, or a Series of texts
READS = {"skor_koperasi": ("nik", "periode", "rulebook", "predikat", "predikat_skor", "faktor_pengurang",
                           "predikat_sebelumnya", "skor_total", "jumlah_anggota"),  # also of earlier months
         "jalan_menuju_sehat": ("nik", "urutan", "langkah", "predikat_berikutnya", "komponen", "uraian")}


def daftar_prioritas(periode: str, skor_koperasi: pd.DataFrame, status_koperasi: pd.DataFrame,
                     jalan: pd.DataFrame, peringatan: pd.DataFrame | None = None, *, capacity: int,
                     silent_months: int, members_per_step: int,
                     books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """The worklist of `periode` (columns COLUMNS; schemas.outputs adds run_id).

    skor_koperasi: rows of `periode` and of earlier months (the columns READS names; jumlah_anggota: the latest
    count up to `periode` is used); status_koperasi: rows of `periode` (nik, nama, kode_wilayah, kabupaten_kota,
    melapor, bulan_tidak_melapor_berturut, pendamping); jalan: the period's jalan_menuju_sehat; peringatan: the
    period's peringatan_dini (nik, kode, alasan)."""
    books = books or rulebooks()
    status = status_koperasi.astype({"nik": "str"}).drop_duplicates("nik").reset_index(drop=True)
    skor = skor_koperasi.astype({"nik": "str", "periode": "str"})
    now = skor[skor["periode"] == periode].drop_duplicates("nik").set_index("nik")
    known = skor[skor["periode"] <= periode].sort_values("periode", kind="stable").drop_duplicates("nik", keep="last")
    scored = rows_of(status["nik"], now.assign(ditahan=_held_by_factors(now))[
        ["rulebook", "predikat", "predikat_sebelumnya", "skor_total", "ditahan"]])
    rows = status.assign(
        periode=periode, rulebook=scored["rulebook"].astype("str"), predikat=scored["predikat"].astype("str"),
        sebelumnya=scored["predikat_sebelumnya"].astype("str"), skor_total=scored["skor_total"].astype("float64"),
        ditahan=scored["ditahan"].astype("str"),
        jumlah_anggota=rows_of(status["nik"], known.set_index("nik")["jumlah_anggota"]).astype("Int64"),
        bulan_tidak_melapor=status["bulan_tidak_melapor_berturut"].astype("Int32").where(
            ~status["melapor"].astype(bool), 0))
    steps, last = predicate_steps(rows, "predikat", books), _last_step(rows, books)
    fallen = (steps - predicate_steps(rows, "sebelumnya", books)).clip(lower=0).fillna(0)
    silent = rows["bulan_tidak_melapor"].fillna(0).astype("int64")
    warnings = _warnings(peringatan)
    rows = rows.assign(
        poin_predikat=steps.fillna(0), poin_penurunan=fallen, poin_tidak_melapor=silent.clip(upper=silent_months),
        poin_anggota=(rows["jumlah_anggota"].astype("float64") / members_per_step).clip(upper=1).fillna(0))
    rows["skor_prioritas"] = (rows["poin_predikat"] + rows["poin_penurunan"] + rows["poin_tidak_melapor"]
                              + rows["poin_anggota"]).round(6)
    listed = (steps == last) | (fallen > 0) | (silent >= silent_months) | is_in(rows["nik"], warnings.index)
    rows = rows[listed.to_numpy()].assign(
        alasan=lambda r: _reasons(r, steps == last, fallen > 0, silent >= silent_months, warnings),
        langkah_utama=lambda r: r["nik"].map(_top_moves(jalan, r["nik"])).astype("str"))
    rows = rows.sort_values(["kode_wilayah", "skor_prioritas", "jumlah_anggota", "nik"],
                            ascending=[True, False, False, True], na_position="last", kind="stable")
    rows["peringkat"] = rows.groupby("kode_wilayah", sort=False, dropna=False).cumcount() + 1
    return _assign(rows.reset_index(drop=True), status, capacity)[COLUMNS]


def _held_by_factors(now: pd.DataFrame) -> pd.Series:
    """Per cooperative whose predicate is below its score's, the downgrade factors that hold it there, in words."""
    held = now[now["predikat"].astype("str") != now["predikat_skor"].astype("str")]
    codes = pd.Series([", ".join(c) if c is not None and len(c) else "" for c in held["faktor_pengurang"]],
                      index=held.index, dtype="str")  # a few rows: those held below their score
    return ("faktor pengurang " + codes + " menahan predikat di " + held["predikat"].astype("str")
            + " (menurut skor saja: " + held["predikat_skor"].astype("str") + "); kenaikan skor tidak menghapusnya"
            ).where(codes != "")


def _last_step(rows: pd.DataFrame, books: Mapping[str, Rulebook]) -> pd.Series:
    return rows_of(rows["rulebook"], pd.Series({book_id: len(book.predikat) - 1 for book_id, book in books.items()},
                                               dtype="float64"))


def _warnings(peringatan: pd.DataFrame | None) -> pd.Series:
    """The reasons of the warnings that the list's own parts do not already say, joined per cooperative."""
    if peringatan is None or peringatan.empty:
        return pd.Series([], dtype="str")
    rows = peringatan.astype({"nik": "str", "kode": "str", "alasan": "str"})
    others = rows[(rows["kode"] != PREDIKAT_TURUN) & ~rows["kode"].str.endswith(SILENT_SUFFIX)]
    joined = join_per_key(others["alasan"], others[["nik"]])
    return joined.reindex(rows["nik"].unique()).fillna("")


def fell_words(before: T, now: T) -> T:
    """The list's reason for a predicate that fell since the month before (a text, or a Series of them)."""
    return "predikat turun dari " + before + " menjadi " + now


def silent_words(months: T) -> T:
    """The list's reason for months without a report, the months as text (a text, or a Series of them)."""
    return "tidak melapor " + months + " bulan berturut-turut"


def _reasons(rows: pd.DataFrame, last: pd.Series, fell: pd.Series, silent: pd.Series,
            warnings: pd.Series) -> pd.Series:
    """Why each listed cooperative is on the list, in words: its own parts first, then its other warnings."""
    parts = pd.DataFrame({
        "a": np.where(last[rows.index], rows["predikat"] + " (skor " + format_number(rows["skor_total"]).to_numpy() + ")", None),
        "a2": rows["ditahan"].to_numpy(dtype=object),
        "b": np.where(fell[rows.index], fell_words(rows["sebelumnya"], rows["predikat"]), None),
        "c": np.where(silent[rows.index], silent_words(rows["bulan_tidak_melapor"].astype("str")), None),
        "d": rows["nik"].map(warnings).replace("", None).to_numpy(),
    }, index=rows.index)
    long = parts.reset_index().melt(id_vars="index").dropna(subset="value")
    long = long.sort_values(["index", "variable"], kind="stable")
    return join_per_key(long["value"], long[["index"]]).reindex(rows.index)


def _top_moves(jalan: pd.DataFrame, nik: pd.Series) -> pd.Series:
    """Per cooperative of `nik`, the top of its jalan_menuju_sehat in words: its first move, or, when that is part of
    the cheapest combination, the whole combination."""
    wanted = np.flatnonzero(jalan["komponen"].notna().to_numpy() & is_in(jalan["nik"], nik))
    # in (nik, urutan) order, each cooperative's first move and its combination's moves: the rows read as text
    code = pd.factorize(jalan["nik"].iloc[wanted].astype("str"), sort=True)[0]
    order = np.lexsort((jalan["urutan"].to_numpy(dtype=np.int64)[wanted], code))
    opening = np.diff(code[order], prepend=-1) != 0  # a cooperative's first row
    combination = (jalan["langkah"] == COMBINATION).to_numpy(dtype=bool)[wanted][order]
    moves = jalan.iloc[wanted[order][opening | combination]][list(READS["jalan_menuju_sehat"])].astype({"nik": "str"})
    first = moves.drop_duplicates("nik").set_index("nik")
    combos = moves[moves["langkah"] == COMBINATION]
    together = "kombinasi menuju " + combos.groupby("nik")["predikat_berikutnya"].first() + ": " + join_per_key(
        combos["uraian"], combos[["nik"]])
    single = first["uraian"].astype("str")
    return single.where(first["langkah"] != COMBINATION, together.reindex(single.index))


def _assign(rows: pd.DataFrame, status: pd.DataFrame, capacity: int) -> pd.DataFrame:
    """Visits of assigned pendamping within capacity; a suggestion, least loaded first, for the others."""
    assigned = rows["pendamping"].notna()
    order = rows[assigned].sort_values(["skor_prioritas", "jumlah_anggota", "nik"], ascending=[False, False, True],
                                       na_position="last", kind="stable")
    visit = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    visit[order.index] = order.groupby("pendamping", sort=False).cumcount() + 1
    pool = _pool(status).assign(  # a number even when no pendamping is registered (an empty pool's map is text)
        load=lambda p: p["pendamping"].map(order["pendamping"].value_counts()).fillna(0).astype(np.int64))
    free = (capacity - pool["load"]).clip(lower=0).astype(np.int64).to_numpy()
    # the free visits as slots, least loaded first: the k-th extra visit of a pendamping is at level load + k
    slots = pool.loc[pool.index.repeat(free)].assign(level=lambda f: f["load"] + f.groupby(level=0).cumcount() + 1)
    slots = slots.sort_values(["kode_wilayah", "level", "pendamping"], kind="stable")
    slots["antrian"] = slots.groupby("kode_wilayah").cumcount()
    waiting = rows[~assigned].sort_values(["kode_wilayah", "peringkat"], kind="stable")
    queue = waiting[["kode_wilayah"]].assign(antrian=waiting.groupby("kode_wilayah").cumcount().to_numpy())
    placed = queue.reset_index().merge(slots, on=["kode_wilayah", "antrian"], how="left").set_index("index")
    suggested = placed["pendamping"].reindex(rows.index).astype("str")
    visit = visit.fillna(placed["level"].reindex(rows.index).astype("Int64"))
    size = rows["kode_wilayah"].map(pool.groupby("kode_wilayah").size()).fillna(0).astype(np.int64)
    area = rows["kabupaten_kota"].astype("str")
    waits, over = ~assigned & suggested.isna(), assigned & (visit > capacity).fillna(False)
    note = pd.Series(np.select(
        [~assigned & suggested.notna(), waits & (size == 0), waits, over],
        ["usulan: pendamping " + area + " dengan kunjungan paling sedikit bulan ini",
         "tidak ada pendamping di " + area,
         "kapasitas pendamping " + area + " penuh (" + size.astype("str") + f" pendamping x {capacity} kunjungan per "
         "bulan): perlu pendamping tambahan atau kunjungan bulan berikutnya",
         "di luar kapasitas " + rows["pendamping"].fillna("") + " bulan ini (kunjungan ke-" + visit.astype("str")
         + f", kapasitas {capacity}): jadwalkan bulan berikutnya atau alihkan"], None), index=rows.index, dtype="str")
    return rows.assign(pendamping_usulan=suggested, kunjungan_ke=visit.astype("Int32"),
                       dalam_kapasitas=(visit <= capacity).fillna(False).astype(bool), keterangan_pendamping=note)


def _pool(status: pd.DataFrame) -> pd.DataFrame:
    """Each registered pendamping once, in the kabupaten/kota of most of its cooperatives (ties: the lower code):
    the pendamping who may be suggested there."""
    counted = status[status["pendamping"].notna()].groupby(["pendamping", "kode_wilayah"]).size().reset_index(name="n")
    home = counted.sort_values(["pendamping", "n", "kode_wilayah"], ascending=[True, False, True], kind="stable")
    return home.drop_duplicates("pendamping")[["kode_wilayah", "pendamping"]].reset_index(drop=True)
