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
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.typing import Series

from schemas.periode import recognise_periode
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
REGISTRI = "koperasi.csv"

TOTAL_KEWAJIBAN = tuple(c for c in KEWAJIBAN if c != "kewajiban_lancar")  # kewajiban_lancar is a subtotal
PINJAMAN_DIBERIKAN = ("pinjaman_anggota", "pinjaman_non_anggota")
KOLEKTIBILITAS = ("pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet")
# the asset lines that add up to total_aset; a leading '-' marks a line that is deducted
RINCIAN_ASET = tuple(f"-{c}" if c == "penyisihan_penghapusan_pinjaman" else c for c in ASET if c != "total_aset")


@dataclass(frozen=True)
class Checked:
    valid: pd.DataFrame  # the rows that pass, typed, with sumber and baris, under their raw index
    alasan: pd.Series  # raw index of every rejected row -> list of every reason (str)


# ---------------------------------------------------------------------------------------------------------------
# Row rules that compare columns: the models' dataframe checks, with the reason each gives
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AturanBaris:
    """A rule over several columns of a row: `berlaku` says where it holds (a missing operand: holds), `alasan`
    words the reason for rows where it does not. `kolom` are the columns it reads."""

    nama: str
    kolom: tuple[str, ...]
    berlaku: Callable[[pd.DataFrame], pd.Series]
    alasan: Callable[[pd.DataFrame], pd.Series]


def rupiah(value: int) -> str:
    """Whole Rupiah with '.' thousands: -1234567 -> '-1.234.567'."""
    return f"{value:,}".replace(",", ".")


def _rupiah(values: pd.Series) -> pd.Series:
    return values.map(rupiah).astype("str")


def _jumlah(frame: pd.DataFrame, suku: Sequence[str]) -> pd.Series:
    total = pd.Series(0, index=frame.index, dtype="Int64")
    for term in suku:
        total = total - frame[term[1:]] if term.startswith("-") else total + frame[term]
    return total


def _rumus(suku: Sequence[str]) -> str:
    return " ".join(f"- {t[1:]}" if t.startswith("-") else f"+ {t}" for t in suku).removeprefix("+ ")


def toleransi(total_aset: pd.Series) -> pd.Series:
    """Rp 1,000 or 0.01% of total_aset, whichever is larger (whole Rupiah: a whole difference within
    total_aset / 10,000 is within its floor)."""
    return (total_aset // TOLERANSI_BAGI).clip(lower=TOLERANSI_MIN)


def _perbandingan(nama: str, judul: str, kiri: Sequence[str], kanan: Sequence[str], sama: bool,
                  nama_kanan: str | None = None) -> AturanBaris:
    """kiri = kanan within the tolerance (sama), or kiri <= kanan; the reason quotes both sums."""
    label_kiri, label_kanan = _rumus(kiri), nama_kanan or _rumus(kanan)

    def berlaku(frame: pd.DataFrame) -> pd.Series:
        a, b = _jumlah(frame, kiri), _jumlah(frame, kanan)
        holds = (a - b).abs() <= toleransi(frame["total_aset"]) if sama else a <= b
        return holds.fillna(True).astype(bool)

    def alasan(frame: pd.DataFrame) -> pd.Series:
        a, b = _jumlah(frame, kiri), _jumlah(frame, kanan)
        text = f"{judul}: {label_kiri} " + _rupiah(a) + (" != " if sama else " > ") + f"{label_kanan} " + _rupiah(b)
        if sama:
            text = text + " (selisih " + _rupiah((a - b).abs()) + "; toleransi " + _rupiah(
                toleransi(frame["total_aset"])) + ")"
        return text

    kolom = tuple(dict.fromkeys(t.lstrip("-") for t in (*kiri, *kanan, *(("total_aset",) if sama else ()))))
    return AturanBaris(nama, kolom, berlaku, alasan)


ATURAN_LAPORAN = (
    _perbandingan("rincian_aset", "total_aset tidak sama dengan jumlah rincian aset",
                  ("total_aset",), RINCIAN_ASET, sama=True),
    _perbandingan("neraca_seimbang", "neraca tidak seimbang",
                  ("total_aset",), TOTAL_KEWAJIBAN + EKUITAS, sama=True, nama_kanan="kewajiban + ekuitas"),
    _perbandingan("kolektibilitas", "pinjaman menurut kolektibilitas tidak sama dengan pinjaman diberikan",
                  KOLEKTIBILITAS, PINJAMAN_DIBERIKAN, sama=True),
    _perbandingan("pinjaman_berisiko_maks", "pinjaman_berisiko lebih dari pinjaman diberikan",
                  ("pinjaman_berisiko",), PINJAMAN_DIBERIKAN, sama=False),
    _perbandingan("volume_pinjaman_anggota_maks", "volume_pinjaman_anggota lebih dari volume_pinjaman",
                  ("volume_pinjaman_anggota",), ("volume_pinjaman",), sama=False),
    _perbandingan("biaya_karyawan_maks", "biaya_karyawan lebih dari beban_usaha",
                  ("biaya_karyawan",), ("beban_usaha",), sama=False),
    _perbandingan("kewajiban_lancar_maks", "kewajiban_lancar lebih dari total kewajiban",
                  ("kewajiban_lancar",), TOTAL_KEWAJIBAN, sama=False),
)


@cache
def _buku_kuesioner(bulan: str) -> Rulebook | None:
    """The book in force in the month a questionnaire was filled in (None: no single book)."""
    try:
        return rulebook_for_period(bulan)
    except RulebookError:
        return None


@cache
def _ukuran_kuesioner(buku: str | None) -> dict[str, int]:
    """Questions per questionnaire component of a book; of every book (the most) when the book is unknown."""
    books = [rulebooks()[buku]] if buku else list(rulebooks().values())
    sizes: dict[str, int] = {}
    for k in (k for b in books for k in b.komponen if k.kuesioner):
        sizes[k.id] = max(sizes.get(k.id, 0), k.pertanyaan)
    return sizes


@dataclass(frozen=True)
class _Daftar:
    """The questions of every book, book after book: each book's questionnaire komponen in its order, numbered
    1..n. Tables by [book, komponen] read 0 in the extra last column (komponen -1: not a questionnaire one)."""

    buku: tuple[str, ...]  # "" (the book is unknown: every questionnaire komponen at its largest) and every book
    komponen: tuple[str, ...]  # every questionnaire komponen of every book
    ukuran: np.ndarray  # [book, komponen]: its questions in the book (0: not in the book)
    awal: np.ndarray  # [book, komponen]: where its questions start in the book's list
    jumlah: np.ndarray  # [book]: questions of the book
    mulai: np.ndarray  # [book]: where the book's list starts in the per-question arrays
    q_komponen: np.ndarray  # per question: its komponen
    q_urut: np.ndarray  # per question: its komponen's place in the book
    q_nomor: np.ndarray  # per question: its number


@cache
def _daftar_pertanyaan() -> _Daftar:
    """Every question of every book (and of buku "")."""
    buku, komponen = ("", *rulebooks()), tuple(_ukuran_kuesioner(None))
    ukuran = np.zeros((len(buku), len(komponen) + 1), dtype=np.int64)
    awal = np.zeros_like(ukuran)
    soal: list[tuple[int, int, int]] = []  # (komponen, urut, nomor) of every question, book after book
    for b, book in enumerate(buku):
        mulai = len(soal)
        for j, (k, n) in enumerate(_ukuran_kuesioner(book or None).items()):
            i = komponen.index(k)
            ukuran[b, i], awal[b, i] = n, len(soal) - mulai
            soal += [(i, j, nomor) for nomor in range(1, n + 1)]
    jumlah = ukuran.sum(axis=1)
    q_komponen, q_urut, q_nomor = np.array(soal, dtype=np.int64).reshape(-1, 3).T
    return _Daftar(buku, komponen, ukuran, awal, jumlah, np.cumsum(jumlah) - jumlah, q_komponen, q_urut, q_nomor)


def _buku_per_baris(tanggal: pd.Series) -> np.ndarray:
    """Place in `_daftar_pertanyaan().buku` of the book in force at each date (0, "": the date or the book is
    unknown); each distinct date is looked up once."""
    kode, hari = pd.factorize(tanggal)
    tempat = {book: b for b, book in enumerate(_daftar_pertanyaan().buku)}
    buku = [tempat[b.id] if (b := _buku_kuesioner(m)) else 0 for m in hari.strftime("%Y-%m")]
    return np.array([*buku, 0], dtype=np.int64)[kode]  # NaT (kode -1) reads the appended ""


def _tempat(text: pd.Series, nama: tuple[str, ...]) -> np.ndarray:
    """Place of each value in `nama` (-1: not there)."""
    found = pc.index_in(pyarrow.array(text, pyarrow.large_string()),
                        value_set=pyarrow.array(nama, pyarrow.large_string()))
    return np.asarray(pc.fill_null(found, -1)).astype(np.int64)


def _pertanyaan(frame: pd.DataFrame) -> pd.Series:
    """How many questions the row's komponen has in the book of its date (NaN: not a questionnaire komponen)."""
    daftar = _daftar_pertanyaan()
    n = daftar.ukuran[_buku_per_baris(frame["tanggal"]), _tempat(frame["komponen"], daftar.komponen)]
    return pd.Series(np.where(n > 0, n, np.nan), index=frame.index)


def _nomor_dalam_komponen(frame: pd.DataFrame) -> pd.Series:
    n, nomor = _pertanyaan(frame), frame["nomor"].astype("float64")
    return n.isna() | nomor.isna() | (nomor <= n)


def _nomor_alasan(frame: pd.DataFrame) -> pd.Series:
    n = _pertanyaan(frame).astype("int64").astype("str")
    return ("nomor: harus 1 sampai " + n + " untuk " + frame["komponen"] + " (nilai: "
            + frame["nomor"].astype("str") + ")")


NOMOR_DALAM_KOMPONEN = AturanBaris("nomor_dalam_komponen", ("tanggal", "komponen", "nomor"),
                                   _nomor_dalam_komponen, _nomor_alasan)
URUTAN_BERLAKU = AturanBaris(
    "urutan_berlaku", ("berlaku_mulai", "berlaku_sampai"),
    lambda f: f["berlaku_sampai"].isna() | f["berlaku_mulai"].isna() | (f["berlaku_sampai"] >= f["berlaku_mulai"]),
    lambda f: "berlaku_sampai: tidak boleh sebelum berlaku_mulai " + f["berlaku_mulai"] + " (nilai: '"
    + f["berlaku_sampai"] + "')")
ATURAN = {a.nama: a for a in (*ATURAN_LAPORAN, NOMOR_DALAM_KOMPONEN, URUTAN_BERLAKU)}


def _cek(aturan: AturanBaris) -> classmethod:
    """A DataFrameModel dataframe check running a row rule (the check's name is the rule's); the rule, not
    Pandera, decides what a missing operand means."""
    def check(cls, frame: pd.DataFrame) -> pd.Series:
        return aturan.berlaku(frame)
    check.__name__ = aturan.nama
    return pa.dataframe_check(check, name=aturan.nama, error=aturan.nama, ignore_na=False)


# ---------------------------------------------------------------------------------------------------------------
# TYPES
# ---------------------------------------------------------------------------------------------------------------

class _Asal(pa.DataFrameModel):
    sumber: Series[str] = pa.Field(description="file the row was read from, relative to the input folder")
    baris: Series[np.int64] = pa.Field(ge=1, description="row number in that file as a spreadsheet shows it "
                                                         "(header = 1, first data row = 2)")


_MAKNA_KELOMPOK = {
    **dict.fromkeys(ASET, "asset line, month-end position"),
    **dict.fromkeys(KEWAJIBAN, "liability line, month-end position"),
    **dict.fromkeys(EKUITAS, "equity line, month-end position"),
    **dict.fromkeys(PINJAMAN, "loans outstanding at month end, by collectibility"),
    **dict.fromkeys(LABA_RUGI, "income statement, year to date (January to the period)"),
}
_MAKNA = {
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


def _kolom_rupiah() -> dict:
    """Namespace of a DataFrameModel with one whole-Rupiah int64 field per report money column."""
    fields = {
        c: pa.Field(ge=None if c in BOLEH_NEGATIF else 0,
                    description=f"{_MAKNA.get(c, _MAKNA_KELOMPOK[c])}; whole Rupiah"
                                + ("" if c in BOLEH_NEGATIF else ", >= 0"))
        for c in JUMLAH
    }
    return {"__module__": __name__, "__annotations__": dict.fromkeys(JUMLAH, Series[np.int64]), **fields}


_Rupiah = type("_Rupiah", (_Asal,), _kolom_rupiah())


class Laporan(_Rupiah):
    """A monthly financial report row, typed (data-contract §1.2); the money columns are in `JUMLAH`."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    periode: Series[str] = pa.Field(str_matches=PERIODE.pattern,
                                    description="YYYY-MM: the month whose month-end position the report gives; "
                                                "not after the run's period")
    tanggal_kirim: Series[pd.Timestamp] = pa.Field(description="submission time; the latest one of a nik and "
                                                               "periode supersedes the earlier ones")
    diaudit: Series[bool] = pa.Field(description="the last annual report was audited by a public accountant")
    jumlah_anggota: Series[np.int64] = pa.Field(gt=0, description="number of members")

    # the row rules (names differ from the columns': a rule and a column order reasons separately)
    rincian_aset = _cek(ATURAN["rincian_aset"])
    neraca_seimbang = _cek(ATURAN["neraca_seimbang"])
    kolektibilitas = _cek(ATURAN["kolektibilitas"])
    pinjaman_berisiko_maks = _cek(ATURAN["pinjaman_berisiko_maks"])
    volume_pinjaman_anggota_maks = _cek(ATURAN["volume_pinjaman_anggota_maks"])
    biaya_karyawan_maks = _cek(ATURAN["biaya_karyawan_maks"])
    kewajiban_lancar_maks = _cek(ATURAN["kewajiban_lancar_maks"])


class Koperasi(_Asal):
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
    def kode_bps(cls, kode: pd.Series) -> pd.Series:
        return kode.str.fullmatch(KODE_WILAYAH)


class Kuesioner(_Asal):
    """One answer of a management questionnaire (data-contract §1.3). A set is the answers of one nik and
    tanggal; it holds every question of every questionnaire komponen of the book in force then, once."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    tanggal: Series[pd.Timestamp] = pa.Field(description="date the questionnaire was filled in")
    komponen: Series[str] = pa.Field(isin=KOMPONEN_KUESIONER, description="questionnaire component of the rulebook")
    nomor: Series[np.int64] = pa.Field(ge=1, description="question number, 1..n of the komponen in the rulebook")
    jawaban: Series[str] = pa.Field(isin=JAWABAN, description="the answer: ya or tidak")

    nomor_dalam_komponen = _cek(NOMOR_DALAM_KOMPONEN)


class FaktorPengurang(_Asal):
    """A supervisor's finding that downgrades the predicate while it applies (data-contract §1.4)."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    kode: Series[str] = pa.Field(isin=KODE_FAKTOR, description="a downgrade factor code of a rulebook")
    berlaku_mulai: Series[str] = pa.Field(str_matches=PERIODE.pattern, description="first period it applies, YYYY-MM")
    berlaku_sampai: Series[str] = pa.Field(str_matches=PERIODE.pattern, nullable=True,
                                           description="last period it applies, YYYY-MM; open-ended when empty")
    keterangan: Series[str] = pa.Field(nullable=True, description="the finding, free text")

    urutan_berlaku = _cek(URUTAN_BERLAKU)


# ---------------------------------------------------------------------------------------------------------------
# PARSING text into typed columns; what cannot be read is a reason and a missing value
# ---------------------------------------------------------------------------------------------------------------

class _Alasan:
    """The reasons found so far, by row position; `urutan` places a reason in its row's list."""

    def __init__(self, n: int, urutan: dict[str, int]) -> None:
        self.n = n
        self.urutan = urutan
        self._parts: list[pd.DataFrame] = []

    def tambah(self, where: np.ndarray | pd.Series, text: str | pd.Series, kolom: str) -> None:
        """Add a reason to the rows at `where` (a boolean mask over all rows, or positions)."""
        where = np.asarray(where)
        posisi = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if len(posisi) == 0:
            return
        teks = np.full(len(posisi), text, dtype=object) if isinstance(text, str) else np.asarray(text, dtype=object)
        self._parts.append(pd.DataFrame({"posisi": posisi, "urutan": self.urutan[kolom], "teks": teks}))

    def _semua(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({"posisi": np.array([], np.int64), "urutan": np.array([], np.int64), "teks": []})
        return pd.concat(self._parts, ignore_index=True).dropna(subset=["teks"])

    def ditolak(self) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[self._semua()["posisi"].to_numpy()] = True
        return mask

    def per_baris(self, index: pd.Index) -> pd.Series:
        """Raw index -> list of reasons, in column order then rule order, without repeats."""
        found = self._semua().drop_duplicates(["posisi", "teks"]).sort_values(["posisi", "urutan"], kind="stable")
        posisi = found["posisi"].to_numpy()
        first = np.flatnonzero(np.diff(posisi, prepend=-1))
        chunks = np.split(found["teks"].to_numpy(dtype=object), first[1:]) if len(found) else []
        lists = [chunk.tolist() for chunk in chunks]
        return pd.Series(lists, index=index[posisi[first]], dtype=object, name="alasan")


def _teks(raw: pd.DataFrame, kolom: str) -> pd.Series:
    return raw[kolom].astype("str").fillna("").reset_index(drop=True)


def _hex(arrow: pyarrow.ChunkedArray) -> bool:
    """Whether a text starts with 0x or 0X, which Arrow's integer parse would read as hexadecimal."""
    return bool(pc.any(pc.or_(pc.starts_with(arrow, "0x"), pc.starts_with(arrow, "0X"))).as_py())


def _bulat(text: pd.Series, kolom: str, alasan: _Alasan, harus: str, isi_nol: bool = False) -> pd.Series:
    """Whole numbers (an integral '.0' accepted) as Int64; empty, other text and over 15 digits are reasons."""
    arrow = pyarrow.array(text)
    try:  # the common case, a column of plain integers, in one Arrow parse (which would read '0x10' as 16)
        if _hex(arrow):
            raise pyarrow.ArrowInvalid("hexadecimal")
        angka = pc.cast(arrow, pyarrow.int64()).to_numpy().astype(np.float64)
        bentuk = np.ones(len(text), dtype=bool)
    except pyarrow.ArrowInvalid:
        bentuk = text.str.fullmatch(r"-?\d+(?:\.0+)?").to_numpy(dtype=bool)
        angka = pc.cast(pyarrow.array(text.where(bentuk, "0")), pyarrow.float64()).to_numpy()
    besar = bentuk & (np.abs(angka) >= 10.0 ** DIGIT_MAKS)
    ok = bentuk & ~besar
    if not ok.all():
        kosong = text.eq("").to_numpy(dtype=bool)
        salah = ~ok & ~kosong & ~besar
        alasan.tambah(kosong, f"{kolom}: kosong, harus {harus}" + " (isi 0 bila tidak ada)" * isi_nol, kolom)
        alasan.tambah(salah, f"{kolom}: bukan {harus} (nilai: '" + text[salah] + "')", kolom)
        alasan.tambah(besar, f"{kolom}: terlalu besar, lebih dari {DIGIT_MAKS} angka (nilai: '" + text[besar] + "')",
                      kolom)
    return pd.Series(pd.arrays.IntegerArray(np.where(ok, angka, 0).astype(np.int64), ~ok), index=text.index)


def _ya_tidak(text: pd.Series, kolom: str, alasan: _Alasan) -> pd.Series:
    lower = text.str.lower()
    ya, tidak = lower.isin(YA).to_numpy(), lower.isin(TIDAK).to_numpy()
    kosong = text.eq("").to_numpy(dtype=bool)
    alasan.tambah(kosong, f"{kolom}: kosong, harus ya atau tidak", kolom)
    salah = ~(ya | tidak | kosong)
    alasan.tambah(salah, f"{kolom}: bukan ya atau tidak (nilai: '" + text[salah] + "')", kolom)
    return pd.Series(pd.arrays.BooleanArray(ya, ~(ya | tidak)), index=text.index)


def _tanggal(text: pd.Series, kolom: str, alasan: _Alasan, wajib: bool = True, waktu: bool = False) -> pd.Series:
    """ISO dates (or, with waktu, a date or date and time) as datetime64[us]; NaT when empty or unreadable."""
    pattern = r"\d{4}-\d{2}-\d{2}" + (r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?" if waktu else "")
    bentuk = text.str.fullmatch(pattern)
    nilai = pd.to_datetime(text.where(bentuk), format="ISO8601" if waktu else "%Y-%m-%d", errors="coerce")
    nilai = nilai.astype("datetime64[us]")
    kosong = text.eq("").to_numpy(dtype=bool)
    harus = "tanggal YYYY-MM-DD" + (" atau waktu YYYY-MM-DDTHH:MM:SS" if waktu else "")
    if wajib:
        alasan.tambah(kosong, f"{kolom}: kosong, harus {harus}", kolom)
    salah = nilai.isna().to_numpy() & ~kosong
    alasan.tambah(salah, f"{kolom}: bukan {harus} (nilai: '" + text[salah] + "')", kolom)
    return nilai


def _periode(text: pd.Series, kolom: str, alasan: _Alasan, wajib: bool = True) -> pd.Series:
    """Exactly YYYY-MM of a real month, else NA; a month written otherwise is a reason saying what to write."""
    tepat = text.str.fullmatch(PERIODE.pattern).to_numpy(dtype=bool)
    kosong = text.eq("").to_numpy(dtype=bool)
    if wajib:
        alasan.tambah(kosong, f"{kolom}: kosong, harus bulan YYYY-MM", kolom)
    lain = text[~tepat & ~kosong]
    maksud = recognise_periode(lain)
    dikenal = maksud.notna()
    alasan.tambah(lain.index[dikenal], f"{kolom}: ditulis '" + lain[dikenal] + "', harus YYYY-MM (maksud "
                  + maksud[dikenal] + "?)", kolom)
    alasan.tambah(lain.index[~dikenal], f"{kolom}: bukan bulan YYYY-MM (nilai: '" + lain[~dikenal] + "')", kolom)
    return text.where(tepat)


def _opsional(text: pd.Series) -> pd.Series:
    return text.where(text.ne(""))


# ---------------------------------------------------------------------------------------------------------------
# CHECKING: the models, validated lazily; failure cases -> reasons
# ---------------------------------------------------------------------------------------------------------------

_NULLABLE = {"int64": "Int64", "bool": "boolean"}


@cache
def _longgar(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema with every column nullable: a value that could not be read is missing, and the
    other checks still run on the rest of its row."""
    schema = model.to_schema()
    return schema.update_columns({
        name: {"nullable": True, "dtype": _NULLABLE.get(str(column.dtype), column.dtype)}
        for name, column in schema.columns.items()
    })


def _nilai(values: pd.Series) -> pd.Series:
    """A value as the reason quotes it: Rupiah with '.' thousands, dates ISO, text quoted."""
    if pd.api.types.is_integer_dtype(values):
        return _rupiah(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").astype("str")
    return "'" + values.astype("str") + "'"


def _frasa(check: pa.Check) -> str:
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


def _ganda(rows: pd.DataFrame, kolom: str, semua: pd.DataFrame) -> pd.Series:
    """Each copy of a duplicated value names the rows of the other copies."""
    rows = rows[rows[kolom].ne("")]
    baris = semua.loc[semua[kolom].isin(rows[kolom]), [kolom, "baris"]].groupby(kolom)["baris"].agg(list)
    text = [f"{kolom} '{value}' tercatat lebih dari sekali: juga di baris "
            + ", ".join(str(b) for b in baris[value] if b != own)
            for value, own in zip(rows[kolom], rows["baris"])]
    return pd.Series(text, index=rows.index, dtype="str")


def _jelaskan(check: pa.Check | None, kode: str, kolom: str, rows: pd.DataFrame, semua: pd.DataFrame) -> pd.Series:
    """The reasons of the rows that failed one column check."""
    if kode == "field_uniqueness":
        return _ganda(rows, kolom, semua)
    if check is None:  # a failure the parsing should have made impossible: say it plainly rather than lose it
        return pd.Series(f"{kolom}: {kode}", index=rows.index, dtype="str")
    if check.name == "str_length":
        return pd.Series(f"{kolom}: kosong", index=rows.index, dtype="str")
    if check.name == "terdaftar":
        return f"{kolom} '" + rows[kolom].astype("str") + f"' tidak terdaftar di {REGISTRI}"
    return f"{kolom}: {_frasa(check)} (nilai: " + _nilai(rows[kolom]) + ")"


def _kasus_gagal(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases.dropna(subset=["index"])
    return pd.DataFrame({"column": [], "check": [], "check_number": [], "index": []})


def _periksa(schema: pa.DataFrameSchema, typed: pd.DataFrame, alasan: _Alasan) -> None:
    """Validate the typed frame (positions as index) and add a reason for every failure case.

    Column checks run on the whole frame; each dataframe check runs on the columns its rule reads, so a broken
    row costs Pandera one failure case per column of the rule, not per column of the report."""
    kolom_saja = pa.DataFrameSchema(schema.columns, name=schema.name)
    gagal = _kasus_gagal(kolom_saja, typed)
    for (kolom, nomor), kasus in gagal.groupby(["column", "check_number"], dropna=False, sort=False):
        check = None if pd.isna(nomor) else schema.columns[kolom].checks[int(nomor)]
        posisi = kasus["index"].astype("int64").unique()
        text = _jelaskan(check, kasus["check"].iloc[0], kolom, typed[[kolom, "baris"]].iloc[posisi], typed)
        alasan.tambah(text.index.to_numpy(), text.to_numpy(), kolom)
    for check in schema.checks:
        aturan = ATURAN[check.name]
        kasus = _kasus_gagal(pa.DataFrameSchema(checks=[check]), typed[list(aturan.kolom)])
        posisi = kasus["index"].astype("int64").unique()
        if len(posisi):
            alasan.tambah(posisi, aturan.alasan(typed[list(aturan.kolom)].iloc[posisi]).to_numpy(), aturan.nama)


def _terdaftar(registry_nik: pd.Series) -> pa.Check:
    """nik in the registry; an empty nik passes (str_length says it is empty)."""
    def terdaftar(nik: pd.Series) -> pd.Series:
        return pd.Series(is_in(nik, registry_nik), index=nik.index) | nik.eq("")
    return pa.Check(terdaftar, name="terdaftar", error=f"terdaftar di {REGISTRI}")


def _tambah_cek(schema: pa.DataFrameSchema, checks: dict[str, pa.Check]) -> pa.DataFrameSchema:
    return schema.update_columns({c: {"checks": [*schema.columns[c].checks, check]} for c, check in checks.items()})


def _urutan(kolom: Sequence[str], schema: pa.DataFrameSchema) -> dict[str, int]:
    """Where a reason goes in its row's list: the columns in file order, then the row rules, then the set."""
    names = [*kolom, *(c.name for c in schema.checks), "set"]
    return {name: i for i, name in enumerate(names)}


@cache
def _bentuk(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema without its value checks: the columns, their dtypes and which may be null. The accepted
    rows passed every check already, in the loose schema."""
    schema = model.to_schema()
    columns = schema.update_columns({name: {"checks": [], "unique": False} for name in schema.columns}).columns
    return pa.DataFrameSchema(columns, name=schema.name)


def _hasil(model: type[pa.DataFrameModel], typed: pd.DataFrame, alasan: _Alasan, index: pd.Index) -> Checked:
    """The accepted rows with the model's strict dtypes under their raw index, and the reasons of the others."""
    ditolak = alasan.ditolak()
    strict = model.to_schema()
    valid = typed[~ditolak].astype({c: str(col.dtype) for c, col in strict.columns.items()
                                    if str(col.dtype) in _NULLABLE})
    valid.index = index[~ditolak]
    _bentuk(model).validate(valid, lazy=True, inplace=True)  # the accepted rows' shape; a failure here is a bug
    return Checked(valid=valid, alasan=alasan.per_baris(index))


def _mulai(raw: pd.DataFrame, model: type[pa.DataFrameModel]) -> tuple[pa.DataFrameSchema, dict]:
    schema = _longgar(model)
    asal = {"sumber": _teks(raw, "sumber"),
            "baris": pd.Series(raw["baris"].to_numpy(dtype=np.int64))}
    return schema, asal


def check_laporan(raw: pd.DataFrame, registry_nik: pd.Series, run_periode: str) -> Checked:
    """Monthly report rows (data-contract §1.2): types, the row rules, nik registered, periode not after the run's."""
    schema, asal = _mulai(raw, Laporan)
    schema = _tambah_cek(schema, {
        "nik": _terdaftar(registry_nik),
        "periode": pa.Check(lambda p: p <= run_periode, name="tidak_sesudah_periode_proses",
                            error=f"tidak boleh sesudah periode yang diproses {run_periode}"),
    })
    kolom = ["sumber", "baris", *LAPORAN]
    alasan = _Alasan(len(raw), _urutan(kolom, schema))
    typed = pd.DataFrame({
        **asal,
        "nik": _teks(raw, "nik"),
        "periode": _periode(_teks(raw, "periode"), "periode", alasan),
        "tanggal_kirim": _tanggal(_teks(raw, "tanggal_kirim"), "tanggal_kirim", alasan, waktu=True),
        "diaudit": _ya_tidak(_teks(raw, "diaudit"), "diaudit", alasan),
        **{c: _bulat(_teks(raw, c), c, alasan, "bilangan bulat Rupiah", isi_nol=True) for c in JUMLAH},
        "jumlah_anggota": _bulat(_teks(raw, "jumlah_anggota"), "jumlah_anggota", alasan, "bilangan bulat"),
    })
    _periksa(schema, typed, alasan)
    return _hasil(Laporan, typed[kolom], alasan, raw.index)


def check_koperasi(raw: pd.DataFrame, today: date) -> Checked:
    """Registry rows (data-contract §1.1): nik unique (every copy rejected), enums, dates not in the future."""
    schema, asal = _mulai(raw, Koperasi)
    schema = _tambah_cek(schema, {"tanggal_badan_hukum": pa.Check(
        lambda t: t <= pd.Timestamp(today), name="tidak_sesudah_hari_ini",
        error=f"tidak boleh sesudah hari ini {today:%Y-%m-%d}")})
    alasan = _Alasan(len(raw), _urutan(list(schema.columns), schema))
    typed = pd.DataFrame({
        **asal,
        "nik": _teks(raw, "nik"),
        "nama": _teks(raw, "nama"),
        "jenis": _teks(raw, "jenis").str.lower(),
        "kode_wilayah": _teks(raw, "kode_wilayah"),
        "kabupaten_kota": _teks(raw, "kabupaten_kota"),
        "wilayah_keanggotaan": _teks(raw, "wilayah_keanggotaan").str.lower(),
        "tanggal_badan_hukum": _tanggal(_teks(raw, "tanggal_badan_hukum"), "tanggal_badan_hukum", alasan),
        "tanggal_rat_terakhir": _tanggal(_teks(raw, "tanggal_rat_terakhir"), "tanggal_rat_terakhir", alasan,
                                         wajib=False),
        "pendamping": _opsional(_teks(raw, "pendamping")),
    })
    _periksa(schema, typed, alasan)
    return _hasil(Koperasi, typed, alasan, raw.index)


def check_faktor(raw: pd.DataFrame, registry_nik: pd.Series) -> Checked:
    """Supervisors' findings (data-contract §1.4): a known code, a period range in order, nik registered."""
    schema, asal = _mulai(raw, FaktorPengurang)
    schema = _tambah_cek(schema, {"nik": _terdaftar(registry_nik)})
    alasan = _Alasan(len(raw), _urutan(list(schema.columns), schema))
    typed = pd.DataFrame({
        **asal,
        "nik": _teks(raw, "nik"),
        "kode": _teks(raw, "kode").str.lower(),
        "berlaku_mulai": _periode(_teks(raw, "berlaku_mulai"), "berlaku_mulai", alasan),
        "berlaku_sampai": _periode(_teks(raw, "berlaku_sampai"), "berlaku_sampai", alasan, wajib=False),
        "keterangan": _opsional(_teks(raw, "keterangan")),
    })
    _periksa(schema, typed, alasan)
    return _hasil(FaktorPengurang, typed, alasan, raw.index)


def check_kuesioner(raw: pd.DataFrame, registry_nik: pd.Series) -> Checked:
    """Questionnaire answers (data-contract §1.3): each row's values, then whole sets: a question missing,
    answered twice or rejected rejects every row of its set (the engine never guesses an answer)."""
    schema, asal = _mulai(raw, Kuesioner)
    schema = _tambah_cek(schema, {"nik": _terdaftar(registry_nik)})
    alasan = _Alasan(len(raw), _urutan(list(schema.columns), schema))
    typed = pd.DataFrame({
        **asal,
        "nik": _teks(raw, "nik"),
        "tanggal": _tanggal(_teks(raw, "tanggal"), "tanggal", alasan),
        "komponen": _teks(raw, "komponen").str.lower(),
        "nomor": _bulat(_teks(raw, "nomor"), "nomor", alasan, "bilangan bulat"),
        "jawaban": _teks(raw, "jawaban").str.lower(),
    })
    _periksa(schema, typed, alasan)
    _periksa_set(typed, alasan)
    return _hasil(Kuesioner, typed, alasan, raw.index)


def _periksa_set(typed: pd.DataFrame, alasan: _Alasan) -> None:
    """Every question of the set's book exactly once, and accepted; else every row of the set gets the reason.

    The questions of every set are laid out one after the other (a grid); each row answering a question of its
    set's book counts in its cell, and only the cells with a problem are worded."""
    posisi = np.flatnonzero((typed["nik"].ne("") & typed["tanggal"].notna()).to_numpy())
    if not len(posisi):
        return
    rows = typed[["nik", "tanggal", "komponen", "nomor"]].iloc[posisi]
    set_id, pertama = _set_per_baris(rows["nik"], rows["tanggal"])
    buku = _buku_per_baris(rows["tanggal"])[pertama]  # per set
    jumlah = _daftar_pertanyaan().jumlah[buku]
    awal = np.cumsum(jumlah) - jumlah  # where each set's questions start in the grid
    sel = _sel_jawaban(rows, set_id, buku, awal)
    jawab = sel >= 0
    kali = np.bincount(sel[jawab], minlength=jumlah.sum())
    satu = np.full(len(kali), -1)
    satu[sel[jawab]] = posisi[jawab]  # the row of a question answered once (any of them where answered more)
    ditolak = (kali == 1) & np.append(alasan.ditolak(), False)[satu]  # -1 (not answered) reads the appended False
    masalah = _masalah_set(np.flatnonzero((kali != 1) | ditolak), kali, satu, buku, awal, typed["baris"])
    if masalah.empty:
        return
    wakil = pertama[masalah["set"].to_numpy()]  # a row of the problem's set: its nik and tanggal
    teks = ("set kuesioner " + rows["nik"].iloc[wakil].reset_index(drop=True) + " "
            + rows["tanggal"].iloc[wakil].dt.strftime("%Y-%m-%d").reset_index(drop=True) + ": "
            + masalah["teks"].reset_index(drop=True))
    kena, nomor = _sebar(set_id, masalah["set"].to_numpy())
    tetap = masalah["kecuali"].to_numpy()[nomor] != posisi[kena]  # a rejected row is not told about itself
    alasan.tambah(posisi[kena[tetap]], teks.to_numpy(dtype=object)[nomor[tetap]], "set")


def _set_per_baris(nik: pd.Series, tanggal: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's set (nik, tanggal), numbered in order of first appearance, and the first row of each set."""
    kode_nik, _ = pd.factorize(nik)
    kode_tanggal, hari = pd.factorize(tanggal)
    set_id, _ = pd.factorize(kode_nik.astype(np.int64) * len(hari) + kode_tanggal)
    terbesar = np.maximum.accumulate(set_id)
    return set_id, np.flatnonzero(set_id > np.append(-1, terbesar[:-1]))


def _sel_jawaban(rows: pd.DataFrame, set_id: np.ndarray, buku: np.ndarray, awal: np.ndarray) -> np.ndarray:
    """The grid cell each row answers: the question of its komponen and nomor in its set's book (-1: none, as
    the komponen is not in the book or the nomor is not one of its questions)."""
    daftar = _daftar_pertanyaan()
    komponen = _tempat(rows["komponen"], daftar.komponen)
    nomor = rows["nomor"].to_numpy(dtype=np.float64, na_value=np.nan)
    b = buku[set_id]
    menjawab = (nomor >= 1) & (nomor <= daftar.ukuran[b, komponen])  # NaN and size 0 answer nothing
    sel = awal[set_id] + daftar.awal[b, komponen] + np.nan_to_num(nomor).astype(np.int64) - 1
    return np.where(menjawab, sel, -1)


def _masalah_set(sel: np.ndarray, kali: np.ndarray, satu: np.ndarray, buku: np.ndarray, awal: np.ndarray,
                 baris: pd.Series) -> pd.DataFrame:
    """The problems of the grid cells `sel` as (set, teks, kecuali: the row not told, or -1), each set's in
    komponen order then by (first) number: the unanswered numbers of a komponen together, a question answered
    more than once, a question whose one answer was rejected."""
    daftar = _daftar_pertanyaan()
    set_ = np.searchsorted(awal, sel, side="right") - 1  # a set without questions starts where the next one does
    q = daftar.mulai[buku[set_]] + sel - awal[set_]
    nama = np.array(daftar.komponen, dtype=object)[daftar.q_komponen[q]]
    cell = pd.DataFrame({"set": set_, "urut": daftar.q_urut[q], "nomor_awal": daftar.q_nomor[q], "komponen": nama,
                         "nomor": pd.Series(daftar.q_nomor[q]).astype("str"), "kali": kali[sel],
                         "kecuali": satu[sel]}).astype({"komponen": "str"})
    ganda, tolak = cell[cell["kali"] > 1], cell[cell["kali"] == 1]
    masalah = pd.concat([
        _hilang(cell[cell["kali"] == 0]),
        ganda.assign(teks=ganda["komponen"] + " nomor " + ganda["nomor"] + " dijawab "
                     + ganda["kali"].astype("str") + " kali", kecuali=-1),
        tolak.assign(teks=tolak["komponen"] + " nomor " + tolak["nomor"] + " ditolak (baris "
                     + baris.iloc[tolak["kecuali"].to_numpy()].astype("str").to_numpy() + ")"),
    ], ignore_index=True)
    return masalah.sort_values(["set", "urut", "nomor_awal"], kind="stable")[["set", "teks", "kecuali"]]


def _hilang(cell: pd.DataFrame) -> pd.DataFrame:
    """The unanswered questions of a set's komponen, one problem: 'komponen nomor 7, 8 tidak dijawab'."""
    s, k = cell["set"].to_numpy(), cell["urut"].to_numpy()
    baru = np.ones(len(cell), dtype=bool)
    baru[1:] = (s[1:] != s[:-1]) | (k[1:] != k[:-1])  # the cells are in grid order
    awal = np.flatnonzero(baru)
    daftar = pyarrow.ListArray.from_arrays(np.append(awal, len(cell)).astype(np.int32),
                                           pyarrow.array(cell["nomor"], pyarrow.large_string()))
    nomor = pd.Series(pc.binary_join(daftar, pyarrow.scalar(", ", pyarrow.large_string())), dtype="str")
    first = cell.iloc[awal].reset_index(drop=True)
    return first.assign(teks=first["komponen"] + " nomor " + nomor + " tidak dijawab", kecuali=-1)


def _sebar(set_id: np.ndarray, masalah_set: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, problem) pair of a set with problems (`masalah_set`: the set of each problem, sorted): the
    row and the problem, each row's problems in their order."""
    per_set = np.bincount(masalah_set, minlength=set_id.max() + 1)
    mulai = np.cumsum(per_set) - per_set
    kena = np.flatnonzero(per_set[set_id] > 0)
    ulang = per_set[set_id[kena]]
    sebelum = np.cumsum(ulang) - ulang
    return np.repeat(kena, ulang), np.repeat(mulai[set_id[kena]] - sebelum, ulang) + np.arange(ulang.sum())
