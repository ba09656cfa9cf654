"""`koperasi-sehat serve` on a machine with no Prefect server: it starts one, serves the monthly deployment on it,
creates the scheduled runs, completes a run triggered as the README says, and stops everything on a Ctrl-C
during a run (the run cancelled, not left running)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psutil

from flows.config import PROJECT_ROOT, TIMEZONE
from flows.server import free_port

DEPLOYMENT = "koperasi-sehat-bulanan/bulanan"


def _api(url: str, path: str, body: dict | None = None) -> object:
    """One call to the Prefect REST API (the client of any dashboard or script)."""
    import urllib.request

    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"},
                                     method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _wait(condition, seconds: float, process: subprocess.Popen, what: str) -> object:
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert process.poll() is None, f"serve ended while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(1)


def _deployment(url: str) -> dict | None:
    try:
        return _api(url, f"/deployments/name/{DEPLOYMENT}")
    except OSError:
        return None


def test_serve_starts_its_server_runs_the_schedule_and_a_manual_run_and_stops_on_sigterm(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), KOPERASI_SEHAT_SERVER_PORT=str(port),
               KOPERASI_SEHAT_OUTPUT=str(tmp_path / "out"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2")
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen([sys.executable, "-m", "flows.entry", "serve"], cwd=tmp_path, env=env, stdout=log,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)  # a terminal's group
    try:
        deployment = _wait(lambda: _deployment(url), 180, serve, "deployment")
        # the scheduler creates the monthly runs: 02:00 WITA on the 5th, in the months ahead
        scheduled = _wait(lambda: _api(url, "/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}), 120, serve, "scheduled runs")
        starts = sorted(datetime.fromisoformat(r["expected_start_time"]).astimezone(TIMEZONE) for r in scheduled)
        assert len(starts) >= 2 and all((s.day, s.hour, s.minute) == (5, 2, 0) for s in starts), starts
        assert len({(s.year, s.month) for s in starts}) == len(starts) and starts[0] > datetime.now(TIMEZONE)
        # a manual run, as the README writes it, completes (it used to end Cancelled: "concurrency slot lost")
        triggered = subprocess.run([str(Path(sys.executable).with_name("prefect")), "deployment", "run", DEPLOYMENT,
                                    "--param", "period=2026-09"], env={**env, "PREFECT_API_URL": url},
                                   capture_output=True, text=True, timeout=120)
        assert triggered.returncode == 0, triggered.stdout + triggered.stderr
        run = _wait(lambda: [r for r in _api(url, "/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]}}}})
            if r["parameters"].get("period") == "2026-09"], 300, serve, "the manual run's end")[0]
        assert run["state"]["type"] == "COMPLETED", run["state"]
        published = json.loads((tmp_path / "out" / "_terbit" / "2026-09.json").read_text())
        assert (tmp_path / "out" / "skor_koperasi" / "periode=2026-09").is_dir()
        assert (tmp_path / "out" / "_runs" / f"{published['run_id']}.json").exists()
        started = psutil.Process(serve.pid).children(recursive=True)
        assert any("flows.server" in " ".join(p.cmdline()) for p in started)
        # Ctrl-C at the terminal (SIGINT to the whole group) while a run is in progress
        again = subprocess.run([str(Path(sys.executable).with_name("prefect")), "deployment", "run", DEPLOYMENT,
                                "--param", "period=2026-08"], env={**env, "PREFECT_API_URL": url},
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        _wait(lambda: [r for r in _api(url, "/flow_runs/filter", {
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}) if r["parameters"].get("period") == "2026-08"],
            300, serve, "the second run's start")
        started = psutil.Process(serve.pid).children(recursive=True)
    finally:
        sent = time.monotonic()
        os.killpg(serve.pid, signal.SIGINT)
        code = serve.wait(timeout=60)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert code == 0 and time.monotonic() - sent < 15, output
    assert output.splitlines()[-1] == "koperasi-sehat: serve dihentikan"
    assert "Traceback" not in output, output
    left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [" ".join(p.cmdline()) for p in left]
    assert _deployment(url) is None  # the server is gone too, and its log with it (it started)
    assert not (Path(tempfile.gettempdir()) / f"koperasi-sehat-prefect-{port}.log").exists()
    import sqlite3  # the run was cancelled by the runner, not left running: the schedule's next runs get a slot

    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as db:
        states = dict(db.execute("SELECT json_extract(parameters, '$.period'), state_type FROM flow_run "
                                 "WHERE json_extract(parameters, '$.period') IN ('2026-08', '2026-09')").fetchall())
    assert states == {"2026-09": "COMPLETED", "2026-08": "CANCELLED"}, states
    assert PROJECT_ROOT.exists()


def test_a_local_server_keeps_its_log_only_when_it_could_not_start(monkeypatch):
    """A temporary server's log is removed when it stops (23 were left in the temporary folder); one that could
    not start keeps it, named in the one-line error."""
    import re

    import pytest

    from flows import server
    from scoring.errors import ServerError

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(server, "configured_api", lambda: None)
    popen = subprocess.Popen
    monkeypatch.setattr(server.subprocess, "Popen", lambda args, **kwargs: popen(
        [sys.executable, "-c", "print('alamat sudah dipakai'); raise SystemExit(3)"], **kwargs))
    with pytest.raises(ServerError) as error:
        with server.prefect_api():
            pytest.fail("a server that could not start gave its URL")
    log = Path(re.search(r"\(log: (.*)\)$", str(error.value)).group(1))
    assert str(error.value).startswith("server Prefect lokal berhenti saat dimulai: alamat sudah dipakai (log: ")
    assert log.read_text().strip() == "alamat sudah dipakai"
    log.unlink()


def test_a_prefect_profile_naming_a_server_that_does_not_answer_is_one_line(monkeypatch):
    """The active Prefect profile's PREFECT_API_URL is used as the environment's is; nothing answering there was
    Prefect's tracebacks (the environment's was mended first: the same fault for the profile)."""
    import pytest

    from flows import server
    from scoring.errors import ServerError

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(server, "configured_api", lambda: ("http://127.0.0.1:1/api", "PREFECT_API_URL profil Prefect "
                        "yang aktif (http://127.0.0.1:1/api)", "hapus dari profil itu (prefect config unset "
                        "PREFECT_API_URL)"))
    with pytest.raises(ServerError) as error:
        with server.prefect_api():
            pytest.fail("a server that does not answer was used")
    assert str(error.value) == (
        "PREFECT_API_URL profil Prefect yang aktif (http://127.0.0.1:1/api) tidak dapat dihubungi ([Errno 111] "
        "Connection refused): jalankan server itu (mis. koperasi-sehat serve), atau hapus dari profil itu (prefect "
        "config unset PREFECT_API_URL): run memakai server latarnya sendiri")


def test_a_prefect_api_url_that_is_no_url_is_one_line_without_its_password(monkeypatch):
    """'[::1:4403' (no closing bracket) was a traceback from the proxies' check (hostile trial); a password in the
    URL is never shown."""
    import pytest

    from flows import server
    from scoring.errors import ServerError

    monkeypatch.setenv("PREFECT_API_URL", "http://pengguna:rahasia@[::1:4403/api")
    with pytest.raises(ServerError) as error:
        with server.prefect_api():
            pytest.fail("no URL was used")
    assert str(error.value) == ("PREFECT_API_URL=http://pengguna:***@[::1:4403/api bukan alamat yang sah (Invalid "
                                "IPv6 URL): perbaiki alamatnya, atau hapus variabel itu: run memakai server latarnya "
                                "sendiri")


def _quiet(*args: object) -> None:
    """BaseHTTPRequestHandler's log line per request, not written."""


@contextmanager
def _local_api(unready: int = 0) -> Iterator[tuple[str, list]]:
    """A real HTTP server on the loopback standing for Prefect's API: its URL, and every request it was asked
    (method, path, body), in order; the first `unready` health checks are answered 503."""
    import http.server
    import threading

    import prefect

    from flows import server

    asked: list[tuple[str, str, bytes]] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            asked.append((self.command, self.path, body))
            checks = sum(path == "/api/health" for _, path, _ in asked)
            ready = not (self.path == "/api/health" and checks <= unready)
            answer = {"/api/health": b"true", "/api/admin/version": json.dumps(prefect.__version__).encode()}.get(
                self.path, b"") if ready else b""
            self.send_response(200 if ready else 503)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _answer
        log_message = _quiet  # the test's output stays pytest's

    api = http.server.ThreadingHTTPServer((server.HOST, 0), Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        yield f"http://{server.HOST}:{api.server_address[1]}/api", asked
    finally:
        api.shutdown()


def test_a_new_server_asks_its_first_requests_itself_once_it_answers():
    """A new Prefect server answered its first `/admin/version` (every run's client asks it first) in 0.5 s, then
    in 3 ms: the server process asks it, and reads its database once, as soon as it answers."""
    from flows import server

    with _local_api(unready=2) as (url, asked):
        server._first_requests(url)
    assert asked == [("GET", "/api/health", b"")] * 3 + [("GET", "/api/admin/version", b""),
                                                          ("POST", "/api/flows/filter", b'{"limit": 1}')]


def test_a_local_server_is_reached_without_the_environments_proxy(monkeypatch):
    """With http_proxy set (an office's proxy; here one that answers nothing) a started server was waited for 120
    s, then the run failed: urllib and Prefect's client sent 127.0.0.1 through the proxy (hostile trial)."""
    from flows import server

    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    waiting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # a server process, running
    try:
        with _local_api() as (url, asked):
            assert server.reachable(url, "PREFECT_API_URL", "hapus variabel itu") == url
            server.wait_healthy(waiting, url, Path("-"))
            monkeypatch.setenv("PREFECT_API_URL", url)  # a server of this machine named by the user: run without them
            with server.prefect_api() as named:
                assert named == url and not set(server.PROXY_VARIABLES) & set(os.environ)
            assert os.environ["ALL_PROXY"] == "http://127.0.0.1:9"
    finally:
        waiting.kill()
        waiting.wait()
    health, version = ("GET", "/api/health", b""), ("GET", "/api/admin/version", b"")
    assert asked == [health, version, health, health, version]  # each check reached the server, not the proxy
    proxies = {"http_proxy": "http://proxy:8080", "ALL_PROXY": "socks5://proxy:1080"}
    environment = {**proxies, "NO_PROXY": "x", "PATH": "/b"}
    assert server.without_proxies(environment) == proxies
    assert environment == {"NO_PROXY": "x", "PATH": "/b"}


def test_a_server_that_stopped_while_starting_is_named_by_its_reason_not_its_last_line(tmp_path):
    """The reason was two lines above the last ("Server stopped!") for a database that refused the connection, and
    Prefect's port message wrapped at 80 columns gave "flag." (hostile trial)."""
    from flows.server import last_words

    def said(*lines: str) -> str:
        log = tmp_path / "prefect.log"
        log.write_text("\n".join(lines) + "\n")
        return last_words(log)

    assert said("Traceback (most recent call last):", '  File "x.py", line 1, in <module>',
                "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)", "",
                "Server stopped!") == "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)"
    assert said("INFO:     Waiting for application startup.",
                "Port 4200 is already in use. Please specify a different port with the --port", "flag.") == (
        "Port 4200 is already in use. Please specify a different port with the --port flag.")
    assert said("one", "two", "three", "four") == "two three four"  # at most WRAPPED_LINES joined
    assert said("ValueError: recovered from", *[f"INFO: step {i}." for i in range(5)], "Port 4200 is in use.") == (
        "Port 4200 is in use.")  # an exception well before the end is not the reason
    assert said("") == "(tanpa keluaran)"


def test_the_clients_of_a_server_this_project_started_load_one_certificate_not_certifi_s_bundle(monkeypatch):
    """Each Prefect client loaded certifi's bundle (about 150 authorities, 25-35 ms; 4 to 5 clients per run) to
    reach a server that speaks plain HTTP on 127.0.0.1: a server of this project names a file of one certificate,
    checked by nothing, for its time only; a user's own setting is as it was after it."""
    import ssl

    import prefect
    from prefect.utilities.urls import url_for

    from flows import server

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", "/etc/the-users-own.pem")
    monkeypatch.setattr(server, "configured_api", lambda: None)
    monkeypatch.setattr(server, "wait_healthy", lambda *args: None)
    popen = subprocess.Popen
    monkeypatch.setattr(server.subprocess, "Popen", lambda args, **kwargs: popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], **kwargs))  # a server until its pipe closes
    assert server._loads()  # the file loads (checked once per process: a damaged one is left out, below)
    loaded = []
    monkeypatch.setattr(ssl, "create_default_context", lambda cafile=None, **kwargs: loaded.append(cafile) or
                        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    with server.prefect_api(port=free_port()) as url:
        assert url.startswith("http://127.0.0.1:")
        assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(server.UNUSED_CERTIFICATE)  # its runs' processes
        prefect.get_client(sync_client=True)
        prefect.get_client()
        # a server without its UI: no 'View at' line naming a page it does not serve (a dead link with --verbose)
        assert os.environ["PREFECT_UI_URL"] == "" and url_for("flow-run", obj_id="1") is None
    assert loaded == [str(server.UNUSED_CERTIFICATE)] * 2
    assert os.environ["PREFECT_API_SSL_CERT_FILE"] == "/etc/the-users-own.pem" and "PREFECT_UI_URL" not in os.environ
    monkeypatch.undo()
    assert ssl.create_default_context(cafile=server.UNUSED_CERTIFICATE).cert_store_stats()["x509_ca"] == 1
    assert server.own_server_settings("http://127.0.0.1:9/api", ui=True) == {
        "PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_API_SSL_CERT_FILE": str(server.UNUSED_CERTIFICATE)}
    # removed or damaged (it says it is unused): every run was a traceback of Prefect's client (hostile trial); it
    # is left out, and Prefect's clients load certifi's bundle as before
    server._loads.cache_clear()
    monkeypatch.setattr(server, "UNUSED_CERTIFICATE", Path(__file__))  # no certificate in it
    try:
        assert server.own_server_settings("http://127.0.0.1:9/api", ui=True) == {
            "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    finally:
        server._loads.cache_clear()


def test_a_users_server_is_reached_only_where_prefects_api_answers_as_its_client_needs(monkeypatch):
    """Prefect's client sends its key, asks `/health` and, of a server that is not Prefect Cloud, `/admin/version`
    (its major version must be the client's). Whatever else answers (a web page, a 404, a server error, a refused
    key, a malformed or endless answer, another major version) is one line naming the answer, where Prefect's
    client gave a traceback (hostile trials); a URL's query stays a query."""
    import http.server
    import threading

    import prefect
    import pytest
    from prefect.settings import PREFECT_API_KEY, PREFECT_CLOUD_API_URL, temporary_settings

    from flows import api_check, server
    from scoring.errors import ServerError

    version = json.dumps(prefect.__version__).encode()
    answers = {"/prefect/api/health": (200, b"true\n"), "/prefect/api/admin/version": (200, version),
               "/query/api/health?x=1": (200, b"true"), "/query/api/admin/version?x=1": (200, version),
               "/old/api/health": (200, b"true"), "/old/api/admin/version": (200, b'"2.20.4"'),
               "/noversion/api/health": (200, b"true"), "/noversion/api/admin/version": (200, b"true"),
               "/key/api/health": (401, b"{}"), "/login/api/health": (403, b"{}"),
               "/page/api/health": (200, b"true" + b" " * 4100 + b"<html>selamat datang</html>"),
               "/starting/api/health": (503, b""), "/cloud/api/health": (200, b"{}"),
               "/%C3%A1pi/health": (200, b"true"), "/%C3%A1pi/admin/version": (200, version)}
    asked = []

    class Web(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append((self.path, self.headers.get("Authorization")))
            if self.path.startswith("/garbled/"):
                self.wfile.write(b"HELLO THERE\r\n\r\n")
                return
            if self.path.startswith("/moved/"):  # elsewhere: the key must not follow
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/prefect/api/health")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path.startswith("/slow/"):  # a byte every 0.2 s: no socket read waits long
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(30):
                    time.sleep(0.2)
                    self.wfile.write(b"X")
                    self.wfile.flush()
                return
            status, body = answers.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        log_message = _quiet

    web = http.server.ThreadingHTTPServer((server.HOST, 0), Web)
    web.daemon_threads = True
    threading.Thread(target=web.serve_forever, daemon=True).start()
    root = f"http://{server.HOST}:{web.server_address[1]}"
    monkeypatch.setattr(api_check, "CONNECT_SECONDS", 2)

    def refusal(kind: str) -> str:
        with pytest.raises(ServerError) as refused:
            server.reachable(f"{root}/{kind}", "PREFECT_API_URL", "hapus variabel itu")
        return str(refused.value)

    def not_prefect(path: str, answered: str) -> str:
        return (f"PREFECT_API_URL menjawab, tetapi bukan sebagai API Prefect (GET {root}/{path}: {answered}): "
                "periksa alamatnya (API Prefect berakhiran /api) dan servernya, atau hapus variabel itu: run memakai "
                "server latarnya sendiri")

    try:
        with temporary_settings({PREFECT_API_KEY: "kunci-rahasia"}):
            for kind in ("prefect/api/", "query/api?x=1"):
                assert server.reachable(f"{root}/{kind}", "PREFECT_API_URL", "hapus variabel itu") == f"{root}/{kind}"
        assert asked == [(path, "Bearer kunci-rahasia") for path in (
            "/prefect/api/health", "/prefect/api/admin/version", "/query/api/health?x=1",
            "/query/api/admin/version?x=1")]
        for kind, status in (("key", 401), ("login", 403)):
            assert refusal(f"{kind}/api") == (
                f"PREFECT_API_URL menolak permintaan (GET {root}/{kind}/api/health: HTTP {status}): beri "
                "PREFECT_API_KEY atau PREFECT_API_AUTH_STRING yang berlaku di server itu, atau hapus variabel itu: "
                "run memakai server latarnya sendiri")
        assert refusal("page/api") == not_prefect("page/api/health", "jawaban bukan 'true'")
        assert refusal("starting/api") == not_prefect("starting/api/health", "HTTP 503")
        assert refusal("other/api") == not_prefect("other/api/health", "HTTP 404")
        assert refusal("noversion/api") == not_prefect("noversion/api/admin/version", "jawaban bukan nomor versi")
        assert refusal("garbled/api") == not_prefect("garbled/api/health",
                                                     "jawaban HTTP tidak sah: BadStatusLine HELLO THERE")
        assert refusal("old/api") == (
            f"PREFECT_API_URL menjalankan Prefect 2.20.4, run ini Prefect {prefect.__version__}: versi utamanya harus "
            f"sama; pakai server Prefect {prefect.__version__.split('.')[0]}.x, atau hapus variabel itu: run memakai "
            "server latarnya sendiri")
        assert refusal("slow/api") == ("PREFECT_API_URL tidak menjawab dalam 2 detik: jalankan server itu (mis. "
                                       "koperasi-sehat serve), atau hapus variabel itu: run memakai server latarnya "
                                       "sendiri")
        assert refusal("moved/api") == not_prefect("moved/api/health", "HTTP 302, dialihkan")
        asked.clear()
        secret = f"http://pengguna:rah%40sia@{root.removeprefix('http://')}"
        assert server.reachable(f"{secret}/\u00e1pi", "x", "y") == f"{secret}/\u00e1pi"  # quoted, as Prefect's client
        assert asked == [(path, "Basic cGVuZ2d1bmE6cmFoQHNpYQ==") for path in ("/%C3%A1pi/health",  # pengguna:rah@sia
                                                                               "/%C3%A1pi/admin/version")]
        assert api_check.shown(f"{secret}/api") == f"http://pengguna:***@{root.removeprefix('http://')}/api"
        with temporary_settings({PREFECT_API_KEY: "kunci\nX-Lain: 1"}):  # the key was in the line
            assert refusal("prefect/api") == ("PREFECT_API_KEY berisi karakter yang tidak dapat dikirim (baris baru, "
                                              "karakter kendali atau huruf di luar ASCII): salin lagi kuncinya")
        with pytest.raises(ServerError) as plain:  # https to a plain port: it runs
            server.reachable(f"https://{root.removeprefix('http://')}/prefect/api", "PREFECT_API_URL", "hapus itu")
        assert str(plain.value).startswith("PREFECT_API_URL tidak dapat dihubungi dengan TLS ([SSL")
        assert str(plain.value).endswith("): periksa awal alamatnya (http:// atau https://), atau hapus itu: run "
                                         "memakai server latarnya sendiri")
        with temporary_settings({PREFECT_CLOUD_API_URL: f"{root}/cloud"}):  # Prefect Cloud: asked nothing more
            assert server.reachable(f"{root}/cloud/api", "PREFECT_API_URL", "hapus variabel itu") == f"{root}/cloud/api"
    finally:
        web.shutdown()


def test_a_users_https_server_of_a_private_authority_is_reached_as_prefect_reaches_it(tmp_path, monkeypatch):
    """PREFECT_API_URL of an https server whose certificate a private authority signed, named by
    PREFECT_API_SSL_CERT_FILE: Prefect's client reached it, the command refused it as unreachable (hostile trial).
    It is checked as Prefect checks it; without the authority it is still refused, in one line."""
    import datetime
    import http.server
    import ssl
    import threading

    import prefect
    import pytest
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_TLS_INSECURE_SKIP_VERIFY, temporary_settings

    from flows import server
    from scoring.errors import ServerError

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = json.dumps(prefect.__version__).encode() if self.path.endswith("/version") else b"true"
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        log_message = _quiet

    api = http.server.ThreadingHTTPServer((server.HOST, 0), Health)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "ca.pem", tmp_path / "key.pem")
    api.socket = context.wrap_socket(api.socket, server_side=True)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    url = f"https://localhost:{api.server_address[1]}/api"
    try:
        with temporary_settings({PREFECT_API_SSL_CERT_FILE: str(tmp_path / "ca.pem")}):
            assert server.reachable(url, f"PREFECT_API_URL={url}", "hapus variabel itu") == url
        with temporary_settings({PREFECT_API_TLS_INSECURE_SKIP_VERIFY: True}):
            assert server.reachable(url, f"PREFECT_API_URL={url}", "hapus variabel itu") == url
        with pytest.raises(ServerError, match=r"tidak dapat dihubungi \(\[SSL: CERTIFICATE_VERIFY_FAILED\].*\): beri "
                           "PREFECT_API_SSL_CERT_FILE berkas sertifikat penerbitnya, atau hapus variabel itu: run"):
            server.reachable(url, f"PREFECT_API_URL={url}", "hapus variabel itu")  # it runs: not 'jalankan server itu'
        with temporary_settings({PREFECT_API_SSL_CERT_FILE: str(tmp_path / "tidak-ada.pem")}):  # one line, not
            with pytest.raises(ServerError) as refused:                                        # Prefect's traceback
                server.reachable(url, f"PREFECT_API_URL={url}", "hapus variabel itu")
        assert str(refused.value) == (f"PREFECT_API_SSL_CERT_FILE ({tmp_path / 'tidak-ada.pem'}) tidak dapat dibaca "
                                      "sebagai berkas sertifikat ([Errno 2] No such file or directory): perbaiki atau "
                                      "hapus variabel itu")
    finally:
        api.shutdown()


def test_a_prefect_setting_refused_is_one_line_from_serve_not_prefect_s_own_four_first(tmp_path):
    """Prefect logs a setting it refuses as it is imported ("Failed to initialize plugins: 1 validation error for
    ClientSettings", four lines in pydantic's words) and goes on; `serve` then named it in its own line after those
    four (hostile trial). Now the line alone, and no server started."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    serve = subprocess.run([sys.executable, "-m", "flows.cli", "serve"], capture_output=True, text=True, timeout=120,
                           cwd=PROJECT_ROOT, env={**environment, "PREFECT_HOME": str(tmp_path / "prefect"),
                                                  "PREFECT_CLIENT_MAX_RETRIES": "-1"})
    assert (serve.returncode, serve.stdout, serve.stderr) == (
        2, "", "koperasi-sehat: pengaturan Prefect tidak sah: PREFECT_CLIENT_MAX_RETRIES='-1': harus 0 atau lebih\n")
    assert not (tmp_path / "prefect" / "prefect.db").exists()
