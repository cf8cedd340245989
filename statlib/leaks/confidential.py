"""What must never appear in a public byte: confidential figures, unit data, canaries.

A :class:`Secret` is one value with a label (what it is) and a source (where it came from). A
number is looked for in every spelling a publication could give it — its published precision,
coarser roundings and the digits alone — and a text (an enterprise name) as written, ignoring
white space. Spellings with fewer than :data:`MIN_DIGITS` digits (:data:`MIN_INTEGER_DIGITS`
without a decimal point) are not looked for: they occur by chance in every publication.

>>> sorted(number_spellings("1234.56"))
['1234.56', '1234.6', '123456', '12346']
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from statlib import periods

__all__ = [
    "MIN_DIGITS",
    "MIN_INTEGER_DIGITS",
    "UNIT_VALUE_FLOOR",
    "Secret",
    "canaries",
    "exact_spelling",
    "is_number",
    "number_spellings",
    "secrets_from_store",
]

#: Fewest digits a number spelling must have to be looked for: with a decimal point, and without
#: one (digits alone, integer roundings). Four-digit integers are everywhere — counts, years,
#: chart coordinates — and gave hundreds of chance hits on a real release.
MIN_DIGITS = 4
MIN_INTEGER_DIGITS = 5
#: Unit values (万元) below this are not looked for: a small value at one decimal matches some
#: published figure by chance (an enterprise's 100.3 万元 and a price index of 100.3); small
#: units are protected by the disclosure rules on the tables, not by the byte scan.
UNIT_VALUE_FLOOR = 10_000.0
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Secret:
    """One value that must not be published: ``value`` (a number or a text), ``label`` (what it
    is, for the report) and ``source`` (store table and key, suppressed cell, canary)."""

    value: str
    label: str
    source: str = ""
    #: look for the number only as written (no coarser roundings, no digits alone)
    exact: bool = False


def is_number(value: str) -> bool:
    """``value`` is a decimal number (thousands separators allowed)."""
    return bool(_NUMBER.match(value.replace(",", "").strip()))


def _round(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def number_spellings(value: str, decimals: int | None = None) -> set[str]:
    """The spellings of a number worth looking for (no sign, no thousands separators).

    ``decimals`` is the published precision (default: the decimals written in ``value``); each
    coarser rounding down to an integer is a spelling too, and so is every spelling's digits
    alone (``1234.56`` → ``123456``).
    """
    text = value.replace(",", "").strip().lstrip("-+")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return set()
    written = len(text.partition(".")[2])
    top = written if decimals is None else decimals
    forms = {_round(number, places) for places in range(top, -1, -1)}
    if written > top:
        forms.add(text)
    forms |= {f.rstrip("0").rstrip(".") for f in forms if "." in f}
    forms |= {f.replace(".", "") for f in forms if "." in f}
    return {f for f in forms if _worth(f)}


def exact_spelling(value: str) -> set[str]:
    """The number as written (sign and thousands separators dropped), if worth looking for."""
    form = value.replace(",", "").strip().lstrip("-+")
    return {form} if _worth(form) else set()


def _worth(form: str) -> bool:
    digits = sum(c.isdigit() for c in form)
    return digits >= (MIN_DIGITS if "." in form else MIN_INTEGER_DIGITS)


def canaries(seed: int, count: int = 12, *, name: str = "云川市蓝雀测试化工有限公司"
             ) -> list[Secret]:
    """``count`` seeded random numbers of 6–8 digits with two decimals, and a fake enterprise
    name: values planted by tests, which no real output can contain."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        digits = rng.choice((4, 5, 6))
        whole = rng.randrange(10 ** (digits - 1), 10 ** digits)
        out.append(Secret(f"{whole}.{rng.randrange(11, 99)}", f"canary {i + 1}", "canary"))
    out.append(Secret(name, "canary enterprise name", "canary"))
    return out


def secrets_from_store(store: Any, period: str | None = None) -> list[Secret]:
    """The confidential content of the store, as secrets.

    - observations flagged ``C``, at their indicator's published precision (and coarser);
    - unit-level data (``enterprise``): each name, and revenue and value added in 万元 at one
      decimal (from :data:`UNIT_VALUE_FLOOR` up).

    With ``period``, the confidential observations and the units of its year and the year
    before (what a release about that period shows: the period and a year earlier); without, all
    of them (a site with full histories). Older confidential figures are left out of a period's
    scan on purpose: measured on the 2023-11 release, four of them (2013–2018 values such as
    40.61) equalled published 2023 figures of other series by chance.
    Suppressed cells of a release are not in the store: pass them to :func:`scan` as secrets.
    """
    secrets: list[Secret] = []
    limit = periods.parse(period) if period else None
    flagged = store.backend.query(
        "SELECT indicator, region, period, value FROM observation "
        "WHERE flags LIKE '%C%' AND value IS NOT NULL ORDER BY indicator, region, period")
    decimals: dict[str, int] = {}
    for row in flagged.itertuples(index=False):
        if limit is not None and not _in_window(str(row.period), limit):
            continue
        if row.indicator not in decimals:
            decimals[row.indicator] = int(store.indicator(row.indicator).decimals)
        places = decimals[row.indicator]
        text = _round(Decimal(repr(float(row.value))), places)
        key = f"{row.indicator}/{row.region}/{row.period}"
        secrets.append(Secret(text, f"保密数 {key}", f"observation:{key}"))
    years = [limit.year - 1, limit.year] if limit is not None else [None]
    for year in years:
        units = store.units(year)
        for unit in units.itertuples(index=False):
            key = f"enterprise:{unit.year}/{unit.unit_id}"
            secrets.append(Secret(str(unit.name), f"企业名称 {unit.unit_id}", key))
            for column, label in (("revenue", "营业收入"), ("value_added", "增加值")):
                value = getattr(unit, column)
                if value is not None and value == value and abs(value) >= UNIT_VALUE_FLOOR:
                    text = _round(Decimal(repr(float(value))), 1)
                    secrets.append(Secret(text, f"{label} {unit.unit_id} {unit.year}", key,
                                          exact=True))
    return _unique(secrets)


def _in_window(period: str, limit: periods.Period) -> bool:
    p = periods.parse(period)
    return limit.year - 1 <= p.year and (p.year, p.last_month) <= (limit.year, limit.last_month)


def _unique(secrets: Iterable[Secret]) -> list[Secret]:
    return list(dict.fromkeys(secrets))
