"""The series registry: ``templates/series/<name>.yaml`` is the one source of what a series is.

A series template gives the masthead (title, red or plain, colour, issuing unit,
classification, 报/送/发 distribution, copies), the editions the series may be built in (the
first offered is the default unless ``default_edition`` says otherwise), whether it is
internal only (never on the public site: ``internal_only: true``, or no public edition), the
editions a WeChat copy may be made from (``wechat_editions``, default ``[public]``), when a
table of contents is drawn (``toc_headings``) and the usual sections of a new notebook
(``sections``: heading and, optionally, the indicator whose standard sentence opens it).

Every part reads a series here: the renderer's masthead and edition choice
(``statlib.render.frontmatter``), ``statlib new`` (``statlib.authoring``), the batch's WeChat
rule (``statlib.batch.jobs``) and the site (``statlib.site``). A template is read once per
change of its file; a bad one is a :class:`ConfigError` naming the file and the key.

>>> bulletin = get("bulletin")
>>> bulletin.title, bulletin.default_edition, bulletin.internal_only
('统计资讯', 'internal', False)
>>> get("internal_brief").internal_only, base("yearbook-01_population")
(True, 'yearbook')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statlib import config
from statlib.editions import EDITIONS
from statlib.errors import ConfigError

__all__ = [
    "WECHAT_EDITIONS",
    "Section",
    "Series",
    "base",
    "directory",
    "find",
    "get",
    "internal_only",
    "names",
]

#: The editions a WeChat copy may be made from when the template does not say.
WECHAT_EDITIONS = ("public",)
MASTHEADS = ("red", "plain")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Section:
    """One usual section of a new notebook: its heading and the indicator that opens it."""

    heading: str
    indicator: str | None = None


@dataclass(frozen=True)
class Series:
    """A series template, read and checked (``templates/series/<name>.yaml``)."""

    name: str
    path: Path
    title: str
    masthead: str
    color: str
    unit: str
    classification: str | None
    editions: tuple[str, ...]
    default_edition: str
    internal_only: bool
    wechat_editions: tuple[str, ...]
    toc_headings: int
    distribution: tuple[str, ...]
    copies: str | None
    sections: tuple[Section, ...]

    @property
    def red(self) -> bool:
        """True for the red masthead (报头 with red title and rule)."""
        return self.masthead == "red"


def directory(root: Path | None = None) -> Path:
    """``<project>/templates/series``: one YAML file per series."""
    return (root or config.project_root()) / "templates" / "series"


def names(root: Path | None = None) -> tuple[str, ...]:
    """The series that have a template, sorted."""
    return tuple(sorted(p.stem for p in directory(root).glob("*.yaml")))


def find(name: str, root: Path | None = None) -> Series | None:
    """The series ``name``, or None when it has no template."""
    path = directory(root) / f"{name}.yaml"
    if name not in names(root):
        return None
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


def get(name: str, root: Path | None = None) -> Series:
    """The series ``name``; ConfigError listing the known series when it has no template."""
    found = find(name, root)
    if found is None:
        known = ", ".join(names(root)) or "none"
        raise ConfigError(f"unknown series {name!r}; known series: {known}")
    return found


def base(name: str, root: Path | None = None) -> str:
    """The series a job name belongs to: ``yearbook-01_population`` → ``yearbook`` (a
    publication whose notebook is a glob names its jobs ``<series>-<stem>``)."""
    known = names(root)
    if name in known:
        return name
    head = name.split("-", 1)[0]
    return head if head in known else name


def internal_only(name: str, root: Path | None = None) -> bool:
    """True for a series (or a job of one) that never reaches the public site; a series
    without a template is not presumed public."""
    found = find(base(name, root), root)
    return found is None or found.internal_only


@functools.lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int, size: int) -> Series:
    """``path`` read and checked; cached per version of the file (``mtime_ns``, ``size``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: bad YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a series template is a mapping of key: value")
    return _Template(path, data).series()


class _Template:
    """The checks of one template's keys; each error names the file and the key."""

    KEYS = frozenset(
        {
            "title",
            "masthead",
            "color",
            "unit",
            "classification",
            "editions",
            "default_edition",
            "internal_only",
            "wechat_editions",
            "toc_headings",
            "distribution",
            "copies",
            "sections",
        }
    )

    def __init__(self, path: Path, data: dict[Any, Any]) -> None:
        self.path = path
        self.data = data
        unknown = sorted(str(k) for k in data if k not in self.KEYS)
        if unknown:
            raise ConfigError(
                f"{path}: unknown key {unknown[0]!r}; a series template has "
                f"{', '.join(sorted(self.KEYS))}"
            )

    def fail(self, key: str, must: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key} must be {must}, not {self.data.get(key)!r}")

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool | dict | list):
            raise self.fail(key, "text")
        return str(value).strip() or None

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if value not in allowed:
            raise self.fail(key, f"one of {', '.join(allowed)}")
        return str(value)

    def editions(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or any(v not in EDITIONS for v in value):
            raise self.fail(key, f"a list of {', '.join(EDITIONS)}")
        return tuple(dict.fromkeys(str(v) for v in value))

    def lines(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
            raise self.fail(key, "a list of lines")
        return tuple(str(v) for v in value)

    def sections(self) -> tuple[Section, ...]:
        value = self.data.get("sections") or []
        if not isinstance(value, list) or any(
            not isinstance(s, dict) or not s.get("heading") or set(s) - {"heading", "indicator"}
            for s in value
        ):
            raise self.fail("sections", "a list of {heading: …, indicator: …}")
        return tuple(
            Section(str(s["heading"]), None if s.get("indicator") is None else str(s["indicator"]))
            for s in value
        )

    def series(self) -> Series:
        title = self.text("title")
        if title is None:
            raise self.fail("title", "the series' title (text)")
        editions = self.editions("editions", EDITIONS)
        if not editions:
            raise self.fail("editions", "a non-empty list of editions")
        color = self.text("color", "#C00000") or "#C00000"
        if not _COLOR.match(color):
            raise self.fail("color", "#RRGGBB")
        toc = self.data.get("toc_headings", 12)
        if not isinstance(toc, int) or isinstance(toc, bool) or toc < 0:
            raise self.fail("toc_headings", "a whole number")
        flag = self.data.get("internal_only", False)
        if not isinstance(flag, bool):
            raise self.fail("internal_only", "true or false")
        return Series(
            name=self.path.stem,
            path=self.path,
            title=title,
            masthead=self.choice("masthead", MASTHEADS, "red"),
            color=color,
            unit=self.text("unit", "云川市统计局") or "云川市统计局",
            classification=self.text("classification"),
            editions=editions,
            default_edition=self.choice("default_edition", editions, editions[0]),
            internal_only=flag or "public" not in editions,
            wechat_editions=self.editions("wechat_editions", WECHAT_EDITIONS),
            toc_headings=toc,
            distribution=self.lines("distribution"),
            copies=self.text("copies"),
            sections=self.sections(),
        )
