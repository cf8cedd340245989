"""The data model of the store (DESIGN.md), as DDL shared by the DuckDB and PostgreSQL backends.

``{double}`` and ``{obs_key}`` are filled per backend: DuckDB keeps the observation table without a
primary-key index (loads are checked for duplicate keys before they commit, and ``vintage`` makes
every stored key unique), PostgreSQL keeps the key as its primary key.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

# Observation status flags (one letter each, combined in ``observation.flags``).
FLAGS = {
    "P": "provisional (初步数)",
    "E": "estimated (估计数)",
    "C": "confidential (保密)",
    "N": "not available (无数据)",
}

INDICATOR_COLUMNS = (
    "code", "name", "name_en", "unit", "frequency", "kind", "price_basis", "decimals",
    "definition", "source", "scope", "topic", "aliases", "growth_of",
)
REGION_COLUMNS = ("code", "name", "name_en", "parent", "level", "sort_order", "peer_group")
OBSERVATION_COLUMNS = (
    "indicator", "region", "period", "vintage", "value", "flags",
    "contributors", "top1_share", "top2_share",
)
KINDS = (
    "level", "cumulative_level", "stock", "growth", "cumulative_growth", "index", "share", "count",
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
    rows_added BIGINT NOT NULL, note TEXT
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


def ddl(double: str, obs_key: str) -> list[str]:
    """The DDL statements for one backend."""
    text = DDL.replace("{double}", double).replace("{obs_key}", obs_key)
    return [s.strip() for s in text.split(";") if s.strip()]
