"""Orchestration and I/O: Prefect flows and tasks, readers and writers, the CLI.

Arrow allocates through the system's allocator here (`ARROW_DEFAULT_MEMORY_POOL=system`, unless the environment
sets another pool): its default pool (mimalloc) keeps the memory a step freed for its own reuse, so that a national
month's run held 80-170 MiB more at each step's peak ("Performance" in the README). Set here, before pyarrow makes
its default pool, by every process that runs a flow (the command, the background server, a Dask worker).
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
