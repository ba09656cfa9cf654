"""The Prefect API of a command: `PREFECT_API_URL` when set, else a local Prefect server this process starts,
supervises and stops (`serve`, and a `run` that cannot use the background server, `flows.background`).

The server is `prefect server start` on 127.0.0.1, run by `python -m flows.server` in a process group of its own,
so that a Ctrl-C in the terminal reaches this process, which stops the server itself, and never the server
first. That process also reads its standard input, a pipe from this process: when the pipe closes (this process
stopped it, ended, or was killed, even by kill -9) it stops the server. No server is ever left behind.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager, suppress
from pathlib import Path

from flows.api_check import loopback, reachable, shown
from scoring.errors import ParameterError, ServerError

HOST = "127.0.0.1"
STARTUP_SECONDS = 120  # the first start creates the database
STOP_SECONDS = 10  # a graceful stop, before the process group is killed
# a local server is asked directly, and its runs run without the proxy variables (`without_proxies`): a proxy cannot
# reach this machine's loopback (a cold run waited 120 s for a server that had started, then failed: hostile trial)
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
WRAPPED_LINES = 3  # of a last sentence a terminal's width wrapped, joined again (`last_words`)
RAISED_LINES = 5  # the last lines of a log in which an exception line is the reason (`last_words`)
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Exit): ")  # a traceback's last line
# asked by the server itself once it answers (`_first_requests`): a GET without body, then a read of the database
FIRST_REQUESTS = (("/admin/version", None), ("/flows/filter", b'{"limit": 1}'))
# the certificate file Prefect's clients load for a server of this project: plain HTTP on the loopback, nothing is
# checked, and certifi's bundle cost 25-35 ms per client, 4 to 5 clients per run (the file says why it is unused)
UNUSED_CERTIFICATE = Path(__file__).with_name("unused-certificate.pem")


def own_server_settings(url: str, ui: bool = False) -> dict[str, str]:
    """The Prefect variables of a process whose API is a server this project started at `url` (plain HTTP on
    127.0.0.1): the URL; the certificate file its clients then load for nothing (`UNUSED_CERTIFICATE`), when it
    loads (a file removed or damaged made every run a traceback: hostile trial; without it they load certifi's);
    and, for a server without its UI (`ui` False), no UI URL: Prefect's 'View at http://127.0.0.1:.../runs/...'
    line of a --verbose run named a page that server does not serve."""
    return {"PREFECT_API_URL": url, **({"PREFECT_API_SSL_CERT_FILE": str(UNUSED_CERTIFICATE)} if _loads() else {}),
            **({} if ui else {"PREFECT_UI_URL": ""})}


@functools.cache
def _loads() -> bool:
    """Whether `UNUSED_CERTIFICATE` loads as a file of certificates (once per process: about a millisecond)."""
    try:
        ssl.create_default_context(cafile=UNUSED_CERTIFICATE)
    except (OSError, ValueError):  # ssl.SSLError is an OSError
        return False
    return True


def configured_api() -> tuple[str, str, str] | None:
    """The Prefect API URL Prefect's settings name, if any: the URL, where it is set (as `reachable` names it) and
    how to unset it there. Set in the active Prefect profile, or in .env, prefect.toml or pyproject.toml in this
    folder, which take precedence (a URL of the folder's .env was blamed on the profile: hostile trial)."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, load_current_profile

    url = get_current_settings().api.url
    if not url:
        return None
    if load_current_profile().settings.get(PREFECT_API_URL) == url:
        return (url, f"PREFECT_API_URL profil Prefect yang aktif ({shown(url)})",
                "hapus dari profil itu (prefect config unset PREFECT_API_URL)")
    return (url, f"PREFECT_API_URL pengaturan Prefect di folder ini ({shown(url)}; .env, prefect.toml atau "
                 "pyproject.toml)", "hapus dari berkas itu (prefect config view menunjukkan asalnya)")


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def check_port(port: int) -> int:
    """The port, if nothing listens on it yet (one line, exit 2, otherwise)."""
    with socket.socket() as probe:
        if probe.connect_ex((HOST, port)) == 0:
            raise ParameterError(f"port {port} di {HOST} sudah dipakai program lain: pilih port lain "
                                 "(KOPERASI_SEHAT_SERVER_PORT), atau pakai server itu (PREFECT_API_URL)")
    return port


@contextmanager
def prefect_api(port: int | None = None, ui: bool = False) -> Iterator[str]:
    """The Prefect API URL for this process; a local server (on `port`, or a free one) for the block's duration
    when none is configured. `ui`: the full server (UI and services: the scheduler), else the API alone."""
    if os.environ.get("PREFECT_API_URL"):
        url = os.environ["PREFECT_API_URL"]
        with _users_server(url, f"PREFECT_API_URL={shown(url)}", "hapus variabel itu") as checked:
            yield checked
        return
    port = check_port(port) if port else free_port()
    log = Path(tempfile.gettempdir()) / f"koperasi-sehat-prefect-{port}.log"
    options = ["--analytics-off", *([] if ui else ["--no-services", "--no-ui"])]
    with log.open("wb") as output:  # started first: it imports Prefect while this process does too
        server = subprocess.Popen([sys.executable, "-m", "flows.server", "--port", str(port), *options],
                                  stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT, **_own_group())
    started = False  # a server that did not start keeps its log: the error names it
    before: dict[str, str | None] = {}  # the variables set for the server's time, as they were
    try:
        configured = configured_api()  # a server named by the active Prefect profile, or this folder's files
        if configured:
            started = True
            stop(server)
            with _users_server(*configured) as checked:
                yield checked
            return
        url = f"http://{HOST}:{port}/api"
        wait_healthy(server, url, log)
        started = True
        import prefect.settings

        own = own_server_settings(url, ui)
        before = {name: os.environ.get(name) for name in own}
        os.environ.update(own)  # every process this one starts (served flow runs)
        updates = {getattr(prefect.settings, name): value for name, value in own.items()}
        with _direct(url), prefect.settings.temporary_settings(updates):  # this process, whose settings Prefect read
            try:
                yield url
            finally:
                send_pending()
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        stop(server)
        if started:
            log.unlink(missing_ok=True)


@contextmanager
def _users_server(url: str, named: str, fix: str) -> Iterator[str]:
    """A user's Prefect server (`url`, `named` so in the lines, `fix` said to a user who cannot reach it) as
    `reachable` checks it, reached as `_direct` says; the logs and events Prefect still holds for it sent as the block
    ends (`send_pending`)."""
    with _direct(url):
        try:
            yield reachable(url, named, fix)
        finally:
            send_pending()


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs started here send no heartbeats, unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY says otherwise.

    Prefect sends one every 180 s by default, for an automation that marks a crashed run (not set up by this
    project: the command that started the run sees it end), and waits up to a second for its heartbeat thread at
    the end of every run. The served deployment keeps them (`koperasi-sehat serve`)."""
    if os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY") or os.environ.get("PREFECT_RUNNER_HEARTBEAT_FREQUENCY"):
        yield
        return
    from prefect.settings import temporary_settings

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


_UNSENT: list[str] = []  # the kinds `send_pending` could not send, in this process


def send_pending(timeout: float = 5) -> None:
    """Send the logs and events Prefect still holds to the server before it stops (else they are retried, for
    minutes, against a server that is gone), waiting up to `timeout` seconds for each kind. What the server has not
    taken by then is said in one line; the command then ends without Prefect's hooks at the interpreter's exit,
    which would try it again for minutes (`unsent`; a run against a user's server that stopped answering ended 30-90
    s after its last line: hostile trial)."""
    if "prefect" not in sys.modules:  # nothing held: Prefect is not loaded (a server refused before any run)
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    from flows.commands import say

    kinds = {"log": APILogWorker, "event": EventsWorker}
    try:
        left = [kind for kind, worker in kinds.items() if worker.drain_all(timeout=timeout)[1]]
    except BaseException:  # a second stop (Ctrl-C) while waiting: the process ends without them all the same; it
        say("log dan event Prefect yang belum terkirim tidak dikirim")  # waited 2 minutes more for Prefect's hooks
        _UNSENT.extend(kinds)                                            # at its exit (hostile trial)
        raise
    if left:
        say(f"{' dan '.join(left)} Prefect yang belum diterima servernya dalam {timeout:g} detik tidak dikirim")
        _UNSENT.extend(left)


def unsent() -> bool:
    """Whether Prefect's server did not take logs or events of this process (`send_pending`)."""
    return bool(_UNSENT)


def _own_group() -> dict:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def without_proxies(environment: MutableMapping[str, str]) -> dict[str, str]:
    """The environment's proxy variables taken out (those Prefect's client, httpx, reads): a run on this machine's
    own server connects to it alone, and httpx sent even 127.0.0.1 through the proxy (a run ended on Prefect's
    traceback "Failed to reach API"), or failed on a SOCKS proxy it could not use whatever `no_proxy` said
    ("the 'socksio' package is not installed"; hostile trials). What was taken out, to put back."""
    return {name: environment.pop(name) for name in PROXY_VARIABLES if name in environment}


@contextmanager
def _direct(url: str) -> Iterator[None]:
    """For the block, this process and those it starts without the environment's proxy variables when `url` is on
    this machine (`without_proxies`); a server elsewhere is reached as the environment says."""
    proxies = without_proxies(os.environ) if loopback(url) else {}
    try:
        yield
    finally:
        os.environ.update(proxies)


def wait_healthy(server: subprocess.Popen, url: str, log: Path) -> None:
    """Wait until the Prefect server at `url` answers its health check; ServerError naming its last logged words and
    its log when it stops while starting or is not ready within STARTUP_SECONDS."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            words = last_words(log)
            raise ServerError(f"server Prefect lokal berhenti saat dimulai: {words}{database_advice(words)} (log: {log})")
        try:
            with LOOPBACK.open(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)  # a command waits for it: polled often
    raise ServerError(f"server Prefect lokal tidak siap dalam {STARTUP_SECONDS} detik (log: {log})")


def database_advice(words: str) -> str:
    """What to do when the Prefect server stopped on its SQLite database (its words): the file to delete, or the
    home to make writable; '' otherwise. The error alone named neither, and every later run failed alike (hostile
    trial)."""
    from flows.background import prefect_home

    database = prefect_home() / "prefect.db"
    if "database disk image is malformed" in words or "file is not a database" in words:
        return (f"; basis data Prefect {database} rusak: hapus berkas itu (riwayat run Prefect hilang, keluaran "
                "tidak), lalu jalankan lagi")
    if "unable to open database file" in words or "attempt to write a readonly database" in words:
        return f"; basis data Prefect {database} tidak dapat ditulis: PREFECT_HOME harus folder yang dapat ditulis"
    return ""


def last_words(log: Path) -> str:
    """Why a process that ended stopped, from what it wrote: for a setting refused (pydantic's ValidationError,
    e.g. PREFECT_LOGGING_LEVEL=LOUD) the first field and why, not pydantic's closing link; else an exception line
    among its last RAISED_LINES (`ConnectionRefusedError: ...`, not the "Server stopped!" after it); else its last
    sentence, the lines a terminal's width wrapped joined again ("Port 4200 is already in use. Please ... the
    --port" / "flag.")."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    for i, line in enumerate(lines[:-2]):
        if "ValidationError: " in line:
            return f"{line.split('ValidationError: ', 1)[1]}: {lines[i + 1]}: {lines[i + 2]}"
    raised = [line for line in lines[-RAISED_LINES:] if EXCEPTION_LINE.match(line)]  # not one recovered from before
    if raised:
        return raised[-1]
    start = len(lines) - 1
    while start > max(len(lines) - WRAPPED_LINES, 0) and not lines[start - 1].endswith((".", "!", "?", ":")):
        start -= 1
    return " ".join(lines[start:]) if lines else "(tanpa keluaran)"


def stop(server: subprocess.Popen) -> None:
    """Stop the supervised server: close its pipe (it stops itself), then kill its process group if it lingers."""
    if server.stdin:
        server.stdin.close()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        if os.name == "nt":
            server.kill()
        else:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _stop_when_parent_goes() -> None:
    """In the server process: wait for the end of the pipe from the parent, then stop this process."""
    while os.read(sys.stdin.fileno(), 4096):  # the raw descriptor: no buffer lock held at interpreter exit
        pass
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
    time.sleep(STOP_SECONDS / 2)
    os._exit(0)


def _first_requests(url: str) -> None:
    """In the server process: once the server answers, ask it what a run's Prefect client asks first, so that the
    first run does not wait for it (a new server answered its first `/admin/version` in 0.5 s, then in 3 ms, and
    its first read of the database took 0.1 s: 2026-12-03). Only a saving: a request that fails is left."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            LOOPBACK.open(f"{url}/health", timeout=2).close()
            break
        except OSError:
            time.sleep(0.05)
    for path, body in FIRST_REQUESTS:
        request = urllib.request.Request(f"{url}{path}", data=body, headers={"Content-Type": "application/json"})
        with suppress(OSError):
            LOOPBACK.open(request, timeout=STOP_SECONDS).close()


def main(argv: list[str]) -> None:
    """`python -m flows.server --port N [...]`: `prefect server start` on 127.0.0.1, stopped when the pipe closes;
    its first requests asked by itself (`_first_requests`)."""
    threading.Thread(target=_stop_when_parent_goes, daemon=True).start()
    port = argv[argv.index("--port") + 1]
    threading.Thread(target=_first_requests, args=(f"http://{HOST}:{port}/api",), daemon=True).start()
    from prefect.cli import app

    sys.argv = ["prefect", "server", "start", "--host", HOST, *argv]
    app()


if __name__ == "__main__":
    main(sys.argv[1:])
