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
its two ray coefficients. Interpolation ``Σ_g s_g Σ_rays λ r(x_i) = y_i`` is an LP in ``λ ≥ 0`` with
``N`` rows only. Groups: every up-gap of every input, the top down-gap (``(t − x_j)_+``, the
negative slope) and the constant neuron ``(c)_+`` (1 nonzero), each with both output signs; the
up-hinges and one down-hinge of a single input with distinct values already span every function
of that input on the data, so the LP is feasible whenever one input separates all points.

The count is minimized by group-reweighted ℓ1 (the ℓp majorization of the neuron count used by
the polish): ``min Σ_g c_g ω_g Σ_{r ∈ g} λ_r`` with ``ω_g = (Σ_{r∈g} λ_r + ε)^{p−1}`` from the
previous LP (``c_g`` the group's nonzeros), warm-started, with ``ε`` decreasing. Re-weighting pulls
mass onto groups already used, so that both rays of a gap enter (a knot strictly inside the gap:
two degrees of freedom for two nonzeros) — a vertex then has about ``N`` nonzeros, the generic
lower bound. After each LP, hinges at the same knot are pooled and hinges at adjacent knots of
one input, direction and sign are paired into one neuron (a run of ``L`` costs ``⌈L/2⌉``).
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


def _groups(X: np.ndarray):
    """Ray columns of every group (module docstring).

    Returns
    -------
    M : sparse matrix of shape (N, R)
        Ray values times the group's output sign.
    grp : ndarray of shape (R,)
        Group of each ray.
    meta : ndarray of shape (G, 4)
        Per group: input ``j`` (−1 for the constant), direction (+1 up, −1 down), sign ``s``,
        the group's nonzero cost.
    knots : ndarray of shape (R,)
        Knot of each ray (0 for the constant).
    keys : list of R tuples
        ``(j, direction, s, knot index)`` of each ray: rays of adjacent groups at the same knot
        are the same function.
    """
    N, d = X.shape
    rows, cols, vals, grp, knots, meta, keys = [], [], [], [], [], [], []
    r = 0
    for j in range(d):
        z = np.unique(X[:, j])
        if z.size < 2:
            continue
        xj = X[:, j]
        gaps = [(m, 1) for m in range(z.size - 1)] + [(z.size - 2, -1)]
        for m, dr in gaps:
            for s in (1.0, -1.0):
                g = len(meta)
                meta.append((j, dr, s, 2.0))
                for mm in (m, m + 1):
                    zz = z[mm]
                    keys.append((j, dr, s, mm))
                    col = np.maximum(dr * (xj - zz), 0.0)
                    nz = np.flatnonzero(col)
                    rows.append(nz)
                    cols.append(np.full(nz.size, r))
                    vals.append(s * col[nz])
                    grp.append(g)
                    knots.append(zz)
                    r += 1
    for s in (1.0, -1.0):
        g = len(meta)
        meta.append((-1, 0, s, 1.0))
        rows.append(np.arange(N))
        cols.append(np.full(N, r))
        vals.append(np.full(N, s))
        grp.append(g)
        knots.append(0.0)
        keys.append((-1, 0, s, 0))
        r += 1
    M = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(N, r))
    return M, np.asarray(grp), np.asarray(meta, dtype=float), np.asarray(knots), keys


def _neurons(lam: np.ndarray, knots: np.ndarray, keys: list) -> list:
    """Neurons of the LP point: the rays with mass pooled per hinge (same input, direction, sign
    and knot), then paired greedily along each input's knots — two hinges at adjacent knots are one
    neuron with its knot inside the gap (module docstring), so a run of ``L`` adjacent hinges costs
    ``⌈L/2⌉`` neurons. Returns a list of ``(j, direction, s, [(knot, λ), …])`` (``j = −1``: the
    constant, its value as ``λ``)."""
    pooled: dict = {}
    for r in np.flatnonzero(lam > 0):
        knot_val = pooled.setdefault(keys[r], [float(knots[r]), 0.0])
        knot_val[1] += float(lam[r])
    by_line: dict = {}
    for (j, dr, s, m), (knot, val) in pooled.items():
        by_line.setdefault((j, dr, s), []).append((m, knot, val))
    out = []
    for (j, dr, s), hs in by_line.items():
        hs.sort()
        i = 0
        while i < len(hs):
            if j >= 0 and i + 1 < len(hs) and hs[i + 1][0] == hs[i][0] + 1:
                out.append((j, dr, s, [(hs[i][1], hs[i][2]), (hs[i + 1][1], hs[i + 1][2])]))
                i += 2
            else:
                out.append((j, dr, s, [(hs[i][1], hs[i][2])]))
                i += 1
    return out


def _network(neurons: list, d: int) -> ReLUNetwork:
    """``(a x_j + c)_+`` per neuron: ``a = dir Σλ``, ``c = −dir Σ λ knot``; the constant ``(c)_+``."""
    W = np.zeros((len(neurons), d))
    b = np.zeros(len(neurons))
    v = np.zeros(len(neurons))
    for k, (j, dr, s, hs) in enumerate(neurons):
        lam = np.array([h[1] for h in hs])
        kn = np.array([h[0] for h in hs])
        if j < 0:
            b[k] = float(lam.sum())
        else:
            W[k, j] = dr * float(lam.sum())
            b[k] = -dr * float(lam @ kn)
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
    for j, dr, s, hs in neurons:
        if j < 0:
            cols.append(np.full(N, s))
            z0.append(hs[0][1])
        elif len(hs) == 1:
            cols.append(s * np.maximum(dr * (X[:, j] - hs[0][0]), 0.0))
            z0.append(hs[0][1])
        else:
            (k1, l1), (k2, l2) = hs
            act = (X[:, j] > k1) if dr > 0 else (X[:, j] < k2)
            cols.append(s * act * dr * X[:, j])
            cols.append(s * act * dr)
            z0.extend([l1 + l2, -(l1 * k1 + l2 * k2)])
    A = np.array(cols).T
    z = np.asarray(z0)
    z = z + _lstsq(A, y - A @ z)
    out, i = [], 0
    for j, dr, s, hs in neurons:
        if j < 0 or len(hs) == 1:
            if z[i] < 0:
                return None
            out.append((j, dr, s, [(hs[0][0], float(z[i]))]))
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
        out.append((j, dr, s, [(k1, float(l1)), (k2, float(l2))]))
    return out


def hinge_fit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    p: float = 0.1,
    iters: int = 10,
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
    iters : int
        LPs (the first plain ℓ1, then reweighted, warm-started).
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
    M, grp, meta, knots, keys = _groups(X)
    R, G = M.shape[1], meta.shape[0]
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("presolve", "off")  # keep the warm start between re-weighted LPs
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = R, N
    cost_g = meta[:, 3]
    lp.col_cost_ = cost_g[grp]
    lp.col_lower_ = np.zeros(R)
    lp.col_upper_ = np.full(R, highspy.kHighsInf)
    lp.row_lower_ = y
    lp.row_upper_ = y
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = M.indptr.astype(np.int32)
    lp.a_matrix_.index_ = M.indices.astype(np.int32)
    lp.a_matrix_.value_ = M.data
    h.passModel(lp)
    idx = np.arange(R, dtype=np.int32)
    best, best_nz = None, None
    for it in range(max(1, iters)):
        if it and deadline is not None and time.perf_counter() > deadline:
            break
        if deadline is not None:
            h.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lam = np.asarray(h.getSolution().col_value)
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
