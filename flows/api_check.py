"""Whether a Prefect API a user named (PREFECT_API_URL, or the active Prefect profile's) is one a run can use: the
checks Prefect's client makes when it connects, made first, so that each way they fail is one line and exit 2
(`ServerError`) where Prefect's client gave a traceback (hostile trials).

Prefect's client (`prefect.client.orchestration.PrefectClient`) reaches the API with PREFECT_API_AUTH_STRING
(Basic) or PREFECT_API_KEY (Bearer), checks TLS by its settings, and, for a server that is not Prefect Cloud,
reads `/admin/version`, whose major version must be its own."""

from __future__ import annotations

import base64
import http
import http.client
import importlib
import ipaddress
import json
import logging
import re
import ssl
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flows.interrupt import received
from scoring.errors import ServerError

CONNECT_SECONDS = 10  # for the whole check of a server named by PREFECT_API_URL
ANSWER_BYTES = 4096  # read of an answer: Prefect's are a few bytes
SAFE = "/%:@!$&'()*+,;=~?"  # what `_joined` leaves unquoted in a path or query
PASSWORD = re.compile(r"^([A-Za-z][\w+.-]*://[^/?#@:]*):[^/?#]*@")  # a URL's user, its password (to its last @)
# what Prefect's client logs (debug) before it tries a request again (`prefect.client.base`): the status code
# answered, if any, and the seconds it waits
RETRIED = re.compile(r"^(?:Encountered retryable exception during request|Received response with retryable status "
                     r"code (\d+))\. Another attempt will be made in ([\d.e+-]+)s\.")


def loopback(url: str) -> bool:
    """Whether the URL's host is this machine (localhost, 127.0.0.0/8, ::1)."""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, or no URL ('[::1:4403': `reachable` says so)
        return False


def reachable(url: str, named: str, unset: str) -> str:
    """`url` once Prefect's API answers there as its client needs: the health check answers `true` and
    `/admin/version` a version of Prefect's major version (Prefect Cloud: any answer but a refused key). Raises
    ServerError (one line, exit 2), with the URL as `named` (where it was set) and how to unset it, when nothing
    answers within CONNECT_SECONDS in all, when something else answers (a web page, HTTP 404, a malformed answer),
    when the key is refused (HTTP 401, 403) or cannot be sent, for another major version, or a redirect (not
    followed, as by Prefect's client; the key is sent nowhere else). A user and password in the URL are sent as
    Basic authorization, as Prefect's client sends them, and shown as *** (`shown`). An https server is checked as
    Prefect's client checks it (PREFECT_API_SSL_CERT_FILE, else certifi's bundle;
    PREFECT_API_TLS_INSECURE_SKIP_VERIFY): a server of the user's with a private authority was refused (hostile
    trial)."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    handlers = [urllib.request.HTTPSHandler(context=_as_prefect_checks())] if url.lower().startswith("https:") else []
    opener = urllib.request.build_opener(_Unredirected, *handlers,
                                         *([urllib.request.ProxyHandler({})] if loopback(url) else []))
    cloud = bool(settings.cloud.api_url) and url.startswith(settings.cloud.api_url)
    try:
        parts = urllib.parse.urlsplit(url)
        user = (urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))
    except ValueError as error:  # '[::1:4403': a traceback (hostile trial)
        raise ServerError(f"{named} bukan alamat yang sah ({error}): perbaiki alamatnya, atau {unset}: run memakai "
                          "server latarnya sendiri") from None
    headers = _authorization(settings.api.auth_string, settings.api.key, ":".join(user) if parts.username else "")
    asked = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))  # its user: the header
    outcome: list[ServerError | None] = []

    def check() -> None:
        try:
            _check(opener, asked, headers, cloud, named, unset)
            outcome.append(None)
        except ServerError as error:
            outcome.append(error)
        except Exception as error:  # noqa: BLE001 - any other answer of a server of the user's: one line too
            outcome.append(ServerError(f"{named} tidak dapat diperiksa ({type(error).__name__}: {error}): periksa "
                                       f"server itu, atau {unset}: run memakai server latarnya sendiri"))

    # a thread: a server sending a byte every few seconds never trips a socket's timeout (hostile trial)
    checking = threading.Thread(target=check, name="periksa-api-prefect", daemon=True)
    checking.start()
    checking.join(CONNECT_SECONDS)
    if not outcome:
        raise ServerError(f"{named} tidak menjawab dalam {CONNECT_SECONDS} detik: jalankan server itu (mis. "
                          f"koperasi-sehat serve), atau {unset}: run memakai server latarnya sendiri")
    if outcome[0] is not None:
        raise outcome[0]
    return url


def _check(opener: urllib.request.OpenerDirector, url: str, headers: dict[str, str], cloud: bool, named: str,
           unset: str) -> None:
    """The checks of `reachable`; raises its ServerError."""
    def refused(path: str, answered: str) -> ServerError:  # `url` has no user part here
        return ServerError(f"{named} menjawab, tetapi bukan sebagai API Prefect (GET {_joined(url, path)}: "
                           f"{answered}): periksa alamatnya (API Prefect berakhiran /api) dan servernya, atau "
                           f"{unset}: run memakai server latarnya sendiri")

    for path in ("/health",) if cloud else ("/health", "/admin/version"):
        try:
            status, body = _get(opener, _joined(url, path), headers)
        except http.client.HTTPException as error:  # not an OSError: a malformed answer (not an invalid URL)
            if isinstance(error, http.client.InvalidURL):
                raise _unreachable(error, named, unset) from None
            raise refused(path, f"jawaban HTTP tidak sah: {type(error).__name__} {error}".strip()) from None
        except (OSError, ValueError) as error:
            raise _unreachable(getattr(error, "reason", error), named, unset) from None
        if 300 <= status < 400:  # not followed, as Prefect's client follows none: the key went to where it led
            raise refused(path, f"HTTP {status}, dialihkan")
        if status in (401, 403):
            raise ServerError(f"{named} menolak permintaan (GET {_joined(url, path)}: HTTP {status}): beri "
                              "PREFECT_API_KEY atau PREFECT_API_AUTH_STRING yang berlaku di server itu, atau "
                              f"{unset}: run memakai server latarnya sendiri")
        if cloud:
            return  # Prefect's client asks Prefect Cloud nothing more
        if status != 200:
            raise refused(path, f"HTTP {status}")
        if path == "/health" and (len(body) > ANSWER_BYTES or body.strip() != b"true"):  # 'true' then a page
            raise refused(path, "jawaban bukan 'true'")
        if path == "/admin/version":
            _same_major(_version(body) or "", named, unset, refused(path, "jawaban bukan nomor versi"))


def _get(opener: urllib.request.OpenerDirector, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """The status and at most ANSWER_BYTES + 1 bytes of the answer to GET `url`."""
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=CONNECT_SECONDS) as answer:
            return answer.status, answer.read(ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        return error.code, b""


def _version(body: bytes) -> str | None:
    """The version a `/admin/version` answer gives (a JSON string), or None."""
    try:
        version = json.loads(body)
    except ValueError:
        return None
    return version if isinstance(version, str) else None


def _same_major(version: str, named: str, unset: str, not_a_version: ServerError) -> None:
    """Raises `not_a_version` for a text that is not a version, a ServerError for another major version than the
    installed Prefect's (Prefect's client: RuntimeError 'Found incompatible versions')."""
    import prefect
    from packaging.version import InvalidVersion, Version

    try:
        server = Version(version)
    except InvalidVersion:
        raise not_a_version from None
    if server.major != Version(prefect.__version__).major:
        raise ServerError(f"{named} menjalankan Prefect {version}, run ini Prefect {prefect.__version__}: versi "
                          f"utamanya harus sama; pakai server Prefect {Version(prefect.__version__).major}.x, atau "
                          f"{unset}: run memakai server latarnya sendiri")


def _joined(url: str, path: str) -> str:
    """`path` under the API URL's path, its query kept (`http://h/api?x=1` -> `http://h/api/health?x=1`), letters
    outside ASCII quoted as Prefect's client quotes them (urllib refused them: 'ordinal not in range')."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=urllib.parse.quote(parts.path.rstrip("/") + path, safe=SAFE),
                                                  query=urllib.parse.quote(parts.query, safe=SAFE)))


def shown(url: str) -> str:
    """The URL as a line may show it: a password in it as *** (`http://user:***@host/api`), whether or not the rest
    is a valid URL."""
    return PASSWORD.sub(r"\1:***@", url)


class _Unredirected(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: its 3xx is the answer (urllib sent the key on to the other host; hostile trial)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _authorization(auth_string: object, key: object, user: str) -> dict[str, str]:
    """The Authorization header Prefect's client sends: Basic of PREFECT_API_AUTH_STRING, else Bearer of
    PREFECT_API_KEY (pydantic secrets or plain texts), else Basic of the URL's user and password, else none.
    Raises ServerError, without the key, for a key no HTTP header can carry (its value was in the line; hostile
    trial)."""
    def text(value: object) -> str:
        return str(getattr(value, "get_secret_value", lambda: value)() or "")

    if text(auth_string) or (user and not text(key)):
        return {"Authorization": f"Basic {base64.b64encode((text(auth_string) or user).encode()).decode()}"}
    if not text(key):
        return {}
    if not all(" " <= letter <= "~" for letter in text(key)):
        raise ServerError("PREFECT_API_KEY berisi karakter yang tidak dapat dikirim (baris baru, karakter kendali "
                          "atau huruf di luar ASCII): salin lagi kuncinya")
    return {"Authorization": f"Bearer {text(key)}"}


def _unreachable(reason: object, named: str, unset: str) -> ServerError:
    if isinstance(reason, ssl.SSLCertVerificationError):  # it runs: 'jalankan server itu' misled (hostile trial)
        return ServerError(f"{named} tidak dapat dihubungi ({reason}): beri PREFECT_API_SSL_CERT_FILE berkas "
                           f"sertifikat penerbitnya, atau {unset}: run memakai server latarnya sendiri")
    if isinstance(reason, ssl.SSLError):  # https to a plain port, most often: it runs
        return ServerError(f"{named} tidak dapat dihubungi dengan TLS ({reason}): periksa awal alamatnya (http:// "
                           f"atau https://), atau {unset}: run memakai server latarnya sendiri")
    return ServerError(f"{named} tidak dapat dihubungi ({reason}): jalankan server itu (mis. koperasi-sehat serve), "
                       f"atau {unset}: run memakai server latarnya sendiri")


def _as_prefect_checks() -> ssl.SSLContext:
    """The TLS context Prefect's client makes from its settings (`prefect.client.orchestration.PrefectClient`).
    Raises ServerError (one line) for a certificate file that does not load."""
    import certifi
    from prefect.settings import get_current_settings

    api = get_current_settings().api
    if api.tls_insecure_skip_verify:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=api.ssl_cert_file or certifi.where())
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError; Prefect's client gave a traceback
        raise ServerError(f"PREFECT_API_SSL_CERT_FILE ({api.ssl_cert_file}) tidak dapat dibaca sebagai berkas "
                          f"sertifikat ({error}): perbaiki atau hapus variabel itu") from None


def failed_request(error: BaseException) -> str | None:
    """The words for a Prefect API that failed a request once the checks above passed: an answer Prefect's client
    raised for (HTTP 4xx or 5xx: a server whose database is full or locked) or a connection lost, as "server Prefect
    gagal menjawab <method> <url> (<answer>)"; None for any other error. Prefect's `ObjectNotFound` is read through
    to its answer, an error through what it was raised from. It was Prefect's traceback (hostile trial: a server
    answering its health and version, HTTP 500 to all else)."""
    import httpx

    while error is not None and not isinstance(error, httpx.HTTPError | GivenUp):
        error = getattr(error, "http_exc", None) or error.__cause__
    if isinstance(error, GivenUp):
        request, answer = error.request, str(error)
    elif isinstance(error, httpx.HTTPStatusError | httpx.TransportError):
        answer = (f"HTTP {error.response.status_code} {error.response.reason_phrase}".rstrip()
                  if isinstance(error, httpx.HTTPStatusError) else _error_words(error))
        try:
            request = error.request
        except RuntimeError:  # an error httpx raised before it had a request
            request = None
    else:
        return None
    named = f"{request.method} {shown(str(request.url.copy_with(query=None)))} " if request is not None else ""
    return f"server Prefect gagal menjawab {named}({answer})"


@contextmanager
def retries_said(url: str, say: Callable[[str], None]) -> Iterator[None]:
    """During the block, the first time Prefect's client tries a request again (an answer HTTP 429, 502 or 503, or
    the connection lost or refused), one line for the analyst by `say`: the server, the answer, the seconds until
    the next try (Prefect's backoff of about 2, 4, 8, 16, 32 s, or an answer's Retry-After) and how many tries a
    request gets (PREFECT_CLIENT_MAX_RETRIES; none: no line). A server lost in the middle of a run kept it silent
    for 2.3 to 4.6 minutes before its line (hostile trial). Prefect's client says so at debug level only: its logger
    `prefect.client` lets its debug records through for the block, to this filter, which passes on only the
    records its level passed before. Loads Prefect first (its logging set up as it loads would reset the level)."""
    from prefect.settings import get_current_settings

    importlib.import_module("prefect.main")  # Prefect sets its loggers' levels as it loads (`setup_logging`): first

    logger = logging.getLogger("prefect.client")
    notice = _RetryNotice(url, get_current_settings().client.max_retries, say, logger.getEffectiveLevel())
    level = logger.level
    logger.addFilter(notice)
    logger.setLevel(min(logging.DEBUG, notice.shown_from))
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.removeFilter(notice)


class _RetryNotice(logging.Filter):
    """`retries_said`'s filter of `prefect.client`'s records."""

    def __init__(self, url: str, tries: int, say: Callable[[str], None], shown_from: int) -> None:
        super().__init__()
        self.url, self.tries, self.say, self.shown_from = url, tries, say, shown_from
        self.said, self.lock = False, threading.Lock()  # the client's threads retry too (its logs, its events)

    def filter(self, record: logging.LogRecord) -> bool:
        retried = RETRIED.match(record.getMessage()) if record.levelno == logging.DEBUG and self.tries else None
        if retried is not None and threading.current_thread() is threading.main_thread() and _stopping():
            raise _given_up(retried, record)
        with self.lock:
            first, self.said = retried is not None and not self.said, self.said or retried is not None
        if first:
            from scoring.texts import number  # pandas: loaded by the run by now

            self.say(f"server Prefect {shown(self.url)} tidak menjawab ({_answer(retried, record)}): Prefect mencoba "
                     f"lagi dalam sekitar {number(float(retried.group(2)), 0)} detik, hingga {self.tries} kali tiap "
                     "permintaan")
        return record.levelno >= self.shown_from


class GivenUp(Exception):
    """A request of a stopped run that Prefect's client would have tried again (an answer HTTP 429, 502 or 503):
    the server's answer, in words, and the request (httpx's, or None where it could not be found)."""

    def __init__(self, answer: str, request: Any = None) -> None:
        super().__init__(answer)
        self.request = request


def _stopping() -> bool:
    """Whether this run is being stopped: a stop signal received (`flows.interrupt`), or Prefect recording one it
    took itself (SIGTERM during a flow run is its TerminationSignal, handled as the request is made)."""
    from prefect.exceptions import TerminationSignal

    return received() is not None or isinstance(sys.exc_info()[1], KeyboardInterrupt | TerminationSignal)


def _given_up(retried: re.Match, record: logging.LogRecord) -> Exception:
    """What ends a request of a stopped run instead of Prefect's next try (`_RetryNotice`): the error of a lost or
    refused connection, or `GivenUp` with the answer. Once the run is stopped (Ctrl-C, SIGTERM), Prefect records the
    stop on the server, and its client tried each request again for about a minute: a run stopped while its server
    was gone went on for 72-78 s (new-user trial; after SIGTERM, still trying 45 s later by hand). Raised
    in the main thread, which records the stop; the threads sending logs and events are left to `send_pending`."""
    error = record.exc_info[1] if record.exc_info else None
    return error if isinstance(error, Exception) else GivenUp(_answer(retried, record), _retried_request())


def _retried_request() -> Any:
    """The request Prefect's client is about to try again, from the frame of its `_send_with_retry` (the record of
    an answer names the status code only: the line of a run stopped at a 503 named no request, unlike one stopped
    at a lost connection), or None: nothing but httpx's request is named (`failed_request` reads its URL so)."""
    import httpx

    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "_send_with_retry":
        frame = frame.f_back
    request = frame.f_locals.get("request") if frame is not None else None
    return request if isinstance(request, httpx.Request) else None


def _answer(retried: re.Match, record: logging.LogRecord) -> str:
    """The answer a retry was for: "HTTP 503 Service Unavailable", or the error ("ConnectError: ...")."""
    if retried.group(1):
        try:
            return f"HTTP {retried.group(1)} {http.HTTPStatus(int(retried.group(1))).phrase}"
        except ValueError:  # a code Python does not name
            return f"HTTP {retried.group(1)}"
    error = record.exc_info[1] if record.exc_info else None
    return _error_words(error) if error else "tanpa jawaban"


def _error_words(error: BaseException) -> str:
    """An error as "ConnectError: [Errno 111] Connection refused", on one line."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}".rstrip(": ")
