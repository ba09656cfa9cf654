"""Every error the project raises on purpose: errors a user can cause, each with a message meant for that user
(the CLI prints it as one line and exits with its code)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from schemas.contract import Problem


class KoperasiSehatError(Exception):
    """Base of every error the CLI reports as one line."""


class RulebookError(KoperasiSehatError):
    """A rulebook file is missing, unreadable or breaks a rule of the format."""


class ScoringInputError(KoperasiSehatError):
    """The frames handed to the engine lack a column or hold a value it cannot score."""


class InputFileError(KoperasiSehatError):
    """An input file cannot be read as a whole: unreadable, wrong encoding, missing columns."""


class SettingError(KoperasiSehatError):
    """An environment variable KOPERASI_SEHAT_* holds a value its setting does not accept (the CLI exits with 2)."""


class PeriodLockedError(KoperasiSehatError):
    """Another run is writing the same period."""


class QualityGateError(KoperasiSehatError):
    """The outputs of the period failed expectations: nothing was published."""


class ParameterError(KoperasiSehatError):
    """A run parameter or the environment is wrong (the CLI exits with code 2)."""


class ServerError(ParameterError):
    """The local Prefect server could not be started (the environment: exit code 2)."""


class OutputContractError(KoperasiSehatError):
    """An output frame breaks its table's contract: missing/extra column, wrong type, null, value out of range."""

    def __init__(self, table: str, problems: Sequence[Problem]) -> None:
        self.table = table
        self.problems = list(problems)
        super().__init__(f"output table {table} breaks its contract: " + "; ".join(p.describe() for p in problems))


class PublishedOutputError(KoperasiSehatError):
    """A published partition of the output folder cannot be read as its table: a file no run wrote, a file that
    is not readable Parquet, or one without a column of the contract."""


class AmbiguousName(ParameterError):
    """A name fragment matches several cooperatives: `matches` lists them (nik, nama, kabupaten_kota, predikat)."""

    def __init__(self, message: str, matches: pd.DataFrame) -> None:
        super().__init__(message)
        self.matches = matches
