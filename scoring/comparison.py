"""One month under several rulebooks side by side: the table `perbandingan_rulebook` and what changes between them.

Pure: the results of `score_reports` on the same validated reports, one per book (forced), in; frames out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd

from scoring.engine import ScoringResult
from scoring.rulebook_format import Rulebook

TOP = 3  # a changed cooperative's weakest components counted as drivers, per book
DRIVERS = 5  # drivers named per pair of books, the most frequent first (ties: in the order met)
KEY = ["nik", "periode"]
FAKTOR = "faktor_pengurang"  # the driver named when a book's downgrade factors changed a predicate
BANDS = "batas_predikat"  # the driver named when the same total falls in another book's predicate band


def perbandingan(results: Mapping[str, ScoringResult], books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """One row per (nik, periode, rulebook): the total and predicates (null when the book could not assess every
    aspect, or does not score the cooperative's jenis, with the reason), how many aspects it scored of how many,
    how many of its indicators it could not assess, and how much of it is unverified.

    `results[book_id]` is `score_reports(..., rulebook=book_id)` on the same reports: the rows it scores are in
    `koperasi`, the others (a jenis the book does not list) in `tidak_dinilai`, and both are in the table."""
    parts = []
    for book_id, result in results.items():
        book = books[book_id]
        parts.append(_scored(result, book))
        parts.append(_not_scored(result, book))
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values([*KEY, "rulebook"], kind="stable").reset_index(drop=True)


def _scored(result: ScoringResult, book: Rulebook) -> pd.DataFrame:
    aspek = _keyed(result.aspek).assign(dinilai=lambda f: f["skor"].notna(), aspek=lambda f: f["aspek"].astype("str"))
    stats = aspek.groupby(KEY, sort=False).agg(aspek_dinilai=("dinilai", "sum"), jumlah_aspek=("dinilai", "size"))
    indikator = _keyed(result.indikator).assign(
        tidak=lambda f: f["skor"].isna(), belum=lambda f: f["skor"].notna() & ~f["terverifikasi"].astype(bool))
    counts = indikator.groupby(KEY, sort=False).agg(komponen_tidak_dinilai=("tidak", "sum"),
                                                    komponen_tidak_terverifikasi=("belum", "sum"))
    why = _missing_aspects(aspek, indikator, book)
    koperasi = _keyed(result.koperasi)[[*KEY, "skor_total", "predikat_skor", "predikat"]]
    part = koperasi.merge(stats, on=KEY, how="left").merge(counts, on=KEY, how="left").merge(why, on=KEY, how="left")
    sebagian = (part["aspek_dinilai"] < part["jumlah_aspek"]).to_numpy()
    return _rows(part, book, dinilai=True, sebagian=sebagian,
                 alasan=("tidak ada skor total dan predikat: " + part["alasan"].astype("str")).where(sebagian))


def _not_scored(result: ScoringResult, book: Rulebook) -> pd.DataFrame:
    rows = _keyed(result.tidak_dinilai)
    n = len(rows)
    part = rows[KEY].assign(skor_total=np.nan, predikat_skor=None, predikat=None, aspek_dinilai=0,
                            jumlah_aspek=len(book.aspek), komponen_tidak_dinilai=len(book.komponen),
                            komponen_tidak_terverifikasi=0)
    return _rows(part, book, dinilai=False, sebagian=np.zeros(n, dtype=bool),
                 alasan="tidak dinilai: " + rows["alasan"].astype("str"))


def _rows(part: pd.DataFrame, book: Rulebook, dinilai: bool, sebagian: np.ndarray, alasan: pd.Series) -> pd.DataFrame:
    n = len(part)
    return pd.DataFrame({
        **{k: part[k].astype("str") for k in KEY}, "rulebook": book.id, "status_rulebook": book.status,
        "dinilai": np.full(n, dinilai),
        "skor_total": part["skor_total"].astype(float),
        "predikat_skor": part["predikat_skor"].astype("str"), "predikat": part["predikat"].astype("str"),
        "aspek_dinilai": part["aspek_dinilai"].astype("int64"), "jumlah_aspek": part["jumlah_aspek"].astype("int64"),
        "sebagian": sebagian,
        "alasan_tanpa_total": pd.Series(alasan, index=part.index).astype("str"),
        "komponen_tidak_dinilai": part["komponen_tidak_dinilai"].astype("int64"),
        "komponen_tidak_terverifikasi": part["komponen_tidak_terverifikasi"].astype("int64"),
        "terverifikasi": np.full(n, book.status != "draft"),
    }, index=part.index)


def _missing_aspects(aspek: pd.DataFrame, indikator: pd.DataFrame, book: Rulebook) -> pd.DataFrame:
    """Per (nik, periode) with an aspect not assessed: 'aspek <id> tidak dapat dinilai (<the notes of its
    indicators>)', the aspects in book order joined by '; '."""
    missing = aspek.loc[~aspek["dinilai"], [*KEY, "aspek"]]
    if missing.empty:
        return pd.DataFrame({**{k: pd.Series(dtype="str") for k in KEY}, "alasan": pd.Series(dtype="str")})
    of_aspect = {k.id: a.id for a in book.aspek for k in a.komponen}
    notes = indikator.assign(aspek=indikator["komponen"].astype("str").map(of_aspect),
                             catatan=indikator["catatan"].astype("str"))
    notes = notes[notes["tidak"] & notes["catatan"].notna()].drop_duplicates([*KEY, "aspek", "catatan"])
    why = notes.groupby([*KEY, "aspek"], sort=False)["catatan"].agg("; ".join).rename("catatan").reset_index()
    missing = missing.merge(why, on=[*KEY, "aspek"], how="left")
    text = "aspek " + missing["aspek"] + " tidak dapat dinilai" + (" (" + missing["catatan"] + ")").fillna("")
    return missing.assign(alasan=text).groupby(KEY, sort=False)["alasan"].agg("; ".join).reset_index()


def changes(table: pd.DataFrame, results: Mapping[str, ScoringResult], books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """For each pair of books: the cooperatives with a predicate under both, how many change predicate (after each
    book's downgrade factors, as each regime pronounces it; of those, how many with the same total), the moves
    (from -> to: count), and what drives the changes, counted over the changed cooperatives (`DRIVERS`):
    `faktor_pengurang` where only a book's downgrade factors differ (the same predicate by score), `batas_predikat`
    where the same total falls in other bands, else the `TOP` components losing the most of their maximum under
    each of the two books (and `faktor_pengurang` too when a book's factors lowered its predicate)."""
    rows = []
    for a, b in combinations(sorted(results), 2):
        pairs = table[table["rulebook"].isin((a, b))]
        wide = {c: pairs.pivot(index=KEY, columns="rulebook", values=c).reindex(columns=[a, b])
                for c in ("predikat", "predikat_skor", "skor_total")}
        pair = wide["predikat"].dropna()
        changed = pair[pair[a] != pair[b]].index
        by_score, totals = wide["predikat_skor"].loc[changed], wide["skor_total"].loc[changed]
        downgraded = (wide["predikat"].loc[changed] != by_score).any(axis=1)
        factors_only = by_score[a] == by_score[b]
        bands = ~factors_only & (totals[a] == totals[b])
        drivers = Counter({BANDS: int(bands.sum()), FAKTOR: int((factors_only | (downgraded & ~bands)).sum())})
        scored = changed[~(factors_only | bands).to_numpy()]
        for book_id in (a, b):
            drivers.update(_weakest(results[book_id], books[book_id], scored))
        moves = Counter(zip(pair.loc[changed, a], pair.loc[changed, b]))
        rows.append({"rulebook_a": a, "rulebook_b": b, "dibandingkan": len(pair), "berubah": len(changed),
                     "berubah_skor_sama": int((totals[a] == totals[b]).sum()),
                     "perpindahan": "; ".join(f"{x} -> {y}: {n}" for (x, y), n in sorted(moves.items())),
                     "pendorong": ", ".join(f"{k} ({n})" for k, n in drivers.most_common(DRIVERS) if n)})
    return pd.DataFrame(rows, columns=["rulebook_a", "rulebook_b", "dibandingkan", "berubah", "berubah_skor_sama",
                                       "perpindahan", "pendorong"])


def per_book(table: pd.DataFrame, books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """Per book: the cooperatives it scores, with a total, partial (no total), not scored, and how many have each
    of its predicates (after downgrades; best first)."""
    rows = []
    for book_id, rows_of in table.groupby("rulebook", sort=True):
        counts = rows_of["predikat"].value_counts()
        rows.append({"rulebook": book_id, "status_rulebook": books[book_id].status,
                     "dinilai": int(rows_of["dinilai"].sum()), "dengan_total": int(rows_of["skor_total"].notna().sum()),
                     "sebagian": int(rows_of["sebagian"].sum()), "tidak_dinilai": int((~rows_of["dinilai"]).sum()),
                     "predikat": "; ".join(f"{p} {counts[p]}" for p in books[book_id].predikat_names if p in counts)})
    return pd.DataFrame(rows, columns=["rulebook", "status_rulebook", "dinilai", "dengan_total", "sebagian",
                                       "tidak_dinilai", "predikat"])


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with nik and periode as plain text (the engine gives categoricals)."""
    return frame.assign(**{k: frame[k].astype("str") for k in KEY})


def _weakest(result: ScoringResult, book: Rulebook, keys: pd.Index) -> list[str]:
    """The `TOP` components losing the most of their maximum skor (its bobot, or the skala's best) for each
    (nik, periode) of `keys`; ties by component order."""
    if not len(keys):
        return []
    indikator = _keyed(result.indikator)
    rows = indikator[pd.MultiIndex.from_frame(indikator[KEY]).isin(keys) & indikator["skor"].notna().to_numpy()]
    maximum = rows["bobot"].astype(float) if book.penilaian == "bobot" else book.skala.skor_maks
    lost = rows.assign(hilang=(maximum - rows["skor"]) / maximum, urut=np.arange(len(rows)))
    top = lost.sort_values(["hilang", "urut"], ascending=[False, True]).groupby(KEY, sort=False).head(TOP)
    return top["komponen"].astype("str").tolist()
