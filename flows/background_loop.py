"""The background server's own process (`flows.background` starts it, `python -m flows.background_loop --key KEY`):
it detaches, starts the local Prefect server, imports the pipeline once (`_warm`), then listens on a Unix socket
and runs each `run` a command sends in a copy of itself (`os.fork`) on the command's terminal, until stopped or
idle for `server_idle_minutes`."""

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
from datetime import datetime
from pathlib import Path

from flows.background import (ELSEWHERE, NOT_STARTED, QUIET_CONSOLE, STATE, STOP_SECONDS, WARM, Messages, Served,
                               alive, process_start, logging_file_refused, prefect_files_refused, prefect_home,
                               prefect_settings_refused, python_installation, send_message, send_signal)
from flows.commands import GuardedStdout
from flows.config import APP_NAME, TIMEZONE, WITA_TIME, settings
from flows.forked import end_with_parent
from scoring.errors import KoperasiSehatError, ServerError, SettingError

SIGNALS = (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)  # what the server handles itself


def _socket_path(home: Path) -> str:
    """This server's Unix socket: a path short enough for any home (the limit is about 100 bytes), its own even
    while the server it replaces is still stopping. The sockets of the home's servers that were killed (`kill -9`
    leaves its socket: hostile trial) are removed."""
    tag = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]
    for left in Path(tempfile.gettempdir()).glob(f"{APP_NAME}-{os.getuid()}-{tag}-*.sock"):
        pid = left.stem.rsplit("-", 1)[1]
        if pid.isdigit() and not alive(int(pid)):
            left.unlink(missing_ok=True)
    return str(Path(tempfile.gettempdir()) / f"{APP_NAME}-{os.getuid()}-{tag}-{os.getpid()}.sock")


def _detach() -> None:
    """Leave the command that started this process: a new session, no terminal, the command not waiting."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()


class _Loop:
    """The server's loop: one thread (fork needs it), a selector over the listening socket, the connections of
    the commands whose runs are running, and a pipe the signals write to."""

    def __init__(self, home: Path, key: str, cwd: str) -> None:
        from flows import server as api

        self.home, self.key = home, key
        self.idle = settings().server_idle_minutes * 60
        self.api_log = (home / f"{APP_NAME}-prefect.log").open("wb")
        port = api.free_port()
        self.api = subprocess.Popen([sys.executable, "-m", "flows.server", "--port", str(port), "--analytics-off",
                                     "--no-services", "--no-ui"], stdin=subprocess.PIPE, stdout=self.api_log,
                                    stderr=subprocess.STDOUT)
        self.url = f"http://{api.HOST}:{port}/api"
        # as its copies' commands set them (`flows.background.run_there`, `flows.commands.run_months`): their Prefect
        # settings are these
        os.environ.update(api.own_server_settings(self.url))
        for name, value in QUIET_CONSOLE.items():
            os.environ.setdefault(name, value)
        try:
            refused = _warm()  # while the Prefect server starts, which takes longer: the first run gets these too
            if refused is not None:  # said at once: the Prefect server, refusing it too, was waited for (7-15 s)
                raise KoperasiSehatError(refused)
            self.logging, settings_refused = _prefect_logging_now(cwd)  # what the copies' logging is set up from
            if settings_refused is not None:  # the starting command's (a prefect.toml of its folder): its run was
                raise SettingError(settings_refused)  # refused by its copy after the server's whole start (23 s)
            _compile_data_docs()
            try:
                api.wait_healthy(self.api, self.url, home / f"{APP_NAME}-prefect.log")
            except ServerError:  # a Prefect setting refused stops its server too: the setting named, not the
                if why := users_settings()[1]:  # server's last words (hostile trial)
                    raise SettingError(why) from None
                raise
            self.path = _socket_path(home)
            self.listener = _listening(self.path)  # a path too long for a socket (a deep TMPDIR): refused here
        except BaseException:  # nothing it started left behind (the server, its log open)
            api.stop(self.api)
            self.api_log.close()
            raise
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.wakeup, self.wakeup_in = os.pipe()
        os.set_blocking(self.wakeup, False)
        os.set_blocking(self.wakeup_in, False)
        signal.set_wakeup_fd(self.wakeup_in)
        for signum in SIGNALS:
            signal.signal(signum, lambda *_: None)
        self.selector.register(self.wakeup, selectors.EVENT_READ)
        self.runs: dict[int, socket.socket] = {}  # pid -> the command's connection
        self.unread: dict[int, bytes] = {}  # pid -> what its command sent after its last whole line
        self.served, self.failed, self.stopping, self.last, self.warmed = 0, 0, False, time.monotonic(), False
        self.started = f"{datetime.now(TIMEZONE):{WITA_TIME}}"  # as its log's lines

    def publish_state(self) -> None:
        state = {"pid": os.getpid(), "url": self.url, "socket": self.path, "key": self.key, "python": python_installation(),
                 "mulai": self.started, "start_ticks": process_start(os.getpid())}
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
            ready = self.selector.select(timeout=1.0)
            for key, _ in ready:
                if key.fileobj is self.listener:
                    self._accept()
                elif key.fileobj == self.wakeup:
                    self._signals()
                else:
                    self._from_command(key.fileobj, key.data)
            if not ready and self.served and not self.runs and not self.warmed:
                _warm_later()
                self.warmed = True

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(30)
        try:
            lines = Messages(conn)
            message = lines.next(fds=True)
        except (OSError, ValueError):
            conn.close()
            return
        if message is None:
            conn.close()
        elif message.get("op") == "run":
            self._fork(conn, message, lines.fds, lines.buffer)
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
            send_message(conn, {"runs": len(self.runs), "served": self.served, "failed": self.failed,
                                "stopping": self.stopping})
        except OSError:
            pass
        conn.close()

    def _fork(self, conn: socket.socket, message: dict, fds: list[int], unread: bytes) -> None:
        if self.stopping or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)  # none lands on the copy before its own handlers
        server = os.getpid()
        try:
            pid = os.fork()
            if pid == 0:  # the copy: never returns
                _run_copy(message, fds, server, close=[self.selector, self.listener, conn, *self.runs.values(),
                                                       self.wakeup, self.wakeup_in, self.api.stdin, self.api_log],
                          logging=self.logging)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        for fd in fds:
            os.close(fd)
        conn.setblocking(False)
        self.runs[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ, pid)
        self.served += 1
        _log(f"run pid {pid}: {' '.join(message.get('argv', [])[1:])}")
        self._pass_on(pid, unread)  # a stop the command sent right after its request, read with it

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
            send_signal(pid, signal.SIGTERM)
            return
        self._pass_on(pid, data)

    def _pass_on(self, pid: int, data: bytes) -> None:
        """Send the run the stop signals of the command's whole lines; keep a line cut short for the next read."""
        *lines, self.unread[pid] = (self.unread.pop(pid, b"") + data).split(b"\n")
        for line in lines:
            try:
                signum = int(json.loads(line).get("signal"))
            except (ValueError, TypeError, AttributeError):
                continue
            if signum in (signal.SIGINT, signal.SIGTERM):
                send_signal(pid, signum)

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
            self.unread.pop(pid, None)
            self.last = time.monotonic()
            code = os.waitstatus_to_exitcode(status)
            self.failed += code != 0
            answer = {"exit": code if code >= 0 else 1, "signal": -code if code < 0 else None,
                      "maxrss_kib": usage.ru_maxrss if usage else None,
                      "cpu": round(usage.ru_utime + usage.ru_stime, 2) if usage else None,
                      "sys": round(usage.ru_stime, 2) if usage else None}
            _log(f"run pid {pid} selesai: {answer}")
            try:
                self.selector.unregister(conn)
            except (KeyError, ValueError):
                pass
            try:
                conn.setblocking(True)
                send_message(conn, answer)
            except OSError:
                pass
            conn.close()
            if self.idle == 0:
                self.stopping = True

    def _stop_runs(self) -> None:
        for pid in self.runs:
            send_signal(pid, signal.SIGTERM)

    def close(self) -> None:
        deadline = time.monotonic() + STOP_SECONDS
        while self.runs and time.monotonic() < deadline:
            self._signals()
            time.sleep(0.1)
        for pid in self.runs:
            send_signal(pid, signal.SIGKILL)
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


def _listening(path: str) -> socket.socket:
    """The server's socket, listening at `path` (only this user may connect); closed again if that fails."""
    Path(path).unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
    except BaseException:
        listener.close()
        raise
    return listener


def _log(text: str) -> None:
    print(f"{datetime.now(TIMEZONE):{WITA_TIME}} {text}", flush=True)  # as `server status` says its start


def _warm() -> str | None:
    """Import what a run imports and build what every run builds the same: the copies start with them. The line
    of the first library that refused to load (`flows.cli.library_refusal`: a variable of the environment), the
    rest not done: a library half loaded fails otherwise later, in other words (pandas: "Option
    'compute.use_bottleneck' has already been registered")."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    from flows.cli import library_refusal

    for name in WARM:  # one by one: a refused library is not loaded again (a Prefect setting refused: 2 s each)
        refusal = next(filter(None, map(library_refusal, _import((name,)))), None)
        if refusal is not None:
            return refusal
    from schemas import inputs, outputs
    from scoring.rulebook import published_books, rulebooks

    rulebooks(), published_books()
    inputs.build_schemas()
    for table in outputs.TABLES.values():
        table.pandera_schema, table.arrow_schema
    gc.freeze()  # not collected first (0.2 s the first run waits for): `_warm_later` collects, once idle
    return None


def _warm_later() -> None:
    """Once the server is idle after its first run (the command that started it does not wait for this): import
    the documents' modules when runs write documents (matplotlib and the workbook's: 0.6-1.4 s of each such run)
    and the landing's workbooks' reader (openpyxl, 0.25 s). Only a saving: what fails here (a library's setting from
    the environment, say) is logged, and each run does it itself, as before."""
    documents = settings().documents and not _import(("flows.handouts",))
    _import(("openpyxl",))  # the landing's workbooks' reader (`flows.ingest.excel_files`): not on the first run's path
    _freeze()
    if documents:
        _log("modul dokumen dimuat")


def _compile_data_docs() -> None:
    """Compile GX's Data Docs templates (`flows.data_docs`, 0.2 s), while the Prefect server starts: the copies start
    with them. Only a saving: what fails is logged, and each run compiles them itself, as before."""
    try:
        from flows import data_docs

        data_docs.warm()
    except Exception as error:  # noqa: BLE001 - the runs compile them themselves
        _log(f"templat Data Docs tidak dikompilasi lebih dulu ({type(error).__name__}: {error})")


def _import(names: tuple[str, ...]) -> list[Exception]:
    """Import the modules; the errors of those not imported, in order (each logged: the copies import the module,
    unless the caller stops at a library that refused to load)."""
    import importlib

    failures = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - a library that moved, or fails on a setting of the environment
            _log(f"tidak diimpor lebih dulu: {name} ({type(error).__name__}: {error})")
            failures.append(error)
    return failures


def _freeze() -> None:
    """What is imported stays: a copy's collections look at its own objects only (and share the pages). The garbage
    the imports left is collected first, the objects frozen at the start too."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _run_copy(message: dict, fds: list[int], server: int, close: list, logging: tuple | None = None) -> None:
    """In the forked copy of the process `server`: drop the server's descriptors (`close`), become the command (its
    descriptors, folder, environment), run its request, exit with its code."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        # killed with the server (even by kill -9), as its helper copies are: the run cannot report to the server's
        # Prefect API any more (it retried for minutes, writing to the command's terminal), and it went on and
        # published while its command said the server stopped (hostile trial); publication is kill-safe
        end_with_parent(server)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)  # one sent since the fork ends the copy now
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
        sys.stdout = GuardedStdout(open(1, "w", encoding=sys.stdout.encoding, errors=sys.stdout.errors, closefd=False,
                                        buffering=1 if os.isatty(1) else -1))  # refusing it: `commands.words_lost`
        sys.stderr = open(2, "w", encoding=sys.stderr.encoding, errors="backslashreplace", closefd=False,
                          buffering=1)
        os.chdir(message["cwd"])
        os.umask(message["umask"])
        os.environ.clear()
        os.environ.update(message["env"])
        sys.argv = list(message["argv"])
        random.seed()
        if users_settings()[0]:  # its command runs against that server itself (`flows.server.prefect_api` checks it)
            code = ELSEWHERE
            return
        Served.copy = True
        _refresh_settings(logging)
        from flows import cli

        code = cli.run_request(message["request"])
    except KoperasiSehatError as error:  # a setting of the command's environment the server's libraries refuse
        from flows.commands import EXIT_USAGE, say

        say(str(error))
        code = EXIT_USAGE
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


def users_settings() -> tuple[str | None, str | None]:
    """Prefect's settings as the command's own read them besides the environment's PREFECT_API_URL (which a command
    sent here has not: `flows.background.ready_server`): its active Prefect profile, or .env, prefect.toml or
    pyproject.toml in its folder. The Prefect API URL they name (runs went to the background server, that server
    unchecked: hostile trial), or None; and the line refusing them (`PREFECT_API_URL = 3` in the profile stopped the
    background server's Prefect server in pydantic's words: hostile trial), or None when they are accepted or cannot
    be read (`_refresh_settings` says why)."""
    from prefect.settings.models.root import Settings
    from pydantic import ValidationError

    own = os.environ.pop("PREFECT_API_URL", None)
    try:
        return Settings().api.url or None, None
    except ValidationError as error:
        return None, prefect_settings_refused(error)
    except Exception:  # noqa: BLE001 - unreadable: said by `_refresh_settings`
        return None, None
    finally:
        if own is not None:
            os.environ["PREFECT_API_URL"] = own


def _refresh_settings(logging: tuple | None = None) -> None:
    """Settings read from the environment when a module was imported: read them again from the command's, Prefect's
    included (whatever they are read from: variables in any case, .env, prefect.toml, pyproject.toml, profiles).
    Prefect's logging is set up again (0.1-0.2 s) unless its settings are the server's and `logging` is what the
    server's logging was set up from besides them (`_logging_from`: Prefect's own logging file, the same variables).
    SettingError, in one line, for a Prefect setting it refuses (PREFECT_LOGGING_LEVEL=LOUD: PREFECT_LOGGING_* are
    applied per run, the server is not keyed on them, `flows.background.UNKEYED`), settings it cannot read, or a
    logging file it cannot use."""
    settings.cache_clear()
    import prefect.context
    from prefect.logging.configuration import setup_logging
    from prefect.settings import PREFECT_LOGGING_SETTINGS_PATH, get_current_settings
    from pydantic import ValidationError

    from flows.cli import one_line

    try:
        server = get_current_settings()  # the server's own may be refused too (a profile's setting): hostile trial
        prefect.context.refresh_global_settings_context()
    except ValidationError as error:
        raise SettingError(prefect_settings_refused(error)) from None
    except Exception as error:  # noqa: BLE001 - a file of settings it cannot read (invalid TOML, say): hostile trial
        raise SettingError(prefect_files_refused() or (
            f"pengaturan Prefect tidak dapat dibaca ({type(error).__name__}: {one_line(error)[:300]}): perbaiki .env, "
            "prefect.toml atau pyproject.toml di folder ini, atau profiles.toml Prefect")) from None
    if logging is not None and get_current_settings() == server and _logging_from() == logging:
        return
    try:
        setup_logging(incremental=False)
    except Exception as error:  # noqa: BLE001 - its logging file cannot be used (invalid YAML, a handler it lacks)
        raise SettingError(logging_file_refused(error, PREFECT_LOGGING_SETTINGS_PATH.value())) from None


def _logging_from() -> tuple | None:
    """What Prefect's logging is set up from in this process besides its settings (`_refresh_settings`): the
    PREFECT_LOGGING_* variables it reads (in capitals), over Prefect's own logging file. None when the logging file
    is the user's (its handlers may name files relative to the folder, hold them open, or draw on a terminal: each
    run sets them up for its own, as do runs with --verbose; hostile trial) or the console shows Prefect's logs
    (`QUIET_CONSOLE`)."""
    from prefect.settings import PREFECT_LOGGING_SETTINGS_PATH

    quiet = all(os.environ.get(name) == value for name, value in QUIET_CONSOLE.items())
    if not quiet or PREFECT_LOGGING_SETTINGS_PATH.value().exists():
        return None
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("PREFECT_LOGGING_")))


def _prefect_logging_now(cwd: str) -> tuple[tuple | None, str | None]:
    """This process's Prefect settings and logging read again as its commands' would be: from its environment
    (PREFECT_API_URL included) in the folder `cwd` (the command's that started it). What the logging is set up from
    besides the settings (`_logging_from`), or None when they could not be read (each copy sets up its own then, as
    before); and the line refusing them (a SettingError's), if any. What fails is logged."""
    here = os.getcwd()
    try:
        os.chdir(cwd)
        try:
            _refresh_settings()
            return _logging_from(), None
        finally:
            os.chdir(here)
    except Exception as error:  # noqa: BLE001 - the copies read them themselves
        _log(f"pengaturan Prefect tidak dibaca lebih dulu ({type(error).__name__}: {error})")
        return None, str(error) if isinstance(error, SettingError) else None


def main(argv: list[str]) -> None:
    """`python -m flows.background_loop --key KEY [--cwd FOLDER]`: detach, then serve until stopped or idle (FOLDER:
    the starting command's, where its Prefect settings are read)."""
    key = argv[argv.index("--key") + 1]
    home = prefect_home()
    cwd = argv[argv.index("--cwd") + 1] if "--cwd" in argv else str(home)
    _detach()
    (home / f"{APP_NAME}-server.pid").write_text(str(os.getpid()))
    try:
        loop = _Loop(home, key, cwd)
    except Exception as error:  # noqa: BLE001 - written to the log, the line the waiting command says marked
        traceback.print_exc()
        print(NOT_STARTED + _words(error), flush=True)
        return  # its pid left: the command waiting for it sees it ended (it waited 180 s)
    try:
        loop.serve()
    except Exception as error:  # noqa: BLE001 - written to the log
        traceback.print_exc()
        print(_words(error), flush=True)
    finally:
        loop.close()
        (home / f"{APP_NAME}-server.pid").unlink(missing_ok=True)


def _words(error: Exception) -> str:
    """An error on one line (the command says the marked line only)."""
    from flows.cli import one_line

    return one_line(error) if isinstance(error, KoperasiSehatError) else f"{type(error).__name__}: {one_line(error)}"


if __name__ == "__main__":
    main(sys.argv[1:])
