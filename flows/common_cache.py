"""The checked shared inputs (registry, questionnaires, findings, examiners' checklists) kept between runs on this
machine: a rerun of a month after a correction to a report reads and checks them again only when something that
decides the result differs.

An entry is one pickle in the user's cache folder (`platformdirs.user_cache_path`, `masukan_umum/`), named by the
SHA-256 of everything the check depends on: the day (WITA) of the run, each shared file's name, reason not read
and content, the settings, and the code and rulebooks of this installation (every .py and .toml file of `flows`,
`schemas` and `scoring`). Only the newest `KEEP` entries stay. A missing, unreadable or foreign entry is a miss, never
an error: the inputs are read and checked as without the cache. It holds what the office's own files hold, in
the user's own folder, written and read only by this program.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

from platformdirs import user_cache_path

from flows.config import APP_NAME, settings
from flows.ingest.landing import COMMON, digest, entries

KEEP = 4  # entries kept: a few landing folders (an office's province, a test copy) without growing without bound
T = TypeVar("T")


def cache_folder() -> Path:
    """Where the checked shared inputs are kept between runs: `masukan_umum` in the user's cache folder
    (XDG_CACHE_HOME on Linux)."""
    return user_cache_path(APP_NAME, appauthor=False) / "masukan_umum"


def checked_or_cached(root: Path, today: date, check: Callable[[], T],
                      files_read: Callable[[T], dict[str, str]]) -> tuple[T, bool]:
    """`check()` (the shared inputs of `root` read and checked on `today`), or its result kept from an earlier run
    with the same files, day, settings and code; and whether it is the kept one. `files_read(result)`: the SHA-256
    of each file the result was made from, by name; a result is kept, and a kept one used, only when those are the
    files hashed for its key (a file changed while it was read is not kept). A file that cannot be hashed (it cannot
    be read) is not cached: its error is the run's to tell."""
    keyed = _key(root, today)
    if keyed is None:
        return check(), False
    name, hashed = keyed
    path = cache_folder() / f"{name}.pickle"
    try:
        with path.open("rb") as kept:
            result = pickle.load(kept)
        if files_read(result) == hashed:
            os.utime(path)  # the newest entries stay
            return result, True
    except Exception:  # noqa: BLE001 - any entry that cannot be used (absent, cut short, foreign) is a miss
        pass
    result = check()
    if files_read(result) == hashed:
        _store(path, result)
    return result, False


def _key(root: Path, today: date) -> tuple[str, dict[str, str]] | None:
    """The entry's name, and the SHA-256 of each shared file read, by name."""
    shared = []
    for entry in entries(root):
        if entry.table not in COMMON:
            continue
        content = digest(entry) if entry.alasan is None else ""
        if content is None:
            return None
        shared.append([entry.sumber, entry.alasan, content])
    given = settings().model_dump(mode="json", exclude={"input", "output"})  # the folders' names decide nothing
    described = {"day": today.isoformat(), "files": shared, "settings": given, "code": _code()}
    name = hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()
    return name, {sumber: content for sumber, alasan, content in shared if alasan is None}


@cache
def _code() -> str:
    """The SHA-256 of this installation's code and rulebooks (once per process)."""
    import flows
    import schemas
    import scoring

    sha = hashlib.sha256()
    for package in (flows, schemas, scoring):
        folder = Path(package.__file__).parent
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".toml")):
            sha.update(str(path.relative_to(folder)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _store(path: Path, result: object) -> None:
    """Write the entry whole (a temporary file renamed), then drop all but the newest KEEP; a folder that cannot
    be written only means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as written:
            pickle.dump(result, written, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        for old in sorted(path.parent.glob("*.pickle"), key=_modified, reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
