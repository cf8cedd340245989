"""Charts: every type renders with the shipped fonts only, deterministically, in the house style."""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib as mpl
import matplotlib.image
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_hex

from statlib import charts, fonts
from statlib.errors import ConfigError

SOURCE = "云川市统计局"
CITY = "云川市"

TREND = pd.DataFrame(
    {
        CITY: [8.1, 7.5, 7.0, 6.8, 7.2],
        "全区": [6.0, 6.2, 6.5, 6.1, 5.9],
        "全国": [5.5, 5.8, 6.0, 6.2, 6.1],
    },
    index=["2023-02", "2023-03", "2023-04", "2023-05", "2023-06"],
)
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
PEERS = pd.Series(
    {"呼和浩特市": 7.8, "包头市": 9.1, CITY: 7.2, "乌海市": 6.5, "赤峰市": 8.0, "通辽市": 5.2,
     "鄂尔多斯市": 8.4, "呼伦贝尔市": -1.2, "巴彦淖尔市": 4.0, "乌兰察布市": 3.1, "兴安盟": 6.9,
     "锡林郭勒盟": 5.5}
)  # fmt: skip
SHARES = pd.DataFrame(
    {"第一产业": [10.2, 9.8, 9.5], "第二产业": [40.1, 41.0, 42.3], "第三产业": [49.7, 49.2, 48.2]},
    index=[2021, 2022, 2023],
)
PARTS = pd.Series({"第一产业": 5.2, "第二产业": 60.3, "第三产业": 38.0, "净出口": -3.5})

BUILDERS: dict[str, Callable[[], charts.Chart]] = {
    "growth_trend": lambda: charts.growth_trend(
        TREND, title="1—6月规模以上工业增加值累计增速", source=SOURCE, highlight=CITY
    ),
    "level_growth": lambda: charts.level_growth(
        pd.Series([120.5, 260.3, 410.8, 580.2], index=QUARTERS),
        pd.Series([5.1, 5.6, -0.3, 6.2], index=QUARTERS),
        title="云川市地区生产总值及增速", source=SOURCE,
    ),
    "peer_ranking": lambda: charts.peer_ranking(
        PEERS, highlight=CITY, title="1—11月各盟市规模以上工业增加值增速", source=SOURCE
    ),
    "structure": lambda: charts.structure(SHARES, title="云川市三次产业结构", source=SOURCE),
    "contribution": lambda: charts.contribution(
        PARTS, "地区生产总值", title="三大需求对经济增长的贡献率", source=SOURCE
    ),
}  # fmt: skip
TITLES = {
    "growth_trend": "1—6月规模以上工业增加值累计增速",
    "level_growth": "云川市地区生产总值及增速",
    "peer_ranking": "1—11月各盟市规模以上工业增加值增速",
    "structure": "云川市三次产业结构",
    "contribution": "三大需求对经济增长的贡献率",
}


@pytest.fixture()
def shipped_fonts_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matplotlib sees only its bundled fonts and the shipped ones: no machine font at all."""
    fonts.register_matplotlib()
    manager = font_manager.fontManager
    bundled = Path(mpl.get_data_path()).resolve()
    shipped = fonts.font_dir().resolve()
    kept = [
        entry
        for entry in manager.ttflist
        if Path(entry.fname).resolve().is_relative_to(bundled)
        or Path(entry.fname).resolve().is_relative_to(shipped)
    ]
    assert any(entry.name == fonts.SANS for entry in kept)
    monkeypatch.setattr(manager, "ttflist", kept)
    manager._findfont_cached.cache_clear()
    yield
    manager._findfont_cached.cache_clear()


def _glyph_warnings(records: list[warnings.WarningMessage]) -> list[str]:
    return [str(r.message) for r in records if "missing from font" in str(r.message)]


def _render_all(chart: charts.Chart) -> tuple[str, bytes]:
    return charts.to_svg(chart), charts.to_png(chart, dpi=80)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_chart_renders_with_shipped_fonts_only(kind: str, shipped_fonts_only: None) -> None:
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        chart = BUILDERS[kind]()
        svg, png = _render_all(chart)
    assert not _glyph_warnings(records), _glyph_warnings(records)
    assert svg.startswith("<?xml") and "<path" in svg
    image = matplotlib.image.imread(io.BytesIO(png))
    assert image.shape[0] > 100 and image.std() > 0.05  # not blank


def test_missing_glyph_detection_works(shipped_fonts_only: None) -> None:
    """Negative control: the same check flags a CJK title drawn in a Latin-only font."""
    chart = charts.Chart()
    chart.suptitle("云川市", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        charts.to_svg(chart)
    assert _glyph_warnings(records)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_svg_is_deterministic(kind: str) -> None:
    first = charts.to_svg(BUILDERS[kind]())
    second = charts.to_svg(BUILDERS[kind]())
    assert first == second
    assert "<dc:date>" not in first


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_title_and_source_line_are_in_svg_text(kind: str) -> None:
    svg = charts.to_svg(BUILDERS[kind](), text_as_paths=False)
    assert TITLES[kind] in svg
    assert f"数据来源：{SOURCE}" in svg
    assert fonts.SANS in svg  # the shipped family is named for the text


def test_growth_trend_period_labels_and_unit() -> None:
    chart = BUILDERS["growth_trend"]()
    chart.canvas.draw()
    ax = chart.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "1—2月",
        "1—3月",
        "1—4月",
        "1—5月",
        "1—6月",
    ]
    assert ax.get_ylabel() == "增速（%）"
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and not any("%" in t for t in ticks)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert to_hex(ax.get_lines()[0].get_color()) == charts.HIGHLIGHT.lower()
    assert len(lines) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [CITY, "全区", "全国"]


TWO_YEARS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(2, 13)]  # 1—2月 … 1—12月


@pytest.mark.parametrize(
    ("kind", "cumulative", "runs"),
    [
        ("growth_trend", True, [(0, 10), (11, 21)]),  # 2022's 1—12月 never joins 2023's 1—2月
        ("growth_trend", False, [(0, 21)]),  # 当月 values: one line
        ("level_growth", True, [(0, 10), (11, 21)]),
    ],
)
def test_cumulative_lines_break_at_each_year(
    kind: str, cumulative: bool, runs: list[tuple[int, int]]
) -> None:
    values = pd.Series([float(i % 11 + 1) for i in range(len(TWO_YEARS))], index=TWO_YEARS)
    if kind == "growth_trend":
        chart = charts.growth_trend(
            pd.DataFrame({CITY: values}), title="增速", source=SOURCE, cumulative=cumulative
        )
        ax = chart.axes[0]
    else:
        chart = charts.level_growth(
            values * 10, values, title="总量及增速", source=SOURCE, cumulative=cumulative
        )
        ax = chart.axes[1]  # the growth line on the right axis
    drawn = [
        (int(line.get_xdata()[0]), int(line.get_xdata()[-1]))
        for line in ax.get_lines()
        if line.get_transform() is ax.transData
    ]
    assert drawn == runs


@pytest.mark.parametrize("size", ["phone", "half", "full"])
def test_period_labels_thinned_until_none_overlaps(size: str) -> None:
    values = pd.Series([float(i % 11 + 1) for i in range(len(TWO_YEARS))], index=TWO_YEARS)
    chart = charts.growth_trend(
        pd.DataFrame({CITY: values}), title="增速", source=SOURCE, size=size
    )
    chart.draw_without_rendering()
    ax = chart.axes[0]
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    boxes = [t.get_window_extent() for t in labels]
    assert all(a.x1 + 1 <= b.x0 for a, b in itertools.pairwise(boxes))
    texts = [t.get_text() for t in labels]
    assert texts[-1].endswith("1—12月")  # the latest period is always labelled
    assert sum("年" in t for t in texts) == 2, texts  # each year named once, on its first label
    assert len(texts) < len(TWO_YEARS)  # 22 labels do not fit even the full width


def test_peer_ranking_highlights_own_city_and_annotates_rank() -> None:
    chart = BUILDERS["peer_ranking"]()
    ax = chart.axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    own = [p for p in bars if to_hex(p.get_facecolor()) == charts.HIGHLIGHT.lower()]
    assert len(own) == 1 and own[0].get_width() == pytest.approx(7.2)
    assert all(to_hex(p.get_facecolor()) == charts.MUTED.lower() for p in bars if p not in own)
    by_height = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    )
    assert by_height[-1][1] == "包头市" and by_height[0][1] == "呼伦贝尔市"  # largest on top
    texts = [t.get_text() for t in ax.texts]
    assert "居全区第5位" in texts
    assert "-1.2" in texts and "9.1" in texts  # half-up values next to the bars
    svg = charts.to_svg(chart, text_as_paths=False)
    assert charts.HIGHLIGHT.lower() in svg.lower()


def test_structure_labels_shares_and_stacks_to_100() -> None:
    chart = BUILDERS["structure"]()
    ax = chart.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"10.2", "40.1", "49.7", "42.3"} <= texts
    tops = {}
    for p in ax.patches:
        x = round(p.get_x(), 6)
        tops[x] = max(tops.get(x, 0), p.get_y() + p.get_height())
    assert all(top == pytest.approx(100) for top in tops.values())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021年", "2022年", "2023年"]


def test_contribution_colours_by_sign_and_labels_unit() -> None:
    chart = BUILDERS["contribution"]()
    ax = chart.axes[0]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert len(set(colours[:3])) == 1 and colours[3] != colours[0]
    assert ax.get_ylabel() == "对地区生产总值增长的贡献率（%）"
    pull = charts.contribution(PARTS / 10, "地区生产总值", kind="pull", title="拉动", source=SOURCE)
    assert pull.axes[0].get_ylabel() == "拉动地区生产总值增长（个百分点）"


def test_numbers_are_half_up() -> None:
    chart = charts.peer_ranking(
        pd.Series({CITY: 2.25, "甲市": 0.1 + 0.2, "乙市": -0.05}),
        highlight=CITY,
        title="t",
        source="s",
    )
    texts = {t.get_text() for t in chart.axes[0].texts}
    assert {"2.3", "0.3", "-0.1"} <= texts


@pytest.mark.parametrize("size", sorted(charts.SIZES))
def test_sizes(size: str) -> None:
    chart = charts.structure(SHARES, title="结构", source=SOURCE, size=size)
    assert tuple(chart.get_size_inches()) == pytest.approx(charts.SIZES[size])


def test_style_does_not_leak_into_caller_rcparams() -> None:
    before = dict(mpl.rcParams)
    BUILDERS["growth_trend"]()
    assert mpl.rcParams["axes.spines.top"] == before["axes.spines.top"]
    assert mpl.rcParams["svg.fonttype"] == before["svg.fonttype"]


def test_chart_shows_itself_in_jupyter() -> None:
    chart = BUILDERS["structure"]()
    assert chart._repr_svg_().startswith("<?xml")
    assert chart._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: charts.growth_trend(TREND, title="t", source="s", highlight="某市"), "highlight"),
        (lambda: charts.peer_ranking(PEERS, highlight="某市", title="t", source="s"), "highlight"),
        (lambda: charts.structure(SHARES, title="t", source="s", size="A3"), "size"),
        (lambda: charts.contribution(PARTS, "GDP", title="t", source="s", kind="x"), "kind"),
        (lambda: charts.growth_trend(TREND.iloc[:0], title="t", source="s"), "empty"),
    ],
)
def test_bad_arguments_raise_config_error(call: Callable[[], object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()


def test_no_pyplot_figures_are_left_open() -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    BUILDERS["peer_ranking"]()
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    ("setting", "mimes"),
    [
        (None, ["image/png", "image/svg+xml", "text/plain"]),  # JupyterLab, papermill: both
        ("1", ["image/png", "image/svg+xml", "text/plain"]),
        ("0", ["image/svg+xml", "text/plain"]),  # a batch job without docx or wechat
    ],
)
def test_chart_png_follows_the_setting(
    setting: str | None, mimes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from IPython.core.formatters import DisplayFormatter

    if setting is None:
        monkeypatch.delenv("STATLIB_CHART_PNG", raising=False)
    else:
        monkeypatch.setenv("STATLIB_CHART_PNG", setting)
    chart = BUILDERS["growth_trend"]()
    data, _ = DisplayFormatter().format(chart)
    assert sorted(data) == mimes
    if "image/png" in data:
        assert data["image/png"][:4] == b"\x89PNG"
    # the SVG is the same bytes either way: the HTML and PDF do not change
    assert data["image/svg+xml"] == charts.to_svg(chart)
