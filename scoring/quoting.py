"""How a message quotes a value someone wrote, so that its end shows: in single quotes; in double quotes when it has
a single quote of its own ("Jl. Sei 'Kayan"); in typographic quotes when it has both (“2026-10'"x”). Pure Python,
imported by the command line's first checks (no pandas)."""

from __future__ import annotations

SINGLE, DOUBLE, BOTH = ("'", "'"), ('"', '"'), ("\u201c", "\u201d")  # opening and closing marks


def marks(text: str) -> tuple[str, str]:
    """The opening and closing marks of `text` (`SINGLE`, `DOUBLE` or `BOTH`)."""
    return BOTH if "'" in text and '"' in text else DOUBLE if "'" in text else SINGLE
