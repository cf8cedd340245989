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
from statlib.disclosure.public import unsafe_observations

__all__ = [
    "MIN_DIGITS",
    "MIN_INTEGER_DIGITS",
    "NEAR",
    "SURE_DIGITS",
    "SURE_SCALED_DIGITS",
    "SURE_UNIT_DIGITS",
    "UNIT_SCALES",
    "UNIT_VALUE_FLOOR",
    "Secret",
    "canaries",
    "exact_spelling",
    "is_number",
    "number_spellings",
    "scaled_spellings",
    "secrets_from_store",
    "short_names",
]

#: Fewest digits a number spelling must have to be looked for: with a decimal point, and without
#: one (digits alone, integer roundings). Four-digit integers are everywhere — counts, years,
#: chart coordinates — and gave hundreds of chance hits on a real release.
MIN_DIGITS = 4
MIN_INTEGER_DIGITS = 5
#: Figures of other periods than the release's (older than the year before): a confidential
#: figure's spellings of SURE_DIGITS digits or more, an enterprise's of SURE_UNIT_DIGITS or more,
#: are found anywhere; shorter ones only beside the region's or the enterprise's name (within
#: :data:`NEAR` characters: a table row, a sentence). Measured on the demo releases: looked for
#: anywhere, 2013–2018 figures matched published 2023 figures of other series by chance
#: (40.61; an enterprise's 16470.7 万元 of 2018 and 黑龙江省's 16470.7 亿元); this way, 0.
SURE_DIGITS = 5
SURE_UNIT_DIGITS = 7
#: A number in another unit (2235133.8 万元 as 223.51 亿元) keeps fewer digits: found anywhere
#: from this many digits, shorter only followed by its unit (``223.51亿元``) or beside a
#: ``near`` word (the measured chance hit: an enterprise's 1055300 万元 as a table's 105.53).
SURE_SCALED_DIGITS = 7
NEAR = 120
#: Spellings of a number in another unit: value × factor, at these decimals (what prose uses).
UNIT_SCALES: dict[str, tuple[tuple[str, int, tuple[int, ...]], ...]] = {
    "万元": (("亿元", -4, (2, 1, 0)), ("元", 4, (0,))),
    "亿元": (("万元", 4, (2, 1, 0)), ("元", 8, (0,))),
}
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
    #: the unit of a number (``万元``, ``亿元``): it is looked for in the other units too
    unit: str = ""
    #: words (a region's name, an enterprise's names): a spelling of fewer than ``sure``
    #: digits is found only with one of them within :data:`NEAR` characters
    near: tuple[str, ...] = ()
    sure: int = 0


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


def scaled_spellings(value: str, unit: str) -> set[tuple[str, str]]:
    """The number in the other units of :data:`UNIT_SCALES` (万元 ↔ 亿元, 元), at the decimals
    prose uses, trailing zeros dropped, each with its unit.

    >>> sorted(scaled_spellings("2235133.8", "万元"))
    [('223.5', '亿元'), ('223.51', '亿元'), ('22351338000', '元')]
    >>> sorted(scaled_spellings("58.3", "亿元"))
    [('583000', '万元'), ('5830000000', '元')]
    """
    try:
        number = abs(Decimal(value.replace(",", "").strip()))
    except InvalidOperation:
        return set()
    forms = set()
    for other, power, places in UNIT_SCALES.get(unit.strip(), ()):
        scaled = number.scaleb(power)
        for p in places:
            form = _round(scaled, p)
            if "." in form:
                form = form.rstrip("0").rstrip(".")
            if _worth(form):
                forms.add((form, other))
    return forms


#: Words an enterprise name is made of around its trade name: the place in front, the legal form
#: behind (longest first).
_PLACE = re.compile(r"^(?:\w{1,8}?(?:自治区|自治州|省|市|盟|地区|自治县|自治旗|县|区|旗))+")
_LEGAL = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "股份公司",
    "集团",
    "公司",
    "总厂",
    "厂",
)
_MIN_NAME = 4


def short_names(name: str) -> set[str]:
    """The shorter names a publication could give an enterprise: without its place
    (``云川市``), without its legal form (``有限公司``), or both, of :data:`_MIN_NAME`
    characters or more (a two-character trade name alone is everywhere).

    >>> sorted(short_names("云川市某某化工有限公司"))
    ['云川市某某化工', '某某化工', '某某化工有限公司']
    """
    name = re.sub(r"\s+", "", name)
    bare = _PLACE.sub("", name)
    if len(bare) < _MIN_NAME:  # the place was part of the trade name (``市场``, ``区块``)
        bare = name
    out = {bare}
    for stem in (name, bare):
        for legal in _LEGAL:
            if stem.endswith(legal):
                out.add(stem[: -len(legal)])
                break
    return {n for n in out if len(n) >= _MIN_NAME and n != name}


def _worth(form: str) -> bool:
    digits = sum(c.isdigit() for c in form)
    return digits >= (MIN_DIGITS if "." in form else MIN_INTEGER_DIGITS)


def canaries(
    seed: int, count: int = 12, *, name: str = "云川市蓝雀测试化工有限公司"
) -> list[Secret]:
    """``count`` seeded random numbers of 6–8 digits with two decimals, and a fake enterprise
    name: values planted by tests, which no real output can contain."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        digits = rng.choice((4, 5, 6))
        whole = rng.randrange(10 ** (digits - 1), 10**digits)
        out.append(Secret(f"{whole}.{rng.randrange(11, 99)}", f"canary {i + 1}", "canary"))
    out.append(Secret(name, "canary enterprise name", "canary"))
    return out


def secrets_from_store(store: Any, period: str | None = None) -> list[Secret]:
    """The confidential content of the store, as secrets: every period, every year.

    - observations flagged ``C`` or unsafe by the primary rules (``disclosure.public``), at
      their indicator's published precision (and coarser), in their unit (and in the others
      of :data:`UNIT_SCALES`);
    - unit-level data (``enterprise``): each name (and its short names), and revenue and value
      added in 万元 at one decimal (from :data:`UNIT_VALUE_FLOOR` up).

    ``period`` (the release's) decides only how sure a short spelling must be: a confidential
    figure of its year or the year before is looked for anywhere, as any figure; an older one
    (or a later one) is looked for anywhere in spellings of :data:`SURE_DIGITS` digits or more,
    and in shorter ones only beside its region's name (``near``). Measured on the demo releases
    (2023, 2023-11, 2023Q3): looked for anywhere, four old figures (2013–2018 values such as
    40.61) equalled published 2023 figures of other series by chance; beside their region, 0.
    Suppressed cells of a release are not in the store: pass them to :func:`scan` as secrets.
    """
    secrets: list[Secret] = []
    limit = periods.parse(period) if period else None
    flagged = store.backend.query(
        "SELECT DISTINCT ON (indicator, region, period, value) indicator, region, period, "
        "value, flags, contributors, top1_share, top2_share FROM observation "
        "WHERE value IS NOT NULL AND (flags LIKE '%C%' OR contributors IS NOT NULL "
        "OR top1_share IS NOT NULL) ORDER BY indicator, region, period, value"
    )
    # confidential (C) and unsafe by the primary rules: what the public data layer hides
    flagged = flagged[unsafe_observations(flagged).to_numpy()]
    indicators: dict[str, Any] = {}
    regions: dict[str, str] = {}
    for row in flagged.itertuples(index=False):
        if row.indicator not in indicators:
            indicators[row.indicator] = store.indicator(row.indicator)
        if row.region not in regions:
            regions[row.region] = _region_name(store, str(row.region))
        indicator = indicators[row.indicator]
        text = _round(Decimal(repr(float(row.value))), int(indicator.decimals))
        key = f"{row.indicator}/{row.region}/{row.period}"
        recent = limit is None or _in_window(str(row.period), limit)
        near = (regions[row.region],) if regions[row.region] else ()
        secrets.append(
            Secret(
                text,
                f"保密数 {key}",
                f"observation:{key}",
                unit=str(indicator.unit or ""),
                near=near,
                sure=0 if recent else SURE_DIGITS,
            )
        )
    units = store.units()
    for unit in units.itertuples(index=False):
        key = f"enterprise:{unit.year}/{unit.unit_id}"
        name = str(unit.name)
        secrets.append(Secret(name, f"企业名称 {unit.unit_id}", key))
        recent = limit is None or limit.year - 1 <= int(unit.year) <= limit.year
        names = tuple(sorted({name, *short_names(name)}))
        for column, label in (("revenue", "营业收入"), ("value_added", "增加值")):
            value = getattr(unit, column)
            if value is not None and value == value and abs(value) >= UNIT_VALUE_FLOOR:
                text = _round(Decimal(repr(float(value))), 1)
                secrets.append(
                    Secret(
                        text,
                        f"{label} {unit.unit_id} {unit.year}",
                        key,
                        exact=True,
                        unit="万元",
                        near=names,
                        sure=0 if recent else SURE_UNIT_DIGITS,
                    )
                )
    return _unique(secrets)


def _region_name(store: Any, code: str) -> str:
    try:
        return str(store.region(code).name)
    except Exception:  # a region missing from the catalogue: no name to look beside
        return ""


def _in_window(period: str, limit: periods.Period) -> bool:
    p = periods.parse(period)
    return limit.year - 1 <= p.year and (p.year, p.last_month) <= (limit.year, limit.last_month)


def _unique(secrets: Iterable[Secret]) -> list[Secret]:
    return list(dict.fromkeys(secrets))
