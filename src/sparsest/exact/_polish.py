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
"""

from __future__ import annotations

import numpy as np

from ._scaling import Scaled

__all__ = ["polish_structure"]


def polish_structure(
    sc: Scaled,
    supports: np.ndarray,
    patterns: np.ndarray,
    signs: np.ndarray,
    *,
    skip: bool,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Solve the LP of the module docstring.

    Parameters
    ----------
    supports : ndarray of bool, shape (K, D)
    patterns : ndarray of bool, shape (K, N)
    signs : ndarray of shape (K,)
    skip : bool

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
