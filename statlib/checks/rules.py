"""Validation rules as data: load them from YAML, confront the store with them (TRUST.md §2).

A rule file under ``rules/`` holds a list ``rules:`` of mappings; each names an ``id``, a ``type``
(one of :data:`RULE_TYPES`), a Chinese ``description``, a ``severity`` (``blocking`` stops a
release, ``warning`` is reported) and the fields of its type (see ``rules/README.md``).

>>> rules = load_rules("rules")                                   # doctest: +SKIP
>>> report = confront(open_store(), rules, period="2023-12")      # doctest: +SKIP
>>> report.blocking_failures()                                    # doctest: +SKIP
[]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from statlib.checks import _evaluate
from statlib.checks._report import Override, Report, RuleResult
from statlib.errors import ConfigError, InputError, StatlibError
from statlib.store.store import Store

COMMON = ("id", "type", "description", "severity")
SEVERITIES = ("blocking", "warning")
# type → (required fields, optional fields) beyond the common ones
RULE_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "range": (("indicators", "regions"), ("min", "max")),
    "balance": (("total", "parts", "regions"), ("tolerance",)),
    "hierarchy": (("indicators", "parents"), ("tolerance",)),
    "completeness": (("indicators", "regions"), ("january",)),
    "uniqueness": (("indicators", "regions"), ()),
    "conditional": (("regions", "if", "then"), ("each",)),
    "growth_consistency": (("indicators", "regions"), ("tolerance",)),
    "outlier_hb": (("indicators", "parents"), ("U", "A", "C", "history")),
    "annual_order": (("indicators", "regions"), ("tolerance",)),
    "unit_sum": (("indicator", "value", "regions"), ("units", "factor", "tolerance")),
    "survey_weights": (("population", "parents"), ("tolerance",)),
}
_NUMBERS = ("min", "max", "U", "A", "C", "factor")


@dataclass(frozen=True)
class Rule:
    """One validation rule as read from a rule file (``params``: the type's own fields)."""

    id: str
    type: str
    description: str
    severity: str
    params: Mapping[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of each mapping (``__line__``)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def load_rules(folder: str | Path) -> list[Rule]:
    """Read and validate every ``*.yaml`` / ``*.yml`` rule file of ``folder`` (sorted by name).

    A malformed file, an unknown type, a missing or unknown field, a bad value or a duplicate id
    raises :class:`InputError` naming the file, the line, the rule id and the field.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            "no such rules folder",
            file=str(folder),
            hint="give the folder holding the rule files (default rules/)",
        )
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    if not files:
        raise InputError("no rule files (*.yaml) in the folder", file=str(folder))
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in _read_file(path):
            if rule.id in seen:
                raise InputError(
                    f"rule {rule.id!r}: id used twice (also in {seen[rule.id]})",
                    file=str(path),
                    row=rule.line,
                    column="id",
                    hint="give every rule a unique id",
                )
            seen[rule.id] = str(path)
            rules.append(rule)
    return rules


def _read_file(path: Path) -> list[Rule]:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=str(path),
            row=mark.line + 1 if mark else None,
        ) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path), hint="save the file as UTF-8") from None
    entries = doc.get("rules") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise InputError(
            "a rule file holds a list `rules:` of rule mappings", file=str(path), column="rules"
        )
    return [_parse_rule(entry, path, i) for i, entry in enumerate(entries, 1)]


def _parse_rule(entry: Any, path: Path, number: int) -> Rule:
    if not isinstance(entry, dict):
        raise InputError(f"rule #{number} is not a mapping of fields", file=str(path))
    line = entry.get("__line__")
    rid = entry.get("id")
    name = f"rule {rid!r}" if rid else f"rule #{number}"

    def bad(problem: str, column: str, hint: str = "") -> InputError:
        return InputError(f"{name}: {problem}", file=str(path), row=line, column=column, hint=hint)

    for key in COMMON:
        if entry.get(key) in (None, ""):
            raise bad(f"missing field {key!r}", key)
    if not isinstance(rid, str) or not rid.replace("_", "").replace("-", "").isalnum():
        raise bad("id must be a word of letters, digits, - and _", "id")
    rtype = entry["type"]
    if rtype not in RULE_TYPES:
        raise bad(f"unknown type {rtype!r}", "type", "one of " + ", ".join(RULE_TYPES))
    if entry["severity"] not in SEVERITIES:
        raise bad(f"unknown severity {entry['severity']!r}", "severity", "blocking or warning")
    required, optional = RULE_TYPES[rtype]
    for key in required:
        if key not in entry or entry[key] in (None, "", []):
            raise bad(f"missing field {key!r} (type {rtype})", key)
    allowed = {*COMMON, *required, *optional, "__line__"}
    for key in entry:
        if key not in allowed:
            raise bad(
                f"unknown field {key!r} for type {rtype}",
                str(key),
                "allowed: " + ", ".join(sorted(allowed - {"__line__"})),
            )
    params = _strip_lines({k: v for k, v in entry.items() if k not in (*COMMON, "__line__")})
    for key in _NUMBERS:
        if key in params and (
            isinstance(params[key], bool) or not isinstance(params[key], int | float)
        ):
            raise bad(f"{key} must be a number, got {params[key]!r}", key)
    tol = params.get("tolerance")
    if (
        tol is not None
        and tol != "rounding"
        and (isinstance(tol, bool) or not isinstance(tol, int | float) or tol < 0)
    ):
        raise bad(f"tolerance must be a number ≥ 0 or 'rounding', got {tol!r}", "tolerance")
    if rtype == "range" and "min" not in params and "max" not in params:
        raise bad("a range rule needs min, max or both", "min")
    if rtype == "balance" and not isinstance(params["parts"], list):
        raise bad("parts must be a list of indicators", "parts")
    if rtype == "completeness" and params.get("january", "auto") not in (
        "auto",
        "absent",
        "present",
    ):
        raise bad("january must be auto, absent or present", "january")
    if rtype == "unit_sum" and not isinstance(params.get("units", {}), dict):
        raise bad("units must be a mapping {column: value or [values]}", "units")
    if rtype == "conditional":
        for key in ("if", "then"):
            _check_conditions(params[key], key, bad)
        if params.get("each") not in (None, "growth_pairs"):
            raise bad("each must be growth_pairs", "each")
    return Rule(
        id=rid,
        type=rtype,
        description=str(entry["description"]),
        severity=entry["severity"],
        params=params,
        file=str(path),
        line=line,
    )


def _check_conditions(value: Any, key: str, bad: Any) -> None:
    items = value if isinstance(value, list) else [value]
    for cond in items:
        if not isinstance(cond, dict) or "indicator" not in cond:
            raise bad("each condition is a mapping with an indicator", key)
        tests = [t for t in ("present", "op") if t in cond]
        if len(tests) != 1:
            raise bad("a condition has either present: true/false or op with value or other", key)
        if "op" in cond and (
            cond["op"] not in _evaluate.OPS or ("value" in cond) == ("other" in cond)
        ):
            raise bad(f"op must be one of {', '.join(_evaluate.OPS)} with value or other", key)


def confront(store: Store, rules: Sequence[Rule], period: str | None = None) -> Report:
    """Check the store's latest values against ``rules``; restrict to ``period`` if given.

    With a period, only records whose period ends within it are checked (``2023-12`` checks the
    month, the fourth quarter and the year 2023); completeness looks at each sequence up to it.
    A rule that cannot run (an unknown indicator, say) reports the reason under ``errors``.
    """
    if period is not None:
        from statlib import periods

        try:
            period = str(periods.parse(period))
        except ConfigError as exc:
            raise ConfigError(f"--period: {exc}") from None
    context = _evaluate.Context(store, period)
    results = []
    for rule in rules:
        try:
            results.append(_evaluate.evaluate(rule, context))
        except StatlibError as exc:
            results.append(
                RuleResult(
                    rule=rule.id,
                    type=rule.type,
                    severity=rule.severity,
                    description=rule.description,
                    file=rule.file,
                    errors=(str(exc),),
                )
            )
    return Report(results=tuple(results), period=period)


def override(report: Report, rule_id: str, reason: str, who: str) -> Report:
    """Record a decision to publish although ``rule_id`` failed; returns the changed report.

    The override names the rule, the reason and who decided, with the time; it is kept in the
    report (``to_json``, ``summary_text``) so the release keeps the record. The rule then no
    longer counts in :meth:`Report.blocking_failures`.
    """
    if not reason or not reason.strip():
        raise ConfigError("override: give the reason for publishing despite the failure")
    if not who or not who.strip():
        raise ConfigError("override: say who decided (name or user id)")
    try:
        report.result(rule_id)
    except KeyError:
        raise ConfigError(f"override: no rule {rule_id!r} in this report") from None
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    return report.with_override(
        Override(rule=rule_id, reason=reason.strip(), who=who.strip(), at=stamp)
    )
