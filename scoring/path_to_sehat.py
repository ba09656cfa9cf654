"""jalan_menuju_sehat: what would lift a cooperative scored below Sehat to the next predicate and to Sehat.

A simulation on the period's own figures. For every scored cooperative whose predicate by score is below the
book's best, every move of one component into a band that scores higher (ratio components: the whole-Rupiah
change of the numerator or the denominator, `scoring.moves`; questionnaire components: more "ya" answers) is
priced, the other components held fixed. Per component at most three moves are kept: the cheapest that alone
reaches the next predicate, the cheapest that alone reaches Sehat, and the one that gains the most points (the
cheapest of those); cheapest means the least Rupiah (questionnaire: the fewest answers). Then the cheapest
combination of ratio moves that reaches the next predicate (least Rupiah changed, which for one cooperative is
least relative to its total aset; `scoring.combination`); questionnaire answers are not priced in Rupiah and stay
as they are in it. Moves are added as if they did not affect each other (a line shared by two ratios moves
once per ratio). A downgrade factor is not lifted by a score: `predikat_baru` applies the factors in force.

Rows of a cooperative, in `urutan`: the single moves that reach the next predicate (questionnaire moves first:
they need no money; then fewer answers, then fewer Rupiah), then the combination's moves (or one row saying
no combination of ratio moves reaches it), then the other single moves, most points first.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import ceil, floor

import numpy as np
import pandas as pd

from scoring import inputs
from scoring.bands import band_index, round_half_up
from scoring.combination import cheapest
from scoring.explain import KEY, aligned
from scoring.moves import PEMBILANG, PENYEBUT, into_band, quantity, shared, target_bands
from scoring.rulebook import Komponen, Mode, PredikatBand, Rulebook, rulebooks
from scoring.texts import angka, nilai, rentang, rupiah

SATU, KOMBINASI = "satu_komponen", "kombinasi"
SIMULASI = "Simulasi atas angka periode ini: "
CATATAN_SATU = SIMULASI + "hanya komponen ini berubah, komponen lain tetap."
CATATAN_KOMBINASI = (SIMULASI + "perubahan-perubahan kombinasi dijumlahkan seolah tidak saling mempengaruhi; "
                     "komponen lain dan jawaban kuesioner tetap.")


def jalan_menuju_sehat(reports: pd.DataFrame, koperasi: pd.DataFrame, indikator: pd.DataFrame,
                       books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """The rows of jalan_menuju_sehat (schemas.outputs), without run_id.

    reports: the report rows the engine scored (nik, periode and the money lines, whole Rupiah); koperasi and
    indikator: the engine's frames for them (koperasi: nik, periode, rulebook, mode_tabel, skor_total,
    predikat_skor, faktor_pengurang; indikator: nik, periode, komponen, pembilang, rasio, nilai, skor)."""
    books = books or rulebooks()
    parts = []
    for (book_id, mode), kop in koperasi.groupby(["rulebook", "mode_tabel"], sort=True, observed=True):
        book = books[str(book_id)]
        below = kop[kop["predikat_skor"].astype("str") != book.predikat_names[0]].reset_index(drop=True)
        if len(below):
            parts.append(_book_rows(reports, below, indikator, book, str(mode)))
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in COLUMNS})
    rows = pd.concat(parts, ignore_index=True)
    return rows.assign(urutan=rows.groupby(KEY, sort=False).cumcount() + 1)[COLUMNS].reset_index(drop=True)


COLUMNS = ["nik", "periode", "urutan", "langkah", "predikat_berikutnya", "komponen", "rasio_sekarang",
           "rasio_target", "rentang_target", "nilai_sekarang", "nilai_target", "sisi", "pos", "pos_sekarang",
           "perubahan_rupiah", "persen_aset", "tambahan_ya", "poin_tambahan", "skor_total_baru",
           "predikat_skor_baru", "predikat_baru", "mencapai_predikat_berikutnya", "mencapai_sehat", "uraian",
           "keterangan"]


TEXTS = ["langkah", "predikat_berikutnya", "komponen", "rentang_target", "sisi", "pos", "predikat_skor_baru",
         "predikat_baru"]
# what a move of either kind carries (a frame of questionnaire moves only lacks the Rupiah ones)
OPTION_FIELDS = ["coop", "kk", "komponen", "gain", "cost", "nilai_sekarang", "nilai_target", "rasio_sekarang",
                 "rasio_target", "rentang_target", "tambahan_ya", "perubahan_rupiah", "sisi", "pos", "pos_sekarang",
                 "total_aset", "disetahunkan"]


def _book_rows(reports: pd.DataFrame, kop: pd.DataFrame, indikator: pd.DataFrame, book: Rulebook,
               mode: Mode) -> pd.DataFrame:
    scale = 10**book.desimal_skor
    rep = aligned(reports, kop, "reports")
    ind = indikator.iloc[_positions(indikator, kop)]
    coop = pd.MultiIndex.from_frame(kop[KEY].astype("str")).get_indexer(
        pd.MultiIndex.from_frame(ind[KEY].astype("str")))
    now = _units(kop["skor_total"], scale)
    index = pd.Series(range(len(book.predikat)), index=book.predikat_names)[kop["predikat_skor"].astype("str")]
    index = index.to_numpy()
    edges = np.array([_edge_units(band, scale) for band in book.predikat])
    komponen = ind["komponen"].astype("str").to_numpy()
    options = pd.concat([_component_options(k, kk, rep, ind[komponen == k.id], coop[komponen == k.id], book, mode)
                         for kk, k in enumerate(book.komponen)], ignore_index=True)
    options = options.reindex(columns=list(dict.fromkeys([*options.columns, *OPTION_FIELDS])))
    options = options.assign(baru=now[options["coop"]] + options["gain"])
    next_edge, best_edge = edges[index - 1], edges[0]
    options["mencapai_predikat_berikutnya"] = options["baru"].to_numpy() >= next_edge[options["coop"]]
    options["mencapai_sehat"] = options["baru"].to_numpy() >= best_edge
    singles = _singles(options)
    ratio = options[options["tambahan_ya"].isna()]
    chosen = ratio[cheapest(ratio["coop"].to_numpy(), ratio["kk"].to_numpy(), ratio["gain"].to_numpy(),
                            ratio["cost"].to_numpy(), next_edge - now)]
    combo = chosen.assign(baru=now[chosen["coop"]] + chosen.groupby("coop")["gain"].transform("sum").to_numpy())
    combo = combo.assign(mencapai_predikat_berikutnya=True, mencapai_sehat=combo["baru"].to_numpy() >= best_edge)
    missing = np.setdiff1d(np.arange(len(kop)), combo["coop"].to_numpy())
    rows = pd.concat([singles.assign(langkah=SATU), combo.assign(langkah=KOMBINASI),
                      pd.DataFrame({"coop": missing, "langkah": KOMBINASI, "mencapai_predikat_berikutnya": False,
                                    "mencapai_sehat": False})], ignore_index=True)
    return _described(rows, kop, book, index, scale)


def _positions(indikator: pd.DataFrame, kop: pd.DataFrame) -> np.ndarray:
    keys = pd.MultiIndex.from_frame(indikator[KEY].astype("str"))
    return np.flatnonzero(keys.isin(pd.MultiIndex.from_frame(kop[KEY].astype("str"))))


def _units(skor: pd.Series | np.ndarray, scale: int) -> np.ndarray:
    return np.rint(np.asarray(skor, dtype=float) * scale).astype(np.int64)


def _edge_units(band: PredikatBand, scale: int) -> int:
    """The least total (in skor units) inside a predicate band (its lower edge; 0 for an open band)."""
    if band.lower is None:
        return 0
    edge = Fraction(repr(band.lower[0])) * scale
    return ceil(edge) if band.lower[1] else floor(edge) + 1


def _component_options(k: Komponen, kk: int, rep: pd.DataFrame, ind: pd.DataFrame, coop: np.ndarray,
                       book: Rulebook, mode: Mode) -> pd.DataFrame:
    """Every move of one component into a band that scores higher, per cooperative below the top."""
    scale = 10**book.desimal_skor
    nilai_now, rasio_now, pembilang = (np.full(len(rep), np.nan) for _ in range(3))
    skor_now = np.zeros(len(rep), dtype=np.int64)
    nilai_now[coop], skor_now[coop] = ind["nilai"].to_numpy(float), _units(ind["skor"], scale)
    rasio_now[coop], pembilang[coop] = ind["rasio"].to_numpy(float), ind["pembilang"].to_numpy(float)
    parts = []
    if k.kuesioner:
        ya = np.nan_to_num(pembilang).astype(np.int64)
        for extra in range(1, k.pertanyaan + 1):
            at = np.flatnonzero(ya + extra <= k.pertanyaan)
            value = (ya[at] + extra) * 100 / k.pertanyaan
            parts.append(pd.DataFrame({
                "coop": at, "nilai_target": value, "gain": _units(round_half_up(value * k.bobot / 100,
                                                                                book.desimal_skor), scale) - skor_now[at],
                "tambahan_ya": extra, "cost": float(extra), "rasio_target": value, "rentang_target": pd.Series(ya[at] + extra).astype("str").to_numpy()
                + f" dari {k.pertanyaan} jawaban ya"}))
    else:
        numerator, denominator = quantity(rep, book, k.pembilang), quantity(rep, book, k.penyebut)
        months = inputs.month_of(rep["periode"]) if k.disetahunkan else np.ones(len(rep), dtype=np.int64)
        defined, share = denominator > 0, shared(book, k)
        for band in target_bands(k, mode):
            at = np.flatnonzero(defined & (band.nilai > nilai_now))
            if not len(at):
                continue
            move = into_band(band, numerator[at], denominator[at], 1200 if k.disetahunkan else 100, months[at], share)
            at = at[move.valid]
            moved = move.penyebut[move.valid]
            parts.append(pd.DataFrame({
                "coop": at, "nilai_target": band.nilai, "cost": np.abs(move.perubahan[move.valid]).astype(float),
                "gain": _units(round_half_up(np.array([band.nilai * k.bobot / 100]), book.desimal_skor), scale)[0]
                - skor_now[at], "perubahan_rupiah": move.perubahan[move.valid],
                "sisi": np.where(moved, PENYEBUT, PEMBILANG), "pos": np.where(moved, k.penyebut, k.pembilang),
                "pos_sekarang": np.where(moved, denominator[at], numerator[at]) / 100,
                "rasio_target": move.rasio[move.valid], "rentang_target": rentang(band),
                "total_aset": rep["total_aset"].to_numpy()[at]}))
    options = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"coop": [], "gain": []})
    options = options[options["gain"] > 0].astype({"gain": np.int64})
    at = options["coop"].to_numpy(dtype=np.int64)
    return options.assign(coop=at, kk=kk, komponen=k.id, nilai_sekarang=nilai_now[at],
                          rasio_sekarang=np.where(k.kuesioner, np.nan_to_num(pembilang[at]) * 100 / (k.pertanyaan or 1),
                                                  rasio_now[at]), disetahunkan=k.disetahunkan)


def _singles(options: pd.DataFrame) -> pd.DataFrame:
    """Per cooperative and component: the cheapest move reaching the next predicate, the cheapest reaching
    Sehat, the one with the most points (the cheapest of those); each once."""
    order = options.assign(option=np.arange(len(options)), minus_gain=-options["gain"])
    by_cost = order.sort_values(["coop", "kk", "cost", "minus_gain"], kind="stable")
    by_gain = order.sort_values(["coop", "kk", "minus_gain", "cost"], kind="stable")
    keep = pd.concat([by_cost[by_cost["mencapai_predikat_berikutnya"]].drop_duplicates(["coop", "kk"]),
                      by_cost[by_cost["mencapai_sehat"]].drop_duplicates(["coop", "kk"]),
                      by_gain.drop_duplicates(["coop", "kk"])])
    return options.iloc[np.unique(keep["option"].to_numpy())]


def _factor_flags(kop: pd.DataFrame, book: Rulebook) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cooperative: a one-step factor in force, a forcing factor in force, and the codes as text ('' none)."""
    codes = kop["faktor_pengurang"].explode().dropna().astype("str")
    rules = book.faktor_pengurang
    down = codes.isin(rules.turun_satu_tingkat if rules else []).groupby(level=0).any()
    forced = codes.isin(rules.paksa if rules else []).groupby(level=0).any()
    listed = codes.groupby(level=0).agg(", ".join)
    return (down.reindex(kop.index, fill_value=False).to_numpy(bool),
            forced.reindex(kop.index, fill_value=False).to_numpy(bool),
            listed.reindex(kop.index, fill_value="").to_numpy(object))


def _after_factors(index: np.ndarray, down: np.ndarray, forced: np.ndarray, book: Rulebook) -> np.ndarray:
    """Predicate index after the downgrade factors in force (one step down, or forced; rulebook.md §7)."""
    final = np.minimum(index + down, len(book.predikat) - 1)
    if book.faktor_pengurang is None:
        return final
    return np.where(forced, np.maximum(final, book.predikat_names.index(book.faktor_pengurang.predikat_paksa)), final)


def _described(rows: pd.DataFrame, kop: pd.DataFrame, book: Rulebook, index: np.ndarray, scale: int) -> pd.DataFrame:
    """The table's columns, texts and order from the chosen moves of one book's cooperatives."""
    coop = rows["coop"].to_numpy(dtype=np.int64)
    names = np.array(book.predikat_names, dtype=object)
    reached = rows["baru"].notna().to_numpy()
    total = rows["baru"].to_numpy(dtype=float) / scale
    by_score = np.where(reached, band_index(np.where(reached, total, 0), book.predikat), -1)
    down, forced, codes = _factor_flags(kop, book)
    final = np.where(reached, _after_factors(np.maximum(by_score, 0), down[coop], forced[coop], book), -1)
    ratio = rows["tambahan_ya"].isna().to_numpy() & rows["komponen"].notna().to_numpy()
    persen = np.abs(rows["perubahan_rupiah"].to_numpy(dtype=float)) / rows["total_aset"].to_numpy(dtype=float) * 100
    out = pd.DataFrame({
        "nik": kop["nik"].astype("str").to_numpy()[coop], "periode": kop["periode"].astype("str").to_numpy()[coop],
        "langkah": rows["langkah"].to_numpy(), "predikat_berikutnya": names[index[coop] - 1],
        "komponen": rows["komponen"].to_numpy(), "rasio_sekarang": rows["rasio_sekarang"].to_numpy(float),
        "rasio_target": rows["rasio_target"].to_numpy(float), "rentang_target": rows["rentang_target"].to_numpy(),
        "nilai_sekarang": rows["nilai_sekarang"].to_numpy(float), "nilai_target": rows["nilai_target"].to_numpy(float),
        "sisi": rows["sisi"].to_numpy(), "pos": rows["pos"].to_numpy(), "pos_sekarang": rows["pos_sekarang"].to_numpy(float),
        "perubahan_rupiah": pd.array(rows["perubahan_rupiah"], dtype="Int64"),
        "persen_aset": np.where(rows["total_aset"].to_numpy(dtype=float) > 0, persen, np.nan),
        "tambahan_ya": pd.array(rows["tambahan_ya"], dtype="Int32"),
        "poin_tambahan": rows["gain"].to_numpy(float) / scale, "skor_total_baru": total,
        "predikat_skor_baru": np.where(reached, names[by_score], None), "predikat_baru": np.where(reached, names[final], None),
        "mencapai_predikat_berikutnya": rows["mencapai_predikat_berikutnya"].to_numpy(bool),
        "mencapai_sehat": rows["mencapai_sehat"].to_numpy(bool),
    })
    out = out.astype({c: "str" for c in TEXTS})
    out["uraian"] = _uraian(out, rows["disetahunkan"].fillna(False).to_numpy(bool), ratio)
    out["keterangan"] = _keterangan(out, codes[coop])
    group = np.where(out["langkah"] == KOMBINASI, 1, np.where(out["mencapai_predikat_berikutnya"], 0, 2))
    cost = rows["cost"].fillna(0).to_numpy(float)
    keys = pd.DataFrame({"coop": coop, "group": group,
                         "a": np.select([group == 0, group == 2], [ratio, -rows["gain"].fillna(0)], 0),
                         "b": np.select([group == 0, group == 2], [cost, ratio], 0),
                         "c": np.where(group == 2, cost, 0), "kk": rows["kk"].fillna(-1).to_numpy()})
    return out.iloc[keys.sort_values(list(keys.columns), kind="stable").index].reset_index(drop=True)


def _uraian(out: pd.DataFrame, annual: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    change = out["perubahan_rupiah"].astype("float64")
    verb = np.where(change < 0, "turunkan ", "naikkan ")
    pos = out["pos"].fillna("") + np.where(annual & (out["sisi"] == PEMBILANG), " (angka tahun berjalan)", "")
    tail = (" " + nilai(out["nilai_sekarang"]) + " menjadi " + nilai(out["nilai_target"]) + ", +"
            + angka(out["poin_tambahan"]) + " poin")
    moves = (out["komponen"] + ": " + verb + pos + " sebesar " + rupiah(change.abs()) + " (" + rupiah(out["pos_sekarang"])
             + " menjadi " + rupiah(out["pos_sekarang"] + change) + "); rasio " + angka(out["rasio_sekarang"]) + "% menjadi "
             + angka(out["rasio_target"]) + "% (" + out["rentang_target"] + "), nilai" + tail)
    ya = out["tambahan_ya"].astype("float64")
    answers = (out["komponen"] + ": " + nilai(ya) + " jawaban ya lagi (" + out["rentang_target"] + "), nilai" + tail)
    none = ("Tidak ada kombinasi perubahan rasio keuangan yang mencapai " + out["predikat_berikutnya"]
            + " (jawaban kuesioner tidak dihitung dalam kombinasi).")
    return np.select([out["komponen"].isna(), ratio], [none, moves], answers)


def _keterangan(out: pd.DataFrame, factors: np.ndarray) -> np.ndarray:
    """The honest words: a simulation, what is held fixed, and that a downgrade factor stays."""
    text = np.where(out["langkah"] == KOMBINASI, CATATAN_KOMBINASI, CATATAN_SATU)
    note = (" Faktor pengurang " + pd.Series(factors, dtype="str") + " tetap berlaku: kenaikan skor tidak menghapusnya"
            + (" (predikat akhir " + out["predikat_baru"] + ")").fillna("") + ".")
    return np.where(factors != "", text + note.to_numpy(object), text)
