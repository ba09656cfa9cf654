"""The rulebook format: the pydantic models a TOML book is validated by (bands, components, aspects, predicates,
the factors), and the rule that a band table covers every real number once. Loading and choosing books:
`scoring.rulebook`."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scoring.columns import JUMLAH

PERIODE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")  # ASCII digits: \d would take ２０２６ too
TANGGAL = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
Mode = Literal["table", "linear"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """An interval with explicit edges: gt (>), ge (>=), lt (<), le (<=)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None

    @model_validator(mode="after")
    def _one_edge_per_side(self) -> Band:
        if self.gt is not None and self.ge is not None:
            raise ValueError("a band has gt or ge, not both")
        if self.lt is not None and self.le is not None:
            raise ValueError("a band has lt or le, not both")
        return self

    @property
    def lower(self) -> tuple[float, bool] | None:
        """(edge, inclusive) of the lower side, None when open to -inf."""
        if self.ge is not None:
            return self.ge, True
        return None if self.gt is None else (self.gt, False)

    @property
    def upper(self) -> tuple[float, bool] | None:
        """(edge, inclusive) of the upper side, None when open to +inf."""
        if self.le is not None:
            return self.le, True
        return None if self.lt is None else (self.lt, False)

    def describe(self) -> str:
        """The band as the texts write it, e.g. 'x > 10 and x <= 20'; 'every x' when it has no edge."""
        parts = []
        if self.lower is not None:
            parts.append(f"x {'>=' if self.lower[1] else '>'} {self.lower[0]:g}")
        if self.upper is not None:
            parts.append(f"x {'<=' if self.upper[1] else '<'} {self.upper[0]:g}")
        return " and ".join(parts) or "every x"


class NilaiBand(Band):
    """A row of a component's table: the nilai (0-100) a value inside the band earns (rulebook.md §3)."""

    nilai: float = Field(ge=0, le=100)


class PredikatBand(Band):
    """A predicate (Sehat, Cukup Sehat, ...) and the band of total points that earns it (rulebook.md §6)."""

    nama: str


class Linear(_Strict):
    """nilai = clamp(awal + kemiringan * x, 0, 100), and 0 from x >= nol_mulai."""

    awal: float
    kemiringan: float
    nol_mulai: float | None = None


class PenyebutNol(_Strict):
    """What a component scores when its denominator is zero or negative (nilai None: it is not assessed)."""

    nilai: float | None = Field(default=None, ge=0, le=100)
    nilai_pembilang_positif: float | None = Field(default=None, ge=0, le=100)
    catatan: str


class Komponen(_Strict):
    """A component (indicator): a ratio of report quantities, a growth of one since the same month a year earlier,
    or a share of "ya" answers in a questionnaire or an examiner's checklist, banded by `tabel` (or, for the
    management questionnaire of the ksp books, its share itself)."""

    id: str
    nama: str
    bobot: float | None = Field(default=None, gt=0, description="weight in the total (penilaian 'bobot' only)")
    terverifikasi: bool
    sumber: str = Field(min_length=1, pattern=r"\S", description="where the table comes from (a short citation)")
    pertanyaan: int | None = Field(default=None, gt=0, description="questions (items) of a questionnaire component")
    masukan: Literal["kuesioner", "pemeriksaan"] = Field(
        default="kuesioner", description="where a questionnaire component's answers come from: the management "
                                         "questionnaire, or the examiner's checklist")
    pembilang: str | None = None
    penyebut: str | None = None
    pertumbuhan: bool = Field(default=False, description="growth of pembilang since the same month a year earlier, "
                                                         "in percent of last year's value (no penyebut)")
    disetahunkan: bool = False
    penyebut_nol: PenyebutNol | None = None
    tabel: list[NilaiBand] | None = None
    linear: Linear | None = None

    @model_validator(mode="after")
    def _kind(self) -> Komponen:
        if self.pertanyaan is not None:
            if any(f is not None for f in (self.pembilang, self.penyebut, self.penyebut_nol)) or self.linear \
                    or self.disetahunkan or self.pertumbuhan:
                raise ValueError("a questionnaire component (pertanyaan) has no ratio fields")
        elif self.pertumbuhan:
            if self.pembilang is None or self.penyebut is not None or self.penyebut_nol is None or not self.tabel:
                raise ValueError("a growth component (pertumbuhan) needs pembilang, penyebut_nol and tabel, "
                                 "and no penyebut")
        elif any(f is None for f in (self.pembilang, self.penyebut, self.penyebut_nol, self.tabel)):
            raise ValueError("a ratio component needs pembilang, penyebut, penyebut_nol and tabel")
        elif self.masukan != "kuesioner":
            raise ValueError("masukan is for questionnaire components (pertanyaan)")
        if self.tabel is not None:
            check_bands(self.tabel, "tabel")
        return self

    @property
    def kuesioner(self) -> bool:
        """Whether the component counts answers of a questionnaire or checklist (it has pertanyaan) rather than
        figures of the report."""
        return self.pertanyaan is not None

    @property
    def quantities(self) -> list[str]:
        """The report quantities the component reads."""
        return [q for q in (self.pembilang, self.penyebut) if q]


class Aspek(_Strict):
    """An aspect of a book: its weight in points of the total and its components (rulebook.md §2)."""

    id: str
    nama: str
    bobot: float = Field(gt=0)
    komponen: list[Komponen] = Field(min_length=1)

    def check_weights(self) -> None:
        """Under penilaian 'bobot', the components' weights add up to the aspect's."""
        missing = [k.id for k in self.komponen if k.bobot is None]
        if missing:
            raise ValueError(f"aspect {self.id}: components without bobot: {', '.join(missing)}")
        total = sum(k.bobot for k in self.komponen)
        if abs(total - self.bobot) > 1e-9:
            raise ValueError(f"component weights add up to {total:g}, not the aspect's {self.bobot:g}")


class Berlaku(_Strict):
    """The periods a book is in force (YYYY-MM, both ends included; an open end when None: rulebook.md §1)."""

    mulai: str | None = Field(default=None, pattern=PERIODE.pattern)
    sampai: str | None = Field(default=None, pattern=PERIODE.pattern)

    def covers(self, periode: str) -> bool:
        """Whether the YYYY-MM period is inside the book's period of force, both ends included."""
        return (self.mulai is None or self.mulai <= periode) and (self.sampai is None or periode <= self.sampai)


class TidakMelapor(_Strict):
    """The factor derived from the reporting history: no report in this many months in a row before a report."""

    kode: str
    bulan_berturut: int = Field(gt=0)


class TanpaAudit(_Strict):
    """The factor derived from a report: year-to-date volume pinjaman above this and the annual report unaudited."""

    kode: str
    volume_di_atas: int = Field(ge=0, description="Rupiah")


class FaktorTurunan(_Strict):
    """The downgrade factors the pipeline derives itself (rulebook.md §7), with their codes and thresholds."""

    tidak_melapor: TidakMelapor
    tanpa_audit: TanpaAudit


class DowngradeRules(_Strict):
    """The book's `[faktor_pengurang]` table (rulebook.md §7): the codes that lower the predicate one step, those
    that force `predikat_paksa`, and the factors the pipeline derives itself."""

    turun_satu_tingkat: list[str]
    predikat_paksa: str
    paksa: list[str]
    turunan: FaktorTurunan | None = None

    @property
    def kode(self) -> list[str]:
        """Every factor code of the book: those that lower the predicate one step, then those that force it."""
        return self.turun_satu_tingkat + self.paksa


class Skala(_Strict):
    """The nilai scale of a book scored by averages (penilaian 'rata_rata'): an indicator's skor is
    terbaik + terburuk - nilai, so the best nilai scores the most (KKPKK: nilai 1 best .. 4 worst, skor 5 - nilai)."""

    terbaik: float
    terburuk: float

    @property
    def skor_maks(self) -> float:
        """The most an indicator scores (the larger of the two ends of the scale)."""
        return max(self.terbaik, self.terburuk)


class Rulebook(_Strict):
    """A regulation's scoring rules as data. Two ways of adding up (rulebook.md §2, kkpkk-2021-draft.md):

    - penilaian 'bobot' (ksp books): component skor = nilai x bobot / 100, rounded; aspect = the sum of its
      components; total = the sum of the aspects.
    - penilaian 'rata_rata' (KKPKK): indicator skor = terbaik + terburuk - nilai; aspect percent = the sum of its
      assessed indicators' skor / (maximum skor x assessed indicators) x 100, weighted by the aspect's bobot;
      total = the sum of the weighted aspects when every aspect is assessed (else none: a partial view).
    """

    id: str
    dasar: str | None = None
    regulasi: str
    versi: str = Field(pattern=TANGGAL, description="date of the book's last change, YYYY-MM-DD")
    status: Literal["berlaku", "draft"] = Field(
        default="berlaku", description="a draft is never chosen by period, only on request, and never published as "
                                       "a month's score")
    jenis: list[str] = Field(min_length=1)
    berlaku: Berlaku
    mode: Mode
    penilaian: Literal["bobot", "rata_rata"] = "bobot"
    skala: Skala | None = None
    tanpa_jawaban: Literal["nol", "tidak_dinilai"] = Field(
        default="nol", description="a questionnaire component without answers: nilai 0 (ksp, rulebook.md §5) or "
                                   "not assessed")
    desimal_skor: int = Field(ge=0, le=6)
    besaran: dict[str, dict[str, float]]
    predikat: list[PredikatBand] = Field(min_length=2)
    aspek: list[Aspek] = Field(min_length=1)
    faktor_pengurang: DowngradeRules | None = None

    @field_validator("versi", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """A TOML date (versi = 2026-11-30, unquoted) reads as the same YYYY-MM-DD text."""
        return value.isoformat() if isinstance(value, date) else value

    @model_validator(mode="after")
    def _consistent(self) -> Rulebook:
        total = sum(a.bobot for a in self.aspek)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"aspect weights add up to {total:g}, not 100")
        if self.penilaian == "bobot":
            for aspek in self.aspek:
                aspek.check_weights()
        elif self.skala is None:
            raise ValueError("penilaian 'rata_rata' needs skala (terbaik, terburuk)")
        else:
            low, high = sorted((self.skala.terbaik, self.skala.terburuk))
            outside = [k.id for k in self.komponen for b in k.tabel or [] if not low <= b.nilai <= high]
            if outside or any(k.kuesioner and not k.tabel for k in self.komponen):
                raise ValueError(f"every indicator bands onto the skala {low:g}..{high:g} "
                                 f"(outside or without tabel: {', '.join(outside) or 'a questionnaire'})")
        ids = [k.id for k in self.komponen]
        if len(set(ids)) != len(ids):
            raise ValueError("component ids are not unique")
        check_bands(self.predikat[::-1], "predikat (listed best first)")
        for k in self.komponen:
            for name in k.quantities:
                fractional = [line for line, c in self.lines(name).items() if c != int(c)]
                if fractional:
                    raise ValueError(f"{name}: coefficients of {', '.join(fractional)} are not whole percents")
        if self.faktor_pengurang is not None:
            codes = self.faktor_pengurang.kode
            if len(set(codes)) != len(codes):
                raise ValueError("faktor_pengurang codes are not unique")
            if self.faktor_pengurang.predikat_paksa not in self.predikat_names:
                raise ValueError(f"predikat_paksa {self.faktor_pengurang.predikat_paksa!r} is not a predikat")
            derived = self.faktor_pengurang.turunan
            unknown = [f.kode for f in (derived.tidak_melapor, derived.tanpa_audit) if f.kode not in codes] \
                if derived else []
            if unknown:
                raise ValueError(f"derived factor code(s) {', '.join(unknown)} are not faktor_pengurang codes")
        return self

    @property
    def komponen(self) -> list[Komponen]:
        """The book's components, aspect by aspect in rulebook order: the order of indikator's rows."""
        return [k for a in self.aspek for k in a.komponen]

    @property
    def predikat_names(self) -> list[str]:
        """The book's predicates, best first (rulebook.md §6)."""
        return [p.nama for p in self.predikat]

    @property
    def sehat(self) -> str:
        """The best predicate (the office's target: the number of 'koperasi sehat')."""
        return self.predikat[0].nama

    @property
    def masukan(self) -> set[str]:
        """The answer inputs the book's questionnaire components read (kuesioner, pemeriksaan)."""
        return {k.masukan for k in self.komponen if k.kuesioner}

    @property
    def report_columns(self) -> list[str]:
        """The report columns the ratio components read, in contract order."""
        used = {line for k in self.komponen for name in k.quantities for line, c in self.lines(name).items() if c}
        return [c for c in JUMLAH if c in used]

    @property
    def faktor_kode(self) -> list[str]:
        """The book's faktor pengurang codes (rulebook.md §7); none for a book without them."""
        return [] if self.faktor_pengurang is None else self.faktor_pengurang.kode

    def lines(self, name: str, _path: tuple[str, ...] = ()) -> dict[str, float]:
        """A report column or besaran expanded into {report column: coefficient in percent}."""
        if name in JUMLAH:
            return {name: 100.0}
        if name not in self.besaran:
            raise ValueError(f"{name!r} is neither a report column nor a besaran")
        if name in _path:
            raise ValueError(f"besaran {name!r} refers to itself through {' -> '.join(_path)}")
        expanded: dict[str, float] = {}
        for part, coefficient in self.besaran[name].items():
            for line, inner in self.lines(part, _path + (name,)).items():
                expanded[line] = expanded.get(line, 0.0) + coefficient * inner / 100
        return expanded


def check_bands(bands: list[Band], where: str) -> None:
    """Bands, in ascending order, cover every real number exactly once."""
    if not bands:
        raise ValueError(f"{where}: no bands")
    if bands[0].lower is not None:
        raise ValueError(f"{where}: the first band ({bands[0].describe()}) must be open below")
    if bands[-1].upper is not None:
        raise ValueError(f"{where}: the last band ({bands[-1].describe()}) must be open above")
    for band in bands:  # with each edge shared by neighbours, the edges then go up
        low, up = band.lower, band.upper
        if low is not None and up is not None and (low[0] > up[0] or (low[0] == up[0] and not (low[1] and up[1]))):
            raise ValueError(f"{where}: band '{band.describe()}' holds no number (its edges must go up)")
    for below, above in zip(bands, bands[1:]):
        up, low = below.upper, above.lower
        if up is None or low is None or up[0] != low[0] or up[1] == low[1]:
            raise ValueError(
                f"{where}: bands '{below.describe()}' and '{above.describe()}' "
                "leave a gap or overlap (each edge must close one band and open the next)"
            )
