"""The background server (`flows.background`): the first `run` without PREFECT_API_URL starts it, the next runs
use it (the same server, the same outputs), a changed setting replaces it when idle, `server stop` stops it and
its Prefect server, and with `server_idle_minutes` 0 it stops after its run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows import storage
from flows.background import LOG_BYTES, QUIET_CONSOLE
from flows.config import PROJECT_ROOT
from flows.monthly import OUTPUT_TABLES
from test_cli import WATCHED

CLI = [sys.executable, "-m", "flows.entry"]


def _cli(*args: str, home: Path, command: list[str] = CLI, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
                          env={**environment, "PREFECT_HOME": str(home), **env})


def _state(home: Path) -> dict | None:
    path = home / "koperasi-sehat-server.json"
    return json.loads(path.read_text()) if path.exists() else None


def _processes(pid: int) -> list[psutil.Process]:
    """The server and its Prefect server."""
    server = psutil.Process(pid)
    return [server, *server.children(recursive=True)]


def _rows(output: Path) -> dict[str, list]:
    """Every published table's rows, without the run fields."""
    return {t: storage.read_table(output, t, "2026-10").drop(columns=["run_id", "dihitung_pada"], errors="ignore")
            .astype("str").values.tolist() for t in OUTPUT_TABLES}


STOP_AFTER_THE_REQUEST = """
import signal, sys
from flows import background, cli
send = background.send_message
def send_then_stop(conn, message, fds=None):
    send(conn, message, fds)
    if message.get("op") == "run":
        signal.raise_signal(signal.SIGINT)
background.send_message = send_then_stop
sys.exit(cli.main(sys.argv[1:]))
"""


STOP_WHILE_STARTING = """
import signal, sys
from flows import background, cli
background._start = lambda home, key: signal.raise_signal(signal.SIGINT)
sys.exit(cli.main(sys.argv[1:]))
"""


# an office's proxies, here ones that answer nothing: the local server is reached without them (a cold run waited 120
# s for a server that had started, then failed; with the wait mended, Prefect's client went through them: trials)
DEAD_PROXY = {"http_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
              "ALL_PROXY": "socks5://127.0.0.1:9"}  # a SOCKS proxy: httpx failed on it whatever no_proxy said


def test_the_first_run_starts_the_server_the_next_ones_use_it_and_stop_stops_it(tmp_path, request):
    home = tmp_path / "prefect"
    request.addfinalizer(lambda: _cli("server", "stop", home=home))  # a failed assertion leaves no server behind
    assert _cli("server", "status", home=home).stdout == f"tidak ada server latar untuk {home}\n"
    modules = tmp_path / "modules"  # a setting of the command: the server is keyed on it (the same for both runs)
    first = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "a"), home=home,
                 KOPERASI_SEHAT_TEST_MODULES=str(modules), **DEAD_PROXY)
    assert first.returncode == 0, first.stderr
    started = _state(home)
    assert started and _processes(started["pid"])
    again = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "b"), home=home, command=WATCHED,
                 KOPERASI_SEHAT_TEST_MODULES=str(modules), **DEAD_PROXY)
    assert again.returncode == 0, again.stderr
    assert _state(home) == started  # the same server
    # the command hands its run over: it loads none of the run's libraries (Arrow alone took 0.14 s of it)
    assert set(modules.read_text().split()) & {"pyarrow", "numpy", "pandas", "prefect", "great_expectations"} == set()
    # a command whose environment a library refuses is refused before the idle server is replaced: it serves on
    refused = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "x"), home=home,
                   NUMPY_MADVISE_HUGEPAGE="abc")
    assert refused.returncode == 2 and refused.stderr.startswith("koperasi-sehat: pustaka numpy tidak dapat dimuat (")
    assert len(refused.stderr.splitlines()) == 1 and _state(home) == started and _processes(started["pid"])
    assert not (tmp_path / "x").exists()  # nor the folder made for its run left (it was)
    # so is one whose Prefect settings Prefect refuses (it stopped the idle server, then the new one could not
    # start: fresh-clone and hostile trials)
    refused = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "x"), home=home,
                   PREFECT_SERVER_API_PORT="abc")
    assert (refused.returncode, refused.stderr) == (2, "koperasi-sehat: pengaturan Prefect tidak sah: "
                                                       "PREFECT_SERVER_API_PORT='abc': harus bilangan bulat\n")
    assert _state(home) == started and _processes(started["pid"]) and not (tmp_path / "x").exists()
    status = _cli("server", "status", home=home).stdout
    assert status.startswith(f"server latar pid {started['pid']} sejak ") and "0 run berjalan, 2 run dilayani" in status
    assert re.search(r" sejak \d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA: API ", status)  # WITA, as its log (README)
    assert _rows(tmp_path / "a") == _rows(tmp_path / "b")
    # idle after its runs, the server imports the documents' modules and compiles GX's templates, once
    log, deadline = home / "koperasi-sehat-server.log", time.monotonic() + 60
    while "modul dokumen" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    events = [line.split(" ", 3)[3] for line in log.read_text().splitlines()]
    assert events.count("modul dokumen dimuat") == 1
    # its times in WITA with their zone, as `server status` and the run ids (the host's, without one: trial)
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA ", line) for line in log.read_text().splitlines())
    assert events.index("modul dokumen dimuat") > 2  # ready, the first run and its end
    assert again.stdout.startswith("run 2026-10_") and "Kalimantan Utara" in again.stdout  # the summary (its first
    # line first: no empty line above it in a file or a pipe), on the command's
    # a setting read when a module is imported: the idle server is replaced by one with the command's environment
    other = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "c"), home=home,
                 KOPERASI_SEHAT_SUMMARY_ROWS="2")
    assert other.returncode == 0, other.stderr
    replaced = _state(home)
    assert replaced["pid"] != started["pid"] and not psutil.pid_exists(started["pid"])
    # a stop just after the request is sent (before the command passed stops on) reached the command alone: it
    # exited while its run went on and published; now it is held until it can be passed on, and stops the run
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    stopped_at_once = subprocess.run(
        [sys.executable, "-c", STOP_AFTER_THE_REQUEST, "run", "--period", "2026-10", "--output", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT,
        env={**environment, "PREFECT_HOME": str(home), "KOPERASI_SEHAT_SUMMARY_ROWS": "2"})
    assert (stopped_at_once.returncode, stopped_at_once.stderr) == (
        1, "koperasi-sehat: dihentikan (SIGINT): periode 2026-10 tidak diterbitkan, keluaran sebelumnya utuh\n")
    assert not (tmp_path / "d" / "_terbit").exists() and _state(home) == replaced
    processes = _processes(replaced["pid"])
    stopped = _cli("server", "stop", home=home)
    assert (stopped.returncode, stopped.stdout) == (0, f"server latar pid {replaced['pid']} dihentikan\n")
    assert _state(home) is None and not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                                            for p in processes)
    assert not Path(replaced["socket"]).exists()


def test_a_server_that_cannot_start_says_why_then_one_with_no_idle_minutes_stops_after_its_run(tmp_path):
    """A Prefect setting refused (PREFECT_LOGGING_LEVEL=LOUD) killed the server while it started, and the command
    waited out READY_SECONDS (180 s) to say so with pydantic's closing link: it sees the server end, and names the
    setting. The next start in that home is not misled by what the failed one left."""
    home = tmp_path / "prefect"
    failed = subprocess.run([*CLI, "run", "--period", "2026-10", "--output", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,  # it waited 180 s
                            env={**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
                                 "PREFECT_HOME": str(home), "PREFECT_LOGGING_LEVEL": "LOUD",
                                 "PREFECT_SERVER_API_PORT": "abc"})
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr == (  # the settings named, not the Prefect server's last words with two logs (hostile trial);
        # both, in Indonesian: the second went unnamed, and pydantic's English words were in the line (review)
        "koperasi-sehat: server latar tidak siap: pengaturan Prefect tidak sah: PREFECT_LOGGING_LEVEL='LOUD': harus "
        "salah satu dari 'DEBUG', 'INFO', 'WARNING', 'ERROR' atau 'CRITICAL'; PREFECT_SERVER_API_PORT='abc': harus "
        f"bilangan bulat (log: {home / 'koperasi-sehat-server.log'})\n")
    log = home / "koperasi-sehat-server.log"
    with log.open("a") as grown:  # a log above LOG_BYTES is kept as .log.1 when the next server starts
        grown.write("." * LOG_BYTES + "\n")
    done = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "out"), home=home,
                KOPERASI_SEHAT_SERVER_IDLE_MINUTES="0")
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 30
    while _state(home) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _state(home) is None
    kept = log.with_name("koperasi-sehat-server.log.1").read_text()
    assert "LOUD" in kept and kept.endswith("." * LOG_BYTES + "\n")  # the failed server's words, moved whole
    events = [line.split(" ", 3)[3].split(":")[0] for line in log.read_text().split(" siap: API ")[1].splitlines()[1:]]
    runs = [e for e in events if e.startswith("run pid ")]
    assert events[-1] == "berhenti" and runs == [runs[0], f"{runs[0]} selesai"]  # one run, then it stopped


def test_a_warning_made_an_error_is_named_as_such_and_the_failed_start_leaves_nothing_running(tmp_path):
    """PYTHONWARNINGS=error: a library's DeprecationWarning refused its import, and the command named the last line
    the interpreter wrote at the server's exit ("ResourceWarning: unclosed file ...": the Prefect server it had
    started and that server's log, left to the collector; hostile trial)."""
    home = tmp_path / "prefect"
    done = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "out"), home=home, PYTHONWARNINGS="error")
    assert (done.returncode, done.stdout) == (2, "")
    assert re.fullmatch(r"koperasi-sehat: server latar tidak siap: pustaka \w+ tidak dapat dimuat \(\w*Warning: .+\); "
                        r"peringatan dijadikan galat oleh PYTHONWARNINGS atau opsi -W Python; hapus variabel itu atau "
                        r"pakai PYTHONWARNINGS=default \(log: (.+)\)\n", done.stderr)[1] == str(
                            home / "koperasi-sehat-server.log")
    assert "ResourceWarning" not in (home / "koperasi-sehat-server.log").read_text()
    started = [p for p in psutil.process_iter(["cmdline"]) if "flows.server" in " ".join(p.info["cmdline"] or [])]
    assert not [p for p in started if _home_of(p) == str(home)]  # its Prefect server stopped with it


def test_a_socket_the_server_cannot_open_is_named_and_leaves_nothing_running(tmp_path):
    """A temporary folder too deep for a socket's path: the start failed after the Prefect server was up, and only
    that server's pipe closing stopped it (review)."""
    home, deep = tmp_path / "prefect", tmp_path / ("d" * 120)
    deep.mkdir()
    done = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "out"), home=home, TMPDIR=str(deep))
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.startswith("koperasi-sehat: server latar tidak siap: OSError: AF_UNIX path too long (log: ")
    started = [p for p in psutil.process_iter(["cmdline"]) if "flows.server" in " ".join(p.info["cmdline"] or [])]
    assert not [p for p in started if _home_of(p) == str(home)]


def _home_of(process: psutil.Process) -> str | None:
    try:
        return process.environ().get("PREFECT_HOME")
    except (psutil.Error, OSError):
        return None


def test_a_stop_read_with_the_request_or_cut_between_two_reads_reaches_the_run(monkeypatch):
    import signal

    from flows import background_loop

    sent = []
    monkeypatch.setattr(background_loop, "send_signal", lambda pid, signum: sent.append((pid, signum)))
    loop = background_loop._Loop.__new__(background_loop._Loop)  # only its buffers: no server started
    loop.unread = {}
    loop._pass_on(41, b'{"signal": 15}\n{"sig')  # read with the request, then half of the next line
    assert sent == [(41, signal.SIGTERM)] and loop.unread == {41: b'{"sig'}
    loop._pass_on(41, b'nal": 2}\n{"signal": 9}\n')  # the rest; a signal the command never passes on is ignored
    assert sent == [(41, signal.SIGTERM), (41, signal.SIGINT)] and loop.unread == {41: b""}


def test_what_fails_in_the_idle_warm_up_is_logged_and_the_server_goes_on(monkeypatch):
    """A library failing on import (matplotlib on MPLBACKEND=nope raised ValueError) killed the server during its
    idle warm-up: only ImportError was caught. It is a saving only, as is compiling the Data Docs templates at the
    server's start: the runs import and compile themselves."""
    import importlib

    from flows import background_loop, data_docs

    logged = []
    monkeypatch.setattr(background_loop, "_log", logged.append)
    monkeypatch.setattr(background_loop, "_freeze", lambda: None)  # not this test process's objects
    real = importlib.import_module

    def refused(name, *args):
        if name == "flows.handouts":
            raise ValueError("Key backend: 'nope' is not a valid value for backend")
        return real(name, *args)

    def broken():
        raise RuntimeError("templat rusak")

    monkeypatch.setattr(importlib, "import_module", refused)
    monkeypatch.setattr(data_docs, "warm", broken)
    background_loop._warm_later()
    background_loop._compile_data_docs()  # at the server's start, while the Prefect server starts
    assert logged == ["tidak diimpor lebih dulu: flows.handouts (ValueError: Key backend: 'nope' is not a valid value "
                      "for backend)", "templat Data Docs tidak dikompilasi lebih dulu (RuntimeError: templat rusak)"]
    monkeypatch.setattr(importlib, "import_module", real)
    monkeypatch.setattr(data_docs, "warm", lambda: None)
    logged.clear()
    background_loop._warm_later()
    background_loop._compile_data_docs()
    assert logged == ["modul dokumen dimuat"]


@pytest.mark.parametrize(("name", "value"), [("MPLBACKEND", "agg"), ("NUMPY_MADVISE_HUGEPAGE", "0"),
                                             ("PANDERA_VALIDATION_ENABLED", "False")])
def test_the_server_is_keyed_on_what_libraries_read_when_imported(monkeypatch, name, value):
    """matplotlib is imported by the server (idle, for the documents): a server started under another MPLBACKEND
    kept it for every run; numpy reads NUMPY_MADVISE_HUGEPAGE and pandera PANDERA_* once, when imported (hostile
    trial: a run with PANDERA_VALIDATION_ENABLED=False was served by the server started without). The key changes
    with them, and not with a variable no library reads."""
    from flows.background import code_key

    monkeypatch.delenv(name, raising=False)
    base = code_key()
    monkeypatch.setenv(name, value)
    assert code_key() != base
    monkeypatch.delenv(name)
    monkeypatch.setenv("EDITOR", "vi")
    assert code_key() == base
    # the certificate file: the project's own server names its own (`flows.server.own_server_settings`), so a
    # user's changed nothing but replaced the server (new-user trial)
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", "/etc/the-users-own.pem")
    assert code_key() == base


def test_a_prefect_home_given_relative_is_the_command_s_folder_s_and_a_removed_folder_is_one_line(tmp_path):
    """PREFECT_HOME=rel made the first run wait 180 s in silence (the server works in its home, where 'rel' named
    another folder), and a command run from a folder removed under the shell was a traceback (hostile trial)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    args = ["run", "--period", "2026-10", "--input", str(PROJECT_ROOT / "data" / "sample"), "--output", "out"]
    first = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                           env={**environment, "PREFECT_HOME": "rel", "KOPERASI_SEHAT_DOCUMENTS": "false"})
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "out" / "_terbit").is_dir() and _state(tmp_path / "rel")["url"].startswith("http://127.0.0.1:")
    stopped = subprocess.run([*CLI, "server", "stop"], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                             env={**environment, "PREFECT_HOME": "rel"})
    assert stopped.returncode == 0 and _state(tmp_path / "rel") is None
    (tmp_path / "pergi").mkdir()
    gone = subprocess.run(["sh", "-c", 'cd pergi && rmdir ../pergi && exec "$@"', "sh", *CLI, *args],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=environment)
    assert (gone.returncode, gone.stdout, gone.stderr) == (
        2, "", "koperasi-sehat: folder kerja saat ini sudah dihapus: pindah ke folder yang ada (cd), lalu jalankan "
               "lagi\n")


SETTINGS_SCRIPT = """
import os, sys
from pathlib import Path
import prefect.logging.configuration as configuration
from flows import background_loop as loop
from scoring.errors import SettingError

calls = []
real = configuration.setup_logging
configuration.setup_logging = lambda **kw: calls.append(1) or real(**kw)
start = os.path.abspath(sys.argv[1])
logging, _ = loop._prefect_logging_now(start)
assert logging is not None and os.getcwd() != start
os.chdir(start)
base = dict(os.environ)

def copy(change, folder=start):
    os.environ.clear()
    os.environ.update(base, **change)
    os.chdir(folder)
    before = len(calls)
    try:
        loop._refresh_settings(logging)
        said = "set up" if len(calls) > before else "kept"
    except SettingError as error:
        said = "refused: " + str(error).replace(str(Path(sys.argv[2]).resolve()), "<lain>")
    os.environ.clear()
    os.environ.update(base)
    os.chdir(start)
    loop._refresh_settings()
    return said

print(copy({}))
print(copy({"PREFECT_LOGGING_LEVEL": "DEBUG"}))
print(copy({"prefect_logging_level": "LOUD"}))
print(copy({"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO"}))
print(copy({"PREFECT_LOGGING_FORMATTERS_STANDARD_FLOWRUNFMT": "%(message)s"}))
print(copy({}, folder=sys.argv[2]))
Path(start, ".env").write_text("PREFECT_LOGGING_SETTINGS_PATH=mine.yml\\n")
Path(start, "mine.yml").write_text(configuration.DEFAULT_LOGGING_SETTINGS_PATH.read_text())
print(copy({}))
logging, _ = loop._prefect_logging_now(start)
print(copy({}))
Path(start, "mine.yml").write_text(configuration.DEFAULT_LOGGING_SETTINGS_PATH.read_text() + "# edited\\n")
print(copy({}))
Path(sys.argv[2], "prefect.toml").write_text("[logging\\n")
print(copy({}, folder=sys.argv[2]))
"""


def test_a_copy_sets_prefect_s_logging_up_again_only_when_it_may_differ(tmp_path):
    """Prefect's logging set up again took 0.13 s of each run's copy. A copy reads Prefect's settings again, from
    whatever they are read from (a variable in any case, .env, prefect.toml: hostile trial), and sets its logging up
    again unless the settings are the server's, and so are the PREFECT_LOGGING_* variables, over Prefect's own
    logging file; always with a logging file of the user's (its handlers may hold files relative to the folder, open
    files, a terminal's colours: hostile trial), and when the console shows Prefect's logs (--verbose). A file of
    settings it cannot read is one line."""
    start, other = tmp_path / "mulai", tmp_path / "lain"
    start.mkdir()
    other.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.upper().startswith("PREFECT_")},
           "PREFECT_HOME": str(tmp_path / "home"), "PREFECT_API_URL": "http://127.0.0.1:9/api",
           **QUIET_CONSOLE, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", SETTINGS_SCRIPT, str(start), str(other)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "kept", "set up", "refused: pengaturan Prefect tidak sah: PREFECT_LOGGING_LEVEL='LOUD': harus salah satu "
        "dari 'DEBUG', 'INFO', 'WARNING', 'ERROR' atau 'CRITICAL'", "set up",
        "set up", "kept",  # another folder with nothing of Prefect's in it: the same settings
        "set up",  # a logging file named in the folder's .env
        "set up", "set up",  # the server's own too, then edited: a logging file of the user's, set up by every run
        "refused: pengaturan Prefect tidak dapat dibaca: <lain>/prefect.toml bukan TOML yang sah (Expected ']' at "
        "the end of a table declaration (at line 1, column 9)): perbaiki atau hapus berkas itu"]  # the file named


def _copy_of(server: int, deadline: float = 120) -> psutil.Process:
    """The server's copy that runs a run, once there is one (the server's other child is its Prefect server)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        copies = [p for p in psutil.Process(server).children() if "flows.background_loop" in " ".join(p.cmdline())]
        if copies:
            return copies[0]
        time.sleep(0.05)
    raise AssertionError("no run copy")


def test_what_the_server_meets_from_a_command_is_one_line_and_a_killed_server_ends_its_run(tmp_path):
    """Found by the hostile trial: a library refusing a variable as the server started was named by what failed
    after it (pandas half loaded: "Option 'compute.use_bottleneck' has already been registered"); a Prefect logging
    setting, applied per run, was a pydantic traceback in a running server's copy; a command started without stdout
    was a traceback, one whose stdout could not take the summary a traceback or exit 1 after publication, and one
    without stdin gave the server's connection its descriptor 0, so that its run held the
    connection and went on when the command was killed; a server killed during a run left its copy running, which
    published while its command said the server had stopped."""
    home, out = tmp_path / "prefect", tmp_path / "out"
    args = ("run", "--period", "2026-10", "--output", str(out))
    refused = _cli(*args, home=home, PANDAS_FUTURE="bogus")
    assert refused.returncode == 2 and refused.stderr.startswith(
        "koperasi-sehat: server latar tidak siap: pustaka pandas tidak dapat dimuat (ValueError: PANDAS_FUTURE "
        "environment variable must be one of ") and refused.stderr.count("\n") == 1
    first = _cli(*args, home=home)
    assert first.returncode == 0, first.stderr
    server = _state(home)
    elsewhere = tmp_path / "baru" / "out"  # the folders made for a run its copy refused: removed (hostile trial)
    loud = _cli("run", "--period", "2026-10", "--output", str(elsewhere), home=home, PREFECT_LOGGING_LEVEL="LOUD")
    assert (loud.returncode, loud.stdout, loud.stderr) == (2, "", "koperasi-sehat: pengaturan Prefect tidak sah: "
                                                           "PREFECT_LOGGING_LEVEL='LOUD': harus salah satu dari "
                                                           "'DEBUG', 'INFO', 'WARNING', 'ERROR' atau 'CRITICAL'\n")
    assert not (tmp_path / "baru").exists()
    assert _cli("server", "status", home=home).stdout.endswith(  # a run refused in the copy: served, and counted
        "0 run berjalan, 2 run dilayani (1 tidak selesai: gagal, ditolak atau dihentikan); log "
        f"{home / 'koperasi-sehat-server.log'}\n")
    (home / "logging.yml").write_text("version: 1\nhandlers: [\n")  # Prefect's logging file, broken: a traceback,
    broken = _cli(*args, home=home)                                  # exit 1 (new-user trial)
    assert (broken.returncode, broken.stdout) == (2, "") and broken.stderr.startswith(
        f"koperasi-sehat: berkas log Prefect {home / 'logging.yml'} tidak dapat dipakai (ParserError: while parsing ")
    assert broken.stderr.endswith("): perbaiki atau hapus berkas itu (PREFECT_LOGGING_SETTINGS_PATH, atau "
                                  "logging.yml di PREFECT_HOME)\n") and broken.stderr.count("\n") == 1
    (home / "logging.yml").unlink()
    closed = _cli(*args, home=home, command=["sh", "-c", 'exec "$@" >&-', "sh", *CLI])
    assert (closed.returncode, closed.stderr) == (0, "")
    # a stdout that cannot take the summary once the month is published: one line, exit 0 (rich's exit 1 on a
    # pipe); a pipe its reader closed took what it wanted: no word
    for shell, why in ((["sh", "-c", 'exec "$@" >/dev/full', "sh"], "No space left on device"),
                       (["bash", "-c", '"$@" | true; exit "${PIPESTATUS[0]}"', "bash"], None),
                       (["sh", "-c", 'exec "$@" >/dev/full 2>&1', "sh"], None)):  # stderr too: nothing to say it
        before = (out / "_terbit" / "2026-10.json").read_bytes() if why is None else None
        unwritten = _cli(*args, home=home, command=[*shell, *CLI])
        assert (unwritten.returncode, unwritten.stderr) == (0, "" if why is None else (
            f"koperasi-sehat: ringkasan tidak dapat ditulis ke keluaran standar ({why}); periode terbit, keluaran di "
            f"{out}\n"))
    assert (out / "_terbit" / "2026-10.json").read_bytes() != before  # published, exit 0 (it was exit 1: say raised)
    published = (out / "_terbit" / "2026-10.json").read_bytes()
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")},
                   "PREFECT_HOME": str(home)}
    without_stdin = subprocess.Popen(["sh", "-c", 'exec "$@" <&-', "sh", *CLI, *args], cwd=PROJECT_ROOT,
                                     env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    copy = _copy_of(server["pid"])
    without_stdin.kill()
    without_stdin.wait(timeout=60)
    assert psutil.wait_procs([copy], timeout=60)[1] == []  # its run stopped with it, before publication
    assert (out / "_terbit" / "2026-10.json").read_bytes() == published
    served = subprocess.Popen([*CLI, *args], cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    copy = _copy_of(server["pid"])
    log = home / "koperasi-sehat-server.log"  # the server names its copy right after the fork: killed before, it
    end = time.monotonic() + 60                # could not (CI, a loaded hour)
    while f"run pid {copy.pid}: run --period 2026-10" not in log.read_text() and time.monotonic() < end:
        time.sleep(0.05)
    psutil.Process(server["pid"]).kill()
    _, stderr = served.communicate(timeout=60)
    assert (served.returncode, stderr) == (
        1, f"koperasi-sehat: server latar berhenti saat run berjalan (log: {home / 'koperasi-sehat-server.log'}); run "
           "dihentikan (SIGKILL): periode 2026-10 tidak diterbitkan, keluaran sebelumnya utuh\n")
    assert psutil.wait_procs([copy], timeout=10)[1] == []  # killed with the server
    assert (out / "_terbit" / "2026-10.json").read_bytes() == published
    assert Path(server["socket"]).exists()  # left by the killed server
    again = _cli(*args, home=home, KOPERASI_SEHAT_SERVER_IDLE_MINUTES="0")  # a new server, stopped after its run
    assert again.returncode == 0, again.stderr
    text = log.read_text()  # the killed server's run, named by the line above, stays
    assert f"run pid {copy.pid}: run --period 2026-10" in text and text.count(" siap: API ") == 2
    assert not Path(server["socket"]).exists()  # removed by the next server of the home
    assert (out / "_terbit" / "2026-10.json").read_bytes() != published


def test_a_terminal_is_told_that_the_server_starts(tmp_path, monkeypatch):
    """The first run's terminal said nothing for the server's start (5 to 18 s): a user could take it for hung
    (fresh-clone trial). A file or a pipe is not told (the command's output stays the run's)."""
    import io

    from flows import background

    class Terminal(io.StringIO):
        def __init__(self, tty: bool) -> None:
            super().__init__()
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.setattr(background, "_start", lambda home, key: "server")
    for tty, said in ((True, "koperasi-sehat: memulai server latar (sekali: run berikutnya memakainya) ...\n"),
                      (False, "")):
        monkeypatch.setattr(sys, "stderr", Terminal(tty))
        assert background.ready_server() == "server" and sys.stderr.getvalue() == said
    # one of another state of the code or environment, idle: replaced, and said so (it said 'memulai ... sekali'
    # at each replacement: new-user trial)
    other = background.Server(pid=os.getpid(), url="-", socket="-", key="another",
                              python=background.python_installation(), mulai="-")
    monkeypatch.setattr(background.Server, "found", classmethod(lambda cls, home: other))
    monkeypatch.setattr(background.Server, "ask", lambda self, message: {"runs": 0} if message["op"] == "status"
                        else None)
    stopped = []
    monkeypatch.setattr(background, "_stop", stopped.append)
    monkeypatch.setattr(sys, "stderr", Terminal(True))
    assert background.ready_server() == "server" and stopped == [other]
    assert sys.stderr.getvalue() == "koperasi-sehat: mengganti server latar (kode atau lingkungannya berubah) ...\n"


def test_a_url_of_the_active_prefect_profile_or_the_folder_is_checked_and_used_not_the_background_server(
        tmp_path, request):
    """PREFECT_API_URL in the active Prefect profile (`prefect config set`): the runs went to the background server,
    that server unchecked (hostile trial). The run's copy hands it back; the command checks the profile's server
    (where nothing answers: one line, exit 2) and would run there."""
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "kantor"\n\n[profiles.kantor]\n'
                                        'PREFECT_API_URL = "http://127.0.0.1:1/api"\n')
    request.addfinalizer(lambda: _cli("server", "stop", home=home))
    refused = _cli("run", "--period", "2026-10", "--output", str(tmp_path / "keluaran"), home=home,
                   KOPERASI_SEHAT_DOCUMENTS="false")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        "koperasi-sehat: PREFECT_API_URL profil Prefect yang aktif (http://127.0.0.1:1/api) tidak dapat dihubungi "
        "([Errno 111] Connection refused): jalankan server itu (mis. koperasi-sehat serve), atau hapus dari profil "
        "itu (prefect config unset PREFECT_API_URL): run memakai server latarnya sendiri\n"), refused.stderr
    assert not (tmp_path / "keluaran").exists()  # nothing written, not even the folder
    folder = tmp_path / "kantor"  # the folder's .env, which Prefect reads before the profile: named as such
    folder.mkdir()
    (folder / ".env").write_text("PREFECT_API_URL=http://127.0.0.1:2/api\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    in_folder = subprocess.run([*CLI, "run", "--period", "2026-10", "--input", str(PROJECT_ROOT / "data" / "sample"),
                                "--output", str(tmp_path / "keluaran")], capture_output=True, text=True, timeout=300,
                               cwd=folder, env={**environment, "PREFECT_HOME": str(home),
                                                "KOPERASI_SEHAT_DOCUMENTS": "false"})
    assert (in_folder.returncode, in_folder.stderr) == (2, (
        "koperasi-sehat: PREFECT_API_URL pengaturan Prefect di folder ini (http://127.0.0.1:2/api; .env, prefect.toml "
        "atau pyproject.toml) tidak dapat dihubungi ([Errno 111] Connection refused): jalankan server itu (mis. "
        "koperasi-sehat serve), atau hapus dari berkas itu (prefect config view menunjukkan asalnya): run memakai "
        "server latarnya sendiri\n"))
    assert not (tmp_path / "keluaran").exists()


def test_a_prefect_settings_file_that_is_not_toml_is_named_in_one_line_before_anything_starts(tmp_path):
    """A broken profiles.toml was named only through the background server's log, twice, with an empty --output
    folder left (hostile trial): the command reads Prefect's TOML files itself, before it starts a server."""
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "profiles.toml").write_text('active = "x"\n[profiles.x\nPREFECT_API_URL = "http://127.0.0.1:1/api"\n')
    output = tmp_path / "keluaran"
    line = (f"koperasi-sehat: pengaturan Prefect tidak dapat dibaca: {home.resolve() / 'profiles.toml'} bukan TOML "
            "yang sah (Expected ']' at the end of a table declaration (at line 2, column 12)): perbaiki atau hapus "
            "berkas itu\n")
    for command in (["run", "--period", "2026-10", "--output", str(output)], ["serve"]):
        refused = _cli(*command, home=home, KOPERASI_SEHAT_DOCUMENTS="false")
        assert (refused.returncode, refused.stdout, refused.stderr) == (2, "", line), command
    assert not output.exists()  # nothing written, not even the folder
    assert sorted(p.name for p in home.iterdir()) == ["profiles.toml"]  # no server started
    folder_named = _cli("run", "--period", "2026-10", "--output", str(output), home=home,  # a folder, not a file
                        PREFECT_PROFILES_PATH=str(tmp_path))
    assert (folder_named.returncode, folder_named.stderr) == (
        2, "koperasi-sehat: pengaturan Prefect tidak dapat dibaca: PREFECT_PROFILES_PATH: sebuah folder, bukan "
        f"berkas: {tmp_path}\n")
    # TOML, but a value Prefect refuses: its server stops as it starts, and the setting is named, not the server's
    # last words with two logs
    for setting, why in (('PREFECT_SERVER_API_PORT = "abc"', "PREFECT_SERVER_API_PORT='abc': harus bilangan bulat"),
                         ("PREFECT_API_URL = 3", "PREFECT_API_URL=3: harus teks")):
        (home / "profiles.toml").write_text(f'active = "x"\n[profiles.x]\n{setting}\n')
        refused = _cli("run", "--period", "2026-10", "--output", str(output), home=home,
                       KOPERASI_SEHAT_DOCUMENTS="false")
        assert (refused.returncode, refused.stderr) == (2, (
            f"koperasi-sehat: server latar tidak siap: pengaturan Prefect tidak sah: {why} (log: "
            f"{home / 'koperasi-sehat-server.log'})\n")), setting
        assert not output.exists()
    folder = tmp_path / "kantor"  # a prefect.toml of the command's folder, read by Prefect too
    folder.mkdir()
    (folder / "prefect.toml").write_bytes(b"[api]\nurl = \"\xff\"\n")
    (home / "profiles.toml").write_text('active = "x"\n[profiles.x]\n')
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    in_folder = subprocess.run([*CLI, "run", "--period", "2026-10", "--output", str(output)], capture_output=True,
                               text=True, timeout=300, cwd=folder, env={**environment, "PREFECT_HOME": str(home)})
    assert (in_folder.returncode, in_folder.stderr) == (2, (
        f"koperasi-sehat: pengaturan Prefect tidak dapat dibaca: {folder.resolve() / 'prefect.toml'} bukan TOML yang "
        "sah ('utf-8' codec can't decode byte 0xff in position 13: invalid start byte): perbaiki atau hapus berkas "
        "itu\n"))
    assert not output.exists()
    # TOML, values Prefect refuses: the server that started for it ran the run to have its copy refuse it, 23 s,
    # and kept the --output folder made for it (hostile trial); now it does not start
    (folder / "prefect.toml").write_text('[logging]\nlevel = "LOUD"\n[server.api]\nport = "abc"\n')
    in_folder = subprocess.run([*CLI, "run", "--period", "2026-10", "--output", str(output)], capture_output=True,
                               text=True, timeout=300, cwd=folder, env={**environment, "PREFECT_HOME": str(home)})
    assert (in_folder.returncode, in_folder.stderr) == (2, (
        "koperasi-sehat: server latar tidak siap: pengaturan Prefect tidak sah: PREFECT_LOGGING_LEVEL='LOUD': harus "
        "salah satu dari 'DEBUG', 'INFO', 'WARNING', 'ERROR' atau 'CRITICAL'; PREFECT_SERVER_API_PORT='abc': harus "
        f"bilangan bulat (log: {home / 'koperasi-sehat-server.log'})\n"))
    assert not output.exists() and _state(home) is None


def test_a_stop_while_the_background_server_starts_leaves_no_output_folder(tmp_path):
    """Ctrl-C or SIGTERM while the first run's server started left the --output folder the run had made, empty
    (hostile trial)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    stopped = subprocess.run([sys.executable, "-c", STOP_WHILE_STARTING, "run", "--period", "2026-10", "--output",
                              str(tmp_path / "baru" / "keluaran")], capture_output=True, text=True, timeout=120,
                             cwd=PROJECT_ROOT, env={**environment, "PREFECT_HOME": str(tmp_path / "prefect")})
    assert (stopped.returncode, stopped.stdout, stopped.stderr) == (
        1, "", "koperasi-sehat: dihentikan (SIGINT): periode 2026-10 tidak diterbitkan, keluaran sebelumnya utuh\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prefect"]  # the folders made for the run gone


def test_a_pid_the_state_file_names_is_the_server_only_if_it_started_as_the_server(tmp_path, monkeypatch):
    """After a crash the state file's pid was another process's, reported as the server, and `server stop` killed it
    with SIGKILL (hostile trial). The server's start is in the state; an older state's pid counts by its command
    line. A server that stopped answering (SIGSTOP) is stopped with SIGKILL when it is ours, never otherwise."""
    import signal

    from flows import background
    from flows.background import Server, process_start

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    other = subprocess.Popen(["sleep", "60"])
    try:
        state = {"pid": other.pid, "url": "http://127.0.0.1:1/api", "socket": str(tmp_path / "s.sock"), "key": "k",
                 "python": "p", "mulai": "m"}
        for extra, found in (({"start_ticks": process_start(other.pid) + 1}, False), ({}, False),
                             ({"start_ticks": process_start(other.pid)}, True)):
            (tmp_path / background.STATE).write_text(json.dumps(state | extra))
            assert (Server.found(tmp_path) is not None) == found, extra
        background._stop(Server(**state, start_ticks=process_start(other.pid) + 1), answering=False)
        assert other.poll() is None  # not ours: left alone
        background._stop(Server(**state, start_ticks=process_start(other.pid)), answering=False)
        assert other.wait(timeout=10) == -9
        paused = subprocess.Popen(["sleep", "60"])  # a server stopped (SIGSTOP): status and stop say so, at once
        os.kill(paused.pid, signal.SIGSTOP)
        (tmp_path / background.STATE).write_text(json.dumps(
            state | {"pid": paused.pid, "start_ticks": process_start(paused.pid)}))
        assert background.process_state(paused.pid) == "T"
        assert background.status_line().startswith(f"server latar pid {paused.pid} sejak m tidak menjawab (dihentikan "
                                                    "sementara, SIGSTOP): perintah berikutnya menggantinya")
        assert background.stop_server() == (f"server latar pid {paused.pid} dihentikan paksa (SIGKILL): dihentikan "
                                            "sementara (SIGSTOP)")
        assert paused.wait(timeout=10) == -9
    finally:
        other.kill()
        other.wait()


def test_a_stop_the_server_does_not_answer_ends_the_command_in_one_line(capsys):
    """A command whose server was stopped (SIGSTOP) after the run was handed over ignored SIGTERM and waited for good
    (hostile trial): STOP_SECONDS after a stop passed on, it ends, exit 1, saying its run may go on there."""
    import signal
    import socket

    from flows.background import STOP_SECONDS, Messages, _next_answer

    def stopped(signum: int, how: str | None) -> str:  # as the command says what the run published by now
        return f"{how}: periode 2026-10 tidak diterbitkan, keluaran sebelumnya utuh"

    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(0.05)
        assert _next_answer(Messages(ours), [(signal.SIGTERM, time.monotonic() - 1)], stopped) == {"exit": 1}
        theirs.sendall(b'{"exit": 0}\n')  # an answer in time is the answer
        assert _next_answer(Messages(ours), [(signal.SIGTERM, time.monotonic() + 5)], stopped) == {"exit": 0}
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"koperasi-sehat: server latar tidak menjawab {STOP_SECONDS} detik sesudah SIGTERM, "
                           "perintah berhenti tanpa menunggunya: periode 2026-10 tidak diterbitkan, keluaran sebelumnya "
                           "utuh; run-nya mungkin masih berjalan di server itu")


def test_a_prefect_home_that_cannot_hold_the_database_is_one_line_saying_what_to_do(tmp_path, monkeypatch):
    """A home under a file gave Prefect's two-line warning and then its database's error; a corrupted prefect.db
    the error alone, and every later run failed alike (hostile trial)."""
    from flows.background import home_refused
    from flows.server import database_advice

    (tmp_path / "berkas").write_text("x")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "berkas" / "ph"))
    assert home_refused() == (f"PREFECT_HOME {tmp_path / 'berkas' / 'ph'} tidak dapat dibuat (Not a directory): "
                              "pilih folder yang dapat ditulis")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "ph"))
    assert home_refused() is None and (tmp_path / "ph").is_dir()
    assert database_advice("sqlalchemy.exc.DatabaseError: (sqlite3.DatabaseError) database disk image is malformed") \
        == (f"; basis data Prefect {tmp_path / 'ph' / 'prefect.db'} rusak: hapus berkas itu (riwayat run Prefect "
            "hilang, keluaran tidak), lalu jalankan lagi")
    assert database_advice("(sqlite3.OperationalError) unable to open database file") == (
        f"; basis data Prefect {tmp_path / 'ph' / 'prefect.db'} tidak dapat ditulis: PREFECT_HOME harus folder yang "
        "dapat ditulis")
    assert database_advice("Port 4200 is already in use.") == ""
