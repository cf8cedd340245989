"""Chinese wording of growth, comparisons and ranks, as official releases write it.

The specification is CONVENTIONS §2–§5.

Every number goes through ``measures.fmt`` (half-up, one decimal by default, trailing zero kept)
and prose never carries a minus sign. Comparisons are made on the ROUNDED figures, i.e. on what
the reader sees: 7.24 against 6.95 reads 7.2 against 7.0, so 加快0.2个百分点.

A missing figure (None or NaN) raises ConfigError naming the argument: leave the clause out of
the sentence instead of printing an empty or wrong phrase.

>>> growth(7.2), growth(-1.8), growth(-0.04), growth(170.0), growth(-0.5, "price")
('增长7.2%', '下降1.8%', '持平', '增长1.7倍', '下降0.5%')
>>> "PPI同比下降2.5%，" + change(-2.5, -3.0, "price", than="上月")
'PPI同比下降2.5%，降幅比上月收窄0.5个百分点'
"""

from __future__ import annotations

from decimal import Decimal

from statlib._decimal import quantize, to_decimal
from statlib._describe import describe
from statlib.errors import ConfigError
from statlib.measures import fmt

__all__ = ["change", "describe", "growth", "pull", "rank", "rank_change", "versus"]

_GROWTH_WORDS = {"volume": ("增长", "下降"), "price": ("上涨", "下降")}
_CHANGE_KINDS = ("volume", "price", "share")
_CN_DIGITS = "零一二三四五六七八九"
_PP = "个百分点"


def growth(
    rate: float | Decimal,
    kind: str = "volume",
    times_from: float | None = 100.0,
    decimals: int = 1,
    *,
    times_decimals: int = 1,
) -> str:
    """A growth rate in words: ``增长7.2%``, ``下降1.8%``, ``持平`` (0.0 shown), ``增长1.1倍``.

    ``kind="price"`` (CPI, PPI) says ``上涨``/``下降``, always in percent (NBS: 猪肉价格上涨135.2%).
    A rounded volume rate of ``times_from`` or more is written in times, rate / 100
    (110 → ``增长1.1倍``); ``times_from=None`` keeps percent (``增长107.0%``). For a changed scope
    prefix the result yourself: ``"同口径" + growth(-19.4)``.

    >>> growth(110.0), growth(107.0, times_from=None), growth(0.3, "price"), growth(135.2, "price")
    ('增长1.1倍', '增长107.0%', '上涨0.3%', '上涨135.2%')
    """
    if kind not in _GROWTH_WORDS:
        raise ConfigError(
            f"growth: kind must be 'volume' or 'price', got {kind!r}; "
            "for shares and rates use change(..., kind='share')"
        )
    up, down = _GROWTH_WORDS[kind]
    exact = _required(rate, "growth", "rate")
    shown = quantize(exact, decimals)
    if shown == 0:
        return "持平"
    if shown < 0:
        return f"{down}{fmt(-shown, decimals)}%"
    if kind == "price":  # prices are never written in times
        return f"{up}{fmt(shown, decimals)}%"
    if times_from is not None and shown >= _required(times_from, "growth", "times_from"):
        return f"{up}{fmt(exact / 100, times_decimals)}倍"
    return f"{up}{fmt(shown, decimals)}%"


def change(
    current: float,
    previous: float,
    kind: str = "volume",
    decimals: int = 1,
    *,
    than: str | None = None,
) -> str:
    """How a rate moved from ``previous`` to ``current``, in percentage points (CONVENTIONS §3).

    ``kind="volume"``: both ≥ 0 → ``加快``/``回落``; both < 0 → ``降幅收窄``/``降幅扩大``;
    sign change → ``由负转正``/``由正转负``; from or to exactly 持平 below zero →
    ``由持平转为下降``/``由下降转为持平``. ``kind="price"``: ``涨幅扩大``/``涨幅回落``,
    ``降幅收窄``/``降幅扩大``, ``由降转涨``/``由涨转降``, and through zero ``由涨转平``,
    ``由降转平``, ``由平转涨``, ``由平转降``.
    ``kind="share"`` (比重, 城镇化率, 失业率): ``提高``/``下降``. Equal rounded rates → ``持平``.

    ``than`` names the earlier period and puts it in the sentence: ``比1—10月加快0.3个百分点``,
    ``降幅比上月收窄0.5个百分点``, ``与上月持平``, and a sign change spelled out with both rates,
    ``由上月下降0.5%转为上涨0.4%``.

    >>> change(7.24, 6.95), change(-1.5, -2.2), change(0.2, -0.3, "price")
    ('加快0.2个百分点', '降幅收窄0.7个百分点', '由降转涨')
    """
    if kind not in _CHANGE_KINDS:
        raise ConfigError(f"change: kind must be one of {', '.join(_CHANGE_KINDS)}, got {kind!r}")
    cur, prev = _shown("change", decimals, current=current, previous=previous)
    diff = fmt(abs(cur - prev), decimals) + _PP
    than_ = f"比{than}" if than else ""
    if cur == prev:
        return f"与{than}持平" if than else "持平"
    if kind == "share":
        return f"{than_}{'提高' if cur > prev else '下降'}{diff}"
    if cur < 0 and prev < 0:
        return f"降幅{than_}{'收窄' if cur > prev else '扩大'}{diff}"
    if kind == "volume" and cur >= 0 and prev >= 0:
        return f"{than_}{'加快' if cur > prev else '回落'}{diff}"
    if kind == "price" and cur > 0 and prev > 0:
        return f"涨幅{than_}{'扩大' if cur > prev else '回落'}{diff}"
    if than:
        growth_kind = "price" if kind == "price" else "volume"
        before = growth(prev, growth_kind, decimals=decimals)
        now = growth(cur, growth_kind, decimals=decimals)
        return f"由{than}{before}转为{now}"
    return _sign_change(_sign(prev), _sign(cur), kind)


def versus(
    value: float,
    reference: float,
    reference_name: str = "全区",
    *,
    decimals: int = 1,
    unit: str = _PP,
) -> str:
    """Comparison with a reference region on rounded rates: ``高于全区1.2个百分点``.

    ``unit`` is for levels (``unit="元"``); the default suits rates.

    >>> versus(7.2, 6.0), versus(5.5, 6.0, "全国"), versus(6.04, 5.96)
    ('高于全区1.2个百分点', '低于全国0.5个百分点', '与全区持平')
    """
    own, ref = _shown("versus", decimals, value=value, reference=reference)
    if own == ref:
        return f"与{reference_name}持平"
    word = "高于" if own > ref else "低于"
    return f"{word}{reference_name}{fmt(abs(own - ref), decimals)}{unit}"


def pull(points: float | Decimal, of: str = "", decimals: int = 1) -> str:
    """A pull in words (拉动, 个百分点): ``拉动国内生产总值增长3.1个百分点``, ``下拉…0.12个百分点``.

    ``of`` names what is pulled (``国内生产总值``, ``全市规上工业增加值``); without it the phrase
    reads ``拉动增长0.35个百分点``. Take ``decimals`` from ``measures.pull_decimals`` of the
    pulls the table beside the text shows, and give the table column the same decimals: prose
    and table then print the same figure. A pull that rounds to zero reads ``对…增长的拉动为零``.

    >>> pull(3.19, "国内生产总值"), pull(-0.6, "国内生产总值"), pull(0.349, decimals=2)
    ('拉动国内生产总值增长3.2个百分点', '下拉国内生产总值0.6个百分点', '拉动增长0.35个百分点')
    >>> pull(-0.123, decimals=2), pull(0.004, "全市", decimals=2)
    ('下拉0.12个百分点', '对全市增长的拉动为零')
    """
    shown = quantize(_required(points, "pull", "points"), decimals)
    if shown == 0:
        return f"对{of}增长的拉动为零"
    if shown < 0:
        return f"下拉{of}{fmt(-shown, decimals)}{_PP}"
    return f"拉动{of}增长{fmt(shown, decimals)}{_PP}"


def rank(position: int, group: str = "全区") -> str:
    """Rank within a peer group: ``居全区第4位``.

    >>> rank(4), rank(1, "全省")
    ('居全区第4位', '居全省第1位')
    """
    return f"居{group}第{_position(position, 'rank', 'position')}位"


def rank_change(now: int, before: int, period_name: str = "上月") -> str:
    """Move in rank (1 = first), counted in Chinese: ``排名较上月提升两位``.

    >>> rank_change(4, 6), rank_change(5, 4, "上年同期"), rank_change(3, 3)
    ('排名较上月提升两位', '排名较上年同期下降一位', '排名与上月持平')
    """
    a = _position(now, "rank_change", "now")
    b = _position(before, "rank_change", "before")
    if a == b:
        return f"排名与{period_name}持平"
    word = "提升" if a < b else "下降"
    return f"排名较{period_name}{word}{_chinese_count(abs(a - b))}位"


def _chinese_count(n: int) -> str:
    """A small count in Chinese numerals as used before a measure word (2 → 两, 12 → 十二).

    Numbers above 99 stay in Arabic digits.

    >>> _chinese_count(2), _chinese_count(10), _chinese_count(12), _chinese_count(22)
    ('两', '十', '十二', '二十二')
    """
    if n == 2:
        return "两"
    if 0 <= n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _CN_DIGITS[tens]
        return head + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _sign(d: Decimal) -> int:
    return (d > 0) - (d < 0)


def _sign_change(prev: int, cur: int, kind: str) -> str:
    """Wording when the rounded rate crosses or touches zero (not both on one side)."""
    if kind == "price":
        words = {-1: "降", 0: "平", 1: "涨"}
        return f"由{words[prev]}转{words[cur]}"
    if prev and cur:
        return "由负转正" if cur > 0 else "由正转负"
    # volume: 0 → below zero or below zero → 0 (0 ↔ positive is 加快/回落, CONVENTIONS §3)
    return "由持平转为下降" if cur < 0 else "由下降转为持平"


def _required(x: object, func: str, name: str) -> Decimal:
    try:
        d = to_decimal(x, name)
    except ConfigError as exc:
        raise ConfigError(f"{func}: {exc}") from None
    if d is None:
        raise ConfigError(
            f"{func}: {name} is missing ({x!r}); there is no figure to describe — "
            "leave this clause out of the sentence"
        )
    return d


def _shown(func: str, decimals: int, **figures: object) -> list[Decimal]:
    """The figures as the reader sees them (rounded half-up to ``decimals``), each required."""
    return [quantize(_required(x, func, name), decimals) for name, x in figures.items()]


def _position(x: object, func: str, name: str) -> int:
    d = _required(x, func, name)
    if d != d.to_integral_value() or d < 1:
        raise ConfigError(f"{func}: {name} must be a whole rank of 1 or more, got {x!r}")
    return int(d)
