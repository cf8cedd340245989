"""statlib.series: the one reader of templates/series/*.yaml, and what other parts take from it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from statlib import config, series
from statlib.errors import ConfigError

SHIPPED = config.project_root() / "templates" / "series"


def test_every_shipped_template_is_read() -> None:
    assert series.names() == tuple(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
    assert series.names() == (
        "bulletin",
        "decision_reference",
        "internal_brief",
        "quarterly_release",
        "survey_report",
        "wechat",
        "yearbook",
    )


@pytest.mark.parametrize(
    ("name", "title", "red", "editions", "default", "internal_only", "sections"),
    [
        ("bulletin", "统计资讯", True, ("internal", "public", "masked"), "internal", False, 8),
        ("decision_reference", "决策参考", True, ("internal", "masked"), "internal", True, 4),
        ("internal_brief", "统计内参", True, ("internal",), "internal", True, 3),
        (
            "quarterly_release",
            "经济运行情况新闻发布",
            False,
            ("public", "internal", "masked"),
            "public",
            False,
            5,
        ),
        (
            "survey_report",
            "统计调查报告",
            True,
            ("internal", "public", "masked"),
            "internal",
            True,  # a public edition exists, but the series never reaches the site
            4,
        ),
        ("wechat", "云川统计", False, ("public",), "public", False, 0),
        ("yearbook", "云川统计年鉴", False, ("public", "internal"), "public", False, 0),
    ],
)
def test_shipped_series(
    name: str,
    title: str,
    red: bool,
    editions: tuple[str, ...],
    default: str,
    internal_only: bool,
    sections: int,
) -> None:
    s = series.get(name)
    assert (s.name, s.title, s.red, s.editions, s.default_edition) == (
        name,
        title,
        red,
        editions,
        default,
    )
    assert s.internal_only is internal_only and series.internal_only(name) is internal_only
    assert s.wechat_editions == ("public",) and len(s.sections) == sections
    assert s.path == SHIPPED / f"{name}.yaml"


def test_bulletin_masthead_and_sections() -> None:
    s = series.get("bulletin")
    assert (s.unit, s.classification, s.color, s.toc_headings) == (
        "云川市统计局",
        "内部资料 注意保存",
        "#C00000",
        12,
    )
    assert s.sections[0] == series.Section("一、工业生产", "规模以上工业增加值")
    assert s.sections[-1] == series.Section("附注", None)
    leaders = "报：市委、市人大、市政府、市政协领导"
    assert series.get("decision_reference").distribution == (leaders,)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bulletin", "bulletin"),
        ("yearbook-01_population", "yearbook"),
        ("internal_brief-990202", "internal_brief"),
        ("mini", "mini"),  # no template: the name stays
        ("nosuch-yearbook", "nosuch-yearbook"),
    ],
)
def test_base_of_a_job_name(name: str, expected: str) -> None:
    assert series.base(name) == expected


@pytest.mark.parametrize(
    ("name", "internal_only"),
    [
        ("bulletin", False),
        ("yearbook-01_population", False),
        ("survey_report", True),
        ("internal_brief", True),
        ("mini", True),  # a series without a template is not presumed public
    ],
)
def test_internal_only(name: str, internal_only: bool) -> None:
    assert series.internal_only(name) is internal_only


def test_unknown_series_lists_the_known() -> None:
    assert series.find("newsletter") is None
    with pytest.raises(ConfigError, match=r"unknown series 'newsletter'; known series: bulletin, "):
        series.get("newsletter")
    with pytest.raises(ConfigError, match=r"unknown series '\.\./bulletin'"):
        series.get("../bulletin")  # a name, never a path


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "templates" / "series").mkdir(parents=True)
    (tmp_path / "templates" / "series" / "probe.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("title: [a\n", "bad YAML"),
        ("- title\n", "a mapping of key: value"),
        ("masthead: red\n", "title must be the series' title"),
        ("title: T\ncolour: red\n", "unknown key 'colour'"),
        ("title: T\ncolor: red\n", "color must be #RRGGBB, not 'red'"),
        ("title: T\nmasthead: blue\n", "masthead must be one of red, plain, not 'blue'"),
        ("title: T\neditions: [internal, draft]\n", "editions must be a list of internal"),
        ("title: T\neditions: []\n", "editions must be a non-empty list"),
        ("title: T\neditions: [public]\ndefault_edition: internal\n", "default_edition must be"),
        ("title: T\nwechat_editions: all\n", "wechat_editions must be a list of internal"),
        ("title: T\ntoc_headings: many\n", "toc_headings must be a whole number"),
        ("title: T\ninternal_only: yes please\n", "internal_only must be true or false"),
        ("title: T\nsections: [{indicator: x}]\n", "sections must be a list of {heading"),
        ("title: T\ndistribution: {a: 1}\n", "distribution must be a list of lines"),
    ],
)
def test_a_bad_template_names_file_and_key(tmp_path: Path, text: str, words: str) -> None:
    root = _project(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        series.get("probe", root)
    message = str(err.value)
    assert message.startswith(str(root / "templates" / "series" / "probe.yaml") + ": ")
    assert words in message


def test_defaults_of_a_minimal_template(tmp_path: Path) -> None:
    s = series.get("probe", _project(tmp_path, "title: 试刊\n"))
    assert (s.masthead, s.color, s.unit, s.classification, s.copies) == (
        "red",
        "#C00000",
        "云川市统计局",
        None,
        None,
    )
    assert (s.editions, s.default_edition, s.internal_only, s.wechat_editions) == (
        ("internal", "public", "masked"),
        "internal",
        False,
        ("public",),
    )
    assert (s.toc_headings, s.distribution, s.sections) == (12, (), ())


def test_a_changed_template_is_read_again(tmp_path: Path) -> None:
    root = _project(tmp_path, "title: 甲刊\n")
    path = root / "templates" / "series" / "probe.yaml"
    assert series.get("probe", root).title == "甲刊"
    path.write_text("title: 乙刊\n", encoding="utf-8")  # same size: the mtime tells
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert series.get("probe", root).title == "乙刊"


def test_another_project_has_its_own_series(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "series"
    folder.mkdir(parents=True)
    shutil.copy(SHIPPED / "bulletin.yaml", folder / "bulletin.yaml")
    assert series.names(tmp_path) == ("bulletin",)
    assert series.internal_only("yearbook", tmp_path) is True
    assert series.internal_only("yearbook") is False
