"""Shared test setup: one embedded Prefect server for the tests that run the real flow; no network for GX; a Prefect
home of the session's for the CLI processes the tests start, whose background server stops with the session."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile

import pytest

# the tests send Ctrl-C to the commands they start: a suite started with SIGINT ignored (a shell's background job)
# would hand that on to them, and they keep a signal they were started to ignore ignored (flows.interrupt.install)
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# a CLI run without PREFECT_API_URL starts the background server (flows.background) in the Prefect home: never the
# user's during the tests
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="koperasi-sehat-tes-prefect-")
# the checked shared inputs kept between runs (flows.common_cache): the session's, never the user's cache
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="koperasi-sehat-tes-cache-")
# the settings' defaults, whatever the user's shell sets (KOPERASI_SEHAT_DOCUMENTS=false left a publication test
# waiting for documents that were never written); a test that needs a setting sets it itself
for name in [name for name in os.environ if name.startswith("KOPERASI_SEHAT_")]:
    del os.environ[name]


# The test files by their time (their tests' summed durations, measured 2026-12-04: test_background 230 s,
# test_end_to_end 156, test_cli 144, test_readme_commands 78, test_backfill 78, test_operations 71, ...), the longest
# first: the two workers take them in this order (`--no-loadscope-reorder`; xdist's own order is by the number of
# tests, which left the few long tests of test_serve, test_background and the README's commands to the end, one
# worker idle)
LONGEST_FIRST = ("test_background.py", "test_end_to_end.py", "test_cli.py", "test_readme_commands.py",
                 "test_backfill.py", "test_operations.py", "test_quality.py", "test_serve.py", "test_parts.py",
                 "test_lookup.py", "test_install.py", "test_deferred_imports.py", "test_outputs_storage.py",
                 "test_handouts.py", "test_sample.py", "test_data_docs_browser.py", "test_ingest.py",
                 "test_handouts_browser.py", "test_landing_hostile.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files first (`LONGEST_FIRST`), the others after them in their order."""
    place = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: place.get(item.path.name, len(place)))


@pytest.fixture(scope="session", autouse=True)
def background_server_stopped():
    """The background server the session's CLI runs started, stopped at the end of the session."""
    yield
    from flows import background

    background.stop_server()


def pytest_unconfigure() -> None:
    """This process's Prefect home and cache folder removed at its end (each xdist worker and the controller)."""
    for folder in (os.environ["PREFECT_HOME"], os.environ["XDG_CACHE_HOME"]):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_server():
    """A temporary Prefect server and database for the whole session (the real engine, not a mock)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def no_network(monkeypatch):
    """Great Expectations must not reach the internet: any outbound connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def prefect_api_url(prefect_server) -> str:
    """The session server's API URL, for CLI subprocesses whose test is not about starting a server (each CLI
    started without PREFECT_API_URL spends a few seconds starting one of its own)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory):
    """(output folder, tables): the committed sample published for six months (tests/published_sample.py), built
    once per session, and the tables of its last month as the handouts read them."""
    import published_sample as sample
    from flows.handouts import load_tables

    root = tmp_path_factory.mktemp("terbit")
    output = sample.publish(sample.landing(root / "landing"), root / "keluaran")
    return output, load_tables(output, sample.PERIODE, sample.SETTINGS)


@pytest.fixture(scope="session")
def handouts(published_sample, tmp_path_factory):
    """The documents of the sample's last month, written once: (folder, paths)."""
    from flows.handouts import write_reports
    from published_sample import PERIODE, SETTINGS

    folder = tmp_path_factory.mktemp("laporan") / f"periode={PERIODE}"
    return folder, write_reports(published_sample[1], PERIODE, folder, SETTINGS)
