"""The output contract by table name (data-contract §3): every published table, once.

`TABLES` lists the tables a monthly run publishes for its period, in publication order: the scores, the
quarantine, the status and summaries (`schemas.tables`), then the action tables (`schemas.action_tables`).
`ON_REQUEST` lists the tables a command writes beside them, never published with a month: the comparison of
rulebooks (`schemas.comparison`).
Functions here take a table's name; the machinery they use (the Arrow schema, the Pandera schema, the
conversions) is in `schemas.contract`.

    python -m schemas.outputs     # prints every table's README section (the README holds exactly these)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pandas as pd
import pyarrow as pa

from schemas import contract
from schemas.action_tables import action_tables
from schemas.comparison import comparison_tables
from schemas.contract import OutputTable, Problem
from schemas.tables import monthly_tables
from scoring.errors import OutputContractError

TABLES: dict[str, OutputTable] = {t.name: t for t in (*monthly_tables(), *action_tables())}
ON_REQUEST: dict[str, OutputTable] = {t.name: t for t in comparison_tables()}


def tabel(table: str) -> OutputTable:
    """The table's contract; OutputContractError for an unknown name."""
    known = TABLES | ON_REQUEST
    if table not in known:
        raise OutputContractError(table, [Problem((), f"unknown output table; known: {', '.join(known)}")])
    return known[table]


def arrow_schema(table: str) -> pa.Schema:
    """The exact Arrow schema of the table's rows (field descriptions in the field metadata)."""
    return tabel(table).arrow_schema


def to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table of exactly the table's schema (`contract.to_arrow`)."""
    return contract.to_arrow(tabel(table), df)


def to_pandas(table: str, data: pa.Table) -> pd.DataFrame:
    """An Arrow table of the table's schema as a frame of the contract's pandas dtypes."""
    return contract.to_pandas(tabel(table), data)


def empty_frame(table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A frame with the table's columns (or only `columns`, in the schema's order) and dtypes, and no rows: a copy
    of the one built once per process (the warnings read a dozen periods never published, each one such frame)."""
    return _empty_frame(table, None if columns is None else frozenset(columns)).copy()


@cache
def _empty_frame(table: str, columns: frozenset[str] | None) -> pd.DataFrame:
    return contract.empty_frame(tabel(table), columns)


def validate_output(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """The frame checked against the table's contract (`contract.validate`); OutputContractError names each
    problem."""
    return contract.validate(tabel(table), df)


def checked_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    """The frame checked against the table's contract, as the Arrow table to write (`contract.validated_arrow`);
    OutputContractError names each problem."""
    return contract.validated_arrow(tabel(table), df)


def checked_table(table: str, data: pa.Table) -> pa.Table:
    """An Arrow table checked against the table's contract, as it is when of exactly its schema
    (`contract.validated_table`); OutputContractError names each problem."""
    return contract.validated_table(tabel(table), data)


def markdown(table: str) -> str:
    """The table's README section."""
    return contract.markdown(tabel(table))


if __name__ == "__main__":
    print("\n\n".join(markdown(name) for name in (*TABLES, *ON_REQUEST)))
