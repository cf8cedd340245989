"""Labels from data as Markdown text: ``md_text`` escapes what pandoc would read as markup.

Indicator, region, unit and note strings come from data (NBS exports, reporting systems). Where
statlib builds Markdown from them (``phrase.describe``, ``report.notes``, table Markdown),
they are escaped here so that ``[点我](javascript:…)`` or ``![x](/local/file.svg)`` reach pandoc as
the characters they are. The Lua filter ``templates/filters/inert.lua`` is the second line: it
makes any link, image or raw markup that still arrives inert.

>>> md_text("[点我](javascript:alert(1))")
'\\\\[点我\\\\](javascript:alert(1))'
>>> md_text("规模以上工业增加值(当月)")
'规模以上工业增加值(当月)'
"""

from __future__ import annotations

import re

__all__ = ["md_text"]

# what opens markup anywhere in a line: links/images, emphasis, code, raw HTML, entities,
# autolinks, spans and attributes, math, sub/superscript, strike-out, citations, tables
_SPECIAL = frozenset("\\`*_[]{}<>!&$^~|@#")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_LINE_START = re.compile(r"^(\s*)([-+=:>]|\d+[.)])")


def md_text(text: object) -> str:
    """``text`` as pandoc Markdown that reads back as the same characters (line breaks and
    control characters become one space): ASCII markup characters are backslash-escaped, and a
    list, quote or heading marker at the start is escaped too. Ordinary Chinese labels, ``%`` and
    ASCII parentheses are unchanged."""
    s = _BREAKS.sub(" ", str(text))
    s = "".join("\\" + ch if ch in _SPECIAL else ch for ch in s)
    return _LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], s, count=1)
