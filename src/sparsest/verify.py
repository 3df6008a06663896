"""Float64 re-verification of interpolation, shared by every exact solver and by ``certify``.

A network interpolates the data when every residual is within the point's tolerance

.. math::  |f(x_i) − y_i| \\le τ_i = \\mathrm{rtol}\\,(1 + \\max_j |y_j|) + 8 ε \\sqrt{K + 1}\\, B_i ,

where ``B_i`` is the evaluation scale of the forward pass at ``x_i`` (sum of the magnitudes of all
its terms, :meth:`sparsest.network.ReLUNetwork.evaluation_scale`), ``ε`` the float64 epsilon and
``K`` the width. The first term is the nominal accuracy (``rtol = 1e-9`` by default); the second
is the rounding error that any float64 representation and evaluation of the network carries. It
only matters for ill-conditioned data (for example nearly coincident inputs, where interpolating
slopes are enormous); for well-conditioned data ``τ_i`` is the nominal tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import ReLUNetwork

__all__ = ["InterpolationCheck", "TargetsCheck", "check_interpolation", "check_targets", "rmse_r2"]


@dataclass(frozen=True)
class InterpolationCheck:
    """Outcome of :func:`check_interpolation`.

    Attributes
    ----------
    ok : bool
        Every residual is within its tolerance.
    max_residual : float
        ``max_i |f(x_i) − y_i|``.
    nominal_tolerance : float
        ``rtol (1 + max|y|)``.
    worst_ratio : float
        ``max_i |f(x_i) − y_i| / τ_i`` (``ok`` iff ``≤ 1``).
    max_scale : float
        ``max_i B_i``.
    """

    ok: bool
    max_residual: float
    nominal_tolerance: float
    worst_ratio: float
    max_scale: float


def check_interpolation(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, rtol: float = 1e-9
) -> InterpolationCheck:
    """Re-check in float64 that ``net`` interpolates ``(X, y)`` (see module docstring).

    Parameters
    ----------
    net : ReLUNetwork
    X : ndarray of shape (N, d) or (N,)
    y : ndarray of shape (N,)
    rtol : float
        Nominal relative accuracy.
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is a failed check, not a warning
        pred, scale = net.predict_with_scale(X)
        if pred.shape != y.shape:
            raise ValueError(f"prediction shape {pred.shape} does not match y {y.shape}")
        r = np.abs(pred - y)
        nominal = rtol * (1.0 + (float(np.max(np.abs(y))) if y.size else 0.0))
        tau = nominal + 8.0 * np.finfo(np.float64).eps * np.sqrt(net.width + 1.0) * scale
        ratio = float(np.max(r / np.maximum(tau, np.finfo(np.float64).tiny))) if r.size else 0.0
    return InterpolationCheck(
        ok=bool(np.all(np.isfinite(r)) and ratio <= 1.0),
        max_residual=float(np.max(r)) if r.size else 0.0,
        nominal_tolerance=nominal,
        worst_ratio=ratio,
        max_scale=float(np.max(scale)) if scale.size else 0.0,
    )


@dataclass(frozen=True)
class TargetsCheck:
    """Outcome of :func:`check_targets`.

    Attributes
    ----------
    ok : bool
        Every ``f(x_i)`` lies in ``[lo_i − τ_i, hi_i + τ_i]``.
    max_violation : float
        ``max_i dist(f(x_i), [lo_i, hi_i])`` (0 when every bound holds).
    max_residual : float or None
        ``max_i |f(x_i) − y_i|`` against the reference target, ``None`` without one.
    rmse : float or None
        Root-mean-square of ``f(x_i) − y_i``, ``None`` without a reference target.
    worst_ratio : float
        ``max_i violation_i / τ_i`` (``ok`` iff ``≤ 1``).
    """

    ok: bool
    max_violation: float
    max_residual: float | None
    rmse: float | None
    worst_ratio: float


def check_targets(net: ReLUNetwork, X: np.ndarray, targets, *, rtol: float = 1e-9) -> TargetsCheck:
    """Re-check in float64 that ``net`` satisfies per-point bounds (:class:`sparsest.targets.Targets`).

    The tolerance is the one of :func:`check_interpolation` with ``max|y|`` replaced by the largest
    finite bound or target, ``τ_i = rtol (1 + scale) + 8 ε √(K+1) B_i``. For interpolation targets
    this is exactly :func:`check_interpolation` (``max_violation`` is then the max residual).

    Parameters
    ----------
    net : ReLUNetwork
    X : ndarray of shape (N, d) or (N,)
    targets : Targets
        With ``N`` points.
    rtol : float
        Nominal relative accuracy.
    """
    if targets.is_interpolation:
        c = check_interpolation(net, X, targets.y, rtol=rtol)
        rmse = _rmse(net.predict(X), targets.y)
        return TargetsCheck(c.ok, c.max_residual, c.max_residual, rmse, c.worst_ratio)
    with np.errstate(over="ignore", invalid="ignore"):
        pred, scale = net.predict_with_scale(X)
        if pred.shape != targets.lo.shape:
            raise ValueError(f"prediction shape {pred.shape} does not match {targets.n_points} targets")
        viol = targets.violation(pred)
        nominal = rtol * (1.0 + targets.scale())
        tau = nominal + 8.0 * np.finfo(np.float64).eps * np.sqrt(net.width + 1.0) * scale
        ratio = float(np.max(viol / np.maximum(tau, np.finfo(np.float64).tiny))) if viol.size else 0.0
        max_res = None if targets.y is None else float(np.max(np.abs(pred - targets.y)))
    return TargetsCheck(
        ok=bool(np.all(np.isfinite(pred)) and ratio <= 1.0),
        max_violation=float(np.max(viol)) if viol.size else 0.0,
        max_residual=max_res,
        rmse=_rmse(pred, targets.y),
        worst_ratio=ratio,
    )


def rmse_r2(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Root-mean-squared error and ``R² = 1 − mean((pred − y)²) / var(y)`` of predictions of shape
    (N,) against ``y`` of shape (N,) (``var(y) = 0``: R² is 1 for a perfect fit, else 0)."""
    r = np.asarray(pred, dtype=np.float64) - y
    mse = float(np.mean(r * r))
    var = float(np.var(y))
    return float(np.sqrt(mse)), (1.0 - mse / var if var > 0 else float(mse == 0))


def _rmse(pred: np.ndarray, y) -> float | None:
    if y is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.mean((pred - y) ** 2)))
