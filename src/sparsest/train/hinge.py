"""Additive hinge fit: a vertex-sparse exact interpolant in d-D from single-input neurons.

For large ``N`` in d-D the pattern polish (:mod:`sparsest.train.polish`) has too many pattern rows
(``N`` per neuron) and the trainer falls back on an output-layer re-solve, whose neurons keep all
``d + 1`` entries (about ``(d + 1) N`` nonzeros). This module offers the trainer a second family of
candidate neurons whose pattern constraints are cheap: neurons that read one input,
``(a x_j + c)_+`` — the hinge basis of an additive spline (MARS). On the data, with the distinct
sorted values ``z_0 < … < z_{n−1}`` of input ``j``, a neuron active exactly for ``x_j > t`` with
``t ∈ [z_m, z_{m+1}]`` is a nonnegative combination of its two extreme rays::

    λ_1 (x_j − z_m)_+ + λ_2 (x_j − z_{m+1})_+ = ((λ_1 + λ_2) x_j − (λ_1 z_m + λ_2 z_{m+1}))_+  (on the data)

so one *group* ``g = (j, m, output sign s)`` is one neuron (weight and bias: 2 nonzeros) whatever
its two ray coefficients. Interpolation ``C + Σ_hinges c_h (±(x_ij − z_h))_+ = y_i`` is an LP in the
hinge coefficients; it is solved in function-value form (:func:`_sparse_lp`: the values of each
input's additive component at its data values, and the slope changes at the knots), which has
``O(N d)`` matrix entries where the hinge columns have ``O(d N²)``. Groups: every up-gap of every
input (the hinge at the lowest value carries the input's slope) and the constant neuron ``(c)_+``
(1 nonzero), each with both output signs; they span every function of one input on the data, so
the LP is feasible whenever one input separates all points.

The count is minimized by group-reweighted ℓ1 (the ℓp majorization of the neuron count used by
the polish): ``min Σ_g c_g ω_g Σ_{r ∈ g} λ_r`` with ``ω_g = (Σ_{r∈g} λ_r + ε)^{p−1}`` from the
previous LP (``c_g`` the group's nonzeros), with ``ε`` decreasing. Re-weighting pulls
mass onto groups already used, so that both rays of a gap enter (a knot strictly inside the gap:
two degrees of freedom for two nonzeros) — a vertex then has about ``N`` nonzeros, the generic
lower bound. After each LP, hinges at the same knot are pooled and hinges at adjacent knots of
one input and sign are paired into one neuron (a run of ``L`` costs ``⌈L/2⌉``).
The LP point is made exact by a float64 least-squares correction on the support
(single-ray neurons keep their knot on the data point) and accepted only when the float64
forward pass interpolates to ``fit_rtol (1 + max|y|)``.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ..exact.backends import new_highs
from ..network import ReLUNetwork

__all__ = ["hinge_fit"]


def _sparse_lp(X: np.ndarray):
    """The hinge LP in function-value form: ``O(N d)`` entries instead of ``O(d N²)``.

    Variables: per input ``j`` the values ``g_j(z_m)`` of its additive component at its distinct
    sorted values (``g_j(z_0) = 0``), a constant ``C = C⁺ − C⁻``, and per hinge ``(j, m, s)`` (knot
    ``z_m``, output sign ``s``; ``m < n_j − 1``) two nonnegative copies ``e^L``, ``e^R`` — the
    hinge's share in the gap to its left and to its right (its coefficient is ``e^L + e^R``).
    Rows: interpolation ``C + Σ_j g_j(x_ij) = y_i`` (``d + 2`` entries), and per input and knot the
    slope change ``slope_m − slope_{m−1} = Σ_s s (e^L + e^R)`` (``slope_{−1} = 0``; ≤ 7 entries).
    With ``g_j(z) = Σ_m c_m (z − z_m)_+`` this is the hinge-basis LP of the module docstring, and
    a group (gap) ``(j, m, s)`` owns ``e^R_{j,m,s}`` and ``e^L_{j,m+1,s}``.

    Returns
    -------
    A : sparse matrix of shape (N + Σ_j (n_j − 1), n_cols)
        CSC, 32-bit indices; the right-hand side is ``y`` then zeros.
    clo, chi : ndarray of shape (n_cols,)
        Column bounds.
    e_cols : ndarray of int, shape (R,)
        Columns of the hinge copies and of ``C⁺, C⁻`` (the "rays").
    grp, knots : ndarray of shape (R,)
        Group and knot of each ray (the constant: knot 0).
    meta : ndarray of shape (G, 3)
        Per group: input ``j`` (−1 for the constant), output sign ``s``, nonzero cost.
    keys : list of R tuples
        ``(j, s, m)`` of each ray (the constant: ``(−1, s, 0)``): copies of one hinge share it.
    """
    N, d = X.shape
    inf = np.inf
    rows, cols, vals = [], [], []
    col_lo, col_hi = [], []
    nrow = N
    ncol = 0
    e_cols, grp, knots, keys, meta = [], [], [], [], []

    def new_col(lo, hi):
        nonlocal ncol
        col_lo.append(lo)
        col_hi.append(hi)
        ncol += 1
        return ncol - 1

    gid: dict = {}

    def group(j, m, s):
        k = (j, m, s)
        if k not in gid:
            gid[k] = len(meta)
            meta.append((j, s, 2.0))
        return gid[k]

    for j in range(d):
        z, inv = np.unique(X[:, j], return_inverse=True)
        n = z.size
        if n < 2:
            continue
        gcol = np.array([new_col(0.0, 0.0)] + [new_col(-inf, inf) for _ in range(n - 1)])
        rows.append(np.arange(N))
        cols.append(gcol[inv.reshape(-1)])
        vals.append(np.ones(N))
        h = np.diff(z)
        for m in range(n - 1):
            r = nrow
            nrow += 1
            # slope_m − slope_{m−1}: (g_{m+1} − g_m)/h_m − (g_m − g_{m−1})/h_{m−1}
            ent = {gcol[m + 1]: 1.0 / h[m], gcol[m]: -1.0 / h[m]}
            if m > 0:
                ent[gcol[m]] += -1.0 / h[m - 1]
                ent[gcol[m - 1]] = 1.0 / h[m - 1]
            for s in (1.0, -1.0):
                for side in (0, 1):  # 0: left copy (gap m−1), 1: right copy (gap m)
                    if side == 0 and m == 0:
                        continue
                    c = new_col(0.0, inf)
                    ent[c] = -s
                    e_cols.append(c)
                    grp.append(group(j, m - 1 + side, s))
                    knots.append(z[m])
                    keys.append((j, s, m))
            rows.append(np.full(len(ent), r))
            cols.append(np.fromiter(ent.keys(), dtype=np.int64))
            vals.append(np.fromiter(ent.values(), dtype=np.float64))
    for s in (1.0, -1.0):
        c = new_col(0.0, inf)
        rows.append(np.arange(N))
        cols.append(np.full(N, c))
        vals.append(np.full(N, s))
        meta.append((-1, s, 1.0))
        e_cols.append(c)
        grp.append(len(meta) - 1)
        knots.append(0.0)
        keys.append((-1, s, 0))
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, ncol)
    )
    A.indices = A.indices.astype(np.int32)
    A.indptr = A.indptr.astype(np.int32)
    return (
        A,
        np.asarray(col_lo),
        np.asarray(col_hi),
        np.asarray(e_cols),
        np.asarray(grp),
        np.asarray(meta, dtype=float),
        np.asarray(knots),
        keys,
    )


def _neurons(lam: np.ndarray, knots: np.ndarray, keys: list) -> list:
    """Neurons of the LP point: the rays with mass pooled per hinge (same input, sign and knot),
    then paired greedily along each input's knots — two hinges at adjacent knots are one neuron
    with its knot inside the gap (module docstring), so a run of ``L`` adjacent hinges costs
    ``⌈L/2⌉`` neurons. Returns a list of ``(j, s, [(knot, λ), …])`` (``j = −1``: the constant,
    its value as ``λ``)."""
    pooled: dict = {}
    for r in np.flatnonzero(lam > 0):
        knot_val = pooled.setdefault(keys[r], [float(knots[r]), 0.0])
        knot_val[1] += float(lam[r])
    by_line: dict = {}
    for (j, s, m), (knot, val) in pooled.items():
        by_line.setdefault((j, s), []).append((m, knot, val))
    out = []
    for (j, s), hs in by_line.items():
        hs.sort()
        i = 0
        while i < len(hs):
            if j >= 0 and i + 1 < len(hs) and hs[i + 1][0] == hs[i][0] + 1:
                out.append((j, s, [(hs[i][1], hs[i][2]), (hs[i + 1][1], hs[i + 1][2])]))
                i += 2
            else:
                out.append((j, s, [(hs[i][1], hs[i][2])]))
                i += 1
    return out


def _network(neurons: list, d: int) -> ReLUNetwork:
    """``(a x_j + c)_+`` per neuron: ``a = Σλ``, ``c = −Σ λ knot``; the constant ``(c)_+``."""
    W = np.zeros((len(neurons), d))
    b = np.zeros(len(neurons))
    v = np.zeros(len(neurons))
    for k, (j, s, hs) in enumerate(neurons):
        lam = np.array([h[1] for h in hs])
        kn = np.array([h[0] for h in hs])
        if j < 0:
            b[k] = float(lam.sum())
        else:
            W[k, j] = float(lam.sum())
            b[k] = -float(lam @ kn)
        v[k] = s
    return ReLUNetwork(W, b, v, skip=False)


def _exact(X: np.ndarray, y: np.ndarray, neurons: list) -> list | None:
    """Float64 least-squares correction of the neurons on their fixed patterns.

    Unknowns: per two-hinge neuron its weight and bias (the knot may move inside its gap), per
    one-hinge neuron its scale (the knot stays on the data point), for the constant its value;
    equations: interpolation at every point. Returns the corrected neurons, or ``None`` when a
    knot left its gap or a scale changed sign (the patterns would change)."""
    from .polish import _lstsq

    N = X.shape[0]
    cols, z0 = [], []
    for j, s, hs in neurons:
        if j < 0:
            cols.append(np.full(N, s))
            z0.append(hs[0][1])
        elif len(hs) == 1:
            cols.append(s * np.maximum(X[:, j] - hs[0][0], 0.0))
            z0.append(hs[0][1])
        else:
            (k1, l1), (k2, l2) = hs
            act = X[:, j] > k1
            cols.append(s * act * X[:, j])
            cols.append(s * act)
            z0.extend([l1 + l2, -(l1 * k1 + l2 * k2)])
    A = np.array(cols).T
    z = np.asarray(z0)
    z = z + _lstsq(A, y - A @ z)
    out, i = [], 0
    for j, s, hs in neurons:
        if j < 0 or len(hs) == 1:
            if z[i] < 0:
                return None
            out.append((j, s, [(hs[0][0], float(z[i]))]))
            i += 1
            continue
        a, c = z[i], z[i + 1]
        i += 2
        (k1, _), (k2, _) = hs
        # a x + c = λ1 (x − k1) + λ2 (x − k2): λ1 + λ2 = a, λ1 k1 + λ2 k2 = −c
        l2 = (-c - a * k1) / (k2 - k1)
        l1 = a - l2
        if l1 < 0 or l2 < 0:
            return None
        out.append((j, s, [(k1, float(l1)), (k2, float(l2))]))
    return out


def hinge_fit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    p: float = 0.1,
    iters: int | None = None,
    fit_rtol: float = 1e-10,
    deadline: float | None = None,
) -> ReLUNetwork | None:
    """Sparse exact interpolation of ``(X, y)`` by single-input neurons (module docstring).

    Parameters
    ----------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,)
    p : float
        Exponent of the reweighting.
    iters : int, optional
        LPs (the first plain ℓ1, then reweighted; interior-point method, measured 4× faster than
        the simplex method here). Default ``clip(5·10⁴ / (N d), 3, 10)``: each LP costs about
        ``N d`` times a slowly growing factor, and the count falls by a few percent per LP.
    fit_rtol : float
        Required accuracy, relative to ``1 + max|y|``.
    deadline : float, optional
        ``time.perf_counter()`` value after which no further LP starts.

    Returns
    -------
    ReLUNetwork or None
        An exact interpolant (no skip term, biases counted) with the least nonzero count seen over
        the reweighting, or ``None`` when no LP was solved or nothing interpolates in float64.
    """
    import highspy

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    N, d = X.shape
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y), initial=0.0)))
    if iters is None:
        iters = int(np.clip(50_000 // max(1, N * d), 3, 10))
    A, clo, chi, e_cols, grp, meta, knots, keys = _sparse_lp(X)
    nrow, ncol = A.shape
    G = meta.shape[0]
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    # interior-point method with crossover (a vertex): at N = 1000 it took 8 s per LP, the dual
    # simplex 70 s from scratch and 25 s warm-started
    h.setOptionValue("solver", "ipm")
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = ncol, nrow
    cost_g = meta[:, 2]
    cost = np.zeros(ncol)
    cost[e_cols] = cost_g[grp]
    lp.col_cost_ = cost
    lp.col_lower_ = np.where(np.isinf(clo), -inf, clo)
    lp.col_upper_ = np.where(np.isinf(chi), inf, chi)
    rhs = np.concatenate([y, np.zeros(nrow - N)])
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    h.passModel(lp)
    R = e_cols.size
    idx = e_cols.astype(np.int32)
    best, best_nz = None, None
    for it in range(max(1, iters)):
        if it and deadline is not None and time.perf_counter() > deadline:
            break
        if deadline is not None:
            h.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lam = np.asarray(h.getSolution().col_value)[e_cols]
        lam = np.where(lam > 1e-12 * max(1.0, float(lam.max(initial=0.0))), lam, 0.0)
        fixed = _exact_or_none(X, y, _neurons(lam, knots, keys), d, tol)
        if fixed is not None:
            nz = fixed.n_nonzero(True)
            if best_nz is None or nz < best_nz:
                best, best_nz = fixed, nz
        tot = np.bincount(grp, weights=lam, minlength=G)
        eps = max(float(tot.max(initial=0.0)), 1e-300) * 10.0 ** (-1.0 - 2.0 * it / max(1, iters - 1))
        w = cost_g * (tot + eps) ** (p - 1.0)
        h.changeColsCost(R, idx, w[grp])
    return best


def _exact_or_none(X, y, neurons, d, tol) -> ReLUNetwork | None:
    if not neurons:
        return None
    fixed = _exact(X, y, neurons)
    if fixed is not None:
        net = _network(fixed, d)
        if net.max_residual(X, y) <= tol:
            return net
    net = _network(neurons, d)
    return net if net.max_residual(X, y) <= tol else None
