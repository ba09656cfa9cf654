"""Which submission of a (nik, periode) counts: duplicates, conflicts and later corrections (data-contract §1.2)."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Latest `tanggal_kirim` wins per (nik, periode); exact copies and same-time conflicts are rejected.

    An exact copy of a row (every contract column equal) is rejected, naming the row it copies.
    Two different rows sent at the same `tanggal_kirim` cannot be ordered: all of them are rejected.
    """
    ordered = laporan.sort_values(["sumber", "baris"], kind="stable")
    place = ordered["sumber"] + " baris " + ordered["baris"].astype("str")
    content = pd.util.hash_pandas_object(ordered[list(LAPORAN)], index=False)
    copies = content.duplicated(keep="first")
    first_of = place.groupby(content, sort=False).transform("first")
    alasan = ("duplikat persis dari " + first_of[copies]).map(lambda reason: [reason])

    distinct = ordered[~copies]
    when = [*KEY, "tanggal_kirim"]
    clash = distinct.duplicated(when, keep=False)
    if clash.any():
        clashing = distinct[clash]
        keys = clashing[when].reset_index(drop=True)
        listed = join_per_key(place[clashing.index], keys, ", ", PLACES_SHOWN, "baris lain")
        others = listed.reindex(pd.MultiIndex.from_frame(keys)).to_numpy()
        reason = ("laporan " + clashing["nik"] + " periode " + clashing["periode"] + " dikirim lebih dari sekali pada "
                  + clashing["tanggal_kirim"].dt.strftime("%Y-%m-%d %H:%M:%S") + " dengan isi berbeda (" + others
                  + "): tidak dapat ditentukan mana yang berlaku, kirim ulang satu laporan")
        alasan = pd.concat([alasan, reason.map(lambda r: [r])])

    kept = distinct[~clash].sort_values([*KEY, "tanggal_kirim"], kind="stable")
    latest = ~kept.duplicated(KEY, keep="last")
    current = kept[latest]
    superseded = kept[~latest].copy()
    winner = (current["sumber"] + ":" + current["baris"].astype("str")).set_axis(
        pd.MultiIndex.from_frame(current[KEY]))
    superseded["diganti_oleh"] = winner.reindex(pd.MultiIndex.from_frame(superseded[KEY])).to_numpy()
    return Submissions(current=current.sort_index(), superseded=superseded.sort_index(), alasan=alasan.sort_index())
