"""Row rules of the input contract that compare columns (data-contract §1.2): each becomes a Pandera dataframe check
of a model, and words the reason it gives; and the registry's rule across rows (one name per kode_wilayah)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pdr

from schemas.parsing import Reasons, quote, quoted
from scoring.columns import ASET, EKUITAS, KEWAJIBAN
from scoring.texts import format_number

KODE_WILAYAH = r"[0-9]{2}\.[0-9]{2}"  # BPS code of a kabupaten/kota (ASCII digits)
TOLERANSI_MIN, TOLERANSI_BAGI = 1_000, 10_000  # Rp 1,000 or 0.01% (1/10,000) of total_aset, the larger
TOTAL_KEWAJIBAN = tuple(c for c in KEWAJIBAN if c != "kewajiban_lancar")  # kewajiban_lancar is a subtotal
PINJAMAN_DIBERIKAN = ("pinjaman_anggota", "pinjaman_non_anggota")
KOLEKTIBILITAS = ("pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet")
# the asset lines that add up to total_aset; a leading '-' marks a line that is deducted
RINCIAN_ASET = tuple(f"-{c}" if c == "penyisihan_penghapusan_pinjaman" else c for c in ASET if c != "total_aset")


@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row, of an input model or an output table: `holds` says where it holds
    (a missing operand: holds), `reason` words the reason for rows where it does not (input rules; an output
    rule's name says it). `columns` are the columns it reads."""

    name: str
    columns: tuple[str, ...]
    holds: Callable[[pd.DataFrame], pd.Series]
    reason: Callable[[pd.DataFrame], pd.Series] | None = None

    @property
    def check(self) -> pdr.Check:
        """The rule as a Pandera dataframe check named after it."""
        return pdr.Check(self.holds, name=self.name, error=self.name)


def _rupiah(values: pd.Series) -> pd.Series:
    """Whole Rupiah as the office writes them: 1.234.567."""
    return format_number(values, 0)


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
        text = (f"{title}: {left_label} " + _rupiah(a) + (" != " if equal else " > ") + f"{right_label} "
                + _rupiah(b))

        if equal:
            text = text + " (selisih " + _rupiah((a - b).abs()) + "; toleransi " + _rupiah(
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


def one_name_per_code(typed: pd.DataFrame, reasons: Reasons) -> None:
    """Every kode_wilayah has one kabupaten_kota name (the regional summary has one row per code): a row whose
    name is not the one most rows of its code use is rejected, naming that name and how many rows use it; when
    the most used names are used equally often, none can be told right and every row of the code is rejected."""
    rows = typed[typed["kode_wilayah"].str.fullmatch(KODE_WILAYAH).to_numpy(dtype=bool)
                 & typed["kabupaten_kota"].ne("").to_numpy(dtype=bool)]
    counts = rows.groupby(["kode_wilayah", "kabupaten_kota"], sort=True).size()
    names = counts.groupby(level=0).size()
    for code in names[names > 1].index:
        used = counts[code].sort_values(ascending=False, kind="stable")
        top = used[used == used.iloc[0]]
        of_code = rows[rows["kode_wilayah"] == code]
        if len(top) == 1:
            usual, times = top.index[0], int(top.iloc[0])
            odd = of_code[of_code["kabupaten_kota"] != usual]
            text = ("kabupaten_kota: " + quoted(odd["kabupaten_kota"]) + f" tidak sama dengan nama kode_wilayah {code} "
                    f"di {times} baris lain: {quote(usual)}")
        else:
            odd = of_code
            listed = ", ".join(f"{quote(name)} ({n} baris)" for name, n in used.items())
            text = pd.Series(f"kabupaten_kota: kode_wilayah {code} ditulis dengan nama berbeda yang sama seringnya: "
                             f"{listed}; tulis satu nama", index=odd.index)
        reasons.add(odd.index.to_numpy(), text.to_numpy(dtype=object), "kabupaten_kota")


def numbered_within(name: str, columns: tuple[str, ...], group: str, number: str,
                    count: Callable[[pd.DataFrame], pd.Series]) -> RowRule:
    """The rule that a row's `number` is one of its `group`'s: 1..n, n = `count(frame)` per row (NaN: the group has
    no numbers, another rule names it). A questionnaire's nomor in its komponen, a checklist's butir in its
    indikator."""
    def holds(frame: pd.DataFrame) -> pd.Series:
        n, value = count(frame), frame[number].astype("float64")
        return n.isna() | value.isna() | (value <= n)

    def reason(frame: pd.DataFrame) -> pd.Series:
        n = count(frame).astype("int64").astype("str")
        return (f"{number}: harus 1 sampai " + n + " untuk " + frame[group] + " (nilai: "
                + frame[number].astype("str") + ")")

    return RowRule(name, columns, holds, reason)

