"""How each rule type is confronted with the store: one evaluator per type, in a registry.

Every evaluator reads the latest values through :class:`Context` (cached, period-filtered) and
fills a :class:`_Tally`: items = passes + fails + missing, and one :class:`Failure` per fail.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from statlib import periods
from statlib.checks._report import Failure, RuleResult
from statlib.errors import ConfigError
from statlib.store.store import Store

if TYPE_CHECKING:
    from statlib.checks.rules import Rule

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": lambda a, b: math.isclose(a, b, abs_tol=1e-9),
    "!=": lambda a, b: a != b,
}
_EPS = 1e-9


def fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


class Context:
    """The store as the evaluators see it: catalogue selectors and cached latest values."""

    def __init__(self, store: Store, period: str | None) -> None:
        self.store = store
        self.period = period
        self.window = periods.parse(period).span if period else None
        self.catalogue = store.indicators().set_index("code")
        self.region_table = store.regions().set_index("code")
        self._obs: dict[tuple[tuple[str, ...], tuple[str, ...]], pd.DataFrame] = {}
        self._sources: dict[int, str] | None = None

    # -- selectors -----------------------------------------------------------------------------
    def indicators(self, sel: Any) -> list[str]:
        """Codes named by a list (codes or names) or a filter {kind, frequency, price_basis,
        growth_of, exclude}."""
        if isinstance(sel, str | list):
            return [self.store.indicator(str(s)).code for s in _listify(sel)]
        if not isinstance(sel, dict):
            raise ConfigError(f"indicators: a list or a filter mapping, not {sel!r}")
        cat = self.catalogue
        keep = pd.Series(True, index=cat.index)
        for key in ("kind", "frequency", "price_basis"):
            if key in sel:
                keep &= cat[key].isin(_listify(sel[key]))
        if "growth_of" in sel:
            keep &= (
                cat["growth_of"].astype(str) != ""
                if sel["growth_of"] == "any"
                else (cat["growth_of"].isin(_listify(sel["growth_of"])))
            )
        exclude = {self.store.indicator(str(s)).code for s in _listify(sel.get("exclude", []))}
        return [c for c in cat.index[keep] if c not in exclude]

    def regions(self, sel: Any) -> list[str]:
        """Codes named by a list or {under: code} (the region and all below) or
        {children_of: code}, optionally with level and exclude."""
        if isinstance(sel, str | int | list):
            return [self.store.region(str(s)).code for s in _listify(sel)]
        if not isinstance(sel, dict):
            raise ConfigError(f"regions: a list or a selector mapping, not {sel!r}")
        table = self.region_table
        if "under" in sel:
            root = self.store.region(str(sel["under"])).code
            codes, frontier = [root], [root]
            while frontier:
                frontier = [c for c in table.index if table.at[c, "parent"] in frontier]
                codes += frontier
        elif "children_of" in sel:
            codes = [r.code for r in self.store.children(str(sel["children_of"]))]
        else:
            raise ConfigError("regions: a selector needs under or children_of")
        if "level" in sel:
            codes = [c for c in codes if table.at[c, "level"] in _listify(sel["level"])]
        exclude = {self.store.region(str(s)).code for s in _listify(sel.get("exclude", []))}
        return [c for c in codes if c not in exclude]

    # -- values --------------------------------------------------------------------------------
    def observations(self, inds: Iterable[str], regs: Iterable[str]) -> pd.DataFrame:
        """Latest observations (all periods) of the indicators × regions, with ``month`` end."""
        key = (tuple(sorted(set(inds))), tuple(sorted(set(regs))))
        if key not in self._obs:
            frame = (
                self.store.observations(list(key[0]), list(key[1]))
                if all(key)
                else (
                    pd.DataFrame(
                        columns=["indicator", "region", "period", "vintage", "value", "flags"]
                    )
                )
            )
            frame = frame.astype({"period": object, "indicator": object, "region": object})
            for col in ("period", "indicator", "region"):  # object dtype: iterated row by row
                frame[col] = pd.Series(
                    [str(v) for v in frame[col]], index=frame.index, dtype=object
                )
            frame["value"] = frame["value"].astype(float)
            frame["end"] = [periods.parse(p).span[1] for p in frame["period"]]
            self._obs[key] = frame
        return self._obs[key]

    def in_period(self, period: str) -> bool:
        """Whether a record of ``period`` is checked (it ends within the asked period)."""
        if self.window is None:
            return True
        end = periods.parse(period).span[1]
        return self.window[0] <= end <= self.window[1]

    def source(self, vintage: Any) -> str:
        if self._sources is None:
            log = self.store.vintages()
            self._sources = {int(i): str(s) for i, s in zip(log["id"], log["source"], strict=True)}
        try:
            return self._sources.get(int(vintage), "")
        except (TypeError, ValueError):
            return ""

    def decimals(self, indicator: str) -> int:
        return int(cast(int, self.catalogue.at[indicator, "decimals"]))

    def tolerance(self, value: Any, n: int, indicator: str) -> float:
        """A rule's tolerance; ``rounding`` is n·0.5·10^−decimals (n rounded addends)."""
        if value == "rounding" or value is None:
            return n * 0.5 * 10 ** -self.decimals(indicator) + _EPS
        return float(value) + _EPS


class _Tally:
    def __init__(self, rule: Rule, context: Context) -> None:
        self.rule, self.context = rule, context
        self.passes = self.missing = 0
        self.failures: list[Failure] = []

    def ok(self) -> None:
        self.passes += 1

    def absent(self) -> None:
        self.missing += 1

    def fail(
        self,
        indicator: str,
        region: str,
        period: str,
        values: Mapping[str, float | None],
        expected: float | str | None,
        message: str,
        difference: float | None = None,
        vintage: Any = None,
    ) -> None:
        v = None if vintage is None or pd.isna(vintage) else int(vintage)
        self.failures.append(
            Failure(
                rule=self.rule.id,
                indicator=indicator,
                region=region,
                period=period,
                values=dict(values),
                expected=expected,
                difference=difference,
                vintage=v,
                source=self.context.source(v) if v is not None else "",
                message=message,
            )
        )

    def result(self) -> RuleResult:
        r = self.rule
        fails = len(self.failures)
        return RuleResult(
            rule=r.id,
            type=r.type,
            severity=r.severity,
            description=r.description,
            file=r.file,
            items=self.passes + fails + self.missing,
            passes=self.passes,
            fails=fails,
            missing=self.missing,
            failures=tuple(self.failures),
        )


def _listify(value: Any) -> list[Any]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


Evaluator = Callable[["Rule", Context, _Tally], None]
_REGISTRY: dict[str, Evaluator] = {}


def register(rule_type: str) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of a rule type."""

    def wrap(fn: Evaluator) -> Evaluator:
        _REGISTRY[rule_type] = fn
        return fn

    return wrap


def evaluate(rule: Rule, context: Context) -> RuleResult:
    """Confront one rule with the store."""
    from statlib.checks import _crosstable, _types  # noqa: F401  (fill the registry)

    tally = _Tally(rule, context)
    _REGISTRY[rule.type](rule, context, tally)
    return tally.result()
