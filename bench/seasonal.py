"""Benchmark: seasonal and Spring Festival adjustment of a yearbook's worth of monthly series.

    python bench/seasonal.py                 # 1,000 series of 20 years (240 months), a few minutes
    python bench/seasonal.py --series 100    # smoke run
    python bench/seasonal.py --workers 1     # statlib in one process, like the plain loop

The series are generated from China's calendar itself (``statlib.seasonal.calendar_regressors``,
i.e. ``holidays.China``): 2005-01…2024-12, in logs a drifting trend, a seasonal pattern that
evolves slowly, a Spring Festival effect (a holiday week of −5…−30 %, a pre-festival rush of
0…+20 %, a slow restart of 0…−30 %, window drawn from the ones ``adjust`` tries), a working-day
effect of 0.5…3 % a day, irregular noise of 1…4 %, and an additive outlier in one series in
ten; seed ``--seed`` (deterministic). Then, on the same series:

1. **statlib**: ``statlib.seasonal.adjust`` (mode chosen, festival window chosen by AIC among 7,
   outlier search, SARIMAX, STL) over a process pool of ``--workers`` (default: the CPU count),
   started and warmed up before the clock starts;
2. **the plain way**: a loop of ``statsmodels.tsa.seasonal.STL(period=12, robust=True)`` on the
   levels, in this process (what ``forecast.seasonal_adjust`` did).

Printed side by side: wall time, series/s (and per CPU used), peak RSS of this process and its
workers (summed, sampled every 50 ms), and what each gets right: the median ratio of the
January–February irregular's SD to other months' (≤ 1.3 is the issue's acceptance line), the
share of series that meet it, and for statlib the median RMS error of the estimated calendar
effect in January–March (true against estimated factor, in %).
Exit code 0; 2 when a check fails (a series that fails to adjust, or a ratio above the line in
the median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PeakRss, load_before, load_line, verdict

SEED = 20261202
LABELS = [f"{y}-{m:02d}" for y in range(2005, 2025) for m in range(1, 13)]
LINE = 1.3


# -- the series ---------------------------------------------------------------------------------
def generate(i: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Series ``i``: levels and the true calendar effect (in logs)."""
    from statlib.seasonal import _calendar, calendar_regressors

    rng = np.random.default_rng([seed, i])
    n = len(LABELS)
    window = _calendar.FESTIVAL_WINDOWS[rng.integers(len(_calendar.FESTIVAL_WINDOWS))]
    x = calendar_regressors(LABELS, window=window).to_numpy()
    beta = np.array(  # holiday week, rush before, slow restart after, a working day
        [
            rng.uniform(-0.3, -0.05),
            rng.uniform(0.0, 0.2),
            rng.uniform(-0.3, 0.0),
            rng.uniform(0.005, 0.03),
        ]
    )
    base = rng.normal(0, 0.08, 12)
    drift = np.cumsum(rng.normal(0, 0.004, (n // 12, 12)), axis=0).ravel()  # evolving pattern
    pattern = np.tile(base - base.mean(), n // 12) + drift
    trend = np.cumsum(rng.normal(rng.uniform(0.0, 0.008), 0.01, n))
    noise = rng.normal(0, rng.uniform(0.01, 0.04), n)
    if rng.random() < 0.1:
        noise[rng.integers(12, n - 12)] += rng.choice([-1, 1]) * rng.uniform(0.15, 0.3)
    logs = rng.uniform(3, 8) + trend + pattern + x @ beta + noise
    return np.exp(logs), x @ beta


def jan_feb_ratio(irregular: np.ndarray) -> float:
    months = np.tile(np.arange(1, 13), len(irregular) // 12)
    jf = months <= 2
    return float(np.std(irregular[jf], ddof=1) / np.std(irregular[~jf], ddof=1))


# -- the two ways -------------------------------------------------------------------------------
def _warm(_: int) -> int:
    from statlib import seasonal

    seasonal.calendar_regressors(LABELS[:12])
    return os.getpid()


def statlib_one(job: tuple[int, int]) -> tuple[float, float, str]:
    """(Jan–Feb ratio of the irregular in logs, RMS error of the calendar effect in % over
    January–March, error message)."""
    from statlib import seasonal

    i, seed = job
    levels, truth = generate(i, seed)
    try:
        r = seasonal.adjust(pd.Series(levels, index=LABELS))
    except Exception as exc:  # counted and reported, the run goes on
        return float("nan"), float("nan"), f"series {i}: {type(exc).__name__}: {exc}"
    irregular = r["irregular"].to_numpy(float)
    if r.attrs["mode"] == "multiplicative":
        irregular = np.log(irregular)
    error = np.log(r["calendar"].to_numpy(float)) - truth
    months = np.tile(np.arange(1, 13), len(error) // 12)
    rms = float(np.sqrt(np.mean(error[months <= 3] ** 2)) * 100)
    return jan_feb_ratio(irregular), rms, ""


def plain_loop(series: list[np.ndarray]) -> list[float]:
    from statsmodels.tsa.seasonal import STL

    return [jan_feb_ratio(np.asarray(STL(s, period=12, robust=True).fit().resid)) for s in series]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000, help="series to adjust (1000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(load_before())
    n, workers = args.series, max(1, args.workers)
    jobs = [(i, args.seed) for i in range(n)]

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_warm, range(workers)))
        warm = time.perf_counter() - started
        with PeakRss().watching() as rss_new:
            t0 = time.perf_counter()
            results = list(pool.map(statlib_one, jobs, chunksize=max(1, n // (workers * 8))))
            wall_new = time.perf_counter() - t0
            load_new = load_line()

    series = [generate(i, args.seed)[0] for i in range(n)]
    with PeakRss().watching() as rss_plain:
        t0 = time.perf_counter()
        plain = plain_loop(series)
        wall_plain = time.perf_counter() - t0
        load_plain = load_line()

    failures = [msg for *_, msg in results if msg]
    ratios = [r for r, _, msg in results if not msg]
    errors = [e for _, e, msg in results if not msg]
    med_new, med_plain = statistics.median(ratios), statistics.median(plain)
    ok_new = sum(r <= LINE for r in ratios) / len(ratios)
    ok_plain = sum(r <= LINE for r in plain) / len(plain)
    mb = 1024**2

    print(f"\n{n} generated monthly series of 240 months (2005-01…2024-12), seed {args.seed}")
    print(
        f"statlib: {workers} worker processes (started and warmed up in {warm:.1f} s); {load_new}"
    )
    print(f"plain STL loop: this process, one CPU; {load_plain}\n")
    rows: list[tuple[str, str, str]] = [
        ("", "statlib.seasonal.adjust", "plain STL loop"),
        ("wall time", f"{wall_new:.1f} s", f"{wall_plain:.1f} s"),
        ("series/s", f"{n / wall_new:.1f}", f"{n / wall_plain:.1f}"),
        ("series/s per CPU", f"{n / wall_new / workers:.1f}", f"{n / wall_plain:.1f}"),
        (
            "peak RSS (all processes)",
            f"{rss_new.peak / mb:.0f} MB",
            f"{rss_plain.peak / mb:.0f} MB",
        ),
        ("median Jan–Feb/other irregular SD", f"{med_new:.2f}", f"{med_plain:.2f}"),
        (f"series with that ratio ≤ {LINE}", f"{ok_new:.0%}", f"{ok_plain:.0%}"),
        ("median RMS calendar error, Jan–Mar", f"{statistics.median(errors):.2f} %", "—"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:>24}  {b:>16}")
    problems = list(failures[:5])
    if med_new > LINE:
        problems.append(f"statlib's median Jan–Feb ratio {med_new:.2f} exceeds {LINE}")
    figures: list[tuple[str, str, str, bool | None]] = [
        ("statlib series/s", f"{n / wall_new:.1f}", "", None),
        ("plain STL series/s", f"{n / wall_plain:.1f}", "", None),
        ("statlib failures", str(len(failures)), "0", not failures),
        ("statlib median Jan–Feb ratio", f"{med_new:.2f}", f"≤ {LINE}", med_new <= LINE),
    ]
    return verdict("Checks", figures, problems)


if __name__ == "__main__":
    sys.exit(main())
