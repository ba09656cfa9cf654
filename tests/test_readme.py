"""The README documents what the code defines: every output table's columns, every rulebook table's source."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.outputs import ON_REQUEST, TABLES, markdown
from scoring.rulebook import published_books, rulebooks

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted([*TABLES, *ON_REQUEST]))
def test_every_output_column_is_documented_as_the_schema_describes_it(table):
    # regenerate with: python -m schemas.outputs
    assert markdown(table) in README


@pytest.mark.parametrize("book", sorted(published_books()))
def test_every_table_source_is_in_the_readme(book):
    for komponen in rulebooks()[book].komponen:
        tag = "V" if komponen.terverifikasi else "C"
        assert f"| `{komponen.id}` | {tag} | {komponen.sumber} |" in README, komponen.id


def test_every_setting_is_documented_with_its_environment_variable():
    from flows.config import documented

    for env, default, description in documented():
        assert f"| `{env}` | `{default}` | {description} |" in README, env
