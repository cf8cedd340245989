"""``phrase.describe``: the standard sentence about one indicator, composed from the store.

    1—11月，全市规模以上工业增加值按可比价格计算，同比增长7.2%，增速比1—10月加快0.3个百分点，
    居全区第4位，高于全区1.2个百分点。

The sentence follows the indicator's kind (:func:`measure_kind`, from the catalogue's ``kind``,
``unit``, ``frequency`` and ``price_basis``):

- a flow (``level``, ``cumulative_level``) grows: ``同比增长7.2%``, ``全年…比上年增长`` for a whole
  year; its growth is the growth indicator published with it (``growth_of``), or, when the
  catalogue has none, computed from its level and the level a year before;
- a stock at a period's end (年末常住人口) changes by an amount: ``比上年末增加1.05万人``;
- a balance (存贷款余额) is compared with the start of the year: ``比年初增加320.51亿元``;
- a count (个/户/人) changes by a number: ``比上年增加12户``;
- a share or rate moves in points: ``比上年提高0.5个百分点``;
- a price index rises or falls in percent, never in times: ``上涨135.2%``.

The price basis is named from ``price_basis``: real growth is ``按可比价格计算`` (``按不变价格计算``
for GDP and value added); a level with both a nominal and a real growth partner reads
``名义增长7.1%，扣除价格因素，实际增长5.9%``. A part whose figure is missing is left out, never
printed empty. A figure that cannot be what its kind says (a growth rate of a million per cent,
a level in %, an index without its base) raises DataError naming the indicator.

The sentence is Markdown: the labels from data in it are escaped (``statlib._text.md_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from statlib import measures, periods
from statlib._text import md_text
from statlib.errors import DataError

# CONVENTIONS §6: indicators released as growth only (their level is an internal working figure).
GROWTH_ONLY = ("规模以上工业增加值",)
PARTS = ("level", "growth", "change", "rank", "versus")
#: what a sentence can say about an indicator (:func:`measure_kind`)
MEASURE_KINDS = ("flow", "stock", "balance", "count", "share", "index", "growth")
_GDP_LIKE = ("地区生产总值", "国内生产总值", "产业增加值", "国民总收入")
#: a growth rate beyond this (in %, i.e. 100 times) is not a growth rate: a level or a unit error
MAX_RATE = 10000.0
_LEVEL_KINDS = {"level": "flow", "cumulative_level": "flow", "stock": "stock"}
_PERCENT = ("%", "‰")


def measure_kind(ind: Any) -> str:
    """What a sentence says about ``ind``: one of :data:`MEASURE_KINDS`.

    From the catalogue ``kind`` (``level``/``cumulative_level`` are flows; ``stock``, ``balance``,
    ``count``, ``share``/``rate``, ``index``; ``growth``/``cumulative_growth``); a ``stock`` named
    …余额 is a balance. DataError when the unit contradicts the kind (a growth rate not in %, a
    level in %, an index without its base ``…=100``)."""
    kind = ind.kind
    unit = ind.unit or ""
    if ind.is_growth:
        if unit != "%":
            _mismatch(ind, "a growth rate is in %")
        return "growth"
    if kind == "index":
        if "=100" not in unit:
            _mismatch(ind, "an index gives its base as its unit (上年同月=100)")
        return "index"
    if kind in ("share", "rate"):
        if unit not in _PERCENT:
            _mismatch(ind, "a share or rate is in % or ‰")
        return "share"
    if kind not in (*_LEVEL_KINDS, "balance", "count"):
        raise DataError(
            f"indicator {ind.code} ({ind.name}): kind {kind!r} has no wording; use one of "
            "level, cumulative_level, stock, balance, count, share, rate, index, growth, "
            "cumulative_growth in the catalogue"
        )
    if unit in _PERCENT or "=100" in unit:
        _mismatch(ind, "a level is not in % (mark a share or rate as kind share or rate)")
    if kind == "stock" and "余额" in ind.name:
        return "balance"
    return _LEVEL_KINDS.get(kind, kind)


def _mismatch(ind: Any, rule: str) -> None:
    raise DataError(
        f"indicator {ind.code} ({ind.name}): unit {ind.unit!r} does not fit kind {ind.kind!r} — "
        f"{rule}; correct the catalogue (indicators.csv)"
    )


def _partners(store: Any, level: Any) -> list[Any]:
    return [i for i in store._indicators.values() if i.growth_of == level.code and i.is_growth]


def _pair(store: Any, indicator: Any) -> tuple[Any, Any, Any]:
    """(level or None, growth or None, real growth beside a nominal one or None)."""
    ind = store.indicator(indicator)
    if ind.is_growth:
        return (store.indicator(ind.growth_of) if ind.growth_of else None), ind, None
    if ind.kind == "index":
        return None, ind, None
    wanted = "cumulative_growth" if ind.kind == "cumulative_level" else "growth"
    partners = [i for i in _partners(store, ind) if i.kind == wanted] or _partners(store, ind)
    nominal = [i for i in partners if i.price_basis != "comparable"]
    real = [i for i in partners if i.price_basis == "comparable"]
    if nominal and real:
        return ind, nominal[0], real[0]
    return ind, (partners[0] if partners else None), None


def _subject(region: Any) -> str:
    if region.level == "city":
        return "全市"
    if region.level == "county" and region.name[-1:] in "区县旗市":
        return "全" + region.name[-1]
    return region.name


def _group_name(store: Any, region: Any) -> str:
    parent = store.region(region.parent) if region.parent else None
    if parent is None or parent.level == "country":
        return "全国"
    for suffix, word in (("自治区", "全区"), ("省", "全省"), ("市", "全市"), ("盟", "全盟")):
        if parent.name.endswith(suffix):
            return word
    return parent.name


def _end_label(period: str) -> str:
    """The end of a period for a stock: ``2023年末``, ``11月末``, ``三季度末``."""
    p = periods.parse(period)
    if p.freq == "A":
        return f"{p.year}年末"
    if p.freq == "M":
        return f"{p.sub}月末"
    return periods.label(period, cumulative=False) + "末"


def _prose_name(name: str, region: Any) -> str:
    """The name as prose writes it: no （当月）/（累计）/当期值 tag; 国内… for the country."""
    for tag in ("（当月）", "(当月)", "（累计）", "(累计)", "当期值"):
        name = name.replace(tag, "")
    if region.level == "country":
        name = name.replace("地区生产总值", "国内生产总值")
    return name


def _previous_label(period: str, previous: str, cumulative: bool, combined: bool) -> str:
    a, b = periods.parse(period), periods.parse(previous)
    if a.freq == "A":
        return "上年"
    if not cumulative and combined and b.freq == "M" and b.sub == 2 and a.sub == 3:
        return periods.label(previous)  # March compares with the combined 1—2月
    if not cumulative and combined and a.freq == "M" and a.sub == 2:
        return "上年12月份"  # the combined 1—2月 compares with last December
    if b.year < a.year and cumulative and b.last_month == 12:
        return "上年全年"
    if b.year < a.year:
        return "上年" + periods.label(previous, cumulative=cumulative)
    return periods.label(previous, cumulative=cumulative) if cumulative else "上月"


def _previous(period: str, cumulative: bool, combined: bool) -> str:
    p = periods.parse(period)
    if combined and p.freq == "M" and p.sub == 2:
        return f"{p.year - 1}-12"  # the 当月 of 1—2月 is the two months: after last December
    return periods.previous(period, cumulative=cumulative)


def _checked_rate(ind: Any, value: float | None, where: str, when: str) -> float | None:
    if value is None:
        return None
    if ind.kind == "index":
        if not 0 < value < MAX_RATE / 10:
            raise DataError(
                f"indicator {ind.code} ({ind.name}) in {where} {when}: {value!r} is not an index "
                f"on the base {ind.unit} — check the unit and the loaded file"
            )
        return value - 100
    if abs(value) >= MAX_RATE:
        raise DataError(
            f"indicator {ind.code} ({ind.name}) in {where} {when}: {value!r} is not a growth rate "
            "in % — is it a level loaded under a growth indicator? check the catalogue's kind "
            "and unit"
        )
    return value


def _computed(level: float | None, before: float | None) -> float | None:
    """Growth in % of a flow from its level and the comparable level before (None unless > 0)."""
    if level is None or before is None or before <= 0:
        return None
    return (level / before - 1) * 100


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

    ``parts`` chooses among level, growth (or the change of a stock, count or share), change
    (against the previous comparable period), rank (in the peer group) and versus (the region
    above); ``subject`` replaces 全市/全旗/the region name. Raises DataError when there is no
    figure for that period, or when a figure contradicts its kind (:func:`measure_kind`).
    """
    level_ind, growth_ind, real_ind = _pair(store, indicator)
    reg = store.region(region)
    period = str(periods.parse(period))
    main = growth_ind or level_ind
    if main is None:
        raise DataError(f"describe: {indicator!r} has neither a level nor a growth indicator")
    kind = measure_kind(level_ind) if level_ind is not None else measure_kind(main)
    if growth_ind is not None:
        measure_kind(growth_ind)
    if subject is None:
        subject = md_text(_subject(reg))
    ctx = _Context(store, reg, period, vintage, parts, subject)
    if kind in ("stock", "balance", "count", "share") and growth_ind is None:
        return ctx.amount(level_ind, kind)
    return ctx.flow(level_ind, growth_ind, real_ind, kind)


class _Context:
    """One sentence being composed: the store, region, period and the parts asked for."""

    def __init__(
        self, store: Any, reg: Any, period: str, vintage: Any, parts: Sequence[str], subject: str
    ) -> None:
        self.store, self.reg, self.period, self.vintage = store, reg, period, vintage
        self.parts, self.subject = tuple(parts), subject
        self.group = md_text(_group_name(store, reg))

    def value(self, code: str, where: str, when: str) -> float | None:
        v = self.store.value(code, where, when, self.vintage)
        return None if v is None else float(v)

    def name(self, ind: Any) -> str:
        return md_text(_prose_name(ind.name, self.reg))

    def rank(self, rates: Callable[[list[str], str], dict[str, float | None]]) -> list[str]:
        """``居全区第4位`` from the figures of the peer group, on the published (rounded) values."""
        if "rank" not in self.parts:
            return []
        peers = [p.code for p in self.store.peers(self.reg)]
        known = {k: v for k, v in rates(peers, self.period).items() if v is not None}
        if self.reg.code not in known or len(known) < 2:
            return []
        from statlib.phrase import rank

        rounded = {k: float(measures.round_half_up(v, 1)) for k, v in known.items()}
        return [rank(int(measures.rank(rounded)[self.reg.code]), self.group)]

    def levels(self, ind: Any) -> Callable[[list[str], str], dict[str, float | None]]:
        def rates(regions: list[str], when: str) -> dict[str, float | None]:
            out = self.store.values(ind.code, regions, when, self.vintage)
            return {k: (None if v is None else float(v)) for k, v in out.items()}

        return rates

    # -- stocks, balances, counts, shares without a growth partner ---------------------------
    def amount(self, ind: Any, kind: str) -> str:
        p = periods.parse(self.period)
        level = self.value(ind.code, self.reg.code, self.period)
        if level is None:
            raise DataError(
                f"describe: no {ind.name} for {self.reg.name} in {self.period} — check the "
                "period, or load the data first (`statlib ingest`)"
            )
        name = self.name(ind)
        if kind in ("stock", "balance"):
            label = _end_label(self.period)
            name = name.removeprefix("年末")
        else:
            label = periods.label(self.period, cumulative=p.freq != "M")
        unit = md_text(ind.unit)
        link = "为" if kind == "share" else ""
        head = f"{label}，{self.subject}{name}{link}{measures.fmt(level, ind.decimals)}{unit}"
        clauses: list[str] = []
        before_period, than = self._amount_base(kind, p)
        before = self.value(ind.code, self.reg.code, before_period) if before_period else None
        if before is not None and "growth" in self.parts:
            if kind == "share":
                from statlib.phrase import change

                clauses.append(change(level, before, "share", ind.decimals, than=than))
            else:
                clauses.append(_by(level, before, ind.decimals, than, unit))
        rates = self.levels(ind)
        clauses += self.rank(rates)
        if kind == "share" and "versus" in self.parts and self.reg.parent:
            ref = self.value(ind.code, self.reg.parent, self.period)
            if ref is not None:
                from statlib.phrase import versus

                clauses.append(versus(level, ref, self.group, decimals=ind.decimals))
        return "，".join([head, *clauses]) + "。"

    def _amount_base(self, kind: str, p: periods.Period) -> tuple[str | None, str]:
        """The period a stock, balance, count or share is compared with, and its name."""
        if kind == "balance" and p.freq != "A":
            return f"{p.year - 1}-12", "年初"
        if p.freq == "A":
            return str(p.previous()), "上年末" if kind in ("stock", "balance") else "上年"
        if kind == "stock":
            return str(p.previous(cumulative=False)), "上月末" if p.freq == "M" else "上季末"
        return str(p.same_period_last_year()), "上年同期"

    # -- flows and rates ----------------------------------------------------------------------
    def flow(self, level_ind: Any, growth_ind: Any, real_ind: Any, kind: str) -> str:
        p = periods.parse(self.period)
        main = growth_ind or level_ind
        is_index = main.kind == "index"
        balance = kind in ("balance", "stock")
        cumulative = main.kind.startswith("cumulative") or p.freq == "Q"
        # a 当月 flow whose January is not published combines January and February (1—2月)
        combined = not is_index and not balance and self._combined(main, level_ind, p)
        computed = growth_ind is None and kind == "flow"
        if computed:
            rates = self._computed_rates(level_ind)
        else:
            rates = self._stored_rates(main)
        growth = rates([self.reg.code], self.period)[self.reg.code]
        level = None
        if level_ind is not None and not any(g in level_ind.name for g in GROWTH_ONLY):
            level = self.value(level_ind.code, self.reg.code, self.period)
        if growth is None and level is None:
            raise DataError(
                f"describe: no {main.name} for {self.reg.name} in {self.period} — check the "
                "period, or load the data first (`statlib ingest`)"
            )
        words_kind = "price" if is_index else "volume"
        name = self.name(main if is_index or level_ind is None else level_ind)
        if balance:
            label = _end_label(self.period)
        elif combined and p.freq == "M" and p.sub == 2:
            label = periods.label(self.period)  # the 当月 of January and February: 1—2月
        else:
            label = periods.prose_label(self.period, cumulative=cumulative)
        subject = "" if name.startswith("国内") else self.subject
        head = f"{label}，{subject}{name}"
        if balance and not name.endswith("余额") and kind == "balance":
            head += "余额"
        clauses: list[str] = []
        if level is not None and ("level" in self.parts or growth is None):
            head += f"{measures.fmt(level, level_ind.decimals)}{md_text(level_ind.unit)}"
            if kind == "balance":
                start = self.value(level_ind.code, self.reg.code, f"{p.year - 1}-12")
                if start is not None and p.freq == "M":
                    unit = md_text(level_ind.unit)
                    clauses.append(_by(level, start, level_ind.decimals, "年初", unit))
        else:
            level = None
        if growth is None:  # a level without its growth (NBS annual data): level and its rank
            clauses += self.rank(self.levels(level_ind))
            return "，".join([head, *clauses]) + "。"
        base = "比上年" if periods.whole_year(self.period, cumulative=cumulative) else "同比"
        if "growth" in self.parts:
            words = self._growth_clause(base, growth, words_kind, main, computed, real_ind, name)
            if level is not None or clauses:
                clauses.append(words)
            else:
                head += words
        if "change" in self.parts:
            prev_period = _previous(self.period, cumulative, combined)
            prev = rates([self.reg.code], prev_period)[self.reg.code]
            if prev is not None:
                than = _previous_label(self.period, prev_period, cumulative, combined)
                clauses.append(_change_words(growth, prev, words_kind, than))
        clauses += self.rank(rates)
        if "versus" in self.parts and self.reg.parent:
            ref = rates([self.reg.parent], self.period)[self.reg.parent]
            if ref is not None:
                from statlib.phrase import versus

                clauses.append(versus(growth, ref, self.group))
        return "，".join([head, *clauses]) + "。"

    def _combined(self, main: Any, level_ind: Any, p: periods.Period) -> bool:
        if p.freq != "M" or p.sub not in (2, 3):
            return False
        january = f"{p.year}-01"
        codes = [i.code for i in (main, level_ind) if i is not None]
        return all(self.value(code, self.reg.code, january) is None for code in codes)

    def _growth_clause(
        self,
        base: str,
        growth: float,
        kind: str,
        main: Any,
        computed: bool,
        real_ind: Any,
        name: str,
    ) -> str:
        words = _growth_words(growth, kind)
        gdp_like = any(g in name for g in _GDP_LIKE)
        if main.price_basis == "comparable":
            basis = "按不变价格计算" if gdp_like else "按可比价格计算"
            return f"{basis}，{base}{words}"
        if computed and gdp_like:  # from levels at current prices: nominal growth
            return f"按现价计算，{base}{words}"
        if real_ind is not None:
            real = self._stored_rates(real_ind)([self.reg.code], self.period)[self.reg.code]
            if real is not None:
                return f"{base}名义{words}，扣除价格因素，实际{_growth_words(real, kind)}"
        return f"{base}{words}"

    def _stored_rates(self, ind: Any) -> Callable[[list[str], str], dict[str, float | None]]:
        def rates(regions: list[str], when: str) -> dict[str, float | None]:
            out = self.store.values(ind.code, regions, when, self.vintage)
            return {k: _checked_rate(ind, v, k, when) for k, v in out.items()}

        return rates

    def _computed_rates(self, ind: Any) -> Callable[[list[str], str], dict[str, float | None]]:
        """Growth of a flow without a growth partner: its level against the year before."""

        def rates(regions: list[str], when: str) -> dict[str, float | None]:
            now = self.store.values(ind.code, regions, when, self.vintage)
            before = self.store.values(
                ind.code, regions, periods.same_period_last_year(when), self.vintage
            )
            out = {k: _computed(now[k], before[k]) for k in regions}
            return {k: _checked_rate(_AsGrowth(ind), v, k, when) for k, v in out.items()}

        return rates


class _AsGrowth:
    """A flow's metadata seen as the growth computed from it (for the range check's message)."""

    def __init__(self, ind: Any) -> None:
        self.code, self.name = ind.code, ind.name + "（计算的增速）"
        self.unit, self.kind = "%", "growth"


def _by(now: float, before: float, decimals: int, than: str, unit: str) -> str:
    """``比上年末增加1.05万人`` on the shown figures; ``与上年末持平`` when they are equal."""
    diff = measures.round_half_up(now, decimals) - measures.round_half_up(before, decimals)
    if diff == 0:
        return f"与{than}持平"
    word = "增加" if diff > 0 else "减少"
    return f"比{than}{word}{measures.fmt(abs(diff), decimals)}{unit}"


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


def _growth_words(rate: float, kind: str) -> str:
    from statlib.phrase import growth

    return growth(rate, kind)


def _change_words(current: float, previous: float, kind: str, than: str) -> str:
    from statlib.phrase import change

    words = change(current, previous, kind, than=than)
    if words.startswith(("降幅", "涨幅", "与", "由")):
        return words
    return ("涨幅" if kind == "price" else "增速") + words
