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

__all__ = ["InterpolationCheck", "check_interpolation"]


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
