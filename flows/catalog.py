"""The catalog of a run's files, as Kedro's catalog maps dataset names to files: no step names a file.

A run keeps its intermediate datasets in its work folder `<output>/_kerja/<run_id>/` (one file each), the rows each
score part wrote under `bagian/<part>/`, and the checked tables it will publish under `keluaran/` (Parquet: each
the very file of its published partition, which the publication copies). The tables themselves are the output
contract's (`schemas.outputs.TABLES`).

The intermediate files (datasets and parts) are Arrow IPC files without compression: read back by the same run
only, they need no encoding or compression, which cost Parquet about 2 s of a national month's writes and
reads. They are mapped, not copied, when read (not on Windows): written aside and then put in place, a file is
never rewritten under a table read from it. What is published is Parquet.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from flows import storage
from flows.config import WORK_DIR
from flows.memory import give_back
from schemas import outputs

# dataset -> what it holds (its file is <name>.arrow in the run's work folder)
WORK_DATASETS = {
    "koperasi": "the registry rows in the run's scope, checked",
    "laporan": "the reports in force of the period, checked and typed",
    "terganti": "the submissions of the period superseded by a later one (laporan_terganti without run_id)",
    "kuesioner": "the accepted questionnaire answers of the cooperatives that reported",
    "faktor": "the accepted supervisors' findings",
    "karantina": "every rejected input row of the run, with its reasons (karantina without run_id)",
    "riwayat": "each cooperative's latest earlier period with a report (nik -> periode)",
    "kiriman": "every report row of the landing folder's other periods: nik, periode, tanggal_kirim",
    "nik_dikarantina": "the nik whose report of the period was quarantined",
    "sebelumnya": "the previous month scored from the landing folder, when it was never published",
    "sebelumnya_indikator": "that month's components (nik, periode, komponen, rasio, nilai)",
}
MAPPED = os.name == "posix"  # Windows can neither replace nor delete a file still mapped
PART_TABLES = ("skor_koperasi", "skor_indikator", "skor_aspek", "status_koperasi", "jalan_menuju_sehat")


def release() -> None:
    """Forget the datasets read for the score parts and give the memory a step freed back to the system before the
    next step (`flows.memory.give_back`)."""
    _Read.folder, _Read.tables = None, {}
    give_back()


class _Read:
    """The datasets this process read from one run's work folder (a dataset is written once, by the
    preparation); another run's folder replaces them."""

    folder: Path | None = None
    tables: dict[str, pa.Table] = {}

    @classmethod
    def table(cls, file: Path) -> pa.Table:
        if file.parent != cls.folder:
            cls.folder, cls.tables = file.parent, {}
        if file.name not in cls.tables:
            cls.tables[file.name] = _read_intermediate(file)
        return cls.tables[file.name]


@dataclass(frozen=True)
class RunFolder:
    """A run's work folder, read and written by dataset name."""

    path: Path

    @classmethod
    def of(cls, output: Path, run_id: str) -> RunFolder:
        """The work folder of a run: `<output>/_kerja/<run_id>`."""
        return cls(Path(output) / WORK_DIR / run_id)

    def file(self, name: str) -> Path:
        """The Arrow IPC file of one of the catalog's datasets (WORK_DATASETS); KeyError naming them for another
        name."""
        if name not in WORK_DATASETS:
            raise KeyError(f"{name!r} is not a dataset of the catalog ({', '.join(WORK_DATASETS)})")
        return self.path / f"{name}.arrow"

    def write(self, name: str, frame: pd.DataFrame) -> None:
        """Write the frame as the dataset's file (aside, then renamed into place: `_write_intermediate`); this
        process's read of the file before is dropped."""
        self.path.mkdir(parents=True, exist_ok=True)
        if _Read.folder == self.path:
            _Read.tables.pop(self.file(name).name, None)
        _write_intermediate(pa.Table.from_pandas(frame), self.file(name))

    def read(self, name: str, columns: list[str] | None = None, filters: pc.Expression | None = None
             ) -> pd.DataFrame:
        """The dataset as a frame: only `columns` (and the frame's index), only the rows `filters` keeps.

        The file is read once per process (`_Read`): the score parts of a run each read the registry, the reports
        and the answers, and keep their own rows."""
        data = _Read.table(self.file(name))
        if filters is not None:
            data = data.filter(filters)
        if columns is not None:
            index = [c for c in (data.schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
            data = data.select([*columns, *index])
        return data.to_pandas()

    def read_ahead(self, names: tuple[str, ...]) -> None:
        """Read these datasets into this process's memory now (`_Read`): a forked copy made after shares them."""
        for name in names:
            _Read.table(self.file(name))

    def exists(self, name: str) -> bool:
        """Whether the dataset's file has been written."""
        return self.file(name).exists()

    def part(self, number: int) -> Path:
        """The folder of a score part's rows."""
        return self.path / "bagian" / f"{number:04d}"

    def write_part(self, number: int, name: str, frame: pd.DataFrame) -> None:
        """A part's rows of a table, typed by the contract (checked whole, once, by the assembly)."""
        folder = self.part(number)
        folder.mkdir(parents=True, exist_ok=True)
        _write_intermediate(outputs.to_arrow(name, frame), folder / f"{name}.arrow")

    def read_parts(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every part's rows of a table, in part order; only `columns`, when given."""
        return outputs.to_pandas(name, self.parts_table(name, columns))

    def parts_table(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """Every part's rows of a table, in part order, as written (Arrow, of the contract's schema)."""
        folders = sorted((self.path / "bagian").iterdir())
        return pa.concat_tables([_read_intermediate(f / f"{name}.arrow", None if columns is None else list(columns))
                                 for f in folders])

    def write_table(self, name: str, frame: pd.DataFrame | pa.Table, periode: str) -> None:
        """A table of the period (a frame, or an Arrow table: `parts_table`), checked against its contract, ready to
        publish: its file is the period's partition file (`storage.write_partition`), which the publication
        copies."""
        checked = (outputs.checked_arrow(name, frame) if isinstance(frame, pd.DataFrame)
                   else outputs.checked_table(name, frame))
        storage.write_partition(self.kept(name, periode), name, periode, checked)

    @property
    def kept_root(self) -> Path:
        """The folder of the checked tables, laid out as the output (`keluaran/<table>/periode=<p>/`)."""
        return self.path / "keluaran"

    def kept(self, name: str, periode: str) -> Path:
        """The file of a checked table of the period (`keluaran/<table>/periode=<p>/part-0.parquet`)."""
        return storage.partition_file(self.kept_root, name, periode)

    def read_table(self, name: str) -> pd.DataFrame:
        """The checked table of the period as a frame of its contract's dtypes (`outputs.to_pandas`)."""
        return outputs.to_pandas(name, self.read_checked(name))

    def read_checked(self, name: str) -> pa.Table:
        """The checked table of the period as Arrow, in its contract's schema."""
        return storage.partitions(self.kept_root / name, name).to_table()


def _write_intermediate(table: pa.Table, path: Path) -> None:
    """An intermediate file: Arrow IPC, uncompressed (read back by this run only). Written aside, then put in place:
    a file is replaced, never rewritten, so that a table read from it before (mapped) keeps its pages."""
    aside = path.with_name(f"{path.name}.tmp")
    try:
        feather.write_feather(table, aside, compression="uncompressed")
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def _read_intermediate(path: Path, columns: list[str] | None = None) -> pa.Table:
    """An intermediate file's table. Mapped where the system allows a mapped file to be replaced and deleted (not
    Windows): its columns are the page cache's pages, not a copy (a national month's parts read back 0.1-1.2 s
    faster, the copy's fresh memory being the cost)."""
    return feather.read_table(path, columns=columns, memory_map=MAPPED)
