"""The build cache: a job is run again only when something it depends on has changed.

A job's key has two parts. The static part hashes the notebook, its parameters and formats, the
statlib sources and the templates. The data part is recorded by the job itself: the indicators
(and unit-level tables) its notebook read, with the latest vintage of each at build time. A new
vintage of one indicator therefore reruns exactly the jobs that read that indicator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from statlib import config, fsio

__all__ = ["Cache", "code_version", "data_versions", "static_key"]


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


def static_key(
    notebook: Path, parameters: dict[str, Any], formats: Iterable[str], code: str, templates: str
) -> str:
    digest = hashlib.sha256()
    digest.update(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(json.dumps(sorted(formats)).encode())
    digest.update(code.encode() + templates.encode())
    return digest.hexdigest()


def data_versions(store: Any) -> dict[str, int]:
    """Latest vintage per indicator, and for unit-level tables the latest vintage overall."""
    frame = store.backend.query(
        "SELECT indicator, max(vintage) AS v FROM observation GROUP BY indicator"
    )
    versions = {str(k): int(v) for k, v in zip(frame["indicator"], frame["v"], strict=True)}
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
