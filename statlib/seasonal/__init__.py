"""Seasonal and calendar adjustment of monthly series, with China's Spring Festival.

A monthly flow in China moves with the Spring Festival (春节): factories close for a week or
more, output and trade rush before it and slump after it, and the festival falls anywhere from
21 January to 20 February. A fixed monthly seasonal factor cannot follow it, so the
January–March irregular of a plain decomposition is several times that of other months. The
bureaus' (and X-13's) answer is a RegARIMA pre-adjustment with holiday regressors:

- :func:`calendar_regressors` — per month, the shares of three festival windows falling in it
  (the rush before, the holiday week, the slow restart after) and the working days, net of their
  long-run monthly means;
- :func:`adjust` — RegARIMA (statsmodels ``SARIMAX``: calendar regressors, additive outliers and
  level shifts) on logs when the series is positive (multiplicative), then STL of the
  pre-adjusted series; returns ``observed, calendar, seasonal, trend, irregular, adjusted``;
- :func:`split_combined` — a 1—2月 value split into January and February by the estimated
  holiday and seasonal pattern, never in halves;
- :func:`diagnostics` and :func:`revisions` — residual seasonality (Kruskal–Wallis and F tests
  by month), the festival's t-test, the January–February irregular against other months', and
  how much adjusted values move when months are added;
- :func:`method_note` — the publication's 方法说明 of an adjustment, in Chinese.

The calendar comes from the ``holidays`` package (``holidays.China``, 1950–2099). It computes
the festival for any year from its own lunisolar calendar (1901–2099) and carries China's
statutory holidays and the 调休 make-up working days (``weekend_workdays``,
``get_working_days_count``), and it is released monthly, so a year's schedule arrives when the
State Council announces it (years not announced yet get the statutory days without 调休).
``chinese-calendar`` covers 2004–2026 only and needs an upgrade every year; ``lunardate`` gives
lunar dates only, no holidays or working days.

>>> calendar_regressors(["2018-02"]).columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
['spring_festival', 'spring_festival_pre', 'spring_festival_post', 'working_days']
"""

from __future__ import annotations

from statlib.seasonal._adjust import adjust, combined_years, split_combined
from statlib.seasonal._calendar import calendar_regressors, festival_date, working_days
from statlib.seasonal._diagnostics import diagnostics, revisions
from statlib.seasonal._note import method_note

__all__ = [
    "adjust",
    "calendar_regressors",
    "combined_years",
    "diagnostics",
    "festival_date",
    "method_note",
    "revisions",
    "split_combined",
    "working_days",
]
