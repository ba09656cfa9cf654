"""Peak memory and time of the questionnaire check on a national file in which every set is rejected.

    python benchmarks/bench_kuesioner_ditolak.py --landing /tmp/nas [--workdir /tmp/kuesioner_ditolak]

`--landing` is a national landing folder (`koperasi-sehat sample --output /tmp/nas --scale national`).
1. copies its registry and writes its questionnaire files again without the last answer of every set, so that
   every set is rejected whole (each of its rows then carries the set's reason);
2. in a child process, reads the shared inputs as a run does (`flows.ingest.read_common`), checks the registry
   and the questionnaires (`schemas.inputs.check_kuesioner`), and prints the rows, the rejected rows, the
   longest reason list, the seconds and the child's own peak RSS (VmHWM: `benchmarks.memory`; `os.wait4`'s
   ru_maxrss would keep this process's own peak, reached reading the files in step 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CHECK = """
import json, time
from datetime import date
from pathlib import Path
from benchmarks.memory import peak_rss_kib
from flows.ingest.landing import read_common
from schemas.inputs import check_koperasi, check_kuesioner, registry_of
started = time.perf_counter()
landing = read_common(Path({folder!r}))
koperasi = check_koperasi(landing.koperasi, date(2026, 11, 30), landing.catatan)
checked = check_kuesioner(landing.kuesioner, registry_of(landing.koperasi, koperasi), landing.catatan)
print(json.dumps({{"baris": len(landing.kuesioner), "ditolak": len(checked.alasan),
                   "alasan_per_baris_maks": int(checked.alasan.map(len).max()),
                   "contoh": checked.alasan.iloc[0], "detik": round(time.perf_counter() - started, 2),
                   "rss_puncak_mib": round(peak_rss_kib() / 1024)}}))
"""


def every_set_rejected(landing: Path, folder: Path) -> int:
    """The landing's registry and questionnaires, each set without its last answer; returns the sets."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "kuesioner").mkdir(parents=True)
    shutil.copy(landing / "koperasi.csv", folder / "koperasi.csv")
    sets = 0
    for path in sorted((landing / "kuesioner").glob("*.csv")):
        answers = pd.read_csv(path, dtype=str, keep_default_na=False)
        last = ~answers.duplicated(["nik", "tanggal"], keep="last")
        sets += int(last.sum())
        answers[~last].to_csv(folder / "kuesioner" / path.name, index=False)
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True, help="a national landing folder")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kuesioner_ditolak"))
    args = parser.parse_args()
    sets = every_set_rejected(args.landing, args.workdir)
    child = subprocess.Popen([sys.executable, "-c", CHECK.format(folder=str(args.workdir))], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, _ = os.wait4(child.pid, 0)
    if status:
        sys.exit(f"the check failed (status {status})")
    figures = {"set": sets, **json.loads(output)}
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
