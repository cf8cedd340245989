"""Build the database from the bundled sources in ``data/``: catalogues, demo data, NBS files.

This is ingestion, not the store: opening a store never builds one. ``statlib db init`` calls
``build``; ``statlib build`` on a fresh checkout says so on stderr and calls it too
(``statlib.store.missing_database``). A DuckDB database is built in a temporary file beside the
target and renamed into place, so a failed or interrupted build never leaves a half-built
database where readers look.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from statlib import config
from statlib.errors import DataError, InputError
from statlib.ingest import ingest_file
from statlib.store import default_url, schema
from statlib.store.backends import open_backend
from statlib.store.store import Store

__all__ = ["build", "load_catalogue", "load_table", "sources"]

Progress = Callable[[str], None]

_TABLE_TYPES: dict[str, dict[str, str]] = {
    "enterprise": {
        "year": "int",
        "unit_id": "str",
        "name": "str",
        "region": "str",
        "category": "str",
        "industry_code": "str",
        "industry_name": "str",
        "revenue": "float",
        "value_added": "float",
        "employees": "int",
        "above_scale": "bool",
    },
    "survey_response": {
        "survey": "str",
        "year": "int",
        "respondent_id": "str",
        "region": "str",
        "weight": "float",
        "sex": "str",
        "age_group": "str",
        "item": "str",
        "score": "int",
    },
}


# columns of a catalogue that take one of a few codes
_CODED: dict[str, dict[str, tuple[str, ...]]] = {
    "indicator": {"frequency": schema.FREQUENCIES, "kind": schema.KINDS}
}


def sources(data_dir: Path | None = None) -> dict[str, list[Path]]:
    """The source files a build loads, by kind, in load order."""
    d = data_dir or config.path("data_dir")
    return {
        "regions": [d / "catalogue" / "regions_cn.csv", d / "demo" / "regions.csv"],
        "indicators": [d / "catalogue" / "indicators.csv", d / "demo" / "indicators.csv"],
        "observations": [d / "demo" / "observations.csv"],
        "enterprise": [d / "demo" / "enterprises.csv"],
        "survey_response": [d / "demo" / "survey.csv"],
        "nbs": sorted((d / "nbs").rglob("*.csv")),
    }


def _read_csv(path: Path, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(
            "no such file",
            file=str(path),
            hint="run `git status`; data/ is committed with the project",
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}",
            file=str(path),
            row=1,
            column=missing[0],
            hint=f"the file needs columns {', '.join(columns)}",
        )
    return frame[list(columns)]


def load_catalogue(store: Store, path: Path, table: str) -> int:
    """Insert or replace catalogue rows (``indicator`` or ``region``) keyed by code."""
    columns = schema.INDICATOR_COLUMNS if table == "indicator" else schema.REGION_COLUMNS
    frame = _read_csv(path, columns)
    int_col = "decimals" if table == "indicator" else "sort_order"
    for line, (_, row) in enumerate(frame.iterrows(), 2):
        if not row["code"] or not row["name"]:
            raise InputError(
                "code and name are required",
                file=str(path),
                row=line,
                column="code" if not row["code"] else "name",
            )
        if not row[int_col].lstrip("-").isdigit():
            raise InputError(
                f"{row[int_col]!r} is not an integer", file=str(path), row=line, column=int_col
            )
        for column, allowed in _CODED.get(table, {}).items():
            if row[column] not in allowed:
                raise InputError(
                    f"{column} {row[column]!r}",
                    file=str(path),
                    row=line,
                    column=column,
                    hint="use one of " + ", ".join(allowed),
                )
    dup = frame["code"][frame["code"].duplicated()]
    if not dup.empty:
        raise InputError(
            f"code {dup.iloc[0]!r} appears twice",
            file=str(path),
            row=int(dup.index[0]) + 2,
            column="code",
        )
    frame = frame.astype(object).where(frame != "", None)
    frame[int_col] = frame[int_col].fillna(0).astype(int)
    with store.backend.transaction():
        codes = list(frame["code"])
        store.backend.execute(
            f"DELETE FROM {table} WHERE code IN ({', '.join('?' * len(codes))})", codes
        )
        store.backend.copy_in(table, frame)
    store.refresh_catalogue()
    return len(frame)


def load_table(store: Store, path: Path, table: str) -> int:
    """Replace the content of a unit-level table (enterprise, survey_response) from a CSV."""
    types = _TABLE_TYPES[table]
    frame = _read_csv(path, list(types))
    out = pd.DataFrame(index=frame.index)
    for col, kind in types.items():
        text = frame[col]
        if kind == "str":
            out[col] = text.astype(object).where(text != "", None)
            continue
        if kind == "bool":
            low = text.str.lower()
            bad = ~low.isin(["true", "false", "1", "0"])
            conv = low.isin(["true", "1"])
        else:
            conv = pd.to_numeric(text.where(text != ""), errors="coerce")
            bad = conv.isna() & (text != "")
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise InputError(
                f"{text.iloc[i]!r} is not a {kind}", file=str(path), row=i + 2, column=col
            )
        out[col] = conv.astype("Int64") if kind == "int" else conv
    with store.backend.transaction():
        store.backend.execute(f"DELETE FROM {table}")
        store.backend.copy_in(table, out.astype(object).where(out.notna(), None))
    return len(out)


def build(
    url: str | None = None,
    *,
    data_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> str:
    """Build a database at ``url`` (default: the ``db`` setting) from the sources in data/.

    Refuses to replace an existing database unless ``force``: values loaded since would be lost.
    Returns the URL of the built database.
    """
    say = progress or (lambda _msg: None)
    target = url or default_url()
    is_duck = "://" not in target or target.startswith("duckdb://")
    tmp: Path | None = None
    if is_duck:
        final = Path(target.removeprefix("duckdb://"))
        if not final.is_absolute():
            final = config.project_root() / final
        if final.exists() and not force:
            raise DataError(
                f"database {final} already exists — `statlib db init --force` "
                "rebuilds it from data/ (values ingested since are lost)"
            )
        tmp = final.with_name(f".{final.name}.{os.getpid()}.building")
        tmp.unlink(missing_ok=True)
        open_url = str(tmp)
    else:
        open_url = target
    backend = open_backend(open_url, read_only=False, create=True)
    try:
        backend.create_schema()
        # PostgreSQL: one transaction, so a failed or interrupted build stores nothing (a
        # DuckDB build is a temporary file, renamed into place when complete)
        with nullcontext() if is_duck else backend.transaction():
            if not is_duck and not force and backend.scalar("SELECT count(*) FROM vintage"):
                raise DataError(
                    "the PostgreSQL database already holds data — pass force=True "
                    "(`--force`) to load the sources again as new vintages"
                )
            store = Store(backend)
            backend.execute("DELETE FROM statlib_meta")
            backend.execute(
                "INSERT INTO statlib_meta VALUES ('schema_version', ?)", [schema.SCHEMA_VERSION]
            )
            src = sources(data_dir)
            for path in src["regions"]:
                say(f"regions {path.name}")
                load_catalogue(store, path, "region")
            for path in src["indicators"]:
                say(f"indicators {path.name}")
                load_catalogue(store, path, "indicator")
            for table in ("enterprise", "survey_response"):
                for path in src[table]:
                    say(f"{table} {path.name}")
                    load_table(store, path, table)
            for path in [*src["observations"], *src["nbs"]]:
                say(f"observations {path.name}")
                ingest_file(store, path)
        if is_duck:
            backend.execute("CHECKPOINT")
    except BaseException:
        backend.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    backend.close()
    if tmp is not None:
        os.replace(tmp, final)
        return str(final)
    return target
