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
    knots, jumps = _knots_from_choice(cur, singles, pairs)
    slope = float(cur.s[0])
    intercept = float(y[0] - cur.s[0] * x[0])
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
    """Maximum matching per run; odd runs leave out the point minimizing Σ ln|c|."""
    ad = np.abs(cur.delta)
    starts, lens = cur.run_start, cur.run_len
    if starts.size == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    pos = _run_positions(starts, lens)  # every point of every run, run by run
    rs = np.repeat(starts, lens)
    rl = np.repeat(lens, lens)
    off = pos - rs
    a = ad[pos]
    can = off + 1 < rl  # a pair can start here
    nxt = np.where(can, ad[np.minimum(pos + 1, ad.size - 1)], 0.0)
    L = np.log(np.where(can, a + nxt, 1.0))  # log of the merged jump
    Ez = np.concatenate([[0.0], np.cumsum(np.where(can & (off % 2 == 0), L, 0.0))])
    Oz = np.concatenate([[0.0], np.cumsum(np.where(can & (off % 2 == 1), L, 0.0))])
    idx = np.arange(pos.size)
    first = idx - off  # flat index of the run's first point
    last = first + rl - 1
    # odd runs: leave out the even offset q minimizing
    #   Σ_{even pairs before q} ln + ln a_q + Σ_{odd pairs after q} ln
    odd = rl % 2 == 1
    score = np.where(
        odd & (off % 2 == 0), (Ez[idx] - Ez[first]) + np.log(a) + (Oz[last] - Oz[idx + 1]), np.inf
    )
    seg = np.concatenate([[0], np.cumsum(lens)[:-1]])
    best = np.minimum.reduceat(score, seg)
    is_best = (score == np.repeat(best, lens)) & np.isfinite(score)
    # first best position of each run: best offset (or -1 for even runs)
    cand = np.where(is_best, off, np.iinfo(np.int64).max)
    q = np.minimum.reduceat(cand, seg)
    q = np.where(lens % 2 == 1, q, -1)
    qrep = np.repeat(q, lens)
    single = off == qrep
    # pairs: before the single (or everywhere for even runs) at even offsets, after it at odd offsets
    before = (qrep < 0) | (off < qrep)
    pair_start = can & np.where(before, off % 2 == 0, (off > qrep) & ((off - qrep) % 2 == 1))
    return pos[single], pos[pair_start]


def _run_positions(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + r)`` over runs, vectorized."""
    total = int(np.sum(lens))
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return base + np.arange(total, dtype=np.int64)


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


def _knots_from_choice(
    cur: Curvature, singles: np.ndarray, pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Knot positions and jumps for a matching (singles at data points, pairs in between)."""
    x, s, delta = cur.x, cur.s, cur.delta
    singles = singles[delta[singles] != 0]
    k1 = x[singles + 1]
    c1 = delta[singles]
    j = pairs
    lo = s[j]
    mid = s[j + 1]
    hi = s[j + 2]
    # the knot sits at x_{j+1} + frac (x_{j+2} − x_{j+1}) with frac = (s_{j+2} − s_{j+1})/(s_{j+2} − s_j);
    # measure it from the nearer end point so that no digits cancel
    dx = x[j + 2] - x[j + 1]
    frac = (hi - mid) / (hi - lo)
    k2 = np.where(frac <= 0.5, x[j + 1] + frac * dx, x[j + 2] - ((mid - lo) / (hi - lo)) * dx)
    c2 = hi - lo
    knots = np.concatenate([k1, k2])
    jumps = np.concatenate([c1, c2])
    order = np.argsort(knots, kind="stable")
    return knots[order], jumps[order]
