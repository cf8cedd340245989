"""The build cache: a job is run again only when something it depends on has changed.

A job's key has two parts. The static part hashes the notebook, its parameters and formats, the
statlib sources and the templates. The data part is recorded by the job itself: the indicators
(and unit-level tables) its notebook read, with the latest vintage of each at build time. A new
vintage of one indicator therefore reruns exactly the jobs that read that indicator.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from statlib import config, fsio

__all__ = [
    "ENGINE_PACKAGES",
    "Cache",
    "code_version",
    "data_versions",
    "engine_drift",
    "engine_versions",
    "static_key",
]

# The installed packages whose version determines a publication's bytes (pinned in the
# project's constraints.txt): pandoc comes with pypandoc-binary, the Typst compiler with typst.
ENGINE_PACKAGES = ("pypandoc-binary", "typst", "matplotlib", "fonttools")


def _hash_tree(root: Path, patterns: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(root.rglob(pattern)):
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def code_version() -> str:
    """A hash of statlib's own sources: any change of code invalidates every job."""
    return _hash_tree(Path(__file__).resolve().parents[1], ["*.py"])[:16]


def templates_version() -> str:
    """A hash of the renderer's templates (package data) and the project's (series)."""
    trees = (config.templates_dir(), config.project_root() / "templates")
    return hashlib.sha256("".join(_hash_tree(t, ["*.*"]) for t in trees).encode()).hexdigest()[:16]


@functools.cache
def engine_versions() -> dict[str, str]:
    """The versions of the rendering engines on this machine: each package of
    :data:`ENGINE_PACKAGES` and the pandoc binary it ships (``pandoc``)."""
    import pypandoc

    versions = {}
    for name in ENGINE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    versions["pandoc"] = str(pypandoc.get_pandoc_version())
    return dict(sorted(versions.items()))


def engine_drift(engines: Mapping[str, str], constraints: Path) -> list[str]:
    """The pins of ``constraints`` (``name==version`` lines) that ``engines`` does not match,
    as ``name: installed X, pinned Y``; none when the file is absent."""
    if not constraints.is_file():
        return []
    drift = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+)", line)
        if match is None:
            continue
        name, pinned = match.group(1).lower().replace("_", "-"), match.group(2)
        installed = engines.get(name)
        if installed is not None and installed != pinned:
            drift.append(f"{name}: installed {installed}, pinned {pinned}")
    return drift


def static_key(
    notebook: Path,
    parameters: dict[str, Any],
    formats: Iterable[str],
    code: str,
    templates: str,
    engines: Mapping[str, str] | None = None,
) -> str:
    """The job's key from its inputs; ``engines`` (name -> version, :func:`engine_versions`)
    makes a change of pandoc, Typst or another engine re-render the job."""
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(json.dumps(sorted(formats)).encode())
    digest.update(code.encode() + templates.encode())
    digest.update(json.dumps(dict(engines or {}), sort_keys=True).encode())
    return digest.hexdigest()


def data_versions(store: Any) -> dict[str, int]:
    """Latest vintage per indicator, and for unit-level tables the latest vintage overall."""
    rows = store.backend.records(
        "SELECT indicator, max(vintage) AS v FROM observation GROUP BY indicator"
    )
    versions = {str(r["indicator"]): int(r["v"]) for r in rows}
    latest = store.latest_vintage()
    versions["table:enterprise"] = versions["table:survey_response"] = latest
    return versions


class Cache:
    """One JSON record per job id under the work folder (``root``: where no planted link may
    redirect a write, :mod:`statlib.fsio`; default the folder itself)."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = folder
        self.root = root or folder
        fsio.mkdir(self.root, folder)

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def get(self, job_id: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, job_id: str, record: dict[str, Any]) -> None:
        fsio.write_text(
            self.root, self._path(job_id), json.dumps(record, ensure_ascii=False, sort_keys=True)
        )

    def hit(self, job_id: str, key: str, versions: dict[str, int]) -> dict[str, Any] | None:
        """The record if the static key matches and every indicator read is unchanged."""
        record = self.get(job_id)
        if record is None or record.get("key") != key:
            return None
        if any(versions.get(code, -1) != v for code, v in record.get("reads", {}).items()):
            return None
        return record
