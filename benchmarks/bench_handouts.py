"""Time the handouts of a period at a province's and at a national month's size.

    python benchmarks/bench_handouts.py --copies 1 300

Builds the committed sample published for six months with the action tables (tests/published_sample.py), then
for each number of copies renders the documents of October 2026 from the tables repeated that many times (each copy
a new set of cooperatives, niks and kabupaten/kota: 31 scored cooperatives and 109 registered a copy, so 300
copies are about 9,300 scored and 14,000 cards, 500 copies a national month's 15,500 scored). Prints seconds per
document kind and the number of files.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import published_sample  # noqa: E402

from flows.handouts.cards import write_cards  # noqa: E402
from flows.handouts.feedback import write_feedback  # noqa: E402
from flows.handouts.report import write_report  # noqa: E402
from flows.handouts.tables import Published  # noqa: E402
from flows.handouts.workbook import write_workbook  # noqa: E402


def copied(tables: dict[str, pd.DataFrame], copies: int) -> dict[str, pd.DataFrame]:
    """The tables repeated: copy k renames every nik (suffix), kabupaten/kota and its code; the province rows add up."""
    result = {}
    for name, frame in tables.items():
        parts = []
        for k in range(copies):
            part = frame.copy()
            if "nik" in part:
                part["nik"] = part["nik"].astype("str") + f"{k:04d}"
            if "kabupaten_kota" in part and name != "ringkasan_wilayah":
                part["kabupaten_kota"] = part["kabupaten_kota"].astype("str") + f" {k}"
            if "kode_wilayah" in part and name != "ringkasan_wilayah":
                part["kode_wilayah"] = part["kode_wilayah"].astype("str") + f"{k:04d}"
            if name == "ringkasan_wilayah":
                area = part["tingkat"] == "kabupaten_kota"
                part.loc[area, "kabupaten_kota"] = part.loc[area, "kabupaten_kota"] + f" {k}"
                part.loc[area, "kode_wilayah"] = part.loc[area, "kode_wilayah"] + f"{k:04d}"
                part = part[area | (k == 0)]
            parts.append(part)
        result[name] = pd.concat(parts, ignore_index=True)
    counts = [c for c in result["ringkasan_wilayah"] if c.startswith("jumlah_")]
    province = result["ringkasan_wilayah"]["tingkat"] == "provinsi"
    result["ringkasan_wilayah"].loc[province, counts] *= copies
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 300])
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp())
    work = published_sample.publish(published_sample.landing(root / "landing"), root / "keluaran")
    tables = published_sample.action_tables(root / "keluaran", work)
    for copies in args.copies:
        published = Published(published_sample.PERIODE, copied(tables, copies), published_sample.SETTINGS)
        folder = root / f"laporan-{copies}"
        folder.mkdir()
        scored = int(published.now("status_koperasi")["dinilai"].sum())
        line = [f"copies {copies}: {scored} scored"]
        for kind, write in (("workbook", lambda: [write_workbook(published, folder / "ringkasan.xlsx")]),
                            ("report", lambda: [write_report(published, folder / "laporan.html")]),
                            ("cards", lambda: write_cards(published, folder / "kartu")),
                            ("feedback", lambda: write_feedback(published, folder / "umpan_balik"))):
            start = time.perf_counter()
            files = write()
            line.append(f"{kind} {time.perf_counter() - start:.1f} s ({len(files)} files)")
        print("; ".join(line), flush=True)


if __name__ == "__main__":
    main()
