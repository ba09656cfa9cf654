"""Orchestration and I/O: Prefect flows and tasks, readers and writers, the CLI."""
