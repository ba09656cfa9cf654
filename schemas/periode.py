"""Months and times as written: the month a clerk meant ('10/2026', 'Oktober 2026' -> '2026-10'), times in WITA
(the province's zone: a time without a zone is WITA), and the report dates that cannot be true."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from schemas.wita import WITA, current_period
from scoring.rulebook_format import PERIODE  # 'YYYY-MM', the data contract's way

# ASCII digits only ([0-9]): Python's \d also takes other scripts' digits, which no parser after it reads
# ISO date, or date and time
WAKTU = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?"
ZONA = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)"  # Z, +08, +08:00, +0800

# Indonesian month names, their three-letter abbreviations and the common older spellings and variants.
BULAN = {
    "januari": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12,
}
# year-month, month/year (also month-year) or a month name and the year, nothing else.
_BENTUK = (r"^(?:(?P<t1>[0-9]{4})[-/](?P<b1>[0-9]{1,2})"
           r"|(?P<b2>[0-9]{1,2})[-/](?P<t2>[0-9]{4})"
           r"|(?P<nama>[a-z]+)[\s./-]*(?P<t3>[0-9]{4}))$")
def recognise_periode(text: pd.Series) -> pd.Series:
    """The 'YYYY-MM' each text means, or NA when it is not a month written in a known way.

    Accepted, case-insensitive and with surrounding spaces: '2026-10', '2026-1', '2026/10', '10/2026',
    '1/2026', '10-2026', 'Oktober 2026', 'okt 2026', 'Okt-2026' (see BULAN for the names). The month must be
    1..12. Each distinct text is read once per process (`_Recognised`: a landing folder's files repeat a few).
    """
    codes, distinct = pd.factorize(text, use_na_sentinel=True)
    kept = _Recognised.meant  # replaced when full, never emptied: a call on another thread reads its own
    new = [t for t in distinct if t not in kept]
    if new and len(kept) + len(new) > _Recognised.LIMIT:
        kept, new = {}, list(distinct)
        _Recognised.meant = kept
    # a month written as the contract writes it means itself: pandas' reading of a few texts costs milliseconds a
    # call, and each report file of a landing folder brings its own month (34 calls for the sample)
    read = {t: t for t in new if PERIODE.fullmatch(t)}
    rest = [t for t in new if t not in read]
    read |= dict(zip(rest, _months(pd.Series(rest, dtype="str")), strict=True)) if rest else {}
    kept.update((t, m) for t, m in read.items() if len(t) <= _Recognised.LONGEST)
    # code -1 (a missing text) takes the NA appended at the end
    meant = np.array([read[t] if t in read else kept[t] for t in distinct] + [None], dtype=object)[codes]
    return pd.Series(meant, index=text.index, dtype="str")


class _Recognised:
    meant: dict[str, str | None] = {}  # each text read so far: the month it means (None: not a month)
    LIMIT = 100_000  # texts kept before they are dropped (files of distinct texts do not grow the process)
    LONGEST = 40  # characters of a text kept: a month is written in fewer; a longer text is read each time


def _months(distinct: pd.Series) -> list[str | None]:
    """The month each distinct text means (`recognise_periode`), or None."""
    cleaned = distinct.str.strip().str.lower()
    parts = cleaned.str.extract(_BENTUK)
    year = parts["t1"].fillna(parts["t2"]).fillna(parts["t3"])
    number = pd.to_numeric(parts["b1"].fillna(parts["b2"]), errors="coerce")
    month = number.fillna(parts["nama"].map(BULAN).astype("float64"))
    known = year.notna() & month.between(1, 12)
    meant = (year + "-" + month.where(known, 1).astype("int64").astype("str").str.zfill(2)).where(known)
    return [None if pd.isna(m) else m for m in meant.astype(object)]


def wita_times(text: pd.Series) -> pd.Series:
    """Dates or date-times written ISO (`2026-10-05`, `2026-10-05T08:30:00`, `2026-10-05 08:30`, fractions of
    seconds) as datetime64[us] in WITA: a time with a zone (`Z`, `+00:00`, `+0700`) converted to WITA, a time
    without one taken as WITA; NaT where the text is not such a time."""
    plain = text.str.fullmatch(WAKTU).fillna(False).to_numpy(dtype=bool)
    zoned = np.zeros(len(text), dtype=bool)  # looked for among the others only: most times are written plain
    zoned[~plain] = text[~plain].str.fullmatch(WAKTU + ZONA).to_numpy(dtype=bool)
    values = pd.to_datetime(text.where(plain), format="ISO8601", errors="coerce").astype("datetime64[us]")
    if zoned.any():
        utc = pd.to_datetime(text[zoned], format="ISO8601", utc=True, errors="coerce")
        values[zoned] = utc.dt.tz_convert(WITA).dt.tz_localize(None).astype("datetime64[us]")
    return values


def wita(moment: datetime) -> pd.Timestamp:
    """A moment as a naive WITA time stamp (a naive moment is taken as WITA already)."""
    return pd.Timestamp(moment.astimezone(WITA).replace(tzinfo=None) if moment.tzinfo else moment)


def cannot_be_true(meant: pd.Series, sent: pd.Series, now: datetime) -> np.ndarray:
    """Report rows whose dates cannot be true at `now` (the run's start): the month meant after the current
    month (WITA), or after the month of the row's own tanggal_kirim (`sent`, text), or a tanggal_kirim after now.
    A month meant before the month written in `sent`, sent more than a day before now, is possible whatever the
    time zone: only the other rows are read as times."""
    start = wita(now)
    late = meant.gt(current_period(now)).fillna(False).to_numpy(dtype=bool, copy=True)
    before = meant.lt(sent.str.slice(0, 7)).fillna(False).to_numpy(dtype=bool)
    recent = sent.str.slice(0, 10).ge(f"{start - pd.Timedelta(days=1):%Y-%m-%d}").fillna(False).to_numpy(dtype=bool)
    maybe = np.flatnonzero(~late & (~before | recent))
    if len(maybe):
        times = wita_times(sent.iloc[maybe])
        month = times.dt.strftime("%Y-%m")
        wrong = (meant.iloc[maybe].gt(month) & times.notna()) | times.gt(start)
        late[maybe] = wrong.fillna(False).to_numpy(dtype=bool)
    return late
