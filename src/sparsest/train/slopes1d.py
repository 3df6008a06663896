"""The 1-D interpolation polish at large N: a reweighted ℓ1 LP in slope variables, then run re-pairing.

Sort the data, ``h_j = x_{j+1} − x_j`` and the secant slopes ``s_j = (y_{j+1} − y_j)/h_j`` for the
``G = N − 1`` gaps. A univariate interpolant with a skip term and at most one knot inside each gap
is fixed by the slopes ``m⁻_j`` just right of ``x_j`` and ``m⁺_j`` just left of ``x_{j+1}``: a knot
at ``t = x_j + θ h_j`` inside gap ``j`` passes through both end points exactly when
``s_j = θ m⁻_j + (1 − θ) m⁺_j`` with ``θ ∈ [0, 1]``, i.e. when ``s_j`` lies between ``m⁻_j`` and
``m⁺_j``; its jump is ``m⁺_j − m⁻_j``. A knot at an interior data point ``x_i`` has the jump
``m⁻_i − m⁺_{i−1}``. With the sign ``σ_j`` of a gap's knot fixed, "between" is linear
(``σ_j (m⁻_j − s_j) ≤ 0 ≤ σ_j (m⁺_j − s_j)``), and the weighted ℓ1 norm of the jumps

.. math::  \\min \\; Σ_j w_j σ_j (m⁺_j − m⁻_j) + Σ_i u_i (p_i + q_i), \\quad
           m⁻_i − m⁺_{i−1} = p_i − q_i, \\; p, q ≥ 0

is an LP whose matrix entries are ``±1`` (the gap lengths only enter the right-hand sides through
``s``): unlike the neuron form ``(w, b)``, whose columns are nearly parallel on gaps of 1e-7, it is
well conditioned at any N. Gap signs: ``σ_j`` is the common strict curvature sign of the points
``j`` and ``j + 1`` (the sign of ``s_i − s_{i−1}``); where they differ, or a point is straight, the
gap holds no knot (``m⁻_j = m⁺_j = s_j``) and knots sit at the data points. A knot of an optimal
interpolant has the curvature sign of the points it serves (a run of ``r`` points of one strict sign
needs ``⌈r/2⌉`` knots, one per pair of neighbours, Debarre et al.), so this restriction keeps the
sparse interpolants. The ℓ1 problem is flat along a run (its value is the run's total slope change),
so the weights are reweighted, ``w ← 1/(|jump| + ε)`` (the ℓ1 majorizer of ``Σ |jump|^p`` as in the
paper's Algorithm 1); the first weights come from the trained network's own jumps.

The LP's vertices pair many runs out of step, which :func:`pair_runs_1d` repairs: it replaces the
knots between two knot-free gaps of a run by one knot per pair of neighbouring points. Both steps
are checked in float64 on all data; the trainer keeps a result only when it interpolates.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from ..network import ReLUNetwork
from .polish import (
    PolishResult,
    _curvature_signs,
    _has_knot,
    _knot_view,
    _knots_result,
    _knots_value,
    _nearest_point,
    _pair_knots,
    _splice,
    n_knots,
)

__all__ = ["pair_runs_1d", "slope_polish_1d"]

#: curvature signs of the LP and of the run re-pairing: points off their neighbours' chord by more
#: than 3e-15 (relative) count as curved; the float64 checks, not this threshold, guard the fit
SIGN_RTOL = 1e-15
#: knots this close (relative) to a data point are on it (the LP puts point knots exactly on them)
_ON_POINT = 1e-13
#: halvings of a window whose float64 check fails
_SPLIT_DEPTH = 6


def _slots(xs: np.ndarray, knots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the knots sit on the sorted points ``xs`` (N,): the nearest point ``pt`` (K,), whether
    the knot is on it (within ``_ON_POINT`` relative) ``on`` (K,), and the gap of every knot
    ``gap`` (K,) (``g``: between points ``g`` and ``g + 1``; meaningful where not ``on``)."""
    pt = _nearest_point(xs, knots)
    on = np.abs(xs[pt] - knots) <= _ON_POINT * (1.0 + float(np.max(np.abs(xs))))
    gap = np.clip(np.searchsorted(xs, knots) - 1, 0, xs.size - 2)
    return pt, on, gap


def _gap_jumps(xs: np.ndarray, knots: np.ndarray, jumps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|jumps| summed per gap (``N − 1,``) and at interior points (``N − 2,``)."""
    N = xs.size
    pt, on, gap = _slots(xs, knots)
    on &= (pt >= 1) & (pt <= N - 2)
    at_pt = np.bincount(pt[on] - 1, np.abs(jumps[on]), minlength=N - 2)
    in_gap = np.bincount(gap[~on], np.abs(jumps[~on]), minlength=N - 1)
    return in_gap, at_pt


def slope_polish_1d(
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    *,
    fit_rtol: float = 1e-10,
    iters: int = 3,
    eps_rel: float = 1e-3,
    deadline: float | None = None,
) -> PolishResult:
    """Reweighted ℓ1 interpolation LP in slope variables (module docstring), started from ``net``.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate network (the trained one): its jumps set the first weights,
        ``w = 1/(|jump| + ε)``, ``ε = eps_rel · max |jump|`` (uniform weights when it has none).
    X : ndarray of shape (N, 1)
        Distinct inputs.
    y : ndarray of shape (N,)
    fit_rtol : float
        The result must fit within ``fit_rtol (1 + max|y|)`` in float64.
    iters : int
        LP solves; after each, ``w ← 1/(|jump| + ε)`` with ``ε = eps_rel · max |jump|``.
    deadline : float, optional
        ``time.perf_counter()`` value after which no further LP starts (each gets the time left).

    Returns
    -------
    PolishResult
        The sparsest float64-checked interpolant of the solves (``interpolates=False`` with
        ``net`` itself when none fits); ``n_lp`` counts the solves.
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, _, (knots, jumps, _, _) = _knot_view(net, X, y, fit_rtol)
    N = xs.size
    h = np.diff(xs)
    if N < 4 or np.any(h <= 0):
        return PolishResult(net, False, net.max_residual(X, y), 0, 0, 0, time.perf_counter() - t0)
    G, M = N - 1, N - 2
    s = np.diff(ys) / h
    sg = np.r_[0, _curvature_signs(xs, ys, SIGN_RTOL * (1.0 + float(np.max(np.abs(y))))), 0]  # (N,)
    sig = np.where(sg[:-1] == sg[1:], sg[:-1], 0)  # gap j: points j, j + 1
    sig[0], sig[-1] = sg[1], sg[-2]  # the outer points carry no curvature
    # variables: m⁻ (G), m⁺ (G), p (M), q (M)
    iL, iR = np.arange(G), G + np.arange(G)
    ip, iq = 2 * G + np.arange(M), 2 * G + M + np.arange(M)
    nv = 2 * G + 2 * M
    z = np.flatnonzero(sig == 0)
    r = np.arange(M)
    rows = np.r_[r, r, r, r, M + np.arange(z.size), M + z.size + np.arange(z.size)]
    cols = np.r_[iL[1:], iR[:-1], ip, iq, iL[z], iR[z]]
    vals = np.r_[np.ones(M), -np.ones(M), -np.ones(M), np.ones(M), np.ones(2 * z.size)]
    A_eq = sp.csr_matrix((vals, (rows, cols)), shape=(M + 2 * z.size, nv))
    b_eq = np.r_[np.zeros(M), s[z], s[z]]
    nzg = np.flatnonzero(sig != 0)
    m = nzg.size
    sv = sig[nzg].astype(np.float64)
    A_ub = sp.csr_matrix(
        (np.r_[sv, -sv], (np.r_[np.arange(m), m + np.arange(m)], np.r_[iL[nzg], iR[nzg]])), shape=(2 * m, nv)
    )
    b_ub = np.r_[sv * s[nzg], -sv * s[nzg]]
    bounds = np.c_[np.r_[np.full(2 * G, -np.inf), np.zeros(2 * M)], np.full(nv, np.inf)]
    jg, jp = _gap_jumps(xs, knots, jumps)
    best, n_lp = None, 0
    for _ in range(iters):
        if deadline is not None and time.perf_counter() >= deadline:
            break
        mx = max(float(jg.max(initial=0.0)), float(jp.max(initial=0.0)))
        e = eps_rel * mx if mx > 0 else 1.0
        cost = np.zeros(nv)
        cost[iR] = sig / (np.abs(jg) + e)  # w_j σ_j (m⁺_j − m⁻_j)
        cost[iL] = -cost[iR]
        cost[ip] = cost[iq] = 1.0 / (np.abs(jp) + e)
        opts = {} if deadline is None else {"time_limit": max(1.0, deadline - time.perf_counter())}
        res = linprog(
            cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs-ds", options=opts
        )
        n_lp += 1
        if res.status != 0 or res.x is None:
            break
        u = res.x
        jg, jp = u[iR] - u[iL], u[ip] - u[iq]
        out = _network(xs, ys, h, s, u[iL], u[iR], jg, jp)
        resid = out.max_residual(X, y)
        if resid <= tol and (best is None or n_knots(out) < n_knots(best[0])):
            best = (out, resid)
    if best is None:
        return PolishResult(net, False, net.max_residual(X, y), 0, 0, n_lp, time.perf_counter() - t0)
    out, resid = best
    return PolishResult(
        out, True, resid, out.n_active_neurons(False), out.n_nonzero(False), n_lp, time.perf_counter() - t0
    )


def _network(xs, ys, h, s, mL, mR, jg, jp) -> ReLUNetwork:
    """The interpolant of the LP's slopes: gap knots at ``x_j + θ h_j``, ``θ = (m⁺ − s)/(m⁺ − m⁻)``,
    point knots at ``x_i``; jumps below ``1e-12`` of the largest are dropped (rounding of the LP)."""
    thr = 1e-12 * max(float(np.abs(jg).max(initial=0.0)), float(np.abs(jp).max(initial=0.0)))
    gi = np.flatnonzero(np.abs(jg) > thr)
    theta = np.clip((mR[gi] - s[gi]) / jg[gi], 0.0, 1.0)
    pi = np.flatnonzero(np.abs(jp) > thr)
    knots = np.r_[xs[gi] + theta * h[gi], xs[1 + pi]]
    jumps = np.r_[jg[gi], jp[pi]]
    o = np.argsort(knots, kind="stable")
    return ReLUNetwork.from_knots(knots[o], jumps[o], float(mL[0]), float(ys[0] - mL[0] * xs[0]))


def pair_runs_1d(
    net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, fit_rtol: float = 1e-10, sign_rtol: float = SIGN_RTOL
) -> PolishResult:
    """Re-pair runs between knot-free gaps: one knot per pair of neighbouring points.

    Sort the data; gap ``g`` lies between points ``g`` and ``g + 1``. Take a window of points
    ``k₁ … k₂`` of one strict curvature sign ``σ`` (threshold ``3 · sign_rtol (1 + max|y|)``) with an
    even number of points and no knot of ``f`` inside the two outer gaps ``k₁ − 1`` and ``k₂`` (``f`` is
    linear there). The knots of ``f`` in ``[x_{k₁}, x_{k₂}]`` are replaced by one knot per pair
    ``(k₁, k₁+1), (k₁+2, k₁+3), …`` where the secant lines of the neighbouring gaps cross (inside the
    pair's gap for points of one strict sign), with jumps ``s_{k+1} − s_{k−1}`` of ``f``'s own secants
    (on the outer gaps, ``f``'s own slope), which sum to ``f``'s slope change over the window, so ``f``
    is unchanged outside it. This removes ``C − (k₂ − k₁ + 1)/2`` knots where ``f`` had ``C`` there.

    Search: with ``Q(g)`` the knots at points ``≤ g`` and in gaps ``≤ g`` and ``D(g) = 2 Q(g) − g``,
    the window between knot-free gaps ``g₁ < g₂`` of one parity gains ``(D(g₂) − D(g₁))/2``; a
    left-to-right sweep with a monotone stack per parity finds, for every ``g₂``, the nearest ``g₁``
    with a smaller ``D`` (the shortest gaining window: the least rounding), windows do not overlap.
    Each window is checked in float64 on its points and the next few, the result on all data; a
    window that fails is skipped by the next sweep (which may then find another); sweeps repeat
    while they remove knots or find new windows. The move generalizes
    :func:`~sparsest.train.polish.parity_shift_1d` (whose windows end at two lone knots) and, like
    it, only re-pairs what ``f`` already has.

    Parameters
    ----------
    net : ReLUNetwork
        Univariate interpolant with a skip term.
    X : ndarray of shape (N, 1)
    y : ndarray of shape (N,)

    Returns
    -------
    PolishResult
        Never worse than ``net`` (``net`` itself when the final check fails); ``n_lp`` is 0.
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, _, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    N = xs.size
    if N < 4 or knots.size < 2 or np.any(np.diff(xs) <= 0):
        return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0)
    sign = np.r_[0, _curvature_signs(xs, ys, sign_rtol * (1.0 + float(np.max(np.abs(y))))), 0]
    delta = _ON_POINT * (1.0 + float(np.max(np.abs(xs))))

    def value(xq, kn, ju):
        return _knots_value(xq, kn, ju, slope, intercept)

    def pair(g1: int, g2: int, knots, jumps):
        """The knots with those of points ``g1 + 1 … g2`` paired, or None when the check fails."""
        k1, k2 = g1 + 1, g2
        inside = (knots >= xs[k1] - delta) & (knots <= xs[k2] + delta)
        xw = xs[k1 - 1 : k2 + 2]
        fw = value(xw, knots, jumps)
        un, ju = _pair_knots(xw, fw, knots, jumps, slope)
        un = np.clip(un, xw[1:-2:2], xw[2:-1:2])  # each inside its pair's gap (rounding)
        nk, nj = _splice(knots, jumps, inside, un, ju)
        hi = min(N, k2 + 2 + 8)  # the window and a few points beyond it
        if np.max(np.abs(value(xs[k1 - 1 : hi], nk, nj) - ys[k1 - 1 : hi])) > tol:
            return None
        return nk, nj

    def pair_split(g1: int, g2: int, knots, jumps, depth: int):
        """Pair the window ``(g1, g2)``; when its check fails (rounding grows with its length),
        pair its two halves in turn, split at a knot-free gap of the same parity near the middle
        (each half gains ``≥ 0``: no window of one strict sign has fewer knots than its pairs)."""
        out = pair(g1, g2, knots, jumps)
        if out is not None or depth == 0 or g2 - g1 < 8:
            return out
        mid = g1 + (g2 - g1) // 2
        mid += (mid - g1) % 2
        for gm in sorted(range(g1 + 2, g2 - 1, 2), key=lambda g: abs(g - mid))[:16]:
            if not _has_knot(knots, xs[gm] + delta, xs[gm + 1] - delta):
                left = pair_split(g1, gm, knots, jumps, depth - 1)
                return None if left is None else pair_split(gm, g2, *left, depth - 1)
        return None

    failed: set[tuple[int, int]] = set()  # windows whose check failed (skipped by later sweeps)
    for _ in range(N):
        pt, on, gap = _slots(xs, knots)
        cg = np.bincount(gap[~on], minlength=N - 1)
        Q = np.cumsum(np.bincount(pt[on], minlength=N)[: N - 1] + cg)
        D = (2 * Q - np.arange(N - 1)).tolist()
        free = (cg == 0).tolist()
        windows: list[tuple[int, int]] = []
        stacks: tuple[list, list] = ([], [])
        run = 0
        for g in range(N - 1):
            if g >= 1 and sign[g] != run:  # point g starts a new run (or is straight)
                stacks, run = ([], []), int(sign[g])
                if free[g - 1]:  # the gap left of the run's first point: a window's outer gap
                    stacks[(g - 1) % 2].append(g - 1)
            if not free[g]:
                continue
            st = stacks[g % 2]
            while st and D[st[-1]] >= D[g]:
                st.pop()
            if st and run != 0 and (st[-1], g) not in failed:
                windows.append((st[-1], g))
                stacks = ([], [])
                st = stacks[g % 2]
            st.append(g)
        changed, n_failed = False, len(failed)
        # left to right: a window's rounding then only reaches the windows after it, which are
        # checked against the function as it is by then
        for g1, g2 in windows:  # (the sweep keeps each inside one run: all its points of one sign)
            out = pair_split(g1, g2, knots, jumps, _SPLIT_DEPTH)
            if out is None:
                failed.add((g1, g2))
                continue
            knots, jumps = out
            changed = True
        if changed:
            failed.clear()  # the knots moved: earlier failures may pass now
        elif len(failed) == n_failed:
            break
    return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0)
