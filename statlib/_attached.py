"""The attached table (附表 主要经济指标, CONVENTIONS §7) and its notes (附注).

Private: notebooks reach these through ``statlib.report`` (``report.Line``,
``report.attached_table``, ``report.notes`` or a ``report.Document``'s ``table`` and ``notes``).

>>> Line("retail_cum", month="retail").label is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from statlib import measures, periods
from statlib._describe import GROWTH_ONLY, peer_rank
from statlib._text import md_text
from statlib.errors import ConfigError

__all__ = [
    "ROUNDING_REMARK",
    "Line",
    "attached_table",
    "nominal_real",
    "notes",
    "peer_rank",
    "value",
]

ROUNDING_REMARK = "部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"


def value(store: Any, indicator: str, region: str, period: str) -> float | None:
    """One published value, or None when it is missing or confidential (``Store.value``)."""
    return store.value(indicator, region, period)


@dataclass(frozen=True)
class Line:
    """One row of the 附表: the 1—X月 (or month-end) indicator and the 当月 one, by code.

    Either may be a level (its growth partner comes from the catalogue) or a growth-only
    indicator (the 绝对量 stays blank). ``period`` overrides the table's period (规上服务业,
    one month behind); ``label`` overrides the catalogue name.
    """

    cumulative: str | None
    month: str | None = None
    label: str | None = None
    sub_item: bool = False
    period: str | None = None


def _level_growth(store: Any, code: str | None) -> tuple[Any, Any]:
    if code is None:
        return None, None
    ind = store.indicator(code)
    if ind.is_growth:
        return None, ind
    if ind.kind == "index":
        return ind, None
    return ind, store.growth_indicator(ind)


def attached_table(
    store: Any,
    lines: Sequence[Line],
    region: str,
    period: str,
    *,
    title: str = "主要经济指标",
    source: str | None = None,
    current: bool = True,
) -> Any:
    """附表 主要经济指标: 当月 (绝对量, 同比增长) and 1—X月 (绝对量, 同比增长, 位次).

    Units and decimals per row from the catalogue; growth-only indicators have a blank level;
    位次 ranks the 1—X月 growth in the peer group (the 12 盟市 for a city, the 旗县区 for a
    county). Stocks (存贷款余额) show their month-end figure in the 1—X月 columns.
    ``current=False`` leaves out the 当月 group (a quarterly release: 前三季度 only); a Line's
    ``period`` ending in another month than the table's is named in its label (``（1—10月）``).
    """
    from statlib import tables

    p = periods.parse(period)
    # a whole year (1—12月, four quarters) is 全年 and compares 比上年, as the text says it
    rate = "比上年增长(%)" if periods.whole_year(p) else "同比增长(%)"
    cumulative = tables.group(
        periods.prose_label(p), "绝对量", tables.col(rate, 1), tables.col("位次", 0)
    )
    month = tables.group(periods.label(p, cumulative=False), "绝对量", tables.col("同比增长(%)", 1))
    table = tables.Table(title)
    table = table.columns(month, cumulative) if current else table.columns(cumulative)
    for line in lines:
        when = line.period or str(p)
        cum_level, cum_growth = _level_growth(store, line.cumulative)
        mon_level, mon_growth = _level_growth(store, line.month)
        main = cum_level or cum_growth or mon_level or mon_growth
        if main is None:
            raise ConfigError("attached_table: a Line needs an indicator")
        label = line.label or _row_name(main)
        lp = periods.parse(when)
        if main.kind in ("stock", "balance") and lp.freq == "M":
            label += f"（{lp.sub}月末）"
        elif lp.last_month != p.last_month:
            label += f"（{periods.label(lp)}）"

        def get(ind: Any, when: str = when) -> float | None:
            return None if ind is None else value(store, ind.code, region, when)

        monthly_ok = p.freq == "M" and p.sub > 2  # 1—2月: the month is the cumulative figure
        row = [
            get(mon_level) if monthly_ok else None,
            get(mon_growth) if monthly_ok else None,
            get(cum_level),
            get(cum_growth),
            peer_rank(store, cum_growth.code, region, when) if cum_growth else None,
        ]
        if main.kind == "index" and row[0] is None and row[2] is None:
            row[0] = get(main)
        if cum_level is not None and any(g in cum_level.name for g in GROWTH_ONLY):
            row[2] = None
        if mon_level is not None and any(g in mon_level.name for g in GROWTH_ONLY):
            row[0] = None
        if not current:
            row = row[2:]
        table = table.row(
            label,
            row,
            unit=main.unit if not main.is_growth else "%",
            decimals=main.decimals if not main.is_growth else 1,
            level=1 if line.sub_item else 0,
            sub_item=line.sub_item,
        )
    return table.source(source) if source else table


def _row_name(ind: Any) -> str:
    name = ind.name
    for tag in ("（当月）", "（累计）"):
        name = name.replace(tag, "")
    return name.removesuffix("增长") if ind.is_growth else name


def notes(store: Any, indicators: Sequence[str], *, remarks: Sequence[str] = ()) -> str:
    """附注 in Markdown from indicator metadata: 1. 指标解释 2. 统计范围 3. 数据来源 4. 说明.

    ``indicators`` are the codes in the table; a level brings its growth partners (the 附表
    shows the growth published with it), so the price basis names every indicator in the
    table whose growth is at comparable prices (GDP and 规上工业 alike, the real income growth)
    and says the others are at current prices only when there are others. Each text appears
    once (growth indicators share their level's definition). ``remarks`` are added to 说明
    after the price-basis remark and before the rounding remark. The names, definitions,
    scopes and sources come from data and are escaped as Markdown text (``md_text``);
    ``remarks`` are the author's Markdown.
    """
    inds = [store.indicator(code) for code in indicators]
    seen: set[str] = set()
    defs, scopes, sources = [], [], []
    for ind in inds:
        name = _row_name(ind)
        described = store.indicator(ind.growth_of) if ind.is_growth and ind.growth_of else ind
        if described.definition and described.definition not in seen:
            seen.add(described.definition)
            defs.append(f"{md_text(name)}：{md_text(described.definition)}")
        if ind.scope and ind.scope not in seen:
            seen.add(ind.scope)
            scopes.append(f"{md_text(name)}：{md_text(ind.scope)}。")
    rates = _growths_in_table(store, inds)
    for ind in [*inds, *rates]:
        if ind.source and md_text(ind.source) not in sources:
            sources.append(md_text(ind.source))
    said = []
    comparable = [_basis_name(store, i) for i in rates if i.price_basis == "comparable"]
    if comparable:
        names = "、".join(md_text(n) for n in dict.fromkeys(comparable))
        others = any(i.price_basis != "comparable" for i in rates)
        rest = "，其余指标增速按现价计算" if others else ""
        said.append(f"{names}增速按可比价格计算{rest}。")
    said += [*remarks, ROUNDING_REMARK]
    parts = ["**附注**", "", "1. 指标解释", "", *_bullets(defs), "", "2. 统计范围", ""]
    parts += [*_bullets(scopes), "", "3. 数据来源", "", *_bullets(sources), "", "4. 说明", ""]
    parts += _bullets(said)
    return "\n".join(parts) + "\n"


def _growths_in_table(store: Any, inds: Sequence[Any]) -> list[Any]:
    """The growth indicators a table of ``inds`` shows: growth codes given, and the growth
    partners of the levels given (in the catalogue's ``growth_of``), each once, in order."""
    catalogue = store.indicators()
    out: dict[str, Any] = {}
    for ind in inds:
        if ind.is_growth:
            out.setdefault(ind.code, ind)
            continue
        for code in catalogue.loc[catalogue["growth_of"] == ind.code, "code"]:
            partner = store.indicator(code)
            if partner.is_growth:
                out.setdefault(partner.code, partner)
    return list(out.values())


def _basis_name(store: Any, ind: Any) -> str:
    """How the price-basis note names a growth indicator: its row name, or ``…实际`` for the
    real growth of a level that also has a nominal growth (城乡居民人均可支配收入实际)."""
    name = _row_name(ind)
    if ind.growth_of:
        level = store.indicator(ind.growth_of)
        base = _row_name(level)
        if "实际" in ind.name:
            return base + "实际"
        return base
    return name


def _bullets(items: Sequence[str]) -> list[str]:
    return [f"   - {text}" for text in items]


def nominal_real(
    store: Any, indicator: str, region: str, period: str, *, subject: str
) -> str | None:
    """Income in the official form (CONVENTIONS §4): level, 名义增长, 扣除价格因素, 实际增长.

    ``全市城乡居民人均可支配收入58565元，同比名义增长7.1%，扣除价格因素，实际增长5.9%``;
    the nominal and real growth indicators are the level's partners in the catalogue (real =
    ``price_basis`` comparable). None when the level or the nominal growth is missing.
    """
    from statlib import phrase

    level = store.indicator(indicator)
    catalogue = store.indicators()
    partners = [
        store.indicator(c) for c in catalogue.loc[catalogue["growth_of"] == level.code, "code"]
    ]
    nominal = next((i for i in partners if i.price_basis != "comparable"), None)
    real = next((i for i in partners if i.price_basis == "comparable"), None)
    v = value(store, level.code, region, period)
    g = value(store, nominal.code, region, period) if nominal else None
    if v is None or g is None:
        return None
    shown = measures.fmt(v, level.decimals) + md_text(level.unit)
    base = "比上年" if periods.whole_year(period) else "同比"  # 全年…比上年 (CONVENTIONS §1)
    text = f"{subject}{md_text(level.name)}{shown}，{base}名义{phrase.growth(g)}"
    r = value(store, real.code, region, period) if real else None
    if r is not None:
        text += f"，扣除价格因素，实际{phrase.growth(r)}"
    return text
