"""Independent brute force for the sparsest d-D network within per-point bounds (tiny problems).

Shares no code with the solver: activation patterns are subsets of points checked for realizability
by an LP (``battery_dd._realizable``), and every set of distinct (support, pattern, sign) neuron
types of increasing total cost is decided by an LP in the weights (H-representation, closed sign
constraints) with ``lo_i ≤ f(x_i) ≤ hi_i`` (infinite sides dropped). Two neurons of the same type
merge into one (their sum stays in the type's closed cone, with no larger support), so sets need no
repeated types. Points whose interval excludes 0 need an active neuron of that sign (no skip term).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from battery_dd import _realizable

_OPTS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _feasible(Z, lo, hi, combo, skip) -> bool:
    """LP: neurons (S, A, sign) with closed sign constraints give ``lo ≤ f ≤ hi``."""
    N, D = Z.shape
    cols = [(k, s) for k, (S, _, _) in enumerate(combo) for s in S]
    n = len(cols) + (D if skip else 0)
    if n == 0:
        return bool(np.all((lo <= 0) & (hi >= 0)))
    F = np.zeros((N, n))  # outputs
    G = np.zeros((N * len(combo), n))  # sign constraints G x <= 0
    for j, (k, col) in enumerate(cols):
        _, A, sg = combo[k]
        F[A, j] = sg * Z[A, col]
        G[k * N : (k + 1) * N, j] = np.where(A, -Z[:, col], Z[:, col])
    if skip:
        F[:, len(cols) :] = Z
    up, dn = np.isfinite(hi), np.isfinite(lo)
    A_ub = np.concatenate([G, F[up], -F[dn]])
    b_ub = np.concatenate([np.zeros(G.shape[0]), hi[up], -lo[dn]])
    res = linprog(np.zeros(n), A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * n, method="highs", options=_OPTS)
    return res.status == 0


def brute_force_targets(X, lo, hi, objective: str, *, skip: bool = False, max_cost: int = 8) -> int:
    """Fewest nonzeros (bias entries counted) or neurons with ``lo ≤ f(x_i) ≤ hi``."""
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    X = np.asarray(X, float).reshape(lo.size, -1)
    N, d = X.shape
    Z = np.concatenate([X, np.ones((N, 1))], axis=1)
    D = d + 1
    fin = np.abs(np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]]))
    scale = max(1.0, float(fin.max()) if fin.size else 1.0)
    lo, hi = lo / scale, hi / scale
    if objective == "neurons":
        supports = [tuple(range(D))]
    else:
        supports = [S for k in range(1, D + 1) for S in itertools.combinations(range(D), k)]
    types = []
    for S in supports:
        cost = 1 if objective == "neurons" else len(S)
        for bits in itertools.product([False, True], repeat=N):
            A = np.array(bits)
            if _realizable(Z, list(S), A):
                for sg in (1.0, -1.0):
                    types.append((list(S), A, sg, cost))
    need_pos, need_neg = np.flatnonzero(lo > 0), np.flatnonzero(hi < 0)
    for T in range(0, max_cost + 1):
        for combo in _subsets(types, T):
            if not skip:
                if not all(any(A[i] and sg > 0 for _, A, sg, _ in combo) for i in need_pos):
                    continue
                if not all(any(A[i] and sg < 0 for _, A, sg, _ in combo) for i in need_neg):
                    continue
            if _feasible(Z, lo, hi, [(S, A, sg) for S, A, sg, _ in combo], skip):
                return T
    raise AssertionError("brute force: nothing feasible up to max_cost")


def _subsets(types, T):
    """Sets of distinct types with total cost exactly ``T``."""

    def rec(start, left, acc):
        if left == 0:
            yield list(acc)
            return
        for j in range(start, len(types)):
            c = types[j][3]
            if c <= left:
                acc.append(types[j])
                yield from rec(j + 1, left - c, acc)
                acc.pop()

    if T == 0:
        yield []
        return
    yield from rec(0, T, [])
