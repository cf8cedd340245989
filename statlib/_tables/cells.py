"""Cell values of a statistical table: the suppressed marker, input checks and formatting.

A value in a row is a number (kept as the exact Decimal it prints as), None (not available,
shown blank), ``SUPPRESSED`` (a confidential cell: only its symbol exists, never a number) or
a str (literal text, always escaped on output).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from statlib._decimal import to_decimal
from statlib.errors import ConfigError
from statlib.measures import fmt, round_half_up


class Suppressed:
    """Marker of a suppressed (confidential) cell; it carries no number by construction."""

    __slots__ = ()
    _instance: Suppressed | None = None

    def __new__(cls) -> Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __reduce__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()

Value = Decimal | None | str | Suppressed


def check_value(x: object, where: str) -> Value:
    """Turn one input value into what a row stores; ConfigError names ``where`` otherwise."""
    if isinstance(x, Suppressed):
        return SUPPRESSED
    if isinstance(x, str):
        return x
    return to_decimal(x, where)


def check_decimals(d: object, where: str) -> int:
    if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 12:
        raise ConfigError(f"{where} must be an integer from 0 to 12 (places shown), got {d!r}")
    return d


@dataclass(frozen=True)
class Cell:
    """One laid-out cell: its text and what it is (``num``, ``symbol``, ``blank``, ``text``,
    ``stub``, ``unit``); ``value`` is the rounded number of a ``num`` cell."""

    text: str
    kind: str
    value: Decimal | None = None
    decimals: int = 0


def format_value(
    x: Value,
    decimals: int,
    *,
    suppressed: str,
    below_unit: str | None,
    thousands: bool,
) -> Cell:
    """Format one value with half-up rounding and the yearbook symbols.

    A nonzero number that rounds to zero is below the smallest unit shown: ``below_unit``
    (``…``) unless that is None. Negative numbers keep their sign (tables carry ``-5.4``).
    """
    if isinstance(x, Suppressed):
        return Cell(suppressed, "symbol")
    if x is None:
        return Cell("", "blank")
    if isinstance(x, str):
        return Cell(x, "text")
    rounded = round_half_up(x, decimals)
    if rounded == 0 and x != 0 and below_unit is not None:
        return Cell(below_unit, "symbol")
    text = fmt(x, decimals)
    if thousands:
        text = _group_thousands(text)
    return Cell(text, "num", rounded, decimals)


def _group_thousands(text: str) -> str:
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, frac = digits.partition(".")
    groups = [whole[max(i - 3, 0) : i] for i in range(len(whole), 0, -3)][::-1]
    return sign + ",".join(groups) + dot + frac


def display_width(text: str) -> int:
    """Columns a monospace layout (and pandoc's grid-table reader) gives ``text``."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
