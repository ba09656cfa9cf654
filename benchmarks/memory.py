"""A process's own peak memory, for the benchmarks.

Linux carries a process's ru_maxrss over `exec` from the process that started it (the kernel keeps the larger of
the two), so the ru_maxrss of a command a benchmark started is at least the benchmark's own peak: `os.wait4` on
`bench_scoring.py --rows 10000` started by `run_all.py` gave 573 MiB, where the process's own peak was 163 MiB.
VmHWM (/proc/<pid>/status) is the process's own, since it started.
"""

from __future__ import annotations

from pathlib import Path


def peak_rss_kib(pid: int | str = "self") -> int:
    """A live process's own peak resident set since it started (VmHWM, KiB); 0 once it has ended or without
    /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return 0
