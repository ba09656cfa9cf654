"""Compare two published output folders table by table, apart from the run's own fields.

    python benchmarks/compare_outputs.py GOLDEN NEW

Every `<table>/periode=*/part-0.parquet` of either folder is read with pyarrow; the run fields (`run_id`,
`dihitung_pada`) are dropped, the run's start time quoted in a reason ("waktu mulai proses 2026-11-30 22:41:58
WITA") is masked, and the rest must be equal: the same rows in the same order, the same Arrow schema with its
field metadata, and the same file layout (row groups and their sizes, each column's codec and encodings; the
statistics of the columns not masked). Each published period's `_terbit` row counts and its manifest's counts
(`jumlah`, without the run's `masukan_umum_dari_cache`) must match too. Prints one line per difference; exit 0
when everything matches, 1 otherwise.

Both folders should be written within the same hour or so: which report rows "cannot be true" depends on the
time a run starts (a row sent after it is quarantined), so the baseline is best run again just before the
comparison (e.g. the baseline's source on PYTHONPATH).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

RUN_FIELDS = ("run_id", "dihitung_pada")
RUN_COUNTS = ("masukan_umum_dari_cache",)  # how this run got its shared inputs, not what they are
START = (r"waktu mulai proses [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} WITA",
         "waktu mulai proses (mulai run) WITA")  # the run's start, quoted in a reason


def _masked(table: pa.Table) -> tuple[pa.Table, set[str]]:
    """The table with the run's start time masked in its text columns, and the names of the columns changed."""
    changed = set()
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if pa.types.is_string(field.type):
            masked = pc.replace_substring_regex(column, pattern=START[0], replacement=START[1])
        elif pa.types.is_list(field.type) and pa.types.is_string(field.type.value_type):
            chunks = [pa.ListArray.from_arrays(c.offsets, pc.replace_substring_regex(
                c.values, pattern=START[0], replacement=START[1]), mask=c.is_null()) for c in column.chunks]
            masked = pa.chunked_array(chunks, type=field.type)
        else:
            continue
        if not masked.equals(column):
            table = table.set_column(i, field, masked)
            changed.add(field.name)
    return table, changed


def _tables(folder: Path) -> dict[str, Path]:
    return {f"{p.parent.parent.name}/{p.parent.name}": p
            for p in sorted(folder.glob("*/periode=*/*.parquet")) if not p.parent.parent.name.startswith("_")}


def _layout(path: Path, masked: set[str]) -> list:
    """Row groups, and per column of each its codec, encodings and statistics (none of the run fields, the
    statistics of the masked columns)."""
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
            shown = stats is not None and stats.has_min_max and column.path_in_schema.split(".")[0] not in masked
            columns.append((column.path_in_schema, column.compression, tuple(column.encodings),
                            stats.to_dict() if shown else None))
        groups.append((group.num_rows, columns))
    return groups


def compare_file(golden: Path, new: Path) -> str | None:
    """None when the two files agree apart from the run fields, else what differs."""
    a, b = pq.read_table(golden), pq.read_table(new)
    if a.schema != b.schema or a.schema.metadata != b.schema.metadata:
        return f"schema differs:\n{a.schema}\n---\n{b.schema}"
    keep = [n for n in a.column_names if n not in RUN_FIELDS]
    (a, masked_a), (b, masked_b) = _masked(a.select(keep)), _masked(b.select(keep))
    if a.num_rows != b.num_rows:
        return f"{a.num_rows:,} rows against {b.num_rows:,}"
    if not a.equals(b):
        for name in keep:
            if not a[name].equals(b[name]):
                first = next(i for i, (x, y) in enumerate(zip(a[name].to_pylist(), b[name].to_pylist())) if x != y)
                return f"column {name} differs, first at row {first}: {a[name][first]!r} vs {b[name][first]!r}"
        return "rows differ"
    if _layout(golden, masked_a | masked_b) != _layout(new, masked_a | masked_b):
        return "file layout differs (row groups, codecs, encodings or statistics)"
    return None


def _counts(folder: Path) -> dict[str, dict]:
    """Per published period: the _terbit row counts and the manifest's `jumlah`."""
    counts = {}
    for record in sorted((folder / "_terbit").glob("*.json")):
        terbit = json.loads(record.read_text())
        manifest = json.loads((folder / terbit["manifest"]).read_text())
        counts[record.stem] = {"baris": {t: v["baris"] for t, v in terbit["tabel"].items()},
                               "jumlah": json.loads(re.sub(START[0], START[1], json.dumps(  # an example quotes it
                                   {k: v for k, v in manifest["jumlah"].items() if k not in RUN_COUNTS})))}
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
            old, now = old_counts.get(period) or {}, new_counts.get(period) or {}
            for part in ("baris", "jumlah"):  # only the counts that differ (a manifest names every kabupaten)
                before, after = old.get(part) or {}, now.get(part) or {}
                problems += [f"_terbit/{period}: {part}.{k}: {before.get(k)} vs {after.get(k)}"
                             for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)]
    return problems


def main(argv: list[str]) -> int:
    if argv in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    golden, new = map(Path, argv)
    problems = compare(golden, new)
    files = len(_tables(golden))
    for line in problems:
        print(f"DIFF {line}")
    print(f"{files} files of {golden} compared with {new}: "
          + ("identical apart from run_id, dihitung_pada, the cache flag and the start time in reasons"
             if not problems else f"{len(problems)} differences"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
