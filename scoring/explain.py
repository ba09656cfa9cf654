"""Why each score is what it is: the points each component loses, the nearest band that scores higher, and a
short plain-Indonesian `penjelasan` per cooperative (skor_koperasi, and status_koperasi for those not scored).

The nearest better band of a ratio component is the band with a higher nilai whose range is closest to the ratio
(distance from the ratio to the band's nearer edge; ties: the higher nilai, then the band listed first); when the
ratio cannot be computed (denominator <= 0, a convention of rulebook.md §4 gave the nilai) it is the band with the
smallest nilai above the current one. A linear component scored by its line has one better range, where the line
reaches 100 (`scoring.moves.target_bands`). A questionnaire component's better band is one more "ya". At the top
(no band scores higher) both columns are null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from scoring.bands import round_half_up
from scoring.components import NO_ANSWERS
from scoring.errors import ScoringInputError
from scoring.inputs import encode, place_in, text_codes
from scoring.moves import target_bands
from scoring.rulebook import rulebooks
from scoring.rulebook_format import Komponen, Mode, Rulebook
from scoring.texts import band_range, format_nilai, format_number, join_per_key

TOP = 3  # components named in a penjelasan: the three that lose the most points
KEY = ["nik", "periode"]


def indicator_columns(indikator: pd.DataFrame, koperasi: pd.DataFrame,
                    books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """skor_indikator with `poin_hilang` (bobot - skor, points), `rentang_lebih_baik` (text, e.g. "10 < x <= 15",
    or "9 dari 12 jawaban ya") and `nilai_lebih_baik` (0..100) of the nearest better band.

    `indikator`: the engine's rows (nik, periode, komponen, pembilang, rasio, nilai, bobot, skor); `koperasi`: its
    rows (nik, periode, rulebook, mode_tabel), which say the book and the mode of each cooperative."""
    books = books or rulebooks()
    frame = indikator.reset_index(drop=True)
    text = np.full(len(frame), None, dtype=object)
    better = np.full(len(frame), np.nan)
    lost = np.zeros(len(frame))
    komponen = frame["komponen"].astype("str").to_numpy()
    figures = [frame[name].to_numpy(dtype=float, na_value=np.nan) for name in ("pembilang", "rasio", "nilai")]
    for (book_id, mode), rows in _book_rows(frame, koperasi).items():
        book = books[book_id]
        lost[rows] = round_half_up(frame["bobot"].to_numpy()[rows] - frame["skor"].to_numpy()[rows], book.desimal_skor)
        for k in book.komponen:
            at = rows[komponen[rows] == k.id]
            text[at], better[at] = _better(k, mode, *(figure[at] for figure in figures))
    return frame.assign(poin_hilang=lost, rentang_lebih_baik=pd.Series(text, dtype="str"), nilai_lebih_baik=better)


def places(rows: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """The position in `keys` of each row's (nik, periode) (int64; -1 where `keys` has none), the text columns
    matched as integer codes (categoricals by their categories). Raises pandas' InvalidIndexError when a
    (nik, periode) repeats in `keys`."""
    nik, niks = encode(keys["nik"])
    periode, periods = encode(keys["periode"])
    row_nik, row_periode = place_in(rows["nik"], niks), place_in(rows["periode"], periods)
    wanted = np.where((row_nik >= 0) & (row_periode >= 0), row_nik * len(periods) + row_periode, -1)
    return pd.Index(nik.astype(np.int64) * len(periods) + periode).get_indexer(wanted)


def aligned(frame: pd.DataFrame, koperasi: pd.DataFrame, what: str) -> pd.DataFrame:
    """The rows of `frame` with the (nik, periode) of each cooperative, in its order; every one must be there."""
    found = places(koperasi, frame)
    if (found < 0).any():
        missing = koperasi.loc[found < 0, KEY].iloc[0]
        raise ScoringInputError(f"{what} lack the row of {missing['nik']} {missing['periode']}")
    return frame.iloc[found].reset_index(drop=True)


def cooperative_columns(koperasi: pd.DataFrame, indikator: pd.DataFrame, reports: pd.DataFrame,
                        registry: pd.DataFrame, factors: pd.DataFrame | None = None,
                        books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """skor_koperasi with the columns issue 14 adds: total_aset and jumlah_anggota of each cooperative's report,
    pendamping from the registry (nik, pendamping), and `penjelasan` (indikator as `indicator_columns` returns it)."""
    report = aligned(reports, koperasi, "reports")
    return explain_scores(koperasi.assign(
        total_aset=report["total_aset"].to_numpy(dtype=np.int64),
        jumlah_anggota=report["jumlah_anggota"].to_numpy(dtype=np.int64),
        pendamping=_pendamping(koperasi, registry)), indikator, factors, books)


def status_columns(status: pd.DataFrame, registry: pd.DataFrame, koperasi: pd.DataFrame) -> pd.DataFrame:
    """status_koperasi with pendamping (registry: nik, pendamping) and penjelasan: the scored cooperative's
    (koperasi with `penjelasan`), otherwise 'Tidak dinilai: ' and alasan_tidak_dinilai."""
    scored = koperasi.astype({"nik": "str"}).drop_duplicates("nik").set_index("nik")["penjelasan"]
    text = status["nik"].astype("str").map(scored).astype("str")
    return status.assign(pendamping=_pendamping(status, registry),
                         penjelasan=text.fillna("Tidak dinilai: " + status["alasan_tidak_dinilai"].astype("str")))


def _pendamping(frame: pd.DataFrame, registry: pd.DataFrame) -> np.ndarray:
    assigned = registry.astype({"nik": "str"}).drop_duplicates("nik").set_index("nik")["pendamping"]
    return frame["nik"].astype("str").map(assigned).astype("str").to_numpy()


def _book_rows(frame: pd.DataFrame, koperasi: pd.DataFrame) -> dict[tuple[str, Mode], np.ndarray]:
    """Row positions of `frame` per (rulebook, mode) of their cooperative."""
    books = koperasi[[*KEY, "rulebook", "mode_tabel"]].astype("str").drop_duplicates(KEY)
    pairs = books[["rulebook", "mode_tabel"]].drop_duplicates()
    if len(pairs) == 1:
        return {tuple(pairs.iloc[0]): np.arange(len(frame))}
    keys = frame[KEY].astype("str").merge(books, on=KEY, how="left")
    return {pair: np.flatnonzero((keys["rulebook"] == pair[0]) & (keys["mode_tabel"] == pair[1]))
            for pair in map(tuple, pairs.itertuples(index=False))}


def _better(k: Komponen, mode: Mode, pembilang: np.ndarray, x: np.ndarray, now: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """(range text, nilai) of the nearest better band of each row of one component (its pembilang, rasio and
    nilai)."""
    if k.kuesioner and not k.tabel:  # its share of "ya" is its nilai
        ya = np.where(np.isnan(pembilang), 0, pembilang) + 1
        top = ya > k.pertanyaan
        text = (pd.Series(ya, dtype="int64").astype("str") + f" dari {k.pertanyaan} jawaban ya").to_numpy(object)
        return np.where(top, None, text), np.where(top, np.nan, ya * 100 / k.pertanyaan)
    bands = target_bands(k, mode)
    values = np.array([b.nilai for b in bands])
    higher = values[None, :] > now[:, None]
    lows = np.array([-np.inf if b.lower is None else b.lower[0] for b in bands])
    highs = np.array([np.inf if b.upper is None else b.upper[0] for b in bands])
    distance = np.maximum(lows[None, :] - x[:, None], x[:, None] - highs[None, :]).clip(min=0)
    # the nearest band (an undefined ratio: the smallest nilai above); ties: the higher nilai, then listed first
    distance = np.where(higher, np.where(np.isnan(x)[:, None], values[None, :], distance), np.inf)
    nearest = distance == distance.min(axis=1, keepdims=True)
    choice = np.argmax(np.where(nearest & higher, values[None, :], -np.inf), axis=1)
    found = higher.any(axis=1)
    texts = np.array([band_range(b) for b in bands], dtype=object)
    return np.where(found, texts[choice], None), np.where(found, values[choice], np.nan)


def explain_scores(koperasi: pd.DataFrame, indikator: pd.DataFrame, factors: pd.DataFrame | None = None,
               books: Mapping[str, Rulebook] | None = None) -> pd.DataFrame:
    """skor_koperasi with `penjelasan`: the predicate (after the downgrade factors: the one the cooperative is
    known by; a downgraded one opened with its score's, review) and total; the downgrade factors with the supervisors'
    `keterangan` and the months they apply (berlaku_mulai, berlaku_sampai); the three components that lose the most
    points (ratio, nilai, what range scores higher); the zero-denominator and missing-questionnaire conventions that
    fired.

    `indikator` as `indicator_columns` returns it; `factors` the findings the engine was given (nik, kode,
    berlaku_mulai, berlaku_sampai, keterangan), derived factors included."""
    books = books or rulebooks()
    keys = koperasi[KEY].astype("str")
    head = (koperasi["predikat"].astype("str") + ", skor " + format_number(koperasi["skor_total"]).to_numpy()
            + " (" + koperasi["rulebook"].astype("str") + ").")
    questions = {k.id for book in books.values() for k in book.komponen if k.kuesioner}
    parts = [head.to_numpy(object), _factor_texts(koperasi, factors), _top_texts(indikator, keys, questions),
             _convention_texts(indikator, keys, books, questions)]
    text = pd.Series(parts[0], dtype="str")
    for part in parts[1:]:
        text = text + pd.Series(part, dtype="str").radd(" ").fillna("")
    return koperasi.assign(penjelasan=text.to_numpy())


def _per_cooperative(keys: pd.DataFrame, texts: pd.Series) -> np.ndarray:
    """Texts indexed by (nik, periode), aligned to the cooperatives' rows (None where a cooperative has none)."""
    index = pd.MultiIndex.from_frame(keys)
    return texts.reindex(index).to_numpy(object) if len(texts) else np.full(len(keys), None, dtype=object)


def _factor_texts(koperasi: pd.DataFrame, factors: pd.DataFrame | None) -> np.ndarray:
    codes = koperasi[[*KEY, "faktor_pengurang", "predikat_skor", "predikat"]].astype(
        {"nik": "str", "periode": "str", "predikat_skor": "str", "predikat": "str"}).explode("faktor_pengurang")
    codes = codes[codes["faktor_pengurang"].notna()].rename(columns={"faktor_pengurang": "kode"})
    codes = codes.reset_index(drop=True)  # a row per code: a cooperative's two factors shared one (hostile review)
    about = pd.Series(np.nan, index=codes.index, dtype="str")
    if factors is not None and len(codes):
        found = codes.reset_index().merge(factors.astype({"nik": "str"}), on=["nik", "kode"])
        sampai = found["berlaku_sampai"]
        found = found[(found["berlaku_mulai"] <= found["periode"]) & (sampai.isna() | (found["periode"] <= sampai))]
        first = found.drop_duplicates("index").set_index("index")
        mulai, sampai = first["berlaku_mulai"].astype("str"), first["berlaku_sampai"].astype("str")
        when = np.where(sampai.isna(), "berlaku sejak " + mulai,  # when it ends (the card read as forever: trial)
                        np.where(sampai == mulai, "berlaku " + mulai, "berlaku " + mulai + " s.d. " + sampai))
        when = pd.Series(when, index=first.index, dtype="str")
        keterangan = first["keterangan"].astype("str").str.strip()
        about = (keterangan + "; " + when).where(keterangan.fillna("").ne(""), when).reindex(codes.index)
    codes["teks"] = codes["kode"].astype("str") + (" (" + about + ")").fillna("")
    listed = codes.groupby(KEY, sort=False).agg(skor=("predikat_skor", "first"), akhir=("predikat", "first"))
    listed["teks"] = join_per_key(codes["teks"], codes[KEY])
    change = np.where(listed["skor"] == listed["akhir"], "predikat tetap " + listed["akhir"],
                      "predikat " + listed["skor"] + " menurut skor diturunkan menjadi " + listed["akhir"])
    return _per_cooperative(koperasi[KEY].astype("str"), "Faktor pengurang: " + listed["teks"] + ": " + change + ".")


def _top_texts(indikator: pd.DataFrame, keys: pd.DataFrame, questions: set[str]) -> np.ndarray:
    lost = indikator["poin_hilang"].to_numpy(dtype=float)
    losing = np.flatnonzero(lost > 0)
    order = losing[np.lexsort((losing, -lost[losing]))]  # the most points lost first, then in the rows' order
    cooperative = text_codes(indikator["nik"], indikator["periode"])[order]
    rank = pd.Series(cooperative).groupby(cooperative, sort=False).cumcount().to_numpy()
    rows = indikator.iloc[order[rank < TOP]].astype({"nik": "str", "periode": "str", "komponen": "str"})
    ratio = rows["komponen"] + np.where(rows["rasio"].isna(), " tidak dapat dihitung", " " + format_number(rows["rasio"]) + "%")
    answers = (rows["komponen"] + " " + format_nilai(rows["pembilang"].fillna(0)).to_numpy() + " dari "
               + format_nilai(rows["penyebut"]).to_numpy() + " jawaban ya")
    ratio = ratio.where(~rows["komponen"].isin(questions), answers)
    better = ("; nilai " + format_nilai(rows["nilai_lebih_baik"]).to_numpy() + " bila " + rows["rentang_lebih_baik"]).fillna("")
    phrase = (ratio + " (nilai " + format_nilai(rows["nilai"]).to_numpy() + ", hilang " + format_number(rows["poin_hilang"]).to_numpy()
              + " poin" + better + ")")
    found = _per_cooperative(keys, "Poin terbanyak hilang: " + join_per_key(phrase, rows[KEY]) + ".")
    return np.where(pd.isna(found), "Tidak ada poin yang hilang.", found)


def _convention_texts(indikator: pd.DataFrame, keys: pd.DataFrame, books: Mapping[str, Rulebook],
                      questions: set[str]) -> np.ndarray:
    """The zero-denominator conventions and the missing questionnaire, each note once with its components."""
    notes = {k.penyebut_nol.catatan for book in books.values() for k in book.komponen if k.penyebut_nol}
    catatan = indikator["catatan"].astype("str")
    fired = indikator[catatan.isin(notes) | (catatan.notna() & indikator["komponen"].astype("str").isin(questions))]
    if fired.empty:
        return np.full(len(keys), None, dtype=object)
    fired = fired.astype({"nik": "str", "periode": "str", "komponen": "str", "catatan": "str"})
    per_note = join_per_key(fired["komponen"], fired[[*KEY, "catatan"]], ", ").reset_index(name="komponen")
    listed = join_per_key(per_note["catatan"] + " (" + per_note["komponen"] + ")", per_note[KEY])
    return _per_cooperative(keys, "Konvensi: " + listed + ".")


QUARANTINED_ANSWERS = ("Kuesioner manajemennya ada, tetapi dikarantina (lihat baris dikarantina di bawah): tanpa set "
                       "yang diterima pada atau sebelum periode ini, komponennya dinilai seperti tanpa kuesioner")


def answers_quarantined(penjelasan: str, quarantined_tables: Iterable[str]) -> str | None:
    """QUARANTINED_ANSWERS when the `penjelasan` applies the no-questionnaire convention while the cooperative's
    questionnaire rows are in karantina (`quarantined_tables`: the input table of each of its quarantined rows);
    else None. The convention alone read as a questionnaire never filled in (new-user trials: `jelaskan`, the
    card)."""
    return QUARANTINED_ANSWERS if NO_ANSWERS["kuesioner"] in penjelasan and "kuesioner" in set(quarantined_tables) \
        else None
