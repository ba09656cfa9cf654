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
KEY = ["nik", "periode"]


def perbandingan(results: Mapping[str, ScoringResult], books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """One row per (nik, periode, rulebook): the total and predicate (null when the book could not assess every
    aspect), how many aspects it scored of how many, whether the view is partial and which aspects are missing.

    `results[book_id]` is `score_reports(..., rulebook=book_id)` on the same reports; rows a book does not score
    (a jenis it does not list) are not in its part."""
    parts = []
    for book_id, result in results.items():
        aspek = _keyed(result.aspek).assign(dinilai=lambda f: f["skor"].notna(), aspek=lambda f: f["aspek"].astype(
            "str"))
        stats = aspek.groupby(KEY, sort=False).agg(aspek_dinilai=("dinilai", "sum"), jumlah_aspek=("dinilai", "size"))
        missing = aspek[~aspek["dinilai"]].groupby(KEY, sort=False)["aspek"].agg(", ".join).rename("tidak_dinilai")
        koperasi = _keyed(result.koperasi)[[*KEY, "skor_total", "predikat_skor"]]
        part = koperasi.merge(stats, on=KEY, how="left").merge(missing, on=KEY, how="left")
        sebagian = part["aspek_dinilai"] < part["jumlah_aspek"]
        parts.append(pd.DataFrame({
            **{k: part[k] for k in KEY}, "rulebook": book_id, "status_rulebook": books[book_id].status,
            "skor_total": part["skor_total"].astype(float), "predikat": part["predikat_skor"].astype("str"),
            "aspek_dinilai": part["aspek_dinilai"].astype("int64"), "jumlah_aspek": part["jumlah_aspek"].astype("int64"),
            "sebagian": sebagian,
            "alasan_sebagian": ("aspek tidak dapat dinilai: " + part["tidak_dinilai"].fillna("")).where(sebagian),
        }))
    table = pd.concat(parts, ignore_index=True).astype({"alasan_sebagian": "str"})
    return table.sort_values([*KEY, "rulebook"], kind="stable").reset_index(drop=True)


def changes(table: pd.DataFrame, results: Mapping[str, ScoringResult], books: Mapping[str, Rulebook]) -> pd.DataFrame:
    """For each pair of books: the cooperatives with a predicate under both, how many change predicate (and of those,
    how many with the same total: only the predicate bands differ), the moves (from -> to: count), and the
    components driving the changes: for each changed cooperative, its `TOP` components losing the most of their
    maximum under each of the two books, counted over the changed ones."""
    rows = []
    for a, b in combinations(sorted(results), 2):
        pairs = table[table["rulebook"].isin((a, b))]
        pair = pairs.pivot(index=KEY, columns="rulebook", values="predikat").reindex(columns=[a, b]).dropna()
        totals = pairs.pivot(index=KEY, columns="rulebook", values="skor_total").reindex(index=pair.index,
                                                                                        columns=[a, b])
        both, changed = pair, pair[pair[a] != pair[b]]
        moves = Counter(zip(changed[a], changed[b]))
        drivers = Counter()
        for book_id in (a, b):
            drivers.update(_weakest(results[book_id], books[book_id], changed.index))
        same = int((totals.loc[changed.index, a] == totals.loc[changed.index, b]).sum())
        rows.append({"rulebook_a": a, "rulebook_b": b, "dibandingkan": len(both), "berubah": len(changed),
                     "berubah_skor_sama": same,
                     "perpindahan": "; ".join(f"{x} -> {y}: {n}" for (x, y), n in sorted(moves.items())),
                     "pendorong": ", ".join(f"{k} ({n})" for k, n in drivers.most_common(5))})
    return pd.DataFrame(rows, columns=["rulebook_a", "rulebook_b", "dibandingkan", "berubah", "berubah_skor_sama",
                                       "perpindahan", "pendorong"])


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
