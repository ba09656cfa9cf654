"""Every setting of the pipeline, once: a typed object read from the environment (prefix KOPERASI_SEHAT_),
and the fixed layout of the output folder.

Paths derive from the project root in a source checkout; an installed package (`pip install .`) never reads or
writes beside its code: it has no default landing folder, and its default output is the user's data folder
(platformdirs). `settings()` is what the CLI, the flow, the quality gate and the deployment read. Each field's
description is its documentation (`--help`, README "Settings").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import annotated_types
from platformdirs import user_data_path
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.periode import WITA
from scoring.errors import SettingError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SOURCE_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()  # not an installed package in site-packages
ENV_PREFIX = "KOPERASI_SEHAT_"
APP_NAME = "koperasi-sehat"

# The layout of an output folder (a contract with the dashboards, not a setting).
WORK_DIR = "_kerja"  # per-run scratch folder, staged tables included
RUNS_DIR = "_runs"  # run manifests
PUBLISHED_DIR = "_terbit"  # per period: the run whose tables are published, written after the last swap
REPORTS_DIR = "laporan"  # per period, `laporan/periode=YYYY-MM/`: the documents the office hands around
REJECTED_DIR = "_ditolak"  # per blocked run: its karantina and summary, for the analyst to read
LOCK_DIR = "_kunci"  # period locks
GX_DIR = "_gx"  # Great Expectations context: suites, validation history, Data Docs
COMMITTED = "SIAP_TERBIT"  # in a run's work folder: every table is staged, the swap may proceed
TIMEZONE = WITA  # Asia/Makassar: times without a zone are WITA (data contract)


def _default_input() -> Path | None:
    sample = DATA_DIR / "sample"
    return sample if SOURCE_CHECKOUT and sample.is_dir() else None


def _default_output() -> Path:
    return DATA_DIR / "output" if SOURCE_CHECKOUT else user_data_path(APP_NAME, appauthor=False) / "output"


class Settings(BaseSettings):
    """The pipeline's settings; each can be set by an environment variable KOPERASI_SEHAT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    input: Path | None = Field(default_factory=_default_input,
                               description="landing folder read by a run (an installed package has none: give "
                                           "--input)")
    output: Path = Field(default_factory=_default_output,
                         description="output folder a run publishes to (an installed package: the user's data "
                                     "folder)")
    max_quarantine_share: float = Field(
        default=0.10, ge=0, le=1,
        description="quality gate: publish only if quarantined / read report rows of the period is below this share")
    max_reporting_drop: float = Field(
        default=0.20, ge=0, le=1,
        description="quality gate: publish only if reporting cooperatives fell by at most this share since the "
                    "previous period")
    cron: str = Field(default="0 2 5 * *", description="schedule of the monthly deployment, in WITA: 02:00 on the 5th "
                                                       "scores the month before")
    deployment: str = Field(default="bulanan", description="name of the served deployment")
    server_port: int = Field(default=4200, ge=1, le=65535,
                             description="port of the Prefect server (API and UI on 127.0.0.1) that `serve` starts "
                                         "when PREFECT_API_URL is not set")
    server_idle_minutes: int = Field(
        default=60, ge=0, description="minutes without a run after which the background server (the local Prefect "
                                      "server and the process that runs each `run`, when PREFECT_API_URL is not set) "
                                      "stops by itself; 0: after each run")
    summary_rows: int = Field(default=10, ge=1, description="kabupaten/kota rows in the console summary of a run "
                                                            "(most cooperatives first; the province always)")
    max_parts: int = Field(default=8, ge=1, description="kabupaten/kota groups scored as separate tasks (fixed, so "
                                                         "every task runner splits alike)")
    max_file_bytes: int = Field(default=1 << 30, ge=1, description="largest input file read, in bytes, also once "
                                                                   "decompressed (a workbook's parts; a Parquet file's "
                                                                   "data and the text of its dictionary columns); a "
                                                                   "larger one is named in the run summary and not read")
    max_file_cells: int = Field(default=20_000_000, ge=1, description="most cells (rows x columns read) of one input "
                                                                      "file; a larger one is named in the run summary "
                                                                      "and not read")
    # From scores to action (issue 14): the pure computations in scoring/ take these as parameters.
    warning_margin: float = Field(
        default=2.0, ge=0, description="peringatan_dini: warn when the total is at most this many points above the "
                                       "lower edge of its predicate and has been falling (see falling_periods)")
    falling_periods: int = Field(
        default=3, ge=1, description="peringatan_dini: the total must have fallen this many periods in a row (each "
                                     "month lower than the one before) for the near-the-edge warning")
    rat_warning_months: int = Field(
        default=3, ge=1, description="peringatan_dini: warn when, without a new RAT, a cooperative becomes tidak "
                                     "aktif within this many months")
    silent_months: int = Field(
        default=3, ge=1, description="months without a report that count as silent: the top level of the "
                                     "not-reporting warning, and a reason that puts a cooperative on daftar_prioritas")
    min_peers: int = Field(
        default=5, ge=3, description="persentil_sejawat: smallest peer group (same jenis and asset tier, with a "
                                     "ratio) given a percentile and a median; at least 3 (in a group of 2 the "
                                     "median reveals the other member's ratio)")
    visits_per_pendamping: int = Field(
        default=10, ge=1, description="daftar_prioritas: cooperatives one pendamping can visit in a month; beyond "
                                      "it a visit is marked outside capacity and no pendamping is suggested")
    priority_members_per_step: int = Field(
        default=10_000, ge=1, description="daftar_prioritas: members (jumlah_anggota) that weigh as much as one "
                                          "predicate step in the priority score, the most the members part adds")
    worklist_top_n: int = Field(
        default=10, ge=1, description="daftar_prioritas rows per kabupaten/kota shown in the run's Prefect artifact "
                                      "and in the report (laporan)")
    deadline_day: int = Field(
        default=10, ge=1, le=28, description="mutu_pelaporan: a report is on time when first sent by the end of "
                                             "this day of the next month (WITA)")
    reporting_quality_months: int = Field(
        default=12, ge=1, description="mutu_pelaporan: months of the window, ending with the run's period")
    # What the office hands around (issue 15): flows.handouts renders the period's workbook, report and cards.
    target_healthy_percent: float = Field(
        default=50.0, ge=0, le=100, description="laporan: the office's target for the percent of scored "
                                                "cooperatives that are Sehat, drawn on the report's trend")
    trend_periods: int = Field(
        default=12, ge=2, description="laporan: published periods (the period and those before it) in the report's "
                                      "trend and in a card's score history")
    movers: int = Field(
        default=10, ge=1, description="laporan: cooperatives the report lists among the largest rises and among the "
                                      "largest falls of the total score since the previous period")


    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: object) -> object:
        if value == "":
            raise ValueError("kosong")
        return value


@cache
def settings() -> Settings:
    """The settings of this process (environment read once); SettingError, in one line, naming each variable
    whose value is not accepted and what it accepts."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingError("; ".join(_wrong_setting(e) for e in error.errors())) from None


def defaults() -> Settings:
    """The settings, or when the environment holds a value that is not accepted, the defaults (so that the CLI can
    be built and then say what is wrong, `settings()`)."""
    try:
        return settings()
    except SettingError:
        return Settings.model_construct()


def _wrong_setting(error: dict) -> str:
    name = str(error["loc"][0]) if error["loc"] else ""
    given = error.get("input")
    return f"{ENV_PREFIX}{name.upper()}={given!r} tidak sah: harus {accepted(name)}"


def accepted(name: str) -> str:
    """What a setting accepts, in words: 'bilangan bulat 1 atau lebih', 'angka 0 sampai 1'."""
    field = Settings.model_fields.get(name)
    if field is None:
        return "nilai yang sah"
    kind = {int: "bilangan bulat", float: "angka", str: "teks"}.get(field.annotation, "path folder")
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
    if low is not None and high is not None:
        return f"{kind} {low} sampai {high}"
    return f"{kind} {low} atau lebih" if low is not None else kind


def shown(value: object) -> str:
    """A setting's value as the README and --help show it (paths of the checkout relative to it)."""
    if isinstance(value, Path) and value.is_relative_to(PROJECT_ROOT):
        return value.relative_to(PROJECT_ROOT).as_posix()
    return "-" if value is None else str(value)


def documented() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) of every setting, for --help and the README."""
    return [(ENV_PREFIX + name.upper(), shown(field.get_default(call_default_factory=True)), field.description or "")
            for name, field in Settings.model_fields.items()]
