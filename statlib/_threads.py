"""Small dense linear algebra runs on one BLAS thread.

The models of :mod:`statlib.seasonal` and :mod:`statlib.forecast` solve matrices of a few dozen
rows thousands of times. Waking OpenBLAS's threads for each costs far more than the work: one
projection and one adjustment of the demo city's value added take 11–14 s with the default
threads on two cores and 0.7–1.0 s on one (measured 2026-12-02), and a batch runs several
kernels side by side anyway. :func:`one_blas_thread` limits BLAS to one thread for the duration
of a call (``threadpoolctl``), in a notebook as in the batch, and restores it after.

>>> import numpy as np
>>> @one_blas_thread
... def gram(a):
...     return a.T @ a
>>> gram(np.eye(2)).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["one_blas_thread"]

P = ParamSpec("P")
R = TypeVar("R")


def one_blas_thread(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with BLAS limited to one thread (nested calls keep the outer limit)."""

    @functools.wraps(func)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return limited
