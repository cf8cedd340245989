"""The store: the statistical database behind every publication (DESIGN.md, data model).

The bottom of the package: it imports no part above it. Backends are registered by URL scheme
(``register_backend``), the data layers' views by layer (``register_view``: disclosure
registers the public view); the registry's tables are in ``registry_tables``. Opening never
builds a database: ``statlib db init`` does (``statlib.ingest.bundle``).
"""

from __future__ import annotations

from pathlib import Path

from statlib import config
from statlib.store import schema
from statlib.store.backends import Backend, open_backend, register_backend
from statlib.store.layers import register_view
from statlib.store.store import Indicator, Region, Store

__all__ = [
    "Backend",
    "Indicator",
    "Region",
    "Store",
    "default_url",
    "missing_database",
    "open_store",
    "register_backend",
    "register_view",
]


def default_url() -> str:
    """``STATLIB_DB`` if set, else ``data/statlib.duckdb`` in the project."""
    url = config.get("db")
    if "://" in url:
        return url
    p = Path(url)
    return str(p if p.is_absolute() else config.project_root() / p)


def missing_database() -> Path | None:
    """The DuckDB file of the ``db`` setting if it does not exist yet (a fresh checkout), else
    None: what ``statlib build`` creates, saying so (``statlib.ingest.bundle``), before it
    builds a release."""
    target = default_url()
    if "://" in target:
        return None
    path = Path(target)
    return None if path.exists() else path


def open_store(
    url: str | None = None, *, read_only: bool = True, edition: str | None = None
) -> Store:
    """Open the statistical database.

    ``url`` is a DuckDB file path or a ``postgresql://`` URL; by default ``STATLIB_DB`` or
    ``data/statlib.duckdb``. Read-only by default, so that many notebooks can read at once;
    writers (ingest) pass ``read_only=False``. Opening never builds: a missing database is a
    ``DataError`` saying to run ``statlib db init`` (``statlib.ingest.bundle.build``), never a
    new empty database.
    ``edition`` is the edition the store serves (``statlib.editions``): ``public`` and
    ``masked`` get the public data layer, where confidential and unsafe values never leave the
    store as numbers. In a notebook kernel it defaults to the notebook's ``edition`` parameter,
    and a less strict edition than the run's is refused (``EditionError``); elsewhere it
    defaults to the ``STATLIB_EDITION`` setting.
    """
    from statlib import editions

    chosen = editions.for_kernel(edition)
    target = url or default_url()
    backend = open_backend(target, read_only=read_only, create=False)
    try:
        schema.check_version(backend)
    except BaseException:
        backend.close()
        raise
    if not read_only:
        try:
            backend.create_schema()
            schema.migrate(backend)  # an older store gains vintage.published, rows kept
        except BaseException:
            backend.close()
            raise
    store = Store(backend, edition=chosen)
    editions.record(chosen)
    return store
