"""The outcome of confronting the store with validation rules (TRUST.md §2).

As R ``validate`` and frictionless report: per rule the number of items checked, passes, fails,
missing (an item that could not be evaluated because a value is absent) and errors (the rule
itself could not run); and every failing record with its place (indicator, region, period), the
values involved, the expected value and the vintage (load) the checked value came from.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

__all__ = ["Failure", "Override", "Report", "RuleResult"]

RECORD_COLUMNS = [
    "rule",
    "severity",
    "type",
    "indicator",
    "region",
    "period",
    "values",
    "expected",
    "difference",
    "vintage",
    "source",
    "message",
]


@dataclass(frozen=True)
class Failure:
    """One failing record: where it is, what was found and what was expected."""

    rule: str
    indicator: str
    region: str
    period: str
    values: dict[str, float | None]
    expected: float | str | None
    difference: float | None = None
    vintage: int | None = None
    source: str = ""
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "indicator": self.indicator,
            "region": self.region,
            "period": self.period,
            "values": {k: _num(v) for k, v in self.values.items()},
            "expected": _num(self.expected),
            "difference": _num(self.difference),
            "vintage": self.vintage,
            "source": self.source,
            "message": self.message,
        }


@dataclass(frozen=True)
class Override:
    """A recorded decision to publish although a blocking rule failed."""

    rule: str
    reason: str
    who: str
    at: str


@dataclass(frozen=True)
class RuleResult:
    """The confrontation of one rule: counts and every failing record."""

    rule: str
    type: str
    severity: str
    description: str
    file: str
    items: int = 0
    passes: int = 0
    fails: int = 0
    missing: int = 0
    errors: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()

    @property
    def ok(self) -> bool:
        """No failing record and no error."""
        return self.fails == 0 and not self.errors


@dataclass(frozen=True)
class Report:
    """All rule results of one confrontation, with the overrides recorded against it.

    Immutable: :func:`statlib.checks.override` returns a changed copy.
    """

    results: tuple[RuleResult, ...]
    period: str | None = None
    overrides: tuple[Override, ...] = field(default=())

    def result(self, rule_id: str) -> RuleResult:
        for r in self.results:
            if r.rule == rule_id:
                return r
        raise KeyError(rule_id)

    def overridden(self) -> set[str]:
        return {o.rule for o in self.overrides}

    def blocking_failures(self) -> list[RuleResult]:
        """Blocking rules that failed (or could not run) and were not overridden.

        A rule with errors counts as failing: a check that could not be made blocks like one
        that found a fault.
        """
        done = self.overridden()
        return [
            r for r in self.results if r.severity == "blocking" and not r.ok and r.rule not in done
        ]

    def failures(self) -> list[Failure]:
        return [f for r in self.results for f in r.failures]

    def with_override(self, item: Override) -> Report:
        return replace(self, overrides=(*self.overrides, item))

    def counts(self) -> pd.DataFrame:
        """One row per rule: severity, items, passes, fails, missing, errors, overridden."""
        done = self.overridden()
        rows = [
            {
                "rule": r.rule,
                "type": r.type,
                "severity": r.severity,
                "items": r.items,
                "passes": r.passes,
                "fails": r.fails,
                "missing": r.missing,
                "errors": len(r.errors),
                "overridden": r.rule in done,
                "description": r.description,
            }
            for r in self.results
        ]
        return pd.DataFrame(
            rows,
            columns=[
                "rule",
                "type",
                "severity",
                "items",
                "passes",
                "fails",
                "missing",
                "errors",
                "overridden",
                "description",
            ],
        )

    def to_frame(self) -> pd.DataFrame:
        """Every failing record, one row each (``values`` as a compact JSON object)."""
        sev = {r.rule: (r.severity, r.type) for r in self.results}
        rows = []
        for f in self.failures():
            d = f.to_dict()
            d["values"] = json.dumps(d["values"], ensure_ascii=False)
            d["severity"], d["type"] = sev[f.rule]
            rows.append(d)
        return pd.DataFrame(rows, columns=RECORD_COLUMNS)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The whole report as JSON: per rule counts, errors and failing records; overrides."""
        done = self.overridden()
        payload = {
            "period": self.period,
            "blocking_failures": [r.rule for r in self.blocking_failures()],
            "rules": [
                {
                    "rule": r.rule,
                    "type": r.type,
                    "severity": r.severity,
                    "description": r.description,
                    "file": r.file,
                    "items": r.items,
                    "passes": r.passes,
                    "fails": r.fails,
                    "missing": r.missing,
                    "errors": list(r.errors),
                    "overridden": r.rule in done,
                    "failures": [f.to_dict() for f in r.failures],
                }
                for r in self.results
            ],
            "overrides": [vars(o) for o in self.overrides],
        }
        return json.dumps(payload, ensure_ascii=False, indent=indent)

    def summary_text(self, *, max_records: int = 20) -> str:
        """A terminal table (规则 rule, 条目 items, 通过, 未通过, 缺失, 错误), then failures."""
        widths = (32, 16, 10, 10, 12, 14, 10)
        head = _row(
            (
                "规则 rule",
                "级别 severity",
                "条目 items",
                "通过 pass",
                "未通过 fail",
                "缺失 missing",
                "错误 error",
            ),
            widths,
        )
        lines = [
            f"数据审核 validation — 期别 period: {self.period or '全部 all'}",
            head,
            "-" * _width(head),
        ]
        done = self.overridden()
        for r in self.results:
            sev = "阻断 blocking" if r.severity == "blocking" else "提示 warning"
            mark = " (已豁免 overridden)" if r.rule in done else ""
            cells = (r.rule, sev, r.items, r.passes, r.fails, r.missing, len(r.errors))
            lines.append(_row(cells, widths) + mark)
        for r in self.results:
            if r.ok:
                continue
            lines.append("")
            lines.append(f"[{r.rule}] {r.description} ({r.fails} 未通过 fail)")
            lines.extend(f"  错误 error: {e}" for e in r.errors)
            for f in r.failures[:max_records]:
                lines.append(f"  {f.indicator} {f.region} {f.period}: {f.message}")
            if len(r.failures) > max_records:
                lines.append(f"  … {len(r.failures) - max_records} more (use --json)")
        for o in self.overrides:
            lines.append(f"豁免 override {o.rule}: {o.reason} — {o.who}, {o.at}")
        blocking = self.blocking_failures()
        lines.append("")
        if blocking:
            names = ", ".join(r.rule for r in blocking)
            lines.append(f"未通过阻断规则 blocking rules failed: {names}")
        else:
            lines.append("阻断规则全部通过 all blocking rules pass")
        return "\n".join(lines)


def _num(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _width(text: str) -> int:
    """Terminal columns: wide (Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(cells: tuple[Any, ...], widths: tuple[int, ...]) -> str:
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        text = str(cell)
        pad = " " * max(w - _width(text), 1 if i else 0)
        out.append(text + pad if i < 2 else pad + text)
    return "".join(out)
