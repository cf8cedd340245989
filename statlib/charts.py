"""Charts in the house style of the bureau's bulletins (matplotlib, shipped CJK fonts).

Each chart type takes plain pandas data and labels (the caller queries the store) and returns a
:class:`Chart`, a matplotlib Figure that shows itself inline in Jupyter. ``to_svg`` (text as
paths: no tofu anywhere, same bytes on every run) and ``to_png`` give the outputs.

>>> import pandas as pd
>>> chart = peer_ranking(pd.Series({"云川市": 7.2, "甲市": 8.1, "乙市": 5.0}), highlight="云川市",
...                      title="各盟市规模以上工业增加值增速", source="云川市统计局")
>>> to_svg(chart).startswith("<?xml")
True

House style: the shipped font (``statlib.fonts``), the Okabe–Ito colour-blind-safe palette with
the own city in vermillion and peers in grey, a light horizontal grid, no top/right spines, a bold
Chinese title, the source line ``数据来源：…`` bottom-left, units in the axis labels (``增速（%）``;
tick labels never carry ``%``), numbers half-up via ``statlib.measures.fmt``, and sizes ``full``
(A4 type area, 156 mm), ``half`` (76 mm) and ``phone``.
"""

from __future__ import annotations

from statlib._charts.kinds import contribution, growth_trend, level_growth, peer_ranking, structure
from statlib._charts.style import (
    HIGHLIGHT,
    MUTED,
    OKABE_ITO,
    SIZES,
    Chart,
    house_rc,
    to_png,
    to_svg,
)

__all__ = [
    "HIGHLIGHT",
    "MUTED",
    "OKABE_ITO",
    "SIZES",
    "Chart",
    "contribution",
    "growth_trend",
    "house_rc",
    "level_growth",
    "peer_ranking",
    "structure",
    "to_png",
    "to_svg",
]
