"""Parquet outputs, hive-partitioned by period: `<output>/<table>/periode=YYYY-MM/part-0.parquet`.

The period lives in the folder name only (the hive key): each file holds the table's Arrow schema without
`periode` (`file_schema`), and readers take the column from the key. That is the one layout every plain reader
reads verbatim, without this project (tested in tests/test_readers.py):

    pd.read_parquet(folder)                                      # periode: category (of str)
    pyarrow.dataset.dataset(folder, partitioning="hive")         # periode: string
    duckdb: SELECT * FROM read_parquet('<folder>/*/*.parquet')   # periode: VARCHAR (hive key, detected)
    polars.read_parquet(folder)                                  # periode: String

A `periode` column inside the files as well clashes with the key's inferred type in pandas (string vs
dictionary), and a dictionary column clashes in pyarrow.dataset. Table folders hold nothing but `periode=*`
partitions: DuckDB's and Polars' globs do not skip hidden folders, so staged and set-aside partitions live in
the run's work folder (`_kerja/<run_id>/`), on the same file system, and move in by renames.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flows.config import WORK_DIR, published_run
from schemas.outputs import Problem, arrow_schema, checked_arrow, empty_frame, tabel, to_pandas
from scoring.rulebook_format import PERIODE
from scoring.errors import OutputContractError, PublishedOutputError

PART = "part-0.parquet"
KEY = "periode"  # the hive partition key: in the folder names, not in the files
# snappy: the Parquet default codec, read by every Parquet reader the dashboards may use (older BI connectors
# included); a province's month is a few MB at most, so zstd's smaller files would save little.
COMPRESSION = "snappy"
ROW_GROUP_ROWS = 131_072  # fixed, so the same frame always makes the same row groups
PARTITIONING = ds.partitioning(pa.schema([(KEY, pa.string())]), flavor="hive")
RUN_ID = re.compile(r"^[\w.+-]+$")
STAGED, ASIDE = "baru", "lama"  # in a run's work folder: partitions staged, and published ones set aside


def file_schema(table: str) -> pa.Schema:
    """The Arrow schema of the table's files: the table's schema without the partition key."""
    schema = arrow_schema(table)
    return schema.remove(schema.get_field_index(KEY))


def partition_path(output: Path, table: str, periode: str) -> Path:
    """The folder of a period's partition of a table (`<output>/<table>/periode=<p>`)."""
    return Path(output) / table / f"{KEY}={periode}"


def partition_file(output: Path, table: str, periode: str) -> Path:
    """The one file of a period's partition (`<output>/<table>/periode=<p>/part-0.parquet`)."""
    return partition_path(output, table, periode) / PART


def stage_period(output: Path, table: str, periode: str, df: pd.DataFrame | pa.Table, run_id: str) -> Path:
    """Validate the frame and write the period's partition complete, fsynced, in the run's work folder
    (`write_partition`).

    The partition is written complete under `_kerja/<run_id>/baru/<table>/periode=<p>/` and fsynced;
    `swap_period` later renames it into place."""
    staging = _fresh_staging(output, table, periode, run_id)
    write_partition(staging / PART, table, periode, df)
    fsync_files([staging / PART], staging.parent)
    return staging


def stage_file(output: Path, table: str, periode: str, source: Path, run_id: str) -> Path:
    """Stage the period's partition from a file `write_partition` wrote (a run's checked table): copied as it is,
    fsynced, like `stage_period`."""
    staging = _fresh_staging(output, table, periode, run_id)
    shutil.copyfile(source, staging / PART)
    fsync_files([staging / PART], staging.parent)
    return staging


def _fresh_staging(output: Path, table: str, periode: str, run_id: str) -> Path:
    _partition_period(table, periode)
    if not RUN_ID.match(run_id):
        raise OutputContractError(table, [Problem(("run_id",), f"run id {run_id!r} cannot name a folder")])
    staging = _moved(output, STAGED, table, periode, run_id)
    if staging.exists():  # a retry of the same run
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def _partition_period(table: str, periode: str) -> None:
    if not PERIODE.match(periode):
        raise OutputContractError(table, [Problem((KEY,), f"partition {periode!r} is not a YYYY-MM period")])


def write_partition(path: Path, table: str, periode: str, df: pd.DataFrame | pa.Table) -> None:
    """Validate the frame and write it as the period's partition file at `path` (not fsynced). An Arrow table of
    the table's schema is one checked already (`RunFolder.write_table`): it is written as it is. Raises
    OutputContractError.

    Every row's `periode` must be the partition's (karantina's nullable `periode` included: a row whose period
    cannot be read is filed under the run's period); the file then leaves the column to the folder's key. Same
    frame, same bytes: no write time in the file, fixed row groups."""
    _partition_period(table, periode)
    if isinstance(df, pa.Table):
        if df.schema != arrow_schema(table):
            raise OutputContractError(table, [Problem((), f"Arrow schema differs from the contract's: {df.schema}")])
        data = df
    else:
        data = checked_arrow(table, df)
    other = pc.invert(pc.fill_null(pc.equal(data[KEY], periode), False))
    if pc.any(other).as_py():
        values = pc.unique(data[KEY].filter(other)).to_pylist()
        raise OutputContractError(table, [Problem(
            (KEY,), f"rows of another period than the partition periode={periode} (or none)",
            tuple(repr(p if p is not None else float("nan")) for p in values[:5]), pc.sum(other).as_py())])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data.drop_columns([KEY]), path, compression=COMPRESSION, row_group_size=ROW_GROUP_ROWS,
                   version="2.6", write_statistics=True, store_schema=True)


def write_period(output: Path, table: str, periode: str, df: pd.DataFrame, run_id: str) -> Path:
    """Stage the period's partition of one table, then swap it in (see `stage_period`, `swap_period`); a work
    folder is never left behind. Raises PublishedOutputError when the place is taken (`check_replaceable`)."""
    check_replaceable(output, [table], periode)
    try:
        stage_period(output, table, periode, df, run_id)
        return swap_period(output, table, periode, run_id)
    finally:
        staged = _moved(output, STAGED, table, periode, run_id)
        if staged.exists():
            shutil.rmtree(staged)
        for place in (staged, _moved(output, ASIDE, table, periode, run_id)):  # the folder an old partition was set
            _remove_empty_parents(place, Path(output) / WORK_DIR)                # aside in stayed (hostile trial)


def check_replaceable(output: Path, names: Sequence[str], periode: str, folders: Sequence[Path] = (),
                      files: Sequence[Path] = ()) -> None:
    """Raise PublishedOutputError, before anything is switched, when a table's folder or the period's partition
    that a switch replaces (or one of `folders` it writes into) is not a folder, or one of the `files` it writes is a
    folder: a file put there stopped a switch half-way, one table new and the others old, and every later command
    with it; so did a folder named as the period's record (hostile trials)."""
    partitions = [partition_path(output, name, periode) for name in names]
    for path in (*folders, *(place for final in partitions for place in (final.parent, final))):
        if (path.exists() or path.is_symlink()) and not path.is_dir():
            raise PublishedOutputError(f"{not_a_folder(path)} (tidak ada yang diganti)")
    for path in files:
        if path.is_dir():
            raise PublishedOutputError(f"{not_a_folder(path, folder=True)} (tidak ada yang diganti)")


def not_a_folder(path: Path, folder: bool = False) -> str:
    """The words for a file (or a link to none) where the output folder holds a folder, or (`folder`) the
    reverse."""
    found, wanted = ("folder", "berkas") if folder else ("berkas", "folder")
    return f"{path} adalah {found}, bukan {wanted} keluaran: pindahkan atau hapus, lalu jalankan lagi"


def swap_period(output: Path, table: str, periode: str, run_id: str) -> Path:
    """Replace the published partition by the run's staged one: old aside, new into place, old removed (a table's
    partition, or the period's folder of documents, `laporan`).

    Idempotent, so that a later command can finish the swap of a run killed half-way
    (`flows.publishing.recover`)."""
    staging = _moved(output, STAGED, table, periode, run_id)
    aside = _moved(output, ASIDE, table, periode, run_id)
    final = partition_path(output, table, periode)
    if staging.exists():
        if final.exists():
            if aside.exists():
                _remove(aside)
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.rename(final, aside)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(staging, final)
        except OSError:
            if aside.exists():
                os.rename(aside, final)
            raise
        _fsync_dir(final.parent)
    if aside.exists():
        _remove(aside)
    return final


def _remove(path: Path) -> None:
    """A partition set aside: a folder, or what stood in its place (a file: a switch committed before its check)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def discard_staged(output: Path, table: str, periode: str, run_id: str) -> None:
    """Undo what a run that never committed left: its staged partition, and restore a partition set aside."""
    staging = _moved(output, STAGED, table, periode, run_id)
    aside = _moved(output, ASIDE, table, periode, run_id)
    final = partition_path(output, table, periode)
    if aside.exists() and not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(aside, final)
    for leftover in (staging, aside):
        if leftover.exists():
            shutil.rmtree(leftover)


def _moved(output: Path, kind: str, table: str, periode: str, run_id: str) -> Path:
    return Path(output) / WORK_DIR / run_id / kind / table / f"{KEY}={periode}"


def staging_path(output: Path, name: str, periode: str, run_id: str) -> Path:
    """Where a run stages the period's folder of `name` (a table, or the documents `laporan`) before
    `swap_period` renames it into `<output>/<name>/periode=<p>`."""
    return _moved(output, STAGED, name, periode, run_id)


def fsync_files(paths: list[Path], folder: Path) -> None:
    """Flush the files written under `folder`, then each folder that holds them (`folder` and its subfolders),
    so that a commit mark written afterwards never points at files a power loss would leave empty."""
    for path in paths:
        with Path(path).open("r+b") as handle:  # written to: what Windows' FlushFileBuffers needs
            os.fsync(handle.fileno())
    for parent in sorted({Path(p).parent for p in paths} | {Path(folder)}, reverse=True):
        _fsync_dir(parent)


def read_table(output: Path, table: str, periode: str | None = None, rows: ds.Expression | None = None,
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One period of a table, or every period (ordered by period), in the contract's dtypes; `rows`: only the rows
    matching this filter (pushed down to the Parquet reader, e.g. `ds.field("nik") == nik`); `columns`: only these
    columns, in the schema's order (only they are read from the files).

    Reads with the explicit schema and a hive partitioning whose key is typed `string`, so `periode` stays a
    str column (never a category); a period or table not written yet reads as an empty frame. Raises
    PublishedOutputError naming a damaged file of the partitions read (`_check_part`)."""
    folder = Path(output) / table
    place = partition_path(output, table, periode) if periode else folder
    if not place.is_dir():
        if place.exists() or place.is_symlink():  # 'terbitkan ulang' of a file there looped (hostile trial)
            raise PublishedOutputError(not_a_folder(place))
        if periode and table in (published_run(output, periode).get("tabel") or {}):  # a published partition gone: not "no rows"
            raise PublishedOutputError(_damaged(folder, partition_path(output, table, periode),
                                                f"tidak ada, padahal _terbit/{periode}.json mencatatnya terbit"))
        return empty_frame(table, columns)
    dataset = partitions(folder, table)
    condition = ds.field(KEY) == periode if periode else None
    for fragment in dataset.get_fragments(filter=condition):
        _check_part(Path(fragment.path), folder, fragment, table)
    if rows is not None:
        condition = rows if condition is None else condition & rows
    wanted = None if columns is None else [c for c in dataset.schema.names if c in columns]
    try:
        data = dataset.to_table(columns=wanted, filter=condition)
    except (pa.ArrowException, OSError) as error:  # a page broken behind a whole footer
        raise PublishedOutputError(_damaged(folder, partition_path(output, table, periode) if periode else folder,
                                            _not_parquet(error))) from None
    ordered = data.num_rows and not periode and KEY in data.column_names
    return to_pandas(table, data.sort_by([(KEY, "ascending")]) if ordered else data)


def _check_part(path: Path, folder: Path, fragment: ds.Fragment, table: str) -> None:
    """A file of a partition read is the partition's `part-0.parquet`, readable Parquet with every column of the
    table's contract (read with the contract's schema, a missing column would read as nulls). Raises
    PublishedOutputError naming the file."""
    if path.parent == folder:  # a file where a partition's folder is
        raise PublishedOutputError(not_a_folder(path))
    if path.name != PART or path.parent.parent != folder:
        raise PublishedOutputError(_damaged(folder, path, f"bukan keluaran run (partisi hanya memuat {PART})"))
    try:
        names = fragment.physical_schema.names
    except (pa.ArrowException, OSError) as error:
        raise PublishedOutputError(_damaged(folder, path, _not_parquet(error))) from None
    missing = [c for c in arrow_schema(table).names if c != KEY and c not in names]
    if missing:
        raise PublishedOutputError(_damaged(folder, path, f"kolom {', '.join(missing)} tidak ada"))


def _not_parquet(error: Exception) -> str:
    first = str(error).splitlines()[0] if str(error) else "-"
    return f"bukan Parquet yang utuh ({type(error).__name__}: {first})"


def _damaged(folder: Path, path: Path, why: str) -> str:
    """One line: the table, period and output folder, the file and what is wrong, and the command that mends it
    (a period's run replaces its partitions whole)."""
    partition = path.relative_to(folder).parts[0] if path != folder else ""
    periode = partition.removeprefix(f"{KEY}=") if partition.startswith(f"{KEY}=") else None
    where = f"{folder.name} periode {periode}" if periode else folder.name
    mend = f"`koperasi-sehat run --period {periode or '<periode>'} --input <folder landing> --output {folder.parent}`"
    return (f"{where} di {folder.parent} tidak terbaca ({path.relative_to(folder.parent)}: {why}): terbitkan ulang "
            f"dengan {mend}")


def partitions(folder: Path, table: str) -> ds.Dataset:
    """The table's partitions under `folder` (`<folder>/periode=<p>/part-0.parquet`), in its contract's schema."""
    return ds.dataset(folder, schema=arrow_schema(table), format="parquet", partitioning=PARTITIONING)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_empty_parents(path: Path, stop: Path) -> None:
    """Remove `path` and its parents up to and including `stop` while they are empty."""
    for folder in (path, *path.parents):
        try:
            folder.rmdir()
        except FileNotFoundError:
            pass
        except OSError:
            return
        if folder == stop:
            return


__all__ = ["COMPRESSION", "ROW_GROUP_ROWS", "OutputContractError", "discard_staged", "empty_frame", "file_schema",
           "fsync_files", "partition_file", "partition_path", "partitions", "read_table", "stage_file", "stage_period",
           "staging_path", "swap_period", "tabel", "write_partition", "write_period"]
