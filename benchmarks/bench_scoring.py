"""Time `score_reports` on N synthetic report rows (default 1,000,000) and print rows/second.

Usage: python benchmarks/bench_scoring.py [--rows N] [--seed S] [--calls C]

The first call in the process is timed alone ("seconds", "rows/second"): it also loads the rulebooks and touches
fresh memory, which on this virtual machine costs from 0.2 s to 2.8 s of system time per call (the same page
faults, a different host). The later calls (C - 1: 3 by default, C = 4; on the same inputs) give the engine's
steady rate ("warm seconds": their median; with --calls 1, the first call's).

The peak RSS is the process's own (VmHWM; its inputs included); "peak above the inputs" subtracts the resident
set once the inputs are built: the engine's result and working memory. The system CPU time and the page faults of
the first and of the warm calls show what the kernel spends providing fresh memory: numpy advises the kernel to
back arrays of 4 MiB or more with huge pages, and with the kernel's `defrag` set to `madvise` (printed) a fault
can wait for memory to be compacted first (NUMPY_MADVISE_HUGEPAGE=0 turns numpy's advice off).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.memory import peak_rss_kib  # noqa: E402
from scoring import score_reports  # noqa: E402
from scoring.columns import JUMLAH  # noqa: E402


def synthetic_reports(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Random (not balanced) report rows over 12 periods, each cooperative once a period, questionnaires and a few
    factors."""
    rng = np.random.default_rng(seed)
    cooperatives = -(-rows // 12)  # a period's rows: each nik once (rows // 12 repeated some when 12 did not divide)
    frame = pd.DataFrame({c: rng.integers(0, 5_000_000_000, rows, dtype=np.int64) for c in JUMLAH})
    frame.insert(0, "nik", pd.Series(np.char.add("6502", (np.arange(rows) % cooperatives).astype(str))).astype("str"))
    periods = pd.Series([f"2025-{m:02d}" for m in range(1, 13)])
    frame.insert(1, "periode", periods.repeat(-(-rows // 12)).iloc[:rows].to_numpy())
    frame["jenis"] = "ksp"
    sizes = {"manajemen_umum": 12, "kelembagaan": 6, "manajemen_permodalan": 5, "manajemen_aktiva": 10,
             "manajemen_likuiditas": 5}
    niks = frame["nik"].unique()
    komponen = np.concatenate([[k] * n for k, n in sizes.items()])
    nomor = np.concatenate([np.arange(1, n + 1) for n in sizes.values()])
    questionnaires = pd.DataFrame({  # text as pandas' Arrow strings, as the pipeline reads them from Parquet
        "nik": pd.Series(np.repeat(niks, len(komponen)), dtype="str"),
        "tanggal": pd.Series(["2025-02-15"] * (len(niks) * len(komponen)), dtype="str"),
        "komponen": pd.Series(np.tile(komponen, len(niks)), dtype="str"), "nomor": np.tile(nomor, len(niks)),
        "jawaban": pd.Series(np.where(rng.random(len(niks) * len(komponen)) < 0.7, "ya", "tidak"), dtype="str"),
    })
    factors = pd.DataFrame({"nik": niks[:50], "kode": "pembukuan_bermasalah", "berlaku_mulai": "2025-06",
                            "berlaku_sampai": None, "keterangan": "benchmark"})
    return frame, questionnaires, factors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="report rows to score (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic reports (default 7)")
    parser.add_argument("--calls", type=int, default=4,
                        help="calls in this process: the first, then the warm ones (default 4)")
    args = parser.parse_args()
    reports, questionnaires, factors = synthetic_reports(args.rows, args.seed)
    inputs = psutil.Process().memory_info().rss / 2**20
    times, system, faults, indicator_rows = [], [], [], 0
    for _ in range(max(args.calls, 1)):
        usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        result = score_reports(reports, questionnaires=questionnaires, factors=factors)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_SELF)
        system.append(after.ru_stime - usage.ru_stime)
        faults.append(after.ru_minflt - usage.ru_minflt)
        indicator_rows = len(result.indikator)
        del result  # each call's result freed before the next, as a run keeps one month's
    peak = (peak_rss_kib() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
    warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
    huge = np._core.multiarray._get_madvise_hugepage()
    figures = {
        "rows": f"{args.rows:,}", "indicator rows": f"{indicator_rows:,}", "seconds": f"{times[0]:.2f}",
        "rows/second": f"{args.rows / times[0]:,.0f}", "warm seconds": f"{warm:.2f}",
        "warm rows/second": f"{args.rows / warm:,.0f}", "warm calls": " ".join(f"{t:.2f}" for t in times[1:]) or "-",
        "system seconds": f"{system[0]:.2f}; warm {' '.join(f'{t:.2f}' for t in system[1:]) or '-'}",
        "page faults": f"{faults[0]:,}; warm {' '.join(f'{f:,}' for f in faults[1:]) or '-'}",
        "huge pages": f"numpy advises {'on' if huge else 'off'}; kernel {_kernel_huge_pages()}",
        "peak RSS (MiB)": f"{peak:,.0f}", "inputs RSS (MiB)": f"{inputs:,.0f}",
        "peak above the inputs (MiB)": f"{peak - inputs:,.0f}",
    }
    for label, value in figures.items():  # two spaces at least between them: run_all.py reads these lines
        print(f"{label:<29}{value}")


def _kernel_huge_pages() -> str:
    """The kernel's transparent huge page settings (enabled, defrag), the chosen value of each; '-' where unknown."""
    chosen = []
    for name in ("enabled", "defrag"):
        try:
            text = Path("/sys/kernel/mm/transparent_hugepage", name).read_text()
            chosen.append(f"{name} {text[text.index('[') + 1:text.index(']')]}")
        except (OSError, ValueError):
            chosen.append(f"{name} -")
    return ", ".join(chosen)


if __name__ == "__main__":
    main()
