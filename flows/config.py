"""Every setting of the pipeline, once: a typed object read from the environment (prefix KOPERASI_SEHAT_),
and the fixed layout of the output folder.

Paths derive from the project root; `settings()` is what the CLI, the flow, the quality gate and the deployment
read. Each field's description is its documentation (`--help`, README "Settings").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.periode import WITA

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
ENV_PREFIX = "KOPERASI_SEHAT_"

# The layout of an output folder (a contract with the dashboards, not a setting).
WORK_DIR = "_kerja"  # per-run scratch folder
RUNS_DIR = "_runs"  # run manifests
LOCK_DIR = "_kunci"  # period locks
GX_DIR = "_gx"  # Great Expectations context: suites, validation history, Data Docs
COMMITTED = "SIAP_TERBIT"  # in a run's work folder: every table is staged, the swap may proceed
TIMEZONE = WITA  # Asia/Makassar: times without a zone are WITA (data contract)


class Settings(BaseSettings):
    """The pipeline's settings; each can be set by an environment variable KOPERASI_SEHAT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    input: Path = Field(default=DATA_DIR / "sample", description="landing folder read by a run")
    output: Path = Field(default=DATA_DIR / "output", description="output folder a run publishes to")
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
    max_parts: int = Field(default=8, ge=1, description="kabupaten/kota groups scored as separate tasks (fixed, so "
                                                         "every task runner splits alike)")
    max_file_bytes: int = Field(default=1 << 30, ge=1, description="largest input file read, in bytes (a larger one "
                                                                   "is named in the run summary and not read)")


@cache
def settings() -> Settings:
    """The settings of this process (environment read once)."""
    return Settings()


def documented() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) of every setting, for --help and the README."""
    def shown(value: object) -> str:
        return value.relative_to(PROJECT_ROOT).as_posix() if isinstance(value, Path) else str(value)

    return [(ENV_PREFIX + name.upper(), shown(field.default), field.description or "")
            for name, field in Settings.model_fields.items()]
