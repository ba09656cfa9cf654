"""What the analyst sees: progress of a run's long steps, and the short summary at its end (rich), plus the
summary of a run for the Prefect UI.

The flow reports its steps through `stage` and `advance`; they draw only while the CLI holds `progress()` (a
served run has no console) and never draw when the output is not a terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow.dataset as ds
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, Task, TaskID, TextColumn,
                           TimeElapsedColumn)
from rich.table import Table
from rich.text import Text

from flows import storage
from flows.config import REPORTS_DIR, published_run, settings
from flows.ingest.walk import shown
from scoring.periods import previous_period, shift_period
from scoring.rulebook import rulebooks
from scoring.status import predicate_columns
from scoring.texts import number

PROVINCE = "provinsi"
WORKLIST_ARTIFACT = "koperasi-sehat-daftar-prioritas"  # the top of daftar_prioritas, in the Prefect UI
WORKLIST_IN_SUMMARY = 3  # rows per kabupaten/kota in the run's markdown summary

# said when the checked shared inputs came from the cache (flows.common_cache): nothing in them was read again
FROM_CACHE = ("masukan umum: hasil pemeriksaan run sebelumnya hari ini dipakai lagi (berkas, pengaturan dan kode "
              "sama; cache)")


class _Live:
    progress: Progress | None = None
    task: TaskID | None = None


class _Parts(MofNCompleteColumn):
    """Parts done of a step counted in parts ('2/5'); nothing for a step that is not ('0/?' said nothing)."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else super().render(task)


@contextmanager
def progress() -> Iterator[None]:
    """Show the run's steps on the terminal (stderr) while the block runs; nothing when it is not a terminal."""
    console = Console(stderr=True)
    if not on_terminal(console):  # FORCE_COLOR in a pipe is not a terminal to draw on
        yield
        return
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _Parts(),
                   TimeElapsedColumn(), console=console, transient=True)
    _Live.progress = bar
    try:
        with bar, _logs_above_the_bar():
            yield
    finally:
        _Live.progress, _Live.task = None, None


@contextmanager
def _logs_above_the_bar() -> Iterator[None]:
    """Prefect's console logs (`--verbose`) drawn above the progress, as rich draws what is printed while it shows:
    each log line began at the end of the bar ('0:00:0010:50:18.059 | INFO'), an old bar left above each block of
    lines (new-user trial). Prefect's console handler prints to the terminal itself (rich's consoles write to the
    stream under the one rich puts in `sys.stderr` while it draws); for the block, what it prints, colours and all,
    goes through that one."""
    import logging
    import sys

    from rich.file_proxy import FileProxy

    def descriptor(stream: object) -> int | None:  # the terminal it writes to (a run's copy holds other objects)
        try:
            return stream.fileno()  # type: ignore[attr-defined]
        except (AttributeError, OSError, ValueError):
            return None

    drawn = {descriptor(stream.rich_proxied_file): stream for stream in (sys.stderr, sys.stdout)
             if isinstance(stream, FileProxy)}
    drawn.pop(None, None)
    loggers = [logging.getLogger(), *(one for one in logging.Logger.manager.loggerDict.values()
                                      if isinstance(one, logging.Logger))]
    handlers = {id(handler): handler for logger in loggers for handler in logger.handlers
                if type(handler).__name__ == "PrefectConsoleHandler" and descriptor(handler.console.file) in drawn}

    def through(handler: logging.Handler, proxy: FileProxy) -> None:
        emitted = handler.emit  # Prefect's, or what is in its place (a block within a block)

        def emit(record: logging.LogRecord) -> None:
            with handler.console.capture() as printed:  # type: ignore[attr-defined]
                emitted(record)
            proxy.write(printed.get())

        handler.emit = emit  # type: ignore[method-assign]

    previous = {id(handler): vars(handler).get("emit") for handler in handlers.values()}
    for handler in handlers.values():
        through(handler, drawn[descriptor(handler.console.file)])  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for handler in handlers.values():  # Prefect's own again, or what the handler had before the block
            if previous[id(handler)] is None:
                del handler.emit
            else:
                handler.emit = previous[id(handler)]  # type: ignore[method-assign]


def stage(description: str, total: int | None = None) -> None:
    """A new step of the run (`total`: its parts, to advance one by one)."""
    if _Live.progress is None:
        return
    if _Live.task is not None:
        _Live.progress.remove_task(_Live.task)
    _Live.task = _Live.progress.add_task(description, total=total)


def advance() -> None:
    """One part of the current step is done."""
    if _Live.progress is not None and _Live.task is not None:
        _Live.progress.advance(_Live.task)


COUNTS = {"koperasi": "jumlah_koperasi", "aktif": "jumlah_aktif", "melapor": "jumlah_melapor",
          "dinilai": "jumlah_dinilai"}


def summary_tables(ringkasan, rows: int, width: int | None = None,
                   named: Sequence[str] = ()) -> tuple[list[Table], int]:
    """The province first, then the kabupaten/kota `named` (an area run's: always shown), then those with the most
    cooperatives, `rows` kabupaten/kota in all (or the named ones), as one table; in a terminal narrower than that
    table's widest form (`width`), as two, each with the areas' names: the counts and the average score, then the
    predicates (one table folded to fit had the names and headers on several lines where two fold neither, from
    about 120 columns: new-user trial). Returns the tables and how many kabupaten/kota were left out."""
    predicates = {c: name for name, c in predicate_columns().items() if ringkasan[c].sum() > 0}
    province = ringkasan[ringkasan["tingkat"] == PROVINCE]
    areas = ringkasan[ringkasan["tingkat"] != PROVINCE].sort_values(["jumlah_koperasi", "kabupaten_kota"],
                                                                    ascending=[False, True])
    first = areas["kabupaten_kota"].astype("str").isin(list(named)).to_numpy()
    shown_areas = [row for _, row in [*areas[first].iterrows(), *areas[~first].iterrows()]][:max(rows, first.sum())]
    shown_rows = [row for _, row in province.iterrows()] + shown_areas
    counts = {header: column for header, column in (*COUNTS.items(), *((n, c) for c, n in predicates.items()))}

    def average(row) -> str:  # noqa: ANN001 - a row of ringkasan_wilayah
        return number(row["rata_rata_skor"])

    cells = {header: (lambda row, c=column: number(row[c], 0)) for header, column in counts.items()} | {
        "rata-rata": average}
    whole = _areas_table(shown_rows, cells)
    left_out = len(areas) - len(shown_areas)
    if width is None or _measured(whole).maximum <= width:
        return [whole], left_out
    def fitted(headers: list[str]) -> Table:  # folded only where its widest form does not fit (a 120-column
        part = {h: cells[h] for h in headers}  # terminal showed 'Dalam / Pengawasan / Khusus': new-user trial)
        loose = _areas_table(shown_rows, part)
        return loose if _measured(loose).maximum <= width else _areas_table(shown_rows, part, tight=True)

    return [fitted(headers) for headers in ([*COUNTS, "rata-rata"], list(predicates.values()))], left_out


def _areas_table(rows: list, cells: dict, tight: bool = False) -> Table:
    """The areas' names (the province's row bold), then a column per header, each cell `cells[header](row)`; a
    narrow terminal folds a name or a header between its words, never inside one. `tight`: each column but the
    names as narrow as its longest word (rich otherwise cuts a table at the terminal's edge before it reaches the
    least width of every column)."""
    names = [shown(str(row["kabupaten_kota"])) for row in rows]
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for position, header in enumerate(["wilayah", *cells]):
        words = [*header.split(), *(word for name in names for word in name.split())] if position == 0 else \
            [*header.split(), *(cells[header](row) for row in rows)]
        least = max(len(word) for word in words)
        table.add_column(header, justify="left" if position == 0 else "right", overflow="fold", min_width=least,
                         max_width=least if tight and position else None)
    for name, row in zip(names, rows, strict=True):
        table.add_row(Text(name), *(cell(row) for cell in cells.values()),  # a name is not markup
                      style="bold" if row["tingkat"] == PROVINCE else None)
    return table


def on_terminal(console: Console) -> bool:
    """Whether the console writes to a terminal: its stream's own answer (rich's `is_terminal` is also true when
    FORCE_COLOR asks for colours in a pipe)."""
    isatty = getattr(console.file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def as_wide_as(console: Console, *tables: Table) -> None:
    """Written to a file or a pipe, which has no width of its own (rich takes 80 columns): widen the console to the
    widest table's content, so that no cell is folded. A terminal keeps its width: a line wider than it would wrap
    whole and break every row, where rich folds a cell inside its column."""
    if on_terminal(console):
        return
    # the width with the height: rich gives a "dumb" terminal (FORCE_COLOR=1 with TERM=dumb in a pipe: hostile
    # trial) 80 columns unless both are set
    console.size = (max([console.width, *(_measured(table).maximum for table in tables)]), console.height)


def fits(console: Console, table: Table) -> bool:
    """Whether the table's widest form fits the console: always in a file or a pipe (`as_wide_as`)."""
    return not on_terminal(console) or _measured(table).maximum <= console.width


def print_parts(console: Console, *parts: RenderableType | None, gap: bool = False) -> None:
    """Print the parts (None: left out), an empty line after each with `gap`. In a file or a pipe a line of text
    stays one line, each table row too (`as_wide_as`); in a terminal each line of text is wrapped by `on_lines`, and
    a word wider than the terminal (a path) is written whole, for the terminal to wrap: rich broke it with a line
    break, and a path copied from the screen was two (new-user trial)."""
    shown = [_one_line(part) for part in parts if part is not None]
    as_wide_as(console, *(part for part in shown if isinstance(part, Table)))
    terminal = on_terminal(console)
    for part in shown:
        console.print(on_lines(part, console.width) if terminal else part, soft_wrap=not isinstance(part, Table))
        if gap:
            console.print()


# spaces no line breaks at (`on_lines`), the loose one first when a group fits no line: inside an amount, a range or
# a header, and between a list's mark, a header, its value and the next; no text of the outputs holds either control
# character (`ingest.cells` removes them)
GLUE, LOOSE_GLUE = "\x00", "\x01"
LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")  # kept in the free text of names and notes (`ingest.cells`)
KEPT_TOGETHER = re.compile(r"(?<=\bRp) (?=-?\d)|(?<=[<>=]) (?=[-\dx])|(?<=\S) (?=[<>]=? )")  # amounts, ranges
NOTE_MARK = "  -> "  # a note under a list item (`as_list`)
HANGING = (NOTE_MARK, "  - ", "  ... ", "- ")  # a line that starts so goes on under its text


def one_line(text: str) -> str:
    """A text on one line: line breaks and tabs (a name may hold them) as one space each run."""
    return LINE_BREAKS.sub(" ", text)


def _one_line(part: RenderableType) -> RenderableType:
    """A text (a group's, each) on one line (`one_line`): a name holding a line break made the header two lines in a
    pipe, and the rest of it went on at the line's start in a terminal (hostile trial); a table is left as it is."""
    if isinstance(part, Group):
        return Group(*(_one_line(renderable) for renderable in part.renderables))
    return Text(one_line(part.plain), style=part.style) if isinstance(part, Text) else part


def on_lines(part: RenderableType, width: int) -> RenderableType:
    """A text's lines (a group's, each) wrapped at `width` between words, never inside an amount ('Rp 23.743'), a
    range ('20 < x <= 40'), a glued pair or a word (an id longer than the line stays whole), a list item's lines
    going on under its text, an indented line's two further in. Rich broke a line between 'Rp' and its amount and went on at the line's start, under
    the item's dash (review); a table is left to rich."""
    if isinstance(part, Group):
        return Group(*(on_lines(renderable, width) for renderable in part.renderables))
    if not isinstance(part, Text):
        return part
    line = part.plain
    lead = next((h for h in HANGING if line.startswith(h)), "")  # before the glue: '-> 66' is a range's end too
    body = KEPT_TOGETHER.sub(GLUE, line[len(lead):])
    glued = lead.rstrip() + LOOSE_GLUE + body if lead else body  # the mark stays with the first word
    indent = len(lead) or (len(line) - len(line.lstrip(" ")) + 2 if line.startswith(" ") else 0)  # '  a -> b: ...'
    shown = "\n".join(wrapped(glued, width, indent))
    return Text(shown.replace(GLUE, " ").replace(LOOSE_GLUE, " "), style=part.style)


def wrapped(line: str, width: int, indent: int) -> list[str]:
    """`line` in lines of at most `width` terminal cells (a wide character takes two: `cell_len`), broken at its
    spaces only (a run of them is one), the lines after the first indented by `indent` spaces; a glued word that
    fits no line is broken at its loose glue, else at its glue, a word wider than a line has a line of its own."""
    start = len(line) - len(line.lstrip(" "))
    lines, current = [], line[:start]
    words = list(reversed([word for word in line[start:].split(" ") if word]))
    while words:
        word = words.pop()
        fits_here = _cells(current) + (1 if current.strip() else 0) + _cells(word) <= width
        glue = next((g for g in (LOOSE_GLUE, GLUE) if g in word), None)
        if not fits_here and _cells(word) > width - indent and glue:  # fits no line whole: its pieces ('  - ' was
            words += reversed([piece for piece in word.split(glue) if piece])  # left alone, the id at column 0)
            continue
        if current.strip() and not fits_here:
            lines.append(current)
            current = " " * indent + word
        else:
            current += f" {word}" if current.strip() else word
    return [*lines, current]


def _cells(text: str) -> int:
    """The terminal cells a text takes, a glue one (a space), not none (a control character)."""
    return cell_len(text) + text.count(GLUE) + text.count(LOOSE_GLUE)


def table_or_list(console: Console, table: Table) -> RenderableType:
    """The table when each of its rows fits the console on one line (always in a file or a pipe: `fits`); else its
    rows as a list (`as_list`). In a narrow terminal rich folded the component ids into pieces of two to eight
    letters (review), and, narrowing the widest column first, cut `rentabilitas_modal_` beside an empty
    `keterangan` or numbers to `12,…` (fresh-clone trial)."""
    return table if fits(console, table) else as_list(table)


def as_list(table: Table, notes: list[str] | None = None) -> Group:
    """A table's rows as a list, one item a row: '- first cell: header value · header value' (an empty cell left
    out; a header and its value on one line when they fit one), the row's `notes` text (one per row; '-' none) on a line of its own
    under it; for a terminal (`print_parts`)."""
    headers = [str(column.header) for column in table.columns]
    lines = [Text(str(table.title), style="bold")] if table.title else []
    for i, (first, *rest) in enumerate(zip(*(column.cells for column in table.columns))):
        pairs = (header.replace(" ", GLUE) + LOOSE_GLUE + one_line(value) for header, value in zip(headers[1:],
                                                                                          map(str, rest)) if value)
        lines.append(Text(f"- {first}: {f'{LOOSE_GLUE}· '.join(pairs)}"))
        if notes and notes[i] != "-":
            lines.append(Text(NOTE_MARK + notes[i], style="dim"))
    return Group(*lines)


def _measured(table: Table) -> Measurement:
    """A table's least and greatest width in columns (measured without a width limit)."""
    wide = Console(width=1000, height=25)  # both: see `as_wide_as`
    return Measurement.get(wide, wide.options, table)


def area_scope(summary: dict) -> str:
    """An area run's scope: its report counts are its kabupaten/kota's, its tables the whole month republished."""
    areas = summary.get("kabupaten")
    return f"  wilayah {', '.join(areas)} (laporan: wilayah ini; tabel: seluruh bulan)" if areas else ""


def stale_history(output: Path, periode: str) -> list[str]:
    """What of the published months around `periode` no longer follows the month before it as now published
    (skor_total_sebelumnya, predikat_sebelumnya; the warnings and the priority list compare the same way): the
    period itself (an area run keeps the other areas' rows as published), and the month after it (a month
    published again left the next one's history as it was, without a word: hostile trial); each with the run that
    mends it."""
    lines = []
    earlier, later = previous_period(periode), shift_period(periode, 1)
    own = _history_differs(output, earlier, periode)
    if own:
        lines.append(f"{number(own, 0)} koperasi periode {periode} membawa skor {earlier} yang lain dari yang kini "
                     f"terbit (skor_total_sebelumnya, predikat_sebelumnya): jalankan ulang periode {periode} tanpa "
                     "--kabupaten agar riwayat, peringatan dan daftar prioritasnya mengikuti")
    following = _history_differs(output, periode, later)
    if following:
        lines.append(f"periode {later} yang terbit memakai skor {periode} sebelum run ini ({number(following, 0)} "
                     f"koperasi berbeda): jalankan ulang --period {later} (atau --from {periode} --to {later}) agar "
                     "riwayat, peringatan dan daftar prioritasnya mengikuti")
    return lines


def _history_differs(output: Path, earlier: str, later: str) -> int:
    """The cooperatives of `later` as published whose previous-period score or predicate is not `earlier`'s as
    published (0 when either month is not published)."""
    if not (published_run(output, earlier) and published_run(output, later)):
        return 0
    before = storage.read_table(output, "skor_koperasi", earlier, columns=["nik", "skor_total", "predikat"])
    after = storage.read_table(output, "skor_koperasi", later,
                               columns=["nik", "skor_total_sebelumnya", "predikat_sebelumnya"])
    both = after.merge(before, on="nik", how="left")
    score = both["skor_total_sebelumnya"].eq(both["skor_total"]) | (both["skor_total_sebelumnya"].isna()
                                                                    & both["skor_total"].isna())
    predicate = both["predikat_sebelumnya"].astype("str").fillna("").eq(both["predikat"].astype("str").fillna(""))
    return int((~(score & predicate)).sum())


def print_summary(summary: dict, output: Path, first: bool = True) -> None:
    """The run's counts, the province and its largest kabupaten/kota, and where the outputs are; after an empty line
    when another month's summary, or the steps drawn on a terminal, are above it (`first`: none is)."""
    console = Console(highlight=False, soft_wrap=True)
    terminal = on_terminal(console)
    tables, left_out = summary_tables(storage.read_table(output, "ringkasan_wilayah", summary["periode"]),
                                      settings().summary_rows, console.width if terminal else None,
                                      summary.get("kabupaten") or ())
    as_wide_as(console, *tables)

    def count(key: str) -> str:  # 1.234 as the office writes it: "4,788" reads as a decimal in Indonesian
        return number(summary[key], 0)

    def say(line: str) -> None:  # on a terminal between words (`print_parts`): it broke 'dikaranti|na' at 80 columns
        print_parts(console, Text(line))  # (a path's line is printed whole, below: a space in it is no place to
        # break, and a terminal's wrapping shows every character of it)

    if terminal or not first:
        console.print()
    say(f"run {summary['run_id']}  periode {summary['periode']}{area_scope(summary)}")
    for problem in summary["berkas_ditolak"]:
        say(f"  BERKAS DITOLAK  {problem}")
    for entry in summary["berkas_tidak_dibaca"]:
        say(f"  TIDAK DIBACA  {entry['sumber']}: {entry['alasan']}")
    for note in summary["catatan_berkas"]:
        say(f"  DIBERSIHKAN  {note}")
    say(f"  laporan dibaca {count('laporan_dibaca')} = dinilai {count('dinilai')} + tidak dinilai (jenis tanpa "
        f"rulebook) {count('tidak_dinilai')} + dikarantina {count('laporan_dikarantina')} + terganti "
        f"{count('laporan_terganti')}")
    if summary.get("laporan_tanpa_wilayah") and summary.get("kabupaten"):
        say(f"  laporan tanpa wilayah {count('laporan_tanpa_wilayah')} (nik tidak terdaftar atau baris registrinya "
            "ditolak): bukan milik wilayah ini; run seluruh bulan mengarantinanya")
    if summary.get("registri_berubah_wilayah_lain") and summary.get("kabupaten"):
        say(f"  daftar koperasi wilayah lain berubah sejak terbit: {summary['registri_berubah_wilayah_lain']}; "
            "wilayah lain diterbitkan ulang seperti terbit: run seluruh bulan memakai perubahannya")
    checklists = (f"; pemeriksaan {count('pemeriksaan_dikarantina')} dari {count('pemeriksaan_dibaca')}"
                  if summary.get("pemeriksaan_dibaca") else "")  # an optional input: named when there is one
    area = bool(summary.get("kabupaten"))  # the shared inputs' counts are the whole folder's, its cooperatives not
    latest = (f" ({'di wilayah ini ' if area else ''}{count('koperasi_kuesioner_dikarantina')} dari "
              f"{count('koperasi_kuesioner_dinilai')} koperasi yang dinilai kehilangan kuesioner terbarunya)"
              if summary.get("koperasi_kuesioner_dikarantina") else "")  # (was 'terbaru dari 1 ...': trial)
    say(f"  {'seluruh folder: ' if area else ''}kuesioner dikarantina {count('kuesioner_dikarantina')} dari "
        f"{count('kuesioner_dibaca')}{latest}; faktor {count('faktor_dikarantina')} dari {count('faktor_dibaca')}; "
        f"{registry_file(summary)} {count('koperasi_dikarantina')} dari {count('koperasi_dibaca')}" + checklists)
    for line in no_questionnaire(summary):
        say(f"  {line}")
    # a count alone left the analyst to find why; the commonest kinds of reason, values masked, read as counts of
    # rows and named none (new-user trials): the first quarantined report row and questionnaire row, whole
    for example in (summary.get("contoh_karantina") or {}).values():
        say(f"  contoh karantina  {example} (semua baris dan alasannya: tabel karantina)")
    if summary.get("masukan_umum_dari_cache"):
        say(f"  {FROM_CACHE}")
    for line in stale_history(output, summary["periode"]):
        say(f"  RIWAYAT  {line}")
    for table in tables:  # narrower than even its least width: a list (a 60-column terminal wrapped each row's last
        if terminal and _measured(table).minimum > console.width:  # letter: hostile trial)
            print_parts(console, as_list(table))
        else:
            console.print(table)
    if left_out:
        say(f"  ... dan {number(left_out, 0)} kabupaten/kota lain (tabel ringkasan_wilayah)")
    if summary.get("masukan"):  # which folder was read (an area rerun read another one unseen: new-user trial)
        console.print(f"  masukan: {summary['masukan']}", markup=False)
    console.print(f"  keluaran: {Path(output).resolve()}", markup=False)
    documents = (Path(summary["keluaran"][REPORTS_DIR]).resolve() if settings().documents
                 else "tidak ditulis (KOPERASI_SEHAT_DOCUMENTS=false)")
    console.print(f"  dokumen: {documents}", markup=False)  # 'laporan' is the reports read
    console.print(f"  Data Docs: {summary['data_docs']}", markup=False)
    console.print(f"  manifest: {summary['manifest']}", markup=False)


def no_questionnaire(summary: dict) -> list[str]:
    """The line a run gets when none of the cooperatives it scores with the questionnaire has one by the period's
    end (none otherwise): the month is published (a province may have none yet), and said (every management aspect
    0 went unsaid: hostile trials, a landing folder without kuesioner/, a month before the first questionnaire)."""
    scored = summary.get("koperasi_kuesioner_dinilai", 0)
    if not scored or summary.get("koperasi_tanpa_kuesioner") != scored:
        return []
    read, quarantined = summary.get("kuesioner_dibaca", 0), summary.get("kuesioner_dikarantina", 0)
    if not read:
        why = "folder kuesioner/ tidak ada atau tanpa jawaban"
    elif quarantined >= read:
        why = f"semua {number(read, 0)} jawaban di folder kuesioner/ dikarantina"
    elif "kuesioner_sesudah_periode" not in summary:  # a manifest of before the count
        why = (f"{number(read - quarantined, 0)} jawaban yang diterima di folder kuesioner/ bertanggal sesudah akhir "
               "periode atau milik koperasi lain")
    else:  # the accepted ones: theirs, dated later; the others' (not scored with it, or, an area run, other areas')
        later = summary["kuesioner_sesudah_periode"]
        others = read - quarantined - later
        why = f"{number(read - quarantined, 0)} jawaban yang diterima di folder kuesioner/: " + "; ".join(
            [f"{number(later, 0)} milik koperasi itu, bertanggal sesudah akhir periode"] * bool(later)
            + [f"{number(others, 0)} milik koperasi lain"] * bool(others))
    return [f"TANPA KUESIONER  tidak ada kuesioner diterima sampai akhir periode untuk {number(scored, 0)} koperasi "
            f"yang dinilai ({why}): aspek manajemen semuanya 0"]


def summary_markdown(summary: dict, output: Path) -> str:
    """The run's summary for the Prefect UI: counts, predicates by kabupaten/kota, top quarantine reasons."""
    ringkasan = storage.read_table(output, "ringkasan_wilayah", summary["periode"])
    predicates = {c: name for name, c in predicate_columns().items() if ringkasan[c].sum() > 0}
    lines = [f"# Kesehatan koperasi {summary['periode']}{area_scope(summary)}", "",
             "Laporan dibaca {}: dinilai {}, tidak dinilai {}, dikarantina {}, terganti {}.".format(*(
                 number(summary[key], 0) for key in ("laporan_dibaca", "dinilai", "tidak_dinilai",
                                                     "laporan_dikarantina", "laporan_terganti"))), ""]
    lines += [f"- berkas ditolak: {problem}" for problem in summary["berkas_ditolak"]]
    lines += [f"- tidak dibaca: {e['sumber']}: {e['alasan']}" for e in summary["berkas_tidak_dibaca"]]
    lines += [f"- dibersihkan: {note}" for note in summary["catatan_berkas"]]
    lines += [f"- {line}" for line in no_questionnaire(summary)]
    lines += [f"- {FROM_CACHE}"] if summary.get("masukan_umum_dari_cache") else []
    lines += ["| wilayah | koperasi | melapor | dinilai | " + " | ".join(predicates.values()) + " |",
              "|---" * (4 + len(predicates)) + "|"]
    lines += [f"| {_cell(r['kabupaten_kota'])} | {r['jumlah_koperasi']} | {r['jumlah_melapor']} | "
              f"{r['jumlah_dinilai']} | "
              + " | ".join(str(r[c]) for c in predicates) + " |" for _, r in ringkasan.iterrows()]
    lines += ["", "Alasan karantina terbanyak:", ""]
    lines += [f"- {count} x {reason}" for reason, count in summary["alasan_teratas"]] or ["- (tidak ada)"]
    top = worklist_top(output, summary["periode"], WORKLIST_IN_SUMMARY)
    lines += ["", f"## Daftar prioritas: {WORKLIST_IN_SUMMARY} teratas per kabupaten/kota", "",
              f"Artefak `{WORKLIST_ARTIFACT}`: {settings().worklist_top_n} teratas per kabupaten/kota; tabel lengkap: "
              f"`{storage.partition_path(output, 'daftar_prioritas', summary['periode'])}`; satu koperasi: "
              "`koperasi-sehat jelaskan NIK`.", "",
              "| kabupaten/kota | peringkat | koperasi | predikat | skor prioritas | pendamping | alasan |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {_cell(r['kabupaten_kota'])} | {r['peringkat']} | {_cell(r['nama'])} ({_cell(r['nik'])}) | "
              f"{r['predikat'] or '-'} | {number(r['skor_prioritas'])} | {_cell(r['pendamping'] or '-')} | "
              f"{_cell(r['alasan'])} |" for r in top]
    return "\n".join(lines)


def worklist_top(output: Path, periode: str, per_area: int) -> list[dict]:
    """The first `per_area` rows of each kabupaten/kota's daftar_prioritas: who the pendamping visit first (the
    assigned pendamping, else the suggested one)."""
    columns = ["kabupaten_kota", "peringkat", "nik", "nama", "predikat", "skor_prioritas", "pendamping", "alasan"]
    rows = storage.read_table(output, "daftar_prioritas", periode, rows=ds.field("peringkat") <= per_area,
                              columns=[*columns, "pendamping_usulan"])  # only these rows and columns are read
    rows = rows.sort_values(["kabupaten_kota", "peringkat"], kind="stable")
    rows = rows.assign(pendamping=rows["pendamping"].fillna(rows["pendamping_usulan"]))
    return rows[columns].astype(object).where(rows[columns].notna(), None).to_dict(orient="records")


def _cell(text: object) -> str:
    """Text of an input in a Markdown table cell: escaped (`shown`), its bars not read as cell borders."""
    return shown(str(text)).replace("|", "\\|")


def registry_file(summary: dict) -> str:
    """The registry file the run read (koperasi.csv, .xlsx or .parquet), from its manifest."""
    try:
        files = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))["berkas_masukan"]
    except (OSError, KeyError, TypeError, ValueError):
        return "registri"
    return next((f["sumber"] for f in files if "/" not in f["sumber"] and f["sumber"].lower().startswith("koperasi.")),
                "registri")


def moved_down(output: Path, periode: str) -> list[dict]:
    """Cooperatives whose predicate is worse than the previous period's (the book's order is best first)."""
    scored = storage.read_table(output, "skor_koperasi", periode)
    order = {name: rank for book in rulebooks().values() for rank, name in enumerate(book.predikat_names)}
    before, now = scored["predikat_sebelumnya"].map(order), scored["predikat"].map(order)
    down = scored[before.notna() & (now > before)]
    columns = ["nik", "nama", "kabupaten_kota", "predikat_sebelumnya", "predikat", "skor_total_sebelumnya",
               "skor_total"]
    return down[columns].astype(object).where(down[columns].notna(), None).to_dict(orient="records")
