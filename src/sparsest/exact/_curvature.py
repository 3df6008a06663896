"""Secant slopes, discrete curvature and curvature runs of sorted univariate data.

For sorted data ``x_0 < … < x_{N−1}`` the secant slopes are ``s_i = (y_{i+1} − y_i)/(x_{i+1} − x_i)``
(``i = 0..N−2``) and interior point ``i = 1..N−2`` has slope change ``δ_{i−1} = s_i − s_{i−1}``
(array index ``j = i − 1``). Its curvature is ``sign(δ)``, with ``δ`` treated as zero (collinear
points) when it is within rounding error of zero:

.. math::

    |δ_j| \\le κ\\,(e_j + e_{j+1}),\\qquad
    e_i = ε\\,\\frac{|y_i| + |y_{i+1}| + |s_i|\\,(|x_i| + |x_{i+1}|)}{x_{i+1} - x_i},

``ε`` the float64 machine epsilon and ``κ = 64``; ``e_i`` bounds the rounding error of the computed
``s_i``. This tolerance makes curvature signs invariant under ``x → αx + β``, ``y → γy + δ`` for exact
collinear data. A user-supplied ``curvature_tol`` replaces it by an absolute threshold on ``|δ|``.

A *run* is a maximal stretch of consecutive interior points with the same nonzero curvature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

_KAPPA = 64.0


@dataclass(frozen=True)
class Curvature:
    """Curvature structure of sorted, duplicate-free univariate data.

    Attributes
    ----------
    x, y : ndarray of shape (N,)
        The data, ``x`` strictly increasing.
    s : ndarray of shape (N-1,)
        Secant slopes.
    delta : ndarray of shape (N-2,)
        Slope changes ``δ_j = s_{j+1} − s_j`` at interior point ``j + 1``; exactly ``0.0`` where
        the points are collinear within tolerance.
    sign : ndarray of int8, shape (N-2,)
        ``sign(δ)``.
    run_start, run_len : ndarray of int64, shape (R,)
        Runs of equal nonzero sign, as (first index into ``delta``, number of points).
    """

    x: np.ndarray
    y: np.ndarray
    s: np.ndarray
    delta: np.ndarray
    sign: np.ndarray
    run_start: np.ndarray
    run_len: np.ndarray

    @property
    def sparsest_count(self) -> int:
        """Minimal number of knots of an interpolant: ``Σ_runs ⌈r/2⌉``."""
        return int(np.sum((self.run_len + 1) // 2))


def curvature(x: np.ndarray, y: np.ndarray, curvature_tol: float | None = None) -> Curvature:
    """Compute :class:`Curvature` for sorted, strictly increasing ``x``.

    Parameters
    ----------
    x, y : ndarray of shape (N,)
        Sorted, duplicate-free data (see :func:`sparsest.data.prepare_1d`).
    curvature_tol : float, optional
        Absolute threshold on ``|δ|`` below which points count as collinear. Default: the
        rounding-error bound of the module docstring.
    """
    dx = np.diff(x)
    s = np.diff(y)
    s /= dx
    delta = np.diff(s)
    if curvature_tol is None:
        # e_i = eps (|y_i| + |y_{i+1}| + |s_i| (|x_i| + |x_{i+1}|)) / dx_i, computed in place
        ax, ay = np.abs(x), np.abs(y)
        e = ax[:-1] + ax[1:]
        e *= np.abs(s)
        e += ay[:-1]
        e += ay[1:]
        e /= dx
        e *= _KAPPA * np.finfo(np.float64).eps
        tol = e[:-1] + e[1:]
    else:
        tol = float(curvature_tol)
        if not (tol >= 0 and np.isfinite(tol)):
            raise ParameterError(f"curvature_tol must be a finite number >= 0, got {curvature_tol!r}")
    delta[np.abs(delta) <= tol] = 0.0
    sign = np.sign(delta).astype(np.int8)
    n = sign.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Curvature(x, y, s, delta, sign, empty, empty)
    new = np.ones(n, dtype=bool)
    new[1:] = sign[1:] != sign[:-1]
    starts = np.flatnonzero(new)
    lens = np.diff(np.append(starts, n))
    keep = sign[starts] != 0
    return Curvature(x, y, s, delta, sign, starts[keep].astype(np.int64), lens[keep].astype(np.int64))
