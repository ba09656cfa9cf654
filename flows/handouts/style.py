"""The look shared by the workbook, the report and the cards: one palette for the predicates, and numbers, Rupiah,
percents and months written as an Indonesian office writes them (1.234.567; 78,50; 12,5%; Oktober 2026)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from scoring.columns import JUMLAH
from scoring.rulebook import rulebooks
from scoring.status import predicate_columns
from scoring.texts import missing, number

# Every predicate of every book, best first (the order of the stacked bars and the legends): green for Sehat, through
# yellow and orange, to red for the worst of each book. Chosen on ColorBrewer's RdYlGn scale, readable with the
# common colour-vision deficiencies when paired with the predicate's name, which every document prints beside it.
PREDICATE_COLOURS: dict[str, str] = {
    "Sehat": "#1a9850",
    "Cukup Sehat": "#91cf60",
    "Kurang Sehat": "#fee08b",
    "Dalam Pengawasan": "#fc8d59",
    "Tidak Sehat": "#f46d43",
    "Dalam Pengawasan Khusus": "#d73027",
    "Sangat Tidak Sehat": "#a50026",
}
NOT_SCORED = "#bdbdbd"  # tidak dinilai: no predicate
INK = "#1b1b1b"  # text on a light fill
PAPER = "#ffffff"  # text on a dark fill
HEADER = "#1f3a5f"  # table headers (workbook, report, cards)
TARGET = "#1f3a5f"  # the target line of the trend

MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def predicates_in_order() -> list[str]:
    """Every published book's predicates, best first (the palette's order)."""
    known = predicate_columns()
    return [name for name in PREDICATE_COLOURS if name in known]


def colour(predikat: object) -> str:
    """The fill of a predicate; grey for none (not scored)."""
    return PREDICATE_COLOURS.get(predikat, NOT_SCORED) if isinstance(predikat, str) else NOT_SCORED


def ink(fill: str) -> str:
    """Text colour readable on a fill (#rrggbb): dark on light fills, white on dark ones (WCAG luminance)."""
    channels = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return INK if luminance > 0.179 else PAPER


def signed(value: object, decimals: int = 2) -> str:
    """A change: +1,25, -0,50, 0,00."""
    text = number(value, decimals)
    return text if missing(value) or text.startswith("-") or float(value) == 0 else "+" + text


def rupiah(value: object) -> str:
    """Rp 1.234.567."""
    return "-" if missing(value) else "Rp " + number(value, 0)


def percent(value: object, decimals: int = 1) -> str:
    """A percent given as 0..100: 12,5%."""
    return "-" if missing(value) else number(value, decimals) + "%"


def month_short(periode: str) -> str:
    """2026-10 -> Okt 26 (chart axes)."""
    year, number_ = periode.split("-")
    return f"{MONTHS_SHORT[int(number_) - 1]} {year[2:]}"


def css_variables() -> str:
    """The palette as CSS custom properties and one class per predicate (`.p-sehat`), for the HTML documents."""
    lines = [":root {", f"  --kepala: {HEADER};", f"  --tidak-dinilai: {NOT_SCORED};"]
    rules = []
    for name, fill in PREDICATE_COLOURS.items():
        slug = css_class(name)
        lines.append(f"  --{slug}: {fill};")
        rules.append(f".lencana.{slug} {{ background: {fill}; color: {ink(fill)}; }}")
    rules.append(f".lencana.{css_class(None)} {{ background: {NOT_SCORED}; color: {ink(NOT_SCORED)}; }}")
    return "\n".join([*lines, "}", *rules])


def css_class(predikat: object) -> str:
    """The CSS class of a predicate's badge: p-sehat, p-dalam-pengawasan-khusus; p-tidak-dinilai for none."""
    name = predikat if isinstance(predikat, str) and predikat in PREDICATE_COLOURS else "tidak dinilai"
    return "p-" + "-".join(name.lower().split())


def in_words(text: str | None) -> str | None:
    """A text of the tables (jalan_menuju_sehat's `uraian` and `keterangan`, daftar_prioritas' `langkah_utama` and
    `alasan`, the `penjelasan`, a warning's `alasan`) as a pendamping reads it: a component where a text names the
    component (not where a move names a report quantity of the same id: 'turunkan beban_operasi_anggota') by the
    name its rulebook gives it, as the card's table of components does ('rasio_kas: naikkan' -> '(Kas + bank) /
    Kewajiban lancar: naikkan'), and the other ids of the rulebooks (report columns, besaran, factor codes) in words
    ('kas_dan_bank' -> 'kas dan bank', 'shu_kotor' -> 'SHU kotor'). A supervisor's own words in a finding (`penjelasan`:
    'kode (keterangan; berlaku ...)') stay as written (they were rewritten: hostile trial). The tables keep the ids,
    which their `komponen` and `pos` columns hold (the documents read "naikkan modal_sendiri ...": trial)."""
    if text is None:
        return None
    named, words, findings, names = _vocabulary()
    spelled, start = [], 0
    for finding in findings.finditer(text):  # the words between a finding's code and when it holds, as written
        spelled += [_spelled(text[start:finding.start(1)], named, words, names), finding.group(1)]
        start = finding.end(1)
    return "".join([*spelled, _spelled(text[start:], named, words, names)])


def _spelled(text: str, named: re.Pattern, words: re.Pattern, names: dict[str, str]) -> str:
    text = named.sub(lambda found: names[found.group(0)], text)
    text = words.sub(lambda found: " ".join(w.upper() if w in ACRONYMS else w for w in found.group(0).split("_")),
                     text)
    return _RANGE_SIGNS.sub(lambda found: RANGE_WORDS[found.group(0)], _RANGE_X.sub("rasio", text))


# a band as the rulebook prints it, '15 < x <= 20', as a pendamping reads it: '15 < rasio ≤ 20' (field staff do not
# read x and <=: new-user trial); x is the component's value, the card's column "Rasio"
_RANGE_X = re.compile(r"\bx(?= [<>]=? )|(?<=[<>] )x\b|(?<=[<>]= )x\b")
_RANGE_SIGNS = re.compile(r"<=|>=")
RANGE_WORDS = {"<=": "\u2264", ">=": "\u2265"}


FINDING_MONTH = r"\d{4}-\d\d"  # a month in the words a `penjelasan` gives a finding's time, YYYY-MM
ACRONYMS = ("shu", "atmr")  # words of the ids written in capitals: SHU, ATMR


@cache
def component_names() -> dict[str, str]:
    """Every book's component ids and the names the books give them (the card's table of components, `in_words`)."""
    return {k.id: k.nama for book in rulebooks().values() for k in book.komponen}


@cache
def _vocabulary() -> tuple[re.Pattern, re.Pattern, re.Pattern, dict[str, str]]:
    """Where a text names a component (its id, but not after 'naikkan '/'turunkan ': there a report quantity of the
    same id is meant), every rulebook id written otherwise than in words, a finding's own words in a `penjelasan`
    (`scoring.explain`: 'kode (keterangan; berlaku sejak 2026-09)' before the next finding or ': predikat': its
    words may hold the same phrase), and the components' names."""
    books, names = rulebooks().values(), component_names()
    codes = {code for book in books for code in book.faktor_kode}
    ids = {*JUMLAH, *names, *(q for book in books for q in book.besaran), *codes}
    spelled = [i for i in ids if "_" in i or i in ACRONYMS]

    def either(found: Iterable[str]) -> str:  # the longest first: 'shu_kotor' before 'shu'
        return "|".join(re.escape(i) for i in sorted(found, key=lambda i: (-len(i), i)))

    return (re.compile(rf"(?<!naikkan )(?<!turunkan )\b(?:{either(names)})\b"),
            re.compile(rf"\b(?:{either(spelled)})\b"),
            re.compile(rf"\b(?:{either(codes)}) \((.+?); berlaku (?:sejak )?{FINDING_MONTH}"
                       rf"(?: s\.d\. {FINDING_MONTH})?\)(?=: predikat |[;,] (?:{either(codes)}) \(|$)", re.DOTALL),
            names)
