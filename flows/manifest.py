"""What the run manifest `_runs/<run_id>.json` records of the code; the manifest is published with the tables
(`flows.publishing`), so a manifest means a complete run."""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from scoring.rulebook import RULEBOOK_DIR, rulebooks

PACKAGES = ("koperasi-sehat", "prefect", "pandas", "numpy", "pandera", "great-expectations", "pyarrow", "pydantic",
            "typer", "rich", "filelock", "platformdirs")


def versions() -> dict:
    """Versions of the package and its main dependencies, each rulebook's versi and a digest of every rulebook file."""
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {"paket": {name: installed(name) for name in PACKAGES},
            "versi_rulebook": {book_id: book.versi for book_id, book in rulebooks().items()},
            "rulebook": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(RULEBOOK_DIR.glob("*.toml"))}}


def write_json(path: Path, content: dict) -> Path:
    """Write a JSON file atomically: a temporary file, fsynced, renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(content, handle, ensure_ascii=False, indent=2, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path
