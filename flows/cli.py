"""The `koperasi-sehat` command (typer): options, and one call per command to `flows.commands`.

Exit codes: 0 done; 1 the run failed or was stopped; 2 a bad argument or environment. A mistake in the
arguments is one line on stderr (click's own usage box is not shown), in Indonesian.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from flows import commands, interrupt
from flows.config import APP_NAME, PROJECT_ROOT, TIMEZONE, decimal, decimal_shown, defaults, settings, shown
from flows.ingest.walk import given
from flows.ingest.walk import shown as escaped
from schemas.wita import ascii_digits
from scoring.errors import KoperasiSehatError, ParameterError, SettingError
from scoring.rulebook import published_books, rulebooks
from scoring.rulebook_format import PERIODE

HELP = "tampilkan bantuan ini lalu keluar"
USAGE = "Pemakaian: "
# typer's own words in a help (its module's constants, which it reads when it draws a help), in Indonesian
LABELS = {"OPTIONS_PANEL_TITLE": "Opsi", "COMMANDS_PANEL_TITLE": "Perintah", "ARGUMENTS_PANEL_TITLE": "Argumen",
          "DEFAULT_STRING": "[bawaan: {}]", "ENVVAR_STRING": "[variabel lingkungan: {}]",
          "REQUIRED_LONG_STRING": "[wajib]", "DEPRECATED_STRING": "(usang) ", "ABORTED_TEXT": "Dibatalkan."}


class _IndonesianHelp:
    """A help in Indonesian, as every option's text: `--help`'s own text, the usage line and typer's labels
    (English in typer)."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - click's signature
        super().__init__(*args, **kwargs)
        self.options_metavar = "[OPSI]"
        if hasattr(self, "subcommand_metavar"):
            self.subcommand_metavar = "PERINTAH [ARG]..."

    def get_help_option(self, ctx):  # noqa: ANN001, ANN201 - typer's signature
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP
        return option

    def format_usage(self, ctx, formatter) -> None:  # noqa: ANN001 - click's signature
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE)

    def format_help(self, ctx, formatter) -> None:  # noqa: ANN001 - click's signature
        from typer import rich_utils  # only when a help is drawn: the command line starts without rich

        for name, text in LABELS.items():
            setattr(rich_utils, name, text)
        usage = rf"(?P<usage>{USAGE})"  # drawn as typer draws its "Usage: "
        if usage not in rich_utils.OptionHighlighter.highlights:
            rich_utils.OptionHighlighter.highlights = [*rich_utils.OptionHighlighter.highlights, usage]
        for param in self.get_params(ctx):  # a flag takes no value: typer showed '<bool>' (fresh-clone trial)
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        super().format_help(ctx, formatter)


class Group(_IndonesianHelp, TyperGroup):
    """The command group of `koperasi-sehat`, its help in Indonesian (`_IndonesianHelp`)."""

    pass


class Command(_IndonesianHelp, TyperCommand):
    """A command of `koperasi-sehat`, its help in Indonesian (`_IndonesianHelp`)."""

    pass


HELP_OPTIONS = {"help_option_names": ["--help", "-h"]}
app = typer.Typer(name=APP_NAME, cls=Group, context_settings=HELP_OPTIONS,
                  help="Penilaian kesehatan bulanan koperasi simpan pinjam (KSP/USP).", add_completion=False,
                  no_args_is_help=True, pretty_exceptions_enable=False)
MODES = ("table", "linear")
SCALES = ("kaltara", "national")
SAMPLE_LAST_PERIOD = "2026-10"  # sample.write_sample's default (data/sample), written here to keep the CLI light


def _period(text: str | None) -> str | None:
    """YYYY-MM; digits of another script (２０２６-10) read as the digits they are, as in the input files."""
    if text is None:
        return None
    period = ascii_digits(text)
    if not re.fullmatch(PERIODE.pattern, period):
        raise typer.BadParameter(f"periode {given(text)} bukan YYYY-MM (mis. 2026-10)")
    return period


def _share(text: str) -> float:
    """A share as people write it: 0,1 or 0.1 (`config.decimal`)."""
    try:
        return float(decimal(text))
    except ValueError:
        raise typer.BadParameter(f"{given(text)} bukan angka (mis. 0,1)") from None


def _one_of(choices: tuple[str, ...]):
    def check(text: str | list[str] | None) -> str | list[str] | None:
        for value in [text] if isinstance(text, str) else text or []:
            if value not in choices:
                raise typer.BadParameter(f"{given(value)} tidak dikenal: pilih salah satu dari {', '.join(choices)}")
        return text
    return check


_DEFAULTS = defaults()  # a value the environment holds that is not accepted: `main` says which


def _default_folder(folder: Path | None) -> str:
    """A default folder as --help shows it: the checkout's relative to it, saying so (run from another folder, the
    help's 'data/sample' read as the current folder's: fresh-clone trial); none ('-': an installed package's
    input)."""
    if folder is None:
        return shown(folder)
    relative = not folder.is_absolute() or folder.is_relative_to(PROJECT_ROOT)
    return f"{shown(folder)} di folder proyek" if relative else shown(folder)


@app.command(cls=Command)
def run(
    period: Annotated[str | None, typer.Option("--period", callback=_period, metavar="YYYY-MM",
                                               help="bulan yang dinilai (wajib, kecuali backfill --from/--to)")] = None,
    first: Annotated[str | None, typer.Option("--from", callback=_period, metavar="YYYY-MM",
                                              help="backfill: bulan pertama (dengan --to)")] = None,
    last: Annotated[str | None, typer.Option("--to", callback=_period, metavar="YYYY-MM",
                                             help="backfill: bulan terakhir; bulan-bulannya dinilai berurutan")] = None,
    input: Annotated[Path | None, typer.Option(metavar="FOLDER",
        help=f"folder masukan (landing); bawaan: {_default_folder(_DEFAULTS.input)}", show_default=False)] = _DEFAULTS.input,
    output: Annotated[Path, typer.Option(metavar="FOLDER",
        help=f"folder keluaran; bawaan: {_default_folder(_DEFAULTS.output)}", show_default=False)] = _DEFAULTS.output,
    kabupaten: Annotated[list[str] | None, typer.Option(
        metavar="NAMA", help="hanya kabupaten/kota ini, dari bulan yang sudah terbit (ulangi opsinya untuk "
                             "beberapa)")] = None,
    rulebook: Annotated[str | None, typer.Option(
        metavar="ID", callback=_one_of(tuple(sorted(published_books()))),
        help=f"paksa rulebook ({', '.join(sorted(published_books()))}); bawaan: menurut periode")] = None,
    mode: Annotated[str | None, typer.Option(
        callback=_one_of(MODES), metavar="|".join(MODES),
        help="table (tabel band) atau linear (aturan teks peraturan untuk komponen yang memilikinya); bawaan: "
             "menurut rulebook")] = None,
    max_quarantine_share: Annotated[float, typer.Option(
        metavar="PORSI", parser=_share, show_default=False,
        help="tidak terbit bila porsi baris laporan yang dikarantina, atau koperasi yang kuesioner terbarunya "
             "dikarantina, melebihi ini; bawaan: "
             f"{decimal_shown(_DEFAULTS.max_quarantine_share)}")
    ] = _DEFAULTS.max_quarantine_share,
    max_reporting_drop: Annotated[float, typer.Option(
        metavar="PORSI", parser=_share, show_default=False,
        help="tidak terbit bila koperasi yang melapor turun lebih dari porsi ini; bawaan: "
             f"{decimal_shown(_DEFAULTS.max_reporting_drop)}")
    ] = _DEFAULTS.max_reporting_drop,
    dask_address: Annotated[str | None, typer.Option(metavar="tcp://HOST:PORT",
                                                     help="jalankan bagian-bagian di scheduler Dask ini")] = None,
    dask_local: Annotated[int | None, typer.Option(metavar="N",
                                                   help="jalankan bagian-bagian di klaster Dask lokal N pekerja")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="tampilkan juga log Prefect")] = False,
) -> int:
    """Nilai satu bulan (atau --from/--to) dan terbitkan keluarannya."""
    if dask_address and dask_local is not None:
        raise ParameterError("--dask-address dan --dask-local tidak bisa digabung")
    return commands.run_months(commands.RunRequest(
        period=period, first=first, last=last, input=input, output=output, kabupaten=tuple(kabupaten or ()),
        rulebook=rulebook, mode=mode, max_quarantine_share=max_quarantine_share,
        max_reporting_drop=max_reporting_drop, dask_address=dask_address, dask_local=dask_local, verbose=verbose))


@app.command(cls=Command)
def serve(cron: Annotated[str | None, typer.Option(
        help=f"jadwal cron dalam {TIMEZONE.key}; bawaan: {_DEFAULTS.cron!r}", show_default=False)] = None) -> int:
    """Layani deployment bulanan (02:00 WITA tanggal 5, bulan sebelumnya) sampai dihentikan (Ctrl-C)."""
    return commands.serve_deployment(cron)


server_app = typer.Typer(cls=Group, context_settings=HELP_OPTIONS,
                         help="Server latar: Prefect lokal dan proses yang menjalankan setiap run, dipakai ulang "
                         "antar-run (dimulai oleh run pertama tanpa PREFECT_API_URL).",
                         no_args_is_help=True)
app.add_typer(server_app, name="server")


@server_app.command("status", cls=Command)
def server_status() -> int:
    """Apakah server latar berjalan, di mana, sejak kapan, berapa run."""
    return commands.server_status()


@server_app.command("stop", cls=Command)
def server_stop() -> int:
    """Hentikan server latar (run yang sedang berjalan dihentikan lebih dulu, seperti dengan Ctrl-C)."""
    return commands.server_stop()


@app.command(cls=Command)
def sample(
    output: Annotated[Path, typer.Option(metavar="FOLDER", help="folder yang ditulis")],
    scale: Annotated[str, typer.Option(callback=_one_of(SCALES), help=f"{' atau '.join(SCALES)}")] = "kaltara",
    seed: Annotated[int, typer.Option(help="benih acak")] = 2026,
    dirty: Annotated[bool, typer.Option("--dirty", help="kiriman dengan setiap cacat laporan nyata")] = False,
    force: Annotated[bool, typer.Option("--force", help="ganti contoh di folder yang tidak kosong")] = False,
    last_period: Annotated[str, typer.Option(
        "--last-period", callback=_period, metavar="YYYY-MM", show_default=False,
        help=f"bulan laporan terakhir (34 bulan laporan sampai bulan ini); bawaan: {SAMPLE_LAST_PERIOD}")
    ] = SAMPLE_LAST_PERIOD,
) -> int:
    """Tulis folder masukan contoh (deterministik, dengan benih)."""
    return commands.make_sample(output, scale, seed, dirty, force, last_period)


@app.command(cls=Command)
def template(output: Annotated[Path, typer.Option(metavar="FOLDER",
                                                 help="folder tempat templat .xlsx ditulis")]) -> int:
    """Tulis templat Excel tiap tabel masukan (kop kolom, contoh, validasi data) untuk dikirim ke koperasi."""
    return commands.make_templates(output)


@app.command(cls=Command)
def jelaskan(
    koperasi: Annotated[str, typer.Argument(metavar="NIK|NAMA", help="NIK, atau bagian nama koperasi")],
    period: Annotated[str | None, typer.Option("--period", callback=_period, metavar="YYYY-MM",
                                               help="periode yang terbit; bawaan: yang terakhir")] = None,
    output: Annotated[Path, typer.Option(metavar="FOLDER",
        help=f"folder keluaran; bawaan: {_default_folder(_DEFAULTS.output)}", show_default=False)] = _DEFAULTS.output,
) -> int:
    """Jelaskan satu koperasi dari keluaran yang terbit: skor, komponen, jalan menuju Sehat, sejawat, peringatan."""
    return commands.explain(koperasi, period, output)


@app.command(cls=Command)
def bandingkan(
    period: Annotated[str, typer.Option("--period", callback=_period, metavar="YYYY-MM",
                                        help="bulan yang dibandingkan")],
    input: Annotated[Path | None, typer.Option(metavar="FOLDER",
        help=f"folder masukan (landing); bawaan: {_default_folder(_DEFAULTS.input)}", show_default=False)] = _DEFAULTS.input,
    output: Annotated[Path, typer.Option(metavar="FOLDER",
        help=f"folder keluaran; bawaan: {_default_folder(_DEFAULTS.output)}", show_default=False)] = _DEFAULTS.output,
    rulebook: Annotated[list[str] | None, typer.Option(
        metavar="ID", callback=_one_of(tuple(sorted(rulebooks()))),
        help="rulebook yang dibandingkan (ulangi opsinya untuk beberapa); bawaan: ksp-2009, ksp-2016 dan "
             "kkpkk-2021-draft")] = None,
) -> int:
    """Nilai laporan satu bulan dengan beberapa rulebook berdampingan; tulis tabel perbandingan_rulebook."""
    return commands.compare_books(period, input, output, tuple(rulebook or ()))


@app.command(cls=Command)
def laporan(
    period: Annotated[str, typer.Option("--period", callback=_period, metavar="YYYY-MM",
                                        help="periode yang sudah terbit")],
    output: Annotated[Path, typer.Option(metavar="FOLDER",
        help=f"folder keluaran; bawaan: {_default_folder(_DEFAULTS.output)}", show_default=False)] = _DEFAULTS.output,
) -> int:
    """Buat ulang dokumen periode (buku kerja, laporan, kartu, umpan balik) dari keluaran yang terbit."""
    return commands.rebuild_reports(period, output)


def _usage(error: typer.TyperException, argv: list[str]) -> str:
    """A usage error of the command line `argv` as one line in Indonesian (typer's click words them in English: each
    one a user can make is translated, naming the nearest command or option when there is one)."""
    param, kind = getattr(error, "param", None), type(error).__name__
    if isinstance(error, typer.BadParameter) and param is not None:
        name = param.opts[0] if param.opts else param.name
        if kind == "MissingParameter":
            if param.param_type_name == "argument":
                return f"argumen {param.metavar or name.upper()} wajib diberikan"
            return f"{name} wajib diberikan"
        cause = error.__cause__  # typer converts values with pydantic
        if cause is not None and hasattr(cause, "errors"):
            first = cause.errors()[0]
            example = " (mis. 0,1)" if first["type"] == "float_parsing" else ""
            return f"{name}: {given(first['input'])} bukan {KINDS.get(first['type'], 'nilai yang sah')}{example}"
        return f"{name}: {error.message}"
    if kind == "NoSuchOption":
        return f"opsi tidak dikenal: {escaped(error.option_name)}{_nearest(error.possibilities or [])}"
    if kind == "BadOptionUsage":
        option, written = _option(argv, error.option_name), escaped(error.option_name)
        if option.is_flag if option is not None else "not take a value" in error.message:  # --help=x: help is no param
            return f"{written} tidak memakai nilai: tulis {written} saja"
        form = f" (tulis {written} {option.metavar})" if getattr(option, "metavar", None) else ""
        return f"{written} perlu nilai{form}"
    unknown = re.match(r"No such command ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\.", error.message)
    if unknown:
        command = ast.literal_eval(unknown.group(1))
        context = getattr(error, "ctx", None)  # the group the name was looked up in (`server statu`: server's)
        group = context.command if context is not None and hasattr(context.command, "commands") else \
            typer.main.get_command(app)
        near = difflib.get_close_matches(command.lower(), list(group.commands))
        return f"perintah tidak dikenal: {escaped(command) or repr(command)}{_nearest(near)}"
    if error.message == "Missing command.":  # `koperasi-sehat --`
        names = list(typer.main.get_command(app).commands)
        return f"perintah belum diberikan: {', '.join(names[:-1])} atau {names[-1]}"
    extra = re.fullmatch(r"Got unexpected extra argument\S* \((.*)\)", error.message)
    if extra:  # the hint on --kabupaten only where the command has it (jelaskan gave it: hostile trial)
        context = getattr(error, "ctx", None)
        areas = context is not None and any(p.name == "kabupaten" for p in context.command.params)
        return (f"argumen berlebih: {extra.group(1)} (nama dengan spasi: tulis dalam tanda kutip, mis. "
                f"\"KSP Setia Bersama\"" + ("; beberapa kabupaten/kota: ulangi --kabupaten untuk setiap nama"
                                               if areas else "") + ")")
    return error.format_message()


def _nearest(names: list[str]) -> str:
    """'; maksud Anda X?' naming the nearest of `names` (click's own guesses, nearest first), or nothing."""
    return f"; maksud Anda {names[0]}?" if names else ""


def _option(argv: list[str], name: str):
    """The option written `name` of the command `argv` names (click's error does not say which), if any."""
    group = typer.main.get_command(app)
    command = group.commands.get(argv[0]) if argv else None
    return next((p for p in (command or group).params if name in (*p.opts, *p.secondary_opts)), None)


FOLDER_OPTIONS = ("--input", "--output")


def _empty_folder(argv: list[str]) -> str | None:
    """The folder option given an empty text (`--input ''`, `--output=`), which a path reads as the current folder:
    a run would read, or write, wherever it was started."""
    for i, word in enumerate(argv):
        name, equals, value = word.partition("=")
        if name in FOLDER_OPTIONS and (not value.strip() if equals else i + 1 < len(argv) and not argv[i + 1].strip()):
            return name
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    interrupt.handle_stops()  # a stop while typer reads the words, or before a command handles it: one line
    _terminal_size_from_terminal()
    argv = sys.argv[1:] if argv is None else argv
    try:
        os.getcwd()
    except FileNotFoundError:  # removed while the shell stayed in it: a traceback where the run began (hostile trial)
        commands.say("folder kerja saat ini sudah dihapus: pindah ke folder yang ada (cd), lalu jalankan lagi")
        return commands.EXIT_USAGE
    # a byte of another encoding (a Latin-1 terminal's é) was a traceback where the word reached Arrow, JSON or a
    # path, after run and bandingkan made their output folder (hostile trial)
    undecodable = next((arg for arg in argv if not _utf8(arg)), None)
    if undecodable is not None:
        shown = undecodable.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        commands.say(f"argumen '{shown}' bukan teks UTF-8: ketik ulang di terminal UTF-8")
        return commands.EXIT_USAGE
    empty = _empty_folder(argv)
    if empty:
        commands.say(f"{empty} kosong: berikan sebuah folder (folder ini ditulis '.')")
        return commands.EXIT_USAGE
    stdout, sys.stdout = sys.stdout, commands.GuardedStdout(sys.stdout)
    try:
        code = _guarded(lambda: app(args=argv or ["--help"], prog_name=APP_NAME, standalone_mode=False), argv)
        reason = commands.words_lost()  # a run's summary says its own (`print_summaries`)
        if reason is None:
            return code
        commands.say(f"keluaran standar tidak dapat ditulis ({reason}): kata-kata perintah ini hilang")
        return code or commands.EXIT_FAILED
    finally:
        sys.stdout = stdout


def _utf8(text: str) -> bool:
    """Whether a word of the command line is text (Python keeps a byte that is not UTF-8 as a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


SIZE_MAX = 10_000  # columns or lines a COLUMNS or LINES may give


def _terminal_size_from_terminal() -> None:
    """COLUMNS or LINES set to what is not a size (0, a negative number, a word, beyond `SIZE_MAX`) is dropped, so
    that the terminal's own size is used (80 columns without one): rich took COLUMNS=0 as a width of none and
    printed nothing, exit 0 (hostile trial). A terminal that calls itself "dumb" (TERM=dumb: Emacs' shell) gets its
    own size too, which rich only takes from COLUMNS and LINES both (it gave such a terminal 80 columns, whatever
    its width). The command's environment, so set, is also its run's in the background server."""
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (value.strip().isdecimal() and 0 < int(value) <= SIZE_MAX):
            # '²' is a digit int() refuses, 10**20 one rich cannot hold (tracebacks), 10**9 columns a --help of
            # gigabytes (hostile trial)
            del os.environ[name]
    if os.environ.get("TERM", "").lower() == "dumb" and sys.stdout.isatty():
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
        except OSError:
            size = os.terminal_size((0, 0))
        if size.columns > 0:
            os.environ.setdefault("COLUMNS", str(size.columns))
        if "COLUMNS" in os.environ:  # a terminal that gives no height (0 rows: new-user trial), or no size at all
            os.environ.setdefault("LINES", str(size.lines or 25))  # with COLUMNS set (hostile trial): rich's 25


def run_request(request: dict) -> int:
    """A `run` the command sent to the background server, in the server's copy (`flows.background`)."""
    return _guarded(lambda: commands.run_months(commands.RunRequest.of(request)), ["run"])


def _guarded(call: Callable[[], object], argv: list[str]) -> int:
    """The exit code of a command (`argv`: its words): a user's error, or a stop the command did not handle, is one
    line on stderr, never a traceback."""
    try:
        return _exit_code(call, argv)
    except KeyboardInterrupt:
        return _stopped_early(argv)


def _exit_code(call: Callable[[], object], argv: list[str]) -> int:
    try:
        settings()
    except SettingError as error:
        commands.say(str(error))
        return commands.EXIT_USAGE
    try:
        code = call()
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # a group without its command (`koperasi-sehat server`): its
            return commands.EXIT_DONE                    # help is shown, as the bare command's is
        commands.say(f"{_usage(error, argv)} (lihat --help)")
        return error.exit_code
    except KoperasiSehatError as error:
        commands.say(str(error))
        return commands.EXIT_USAGE if isinstance(error, ParameterError | SettingError) else commands.EXIT_FAILED
    except typer.Abort:
        return commands.EXIT_FAILED
    except Exception as error:
        if interrupt.received() is not None:  # an error the stop caused (`commands.run_months`: a library's loading
            return _stopped_early(argv)       # cut short)
        refusal = library_refusal(error)
        if refusal is not None:
            commands.say(refusal)
            return commands.EXIT_USAGE
        from flows.api_check import failed_request

        failed = failed_request(error)  # the Prefect API of a command that is not a run (serve)
        if failed is None:
            raise
        commands.say(f"{failed}: {' '.join(argv[:1])} berhenti")
        return commands.EXIT_FAILED
    if code == TYPER_STOPPED and interrupt.received() is not None:
        return _stopped_early(argv)
    return code if isinstance(code, int) else commands.EXIT_DONE


def library_refusal(error: Exception) -> str | None:
    """The line for a library that could not be loaded (`_library_not_loaded`), or None for another error."""
    library = _library_not_loaded(error)
    if library is None:
        return None
    if library == "prefect":
        from pydantic import ValidationError

        from flows.background import (logging_file_refused, prefect_files_refused, prefect_logging_file,
                                      prefect_settings_refused)

        if type(error).__module__.split(".")[0] == "yaml":  # its logging file, read on import
            return logging_file_refused(error, prefect_logging_file())
        if isinstance(error, ValidationError):  # its settings, read on import
            return prefect_settings_refused(error)
        if refused := prefect_files_refused():  # a TOML file of its settings, read on import
            return refused
    said = f"pustaka {library} tidak dapat dimuat ({type(error).__name__}: {one_line(error)}); "
    if isinstance(error, Warning):  # a warning made an error: the interpreter's filter, not the library
        return said + ("peringatan dijadikan galat oleh PYTHONWARNINGS atau opsi -W Python; hapus variabel itu "
                       "atau pakai PYTHONWARNINGS=default")
    return said + ("periksa variabel lingkungan yang dibacanya saat dimuat (mis. NUMPY_*, PANDAS_*, ARROW_*, MPL*) "
                   "atau pasang ulang paketnya")


def one_line(error: Exception, name: Callable[[str, tuple], str] | None = None) -> str:
    """An error's words on one line; pydantic's ValidationError (a setting refused) as each field (`name` of the
    model's title and the field's place, default both), its value and why (`refusal`), without pydantic's links and
    without the fields it could not build because of another."""
    if callable(getattr(error, "errors", None)) and hasattr(error, "title"):
        return "; ".join(fields_refused(error, name))
    return " ".join(str(error).split())


def fields_refused(error: Exception, name: Callable[[str, tuple], str | None] | None = None) -> list[str]:
    """Of pydantic's ValidationError: each field refused as `one_line` words it (name=value: why); a refusal of the
    model as a whole (a check across its fields) names each value it was given (Prefect's
    PREFECT_LOGGING_TO_API_BATCH_SIZE=-5 read `PREFECT_LOGGING_TO_API_={'batch_size': '-5'}`: hostile trial), but
    those `name` names None (not of this model)."""
    name = name or (lambda title, loc: " ".join([title, ".".join(map(str, loc))]).strip())

    def given(e: dict) -> str:
        if e["loc"] or not isinstance(e.get("input"), dict):
            return f"{name(error.title, e['loc']) or error.title}={_shortened(e.get('input'))}"
        named = [(name(error.title, (key,)), value) for key, value in e["input"].items()]
        return ", ".join(f"{variable}={_shortened(value)}" for variable, value in named if variable) or error.title

    return [f"{given(e)}: {refusal(e)}" for e in error.errors() if e["type"] != "default_factory_not_called"]


VALUE_CHARACTERS = 80  # of a refused value in a line: a value of 5,000 characters filled the terminal (hostile trial)


def _shortened(value: object) -> str:
    text = repr(value)
    return text if len(text) <= VALUE_CHARACTERS else f"{text[:VALUE_CHARACTERS - 1]}…"


def refusal(error: dict) -> str:
    """Why pydantic refused a value (one of `ValidationError.errors()`), in Indonesian for the kinds a setting or a
    parameter meets ('harus bilangan bulat', 'harus 0 atau lebih'; a value error, the validator's own words);
    another kind in pydantic's words, in brackets. PREFECT_LOGGING_LEVEL=LOUD said "Input should be 'DEBUG', ...",
    in English in an Indonesian line (review)."""
    context = {key: decimal_shown(value) if isinstance(value, int | float) and not isinstance(value, bool)
               else str(value).replace("' or '", "' atau '") for key, value in (error.get("ctx") or {}).items()}
    if error["type"] in ("value_error", "assertion_error") and "error" in context:
        return context["error"]
    words = REFUSALS.get(error["type"])
    return words.format(**context) if words else f"tidak sah ({error['msg']})"


KINDS = {  # pydantic's error types of a value of another kind (docs.pydantic.dev: errors/validation_errors): the kind
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), "bilangan bulat"),  # wanted, in the user's words
    **dict.fromkeys(("float_parsing", "float_type"), "angka"),
    **dict.fromkeys(("bool_parsing", "bool_type"), "true atau false"),
    **dict.fromkeys(("url_parsing", "url_type", "url_syntax_violation"), "URL yang sah"),
    **dict.fromkeys(("timedelta_parsing", "timedelta_type"), "lama waktu (detik)"),
    **dict.fromkeys(("json_invalid", "json_type"), "JSON yang sah"),
    "string_type": "teks", "path_type": "path", "dict_type": "pasangan nama dan nilai", "list_type": "daftar",
}
REFUSALS = {  # pydantic's error types, why in the user's words (`refusal`; a value of another kind: `KINDS`)
    **{kind: f"harus {wanted}" for kind, wanted in KINDS.items()},
    **dict.fromkeys(("literal_error", "enum"), "harus salah satu dari {expected}"),
    "string_pattern_mismatch": "harus sesuai pola {pattern}", "missing": "harus diisi",
    "extra_forbidden": "tidak dikenal",
    "greater_than": "harus lebih dari {gt}", "greater_than_equal": "harus {ge} atau lebih",
    "less_than": "harus kurang dari {lt}", "less_than_equal": "harus {le} atau kurang",
    "url_scheme": "harus URL berskema {expected_schemes}",
}


def _library_not_loaded(error: Exception) -> str | None:
    """The installed library whose loading raised `error` (an environment variable it reads when imported holding
    a value it refuses: NUMPY_MADVISE_HUGEPAGE=abc raised ValueError in numpy's import, a traceback), or None when
    the error was not raised while a library loaded. The innermost module-level frame of a file under site-packages
    (or dist-packages) names it, by its folder there; this project's packages, code run from a string (annotations
    evaluated by typer) and the standard library are never one."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        parts = Path(frame.filename).parts
        inside = [i for i, part in enumerate(parts[:-1]) if part in ("site-packages", "dist-packages")]
        library = parts[inside[-1] + 1].removesuffix(".py") if inside else None
        if frame.name == "<module>" and library is not None and library not in OWN_PACKAGES:
            return library
    return None


OWN_PACKAGES = ("flows", "schemas", "scoring", "sample")  # under site-packages too when installed from a wheel
TYPER_STOPPED = 130  # typer's exit code for a KeyboardInterrupt inside a command, which it ends without a word


def _stopped_early(argv: list[str]) -> int:
    """A stop before the command handled it (while typer reads the words, a run's checks before it starts, a command
    that only reads): one line, exit 1, and a late second stop ignored. It was exit 130 without a word, or a
    KeyboardInterrupt traceback (fresh-clone trial: Ctrl-C 0.4-0.7 s after `run`)."""
    name = signal.Signals(interrupt.received() or signal.SIGINT).name
    interrupt.ignore_stops()
    tail = " sebelum mulai: tidak ada yang diterbitkan, keluaran sebelumnya utuh" if argv[:1] == ["run"] else ""
    commands.say(f"dihentikan ({name}){tail}")
    return commands.EXIT_FAILED


def finished(code: int) -> int:
    """`code`; or the process ended now with it when Prefect's server did not take its logs or events
    (`flows.server.unsent`: they were said to be dropped), before Prefect's hooks at the interpreter's exit try them
    again."""
    server = sys.modules.get("flows.server")
    if server is not None and server.unsent():
        for stream in (sys.stdout, sys.stderr):
            with suppress(Exception):  # a stream closed or full: the code all the same
                stream.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(finished(main()))
