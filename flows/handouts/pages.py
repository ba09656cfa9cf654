"""The HTML pages' jinja2 environment: the templates and the style sheet (package data), the palette as CSS, and the
filters that write numbers, Rupiah, percents and predicates as the office writes them."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from flows.handouts.style import css_class, css_variables, in_words, number, percent, rupiah, signed
from scoring.texts import trimmed


@cache
def environment() -> Environment:
    """Templates from flows/handouts/templates, HTML-escaped, every variable required."""
    env = Environment(loader=PackageLoader("flows.handouts", "templates"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(angka=number, nilai=trimmed, bertanda=signed, rupiah=rupiah, persen=percent, kelas=css_class,
                       kata=in_words)
    env.globals["css"] = css_variables() + "\n" + files("flows.handouts").joinpath("templates/gaya.css").read_text(
        encoding="utf-8")
    return env
