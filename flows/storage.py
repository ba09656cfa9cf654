"""Parquet outputs, hive-partitioned by period: `<output>/<table>/periode=YYYY-MM/part-0.parquet`.

Every file holds exactly the table's Arrow schema (`schemas.outputs.arrow_schema`), `periode` included as a
real string column, so one file read alone is complete.

Reading a whole table folder elsewhere (dashboards, notebooks):

    import pyarrow.dataset as ds
    ds.dataset(folder, format="parquet", partitioning="hive").to_table()   # periode: string
    pd.read_parquet(folder, schema=arrow_schema(table))                    # periode: str
    pd.read_parquet(folder, partitioning=None)                             # periode: str, from the files

Plain `pd.read_parquet(folder)` / `pq.read_table(folder)` fails with "Unable to merge: Field periode has
incompatible types: string vs dictionary": pyarrow.parquet's default "hive" discovery infers partition keys
as dictionaries, which clash with the string column in the files; give it the schema or `partitioning=None`
as above (`ds.dataset(..., partitioning="hive")` infers plain strings and needs nothing). Folders starting
with "." or "_" (the staging and swap folders below, `_runs`) are ignored by these readers.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from schemas.outputs import (Masalah, OutputContractError, arrow_schema, empty_frame, tabel, to_arrow, to_pandas,
                             validate_output)
from scoring.rulebook import PERIODE

PART = "part-0.parquet"
# snappy: the Parquet default codec, read by every Parquet reader the dashboards may use (older BI connectors
# included); a province's month is a few MB at most, so zstd's smaller files would save little.
COMPRESSION = "snappy"
ROW_GROUP_ROWS = 131_072  # fixed, so the same frame always makes the same row groups
PARTITIONING = ds.partitioning(pa.schema([("periode", pa.string())]), flavor="hive")
RUN_ID = re.compile(r"^[\w.+-]+$")


def partition_path(output: Path, table: str, periode: str) -> Path:
    return Path(output) / table / f"periode={periode}"


def stage_period(output: Path, table: str, periode: str, df: pd.DataFrame, run_id: str) -> Path:
    """Validate the frame and write the period's partition complete, fsynced, beside the published one.

    Every row's `periode` must be the partition's (karantina's nullable `periode` included: a row whose period
    cannot be read is filed under the run's period).

    The partition is written complete under `<table>/.staging-<run_id>/periode=<p>/` and fsynced; `swap_period`
    later puts it in place. Same frame, same bytes: no write time in the file, fixed row groups."""
    if not PERIODE.match(periode):
        raise OutputContractError(table, [Masalah(("periode",), f"partition {periode!r} is not a YYYY-MM period")])
    if not RUN_ID.match(run_id):
        raise OutputContractError(table, [Masalah(("run_id",), f"run id {run_id!r} cannot name a folder")])
    frame = validate_output(table, df)
    # null too: hive readers would read a null periode back as the partition's value, a lone file as null
    other = frame["periode"].ne(periode) | frame["periode"].isna()
    if other.any():
        raise OutputContractError(table, [Masalah(
            ("periode",), f"rows of another period than the partition periode={periode} (or none)",
            tuple(repr(p) for p in pd.unique(frame.loc[other, "periode"])[:5]), int(other.sum()))])
    data = to_arrow(table, frame)

    staging = _staging(output, table, periode, run_id)
    if staging.exists():  # a retry of the same run
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    with (staging / PART).open("wb") as handle:
        pq.write_table(data, handle, compression=COMPRESSION, row_group_size=ROW_GROUP_ROWS, version="2.6",
                       write_statistics=True, store_schema=True)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync_dir(staging)
    _fsync_dir(staging.parent)
    return staging


def write_period(output: Path, table: str, periode: str, df: pd.DataFrame, run_id: str) -> Path:
    """Stage the period's partition of one table, then swap it in (see `stage_period`, `swap_period`)."""
    stage_period(output, table, periode, df, run_id)
    return swap_period(output, table, periode, run_id)


def swap_period(output: Path, table: str, periode: str, run_id: str) -> Path:
    """Replace the published partition by the run's staged one: old aside, new into place, old removed.

    Idempotent, so that the next run can finish the swap of a run killed half-way (`flows.publishing.recover`)."""
    folder = Path(output) / table
    staging = _staging(output, table, periode, run_id)
    aside = folder / f".old-{run_id}" / f"periode={periode}"
    final = partition_path(output, table, periode)
    if staging.exists():
        if final.exists():
            if aside.exists():
                shutil.rmtree(aside)
            aside.parent.mkdir(exist_ok=True)
            os.rename(final, aside)
        try:
            os.rename(staging, final)
        except OSError:
            if aside.exists():
                os.rename(aside, final)
            raise
        _fsync_dir(folder)
    if aside.exists():
        shutil.rmtree(aside)
    _remove_if_empty(aside.parent)
    _remove_if_empty(staging.parent)
    return final


def discard_staged(output: Path, table: str, periode: str, run_id: str) -> None:
    """Undo what a run that never committed left: its staged partition, and restore a partition set aside."""
    folder = Path(output) / table
    staging = _staging(output, table, periode, run_id)
    aside = folder / f".old-{run_id}" / f"periode={periode}"
    final = partition_path(output, table, periode)
    if aside.exists() and not final.exists():
        os.rename(aside, final)
    for leftover in (staging, aside):
        if leftover.exists():
            shutil.rmtree(leftover)
        _remove_if_empty(leftover.parent)


def _staging(output: Path, table: str, periode: str, run_id: str) -> Path:
    return Path(output) / table / f".staging-{run_id}" / f"periode={periode}"


def read_table(output: Path, table: str, periode: str | None = None) -> pd.DataFrame:
    """One period of a table, or every period (ordered by period), in the contract's dtypes.

    Reads with the explicit schema and a hive partitioning whose key is typed `string`, so `periode` stays a
    str column (never a category); a period or table not written yet reads as an empty frame."""
    schema = arrow_schema(table)
    folder = Path(output) / table
    if periode is not None:
        folder = partition_path(output, table, periode)
    if not folder.is_dir():
        return empty_frame(table)
    if periode is not None:
        dataset = ds.dataset(folder, schema=schema, format="parquet")
        return to_pandas(table, dataset.to_table())
    dataset = ds.dataset(folder, schema=schema, format="parquet", partitioning=PARTITIONING)
    data = dataset.to_table()
    return to_pandas(table, data.sort_by([("periode", "ascending")]) if data.num_rows else data)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


__all__ = ["COMPRESSION", "ROW_GROUP_ROWS", "OutputContractError", "discard_staged", "empty_frame", "partition_path",
           "read_table", "stage_period", "swap_period", "tabel", "to_arrow", "validate_output", "write_period"]
