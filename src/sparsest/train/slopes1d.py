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

import bisect
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
    _knots_value_ext,
    _nearest_point,
    _pair_knots,
    _splice,
    fits_within,
    n_knots,
)

__all__ = ["pair_runs_1d", "slope_polish_1d"]

#: curvature signs of the LP and of the run re-pairing: points off their neighbours' chord by more
#: than ``3 · 64 ε`` (relative to ``1 + max|y|``: the rounding level of the chord of three values,
#: the scale of the exact solvers' collinearity bound) count as curved, the others straight; the
#: float64 checks, not this threshold, guard the fit
SIGN_RTOL = 64 * float(np.finfo(np.float64).eps)
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
        The result must fit within ``fit_rtol (1 + max|y|)`` in float64, plus the rounding
        allowance of :func:`~sparsest.train.polish.fits_within` (which only matters for nearly
        coincident noisy inputs, where no float64 network fits the nominal tolerance alone).
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
        ok, resid = fits_within(out, X, y, tol, rounding=True)
        if ok and (best is None or n_knots(out) < n_knots(best[0])):
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
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    *,
    fit_rtol: float = 1e-10,
    sign_rtol: float = SIGN_RTOL,
    rounding: bool = False,
) -> PolishResult:
    """Re-pair runs between knot-free gaps: one knot per pair of neighbouring points.

    Sort the data; gap ``g`` lies between points ``g`` and ``g + 1``. Take a window of points
    ``k₁ … k₂`` of one strict curvature sign ``σ`` (threshold ``3 · sign_rtol (1 + max|y|)``,
    :data:`SIGN_RTOL`) with an
    even number of points and no knot of ``f`` inside the two outer gaps ``k₁ − 1`` and ``k₂`` (``f`` is
    linear there). The knots of ``f`` in ``[x_{k₁}, x_{k₂}]`` are replaced by one knot per pair
    ``(k₁, k₁+1), (k₁+2, k₁+3), …`` where the secant lines of the neighbouring gaps cross (inside the
    pair's gap for points of one strict sign), with jumps ``s_{k+1} − s_{k−1}`` of ``f``'s own secants
    (on the outer gaps, ``f``'s own slope), which sum to ``f``'s slope change over the window, so ``f``
    is unchanged outside it. This removes ``C − (k₂ − k₁ + 1)/2`` knots where ``f`` had ``C`` there.

    Straight points (within the threshold) next to a run: a window may also start or end with
    them. Its outer gap's line is then carried across them to the run's first (last) point, or,
    where that line misses the next points (near-duplicate ``x`` leave points straight to rounding
    while the slope turns across them), the first straight point leads the pairs as a point of
    its own, ``(x_{g₁+1}, f(x_{g₁+1}))`` paired with ``k₁`` (and the last one closes them): an odd
    run then needs no lone knot of its own.

    Search: with ``Q(g)`` the knots at points ``≤ g`` and in gaps ``≤ g``, ``c(g)`` the points a
    window ending (starting) at gap ``g`` pairs up to it (the run's strict points ``≤ g``, one
    more after straight points at its end, ``−1`` before straight points at its start) and
    ``D(g) = 2 Q(g) − c(g)``, the window between knot-free gaps ``g₁ < g₂`` with ``c(g₂) − c(g₁)``
    even and ``≥ 2`` gains ``(D(g₂) − D(g₁))/2``; a left-to-right sweep over each run with a
    monotone stack per parity finds, for every ``g₂``, the nearest ``g₁`` with a smaller ``D`` (the
    shortest gaining window: the least rounding); windows do not overlap.
    Each window is checked on its points and the next few, in extended precision
    (:func:`_knots_value_ext`): it passes when no residual there exceeds ``max(τ, r_old + 10⁻³ τ)``,
    ``r_old`` the residual before the move (the move keeps ``f`` in exact arithmetic; a point that
    ``f`` fits within ``τ`` by the network's forward pass may be a hair above it in the knot form).
    The result is checked on all data by the float64 forward pass of the network; a
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
    rounding : bool
        The final check allows the float64 rounding of :func:`~sparsest.train.polish.fits_within`.

    Returns
    -------
    PolishResult
        Never worse than ``net`` (``net`` itself when the final check fails); ``n_lp`` is 0.
    """
    t0 = time.perf_counter()
    X, y, xs, ys, tol, _, (knots, jumps, slope, intercept) = _knot_view(net, X, y, fit_rtol)
    N = xs.size
    if N < 4 or knots.size < 2 or np.any(np.diff(xs) <= 0):
        return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0, rounding)
    sign = np.r_[0, _curvature_signs(xs, ys, sign_rtol * (1.0 + float(np.max(np.abs(y))))), 0]
    delta = _ON_POINT * (1.0 + float(np.max(np.abs(xs))))

    def value(xq, kn, ju):
        return _knots_value_ext(xq, kn, ju, slope, intercept)

    def f_slopes(g1: int, g2: int, knots, jumps) -> tuple[float, float]:
        """``f``'s slopes on the knot-free gaps ``g1 < g2``, the second as the first plus the jumps
        between them (both sums in extended precision): the new jumps then sum to ``f``'s slope
        change over the window to rounding, and ``f`` keeps its slope right of it."""
        m1, m2 = 0.5 * (xs[g1] + xs[g1 + 1]), 0.5 * (xs[g2] + xs[g2 + 1])
        left = slope + jumps[knots < m1].astype(np.longdouble).sum()
        return float(left), float(left + jumps[(knots > m1) & (knots < m2)].astype(np.longdouble).sum())

    def pair(w: tuple, knots, jumps):
        """The knots of points ``g1 + 1 … g2`` of the window ``w = (g1, g2, a, b, ws, we)`` replaced
        by pairs of its strict points ``max(g1 + 1, a) … min(g2, b)``, led by the first straight
        point when ``ws`` and closed by the last one when ``we``; or None when the check fails."""
        g1, g2, a, b, ws, we = w
        k1, k2 = max(g1 + 1, a), min(g2, b)
        inside = (knots >= xs[g1 + 1] - delta) & (knots <= xs[g2] + delta)
        idx = np.r_[g1, g1 + 1 if ws else [], k1 : k2 + 1, g2 if we else [], g2 + 1].astype(np.intp)
        xw = xs[idx]
        fw = value(xw, knots, jumps)
        ends = f_slopes(g1, g2, knots, jumps)
        if not ws and k1 > g1 + 1:  # straight points first: the line of gap g1 carried to x_{k1}
            fw[1] = value(xs[g1 + 1 : g1 + 2], knots, jumps)[0] + ends[0] * (xs[k1] - xs[g1 + 1])
        if not we and k2 < g2:  # and last: the line of gap g2 carried back to x_{k2}
            fw[-2] = value(xs[g2 : g2 + 1], knots, jumps)[0] + ends[1] * (xs[k2] - xs[g2])
        un, ju = _pair_knots(xw, fw, knots, jumps, slope, ends)
        un = np.clip(un, xw[1:-2:2], xw[2:-1:2])  # each inside its pair's gap (rounding)
        nk, nj = _splice(knots, jumps, inside, un, ju)
        hi = min(N, g2 + 2 + 8)  # the window and a few points beyond it
        xc, yc = xs[g1:hi], ys[g1:hi]
        new = np.abs(value(xc, nk, nj) - yc)
        if np.any(new > np.maximum(tol, np.abs(value(xc, knots, jumps) - yc) + 1e-3 * tol)):
            return None
        return nk, nj

    def pair_split(w: tuple, knots, jumps, depth: int):
        """Pair the window ``w``; when its check fails (rounding grows with its length), pair its
        two halves in turn, split at a knot-free gap between its strict points that leaves an
        even number of paired points on each side, near the middle (each half gains ``≥ 0``: no
        window of one strict sign has fewer knots than its pairs)."""
        out = pair(w, knots, jumps)
        g1, g2, a, b, ws, we = w
        k1, k2 = max(g1 + 1, a), min(g2, b)
        if out is not None or depth == 0 or k2 - k1 + 1 < 8:
            return out
        mid = (k1 + k2) // 2
        # gm: the left half pairs points k1 … gm (and the leading straight point when ws)
        cands = [gm for gm in range(k1 + 1, k2 - 1) if (gm - k1 + 1 + ws) % 2 == 0]
        for gm in sorted(cands, key=lambda g: abs(g - mid))[:16]:
            if not _has_knot(knots, xs[gm] + delta, xs[gm + 1] - delta):
                left = pair_split((g1, gm, a, b, ws, False), knots, jumps, depth - 1)
                return None if left is None else pair_split((gm, g2, a, b, False, we), *left, depth - 1)
        return None

    # runs of one strict sign (points a … b), each with the straight points around it (a0 … b0)
    strict = sign != 0
    regions = []
    for a in (p for p in range(1, N - 1) if strict[p] and sign[p] != sign[p - 1]):
        b = a
        while b + 1 <= N - 2 and sign[b + 1] == sign[a]:
            b += 1
        a0, b0 = a, b
        while a0 - 1 >= 1 and not strict[a0 - 1]:
            a0 -= 1
        while b0 + 1 <= N - 2 and not strict[b0 + 1]:
            b0 += 1
        regions.append((a, b, a0, b0))

    failed: set[tuple] = set()  # windows whose check failed (skipped by later sweeps)
    for _ in range(N):
        pt, on, gap = _slots(xs, knots)
        cg = np.bincount(gap[~on], minlength=N - 1)
        Q = np.cumsum(np.bincount(pt[on], minlength=N)[: N - 1] + cg).tolist()
        free = (cg == 0).tolist()
        windows: list[tuple] = []
        last = 0  # windows do not overlap
        for a, b, a0, b0 in regions:
            r = b - a + 1
            # a knot-free gap g as a window end: c paired points up to g (the run's strict points,
            # plus one for a straight point next to the window's end: ``−1`` as a start before
            # straight points, ``r + 1`` as an end after them); D = 2 Q(g) − c. The window
            # between states (g1, c1) and (g2, c2), c2 − c1 even and ≥ 2, gains (D2 − D1)/2.
            # Per parity, a stack of starts with increasing D (the nearest start with a smaller
            # D: the shortest gaining window, the least rounding).
            stacks: tuple[list, list] = ([], [])
            for g in range(a0 - 1, b0 + 1):
                if not free[g] or g < last:
                    continue
                c = min(max(g - a + 1, 0), r)
                for ce, we in ((c, False), (r + 1, True)) if g >= b + 1 else ((c, False),):
                    de = 2 * Q[g] - ce
                    st = stacks[ce % 2]
                    m = bisect.bisect_left([e[1] for e in st], de)  # starts st[:m] have D < de
                    while m > 0 and ce - st[m - 1][2] < 2:
                        m -= 1
                    if m > 0:
                        w = (st[m - 1][0], g, a, b, st[m - 1][3], we)
                        if w not in failed:
                            windows.append(w)
                            last = g
                            stacks = ([], [])
                            break
                for cs, ws in ((c, False), (-1, True)) if g <= a - 2 else ((c, False),):
                    ds = 2 * Q[g] - cs
                    st = stacks[cs % 2]
                    while st and st[-1][1] >= ds:
                        st.pop()
                    st.append((g, ds, cs, ws))
        changed, n_failed = False, len(failed)
        # left to right: a window's rounding then only reaches the windows after it, which are
        # checked against the function as it is by then
        for w in windows:
            out = pair_split(w, knots, jumps, _SPLIT_DEPTH)
            if out is None:
                failed.add(w)
                continue
            knots, jumps = out
            changed = True
        if changed:
            failed.clear()  # the knots moved: earlier failures may pass now
        elif len(failed) == n_failed:
            break
    return _knots_result(net, (knots, jumps, slope, intercept), X, y, tol, 0, t0, rounding)
