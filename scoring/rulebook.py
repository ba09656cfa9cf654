"""Rulebooks as data: loading, validating and choosing the TOML books under `rulebooks/` (their format:
`scoring.rulebook_format`)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from scoring.errors import RulebookError
from scoring.rulebook_format import Rulebook

RULEBOOK_DIR = Path(__file__).parent / "rulebooks"
DataModel = TypeVar("DataModel", bound=BaseModel)


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise RulebookError(f"rulebook file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(f"rulebook file {path} is not valid TOML: {error}") from None


def merged(base: dict, child: dict) -> dict:
    """The child book over its base: every key the child states replaces the base's (a band table, the predicates,
    `berlaku`, `besaran`, the factors), except lists of tables with an `id` (aspek, and komponen inside an aspek),
    which merge by id, each item in the same way: a child restates only the component it changes, with only the
    keys it changes; new ids come after the base's."""
    out = dict(base)
    for key, value in child.items():
        old = out.get(key)
        if _by_id(value) and _by_id(old):
            items = {item["id"]: item for item in old}
            for item in value:
                items[item["id"]] = merged(items[item["id"]], item) if item["id"] in items else item
            out[key] = list(items.values())
        else:
            out[key] = value
    return out


def _by_id(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


def load_rulebook_file(path: Path, directory: Path | None = None) -> Rulebook:
    """Load one book; a `dasar` book is read first and this file's keys are merged over it (`merged`)."""
    data = _read(path)
    base = data.get("dasar")
    if base is not None:
        parent = _read((directory or path.parent) / f"{base}.toml")
        parent.pop("dasar", None)
        if Rulebook._date_as_text(data.get("versi", "")) < Rulebook._date_as_text(parent.get("versi", "")):
            raise RulebookError(f"rulebook file {path}: versi {data.get('versi')!r} is older than the versi "
                                f"{parent.get('versi')!r} of its dasar {base}: a change of {base} changes this "
                                "book too; state the later date")
        data = merged(parent, data)
    try:
        book = Rulebook.model_validate(data)
    except ValidationError as error:
        raise RulebookError(f"rulebook file {path} is malformed: {_problems(error)}") from None
    if book.id != path.stem:
        raise RulebookError(f"rulebook file {path} declares id {book.id!r}; the file must be named {book.id}.toml")
    return book


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'book'}: {e['msg']}" for e in error.errors())


def load_data_file(path: Path, model: type[DataModel]) -> DataModel:
    """A small TOML rule table of scoring/ (asset classes, reporting grades), validated by its pydantic model."""
    try:
        return model.model_validate(_read(path))
    except ValidationError as error:
        raise RulebookError(f"data file {path} is malformed: {_problems(error)}") from None


@cache
def rulebooks(directory: Path = RULEBOOK_DIR) -> dict[str, Rulebook]:
    """Every book in the directory by id (files starting with `_` are not books)."""
    paths = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("_"))
    return {p.stem: load_rulebook_file(p, directory) for p in paths}


@cache
def cooperative_rules(directory: Path = RULEBOOK_DIR) -> dict:
    """The rules about cooperatives that no scoring book holds (`_koperasi.toml`): when one is aktif, and why a jenis
    is not scored."""
    return _read(directory / "_koperasi.toml")


def unscored_jenis(directory: Path = RULEBOOK_DIR) -> dict[str, str]:
    """Jenis that no book scores, with the reason."""
    return dict(cooperative_rules(directory)["tidak_dinilai"])


def aktif_years(directory: Path = RULEBOOK_DIR) -> int:
    """A cooperative is aktif when it held a RAT within this many years before the period's end (Kemenkop)."""
    return int(cooperative_rules(directory)["aktif"]["tahun_rat"])


def published_books() -> dict[str, Rulebook]:
    """The books a month's score may come from: every book but the drafts."""
    return {book_id: book for book_id, book in rulebooks().items() if book.status != "draft"}


def load_rulebook(rulebook_id: str) -> Rulebook:
    """The shipped book of this id (scoring/rulebooks, drafts included); RulebookError naming the ids there are
    when none has it."""
    books = rulebooks()
    if rulebook_id not in books:
        raise RulebookError(f"unknown rulebook {rulebook_id!r}; available: {', '.join(books)}")
    return books[rulebook_id]


def books_in_force(periode: str, books: Mapping[str, Rulebook] | None = None) -> list[Rulebook]:
    """The books in force for a period (rulebook.md §1) among `books` (default: the shipped books); drafts never."""
    return [b for b in (books or published_books()).values() if b.status != "draft" and b.berlaku.covers(periode)]


def book_for(periode: str, jenis: str | None = None, forced: Rulebook | None = None,
             books: Mapping[str, Rulebook] | None = None) -> Rulebook | None:
    """The one book that scores a report of this period and jenis (rulebook.md §1): the forced book, or the book in
    force for the period that lists the jenis, among `books` (default: the shipped books; drafts are never chosen).
    None when no book scores the jenis (`unscored_reason` says why).

    Without a jenis, the book in force for the period. Raises RulebookError when no book is in force for the period,
    or when two are for the same jenis (the books contradict each other)."""
    if forced is not None:
        return forced if jenis is None or jenis in forced.jenis else None
    in_force = books_in_force(periode, books)
    if not in_force:
        raise RulebookError(f"period {periode}: no rulebook in force")
    matches = in_force if jenis is None else [b for b in in_force if jenis in b.jenis]
    if len(matches) > 1:
        raise RulebookError(f"period {periode}{f', jenis {jenis}' if jenis else ''}: expected exactly one rulebook "
                            f"in force, found {', '.join(b.id for b in matches)}")
    return matches[0] if matches else None


def unscored_reason(periode: str, jenis: str, forced: Rulebook | None = None,
                    books: Mapping[str, Rulebook] | None = None) -> str:
    """Why no book scores a report of this jenis: `_koperasi.toml`'s reason, or the books that do not list it."""
    if jenis in unscored_jenis():
        return unscored_jenis()[jenis]
    books = [forced] if forced is not None else books_in_force(periode, books)
    return f"jenis {jenis} tidak dinilai oleh rulebook {', '.join(b.id for b in books)}"
