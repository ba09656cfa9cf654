"""Time the handouts of a period at a province's and at a national month's size.

    python benchmarks/bench_handouts.py --copies 1 20 500
    python benchmarks/bench_handouts.py --national /tmp/bench [--months 2]

`--copies`: builds the committed sample published for six months with the action tables
(tests/published_sample.py), then for each number of copies renders the documents of October 2026 from the tables
repeated that many times (each copy a new set of cooperatives, niks and kabupaten/kota: 31 scored cooperatives and
109 registered a copy, so 500 copies are about a national month's 15,500 scored). Prints seconds per document kind
and the number of files.

`--national WORKDIR`: the national landing folder of `bench_national.py` (`WORKDIR/landing`, generated when
missing), its last `--months` months up to 2026-10 published in process (prepare, score, publish the tables, as
tests/published_sample.py does; kept in `WORKDIR/out_handouts` for the next call), then the documents of 2026-10
as a run's publication writes them (`flows.publishing.stage_documents`: the tables in hand, the earlier periods
read, fsynced): seconds per document kind, the whole step, files and bytes, peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from flows.handouts.cards import write_cards  # noqa: E402
from flows.handouts.feedback import write_feedback  # noqa: E402
from flows.handouts.report import write_report  # noqa: E402
from flows.handouts.tables import Published  # noqa: E402
from flows.handouts.workbook import write_workbook  # noqa: E402

PERIOD = "2026-10"


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


def by_kind(published: Published, folder: Path) -> list[str]:
    """Each kind of document written on its own, timed: 'kind seconds (files)'."""
    line = []
    for kind, write in (("workbook", lambda: [write_workbook(published, folder / "ringkasan.xlsx")]),
                        ("report", lambda: [write_report(published, folder / "laporan.html")]),
                        ("cards", lambda: write_cards(published, folder / "kartu")),
                        ("feedback", lambda: write_feedback(published, folder / "umpan_balik"))):
        start, cpu = time.perf_counter(), time.process_time()
        files = write()
        line.append(f"{kind} {time.perf_counter() - start:.1f} s, CPU {time.process_time() - cpu:.1f} s "
                    f"({len(files)} files)")
    return line


def copies_of_the_sample(counts: list[int]) -> None:
    import published_sample

    root = Path(tempfile.mkdtemp())
    tables = _published(published_sample.publish(published_sample.landing(root / "landing"), root / "keluaran"))
    for copies in counts:
        published = Published(PERIOD, copied(tables, copies), published_sample.SETTINGS)
        folder = root / f"laporan-{copies}"
        folder.mkdir()
        scored = int(published.now("status_koperasi")["dinilai"].sum())
        print("; ".join([f"copies {copies}: {scored} scored", *by_kind(published, folder)]), flush=True)


def _published(output: Path) -> dict[str, pd.DataFrame]:
    from flows.config import settings
    from flows.handouts import load_tables

    return load_tables(output, PERIOD, settings())


def publish_national(landing: Path, output: Path, months: int) -> None:
    """The national months up to PERIOD, published in process without Prefect and GX (once; reused after)."""
    from published_sample import publish_month

    from flows import storage
    from flows.config import TIMEZONE
    from flows.prepare import keeping_common_inputs
    from flows.runs import RunParameters
    from scoring.periods import shift_period

    started = datetime(2026, 12, 1, 2, 0, tzinfo=TIMEZONE)  # after every report of the months is sent
    with keeping_common_inputs():
        for back in range(months - 1, -1, -1):
            periode = shift_period(PERIOD, -back)
            if (storage.partition_path(output, "mutu_pelaporan", periode) / storage.PART).exists():
                continue
            start = time.perf_counter()
            run = publish_month(RunParameters(period=periode, input=landing, output=output, max_quarantine_share=1,
                                              max_reporting_drop=1), started)
            shutil.rmtree(run.path)
            print(f"    published {periode} in {time.perf_counter() - start:.1f} s", flush=True)


def charts_per_card(published: Published, cards: int = 20) -> str:
    """The alternative the cards do without: both charts drawn by matplotlib for each card (a card's chart frames
    made anew for each of `cards` scored cooperatives), against the drawings made once per rulebook and filled."""
    from flows.handouts import charts
    from scoring.rulebook import rulebooks

    scores = published.now("skor_koperasi").head(cards)
    books = rulebooks()
    start = time.process_time()
    for _, score in scores.iterrows():
        charts._DRAWN.clear()  # no frame kept: every chart drawn
        card = charts.CardCharts(published.periods, books)
        book = books[score["rulebook"]]
        card.history(book.id, [score["skor_total"]] * len(published.periods), [score["predikat"]] * len(
            published.periods))
        card.aspects(book.id, [score[f"skor_{a.id}"] for a in book.aspek], [None] * len(book.aspek))
    each = (time.process_time() - start) / len(scores)
    scored = int(published.now("status_koperasi")["dinilai"].sum())
    return (f"matplotlib drawing both charts of every card: {1000 * each:.0f} ms CPU a card (of {len(scores)}), "
            f"{each * scored / 60:.0f} min for the {scored:,} scored")


def national(workdir: Path, months: int) -> None:
    from bench_national import landing_folder

    from flows import storage
    from flows.config import settings
    from flows.handouts import load_tables
    from flows.monthly import OUTPUT_TABLES
    from flows.publishing import stage_documents

    landing, _ = landing_folder(workdir, seed=7)
    output = workdir / "out_handouts"
    publish_national(landing, output, months)
    now = {name: storage.read_table(output, name, PERIOD) for name in OUTPUT_TABLES}  # what a run has in hand
    start = time.perf_counter()
    tables = load_tables(output, PERIOD, settings(), now)
    loaded = time.perf_counter() - start
    published = Published(PERIOD, tables, settings())
    status = published.now("status_koperasi")
    print(f"national {PERIOD}: {len(status):,} registered, {int(status['dinilai'].sum()):,} scored, "
          f"{len(published.areas)} areas in the report and the workbook; earlier periods read in {loaded:.1f} s")
    folder = Path(tempfile.mkdtemp(dir=workdir))
    print("  by kind: " + "; ".join(by_kind(published, folder)), flush=True)
    print("  " + charts_per_card(published), flush=True)
    shutil.rmtree(folder)
    run_id = f"{PERIOD}_bench"
    start, cpu = time.perf_counter(), time.process_time()
    files = stage_documents(output, PERIOD, run_id, now)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    staged = storage.staging_path(output, "laporan", PERIOD, run_id)
    size = sum(p.stat().st_size for p in staged.rglob("*") if p.is_file())
    print(f"  the publication's step (stage_documents: read the earlier periods, write, fsync): {seconds:.1f} s, "
          f"CPU {cpu:.1f} s, {len(files):,} files, {size / 2**20:,.0f} MiB; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB", flush=True)
    shutil.rmtree(output / "_kerja" / run_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[])
    parser.add_argument("--national", type=Path, metavar="WORKDIR", help="bench_national.py's work folder")
    parser.add_argument("--months", type=int, default=2, help="national months published up to 2026-10")
    args = parser.parse_args()
    if args.copies or not args.national:
        copies_of_the_sample(args.copies or [1, 20])
    if args.national:
        args.national.mkdir(parents=True, exist_ok=True)
        national(args.national.resolve(), args.months)


if __name__ == "__main__":
    main()
