"""The entries of a landing folder: which file is read as which table, why any other entry is not, and reading a
file safely (a regular file inside the folder, never more than the size limit).

Every entry under the root, at any depth, becomes one `Entry`: read (a table and a format) or not read (a reason
in Indonesian). Folders are walked without following links; a link to a file inside the folder is read as its
target, a link that leaves the folder is refused by name.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flows.config import ENV_PREFIX
from schemas.landing_paths import input_table, meant_folder
from scoring.errors import InputFileError
from scoring.quoting import fitting, marks

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
_CHUNK = 8 << 20


@dataclass(frozen=True)
class Entry:
    """One entry of the landing folder: read as `table` in `format`, or not read because of `alasan` (`table`
    then says where it would have belonged, when it is known)."""

    sumber: str  # path under the root, as shown (`shown`)
    path: Path  # what is read: the file, or the target of a link that stays inside the folder
    table: str | None = None  # koperasi, laporan, kuesioner, faktor_pengurang, pemeriksaan
    format: str | None = None  # csv, parquet, xlsx
    alasan: str | None = None  # why the entry is not read


def shown(text: str) -> str:
    """Text from the file system or a file as it is shown: a character that cannot be seen or that controls a
    terminal (newline, ESC, a zero-width space, a non-breaking space) and the backslash are escaped, so that a
    name can neither forge a line of a summary nor reach the terminal."""
    return "".join(c if c.isprintable() and c != "\\" else _escaped(c) for c in text)


def given(value: object) -> str:
    """A value someone gave (an option, a name), as a message quotes it: `shown`, in the marks of
    `scoring.quoting.marks`, whole up to QUOTED_MAKS characters (Python's repr showed 'Tara\\'kan"' and doubled
    backslashes; a name of 300 characters was echoed whole: hostile trials)."""
    text = shown(fitting(str(value)))
    opening, closing = marks(text)
    return opening + text + closing


def _escaped(character: str) -> str:
    code = ord(character)
    if character == "\\":
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8 (surrogateescape): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


@dataclass(frozen=True)
class Limits:
    """What one file may cost: its bytes, also once decompressed (`KOPERASI_SEHAT_MAX_FILE_BYTES`), and its cells,
    rows x columns read (`KOPERASI_SEHAT_MAX_FILE_CELLS`)."""

    bytes: int
    cells: int


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def limit_text(limit: int) -> str:
    """The size limit as a message names it, with the setting that changes it."""
    return f"{_number(limit)} byte ({ENV_PREFIX}MAX_FILE_BYTES)"


def over_cells(rows: int, columns: int, limit: int, at_least: bool = False) -> str:
    """Why a file of `rows` (`at_least`: or more) x `columns` cells is not read, naming the limit and its setting."""
    return (f"{'sedikitnya ' * at_least}{_number(rows)} baris x {_number(columns)} kolom, lebih dari batas "
            f"{_number(limit)} sel"
            + f" ({ENV_PREFIX}MAX_FILE_CELLS)")


def walk_landing(root: Path, limit: int) -> list[Entry]:
    """Every entry under `root`, sorted by `sumber`: the files read as a table, and every other entry with why
    it is not read. Raises InputFileError when the folder does not exist."""
    if not root.is_dir():
        raise InputFileError(f"input folder {root} does not exist")
    real_root = os.path.realpath(root)
    entries: list[Entry] = []

    def unreadable(error: OSError) -> None:
        where = os.path.relpath(error.filename, root)
        entries.append(Entry(shown(where) + "/", Path(error.filename), alasan=f"folder {not_read(error)}"))

    for folder, folders, files in os.walk(root, onerror=unreadable):
        parts = Path(os.path.relpath(folder, root)).parts if folder != str(root) else ()
        if parts and not folders and not files:
            entries.append(Entry(shown("/".join(parts)) + "/", Path(folder),
                                 alasan="folder kosong: tidak ada berkas di dalamnya"))
        folders[:] = [name for name in sorted(folders) if _walked(Path(folder, name), (*parts, name), entries)]
        entries += [_classify(Path(folder, name), (*parts, name), real_root, limit) for name in files]
    return sorted(entries, key=lambda e: e.sumber)


def not_read(error: OSError) -> str:
    """Why an entry the system refused is not read (any OSError: a name too long, no permission...)."""
    return f"tidak dapat dibaca ({error.strerror or type(error).__name__})"


def _walked(path: Path, parts: tuple[str, ...], entries: list[Entry]) -> bool:
    """Whether the folder at `parts` is walked; if not, its entry with why is added to `entries`."""
    sumber = shown("/".join(parts))
    if parts[-1].startswith("."):
        entries.append(Entry(sumber + "/", path, alasan="folder tersembunyi (namanya diawali titik): isinya tidak "
                                                        "dibaca"))
        return False
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError as error:
        entries.append(Entry(sumber + "/", path, alasan=f"folder {not_read(error)}"))
        return False
    if link:
        entries.append(Entry(sumber, path, alasan="tautan ke folder: tidak diikuti; letakkan berkasnya di folder "
                                                  "landing"))
    return not link


def _classify(path: Path, parts: tuple[str, ...], real_root: str, limit: int) -> Entry:
    """What the file at `parts` under the root is read as, or why it is not read (with its table when known)."""
    sumber, name = shown("/".join(parts)), parts[-1]
    if name.startswith("~$"):
        return Entry(sumber, path, alasan="berkas kunci spreadsheet (~$...): tutup berkasnya di Excel, lalu hapus")
    if name.startswith("."):
        return Entry(sumber, path, alasan="berkas tersembunyi (namanya diawali titik)")
    table, where = _table_of(parts)
    try:
        target = regular_file(path, real_root)
        size = target.stat().st_size
    except InputFileError as error:
        return Entry(sumber, path, table, alasan=str(error))
    except OSError as error:
        return Entry(sumber, path, table, alasan=not_read(error))
    if table is None:
        return Entry(sumber, target, alasan=where)
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        return Entry(sumber, target, table, alasan=f"jenis berkas tidak dikenal ({shown(suffix) or 'tanpa akhiran'}): "
                                                    "hanya .csv, .parquet dan .xlsx yang dibaca")
    if size > limit:
        return Entry(sumber, target, table, FORMATS[suffix], alasan=f"lebih besar dari batas {limit_text(limit)}")
    return Entry(sumber, target, table, FORMATS[suffix])


def _table_of(parts: tuple[str, ...]) -> tuple[str | None, str]:
    """The table a file at `parts` belongs to (`schemas.landing_paths.input_table`), or None and why no input table
    lives there."""
    table = input_table("/".join(parts))
    if table is not None:
        return table, ""
    if len(parts) == 1:
        folder = meant_folder(parts[0])
        if folder is not None:  # laporan.csv, laporan_2026-10.csv at the root: its rows are not read (hostile trials)
            kind = "" if Path(parts[0]).suffix.lower() in FORMATS else " sebagai .csv, .parquet atau .xlsx"
            return None, (f"bukan berkas masukan: {folder} dibaca dari folder {folder}/, bukan dari berkas di akar "
                          f"folder landing; simpan berkas ini{kind} di dalam folder {folder}/")
        return None, ("bukan berkas masukan: di akar folder landing hanya koperasi dan faktor_pengurang "
                      "(.csv, .parquet, .xlsx) yang dibaca")
    return None, (f"bukan berkas masukan: tidak ada tabel masukan di folder {shown(parts[0])}/ (hanya laporan/, "
                  "kuesioner/ dan pemeriksaan/)")


def regular_file(path: Path, real_root: str) -> Path:
    """The regular file `path` stands for inside the landing folder (a link that stays inside: its target);
    raises InputFileError saying why for anything else."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(path)
        if os.path.commonpath([target, real_root]) != real_root:
            raise InputFileError(f"tautan ke luar folder landing ({shown(target)}): tidak dibaca")
        try:
            info = os.stat(target)
        except OSError as error:
            raise InputFileError(f"tautan rusak ({error.strerror})") from None
        path = Path(target)
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"bukan berkas biasa ({_kind(info.st_mode)}): tidak dibaca")
    return path


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "soket"), (stat.S_ISCHR, "perangkat karakter"),
             (stat.S_ISBLK, "perangkat blok"), (stat.S_ISDIR, "folder"))
    return next((name for test, name in kinds if test(mode)), "jenis lain")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, never more than `limit`: opened without blocking and without following a
    link, checked to be a regular file, read in chunks up to limit + 1 bytes. Raises InputFileError (what is
    wrong, without the file's name) or OSError."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    with open(descriptor, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise InputFileError(f"bukan berkas biasa ({_kind(os.fstat(descriptor).st_mode)}): tidak dibaca")
        chunks, size = [], 0
        while size <= limit:
            chunk = handle.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise InputFileError(f"lebih besar dari batas {limit_text(limit)}")
    return b"".join(chunks)
