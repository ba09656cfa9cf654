"""Reading a landing folder: every entry accounted for, each input file (CSV, Parquet or Excel) into a text frame
with its source file and row number.

`walk` lists every entry and says which are read; `csv_files`, `parquet_files` and `excel_files` read one format
each; `text` turns a file's table into text rows and notes. A file that cannot be read is that file's error, the
other files go on; only the registry is required.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from flows.config import settings
from flows.ingest.cells import cleaning_text
from flows.ingest.csv_files import read_csv, short_row_notes
from flows.ingest.excel_files import read_xlsx
from flows.ingest.parquet_files import is_text, read_parquet
from flows.ingest.text import NOTES, Rows, Table, contract_columns, empty_notes, rows_as_text
from flows.ingest.walk import FORMATS, Entry, Limits, read_bounded, shown, walk_landing
from flows.memory import give_back
from scoring.columns import JUMLAH, LAPORAN
from scoring.errors import InputFileError
from scoring.inputs import FAKTOR_BERKAS, KUESIONER, PEMERIKSAAN

KOPERASI = ("nik", "nama", "jenis", "kode_wilayah", "kabupaten_kota", "wilayah_keanggotaan",
            "tanggal_badan_hukum", "tanggal_rat_terakhir", "pendamping")
COLUMNS = {"koperasi": KOPERASI, "laporan": LAPORAN, "kuesioner": KUESIONER, "faktor_pengurang": FAKTOR_BERKAS,
           "pemeriksaan": PEMERIKSAAN}
ANGKA = (*JUMLAH, "jumlah_anggota", "nomor", "butir")
RIWAYAT = ("sumber", "baris", "nik", "periode", "tanggal_kirim")
COMMON = ("koperasi", "kuesioner", "faktor_pengurang", "pemeriksaan")
# files read on one thread below this many bytes together: small files spend their time in pandas, holding Python's
# lock, and threads only take turns (the committed sample's 34 report files: 0.42 s on one thread, 0.6 s on two)
THREADED_BYTES = 4 * 2**20


@dataclass(frozen=True)
class InputFile:
    """One file of the landing folder as the run read it."""

    sumber: str
    sha256: str
    baris: int  # data rows read (0 when the file was rejected)
    format: str  # csv, csv-id (semicolon, Indonesian numbers), csv-tab, parquet, xlsx
    galat: str | None = None  # why the whole file was rejected
    encoding: str | None = None  # of a CSV file: utf-8, utf-8-sig, utf-16-le, utf-16-be, cp1252
    dibersihkan: str | None = None  # the cells from which characters a person cannot see were removed
    tertelan: int = 0  # lines of a CSV file swallowed into one cell by a quote left open (its rows say which)
    lembar_tidak_dibaca: list[dict] = field(default_factory=list)  # a workbook's sheets not read: sumber, alasan
    # a report file this month of a backfill did not read again: the month whose reading it reuses (`_Remembered`)
    dibaca_untuk: str | None = None


@dataclass
class Landing:
    """The raw text frames of a landing folder and what was read from where.

    Read for one period, `laporan` holds the report rows of that period and those whose period cannot be read
    or cannot be true; the rows of the other periods are only in `laporan_lain`, as nik, the period meant and
    tanggal_kirim. Read also for the month before, `laporan_sebelumnya` holds that month's rows whole.
    `catatan` holds the cells that cannot be read without guessing (sumber, baris, kolom, alasan)."""

    koperasi: pd.DataFrame
    kuesioner: pd.DataFrame
    faktor: pd.DataFrame
    pemeriksaan: pd.DataFrame = field(default_factory=lambda: _concat([], PEMERIKSAAN))  # optional
    laporan: pd.DataFrame = field(default_factory=lambda: _concat([], LAPORAN))
    laporan_lain: pd.DataFrame = field(default_factory=lambda: _concat([], RIWAYAT[2:]))
    laporan_sebelumnya: pd.DataFrame | None = None
    berkas: list[InputFile] = field(default_factory=list)  # by sumber
    tidak_dibaca: list[Entry] = field(default_factory=list)  # every entry not read, with why
    catatan: pd.DataFrame = field(default_factory=empty_notes)

    @property
    def galat(self) -> list[str]:
        """Every file's error, one line each (the files refused whole)."""
        return [f.galat for f in self.berkas if f.galat]


def limits(limit: int | None = None) -> Limits:
    """What one file may cost: `limit` bytes (default: the setting) and the setting's cells."""
    return Limits(limit or settings().max_file_bytes, settings().max_file_cells)


def read_landing(root: Path, period: str | None = None, now: datetime | None = None,
                 limit: int | None = None) -> Landing:
    """Read the registry (required), kuesioner/*, the findings and pemeriksaan/* (optional), then laporan/*.

    With a period, only the report rows of that period, of no readable period, or whose dates cannot be true at
    `now` (the run's start) are read whole. A file that cannot be read is recorded with its error and skipped;
    the other files go on. Without a readable registry nothing can be checked: that raises."""
    return read_reports(root, read_common(root, limit), period, now, limit)


def entries(root: Path, limit: int | None = None) -> list[Entry]:
    """Every entry of the landing folder (see `walk.walk_landing`), with the size limit of the settings."""
    return walk_landing(root, limit or settings().max_file_bytes)


def common_files(root: Path, limit: int | None = None) -> list[Entry]:
    """The files every period of a landing folder shares and that are read: registry, questionnaires, findings,
    examiners' checklists."""
    return [e for e in entries(root, limit) if e.table in COMMON and e.alasan is None]


def read_common(root: Path, limit: int | None = None) -> Landing:
    """The registry, questionnaires, findings and examiners' checklists of a landing folder (no report rows yet)."""
    found = entries(root, limit)
    registry = _the_one(found, "koperasi", required=True)
    _the_one(found, "faktor_pengurang")
    tables = ("kuesioner", "faktor_pengurang", "pemeriksaan")
    shared = [e for e in found if e.table in tables and e.alasan is None]
    read = read_each([*shared, registry], limits(limit))
    koperasi = read.rows[-1]
    if koperasi is None:
        raise InputFileError(read.files[-1].galat or f"{registry.sumber}: tidak dapat dibaca")
    frames = {table: [r.frame for e, r in zip(shared, read.rows[:-1], strict=True) if r and e.table == table]
              for table in tables}
    return Landing(koperasi=koperasi.frame, kuesioner=_concat(frames["kuesioner"], KUESIONER),
                   faktor=_concat(frames["faktor_pengurang"], FAKTOR_BERKAS),
                   pemeriksaan=_concat(frames["pemeriksaan"], PEMERIKSAAN), berkas=read.files,
                   catatan=_concat_notes(read.notes))


@dataclass(frozen=True)
class ReportFiles:
    """The report files of a landing folder as read (`read_report_files`), before they join the shared inputs."""

    root: Path  # the landing folder
    found: list[Entry]  # every entry of the landing folder
    read: FilesRead  # of the report files, in the folder's order
    previous: str | None  # the month read whole beside the period, if any


def read_report_files(root: Path, period: str | None = None, now: datetime | None = None, limit: int | None = None,
                      previous: str | None = None) -> ReportFiles:
    """The report files of laporan/* (of the period, when given; with `previous`, that month's rows whole too),
    not yet joined to the shared inputs (`with_common`): a run reads them while it checks the shared inputs."""
    found = entries(root, limit)
    reports = [e for e in found if e.table == "laporan" and e.alasan is None]
    return ReportFiles(root, found, read_each(reports, limits(limit), period, now, previous), previous)


def with_common(reports: ReportFiles, common: Landing) -> Landing:
    """`common` with the report rows of `reports` and every entry not read."""
    read, copies = _without_copies(reports)
    laporan = [r for r in read.rows if r]
    earlier = [r.previous for r in laporan if r.previous is not None]
    files = [*common.berkas, *read.files]
    notes = [common.catatan, *read.notes, *(r.notes for r in earlier)]
    sheets = [Entry(sheet["sumber"], reports.root / f.sumber, alasan=sheet["alasan"]) for f in files
              for sheet in f.lembar_tidak_dibaca]
    return Landing(koperasi=common.koperasi, kuesioner=common.kuesioner, faktor=common.faktor,
                   pemeriksaan=common.pemeriksaan, laporan=_concat([r.frame for r in laporan], LAPORAN),
                   laporan_lain=_concat([r.others for r in laporan], RIWAYAT[2:]),
                   laporan_sebelumnya=_concat([r.frame for r in earlier], LAPORAN) if reports.previous else None,
                   berkas=sorted(files, key=lambda f: f.sumber),
                   tidak_dibaca=sorted([e for e in reports.found if e.alasan] + sheets + copies,
                                       key=lambda e: e.sumber),
                   catatan=_concat_notes(notes))


def _without_copies(reports: ReportFiles) -> tuple[FilesRead, list[Entry]]:
    """The report files read, without those whose bytes are another's (a file sent twice, a copy named
    'laporan_2026-10 (1).csv', a link to a file of the folder): each such file is an entry not read, naming the one
    read, a file rather than a link, then the shortest name of them, then the first. Its rows were every one
    quarantined as an exact copy, and the quarantine share stopped the month (hostile trial)."""
    first: dict[str, str] = {}
    for f in sorted(reports.read.files,
                    key=lambda f: ((reports.root / f.sumber).is_symlink(), len(f.sumber), f.sumber)):
        if f.sha256 and not f.galat:
            first.setdefault(f.sha256, f.sumber)
    kept = [i for i, f in enumerate(reports.read.files) if not f.sha256 or f.galat or first[f.sha256] == f.sumber]
    if len(kept) == len(reports.read.files):
        return reports.read, []
    copies = [Entry(f.sumber, reports.root / f.sumber, "laporan", f.format,
                    f"isinya sama persis dengan {first[f.sha256]}: tidak dibaca lagi")
              for i, f in enumerate(reports.read.files) if i not in kept]
    rows = [reports.read.rows[i] for i in kept]
    return FilesRead(rows, [reports.read.files[i] for i in kept], [r.notes for r in rows if r is not None]), copies


def read_reports(root: Path, common: Landing, period: str | None = None, now: datetime | None = None,
                 limit: int | None = None, previous: str | None = None) -> Landing:
    """`common` with the report files of laporan/* (of the period, when given) and every entry not read; with
    `previous` (the month before the period), that month's rows whole too (`laporan_sebelumnya`), from the same
    reading of each file."""
    return with_common(read_report_files(root, period, now, limit, previous), common)


def digest(entry: Entry, limit: int | None = None) -> str | None:
    """The file's SHA-256, None when it cannot be read (reading it will say why)."""
    try:
        return hashlib.sha256(read_bounded(entry.path, limit or settings().max_file_bytes)).hexdigest()
    except (OSError, InputFileError):
        return None


def _the_one(found: list[Entry], table: str, required: bool = False) -> Entry | None:
    """The one file of a root table (registry, findings) with an input suffix; two are the run's error, naming
    both (`koperasi.bak` is not a second registry, it is named as of an unknown kind)."""
    files = [e for e in found if e.table == table and Path(e.sumber).suffix.lower() in FORMATS]
    if len(files) > 1:
        raise InputFileError(f"{len(files)} berkas {table} di folder landing: {', '.join(e.sumber for e in files)}; "
                             "simpan satu saja")
    if required and not files:
        raise InputFileError(f"daftar koperasi tidak ada di folder landing: simpan {table}.csv, {table}.xlsx atau "
                             f"{table}.parquet langsung di folder itu")
    if required and files[0].alasan:
        raise InputFileError(f"{files[0].sumber}: tidak dapat dibaca ({files[0].alasan})")
    return files[0] if files else None


@dataclass(frozen=True)
class FilesRead:
    """Files as read (`read_each`), in the order given: each file's rows (None: rejected, its InputFile says
    why), every file's InputFile, and the notes of the rows read."""

    rows: list[Rows | None]
    files: list[InputFile]
    notes: list[pd.DataFrame]


_FileRead = tuple[Rows | None, list[InputFile], list[pd.DataFrame]]  # a file's rows, its InputFile, its notes


class _Remembered:
    """While the months of a backfill are read (`remember_report_files`): the reads of the report files that held
    no row of the month they were read for, by file (its size and modification time) and run start. Another month
    none of whose rows such a file holds reads exactly the same from it (every row is another month's, given as
    nik, month meant and tanggal_kirim), so the file is not read again; a file changed since is (`_read_key`)."""

    active = False
    reads: dict[tuple, _FileRead] = {}


def remember_report_files(remember: bool = True) -> None:
    """From now on, this process keeps the reads of report files holding no row of their run's month (see
    `_Remembered`); not `remember`: it keeps none, and forgets those it kept."""
    _Remembered.active = remember
    if not remember:
        _Remembered.reads.clear()


def read_each(found: Sequence[Entry], bounds: Limits, period: str | None = None, now: datetime | None = None,
              previous: str | None = None) -> FilesRead:
    """Read the files (see `_read`) on as many threads as the machine has cores, the largest first (reading is
    mostly pyarrow's, which leaves Python's lock); the result in the order given, whatever the order of reading.
    Files of fewer than `THREADED_BYTES` together are read on one thread: their time is pandas' own, in Python.
    In a backfill, a report file of other months only, read so for an earlier month, is not read again
    (`_Remembered`)."""
    def one(entry: Entry) -> _FileRead:
        key = _read_key(entry, bounds, period, now)
        kept = _Remembered.reads.get(key) if key else None
        if kept is not None and not _holds(kept[0], (period, previous)):
            return kept
        files: list[InputFile] = []
        notes: list[pd.DataFrame] = []
        rows = _read(entry, bounds, files, notes, period, now, previous)
        give_back()  # what reading the file took beside its rows (pages kept in this thread's arena otherwise)
        if key and rows is not None and rows.frame.empty and rows.previous is None:
            _keep_read(key, (rows, [replace(f, dibaca_untuk=period) for f in files], notes))
        return rows, files, notes

    sizes = [_size(entry.path) for entry in found]
    largest_first = sorted(range(len(found)), key=lambda i: -sizes[i])
    threads = min(len(found), os.cpu_count() or 1) if sum(sizes) >= THREADED_BYTES else 1
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        done = dict(zip(largest_first, pool.map(one, [found[i] for i in largest_first]), strict=True))
    ordered = [done[i] for i in range(len(found))]
    return FilesRead([r for r, _, _ in ordered], [f for _, files, _ in ordered for f in files],
                     [n for _, _, notes in ordered for n in notes])


def _read_key(entry: Entry, bounds: Limits, period: str | None, now: datetime | None) -> tuple | None:
    """What a report file's read for a month depends on besides the month: the file as it is now (`as_it_is`),
    the run's start and the limits; None when nothing is kept."""
    if not _Remembered.active or period is None:
        return None
    file = as_it_is(entry)
    return None if file is None else (*file, now, bounds)


def as_it_is(entry: Entry) -> tuple | None:
    """A landing file as it is now, taken before it is read: the name it has in the landing folder (a link is its
    own entry), its path, inode, size, and the times of its last change: modification and status (the status time
    changes with every write or change of permissions, and no user can set it back); None when it cannot be
    looked at (reading it will say why). What a backfill's months compare to reuse what they read of a file."""
    try:
        stat = entry.path.stat()
    except OSError:
        return None
    return (entry.sumber, str(entry.path.resolve()), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns,
            stat.st_ctime_ns)


def _keep_read(key: tuple, read: _FileRead) -> None:
    """Keep a file's read; those of another run (another start: a Dask worker serves backfill after backfill)
    are forgotten first, so a process keeps one run's reads at a time."""
    if _Remembered.reads and next(iter(_Remembered.reads))[-2] != key[-2]:
        _Remembered.reads.clear()
    _Remembered.reads[key] = read


def _holds(rows: Rows | None, months: tuple[str | None, ...]) -> bool:
    """Whether a kept read has rows meant for one of the months (then the file is read for them)."""
    return rows is None or rows.others is None or bool(rows.others["periode"].isin([m for m in months if m]).any())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reading it will say why
        return 0


def _read(entry: Entry, bounds: Limits, files: list[InputFile], notes: list[pd.DataFrame], period: str | None = None,
          now: datetime | None = None, previous: str | None = None) -> Rows | None:
    """The file's rows as text (of the period, when given, and of `previous` apart); its InputFile in `files`,
    the notes of the period's rows in `notes`."""
    sumber = entry.sumber
    try:
        data = read_bounded(entry.path, bounds.bytes)
    except (OSError, InputFileError) as error:
        why = str(error) if isinstance(error, InputFileError) else f"tidak dapat dibaca ({error.strerror})"
        files.append(InputFile(sumber, "", 0, entry.format or "?", f"{sumber}: {why}"))
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    read = None
    try:
        read = _tables(data, entry, COLUMNS[entry.table], bounds)
        rows = _joined([rows_as_text(table, where, ANGKA, period, now, previous) for where, table in read.tables])
    except InputFileError as error:
        galat = str(error)
    except Exception as error:  # noqa: BLE001 - any failure reading one file (a library's too) is that file's error
        galat = f"{sumber}: tidak dapat dibaca ({type(error).__name__}: {shown(str(error))})"
    else:
        counted = len(rows.frame) + (0 if rows.others is None else len(rows.others))
        files.append(InputFile(sumber, sha256, counted, read.kind, encoding=read.encoding,
                               dibersihkan=cleaning_text(rows.cleaned, rows.digits), tertelan=read.swallowed,
                               lembar_tidak_dibaca=read.not_read))
        notes.append(rows.notes)
        return rows
    files.append(InputFile(sumber, sha256, 0, read.kind if read else entry.format or "?", galat,
                           encoding=read.encoding if read else None))
    return None


def read_text_table(data: bytes, sumber: str, columns: Sequence[str], numeric: Sequence[str] = (),
                    bounds: Limits | None = None) -> tuple[pd.DataFrame, str]:
    """A file's bytes (its format from the name's suffix) as text columns plus `sumber` and `baris`."""
    fmt = Path(sumber).suffix.lower().lstrip(".")
    read = _tables(data, Entry(sumber, Path(sumber), "laporan", fmt), columns, bounds or limits())
    return _joined([rows_as_text(table, where, numeric) for where, table in read.tables]).frame, read.kind


@dataclass(frozen=True)
class _Read:
    """A file's tables (one, or a workbook's sheets: each with the `sumber` its rows carry), kind and encoding,
    the lines a broken quote swallowed, and the sheets not read (sumber, alasan)."""

    tables: list[tuple[str, Table]]
    kind: str
    encoding: str | None = None
    swallowed: int = 0
    not_read: list[dict] = field(default_factory=list)


def _tables(data: bytes, entry: Entry, columns: Sequence[str], bounds: Limits) -> _Read:
    """The file's contract columns, rows numbered as a spreadsheet shows them (CSV: the header is row 1;
    Parquet: the first row is 1; Excel: the sheet's row numbers). A workbook gives each sheet read; when it has
    more than one, each row's `sumber` names its sheet: `laporan/a.xlsx[Kiriman 2]`."""
    sumber = entry.sumber
    if entry.format == "xlsx":
        book = read_xlsx(data, sumber, entry.table, columns, bounds)
        named = [(f"{sumber}[{shown(s.title)}]" if len(book.sheets) > 1 else sumber, s) for s in book.sheets]
        return _Read([(where, Table(s.columns, s.baris, "xlsx", None, dict(zip(columns, s.textual, strict=True)),
                                    s.notes, s.cleaned)) for where, s in named], "xlsx",
                     not_read=[{"sumber": f"{sumber}[{shown(title)}]", "alasan": why} for title, why in book.not_read])
    if entry.format == "parquet":
        read = read_parquet(data, sumber, columns, bounds)
        selected, _, cleaned = contract_columns(read, sumber, columns)
        textual = {c: is_text(t) for c, t in zip(columns, selected.schema.types, strict=True)}
        return _Read([(sumber, Table(selected, np.arange(1, read.num_rows + 1), "parquet", None, textual,
                                     cleaned=cleaned))], "parquet")
    csv = read_csv(data, sumber, bounds.cells, columns)
    selected, positions, cleaned = contract_columns(csv.table, sumber, columns)
    at = dict(zip(positions, columns, strict=True))
    written = {name: i for i, name in enumerate(csv.table.column_names)}
    notes = [(row + 2, at.get(written[name], columns[0]), reason) for row, name, reason in csv.notes]
    notes += [(row + 2, column, reason) for row, column, reason in
              short_row_notes(csv.short, csv.table.num_columns, positions, columns)]
    return _Read([(sumber, Table(selected, np.arange(2, csv.table.num_rows + 2), csv.kind, csv.encoding,
                                 notes=notes, cleaned=cleaned))], csv.kind, csv.encoding, csv.swallowed)


def _joined(parts: list[Rows]) -> Rows:
    """The rows of a file's tables (a workbook's sheets) together."""
    if len(parts) == 1:
        return parts[0]
    others = [p.others for p in parts if p.others is not None]
    earlier = [p.previous for p in parts if p.previous is not None]
    return Rows(pd.concat([p.frame for p in parts], ignore_index=True),
                pd.concat(others, ignore_index=True) if others else None,
                pd.concat([p.notes for p in parts], ignore_index=True),
                [c for p in parts for c in p.cleaned], [d for p in parts for d in p.digits],
                _joined(earlier) if earlier else None)


def _concat(frames: list[pd.DataFrame | None], columns: Sequence[str]) -> pd.DataFrame:
    present = [f for f in frames if f is not None]
    if not present:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("sumber", *columns)}
                            | {"baris": pd.Series([], dtype="int64")})[["sumber", "baris", *columns]]
    return pd.concat(present, ignore_index=True)


def _concat_notes(notes: list[pd.DataFrame]) -> pd.DataFrame:
    present = [n for n in notes if len(n)]
    return pd.concat(present, ignore_index=True) if present else empty_notes()


__all__ = ["ANGKA", "KOPERASI", "NOTES", "Entry", "InputFile", "Landing", "common_files",
           "digest", "entries", "read_common", "read_landing", "read_report_files", "read_reports", "read_text_table",
           "remember_report_files", "shown", "with_common"]
