"""No line break inside a number with its sign and unit, or inside a period label.

A reader must never see ``增长4.`` at the end of a line and ``8%`` on the next, nor ``1—`` /
``10月``. :func:`split` finds those runs in prose — ``4.8%``, ``-0.3个百分点``, ``312.43万人``,
``3.1倍``, ``1—10月``, ``11月份``, ``2023年1—11月``, ``2023年12月15日``, a masked ``**.*%`` —
so that each writer can keep them on one line: the HTML page wraps them in
``<span style="white-space:nowrap">`` (pandoc Span, :func:`nobreak_ast`), the WeChat copy the
same span (inline styles only).

>>> [run for run, keep in split("比上年增长4.8%，1—10月") if keep]
['4.8%', '1—10月']
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["NOWRAP", "RUN", "nobreak_ast", "split"]

NOWRAP = "white-space:nowrap"

# units after a figure, longest first (CONVENTIONS §5), and the period words (§1)
_UNITS = (
    "个百分点",
    "亿千瓦时",
    "万千瓦时",
    "万平方米",
    "平方米",
    "万人次",
    "万吨",
    "万人",
    "万户",
    "万辆",
    "万元",
    "亿元",
    "千元",
    "元",
    "吨",
    "户",
    "辆",
    "家",
    "项",
    "个",
    "人",
    "倍",
    "分",
    "位",
    "%",
    "‰",
    "月末",
    "年末",
    "月份",
    "月",
    "季度",
    "年",
    "日",
)
_FIGURE = r"(?:\d[\d,]*(?:\.\d+)?|\*+(?:\.\*+)?)"  # 1,234.5 or a masked **.*
_SIGN = r"(?:(?<![\d.*])[-+−])?"  # a sign, not the hyphen of 表2-8
# a date or a period led by its year: 2023年12月15日, 2023年1—11月, 2023年11月份
_DATED = r"\d{4}年\d{1,2}(?:—\d{1,2})?月(?:\d{1,2}日|份|末)?"
#: one run kept on one line: a dated period, or a signed figure (a range with — or ～) and
#: its unit
RUN = re.compile(
    rf"{_DATED}|{_SIGN}{_FIGURE}(?:[—～~]{_FIGURE})?(?:{'|'.join(re.escape(u) for u in _UNITS)})?"
)


def split(text: str) -> list[tuple[str, bool]]:
    """``text`` in runs, each with whether it must stay on one line (a figure of two or more
    characters, or a figure with its unit)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in RUN.finditer(text):
        run = match.group(0)
        if len(run) < 2:
            continue
        if match.start() > pos:
            out.append((text[pos : match.start()], False))
        out.append((run, True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _span(text: str) -> dict[str, Any]:
    return {"t": "Span", "c": [["", [], [["style", NOWRAP]]], [{"t": "Str", "c": text}]]}


_SKIP = {"CodeBlock", "Code", "RawBlock", "RawInline", "Math", "Image"}


def _walk(node: Any, tables: bool) -> Any:
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "Str":
                out.extend(
                    _span(run) if keep else {"t": "Str", "c": run} for run, keep in split(item["c"])
                )
            else:
                out.append(_walk(item, tables))
        return out
    if isinstance(node, dict):
        kind = node.get("t")
        if kind in _SKIP or (kind == "Table" and not tables):
            return node
        if kind == "Span" and NOWRAP in str(node["c"][0]):
            return node  # kept together already
        return {k: _walk(v, tables) for k, v in node.items()}
    return node


def nobreak_ast(ast: dict[str, Any], *, tables: bool = False) -> dict[str, Any]:
    """``ast`` (not changed) with every run of :func:`split` in its blocks in a nowrap Span:
    paragraphs, headings, lists, captions; inside tables only with ``tables``; code, raw
    markup, formulas and image descriptions as they are."""
    return {**ast, "blocks": _walk(ast.get("blocks", []), tables)}
