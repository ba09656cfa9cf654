"""The run manifest `_runs/<run_id>.json`: written last, so a manifest means a complete run."""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flows.config import RUNS_DIR
from scoring.rulebook import RULEBOOK_DIR, rulebooks

PACKAGES = ("koperasi-sehat", "prefect", "pandas", "numpy", "pandera", "great-expectations", "pyarrow", "pydantic")


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


def write_manifest(output: Path, manifest: dict) -> Path:
    """Write the manifest atomically (temporary file, fsync, rename)."""
    folder = output / RUNS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{manifest['run_id']}.json"
    temporary = path.with_suffix(".json.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path


def previous_manifest(output: Path, periode: str) -> dict | None:
    """The latest complete run's manifest of a period, if any."""
    runs = sorted((output / RUNS_DIR).glob(f"{periode}_*.json"))
    return json.loads(runs[-1].read_text(encoding="utf-8")) if runs else None
