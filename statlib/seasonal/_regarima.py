"""RegARIMA: a seasonal ARIMA with calendar regressors and outliers, for pre-adjustment.

Model choice is cheap and done first by conditional least squares (CSS: the ARIMA errors'
innovations by a linear filter, the regression coefficients by least squares for given ARMA
parameters, the ARMA parameters by a bounded optimiser): the transform (logs or levels, by AIC
with the Jacobian, as X-13's ``transform{function=auto}``), the Spring Festival window (by AIC)
and the outliers (additive outliers and level shifts, by the t-statistic of each candidate,
forward addition while one exceeds the critical value). The chosen model is then estimated once
by exact Gaussian maximum likelihood with statsmodels' ``SARIMAX`` (starting from the CSS
values), which gives the coefficients, their t-statistics and the AIC that are reported.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.signal import lfilter

from statlib.errors import ConfigError

__all__ = ["Fit", "Outlier", "critical_value", "css", "detect_outliers", "fit_sarimax"]

Order = tuple[int, int, int]
PERIOD = 12


@dataclass(frozen=True)
class Outlier:
    """An additive outlier (``AO``: one month off) or a level shift (``LS``: from a month on)."""

    kind: str
    period: str

    @property
    def name(self) -> str:
        return f"{self.kind}{self.period}"

    def dummy(self, labels: Sequence[str]) -> np.ndarray:
        """The regressor over ``labels``: 1 at the month (AO) or from it on (LS), else 0."""
        if self.period not in labels:
            raise ConfigError(
                f"adjust: outlier {self.name} names a month outside the series "
                f"({labels[0]}…{labels[-1]}); give a month of the series"
            )
        at = list(labels).index(self.period)
        x = np.zeros(len(labels))
        if self.kind == "AO":
            x[at] = 1.0
        elif self.kind == "LS":
            x[at:] = 1.0
        else:
            raise ConfigError(f"adjust: outlier kind must be 'AO' or 'LS', got {self.kind!r}")
        return x


@dataclass
class Fit:
    """A RegARIMA fit: coefficients by regressor name, their t-statistics, AIC, residuals."""

    order: Order
    seasonal_order: Order
    names: list[str]
    beta: np.ndarray
    tstat: np.ndarray
    arma: np.ndarray
    aic: float
    resid: np.ndarray
    method: str
    extra: dict[str, Any] = field(default_factory=dict)

    def effect(self, X: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """Σ coefficient × regressor over ``names`` (the columns of ``X``, in ``self.names``)."""
        out = np.zeros(X.shape[0])
        for j, name in enumerate(self.names):
            if name in names:
                out += self.beta[j] * X[:, j]
        return out


def _difference(x: np.ndarray, d: int, D: int) -> np.ndarray:
    for _ in range(d):
        x = x[1:] - x[:-1]
    for _ in range(D):
        x = x[PERIOD:] - x[:-PERIOD]
    return x


def _polys(params: np.ndarray, order: Order, sorder: Order) -> tuple[np.ndarray, np.ndarray]:
    """AR and MA lag polynomials (statsmodels' signs: φ(B) = 1 − φ₁B…, θ(B) = 1 + θ₁B…)."""
    p, _, q = order
    P, _, Q = sorder
    k = 0
    ar = np.r_[1.0, -params[k : k + p]]
    k += p
    ma = np.r_[1.0, params[k : k + q]]
    k += q
    sar = np.zeros(P * PERIOD + 1)
    sar[0] = 1.0
    sar[PERIOD::PERIOD] = -params[k : k + P]
    k += P
    sma = np.zeros(Q * PERIOD + 1)
    sma[0] = 1.0
    sma[PERIOD::PERIOD] = params[k : k + Q]
    return np.convolve(ar, sar), np.convolve(ma, sma)


def css(
    y: np.ndarray,
    X: np.ndarray | None,
    order: Order = (0, 1, 1),
    seasonal_order: Order = (0, 1, 1),
    start: np.ndarray | None = None,
    *,
    fixed: bool = False,
) -> Fit:
    """Conditional-least-squares RegARIMA: ARMA parameters by optimiser, β by least squares
    (with ``fixed``, the ARMA parameters stay at ``start`` and only β is solved).

    >>> rng = np.random.default_rng(0)
    >>> e = rng.normal(size=2001)
    >>> y = np.cumsum(e[1:] - 0.5 * e[:-1])  # ARIMA(0,1,1) with θ = -0.5
    >>> round(float(css(y, None, (0, 1, 1), (0, 0, 0)).arma[0]), 1)
    -0.5
    """
    d, D = order[1], seasonal_order[1]
    w = _difference(np.asarray(y, float), d, D)
    Z = np.zeros((len(w), 0)) if X is None else _difference(np.asarray(X, float), d, D)
    m = order[0] + order[2] + seasonal_order[0] + seasonal_order[2]
    if len(w) <= m + Z.shape[1] + 2:
        raise ConfigError(
            f"adjust: {len(y)} months are too few for ARIMA{order}{seasonal_order} with "
            f"{Z.shape[1]} regressors; give at least three years"
        )

    def solve(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ar, ma = _polys(params, order, seasonal_order)
        ew = lfilter(ar, ma, w)
        if not Z.shape[1]:
            return np.zeros(0), ew
        eZ = lfilter(ar, ma, Z, axis=0)
        beta = np.linalg.lstsq(eZ, ew, rcond=None)[0]
        return beta, ew - eZ @ beta

    x0 = np.full(m, 0.1) if start is None else np.clip(start, -0.9, 0.9)
    if fixed and start is not None:
        arma = np.asarray(start, float)
    elif m:  # Gauss–Newton on the innovations, the ARMA parameters bounded inside (-1, 1)
        arma = np.asarray(
            least_squares(_second(solve), x0, bounds=(-0.98, 0.98), xtol=1e-6).x, float
        )
    else:
        arma = np.zeros(0)
    beta, e = solve(arma)
    ssr = float(e @ e)
    n = len(e)
    sigma2 = ssr / n
    k = len(beta)
    tstat = np.full(k, np.nan)
    if k:
        ar, ma = _polys(arma, order, seasonal_order)
        eZ = lfilter(ar, ma, Z, axis=0)
        cov = sigma2 * np.linalg.pinv(eZ.T @ eZ)
        with np.errstate(invalid="ignore", divide="ignore"):
            tstat = beta / np.sqrt(np.diag(cov))
    loglike = -n / 2 * (math.log(2 * math.pi * max(sigma2, 1e-300)) + 1)
    aic = -2 * loglike + 2 * (m + k + 1)
    names = [] if X is None else [f"x{j}" for j in range(k)]
    return Fit(order, seasonal_order, names, beta, tstat, arma, aic, e, "css")


def _second(solve: Any) -> Any:
    """The innovations of ``solve`` alone, as the optimiser's residuals."""
    return lambda params: solve(params)[1]


def critical_value(n: int, alpha: float = 0.05) -> float:
    """Outlier critical value for ``n`` months (Ljung's extreme-value form, as X-13 derives its
    default from the series length): about 3.4 for 4 years, 3.8 for 20.

    >>> round(critical_value(48), 2), round(critical_value(240), 2)
    (3.41, 3.78)
    """
    a = math.sqrt(2 * math.log(n))
    b = a - (math.log(math.log(n)) + math.log(4 * math.pi)) / (2 * a)
    return b - math.log(-math.log(1 - alpha / 2)) / a


def detect_outliers(
    y: np.ndarray,
    X: np.ndarray,
    labels: Sequence[str],
    fit: Fit,
    *,
    critical: float,
    max_outliers: int = 5,
    kinds: Sequence[str] = ("AO", "LS"),
) -> list[Outlier]:
    """Forward search of additive outliers and level shifts (Chen–Liu style).

    For the ARMA parameters of ``fit``, every candidate month's dummy (AO and LS) is passed
    through the model's differencing and ARMA filter and its t-statistic against the current
    residuals (scale by the median absolute deviation) is computed; the largest above
    ``critical`` joins the regressors, the regression is solved again, and so on.
    """
    order, sorder = fit.order, fit.seasonal_order
    ar, ma = _polys(fit.arma, order, sorder)
    n = len(labels)
    cands: dict[str, np.ndarray] = {}
    if "AO" in kinds:
        cands["AO"] = np.eye(n)
    if "LS" in kinds:
        ls = np.tril(np.ones((n, n)))
        ls[:, :2] = 0.0  # a shift from the first months is the level itself
        ls[:, -2:] = 0.0  # …and one in the last two cannot be told from an outlier
        cands["LS"] = ls
    filtered = {
        kind: lfilter(ar, ma, _difference(m, order[1], sorder[1]), axis=0)
        for kind, m in cands.items()
    }
    w = _difference(np.asarray(y, float), order[1], sorder[1])
    Z = _difference(np.asarray(X, float), order[1], sorder[1])
    found: list[Outlier] = []
    chosen = np.zeros((n, 0))
    for _ in range(max_outliers):
        Zall = lfilter(
            ar, ma, np.column_stack([Z, _difference(chosen, order[1], sorder[1])]), axis=0
        )
        ew = lfilter(ar, ma, w)
        beta = np.linalg.lstsq(Zall, ew, rcond=None)[0] if Zall.shape[1] else np.zeros(0)
        e = ew - Zall @ beta
        sigma = 1.4826 * float(np.median(np.abs(e - np.median(e))))
        best: tuple[float, str, int] | None = None
        taken = {o.name for o in found}
        for kind, F in filtered.items():
            norms = np.sqrt((F**2).sum(axis=0))
            with np.errstate(invalid="ignore", divide="ignore"):
                tau = np.abs(e @ F) / (sigma * norms)
            tau[~np.isfinite(tau)] = 0.0
            for t in np.argsort(tau)[::-1][:3]:
                if f"{kind}{labels[t]}" not in taken and (best is None or tau[t] > best[0]):
                    best = (float(tau[t]), kind, int(t))
                    break
        if best is None or best[0] < critical:
            break
        outlier = Outlier(best[1], str(labels[best[2]]))
        found.append(outlier)
        chosen = np.column_stack([chosen, outlier.dummy(labels)])
    return found


def fit_sarimax(
    y: np.ndarray,
    X: np.ndarray,
    names: Sequence[str],
    start: Fit,
    *,
    exact: bool = False,
) -> Fit:
    """The chosen model in statsmodels' ``SARIMAX`` (Kalman filter on the differenced series,
    variance concentrated out, the regression coefficients in the state vector: their exact GLS
    estimates and standard errors are the last smoothed state and its covariance).

    The ARMA parameters are the CSS ones of ``start``; ``exact=True`` estimates them again by
    exact maximum likelihood (a few seconds a series instead of a few hundredths).
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    order, sorder = start.order, start.seasonal_order
    k = X.shape[1]
    model = SARIMAX(
        np.asarray(y, float),
        exog=X if k else None,
        order=order,
        seasonal_order=(*sorder, PERIOD),
        simple_differencing=True,
        concentrate_scale=True,
        mle_regression=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter and the differencing notice
        if exact and len(start.arma):
            res = model.fit(start_params=start.arma, disp=False, maxiter=100)
            converged = bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True
        else:
            _initialize(model, start.arma, k)
            res = model.smooth(start.arma)
            converged = True
    arma = np.asarray(res.params, float)
    if k:
        beta = np.asarray(res.smoothed_state[-k:, -1], float)
        cov = np.asarray(res.smoothed_state_cov[-k:, -k:, -1], float)
        with np.errstate(invalid="ignore", divide="ignore"):
            tstat = beta / np.sqrt(np.diag(cov))
    else:
        beta, tstat = np.zeros(0), np.zeros(0)
    return Fit(
        order,
        sorder,
        list(names),
        beta,
        tstat,
        arma,
        float(res.aic) + 2 * k,  # the regression coefficients count as parameters
        np.asarray(res.resid, float),
        "sarimax-ml" if exact else "sarimax",
        {"converged": converged, "loglike": float(res.llf), "nobs": int(res.nobs)},
    )


def _initialize(model: Any, params: np.ndarray, k: int) -> None:
    """The ARMA states' stationary covariance solved once (statsmodels would solve it on every
    pass), the regression states approximately diffuse as in statsmodels' default: the same
    likelihood as ``SARIMAX``'s own start, five times faster."""
    from scipy.linalg import solve_discrete_lyapunov
    from statsmodels.tsa.statespace.initialization import Initialization

    model.update(params)
    r = model.k_states - k
    T = model.ssm["transition"][:r, :r]
    R = model.ssm["selection"][:r]
    # the regression states as statsmodels' default has them (same variance, same burn-in)
    init = Initialization(model.k_states, approximate_diffuse_variance=model.ssm.initial_variance)
    init.set(
        (0, r),
        "known",
        constant=np.zeros(r),
        stationary_cov=solve_discrete_lyapunov(T, R @ model.ssm["state_cov"] @ R.T),
    )
    if k:
        init.set((r, model.k_states), "approximate_diffuse")
    model.ssm.initialization = init


def as_frame(X: np.ndarray, names: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    """Regressors as a DataFrame (columns ``names``, index the months)."""
    return pd.DataFrame(X, columns=list(names), index=pd.Index(list(labels), name="period"))
