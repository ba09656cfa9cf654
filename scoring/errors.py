"""Errors a user can cause, with a message meant for that user."""

from __future__ import annotations


class KoperasiSehatError(Exception):
    """Base of every error the CLI reports as one line."""


class RulebookError(KoperasiSehatError):
    """A rulebook file is missing, unreadable or breaks a rule of the format."""


class ScoringInputError(KoperasiSehatError):
    """The frames handed to the engine lack a column or hold a value it cannot score."""


class InputFileError(KoperasiSehatError):
    """An input file cannot be read as a whole: unreadable, wrong encoding, missing columns."""
