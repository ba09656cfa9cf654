"""How a message quotes a value someone wrote, so that its end shows: in single quotes; in double quotes when it has
a single quote of its own ("Jl. Sei 'Kayan"); in typographic quotes when it has both (“2026-10'"x”); and a value
too long to show whole by its start and length. Pure Python, imported by the command line's first checks (no
pandas)."""

from __future__ import annotations

SINGLE, DOUBLE, BOTH = ("'", "'"), ('"', '"'), ("\u201c", "\u201d")  # opening and closing marks
SHOWN_START = 60  # characters of a text too long to show whole that are shown (`shortened`)
QUOTED_MAKS = 100  # characters of a value a reason or message quotes whole (a cell of 2,000 made a reason of 2,000,
# a row's feedback cells of 88,000: hostile trial; the row stays whole in the karantina's `data`)


def marks(text: str) -> tuple[str, str]:
    """The opening and closing marks of `text` (`SINGLE`, `DOUBLE` or `BOTH`)."""
    return BOTH if "'" in text and '"' in text else DOUBLE if "'" in text else SINGLE


def shortened(text: str) -> str:
    """A text too long to show whole (a cell too long to be a value, a value a reason quotes): its first
    SHOWN_START characters and its length, '9x9x… (2.000 karakter)'."""
    count = f"{len(text):,}".replace(",", ".")  # 2.000, as the office writes it
    return f"{text[:SHOWN_START]}… ({count} karakter)"

def fitting(text: str) -> str:
    """`text` whole up to QUOTED_MAKS characters, else `shortened`."""
    return text if len(text) <= QUOTED_MAKS else shortened(text)
