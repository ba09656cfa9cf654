"""Workbooks with openpyxl, written the same way wherever the handouts write one (the office workbook, the feedback
to a cooperative): a header row styled, frozen and filtered, number formats per kind of column (Rupiah, percent,
scores, dates without a time zone), predicates filled with the palette, lists as text, and the same bytes for the
same tables (the document's and the zip entries' times are the run's, never the clock's). Every sheet's columns are
data, `kolom.toml`: `columns(sheet)`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from pydantic import (BaseModel, ConfigDict, Field, RootModel, StrictBool, StrictFloat, StrictInt, field_validator,
                      model_validator)

from flows.handouts.style import HEADER, PREDICATE_COLOURS, colour, ink
from scoring.rulebook import load_data_file
from scoring.texts import number

COLUMNS_FILE = Path(__file__).parent / "kolom.toml"

# number formats per kind of column; a percent column holds 0..100 and is written as a fraction
DECIMALS = 2  # of a change or points in a cell: differences of 2-decimal values, without their float noise
FORMATS = {"int": "#,##0", "score": "0.00", "change": "+0.00;-0.00;0.00", "rupiah": '"Rp "#,##0',
           "percent": "0.0%", "points": '+0.0" poin";-0.0" poin";0.0" poin"', "date": "yyyy-mm-dd",
           "datetime": "yyyy-mm-dd hh:mm"}
KINDS = {"text", "list", "predicate", "yes_no", *FORMATS}
WRAPPED = Alignment(wrap_text=True, vertical="top")
FOLDED = "terlipat"  # the named style of a folded text column
LINE_POINTS, MAX_ROW_POINTS = 15, 409  # a line of text at the default font; Excel's highest row
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
MAX_SHEET_NAME = 31
CELL_MAKS = 32_767  # characters an Excel cell holds: openpyxl cuts a longer text without a word


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, the frame's column it shows, how (kind) and its width in characters."""

    label: str
    field: str
    kind: str = "text"
    width: float = 14
    wrap: bool = False  # a long text folded in its column (a reason cut at the next column's edge: trial)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of column {self.kind!r}")
        if self.wrap and self.kind not in ("text", "list"):
            raise ValueError(f"a column of kind {self.kind!r} is not folded: only text and list are")


class DeclaredColumn(BaseModel):
    """A column of `kolom.toml`: `label` and `field`, or `each`, the name of a run of columns the caller gives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = Field(default=None, min_length=1)
    field: str | None = Field(default=None, min_length=1)
    each: str | None = Field(default=None, min_length=1)
    kind: str = "text"
    width: StrictInt | StrictFloat = Field(default=14, gt=0)
    wrap: StrictBool = False

    @field_validator("kind")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind of column {value!r}")
        return value

    @model_validator(mode="after")
    def _one_or_a_run(self) -> DeclaredColumn:
        if (self.label is None or self.field is None) == (self.each is None):
            raise ValueError("a column has a label and a field, or (a run of them) each")
        return self


class ColumnTable(RootModel[dict[str, list[DeclaredColumn]]]):
    """The columns of every sheet, by sheet."""


@cache
def column_table(path: Path = COLUMNS_FILE) -> dict[str, list[DeclaredColumn]]:
    """`kolom.toml`, validated (RulebookError naming what is malformed)."""
    return load_data_file(path, ColumnTable).root


def columns(sheet: str, **each: Iterable[tuple[str, str]]) -> list[Column]:
    """The columns of `sheet` (`kolom.toml`), each run expanded: one column per (label, field) given under the run's
    name, with the run's kind and width."""
    declared = column_table()[sheet]
    runs = {name: list(pairs) for name, pairs in each.items()}
    named = {c.each for c in declared if c.each}
    if named != set(runs):
        raise ValueError(f"sheet {sheet!r} has the runs {sorted(named)}, not {sorted(runs)}")
    return [Column(label, field, **c.model_dump(include={"kind", "width", "wrap"}, exclude_unset=True))
            for c in declared for label, field in (runs[c.each] if c.each else [(c.label, c.field)])]


def new_workbook() -> Workbook:
    """A write-only workbook with the styles of the handouts registered."""
    book = Workbook(write_only=True)
    book.add_named_style(NamedStyle("kepala", font=Font(bold=True, color="FFFFFF"),
                                    fill=PatternFill("solid", fgColor=HEADER[1:]), alignment=WRAPPED))
    for kind, number_format in FORMATS.items():
        book.add_named_style(NamedStyle(kind, number_format=number_format))
    book.add_named_style(NamedStyle(FOLDED, alignment=Alignment(wrap_text=True)))  # at the bottom, as its row's others
    for name in [*PREDICATE_COLOURS, None]:
        fill = colour(name)
        book.add_named_style(NamedStyle(_predicate_style(name), font=Font(color=ink(fill)[1:]),
                                        fill=PatternFill("solid", fgColor=fill[1:])))
    return book


def _predicate_style(name: str | None) -> str:
    return f"predikat {name or '-'}"


def add_sheet(book: Workbook, title: str, columns: Sequence[Column], rows: pd.DataFrame, frozen_columns: int = 1,
              ) -> Worksheet:
    """A sheet of `rows` (one line each, in order) under a header row: frozen below the header and right of the
    first `frozen_columns` columns, filtered, landscape and one page wide when printed."""
    sheet = book.create_sheet(title)
    for place, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(place)].width = column.width
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    styles = {name: book._named_styles[name].as_tuple() for name in book.named_styles}
    sheet.append([_cell(sheet, column.label, "kepala", styles) for column in columns])
    values = [_values(rows[column.field], column.kind) for column in columns]
    folded = [(i, column.width) for i, column in enumerate(columns) if column.wrap]
    for row, line in enumerate(zip(*values, strict=True), 2):
        if folded:  # a folded row's height, which a spreadsheet program does not work out on opening (LibreOffice
            lines = max(_lines(line[i], width) for i, width in folded)  # showed two lines of a reason: trial)
            if lines > 1:
                sheet.row_dimensions[row].height = min(LINE_POINTS * lines, MAX_ROW_POINTS)
        sheet.append([_cell(sheet, value, FOLDED if column.wrap and value is not None else _style(value, column.kind),
                            styles) for value, column in zip(line, columns)])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    return sheet


def _lines(value: object, width: float) -> int:
    """The lines a text takes folded in a column `width` characters wide (each of its own lines at least one)."""
    if not isinstance(value, str):
        return 1
    return sum(max(1, -(-len(part) // max(int(width), 1))) for part in value.split("\n"))


def _values(series: pd.Series, kind: str) -> list:
    """A column's cells as Python values: None for a missing value, percents as fractions, lists as text."""
    if kind == "list":
        return [None if not isinstance(v, (list, np.ndarray)) or not len(v) else _fitting("; ".join(map(str, v)))
                for v in series]
    if kind == "yes_no":
        return [None if pd.isna(v) else ("Ya" if v else "Tidak") for v in series.astype(object)]
    if kind == "date":
        return [None if pd.isna(v) else date.fromisoformat(str(v)[:10]) for v in series.astype(object)]
    if kind in ("int", "score", "change", "rupiah", "percent", "points"):
        numbers = pd.to_numeric(series, errors="raise").astype("float64")
        numbers = numbers / 100 if kind == "percent" else numbers
        if kind in ("change", "points"):  # a difference of two percents held 0.5199999999999996 (trial); scores
            numbers = numbers.round(DECIMALS)  # are written as the tables hold them (skor_prioritas has 4 decimals)
        whole = kind in ("int", "rupiah")
        return [None if np.isnan(v) else (int(v) if whole else float(v)) for v in numbers.to_numpy()]
    if pd.api.types.is_string_dtype(series) and series.str.len().gt(CELL_MAKS).any():
        series = series.map(_fitting, na_action="ignore")
    return [None if pd.isna(v) else v for v in series.astype(object)]


def _fitting(text: str) -> str:
    """A text as a cell holds it: whole, or cut with its length said at its end (a quarantined row of 88,000
    characters lost its end in the feedback without a word: hostile trial; the karantina table keeps it whole)."""
    if len(text) <= CELL_MAKS:
        return text
    note = f"… (dipotong: {number(len(text), 0)} karakter; satu sel Excel memuat {number(CELL_MAKS, 0)})"
    return text[:CELL_MAKS - len(note)] + note


def _style(value: object, kind: str) -> str | None:
    if kind == "predicate":
        return _predicate_style(value if value in PREDICATE_COLOURS else None) if value is not None else None
    return kind if kind in FORMATS else None


def _cell(sheet: Worksheet, value: object, style: str | None, styles: dict[str, StyleArray]) -> object:
    """A value, or a cell in one of the workbook's named styles (`styles`: each one's array, looked up once per
    sheet and shared by its cells: openpyxl's `cell.style = name` searches the named styles and copies the array for
    every cell, a quarter of the time of a national workbook's three million cells; the same bytes either way)."""
    formula = isinstance(value, str) and value.startswith("=")
    if style is None and not formula:
        return value
    cell = WriteOnlyCell(sheet, value)
    if formula:  # text, as every cell the workbook writes: openpyxl takes '=...' for a formula, and a cooperative's
        cell.data_type = "s"  # name '=HYPERLINK(...)' became a live link (hostile trial)
    if style is not None:
        cell._style = styles[style]
    return cell


def sheet_names(names: Sequence[str], taken: Sequence[str]) -> list[str]:
    """A sheet name for each name: at most 31 characters, none of []:*?/\\, unique without regard to case and
    apart from the names `taken` (a clash gets ' (2)', ' (3)', ...)."""
    used = {t.casefold() for t in taken}
    result = []
    for name in names:
        base = " ".join(str(name).translate(FORBIDDEN).split())[:MAX_SHEET_NAME] or "Wilayah"
        candidate, number = base, 1
        while candidate.casefold() in used:
            number += 1
            suffix = f" ({number})"
            candidate = base[:MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(candidate.casefold())
        result.append(candidate)
    return result


class _PinnedZip(ZipFile):
    """A zip archive whose entries all carry one given time, so the same content gives the same bytes."""

    def __init__(self, path: Path, when: datetime) -> None:
        super().__init__(path, "w", ZIP_DEFLATED)
        self.when = when.timetuple()[:6]

    def writestr(self, name: str | ZipInfo, data: str | bytes, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        if isinstance(name, str):
            name = ZipInfo(name, date_time=self.when)
            name.compress_type = ZIP_DEFLATED
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename: str, arcname: str | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        self.writestr(arcname or filename, Path(filename).read_bytes())


def save(book: Workbook, path: Path, when: datetime) -> Path:
    """Write the workbook with `when` (no time zone) as its creation and modification time and as the time of
    every part of the file: openpyxl's own save stamps the clock's time into both."""
    book.properties.creator = book.properties.lastModifiedBy = "koperasi-sehat"
    book.properties.created = book.properties.modified = when
    with _PinnedZip(path, when) as archive:
        ExcelWriter(book, archive).save()
    return path
