"""Internals of ``statlib.charts``: the house style (``style``), the chart types (``kinds``)."""
