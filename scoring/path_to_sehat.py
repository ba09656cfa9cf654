"""jalan_menuju_sehat: what would lift a cooperative scored below Sehat to the next predicate and to Sehat.

A simulation on the period's own figures, for the books that add component skor into a total (penilaian
'bobot': ksp-2009, ksp-2016). For every scored cooperative whose predicate by score is below the book's best,
every move of one component into a band that scores higher (ratio components: the whole-Rupiah change of the
numerator or the denominator, `scoring.moves`; questionnaire components: more "ya" answers) is priced, the other
components held fixed. Per component at most three moves are kept: the cheapest that alone reaches the next
predicate, the cheapest that alone reaches Sehat, and the one that gains the most points (the cheapest of those);
cheapest means the least Rupiah (questionnaire: the fewest answers). Then the cheapest combination of ratio moves
that reaches the next predicate (least Rupiah changed, which for one cooperative is least relative to its total
aset; `scoring.combination`); questionnaire answers are not priced in Rupiah and stay as they are in it. Moves
are added as if they did not affect each other (a line shared by two ratios moves once per ratio). A downgrade
factor is not lifted by a score: `predikat_baru` applies the factors in force.

Rows of a cooperative, in `urutan`: the single moves that reach the next predicate (questionnaire moves first:
they need no money; then fewer answers, then fewer Rupiah), then the combination's moves (or one row saying
no combination of ratio moves reaches it), then the other single moves, most points first (then questionnaire
moves, then the cheaper); ties in the rulebook's order of components.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import ceil, floor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.bands import band_index, round_half_up
from scoring.combination import cheapest
from scoring.explain import KEY, aligned, places
from scoring.moves import PEMBILANG, PENYEBUT, into_band, quantity, shared, step, target_bands
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Komponen, Mode, PredikatBand, Rulebook
from scoring.texts import band_range, choose_texts, concat_texts, format_nilai, format_number, format_rupiah

SINGLE, COMBINATION = "satu_komponen", "kombinasi"
SIMULATION = "Simulasi atas angka periode ini: "
NOTE_SINGLE = SIMULATION + "hanya komponen ini berubah, komponen lain tetap."
NOTE_COMBINATION = (SIMULATION + "perubahan-perubahan kombinasi dijumlahkan seolah tidak saling mempengaruhi; "
                     "komponen lain dan jawaban kuesioner tetap.")
COLUMNS = ["nik", "periode", "urutan", "langkah", "predikat_berikutnya", "komponen", "rasio_sekarang",
           "rasio_target", "rentang_target", "nilai_sekarang", "nilai_target", "sisi", "pos", "pos_sekarang",
           "perubahan_rupiah", "persen_aset", "tambahan_ya", "poin_tambahan", "skor_total_baru",
           "predikat_skor_baru", "predikat_baru", "mencapai_predikat_berikutnya", "mencapai_sehat", "uraian",
           "keterangan"]
# a move: its cooperative (row of the book's frame), component (index in the book), band (-1: questionnaire),
# nilai after, points gained (skor units), cost (Rupiah, or answers), answers added, Rupiah change, whether the
# denominator moves, the moving quantity now (Rupiah) and the ratio after
FIELDS = ("coop", "kk", "band", "nilai_target", "gain", "cost", "tambahan_ya", "perubahan", "penyebut",
          "pos_sekarang", "rasio_target")


def jalan_menuju_sehat(reports: pd.DataFrame, koperasi: pd.DataFrame, indikator: pd.DataFrame,
                       books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """The rows of jalan_menuju_sehat (COLUMNS; schemas.outputs adds run_id).

    reports: the report rows the engine scored (nik, periode and the money lines, whole Rupiah); koperasi and
    indikator: the engine's frames for them (koperasi: nik, periode, rulebook, mode_tabel, skor_total,
    predikat_skor, faktor_pengurang; indikator: nik, periode, komponen, pembilang, rasio, nilai, skor)."""
    books = books or rulebooks()
    parts = []
    for (book_id, mode), kop in koperasi.groupby(["rulebook", "mode_tabel"], sort=True, observed=True):
        book = books[str(book_id)]
        if book.penilaian != "bobot":  # points gained exist only where a component's skor adds to the total
            continue
        below = kop[kop["predikat_skor"].astype("str") != book.predikat_names[0]].reset_index(drop=True)
        if len(below):
            parts.append(_Book(reports, below, indikator, book, str(mode)).rows())
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in COLUMNS})
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def repeated_single(langkah: Sequence[str], uraian: Sequence[str]) -> int | None:
    """Of one cooperative's rows as shown (their `langkah` and `uraian`, in `urutan`): the position of a
    combination of one move that repeats a single move shown before it (the same move, so the same words), or None.
    A text for people says it once: the card and `jelaskan` listed the same move twice, the second time as a
    combination (3 of 27 cooperatives below Sehat in the committed sample's 2026-10)."""
    combination = [i for i, kind in enumerate(langkah) if kind == COMBINATION]
    if len(combination) != 1:
        return None
    (at,) = combination
    return at if uraian[at] in {uraian[i] for i in range(at) if langkah[i] == SINGLE} else None


def _units(skor: pd.Series | np.ndarray, scale: int) -> np.ndarray:
    return np.rint(np.asarray(skor, dtype=float) * scale).astype(np.int64)


def _edge_units(band: PredikatBand, scale: int) -> int:
    """The least total (in skor units) inside a predicate band (its lower edge; 0 for an open band)."""
    if band.lower is None:
        return 0
    edge = Fraction(repr(band.lower[0])) * scale
    return ceil(edge) if band.lower[1] else floor(edge) + 1


class _Book:
    """The cooperatives of one book and mode below its best predicate, their component figures as matrices
    (cooperative x component), and their moves."""

    def __init__(self, reports: pd.DataFrame, kop: pd.DataFrame, indikator: pd.DataFrame, book: Rulebook,
                 mode: Mode) -> None:
        self.kop, self.book, self.mode = kop, book, mode
        self.scale = 10**book.desimal_skor
        self.rep = aligned(reports, kop, "reports")
        self.month = self.rep["periode"].astype("str").str.slice(5, 7).astype("int64").to_numpy()  # 1..12
        coop = places(indikator, kop)
        kk = pd.Index([k.id for k in book.komponen]).get_indexer(indikator["komponen"].astype("str"))
        at = (coop >= 0) & (kk >= 0)
        shape = (len(kop), len(book.komponen))
        self.figures = {}
        for column in ("nilai", "skor", "rasio", "pembilang"):
            matrix = np.full(shape, np.nan)
            matrix[coop[at], kk[at]] = indikator[column].to_numpy(dtype=float)[at]
            self.figures[column] = matrix
        self.now = _units(kop["skor_total"], self.scale)
        self.index = pd.Index(book.predikat_names).get_indexer(kop["predikat_skor"].astype("str"))
        edges = np.array([_edge_units(band, self.scale) for band in book.predikat])
        self.next_edge, self.best_edge = edges[self.index - 1], edges[0]

    def rows(self) -> pd.DataFrame:
        parts = self._moves()
        moves = {f: np.concatenate([part[f] for part in parts]) for f in FIELDS}
        total = self.now[moves["coop"]] + moves["gain"]
        moves["next"], moves["best"] = total >= self.next_edge[moves["coop"]], total >= self.best_edge
        single = _singles(moves)
        ratio = np.flatnonzero(moves["band"] >= 0)
        combo = ratio[cheapest(moves["coop"][ratio], moves["kk"][ratio], moves["gain"][ratio], moves["cost"][ratio],
                               self.next_edge - self.now)]
        combo_total = self.now + np.bincount(moves["coop"][combo], moves["gain"][combo], len(self.kop)).astype(np.int64)
        reached = np.zeros(len(self.kop), dtype=bool)
        reached[moves["coop"][combo]] = True
        none = np.flatnonzero(~reached)
        pick = np.concatenate([single, combo, np.full(len(none), -1)])
        coop = np.concatenate([moves["coop"][single], moves["coop"][combo], none])
        kind = np.repeat([0, 1, 1], [len(single), len(combo), len(none)])  # 0 single, 1 combination
        total = np.where(kind == 1, combo_total[coop], self.now[coop] + _picked(moves["gain"], pick, 0))
        total = np.where(pick >= 0, total, -1)
        order = _order(moves, pick, coop, kind, total >= self.next_edge[coop])
        return self._described(moves, pick[order], coop[order], kind[order], total[order])

    def _moves(self) -> list[dict[str, np.ndarray]]:
        parts = [_empty()]
        for kk, k in enumerate(self.book.komponen):
            if k.kuesioner and not k.tabel:
                parts += self._questionnaire(kk, k)
            elif k.penyebut and not k.pertumbuhan:  # a growth compares with a year earlier: no move of this month
                parts += self._ratio(kk, k)
        return parts

    def _gain(self, kk: int, coop: np.ndarray, value: np.ndarray, bobot: float) -> np.ndarray:
        skor = _units(round_half_up(value * bobot / 100, self.book.desimal_skor), self.scale)
        return skor - _units(self.figures["skor"][coop, kk], self.scale)

    def _questionnaire(self, kk: int, k: Komponen) -> list[dict[str, np.ndarray]]:
        ya = np.nan_to_num(self.figures["pembilang"][:, kk]).astype(np.int64)
        parts = []
        for extra in range(1, k.pertanyaan + 1):
            coop = np.flatnonzero(ya + extra <= k.pertanyaan)
            value = (ya[coop] + extra) * 100 / k.pertanyaan
            parts.append(_part(coop, kk, -1, value, self._gain(kk, coop, value, k.bobot), float(extra),
                               tambahan_ya=float(extra), rasio_target=value))
        return parts

    def _ratio(self, kk: int, k: Komponen) -> list[dict[str, np.ndarray]]:
        numerator, denominator = quantity(self.rep, self.book, k.pembilang), quantity(self.rep, self.book, k.penyebut)
        months = self.month if k.disetahunkan else np.ones(len(self.rep), dtype=np.int64)
        share, parts = shared(self.book, k), []
        for j, band in enumerate(target_bands(k, self.mode)):
            coop = np.flatnonzero((denominator > 0) & (band.nilai > self.figures["nilai"][:, kk]))
            move = into_band(band, numerator[coop], denominator[coop], 1200 if k.disetahunkan else 100,
                             months[coop], share, (step(self.book, k.pembilang), step(self.book, k.penyebut)))
            coop, ok = coop[move.valid], move.valid
            value = np.full(len(coop), band.nilai)
            moved = np.where(move.penyebut[ok], denominator[coop], numerator[coop]) / 100
            parts.append(_part(coop, kk, j, value, self._gain(kk, coop, value, k.bobot),
                               np.abs(move.perubahan[ok]).astype(float), perubahan=move.perubahan[ok].astype(float),
                               penyebut=move.penyebut[ok], pos_sekarang=moved, rasio_target=move.rasio[ok]))
        return parts

    def _described(self, moves: dict, pick: np.ndarray, coop: np.ndarray, kind: np.ndarray,
                   total: np.ndarray) -> pd.DataFrame:
        """The table's columns, texts and order."""
        def field(name: str, missing: float = np.nan) -> np.ndarray:
            return _picked(moves[name], pick, missing)

        book, komponen = self.book, self.book.komponen
        kk = field("kk", -1).astype(np.int64)
        band, ya, gain = field("band", -1).astype(np.int64), field("tambahan_ya"), field("gain")
        reached = total >= 0
        by_score = np.where(reached, band_index(np.maximum(total, 0) / self.scale, book.predikat), 0)
        down, forced, codes = _factor_flags(self.kop, book)
        final = _after_factors(by_score, down[coop], forced[coop], book)
        ratio, penyebut = reached & (band >= 0), field("penyebut", 0).astype(bool)
        side = np.where(ratio, penyebut.astype(np.int64), -1)
        lines = [k.pembilang for k in komponen] + [k.penyebut for k in komponen]
        total_aset = self.rep["total_aset"].to_numpy(dtype=float)[coop]
        out = pd.DataFrame({
            "nik": choose_texts(self.kop["nik"].astype("str").to_numpy(), coop),
            "periode": choose_texts(self.kop["periode"].astype("str").to_numpy(), coop),
            "langkah": choose_texts([SINGLE, COMBINATION], kind), "predikat_berikutnya": choose_texts(book.predikat_names,
                                                                                    self.index[coop] - 1),
            "komponen": choose_texts([k.id for k in komponen], kk),
            "rasio_sekarang": np.where(reached, self.figures["rasio"][coop, kk], np.nan),
            "rasio_target": field("rasio_target"), "rentang_target": self._rentang(kk, band, ya, coop),
            "nilai_sekarang": np.where(reached, self.figures["nilai"][coop, kk], np.nan),
            "nilai_target": field("nilai_target"), "sisi": choose_texts([PEMBILANG, PENYEBUT], side),
            "pos": choose_texts(lines, np.where(ratio, kk + side * len(komponen), -1)),
            "pos_sekarang": field("pos_sekarang"),
            "perubahan_rupiah": np.where(ratio, field("perubahan"), np.nan),
            "persen_aset": np.where(ratio & (total_aset > 0), np.abs(field("perubahan")) / total_aset * 100, np.nan),
            "tambahan_ya": pd.array(ya, dtype="Int32"), "poin_tambahan": gain / self.scale,
            "skor_total_baru": np.where(reached, total / self.scale, np.nan),
            "predikat_skor_baru": choose_texts(book.predikat_names, np.where(reached, by_score, -1)),
            "predikat_baru": choose_texts(book.predikat_names, np.where(reached, final, -1)),
            "mencapai_predikat_berikutnya": reached & (total >= self.next_edge[coop]),
            "mencapai_sehat": reached & (total >= self.best_edge),
        })
        annual = np.array([k.disetahunkan for k in komponen] + [False])[kk]
        target = self._target_text(kk, band, out["rasio_target"])
        out["uraian"] = _uraian(out, annual & ratio & ~penyebut, ratio, target)
        out["keterangan"] = _keterangan(out, codes[coop])
        return out.assign(urutan=out.groupby(KEY, sort=False).cumcount() + 1)

    def _band_table(self) -> tuple[list[list], int]:
        """The bands each component can move into (none for a questionnaire component), and the widest list."""
        bands = [target_bands(k, self.mode) if not k.kuesioner else [] for k in self.book.komponen]
        return bands, max(map(len, bands)) or 1

    def _target_text(self, kk: np.ndarray, band: np.ndarray, target: pd.Series) -> pd.Series:
        """The target ratio as the texts show it (2 decimals), or 'lebih dari 20' / 'kurang dari 100' where two
        decimals would put it on an edge its band excludes (19,997 -> 20,00 for 20 < x <= 40)."""
        bands, width = self._band_table()
        edges = np.full((len(bands) * width + 1, 4), np.nan)  # lower, lower open, upper, upper open; last: none
        for i, listed in enumerate(bands):
            for j, b in enumerate(listed):
                lower, upper = b.lower or (np.nan, True), b.upper or (np.nan, True)
                edges[i * width + j] = (lower[0], not lower[1], upper[0], not upper[1])
        low, low_open, high, high_open = edges[np.where(band >= 0, kk * width + band, -1)].T
        x = target.to_numpy(dtype=float)
        shown = round_half_up(x, 2)  # as format_number rounds
        above, below = (low_open == 1) & (shown <= low), (high_open == 1) & (shown >= high)
        text = format_number(x).to_numpy(dtype=object)
        text[above] = ("lebih dari " + format_nilai(low[above])).to_numpy(dtype=object)
        text[below] = ("kurang dari " + format_nilai(high[below])).to_numpy(dtype=object)
        return pd.Series(text, index=target.index, dtype="str")

    def _rentang(self, kk: np.ndarray, band: np.ndarray, ya: np.ndarray, coop: np.ndarray) -> pd.Series:
        """The band moved into as a range, or 'k dari n jawaban ya' (the answers after the move)."""
        bands, width = self._band_table()
        table = [None] * (len(bands) * width)
        for i, listed in enumerate(bands):
            table[i * width:i * width + len(listed)] = map(band_range, listed)
        ranges = choose_texts(table, np.where(band >= 0, kk * width + band, -1))
        asked = np.flatnonzero(~np.isnan(ya))  # the words made for these rows only (a tenth of a national month's)
        questions = np.array([k.pertanyaan or 0 for k in self.book.komponen] + [0])[kk[asked]]
        after = np.nan_to_num(self.figures["pembilang"][coop[asked], np.maximum(kk[asked], 0)]) + ya[asked]
        answers = concat_texts(format_number(after, 0), " dari ", format_number(questions, 0), " jawaban ya")
        texts = pc.replace_with_mask(_one_chunk(ranges), pa.array(~np.isnan(ya)), _one_chunk(answers))
        return pd.Series(pd.arrays.ArrowStringArray(texts), dtype="str")


def _order(moves: dict[str, np.ndarray], pick: np.ndarray, coop: np.ndarray, kind: np.ndarray,
           reaches: np.ndarray) -> np.ndarray:
    """The rows' order: per cooperative, single moves reaching the next predicate (questionnaire first, then the
    cheaper), the combination (rulebook order), the other single moves (most points first, then questionnaire,
    then the cheaper); ties in the rulebook's order of components."""
    def field(name: str) -> np.ndarray:
        return _picked(moves[name], pick, 0)

    group = np.where(kind == 1, 1, np.where(reaches, 0, 2))
    ratio, cost = field("band") >= 0, field("cost")
    return np.lexsort((field("kk"), np.where(group == 2, cost, 0), np.select([group == 0, group == 2], [cost, ratio], 0),
                       np.select([group == 0, group == 2], [ratio, -field("gain")], 0), group, coop))


def _picked(values: np.ndarray, pick: np.ndarray, missing: float) -> np.ndarray:
    """values[pick] where pick >= 0 (a move), else `missing`: also when no cooperative has any move (an empty
    cooperative below Sehat whose every denominator is 0 and every answer "ya" crashed the month)."""
    if not len(values):
        return np.full(len(pick), missing)
    return np.where(pick >= 0, values[pick], missing)


def _part(coop: np.ndarray, kk: int, band: int, value: np.ndarray, gain: np.ndarray, cost: np.ndarray | float,
          **fields: np.ndarray | float) -> dict[str, np.ndarray]:
    """The moves of one band (or one number of answers) that gain points, as arrays of FIELDS."""
    n = len(coop)
    part = {"coop": coop, "kk": np.full(n, kk), "band": np.full(n, band), "nilai_target": value, "gain": gain,
            "cost": np.broadcast_to(cost, n).astype(float), "tambahan_ya": np.full(n, np.nan),
            "perubahan": np.full(n, np.nan), "penyebut": np.zeros(n, dtype=bool), "pos_sekarang": np.full(n, np.nan),
            "rasio_target": np.full(n, np.nan)}
    part |= {name: np.broadcast_to(values, n) for name, values in fields.items()}
    return {name: values[gain > 0] for name, values in part.items()}


def _empty() -> dict[str, np.ndarray]:
    return _part(np.array([], dtype=np.int64), 0, 0, np.array([]), np.array([], dtype=np.int64), 0.0)


def _singles(moves: dict[str, np.ndarray]) -> np.ndarray:
    """Per cooperative and component: the cheapest move reaching the next predicate, the cheapest reaching
    Sehat, the one with the most points (the cheapest of those); each once, as positions in `moves`."""
    key = moves["coop"] * 1000 + moves["kk"]
    reaching = np.flatnonzero(moves["next"] | moves["best"])  # a tenth of the moves: only they are sorted by cost
    by_cost = reaching[np.lexsort((-moves["gain"][reaching], moves["cost"][reaching], key[reaching]))]
    by_gain = np.lexsort((moves["cost"], -moves["gain"], key))

    def first(order: np.ndarray) -> np.ndarray:
        keys = key[order]
        return order[np.r_[True, keys[1:] != keys[:-1]]] if len(order) else order

    return np.unique(np.concatenate([first(by_cost[moves["next"][by_cost]]), first(by_cost[moves["best"][by_cost]]),
                                     first(by_gain)]))


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


def _uraian(out: pd.DataFrame, annual: np.ndarray, ratio: np.ndarray, target: pd.Series) -> pd.Series:
    """Each move in words (one Arrow join per kind of row)."""
    none = out["komponen"].isna().to_numpy()
    columns = ["komponen", "predikat_berikutnya", "pos", "perubahan_rupiah", "pos_sekarang", "rasio_sekarang",
               "rasio_target", "rentang_target", "nilai_sekarang", "nilai_target", "poin_tambahan", "tambahan_ya"]
    parts = [concat_texts("Tidak ada kombinasi perubahan rasio keuangan yang mencapai ",
                     out.loc[none, "predikat_berikutnya"], " (jawaban kuesioner tidak dihitung dalam kombinasi).")]
    parts.append(_move_words(out.loc[ratio, columns], annual[ratio], target[ratio]))
    parts.append(_answer_words(out.loc[~ratio & ~none, columns]))
    at = np.concatenate([part.index.to_numpy() for part in parts])  # the rows' positions: each row in one part
    order = np.empty(len(out), dtype=np.int64)
    order[at] = np.arange(len(at))
    texts = pa.concat_arrays([_one_chunk(part) for part in parts]).take(pa.array(order))
    return pd.Series(pd.arrays.ArrowStringArray(texts), index=out.index, dtype="str")


def _tail(out: pd.DataFrame) -> tuple:
    return (", nilai ", format_nilai(out["nilai_sekarang"]), " menjadi ", format_nilai(out["nilai_target"]), ", +",
            format_number(out["poin_tambahan"]), " poin")


def _move_words(out: pd.DataFrame, annual: np.ndarray, target: pd.Series) -> np.ndarray:
    change = out["perubahan_rupiah"].astype("float64")
    return concat_texts(out["komponen"], ": ", np.where(change < 0, "turunkan ", "naikkan "), out["pos"],
                   np.where(annual, " (angka tahun berjalan)", ""), " sebesar ", format_rupiah(change.abs(), sen=True), " (",
                   format_rupiah(out["pos_sekarang"], sen=True), " menjadi ",
                   format_rupiah(out["pos_sekarang"] + change, sen=True), "); rasio ",
                   format_number(out["rasio_sekarang"]), "% menjadi ", target, "% (",
                   out["rentang_target"], ")", *_tail(out))


def _answer_words(out: pd.DataFrame) -> np.ndarray:
    return concat_texts(out["komponen"], ": ", format_nilai(out["tambahan_ya"].astype("float64")), " jawaban ya lagi (",
                   out["rentang_target"], ")", *_tail(out))


def _keterangan(out: pd.DataFrame, factors: np.ndarray) -> pd.Series:
    """The honest words: a simulation, what is held fixed, and that a downgrade factor stays."""
    text = choose_texts([NOTE_SINGLE, NOTE_COMBINATION], (out["langkah"] == COMBINATION).to_numpy().astype(np.int64))
    noted = factors != ""
    if not noted.any():
        return text
    at = np.flatnonzero(noted)  # the words made for these rows only
    final = (" (predikat akhir " + out["predikat_baru"].iloc[at] + ")").fillna("")
    with_factors = concat_texts(text.iloc[at], " Faktor pengurang ", factors[at], " tetap berlaku: kenaikan skor "
                                "tidak menghapusnya", final, ".")
    texts = pc.replace_with_mask(_one_chunk(text), pa.array(noted), _one_chunk(with_factors))
    return pd.Series(pd.arrays.ArrowStringArray(texts), index=text.index, dtype="str")


def _one_chunk(texts: pd.Series) -> pa.Array:
    """A str Series' texts as one Arrow string array (pandas may hold them in several chunks)."""
    array = pa.array(texts.array, type=pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
