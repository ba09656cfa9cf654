"""What every cell and header name becomes before anything is checked: the characters a person cannot see removed,
digits of other scripts read as the digits they are, a cell too long to be a value shortened (its row is then
quarantined); and a file's header matched to the contract's columns.

Removed from every cell: format characters (Unicode category Cf: zero-width space, BOM, word joiner, bidi marks),
control characters (Cc: NUL, ESC, DEL...) other than tab and line breaks, and the other characters Unicode renders
as nothing (Default_Ignorable_Code_Point: the combining grapheme joiner U+034F, Hangul fillers U+3164 and U+FFA0,
variation selectors U+FE00..U+FE0F, tags) and the blank Braille pattern U+2800; other spaces (no-break, ideographic)
become a plain space. Identifiers and codes (every column but the free text of `FREE_TEXT`) and header names also
lose tabs, line breaks, line and paragraph separators (Zl, Zp) and combining marks (Mn, Me), and have digits of
other scripts (full-width ５, Arabic-Indic ٥: category Nd, each with one value) rewritten 0-9.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import islice

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flows.ingest.walk import shown
from schemas.wita import ascii_digits
from scoring.errors import InputFileError
from scoring.texts import number

FREE_TEXT = ("nama", "kabupaten_kota", "pendamping", "keterangan")  # names and notes: marks and line breaks kept
LONGEST_CELL = 2_000  # characters: no value of the contract is longer; a longer cell quarantines its row
_SHOWN_CELLS = 5  # cleaned cells a file's entry names
_SHOWN_COLUMNS = 3  # columns of each kind the short reason of a sheet not read names
TITLE_ROWS = 10  # rows (lines) under a first row that is not the header looked at for the columns' names
TITLE_SHOWN = 40  # characters of such a row quoted
# Default_Ignorable_Code_Point ranges outside Cf and Cc (Unicode 15), and the blank Braille pattern
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2060, 0x206F),
              (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
              (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}"  # Cc but tab, line feed and carriage return
_INVISIBLE = "[\\p{Cf}" + _CONTROLS + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in _IGNORABLE) + "]"
_IN_IDENTIFIERS = r"[\t\n\r\p{Zl}\p{Zp}\p{Mn}\p{Me}]"  # also removed from identifiers and codes


def _invisible(character: str, identifier: bool = True) -> bool:
    """The character is removed (see the module); the same set as `_INVISIBLE` (and `_IN_IDENTIFIERS`)."""
    code, category = ord(character), unicodedata.category(character)
    if category == "Cf" or (category == "Cc" and character not in "\t\n\r"):
        return True
    if any(a <= code <= b for a, b in _IGNORABLE):
        return True
    return identifier and (character in "\t\n\r" or category in ("Zl", "Zp", "Mn", "Me"))


def clean_name(text: str) -> str:
    """A header name as an identifier: invisible characters removed, other spaces plain, trimmed."""
    if text.isascii() and text.isprintable():  # nothing to remove, the only space is a plain one
        return text.strip()
    return "".join("" if _invisible(c) else " " if unicodedata.category(c) == "Zs" else c for c in text).strip()


def clean_cells(column: pa.ChunkedArray, identifier: bool) -> tuple[pa.ChunkedArray, np.ndarray, np.ndarray]:
    """A text column trimmed and cleaned (see the module); which cells lost characters a person cannot see, and
    which had digits of another script rewritten 0-9. Only cells with a character outside printable ASCII are
    looked at closely."""
    trimmed = pc.utf8_trim_whitespace(column)
    unusual = np.logical_not(pc.ascii_is_printable(trimmed).to_numpy(zero_copy_only=False))
    none = np.zeros(len(unusual), dtype=bool)
    if not unusual.any():
        return trimmed, none, none
    clean = pc.replace_substring_regex(trimmed, pattern=_INVISIBLE, replacement="")
    if identifier:
        clean = pc.replace_substring_regex(clean, pattern=_IN_IDENTIFIERS, replacement="")
    clean = pc.utf8_trim_whitespace(pc.replace_substring_regex(clean, pattern=r"[\p{Zs}\p{Zl}\p{Zp}]",
                                                                replacement=" "))
    changed = pc.not_equal(clean, trimmed).to_numpy(zero_copy_only=False).astype(bool)
    digits = none
    if identifier:
        foreign = pc.and_(pc.invert(pc.string_is_ascii(clean)), pc.match_substring_regex(clean, pattern=r"\p{Nd}"))
        maybe = np.flatnonzero(np.asarray(foreign.to_numpy(zero_copy_only=False), dtype=bool))
        if len(maybe):  # a digit, and some character not ASCII: a digit of another script, or only a dash (2026‑10)
            text = np.asarray(clean.to_numpy(zero_copy_only=False), dtype=object)
            written = [ascii_digits(t) for t in text[maybe]]
            digits = none.copy()
            digits[maybe] = [w != t for w, t in zip(written, text[maybe], strict=True)]
            text[maybe] = written
            clean = pa.chunked_array([pa.array(text, pa.large_string())])
    return clean, changed, digits


def long_cells(column: pa.ChunkedArray) -> np.ndarray:
    """The cells longer than LONGEST_CELL characters."""
    if len(column) == 0 or (pc.max(pc.binary_length(column)).as_py() or 0) <= LONGEST_CELL:
        return np.zeros(len(column), dtype=bool)
    return np.asarray(pc.greater(pc.utf8_length(column), LONGEST_CELL).to_numpy(zero_copy_only=False), dtype=bool)


def too_long(column: str, length: int) -> str:
    """The reason of a cell too long to be a value."""
    return (f"{column}: sel berisi {number(length, 0)} karakter, lebih dari {number(LONGEST_CELL, 0)} karakter sebuah "
            "nilai; isinya tidak dibaca")


def cleaning_text(cleaned: list[str], digits: list[str]) -> str | None:
    """What was cleaned in a file, as its entry in the summary and the manifest says it."""
    def cells(names: list[str]) -> str:
        more = len(names) - _SHOWN_CELLS
        return ", ".join(names[:_SHOWN_CELLS]) + (f" dan {more} lainnya" if more > 0 else "")

    parts = ([f"karakter tak terlihat (spasi lebar-nol, spasi tak-putus, BOM, kendali) dihapus dari: {cells(cleaned)}"]
             if cleaned else [])
    parts += [f"angka aksara lain (mis. ５ atau ٥) dibaca sebagai 0-9 di: {cells(digits)}"] if digits else []
    return "; ".join(parts) or None


class HeaderError(InputFileError):
    """A header without the table's columns: the file's error, naming every column concerned (the message), and
    `brief`, the same without the file's name and naming at most a few columns of each kind, then how many more
    (why a workbook's sheet is not read, in a line of the summary)."""

    def __init__(self, whole: str, brief: str) -> None:
        super().__init__(whole)
        self.brief = brief


def find_columns(written: Sequence[str], sumber: str, columns: Sequence[str]) -> tuple[list[int], list[str]]:
    """The positions of the contract's columns among the header names as written (invisible characters cleaned),
    and which names were cleaned; a name missing, written twice, or written differently is the file's error
    (`HeaderError`), naming only the columns concerned and what to write."""
    names = [clean_name(str(name)) for name in written]
    cleaned = [f"judul kolom '{shown(str(old))}'" for old, new in zip(written, names, strict=True)
               if str(old).strip() != new]
    twice = sorted({c for c in columns if names.count(c) > 1})
    if twice:
        raise HeaderError(f"{sumber}: kolom ganda di baris judul: {listed(twice)}",
                          f"kolom ganda di baris judul: {listed(twice, _SHOWN_COLUMNS)}")
    missing = [c for c in columns if c not in names]
    if missing:
        loose = [_loose(name) for name in names]  # once each (per missing column, a 90 MB name took minutes)
        hints = [f"kolom '{shown(str(written[i]))}' harus ditulis '{c}'" for c in missing
                 for i, name in enumerate(loose) if name == c]
        absent = [c for c in missing if c not in loose]

        def said(most: int | None) -> str:
            parts = [listed(hints, most, "; ", " ditulis berbeda")] if hints else []
            return "; ".join(parts + ([f"kolom tidak ada: {listed(absent, most)}"] if absent else []))

        whole = "" if hints else f". Baris judul harus memuat kolom: {', '.join(columns)}"
        raise HeaderError(f"{sumber}: {said(None)}{whole}", said(_SHOWN_COLUMNS))
    return [names.index(c) for c in columns], cleaned


def header_below(rows: Iterable[Iterable[str]], first: int, columns: Sequence[str],
                 above: Iterable[str]) -> int | None:
    """The number of the row, among the TITLE_ROWS `rows` (numbered from `first`), that holds at least half of the
    table's columns and more of them than the row above them (`above`: its names), each as written or written
    differently (case, spaces: `_loose`): the header under a title row; None when none does (the row above is the
    header, however wrong)."""
    least = max(_held(above, columns) + 1, -(-len(columns) // 2))
    for place, row in enumerate(islice(rows, TITLE_ROWS), start=first):
        if _held(row, columns) >= least:
            return place
    return None


def _held(names: Iterable[str], columns: Sequence[str]) -> int:
    """How many of the table's columns the names hold, as written or written differently."""
    written = {_loose(clean_name(str(name))) for name in names}
    return sum(column in written for column in columns)


def title_above(row: int, names: Iterable[str], below: int) -> tuple[str, str]:
    """What is wrong with a file or sheet whose header row `below` has a title row (or more) above it, in full and
    briefly (`HeaderError`): the title quoted (TITLE_SHOWN characters), and what to do."""
    title = shown(" ".join(str(name).strip() for name in names if str(name).strip()))
    quoted = "kosong" if not title else f"'{title}'" if len(title) <= TITLE_SHOWN else f"'{title[:TITLE_SHOWN]}…'"
    return (f"baris {row} ({quoted}) bukan baris judul kolom: judul kolom ada di baris {below}; hapus baris di "
            "atasnya", f"judul kolom di baris {below}, bukan baris {row}")


def listed(items: Sequence[str], most: int | None = None, separator: str = ", ", other: str = "") -> str:
    """The items, or the first `most` of them and how many more."""
    if most is None or len(items) <= most:
        return separator.join(items)
    return separator.join(items[:most]) + f" dan {len(items) - most} kolom lain{other}"


def _loose(name: str) -> str:
    """A header name without the differences a person does not mean: case, spaces, hyphens, a unit in brackets
    after it (`kas (Rp)`: all 48 columns were listed as the header's, kas missing: hostile trial)."""
    return re.sub(r"[\s\-_]+", "_", re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", name).lower()).strip("_")
