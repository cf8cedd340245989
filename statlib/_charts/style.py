"""The house style of statlib charts: fonts, palette, sizes, frame, source line, output.

Every chart is a :class:`Chart` (a matplotlib Figure that shows itself in Jupyter) built inside
the house ``rcParams`` with the shipped CJK font named explicitly, so what it draws depends neither
on the machine's fonts nor on the caller's rcParams at display time.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import Formatter

from statlib import config, fonts, periods
from statlib.errors import ConfigError, StatlibError
from statlib.measures import fmt

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), colour-blind safe. The own city is vermillion; peers are grey.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
HIGHLIGHT = OKABE_ITO["vermillion"]
MUTED = "#B8B8B8"
INK = "#333333"
GRID = "#E3E3E3"
# Comparison series after the highlighted one (region, nation, …).
SERIES = (
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)
POSITIVE = OKABE_ITO["blue"]
NEGATIVE = OKABE_ITO["orange"]

_MM = 1 / 25.4
# A4 portrait type area of official documents is 156 mm wide (GB/T 9704); phone ≈ 375 CSS px.
SIZES: dict[str, tuple[float, float]] = {
    "full": (156 * _MM, 92 * _MM),
    "half": (76 * _MM, 62 * _MM),
    "phone": (100 * _MM, 84 * _MM),
}
_BASE_PT = {"full": 9.0, "half": 7.0, "phone": 8.5}
_SALT = "statlib-charts"


def house_rc(size: str = "full") -> dict[RcKeyType, Any]:
    """The ``rcParams`` of the house style for a figure size (``full``, ``half``, ``phone``)."""
    fonts.register_matplotlib()
    base = _BASE_PT[_size(size)]
    return {
        "font.family": [fonts.SANS, "DejaVu Sans"],
        "font.size": base,
        "axes.unicode_minus": False,
        "axes.titlesize": base + 2,
        "axes.labelsize": base,
        "axes.labelcolor": INK,
        "axes.edgecolor": "#888888",
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=SERIES),
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.labelsize": base - 0.5,
        "ytick.labelsize": base - 0.5,
        "xtick.major.size": 2.5,
        "ytick.major.size": 0,
        "legend.frameon": False,
        "legend.fontsize": base - 0.5,
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "svg.hashsalt": _SALT,
        "svg.fonttype": "path",
    }


def _size(size: str) -> str:
    if size not in SIZES:
        raise ConfigError(f"chart size must be one of {', '.join(SIZES)}, not {size!r}")
    return size


class Chart(Figure):
    """A matplotlib Figure in the house style; shows itself inline in Jupyter (SVG and PNG)."""

    def _repr_svg_(self) -> str:
        return to_svg(self)

    def _repr_png_(self) -> bytes | None:
        # None (IPython then leaves image/png out) where no format will embed it: drawing the
        # PNG again at 100 dpi is a third of a bulletin's cell time (setting chart_png)
        return to_png(self, dpi=100) if config.get("chart_png") != "0" else None


@contextmanager
def house(size: str = "full") -> Iterator[None]:
    """Build a chart inside the house style (rcParams restored afterwards)."""
    rc = house_rc(size)
    with mpl.rc_context(rc):
        yield


def new_chart(size: str, *, title: str, source: str, legend_rows: int = 0) -> Chart:
    """An empty chart of ``size`` with room for the title on top and the source line below."""
    width, height = SIZES[_size(size)]
    base = _BASE_PT[size]
    # Space (as a fraction of the height) kept free for the source line under the plot.
    bottom = (base * 1.9) / 72 / height if source else 0.0
    chart = Chart(figsize=(width, height))
    chart.set_layout_engine(ConstrainedLayoutEngine(rect=(0, bottom, 1, 1 - bottom), h_pad=0.04))
    chart.suptitle(title, fontsize=base + 2, fontweight="bold", color="black")
    if source:
        chart.text(
            0.012,
            0.012,
            f"数据来源：{source}" if not source.startswith("数据来源") else source,
            ha="left",
            va="bottom",
            fontsize=base - 1.5,
            color="#555555",
        )
    return chart


def axis_label(name: str | None, unit: str | None) -> str:
    """``增速（%）``; ``单位：亿元`` without a name; the name alone without a unit."""
    if name and unit:
        return f"{name}（{unit}）"
    if unit:
        return f"单位：{unit}"
    return name or ""


class HalfUpFormatter(Formatter):
    """Tick labels through :func:`statlib.measures.fmt` (half-up), never with a ``%`` sign.

    Uses the fewest decimals (0–2, or ``decimals`` if given) that show every tick exactly.
    """

    def __init__(self, decimals: int | None = None) -> None:
        self.decimals = decimals
        self._auto = 0

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        if self.decimals is None:
            self._auto = next(
                (
                    d
                    for d in (0, 1, 2)
                    if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in values)
                ),
                2,
            )
        return [self(v) for v in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x):
            return ""
        text = fmt(x, self.decimals if self.decimals is not None else self._auto)
        return "0" if text.strip("-0.") == "" else text


def period_labels(index: Collection[object], *, cumulative: bool = True) -> list[str]:
    """Chinese labels for an index of periods (``2023-02`` → ``1—2月``); other labels unchanged.

    Years are added when the index spans several years (``2022年1—2月``).
    """
    try:
        parsed = [periods.parse(str(v)) for v in index]
    except StatlibError:
        return [str(v) for v in index]
    with_year = len({p.year for p in parsed}) > 1 and any(p.freq != "A" for p in parsed)
    labels = []
    last_year = None
    for p in parsed:
        # The year is printed once, on the first period of each year.
        show_year = with_year and p.year != last_year
        labels.append(periods.label(p, cumulative=cumulative, with_year=show_year))
        last_year = p.year
    return labels


def year_runs(index: Collection[object]) -> list[slice]:
    """Runs of consecutive positions within one year. A cumulative series (1—2月, 1—3月 …
    全年) restarts every January, so its line is drawn run by run, never joined across years;
    an index that is not of periods is one run."""
    try:
        years = [periods.parse(str(v)).year for v in index]
    except StatlibError:
        return [slice(0, len(index))]
    runs, start = [], 0
    for i in range(1, len(years)):
        if years[i] != years[i - 1]:
            runs.append(slice(start, i))
            start = i
    runs.append(slice(start, len(years)))
    return runs


def _thinned_labels(index: Sequence[object], keep: list[int], cumulative: bool) -> list[str]:
    """Labels of the ``keep`` positions, the year on the first shown of each year."""
    try:
        parsed = [periods.parse(str(index[i])) for i in keep]
    except StatlibError:
        return [str(index[i]) for i in keep]
    every = [periods.parse(str(v)) for v in index]
    with_year = len({p.year for p in every}) > 1 and any(p.freq != "A" for p in every)
    labels, last_year = [], None
    for p in parsed:
        labels.append(
            periods.label(p, cumulative=cumulative, with_year=with_year and p.year != last_year)
        )
        last_year = p.year
    return labels


def fit_period_ticks(
    ax: Any, index: Sequence[object], *, cumulative: bool = True, gap: float = 3.0
) -> None:
    """Period tick labels that do not overlap: measured after layout, every k-th period is
    labelled (the latest always) for the smallest k whose labels keep ``gap`` pixels apart."""
    n = len(index)
    try:
        for v in index:
            periods.parse(str(v))
    except StatlibError:  # areas or other labels: every one is shown
        ax.set_xticks(range(n), [str(v) for v in index])
        return
    figure = ax.get_figure()
    for step in range(1, max(n, 1) + 1):
        keep = [i for i in range(n) if (n - 1 - i) % step == 0]
        ax.set_xticks(keep, _thinned_labels(index, keep, cumulative))
        figure.draw_without_rendering()
        boxes = sorted(
            (t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()),
            key=lambda b: b.x0,
        )
        if all(a.x1 + gap <= b.x0 for a, b in itertools.pairwise(boxes)):
            return


def to_svg(fig: Figure, *, text_as_paths: bool = True) -> str:
    """The chart as SVG text; deterministic (fixed ids, no date).

    Text is drawn as paths by default, so the SVG shows no tofu anywhere and needs no font;
    ``text_as_paths=False`` keeps ``<text>`` elements (searchable, needs the font where shown).
    """
    buffer = io.StringIO()
    rc: dict[RcKeyType, Any] = {
        "svg.hashsalt": _SALT,
        "svg.fonttype": "path" if text_as_paths else "none",
    }
    with mpl.rc_context(rc):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(fig: Figure, dpi: int = 200) -> bytes:
    """The chart as PNG bytes at ``dpi`` (200 for print, 100 for screens)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
