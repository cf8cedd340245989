"""Statistical periods: the one period type, its parsing, Chinese labels and comparable periods.

Periods are written ``2022-11`` (month), ``2022Q3`` (quarter) and ``2022`` (year) in code and in the
store (``str(Period)`` is that stored form); Chinese labels follow CONVENTIONS §1 and are derived,
never stored. A period is parsed once where it enters — :data:`PERIOD` for ``--period`` options,
the release file (:mod:`statlib.batch.jobs`), a notebook's parameters check — and travels as a
:class:`Period` (or its canonical string) from there; nothing else decodes period strings.

>>> label("2022-11"), label("2022-02"), label("2022-11", cumulative=False)
('1—11月', '1—2月', '11月份')
>>> label("2022Q3"), label("2022")
('前三季度', '2022年')
>>> p = Period.parse("2023年11月")
>>> str(p), str(p.previous()), str(p.same_period_last_year()), p.first_month, p.last_month
('2023-11', '2023-10', '2022-11', 11, 11)
>>> [str(m) for m in Period.parse("2023Q3").months]
['2023-07', '2023-08', '2023-09']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import click

from statlib.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMS",
    "PERIOD",
    "Period",
    "label",
    "parse",
    "period_range",
    "previous",
    "prose_label",
    "same_period_last_year",
    "sql_end",
    "sql_freq",
    "whole_year",
    "year_cn",
]

#: The accepted forms, named in every error about a period.
FORMS = "2022-11 (month), 2022Q3 (quarter) or 2022 (year); also 2022年11月, 2022年第三季度"
EM_DASH = "—"  # U+2014, GB/T 15834 for month ranges
_QUARTER_CUMULATIVE = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}
_QUARTER_SINGLE = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
_CN_DIGITS = "〇一二三四五六七八九"
_FIRST_OFFSET = {"M": 0, "Q": 2, "A": 11}  # months between the first and the last month
_PANDAS_FREQ = {"M": "M", "Q": "Q", "A": "Y"}

_CODE = re.compile(r"^(\d{4})(?:-(\d{1,2})|[Qq]([1-4]))?$")
# Forms met in NBS exports and bureau spreadsheets: 2020年2月, 2020年第一季度, 2020年1季度, 2020年
_ZH = re.compile(r"^(\d{4})\s*年\s*(?:(\d{1,2})\s*月份?|第?([1-4一二三四])\s*季度?)?$")
_ZH_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A calendar period. ``freq`` is ``"M"``, ``"Q"`` or ``"A"``; ``sub`` the month or quarter.

    Periods order chronologically by their last month, then by their first (a year before its
    fourth quarter before its December), so ``sorted()`` of one frequency is calendar order.
    """

    year: int
    freq: str
    sub: int = 0

    @classmethod
    def parse(cls, value: str | int | Period, *, where: str | None = None) -> Period:
        """:func:`parse`: ``2022-11``, ``2022Q3``, ``2022``, ``2022年11月``, ``2022年第三季度``."""
        return parse(value, where=where)

    def __str__(self) -> str:
        if self.freq == "M":
            return f"{self.year:04d}-{self.sub:02d}"
        if self.freq == "Q":
            return f"{self.year:04d}Q{self.sub}"
        return f"{self.year:04d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.span[1], self.span[0]) < (other.span[1], other.span[0])

    # -- the months a period covers -------------------------------------------------------------
    @property
    def last_month(self) -> int:
        """The last calendar month the period covers (12 for a year)."""
        return {"M": self.sub, "Q": self.sub * 3, "A": 12}[self.freq]

    @property
    def first_month(self) -> int:
        """The first calendar month the period covers (1 for a year, 7 for a third quarter)."""
        return self.last_month - _FIRST_OFFSET[self.freq]

    @property
    def span(self) -> tuple[int, int]:
        """First and last month as month ordinals (year·12 + month − 1), for comparing periods of
        different frequencies: a month lies in a quarter when its span lies in the quarter's."""
        last = self.year * 12 + self.last_month - 1
        return last - _FIRST_OFFSET[self.freq], last

    @property
    def months(self) -> tuple[Period, ...]:
        """The months the period covers, in order."""
        return tuple(
            Period(self.year, "M", m) for m in range(self.first_month, self.last_month + 1)
        )

    # -- comparable periods ---------------------------------------------------------------------
    def previous(self, *, cumulative: bool = True) -> Period:
        """The previous comparable period (see :func:`previous`)."""
        if self.freq == "A":
            return Period(self.year - 1, "A")
        if self.freq == "Q":
            return (
                Period(self.year, "Q", self.sub - 1)
                if self.sub > 1
                else Period(self.year - 1, "Q", 4)
            )
        if self.sub == 1 or (cumulative and self.sub == 2):
            return Period(self.year - 1, "M", 12)
        return Period(self.year, "M", self.sub - 1)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier: ``2022-11`` → ``2021-11``."""
        return Period(self.year - 1, self.freq, self.sub)

    def label(
        self, *, cumulative: bool = True, with_year: bool = False, combined: bool = False
    ) -> str:
        """The Chinese label (see :func:`label`)."""
        return label(self, cumulative=cumulative, with_year=with_year, combined=combined)

    # -- pandas ---------------------------------------------------------------------------------
    def to_pandas(self) -> pd.Period:
        """As a ``pandas.Period`` (freq ``M``, ``Q-DEC`` or ``Y-DEC``)."""
        import pandas as pd

        return pd.Period(year=self.year, month=self.last_month, freq=_PANDAS_FREQ[self.freq])

    @classmethod
    def from_pandas(cls, value: pd.Period) -> Period:
        """Back from a monthly, calendar-quarterly or calendar-yearly ``pandas.Period``."""
        freq = str(value.freqstr)
        if freq == "M":
            return cls(value.year, "M", value.month)
        if freq == "Q-DEC":
            return cls(value.year, "Q", value.quarter)
        if freq in ("Y-DEC", "A-DEC"):
            return cls(value.year, "A")
        raise ConfigError(
            f"a pandas period of frequency {freq} is not a statistical period ({FORMS})"
        )


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    m = _CODE.match(text) or _ZH.match(text)
    if m is None:
        raise ConfigError(f"unknown period format {text!r}: write {FORMS}")
    year, month, quarter = int(m.group(1)), m.group(2), m.group(3)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ConfigError(f"period {text!r}: month must be 01…12 — write {FORMS}")
        return Period(year, "M", int(month))
    if quarter is not None:
        return Period(year, "Q", _ZH_QUARTER[quarter])
    return Period(year, "A")


def parse(value: str | int | Period, *, where: str | None = None) -> Period:
    """Parse ``2022-11``, ``2022Q3``, ``2022``; also ``2022年11月``, ``2022年第三季度``.

    A year may be an int (YAML reads ``period: 2023`` so). ``where`` names what is parsed (a
    parameter, a file and key) and prefixes the ConfigError of a bad period.
    """
    if isinstance(value, Period):
        return value
    try:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ConfigError(f"period must be a string such as '2022-11', not {value!r} ({FORMS})")
        if isinstance(value, int):
            if not 1000 <= value <= 9999:
                raise ConfigError(f"period {value!r} is no year — write {FORMS}")
            return Period(value, "A")
        return _parse_text(value.strip())
    except ConfigError as exc:
        if where is None:
            raise
        raise ConfigError(f"{where}: {exc}") from None


class _PeriodParam(click.ParamType):
    """A click parameter type: ``--period 2023-11`` arrives as a :class:`Period`; a bad one is a
    usage error (exit 2) naming the option and the accepted forms."""

    name = "period"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Period:
        try:
            return parse(value)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


#: The click type of every ``--period`` option (and ``--start``/``--end``).
PERIOD = _PeriodParam()


def _month_range(last: int) -> str:
    return f"1{EM_DASH}{last}月"


def label(
    value: str | Period,
    *,
    cumulative: bool = True,
    with_year: bool = False,
    combined: bool = False,
) -> str:
    """The Chinese label of a period (CONVENTIONS §1).

    Cumulative months combine January and February (``1—2月``); ``cumulative=False`` names the
    single month (``11月份``) or quarter (``三季度``). ``with_year`` prefixes the year.

    January alone has no cumulative label: its figures are published with February's as
    ``1—2月`` (period ``YYYY-02``). ``label("2023-01")`` raises ConfigError; pass
    ``combined=True`` to name January's figure by the combined period on purpose.

    >>> label("2023-01", cumulative=False), label("2023-01", combined=True)
    ('1月份', '1—2月')
    """
    p = parse(value)
    if p.freq == "A":
        return f"{p.year}年"
    if p.freq == "M":
        if cumulative and p.sub == 1 and not combined:
            raise ConfigError(
                f"period {p}: January is not published on its own as a cumulative period — "
                f"January and February are combined as 1—2月 (use period {p.year}-02), name the "
                "single month with cumulative=False (1月份), or pass combined=True"
            )
        text = _month_range(max(p.sub, 2)) if cumulative else f"{p.sub}月份"
    else:
        text = (_QUARTER_CUMULATIVE if cumulative else _QUARTER_SINGLE)[p.sub]
    return f"{p.year}年{text}" if with_year else text


def prose_label(value: str | Period, *, cumulative: bool = True) -> str:
    """The period as a sentence opens with it (CONVENTIONS §1): :func:`label`, except that a
    cumulative period ending in December is the whole year, ``全年`` (全年…比上年, not
    1—12月…同比).

    >>> prose_label("2023-12"), prose_label("2023Q4"), prose_label("2023-12", cumulative=False)
    ('全年', '全年', '12月份')
    >>> prose_label("2023-11"), prose_label("2023")
    ('1—11月', '2023年')
    """
    p = parse(value)
    if cumulative and p.freq in ("M", "Q") and p.last_month == 12:
        return "全年"
    return label(p, cumulative=cumulative)


def whole_year(value: str | Period, *, cumulative: bool = True) -> bool:
    """Whether a figure of ``value`` covers the whole year (annual, or cumulated to December):
    then it compares ``比上年``, otherwise ``同比``.

    >>> whole_year("2023-12"), whole_year("2023-12", cumulative=False), whole_year("2023Q3")
    (True, False, False)
    """
    p = parse(value)
    return p.freq == "A" or (cumulative and p.last_month == 12)


def same_period_last_year(value: str | Period) -> str:
    """The same period one year earlier: ``2022-11`` → ``2021-11``."""
    return str(parse(value).same_period_last_year())


def previous(value: str | Period, *, cumulative: bool = True) -> str:
    """The previous comparable period.

    Cumulative monthly figures compare with the previous cumulative period of the same year
    (``1—11月`` with ``1—10月``); ``1—2月`` has none within its year and compares with the previous
    year's ``1—12月``. ``cumulative=False`` steps one month (``2022-01`` → ``2021-12``).
    Quarters and years step back by one.
    """
    return str(parse(value).previous(cumulative=cumulative))


def period_range(start: str | Period, end: str | Period) -> list[str]:
    """Every period from ``start`` to ``end`` inclusive, both of one frequency."""
    a, b = parse(start), parse(end)
    if a.freq != b.freq:
        raise ConfigError(f"period_range: {a} and {b} are of different frequencies")
    out: list[str] = []
    per_year = {"M": 12, "Q": 4, "A": 1}[a.freq]
    year, sub = a.year, a.sub
    while (year, sub) <= (b.year, b.sub):
        out.append(str(Period(year, a.freq, sub)))
        if a.freq == "A":
            year += 1
        else:
            sub += 1
            if sub > per_year:
                year, sub = year + 1, 1
    return out


def sql_end(column: str = "period") -> str:
    """SQL (DuckDB and PostgreSQL) for the last month of a stored period as a month ordinal,
    ``Period.span[1]``: the store filters periods by it without reading them into Python."""
    return (
        f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 - 1 + CASE length({column}) "
        f"WHEN 7 THEN CAST(substr({column}, 6, 2) AS INTEGER) "
        f"WHEN 6 THEN CAST(substr({column}, 6, 1) AS INTEGER) * 3 ELSE 12 END)"
    )


def sql_freq(column: str = "period") -> str:
    """SQL (DuckDB and PostgreSQL) for the frequency (``M``, ``Q``, ``A``) of a stored period."""
    return f"(CASE length({column}) WHEN 7 THEN 'M' WHEN 6 THEN 'Q' ELSE 'A' END)"


def year_cn(year: int) -> str:
    """A year in Chinese numerals, as in a document date line: 2023 → 二〇二三."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year))
