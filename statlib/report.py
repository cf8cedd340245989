"""The words a publication notebook is written in: paragraphs, headings, the standard sentences.

A publication notebook opens one :class:`Document` after its parameters cell; the document
checks the parameters (period, region, edition against the store) and then writes Markdown
through ``IPython.display``, so that each cell reads as the section it prints::

    doc = report.Document(store, period=period, region=region, edition=edition)
    doc.say(f"# {doc.region.name}{doc.period.year}年{LABEL}经济运行情况")
    doc.heading("工业生产")                      # ## 一、工业生产
    doc.say(doc.describe("ind_va_cum_growth"), doc.rank_move("ind_va_cum_growth"))
    doc.say(doc.leaders("ind_va_cum_growth"))   # 分旗县区看，…增速居前3位的是…
    doc.table(LINES, source=SOURCE)             # 附表 主要经济指标
    doc.notes(codes, remarks=[...])             # 附注

Underneath are pure functions that return strings (:func:`paragraph`, :func:`section`,
:func:`growth_list`, :func:`tally`, :func:`leaders`, :func:`rank_move`, :func:`verdict`,
:func:`pct`, :func:`interval`), and the 附表 and 附注 (:class:`Line`, :func:`attached_table`,
:func:`notes`, :func:`nominal_real`). The indicator sentence itself is ``phrase.describe``;
the wording of growth, changes and ranks is ``statlib.phrase``; it names the price basis
itself, so no sentence is patched by string replacement.

>>> paragraph("1—11月，", "", "全市…。"), section(2, "固定资产投资")
('1—11月，全市…。', '## 二、固定资产投资')
>>> growth_list([("规模以上工业增加值", -1.2), ("固定资产投资", 5.0)])
'规模以上工业增加值同比下降1.2%，固定资产投资增长5.0%'
>>> tally(4, [(4, 0, "增速比1—10月加快", "增速比1—10月回落"), (0, 4, "高于全市", "低于全市")])
'4项主要指标增速均比1—10月加快，均低于全市。'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from statlib import editions, measures, periods
from statlib._attached import (
    ROUNDING_REMARK,
    Line,
    attached_table,
    nominal_real,
    notes,
    peer_rank,
    value,
)
from statlib._text import md_text
from statlib.errors import ConfigError, DataError, EditionError
from statlib.phrase import describe, growth, rank_change

__all__ = [
    "ROUNDING_REMARK",
    "Document",
    "Line",
    "attached_table",
    "check_parameters",
    "check_store_edition",
    "drivers",
    "growth_list",
    "interval",
    "leaders",
    "nominal_real",
    "notes",
    "paragraph",
    "pct",
    "peer_rank",
    "points",
    "previous_label",
    "rank_move",
    "section",
    "tally",
    "value",
    "verdict",
]

_NUMERALS = "一二三四五六七八九十"
_EXAMPLES = {"M": "2023-11", "Q": "2023Q3"}


def check_parameters(
    store: Any,
    period: str | periods.Period,
    region: str,
    edition: str,
    *,
    freq: str = "M",
    indicator: str = "ind_va_cum_growth",
    regions: Sequence[str] | None = None,
) -> tuple[periods.Period, Any]:
    """Validate a notebook's ``period``, ``region`` and ``edition``; ConfigError says what to do.

    ``freq`` is the period type the notebook publishes (``M`` or ``Q``); the period must have
    ``indicator`` for ``region`` in the store. ``regions`` (codes) limits the regions allowed.
    The store must serve ``edition``'s data layer (``statlib.editions``): a public or masked
    run with an internal store is refused. Returns the parsed period and the Region.
    """
    check_store_edition(store, edition)
    reg = _region(store, region, regions)
    p = periods.parse(period, where="notebook parameter period")
    if p.freq != freq:
        example = _EXAMPLES.get(freq, "2023")
        raise ConfigError(f"period {period!r}: this publication needs a period such as {example}")
    if freq == "M" and p.sub == 1:
        raise ConfigError(
            f"period {period!r}: January and February are published together (1—2月); "
            f"use {p.year}-02"
        )
    have = store.series(indicator, reg.code)
    if str(p) not in have.index:
        span = f"{have.index[0]} … {have.index[-1]}" if len(have) else "none"
        raise ConfigError(
            f"period {period!r} is outside the data of {reg.name} ({indicator}: {span})"
        )
    return p, reg


def _region(store: Any, region: str, regions: Sequence[str] | None) -> Any:
    try:
        reg = store.region(str(region))
    except DataError as exc:
        raise ConfigError(f"region: {exc}") from None
    if regions is not None and reg.code not in regions:
        names = "、".join(store.region(r).name for r in regions)
        raise ConfigError(f"region {region!r} ({reg.name}) is not covered here; use one of {names}")
    return reg


def check_store_edition(store: Any, edition: object) -> str:
    """``edition`` checked, and the store checked to serve its data layer; EditionError if not."""
    wanted = editions.data_layer(editions.check(edition))
    if store.data_layer != wanted:
        raise EditionError(
            f"edition={edition!r} needs the {wanted} data layer, but the store serves the "
            f"{store.edition} edition: open it with statlib.open_store(edition=edition)"
        )
    return str(edition)


def paragraph(*parts: str | None) -> str:
    """One paragraph from its parts; empty parts (a clause left out) are skipped."""
    return "".join(p for p in parts if p)


def section(number: int, title: str) -> str:
    """A numbered section heading: ``## 二、固定资产投资`` (number 1 is 一)."""
    if not 1 <= number <= len(_NUMERALS):
        raise ConfigError(f"section: a document has sections 1 to {len(_NUMERALS)}, not {number}")
    return f"## {_NUMERALS[number - 1]}、{title}"


def growth_list(
    items: Sequence[tuple[str, float]], *, base: str = "同比", sep: str = "，", kind: str = "volume"
) -> str:
    """Several growth rates in one run, the base word (``同比``, ``比上年``) on the first clause
    whatever its direction: ``规模以上工业增加值同比下降1.2%，固定资产投资增长5.0%``.

    Each item is (the text before the rate, e.g. ``第一产业增加值118.52亿元，``, and the rate)."""
    return sep.join(
        f"{text}{base if i == 0 else ''}{growth(rate, kind)}"
        for i, (text, rate) in enumerate(items)
    )


def tally(
    total: int, counts: Sequence[tuple[int, int, str, str]], *, what: str = "主要指标"
) -> str:
    """How many of ``total`` indicators went one way, as a bulletin says it.

    ``counts`` holds (how many up, how many down, the up words, the down words), e.g.
    ``(3, 1, "增速比1—10月加快", "增速比1—10月回落")``. All up → ``均…加快``; all down →
    ``均…回落``; some up → ``3项增速比1—10月加快``; none up and not all down → nothing said
    (never ``0项``). Empty when nothing is to be said.

    >>> up, down = ("增速比1—10月加快", "增速比1—10月回落"), ("增速高于全市", "增速低于全市")
    >>> tally(4, [(3, 1, *up), (0, 2, *down)])
    '4项主要指标中，3项增速比1—10月加快。'
    """
    clauses: list[str] = []
    every = True
    for up, down, up_words, down_words in counts:
        if total and up == total:
            clauses.append("均" + up_words.removeprefix("增速"))
        elif total and down == total:
            clauses.append("均" + down_words.removeprefix("增速"))
        elif up > 0:
            clauses.append(f"{up}项{up_words}")
            every = False
    if not clauses:
        return ""
    if every:
        return f"{total}项{what}增速" + "，".join(clauses) + "。"
    return (
        f"{total}项{what}中，"
        + "，".join(c if not c.startswith("均") else "增速" + c for c in clauses)
        + "。"
    )


def previous_label(period: str | periods.Period, previous: str | periods.Period) -> str:
    """How prose names the previous cumulative period: ``1—10月``, ``上年全年``, ``上年1—3季度``."""
    a, b = periods.parse(period), periods.parse(previous)
    if b.year < a.year:
        return "上年全年" if b.last_month == 12 else "上年" + periods.label(b)
    return periods.label(b)


def leaders(store: Any, indicator: str, regions: Iterable[str], period: str, *, n: int = 3) -> str:
    """The counties by growth: the fastest ``n`` and how many grew; empty with fewer than two.

    ``分旗县区看，规模以上工业增加值增速居前3位的是川东区（增长9.1%）、…；9个旗县区全部实现增长。``
    Compared on the published (rounded) rates; ``indicator`` is a growth indicator."""
    rates = {c: v for c in regions if (v := value(store, indicator, c, period)) is not None}
    if len(rates) < 2:
        return ""
    shown = {c: float(measures.round_half_up(v, 1)) for c, v in rates.items()}
    order = sorted(shown, key=lambda c: -shown[c])[:n]
    grew = sum(v > 0 for v in shown.values())
    top = "、".join(f"{md_text(store.region(c).name)}（{growth(shown[c])}）" for c in order)
    how = "全部实现增长" if grew == len(shown) else f"中{grew}个实现增长"
    ind = store.indicator(indicator)
    level = store.indicator(ind.growth_of) if ind.growth_of else ind
    name = md_text(level.name.replace("（累计）", ""))
    return f"分旗县区看，{name}增速居前{len(order)}位的是{top}；{len(shown)}个旗县区{how}。"


def rank_move(store: Any, indicator: str, region: str, period: str, before: str, label: str) -> str:
    """``排名较1—10月提升两位。``: the move in the peer group since ``before`` (named ``label``);
    empty when either rank is unknown."""
    now = peer_rank(store, indicator, region, period)
    then = peer_rank(store, indicator, region, before)
    if now is None or then is None:
        return ""
    return rank_change(now, then, label) + "。"


def verdict(growth: float, before: float | None, reference: float | None) -> str:
    """The headline's adjective, from the rounded GDP growth (the documented rule):
    growth ≤ 0 → 承压运行; faster than the previous period and not below the region above →
    稳中向好; faster → 稳中有进; slower by more than 0.5 points → 稳中承压; else 总体平稳.

    >>> verdict(5.2, 4.8, 5.0), verdict(5.2, 4.8, 5.5), verdict(4.0, 4.8, None)
    ('稳中向好', '稳中有进', '稳中承压')
    """
    if growth <= 0:
        return "承压运行"
    if before is not None and growth > before:
        return "稳中向好" if reference is not None and growth >= reference else "稳中有进"
    if before is not None and before - growth > 0.5:
        return "稳中承压"
    return "总体平稳"


def pct(x: float) -> str:
    """A rate as prose shows it: ``85.3%`` (half-up, one decimal)."""
    return measures.fmt(x) + "%"


def interval(low: float, high: float, unit: str = "%") -> str:
    """A confidence interval: ``83.1%～87.5%``."""
    return f"{measures.fmt(low)}{unit}～{measures.fmt(high)}{unit}"


def points(now: float, before: float) -> float:
    """The change in percentage points between the published (rounded) rates, as prose says it.

    >>> points(85.26, 83.94)
    1.4
    """
    return float(measures.round_half_up(now) - measures.round_half_up(before))


def drivers(
    units: pd.DataFrame, category: str, year: int, region: str | None = None
) -> tuple[pd.DataFrame, float, float]:
    """The units of ``category`` (above scale) by their pull on the value added of ``year``.

    ``units`` is ``store.units()``. Returns the units ordered by the size of their pull
    (columns name, region, industry_name, before, now, pull, contribution), the category's
    value added the year before and in ``year``. Units that entered or left count with 0 in the
    year they are absent (``measures.pull``, ``measures.contribution``)."""
    frame = units[
        (units["category"] == category)
        & units["above_scale"]
        & units["year"].isin([year - 1, year])
    ]
    if region is not None:
        frame = frame[frame["region"] == region]
    wide = frame.pivot_table(
        index="unit_id", columns="year", values="value_added", aggfunc="sum"
    ).reindex(columns=[year - 1, year])
    total_before = wide[year - 1].sum()
    total_now = wide[year].sum()
    delta = wide[year].fillna(0) - wide[year - 1].fillna(0)
    names = frame.sort_values("year").groupby("unit_id")[["name", "region", "industry_name"]].last()
    out = names.assign(
        before=wide[year - 1], now=wide[year], pull=measures.pull(delta, total_before)
    )
    out["contribution"] = measures.contribution(delta, total_now - total_before)
    out = out.reindex(out["pull"].abs().sort_values(ascending=False).index)
    return out, total_before, total_now


class Document:
    """One publication being written: its store, period, region and edition, and its sections.

    With ``period`` the parameters are checked as :func:`check_parameters` does (``freq``,
    ``indicator``, ``regions``); without (a survey report) the edition and the region are.
    ``doc.period`` is the parsed Period (None without), ``doc.region`` the Region. Methods that
    write (``say``, ``heading``, ``notes``) display Markdown; the others return text or figures
    for the document's region and period unless told another ``where`` or ``when``.
    """

    def __init__(
        self,
        store: Any,
        *,
        region: str,
        edition: str,
        period: str | periods.Period | None = None,
        freq: str = "M",
        indicator: str = "ind_va_cum_growth",
        regions: Sequence[str] | None = None,
    ) -> None:
        self.store = store
        self.edition = str(edition)
        self.period: periods.Period | None = None
        if period is None:
            check_store_edition(store, edition)
            self.region = _region(store, region, regions)
        else:
            self.period, self.region = check_parameters(
                store, period, region, edition, freq=freq, indicator=indicator, regions=regions
            )
        self._sections = 0

    def _when(self, when: str | None) -> str:
        if when is not None:
            return str(when)
        if self.period is None:
            raise ConfigError("this document has no period: pass when=")
        return str(self.period)

    def say(self, *parts: str | None) -> None:
        """Display one paragraph (or heading) of Markdown made of ``parts``."""
        from IPython.display import Markdown, display

        display(Markdown(paragraph(*parts)))

    def heading(self, title: str) -> None:
        """Display the next numbered section heading: ``## 一、工业生产``, ``## 二、…``."""
        self._sections += 1
        self.say(section(self._sections, title))

    def value(self, code: str, where: str | None = None, when: str | None = None) -> float | None:
        """One published value, or None when missing or confidential (``Store.value``)."""
        return value(self.store, code, where or self.region.code, self._when(when))

    def rounded(self, code: str, where: str | None = None, when: str | None = None) -> float | None:
        """The value as published, rounded half-up to one decimal (None when missing)."""
        v = self.value(code, where, when)
        return None if v is None else float(measures.round_half_up(v, 1))

    def rank(self, code: str, where: str | None = None, when: str | None = None) -> int | None:
        """The rank (1 = highest) in the peer group on the published figures (``peer_rank``)."""
        return peer_rank(self.store, code, where or self.region.code, self._when(when))

    def describe(
        self,
        code: str,
        where: str | None = None,
        when: str | None = None,
        **options: Any,
    ) -> str:
        """The standard sentence for ``code`` (``phrase.describe``, same ``options``): the
        wording follows the indicator's kind and names its price basis."""
        text: str = describe(
            self.store, code, where or self.region.code, self._when(when), **options
        )
        return text

    def leaders(
        self,
        code: str,
        when: str | None = None,
        *,
        n: int = 3,
        regions: Iterable[str] | None = None,
    ) -> str:
        """The county leaders sentence (:func:`leaders`) among ``regions``, by default the
        region's children."""
        if regions is None:
            regions = [c.code for c in self.store.children(self.region)]
        return leaders(self.store, code, regions, self._when(when), n=n)

    def rank_move(self, code: str, before: str | None = None, label: str | None = None) -> str:
        """The rank move since ``before`` (by default the previous cumulative period, named as
        :func:`previous_label` names it): ``排名较1—10月提升两位。``"""
        now = self._when(None)
        before = before or periods.previous(now)
        label = label or previous_label(now, before)
        return rank_move(self.store, code, self.region.code, now, before, label)

    def table(self, lines: Sequence[Line], *, when: str | None = None, **options: Any) -> Any:
        """The 附表 (:func:`attached_table`) for the document's region and period."""
        return attached_table(self.store, lines, self.region.code, self._when(when), **options)

    def notes(self, codes: Sequence[str], *, remarks: Sequence[str] = ()) -> None:
        """Display the 附注 of the indicators ``codes`` (:func:`notes`)."""
        self.say(notes(self.store, codes, remarks=remarks))

    def nominal_real(self, code: str, when: str | None = None, *, subject: str) -> str | None:
        """Income in the official form (:func:`nominal_real`), or None when missing."""
        return nominal_real(self.store, code, self.region.code, self._when(when), subject=subject)
