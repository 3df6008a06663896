"""Shared known-answer battery of multivariate problems, and an independent brute force.

Each case: name, X (N, d), y (N,), the sparsest counts ``nonzeros`` (bias entries counted, no skip
term) and ``neurons`` — derived by hand (docstring of :func:`cases`) or by :func:`brute_force`,
which shares no code with the solver: it enumerates activation patterns as subsets of points,
checks each (support, pattern) for realizability by an LP, and decides every combination of
neurons of increasing total cost by an LP in the weights (H-representation).
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

_OPTS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _realizable(Z, S, A) -> bool:
    """Is there u supported on S with z_i.u > 0 exactly on A (points with z_{i,S} = 0 never active)?"""
    Zs = Z[:, S]
    live = np.any(Zs != 0, axis=1)
    if np.any(A & ~live) or not np.any(A):
        return False
    sgn = np.where(A, 1.0, -1.0)[live]
    res = linprog(
        np.zeros(len(S)),
        A_ub=-(sgn[:, None] * Zs[live]),
        b_ub=-np.ones(int(live.sum())),
        bounds=[(None, None)] * len(S),
        method="highs",
    )
    return res.status == 0


def _feasible(Z, y, combo, skip) -> bool:
    """LP: neurons (S, A, sign) with closed sign constraints interpolate y exactly."""
    N, D = Z.shape
    cols = [(k, s) for k, (S, _, _) in enumerate(combo) for s in S]
    n = len(cols) + (D if skip else 0)
    if n == 0:
        return bool(np.all(y == 0))
    A_eq = np.zeros((N, n))
    A_ub = np.zeros((N * len(combo), n))
    for j, (k, col) in enumerate(cols):
        _, A, sg = combo[k]
        A_eq[A, j] = sg * Z[A, col]
        A_ub[k * N : (k + 1) * N, j] = np.where(A, -Z[:, col], Z[:, col])
    if skip:
        A_eq[:, len(cols) :] = Z
    res = linprog(
        np.zeros(n),
        A_ub=A_ub if len(combo) else None,
        b_ub=np.zeros(A_ub.shape[0]) if len(combo) else None,
        A_eq=A_eq,
        b_eq=y,
        bounds=[(None, None)] * n,
        method="highs",
        options=_OPTS,
    )
    return res.status == 0


def brute_force(
    X, y, objective: str, *, skip: bool = False, include_bias: bool = True, max_cost: int = 8
) -> int:
    """Exact optimum by exhaustive search (tiny problems only: N <= 4, d <= 2)."""
    X = np.asarray(X, float).reshape(len(y), -1)
    y = np.asarray(y, float)
    N, d = X.shape
    Z = np.concatenate([X, np.ones((N, 1))], axis=1)
    D = d + 1
    if objective == "neurons":
        supports = [tuple(range(D))]
    else:
        supports = [S for k in range(1, D + 1) for S in itertools.combinations(range(D), k)]
    types = []
    for S in supports:
        cost = 1 if objective == "neurons" else len(S) - (0 if include_bias or (D - 1) not in S else 1)
        for bits in itertools.product([False, True], repeat=N):
            A = np.array(bits)
            if _realizable(Z, list(S), A):
                for sg in (1.0, -1.0):
                    types.append((list(S), A, sg, cost))
    scale = max(1.0, float(np.abs(y).max()))
    for T in range(0, max_cost + 1):
        for combo in _combos(types, T):
            pos_ok = all(any(A[i] and sg > 0 for _, A, sg, _ in combo) for i in np.flatnonzero(y > 0))
            neg_ok = all(any(A[i] and sg < 0 for _, A, sg, _ in combo) for i in np.flatnonzero(y < 0))
            if not skip and not (pos_ok and neg_ok):
                continue
            # rank pruning: y must lie in the span of the neurons' possible outputs (+ skip)
            span = [Z[:, S] * A[:, None] for S, A, _, _ in combo] + ([Z] if skip else [])
            if span:
                M = np.concatenate(span, axis=1)
                coef = np.linalg.lstsq(M, y, rcond=None)[0]
                if np.linalg.norm(M @ coef - y) > 1e-8 * scale:
                    continue
            elif np.any(y != 0):
                continue
            if _feasible(Z, y / scale, [(S, A, sg) for S, A, sg, _ in combo], skip):
                return T
    raise AssertionError("brute force: no interpolant up to max_cost")


def _combos(types, T):
    """Multisets of types with total cost exactly T (a type may repeat)."""

    def rec(start, left, acc):
        if left == 0:
            yield list(acc)
            return
        for j in range(start, len(types)):
            c = types[j][3]
            if 0 < c <= left:
                acc.append(types[j])
                yield from rec(j, left - c, acc)
                acc.pop()

    if T == 0:
        yield []
        return
    yield from rec(0, T, [])


def cases():
    """Known answers (no skip term, bias entries counted).

    Hand-derived:

    * ``zero labels``: the empty network (0, 0).
    * ``constant``: y = 2 on every point is one constant neuron (b)_+ (1 nonzero, 1 neuron); any
      interpolant of nonzero labels needs one.
    * ``one relu``: y = (x_1)_+ with points on both sides: one weight (1, 1).
    * ``two points``: x = (0,0), (1,1), y = (1, −1): mixed signs need two neurons, each with a
      nonzero; (b)_+ − 2 (x_1)_+ achieves it: (2, 2).
    * ``independent points``: N = 3 affinely independent points in d = 3 with mixed labels:
      two neurons (closed form Z u = y_±) and no fewer.

    Brute-forced (:func:`brute_force`): small random instances.
    """
    rng = np.random.default_rng(7)
    X6 = rng.uniform(-1, 1, (6, 2))
    out = [
        dict(name="zero labels", X=X6, y=np.zeros(6), nonzeros=0, neurons=0),
        dict(name="constant", X=X6, y=np.full(6, 2.0), nonzeros=1, neurons=1),
        dict(
            name="one relu",
            X=np.array([[-1.0, 0.3], [-0.5, -0.2], [0.4, 0.9], [1.0, -0.7], [0.2, 0.1]]),
            y=np.array([0.0, 0.0, 0.4, 1.0, 0.2]),
            nonzeros=1,
            neurons=1,
        ),
        dict(
            name="two points",
            X=np.array([[0.0, 0.0], [1.0, 1.0]]),
            y=np.array([1.0, -1.0]),
            nonzeros=2,
            neurons=2,
        ),
        dict(
            name="independent points",
            X=np.array([[0.1, -0.5, 0.3], [0.7, 0.2, -0.4], [-0.3, 0.6, 0.8]]),
            y=np.array([1.0, -2.0, 0.5]),
            nonzeros=None,
            neurons=2,
        ),
    ]
    for seed in (1, 2):
        r = np.random.default_rng(seed)
        X = r.uniform(-1, 1, (3, 2))
        y = r.uniform(-1, 1, 3)
        out.append(dict(name=f"random N=3 seed={seed}", X=X, y=y, nonzeros=None, neurons=None))
    X = np.array([[-0.8, 0.1], [0.3, 0.9], [0.6, -0.4], [-0.2, -0.7]])
    out.append(dict(name="random N=4", X=X, y=np.array([0.5, -0.3, 0.9, 0.2]), nonzeros=None, neurons=None))
    for c in out:
        for obj in ("nonzeros", "neurons"):
            if c[obj] is None:
                c[obj] = brute_force(c["X"], c["y"], obj)
    return out
