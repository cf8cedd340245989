"""Exact decimals of printed floats and half-up rounding: the one rounding helper of statlib.

A float such as ``2.25`` or ``0.1 + 0.2`` is taken at its shortest printed form (``repr``), so
rounding works on the digits a reader sees, never on the binary artefact behind them.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
import pandas as pd

from statlib.errors import ConfigError

# Wide enough that quantize never fails on large levels (default precision is 28 digits).
_CONTEXT = Context(prec=100)
_MAX_DECIMALS = 12


def to_decimal(x: object, name: str = "x") -> Decimal | None:
    """Return the exact decimal of what ``x`` prints as, or None when ``x`` is missing.

    None, NaN and ``pd.NA`` are missing; infinities, strings and booleans raise ConfigError.
    """
    if x is None or x is pd.NA:
        return None
    if isinstance(x, bool | str | bytes):
        raise ConfigError(f"{name} must be a number, got {x!r}; convert the value to float first")
    if isinstance(x, Decimal):
        if x.is_nan():
            return None
        if x.is_infinite():
            raise ConfigError(f"{name} must be finite, got {x!r}")
        return x
    if isinstance(x, int | np.integer):
        return Decimal(int(x))
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be a number, got {x!r}") from exc
    if math.isnan(value):
        return None
    if math.isinf(value):
        raise ConfigError(f"{name} must be finite, got {x!r}; check the division that produced it")
    # float() first: repr(np.float64(2.25)) is 'np.float64(2.25)' under numpy 2.
    return Decimal(repr(value))


def quantize(d: Decimal, decimals: int) -> Decimal:
    """Round ``d`` half-up to ``decimals`` places; a zero result never carries a minus sign."""
    if isinstance(decimals, bool) or not isinstance(decimals, int | np.integer):
        raise ConfigError(
            f"decimals must be an integer from 0 to {_MAX_DECIMALS}, got {decimals!r}"
        )
    if not 0 <= decimals <= _MAX_DECIMALS:
        raise ConfigError(f"decimals must be from 0 to {_MAX_DECIMALS}, got {decimals}")
    result = d.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP, context=_CONTEXT)
    return result.copy_abs() if result == 0 else result
