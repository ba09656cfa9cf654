"""Shared test setup: one embedded Prefect server for the tests that run the real flow."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_server():
    """A temporary Prefect server and database for the whole session (the real engine, not a mock)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_api_url(prefect_server) -> str:
    """The session server's API URL, for CLI subprocesses whose test is not about starting a server (each CLI
    started without PREFECT_API_URL spends a few seconds starting one of its own)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()
