"""``phrase.describe``: the standard sentence about one indicator, composed from the store.

    1—11月，全市规模以上工业增加值同比增长7.2%，增速比1—10月加快0.3个百分点，居全区第4位，
    高于全区1.2个百分点。

The parts come from the catalogue (name, unit, decimals, price basis, kind), the growth indicator
published with the level (``growth_of``), the previous comparable period, the peer group and the
region above. A part whose figure is missing is left out, never printed empty. The sentence is
Markdown: the labels from data in it are escaped (``statlib._text.md_text``), so a name that
holds ``[…](javascript:…)`` stays text.
"""

from __future__ import annotations

from typing import Any

from statlib import measures, periods
from statlib._text import md_text
from statlib.errors import DataError

# CONVENTIONS §6: indicators released as growth only (their level is an internal working figure).
GROWTH_ONLY = ("规模以上工业增加值",)
PARTS = ("level", "growth", "change", "rank", "versus")
_GDP_LIKE = ("地区生产总值", "国内生产总值", "产业增加值")


def _pair(store: Any, indicator: Any) -> tuple[Any, Any]:
    """(level indicator or None, growth indicator or None) for any indicator given."""
    ind = store.indicator(indicator)
    if ind.is_growth:
        return (store.indicator(ind.growth_of) if ind.growth_of else None), ind
    if ind.kind == "index":
        return None, ind
    wanted = "cumulative_growth" if ind.kind == "cumulative_level" else "growth"
    partners = [i for i in store._indicators.values() if i.growth_of == ind.code]
    growth = next((i for i in partners if i.kind == wanted), partners[0] if partners else None)
    return ind, growth


def _subject(region: Any) -> str:
    if region.level == "city":
        return "全市"
    if region.level == "county" and region.name[-1:] in "区县旗市":
        return "全" + region.name[-1]
    return region.name


def _group_name(store: Any, region: Any) -> str:
    parent = store.region(region.parent) if region.parent else None
    if parent is None:
        return "全国"
    if parent.level == "country":
        return "全国"
    for suffix, word in (("自治区", "全区"), ("省", "全省"), ("市", "全市"), ("盟", "全盟")):
        if parent.name.endswith(suffix):
            return word
    return parent.name


def _period_label(period: str, cumulative: bool, stock: bool, combined: bool) -> str:
    p = periods.parse(period)
    if stock and p.freq == "M":
        return f"{p.sub}月末"
    if combined and p.freq == "M" and p.sub <= 2:
        return periods.label(period)  # 当月 figures of January and February are combined: 1—2月
    return periods.label(period, cumulative=cumulative)


def _prose_name(name: str, region: Any) -> str:
    """The name as prose writes it: no （当月）/（累计） tag; 国内生产总值 for the country."""
    for tag in ("（当月）", "(当月)", "（累计）", "(累计)"):
        name = name.replace(tag, "")
    if region.level == "country":
        name = name.replace("地区生产总值", "国内生产总值")
    return name


def _previous_label(period: str, previous: str, cumulative: bool, combined: bool) -> str:
    a, b = periods.parse(period), periods.parse(previous)
    if not cumulative and combined and b.freq == "M" and b.sub == 2:
        return periods.label(previous)  # March compares with the combined 1—2月
    if b.year < a.year and cumulative and b.last_month == 12:
        return "上年全年"
    if b.year < a.year:
        return "上年" + periods.label(previous, cumulative=cumulative)
    return periods.label(previous, cumulative=cumulative) if cumulative else "上月"


def describe(
    store: Any,
    indicator: str,
    region: str,
    period: str,
    *,
    vintage: Any = "latest",
    parts: tuple[str, ...] = PARTS,
    subject: str | None = None,
) -> str:
    """The standard sentence for one indicator, region and period (CONVENTIONS §1–§6).

    ``parts`` chooses among level, growth, change (against the previous comparable period), rank
    (in the peer group) and versus (the region above); ``subject`` replaces 全市/全旗/the region
    name. Raises DataError when the indicator has no growth figure for that period.
    """
    level_ind, growth_ind = _pair(store, indicator)
    reg = store.region(region)
    period = str(periods.parse(period))
    main = growth_ind or level_ind
    if main is None:
        raise DataError(f"describe: {indicator!r} has neither a level nor a growth indicator")
    is_index = main.kind == "index"
    cumulative = main.kind.startswith("cumulative") or periods.parse(period).freq == "Q"
    stock = level_ind is not None and level_ind.kind == "stock"

    def rate(code: str, where: str, when: str) -> float | None:
        v = store.value(code, where, when, vintage)
        return None if v is None else (v - 100 if is_index else v)

    growth = rate(main.code, reg.code, period)
    level = None
    if level_ind is not None and not any(g in level_ind.name for g in GROWTH_ONLY):
        level = store.value(level_ind.code, reg.code, period, vintage)
    if growth is None and level is None:
        raise DataError(
            f"describe: no {main.name} for {reg.name} in {period} — check the period, or load "
            "the data first (`statlib ingest`)"
        )
    kind = "price" if is_index or main.unit.endswith("=100") else "volume"
    # labels from data are Markdown text: the sentence is shown with display(Markdown(...))
    name = md_text(_prose_name(main.name if is_index or level_ind is None else level_ind.name, reg))
    combined = not is_index and not stock  # 当月 flows combine January and February
    label = _period_label(period, cumulative, stock, combined=combined)
    if subject is None:
        subject = "" if name.startswith("国内") else md_text(_subject(reg))
    head = f"{label}，{subject}{name}"
    if stock and not name.endswith("余额"):
        head += "余额"
    clauses: list[str] = []
    if level is not None and ("level" in parts or growth is None):
        head += f"{measures.fmt(level, level_ind.decimals)}{md_text(level_ind.unit)}"
    else:
        level = None
    group = md_text(_group_name(store, reg))
    if growth is None:  # a level without its growth (NBS annual data): level and its rank
        if "rank" in parts:
            clauses += _rank(store, reg, group, level_ind.code, period, vintage)
        return "，".join([head, *clauses]) + "。"
    p = periods.parse(period)
    full_year = p.freq == "A" or (p.freq == "Q" and p.sub == 4 and cumulative)
    base = "比上年" if full_year else "同比"  # 全年…比上年增长 (CONVENTIONS §1)
    if "growth" in parts:
        words = _growth_words(growth, kind)
        if level is not None and main.price_basis == "comparable":
            basis = "按不变价格计算" if any(g in name for g in _GDP_LIKE) else "按可比价格计算"
            clauses.append(f"{basis}，{base}{words}")
        elif level is not None:
            clauses.append(f"{base}{words}")
        else:
            head += f"{base}{words}"
    if "change" in parts:
        prev_period = periods.previous(period, cumulative=cumulative)
        prev = rate(main.code, reg.code, prev_period)
        if prev is not None:
            than = _previous_label(period, prev_period, cumulative, combined=combined)
            clauses.append(_change_words(growth, prev, kind, than))
    if "rank" in parts:
        clauses += _rank(store, reg, group, main.code, period, vintage)
    if "versus" in parts and reg.parent:
        ref = rate(main.code, reg.parent, period)
        if ref is not None:
            from statlib.phrase import versus

            clauses.append(versus(growth, ref, group))
    return "，".join([head, *clauses]) + "。"


def peer_rank(
    store: Any, indicator: str, region: str, period: str, vintage: Any = "latest"
) -> int | None:
    """Rank (1 = highest) of ``region`` in its peer group on the published (rounded) figures;
    None unless the region and one peer have a figure.

    Ranking an index (上年同月=100) or its rate (index − 100) gives the same order."""
    reg = store.region(region)
    values = store.values(indicator, [p.code for p in store.peers(reg)], period, vintage)
    known = {k: v for k, v in values.items() if v is not None}
    if reg.code not in known or len(known) < 2:
        return None
    rounded = {k: float(measures.round_half_up(v, 1)) for k, v in known.items()}
    return int(measures.rank(rounded)[reg.code])


def _rank(store: Any, reg: Any, group: str, code: str, period: str, vintage: Any) -> list[str]:
    """``居全区第4位`` (:func:`peer_rank`), or nothing without a rank."""
    position = peer_rank(store, code, reg.code, period, vintage)
    if position is None:
        return []
    from statlib.phrase import rank

    return [rank(position, group)]


def _growth_words(rate: float, kind: str) -> str:
    from statlib.phrase import growth

    return growth(rate, kind)


def _change_words(current: float, previous: float, kind: str, than: str) -> str:
    from statlib.phrase import change

    words = change(current, previous, kind, than=than)
    if words.startswith(("降幅", "涨幅", "与", "由")):
        return words
    return ("涨幅" if kind == "price" else "增速") + words
