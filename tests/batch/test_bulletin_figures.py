"""Every figure quoted in the rendered 《统计资讯》 is recomputed from the store (issue 5, item 8).

The bulletin is executed with papermill for one period and region; the text of its Markdown
outputs (prose and the 附表) is read back, every number in it is extracted — levels with their
units, percentages, 个百分点 differences, ranks 第N位, rank moves 提升两位, counts — and each one
must be among the figures this test recomputes independently from the store: nominal growth from
the levels a year apart, differences of the rounded rates, ranks among the peers by the rounded
rates, shares, changes since the start of the year. Comparable-price growth (规上工业, GDP) cannot
be derived from levels and is read as published.

A sentence is checked against the indicators it names (or, when it names none, those of the
sentence before it), so a figure of the wrong indicator does not pass by coincidence.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import statlib
from statlib import periods

pytestmark = pytest.mark.slow  # executes the bulletin for every region and period it checks

papermill = pytest.importorskip("papermill")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "bulletin.ipynb"
CITY = "990200"
CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_TEN = "十"


def r(x: float, d: int = 1) -> Decimal:
    """Half-up rounding, written out here rather than taken from statlib."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)


def cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if CN_TEN in text:
        tens, _, ones = text.partition(CN_TEN)
        return (CN[tens] if tens else 1) * 10 + (CN[ones] if ones else 0)
    return CN[text]


class Figures:
    """Everything the bulletin may quote for one region and period, recomputed from the store."""

    def __init__(self, store, region: str, period: str) -> None:
        self.store = store
        self.reg = store.region(region)
        self.period = period
        p = periods.parse(period)
        self.regions = {self.reg.code, self.reg.parent, CITY}
        self.regions |= {x.code for x in store.peers(self.reg)}
        self.regions |= {x.code for x in store.children(self.reg)}
        months = {period, periods.previous(period), periods.previous(period, cumulative=False)}
        months |= {periods.previous(m) for m in list(months)}
        months.add(f"{p.year - 1}-12")
        quarters = set()
        if p.sub % 3 == 0:
            q = f"{p.year}Q{p.sub // 3}"
            quarters = {q, periods.previous(q)}
        self.periods = months | quarters
        self.catalogue = {i.code: i for i in map(store.indicator, store.indicators()["code"])}
        # every value of these regions, read once (confidential cells are not figures)
        everywhere = {x.code for r in list(self.regions) for x in store.peers(r)} | self.regions
        obs = store.observations(list(self.catalogue), sorted(everywhere))
        obs = obs[~obs["flags"].fillna("").str.contains("C") & obs["value"].notna()]
        self.values = {
            (i, g, str(t)): float(x)
            for i, g, t, x in obs[["indicator", "region", "period", "value"]].itertuples(
                index=False
            )
        }

    # -- raw values ------------------------------------------------------------------------
    def v(self, code: str, region: str, period: str) -> float | None:
        return self.values.get((code, region, period))

    def level_of(self, code: str):
        ind = self.catalogue[code]
        return self.catalogue.get(ind.growth_of) if ind.growth_of else None

    def rate(self, code: str, region: str, period: str) -> Decimal | None:
        """A growth rate: recomputed from levels when nominal, as published when comparable."""
        ind = self.catalogue[code]
        if ind.kind == "index":
            v = self.v(code, region, period)
            return None if v is None else r(v - 100)
        level = self.level_of(code)
        if ind.price_basis != "comparable" and level is not None and level.kind != "index":
            now = self.v(level.code, region, period)
            before = self.v(level.code, region, periods.same_period_last_year(period))
            if now is not None and before:
                return r((now / before - 1) * 100)
        v = self.v(code, region, period)
        return None if v is None else r(v)

    def rank(self, code: str, region: str, period: str) -> int | None:
        peers = [x.code for x in self.store.peers(region)]
        rates = {c: x for c in peers if (x := self.rate(code, c, period)) is not None}
        if region not in rates:
            return None
        return 1 + sum(x > rates[region] for x in rates.values())

    # -- candidate figures for a set of indicators ---------------------------------------------
    def candidates(self, codes: set[str]) -> dict[str, set]:
        growth = {
            c for c in codes if self.catalogue[c].is_growth or self.catalogue[c].kind == "index"
        }
        levels = {c for c in codes if c not in growth}
        out: dict[str, set] = {"pct": set(), "signed": set(), "pp": set(), "level": set()}
        out |= {"rank": set(), "move": set(), "count": set()}
        for code in growth:
            if self.catalogue[code].kind == "index":  # the index itself (上年同月=100)
                out["signed"] |= {
                    r(x)
                    for t in self.periods
                    for g in self.regions
                    if (x := self.v(code, g, t)) is not None
                }
            for t in self.periods:
                rates = {g: x for g in self.regions if (x := self.rate(code, g, t)) is not None}
                out["pct"] |= {abs(x) for x in rates.values()}
                out["signed"] |= set(rates.values())
                if (k := self.rank(code, self.reg.code, t)) is not None:
                    out["rank"].add(k)
                for t0 in self.periods:
                    for g in rates:
                        x0 = self.rate(code, g, t0)
                        if x0 is not None:
                            out["pp"].add(abs(rates[g] - x0))
                        k0 = self.rank(code, g, t0) if g == self.reg.code else None
                        if k0 is not None and (k := self.rank(code, g, t)) is not None:
                            out["move"].add(abs(k - k0))
                mine = rates.get(self.reg.code)
                if mine is not None:  # 高于/低于全区 (全市): against the region above only
                    refs = (self.reg.parent, CITY)
                    out["pp"] |= {abs(mine - rates[g]) for g in refs if g in rates}
            kids = [x.code for x in self.store.children(self.reg)]
            kid_rates = [x for c in kids if (x := self.rate(code, c, self.period)) is not None]
            if kid_rates:
                out["count"] |= {len(kid_rates), sum(x > 0 for x in kid_rates), 3}
        for code in levels:
            ind = self.catalogue[code]
            for t in self.periods:
                for g in self.regions:
                    x = self.v(code, g, t)
                    if x is None:
                        continue
                    out["level"].add((r(x, ind.decimals), ind.unit))
                    out["signed"].add(r(x, ind.decimals))
                    if ind.kind in ("stock", "balance"):  # 比年初增加
                        y0 = periods.parse(t).year - 1
                        start = self.v(code, g, f"{y0}-12")
                        if start is not None:
                            diff = abs(r(x, ind.decimals) - r(start, ind.decimals))
                            out["level"].add((diff, ind.unit))
        if {"tax_rev", "fiscal_rev"} <= codes:  # 税收占一般公共预算收入的比重 and its change
            shares = {}
            for t in self.periods:
                tax, total = (
                    self.v("tax_rev", self.reg.code, t),
                    self.v("fiscal_rev", self.reg.code, t),
                )
                if tax is not None and total:
                    shares[t] = r(tax / total * 100)
            out["pct"] |= set(shares.values())
            out["pp"] |= {abs(a - b) for a in shares.values() for b in shares.values()}
        return out


def _prose_names(store) -> dict[str, set[str]]:
    """Prose name → the codes of that indicator family (level and its growth indicators)."""
    names: dict[str, set[str]] = {}
    cat = store.indicators()
    for row in cat.itertuples():
        base = row.growth_of or row.code
        name = store.indicator(base).name
        for tag in ("（当月）", "（累计）"):
            name = name.replace(tag, "")
        family = {base, *cat.loc[cat["growth_of"] == base, "code"]}
        aliases = [a for a in str(store.indicator(base).aliases).split("|") if not a.isascii()]
        for known in (name, *aliases):
            names.setdefault(known, set()).update(family)
    return names


NUMBER = r"(?<![\d.])(\d+(?:\.\d+)?)"
PERIOD_WORDS = re.compile(r"\d{4}年|1—\d{1,2}月|\d{1,2}月(?:份|末)|上年同月=100")
PATTERNS = [
    ("level", re.compile(NUMBER + r"(亿元|元)")),
    ("pct", re.compile(NUMBER + r"%")),
    ("pp", re.compile(NUMBER + r"个百分点")),
    ("rank", re.compile(r"第(\d+)位")),
    ("count", re.compile(r"(?<![\d.])(\d+)(?:个(?!百分点)|项)|前(\d+)位")),
]
MOVE = re.compile(r"(?:提升|下降)([一两二三四五六七八九十]+)位")


def _markdown_outputs(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise AssertionError(f"{out['ename']}: {out['evalue']}")
            text = out.get("data", {}).get("text/markdown")
            if text:
                texts.append(text if isinstance(text, str) else "".join(text))
    return texts


def _table_rows(grid: str) -> list[list[str]]:
    """The body rows of a pandoc grid table (below the ``+===`` line), as cell texts."""
    rows = []
    body = grid.split("+=", 1)[1]
    for line in body.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\", "") for c in line.strip("|").split("|")]
            rows.append(cells)
    return rows


_EXECUTED: dict[tuple[str, str], list[str]] = {}


def executed_texts(tmp_path: Path, region: str, period: str) -> list[str]:
    """The Markdown outputs of the bulletin executed with papermill (once per parameters)."""
    if (region, period) not in _EXECUTED:
        import nbformat

        out = tmp_path / f"bulletin-{region}-{period}.ipynb"
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(out),
            parameters={"period": period, "region": region, "edition": "internal"},
            kernel_name="python3",
            progress_bar=False,
        )
        _EXECUTED[region, period] = _markdown_outputs(nbformat.read(out, as_version=4))
    return _EXECUTED[region, period]


def check_texts(texts: list[str], region: str, period: str) -> tuple[list[str], list[str]]:
    """(figures found among the recomputed ones, figures not found), each with its context."""
    store = statlib.open_store()
    figures = Figures(store, region, period)
    names = _prose_names(store)
    cache: dict[frozenset[str], dict[str, set]] = {}

    def cand(codes: set[str]) -> dict[str, set]:
        key = frozenset(codes)
        if key not in cache:
            cache[key] = figures.candidates(codes)
        return cache[key]

    checked: list[str] = []
    failures: list[str] = []
    all_codes = set().union(*names.values())
    current: set[str] = all_codes
    grids = [t for t in texts if t.lstrip().startswith("+--")]
    prose = [t for t in texts if t not in grids and not t.startswith("**附注**")]
    notes = [t for t in texts if t.startswith("**附注**")]
    assert grids and notes and len(prose) > 15, "the bulletin lost its table, notes or prose"

    for paragraph in prose:
        if paragraph.startswith("#"):
            current = all_codes
            continue
        for sentence in re.split(r"(?<=[。；])", paragraph):
            found = {n for n in names if n in sentence}
            # the longest names win: 社会消费品零售总额 is not also 消费品零售额
            found = {n for n in found if not any(n != m and n in m for m in found)}
            if found:
                current = set().union(*(names[n] for n in found))
            text = PERIOD_WORDS.sub("", sentence)
            c = cand(current)
            for kind, pattern in PATTERNS:
                for m in pattern.finditer(text):
                    number = next(g for g in m.groups() if g is not None)
                    if kind == "level":
                        ok = (Decimal(number), m.group(2)) in c["level"]
                    elif kind in ("rank", "count"):
                        ok = int(number) in c[kind] or (
                            kind == "count" and _lead_count(figures, int(number))
                        )
                    else:
                        ok = Decimal(number) in c[kind]
                    (checked if ok else failures).append(f"{kind} {m.group(0)} in {sentence}")
            for m in MOVE.finditer(text):
                ok = cn_number(m.group(1)) in c["move"]
                (checked if ok else failures).append(f"move {m.group(0)} in {sentence}")

    for grid in grids:
        for cells in _table_rows(grid):
            label = cells[0].lstrip("\u3000#")
            found = {n for n in names if label.startswith(n)}
            found = {n for n in found if not any(n != m and n in m for m in found)}
            assert found, f"table row {cells[0]!r} names no indicator"
            c = cand(set().union(*(names[n] for n in found)))
            for i, cell in enumerate(cells[2:]):
                if not cell:
                    continue
                ok = (int(cell) in c["rank"]) if i == 4 else Decimal(cell) in c["signed"]
                (checked if ok else failures).append(f"table {cells[0]} col {i + 1}: {cell}")

    # 附注: every number in the notes is in the catalogue's definitions and scopes.
    meta = " ".join(f"{i.definition} {i.scope} {i.source}" for i in map(store.indicator, all_codes))
    for text in notes:
        body = PERIOD_WORDS.sub("", text.split("4. 说明")[0])
        for number in re.findall(r"\d{2,}", body):
            (checked if number in meta else failures).append(f"note {number}")

    return checked, failures


def _lead_count(figures: Figures, n: int) -> bool:
    """The lead paragraph's counts: of the 4 main indicators, how many grew faster than in the
    previous period and how many above the region above (on rounded rates)."""
    main = ("ind_va_cum_growth", "fai_growth", "retail_cum_growth", "fiscal_rev_growth")
    prev = periods.previous(figures.period)
    reg, parent = figures.reg.code, figures.reg.parent
    now = {c: figures.rate(c, reg, figures.period) for c in main}
    faster = sum(
        1
        for c in main
        if now[c] is not None and (b := figures.rate(c, reg, prev)) is not None and now[c] > b
    )
    above = sum(
        1
        for c in main
        if now[c] is not None
        and (b := figures.rate(c, parent, figures.period)) is not None
        and now[c] > b
    )
    return n in (len(main), faster, above)


@pytest.mark.parametrize(
    ("region", "period", "expected"),
    [("990200", "2023-11", 80), ("990203", "2023-11", 60), ("990200", "2023-02", 60)],
)
def test_every_quoted_figure_is_recomputed(tmp_path, region, period, expected):
    checked, failures = check_texts(executed_texts(tmp_path, region, period), region, period)
    print(f"bulletin {region} {period}: {len(checked)} figures checked, {len(failures)} not found")
    assert not failures, "figures not recomputed from the store:\n" + "\n".join(failures)
    assert len(checked) >= expected


def test_a_wrong_figure_is_caught(tmp_path):
    """The check is not vacuous: a changed rate, rank, level or table cell fails it."""
    texts = executed_texts(tmp_path, "990200", "2023-11")
    lead = next(i for i, t in enumerate(texts) if "规模以上工业增加值按可比价格计算" in t)
    grid = next(i for i, t in enumerate(texts) if t.lstrip().startswith("+--"))
    bad = list(texts)
    bad[lead] = bad[lead].replace("增长6.9%", "增长6.8%").replace("第7位", "第3位")
    bad[grid] = bad[grid].replace("801.35", "801.53", 1)
    _, failures = check_texts(bad, "990200", "2023-11")
    assert any("6.8%" in f for f in failures)
    assert any("第3位" in f for f in failures)
    assert any("801.53" in f for f in failures)
