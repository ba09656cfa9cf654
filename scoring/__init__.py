"""Pure scoring of cooperative health (penilaian kesehatan KSP/USP): DataFrames in, DataFrames out."""

from scoring.engine import ScoringResult, score_reports
from scoring.errors import InputFileError, KoperasiSehatError, RulebookError, ScoringInputError
from scoring.rulebook import Rulebook, load_rulebook, load_rulebook_file, rulebook_for_period, rulebooks

__all__ = [
    "InputFileError", "KoperasiSehatError", "Rulebook", "RulebookError", "ScoringInputError", "ScoringResult",
    "load_rulebook", "load_rulebook_file", "rulebook_for_period", "rulebooks", "score_reports",
]
