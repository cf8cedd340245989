"""The statistical database as notebooks see it: series, frames, metadata, vintages.

>>> store = open_store()                                   # doctest: +SKIP
>>> store.series("地区生产总值", "内蒙古自治区").tail(2)     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statlib import periods
from statlib._lazy import LazyModule
from statlib.errors import DataError
from statlib.store import layers, schema
from statlib.store import vintages as _vintages
from statlib.store.backends import Backend
from statlib.store.vintages import Order, Selection

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")

__all__ = ["Indicator", "Region", "Store"]

Vintage = str | int
AsOf = str | dt.date | None

# Indicator codes (and unit-level tables) read in this process: the batch records them per job,
# so that a changed value reruns only the publications that read it.
reads: set[str] = set()


@dataclass(frozen=True)
class Indicator:
    """Metadata of one indicator (指标), as the catalogue gives it."""

    code: str
    name: str
    name_en: str = ""
    unit: str = ""
    frequency: str = "M"
    kind: str = "level"
    price_basis: str = ""
    decimals: int = 1
    definition: str = ""
    source: str = ""
    scope: str = ""
    topic: str = ""
    aliases: str = ""
    growth_of: str = ""

    @property
    def is_growth(self) -> bool:
        return self.kind in ("growth", "cumulative_growth")


@dataclass(frozen=True)
class Region:
    """One region (地区): the country, a province, a city or a county (旗县区)."""

    code: str
    name: str
    name_en: str = ""
    parent: str = ""
    level: str = ""
    sort_order: int = 0
    peer_group: str = ""

    @property
    def short_name(self) -> str:
        """A province's name without its suffix, as NBS panels write it (内蒙古, 上海, 广西)."""
        return _PROVINCE_SUFFIX.sub("", self.name) if self.level == "province" else self.name


_PROVINCE_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")


def _clean(value: Any) -> Any:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else value


_READ_CACHE = 512  # observation reads kept per read-only DuckDB store


class Store:
    """Indicators, regions and observations with their vintages, on one backend."""

    def __init__(self, backend: Backend, edition: str = "internal") -> None:
        from statlib.editions import data_layer

        self.backend = backend
        self.edition = edition
        self.data_layer = data_layer(edition)  # public for the public and masked editions
        # the public layer's view is resolved at once: a public read never skips its filter
        self._view = layers.view(self.data_layer) if self.data_layer != "internal" else None
        self._indicators: dict[str, Indicator] = {}
        self._regions: dict[str, Region] = {}
        self._ind_keys: dict[str, list[str]] = {}
        self._reg_keys: dict[str, list[str]] = {}
        # observations already read, when the data cannot change under this connection: a
        # bulletin asks for the same figure several times (text, rank, attached table)
        self._read: dict[tuple[Any, ...], pd.DataFrame] | None = {} if backend.snapshot else None
        #: whether ``vintage`` has its publication dates (a schema-2 store read-only: no)
        self._published = schema.has_published(backend)
        self._order: Order | None = None  # kept when the data cannot change
        self.refresh_catalogue()

    # -- life cycle ----------------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    @property
    def url(self) -> str:
        return self.backend.url

    def refresh_catalogue(self) -> None:
        """Reload indicator and region metadata (after a catalogue load)."""
        ind = self.backend.records(f"SELECT {', '.join(schema.INDICATOR_COLUMNS)} FROM indicator")
        reg = self.backend.records(f"SELECT {', '.join(schema.REGION_COLUMNS)} FROM region")
        self._indicators = {
            r["code"]: Indicator(**{k: _clean(v) for k, v in r.items()}) for r in ind
        }
        self._regions = {r["code"]: Region(**{k: _clean(v) for k, v in r.items()}) for r in reg}
        self._ind_keys = _key_index(
            (i.code, [i.name, *[a for a in i.aliases.split("|") if a]])
            for i in self._indicators.values()
        )
        self._reg_keys = _key_index(
            (r.code, [r.name, r.short_name]) for r in self._regions.values()
        )

    # -- metadata ------------------------------------------------------------------------------
    def indicator(self, key: str | Indicator) -> Indicator:
        """An indicator by code, Chinese name or alias (``"gdp"``, ``"地区生产总值"``)."""
        if isinstance(key, Indicator):
            return key
        return self._indicators[_resolve(key, self._indicators, self._ind_keys, "indicator")]

    def region(self, key: str | Region) -> Region:
        """A region by code, Chinese name or a province's short name (``"150000"``,
        ``"内蒙古自治区"``, ``"内蒙古"``)."""
        if isinstance(key, Region):
            return key
        return self._regions[_resolve(key, self._regions, self._reg_keys, "region")]

    def indicators(self) -> pd.DataFrame:
        """The indicator catalogue, one row per indicator."""
        return pd.DataFrame([vars(i) for i in self._indicators.values()]).sort_values("code")

    def regions(self) -> pd.DataFrame:
        """The region catalogue in publication order."""
        frame = pd.DataFrame([vars(r) for r in self._regions.values()])
        return frame.sort_values(["sort_order", "code"]).reset_index(drop=True)

    def peers(self, region: str | Region) -> list[Region]:
        """The regions of ``region``'s peer group (itself included), in publication order."""
        r = self.region(region)
        if not r.peer_group:
            return [r]
        group = [p for p in self._regions.values() if p.peer_group == r.peer_group]
        return sorted(group, key=lambda p: (p.sort_order, p.code))

    def children(self, region: str | Region) -> list[Region]:
        """The regions directly below ``region`` (a city's 旗县区), in publication order."""
        code = self.region(region).code
        kids = [r for r in self._regions.values() if r.parent == code]
        return sorted(kids, key=lambda p: (p.sort_order, p.code))

    def growth_indicator(self, indicator: str | Indicator) -> Indicator | None:
        """The growth indicator published with a level indicator, if the catalogue has one."""
        code = self.indicator(indicator).code
        for ind in self._indicators.values():
            if ind.growth_of == code:
                return ind
        return None

    def _codes(
        self, indicators: str | Sequence[str], regions: str | Sequence[str]
    ) -> tuple[list[str], list[str]]:
        """The codes of indicators and regions given by code, name or alias."""
        inds = [self.indicator(i).code for i in _as_list(indicators)]
        return inds, [self.region(r).code for r in _as_list(regions)]

    # -- observations --------------------------------------------------------------------------
    def observations(
        self,
        indicator: str | Sequence[str],
        region: str | Sequence[str],
        start: str | None = None,
        end: str | None = None,
        vintage: Vintage = "latest",
        *,
        as_of: AsOf = None,
    ) -> pd.DataFrame:
        """Observations with every column (value, flags, contributors, vintage), long form.

        ``vintage`` and ``as_of`` choose which published value of each key
        (``statlib.store.vintages``)."""
        sel = Selection.parse(vintage, as_of)
        inds, regs = self._codes(indicator, region)
        reads.update(inds)
        key = (tuple(inds), tuple(regs), start, end, sel)
        if self._read is not None and key in self._read:
            return self._read[key].copy()
        frame = self._stored(inds, regs, start, end, sel)
        if self.data_layer != "internal":  # the public layer's view (statlib.store.layers)
            frame = self._layer().observations(self, frame)
        if self._read is not None:
            if len(self._read) >= _READ_CACHE:
                del self._read[next(iter(self._read))]  # the oldest
            self._read[key] = frame
            return frame.copy()
        return frame

    def _stored(
        self,
        inds: Sequence[str],
        regs: Sequence[str],
        start: str | None,
        end: str | None,
        sel: Selection,
    ) -> pd.DataFrame:
        """The stored rows a selection takes (codes given; before any data layer's view): for
        readers inside the store's trust boundary, such as disclosure control. A snapshot keeps
        the vintages' order and picks the rows here; elsewhere the database applies it."""
        where, params = _range_clause(start, end, "", [])
        cols, snap = ", ".join(schema.OBSERVATION_COLUMNS), self.backend.snapshot
        sql = (
            f"FROM observation{'' if snap else ' JOIN vintage v ON v.id = vintage'} WHERE "
            f"indicator IN ({', '.join('?' * len(inds))}) "
            f"AND region IN ({', '.join('?' * len(regs))}){where}"
        )
        if not snap:  # the order in SQL: one query, no read of the vintage log first
            extra, more, terms = _vintages.clause(sel, self.backend, self._published)
            sql += f"{extra} ORDER BY indicator, region, period, {terms}"
            distinct = "DISTINCT ON (indicator, region, period)"
            return self.backend.query(
                f"SELECT {distinct} {cols} {sql}", [*inds, *regs, *params, *more]
            )
        order = self.vintage_order()
        if sel.how in ("vintage", "as_of"):  # rows of later vintages need not travel
            sql, params = sql + " AND vintage <= ?", [*params, max(order.allowed(sel), default=0)]
        rows = self.backend.query(f"SELECT {cols} {sql}", [*inds, *regs, *params])
        return _vintages.pick(rows, order.ranks(sel), first=sel.how == "first")

    def values(
        self,
        indicator: str,
        regions: Sequence[str],
        period: str,
        vintage: Vintage = "latest",
        *,
        as_of: AsOf = None,
    ) -> dict[str, float | None]:
        """Published values of several regions at one period, in one query, by region code:
        None where a value is missing, not available, confidential or suppressed."""
        p = str(periods.parse(period))
        codes = [self.region(r).code for r in regions]
        frame = self.observations(indicator, codes, p, p, vintage, as_of=as_of)
        out: dict[str, float | None] = dict.fromkeys(codes)
        for reg, per, val, flags in zip(
            frame["region"], frame["period"], frame["value"], frame["flags"], strict=True
        ):
            hidden = isinstance(flags, str) and any(f in flags for f in "CSN")
            if per == p and not hidden and val is not None and not pd.isna(val):
                out[reg] = float(val)
        return out

    def value(
        self,
        indicator: str,
        region: str,
        period: str,
        vintage: Vintage = "latest",
        *,
        as_of: AsOf = None,
    ) -> float | None:
        """One published value, or None (missing, not available, confidential, suppressed)."""
        got = self.values(indicator, [region], period, vintage, as_of=as_of)
        return got[self.region(region).code]

    def series(
        self,
        indicator: str,
        region: str,
        start: str | None = None,
        end: str | None = None,
        vintage: Vintage = "latest",
        *,
        freq: str | None = None,
        as_of: AsOf = None,
    ) -> pd.Series:
        """One indicator for one region, indexed by period (``2022-11``, ``2022Q3``, ``2022``).

        ``vintage``: ``"latest"`` (default: as last published), ``"first"`` (as first
        published) or a vintage id (as it stood when that vintage was published); ``as_of``
        (``"2024-03-01"``): as it stood on that day (``statlib.store.vintages``). ``freq`` picks
        one frequency where an indicator is kept at several (quarterly and annual GDP); by
        default the indicator's own frequency, or the one present.
        """
        ind = self.indicator(indicator)
        frame = self.observations(ind.code, region, start, end, vintage, as_of=as_of)
        frame = _one_frequency(frame, freq or ind.frequency)
        out = pd.Series(
            frame["value"].to_numpy(dtype=float),
            index=pd.Index(frame["period"].astype(str), name="period"),
            name=ind.code,
        )
        out.attrs.update(indicator=ind.code, region=self.region(region).code, unit=ind.unit)
        return out

    def frame(
        self,
        indicators: str | Sequence[str],
        regions: str | Sequence[str],
        start: str | None = None,
        end: str | None = None,
        vintage: Vintage = "latest",
        *,
        as_of: AsOf = None,
    ) -> pd.DataFrame:
        """Several series side by side, indexed by period.

        Columns are the indicators when one region is given, the regions when one indicator is
        given, and (indicator, region) pairs otherwise — always codes, in the order asked.
        """
        inds, regs = self._codes(indicators, regions)
        long = self.observations(inds, regs, start, end, vintage, as_of=as_of)
        wide = long.pivot(index="period", columns=["indicator", "region"], values="value")
        wide = wide.reindex(columns=pd.MultiIndex.from_product([inds, regs]))
        wide = wide.reindex(sorted(wide.index, key=periods.parse))
        if isinstance(regions, str):
            wide.columns = wide.columns.get_level_values(0)
        elif isinstance(indicators, str):
            wide.columns = wide.columns.get_level_values(1)
        wide.index.name = "period"
        wide.columns.names = [None] * wide.columns.nlevels
        return wide.astype(float)

    def cross_section(
        self,
        indicator: str,
        regions: Sequence[str],
        period: str,
        vintage: Vintage = "latest",
        *,
        as_of: AsOf = None,
    ) -> pd.Series:
        """One indicator for several regions at one period, indexed by region code."""
        frame = self.observations(indicator, list(regions), period, period, vintage, as_of=as_of)
        frame = frame[frame["period"] == str(periods.parse(period))]
        return frame.set_index("region")["value"].astype(float)

    # -- vintages, unit data, info --------------------------------------------------------------
    def vintages(self) -> pd.DataFrame:
        """The vintage log: one row per load that added values, with ``published`` (the date
        given at ingest, else missing: the load date stands in) and ``dated_by`` (``published``
        or ``loaded_at``: which date orders the vintage)."""
        return _vintages.read_log(self.backend, self._published)

    def vintage_order(self) -> Order:
        """The vintages in publication order (``statlib.store.vintages.Order``)."""
        order = self._order or _vintages.read_order(self.backend, self._published)
        if self.backend.snapshot:
            self._order = order
        return order

    def revisions(
        self,
        indicator: str,
        region: str,
        start: str | None = None,
        end: str | None = None,
        *,
        freq: str | None = None,
    ) -> pd.DataFrame:
        """The revision table of one series, by period: the value as first published and its
        date, the latest and its date, the revision (latest − first) and the revision in % of
        the first (``statlib.store.vintages.revision_table``)."""
        ind = self.indicator(indicator)
        obs = [self.observations(ind.code, region, start, end, v) for v in ("first", "latest")]
        first, latest = (_one_frequency(o, freq or ind.frequency) for o in obs)
        return _vintages.revision_table(first, latest, self.vintage_order())

    def latest_vintage(self) -> int:
        return int(self.backend.scalar("SELECT coalesce(max(id), 0) FROM vintage"))

    def units(self, year: int | None = None, region: str | None = None) -> pd.DataFrame:
        """Unit-level ("四上" enterprise) records, optionally for one year and county.

        Internal edition only: unit records never reach a public or masked run, which reads
        their protected aggregates (``unit_cells``, ``protected_cells``, ``unit_count``)."""
        self._internal_only("units()", "store.unit_cells(…) or store.protected_cells(…)")
        return self._units(year, region)

    def _units(
        self, year: int | None, region: str | None, where: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        reads.add("table:enterprise")
        sql, params = "SELECT * FROM enterprise WHERE 1=1", list[Any]()
        if year is not None:
            sql, params = sql + " AND year = ?", [*params, int(year)]
        if region is not None:
            sql, params = sql + " AND region = ?", [*params, self.region(region).code]
        frame = self.backend.query(sql + " ORDER BY year, unit_id", params)
        for column, wanted in (where or {}).items():
            if column not in frame.columns:
                raise DataError(
                    f"units: no column {column!r}; the enterprise records have "
                    f"{', '.join(frame.columns)}"
                )
            keep = (
                frame[column].isin(list(wanted))
                if isinstance(wanted, list | tuple | set)
                else frame[column] == wanted
            )
            frame = frame[keep]
        return frame.reset_index(drop=True)

    def unit_count(
        self,
        year: int | None = None,
        region: str | None = None,
        *,
        where: dict[str, Any] | None = None,
    ) -> int:
        """How many unit records match (a count of units is published, e.g. 企业单位数)."""
        return len(self._units(year, region, where))

    def unit_cells(
        self,
        by: str | Sequence[str],
        values: Sequence[str],
        *,
        year: int | None = None,
        region: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Unit records aggregated by ``by``: ``单位数`` and the sum of each of ``values``, through
        the data layer's view (``statlib.disclosure.cells.unit_cells``): in the public and
        masked editions the primary disclosure rules apply (unsafe sums arrive as
        ``SUPPRESSED``). ``where`` keeps the records whose column equals a value (or is in a
        list)."""
        return self._layer().unit_cells(self._units(year, region, where), by, values)

    def protected_cells(
        self,
        rows: str | Sequence[str],
        column: str,
        values: Sequence[str],
        *,
        year: int | None = None,
        region: str | None = None,
        where: dict[str, Any] | None = None,
        cross: Sequence[str] = (),
    ) -> Any:
        """The linked tables of ``values`` by ``rows`` and by ``column`` from unit records,
        through the data layer's view (``statlib.disclosure.cells.protected_cells``): in the
        public and masked editions protected by the primary rules and secondary suppression,
        audited by linear programming."""
        return self._layer().protected_cells(
            self._units(year, region, where), rows, column, values, cross
        )

    def survey(self, survey: str | None = None, year: int | None = None) -> pd.DataFrame:
        """Satisfaction-survey microdata, long form (respondent × item). Internal edition only."""
        self._internal_only("survey()", "store.surveys() and store.satisfaction(…)")
        reads.add("table:survey_response")
        sql, params = "SELECT * FROM survey_response WHERE 1=1", list[Any]()
        if survey is not None:
            sql, params = sql + " AND survey = ?", [*params, survey]
        if year is not None:
            sql, params = sql + " AND year = ?", [*params, int(year)]
        return self.backend.query(sql + " ORDER BY survey, year, respondent_id, item", params)

    def surveys(self) -> pd.DataFrame:
        """The surveys in the store: one row per survey and year, with its respondents."""
        reads.add("table:survey_response")
        return self.backend.query(
            "SELECT survey, year, count(DISTINCT respondent_id) AS respondents, "
            "min(weight) AS weight_min, max(weight) AS weight_max FROM survey_response "
            "GROUP BY survey, year ORDER BY survey, year"
        )

    def satisfaction(
        self, survey: str, year: int, by: str | Sequence[str] | None = None, **options: Any
    ) -> pd.DataFrame:
        """Weighted satisfaction estimates of one survey and year (``statlib.survey.
        satisfaction``) — what a survey report publishes. In the public and masked editions an
        estimate resting on fewer valid answers than the frequency rule's n arrives as NaN."""
        reads.add("table:survey_response")
        frame = self.backend.query(
            "SELECT * FROM survey_response WHERE survey = ? AND year = ? "
            "ORDER BY respondent_id, item",
            [survey, int(year)],
        )
        return self._layer().satisfaction(frame, by, **options)

    def _layer(self) -> layers.View:
        """The view of this store's data layer (``statlib.store.layers``)."""
        if self._view is None:
            self._view = layers.view(self.data_layer)
        return self._view

    def _internal_only(self, what: str, instead: str) -> None:
        if self.data_layer != "internal":
            from statlib.errors import EditionError

            raise EditionError(
                f"{what}: unit records are confidential and never reach the {self.edition} "
                f"edition (Statistics Law art. 25); use {instead}"
            )

    def info(self) -> dict[str, Any]:
        """Counts that describe the database (``statlib db info``)."""
        q = self.backend.scalar
        return {
            "backend": self.backend.name,
            "url": self.url,
            "indicators": len(self._indicators),
            "regions": len(self._regions),
            "observations": int(q("SELECT count(*) FROM observation")),
            "series": int(
                q("SELECT count(*) FROM (SELECT DISTINCT indicator, region FROM observation) s")
            ),
            "vintages": int(q("SELECT count(*) FROM vintage")),
            "latest_vintage": self.latest_vintage(),
            "enterprise_records": int(q("SELECT count(*) FROM enterprise")),
            "survey_responses": int(q("SELECT count(*) FROM survey_response")),
        }


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _key_index(pairs: Any) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code, names in pairs:
        for name in names:
            codes = index.setdefault(name, [])
            if code not in codes:
                codes.append(code)
    return index


def _resolve(key: str, by_code: dict[str, Any], by_name: dict[str, list[str]], what: str) -> str:
    key = str(key).strip()
    if key in by_code:
        return key
    codes = by_name.get(key, [])
    if len(codes) == 1:
        return codes[0]
    if len(codes) > 1:
        raise DataError(f"{what} {key!r} is ambiguous: it names {', '.join(codes)} — use a code")
    near = [n for n in by_name if key in n or n in key][:5]
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise DataError(f"unknown {what} {key!r}{hint} — list them with `statlib db info --{what}s`")


def _range_clause(
    start: str | periods.Period | None,
    end: str | periods.Period | None,
    where: str,
    params: list[Any],
) -> tuple[str, list[Any]]:
    """Periods that end within [start, end] (a quarter or year start counts from its first
    month), filtered in SQL on the stored period's last month (``periods.sql_end``)."""
    if start is not None:
        where += f" AND {periods.sql_end('period')} >= ?"
        params = [*params, periods.parse(start).span[0]]
    if end is not None:
        where += f" AND {periods.sql_end('period')} <= ?"
        params = [*params, periods.parse(end).span[1]]
    return where, params


def _one_frequency(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Keep one frequency: ``freq`` if present, else the first found. Rows arrive ordered by
    period, which within one frequency is chronological."""
    if frame.empty:
        return frame
    freqs = frame["period"].map(lambda p: periods.parse(str(p)).freq)
    keep = freqs == freq
    if not keep.any():
        keep = freqs == freqs.iloc[0]
    return frame[keep]
