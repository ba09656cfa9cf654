"""Text into typed columns, vectorised: a value that cannot be read becomes a reason (in Indonesian, naming the
column and the value) and a missing value, so that the other checks of its row still run."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from schemas.landing_paths import input_table
from schemas.periode import BULAN, recognise_periode, wita_times
from scoring.columns import RUPIAH_MAKS
from scoring.rulebook_format import PERIODE
from scoring.quoting import BOTH, DOUBLE, QUOTED_MAKS, SINGLE, fitting, marks, shortened
from scoring.texts import row_ranges

YA, TIDAK = ("true", "ya", "1"), ("false", "tidak", "0")
DIGIT_MAKS = len(str(RUPIAH_MAKS))  # 15: Rp 999 trillion, the engine's largest amount (scoring.columns)
SET_REASON = "set "  # how the reason a whole questionnaire or checklist set gives each of its rows starts


class Reasons:
    """The reasons found so far, by row position; `order` places a reason in its row's list.

    Each distinct text is kept once (rows are coded into a table of texts), so that a reason shared by many rows,
    such as a questionnaire set's, costs one string, and every row's list refers to it."""

    def __init__(self, n: int, order: dict[str, int]) -> None:
        self.n = n
        self.order = order
        self.explained: dict[str, np.ndarray] = {}  # column -> cells whose reason is already given (a note)
        self._texts: list[str] = []
        self._codes: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, int, np.ndarray]] = []  # positions, order, text codes

    def add(self, where: np.ndarray | pd.Series, text: str | pd.Series, key: str) -> None:
        """Add a reason to the rows at `where` (a boolean mask over all rows, or positions); `key` (a column,
        a rule or "set") places it in its row's list. A cell already explained gets no other reason; a missing
        text is no reason."""
        where = np.asarray(where)
        positions = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if isinstance(text, str):
            codes = np.full(len(positions), self._code(text), dtype=np.int64)
        else:
            local, distinct = pd.factorize(np.asarray(text, dtype=object))  # a missing text: -1
            codes = np.append(np.array([self._code(t) for t in distinct], dtype=np.int64), -1)[local]
        keep = codes >= 0
        if key in self.explained:
            keep &= ~self.explained[key][positions]
        if keep.any():
            self._parts.append((positions[keep], self.order[key], codes[keep]))

    def _code(self, text: str) -> int:
        if text not in self._codes:
            self._codes[text] = len(self._texts)
            self._texts.append(text)
        return self._codes[text]

    def _all(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions, orders and text codes of every reason added."""
        if not self._parts:
            return np.array([], np.int64), np.array([], np.int64), np.array([], np.int64)
        return (np.concatenate([p for p, _, _ in self._parts]),
                np.concatenate([np.full(len(p), o, dtype=np.int64) for p, o, _ in self._parts]),
                np.concatenate([c for _, _, c in self._parts]))

    def rejected(self) -> np.ndarray:
        """Whether each row has at least one reason (bool per row)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[self._all()[0]] = True
        return mask

    def per_row(self, index: pd.Index) -> pd.Series:
        """Raw index -> list of reasons, in column order then rule order, without repeats."""
        positions, orders, codes = self._all()
        found = pd.DataFrame({"posisi": positions, "urutan": orders, "kode": codes})
        found = found.drop_duplicates(["posisi", "kode"]).sort_values(["posisi", "urutan"], kind="stable")
        positions = found["posisi"].to_numpy()
        starts = np.flatnonzero(np.diff(positions, prepend=-1)).tolist()
        texts = np.array(self._texts, dtype=object)[found["kode"].to_numpy()].tolist()
        lists = [texts[a:b] for a, b in zip(starts, [*starts[1:], len(texts)][:len(starts)], strict=True)]
        return pd.Series(lists, index=index[positions[starts]], dtype=object, name="alasan")


def quote(value: str) -> str:
    """A value as a reason cites it, in the marks `scoring.quoting.marks` chooses; whole up to QUOTED_MAKS
    characters, else `shortened`."""
    text = fitting(value)
    opening, closing = marks(text)
    return opening + text + closing


def quoted(text: pd.Series) -> pd.Series:
    """`quote` of each text, vectorised (a long one, rare, shortened one at a time)."""
    long = text.str.len().gt(QUOTED_MAKS).fillna(False).to_numpy(dtype=bool)
    if long.any():
        text = text.where(~long, text[long].map(shortened))
    single, double = (text.str.contains(mark, regex=False).fillna(False).to_numpy(dtype=bool) for mark in "'\"")
    kinds = [single & double, single]

    def mark(side: int) -> pd.Series:
        return pd.Series(np.select(kinds, [BOTH[side], DOUBLE[side]], SINGLE[side]), index=text.index, dtype="str")

    return mark(0) + text + mark(1)


def lines_of(rows: pd.DataFrame) -> pd.Series:
    """Per key (`kunci`), the lines of its rows (`sumber`, `baris`): 'baris 758-759', or each file's where its set is
    in several files (`berkas_lain`: 'kuesioner/a.csv baris 3, 1522; kuesioner/b.csv baris 3'; two files' row 3 were
    one 'baris 3': hostile trial); by key, sorted."""
    ordered = rows.sort_values(["kunci", "sumber", "baris"], kind="stable")
    per_file = ordered.groupby(["kunci", "sumber"], sort=False).agg(baris=("baris", row_ranges),
                                                                    berkas_lain=("berkas_lain", "first"))
    files = per_file.index.get_level_values("sumber").to_numpy(dtype=object)
    text = np.where(per_file["berkas_lain"].to_numpy(dtype=bool), files + " baris ", "baris ") + per_file["baris"]
    return pd.Series(text.to_numpy(dtype=object), index=per_file.index.get_level_values("kunci")).groupby(
        level=0, sort=False).agg("; ".join)


MEANT = (" (maksud ", "?)")  # how a reason names the registered nik an unregistered one is likely a typo of
TYPO = "baris dengan NIK mirip dikarantina, mungkin salah ketik: "  # what a cooperative's line says of `typo_rows`


def meant_niks(alasan: pd.Series) -> pd.Series:
    """The registered nik each reason names as the one its unregistered nik likely meant (`inputs.near_nik`: the
    reason ends '(maksud <nik>?)'); NA for any other reason. alasan: one reason per row."""
    pattern = r"^nik .* tidak terdaftar di \S+" + re.escape(MEANT[0]) + r"(\S+)" + re.escape(MEANT[1]) + "$"
    return alasan.astype("str").str.extract(pattern, expand=False)


def meant_per_row(alasan: pd.Series) -> pd.Series:
    """Per rejected row (alasan: its list of reasons, under its index), the nik of `meant_niks` its reasons name, NA
    where none does."""
    reasons = alasan.explode().dropna().astype("str")
    reasons = reasons[reasons.str.contains(MEANT[0], regex=False)]  # the pattern only where it may match
    return meant_niks(reasons).dropna().groupby(level=0).first().reindex(alasan.index)


def under_meant_nik(raw: pd.DataFrame, alasan: pd.Series) -> pd.DataFrame:
    """The raw rows with the nik of each rejected row (alasan: its reasons, under the raw index) that its reasons say
    was likely mistyped for a registered one (`meant_per_row`) replaced by that one; `raw` itself when none is."""
    meant = meant_per_row(alasan).dropna()
    if meant.empty:
        return raw
    nik = raw["nik"].astype("str")
    return raw.assign(nik=nik.mask(nik.index.isin(meant.index), meant.reindex(nik.index)))


def input_tables(sumber: pd.Series) -> pd.Series:
    """`input_table` of each path of a column (each distinct path read once)."""
    text = sumber.astype("str")
    return text.map({path: input_table(path) for path in text.dropna().unique()}).astype("str")


def typo_rows(karantina: pd.DataFrame) -> pd.DataFrame:
    """Per registered nik (the index) that quarantined rows of an unregistered nik likely meant (`near_nik`): the
    first such row in words and how many more, `teks` ('laporan/laporan_2026-10.csv baris 28 (nik 657145583934618)',
    '... dan 2 baris lain'), and the input tables of those rows, `tabel` (a set). Its cooperative read as silent, its
    factor or questionnaire as absent, nothing said of the rows sent with a typo (trials). karantina: the table's
    sumber, baris, nik and alasan."""
    reasons = karantina[["sumber", "baris", "nik", "alasan"]].explode("alasan").dropna(subset=["alasan"])
    meant = meant_niks(reasons["alasan"])
    rows = reasons.assign(dimaksud=meant)[meant.notna().to_numpy()].sort_values(["sumber", "baris"], kind="stable")
    rows = rows.assign(teks=rows["sumber"].astype("str") + " baris " + rows["baris"].astype("str") + " (nik "
                       + rows["nik"].astype("str") + ")",
                       tabel=input_tables(rows["sumber"]))
    per_nik = rows.groupby("dimaksud", sort=True).agg(teks=("teks", "first"), baris=("teks", "size"),
                                                      tabel=("tabel", set))
    more = per_nik["baris"].sub(1)
    return per_nik.assign(teks=per_nik["teks"].where(more.eq(0), per_nik["teks"] + " dan " + more.astype("str")
                                                       + " baris lain"))[["teks", "tabel"]]


def raw_text(raw: pd.DataFrame, column: str) -> pd.Series:
    """A raw column as text, a missing value as the empty string, on a fresh RangeIndex."""
    return raw[column].astype("str").fillna("").reset_index(drop=True)


def lowercase(text: pd.Series) -> pd.Series:
    """The texts in lower case: `text` itself when they are already (no second copy of a column kept: a national
    questionnaire's 1.8 million komponen and jawaban, 60 MiB)."""
    lowered = text.str.lower()
    return text if lowered.equals(text) else lowered


class Cells:
    """The raw frame's text columns, with the notes of reading (a formula without a value, a number with two
    readings: frame sumber, baris, kolom, alasan) given as their cells' reasons: such a cell reads as empty and
    gets no other reason."""

    def __init__(self, raw: pd.DataFrame, notes: pd.DataFrame | None, reasons: Reasons) -> None:
        self.raw, self.blank = raw, {}
        if notes is None or notes.empty:
            return
        rows = pd.DataFrame({"sumber": raw_text(raw, "sumber"), "baris": raw["baris"].to_numpy(dtype=np.int64),
                             "posisi": np.arange(len(raw))})
        found = rows.merge(notes.astype({"sumber": "str", "baris": "int64"}), on=["sumber", "baris"])
        for column, cells in found.groupby("kolom", sort=False):
            positions = cells["posisi"].to_numpy()
            reasons.add(positions, cells["alasan"].to_numpy(dtype=object), column)
            self.blank[column] = np.zeros(len(raw), dtype=bool)
            self.blank[column][positions] = True
            reasons.explained[column] = self.blank[column]

    def __call__(self, column: str) -> pd.Series:
        text = raw_text(self.raw, column)
        return text.where(~self.blank[column], "") if column in self.blank else text


def _hex(arrow: pyarrow.ChunkedArray) -> bool:
    """Whether a text starts with 0x or 0X, which Arrow's integer parse would read as hexadecimal."""
    return bool(pc.any(pc.or_(pc.starts_with(arrow, "0x"), pc.starts_with(arrow, "0X"))).as_py())


def whole_numbers(text: pd.Series, column: str, reasons: Reasons, expected: str,
                   zero_if_none: bool = False) -> pd.Series:
    """Whole numbers (an integral '.0' accepted) as Int64; empty, other text and over 15 digits are reasons."""
    arrow = pyarrow.array(text)
    try:  # the common case, a column of plain integers, in one Arrow parse (which would read '0x10' as 16)
        if _hex(arrow):
            raise pyarrow.ArrowInvalid("hexadecimal")
        numbers = pc.cast(arrow, pyarrow.int64()).to_numpy().astype(np.float64)
        shaped = np.ones(len(text), dtype=bool)
    except pyarrow.ArrowInvalid:  # ASCII digits only: Python's \d takes ５ too, which Arrow's parse does not
        shaped = text.str.fullmatch(r"-?[0-9]+(?:\.0+)?").to_numpy(dtype=bool)
        long = text.str.split(".", n=1).str[0].str.lstrip("-").str.lstrip("0").str.len().gt(DIGIT_MAKS)
        shaped_long = shaped & long.to_numpy(dtype=bool)
        numbers = pc.cast(pyarrow.array(text.where(shaped & ~shaped_long, "0")), pyarrow.float64()).to_numpy(
            zero_copy_only=False).copy()
        numbers[shaped_long] = np.inf
    too_big = shaped & (np.abs(numbers) >= 10.0 ** DIGIT_MAKS)
    ok = shaped & ~too_big
    if not ok.all():
        empty = text.eq("").to_numpy(dtype=bool)
        wrong = ~ok & ~empty & ~too_big
        reasons.add(empty, f"{column}: kosong, harus {expected}" + " (isi 0 bila tidak ada)" * zero_if_none, column)
        reasons.add(wrong, f"{column}: bukan {expected} (nilai: " + quoted(text[wrong]) + ")", column)
        reasons.add(too_big, f"{column}: terlalu besar, lebih dari {DIGIT_MAKS} angka (nilai: "
                    + quoted(text[too_big]) + ")", column)
    return pd.Series(pd.arrays.IntegerArray(np.where(ok, numbers, 0).astype(np.int64), ~ok), index=text.index)


def ya_tidak(text: pd.Series) -> pd.Series:
    """Answers in lower case, each way of writing yes or no `yes_no` reads (true/false, 1/0, an Excel boolean)
    written ya or tidak; other text as it is (a questionnaire's jawaban: its `true` was refused while diaudit's
    and terpenuhi's were read: hostile trial)."""
    lower = lowercase(text)
    yes, no = lower.isin(YA).to_numpy(), lower.isin(TIDAK).to_numpy()
    if (lower[yes | no].isin(("ya", "tidak"))).all():  # as the contract writes them (a national month's 1.8
        return lower                                    # million answers: no copy)
    return lower.mask(yes, "ya").mask(no, "tidak")


def yes_no(text: pd.Series, column: str, reasons: Reasons) -> pd.Series:
    """A ya/tidak column (ya, true, 1 / tidak, false, 0, in any case) as a nullable boolean; an empty or other value
    is NA and adds its reason, naming `column`, to its row in `reasons`."""
    lower = text.str.lower()
    yes, no = lower.isin(YA).to_numpy(), lower.isin(TIDAK).to_numpy()
    empty = text.eq("").to_numpy(dtype=bool)
    reasons.add(empty, f"{column}: kosong, harus ya atau tidak", column)
    wrong = ~(yes | no | empty)
    reasons.add(wrong, f"{column}: bukan ya atau tidak (nilai: " + quoted(text[wrong]) + ")", column)
    return pd.Series(pd.arrays.BooleanArray(yes, ~(yes | no)), index=text.index)


def dates(text: pd.Series, column: str, reasons: Reasons, required: bool = True,
           with_time: bool = False) -> pd.Series:
    """ISO dates (or, with_time, a date or date and time, in WITA: see `wita_times`) as datetime64[us]; NaT when
    empty or unreadable."""
    values = per_distinct(text, wita_times if with_time else iso_dates)
    empty = text.eq("").to_numpy(dtype=bool)
    expected = "tanggal YYYY-MM-DD" + (" atau waktu YYYY-MM-DDTHH:MM:SS" if with_time else "")
    if required:
        reasons.add(empty, f"{column}: kosong, harus {expected}", column)
    wrong = values.isna().to_numpy() & ~empty
    reasons.add(wrong, f"{column}: bukan {expected} (nilai: " + quoted(text[wrong]) + ")", column)
    return values


def per_distinct(text: pd.Series, read: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`read` (texts to datetime64[us]) of each distinct text once, on the rows of `text`: a file's rows share a few
    dates (a national questionnaire's 625,000 answers of a year, 27 dates: 0.28 s read row by row, 0.02 s so)."""
    codes, distinct = pd.factorize(text)
    return pd.Series(_on_rows(read(pd.Series(distinct, dtype="str")), codes), index=text.index)


def _on_rows(values: pd.Series, codes: np.ndarray) -> np.ndarray:
    """Dates of distinct texts on the rows of their codes (`pd.factorize`; -1, a missing text: NaT)."""
    return np.append(values.to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us"))[codes]


def iso_dates(text: pd.Series) -> pd.Series:
    """Dates written YYYY-MM-DD as datetime64[us]; NaT for any other text (empty, unreadable, not a real day)."""
    shaped = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    return pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")


# the ways a date is written by hand (`meant_dates`), each pattern anchored at both ends; a time after a date (with
# its zone) is left out
TIME = r"(?:[T ][0-9:.]*(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
DAY_MONTH = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"  # 10/02/2026, 10-2-26: day or month first
YEAR_FIRST = r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})"  # 2026/02/10, 2026-2-10
NAMED = r"(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4}|\d{2})"  # 10 Februari 2026, 10-Feb-26
COMPACT = r"(\d{4})(\d{2})(\d{2})"  # 20260210
EXCEL_DAY_ZERO = np.datetime64("1899-12-30", "us")  # an Excel date's serial number counts days from it
EXCEL_SERIALS = r"([1-9][0-9]{4})(?:\.[0-9]+)?"  # 10000-99999: 1927-05-18 to 2173-10-13, a date cell's number


def meant_dates(text: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """The dates texts mean (datetime64[us]; NaT when none), for rules that must know what a refused row meant
    (`schemas.kuesioner.latest_set_quarantined`); a row is accepted only as `dates` reads it.

    Read: YYYY-MM-DD; 10/02/2026, 10-2-26, 10.02.2026 day first as Indonesian writes a date; 2026/02/10, 2026-2-10,
    20260210; 10 Februari 2026, 10-Feb-26 (`periode.BULAN`); each with a time (and zone) after it or not; an Excel
    date's serial number (46059, 46059.5); a two-digit year is 20YY. Month first where a text is a date only so
    (02/13/2026), and for every text of a group (`groups`, e.g. the file each came from) in which some are dates
    month first only and none day first only: a file written month first is read so whole (hostile trial: its
    02/06/2026 read as 2 June)."""
    codes, distinct = pd.factorize(text)  # a file's answers share a few dates: each distinct text read once
    trimmed = pd.Series(distinct, dtype="str").str.strip()
    found = iso_dates(trimmed)
    parts = trimmed.str.extract(f"^{DAY_MONTH}{TIME}$")
    day_first, month_first = _ymd(parts[2], parts[1], parts[0]), _ymd(parts[2], parts[0], parts[1])
    for pattern, order in ((YEAR_FIRST + TIME, (0, 1, 2)), (COMPACT, (0, 1, 2))):
        read = trimmed.str.extract(f"^{pattern}$")
        found = found.fillna(_ymd(read[order[0]], read[order[1]], read[order[2]]))
    named = trimmed.str.extract(f"^{NAMED}{TIME}$")
    month = named[1].str.lower().map(BULAN).astype("Float64").astype("str").str.removesuffix(".0")
    found = found.fillna(_ymd(named[2], month, named[0]))
    serial = pd.to_numeric(trimmed.str.extract(f"^{EXCEL_SERIALS}$")[0], errors="coerce")
    found = found.fillna(pd.Series(EXCEL_DAY_ZERO + serial.fillna(0).to_numpy(np.int64).astype("timedelta64[D]"),
                                   index=found.index).where(serial.notna()))

    other, first, second = (_on_rows(values, codes) for values in (found, day_first, month_first))
    only_month = np.isnat(first) & ~np.isnat(second)
    only_day = ~np.isnat(first) & np.isnat(second)
    if groups is None:
        month_rows = only_month
    else:
        group = pd.factorize(pd.Series(groups.to_numpy(), dtype="str").fillna(""))[0]
        some_month, some_day = np.bincount(group, weights=only_month), np.bincount(group, weights=only_day)
        month_rows = (some_month > 0)[group] & (some_day == 0)[group]
    chosen = np.where(month_rows, second, first)
    chosen = np.where(np.isnat(chosen), other, chosen)
    return pd.Series(np.where(np.isnat(chosen), second, chosen), index=text.index, dtype="datetime64[us]")  # its only
    # reading, in a group read day first


def _ymd(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Dates of year, month and day texts (NaT where any is missing or the day is not real; YY is 20YY)."""
    year = year.where(year.str.len() != 2, "20" + year)
    written = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    return pd.to_datetime(written, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")


def period(text: pd.Series, column: str, reasons: Reasons, required: bool = True) -> pd.Series:
    """Exactly YYYY-MM of a real month, else NA; a month written otherwise is a reason saying what to write."""
    exact = text.str.fullmatch(PERIODE.pattern).to_numpy(dtype=bool)
    empty = text.eq("").to_numpy(dtype=bool)
    if required:
        reasons.add(empty, f"{column}: kosong, harus bulan YYYY-MM", column)
    other = text[~exact & ~empty]
    meant = recognise_periode(other)
    known = meant.notna()
    reasons.add(other.index[known], f"{column}: ditulis " + quoted(other[known]) + ", harus YYYY-MM (maksud "
                + meant[known] + "?)", column)

    unknown = other[~known]
    day = unknown.str.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").to_numpy(dtype=bool)  # a date that is not a month's edge
    reasons.add(unknown.index[day], f"{column}: berisi tanggal " + quoted(unknown[day]) + ", bukan bulan; tulis bulan "
                "laporan YYYY-MM sebagai teks (di Excel: sel berformat Teks)", column)
    reasons.add(unknown.index[~day], f"{column}: bukan bulan YYYY-MM (nilai: " + quoted(unknown[~day]) + ")", column)
    return text.where(exact)


def optional(text: pd.Series) -> pd.Series:
    """A text column with the empty texts made missing."""
    return text.where(text.ne(""))
