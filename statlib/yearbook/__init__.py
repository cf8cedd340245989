"""The statistical yearbook (《云川统计年鉴》): helpers shared by the chapter notebooks.

A chapter (``notebooks/yearbook/NN_topic.ipynb``) reads annual figures with ``annual`` and
``regions_frame`` (confidential cells arrive as ``SUPPRESSED`` in the public edition), builds
``statlib.tables.Table`` objects numbered 章-序, writes its 简要说明 with ``brief`` and its
主要统计指标解释 with ``explanations``, and displays every table with ``show``. ``show`` keeps
the table's spec in the output's metadata, so that the book assembly reads the tables back from
the executed notebook (``chapter_tables``) and writes one workbook per table (``export_xlsx``)
without running anything again.

>>> chapters = book()
>>> [c.number for c in chapters][:3], chapters[0].title
([1, 2, 3], '综合')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import yaml

from statlib import config
from statlib import series as series_registry
from statlib._text import md_text
from statlib.errors import ConfigError
from statlib.yearbook._spec import (
    METADATA_KEY,
    chapter_tables,
    export_xlsx,
    from_spec,
    show,
    to_spec,
    xlsx_name,
)

if TYPE_CHECKING:
    from statlib.store import Store
    from statlib.tables import Table

__all__ = [
    "METADATA_KEY",
    "ROUNDING_NOTE",
    "SYMBOLS_NOTE",
    "Chapter",
    "annual",
    "book",
    "book_file",
    "brief",
    "chapter_tables",
    "check_parameters",
    "explanations",
    "export_xlsx",
    "from_spec",
    "regions_frame",
    "rows",
    "show",
    "to_spec",
    "xlsx_name",
]

SYMBOLS_NOTE = (
    "本章表中符号使用说明：“…”表示数字小于表内最小计量单位或因保密未公布；空格表示该项统计指标"
    "数据不详或无该项数据；“#”表示其中的主要项；“①”“②”表示有注解，注解列于表下；“|”表示"
    "该年前后统计口径或计算方法有变化，数据不可直接比较。"
)
ROUNDING_NOTE = "部分数据因四舍五入的原因，存在总计与分项合计不等的情况。"
_ANNUAL_PERIOD = {"A": "{y}", "Q": "{y}Q4", "M": "{y}-12"}


# ---- the book -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book as ``book.yaml`` lists it."""

    number: int
    file: str
    title: str
    title_en: str


def book_file() -> Path:
    """``notebooks/yearbook/book.yaml`` of the project: the book's title and its chapters."""
    return config.project_root() / "notebooks" / "yearbook" / "book.yaml"


def book(path: str | Path | None = None) -> list[Chapter]:
    """The chapters in order, from ``notebooks/yearbook/book.yaml``."""
    source = Path(path) if path is not None else book_file()
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    chapters = [Chapter(**entry) for entry in data["chapters"]]
    numbers = [c.number for c in chapters]
    if numbers != list(range(1, len(chapters) + 1)):
        raise ConfigError(f"{source}: chapters must be numbered 1, 2, … in order, got {numbers}")
    return chapters


def check_parameters(
    year: object, edition: object, first: int = 2014, last: int = 2023, *, store: Any = None
) -> tuple[int, str]:
    """Validate a chapter's parameters; ConfigError names the parameter and what is allowed.
    With ``store``, also that it serves the edition's data layer (EditionError if not)."""
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
        raise ConfigError(
            f"parameter year must be a data year from {first} to {last} (the book of year+1), "
            f"got {year!r}"
        )
    editions = series_registry.get("yearbook").editions  # templates/series/yearbook.yaml
    if edition not in editions:
        raise ConfigError(
            f"parameter edition must be one of {', '.join(editions)}, got {edition!r}"
        )
    if store is not None:
        from statlib.report import check_store_edition

        check_store_edition(store, edition)
    return year, str(edition)


# ---- data -----------------------------------------------------------------------------------


def annual(
    store: Store,
    indicators: str | Sequence[str],
    region: str,
    start: int,
    end: int,
    edition: str = "public",
) -> pd.DataFrame:
    """Annual figures by year (index ``int``), one column per indicator code.

    A year's figure is the annual observation, or the cumulative Q4 / December one (全年).
    Confidential cells (flag ``C``) are ``SUPPRESSED`` in the public edition; cells flagged
    not available (``N``) are missing.
    """
    codes = [store.indicator(i).code for i in _as_list(indicators)]
    frame = _annual_long(store, codes, [region], start, end, edition)
    wide = frame.pivot(index="year", columns="indicator", values="value")
    wide = wide.reindex(index=range(start, end + 1), columns=codes)
    return wide.astype(object).where(wide.notna(), None)


def regions_frame(
    store: Store,
    indicators: str | Sequence[str],
    regions: Sequence[str],
    year: int,
    edition: str = "public",
) -> pd.DataFrame:
    """Annual figures of one year, one row per region code (in the order given), one column per
    indicator code; the same flag handling as ``annual``.

    Secondary suppression along the hierarchy: counties sum to their city, whose total is
    published, so a column with one suppressed county would give it away by subtraction; in
    the public edition the smallest other county of that column is suppressed too.
    """
    codes = [store.indicator(i).code for i in _as_list(indicators)]
    regs = [store.region(r).code for r in regions]
    edition = _layer(store, edition)
    frame = _annual_long(store, codes, regs, year, year, edition)
    wide = frame.pivot(index="region", columns="indicator", values="value")
    wide = wide.reindex(index=regs, columns=codes)
    wide = wide.astype(object).where(wide.notna(), None)
    if edition != "internal":
        wide = _protect_siblings(store, wide, year)
    return wide


def _protect_siblings(store: Store, wide: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Secondary suppression along the hierarchy and the balances (counties with their city,
    parts with their whole): the cells ``statlib.disclosure.linked.hidden_cells`` suppresses
    for the data year — the same function the data portal uses, so both suppress alike."""
    from statlib.disclosure import linked
    from statlib.tables import SUPPRESSED

    if year is None:
        return wide
    out = wide.copy()
    parents = {store.region(code).parent for code in wide.index} - {""}
    for parent in sorted(parents):
        family = {parent, *(c.code for c in store.children(parent))}
        for col in out.columns:
            period = _ANNUAL_PERIOD[store.indicator(col).frequency].format(y=year)
            hidden = linked.hidden_cells(store, [col], parent, [period])
            for code in family & set(out.index):
                if linked.cell_key(col, code, period) in hidden:
                    out.loc[code, col] = cast(Any, SUPPRESSED)  # an object cell
    return out


def _layer(store: Store, edition: str) -> str:
    """The edition a table is made for: never less strict than the store's data layer."""
    return edition if store.data_layer == "internal" else "public"


def _annual_long(
    store: Store, codes: list[str], regions: list[str], start: int, end: int, edition: str
) -> pd.DataFrame:
    from statlib.tables import SUPPRESSED

    edition = _layer(store, edition)
    obs = store.observations(codes, regions)
    keep = []
    for code in codes:
        freq = store.indicator(code).frequency
        wanted = {_ANNUAL_PERIOD[freq].format(y=y): y for y in range(start, end + 1)}
        part = obs[(obs["indicator"] == code) & obs["period"].isin(wanted)].copy()
        if part.empty and freq != "A":  # kept annually only (e.g. the real NBS files)
            wanted = {str(y): y for y in range(start, end + 1)}
            part = obs[(obs["indicator"] == code) & obs["period"].isin(wanted)].copy()
        part["year"] = part["period"].map(wanted)
        keep.append(part)
    long = pd.concat(keep) if keep else obs.assign(year=[])
    flags = long["flags"].fillna("").astype(str)
    values = long["value"].astype(object).where(long["value"].notna(), None)
    values = values.where(~flags.str.contains("N"), None)
    if edition != "internal":  # C: confidential; S: suppressed by the public data layer
        values = values.where(~flags.str.contains("C|S"), SUPPRESSED)
    return long.assign(value=values)[["indicator", "region", "year", "value"]]


def rows(
    table: Table,
    frame: pd.DataFrame,
    decimals: int | Sequence[int] = 1,
    *,
    labels: dict[Any, str] | None = None,
    footnotes: dict[Any, str] | None = None,
    breaks: Iterable[Any] = (),
    level: int = 0,
) -> Table:
    """``table`` with one row per frame row (a year, a county), values in column order.

    ``labels`` maps an index entry to its label (default ``str``), ``footnotes`` to its mark
    (``①``), and an entry in ``breaks`` starts a series not comparable with the rows above
    (``|``). SUPPRESSED and None values pass through as the yearbook symbols.
    """
    labels, footnotes, breaks = labels or {}, footnotes or {}, set(breaks)
    for key, record in frame.iterrows():
        table = table.row(
            labels.get(key, str(key)),
            list(record),
            decimals=decimals if isinstance(decimals, int) else tuple(decimals),
            level=level,
            footnote=footnotes.get(key),
            break_=key in breaks,
        )
    return table


# ---- text -----------------------------------------------------------------------------------


def brief(store: Store, indicators: Iterable[str], text: str) -> str:
    """The chapter's 简要说明 (Markdown): ``text``, then the sources and scope of its indicators
    from their metadata, then the symbols and rounding notes."""
    sources: dict[str, list[str]] = {}
    scopes: dict[str, list[str]] = {}
    for code in indicators:
        ind = store.indicator(code)
        if ind.source:  # labels from data are text, never markup
            sources.setdefault(md_text(ind.source), []).append(md_text(ind.name))
        if ind.scope:
            scopes.setdefault(md_text(ind.scope), []).append(md_text(ind.name))
    lines = ["## 简要说明", "", text.strip(), ""]
    if sources:
        listed = "；".join(
            f"{'、'.join(_unique(names))}来自{src}" for src, names in sources.items()
        )
        lines += [f"本章资料来源：{listed}。", ""]
    if scopes:
        listed = "；".join(
            f"{'、'.join(_unique(names))}：{scope}" for scope, names in scopes.items()
        )
        lines += [f"统计范围：{listed}。", ""]
    lines += [SYMBOLS_NOTE + ROUNDING_NOTE]
    return "\n".join(lines)


def explanations(
    store: Store, indicators: Iterable[str], extra: dict[str, str] | None = None
) -> str:
    """主要统计指标解释 (Markdown) from the indicators' ``definition`` metadata; a definition
    shared by several indicators (the growth rates) is given once, under the first."""
    lines = ["## 主要统计指标解释", ""]
    seen: set[str] = set()
    for code in indicators:
        ind = store.indicator(code)
        text = ind.definition.strip()
        if not text or text in seen:
            continue
        seen.add(text)
        name = re.sub(r"[（(](当月|累计)[）)]$", "", ind.name)
        if ind.is_growth:
            basis = "可比价" if ind.price_basis == "comparable" else "现价"
            name = "同比增长" if text.startswith("同比增长") else f"增长速度（{basis}）"
        lines += [f"**{md_text(name)}**　{md_text(text)}", ""]
    for name, text in (extra or {}).items():
        lines += [f"**{name}**　{text}", ""]
    return "\n".join(lines).rstrip() + "\n"


# ---- small pieces ---------------------------------------------------------------------------


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
