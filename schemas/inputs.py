"""The input contract (data-contract §1): typed Pandera models of the four input files, and the checks that
turn the text frames read by `flows.ingest` into typed rows plus, for every rejected row, every reason.

TYPES     `Koperasi`, `Laporan`, `Kuesioner`, `FaktorPengurang`: the typed rows; the schema is the documentation.
PARSING   text -> typed columns, vectorised; a value that cannot be read becomes a reason and a missing value.
CHECKING  each model is validated lazily on the typed frame with every column nullable, so that a row whose
          text could not be read still gets the other reasons that can be checked; Pandera's failure cases
          become reasons in Indonesian that name the column(s), the rule and the value(s).

A raw frame has text columns ("" when empty), `sumber` and `baris`; numbers are plain (ingest converted the
Indonesian `1.234.567,50`). Rows are tracked by position while checking and get their raw index back at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.typing import Series

from schemas.periode import recognise_periode, wita, wita_times
from scoring.columns import ASET, EKUITAS, JUMLAH, KEWAJIBAN, LABA_RUGI, LAPORAN, PINJAMAN
from scoring.errors import RulebookError
from scoring.inputs import is_in
from scoring.rulebook import PERIODE, Rulebook, rulebook_for_period, rulebooks, unscored_jenis

JENIS = tuple(dict.fromkeys([*(j for b in rulebooks().values() for j in b.jenis), *unscored_jenis()]))
WILAYAH_KEANGGOTAAN = ("kabupaten_kota", "provinsi", "nasional")
KOMPONEN_KUESIONER = tuple(dict.fromkeys(k.id for b in rulebooks().values() for k in b.komponen if k.kuesioner))
KODE_FAKTOR = tuple(dict.fromkeys(code for b in rulebooks().values() for code in b.faktor_kode))
JAWABAN = ("ya", "tidak")
YA, TIDAK = ("true", "ya", "1"), ("false", "tidak", "0")
KODE_WILAYAH = r"\d{2}\.\d{2}"
BOLEH_NEGATIF = ("shu_belum_dibagi",)
DIGIT_MAKS = 15  # Rp 999 trillion; keeps every sum of report columns exact in int64
TOLERANSI_MIN, TOLERANSI_BAGI = 1_000, 10_000  # Rp 1,000 or 0.01% (1/10,000) of total_aset, the larger
REGISTRI = "koperasi.csv"  # the registry file named when the registry is not known
_SET_PROBLEMS_SHOWN = 3  # problems a questionnaire set's reason names before "dan N masalah lain"

TOTAL_KEWAJIBAN = tuple(c for c in KEWAJIBAN if c != "kewajiban_lancar")  # kewajiban_lancar is a subtotal
PINJAMAN_DIBERIKAN = ("pinjaman_anggota", "pinjaman_non_anggota")
KOLEKTIBILITAS = ("pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet")
# the asset lines that add up to total_aset; a leading '-' marks a line that is deducted
RINCIAN_ASET = tuple(f"-{c}" if c == "penyisihan_penghapusan_pinjaman" else c for c in ASET if c != "total_aset")


@dataclass(frozen=True)
class Checked:
    valid: pd.DataFrame  # the rows that pass, typed, with sumber and baris, under their raw index
    alasan: pd.Series  # raw index of every rejected row -> list of every reason (str)


@dataclass(frozen=True)
class Registry:
    """The registry the other inputs are checked against: the nik of its accepted rows and, for the nik of a
    rejected row, which row was rejected and why (so a report of that nik says so, not 'tidak terdaftar')."""

    nik: pd.Series
    ditolak: pd.Series = field(default_factory=lambda: pd.Series([], dtype="str"))  # nik -> reason
    sumber: str = REGISTRI


def registry_of(raw: pd.DataFrame, checked: Checked) -> Registry:
    """The Registry of a checked registry frame (`raw`: its text rows)."""
    rows = raw.loc[checked.alasan.index]
    text = ("baris registri " + rows["sumber"].astype("str") + ":" + rows["baris"].astype("str") + " (nik "
            + rows["nik"].astype("str") + ") ditolak: " + checked.alasan.map("; ".join).astype("str"))
    named = rows["nik"].astype("str").ne("").to_numpy()
    ditolak = pd.Series(text.to_numpy()[named], index=rows["nik"].astype("str").to_numpy()[named], dtype="str")
    return Registry(checked.valid["nik"], ditolak[~ditolak.index.duplicated()],
                    str(raw["sumber"].iloc[0]) if len(raw) else REGISTRI)


# ---------------------------------------------------------------------------------------------------------------
# Row rules that compare columns: the models' dataframe checks, with the reason each gives
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of a row: `holds` says where it holds (a missing operand: holds), `reason`
    words the reason for rows where it does not. `columns` are the columns it reads."""

    name: str
    columns: tuple[str, ...]
    holds: Callable[[pd.DataFrame], pd.Series]
    reason: Callable[[pd.DataFrame], pd.Series]


def rupiah(value: int) -> str:
    """Whole Rupiah with '.' thousands: -1234567 -> '-1.234.567'."""
    return f"{value:,}".replace(",", ".")


def _as_rupiah(values: pd.Series) -> pd.Series:
    return values.map(rupiah).astype("str")


def _sum(frame: pd.DataFrame, terms: Sequence[str]) -> pd.Series:
    total = pd.Series(0, index=frame.index, dtype="Int64")
    for term in terms:
        total = total - frame[term[1:]] if term.startswith("-") else total + frame[term]
    return total


def _formula(terms: Sequence[str]) -> str:
    return " ".join(f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in terms).removeprefix("+ ")


def tolerance(total_aset: pd.Series) -> pd.Series:
    """Rp 1,000 or 0.01% of total_aset, whichever is larger (whole Rupiah: a whole difference within
    total_aset / 10,000 is within its floor)."""
    return (total_aset // TOLERANSI_BAGI).clip(lower=TOLERANSI_MIN)


def _comparison(name: str, title: str, left: Sequence[str], right: Sequence[str], equal: bool,
                right_name: str | None = None) -> RowRule:
    """left = right within the tolerance (equal), or left <= right; the reason quotes both sums."""
    left_label, right_label = _formula(left), right_name or _formula(right)

    def holds(frame: pd.DataFrame) -> pd.Series:
        a, b = _sum(frame, left), _sum(frame, right)
        ok = (a - b).abs() <= tolerance(frame["total_aset"]) if equal else a <= b
        return ok.fillna(True).astype(bool)

    def reason(frame: pd.DataFrame) -> pd.Series:
        a, b = _sum(frame, left), _sum(frame, right)
        text = (f"{title}: {left_label} " + _as_rupiah(a) + (" != " if equal else " > ") + f"{right_label} "
                + _as_rupiah(b))

        if equal:
            text = text + " (selisih " + _as_rupiah((a - b).abs()) + "; toleransi " + _as_rupiah(
                tolerance(frame["total_aset"])) + ")"
        return text

    columns = tuple(dict.fromkeys(t.lstrip("-") for t in (*left, *right, *(("total_aset",) if equal else ()))))
    return RowRule(name, columns, holds, reason)


REPORT_RULES = (
    _comparison("rincian_aset", "total_aset tidak sama dengan jumlah rincian aset",
                ("total_aset",), RINCIAN_ASET, equal=True),
    _comparison("neraca_seimbang", "neraca tidak seimbang",
                ("total_aset",), TOTAL_KEWAJIBAN + EKUITAS, equal=True, right_name="kewajiban + ekuitas"),
    _comparison("kolektibilitas", "pinjaman menurut kolektibilitas tidak sama dengan pinjaman diberikan",
                KOLEKTIBILITAS, PINJAMAN_DIBERIKAN, equal=True),
    _comparison("pinjaman_berisiko_maks", "pinjaman_berisiko lebih dari pinjaman diberikan",
                ("pinjaman_berisiko",), PINJAMAN_DIBERIKAN, equal=False),
    _comparison("volume_pinjaman_anggota_maks", "volume_pinjaman_anggota lebih dari volume_pinjaman",
                ("volume_pinjaman_anggota",), ("volume_pinjaman",), equal=False),
    _comparison("biaya_karyawan_maks", "biaya_karyawan lebih dari beban_usaha",
                ("biaya_karyawan",), ("beban_usaha",), equal=False),
    _comparison("kewajiban_lancar_maks", "kewajiban_lancar lebih dari total kewajiban",
                ("kewajiban_lancar",), TOTAL_KEWAJIBAN, equal=False),
)


@cache
def _questionnaire_book(month: str) -> Rulebook | None:
    """The book in force in the month a questionnaire was filled in (None: no single book)."""
    try:
        return rulebook_for_period(month)
    except RulebookError:
        return None


@cache
def _questionnaire_sizes(book: str | None) -> dict[str, int]:
    """Questions per questionnaire component of a book; of every book (the most) when the book is unknown."""
    books = [rulebooks()[book]] if book else list(rulebooks().values())
    sizes: dict[str, int] = {}
    for k in (k for b in books for k in b.komponen if k.kuesioner):
        sizes[k.id] = max(sizes.get(k.id, 0), k.pertanyaan)
    return sizes


@dataclass(frozen=True)
class _Questions:
    """The questions of every book, book after book: each book's questionnaire komponen in its order, numbered
    1..n. Tables by [book, komponen] read 0 in the extra last column (komponen -1: not a questionnaire one)."""

    books: tuple[str, ...]  # "" (the book is unknown: every questionnaire komponen at its largest) and every book
    components: tuple[str, ...]  # every questionnaire komponen of every book
    sizes: np.ndarray  # [book, komponen]: its questions in the book (0: not in the book)
    starts: np.ndarray  # [book, komponen]: where its questions start in the book's list
    counts: np.ndarray  # [book]: questions of the book
    offsets: np.ndarray  # [book]: where the book's list starts in the per-question arrays
    q_component: np.ndarray  # per question: its komponen
    q_place: np.ndarray  # per question: its komponen's place in the book
    q_number: np.ndarray  # per question: its number


@cache
def _questions() -> _Questions:
    """Every question of every book (and of book "")."""
    books, components = ("", *rulebooks()), tuple(_questionnaire_sizes(None))
    sizes = np.zeros((len(books), len(components) + 1), dtype=np.int64)
    starts = np.zeros_like(sizes)
    questions: list[tuple[int, int, int]] = []  # (component, place, number) of every question, book after book
    for b, book in enumerate(books):
        offset = len(questions)
        for j, (k, n) in enumerate(_questionnaire_sizes(book or None).items()):
            i = components.index(k)
            sizes[b, i], starts[b, i] = n, len(questions) - offset
            questions += [(i, j, number) for number in range(1, n + 1)]
    counts = sizes.sum(axis=1)
    q_component, q_place, q_number = np.array(questions, dtype=np.int64).reshape(-1, 3).T
    return _Questions(books, components, sizes, starts, counts, np.cumsum(counts) - counts,
                      q_component, q_place, q_number)


def _book_per_row(dates: pd.Series) -> np.ndarray:
    """Place in `_questions().books` of the book in force at each date (0, "": the date or the book is
    unknown); each distinct date is looked up once."""
    codes, days = pd.factorize(dates)
    place = {book: b for b, book in enumerate(_questions().books)}
    books = [place[b.id] if (b := _questionnaire_book(m)) else 0 for m in days.strftime("%Y-%m")]
    return np.array([*books, 0], dtype=np.int64)[codes]  # NaT (code -1) reads the appended ""


def _index_in(text: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """Place of each value in `names` (-1: not there)."""
    found = pc.index_in(pyarrow.array(text, pyarrow.large_string()),
                        value_set=pyarrow.array(names, pyarrow.large_string()))
    return np.asarray(pc.fill_null(found, -1)).astype(np.int64)


def _question_count(frame: pd.DataFrame) -> pd.Series:
    """How many questions the row's komponen has in the book of its date (NaN: not a questionnaire komponen)."""
    questions = _questions()
    n = questions.sizes[_book_per_row(frame["tanggal"]), _index_in(frame["komponen"], questions.components)]
    return pd.Series(np.where(n > 0, n, np.nan), index=frame.index)


def _number_in_component(frame: pd.DataFrame) -> pd.Series:
    n, number = _question_count(frame), frame["nomor"].astype("float64")
    return n.isna() | number.isna() | (number <= n)


def _number_reason(frame: pd.DataFrame) -> pd.Series:
    n = _question_count(frame).astype("int64").astype("str")
    return ("nomor: harus 1 sampai " + n + " untuk " + frame["komponen"] + " (nilai: "
            + frame["nomor"].astype("str") + ")")


NOMOR_DALAM_KOMPONEN = RowRule("nomor_dalam_komponen", ("tanggal", "komponen", "nomor"),
                               _number_in_component, _number_reason)

URUTAN_BERLAKU = RowRule(
    "urutan_berlaku", ("berlaku_mulai", "berlaku_sampai"),
    lambda f: f["berlaku_sampai"].isna() | f["berlaku_mulai"].isna() | (f["berlaku_sampai"] >= f["berlaku_mulai"]),
    lambda f: "berlaku_sampai: tidak boleh sebelum berlaku_mulai " + f["berlaku_mulai"] + " (nilai: '"
    + f["berlaku_sampai"] + "')")

def _sent_month(frame: pd.DataFrame) -> pd.Series:
    return frame["tanggal_kirim"].dt.strftime("%Y-%m").astype("str")


PERIODE_SEBELUM_KIRIM = RowRule(
    "periode_tidak_sesudah_kirim", ("periode", "tanggal_kirim"),
    lambda f: (f["periode"].isna() | f["tanggal_kirim"].isna() | (f["periode"] <= _sent_month(f))).astype(bool),
    lambda f: "periode " + f["periode"] + " sesudah bulan tanggal_kirim " + _sent_month(f)
    + " (laporan suatu bulan tidak dapat dikirim sebelum bulan itu)")
RULES = {a.name: a for a in (*REPORT_RULES, PERIODE_SEBELUM_KIRIM, NOMOR_DALAM_KOMPONEN, URUTAN_BERLAKU)}


def _check(rule: RowRule) -> classmethod:
    """A DataFrameModel dataframe check running a row rule (the check's name is the rule's); the rule, not
    Pandera, decides what a missing operand means."""
    def check(cls, frame: pd.DataFrame) -> pd.Series:
        return rule.holds(frame)
    check.__name__ = rule.name
    return pa.dataframe_check(check, name=rule.name, error=rule.name, ignore_na=False)


# ---------------------------------------------------------------------------------------------------------------
# TYPES
# ---------------------------------------------------------------------------------------------------------------

class _Source(pa.DataFrameModel):
    sumber: Series[str] = pa.Field(description="file the row was read from, relative to the input folder")
    baris: Series[np.int64] = pa.Field(ge=1, description="row number in that file as a spreadsheet shows it "
                                                         "(header = 1, first data row = 2)")


_GROUP_MEANING = {
    **dict.fromkeys(ASET, "asset line, month-end position"),
    **dict.fromkeys(KEWAJIBAN, "liability line, month-end position"),
    **dict.fromkeys(EKUITAS, "equity line, month-end position"),
    **dict.fromkeys(PINJAMAN, "loans outstanding at month end, by collectibility"),
    **dict.fromkeys(LABA_RUGI, "income statement, year to date (January to the period)"),
}
_MEANING = {
    "penyisihan_penghapusan_pinjaman": "loan loss allowance, entered positive and deducted from the assets",
    "aset_tetap": "fixed assets, net",
    "total_aset": "total assets: the asset lines with the allowance deducted, and kewajiban + ekuitas "
                  "(both within Rp 1,000 or 0.01% of total_aset, whichever is larger)",
    "hutang_pihak_lain": "debts to banks, LPDB, other cooperatives",
    "kewajiban_lancar": "short-term part of the liabilities (a subtotal, not added in; at most total kewajiban)",
    "shu_belum_dibagi": "undistributed surplus of the equity; negative for an accumulated loss",
    "pinjaman_berisiko": "loans without adequate collateral; at most the loans given",
    "volume_pinjaman": "loan disbursements, year to date",
    "volume_pinjaman_anggota": "loan disbursements to members, year to date; at most volume_pinjaman",
    "partisipasi_bruto": "revenue from members, year to date",
    "beban_pokok": "cost of member services, year to date",
    "biaya_karyawan": "staff costs, part of beban_usaha (at most beban_usaha), year to date",
    "promosi_ekonomi_anggota": "members' economic promotion (PEA), year to date",
}


def _money_fields() -> dict:
    """Namespace of a DataFrameModel with one whole-Rupiah int64 field per report money column."""
    fields = {
        c: pa.Field(ge=None if c in BOLEH_NEGATIF else 0,
                    description=f"{_MEANING.get(c, _GROUP_MEANING[c])}; whole Rupiah"
                                + ("" if c in BOLEH_NEGATIF else ", >= 0"))
        for c in JUMLAH
    }
    return {"__module__": __name__, "__annotations__": dict.fromkeys(JUMLAH, Series[np.int64]), **fields}


_Money = type("_Money", (_Source,), _money_fields())


class Laporan(_Money):
    """A monthly financial report row, typed (data-contract §1.2); the money columns are in `JUMLAH`."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    periode: Series[str] = pa.Field(str_matches=PERIODE.pattern,
                                    description="YYYY-MM: the month whose month-end position the report gives; "
                                                "not after the month of tanggal_kirim nor the current month")
    tanggal_kirim: Series[pd.Timestamp] = pa.Field(description="submission time in WITA (a time with a zone is "
                                                               "converted, one without is WITA); not after the run's "
                                                               "start; the latest one of a nik and periode supersedes "
                                                               "the earlier ones")
    diaudit: Series[bool] = pa.Field(description="the last annual report was audited by a public accountant")
    jumlah_anggota: Series[np.int64] = pa.Field(gt=0, description="number of members")

    # the row rules (names differ from the columns': a rule and a column order reasons separately)
    rincian_aset = _check(RULES["rincian_aset"])
    neraca_seimbang = _check(RULES["neraca_seimbang"])
    kolektibilitas = _check(RULES["kolektibilitas"])
    pinjaman_berisiko_maks = _check(RULES["pinjaman_berisiko_maks"])
    volume_pinjaman_anggota_maks = _check(RULES["volume_pinjaman_anggota_maks"])
    biaya_karyawan_maks = _check(RULES["biaya_karyawan_maks"])
    kewajiban_lancar_maks = _check(RULES["kewajiban_lancar_maks"])
    periode_tidak_sesudah_kirim = _check(PERIODE_SEBELUM_KIRIM)


class Koperasi(_Source):
    """A registered cooperative, typed (data-contract §1.1)."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, unique=True,
                                description="Nomor Induk Koperasi: unique, opaque (the digits are not parsed)")
    nama: Series[str] = pa.Field(str_length={"min_value": 1}, description="name")
    jenis: Series[str] = pa.Field(isin=JENIS, description="kind of cooperative; the rulebooks decide which are scored")
    kode_wilayah: Series[str] = pa.Field(description="BPS code of the kabupaten/kota, NN.NN, e.g. 65.02")
    kabupaten_kota: Series[str] = pa.Field(str_length={"min_value": 1}, description="name, e.g. Bulungan")
    wilayah_keanggotaan: Series[str] = pa.Field(isin=WILAYAH_KEANGGOTAAN,
                                                description="membership area: decides who supervises")
    tanggal_badan_hukum: Series[pd.Timestamp] = pa.Field(description="date of legal entity; not in the future")
    tanggal_rat_terakhir: Series[pd.Timestamp] = pa.Field(nullable=True,
                                                          description="last annual members' meeting (RAT)")
    pendamping: Series[str] = pa.Field(nullable=True, description="field assistant assigned")

    @pa.check("kode_wilayah", name="kode_bps", error="harus kode BPS kabupaten/kota NN.NN, mis. 65.02")
    def kode_bps(cls, codes: pd.Series) -> pd.Series:
        return codes.str.fullmatch(KODE_WILAYAH)



class Kuesioner(_Source):
    """One answer of a management questionnaire (data-contract §1.3). A set is the answers of one nik and
    tanggal; it holds every question of every questionnaire komponen of the book in force then, once."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    tanggal: Series[pd.Timestamp] = pa.Field(description="date the questionnaire was filled in")
    komponen: Series[str] = pa.Field(isin=KOMPONEN_KUESIONER, description="questionnaire component of the rulebook")
    nomor: Series[np.int64] = pa.Field(ge=1, description="question number, 1..n of the komponen in the rulebook")
    jawaban: Series[str] = pa.Field(isin=JAWABAN, description="the answer: ya or tidak")

    nomor_dalam_komponen = _check(NOMOR_DALAM_KOMPONEN)


class FaktorPengurang(_Source):
    """A supervisor's finding that downgrades the predicate while it applies (data-contract §1.4)."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    kode: Series[str] = pa.Field(isin=KODE_FAKTOR, description="a downgrade factor code of a rulebook")
    berlaku_mulai: Series[str] = pa.Field(str_matches=PERIODE.pattern, description="first period it applies, YYYY-MM")
    berlaku_sampai: Series[str] = pa.Field(str_matches=PERIODE.pattern, nullable=True,
                                           description="last period it applies, YYYY-MM; open-ended when empty")
    keterangan: Series[str] = pa.Field(nullable=True, description="the finding, free text")

    urutan_berlaku = _check(URUTAN_BERLAKU)


# ---------------------------------------------------------------------------------------------------------------
# PARSING text into typed columns; what cannot be read is a reason and a missing value
# ---------------------------------------------------------------------------------------------------------------

class _Reasons:
    """The reasons found so far, by row position; `order` places a reason in its row's list."""

    def __init__(self, n: int, order: dict[str, int]) -> None:
        self.n = n
        self.order = order
        self.explained: dict[str, np.ndarray] = {}  # column -> cells whose reason is already given (a note)
        self._parts: list[pd.DataFrame] = []

    def add(self, where: np.ndarray | pd.Series, text: str | pd.Series, key: str) -> None:
        """Add a reason to the rows at `where` (a boolean mask over all rows, or positions); `key` (a column,
        a rule or "set") places it in its row's list. A cell already explained gets no other reason."""
        where = np.asarray(where)
        positions = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if len(positions) == 0:
            return
        texts = np.full(len(positions), text, dtype=object) if isinstance(text, str) else np.asarray(text, dtype=object)
        if key in self.explained:
            fresh = ~self.explained[key][positions]
            positions, texts = positions[fresh], texts[fresh]
        self._parts.append(pd.DataFrame({"posisi": positions, "urutan": self.order[key], "teks": texts}))

    def _all(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({"posisi": np.array([], np.int64), "urutan": np.array([], np.int64), "teks": []})
        return pd.concat(self._parts, ignore_index=True).dropna(subset=["teks"])

    def rejected(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[self._all()["posisi"].to_numpy()] = True
        return mask

    def per_row(self, index: pd.Index) -> pd.Series:
        """Raw index -> list of reasons, in column order then rule order, without repeats."""
        found = self._all().drop_duplicates(["posisi", "teks"]).sort_values(["posisi", "urutan"], kind="stable")
        positions = found["posisi"].to_numpy()
        first = np.flatnonzero(np.diff(positions, prepend=-1))
        chunks = np.split(found["teks"].to_numpy(dtype=object), first[1:]) if len(found) else []
        lists = [chunk.tolist() for chunk in chunks]
        return pd.Series(lists, index=index[positions[first]], dtype=object, name="alasan")


def _text(raw: pd.DataFrame, column: str) -> pd.Series:
    return raw[column].astype("str").fillna("").reset_index(drop=True)


class _Cells:
    """The raw frame's text columns, with the notes of reading (a formula without a value, a number with two
    readings: frame sumber, baris, kolom, alasan) given as their cells' reasons: such a cell reads as empty and
    gets no other reason."""

    def __init__(self, raw: pd.DataFrame, notes: pd.DataFrame | None, reasons: _Reasons) -> None:
        self.raw, self.blank = raw, {}
        if notes is None or notes.empty:
            return
        rows = pd.DataFrame({"sumber": _text(raw, "sumber"), "baris": raw["baris"].to_numpy(dtype=np.int64),
                             "posisi": np.arange(len(raw))})
        found = rows.merge(notes.astype({"sumber": "str", "baris": "int64"}), on=["sumber", "baris"])
        for column, cells in found.groupby("kolom", sort=False):
            positions = cells["posisi"].to_numpy()
            reasons.add(positions, cells["alasan"].to_numpy(dtype=object), column)
            self.blank[column] = np.zeros(len(raw), dtype=bool)
            self.blank[column][positions] = True
            reasons.explained[column] = self.blank[column]

    def __call__(self, column: str) -> pd.Series:
        text = _text(self.raw, column)
        return text.where(~self.blank[column], "") if column in self.blank else text


def _hex(arrow: pyarrow.ChunkedArray) -> bool:
    """Whether a text starts with 0x or 0X, which Arrow's integer parse would read as hexadecimal."""
    return bool(pc.any(pc.or_(pc.starts_with(arrow, "0x"), pc.starts_with(arrow, "0X"))).as_py())


def _whole_numbers(text: pd.Series, column: str, reasons: _Reasons, expected: str,
                   zero_if_none: bool = False) -> pd.Series:
    """Whole numbers (an integral '.0' accepted) as Int64; empty, other text and over 15 digits are reasons."""
    arrow = pyarrow.array(text)
    try:  # the common case, a column of plain integers, in one Arrow parse (which would read '0x10' as 16)
        if _hex(arrow):
            raise pyarrow.ArrowInvalid("hexadecimal")
        numbers = pc.cast(arrow, pyarrow.int64()).to_numpy().astype(np.float64)
        shaped = np.ones(len(text), dtype=bool)
    except pyarrow.ArrowInvalid:
        shaped = text.str.fullmatch(r"-?\d+(?:\.0+)?").to_numpy(dtype=bool)
        numbers = pc.cast(pyarrow.array(text.where(shaped, "0")), pyarrow.float64()).to_numpy()
    too_big = shaped & (np.abs(numbers) >= 10.0 ** DIGIT_MAKS)
    ok = shaped & ~too_big
    if not ok.all():
        empty = text.eq("").to_numpy(dtype=bool)
        wrong = ~ok & ~empty & ~too_big
        reasons.add(empty, f"{column}: kosong, harus {expected}" + " (isi 0 bila tidak ada)" * zero_if_none, column)
        reasons.add(wrong, f"{column}: bukan {expected} (nilai: '" + text[wrong] + "')", column)
        reasons.add(too_big, f"{column}: terlalu besar, lebih dari {DIGIT_MAKS} angka (nilai: '" + text[too_big]
                    + "')", column)
    return pd.Series(pd.arrays.IntegerArray(np.where(ok, numbers, 0).astype(np.int64), ~ok), index=text.index)


def _yes_no(text: pd.Series, column: str, reasons: _Reasons) -> pd.Series:
    lower = text.str.lower()
    yes, no = lower.isin(YA).to_numpy(), lower.isin(TIDAK).to_numpy()
    empty = text.eq("").to_numpy(dtype=bool)
    reasons.add(empty, f"{column}: kosong, harus ya atau tidak", column)
    wrong = ~(yes | no | empty)
    reasons.add(wrong, f"{column}: bukan ya atau tidak (nilai: '" + text[wrong] + "')", column)
    return pd.Series(pd.arrays.BooleanArray(yes, ~(yes | no)), index=text.index)


def _dates(text: pd.Series, column: str, reasons: _Reasons, required: bool = True,
           with_time: bool = False) -> pd.Series:
    """ISO dates (or, with_time, a date or date and time, in WITA: see `wita_times`) as datetime64[us]; NaT when
    empty or unreadable."""
    if with_time:
        values = wita_times(text)
    else:
        shaped = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        values = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
    empty = text.eq("").to_numpy(dtype=bool)
    expected = "tanggal YYYY-MM-DD" + (" atau waktu YYYY-MM-DDTHH:MM:SS" if with_time else "")
    if required:
        reasons.add(empty, f"{column}: kosong, harus {expected}", column)
    wrong = values.isna().to_numpy() & ~empty
    reasons.add(wrong, f"{column}: bukan {expected} (nilai: '" + text[wrong] + "')", column)
    return values


def _period(text: pd.Series, column: str, reasons: _Reasons, required: bool = True) -> pd.Series:
    """Exactly YYYY-MM of a real month, else NA; a month written otherwise is a reason saying what to write."""
    exact = text.str.fullmatch(PERIODE.pattern).to_numpy(dtype=bool)
    empty = text.eq("").to_numpy(dtype=bool)
    if required:
        reasons.add(empty, f"{column}: kosong, harus bulan YYYY-MM", column)
    other = text[~exact & ~empty]
    meant = recognise_periode(other)
    known = meant.notna()
    reasons.add(other.index[known], f"{column}: ditulis '" + other[known] + "', harus YYYY-MM (maksud "
                + meant[known] + "?)", column)

    reasons.add(other.index[~known], f"{column}: bukan bulan YYYY-MM (nilai: '" + other[~known] + "')", column)
    return text.where(exact)


def _optional(text: pd.Series) -> pd.Series:
    return text.where(text.ne(""))


# ---------------------------------------------------------------------------------------------------------------
# CHECKING: the models, validated lazily; failure cases -> reasons
# ---------------------------------------------------------------------------------------------------------------

_NULLABLE = {"int64": "Int64", "bool": "boolean"}


@cache
def _loose_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema with every column nullable: a value that could not be read is missing, and the
    other checks still run on the rest of its row."""
    schema = model.to_schema()
    return schema.update_columns({
        name: {"nullable": True, "dtype": _NULLABLE.get(str(column.dtype), column.dtype)}
        for name, column in schema.columns.items()
    })


def _quoted(values: pd.Series) -> pd.Series:
    """A value as the reason quotes it: Rupiah with '.' thousands, dates ISO, text quoted."""
    if pd.api.types.is_integer_dtype(values):
        return _as_rupiah(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.strftime("%Y-%m-%d").astype("str")
        return dates.where(values.eq(values.dt.normalize()), values.dt.strftime("%Y-%m-%dT%H:%M:%S").astype("str"))
    return "'" + values.astype("str") + "'"


def _rule_in_words(check: pa.Check) -> str:
    """The rule of a column check, in words."""
    stats = check.statistics or {}
    if check.name == "greater_than_or_equal_to":
        return "tidak boleh negatif" if stats["min_value"] == 0 else f"tidak boleh kurang dari {stats['min_value']}"
    if check.name == "greater_than":
        return f"harus lebih dari {stats['min_value']}"
    if check.name == "isin":
        return "harus salah satu dari: " + ", ".join(map(str, stats["allowed_values"]))
    if check.name == "str_matches":
        return "harus YYYY-MM" if stats.get("pattern") == PERIODE.pattern else f"harus berbentuk {stats.get('pattern')}"
    return check.error or check.name


def _duplicates(rows: pd.DataFrame, column: str, whole: pd.DataFrame) -> pd.Series:
    """Each copy of a duplicated value names the rows of the other copies."""
    rows = rows[rows[column].ne("")]
    lines = whole.loc[whole[column].isin(rows[column]), [column, "baris"]].groupby(column)["baris"].agg(list)
    text = [f"{column} '{value}' tercatat lebih dari sekali: juga di baris "
            + ", ".join(str(b) for b in lines[value] if b != own)
            for value, own in zip(rows[column], rows["baris"])]
    return pd.Series(text, index=rows.index, dtype="str")


def _explain(check: pa.Check | None, code: str, column: str, rows: pd.DataFrame, whole: pd.DataFrame,
             registry: Registry | None) -> pd.Series:
    """The reasons of the rows that failed one column check."""
    if code == "field_uniqueness":
        return _duplicates(rows, column, whole)
    if check is None:  # a failure the parsing should have made impossible: say it plainly rather than lose it
        return pd.Series(f"{column}: {code}", index=rows.index, dtype="str")
    if check.name == "str_length":
        return pd.Series(f"{column}: kosong", index=rows.index, dtype="str")
    if check.name == "terdaftar" and registry is not None:
        nik = rows[column].astype("str")
        unknown = f"{column} '" + nik + f"' tidak terdaftar di {registry.sumber}"
        return nik.map(registry.ditolak).astype("str").fillna(unknown)
    return f"{column}: {_rule_in_words(check)} (nilai: " + _quoted(rows[column]) + ")"


def _failure_cases(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases.dropna(subset=["index"])
    return pd.DataFrame({"column": [], "check": [], "check_number": [], "index": []})


def _check_frame(schema: pa.DataFrameSchema, typed: pd.DataFrame, reasons: _Reasons,
                 registry: Registry | None = None) -> None:
    """Validate the typed frame (positions as index) and add a reason for every failure case.

    Column checks run on the whole frame; each dataframe check runs on the columns its rule reads, so a broken
    row costs Pandera one failure case per column of the rule, not per column of the report."""
    columns_only = pa.DataFrameSchema(schema.columns, name=schema.name)
    failures = _failure_cases(columns_only, typed)
    for (column, number), cases in failures.groupby(["column", "check_number"], dropna=False, sort=False):
        check = None if pd.isna(number) else schema.columns[column].checks[int(number)]
        positions = cases["index"].astype("int64").unique()
        text = _explain(check, cases["check"].iloc[0], column, typed[[column, "baris"]].iloc[positions], typed,
                        registry)
        reasons.add(text.index.to_numpy(), text.to_numpy(), column)
    for check in schema.checks:
        rule = RULES[check.name]
        cases = _failure_cases(pa.DataFrameSchema(checks=[check]), typed[list(rule.columns)])
        positions = cases["index"].astype("int64").unique()
        if len(positions):
            reasons.add(positions, rule.reason(typed[list(rule.columns)].iloc[positions]).to_numpy(), rule.name)


def _registered(registry: Registry) -> pa.Check:
    """nik in the registry; an empty nik passes (str_length says it is empty)."""
    def registered(nik: pd.Series) -> pd.Series:
        return pd.Series(is_in(nik, registry.nik), index=nik.index) | nik.eq("")
    return pa.Check(registered, name="terdaftar", error=f"terdaftar di {registry.sumber}")


def _with_checks(schema: pa.DataFrameSchema, checks: dict[str, pa.Check]) -> pa.DataFrameSchema:
    return schema.update_columns({c: {"checks": [*schema.columns[c].checks, check]} for c, check in checks.items()})


def _reason_order(columns: Sequence[str], schema: pa.DataFrameSchema) -> dict[str, int]:
    """Where a reason goes in its row's list: the columns in file order, then the row rules, then the set."""
    names = [*columns, *(c.name for c in schema.checks), "set"]
    return {name: i for i, name in enumerate(names)}


@cache
def _shape_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema without its value checks: the columns, their dtypes and which may be null. The accepted
    rows passed every check already, in the loose schema."""
    schema = model.to_schema()
    columns = schema.update_columns({name: {"checks": [], "unique": False} for name in schema.columns}).columns
    return pa.DataFrameSchema(columns, name=schema.name)


def _accepted(model: type[pa.DataFrameModel], typed: pd.DataFrame, reasons: _Reasons, index: pd.Index) -> Checked:
    """The accepted rows with the model's strict dtypes under their raw index, and the reasons of the others."""
    rejected = reasons.rejected()
    strict = model.to_schema()
    valid = typed[~rejected].astype({c: str(col.dtype) for c, col in strict.columns.items()
                                    if str(col.dtype) in _NULLABLE})
    valid.index = index[~rejected]
    _shape_schema(model).validate(valid, lazy=True, inplace=True)  # the accepted rows' shape; a failure here is a bug
    return Checked(valid=valid, alasan=reasons.per_row(index))


def _start(raw: pd.DataFrame, model: type[pa.DataFrameModel]) -> tuple[pa.DataFrameSchema, dict]:
    schema = _loose_schema(model)
    source = {"sumber": _text(raw, "sumber"),
              "baris": pd.Series(raw["baris"].to_numpy(dtype=np.int64))}
    return schema, source


def check_laporan(raw: pd.DataFrame, registry: Registry, started: datetime,
                  notes: pd.DataFrame | None = None) -> Checked:
    """Monthly report rows (data-contract §1.2): types, the row rules, nik registered, dates that can be true at
    the run's start `started` (tanggal_kirim not after it; periode not after its month in WITA nor the month of
    the row's tanggal_kirim). `notes`: the cells ingest could not read without guessing (see `_Cells`)."""
    schema, source = _start(raw, Laporan)
    start = wita(started)
    schema = _with_checks(schema, {
        "nik": _registered(registry),
        "periode": pa.Check(lambda p: p <= f"{start:%Y-%m}", name="tidak_sesudah_bulan_berjalan",
                            error=f"tidak boleh sesudah bulan berjalan {start:%Y-%m}"),
        "tanggal_kirim": pa.Check(lambda t: t <= start, name="tidak_sesudah_mulai_proses",
                                  error=f"tidak boleh sesudah waktu mulai proses {start:%Y-%m-%d %H:%M:%S} WITA"),
    })
    columns = ["sumber", "baris", *LAPORAN]
    reasons = _Reasons(len(raw), _reason_order(columns, schema))
    cells = _Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "periode": _period(cells("periode"), "periode", reasons),
        "tanggal_kirim": _dates(cells("tanggal_kirim"), "tanggal_kirim", reasons, with_time=True),
        "diaudit": _yes_no(cells("diaudit"), "diaudit", reasons),
        **{c: _whole_numbers(cells(c), c, reasons, "bilangan bulat Rupiah", zero_if_none=True) for c in JUMLAH},
        "jumlah_anggota": _whole_numbers(cells("jumlah_anggota"), "jumlah_anggota", reasons, "bilangan bulat"),
    })
    _check_frame(schema, typed, reasons, registry)
    return _accepted(Laporan, typed[columns], reasons, raw.index)


def check_koperasi(raw: pd.DataFrame, today: date, notes: pd.DataFrame | None = None) -> Checked:
    """Registry rows (data-contract §1.1): nik unique (every copy rejected), enums, dates not in the future."""
    schema, source = _start(raw, Koperasi)
    schema = _with_checks(schema, {"tanggal_badan_hukum": pa.Check(
        lambda t: t <= pd.Timestamp(today), name="tidak_sesudah_hari_ini",
        error=f"tidak boleh sesudah hari ini {today:%Y-%m-%d}")})
    reasons = _Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = _Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "nama": cells("nama"),
        "jenis": cells("jenis").str.lower(),
        "kode_wilayah": cells("kode_wilayah"),
        "kabupaten_kota": cells("kabupaten_kota"),
        "wilayah_keanggotaan": cells("wilayah_keanggotaan").str.lower(),
        "tanggal_badan_hukum": _dates(cells("tanggal_badan_hukum"), "tanggal_badan_hukum", reasons),
        "tanggal_rat_terakhir": _dates(cells("tanggal_rat_terakhir"), "tanggal_rat_terakhir", reasons,
                                       required=False),
        "pendamping": _optional(cells("pendamping")),
    })
    _check_frame(schema, typed, reasons)
    return _accepted(Koperasi, typed, reasons, raw.index)


def check_faktor(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None = None) -> Checked:
    """Supervisors' findings (data-contract §1.4): a known code, a period range in order, nik registered."""
    schema, source = _start(raw, FaktorPengurang)
    schema = _with_checks(schema, {"nik": _registered(registry)})
    reasons = _Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = _Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "kode": cells("kode").str.lower(),
        "berlaku_mulai": _period(cells("berlaku_mulai"), "berlaku_mulai", reasons),
        "berlaku_sampai": _period(cells("berlaku_sampai"), "berlaku_sampai", reasons, required=False),
        "keterangan": _optional(cells("keterangan")),
    })
    _check_frame(schema, typed, reasons, registry)
    return _accepted(FaktorPengurang, typed, reasons, raw.index)


def check_kuesioner(raw: pd.DataFrame, registry: Registry, notes: pd.DataFrame | None = None) -> Checked:
    """Questionnaire answers (data-contract §1.3): each row's values, then whole sets: a question missing,
    answered twice or rejected rejects every row of its set (the engine never guesses an answer)."""
    schema, source = _start(raw, Kuesioner)
    schema = _with_checks(schema, {"nik": _registered(registry)})
    reasons = _Reasons(len(raw), _reason_order(list(schema.columns), schema))
    cells = _Cells(raw, notes, reasons)
    typed = pd.DataFrame({
        **source,
        "nik": cells("nik"),
        "tanggal": _dates(cells("tanggal"), "tanggal", reasons),
        "komponen": cells("komponen").str.lower(),
        "nomor": _whole_numbers(cells("nomor"), "nomor", reasons, "bilangan bulat"),
        "jawaban": cells("jawaban").str.lower(),
    })
    _check_frame(schema, typed, reasons, registry)
    _check_sets(typed, reasons)
    return _accepted(Kuesioner, typed, reasons, raw.index)


def _check_sets(typed: pd.DataFrame, reasons: _Reasons) -> None:
    """Every question of the set's book exactly once, and accepted; else every row of the set gets the reason.

    The questions of every set are laid out one after the other (a grid); each row answering a question of its
    set's book counts in its cell, and only the cells with a problem are worded."""
    positions = np.flatnonzero((typed["nik"].ne("") & typed["tanggal"].notna()).to_numpy())
    if not len(positions):
        return
    rows = typed[["nik", "tanggal", "komponen", "nomor"]].iloc[positions]
    set_id, first = _set_per_row(rows["nik"], rows["tanggal"])
    books = _book_per_row(rows["tanggal"])[first]  # per set
    counts = _questions().counts[books]
    starts = np.cumsum(counts) - counts  # where each set's questions start in the grid
    cells = _answer_cell(rows, set_id, books, starts)
    answered = cells >= 0
    times = np.bincount(cells[answered], minlength=counts.sum())
    answer_row = np.full(len(times), -1)
    answer_row[cells[answered]] = positions[answered]  # the row of a question answered once (any of them if more)
    rejected = (times == 1) & np.append(reasons.rejected(), False)[answer_row]  # -1 (not answered): the appended False
    problems = _set_problems(np.flatnonzero((times != 1) | rejected), times, answer_row, books, starts, typed["baris"])
    if problems.empty:
        return
    summary = _set_summary(problems)
    sample = first[summary.index.to_numpy()]  # a row of each set with problems: its nik and tanggal
    texts = np.full(set_id.max() + 1, None, dtype=object)
    texts[summary.index.to_numpy()] = ("set kuesioner " + rows["nik"].iloc[sample].to_numpy(dtype=object) + " "
                                       + rows["tanggal"].iloc[sample].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
                                       + ": " + summary.to_numpy(dtype=object))
    hit = np.flatnonzero(texts[set_id] != None)  # noqa: E711 - elementwise on an object array
    reasons.add(positions[hit], texts[set_id[hit]], "set")


def _set_summary(problems: pd.DataFrame) -> pd.Series:
    """One text per set with problems (index: the set): its first problems in order and how many more, so that
    a set of rejected rows costs one short reason per row, not every other row's reason."""
    per_set = problems.groupby("set", sort=False)
    first = problems[per_set.cumcount().to_numpy() < _SET_PROBLEMS_SHOWN]
    text = first.groupby("set", sort=False)["teks"].agg("; ".join)
    more = per_set.size().reindex(text.index) - _SET_PROBLEMS_SHOWN
    return text.where(more <= 0, text + "; dan " + more.astype("str") + " masalah lain")


def _set_per_row(nik: pd.Series, dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's set (nik, tanggal), numbered in order of first appearance, and the first row of each set."""
    nik_codes, _ = pd.factorize(nik)
    date_codes, days = pd.factorize(dates)
    set_id, _ = pd.factorize(nik_codes.astype(np.int64) * len(days) + date_codes)
    running_max = np.maximum.accumulate(set_id)
    return set_id, np.flatnonzero(set_id > np.append(-1, running_max[:-1]))


def _answer_cell(rows: pd.DataFrame, set_id: np.ndarray, books: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The grid cell each row answers: the question of its komponen and nomor in its set's book (-1: none, as
    the komponen is not in the book or the nomor is not one of its questions)."""
    questions = _questions()
    components = _index_in(rows["komponen"], questions.components)
    number = rows["nomor"].to_numpy(dtype=np.float64, na_value=np.nan)
    b = books[set_id]
    answers = (number >= 1) & (number <= questions.sizes[b, components])  # NaN and size 0 answer nothing
    cells = starts[set_id] + questions.starts[b, components] + np.nan_to_num(number).astype(np.int64) - 1
    return np.where(answers, cells, -1)


def _set_problems(cells: np.ndarray, times: np.ndarray, answer_row: np.ndarray, books: np.ndarray,
                  starts: np.ndarray, lines: pd.Series) -> pd.DataFrame:
    """The problems of the grid cells `cells` as (set, teks), each set's in komponen order then by (first) number: the unanswered numbers of a komponen together, a question answered
    more than once, a question whose one answer was rejected."""
    questions = _questions()
    set_ = np.searchsorted(starts, cells, side="right") - 1  # a set without questions starts where the next one does
    q = questions.offsets[books[set_]] + cells - starts[set_]
    names = np.array(questions.components, dtype=object)[questions.q_component[q]]
    table = pd.DataFrame({"set": set_, "urut": questions.q_place[q], "nomor_awal": questions.q_number[q],
                          "komponen": names, "nomor": pd.Series(questions.q_number[q]).astype("str"),
                          "kali": times[cells], "kecuali": answer_row[cells]}).astype({"komponen": "str"})
    repeated, rejected = table[table["kali"] > 1], table[table["kali"] == 1]
    problems = pd.concat([
        _missing(table[table["kali"] == 0]),
        repeated.assign(teks=repeated["komponen"] + " nomor " + repeated["nomor"] + " dijawab "
                        + repeated["kali"].astype("str") + " kali", kecuali=-1),
        rejected.assign(teks=rejected["komponen"] + " nomor " + rejected["nomor"] + " ditolak (baris "
                        + lines.iloc[rejected["kecuali"].to_numpy()].astype("str").to_numpy() + ")"),
    ], ignore_index=True)
    return problems.sort_values(["set", "urut", "nomor_awal"], kind="stable")[["set", "teks"]]


def _missing(table: pd.DataFrame) -> pd.DataFrame:
    """The unanswered questions of a set's komponen, one problem: 'komponen nomor 7, 8 tidak dijawab'."""
    s, k = table["set"].to_numpy(), table["urut"].to_numpy()
    new = np.ones(len(table), dtype=bool)
    new[1:] = (s[1:] != s[:-1]) | (k[1:] != k[:-1])  # the cells are in grid order
    starts = np.flatnonzero(new)
    lists = pyarrow.ListArray.from_arrays(np.append(starts, len(table)).astype(np.int32),
                                          pyarrow.array(table["nomor"], pyarrow.large_string()))
    numbers = pd.Series(pc.binary_join(lists, pyarrow.scalar(", ", pyarrow.large_string())), dtype="str")
    first = table.iloc[starts].reset_index(drop=True)
    return first.assign(teks=first["komponen"] + " nomor " + numbers + " tidak dijawab", kecuali=-1)
