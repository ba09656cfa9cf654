"""The province's time zone and the digits a clerk may type in another script: what the command line reads
before the readers and pandas are imported (`schemas.periode` reads months and times with them)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")  # UTC+8, Kalimantan Utara: times without a zone are WITA (data contract)
_DIGIT = re.compile(r"\d")  # a decimal digit of any script (Unicode category Nd)


def current_period(now: datetime | None = None) -> str:
    """The month (YYYY-MM) of `now` (default: this moment) in WITA: no report of a later month can exist yet. A naive
    `now` is taken as WITA already."""
    moment = now or datetime.now(WITA)
    return f"{moment.astimezone(WITA) if moment.tzinfo else moment:%Y-%m}"


def ascii_digits(text: str) -> str:
    """Every decimal digit written in another script (full-width ５, Arabic-Indic ٥, Devanagari ५...) as the ASCII
    digit it is: such a digit has exactly one value (its Unicode digit value), so nothing is guessed."""
    return _DIGIT.sub(lambda digit: str(unicodedata.digit(digit.group())), text) if not text.isascii() else text
