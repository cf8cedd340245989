"""The publication registry: issue numbers (期号), review states, embargo and release calendar.

Every issue of a series is numbered within its year from 1 (增刊 numbered apart); the editions of
one issue (internal, public, masked) share its number. A publication moves only along
draft → reviewed → approved → published (and back to draft from reviewed or approved, with a
reason); every move is kept with who and when in ``publication_event``. Nothing is published
before its embargo time (CONVENTIONS §10).

>>> pub = register(store, "bulletin", "2023-11", "public", "2023年11月统计资讯")  # doctest: +SKIP
>>> advance(store, pub.key, "reviewed", who="张三")                              # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from statlib import periods
from statlib._lazy import LazyModule
from statlib.errors import EmbargoError, RegistryError, StatlibError
from statlib.store import registry_tables as tables
from statlib.store.store import Store

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "PubKey",
    "Publication",
    "advance",
    "calendar",
    "ensure",
    "expected",
    "find",
    "get",
    "history",
    "issue_date",
    "local_time",
    "now",
    "publications",
    "register",
    "set_embargo",
    "set_files",
]

STATUSES = ("draft", "reviewed", "approved", "published")
# Allowed moves; the moves back to draft need a reason.
TRANSITIONS = {
    "draft": ("reviewed",),
    "reviewed": ("approved", "draft"),
    "approved": ("published", "draft"),
    "published": (),
}
TZ = ZoneInfo("Asia/Shanghai")
_LOCK = threading.RLock()  # one DuckDB connection is not safe for concurrent calls
_RETRIES = 8


class PubKey(NamedTuple):
    """What names one publication: series, year, issue (期号), edition, 增刊 or not."""

    series: str
    year: int
    issue: int
    edition: str
    supplement: bool = False

    def __str__(self) -> str:
        no = f"增刊第{self.issue}期" if self.supplement else f"第{self.issue}期"
        return f"{self.series} {self.year}年{no} ({self.edition})"


@dataclass(frozen=True)
class Publication:
    """One registered publication (one edition of one issue)."""

    series: str
    year: int
    issue: int
    edition: str
    period: str
    title: str
    status: str = "draft"
    supplement: bool = False
    embargo: datetime | None = None
    files: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    data_vintage: int | None = None
    code_version: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def key(self) -> PubKey:
        return PubKey(self.series, self.year, self.issue, self.edition, self.supplement)

    @property
    def number(self) -> str:
        """``第12期`` or ``增刊第1期``."""
        return f"增刊第{self.issue}期" if self.supplement else f"第{self.issue}期"


def now() -> datetime:
    """The bureau's local time (Beijing), to the second, without a zone (as stored)."""
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def local_time(when: datetime | str | None) -> datetime:
    """``when`` as stored: Beijing time without a zone; None is now; ISO text is parsed."""
    if when is None:
        return now()
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            raise RegistryError(f"time {when!r} is not ISO 8601 (2023-12-15T09:30)") from None
    if when.tzinfo is not None:
        when = when.astimezone(TZ).replace(tzinfo=None)
    return when.replace(microsecond=0)


def _ensure(store: Store) -> None:
    tables.ensure(store.backend)


def _pub(row: dict[str, Any]) -> Publication:
    def clean(v: Any) -> Any:  # the backends' records hold None for NULL, a frame NaN
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    row = {k: clean(v) for k, v in row.items()}
    for k in ("embargo", "created_at", "updated_at"):
        when = row.get(k)
        if when is not None:
            when = datetime.fromisoformat(when) if isinstance(when, str) else when
            row[k] = when.replace(tzinfo=None)
    return Publication(
        series=row["series"],
        year=int(row["year"]),
        issue=int(row["issue"]),
        edition=row["edition"],
        period=row["period"],
        title=row["title"] or "",
        status=row["status"],
        supplement=bool(row["supplement"]),
        embargo=row["embargo"],
        files=json.loads(row["files"]) if row["files"] else {},
        data_vintage=None if row["data_vintage"] is None else int(row["data_vintage"]),
        code_version=row["code_version"] or "",
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"] or "",
    )


def _select(store: Store, **equal: Any) -> list[Publication]:
    with _LOCK:
        rows = tables.select(store.backend, **equal)
    return [_pub(r) for r in rows]


def get(store: Store, key: PubKey | Publication | tuple[Any, ...]) -> Publication:
    """The publication of ``key``; RegistryError if it is not registered."""
    k = key.key if isinstance(key, Publication) else PubKey(*key)
    _ensure(store)
    found = _select(
        store,
        series=k.series,
        year=int(k.year),
        issue=int(k.issue),
        edition=k.edition,
        supplement=bool(k.supplement),
    )
    if not found:
        raise RegistryError(f"{k} is not registered — `statlib registry add` registers it")
    return found[0]


def find(
    store: Store, series: str, period: str, edition: str, *, supplement: bool = False
) -> Publication | None:
    """The regular (or, with ``supplement``, the last 增刊) publication of a series, period and
    edition, if registered."""
    _ensure(store)
    found = _select(
        store,
        series=series,
        period=str(periods.parse(period)),
        edition=edition,
        supplement=bool(supplement),
    )
    return found[-1] if found else None


def _supplement_to_join(store: Store, series: str, period: str, edition: str) -> int | None:
    """The 增刊 of ``period`` that another edition holds and ``edition`` does not yet: the
    editions of one 增刊 share its number as those of a regular issue do."""
    others = _select(store, series=series, period=period, supplement=True)
    held = {p.issue for p in others if p.edition == edition}
    free = sorted({p.issue for p in others} - held)
    return free[0] if free else None


def ensure(
    store: Store,
    series: str,
    period: str,
    edition: str,
    title: str,
    *,
    supplement: bool = False,
    who: str = "statlib build",
    when: datetime | str | None = None,
) -> Publication:
    """The publication a build makes: found when registered (a rebuild keeps its number),
    else registered now — joining the issue (or 增刊) of the period that another edition
    holds, else taking the next number of its series and year."""
    p = str(periods.parse(period))
    for _attempt in range(_RETRIES):
        found = find(store, series, p, edition, supplement=supplement)
        if found is not None:
            return found
        join = _supplement_to_join(store, series, p, edition) if supplement else None
        try:
            return register(
                store,
                series,
                p,
                edition,
                title,
                supplement=supplement,
                who=who,
                when=when,
                issue=join,
            )
        except RegistryError as exc:  # another process registered it first: find it again
            if "already registered" not in str(exc):
                raise
    raise RegistryError(f"could not register {series} {p} ({edition}) after {_RETRIES} attempts")


def expected(
    store: Store, series: str, period: str, edition: str, *, supplement: bool = False
) -> tuple[int, bool]:
    """The issue number ``ensure`` would give, without registering anything (for a preview):
    (number, registered already)."""
    p = periods.parse(period)
    found = find(store, series, str(p), edition, supplement=supplement)
    if found is not None:
        return found.issue, True
    if supplement:
        join = _supplement_to_join(store, series, str(p), edition)
        if join is not None:
            return join, False
    else:
        same = [q.issue for q in _select(store, series=series, period=str(p), supplement=False)]
        if same:
            return max(same), False
    return tables.last_issue(store.backend, series, p.year, supplement) + 1, False


def issue_date(store: Store, pub: Publication) -> date:
    """The date printed on ``pub``'s masthead: the planned release of its issue in the
    calendar (the earliest embargo of its editions), else the day the issue was first
    registered (assigned once: a rebuild prints the same date)."""
    same = [
        q
        for q in _select(store, series=pub.series, year=pub.year, issue=pub.issue)
        if q.supplement == pub.supplement
    ] or [pub]
    embargoes = [q.embargo for q in same if q.embargo is not None]
    if embargoes:
        return min(embargoes).date()
    created = [q.created_at for q in same if q.created_at is not None]
    return min(created).date() if created else now().date()


def publications(
    store: Store, *, year: int | None = None, status: str | None = None
) -> list[Publication]:
    """Registered publications, optionally of one year and status."""
    _ensure(store)
    return _select(store, year=None if year is None else int(year), status=status)


def register(
    store: Store,
    series: str,
    period: str,
    edition: str,
    title: str,
    *,
    supplement: bool = False,
    embargo: datetime | str | None = None,
    who: str = "registry",
    when: datetime | str | None = None,
    issue: int | None = None,
) -> Publication:
    """Register one edition of an issue; the issue number is the next of its series and year.

    An edition of a period whose issue is already numbered joins that issue; a 增刊
    (``supplement=True``) takes the next supplement number unless ``issue`` names the one it
    joins (another edition of that 增刊, :func:`ensure`). Safe when several
    processes register at once: numbering happens in one transaction (serialised on
    PostgreSQL; retried on a conflicting commit).
    """
    if not series or not edition:
        raise RegistryError("register needs a series and an edition")
    p = periods.parse(period)
    stamp = local_time(when)
    embargo_at = None if embargo is None else local_time(embargo)
    _ensure(store)
    b = store.backend
    last_error: Exception | None = None
    for _attempt in range(_RETRIES):
        try:
            with _LOCK:
                with b.transaction():
                    key = _number(
                        store, series, p, edition, title, supplement, embargo_at, stamp, who, issue
                    )
                return get(store, key)
        except StatlibError:
            raise
        except Exception as exc:  # a conflicting commit: number again
            last_error = exc
    raise RegistryError(f"could not number {series} {p} after {_RETRIES} attempts: {last_error}")


def _number(
    store: Store,
    series: str,
    p: periods.Period,
    edition: str,
    title: str,
    supplement: bool,
    embargo_at: datetime | None,
    stamp: datetime,
    who: str,
    join: int | None = None,
) -> PubKey:
    """Inside the registration's transaction: the issue number, the row, the first event."""
    b = store.backend
    tables.lock_for_numbering(b)
    issue = join if supplement else tables.issue_of_period(b, series, p.year, str(p))
    if issue is None:
        issue = tables.last_issue(b, series, p.year, supplement) + 1
    key = PubKey(series, p.year, issue, edition, bool(supplement))
    if tables.exists(b, key):
        raise RegistryError(f"{key} is already registered")
    tables.insert(b, key, str(p), title, embargo_at, stamp, who)
    tables.add_event(b, key, None, "draft", who, stamp, "registered")
    return key


def advance(
    store: Store,
    key: PubKey | Publication | tuple[Any, ...],
    to_status: str,
    who: str,
    when: datetime | str | None = None,
    reason: str = "",
) -> Publication:
    """Move a publication to ``to_status``, recording who and when.

    Refused (RegistryError): an unknown state, a move not in ``TRANSITIONS``, a return to draft
    without a reason, no ``who``; EmbargoError: publishing before the embargo time.
    """
    if to_status not in STATUSES:
        raise RegistryError(f"unknown state {to_status!r} — use {', '.join(STATUSES)}")
    if not who or not who.strip():
        raise RegistryError("every move needs who made it (who=...)")
    stamp = local_time(when)
    with _LOCK, store.backend.transaction():
        pub = get(store, key)
        if to_status not in TRANSITIONS[pub.status]:
            allowed = ", ".join(TRANSITIONS[pub.status]) or "none (published is final)"
            raise RegistryError(
                f"{pub.key}: cannot go from {pub.status} to {to_status}; allowed: {allowed}"
            )
        if to_status == "draft" and not reason.strip():
            raise RegistryError(f"{pub.key}: a return to draft needs a reason")
        if to_status == "published" and pub.embargo is not None and stamp < pub.embargo:
            raise EmbargoError(
                f"{pub.key} is under embargo until {pub.embargo:%Y-%m-%d %H:%M}; "
                f"not published at {stamp:%Y-%m-%d %H:%M}"
            )
        tables.update(store.backend, pub.key, status=to_status, updated_at=stamp, updated_by=who)
        tables.add_event(store.backend, pub.key, pub.status, to_status, who, stamp, reason)
    return get(store, pub.key)


def set_embargo(
    store: Store, key: PubKey | Publication | tuple[Any, ...], embargo: datetime | str | None
) -> Publication:
    """Set (or clear) the time before which the publication may not be published."""
    pub = get(store, key)
    if pub.status == "published":
        raise RegistryError(f"{pub.key} is already published")
    tables.update(store.backend, pub.key, embargo=None if embargo is None else local_time(embargo))
    return get(store, pub.key)


def set_files(
    store: Store,
    key: PubKey | Publication | tuple[Any, ...],
    files: dict[str, Any],
    *,
    data_vintage: int | None = None,
    code_version: str = "",
) -> Publication:
    """Record the files of a publication (site path → sha256, bytes, source)."""
    pub = get(store, key)
    tables.update(
        store.backend,
        pub.key,
        files=json.dumps(files, ensure_ascii=False, sort_keys=True),
        data_vintage=data_vintage,
        code_version=code_version,
    )
    return get(store, pub.key)


def history(store: Store, key: PubKey | Publication | tuple[Any, ...]) -> pd.DataFrame:
    """Every move of a publication: seq, from_status, to_status, who, happened_at, reason."""
    return tables.events(store.backend, get(store, key).key)


def calendar(store: Store, year: int) -> pd.DataFrame:
    """The release calendar of ``year``: one row per issue (editions joined), by release time.

    Columns: series, issue, supplement, number, period, period_label, title, editions, status,
    release (the embargo time, the planned release), published (when it was published).
    """
    rows: dict[tuple[str, bool, int], dict[str, Any]] = {}
    for pub in publications(store, year=year):
        k = (pub.series, pub.supplement, pub.issue)
        row = rows.setdefault(
            k,
            {
                "series": pub.series,
                "issue": pub.issue,
                "supplement": pub.supplement,
                "number": pub.number,
                "period": pub.period,
                "period_label": periods.label(pub.period, with_year=True),
                "title": pub.title,
                "editions": [],
                "status": pub.status,
                "release": pub.embargo,
                "published": None,
            },
        )
        row["editions"].append(pub.edition)
        if pub.edition == "public" or STATUSES.index(pub.status) > STATUSES.index(row["status"]):
            row["status"] = pub.status
        if pub.embargo is not None and (row["release"] is None or pub.embargo < row["release"]):
            row["release"] = pub.embargo
        if pub.status == "published" and row["published"] is None:
            row["published"] = pub.updated_at
    columns = [
        "series",
        "issue",
        "supplement",
        "number",
        "period",
        "period_label",
        "title",
        "editions",
        "status",
        "release",
        "published",
    ]
    frame = pd.DataFrame(list(rows.values()), columns=columns)
    if frame.empty:
        return frame
    frame["editions"] = frame["editions"].map(lambda e: ",".join(sorted(e)))
    frame["_t"] = frame["release"].map(lambda t: t or datetime.max)
    frame = frame.sort_values(["_t", "series", "supplement", "issue"], kind="stable")
    return frame.drop(columns="_t").reset_index(drop=True)
