"""The typed rows of the input contract (data-contract §1): the Pandera models of the five input files, the
domain values they accept, and the row rules they run. `schemas.inputs` validates text frames against them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import pemeriksaan
from schemas.kuesioner import KOMPONEN_DALAM_RULEBOOK, NOMOR_DALAM_KOMPONEN
from schemas.rules import (
    KODE_WILAYAH,
    PERIODE_SEBELUM_KIRIM,
    REPORT_RULES,
    URUTAN_BERLAKU,
    RowRule,
)
from scoring.columns import ASET, EKUITAS, JUMLAH, KEWAJIBAN, LABA_RUGI, PINJAMAN
from scoring.rulebook import published_books, unscored_jenis
from scoring.rulebook_format import PERIODE

JENIS = tuple(dict.fromkeys([*(j for b in published_books().values() for j in b.jenis), *unscored_jenis()]))
WILAYAH_KEANGGOTAAN = ("kabupaten_kota", "provinsi", "nasional")
# the longest a kabupaten/kota's name may be: the longest in Indonesia has 42 characters ("Kepulauan Siau Tagulandang
# Biaro"; with "Kabupaten " 52); a longer one is a cell pasted wrong, which every summary, message and sheet that names
# areas would print whole (a name of 2,000 characters: hostile trial)
NAMA_WILAYAH_MAKS = 100
KOMPONEN_KUESIONER = tuple(dict.fromkeys(k.id for b in published_books().values() for k in b.komponen
                                          if k.kuesioner and k.masukan == "kuesioner"))
INDIKATOR_PEMERIKSAAN = tuple(pemeriksaan.butir_per_indikator())
KODE_FAKTOR = tuple(dict.fromkeys(code for b in published_books().values() for code in b.faktor_kode))
JAWABAN = ("ya", "tidak")
TANDA_TEKS = "'"  # Excel's mark of a cell typed as text, written into the file with the value
# a number as a spreadsheet shows a long one in a General cell (6.50110E+14), its last digits lost
NOTASI_ILMIAH = r"[+-]?\d(?:[.,]\d+)?[eE]\+\d+"
NOTASI_ILMIAH_TEKS = ("dalam notasi ilmiah spreadsheet (digit terakhirnya hilang): format kolom nik sebagai Teks, "
                      "lalu tulis ulang nik-nya")
BOLEH_NEGATIF = ("shu_belum_dibagi",)


RULES = {a.name: a for a in (*REPORT_RULES, PERIODE_SEBELUM_KIRIM, KOMPONEN_DALAM_RULEBOOK, NOMOR_DALAM_KOMPONEN,
                              URUTAN_BERLAKU,
                              pemeriksaan.BUTIR_DALAM_INDIKATOR)}


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

    # a nik is opaque (data-contract §1.1), but these are what a spreadsheet made of one: read as themselves, a
    # registry's niks collided as duplicates and a report's were 'tidak terdaftar', the cause unsaid (hostile trial)
    @pa.check("nik", name="nik_bukan_notasi_ilmiah", error=f"ditulis {NOTASI_ILMIAH_TEKS}")
    def nik_bukan_notasi_ilmiah(cls, nik: pd.Series) -> pd.Series:
        return ~nik.str.fullmatch(NOTASI_ILMIAH)

    @pa.check("nik", name="nik_tanpa_petik", error=f"diawali tanda petik ({TANDA_TEKS}), tanda teks Excel yang ikut "
                                                  "tertulis: hapus tanda petiknya")
    def nik_tanpa_petik(cls, nik: pd.Series) -> pd.Series:
        return ~nik.str.startswith(TANDA_TEKS)


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
    kabupaten_kota: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": NAMA_WILAYAH_MAKS},
                                           description="name, e.g. Bulungan; at most NAMA_WILAYAH_MAKS characters")
    wilayah_keanggotaan: Series[str] = pa.Field(isin=WILAYAH_KEANGGOTAAN,
                                                description="membership area: decides who supervises")
    tanggal_badan_hukum: Series[pd.Timestamp] = pa.Field(description="date of legal entity; not in the future")
    tanggal_rat_terakhir: Series[pd.Timestamp] = pa.Field(nullable=True,
                                                          description="last annual members' meeting (RAT)")
    pendamping: Series[str] = pa.Field(nullable=True, description="field assistant assigned")

    @pa.check("kode_wilayah", name="kode_bps", error="harus kode BPS kabupaten/kota NN.NN, mis. 65.02")
    def kode_bps(cls, codes: pd.Series) -> pd.Series:
        """True for each kode_wilayah written as a BPS regency/city code NN.NN (e.g. 65.02)."""
        return codes.str.fullmatch(KODE_WILAYAH)



class Kuesioner(_Source):
    """One answer of a management questionnaire (data-contract §1.3). A set is the answers of one nik and
    tanggal; it holds every question of every questionnaire komponen of the book in force then, once."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    tanggal: Series[pd.Timestamp] = pa.Field(description="date the questionnaire was filled in")
    komponen: Series[str] = pa.Field(isin=KOMPONEN_KUESIONER, description="questionnaire component of the rulebook")
    nomor: Series[np.int64] = pa.Field(ge=1, description="question number, 1..n of the komponen in the rulebook")
    jawaban: Series[str] = pa.Field(isin=JAWABAN,
                                    description="the answer: ya or tidak (true/false and 1/0 are read too)")

    komponen_dalam_rulebook = _check(KOMPONEN_DALAM_RULEBOOK)
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


class Pemeriksaan(_Source):
    """One item of an examiner's checklist (optional input pemeriksaan/*): the Tata Kelola and KPMR checklists of the
    draft of the 2021 worksheet (KKPKK), which no monthly report holds. A set is the items of one nik and tanggal;
    each indikator it names has every butir once."""

    nik: Series[str] = pa.Field(str_length={"min_value": 1}, description="Nomor Induk Koperasi, in the registry")
    tanggal: Series[pd.Timestamp] = pa.Field(description="date of the examination; a period uses the latest set "
                                                         "dated at or before its last day")
    indikator: Series[str] = pa.Field(isin=INDIKATOR_PEMERIKSAAN,
                                      description="checklist indicator of the rulebook (kkpkk-2021-draft)")
    butir: Series[np.int64] = pa.Field(ge=1, description="item number, 1..n of the indikator in the rulebook")
    terpenuhi: Series[bool] = pa.Field(description="the item is met: ya or tidak (true/false and 1/0 are read too)")

    butir_dalam_indikator = _check(pemeriksaan.BUTIR_DALAM_INDIKATOR)
