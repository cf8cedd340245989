"""Secondary suppression on every protected county table of the demo (the portal's, every period,
and the yearbook's, which are the December ones): pytauargus (Tau-Argus, OPT with HiGHS) against
statlib's suppressors — the former yearbook heuristic (hide the smallest other county), the
hypercube (``secondary.protect``) and the MILP (``linked.milp_protect``, adopted). Every pattern
is judged by the same independent LP audit (``statlib.disclosure.audit``, in
``statlib.disclosure.oracle``).

    python tools/tauargus_compare.py [DB]      # DB: a demo DuckDB file (default: STATLIB_DB)
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from statlib import open_store
from statlib.disclosure import audit, configured_rules, linked, protect

CITY = "990200"


def _printed(t, hidden):
    return t.shown & ~np.array([[t.key(r, c) in hidden for c in range(t.shape[1])]
                                for r in range(t.shape[0])])  # fmt: skip


def _loss(t, hidden):
    return sum(abs(float(t.values[r, c])) for r, c in t.cells()
               if t.key(r, c) in hidden and t.shown[r, c] and c == 0)  # fmt: skip


def _primary(t, rules):
    return {
        t.key(r, c)
        for r, c in t.cells()
        if len(t.contributions[r][c]) and rules.reasons(t.contributions[r][c])
    }


def heuristic(t, rules):
    hidden = _primary(t, rules)
    kids = [r for r in range(len(t.rows)) if t.key(r, 0) not in hidden]
    if kids and len(hidden & {t.key(r, 0) for r in range(len(t.rows))}) == 1:
        hidden.add(t.key(min(kids, key=lambda r: t.values[r, 0]), 0))
    return hidden


def tauargus(t, rules, workdir):
    from pytauargus import protect as ta_protect

    rows = [{"region": str(t.rows[r]), "v": float(u)}
            for r in range(len(t.rows)) for u in t.contributions[r][0]]  # fmt: skip
    rule = f"NK({rules.dominance_n},{rules.k:g})|FREQ({rules.n},10)"
    if rules.p is not None:
        rule += f"|P({rules.p:g},1)"
    Path(workdir).mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(workdir):  # the engine writes its logs to the working directory
        res = ta_protect(
            pd.DataFrame(rows),
            ["region"],
            response="v",
            safety_rules=rule,
            suppress="OPT(1)",
            workdir=workdir,
        )
    frame = res.tables[0].dataframe()
    out = set()
    for region, status in zip(frame["region"], frame["status"], strict=True):
        if status in ("U", "M"):
            r = len(t.rows) if region == "Total" else t.rows.index(region)
            out.add(t.key(r, 0))
    return out


def main(argv: list[str]) -> int:
    rules = configured_rules()
    with open_store(argv[0] if argv else None, edition="internal") as store:
        tables = [t for t in linked.tables_for(store, ["ind_va"], CITY) if _primary(t, rules)]
    try:
        import pytauargus

        ta_error = None
        ta_version = pytauargus.__version__
    except Exception as exc:
        ta_error, ta_version = f"{type(exc).__name__}: {exc}", None
    methods = {
        "heuristic (former yearbook)": lambda t: heuristic(t, rules),
        "hypercube (secondary.protect)": lambda t: set().union(
            *(lambda p: (p.primary, p.secondary))(protect([t], rules))
        ),
        "MILP (linked.milp_protect)": lambda t: set().union(
            *(lambda p: (p.primary, p.secondary))(linked.milp_protect([t], rules))
        ),
    }
    if ta_error is None:
        work = tempfile.mkdtemp(prefix="tauargus_")
        methods[f"pytauargus {ta_version} OPT(1)"] = lambda t: tauargus(
            t, rules, str(Path(work) / str(id(t)))
        )
    print(
        f"{len(tables)} protected tables (ind_va, city + 9 counties, one per period; the "
        f"yearbook's are the December ones); rules n={rules.n} NK({rules.dominance_n},"
        f"{rules.k:g}) p={rules.p}"
    )
    if ta_error:
        print(f"pytauargus: not available here — {ta_error}")
    print(
        f"{'method':34} {'tables':>6} {'cells':>6} {'secondary':>9} {'value 亿元':>11} "
        f"{'audit ok':>8} {'time s':>7}"
    )
    for name, run in methods.items():
        cells = secondary = ok = 0
        value = 0.0
        start = time.perf_counter()
        try:
            for t in tables:
                hidden = run(t)
                prim = _primary(t, rules)
                cells += len(hidden)
                secondary += len(hidden - prim)
                value += _loss(t, hidden - prim)
                ok += audit([t], [_printed(t, hidden)], rules).ok
        except Exception as exc:
            print(f"{name:34} failed: {type(exc).__name__}: {exc}")
            continue
        print(
            f"{name:34} {len(tables):6} {cells:6} {secondary:9} {value:11.2f} "
            f"{ok:4}/{len(tables):<3} {time.perf_counter() - start:7.1f}"
        )
    print("adopted: the MILP unless a method passing every audit suppresses less value")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
