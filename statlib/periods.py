"""Statistical periods: parsing, Chinese labels and comparable periods.

Periods are written ``2022-11`` (month), ``2022Q3`` (quarter) and ``2022`` (year) in code and in the
store; Chinese labels follow CONVENTIONS §1 and are derived, never stored:

>>> label("2022-11"), label("2022-02"), label("2022-11", cumulative=False)
('1—11月', '1—2月', '11月份')
>>> label("2022Q3"), label("2022")
('前三季度', '2022年')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from statlib.errors import ConfigError

__all__ = [
    "Period",
    "label",
    "parse",
    "period_range",
    "previous",
    "same_period_last_year",
    "year_cn",
]

EM_DASH = "—"  # U+2014, GB/T 15834 for month ranges
_QUARTER_CUMULATIVE = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}
_QUARTER_SINGLE = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
_CN_DIGITS = "〇一二三四五六七八九"

_CODE = re.compile(r"^(\d{4})(?:-(\d{1,2})|[Qq]([1-4]))?$")
# Forms met in NBS exports and bureau spreadsheets: 2020年2月, 2020年第一季度, 2020年1季度, 2020年
_ZH = re.compile(r"^(\d{4})\s*年\s*(?:(\d{1,2})\s*月份?|第?([1-4一二三四])\s*季度?)?$")
_ZH_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period. ``freq`` is ``"M"``, ``"Q"`` or ``"A"``; ``sub`` the month or quarter."""

    year: int
    freq: str
    sub: int = 0

    def __str__(self) -> str:
        if self.freq == "M":
            return f"{self.year:04d}-{self.sub:02d}"
        if self.freq == "Q":
            return f"{self.year:04d}Q{self.sub}"
        return f"{self.year:04d}"

    @property
    def last_month(self) -> int:
        """The last calendar month the period covers (12 for a year)."""
        return {"M": self.sub, "Q": self.sub * 3, "A": 12}[self.freq]


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    m = _CODE.match(text) or _ZH.match(text)
    if m is None:
        raise ConfigError(
            f"unknown period format {text!r}: write 2022-11 (month), 2022Q3 (quarter) or 2022 "
            "(year)"
        )
    year, month, quarter = int(m.group(1)), m.group(2), m.group(3)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise ConfigError(f"period {text!r}: month must be 01…12, as in 2022-11")
        return Period(year, "M", int(month))
    if quarter is not None:
        return Period(year, "Q", _ZH_QUARTER[quarter])
    return Period(year, "A")


def parse(value: str | Period) -> Period:
    """Parse ``2022-11``, ``2022Q3``, ``2022``; also ``2022年11月``, ``2022年第三季度``."""
    if isinstance(value, Period):
        return value
    if not isinstance(value, str):
        if isinstance(value, int) and 1000 <= value <= 9999:
            return Period(value, "A")
        raise ConfigError(f"period must be a string such as '2022-11', not {value!r}")
    return _parse_text(value.strip())


def _month_range(last: int) -> str:
    first_last = 2 if last == 1 else last
    return f"1{EM_DASH}{first_last}月"


def label(value: str | Period, *, cumulative: bool = True, with_year: bool = False) -> str:
    """The Chinese label of a period (CONVENTIONS §1).

    Cumulative months combine January and February (``1—2月``); ``cumulative=False`` names the
    single month (``11月份``) or quarter (``三季度``). ``with_year`` prefixes the year.
    """
    p = parse(value)
    if p.freq == "A":
        return f"{p.year}年"
    if p.freq == "M":
        text = _month_range(p.sub) if cumulative else f"{p.sub}月份"
    else:
        text = (_QUARTER_CUMULATIVE if cumulative else _QUARTER_SINGLE)[p.sub]
    return f"{p.year}年{text}" if with_year else text


def same_period_last_year(value: str | Period) -> str:
    """The same period one year earlier: ``2022-11`` → ``2021-11``."""
    p = parse(value)
    return str(Period(p.year - 1, p.freq, p.sub))


def previous(value: str | Period, *, cumulative: bool = True) -> str:
    """The previous comparable period.

    Cumulative monthly figures compare with the previous cumulative period of the same year
    (``1—11月`` with ``1—10月``); ``1—2月`` has none within its year and compares with the previous
    year's ``1—12月``. ``cumulative=False`` steps one month (``2022-01`` → ``2021-12``).
    Quarters and years step back by one.
    """
    p = parse(value)
    if p.freq == "A":
        return str(Period(p.year - 1, "A"))
    if p.freq == "Q":
        return str(Period(p.year, "Q", p.sub - 1) if p.sub > 1 else Period(p.year - 1, "Q", 4))
    if cumulative and p.sub <= 2:
        return str(Period(p.year - 1, "M", 12))
    if p.sub == 1:
        return str(Period(p.year - 1, "M", 12))
    return str(Period(p.year, "M", p.sub - 1))


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


def year_cn(year: int) -> str:
    """A year in Chinese numerals, as in a document date line: 2023 → 二〇二三."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year))
