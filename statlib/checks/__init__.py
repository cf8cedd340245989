"""Validation checks run before a release (TRUST.md §2).

The Hidiroglou–Berthelot outlier rule for period-to-period changes of many units (counties,
enterprises, indicators), :func:`hidiroglou_berthelot`; and validation rules as data (YAML under
``rules/``): :func:`load_rules`, :func:`confront` → :class:`Report`, :func:`override`.
"""

from __future__ import annotations

from statlib.checks._report import Failure, Override, Report, RuleResult
from statlib.checks.outliers import hidiroglou_berthelot
from statlib.checks.rules import RULE_TYPES, Rule, confront, load_rules, override

__all__ = [
    "RULE_TYPES",
    "Failure",
    "Override",
    "Report",
    "Rule",
    "RuleResult",
    "confront",
    "hidiroglou_berthelot",
    "load_rules",
    "override",
]
