"""Orchestration and I/O: Prefect flows and tasks, readers and writers, the CLI.

Arrow allocates through the system's allocator here (`ARROW_DEFAULT_MEMORY_POOL=system`, unless the environment
sets another pool): its default pool (mimalloc) keeps the memory a step freed for its own reuse, so that a national
month's run held 80-170 MiB more at each step's peak ("Performance" in the README). Set here, before pyarrow makes
its default pool, by every process that runs a flow (the command, the background server, a Dask worker).

Prefect reads its settings as it is imported, to start its plugins, and logs a setting it refuses there in
pydantic's words, four lines ("Failed to initialize plugins: 1 validation error for ClientSettings ..."), then
goes on; the command names the same setting in its own line once it meets it (`flows.background.
prefect_settings_refused`). That record is dropped (`_SettingsRefusedAtImport`), set here before any module of
this package imports Prefect: `serve` with PREFECT_CLIENT_MAX_RETRIES=-1 printed both (hostile trial). A plugin
that fails otherwise is logged as Prefect logs it.
"""

import logging
import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


class _SettingsRefusedAtImport(logging.Filter):
    """Drops Prefect's record of its settings refused (pydantic's ValidationError) while starting its plugins."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (error is not None and type(error).__name__ == "ValidationError"
                    and type(error).__module__.split(".")[0] in ("pydantic", "pydantic_core"))


logging.getLogger("prefect.plugins").addFilter(_SettingsRefusedAtImport())
