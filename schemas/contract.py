"""The output contract's machinery (data-contract §3): a table is defined once, as an `OutputTable` of `Column`s,
and both its Pandera schema and the explicit Arrow schema of its Parquet files are derived from that definition.

The tables themselves are in `schemas.tables` and `schemas.action_tables`, by name in `schemas.outputs`. A column states its Arrow type, whether it may be null, a description
and its value checks; `OutputTable.arrow_schema` and `OutputTable.pandera_schema` are computed from that one list, as is
the pandas dtype a validated frame carries (`Column.pandas_dtype`):

    Arrow                     pandas (validated frames, `read_table`)
    string                    "str" (pandas' default string dtype)
    float64                   float64 (NaN is null)
    int64 / int32 not null    int64 / int32;  nullable: Int64 / Int32
    bool not null             bool;  nullable: boolean
    date32                    date32[day][pyarrow]
    timestamp[us, tz=UTC]     datetime64[us, UTC]
    list<element: string>     object: a Python list of str per row

List columns are plain lists, not ArrowDtype: pandas cannot read back a list ArrowDtype column it wrote with
`to_parquet` (pandas-dev/pandas#53011, apache/arrow#39914), and frames from here get written by others.

`validate_output` accepts whatever pandas made of a column as long as it means the contract's type
(categoricals of strings, "str", object columns of str / lists / dates, ArrowDtype, numpy): integers for
a float column, integral floats for an integer column, tz-aware timestamps for the UTC timestamp (converted),
midnight timestamps or dates for a date. Anything else (text for a number, a naive timestamp, a fractional
count) is a contract break, never coerced.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pdr
import pyarrow as pa
import pyarrow.compute as pc
from pandera.engines import pandas_engine

from schemas.rules import RowRule
from scoring.errors import OutputContractError
from scoring.rulebook_format import PERIODE

CONTRACT_VERSION = "1"
STRING = pa.string()
FLOAT = pa.float64()
INT64 = pa.int64()
INT32 = pa.int32()
BOOL = pa.bool_()
DATE = pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")
# the list child is named "element" as the Parquet format names it, so the files read back to this schema
STRINGS = pa.list_(pa.field("element", pa.string()))
SAMPLES = 5  # failing values quoted per problem in an error message


@dataclass(frozen=True)
class Problem:
    """One contract break: the column(s), the check that failed, a few failing values and how many rows."""

    columns: tuple[str, ...]
    check: str
    values: tuple[str, ...] = ()
    rows: int | None = None

    def describe(self) -> str:
        """The problem in one line: the column(s), the check, how many rows fail it and a few failing values."""
        where = f"column {self.columns[0]}" if len(self.columns) == 1 else f"columns {', '.join(self.columns)}"
        text = f"{where}: {self.check}" if self.columns else self.check
        if self.rows is not None:
            text += f" fails in {self.rows} row{'s' * (self.rows != 1)}"
        if self.values:
            text += f" (e.g. {', '.join(self.values)})"
        return text


class _Text(pandas_engine.STRING):
    """Pandera's text dtype answering its check with one bool for the column: pandera's own answers one True per
    row, and then formats the rows failing it (none) into a table and that table into a message, for each text
    column it checks (about 1 ms a column: 0.03 s of a sample month's assembly; 0.1 s of a national month's, 0.74
    -> 0.64 s). The same columns pass and fail: a column failing it is described by pandera's own failure cases."""

    def check(self, pandera_dtype: Any, data_container: Any = None) -> bool:
        checked = super().check(pandera_dtype, data_container)
        return checked if isinstance(checked, bool) else bool(np.all(checked))


@dataclass(frozen=True)
class Column:
    """One column of an output table: Arrow type, nullability, description and value checks."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    checks: tuple[pdr.Check, ...] = ()

    @property
    def arrow_field(self) -> pa.Field:
        """The column's Arrow field, its description in the field's metadata (as the Parquet files carry it)."""
        return pa.field(self.name, self.type, nullable=self.nullable,
                        metadata={"description": self.description})

    @property
    def pandas_dtype(self) -> object:
        """The dtype this column has in a validated frame and in what `read_table` returns."""
        if self.type == STRING:
            return pd.StringDtype(na_value=np.nan)
        if self.type == FLOAT:
            return np.dtype("float64")
        if self.type in (INT64, INT32):
            bits = self.type.bit_width
            return pd.api.types.pandas_dtype(f"Int{bits}" if self.nullable else f"int{bits}")
        if self.type == BOOL:
            return pd.BooleanDtype() if self.nullable else np.dtype("bool")
        if self.type == TIMESTAMP:
            return pd.DatetimeTZDtype("us", "UTC")
        if self.type == DATE:
            return pd.ArrowDtype(self.type)
        if self.type == STRINGS:
            return np.dtype("object")
        raise TypeError(f"no pandas dtype for {self.type}")

    @property
    def pandera_column(self) -> pdr.Column:
        """The column's Pandera check: its pandas dtype, checks and nullability, with its name and description."""
        dtype = _Text.from_parametrized_dtype(self.pandas_dtype) if self.type == STRING else self.pandas_dtype
        return pdr.Column(dtype, checks=list(self.checks), nullable=self.nullable,
                          description=self.description, title=self.name)


@dataclass(frozen=True)
class OutputTable:
    """An output table: its columns in file order, its key (unique per row) and its cross-column rules."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    rules: tuple[RowRule, ...] = ()

    @property
    def names(self) -> list[str]:
        """The column names, in file order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column of this name; ValueError when the table has none."""
        return self.columns[self.names.index(name)]

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The table's Arrow schema: its columns in file order, the table's name and the contract's version in the
        metadata."""
        return pa.schema([c.arrow_field for c in self.columns],
                         metadata={"koperasi_sehat.tabel": self.name, "koperasi_sehat.kontrak": CONTRACT_VERSION})

    @cached_property
    def pandera_schema(self) -> pdr.DataFrameSchema:
        """The table's Pandera schema: every column, exactly these in this order, the key unique, the row rules."""
        return pdr.DataFrameSchema(
            {c.name: c.pandera_column for c in self.columns}, checks=[r.check for r in self.rules],
            unique=list(self.key) or None, strict=True, ordered=True, name=self.name,
            description=self.description)


def _list_items(series: pd.Series, non_empty: bool) -> pd.Series:
    """Rows whose list holds no null item (and, if asked, at least one item)."""
    lists = pa.chunked_array([pa.array(series, type=STRINGS, from_pandas=True)]).combine_chunks()
    ok = np.ones(len(lists), dtype=bool)
    items = pc.list_flatten(lists)
    bad_items = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)[
        pc.is_null(items).to_numpy(zero_copy_only=False)]
    ok[bad_items] = False
    if non_empty:
        ok &= pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False) > 0
    return pd.Series(ok, index=series.index)


NO_NULL_ITEMS = pdr.Check(lambda s: _list_items(s, non_empty=False), name="no null item")
NON_EMPTY_LIST = pdr.Check(lambda s: _list_items(s, non_empty=True), name="non-empty list without null items")
NOT_BLANK = pdr.Check.str_length(min_value=1)
PERIODE_CHECK = pdr.Check.str_matches(PERIODE.pattern)
SCORE = pdr.Check.in_range(0, 100)
COUNT = pdr.Check.ge(0)


def run_id_column() -> Column:
    """The run_id column every output table has (text, never blank)."""
    return Column("run_id", STRING, "id of the run that wrote the row", nullable=False, checks=(NOT_BLANK,))


def periode_column(nullable: bool = False) -> Column:
    """The periode column (YYYY-MM text, also the partition key); `nullable` for karantina's rows whose period could
    not be read."""
    return Column("periode", STRING, "reporting month, YYYY-MM (also the partition key periode=YYYY-MM)",
                 nullable=nullable, checks=() if nullable else (PERIODE_CHECK,))


def rule(columns: tuple[str, ...], description: str, holds: Callable[[pd.DataFrame], pd.Series]) -> RowRule:
    """An output table's rule across columns of a row, named by its description."""
    return RowRule(description, columns, holds)


def iff(left: str, right: str, description: str, left_holds: Callable[[pd.DataFrame], pd.Series],
        right_holds: Callable[[pd.DataFrame], pd.Series]) -> RowRule:
    """A rule that two per-row conditions on two columns hold together or not at all."""
    return rule((left, right), description, lambda df: left_holds(df) == right_holds(df))


def set_together(left: str, right: str) -> RowRule:
    """A rule that `left` is set exactly where `right` is set."""
    return iff(left, right, f"{left} is set iff {right} is set",
               lambda df: df[left].notna(), lambda df: df[right].notna())


def set_apart(left: str, right: str) -> RowRule:
    """A rule that `left` is set exactly where `right` is null."""
    return iff(left, right, f"{left} is set iff {right} is null",
               lambda df: df[left].notna(), lambda df: df[right].isna())


def nik_column() -> Column:
    """The nik column (text, never blank): the Nomor Induk Koperasi, an opaque id."""
    return Column("nik", STRING, "Nomor Induk Koperasi (opaque id)", nullable=False, checks=(NOT_BLANK,))


def pendamping_column() -> Column:
    """The pendamping column: the field assistant the registry assigns (text; null when none)."""
    return Column("pendamping", STRING, "field assistant (pendamping) the registry assigns (null: none)")


def text_column(name: str, description: str, nullable: bool = False) -> Column:
    """A text column of this name and meaning; never blank unless `nullable`."""
    return Column(name, STRING, description, nullable=nullable, checks=() if nullable else (NOT_BLANK,))


def points_column(name: str, description: str) -> Column:
    """A float64 column of points (a score's part), never null, never negative."""
    return Column(name, FLOAT, description, nullable=False, checks=(COUNT,))


def markdown(spec: OutputTable) -> str:
    """The table's section of the README: its description and one row per column (name, Arrow type, meaning).

    The README holds exactly this text for every table (a test compares them); `python -m schemas.outputs`
    prints every section, to paste after a change of the contract."""
    rows = [f"| `{c.name}` | {c.type}{'' if c.nullable else ' not null'} | {c.description} |" for c in spec.columns]
    return "\n".join([f"### `{spec.name}`", "", f"{spec.description}.", "", "| column | type | meaning |",
                      "|---|---|---|", *rows])


# ---------------------------------------------------------------------------------------------------------------
# pandas -> Arrow, exactly the schema


def to_arrow(spec: OutputTable, df: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table of exactly `arrow_schema(table)`: columns in schema order, each column cast
    to its contract type; a missing or extra column, a type that does not mean the contract's, or a null in a
    not-null column raises OutputContractError naming them."""
    arrays, problems = _convert(spec, df)
    for kolom in spec.columns:
        if kolom.name in arrays and not kolom.nullable and arrays[kolom.name].null_count:
            problems.append(Problem((kolom.name,), "not null", rows=arrays[kolom.name].null_count))
    if problems:
        raise OutputContractError(spec.name, problems)
    return pa.Table.from_arrays([arrays[c] for c in spec.names], schema=spec.arrow_schema)


def _convert(spec: OutputTable, df: pd.DataFrame) -> tuple[dict[str, pa.Array], list[Problem]]:
    problems = [Problem((c,), "column missing") for c in spec.names if c not in df.columns]
    problems += [Problem((str(c),), "column not in the contract (extra)") for c in df.columns if c not in spec.names]
    if df.columns.duplicated().any():
        problems += [Problem((str(c),), "column appears more than once") for c in df.columns[df.columns.duplicated()]]
        return {}, problems
    arrays = {}
    for kolom in spec.columns:
        if kolom.name in df.columns:
            try:
                arrays[kolom.name] = _cast(df[kolom.name], kolom)
            except _TypeProblem as problem:
                problems.append(Problem((kolom.name,), problem.check, problem.values))
    return arrays, problems


class _TypeProblem(Exception):
    def __init__(self, check: str, values: tuple[str, ...] = ()) -> None:
        super().__init__(check)
        self.check, self.values = check, values


def _cast(series: pd.Series, kolom: Column) -> pa.Array:
    """One pandas column as an Arrow array of the column's type, if its values mean that type."""
    target = kolom.type
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise _TypeProblem(f"type {target} expected, got {series.dtype} values that are not ({error})",
                           _samples(series)) from None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not _means(array.type, target):
        raise _TypeProblem(f"type {target} expected, got {series.dtype} ({array.type})", _samples(series))
    try:
        cast = array.cast(target, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise _TypeProblem(f"type {target} expected, got {series.dtype} values that do not fit ({error})",
                           _samples(series)) from None
    if target == DATE and pa.types.is_timestamp(array.type):
        moved = pc.fill_null(pc.not_equal(cast.cast(array.type), array), False).to_numpy(zero_copy_only=False)
        if moved.any():
            raise _TypeProblem(f"type {target} expected, got timestamps with a time of day",
                               _samples(series[moved]))
    return cast


def _means(source: pa.DataType, target: pa.DataType) -> bool:
    """Whether values of the Arrow type pandas produced stand for the contract's type (casting checks the rest)."""
    t = pa.types
    if t.is_null(source):
        return True
    if target == STRING:
        return t.is_string(source) or t.is_large_string(source) or t.is_string_view(source)
    if t.is_floating(target) or t.is_integer(target):
        return t.is_integer(source) or t.is_floating(source)
    if t.is_boolean(target):
        return t.is_boolean(source)
    if t.is_date(target):
        return t.is_date(source) or (t.is_timestamp(source) and source.tz is None)
    if t.is_timestamp(target):
        return t.is_timestamp(source) and source.tz is not None
    if t.is_list(target):
        return ((t.is_list(source) or t.is_large_list(source) or t.is_list_view(source))
                and _means(source.value_type, target.value_type))
    return source == target


def _samples(series: pd.Series) -> tuple[str, ...]:
    values = series.dropna() if not isinstance(series.dtype, pd.ArrowDtype) else series
    return tuple(dict.fromkeys(repr(plain(v)) for v in values.iloc[:50]))[:SAMPLES]


def plain(value: object) -> object:
    """A value as Python's own types (numpy scalars and arrays, inside tuples, lists and dicts too): what JSON,
    repr and a person read."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | list):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def to_pandas(spec: OutputTable, data: pa.Table) -> pd.DataFrame:
    """An Arrow table of the table's schema, or of some of its columns, as a frame of the contract's pandas dtypes
    (`Column.pandas_dtype`), columns in the schema's order."""
    columns = {}
    for kolom in (k for k in spec.columns if k.name in data.column_names):
        array = data.column(kolom.name)
        dtype = kolom.pandas_dtype
        if kolom.type == STRINGS:
            series = pd.Series(array.to_pylist(), dtype=object)
        elif isinstance(dtype, pd.ArrowDtype):
            series = pd.Series(pd.arrays.ArrowExtensionArray(array), copy=False)
        else:
            series = array.to_pandas()
        columns[kolom.name] = series if series.dtype == dtype else series.astype(dtype)
    return pd.DataFrame(columns, copy=False)


def empty_frame(spec: OutputTable, columns: Collection[str] | None = None) -> pd.DataFrame:
    """A frame with the table's columns (or only `columns`, in the schema's order) and dtypes, and no rows."""
    schema = spec.arrow_schema
    if columns is not None:
        schema = pa.schema([field for field in schema if field.name in columns])
    return to_pandas(spec, schema.empty_table())


def validate(spec: OutputTable, df: pd.DataFrame) -> pd.DataFrame:
    """Check a frame against the table's contract (Pandera, lazy: every problem at once).

    Returns the frame converted to the contract's pandas dtypes, columns in schema order, a fresh RangeIndex.
    Raises OutputContractError naming the table and, per problem, the column(s), the check and a few failing
    values."""
    return _validated(spec, df)[1]


def validated_arrow(spec: OutputTable, df: pd.DataFrame) -> pa.Table:
    """The frame checked as `validate` checks it, as the Arrow table of exactly `spec.arrow_schema` that was
    checked (what `to_arrow` of the checked frame gives, without converting it twice)."""
    return _validated(spec, df)[0]


def validated_table(spec: OutputTable, table: pa.Table) -> pa.Table:
    """An Arrow table checked as `validate` checks a frame. One of exactly `spec.arrow_schema` (what `to_arrow`
    gives: a run's score parts) has the contract's types already, so only the Pandera checks run on it and it is
    returned as it is; any other is converted as a frame is (`validated_arrow`)."""
    if not table.schema.equals(spec.arrow_schema):
        return validated_arrow(spec, to_pandas(spec, table))
    _pandera_checked(spec, table)
    return table


def _validated(spec: OutputTable, df: pd.DataFrame) -> tuple[pa.Table, pd.DataFrame]:
    arrays, problems = _convert(spec, df)
    if problems:
        raise OutputContractError(spec.name, problems)
    table = pa.Table.from_arrays([arrays[c] for c in spec.names], schema=spec.arrow_schema)
    return table, _pandera_checked(spec, table)


def _pandera_checked(spec: OutputTable, table: pa.Table) -> pd.DataFrame:
    """The table as a frame (`to_pandas`), checked by the contract's Pandera schema. Checked in place: the frame is
    this function's own and the schema never coerces (Pandera copied it whole first: a national month's tables,
    2.65 -> 1.97 s of checking, and no second copy at the assembly's peak)."""
    frame = to_pandas(spec, table)
    try:
        return spec.pandera_schema.validate(frame, lazy=True, inplace=True)
    except pdr.errors.SchemaErrors as errors:
        raise OutputContractError(spec.name, _problems(spec, frame, errors.failure_cases)) from None


def _problems(spec: OutputTable, frame: pd.DataFrame, failures: pd.DataFrame) -> list[Problem]:
    rules = {r.name: r for r in spec.rules}
    problems = []
    for check, cases in failures.groupby("check", sort=False, dropna=False):
        rows = pd.unique(cases["index"].dropna())
        if check in rules or check == "multiple_fields_uniqueness":
            columns = rules[check].columns if check in rules else spec.key
            shown = [", ".join(f"{c}={plain(frame.at[i, c])!r}" for c in columns) for i in rows[:SAMPLES]]
            name = check if check in rules else "unique"
            problems.append(Problem(tuple(columns), name, tuple(f"({s})" for s in shown), len(rows)))
            continue
        for column, per_column in cases.groupby("column", sort=False, dropna=False):
            values = pd.unique(per_column["failure_case"].map(lambda v: repr(plain(v))))
            count = per_column["index"].nunique() if per_column["index"].notna().any() else None
            name = "not null" if check == "not_nullable" else str(check)
            problems.append(Problem((str(column),), name, tuple(values[:SAMPLES]), count))
    return problems
