"""Which input table a file of the landing folder belongs to, by its path there: the one rule for the landing's
walk, the run's counts and the documents. The standard library only: the command imports it before any of the
run's libraries (`flows.ingest.walk`, `flows.preflight`)."""

from __future__ import annotations

from pathlib import PurePosixPath

ROOT_TABLES = ("koperasi", "faktor_pengurang")  # one file at the root, named after the table
FOLDER_TABLES = ("laporan", "kuesioner", "pemeriksaan")  # any number of files, any depth, under the folder so named


def input_table(sumber: str) -> str | None:
    """The input table of a file of the landing folder, by its path there: its folder's, in any case
    ('laporan/2026/x.csv', 'Laporan/x.csv' -> laporan), or a file at the root's name without its extension
    ('koperasi.csv' -> koperasi; a workbook's sheet too, 'koperasi.xlsx[Lembar 1.2]'); None for a file no table
    reads."""
    parts = PurePosixPath(sumber.rsplit("[", 1)[0] if sumber.endswith("]") else sumber).parts
    if len(parts) == 1:
        stem = PurePosixPath(parts[0].lower()).stem
        return stem if stem in ROOT_TABLES else None
    top = parts[0].lower() if parts else ""
    return top if top in FOLDER_TABLES else None


def meant_folder(sumber: str) -> str | None:
    """The folder's table a file at the landing's root was most likely meant for: the one its name begins with, in
    any case ('laporan.csv', 'Laporan Oktober 2026.xlsx', 'kuesioner_2026.csv' -> laporan, laporan, kuesioner);
    None for a file in a folder, or another name."""
    parts = PurePosixPath(sumber).parts
    name = parts[0].strip().casefold() if len(parts) == 1 else ""  # ' laporan.csv' too (hostile trial)
    return next((table for table in FOLDER_TABLES if name.startswith(table)), None)
