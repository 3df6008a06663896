"""The sparsity threshold p* of univariate data.

Definition: ``p*`` is the largest ``p ∈ (0, 1]`` such that for every ``0 < p' < p`` every
ℓp'-optimal interpolant is a sparsest one (fewest knots). The paper proves it exists (Thm 3.2) and
leaves its computation open; for 1-D data this module computes it to a requested relative accuracy.

Method
------
1. **Reduction to runs.** In the matching form of the 1-D program (:mod:`sparsest.exact.dp1d`)
   every vertex interpolant is a matching on the interior points that only pairs neighbours of
   equal curvature sign, so the cost separates over curvature runs. With ``S_ρ(p)`` the best cost
   of run ``ρ`` over *maximum* matchings (the run's sparsest configurations, ``⌈r/2⌉`` knots) and
   ``N_ρ(p)`` the best over all other matchings,

   .. math::  G(p) = \\min_{\\text{non-sparsest}} V_p − \\min_{\\text{sparsest}} V_p
              = \\min_ρ\\,(N_ρ(p) − S_ρ(p)),

   and ``p* = inf{p ∈ (0, 1] : G(p) ≤ 0}`` (``1`` if the set is empty). Runs of at most three
   points have ``N_ρ > S_ρ`` on ``(0, 1)`` by strict concavity, so only runs of ``r ≥ 4`` points are
   examined; if there are none, ``p* = 1`` (paper: "if no run has more than two points …").
2. **Both values from one 4-state DP per run.** States after ``j`` points of a run are
   (*pending* — point ``j`` waits for a partner, *big* — the configuration already has at least
   two more unmatched points than a maximum matching). A single at even ``j`` turns a small state
   big; opening and merging keep it. Then ``S_ρ`` = value of (done, small), ``N_ρ`` = (done, big).
   Runs are cut into chunks, each chunk's 4×4 min-plus transfer matrix is computed vectorized over
   all chunks, and the chunks of each run are folded in order: ``O(N)`` work per evaluation.
3. **Certified first crossing by branch and bound in p.** Every knot cost ``c^p`` is monotone in
   ``p``, so on ``[p_l, p_h]`` running the DP with weights ``min(c^{p_l}, c^{p_h})`` gives a lower
   bound of ``N_ρ`` and with ``max(·)`` an upper bound of ``S_ρ``; if ``min_ρ (LB N_ρ − UB S_ρ) > 0``
   no crossing lies in the interval. Intervals are processed left to right and bisected
   (geometrically while ``p_h/p_l`` is large) until an uncertified interval is narrower than
   ``rtol·p_h``; if ``G(p_h) ≤ 0`` there the first crossing is located in it and refined by
   bisection of ``G``. The result is therefore the *first* crossing — not just any root —
   guaranteed to relative accuracy ``rtol``. (A point where ``G`` touches zero without becoming
   negative is skipped; ``touches`` lists such points, which are non-generic.)

Cost ties are decided with the tolerance ``1e-12·(1 + S)``, so exact ties at ``p = 1`` (all vertex
interpolants are ℓ1-optimal) count as crossings: ``p* ≤ 1`` always, and ``p* = 1`` when no crossing
happens before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..data import prepare_1d
from ..errors import ParameterError
from ._curvature import Curvature, curvature

__all__ = ["PStarResult", "p_star"]

_CHUNK = 256


@dataclass(frozen=True)
class PStarResult:
    """Result of :func:`p_star`.

    Attributes
    ----------
    p_star : float
        The threshold (``1.0`` when no crossing happens in ``(0, 1)``).
    sparsest_count : int
        Fewest knots over all interpolants.
    reason : str
        ``"crossing"`` (a non-sparsest interpolant becomes optimal at ``p_star``),
        ``"no long runs"`` (no curvature run has four or more points), or ``"tie at p = 1"``.
    critical_run : tuple of (int, int) or None
        (index of the run's first point in the sorted data, number of points) of the run whose
        crossing defines ``p_star``.
    rtol : float
        Relative accuracy requested.
    evaluations : int
        Number of DP evaluations used by the branch and bound.
    seconds : float
    touches : list of float
        Points where ``G`` came within tolerance of zero without crossing (normally empty).
    """

    p_star: float
    sparsest_count: int
    reason: str
    critical_run: tuple[int, int] | None
    rtol: float
    evaluations: int
    seconds: float
    touches: list[float] = field(default_factory=list)


def p_star(x, y, *, rtol: float = 1e-6, curvature_tol: float | None = None) -> PStarResult:
    """Compute the sparsity threshold ``p*`` of univariate data (see module docstring).

    Parameters
    ----------
    x, y : array_like of shape (N,)
        Data (any order; duplicates merged as in :func:`sparsest.data.prepare_1d`).
    rtol : float
        Relative accuracy of ``p*`` (default ``1e-6``).
    curvature_tol : float, optional
        Collinearity threshold (see :func:`sparsest.exact.solve_1d`).

    Returns
    -------
    PStarResult
    """
    if not (0 < rtol < 0.1):
        raise ParameterError(f"rtol must be in (0, 0.1), got {rtol!r}")
    x, y = prepare_1d(x, y)
    return _p_star_from_curvature(curvature(x, y, curvature_tol), rtol=rtol)


class _Runs:
    """Relevant runs (r >= 4) laid out in chunks for the 4-state DP."""

    def __init__(self, cur: Curvature, L: int = _CHUNK, keep: np.ndarray | None = None):
        self._cur = cur
        if keep is None:
            keep = np.flatnonzero(cur.run_len >= 4)
        self.index = np.asarray(keep, dtype=np.int64)  # indices into cur's runs
        self.starts = cur.run_start[self.index]
        self.lens = cur.run_len[self.index]
        ad = np.abs(cur.delta)
        self._ad = ad
        R = self.starts.size
        self.R = R
        if R == 0:
            return
        # chunk table
        nch = -(-self.lens // L)
        self.chunk_run = np.repeat(np.arange(R), nch)
        first_chunk = np.concatenate([[0], np.cumsum(nch)[:-1]])
        self.chunk_k = np.arange(nch.sum()) - np.repeat(first_chunk, nch)
        C = self.chunk_run.size
        self.C = C
        cstart = self.chunk_k * L  # offset of the chunk inside its run
        clen = np.minimum(L, self.lens[self.chunk_run] - cstart)
        self.L = int(clen.max())
        Lb = self.L
        off = cstart[:, None] + np.arange(Lb)[None, :]  # offset inside run, (C, Lb)
        self.valid = np.arange(Lb)[None, :] < clen[:, None]
        gidx = np.where(self.valid, self.starts[self.chunk_run][:, None] + off, 0)
        self.a = np.where(self.valid, ad[gidx], 1.0)  # single magnitudes
        prev = np.where(self.valid & (off > 0), ad[np.maximum(gidx - 1, 0)], 0.0)
        self.pair_ok = self.valid & (off > 0)
        self.pair = np.where(self.pair_ok, prev + self.a, 1.0)  # pair magnitudes
        self.even = (off + 1) % 2 == 0  # 1-based position j even
        self.first = off == 0
        self.max_chunks = int(nch.max())
        self.nch = nch

    def values(self, wa: np.ndarray, wm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S, N) per run for single weights ``wa`` and pair weights ``wm`` (shape (C, L))."""
        inf = np.inf
        C = self.C
        # V[c, basis, state]; states: 0=(done,small) 1=(done,big) 2=(pend,small) 3=(pend,big)
        V = np.full((C, 4, 4), inf)
        V[:, np.arange(4), np.arange(4)] = 0.0
        wm = np.where(self.pair_ok, wm, inf)
        for l in range(self.L):
            a = wa[:, l, None]
            m = wm[:, l, None]
            ev = self.even[:, l, None]
            ok = self.valid[:, l, None]
            d0, d1, p0, p1 = V[:, :, 0], V[:, :, 1], V[:, :, 2], V[:, :, 3]
            single_small = d0 + a
            n0 = np.minimum(np.where(ev, inf, single_small), p0 + m)
            n1 = np.minimum(np.minimum(d1 + a, np.where(ev, single_small, inf)), p1 + m)
            n2 = d0
            n3 = d1
            newV = np.stack([n0, n1, n2, n3], axis=2)
            V = np.where(ok[:, :, None], newV, V)
        # fold chunks per run
        vec = np.full((self.R, 4), inf)
        vec[:, 0] = 0.0
        order = np.lexsort((self.chunk_k, self.chunk_run))
        T = V[order]
        runs_sorted = self.chunk_run[order]
        k_sorted = self.chunk_k[order]
        for k in range(self.max_chunks):
            sel = k_sorted == k
            r = runs_sorted[sel]
            Tk = T[sel]
            vec[r] = np.min(vec[r][:, :, None] + Tk, axis=1)
        return vec[:, 0], vec[:, 1]

    def restrict(self, local: np.ndarray) -> _Runs:
        """The same structure for a subset of this object's runs (local indices)."""
        return _Runs(self._cur, keep=self.index[np.asarray(local, dtype=np.int64)])

    # -------------------------------------------------------------- sparsest side, explicitly
    def _flat(self):
        if not hasattr(self, "_flat_cache"):
            pos = np.concatenate([np.arange(s, s + r) for s, r in zip(self.starts, self.lens, strict=True)])
            rid = np.repeat(np.arange(self.R), self.lens)
            off = pos - np.repeat(self.starts, self.lens)
            rlen = np.repeat(self.lens, self.lens)
            a = self._ad[pos]
            nxt = np.where(off + 1 < rlen, self._ad[np.minimum(pos + 1, self._ad.size - 1)], 0.0)
            self._flat_cache = (pos, rid, off, rlen, a, a + nxt, off + 1 < rlen)
        return self._flat_cache

    def sparsest_costs(self, p: float, q: np.ndarray | None = None):
        """Best cost over maximum matchings per run (and its unmatched offset), or the cost of
        the maximum matching leaving offset ``q`` unmatched (``-1`` for even runs)."""
        _, rid, off, rlen, a, pair, can = self._flat()
        pc = np.where(can, pair**p, 0.0)
        E = np.where(off % 2 == 0, pc, 0.0)
        O = np.where(off % 2 == 1, pc, 0.0)
        first = np.concatenate([[0], np.cumsum(self.lens)[:-1]])
        Ez = np.concatenate([[0.0], np.cumsum(E)])
        Oz = np.concatenate([[0.0], np.cumsum(O)])
        idx = np.arange(a.size)
        rs = first[rid]
        last = rs + rlen - 1
        score = (Ez[idx] - Ez[rs]) + a**p + (Oz[last] - Oz[idx + 1])
        oddrun = rlen % 2 == 1
        score = np.where(oddrun & (off % 2 == 0), score, np.inf)
        even_cost = Ez[first + self.lens] - Ez[first]
        if q is None:
            best = np.full(self.R, np.inf)
            np.minimum.at(best, rid, score)
            arg = np.full(self.R, -1, dtype=np.int64)
            hit = (score == best[rid]) & np.isfinite(score)
            arg[rid[hit][::-1]] = off[hit][::-1]
            odd_r = self.lens % 2 == 1
            return np.where(odd_r, best, even_cost), arg
        odd_r = self.lens % 2 == 1
        qq = np.where(odd_r, first + np.maximum(q, 0), 0)
        return np.where(odd_r, score[qq], even_cost)

    def gap(self, p: float):
        """Per-run ``N − S`` at ``p``, and ``S``."""
        _, N = self.values(self.a**p, self.pair**p)
        S, _ = self.sparsest_costs(p)
        return N - S, S

    def gap_lower_bound(self, pl: float, ph: float) -> np.ndarray:
        """Per-run lower bound of ``N − S`` on ``[pl, ph]`` (max of two valid bounds).

        * monotone: ``c^p ≥ min(c^pl, c^ph)`` gives ``N ≥ N_mono``; for the sparsest matching
          ``σ`` optimal at the midpoint, ``S(p) ≤ C_σ(p) ≤ max(C_σ(pl), C_σ(ph))`` (convex).
        * second order: ``c^p ≥ c^m (1 + (p − m) ln c)`` (tangent at the midpoint ``m``), so
          ``N(p) ≥ T(p)``, a concave function of ``p``; ``C_σ`` lies below its chord. The difference
          is concave, hence bounded below by its values at the end points.
        """
        m = 0.5 * (pl + ph)
        a, pr = self.a, self.pair
        _, N_mono = self.values(np.minimum(a**pl, a**ph), np.minimum(pr**pl, pr**ph))
        _, q = self.sparsest_costs(m)
        Cl = self.sparsest_costs(pl, q)
        Ch = self.sparsest_costs(ph, q)
        b1 = N_mono - np.maximum(Cl, Ch)
        am, pm = a**m, pr**m
        la, lp = np.log(a), np.log(pr)
        _, Tl = self.values(am * (1 + (pl - m) * la), pm * (1 + (pl - m) * lp))
        _, Th = self.values(am * (1 + (ph - m) * la), pm * (1 + (ph - m) * lp))
        b2 = np.minimum(Tl - Cl, Th - Ch)
        return np.maximum(b1, b2) - 1e-12 * (1.0 + np.maximum(Cl, Ch))


def _p_star_from_curvature(cur: Curvature, *, rtol: float = 1e-6) -> PStarResult:
    t0 = time.perf_counter()
    runs = _Runs(cur)
    count = cur.sparsest_count
    if runs.R == 0:
        return PStarResult(1.0, count, "no long runs", None, rtol, 0, time.perf_counter() - t0)
    evals = 0

    def G(sub: _Runs, p: float) -> tuple[float, int, float]:
        nonlocal evals
        evals += 1
        g, S = sub.gap(p)
        k = int(np.argmin(g))
        return float(g[k]), int(sub.index[k]), 1e-12 * (1.0 + float(np.max(S)))

    touches: list[float] = []
    # each interval carries the runs not yet certified on it (the others have N − S > 0 there)
    stack: list[tuple[float, float, _Runs]] = [(0.0, 1.0, runs)]
    while stack:
        pl, ph, sub = stack.pop()
        evals += 1
        lb = sub.gap_lower_bound(pl, ph)
        open_runs = np.flatnonzero(lb <= 0)
        if open_runs.size == 0:
            continue
        if open_runs.size < sub.R:
            sub = sub.restrict(open_runs)
        if ph - pl <= 0.25 * rtol * ph:
            gh, k, tol = G(sub, ph)
            if gh <= tol:
                gl, _, tol_l = G(sub, pl) if pl > 0 else (1.0, k, 0.0)
                if ph == 1.0 and gl > tol_l:
                    # G > 0 up to the last bisection point before 1: the crossing is the tie at 1
                    return _result(1.0, count, "tie at p = 1", cur, k, rtol, evals, t0, touches)
                lo, hi = pl, ph
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    if mid in (lo, hi):
                        break
                    gm, km, tm = G(sub, mid)
                    if gm <= tm:
                        hi, k = mid, km
                    else:
                        lo = mid
                return _result(hi, count, "crossing", cur, k, rtol, evals, t0, touches)
            touches.append(ph)
            continue
        if pl == 0.0:
            mid = ph / 8.0
        elif ph / pl > 4.0:
            mid = float(np.sqrt(pl * ph))
        else:
            mid = 0.5 * (pl + ph)
        stack.append((mid, ph, sub))
        stack.append((pl, mid, sub))
    return _result(1.0, count, "tie at p = 1", cur, None, rtol, evals, t0, touches)


def _result(p, count, reason, cur, k, rtol, evals, t0, touches) -> PStarResult:
    crit = None
    if k is not None:
        crit = (int(cur.run_start[k]) + 1, int(cur.run_len[k]))
    return PStarResult(float(p), count, reason, crit, rtol, evals, time.perf_counter() - t0, touches)
