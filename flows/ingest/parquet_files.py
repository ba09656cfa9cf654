"""Parquet files, and any Arrow column as the text a person would have written in a CSV cell.

Every type a writer may give a column is read as what it means or refused naming the column and its type:
integers plain; floats holding whole values as integers (exact at any size int64 holds), other floats as decimal
text; decimals as decimal text; dates ISO; time stamps ISO in WITA (a zone-aware one converted, a naive one taken
as WITA); pandas periods as the month (or day) they name; booleans true/false; dictionaries decoded; binary as
UTF-8 text. Lists, structs, maps, durations, times of day, intervals and binary that is not UTF-8 have no reading.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.config import TIMEZONE
from scoring.errors import InputFileError

LARGEST_WHOLE = 2.0 ** 63  # floats below this in magnitude convert to int64 exactly when whole


class NoReading(Exception):
    """A column's type has no reading as text."""


def read_parquet(data: bytes, sumber: str) -> pa.Table:
    """The file's table, typed as written."""
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as error:
        raise InputFileError(f"{sumber}: bukan berkas Parquet yang dapat dibaca ({error})") from None


def is_text(kind: pa.DataType) -> bool:
    """A column written as text (its cells are what the person typed)."""
    if pa.types.is_dictionary(kind):
        return is_text(kind.value_type)
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def column_as_text(column: pa.ChunkedArray, name: str, sumber: str) -> pa.ChunkedArray:
    """The column as text (null: ""), or InputFileError naming the column and its type."""
    try:
        return pc.fill_null(_text(column), "")
    except NoReading:
        raise InputFileError(f"{sumber}: kolom {name} bertipe {column.type} tidak dapat dibaca sebagai teks, angka "
                             "atau tanggal; simpan kolom itu sebagai teks atau angka") from None
    except pa.ArrowInvalid as error:
        raise InputFileError(f"{sumber}: kolom {name} bertipe {column.type} tidak dapat dibaca ({error})") from None


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if isinstance(kind, pa.ExtensionType):
        return _extension(column)
    if pa.types.is_dictionary(kind):
        return _text(pc.cast(column, kind.value_type))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pc.cast(column, pa.large_string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind) \
            or pa.types.is_binary_view(kind):
        return pc.cast(pc.cast(column, pa.large_binary()), pa.large_string())  # ArrowInvalid when not UTF-8
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), pa.large_string())])
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, pa.large_string())
    if pa.types.is_floating(kind):
        return _floats(column)
    if pa.types.is_date(kind):
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_timestamp(kind):
        return _times(column)
    raise NoReading(kind)


def _floats(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Whole values as integers, exactly; others as the shortest decimal text of the column's own precision that
    reads back the same value (a float32 0.1 is '0.1', not '0.10000000149011612')."""
    native = column.to_numpy(zero_copy_only=False)  # nulls: NaN
    values = native.astype(np.float64)
    missing, finite = np.isnan(values), np.isfinite(values)
    whole = finite & (np.abs(values) < LARGEST_WHOLE) & (np.mod(np.where(finite, values, 0), 1) == 0)
    text = np.where(whole, np.where(whole, values, 0).astype(np.int64).astype(str).astype(object), None)
    for i in np.flatnonzero(~whole & ~missing):
        text[i] = np.format_float_positional(native[i], unique=True, trim="-")
    return pa.chunked_array([pa.array(text, pa.large_string())])


def _times(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO date and time in WITA (a zone-aware stamp converted); seconds' fractions only where there are any.
    (A cast to text is some 30 times faster than strftime.)"""
    kind = column.type
    wita = pc.local_timestamp(pc.cast(column, pa.timestamp(kind.unit, tz=TIMEZONE.key))) if kind.tz else column
    text = pc.utf8_replace_slice(pc.cast(wita, pa.large_string()), start=10, stop=11, replacement="T")
    return text if kind.unit == "s" else pc.replace_substring_regex(text, pattern=r"\.?0+$", replacement="")


def _extension(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """pandas' periods (ordinals of months or days since 1970) as the month or day they name."""
    kind = column.type
    freq = getattr(kind, "freq", None)
    if kind.extension_name == "pandas.period" and freq in ("M", "D"):
        ordinals = pc.cast(_storage(column), pa.int64())
        unit = "M" if freq == "M" else "D"
        values = ordinals.to_numpy(zero_copy_only=False).astype(f"datetime64[{unit}]")
        text = np.datetime_as_string(values, unit=unit).astype(object)
        text[pc.is_null(ordinals).to_numpy(zero_copy_only=False)] = None
        return pa.chunked_array([pa.array(text, pa.large_string())])
    raise NoReading(kind)


def _storage(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pa.chunked_array([chunk.storage for chunk in column.chunks], column.type.storage_type)
