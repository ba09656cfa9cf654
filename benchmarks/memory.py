"""A process's own peak memory, for the benchmarks, and that of the background server's copy that ran a `run`.

Linux carries a process's ru_maxrss over `exec` from the process that started it (the kernel keeps the larger of
the two), so the ru_maxrss of a command a benchmark started is at least the benchmark's own peak: `os.wait4` on
`bench_scoring.py --rows 10000` started by `run_all.py` gave 573 MiB, where the process's own peak was 163 MiB.
VmHWM (/proc/<pid>/status) is the process's own, since it started.
"""

from __future__ import annotations

import ast
from pathlib import Path


def peak_rss_kib(pid: int | str = "self") -> int:
    """A live process's own peak resident set since it started (VmHWM, KiB); 0 once it has ended or without
    /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return 0


def served_run(prefect_home: Path) -> dict:
    """What the background server of a Prefect home logged for its last run (a `run` command hands its run to a
    copy of that server, `flows.background`; the command itself is a thin client): the copy's ru_maxrss (KiB),
    its CPU and system seconds; {} when none is logged."""
    try:
        lines = [line for line in (prefect_home / "koperasi-sehat-server.log").read_text().splitlines()
                 if " selesai: " in line]
    except OSError:
        return {}
    return ast.literal_eval(lines[-1].split(" selesai: ", 1)[1]) if lines else {}
