"""The background server: the local Prefect server a `run` uses when PREFECT_API_URL is not set, started by the
first run that needs it and reused by the next ones, with a process that has imported the pipeline once and runs
each `run` in a copy of itself (`os.fork`): a run then pays neither the server's start nor the imports (Prefect,
pandas, Pandera, Great Expectations: about 5 s of CPU) nor the building of the schemas.

    koperasi-sehat server status     # is one running, where, since when, how many runs
    koperasi-sehat server stop       # stop it (its runs stop as on Ctrl-C first)

It stops by itself after `server_idle_minutes` (setting) without a run; with 0 it stops after each run. One
server per Prefect home (`PREFECT_HOME`, default ~/.prefect), which holds its state (`koperasi-sehat-server.json`)
beside Prefect's database; its log is `koperasi-sehat-server.log` there.

A run sent to it keeps the terminal of its `koperasi-sehat` command: the server's copy writes to the command's
own stdin/stdout/stderr (passed over a Unix socket), in the command's folder and environment; Ctrl-C or SIGTERM
to the command stops the run exactly as before (the command passes the signal on), and a command killed outright
(kill -9) stops its run the same way. The command exits with the run's exit code.

The copy is only used when it runs this very code with this very environment (same Python, same source and
rulebook files, same settings and Prefect variables); a server of an older state of the code is replaced when no
run is using it. On Windows (no fork) a run starts its own temporary server as before (`flows.server`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flows.config import APP_NAME, PROJECT_ROOT, settings

STATE = f"{APP_NAME}-server.json"
LOG = f"{APP_NAME}-server.log"
READY_SECONDS = 180  # the first start creates Prefect's database; the imports take a few seconds more
STOP_SECONDS = 30
PACKAGES = ("flows", "schemas", "scoring")
# read when a module is imported, not when it is used: a copy of the server must have been started with the same
KEYED_ENVIRONMENT = ("PREFECT_", "KOPERASI_SEHAT_", "GX_", "PYTHON", "LC_", "LANG", "TZ", "TMP", "TEMP",
                     "OMP_", "OPENBLAS_", "MKL_", "NUMEXPR_", "ARROW_")
UNKEYED = ("PREFECT_API_URL", "PREFECT_LOGGING_")  # set per run: applied in the copy
# imported by the server before it forks runs: everything a run imports (the lazy imports of Prefect's engine too)
WARM = ("flows.cli", "flows.commands", "flows.pipeline", "flows.monthly", "flows.quality", "flows.report",
        "flows.prepare", "flows.assemble", "flows.score_parts", "flows.publishing", "schemas.expectations",
        "schemas.action_expectations", "prefect.task_engine", "prefect.utilities.visualization", "fastapi.encoders",
        "prefect.concurrency.sync", "great_expectations.render.renderer.site_builder", "pyarrow.acero")


def supported() -> bool:
    """Whether this system can run a background server's copies (POSIX: fork and passing descriptors)."""
    return os.name == "posix" and hasattr(socket, "send_fds") and hasattr(os, "fork")


def prefect_home() -> Path:
    """The Prefect home, as Prefect finds it (PREFECT_HOME, default ~/.prefect), without importing Prefect."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def _socket_path(home: Path) -> str:
    """This server's Unix socket: a path short enough for any home (the limit is about 100 bytes), its own even
    while the server it replaces is still stopping."""
    tag = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]
    return str(Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}-{tag}-{os.getpid()}.sock")


def code_key() -> str:
    """What the server's copies run: this Python, the source and data files of the packages (names, sizes and
    times), and the environment read at import."""
    digest = hashlib.sha256(f"{_python()}\0{sys.version}".encode())
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*")):
            if path.suffix in (".py", ".toml", ".j2", ".css", ".md") and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(PROJECT_ROOT)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith(KEYED_ENVIRONMENT) and not name.startswith(UNKEYED):
            digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


def _python() -> str:
    """This Python installation: its environment (a venv) and its interpreter, however the command was started."""
    return f"{sys.prefix}:{os.path.realpath(sys.executable)}"


# ------------------------------------------------------------------ the command's side


@dataclass(frozen=True)
class Server:
    """A background server as its state file describes it."""

    pid: int
    url: str
    socket: str
    key: str
    python: str
    mulai: str

    @classmethod
    def found(cls, home: Path) -> Server | None:
        """The home's server, if its state file names a live one."""
        try:
            state = json.loads((home / STATE).read_text(encoding="utf-8"))
            server = cls(**state)
        except (OSError, ValueError, TypeError):
            return None
        return server if _alive(server.pid) else None

    def ask(self, message: dict, timeout: float = 10) -> dict | None:
        """One request and its answer; None when the server does not answer."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(self.socket)
                _send(conn, message)
                return _Lines(conn).next()
        except (OSError, ValueError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _starting(home: Path) -> Iterator[None]:
    """One command at a time looks for the home's server and starts it."""
    from filelock import FileLock

    home.mkdir(parents=True, exist_ok=True)
    with FileLock(home / f"{APP_NAME}-server.lock", is_singleton=False):
        yield


def ready_server() -> Server | None:
    """The home's background server for this code and environment: the running one, or one started now (a
    server of another state of the code is replaced when idle). None when there can be none here (Windows, or
    PREFECT_API_URL set), or when one of another Python, or one busy with another state of the code, is running:
    the caller then runs with its own server."""
    if not supported() or os.environ.get("PREFECT_API_URL"):
        return None
    home, key = prefect_home(), code_key()
    with _starting(home):
        server = Server.found(home)
        status = server.ask({"op": "status"}) if server is not None else None
        if status is None or status.get("stopping"):  # none, one that stopped answering, or one stopping
            server = None
        elif server.python != _python():
            return None
        elif server.key != key:
            if status.get("runs"):
                return None
            _stop(server)
            server = None
        if server is None:
            server = _start(home, key)
    return server


def _start(home: Path, key: str) -> Server | None:
    """Start the home's server (detached: it outlives this command) and wait until it can run a run."""
    log = home / LOG
    with log.open("wb") as output:
        subprocess.run([sys.executable, "-m", "flows.background", "--key", key], stdin=subprocess.DEVNULL,
                       stdout=output, stderr=subprocess.STDOUT, cwd=home, check=False)  # returns once detached
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        server = Server.found(home)
        if server is not None and server.key == key:
            return server
        pid = _starting_pid(home)
        if pid is not None and not _alive(pid):
            break
        time.sleep(0.05)
    from flows.server import ServerError

    lines = log.read_text(errors="replace").strip().splitlines() or ["(tanpa keluaran)"]
    raise ServerError(f"server latar tidak siap: {lines[-1]} (log: {log})")


def _starting_pid(home: Path) -> int | None:
    try:
        return int((home / f"{APP_NAME}-server.pid").read_text())
    except (OSError, ValueError):
        return None


def _stop(server: Server) -> None:
    server.ask({"op": "stop"})
    deadline = time.monotonic() + STOP_SECONDS
    while _alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def run_there(server: Server, request: dict) -> int | None:
    """Run the `run` request in a copy of the server, on this command's terminal, in its folder and environment;
    pass on Ctrl-C and SIGTERM; return the run's exit code (None: the server could not be reached, nothing ran)."""
    environment = dict(os.environ, PREFECT_API_URL=server.url)
    message = {"op": "run", "request": request, "env": environment, "cwd": os.getcwd(), "argv": sys.argv,
               "umask": _umask()}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(server.socket)
        _send(conn, message, fds=[0, 1, 2])
    except OSError:
        conn.close()
        return None

    def pass_on(signum: int, frame: object) -> None:
        _send(conn, {"op": "signal", "signal": int(signal.SIGTERM if signum == signal.SIGHUP else signum)})

    previous = {s: signal.signal(s, pass_on) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        answers = _Lines(conn)
        while (answer := answers.next()) is not None:
            if "exit" in answer:
                return _ended(answer)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        conn.close()
    from flows.commands import EXIT_FAILED, say

    say(f"server latar berhenti saat run berjalan (log: {prefect_home() / LOG})")
    return EXIT_FAILED


def _ended(answer: dict) -> int:
    """The run's exit code; a copy ended by a signal it did not handle is named."""
    if answer.get("signal"):
        from flows.commands import EXIT_FAILED, say

        say(f"run berhenti oleh sinyal {signal.Signals(answer['signal']).name} (log: {prefect_home() / LOG})")
        return EXIT_FAILED
    return int(answer["exit"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def status_line() -> str:
    """What `server status` prints."""
    home = prefect_home()
    server = Server.found(home)
    if server is None:
        return f"tidak ada server latar untuk {home}"
    status = server.ask({"op": "status"}) or {}
    return (f"server latar pid {server.pid} sejak {server.mulai}: API {server.url}, {status.get('runs', '?')} run "
            f"berjalan, {status.get('served', '?')} run dilayani; log {home / LOG}")


def stop_server() -> str:
    """Stop the home's server (its runs first, as on Ctrl-C); what `server stop` prints."""
    home = prefect_home()
    server = Server.found(home)
    if server is None:
        starting = _starting_pid(home)
        if starting is None or not _alive(starting):
            return f"tidak ada server latar untuk {home}"
        _signal(starting, signal.SIGTERM)  # still importing: it has no handler yet, and its Prefect server follows
        return f"server latar pid {starting}, yang sedang dimulai, dihentikan"
    _stop(server)
    if _alive(server.pid):
        os.kill(server.pid, signal.SIGKILL)
    return f"server latar pid {server.pid} dihentikan"


# ------------------------------------------------------------------ messages


def _send(conn: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    data = json.dumps(message, ensure_ascii=False).encode() + b"\n"
    if fds:
        sent = socket.send_fds(conn, [data], fds)
        conn.sendall(data[sent:])
    else:
        conn.sendall(data)


class _Lines:
    """JSON messages, one per line, from a connection (the first may carry descriptors)."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.buffer, self.fds = conn, b"", []

    def next(self, fds: bool = False) -> dict | None:
        while b"\n" not in self.buffer:
            if fds and not self.fds:
                data, received, _, _ = socket.recv_fds(self.conn, 1 << 16, 3)
                self.fds = list(received)
            else:
                data = self.conn.recv(1 << 16)
            if not data:
                return None
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


# ------------------------------------------------------------------ the server's side


class _Served:
    copy = False  # this process is a server's copy running a run: it never sends a run elsewhere


def in_copy() -> bool:
    return _Served.copy


def _detach() -> None:
    """Leave the command that started this process: a new session, no terminal, the command not waiting."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()


class _Loop:
    """The server's loop: one thread (fork needs it), a selector over the listening socket, the connections of
    the commands whose runs are running, and a pipe the signals write to."""

    def __init__(self, home: Path, key: str) -> None:
        from flows import server as api

        self.home, self.key = home, key
        self.idle = settings().server_idle_minutes * 60
        self.api_log = (home / f"{APP_NAME}-prefect.log").open("wb")
        port = api.free_port()
        self.api = subprocess.Popen([sys.executable, "-m", "flows.server", "--port", str(port), "--analytics-off",
                                     "--no-services", "--no-ui"], stdin=subprocess.PIPE, stdout=self.api_log,
                                    stderr=subprocess.STDOUT)
        self.url = f"http://{api.HOST}:{port}/api"
        _warm()  # while the Prefect server starts
        api.wait_healthy(self.api, self.url, home / f"{APP_NAME}-prefect.log")
        self.path = _socket_path(home)
        Path(self.path).unlink(missing_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        os.chmod(self.path, 0o600)
        self.listener.listen(16)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.wakeup, self.wakeup_in = os.pipe()
        os.set_blocking(self.wakeup, False)
        os.set_blocking(self.wakeup_in, False)
        signal.set_wakeup_fd(self.wakeup_in)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: None)
        self.selector.register(self.wakeup, selectors.EVENT_READ)
        self.runs: dict[int, socket.socket] = {}  # pid -> the command's connection
        self.served, self.stopping, self.last = 0, False, time.monotonic()
        self.started = datetime.now().astimezone().isoformat(timespec="seconds")

    def publish_state(self) -> None:
        state = {"pid": os.getpid(), "url": self.url, "socket": self.path, "key": self.key, "python": _python(),
                 "mulai": self.started}
        staged = self.home / f"{STATE}.{os.getpid()}"
        staged.write_text(json.dumps(state, indent=2), encoding="utf-8")
        os.replace(staged, self.home / STATE)

    def serve(self) -> None:
        self.publish_state()
        _log(f"siap: API {self.url}, soket {self.path}")
        while True:
            if self.stopping and not self.runs:
                return
            if self.api.poll() is not None:
                _log("server Prefect berhenti sendiri")
                self._stop_runs()
                return
            idle = self.idle if self.served else max(self.idle, 60)  # the run of the command that started it
            if not self.runs and not self.stopping and time.monotonic() - self.last >= idle:
                _log(f"tidak ada run selama {idle / 60:g} menit: berhenti")
                return
            for key, _ in self.selector.select(timeout=1.0):
                if key.fileobj is self.listener:
                    self._accept()
                elif key.fileobj == self.wakeup:
                    self._signals()
                else:
                    self._from_command(key.fileobj, key.data)

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(30)
        try:
            lines = _Lines(conn)
            message = lines.next(fds=True)
        except (OSError, ValueError):
            conn.close()
            return
        if message is None:
            conn.close()
        elif message.get("op") == "run":
            self._fork(conn, message, lines.fds)
        else:
            for fd in lines.fds:
                os.close(fd)
            self._answer(conn, message)

    def _answer(self, conn: socket.socket, message: dict) -> None:
        self._signals()  # a run that just ended is counted as ended
        if message.get("op") == "stop":
            self.stopping = True
            self._stop_runs()
            _log("diminta berhenti")
        try:
            _send(conn, {"runs": len(self.runs), "served": self.served, "stopping": self.stopping})
        except OSError:
            pass
        conn.close()

    def _fork(self, conn: socket.socket, message: dict, fds: list[int]) -> None:
        if self.stopping or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:  # the copy: never returns
            _run_copy(message, fds, close=[self.selector, self.listener, conn, *self.runs.values(), self.wakeup,
                                           self.wakeup_in, self.api.stdin, self.api_log])
        for fd in fds:
            os.close(fd)
        conn.setblocking(False)
        self.runs[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ, pid)
        self.served += 1
        _log(f"run pid {pid}: {' '.join(message.get('argv', [])[1:])}")

    def _from_command(self, conn: socket.socket, pid: int) -> None:
        """A signal the command passes on, or its end (it was killed): the run stops as on SIGTERM."""
        try:
            data = conn.recv(1 << 12)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.selector.unregister(conn)
            _signal(pid, signal.SIGTERM)
            return
        for line in data.splitlines():
            try:
                signum = int(json.loads(line).get("signal"))
            except (ValueError, TypeError, AttributeError):
                continue
            if signum in (signal.SIGINT, signal.SIGTERM):
                _signal(pid, signum)

    def _signals(self) -> None:
        """The signals received (one that stops the server), then the runs that ended: each command gets its
        run's exit code."""
        try:
            received = os.read(self.wakeup, 512)
        except BlockingIOError:
            received = b""
        if any(s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP) for s in received):
            self.stopping = True
            self._stop_runs()
        for run in list(self.runs):
            try:
                pid, status, usage = os.wait4(run, os.WNOHANG)
            except ChildProcessError:
                pid, status, usage = run, 1 << 8, None
            if pid == 0:
                continue
            conn = self.runs.pop(pid)
            self.last = time.monotonic()
            code = os.waitstatus_to_exitcode(status)
            answer = {"exit": code if code >= 0 else 1, "signal": -code if code < 0 else None,
                      "maxrss_kib": usage.ru_maxrss if usage else None,
                      "cpu": round(usage.ru_utime + usage.ru_stime, 2) if usage else None}
            _log(f"run pid {pid} selesai: {answer}")
            try:
                self.selector.unregister(conn)
            except (KeyError, ValueError):
                pass
            try:
                conn.setblocking(True)
                _send(conn, answer)
            except OSError:
                pass
            conn.close()
            if self.idle == 0:
                self.stopping = True

    def _stop_runs(self) -> None:
        for pid in self.runs:
            _signal(pid, signal.SIGTERM)

    def close(self) -> None:
        deadline = time.monotonic() + STOP_SECONDS
        while self.runs and time.monotonic() < deadline:
            self._signals()
            time.sleep(0.1)
        for pid in self.runs:
            _signal(pid, signal.SIGKILL)
        from flows import server as api

        api.stop(self.api)
        try:
            state = json.loads((self.home / STATE).read_text(encoding="utf-8"))
            if state.get("pid") == os.getpid():
                (self.home / STATE).unlink()
        except (OSError, ValueError):
            pass
        Path(self.path).unlink(missing_ok=True)
        _log("berhenti")


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _log(text: str) -> None:
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S} {text}", flush=True)


def _warm() -> None:
    """Import what a run imports and build what every run builds the same: the copies start with them."""
    import importlib

    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError as error:  # a lazy import of a library that moved: the copies import it themselves
            _log(f"tidak diimpor lebih dulu: {name} ({error})")
    from schemas import inputs, outputs
    from scoring.rulebook import published_books, rulebooks

    rulebooks(), published_books()
    inputs.build_schemas()
    for table in outputs.TABLES.values():
        table.pandera_schema, table.arrow_schema
    gc.collect()
    gc.freeze()  # what is imported stays: a copy's collections look at its own objects only (and share the pages)


def _run_copy(message: dict, fds: list[int], close: list) -> None:
    """In the forked copy: drop the server's descriptors (`close`), become the command (its descriptors, folder,
    environment), run its request, exit with its code."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        for item in close:
            if isinstance(item, int):
                os.close(item)
            elif item is not None:
                item.close()
        os.setpgid(0, 0)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)
        sys.stdout = open(1, "w", encoding=sys.stdout.encoding, errors=sys.stdout.errors, closefd=False,
                          buffering=1 if os.isatty(1) else -1)
        sys.stderr = open(2, "w", encoding=sys.stderr.encoding, errors="backslashreplace", closefd=False,
                          buffering=1)
        os.chdir(message["cwd"])
        os.umask(message["umask"])
        os.environ.clear()
        os.environ.update(message["env"])
        sys.argv = list(message["argv"])
        random.seed()
        _Served.copy = True
        _refresh_settings()
        from flows import cli

        code = cli.run_request(message["request"])
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 1
    except BaseException:  # noqa: BLE001 - the copy must end with a code, whatever happened
        traceback.print_exc()
    finally:
        try:
            from flows.server import send_pending

            send_pending()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _refresh_settings() -> None:
    """Settings read from the environment when a module was imported: read them again from the command's."""
    import prefect.context
    from prefect.logging.configuration import setup_logging

    from flows.config import settings

    settings.cache_clear()
    prefect.context.refresh_global_settings_context()
    setup_logging(incremental=False)


def main(argv: list[str]) -> None:
    """`python -m flows.background --key KEY`: detach, then serve until stopped or idle."""
    key = argv[argv.index("--key") + 1]
    home = prefect_home()
    _detach()
    (home / f"{APP_NAME}-server.pid").write_text(str(os.getpid()))
    loop = None
    try:
        loop = _Loop(home, key)
        loop.serve()
    except Exception:  # noqa: BLE001 - written to the log the command names
        traceback.print_exc()
    finally:
        if loop is not None:
            loop.close()
        (home / f"{APP_NAME}-server.pid").unlink(missing_ok=True)


if __name__ == "__main__":
    main(sys.argv[1:])
