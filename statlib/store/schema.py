"""The data model of the store (DESIGN.md), as DDL shared by the DuckDB and PostgreSQL backends.

``{double}`` and ``{obs_key}`` are filled per backend. Both keep the observation key
(indicator, region, period, vintage) as the primary key (``OBS_KEY``): a store never holds two
values of one key, whatever a loader does. Schema version 2 added the key on DuckDB; a DuckDB
database of version 1 is refused on opening (``check_version``) with what to do.

Schema version 3 added ``vintage.published``, the date a vintage was published (NULL: its load
date stands in, ``statlib.store.vintages``). A database of version 2 (or a PostgreSQL one of
version 1) is migrated when it is opened for writing (``migrate``: one ``ALTER TABLE … ADD
COLUMN``, every row kept) and read as it is when opened read-only: its vintages have no
publication date, which is what the migration would give them (NULL), so both read the same.
"""

from __future__ import annotations

from typing import Any

from statlib.errors import DataError

SCHEMA_VERSION = "3"
OBS_KEY = ", PRIMARY KEY (indicator, region, period, vintage)"

# Observation status flags (one letter each, combined in ``observation.flags``).
FLAGS = {
    "P": "provisional (初步数)",
    "E": "estimated (估计数)",
    "C": "confidential (保密)",
    "N": "not available (无数据)",
}

INDICATOR_COLUMNS = (
    "code",
    "name",
    "name_en",
    "unit",
    "frequency",
    "kind",
    "price_basis",
    "decimals",
    "definition",
    "source",
    "scope",
    "topic",
    "aliases",
    "growth_of",
)
REGION_COLUMNS = ("code", "name", "name_en", "parent", "level", "sort_order", "peer_group")
OBSERVATION_COLUMNS = (
    "indicator",
    "region",
    "period",
    "vintage",
    "value",
    "flags",
    "contributors",
    "top1_share",
    "top2_share",
)
#: an observation as a source file gives it (its vintage is the load's)
SOURCE_COLUMNS = tuple(c for c in OBSERVATION_COLUMNS if c != "vintage")
KINDS = (
    "level",
    "cumulative_level",
    "stock",
    "balance",
    "growth",
    "cumulative_growth",
    "index",
    "share",
    "rate",
    "count",
)
FREQUENCIES = ("M", "Q", "A")

DDL = """
CREATE TABLE IF NOT EXISTS statlib_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS indicator (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT, unit TEXT,
    frequency TEXT NOT NULL, kind TEXT NOT NULL, price_basis TEXT, decimals INTEGER NOT NULL,
    definition TEXT, source TEXT, scope TEXT, topic TEXT, aliases TEXT, growth_of TEXT
);
CREATE TABLE IF NOT EXISTS region (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT, parent TEXT, level TEXT,
    sort_order INTEGER, peer_group TEXT
);
CREATE TABLE IF NOT EXISTS vintage (
    id INTEGER PRIMARY KEY, loaded_at TIMESTAMP NOT NULL, source TEXT NOT NULL,
    sha256 TEXT NOT NULL, reader TEXT NOT NULL, rows_read BIGINT NOT NULL,
    rows_added BIGINT NOT NULL, note TEXT, published DATE
);
CREATE TABLE IF NOT EXISTS observation (
    indicator TEXT NOT NULL, region TEXT NOT NULL, period TEXT NOT NULL, vintage INTEGER NOT NULL,
    value {double}, flags TEXT, contributors INTEGER, top1_share {double}, top2_share {double}
    {obs_key}
);
CREATE TABLE IF NOT EXISTS publication (
    series TEXT NOT NULL, year INTEGER NOT NULL, issue INTEGER NOT NULL, edition TEXT NOT NULL,
    period TEXT NOT NULL, title TEXT, status TEXT NOT NULL DEFAULT 'draft',
    files TEXT, data_vintage INTEGER, code_version TEXT, embargo TIMESTAMP,
    created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by TEXT,
    supplement BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (series, year, supplement, issue, edition)
);
CREATE TABLE IF NOT EXISTS publication_event (
    series TEXT NOT NULL, year INTEGER NOT NULL, supplement BOOLEAN NOT NULL,
    issue INTEGER NOT NULL, edition TEXT NOT NULL, seq INTEGER NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, who TEXT NOT NULL,
    happened_at TIMESTAMP NOT NULL, reason TEXT,
    PRIMARY KEY (series, year, supplement, issue, edition, seq)
);
CREATE TABLE IF NOT EXISTS enterprise (
    year INTEGER NOT NULL, unit_id TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL,
    category TEXT NOT NULL, industry_code TEXT, industry_name TEXT, revenue {double},
    value_added {double}, employees INTEGER, above_scale BOOLEAN NOT NULL,
    PRIMARY KEY (year, unit_id)
);
CREATE TABLE IF NOT EXISTS survey_response (
    survey TEXT NOT NULL, year INTEGER NOT NULL, respondent_id TEXT NOT NULL, region TEXT NOT NULL,
    weight {double} NOT NULL, sex TEXT, age_group TEXT, item TEXT NOT NULL, score INTEGER
);
"""


def check_version(backend: Any) -> None:
    """Refuse a store built by a statlib this one cannot read, saying what to do.

    A store without a version (created by ``create_schema`` alone, as tests and tools do) is
    accepted: its tables were created by this schema. Versions 2 (and 1 on PostgreSQL) are read
    as they are and migrated on a writable open (``migrate``)."""
    try:
        found = backend.scalar("SELECT value FROM statlib_meta WHERE key = 'schema_version'")
    except Exception:  # no statlib_meta table: created by create_schema of this version
        return
    if found is None or str(found) in (SCHEMA_VERSION, "2"):
        return
    if str(found) == "1" and backend.name == "postgresql":
        return  # version 2 changed only DuckDB's tables: PostgreSQL always kept the key
    raise DataError(
        f"database {backend.url} has schema version {found}, this statlib needs version "
        f"{SCHEMA_VERSION} (the observation table keeps its key (indicator, region, period, "
        "vintage) on every backend) — rebuild it with `statlib db init --force` (values "
        "ingested since the build must be ingested again), or use the statlib that built it"
    )


def has_published(backend: Any) -> bool:
    """Whether the ``vintage`` table has its ``published`` column (schema version 3)."""
    found = backend.scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'vintage' "
        "AND column_name = 'published' AND table_schema = current_schema()"
    )
    return bool(found)


def migrate(backend: Any) -> bool:
    """Bring a writable store of an older schema to this one, keeping every row: add
    ``vintage.published`` (NULL for the vintages loaded before: their load dates stand in)
    and record the version. Returns whether anything changed."""
    if has_published(backend):
        return False
    with backend.transaction():
        backend.execute("ALTER TABLE vintage ADD COLUMN published DATE")
        backend.execute(
            "UPDATE statlib_meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION]
        )
    return True


def ddl(double: str, obs_key: str) -> list[str]:
    """The DDL statements for one backend."""
    text = DDL.replace("{double}", double).replace("{obs_key}", obs_key)
    return [s.strip() for s in text.split(";") if s.strip()]
