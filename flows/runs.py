"""What a monthly run is: its parameters, its id, and the small summaries its steps pass to each other (paths and
counts, never DataFrames: the steps read and write the run's work folder, `flows.catalog`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.catalog import RunFolder
from flows.config import RUN_TIME, TIMEZONE, settings
from scoring import load_rulebook
from scoring.rulebook_format import PERIODE, Mode


class RunParameters(BaseModel):
    """The parameters of one monthly run, validated."""

    model_config = ConfigDict(frozen=True)

    period: str = Field(pattern=PERIODE.pattern, description="the month to score, YYYY-MM")
    kabupaten: tuple[str, ...] = Field(default=(), description="only these kabupaten/kota (names); all if empty")
    input: Path = Field(default_factory=lambda: settings().input, description="landing folder")
    output: Path = Field(default_factory=lambda: settings().output, description="output folder")
    rulebook: str | None = Field(default=None, description="force a rulebook id; default: by period and jenis")
    mode: Mode | None = Field(default=None, description="table or linear; default: the rulebook's")
    max_quarantine_share: float = Field(default_factory=lambda: settings().max_quarantine_share, ge=0, le=1,
                                        description="publish only if quarantined / read report rows is below this")
    max_reporting_drop: float = Field(default_factory=lambda: settings().max_reporting_drop, ge=0, le=1,
                                      description="publish only if reporting cooperatives fell by at most this share")

    @field_validator("rulebook")
    @classmethod
    def _publishable_rulebook(cls, value: str | None) -> str | None:
        if value is not None and load_rulebook(value).status == "draft":
            raise ValueError(f"rulebook {value} adalah draf: tidak pernah menjadi skor bulanan yang diterbitkan; "
                             "bandingkan dengan `koperasi-sehat bandingkan`")
        return value

    def folder(self, run_id: str) -> RunFolder:
        """The run's work folder."""
        return RunFolder.of(self.output, run_id)


@dataclass
class PrepareSummary:
    """What was read and what became of it (report rows of the run's period)."""

    berkas_ditolak: list[str]
    berkas_tidak_dibaca: list[dict]  # every entry of the landing folder not read: sumber, alasan
    laporan_dibaca: int
    laporan_diterima: int
    laporan_dikarantina: int
    laporan_terganti: int
    laporan_periode_lain: int
    kuesioner_dibaca: int
    kuesioner_dikarantina: int
    faktor_dibaca: int
    faktor_dikarantina: int
    koperasi_dibaca: int
    koperasi_dikarantina: int
    koperasi_terdaftar: int  # valid registry rows: status_koperasi must have each once
    alasan_teratas: list[tuple[str, int]] = field(default_factory=list)
    berkas: list[dict] = field(default_factory=list)  # every input file: sumber, sha256, baris, format, galat, ...
    catatan_berkas: list[str] = field(default_factory=list)  # "sumber: what was cleaned" of the files read
    pemeriksaan_dibaca: int = 0  # examiners' checklist rows (optional input, read by `bandingkan`)
    pemeriksaan_dikarantina: int = 0
    # the checked shared inputs came from the cache: an earlier run of the same day, same files, settings and code
    masukan_umum_dari_cache: bool = False
    # the previous month's reporting cooperatives from the landing folder, when it is not published (else None): the
    # quality gate's baseline for the drop in reporting (`flows.monthly.check_quality`)
    melapor_sebelumnya_landing: int | None = None
    # the run's reporting cooperatives whose book scores the questionnaire (`schemas.kuesioner.questionnaire_scored`),
    # and those of them whose latest questionnaire set (by the period's end) is quarantined: their management aspect
    # is scored from an older set or is 0 (`latest_set_quarantined`; the quality gate's share)
    koperasi_kuesioner_dinilai: int = 0
    koperasi_kuesioner_dikarantina: int = 0
    koperasi_tanpa_kuesioner: int = 0  # of them, those without an accepted set by the period's end: management 0
    # when that is all of them: the accepted answers of theirs, each dated after the period's end (the others accepted
    # are other cooperatives'); else 0
    kuesioner_sesudah_periode: int = 0
    # the first quarantined row of each input table that has one ('<sumber> baris N (nik ...): reasons'), by table
    # (`prepare.QUARANTINE_EXAMPLES`; kuesioner: an answer of a cooperative the questionnaire share counts)
    contoh_karantina: dict[str, str] = field(default_factory=dict)
    # an area run: the period's report rows of no accepted registry row (nik not registered, or its row refused),
    # none of the area's: only a whole run quarantines them (they were in no count: hostile trial)
    laporan_tanpa_wilayah: int = 0
    # an area run: the other areas' cooperatives whose registry columns (`prepare.REGISTRY_PUBLISHED`) changed since
    # the month was published, republished as they were, in words ('' none)
    registri_berubah_wilayah_lain: str = ""


@dataclass
class ScoreSummary:
    """The counts of a part's or a month's scoring: cooperatives scored, reports no rulebook scores, and the counts
    per kabupaten/kota."""

    dinilai: int
    tidak_dinilai: int  # accepted reports that no rulebook scores (sharia)
    per_kabupaten: list[dict]


def new_run_id(period: str, now: datetime | None = None) -> str:
    """A run's id: its period and the moment it started in WITA (`now`, default the current time), e.g.
    2026-10_20261105T020000123456 (microseconds last)."""
    moment = (now or datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    return f"{period}_{moment.strftime(RUN_TIME)}"
