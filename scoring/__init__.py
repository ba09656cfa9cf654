"""Pure scoring of cooperative health (penilaian kesehatan KSP/USP): DataFrames in, DataFrames out.

The names below are imported on first use, so that `scoring.errors` or `scoring.rulebook` alone (the command
line's checks) do not import the engine and pandas.
"""

from importlib import import_module

_HOME = {
    "ScoringResult": "scoring.engine", "score_reports": "scoring.engine",
    "InputFileError": "scoring.errors", "KoperasiSehatError": "scoring.errors", "RulebookError": "scoring.errors",
    "ScoringInputError": "scoring.errors",
    "Rulebook": "scoring.rulebook_format", "load_rulebook": "scoring.rulebook", "load_rulebook_file": "scoring.rulebook",
    "rulebooks": "scoring.rulebook",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    return getattr(import_module(_HOME[name]), name)
