"""Validation checks run before a release (TRUST.md §2).

So far: the Hidiroglou–Berthelot outlier rule for period-to-period changes of many units
(counties, enterprises, indicators), :func:`hidiroglou_berthelot`.
"""

from __future__ import annotations

from statlib.checks.outliers import hidiroglou_berthelot

__all__ = ["hidiroglou_berthelot"]
