"""Charts as inline SVG drawn by matplotlib: the report's charts, and the two charts of a card.

Deterministic and offline: a matplotlib `Figure` (no pyplot state), text kept as text in the browser's sans-serif
(`svg.fonttype = none`: small, sharp when printed, readable by a screen reader), ids salted per chart, no date in
the metadata; the root element keeps its viewBox and loses its fixed size, so CSS scales a chart to a phone's
width or an A4 page.

A card's charts are the same for every cooperative but for the data: each is drawn once per rulebook (axes,
ticks, labels, the predicate bands) and filled per cooperative with the points and bars placed by the axes'
own transform (`Frame`), so 15,000 cards cost 2 matplotlib drawings per rulebook, not 30,000.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, ScalarFormatter

from flows.handouts.style import HEADER, INK, PREDICATE_COLOURS, TARGET, colour, ink, month_short, number
from scoring.rulebook_format import Rulebook

RC = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"], "font.size": 9,
      "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#6b6b6b", "axes.labelcolor": INK,
      "xtick.color": INK, "ytick.color": INK, "grid.color": "#d9d9d9", "grid.linewidth": 0.6}
METADATA = {"Date": None, "Creator": "koperasi-sehat (matplotlib)"}
DPI = 72  # SVG user units are points: display pixels at 72 dpi are the SVG's coordinates
SIZE = re.compile(r'<svg ([^>]*?)width="[\d.]+pt" height="[\d.]+pt"')
METADATA_ELEMENT = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
BETWEEN_ELEMENTS = re.compile(r">\s+<")  # the indentation matplotlib writes (text content is never blank)
PATH_BREAKS = re.compile(r" ?\n(?=[LMCQZz\"])")  # path data: "M 0 136.8 \nL 266.4 136.8 \nz\n"
# coordinates to a hundredth of a point (matplotlib writes millionths); a text's content kept as it is (20.000)
DIGITS = re.compile(r"(>[^<]*</(?:text|tspan)>)|(\d\.\d\d)\d+")


@contextmanager
def _drawing(name: str) -> Iterator[None]:
    """The handouts' matplotlib settings, with ids salted by the chart's name (unique on a page, same every run)."""
    with matplotlib.rc_context({**RC, "svg.hashsalt": f"koperasi-sehat-{name}"}):
        yield


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def svg(figure: Figure, label: str) -> str:
    """The figure as an SVG element to put inline in HTML: no XML prolog, no fixed size, labelled for readers;
    without matplotlib's RDF metadata, the indentation and line breaks between elements and inside paths, and
    coordinates beyond a hundredth of a point (the same picture in fewer bytes: 18,000 cards a month carry two charts
    each)."""
    for axis in (axis for axes in figure.axes for axis in (axes.xaxis, axes.yaxis)):
        if type(axis.get_major_formatter()) is ScalarFormatter:  # matplotlib's own, not labels a chart gave
            axis.set_major_formatter(Ticks())
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=METADATA, dpi=DPI)
    text = buffer.getvalue()
    text = METADATA_ELEMENT.sub("", text[text.index("<svg"):])
    text = DIGITS.sub(lambda m: m[1] or m[2], BETWEEN_ELEMENTS.sub("><", PATH_BREAKS.sub(" ", text)))
    return SIZE.sub(rf'<svg \1class="grafik" role="img" aria-label="{_escape(label)}"', text, count=1)


class Ticks(Formatter):
    """Tick labels as the office writes numbers (1.250; 0,5), with as few decimals (0-2) as tell the ticks apart:
    matplotlib's own wrote 0.02 and −0.04 on an empty month's histogram (review), and 1e5 past 10^5."""

    decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Take matplotlib's tick positions and choose the fewest decimals (0-2) that keep their labels distinct."""
        super().set_locs(locs)
        self.decimals = next((d for d in range(2) if np.allclose(np.round(locs, d), locs)), 2)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return number(x, self.decimals)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# --- the report's charts -----------------------------------------------------------------------------------------


def trend(periods: Sequence[str], persen_sehat: Sequence[float], target: float) -> str:
    """% Sehat of each period (a gap where none was published) against the target."""
    with _drawing("tren"):
        figure = _figure(7.5, 2.8)
        axes = figure.add_subplot()
        x = np.arange(len(periods))
        values = np.asarray(persen_sehat, dtype=float)
        axes.axhline(target, color=TARGET, linestyle="--", linewidth=1.2)
        axes.annotate(f"target {number(target, 1)}%", (x[0], target), xytext=(0, 4), textcoords="offset points",
                      color=TARGET, fontsize=8)
        axes.plot(x, values, color=PREDICATE_COLOURS["Sehat"], marker="o", linewidth=2)
        for at, value in zip(x, values):
            if not np.isnan(value):
                axes.annotate(number(value, 1), (at, value), xytext=(0, 6), textcoords="offset points",
                              ha="center", fontsize=7.5)
        axes.set_xticks(x, [month_short(p) for p in periods], fontsize=8)
        axes.set_ylim(0, max(100.0, target + 5))
        axes.set_ylabel("% Sehat")
        axes.grid(axis="y")
        return svg(figure, "Persen koperasi Sehat per bulan dan targetnya")


def predicates_by_area(areas: Sequence[str], counts: pd.DataFrame) -> str:
    """Stacked bars: cooperatives of each predicate (the frame's columns, best first) per area (its rows)."""
    with _drawing("predikat-wilayah"):
        figure = _figure(7.5, 1.2 + 0.32 * len(areas))
        axes = figure.add_subplot()
        y = np.arange(len(areas))[::-1]
        left = np.zeros(len(areas))
        for name in counts.columns:
            values = counts[name].to_numpy(dtype=float)
            axes.barh(y, values, left=left, color=colour(name), label=name, height=0.7)
            for at, start, value in zip(y, left, values):
                if value > 0:
                    axes.text(start + value / 2, at, number(value, 0), ha="center", va="center", fontsize=7,
                              color=_ink_of(name))
            left += values
        axes.set_yticks(y, list(areas))
        axes.set_xlabel("koperasi yang dinilai")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(counts.columns), 4), fontsize=7.5,
                    frameon=False)
        axes.grid(axis="x")
        return svg(figure, "Jumlah koperasi per predikat per wilayah")


def _ink_of(predikat: str) -> str:
    return ink(colour(predikat))


def score_distribution(scores: Sequence[float], book: Rulebook) -> str:
    """A histogram of the total scores in bins of 5 points, split at the predicate bands' edges (66 of ksp-2016),
    each bar in the colour of its band: a bin across an edge took the colour of its middle, so 65,05 (Dalam
    Pengawasan) was drawn as Cukup Sehat (fresh-clone trial)."""
    with _drawing("sebaran"):
        figure = _figure(7.5, 2.6)
        axes = figure.add_subplot()
        edges, counts, names = score_bins(scores, book)
        axes.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=[colour(n) for n in names],
                 edgecolor="white", linewidth=0.5)
        for band in book.predikat:
            if band.lower:
                axes.axvline(band.lower[0], color=INK, linestyle=":", linewidth=0.8)
        axes.set_xlim(0, 100)
        axes.set_ylim(0, max(counts.max(initial=0), 1) * 1.05)  # a month without scores: 0 and 1, not ±0,04
        axes.set_xlabel("skor total")
        axes.set_ylabel("koperasi")
        axes.yaxis.get_major_locator().set_params(integer=True)
        return svg(figure, "Sebaran skor total koperasi yang dinilai")


def score_bins(scores: Sequence[float], book: Rulebook) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The histogram's bins: edges (every 5 points and the bands' lower edges), the scores in each (a bin holds its
    lower edge, as `np.histogram` counts; an edge its band does not hold, x > 50, moved just past it) and each bin's
    predicate."""
    bands = [band.lower[0] + (0 if band.lower[1] else 1e-9) for band in book.predikat if band.lower]
    edges = np.unique(np.concatenate([np.arange(0, 105, 5.0), bands]))
    counts, _ = np.histogram(np.clip(np.asarray(scores, dtype=float), 0, 99.999), bins=edges)
    return edges, counts, [_band_of(book, (low + high) / 2) for low, high in zip(edges[:-1], edges[1:])]


def _band_of(book: Rulebook, value: float) -> str:
    for band in book.predikat:
        low, high = band.lower, band.upper
        if (low is None or value > low[0] or (low[1] and value == low[0])) and \
                (high is None or value < high[0] or (high[1] and value == high[0])):
            return band.nama
    return book.predikat_names[-1]


# --- a card's charts: drawn once per rulebook, filled per cooperative -------------------------------------------


@dataclass(frozen=True)
class Frame:
    """A chart drawn without data and the axes' data-to-SVG transform (x' = x0 + sx * x, y' = y0 + sy * y)."""

    head: str
    x0: float
    sx: float
    y0: float
    sy: float

    @classmethod
    def of(cls, figure: Figure, axes: Axes, label: str) -> Frame:
        """The frame of a figure drawn without data: its SVG without the closing tag and the transform of `axes`'
        data coordinates to the SVG's (y downwards)."""
        text = svg(figure, label)  # draws: the layout is final now
        (ax0, ay0), (ax1, ay1) = axes.transData.transform([(0.0, 0.0), (1.0, 1.0)])
        height = figure.bbox.height
        return cls(text[:text.rindex("</svg>")], ax0, ax1 - ax0, height - ay0, (height - ay1) - (height - ay0))

    def x(self, value: float) -> float:
        """The SVG x of a data x."""
        return self.x0 + self.sx * value

    def y(self, value: float) -> float:
        """The SVG y of a data y."""
        return self.y0 + self.sy * value

    def filled(self, content: str) -> str:
        """The chart: the frame with `content` (SVG elements placed by `x` and `y`) drawn over it."""
        return f'{self.head}<g class="isi">{content}</g></svg>'


_DRAWN: dict[tuple[str, tuple[str, ...], str], Frame] = {}  # frames drawn in this process (a backfill, a served run)
_DRAWN_KEPT = 16


class CardCharts:
    """The score history and the aspects of a card, for the trend's periods; frames made on first use per book, and
    kept for the process's later publications with the same periods and the same book (its whole text as the key)."""

    def __init__(self, periods: Sequence[str], books: dict[str, Rulebook]) -> None:
        self.periods = list(periods)
        self.books = books
        self._frames: dict[tuple[str, str], Frame] = {}

    def _frame(self, kind: str, book_id: str) -> Frame:
        key = (kind, book_id)
        if key not in self._frames:
            book = self.books[book_id]
            drawn = (kind, tuple(self.periods), book.model_dump_json())
            if drawn not in _DRAWN:
                if len(_DRAWN) >= _DRAWN_KEPT:
                    _DRAWN.clear()
                _DRAWN[drawn] = (self._history_frame if kind == "riwayat" else self._aspects_frame)(book)
            self._frames[key] = _DRAWN[drawn]
        return self._frames[key]

    def _history_frame(self, book: Rulebook) -> Frame:
        with _drawing(f"riwayat-{book.id}"):
            figure = _figure(3.7, 1.9)
            axes = figure.add_subplot()
            for band in book.predikat:
                low = band.lower[0] if band.lower else 0
                high = band.upper[0] if band.upper else 100
                axes.axhspan(low, high, color=colour(band.nama), alpha=0.22, linewidth=0)
            n = len(self.periods)
            axes.set_xlim(-0.5, n - 0.5)
            axes.set_ylim(0, 100)
            axes.set_xticks(range(n), [month_short(p).replace(" ", "\n") for p in self.periods], fontsize=6.5)
            axes.set_yticks(sorted({0, 100, *(b.lower[0] for b in book.predikat if b.lower)}))
            axes.tick_params(axis="y", labelsize=7)
            return Frame.of(figure, axes, "Riwayat skor total")

    def _aspects_frame(self, book: Rulebook) -> Frame:
        with _drawing(f"aspek-{book.id}"):
            figure = _figure(3.7, 1.9)
            axes = figure.add_subplot()
            names = [f"{a.nama} ({number(a.bobot, 0)})" for a in book.aspek]
            axes.set_ylim(-0.6, len(names) - 0.4)
            axes.set_yticks(range(len(names))[::-1], names, fontsize=6.5)
            axes.set_xlim(0, 118)
            axes.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"], fontsize=6.5)
            axes.grid(axis="x")
            return Frame.of(figure, axes, "Skor tiap aspek terhadap nilai maksimumnya")

    def history(self, book_id: str, totals: Sequence[float | None], predicates: Sequence[str | None]) -> str:
        """The totals of the trend's periods as a line (broken where a month has none), dots in predicate colours."""
        frame = self._frame("riwayat", book_id)
        runs, run, dots = [], [], []
        for i, (total, predikat) in enumerate(zip(totals, predicates)):
            if total is None or total != total:
                runs, run = runs + [run], []
                continue
            point = (frame.x(i), frame.y(total))
            run.append(point)
            dots.append(f'<circle cx="{point[0]:.2f}" cy="{point[1]:.2f}" r="3" fill="{colour(predikat)}" '
                        f'stroke="{HEADER}" stroke-width="0.8"/>')
        lines = [" ".join(f"{x:.2f},{y:.2f}" for x, y in points) for points in [*runs, run] if len(points) > 1]
        polylines = "".join(f'<polyline points="{p}" fill="none" stroke="{HEADER}" stroke-width="1.6"/>'
                            for p in lines)
        return frame.filled(polylines + "".join(dots))

    def aspects(self, book_id: str, scores: Sequence[float], predicates: Sequence[str | None]) -> str:
        """Each aspect's score as a bar of its percent of the aspect's maximum, in its predicate's colour."""
        book = self.books[book_id]
        frame = self._frame("aspek", book_id)
        bars = []
        for position, (aspek, score, predikat) in enumerate(zip(book.aspek, scores, predicates)):
            at = len(book.aspek) - 1 - position
            share = 0.0 if score is None or score != score else 100 * score / aspek.bobot
            top, bottom = frame.y(at + 0.35), frame.y(at - 0.35)
            left, right = frame.x(0), frame.x(share)
            bars.append(f'<rect x="{left:.2f}" y="{top:.2f}" width="{right - left:.2f}" height="{bottom - top:.2f}" '
                        f'fill="{colour(predikat)}"/><text x="{right + 2:.2f}" y="{(top + bottom) / 2:.2f}" '
                        f'dominant-baseline="central" font-size="6.5">{number(score)}</text>')
        return frame.filled("".join(bars))
