"""The background server: the local Prefect server a `run` uses when PREFECT_API_URL is not set, started by the
first run that needs it and reused by the next ones, with a process that has imported the pipeline once and runs
each `run` in a copy of itself (`os.fork`): a run then pays neither the server's start nor the imports (Prefect,
pandas, Pandera, Great Expectations: about 5 s of CPU) nor the building of the schemas.

    koperasi-sehat server status     # is one running, where, since when, how many runs
    koperasi-sehat server stop       # stop it (its runs stop as on Ctrl-C first)

It stops by itself after `server_idle_minutes` (setting) without a run; with 0 it stops after each run. One
server per Prefect home (`PREFECT_HOME`, default ~/.prefect), which holds its state (`koperasi-sehat-server.json`)
beside Prefect's database; its log is `koperasi-sehat-server.log` there, each server's lines after those of the
servers before it (the log named by a line about a stopped run still holds that run's server; above 1 MiB the
log moves to `koperasi-sehat-server.log.1` as the next server starts).

A run sent to it keeps the terminal of its `koperasi-sehat` command: the server's copy writes to the command's
own stdin/stdout/stderr (passed over a Unix socket), in the command's folder and environment; Ctrl-C or SIGTERM
to the command stops the run exactly as before (the command passes the signal on), and a command killed outright
(kill -9) stops its run the same way. The command exits with the run's exit code.

The copy is only used when it runs this very code with this very environment (same Python, same source and
rulebook files, same settings and Prefect variables); a server of an older state of the code is replaced when no
run is using it. On Windows (no fork) a run starts its own temporary server as before (`flows.server`).

This module is the commands' side and the messages; the server's own process is `flows.background_loop`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.config import APP_NAME, PROJECT_ROOT
from flows.interrupt import held

STATE = f"{APP_NAME}-server.json"
LOG = f"{APP_NAME}-server.log"
# the line a server that could not start ends its words with, the reason after it: what the waiting command says,
# whatever the interpreter writes to the log after it (a warning made an error at its exit: hostile trial)
NOT_STARTED = "tidak dapat mulai: "
LOG_BYTES = 1 << 20  # a longer log is kept as koperasi-sehat-server.log.1 when the next server starts
READY_SECONDS = 180  # the first start creates Prefect's database; the imports take a few seconds more
STOP_SECONDS = 30
CONNECT_SECONDS = 10  # to reach the server and hand it a run
ANSWER_POLL_SECONDS = 1  # a command waiting for its run looks this often whether a stop it passed on was answered
PACKAGES = ("flows", "schemas", "scoring")
ELSEWHERE = 75  # a run copy's exit when the command's own Prefect settings name an API
# (`background_loop.users_settings`)
# read when a module is imported, not when it is used: a copy of the server must have been started with the same
KEYED_ENVIRONMENT = ("PREFECT_", "KOPERASI_SEHAT_", "GX_", "PYTHON", "LC_", "LANG", "TZ", "TMP", "TEMP",
                     "OMP_", "OPENBLAS_", "MKL_", "NUMEXPR_", "NUMPY_", "SCIPY_", "PANDAS_", "PANDERA_", "DASK_",
                     "ARROW_", "MPL")  # MPL: matplotlib, imported when idle
# a run's console shows none of Prefect's logs (`flows.commands.run_months`, unless --verbose), nor its internal
# services' errors (its events worker, losing a user's server in the middle of a run, printed the events it held,
# whole: hostile trial); the background server sets the same, so that its copies keep its logging
# (`flows.background_loop._logging_from`)
QUIET_CONSOLE = {"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
                 "PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL": "CRITICAL"}
# set per run, applied in the copy; or set by this project for its own server whatever the command's
# (`flows.server.own_server_settings`: a user's certificate file replaced the server at each change, for a server
# whose runs read their own: new-user trial)
UNKEYED = ("PREFECT_API_URL", "PREFECT_LOGGING_", "PREFECT_API_SSL_CERT_FILE", "PREFECT_UI_URL")
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


def prefect_logging_file() -> Path:
    """The logging file Prefect reads, as far as the environment says, without importing Prefect:
    PREFECT_LOGGING_SETTINGS_PATH, else the Prefect home's logging.yml (Prefect's own when that one is missing)."""
    return Path(os.environ.get("PREFECT_LOGGING_SETTINGS_PATH") or prefect_home() / "logging.yml").expanduser()


def logging_file_refused(error: Exception, named: Path) -> str:
    """The line for a Prefect logging file that cannot be used (invalid YAML, a handler it lacks), naming it
    (`named`, or Prefect's own when that is missing): an invalid logging.yml in the Prefect home gave a traceback in
    a run's copy, and an advice about environment variables in the command's process (new-user trial)."""
    from flows.cli import one_line

    where = f"berkas log Prefect {Path(named).resolve()}" if Path(named).exists() else "berkas log bawaan Prefect"
    return (f"{where} tidak dapat dipakai ({type(error).__name__}: {one_line(error)[:300]}): perbaiki atau hapus "
            "berkas itu (PREFECT_LOGGING_SETTINGS_PATH, atau logging.yml di PREFECT_HOME)")


def prefect_settings_refused(error: Exception) -> str:
    """The line for Prefect settings it refuses (pydantic's ValidationError `error`, of the first of its models that
    refused one): every setting it refuses, each by the variable that sets it (PREFECT_LOGGING_LEVEL, in the
    environment or a profile; pydantic's words named Prefect's model, LoggingSettings level: new-user trial), its
    value and why (`flows.cli.refusal`), in the variables' order. Prefect builds its models one by one and stops at
    the first that refuses a value: PREFECT_SERVER_API_PORT=abc beside PREFECT_LOGGING_LEVEL=LOUD went unnamed
    (review), so each model is built here on its own (55 models, 0.1 s)."""
    from pydantic import ValidationError

    from flows.cli import fields_refused

    def models(base: type) -> Iterator[type]:
        for model in base.__subclasses__():
            yield model
            yield from models(model)

    refused = [error]
    try:
        from prefect.settings.base import PrefectBaseSettings

        every = {model.__name__: model for model in models(PrefectBaseSettings)}
        for model in every.values():
            try:
                model()
            except ValidationError as other:  # a model builds those in it: its error is named by the inner one's
                refused.append(other)
    except Exception:  # noqa: BLE001 - Prefect not importable here: pydantic's names, of `error` alone
        every = {}

    def variable(title: str, loc: tuple) -> str | None:
        model = every.get(title)
        if model is None or not loc:
            return f"{title} {'.'.join(map(str, loc))}"
        field = _field_named(model, str(loc[0]))  # a profile's or .env's name is one of the field's aliases
        if field is None:  # a value of a file not for this model (.env holds them all): not the one refused
            return None
        return f"{model.model_config.get('env_prefix')}{'_'.join(map(str, (field, *loc[1:]))).upper()}"

    settings = sorted({field for one in refused for field in fields_refused(one, variable)})
    return f"pengaturan Prefect tidak sah: {'; '.join(settings)}"


def _field_named(model: type, name: str) -> str | None:
    """The field of Prefect's settings model that `name` names: the field itself, or one of its aliases
    (PREFECT_TASKS_DEFAULT_RETRIES of a profile was named PREFECT_TASKS_PREFECT_TASK_DEFAULT_RETRIES: hostile trial);
    None when it names none of them."""
    for field, info in model.model_fields.items():
        choices = getattr(info.validation_alias, "choices", [info.validation_alias])
        if name.lower() in {field, *(str(c).lower() for c in choices if isinstance(c, str))}:
            return field
    return None


def prefect_files_refused() -> str | None:
    """The line for a TOML file of Prefect's settings that cannot be read, or None: its profiles
    (PREFECT_PROFILES_PATH, else profiles.toml in the Prefect home), prefect.toml and pyproject.toml in this folder.
    Read without importing Prefect, which refuses them with a traceback: a broken profiles.toml was named only in
    the background server's log, twice (hostile trial)."""
    import tomllib

    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml").expanduser()
    for file in (profiles, Path("prefect.toml"), Path("pyproject.toml")):
        try:
            tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            if not file.exists():  # none (a symlink in a loop too), as for Prefect
                continue
            from flows.preflight import os_error_words  # a folder (PREFECT_PROFILES_PATH of one: hostile trial)

            named = "PREFECT_PROFILES_PATH: " if file == profiles and os.environ.get("PREFECT_PROFILES_PATH") else ""
            return f"pengaturan Prefect tidak dapat dibaca: {named}{os_error_words(error)}"
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            return (f"pengaturan Prefect tidak dapat dibaca: {file.resolve()} bukan TOML yang sah ({error}): "
                    "perbaiki atau hapus berkas itu")
    return None


def check_prefect_files() -> None:
    """SettingError, in one line, for a TOML file of Prefect's settings that cannot be read (`prefect_files_refused`)
    or a Prefect home that cannot be made or written (`home_refused`): before a command imports Prefect or starts
    its server."""
    from scoring.errors import SettingError

    if refused := prefect_files_refused() or home_refused():
        raise SettingError(refused)


def home_refused() -> str | None:
    """Why the Prefect home cannot hold Prefect's database and the server's files (made here when missing); None
    when it can. A home under a file gave Prefect's two-line warning, then its database's error; a read-only one
    that error alone (hostile trial)."""
    home = prefect_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"PREFECT_HOME {home} tidak dapat dibuat ({error.strerror}): pilih folder yang dapat ditulis"
    if not os.access(home, os.W_OK | os.X_OK):
        return f"PREFECT_HOME {home} tidak dapat ditulis: pilih folder yang dapat ditulis"
    return None


def code_key() -> str:
    """What the server's copies run: this Python, the source and data files of the packages (names, sizes and
    times), and the environment read at import."""
    digest = hashlib.sha256(f"{python_installation()}\0{sys.version}".encode())
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*")):
            if path.suffix in (".py", ".toml", ".j2", ".css", ".md") and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(PROJECT_ROOT)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith(KEYED_ENVIRONMENT) and not name.startswith(UNKEYED):
            digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


def python_installation() -> str:
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
    start_ticks: int | None = None  # the process's start (`process_start`): its pid alone may be another's now

    @classmethod
    def found(cls, home: Path) -> Server | None:
        """The home's server, if its state file names a live one: its pid, started when the server started (a pid
        reused by another process after a crash or a restart was reported as the server, and `server stop` killed
        it: hostile trial)."""
        try:
            state = json.loads((home / STATE).read_text(encoding="utf-8"))
            server = cls(**state)
        except (OSError, ValueError, TypeError):
            return None
        return server if server.running() else None

    def running(self) -> bool:
        """Whether the process is running and is this server: its start, where both are known; else (a state file
        written before the start was), a background loop by its command line, where it can be read."""
        if not alive(self.pid):
            return False
        started = process_start(self.pid)
        if started is not None and self.start_ticks is not None:
            return started == self.start_ticks
        try:
            return b"flows.background_loop" in Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return True

    def ask(self, message: dict, timeout: float = 10) -> dict | None:
        """One request and its answer; None when the server does not answer."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(self.socket)
                send_message(conn, message)
                return Messages(conn).next()
        except (OSError, ValueError):
            return None


def _process_stat(pid: int, field: int) -> str | None:
    """One field of Linux's `/proc/<pid>/stat` (3 the state, 22 the start: man proc_pid_stat), counted after the
    process's name, which may hold spaces and parentheses; None where it cannot be read (no /proc, the process
    gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[field - 3]
    except (OSError, ValueError, IndexError):
        return None


def process_start(pid: int) -> int | None:
    """When the process `pid` started, in clock ticks since the machine's start: with the pid, a process's identity;
    None where it cannot be read."""
    start = _process_stat(pid, 22)
    return None if start is None else int(start)


def process_state(pid: int) -> str | None:
    """The process's state letter: R running, S sleeping, T stopped (SIGSTOP), Z ended and not yet reaped...; None
    where it cannot be read."""
    return _process_stat(pid, 3)


def alive(pid: int) -> bool:
    """Whether the process `pid` exists (another user's too) and has not ended: a server killed is left for init to
    reap for a moment, and `server status` named it as still starting (hostile trial)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return process_state(pid) != "Z"


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
    check_prefect_files()
    if not supported() or os.environ.get("PREFECT_API_URL"):
        return None
    home, key = prefect_home(), code_key()
    with _starting(home):
        server = Server.found(home)
        status = server.ask({"op": "status"}) if server is not None else None
        if server is not None and status is None and process_state(server.pid) == "T":  # stopped (SIGSTOP): it
            _stop(server, answering=False)  # was left beside the new one (hostile trial); one only slow is left
        if status is None or status.get("stopping"):  # none, one that stopped answering, or one stopping
            server = None
        elif server.python != python_installation():
            return None
        elif server.key != key and status.get("runs"):
            return None
        if server is None or server.key != key:
            # Arrow (and numpy) loaded first: one refusing a variable of the environment (NUMPY_MADVISE_HUGEPAGE=abc)
            # is named by this command in one line (`flows.cli`), not in the server's log, and an idle server of
            # another environment is left serving; a command the running server serves loads neither
            importlib.import_module("pyarrow")
            if server is not None:
                from flows.background_loop import users_settings
                from scoring.errors import SettingError

                # so are Prefect's settings (PREFECT_SERVER_API_PORT=abc stopped the idle server, then the new one
                # could not start: fresh-clone and hostile trials); read only when a server is replaced (0.5-1 s)
                if refused := users_settings()[1]:
                    raise SettingError(refused)
                _stop(server)
            if sys.stderr.isatty():  # a first run's terminal said nothing while the server started (5 to 18 s; a
                from flows.commands import say  # user could take it for hung: fresh-clone trial)

                # a server replaced said it started 'once' each time (new-user trial): why, when it is replaced
                say("mengganti server latar (kode atau lingkungannya berubah) ..." if server else
                    "memulai server latar (sekali: run berikutnya memakainya) ...")
            server = _start(home, key)
    return server


def _start(home: Path, key: str) -> Server | None:
    """Start the home's server (detached: it outlives this command) and wait until it can run a run."""
    log = home / LOG
    (home / f"{APP_NAME}-server.pid").unlink(missing_ok=True)  # of one that could not start: not this one's
    if log.exists() and log.stat().st_size > LOG_BYTES:
        os.replace(log, log.with_name(f"{LOG}.1"))
    with log.open("ab") as output:  # after the servers before (a stopped run's line names this log)
        begun = output.tell()
        # returns once detached; PREFECT_HOME absolute: the server works in its home, and a relative one is of the
        # command's folder (the first run waited 180 s: hostile trial)
        subprocess.run([sys.executable, "-m", "flows.background_loop", "--key", key, "--cwd", os.getcwd()],
                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=home, check=False,
                       env=dict(os.environ, PREFECT_HOME=str(home.absolute())))
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        server = Server.found(home)
        if server is not None and server.key == key:
            return server
        pid = _starting_pid(home)
        if pid is not None and not alive(pid):
            break
        time.sleep(0.05)
    from flows.server import ServerError

    with log.open("rb") as written:
        written.seek(begun)
        lines = written.read().decode(errors="replace").strip().splitlines() or [  # its own words
            "berhenti tanpa pesan (dihentikan dari luar?)"]
    said = [line.removeprefix(NOT_STARTED) for line in lines if line.startswith(NOT_STARTED)] or lines
    logged = "" if "(log: " in said[-1] else f" (log: {log})"  # the Prefect server's own log, when it names it
    raise ServerError(f"server latar tidak siap: {said[-1]}{logged}")


def _starting_pid(home: Path) -> int | None:
    try:
        return int((home / f"{APP_NAME}-server.pid").read_text())
    except (OSError, ValueError):
        return None


def _stop(server: Server, answering: bool = True) -> None:
    """Stop the server: asked, as on Ctrl-C (its runs first), for up to STOP_SECONDS; one that does not answer, with
    SIGKILL (its run copies end with it: `flows.background_loop`)."""
    if answering:
        server.ask({"op": "stop"})
        deadline = time.monotonic() + STOP_SECONDS
        while server.running() and time.monotonic() < deadline:
            time.sleep(0.05)
    if server.running():
        send_signal(server.pid, signal.SIGKILL)


def run_there(server: Server, request: dict, stopped: Callable[[int, str | None], str]) -> int | None:
    """Run the `run` request in a copy of the server, on this command's terminal, in its folder and environment;
    pass on Ctrl-C and SIGTERM; return the run's exit code (None: the server could not be reached, or the command's
    own Prefect settings name an API, the active profile's say: nothing ran).
    A copy ended by a signal it did not handle says `stopped(signal, how)`: the line of a run stopped (`how`
    None: "dihentikan (SIGINT)"), with what it published, after what it left is finished or undone."""
    from flows.server import own_server_settings, without_proxies

    environment = dict(os.environ, **own_server_settings(server.url))
    without_proxies(environment)
    message = {"op": "run", "request": request, "env": environment, "cwd": os.getcwd(), "argv": sys.argv,
               "umask": _umask()}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    asked: list[tuple[int, float]] = []  # the stops passed on: the first's signal and when the answer is due

    def pass_on(signum: int, frame: object) -> None:
        asked.append((signum, time.monotonic() + STOP_SECONDS))
        send_message(conn, {"op": "signal", "signal": int(signal.SIGTERM if signum == signal.SIGHUP else signum)})

    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    with held(*stops):  # a stop once the request is sent reaches the run
        try:
            conn.settimeout(CONNECT_SECONDS)  # the stops are held meanwhile: a server that does not answer is none
            conn.connect(server.socket)
            send_message(conn, message, fds=[0, 1, 2])
            conn.settimeout(ANSWER_POLL_SECONDS)  # the run may take hours; a stop passed on, STOP_SECONDS
        except OSError:
            conn.close()
            return None
        previous = {s: signal.signal(s, pass_on) for s in stops
                    if signal.getsignal(s) is not signal.SIG_IGN}  # one the command ignores, the run ignores
    ended = False
    try:
        answers = Messages(conn)
        while (answer := _next_answer(answers, asked, stopped)) is not None:
            if "exit" in answer:
                if answer["exit"] == ELSEWHERE and not answer.get("signal"):
                    return None  # its own settings name a Prefect API: this command runs against it itself
                ended = True
                return _ended(answer, stopped)
    finally:
        # once the run has ended, a late stop (the second of two quick Ctrl-C) has nothing left to stop: ignored, so
        # that the command exits with the run's code and its one line. Ignored by the system, not by a handler of
        # Python's, which Python resets to the default as it exits: a stop then killed the command (exit 130,
        # hostile trials: 1 of 14 before any, 3 of 8 with a handler)
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_IGN if ended else handler)
        conn.close()
    from flows.commands import EXIT_FAILED, say

    # its run copy was killed with it (`flows.background_loop`): before publication, or after it
    line = stopped(signal.SIGKILL, None)
    say(f"server latar berhenti saat run berjalan (log: {prefect_home() / LOG}); run {line}")
    return EXIT_FAILED


def _next_answer(answers: Messages, asked: list[tuple[int, float]],
                 stopped: Callable[[int, str | None], str]) -> dict | None:
    """The server's next answer. Once a stop was passed on, a server that does not answer within STOP_SECONDS (a
    server stopped with SIGSTOP: the command ignored SIGTERM and waited for good, hostile trial) ends the command in
    one line, exit 1 (as its answer): what the run has published by now (`stopped`), and that it may still go on
    there (the next command replaces that server)."""
    while True:
        try:
            return answers.next()
        except TimeoutError:
            if asked and time.monotonic() > asked[0][1]:
                from flows.commands import EXIT_FAILED, say

                signum = asked[0][0]
                line = stopped(signum, f"server latar tidak menjawab {STOP_SECONDS} detik sesudah "
                                       f"{signal.Signals(signum).name}, perintah berhenti tanpa menunggunya")
                say(f"{line}; run-nya mungkin masih berjalan di server itu (`koperasi-sehat server status`; perintah "
                    f"berikutnya menggantinya; log: {prefect_home() / LOG})")
                return {"exit": EXIT_FAILED}


def _ended(answer: dict, stopped: Callable[[int, str | None], str]) -> int:
    """The run's exit code; a copy ended by a signal it did not handle: the stop's line (Ctrl-C, SIGTERM, SIGHUP),
    or the signal named (a crash, SIGKILL), with the server's log; either with what the run published."""
    if answer.get("signal"):
        from flows.commands import EXIT_FAILED, say

        signum = answer["signal"]
        if signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            say(stopped(signum, None))
        else:
            line = stopped(signum, f"run berhenti oleh sinyal {signal.Signals(signum).name}")
            say(f"{line} (log: {prefect_home() / LOG})")
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
        starting = _starting_pid(home)
        if starting is not None and alive(starting):
            return f"server latar pid {starting} sedang dimulai; log {home / LOG}"
        return f"tidak ada server latar untuk {home}"
    status = server.ask({"op": "status"})
    if status is None:  # it said '? run berjalan' (hostile trial)
        paused = process_state(server.pid) == "T"
        return (f"server latar pid {server.pid} sejak {server.mulai} tidak menjawab"
                + (" (dihentikan sementara, SIGSTOP): perintah berikutnya menggantinya" if paused else "")
                + f", `koperasi-sehat server stop` menghentikannya; log {home / LOG}")
    failed = f" ({status['failed']} tidak selesai: gagal, ditolak atau dihentikan)" if status.get("failed") else ""
    return (f"server latar pid {server.pid} sejak {server.mulai}: API {server.url}, {status.get('runs', '?')} run "
            f"berjalan, {status.get('served', '?')} run dilayani{failed}; log {home / LOG}")


def stop_starting() -> int | None:
    """Stop the home's server that is still starting, if there is one (its pid): `server stop`, or a command stopped
    while it waited for the server it started (left alone, that one was never found: the next command started
    another)."""
    home = prefect_home()
    starting = _starting_pid(home)
    if starting is None or not alive(starting) or Server.found(home) is not None:
        return None
    send_signal(starting, signal.SIGTERM)  # still importing: it has no handler yet, and its Prefect server follows
    return starting


def stop_server() -> str:
    """Stop the home's server (its runs first, as on Ctrl-C); what `server stop` prints."""
    home = prefect_home()
    server = Server.found(home)
    if server is None:
        starting = stop_starting()
        if starting is None:
            return f"tidak ada server latar untuk {home}"
        return f"server latar pid {starting}, yang sedang dimulai, dihentikan"
    paused = process_state(server.pid) == "T"  # stopped (SIGSTOP): killed at once (it waited 40 s, then said
    _stop(server, answering=not paused)        # nothing of it: hostile trial)
    return f"server latar pid {server.pid} dihentikan" + (" paksa (SIGKILL): dihentikan sementara (SIGSTOP)"
                                                           if paused else "")


# ------------------------------------------------------------------ messages


def send_message(conn: socket.socket, message: dict, fds: list[int] | None = None) -> None:
    """One JSON message on a line; `fds`: descriptors passed with it (the command's stdin, stdout, stderr)."""
    data = json.dumps(message, ensure_ascii=False).encode() + b"\n"
    if fds:
        sent = socket.send_fds(conn, [data], fds)
        conn.sendall(data[sent:])
    else:
        conn.sendall(data)


class Messages:
    """JSON messages, one per line, from a connection (the first may carry descriptors)."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.buffer, self.fds = conn, b"", []

    def next(self, fds: bool = False) -> dict | None:
        """The next message, or None once the connection is closed; with `fds`, the descriptors sent with the first
        data are kept in `fds`."""
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


class Served:
    """Whether this process is a copy the server forked (`flows.background_loop`)."""

    copy = False  # this process is a server's copy running a run: it never sends a run elsewhere


def in_copy() -> bool:
    """This process runs a run for a command: it never sends a run elsewhere."""
    return Served.copy


def send_signal(pid: int, signum: int) -> None:
    """Signal a process that may have ended already."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
