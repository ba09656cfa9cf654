"""The month a clerk meant: '10/2026', '2026/10', 'Oktober 2026', 'okt-2026' -> '2026-10'."""

from __future__ import annotations

import pandas as pd

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
_BENTUK = (r"^(?:(?P<t1>\d{4})[-/](?P<b1>\d{1,2})"
           r"|(?P<b2>\d{1,2})[-/](?P<t2>\d{4})"
           r"|(?P<nama>[a-z]+)[\s./-]*(?P<t3>\d{4}))$")


def recognise_periode(text: pd.Series) -> pd.Series:
    """The 'YYYY-MM' each text means, or NA when it is not a month written in a known way.

    Accepted, case-insensitive and with surrounding spaces: '2026-10', '2026-1', '2026/10', '10/2026',
    '1/2026', '10-2026', 'Oktober 2026', 'okt 2026', 'Okt-2026' (see BULAN for the names). The month must be
    1..12. Each distinct text is read once.
    """
    codes, distinct = pd.factorize(text, use_na_sentinel=True)
    cleaned = pd.Series(distinct, dtype="str").str.strip().str.lower()
    parts = cleaned.str.extract(_BENTUK)
    year = parts["t1"].fillna(parts["t2"]).fillna(parts["t3"])
    number = pd.to_numeric(parts["b1"].fillna(parts["b2"]), errors="coerce")
    month = number.fillna(parts["nama"].map(BULAN).astype("float64"))
    known = year.notna() & month.between(1, 12)
    meant = (year + "-" + month.where(known, 1).astype("int64").astype("str").str.zfill(2)).where(known)
    # code -1 (a missing text) takes the NA appended at the end
    result = pd.concat([meant, pd.Series([None])], ignore_index=True).astype("str").to_numpy()[codes]
    return pd.Series(result, index=text.index, dtype="str")
