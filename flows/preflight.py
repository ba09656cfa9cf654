"""Checks of a run's arguments and environment that fail fast, before Prefect starts: each mistake a user can
make is one `ParameterError` with one line in the analyst's words (the CLI exits with code 2).

Only the standard library and the settings are imported here, so a mistake is reported in about a second.
The flow calls the same checks for runs started from Prefect (`flows.runs.RunParameters`).
"""

from __future__ import annotations

import csv
import difflib
import errno
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from flows.config import APP_NAME, decimal_shown, published_record, published_run
from flows.ingest import walk
from flows.ingest.walk import shown  # names of the registry reach the terminal escaped
from scoring.errors import ParameterError
from scoring.quoting import fitting

REGISTRY = "koperasi.csv"
REFERENCE_TABLE = "status_koperasi"  # every published period has this table's partition


def check_input(folder: Path | None) -> Path:
    """The landing folder: given, or the sample of a source checkout; it must exist."""
    if folder is None:
        raise ParameterError(f"tidak ada folder masukan: berikan --input FOLDER, atau buat contoh dengan "
                             f"`{APP_NAME} sample --output FOLDER` lalu --input FOLDER")
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--input {folder} adalah berkas, bukan folder: berikan folder masukan (landing)")
    if not folder.is_dir():
        raise ParameterError(f"folder masukan {walk.given(folder)} tidak ada")
    return folder


def check_output(folder: Path) -> Path:
    """The output folder: a folder (created if missing) in which this process can write."""
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"--output {folder} adalah berkas, bukan folder: berikan sebuah folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ParameterError(f"--output {folder} tidak bisa ditulis: {os_error_words(error, file=False)}") from None
    return folder


ERRNO_WORDS = {errno.EROFS: "sistem berkasnya hanya-baca", errno.EACCES: "tidak ada izin menulis",
               errno.EPERM: "tidak ada izin menulis", errno.ENOSPC: "disk penuh", errno.EDQUOT: "kuota disk habis",
               errno.ENOENT: "folder atau berkas tidak ada", errno.ENOTDIR: "bagian jalurnya bukan folder",
               errno.EISDIR: "sebuah folder, bukan berkas", errno.EIO: "galat baca/tulis perangkat disk",
               errno.ENAMETOOLONG: "nama jalur terlalu panjang", errno.EMFILE: "terlalu banyak berkas terbuka"}


def os_error_words(error: OSError, file: bool = True) -> str:
    """An operating-system error in the user's words: its cause (a full disk, no permission, ...; the system's own
    words, named as such, for a rarer one) and, with `file`, the file it names. Arrow's write errors carry the
    number in their text ("... Detail: [errno 28] No space left on device")."""
    number = error.errno
    if number is None:
        found = re.search(r"\[errno (\d+)\]", str(error), re.IGNORECASE)
        number = int(found.group(1)) if found else None
    why = ERRNO_WORDS.get(number) or f"galat sistem operasi ({error.strerror or error})"
    return f"{why}: {error.filename}" if file and error.filename else why


def check_apart(landing: Path, output: Path) -> None:
    """The output folder is not the landing folder nor inside it: a run would read its own outputs back as inputs
    (every entry of the landing folder is read or named)."""
    if output.resolve().is_relative_to(landing.resolve()):
        raise ParameterError(f"--output {output} ada di dalam folder masukan {landing}: run berikutnya akan membaca "
                             f"keluarannya sebagai masukan; pilih folder keluaran di luar {landing}")


def check_share(option: str, value: float) -> float:
    """A share of the quality gate: a number from 0 to 1."""
    if not 0 <= value <= 1:
        raise ParameterError(f"{option} {decimal_shown(value)} di luar rentang: berikan angka 0 sampai 1 (mis. 0,1 = "
                             "10%)")
    return value


def check_workers(option: str, value: int | None) -> int | None:
    """A number of worker processes: at least one."""
    if value is not None and value < 1:
        raise ParameterError(f"{option} {value} tidak sah: berikan jumlah pekerja 1 atau lebih")
    return value


def registered_areas(folder: Path) -> list[str] | None:
    """The kabupaten/kota names of the registry (a CSV read with the standard library); None when it cannot be
    read so simply, and the flow's own reading decides."""
    path = folder / REGISTRY
    try:
        text = path.read_text(encoding="utf-8-sig")
        # the header line tells the separator only: its dialect read 'Tana ""Tidung""' written by the standard
        # quoting as another name than the run reads (hostile trial)
        separator = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;").delimiter
        names = {(row.get("kabupaten_kota") or "").strip()
                 for row in csv.DictReader(text.splitlines(), delimiter=separator)}
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    names.discard("")
    return sorted(names) or None


def match_areas(given: Iterable[str], known: Iterable[str], refused: Mapping[str, str] | None = None
                ) -> tuple[str, ...]:
    """The registry's spelling of each name given, matched without regard to case; an unknown name is refused,
    suggesting the nearest, or saying why when it is only on refused registry rows (`refused`: the name in
    `str.casefold` -> which rows were refused and why)."""
    by_key = {name.casefold(): name for name in known}
    matched, unknown = [], []
    for name in given:
        found = by_key.get(name.strip().casefold())
        (matched if found else unknown).append(found or name)
    if unknown:
        name = unknown[0]
        why = (refused or {}).get(name.strip().casefold())
        if why:
            raise ParameterError(f"kabupaten/kota {walk.given(name)} tidak punya baris yang diterima di daftar "
                                 f"koperasi: {why}")
        near = difflib.get_close_matches(name.casefold(), list(by_key), n=1, cutoff=0.5)
        hint = f"; maksud Anda {shown(fitting(by_key[near[0]]))}?" if near else ""
        raise ParameterError(f"kabupaten/kota {walk.given(name)} tidak ada di daftar koperasi{hint} "
                             f"(yang ada: {', '.join(shown(fitting(n)) for n in sorted(by_key.values()))})")
    return tuple(dict.fromkeys(matched))


def is_published(output: Path, periode: str) -> bool:
    """Whether the period was published whole once (its record, or a partition of an older output folder)."""
    return (published_record(output, periode).exists()
            or (output / REFERENCE_TABLE / f"periode={periode}").is_dir())


def check_area_rerun(output: Path, periode: str, areas: tuple[str, ...], landing: Path) -> None:
    """A rerun of some kabupaten/kota only replaces their rows of a published month: it needs one, published from
    the same landing folder (an area read from another folder than the rest of the month, a correction undone
    without a word: new-user trial). Raises ParameterError."""
    if not areas:
        return
    if not is_published(output, periode):
        raise ParameterError(f"periode {periode} belum pernah terbit utuh di {output}: jalankan dulu seluruh "
                             f"bulannya (tanpa --kabupaten), lalu ulangi per kabupaten/kota")
    published = published_input(output, periode)
    if published is not None and published != Path(landing).resolve():
        raise ParameterError(f"periode {periode} terbit dari folder masukan {published}, bukan {landing}: ulangi "
                             f"dengan --input {published}, atau jalankan seluruh bulannya dari folder ini (tanpa "
                             "--kabupaten)")


def published_input(output: Path, periode: str) -> Path | None:
    """The landing folder (absolute) the period's published run read, from its manifest; None when the period is
    not published, or by a run that did not record it (before 2026-12-04) or whose record cannot be read."""
    try:
        manifest = json.loads((Path(output) / published_run(output, periode)["manifest"]).read_text(encoding="utf-8"))
        return Path(manifest["masukan"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
