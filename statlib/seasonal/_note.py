"""方法说明: the Chinese paragraph a publication prints about an adjustment it shows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from statlib.errors import ConfigError

__all__ = ["method_note"]

_KIND = {"AO": "加性异常值", "LS": "水平漂移"}


def _month(label: str) -> str:
    return f"{int(label[:4])}年{int(label[5:7])}月"


def method_note(result: pd.DataFrame, *, diagnostics: dict[str, Any] | None = None) -> str:
    """The 方法说明 of an :func:`~statlib.seasonal.adjust` result, in Chinese, from its attrs:
    model and form, the festival windows, working days, outliers, the split of 1—2月 and,
    with ``diagnostics`` (:func:`~statlib.seasonal.diagnostics`), the residual-seasonality test.

    >>> r = pd.DataFrame()
    >>> r.attrs.update(mode="multiplicative", model="ARIMA(0, 1, 1)(0, 1, 1)12",
    ...                window=[10, 21], outliers=["AO2020-02", "LS2008-11"], combined=[])
    >>> text = method_note(r)
    >>> text[:49]
    '季节调整采用RegARIMA模型（ARIMA(0,1,1)(0,1,1)12，对数形式）进行预调整'
    >>> text[text.index("并识别出"):text.index("；")]
    '并识别出2008年11月水平漂移、2020年2月加性异常值'
    """
    attrs = result.attrs
    if "model" not in attrs or "window" not in attrs:
        raise ConfigError("method_note: give the DataFrame that seasonal.adjust returned")
    model = str(attrs["model"]).replace(" ", "")
    form = "对数形式" if attrs.get("mode") == "multiplicative" else "加法形式"
    before, after = attrs["window"]
    text = (
        f"季节调整采用RegARIMA模型（{model}，{form}）进行预调整，回归变量包括春节效应"
        f"（节前{before}天、春节假期7天、节后至正月初一起第{after}天三个窗口）和工作日效应"
        "（按国家法定节假日和调休安排计算）"
    )
    found = sorted(attrs.get("outliers", []), key=lambda o: o[2:])
    outliers = [f"{_month(o[2:])}{_KIND[o[:2]]}" for o in found]
    text += f"，并识别出{'、'.join(outliers)}" if outliers else ""
    text += (
        "；预调整后的序列用STL方法分解为趋势、季节和不规则成分，季节调整后序列不含季节和节假日因素"
    )
    if attrs.get("combined"):
        text += "。1—2月合计数按估计的春节、工作日和季节模式拆分为1月和2月，不按平均拆分"
    if diagnostics is not None:
        p = diagnostics["residual_seasonality"]["adjusted_changes"]["kruskal_p"]
        verdict = "未发现残余季节性" if p >= 0.05 else "仍存在残余季节性，结果应审慎使用"
        text += f"。经Kruskal–Wallis检验（p={p:.2f}），调整后序列{verdict}"
    return text + "。"
