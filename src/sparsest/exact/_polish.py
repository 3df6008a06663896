"""Exact re-solve of a network with fixed supports, activation patterns and output signs.

Given neurons ``k`` with support ``S_k`` (boolean mask over the columns of ``Z``), pattern
``A_k`` and sign ``σ_k``, the interpolating networks with exactly this structure form a polyhedron
(H-representation, normalized units):

.. math::

    z_i·u_k ≥ 0\\ (i ∈ A_k),\\quad z_i·u_k ≤ 0\\ (i ∉ A_k),\\quad u_{k,l} = 0\\ (l ∉ S_k),\\quad
    Σ_{k : i ∈ A_k} σ_k\\, z_i·u_k \\;(+ \\text{skip}) = t_i .

We solve it as an LP minimizing the total output ``Σ_k Σ_{i ∈ A_k} z_i·u_k`` (no weight bound), so
a solver's approximate point becomes an exactly interpolating, well-scaled network — or the
structure is proven infeasible.

With per-point bounds (``lo``/``hi`` given, :mod:`._solve_targets`) the equality rows become
``lo_i ≤ Σ_k … ≤ hi_i`` (infinite sides dropped). The LP is first solved on the bounds tightened by
:data:`BOUND_MARGIN` (never past the interval's midpoint), so that its solution, accurate to the
LP's feasibility tolerance, passes the float64 re-check on the bounds as given; when the
tightened problem is infeasible (a structure that only just fits) it is solved on the bounds
themselves. Without bounds nothing changes.
"""

from __future__ import annotations

import numpy as np

from ._scaling import Scaled

__all__ = ["BOUND_MARGIN", "bound_rows", "bounded_lp", "polish_structure", "tightened"]

#: normalized margin by which bounds are tightened before an exact LP re-solve: three times the
#: LP's feasibility tolerance (1e-10), a third of the float64 re-check's nominal accuracy (1e-9)
BOUND_MARGIN = 3e-10


def tightened(lo: np.ndarray, hi: np.ndarray, margin: float = BOUND_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of shape (N,) moved inwards by ``min(margin, (hi − lo)/4)`` (infinite sides kept)."""
    m = np.minimum(margin, 0.25 * (hi - lo))  # an infinite side gives width inf: the margin itself
    return lo + m, hi - m


def bound_rows(A: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``lo ≤ A x ≤ hi`` as ``A_ub x ≤ b_ub`` (rows with an infinite side dropped)."""
    up = np.isfinite(hi)
    dn = np.isfinite(lo)
    return np.concatenate([A[up], -A[dn]], axis=0), np.concatenate([hi[up], -lo[dn]])


def polish_structure(
    sc: Scaled,
    supports: np.ndarray,
    patterns: np.ndarray,
    signs: np.ndarray,
    *,
    skip: bool,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Solve the LP of the module docstring.

    Parameters
    ----------
    supports : ndarray of bool, shape (K, D)
    patterns : ndarray of bool, shape (K, N)
    signs : ndarray of shape (K,)
    skip : bool
    lo, hi : ndarray of shape (N,), optional
        Normalized per-point bounds (``±inf`` allowed) replacing the equality ``= t``; both or
        neither.

    Returns
    -------
    (U, a, c) or None
        ``U`` of shape (K, D) in normalized units; ``None`` if infeasible.
    """
    from scipy.optimize import linprog  # lazy: keeps the 1-D exact path fast to start

    Z, t = sc.Z, sc.t
    N, D = Z.shape
    K = supports.shape[0]
    var = []  # (k, col)
    for k in range(K):
        for col in np.flatnonzero(supports[k]):
            var.append((k, int(col)))
    nv = len(var)
    ns = (sc.d + 1) if skip else 0
    n = nv + ns
    if n == 0:
        if lo is not None:
            return (np.zeros((0, D)), np.zeros(sc.d), 0.0) if np.all((lo <= 0) & (hi >= 0)) else None
        return (np.zeros((0, D)), np.zeros(sc.d), 0.0) if np.all(t == 0) else None
    A_eq = np.zeros((N, n))
    A_ub = np.zeros((K * N, n))
    cost = np.zeros(n)
    for j, (k, col) in enumerate(var):
        act = patterns[k]
        A_eq[act, j] = signs[k] * Z[act, col]
        # sign constraints: -(z.u) <= 0 on A, z.u <= 0 off A
        A_ub[k * N : (k + 1) * N, j] = np.where(act, -Z[:, col], Z[:, col])
        cost[j] = float(Z[act, col].sum())
    if skip:
        A_eq[:, nv:] = Z
    bounds = [(None, None)] * n
    if lo is not None:
        x = bounded_lp(cost, A_ub, A_eq, lo, hi, bounds)
        if x is None:
            return None
    else:
        res = linprog(
            cost,
            A_ub=A_ub,
            b_ub=np.zeros(K * N),
            A_eq=A_eq,
            b_eq=t,
            bounds=bounds,
            method="highs",
            options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
        )
        if res.status != 0 or res.x is None:
            return None
        x = np.asarray(res.x, dtype=np.float64)
    U = np.zeros((K, D))
    for j, (k, col) in enumerate(var):
        U[k, col] = x[j]
    a = x[nv : nv + sc.d] if skip else np.zeros(sc.d)
    c = float(x[nv + sc.d]) if skip else 0.0
    return U, np.array(a), c


def bounded_lp(
    cost: np.ndarray, A_sign: np.ndarray, A_out: np.ndarray, lo: np.ndarray, hi: np.ndarray, bounds: list
) -> np.ndarray | None:
    """``min cost·x`` s.t. ``A_sign x ≤ 0`` and ``lo ≤ A_out x ≤ hi``: tightened bounds first, then the
    bounds as given (``A_sign`` may have no rows). Shared by this module and :mod:`._pattern_model`."""
    from scipy.optimize import linprog

    for blo, bhi in (tightened(lo, hi), (lo, hi)):
        A_b, b_b = bound_rows(A_out, blo, bhi)
        res = linprog(
            cost,
            A_ub=np.concatenate([A_sign, A_b], axis=0),
            b_ub=np.concatenate([np.zeros(A_sign.shape[0]), b_b]),
            bounds=bounds,
            method="highs",
            options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
        )
        if res.status == 0 and res.x is not None:
            return np.asarray(res.x, dtype=np.float64)
    return None
