"""Parquet files, and any Arrow column as the text a person would have written in a CSV cell.

Every type a writer may give a column is read as what it means or refused naming the column and its type:
integers plain; floats holding whole values as integers (exact at any size int64 holds), other floats as decimal
text; decimals as decimal text; dates ISO; time stamps ISO in WITA (a zone-aware one converted, a naive one taken
as WITA); pandas periods as the month (or day) they name; booleans true/false; dictionaries decoded; binary as
UTF-8 text. Lists, structs, maps, durations, times of day, intervals, binary that is not UTF-8 and other extension
types have no reading. An extension type is read by its name and metadata whether or not this process knows it
(pandas' periods written by another process arrive as int64 ordinals with `ARROW:extension:name` pandas.period).

What a file may cost is bounded before its data is read: rows x contract columns (its metadata's row count) by the
cell limit, its uncompressed size (its metadata) and the text of its dictionary-encoded columns once decoded by the
byte limit. Only the contract's columns are read; text columns stay dictionary-encoded until that check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.config import TIMEZONE
from flows.ingest.cells import find_columns
from flows.ingest.walk import Limits, limit_text, over_cells, shown
from scoring.errors import InputFileError

LARGEST_WHOLE = 2.0 ** 63  # floats below this in magnitude convert to int64 exactly when whole


class NoReading(Exception):
    """A column's type has no reading as text."""


_EXTENSION, _EXTENSION_METADATA = b"ARROW:extension:name", b"ARROW:extension:metadata"


def read_parquet(data: bytes, sumber: str, columns: Sequence[str], limits: Limits) -> pa.Table:
    """The file's contract columns (named as written), typed as written; extension types read (see the module)."""
    try:
        file = pq.ParquetFile(pa.BufferReader(data))
        metadata, schema = file.metadata, file.schema_arrow
    except (pa.ArrowException, OSError) as error:
        raise InputFileError(f"{sumber}: bukan berkas Parquet yang dapat dibaca ({shown(str(error))})") from None
    names = [schema.names[i] for i in find_columns(schema.names, sumber, columns)[0]]
    if metadata.num_rows * len(names) > limits.cells:
        raise InputFileError(f"{sumber}: {over_cells(metadata.num_rows, len(names), limits.cells)}")
    size = sum(metadata.row_group(g).column(c).total_uncompressed_size
               for g in range(metadata.num_row_groups) for c in range(metadata.num_columns))
    if size > limits.bytes:
        raise InputFileError(f"{sumber}: {_size(size)} sesudah dibuka, lebih dari batas {limit_text(limits.bytes)}")
    textual = [n for n in names if is_text(schema.field(n).type) or pa.types.is_binary(schema.field(n).type)]
    try:
        table = pq.read_table(pa.BufferReader(data), columns=names, read_dictionary=textual)
    except (pa.ArrowException, OSError) as error:
        raise InputFileError(f"{sumber}: bukan berkas Parquet yang dapat dibaca ({shown(str(error))})") from None
    decoded = sum(_decoded(column) for column in table.columns if pa.types.is_dictionary(column.type))
    if decoded > limits.bytes:
        raise InputFileError(f"{sumber}: teks {_size(decoded)} sesudah dibuka, lebih dari batas "
                             f"{limit_text(limits.bytes)}")
    return _extensions_read(table, sumber)


def _size(size: int) -> str:
    return f"{size:,} byte".replace(",", ".")


def _decoded(column: pa.ChunkedArray) -> int:
    """The bytes of a dictionary-encoded column once decoded (each cell's value's length), without decoding it."""
    total = 0
    for chunk in column.chunks:
        lengths = pc.binary_length(chunk.dictionary.cast(pa.large_binary()))
        total += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
    return total


def _extensions_read(table: pa.Table, sumber: str) -> pa.Table:
    """Every column of an extension type (known to this process or only named in its field's metadata) as text,
    or InputFileError naming the column and the extension."""
    for i, column_field in enumerate(table.schema):
        kind, metadata = column_field.type, column_field.metadata or {}
        if isinstance(kind, pa.ExtensionType):
            name, details, storage = kind.extension_name, kind.__arrow_ext_serialize__(), _storage(table.column(i))
        elif _EXTENSION in metadata:
            name, details, storage = metadata[_EXTENSION].decode(errors="replace"), metadata.get(
                _EXTENSION_METADATA, b""), table.column(i)
        else:
            continue
        text = _periods(storage, name, details)
        if text is None:
            raise InputFileError(f"{sumber}: kolom {shown(column_field.name)} bertipe ekstensi {shown(name)} "
                                 f"({shown(str(storage.type))}) tidak dapat dibaca sebagai teks, angka atau tanggal; "
                                 "simpan kolom itu sebagai teks atau angka")
        table = table.set_column(i, pa.field(column_field.name, pa.large_string()), text)
    return table


def is_text(kind: pa.DataType) -> bool:
    """A column written as text (its cells are what the person typed)."""
    if pa.types.is_dictionary(kind):
        return is_text(kind.value_type)
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def column_as_text(column: pa.ChunkedArray, name: str, sumber: str) -> pa.ChunkedArray:
    """The column as text (null: ""), or InputFileError naming the column and its type (of its values, for a
    column read dictionary-encoded)."""
    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    try:
        return pc.fill_null(_text(column), "")
    except NoReading:
        raise InputFileError(f"{sumber}: kolom {name} bertipe {shown(str(kind))} tidak dapat dibaca sebagai "
                             "teks, angka atau tanggal; simpan kolom itu sebagai teks atau angka") from None
    except pa.ArrowInvalid as error:
        raise InputFileError(f"{sumber}: kolom {name} bertipe {shown(str(kind))} tidak dapat dibaca "
                             f"({shown(str(error))})") from None


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
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
    """ISO date and time in WITA (a zone-aware stamp converted); seconds' fractions only where there are any; a
    stamp at midnight is its date, as an Excel date cell (pandas writes a date column so: every questionnaire
    answer and registry row was quarantined, 'bukan tanggal YYYY-MM-DD': hostile trial), midnight in the stamp's
    own zone for a zone-aware one (a date column localized to WIB read as 01:00 WITA: review)."""
    kind = column.type
    if not kind.tz:
        return pc.replace_substring_regex(_iso(column), pattern="T00:00:00$", replacement="")
    own = _iso(pc.local_timestamp(column))  # the wall time where it was written
    wita = _iso(pc.local_timestamp(pc.cast(column, pa.timestamp(kind.unit, tz=TIMEZONE.key))))
    return pc.if_else(pc.ends_with(own, "T00:00:00"), pc.utf8_slice_codeunits(own, 0, 10), wita)


def _iso(stamps: pa.ChunkedArray) -> pa.ChunkedArray:
    """Stamps without a zone as ISO text, seconds' fractions only where there are any (a cast to text is some 30
    times faster than strftime)."""
    text = pc.utf8_replace_slice(pc.cast(stamps, pa.large_string()), start=10, stop=11, replacement="T")
    return text if stamps.type.unit == "s" else pc.replace_substring_regex(text, pattern=r"\.?0+$", replacement="")


def _periods(storage: pa.ChunkedArray, name: str, details: bytes) -> pa.ChunkedArray | None:
    """pandas' periods (ordinals of months or days since 1970) as the month or day they name; None for any other
    extension."""
    try:
        freq = json.loads(details or b"{}").get("freq")
    except (ValueError, AttributeError):
        freq = None
    if name != "pandas.period" or freq not in ("M", "D") or not pa.types.is_integer(storage.type):
        return None
    ordinals = pc.cast(storage, pa.int64())
    values = ordinals.to_numpy(zero_copy_only=False).astype(f"datetime64[{freq}]")
    text = np.datetime_as_string(values, unit=freq).astype(object)
    text[pc.is_null(ordinals).to_numpy(zero_copy_only=False)] = None
    return pa.chunked_array([pa.array(text, pa.large_string())])


def _storage(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pa.chunked_array([chunk.storage for chunk in column.chunks], column.type.storage_type)
