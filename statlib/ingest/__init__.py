"""Ingestion: readers registered by name, checks, and the atomic load of a file as a vintage.

>>> from statlib import open_store, ingest                       # doctest: +SKIP
>>> with open_store(read_only=False) as store:                   # doctest: +SKIP
...     ingest.ingest_files(store, ["data/nbs/分省年度数据.csv"])
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from statlib.errors import InputError
from statlib.ingest import long, wide
from statlib.ingest.base import Batch, get_reader, readers, register_reader
from statlib.ingest.load import LoadReport, NotUtf8, load_batch
from statlib.store.store import Store

__all__ = ["Batch", "LoadReport", "ingest_file", "ingest_files", "read", "readers",
           "register_reader"]


def read(path: str | Path, reader: str | None = None, *, region: str | None = None) -> Batch:
    """Read one file with the named reader or the first that recognises it.

    ``region`` fills the region of a file that names none (an NBS national export is 全国).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=str(path), hint="check the path")
    _, read_fn = get_reader(p, reader)
    batch = read_fn(p, p.name)
    if region is not None and batch.frame is not None:
        batch.frame["region"] = batch.frame["region"].where(
            batch.frame["region"].astype(str) != wide.NATIONAL, region)
    return batch


def ingest_file(store: Store, path: str | Path, reader: str | None = None,
                *, region: str | None = None) -> LoadReport:
    """Read and load one file: a new vintage with its new or changed values, or nothing."""
    batch = read(path, reader, region=region)
    try:
        return load_batch(store, batch)
    except NotUtf8:  # an ASCII head hid GB18030 text further down: load a transcoded copy
        batch = long.read_long(Path(path), Path(path).name, transcode=True)
        return load_batch(store, batch)
    finally:
        if batch.csv is not None and batch.csv.path != batch.path:
            batch.csv.path.unlink(missing_ok=True)


def ingest_files(store: Store, paths: Iterable[str | Path], reader: str | None = None,
                 *, region: str | None = None) -> list[LoadReport]:
    """Load several files, each in its own transaction, stopping at the first bad one."""
    return [ingest_file(store, p, reader, region=region) for p in paths]
