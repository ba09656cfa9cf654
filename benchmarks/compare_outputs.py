"""Compare two published output folders table by table, apart from the run's own fields.

    python benchmarks/compare_outputs.py GOLDEN NEW

Every `<table>/periode=*/part-0.parquet` of either folder is read with pyarrow; the run fields (`run_id`,
`dihitung_pada`) are dropped and the rest must be equal: the same rows in the same order, the same Arrow schema
with its field metadata, and the same file layout (row groups and their sizes, each column's codec, encodings and
statistics). Each published period's `_terbit` row counts and its manifest's counts (`jumlah`) must match too.
Prints one line per table and period; exit 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

RUN_FIELDS = ("run_id", "dihitung_pada")


def _tables(folder: Path) -> dict[str, Path]:
    return {f"{p.parent.parent.name}/{p.parent.name}": p
            for p in sorted(folder.glob("*/periode=*/*.parquet")) if not p.parent.parent.name.startswith("_")}


def _layout(path: Path) -> list:
    """Row groups, and per column of each its codec, encodings and statistics (the run fields' excepted)."""
    meta = pq.ParquetFile(path).metadata
    groups = []
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        columns = []
        for c in range(group.num_columns):
            column = group.column(c)
            if column.path_in_schema.split(".")[0] in RUN_FIELDS:
                continue
            stats = column.statistics
            columns.append((column.path_in_schema, column.compression, tuple(column.encodings),
                            stats.to_dict() if stats is not None and stats.has_min_max else None))
        groups.append((group.num_rows, columns))
    return groups


def compare_file(golden: Path, new: Path) -> str | None:
    """None when the two files agree apart from the run fields, else what differs."""
    a, b = pq.read_table(golden), pq.read_table(new)
    if a.schema != b.schema or a.schema.metadata != b.schema.metadata:
        return f"schema differs:\n{a.schema}\n---\n{b.schema}"
    keep = [n for n in a.column_names if n not in RUN_FIELDS]
    a, b = a.select(keep), b.select(keep)
    if a.num_rows != b.num_rows:
        return f"{a.num_rows:,} rows against {b.num_rows:,}"
    if not a.equals(b):
        for name in keep:
            if not a[name].equals(b[name]):
                first = next(i for i, (x, y) in enumerate(zip(a[name].to_pylist(), b[name].to_pylist())) if x != y)
                return f"column {name} differs, first at row {first}: {a[name][first]!r} vs {b[name][first]!r}"
        return "rows differ"
    if _layout(golden) != _layout(new):
        return "file layout differs (row groups, codecs, encodings or statistics)"
    return None


def _counts(folder: Path) -> dict[str, dict]:
    """Per published period: the _terbit row counts and the manifest's `jumlah`."""
    counts = {}
    for record in sorted((folder / "_terbit").glob("*.json")):
        terbit = json.loads(record.read_text())
        manifest = json.loads((folder / terbit["manifest"]).read_text())
        counts[record.stem] = {"baris": {t: v["baris"] for t, v in terbit["tabel"].items()},
                               "jumlah": manifest["jumlah"]}
    return counts


def compare(golden: Path, new: Path) -> list[str]:
    """The differences, one line each (empty: the outputs agree)."""
    problems = []
    old_files, new_files = _tables(golden), _tables(new)
    for key in sorted(old_files.keys() | new_files.keys()):
        if key not in new_files or key not in old_files:
            problems.append(f"{key}: only in {'golden' if key in old_files else 'new'}")
            continue
        difference = compare_file(old_files[key], new_files[key])
        if difference:
            problems.append(f"{key}: {difference}")
    old_counts, new_counts = _counts(golden), _counts(new)
    if old_counts != new_counts:
        for period in sorted(old_counts.keys() | new_counts.keys()):
            if old_counts.get(period) != new_counts.get(period):
                problems.append(f"_terbit/{period}: counts differ: {old_counts.get(period)} vs "
                                f"{new_counts.get(period)}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    golden, new = map(Path, argv)
    problems = compare(golden, new)
    files = len(_tables(golden))
    for line in problems:
        print(f"DIFF {line}")
    print(f"{files} files of {golden} compared with {new}: "
          + ("identical apart from run_id and dihitung_pada" if not problems else f"{len(problems)} differences"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
