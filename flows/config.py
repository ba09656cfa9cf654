"""Every setting of the pipeline, once: a typed object read from the environment (prefix KOPERASI_SEHAT_),
and the fixed layout of the output folder.

Paths derive from the project root in a source checkout; an installed package (`pip install .`) never reads or
writes beside its code: it has no default landing folder, and its default output is the user's data folder
(platformdirs). `settings()` is what the CLI, the flow, the quality gate and the deployment read. Every setting is
declared once, as data, in `settings.toml` (type, default, bounds, and the description that is its documentation:
`--help`, README "Settings"); `Settings` is built from it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

import annotated_types
from platformdirs import user_data_path
from pydantic import (BaseModel, ConfigDict, Field, RootModel, StrictBool, StrictFloat, StrictInt, StrictStr,
                      ValidationError, ValidationInfo, create_model, field_validator, model_validator)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.wita import WITA
from scoring.errors import SettingError
from scoring.rulebook import load_data_file

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


def published_record(output: Path, periode: str) -> Path:
    """The period's record of publication, `<output>/_terbit/<periode>.json`: the run whose tables make the period."""
    return Path(output) / PUBLISHED_DIR / f"{periode}.json"


def published_run(output: Path, periode: str) -> dict:
    """The period's record of publication (run_id, manifest, tabel, laporan); empty when the period has none, or
    one that cannot be read as a record."""
    try:
        record = json.loads(published_record(output, periode).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


WITA_TIME = "%Y-%m-%d %H:%M:%S WITA"  # a time the background server shows, in its log and `server status`
RUN_TIME = "%Y%m%dT%H%M%S%f"  # a run id is `<periode>_<its start in WITA, so written>` (`flows.runs.new_run_id`)


def run_period(run_id: str) -> str:
    """The period a run id (or a run's work folder name) is of: `<periode>_...`."""
    return run_id.split("_", 1)[0]


def run_started(run_id: str) -> float | None:
    """When the run `run_id` started, in seconds since the epoch; None for an id not made by `new_run_id`."""
    try:
        return datetime.strptime(run_id.split("_", 1)[1], RUN_TIME).replace(tzinfo=TIMEZONE).timestamp()
    except (IndexError, ValueError):
        return None


def _default_input() -> Path | None:
    sample = DATA_DIR / "sample"
    return sample if SOURCE_CHECKOUT and sample.is_dir() else None


def _default_output() -> Path:
    return DATA_DIR / "output" if SOURCE_CHECKOUT else user_data_path(APP_NAME, appauthor=False) / "output"


SETTINGS_FILE = Path(__file__).parent / "settings.toml"
TYPES = {"int": int, "float": float, "bool": bool, "str": str, "path": Path, "path or none": Path | None}
DEFAULT_FACTORIES = {"input": _default_input, "output": _default_output}  # the defaults settings.toml leaves out
Number = StrictInt | StrictFloat


class Declared(BaseModel):
    """One setting as `settings.toml` declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["int", "float", "bool", "str", "path", "path or none"]
    default: StrictBool | Number | StrictStr | None = None
    ge: Number | None = None
    le: Number | None = None
    description: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Declared:
        numeric = self.type in ("int", "float")
        if not numeric and (self.ge is not None or self.le is not None):
            raise ValueError(f"ge and le bound a number, not a {self.type}")
        if self.default is None:
            return self
        if "path" in self.type:
            raise ValueError("a path's default is computed in flows/config.py (DEFAULT_FACTORIES)")
        if type(self.default) is not TYPES[self.type]:
            raise ValueError(f"default {self.default!r} is not of type {self.type}")
        if numeric and ((self.ge is not None and self.default < self.ge)
                        or (self.le is not None and self.default > self.le)):
            raise ValueError(f"default {self.default!r} is outside its bounds")
        return self


class Declarations(RootModel[dict[str, Declared]]):
    """Every setting by name, in order; a default in the file or computed here (`DEFAULT_FACTORIES`), not both."""

    @model_validator(mode="after")
    def _defaults(self) -> Declarations:
        for name, setting in self.root.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"setting name {name!r}: lowercase letters, digits and _")
            if (setting.default is None) != (name in DEFAULT_FACTORIES):
                raise ValueError(f"{name}: a default in the file or in DEFAULT_FACTORIES, one of the two")
        return self


def declared(path: Path = SETTINGS_FILE) -> dict[str, Declared]:
    """The settings `path` declares, by name in order (RulebookError naming what is malformed)."""
    return load_data_file(path, Declarations).root


def _field(name: str, setting: Declared) -> tuple[object, FieldInfo]:
    default = ({"default_factory": DEFAULT_FACTORIES[name]} if setting.default is None
               else {"default": setting.default})
    bounds = {key: value for key, value in (("ge", setting.ge), ("le", setting.le)) if value is not None}
    return TYPES[setting.type], Field(**default, **bounds, description=setting.description)


class SettingsBase(BaseSettings):
    """What every setting shares: read from KOPERASI_SEHAT_<NAME>, frozen, an empty variable not accepted."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _not_empty(cls, value: object, info: ValidationInfo) -> object:
        if value == "":
            raise ValueError("kosong")
        return decimal(value) if cls.model_fields[info.field_name].annotation is float else value


def decimal(value: object) -> object:
    """A number as Indonesian writes it, a decimal comma ('0,5'), as Python reads it ('0.5'); any other value (a
    dot, a thousands dot with a comma: '1.234,5') as it is ('0,5' was refused: fresh-clone trial)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d*,\d+\s*", value):
        return value.replace(",", ".")
    return value


def decimal_shown(value: float) -> str:
    """A number as Indonesian writes it, for --help (0,1): the command imports no numpy (`scoring.texts`)."""
    return (f"{value:.15f}".rstrip("0").rstrip(".") or "0").replace(".", ",")  # never 5e-05


Settings = create_model(
    "Settings", __base__=SettingsBase, __module__=__name__,
    __doc__="The pipeline's settings; each can be set by an environment variable KOPERASI_SEHAT_<NAME>.",
    **{name: _field(name, setting) for name, setting in declared().items()})


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
    variable = f"{ENV_PREFIX}{name.upper()}"
    given = os.environ.get(variable, error.get("input"))  # as written: '1,5', not the '1.5' read (review)
    return f"{variable}={given!r} tidak sah: harus {accepted(name)}"


def accepted(name: str) -> str:
    """What a setting accepts, in words: 'bilangan bulat 1 atau lebih', 'angka 0 sampai 1'."""
    field = Settings.model_fields.get(name)
    if field is None:
        return "nilai yang sah"
    kind = {int: "bilangan bulat", float: "angka", bool: "true atau false", str: "teks"}.get(field.annotation,
                                                                                          "path folder")
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
    if low is not None and high is not None:
        return f"{kind} {low} sampai {high}"
    return f"{kind} {low} atau lebih" if low is not None else kind


def shown(value: object) -> str:
    """A setting's value as the README and --help show it (paths of the checkout relative to it)."""
    if isinstance(value, Path) and value.is_relative_to(PROJECT_ROOT):
        return value.relative_to(PROJECT_ROOT).as_posix()
    if isinstance(value, bool):
        return str(value).lower()
    return "-" if value is None else str(value)


def documented() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) of every setting, for --help and the README."""
    return [(ENV_PREFIX + name.upper(), shown(field.get_default(call_default_factory=True)), field.description or "")
            for name, field in Settings.model_fields.items()]
