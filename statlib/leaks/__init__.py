"""The leak scan: no public or masked byte may hold a confidential value (TRUST.md S3).

    from statlib.leaks import assert_clean, scan, secrets_from_store
    hits = scan([Path("outputs/2023-11/public")], secrets_from_store(store, "2023-11"))
    assert_clean("outputs/2023-11", store)      # raises LeakError listing every hit

Secrets (:mod:`statlib.leaks.confidential`) are the store's ``C``-flagged observations of every
period in every plausible spelling (other units too: 万元 ↔ 亿元), the unit-level data of every
year (enterprise names and their short forms, revenue and value added), suppressed cells and
canaries passed in; the parts of a file (:mod:`statlib.leaks.layers`) are every layer
a reader could reach (zip members, PDF pages and metadata, notebook metadata, data URIs); the
scan (:mod:`statlib.leaks.scanner`) reads each part in several views and reports each hit with its
file, part, secret and context.
"""

from __future__ import annotations

from statlib.errors import LeakError
from statlib.leaks.confidential import (
    MIN_DIGITS,
    SURE_DIGITS,
    Secret,
    canaries,
    number_spellings,
    scaled_spellings,
    secrets_from_store,
    short_names,
)
from statlib.leaks.layers import parts
from statlib.leaks.scanner import Hit, Matcher, Scanned, assert_clean, release_files, scan

__all__ = [
    "MIN_DIGITS",
    "SURE_DIGITS",
    "Hit",
    "LeakError",
    "Matcher",
    "Scanned",
    "Secret",
    "assert_clean",
    "canaries",
    "number_spellings",
    "parts",
    "release_files",
    "scaled_spellings",
    "scan",
    "secrets_from_store",
    "short_names",
]
