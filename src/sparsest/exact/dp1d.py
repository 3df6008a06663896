"""Exact sparsest / ℓp-optimal interpolation of univariate data in O(N).

Problem (paper.md §1, Prop 3.1): over continuous piecewise-linear ``f`` with knots ``u_k`` and slope
jumps ``c_k``, minimize ``V_p(f) = Σ_k |c_k|^p`` (``p = 0``: number of knots) subject to
``f(x_i) = y_i``. This equals the ℓp path-norm problem for univariate ReLU networks with a free
affine skip term (``K ≥ N`` neurons).

Method
------
paper.md §3 assigns each point ``i`` a slope ``t_i`` (``t_0 = s_0``, ``t_{N−1} = s_{N−2}``,
``t_i ∈ {s_{i−1}, s_i}`` inside) and runs a two-state dynamic program with cost
``Σ_i |t_{i+1} − t_i|^p``. We solve the same program in an equivalent, vectorizable form. Call
``δ_j = s_{j+1} − s_j`` the slope change at interior point ``j+1``. Choosing ``t_i = s_i`` spends
``δ`` of point ``i`` at a knot exactly at ``x_i``; choosing ``t_i = s_{i−1}`` defers it into
``(x_i, x_{i+1})``, where it joins the next point's ``δ`` if that one is spent early. The pair of
lines meets inside the interval exactly when the two ``δ`` have the same sign. So a configuration
is a **matching on the path of interior points**: each ``δ_j`` is a single knot at its data point,
or merged with a neighbour of the same curvature sign into one knot of jump ``δ_j + δ_{j+1}`` at

.. math::  u = x_{j+1} + \\frac{s_{j+2} − s_{j+1}}{s_{j+2} − s_j}\\,(x_{j+2} − x_{j+1}).

Cost: ``Σ_singles |δ|^p + Σ_pairs |δ_j + δ_{j+1}|^p``. Since merging only joins equal signs,
``|δ_j + δ_{j+1}| = |δ_j| + |δ_{j+1}|`` and every configuration costs ``Σ|δ_j|`` at ``p = 1``
(Cor 3.1.2); pairs never cross a run boundary, so runs are independent and a run of ``r`` points
needs at least ``⌈r/2⌉`` knots (a maximum matching).

* ``0 < p < 1``: the recurrence ``W_j = min(W_{j−1} + |δ_j|^p, W_{j−2} + (|δ_{j−1}|+|δ_j|)^p)`` is a
  min-plus linear chain; it is evaluated blockwise (transfer matrices of √n-sized blocks, then the
  blocks in sequence, then a vectorized re-run recording the choices), ``O(N)`` work with ``O(√N)``
  numpy calls. Exact cost ties choose the merge.
* ``p = 0`` (fewest knots) and ``p = 1`` (all interpolants of this form are ℓ1-optimal; we return
  the fewest-knot one): a maximum matching in every run — unique for even ``r``; for odd ``r`` the
  unmatched point is chosen to minimize ``Σ_k ln|c_k|``, the ``p → 0+`` limit of ``V_p`` among
  sparsest interpolants. Fully vectorized.

By concavity of ``V_p`` the optimum over all admissible slopes is attained at these vertex choices
(paper.md §3), and for ``p = 0`` at least one sparsest interpolant has this form (Thm 3.1), so the
returned interpolant is globally optimal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..data import prepare_1d
from ..errors import check_p
from ..network import Knots1D, ReLUNetwork
from ..verify import check_interpolation
from ._curvature import Curvature, curvature

__all__ = ["Exact1DResult", "solve_1d", "sparsest_count_1d"]


@dataclass(frozen=True)
class Exact1DResult:
    """Result of :func:`solve_1d`.

    Attributes
    ----------
    status : str
        ``"optimal"`` when the float64 re-check passes, ``"error"`` otherwise.
    p : float
        Exponent solved for.
    cost : float
        ``V_p`` of the returned interpolant (``p = 0``: its number of knots).
    n_neurons : int
        Number of knots = active neurons of the returned network.
    sparsest_count : int
        Minimal number of knots over all interpolants, ``Σ_runs ⌈r/2⌉``.
    knots, jumps : ndarray of shape (n_neurons,)
        Knot positions (sorted) and slope jumps.
    slope, intercept : float
        Affine part: ``f(x) = slope·x + intercept + Σ_k jumps_k (x − knots_k)_+``.
    network : ReLUNetwork
        The interpolant as a univariate network with skip term (one balanced neuron per knot).
    max_residual : float
        ``max_i |f(x_i) − y_i|`` by the float64 forward pass of ``network``.
    interpolates : bool
        The float64 re-check passed (:func:`sparsest.verify.check_interpolation`).
    seconds : float
        Wall time of the solve (including the re-check).
    n_points : int
        Number of distinct data points used.
    p_star : float or None
        Filled by ``solve_1d(..., pstar=True)``; see :func:`sparsest.exact.p_star`.
    """

    status: str
    p: float
    cost: float
    n_neurons: int
    sparsest_count: int
    knots: np.ndarray
    jumps: np.ndarray
    slope: float
    intercept: float
    network: ReLUNetwork = field(repr=False)
    max_residual: float
    interpolates: bool
    seconds: float
    n_points: int
    p_star: float | None = None

    @property
    def knots_view(self) -> Knots1D:
        return Knots1D(self.knots, self.jumps, self.slope, self.intercept)

    def lp_cost(self, p: float) -> float:
        """``V_p`` of the returned interpolant for another exponent."""
        return self.knots_view.lp_cost(p)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        out = {
            "status": self.status,
            "p": self.p,
            "n_neurons": self.n_neurons,
            "sparsest_count": self.sparsest_count,
            "cost": self.cost,
            "knots": self.knots.tolist(),
            "jumps": self.jumps.tolist(),
            "slope": self.slope,
            "intercept": self.intercept,
            "max_residual": self.max_residual,
            "n_points": self.n_points,
            "seconds": self.seconds,
        }
        if self.p_star is not None:
            out["p_star"] = self.p_star
        return out


def sparsest_count_1d(x, y, *, curvature_tol: float | None = None) -> int:
    """Minimal number of knots (active neurons) of a univariate interpolant, ``Σ_runs ⌈r/2⌉``."""
    x, y = prepare_1d(x, y)
    return curvature(x, y, curvature_tol).sparsest_count


def solve_1d(
    x,
    y,
    p: float = 0.0,
    *,
    curvature_tol: float | None = None,
    pstar: bool = False,
) -> Exact1DResult:
    """Exact ℓp-optimal (``0 ≤ p ≤ 1``) interpolant of univariate data.

    Parameters
    ----------
    x : array_like of shape (N,) or (N, 1)
        Inputs, any order; duplicates with equal ``y`` are merged (with a warning).
    y : array_like of shape (N,)
        Targets.
    p : float in [0, 1]
        ``0``: fewest knots (ties: smallest ``Σ ln|c_k|``); ``0 < p < 1``: minimal ``Σ|c_k|^p``;
        ``1``: fewest-knot ℓ1-optimal interpolant.
    curvature_tol : float, optional
        Absolute collinearity threshold on slope changes (default: rounding-error bound, see
        :mod:`sparsest.exact._curvature`).
    pstar : bool
        Also compute the threshold ``p*`` (:func:`sparsest.exact.p_star`).

    Returns
    -------
    Exact1DResult

    Notes
    -----
    ``O(N)`` after sorting. The returned network is re-checked by its own float64 forward pass;
    the status is ``"optimal"`` only if it passes :func:`sparsest.verify.check_interpolation`
    (nominal tolerance ``1e-9 (1 + max|y|)`` plus the rounding scale of the float64 network).
    """
    t0 = time.perf_counter()
    p = check_p(p)
    x, y = prepare_1d(x, y)
    cur = curvature(x, y, curvature_tol)
    singles, pairs = _choose(cur, p)
    knots, jumps, slope, intercept = _interpolant_from_choice(cur, singles, pairs)
    net = ReLUNetwork.from_knots(knots, jumps, slope, intercept)
    check = check_interpolation(net, x, y)
    cost = float(knots.size) if p == 0 else float(np.sum(np.abs(jumps) ** p))
    ps = None
    if pstar:
        from .pstar import _p_star_from_curvature

        ps = _p_star_from_curvature(cur).p_star
    return Exact1DResult(
        status="optimal" if check.ok else "error",
        p=p,
        cost=cost,
        n_neurons=int(knots.size),
        sparsest_count=cur.sparsest_count,
        knots=knots,
        jumps=jumps,
        slope=slope,
        intercept=intercept,
        network=net,
        max_residual=check.max_residual,
        interpolates=check.ok,
        seconds=time.perf_counter() - t0,
        n_points=int(x.size),
        p_star=ps,
    )


# ---------------------------------------------------------------------------------- internals
def _choose(cur: Curvature, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Optimal matching. Returns (indices of single δ's, indices j of pairs (j, j+1))."""
    if cur.delta.size == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    if p in (0.0, 1.0):
        return _max_matching(cur)
    return _lp_matching(cur, p)


def _max_matching(cur: Curvature) -> tuple[np.ndarray, np.ndarray]:
    """Maximum matching per run; odd runs leave out the point minimizing Σ ln|c|.

    Even runs pair offsets (0, 1), (2, 3), …; runs of one point are a single. Only odd runs of
    three or more points need a choice, so the scoring below runs on their points alone.
    """
    starts, lens = cur.run_start, cur.run_len
    if starts.size == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    even = lens % 2 == 0
    pairs_even = _run_positions(starts[even], lens[even] // 2, step=2)
    singles_1 = starts[lens == 1]
    big = lens >= 3
    big &= ~even
    if not np.any(big):
        return singles_1, pairs_even
    so, lo = starts[big], lens[big]
    ad = np.abs(cur.delta)
    pos = _run_positions(so, lo)  # every point of every odd run, run by run
    seg = np.zeros(so.size, dtype=np.int64)
    np.cumsum(lo[:-1], out=seg[1:])
    first = np.repeat(seg, lo)  # flat index of the run's first point
    off = np.arange(pos.size, dtype=np.int64) - first
    top = np.repeat(lo - 1, lo)  # offset of the run's last point
    last = first + top
    a = ad[pos]
    can = off < top  # a pair can start here
    L = np.zeros(pos.size)
    L[can] = np.log(a[can] + ad[pos[can] + 1])  # log of the merged jump
    ev = off % 2 == 0
    Ez = np.zeros(pos.size + 1)
    np.cumsum(np.where(ev, L, 0.0), out=Ez[1:])
    Oz = np.zeros(pos.size + 1)
    np.cumsum(np.where(ev, 0.0, L), out=Oz[1:])
    # leave out the even offset q minimizing
    #   Σ_{even pairs before q} ln + ln a_q + Σ_{odd pairs after q} ln
    idx = np.flatnonzero(ev)
    score = np.full(pos.size, np.inf)
    score[idx] = (Ez[idx] - Ez[first[idx]]) + np.log(a[idx]) + (Oz[last[idx]] - Oz[idx + 1])
    best = np.minimum.reduceat(score, seg)
    # first best offset of each run
    cand = np.where(score == np.repeat(best, lo), off, np.iinfo(np.int64).max)
    q = np.repeat(np.minimum.reduceat(cand, seg), lo)
    # pairs: before the single at even offsets, after it at odd offsets
    pair_start = can & np.where(off < q, ev, (off > q) & ~ev)
    singles = np.concatenate([singles_1, pos[off == q]])
    pairs = np.concatenate([pairs_even, pos[pair_start]])
    return singles, pairs


def _run_positions(starts: np.ndarray, counts: np.ndarray, step: int = 1) -> np.ndarray:
    """Concatenated ``arange(s, s + step·c, step)`` over runs, vectorized."""
    total = int(np.sum(counts))
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    before = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=before[1:])
    base = np.repeat(starts - step * before, counts)
    return base + step * np.arange(total, dtype=np.int64)


def _lp_matching(cur: Curvature, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Min-cost matching for 0 < p < 1 by the blocked min-plus recurrence."""
    ad = np.abs(cur.delta)
    n = ad.size
    A = np.where(ad > 0, ad**p, 0.0)
    same = np.zeros(n, dtype=bool)
    same[1:] = (cur.sign[1:] == cur.sign[:-1]) & (cur.sign[1:] != 0)
    M = np.full(n, np.inf)
    M[1:] = np.where(same[1:], (ad[:-1] + ad[1:]) ** p, np.inf)
    choice = _minplus_chain_choices(A, M)
    # decode backwards: v_{n-1} = True, v_{j-1} = not (v_j and choice_j)
    anchor = np.zeros(n, dtype=bool)
    anchor[-1] = True
    anchor[:-1] = ~choice[1:]
    idx = np.where(anchor, np.arange(n), n)
    nxt = np.minimum.accumulate(idx[::-1])[::-1]
    visited = (nxt - np.arange(n)) % 2 == 0
    seconds = np.flatnonzero(visited & choice)
    singles = np.flatnonzero(visited & ~choice & (ad > 0))
    return singles, seconds - 1


def _minplus_chain_choices(A: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Choices of ``W_j = min(W_{j-1} + A_j, W_{j-2} + M_j)``, ``W_{-1} = 0``, ``W_{-2} = inf``.

    Returns a boolean array of shape (n,): ``True`` where the pair term attains the minimum
    (ties included; never where ``M_j`` is infinite).
    """
    n = A.size
    L = max(16, int(np.sqrt(n)) + 1)
    B = -(-n // L)
    pad = B * L - n
    Ab = np.concatenate([A, np.zeros(pad)]).reshape(B, L)
    Mb = np.concatenate([M, np.full(pad, np.inf)]).reshape(B, L)
    # pass 1: transfer matrices from basis entries (W_{s-2}, W_{s-1}) = (0, inf) and (inf, 0)
    prev2 = np.tile(np.array([0.0, np.inf]), (B, 1))
    prev1 = np.tile(np.array([np.inf, 0.0]), (B, 1))
    for l in range(L):
        new = np.minimum(prev1 + Ab[:, l, None], prev2 + Mb[:, l, None])
        prev2, prev1 = prev1, new
    # pass 2: actual entry states (W_{s-2}, W_{s-1}) of every block, in sequence
    e2 = np.empty(B)
    e1 = np.empty(B)
    w2, w1 = np.inf, 0.0
    for k in range(B):
        e2[k], e1[k] = w2, w1
        w2 = min(e2[k] + prev2[k, 0], e1[k] + prev2[k, 1])
        w1 = min(e2[k] + prev1[k, 0], e1[k] + prev1[k, 1])
    # pass 3: re-run with actual entries and record choices
    choice = np.zeros((B, L), dtype=bool)
    q2, q1 = e2, e1
    for l in range(L):
        single = q1 + Ab[:, l]
        finite = np.isfinite(Mb[:, l])
        pair = q2 + Mb[:, l]
        c = finite & (pair <= single)
        choice[:, l] = c
        q2, q1 = q1, np.where(c, pair, single)
    return choice.reshape(-1)[:n]


def _interpolant_from_choice(
    cur: Curvature, singles: np.ndarray, pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Knots, jumps and affine part of the interpolant of a matching.

    A single ``j`` has its knot at ``x_{j+1}``, a pair ``(j, j+1)`` inside ``(x_{j+1}, x_{j+2})``,
    and a matching uses every index at most once, so the knots are sorted by their index ``j``: a
    marker array orders them in ``O(N)`` without a sort.

    The function is linear between consecutive knots; on each such gap it is the secant through
    the gap's first and last data point, ``σ_g``, and the jump at a knot is ``σ_after − σ_before``.
    Without collinear points every gap holds two consecutive points and ``σ`` is the secant slope
    ``s``, so the jumps are the slope changes ``δ``. Points whose slope change is below rounding
    (``δ = 0``, see :mod:`._curvature`) lie inside a gap: taking the gap's end-to-end secant (not
    the slope of its first interval) keeps every later slope exact — dropping ``δ`` instead would
    shift all later slopes by it and the interpolant would drift away from the data.
    """
    x, y, s, delta = cur.x, cur.y, cur.s, cur.delta
    kind = np.zeros(delta.size, dtype=np.int8)
    kind[singles[delta[singles] != 0]] = 1
    kind[pairs] = 2
    j = np.flatnonzero(kind)
    is_pair = kind[j] == 2
    # gap g (g = 0..K) runs from data point start[g] to data point end[g]
    end = np.append(j + 1, x.size - 1)  # a knot's gap on the left ends at x_{j+1}
    start = np.empty(j.size + 1, dtype=np.int64)
    start[0] = 0
    start[1:] = j + 1 + is_pair  # the gap on its right starts at x_{j+1} (single) or x_{j+2} (pair)
    consecutive = end - start == 1
    if np.all(consecutive):
        sigma = s[start]
    else:
        sigma = (y[end] - y[start]) / (x[end] - x[start])
        sigma[consecutive] = s[start[consecutive]]
    jumps = np.diff(sigma)
    knots = x[j + 1]  # singles; pairs are overwritten below
    jp = j[is_pair]
    g = np.flatnonzero(is_pair)
    lo = sigma[g]
    hi = sigma[g + 1]
    mid = s[jp + 1]
    # the knot sits where the line of slope lo through x_{j+1} meets the line of slope hi through
    # x_{j+2}: x_{j+1} + frac (x_{j+2} − x_{j+1}), frac = (hi − mid)/(hi − lo) ∈ (0, 1) (same-sign
    # curvature; clipped against rounding); measured from the nearer end so no digits cancel
    dx = x[jp + 2] - x[jp + 1]
    frac = np.clip((hi - mid) / (hi - lo), 0.0, 1.0)
    rest = np.clip((mid - lo) / (hi - lo), 0.0, 1.0)  # 1 − frac, without cancellation
    knots[is_pair] = np.where(frac <= 0.5, x[jp + 1] + frac * dx, x[jp + 2] - rest * dx)
    slope = float(sigma[0])
    return knots, jumps, slope, float(y[0] - slope * x[0])
