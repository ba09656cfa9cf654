"""The examiner's checklist (an optional input, `pemeriksaan/*`; kkpkk-2021-draft.md): the items (butir) of each
checklist indicator of the books that read one, the rule that a butir is one of its indikator's, and the set check:
a set (nik, tanggal) answers every butir of each indikator it names exactly once, and every row of it is accepted;
else every row of the set gets one reason for the set (the engine never guesses an item)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from schemas.parsing import SET_REASON, Reasons, lines_of, raw_text
from schemas.rules import numbered_within
from scoring.rulebook import rulebooks

SET_PROBLEMS_SHOWN = 3  # problems a checklist set's reason names before "dan N masalah lain"


@cache
def butir_per_indikator() -> dict[str, int]:
    """Items per checklist indicator of every book that reads the examiner's checklist (drafts included), in book
    order; the most when two books differ."""
    sizes: dict[str, int] = {}
    for book in rulebooks().values():
        for k in (k for k in book.komponen if k.kuesioner and k.masukan == "pemeriksaan"):
            sizes[k.id] = max(sizes.get(k.id, 0), k.pertanyaan)
    return sizes


def _item_count(frame: pd.DataFrame) -> pd.Series:
    """How many items the row's indikator has (NaN: not a checklist indicator)."""
    return frame["indikator"].map(butir_per_indikator()).astype("float64")


BUTIR_DALAM_INDIKATOR = numbered_within("butir_dalam_indikator", ("indikator", "butir"), "indikator", "butir",
                                        _item_count)


def _repeated(items: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """The items given more than once (set, indikator, butir, kali), in words with their rows: 'prinsip_koperasi
    butir 6 diisi 2 kali (baris 8, 12)' (the rows were not named: review)."""
    keys, items = ["set", "indikator", "butir"], items.reset_index(drop=True)
    rows = answers.merge(items[keys].reset_index(names="kunci"), on=keys)
    where = lines_of(rows).reindex(items.index).to_numpy(dtype=object)
    return items.assign(teks=items["indikator"] + " butir " + items["butir"].astype("str") + " diisi "
                        + items["kali"].astype("str") + " kali (" + where + ")")


def check_sets(typed: pd.DataFrame, reasons: Reasons) -> None:
    """A set with a butir of a named indikator missing or given twice, or with a rejected row, rejects every row
    of the set with one reason: its first problems (indikator in book order, then butir; then the rejected rows)
    and how many more."""
    keyed = np.flatnonzero((typed["nik"].ne("") & typed["tanggal"].notna()).to_numpy(dtype=bool))
    if not len(keyed):
        return
    rows = typed.iloc[keyed]
    sizes = butir_per_indikator()
    frame = pd.DataFrame({
        "set": rows.groupby(["nik", "tanggal"], sort=False).ngroup().to_numpy(),
        "indikator": rows["indikator"].to_numpy(dtype=object), "butir": rows["butir"].astype("float64").to_numpy(),
        "posisi": keyed, "baris": rows["baris"].to_numpy(dtype=np.int64),
        "sumber": raw_text(rows, "sumber").to_numpy(dtype=object) if "sumber" in rows else "",
        "ditolak": reasons.rejected()[keyed]})
    frame["berkas_lain"] = frame.groupby("set")["sumber"].transform("nunique").to_numpy() > 1
    n = frame["indikator"].map(sizes)
    answers = frame[n.notna() & (frame["butir"] >= 1) & (frame["butir"] <= n)].astype({"butir": "int64"})
    counted = answers.groupby(["set", "indikator", "butir"]).size().rename("kali")
    named = answers[["set", "indikator"]].drop_duplicates()
    grid = named.loc[named.index.repeat(named["indikator"].map(sizes))]
    grid = grid.assign(butir=grid.groupby(level=0).cumcount() + 1)
    grid = grid.join(counted, on=["set", "indikator", "butir"]).fillna({"kali": 0}).astype({"kali": "int64"})
    grid = grid[grid["kali"] != 1].assign(urut=lambda g: g["indikator"].map(list(sizes).index))
    missing = grid[grid["kali"] == 0].groupby(["set", "urut", "indikator"], as_index=False).agg(
        butir=("butir", "first"), daftar=("butir", lambda b: ", ".join(map(str, b))))
    problems = pd.concat([
        missing.assign(teks=missing["indikator"] + " butir " + missing["daftar"].astype("str") + " tidak diisi"),
        _repeated(grid[grid["kali"] > 1], answers),
        frame[frame["ditolak"]].assign(urut=len(sizes), butir=lambda f: f["baris"],
                                       teks=lambda f: lines_of(f.assign(kunci=f["posisi"])).reindex(
                                           f["posisi"]).to_numpy(dtype=object) + " ditolak"),
    ])[["set", "urut", "butir", "teks"]].sort_values(["set", "urut", "butir"], kind="stable")
    if problems.empty:
        return
    per_set = problems.groupby("set", sort=False)
    shown = problems[per_set.cumcount().to_numpy() < SET_PROBLEMS_SHOWN].groupby("set", sort=False)["teks"].agg(
        "; ".join)
    more = per_set.size().reindex(shown.index) - SET_PROBLEMS_SHOWN
    summary = shown.where(more <= 0, shown + "; dan " + more.astype("str") + " masalah lain")
    first = frame.drop_duplicates("set").set_index("set")["posisi"]
    heads = typed.iloc[first.reindex(summary.index).to_numpy()]
    texts = pd.Series(SET_REASON + "pemeriksaan " + heads["nik"].to_numpy(dtype=object) + " "
                      + heads["tanggal"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object) + ": "
                      + summary.to_numpy(dtype=object), index=summary.index)
    hit = frame["set"].isin(texts.index).to_numpy()
    reasons.add(frame["posisi"].to_numpy()[hit], texts.reindex(frame["set"][hit]).to_numpy(dtype=object), "set")
