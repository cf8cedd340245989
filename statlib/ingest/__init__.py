"""Ingestion: readers registered by name, checks, and the atomic load of a file as a vintage.

>>> from statlib import open_store, ingest                       # doctest: +SKIP
>>> with open_store(read_only=False) as store:                   # doctest: +SKIP
...     ingest.ingest_files(store, ["data/nbs/分省年度数据.csv"])
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from collections.abc import Iterable
from pathlib import Path

from statlib.errors import InputError
from statlib.ingest import long, wide
from statlib.ingest import panel as panel  # registers the panel reader
from statlib.ingest.base import Batch, get_reader, readers, register_reader
from statlib.ingest.limits import limits as _limits  # statlib.ingest.limits: the module
from statlib.ingest.loader import LoadReport, load_batch
from statlib.ingest.verify import _NotUtf8
from statlib.store.store import Store
from statlib.store.vintages import parse_date

__all__ = [
    "Batch",
    "LoadReport",
    "discard",
    "ingest_file",
    "ingest_files",
    "load",
    "read",
    "readers",
    "register_reader",
]


def _check_path(path: str | Path) -> Path:
    """The file to read: a regular file within the byte bound, else an InputError saying why."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(
                "the path is a loop of symbolic links",
                file=str(path),
                hint="point the link at the real file (ls -l shows where it leads)",
            ) from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputError("no such file", file=str(path), hint="check the path") from None
        raise InputError(
            f"cannot read the file: {os.strerror(exc.errno or 0)}",
            file=str(path),
            hint="check the path and its permissions",
        ) from None
    if not p.is_file():
        raise InputError(
            "not a regular file", file=str(path), hint="give the path of a CSV or XLSX file"
        )
    bounds = _limits()
    if st.st_size > bounds.max_bytes:
        raise bounds.exceeded("max_bytes", f"the file has {st.st_size:,} bytes", file=str(path))
    return p


def read(path: str | Path, reader: str | None = None, *, region: str | None = None) -> Batch:
    """Read one file with the named reader or the first that recognises it.

    ``region`` fills the region of a file that names none (an NBS national export is 全国).
    Nothing here touches a store: a CLI reads (and so checks) every file before it takes the
    store's write lock.
    """
    p = _check_path(path)
    _, read_fn = get_reader(p, reader)
    batch = read_fn(p, p.name)
    if region is not None and batch.frame is not None:
        batch.frame["region"] = batch.frame["region"].where(
            batch.frame["region"].astype(str) != wide.NATIONAL, region
        )
    return batch


def ingest_file(
    store: Store,
    path: str | Path,
    reader: str | None = None,
    *,
    region: str | None = None,
    revise: bool = False,
    published: str | dt.date | None = None,
) -> LoadReport:
    """Read and load one file: a new vintage with its new or changed values, or nothing.

    ``published`` (``"2024-03-01"``) is the day the file's figures were published; by default
    the date the file states (an NBS export's ``发布时间：`` line), else the load date. A file
    loaded after vintages published later takes its place before them (``statlib.store.
    vintages``). A file with the same content as an earlier vintage adds nothing, and says so;
    with ``revise=True`` it is loaded again as a revision: a new vintage holding the file's
    values where they differ from those standing on its publication date (undoing a later
    correction).
    """
    day = None if published is None else parse_date(published, "published")
    return load(store, read(path, reader, region=region), revise=revise, published=day)


def load(
    store: Store,
    batch: Batch,
    *,
    revise: bool = False,
    published: str | dt.date | None = None,
) -> LoadReport:
    """Load a batch returned by ``read`` (then removes its temporary copy, if any)."""
    day = None if published is None else parse_date(published, "published")
    try:
        return load_batch(store, batch, revise=revise, published=day)
    except _NotUtf8:  # an ASCII head hid GB18030 text further down: load a transcoded copy
        again = long.read_long(batch.path, batch.file, transcode=True)
        try:
            return load_batch(store, again, revise=revise, published=day)
        finally:
            discard(again)
    finally:
        discard(batch)


def discard(batch: Batch) -> None:
    """Remove the temporary UTF-8 copy a reader may have made of the file."""
    if batch.csv is not None and batch.csv.path != batch.path:
        batch.csv.path.unlink(missing_ok=True)


def ingest_files(
    store: Store,
    paths: Iterable[str | Path],
    reader: str | None = None,
    *,
    region: str | None = None,
    revise: bool = False,
    published: str | dt.date | None = None,
) -> list[LoadReport]:
    """Load several files, each in its own transaction, stopping at the first bad one."""
    return [
        ingest_file(store, p, reader, region=region, revise=revise, published=published)
        for p in paths
    ]
