"""The front matter of a publication notebook and the masthead its series gives it.

The first cell of a publication notebook is a raw cell with Quarto-style YAML between ``---``
lines. Together with its series template (``templates/series/<series>.yaml``, read by
:mod:`statlib.series`) it makes the :class:`Masthead` every format draws per CONVENTIONS §9:
the red series title, ``第X期``, the issuing unit left and the date right, the red rule, the
classification on internal copies, the serial number, and the 报/送/发 footer with the number
of copies.

>>> fm = parse_front_matter("---\\ntitle: 经济运行\\nseries: bulletin\\nissue: 3\\n---", "x")
>>> masthead(fm, "internal").issue_label
'第3期'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from statlib import series as series_registry
from statlib.editions import EDITIONS
from statlib.errors import RenderError

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    """The YAML front matter of a notebook, as written (unknown keys are kept in ``extra``)."""

    notebook: str
    title: str
    series: str
    subtitle: str | None = None
    issue: str | None = None
    supplement: bool = False
    total_issue: str | None = None
    date: str | None = None
    unit: str | None = None
    edition: str | None = None
    formats: tuple[str, ...] = ()
    classification: str | None = None
    serial: str | None = None
    distribution: tuple[str, ...] = ()
    copies: str | None = None
    toc: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Masthead:
    """What every format draws around the body (strings as shown, ``None`` when absent)."""

    series: str
    series_title: str
    red: bool
    color: str
    title: str
    subtitle: str | None
    issue_label: str | None
    unit: str
    date_label: str | None
    classification: str | None
    serial: str | None
    distribution: tuple[str, ...]
    copies_label: str | None
    toc: bool | None
    toc_headings: int
    edition: str


def _text(value: Any, key: str, notebook: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise RenderError(f"{notebook}: front matter {key!r} must be text, got {value!r}")
    return str(value).strip() or None


def _lines(value: Any, key: str, notebook: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    if isinstance(value, list):
        return tuple(str(_text(v, key, notebook) or "") for v in value if v is not None)
    raise RenderError(f"{notebook}: front matter {key!r} must be a list of lines, got {value!r}")


def parse_front_matter(source: str, notebook: str) -> FrontMatter:
    """Parse the raw first cell's ``---``-fenced YAML. Raises RenderError naming the line."""
    fences = list(_FENCE.finditer(source))
    if not source.lstrip().startswith("---") or len(fences) < 2:
        raise RenderError(
            f"{notebook}: the first cell must be a raw cell with YAML front matter between "
            "'---' lines (title, series, issue, date, …)"
        )
    text = source[fences[0].end() : fences[1].start()]
    offset = source[: fences[0].end()].count("\n") + 1
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + offset} of the front-matter cell" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RenderError(f"{notebook}:{line}: bad YAML front matter: {problem}") from None
    if not isinstance(data, dict):
        raise RenderError(f"{notebook}: front matter must be a YAML mapping of key: value")
    data = _flatten(data, notebook)
    known = set(FrontMatter.__dataclass_fields__) - {"notebook", "extra"}
    values = {k.replace("-", "_"): v for k, v in data.items() if isinstance(k, str)}
    title = _text(values.get("title"), "title", notebook)
    if not title:
        raise RenderError(f"{notebook}: front matter needs a title")
    series = _text(values.get("series"), "series", notebook)
    if not series:
        known_list = ", ".join(series_registry.names())
        raise RenderError(f"{notebook}: front matter needs a series; known: {known_list}")
    formats = _formats(values, notebook)
    toc = values.get("toc")
    return FrontMatter(
        notebook=notebook,
        title=title,
        series=series,
        subtitle=_text(values.get("subtitle"), "subtitle", notebook),
        issue=_text(values.get("issue"), "issue", notebook),
        supplement=bool(values.get("supplement", False)),
        total_issue=_text(values.get("total_issue"), "total_issue", notebook),
        date=_date(values.get("date"), notebook),
        unit=_text(values.get("unit"), "unit", notebook),
        edition=_text(values.get("edition"), "edition", notebook),
        formats=tuple(str(f) for f in formats),
        classification=_text(values.get("classification"), "classification", notebook),
        serial=_text(values.get("serial"), "serial", notebook),
        distribution=_lines(values.get("distribution"), "distribution", notebook),
        copies=_text(values.get("copies"), "copies", notebook),
        toc=None if toc is None else bool(toc),
        extra={k: v for k, v in values.items() if k not in known},
    )


#: the keys Quarto reads at the top of a document; statlib's own keys go under ``statlib:``
QUARTO_KEYS = (
    "title",
    "subtitle",
    "date",
    "author",
    "lang",
    "format",
    "execute",
    "crossref",
    "toc",
)


def _flatten(data: dict[Any, Any], notebook: str) -> dict[Any, Any]:
    """The front matter with the ``statlib:`` namespace (series, unit, edition, chapter, …)
    merged in. A bureau's older notebooks write those keys at the top level: still read, and a
    top-level key wins (a build stamps ``issue:`` there)."""
    space = data.get("statlib")
    if space is None:
        return data
    if not isinstance(space, dict):
        raise RenderError(
            f"{notebook}: front matter 'statlib' must be a mapping (series: …, unit: …), "
            f"got {space!r}"
        )
    rest = {k: v for k, v in data.items() if k != "statlib"}
    return {**space, **rest}


def _formats(values: dict[str, Any], notebook: str) -> list[str]:
    """The output formats: Quarto's ``format:`` (a mapping ``{html: default, …}``, a list or
    one name), else the older ``formats:`` (a list or ``html, pdf``)."""
    given = values.get("format")
    if given is None:
        given = values.get("formats")
    if not given:
        return []
    if isinstance(given, dict):
        return [str(k) for k in given]
    if isinstance(given, str):
        return [f.strip() for f in given.split(",") if f.strip()]
    if isinstance(given, list):
        return [str(f) for f in given]
    raise RenderError(
        f"{notebook}: front matter 'format' must be a mapping like {{html: default, pdf: default}}"
        f" or a list of formats, got {given!r}"
    )


def _date(value: Any, notebook: str) -> str | None:
    """``2024-12-18`` (or a date) → ``2024年12月18日`` (Arabic numerals, CONVENTIONS §9)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return date_label(value)
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        try:
            return date_label(dt.date(*(int(g) for g in match.groups())))
        except ValueError:
            raise RenderError(f"{notebook}: front matter date {text!r} is no such day") from None
    if re.fullmatch(r"\d{4}年\d{1,2}月(\d{1,2}日)?", text):
        return text
    raise RenderError(f"{notebook}: front matter date must be YYYY-MM-DD, got {text!r}")


def date_label(day: dt.date) -> str:
    """``2023年12月15日``: a masthead date (Arabic numerals, CONVENTIONS §9)."""
    return f"{day.year}年{day.month}月{day.day}日"


#: the front-matter keys a build sets from the registry (``stamp``)
STAMPED = ("issue", "supplement", "date")


def stamp(source: str, values: dict[str, Any], notebook: str = "notebook") -> str:
    """The front-matter cell ``source`` with ``values`` (``issue``, ``supplement``, ``date``)
    set: a line the author wrote for one of them is replaced, every other line kept as written.
    ``date`` is a :class:`datetime.date` or ``YYYY-MM-DD``; None leaves a key as it is."""
    unknown = sorted(set(values) - set(STAMPED))
    if unknown:
        raise RenderError(f"{notebook}: cannot stamp front matter {unknown[0]!r}")
    fences = list(_FENCE.finditer(source))
    if not source.lstrip().startswith("---") or len(fences) < 2:
        raise RenderError(f"{notebook}: no front matter to stamp (a raw cell between '---')")
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        return source
    text = source[fences[0].end() : fences[1].start()]
    drop = re.compile(rf"^(?:{'|'.join(given)})[ \t]*:")
    kept = [line for line in text.strip("\n").splitlines() if not drop.match(line)]
    for key, value in given.items():
        if isinstance(value, bool):
            shown = "true" if value else "false"
        elif isinstance(value, dt.date):
            shown = value.isoformat()
        else:
            shown = str(value)
        kept.append(f"{key}: {shown}")
    body = "\n".join(kept)
    return f"{source[: fences[0].end()]}\n{body}\n{source[fences[1].start() :]}"


def stamp_notebook(nb: Any, values: dict[str, Any], notebook: str = "notebook") -> None:
    """:func:`stamp` the first (front-matter) cell of the notebook ``nb`` in place."""
    cells = nb.get("cells") or []
    if not cells or cells[0].get("cell_type") != "raw":
        raise RenderError(f"{notebook}: no front matter to stamp (the first cell is not raw)")
    src = cells[0].get("source", "")
    cells[0]["source"] = stamp("".join(src) if isinstance(src, list) else src, values, notebook)


def series_of(fm: FrontMatter) -> series_registry.Series:
    """The series template the front matter names; RenderError naming the notebook and
    listing the known series when there is none."""
    if fm.series not in series_registry.names():
        raise RenderError(
            f"{fm.notebook}: unknown series {fm.series!r}; "
            f"known series: {', '.join(series_registry.names())}"
        )
    return series_registry.get(fm.series)


def choose_edition(fm: FrontMatter, edition: str | None) -> str:
    """The edition asked for, else the front matter's, else the series' default."""
    series = series_of(fm)
    chosen = edition or fm.edition or series.default_edition
    if chosen not in EDITIONS:
        raise RenderError(f"unknown edition {chosen!r}; use one of {', '.join(EDITIONS)}")
    if chosen not in series.editions:
        raise RenderError(
            f"{fm.notebook}: series {fm.series!r} has no {chosen!r} edition "
            f"(it has {', '.join(series.editions)})"
        )
    return chosen


def masthead(fm: FrontMatter, edition: str) -> Masthead:
    """The masthead of ``fm`` in ``edition``: front matter over series defaults."""
    series = series_of(fm)
    issue = None
    if fm.issue:
        issue = ("增刊" if fm.supplement else "") + f"第{fm.issue}期"
        if fm.total_issue:
            issue += f"（总第{fm.total_issue}期）"
    elif fm.supplement:
        issue = "增刊"
    classification = None
    if edition == "internal":
        classification = fm.classification or series.classification or "内部资料 注意保存"
    copies = fm.copies or series.copies
    return Masthead(
        series=series.name,
        series_title=series.title,
        red=series.red,
        color=series.color,
        title=fm.title,
        subtitle=fm.subtitle,
        issue_label=issue,
        unit=fm.unit or series.unit,
        date_label=fm.date,
        classification=classification,
        serial=fm.serial if edition == "internal" else None,
        distribution=fm.distribution or series.distribution,
        copies_label=f"（共印{copies}份）" if copies and copies.isdigit() else copies,
        toc=fm.toc,
        toc_headings=series.toc_headings,
        edition=edition,
    )
