"""Which submission of a (nik, periode) counts: duplicates, conflicts and later corrections (data-contract §1.2)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.columns import LAPORAN
from scoring.texts import join_per_key

KEY = ["nik", "periode"]
PLACES_SHOWN = 5  # rows a same-time conflict's reason names, then how many more


@dataclass(frozen=True)
class Submissions:
    """The report rows after resubmissions are resolved (`resolve_submissions`): the one in force per (nik,
    periode), the earlier ones it superseded, and the rows rejected with their reasons."""

    current: pd.DataFrame  # one row per (nik, periode): the latest submission
    superseded: pd.DataFrame  # earlier submissions, with `diganti_oleh` (sumber:baris of the one in force)
    alasan: pd.Series  # index of rejected rows -> list of reasons (duplicates, conflicting copies)


def resolve_submissions(laporan: pd.DataFrame) -> Submissions:
    """Latest `tanggal_kirim` wins per (nik, periode); exact copies and submissions that cannot be ordered are
    rejected.

    An exact copy of a row (every contract column equal) is rejected, naming the row it copies.
    Two different rows sent at the same `tanggal_kirim` cannot be ordered: all of them are rejected. Nor can a row
    whose `tanggal_kirim` is a date without a time (midnight: an Excel date cell) and another of the same report sent
    that day with other figures: all that day's rows are rejected (the date alone, read as 00:00, lost to the
    original it corrected, without a word: hostile trial). Rows that differ in `tanggal_kirim` alone are not in
    conflict: the latest counts.
    """
    ordered = laporan.sort_values(["sumber", "baris"], kind="stable")
    place = ordered["sumber"] + " baris " + ordered["baris"].astype("str")
    content = pd.util.hash_pandas_object(ordered[list(LAPORAN)], index=False)
    copies = content.duplicated(keep="first")
    first_of = place.groupby(content, sort=False).transform("first")
    alasan = ("duplikat persis dari " + first_of[copies]).map(lambda reason: [reason])

    distinct = ordered[~copies]
    sent = distinct["tanggal_kirim"]
    day = sent.dt.normalize()
    untimed = sent.eq(day).groupby([distinct["nik"], distinct["periode"], day]).transform("any")  # a day of the
    keys = pd.DataFrame({**{k: distinct[k] for k in KEY}, "saat": sent.where(~untimed, day)})  # report with a date
    figures = pd.util.hash_pandas_object(distinct[[c for c in LAPORAN if c != "tanggal_kirim"]], index=False)
    clash = figures.groupby([keys[k] for k in keys.columns]).transform("nunique").gt(1)  # alone: ordered by day
    if clash.any():
        clashing, at = distinct[clash], keys[clash].reset_index(drop=True)
        listed = join_per_key(place[clashing.index], at, ", ", PLACES_SHOWN, "baris lain")
        others = listed.reindex(pd.MultiIndex.from_frame(at)).to_numpy()
        dated = untimed[clash].to_numpy()
        when = np.where(dated, keys.loc[clash, "saat"].dt.strftime("%Y-%m-%d") + " (sebagian tanpa jam atau 00:00)",
                        clashing["tanggal_kirim"].dt.strftime("%Y-%m-%d %H:%M:%S"))
        advice = np.where(dated, "tulis tanggal_kirim lengkap dengan jamnya, atau kirim ulang satu laporan",
                          "kirim ulang satu laporan")
        reason = ("laporan " + clashing["nik"] + " periode " + clashing["periode"] + " dikirim lebih dari sekali pada "
                  + when + " dengan isi berbeda (" + others + "): tidak dapat ditentukan mana yang berlaku, "
                  + advice)
        alasan = pd.concat([alasan, reason.map(lambda r: [r])])

    kept = distinct[~clash].sort_values([*KEY, "tanggal_kirim"], kind="stable")
    latest = ~kept.duplicated(KEY, keep="last")
    current = kept[latest]
    superseded = kept[~latest].copy()
    winner = (current["sumber"] + ":" + current["baris"].astype("str")).set_axis(
        pd.MultiIndex.from_frame(current[KEY]))
    superseded["diganti_oleh"] = winner.reindex(pd.MultiIndex.from_frame(superseded[KEY])).to_numpy()
    return Submissions(current=current.sort_index(), superseded=superseded.sort_index(), alasan=alasan.sort_index())
