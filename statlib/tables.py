"""Statistical tables (附表 主要经济指标, 年鉴表): an immutable spec and its renderings.

A ``Table`` is a frozen dataclass; ``columns``, ``row``, ``rows_from``, ``footnote`` and
``source`` return changed copies. Every number is rounded half-up at its row's decimals
(``measures.fmt``) and shown with the yearbook symbols: ``…`` below the smallest unit shown,
blank for not available, ``#`` for sub-items (其中), ``*``/``①`` footnote marks, ``|`` for a
break in comparability, and a symbol for suppressed cells, whose number is never stored.

Renderings: ``to_html`` (escaped, for notebooks), ``to_pandoc`` (a pandoc grid table that
becomes a real Table in HTML, Typst/PDF and DOCX), ``to_xlsx``, ``to_csv``, ``to_frame``.

Downloads (``write_workbook``, ``to_xlsx``, ``tidy_csv``) follow the accessible-spreadsheet
layout: header in the first row, numbers as numbers, a ``<列>_标志`` column for symbols, and in
XLSX cover (封面), contents (目录) and notes (说明) sheets before the table sheets.

>>> t = (Table("主要经济指标")
...      .columns(group("当月", "绝对量", col("同比增长(%)", 1)))
...      .row("社会消费品零售总额", [42505.123, -5.44], unit="亿元", decimals=2)
...      .row("商品零售", [SUPPRESSED, None], unit="亿元", sub_item=True, level=1))
>>> t.to_csv().splitlines()[1:]
['社会消费品零售总额,亿元,42505.12,-5.4', '\u3000#商品零售,亿元,…,']
"""

from __future__ import annotations

from statlib._tables.cells import SUPPRESSED, Suppressed
from statlib._tables.spec import Column, ColumnGroup, Row, Table, col, group
from statlib._tables.tidy import FLAG_SUFFIX, tidy_csv, write_csv
from statlib._tables.xlsx import number_format, save_xlsx, write_workbook

__all__ = [
    "FLAG_SUFFIX",
    "SUPPRESSED",
    "Column",
    "ColumnGroup",
    "Row",
    "Suppressed",
    "Table",
    "col",
    "group",
    "number_format",
    "save_xlsx",
    "tidy_csv",
    "write_csv",
    "write_workbook",
]
