"""Brute-force oracles for the fewest knots of a 1-D function within per-point bounds.

Problem (``shared/docs/targets.md`` §2): over continuous piecewise-linear ``f`` with knots anywhere,
minimize the number of knots subject to ``lo_i ≤ f(x_i) ≤ hi_i`` (sorted, distinct ``x``).

Method (independent of the solver's tube / dual-polygon algorithm)
------------------------------------------------------------------
For fixed values ``f_i = f(x_i)`` the fewest knots is the interpolation count
``K(f) = Σ_runs ⌈r/2⌉`` over maximal runs of equal nonzero curvature sign
``σ_i = sign(s_i − s_{i−1})`` (``s_i`` the secant slopes; zeros break runs; paper Thm 3.1 and our
interpolation DP). ``K`` depends on ``f`` only through ``σ ∈ {−, 0, +}^{N−2}``, so the answer is
the least ``Σ⌈r/2⌉`` over the sign patterns *realizable* in the box.

A pattern (or a prefix of one) is realizable iff the LP

    maximize t  subject to  lo ≤ f ≤ hi (finite sides only),  t ≤ 1,
                            σ_i d_i ≥ t  (σ_i ≠ 0),   d_i = 0  (σ_i = 0)

has optimum ``t* > 0``. Here ``d_i`` is the slope change rescaled to the deviation of ``f_i`` from
the chord of its neighbours,

    d_i = (h_i f_{i−1} + h_{i−1} f_{i+1}) / (h_{i−1} + h_i) − f_i
        = h_{i−1} h_i / (h_{i−1} + h_i) · (s_i − s_{i−1}),      h_i = x_{i+1} − x_i,

which has the sign of ``s_i − s_{i−1}``, coefficients in ``[−1, 1]``, the units of the values, and
does not depend on the scale of ``x``. Values are normalized to ``[−1, 1]`` by the finite bounds
(centre and half-range), so ``t`` and the margin below are relative. The cap ``t ≤ 1`` keeps the
LP bounded when bounds are infinite (classification). A realizable pattern with the fewest knots
exists whenever the box is nonempty: the optimal ``f`` itself realizes its own pattern with margin
``min |d_i| > 0`` over its nonzero ``d_i``.

Depth-first search assigns ``σ_1, σ_2, …`` left to right; a prefix's ``Σ⌈r/2⌉`` only grows with
extension, so a prefix whose count reaches the best full count found is cut, and so is every
extension of an infeasible prefix. Children are tried cheapest first (``0``; the current run's sign
when the run has odd length; then the rest). A child whose sign agrees with the parent LP's own
solution (``|d_i| > margin``) is feasible without a new LP.

Numerics: HiGHS runs with primal feasibility tolerance ``1e-10`` (normalized units); a pattern
counts as realizable when ``t* > 1e-9``, and each accepted LP solution is re-checked in float64
(box and zero rows within ``1e-8``, signed rows at least the margin). A solution that passes the
LP but fails the re-check raises :class:`OracleAmbiguous` instead of guessing. Fixed points
(``lo_i = hi_i``) are fixed variables, removed exactly by HiGHS's presolve; near-collinear fixed
data (``|d_i|`` below the margin) count as collinear, like the interpolation DP's rounding-error
tolerance. Intended for ``N ≤ 12`` with well-conditioned data (no ``|d_i|`` of a realizing ``f``
needs to be below ``1e-9`` of the value range).

Classification (``lo = 1, hi = ∞`` for ``+``, ``lo = −∞, hi = −1`` for ``−``): with labels in ``x``
order forming ``R`` maximal runs the fewest knots is ``max(0, R − 2)``: ``f`` changes sign ``R − 1``
times and each of the ``k + 1`` linear pieces at most once (so ``k ≥ R − 2``); conversely one knot
inside each interior run with large alternating values, the zero crossings placed in the gaps
between runs, achieves it. :func:`classification_count` gives it; the tests confirm it against
:func:`brute_tube_count`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "OracleAmbiguous",
    "TubeOracle",
    "brute_tube",
    "brute_tube_count",
    "classification_count",
    "pattern_count",
]

MARGIN = 1e-9  # t* above this (normalized units): the sign pattern is realizable
FEAS_TOL = 1e-10  # HiGHS primal feasibility tolerance (normalized units)
CHECK_TOL = 1e-8  # float64 re-check of an accepted LP solution (box and zero rows)
_OPTIONS = {"primal_feasibility_tolerance": FEAS_TOL, "dual_feasibility_tolerance": FEAS_TOL}


class OracleAmbiguous(RuntimeError):
    """The LP accepted a pattern that its own solution does not realize in float64."""


@dataclass(frozen=True)
class TubeOracle:
    """Result of :func:`brute_tube`: fewest knots, a realizing pattern and values (original units)."""

    count: int
    sigma: tuple[int, ...]
    f: np.ndarray
    n_lps: int


def pattern_count(sigma) -> int:
    """``Σ ⌈r/2⌉`` over maximal runs of equal nonzero sign (zeros break runs)."""
    total, run, prev = 0, 0, 0
    for s in [*sigma, 0]:
        if s != 0 and s == prev:
            run += 1
        else:
            total += (run + 1) // 2
            run = 1 if s != 0 else 0
        prev = s
    return total


def classification_count(labels) -> int:
    """Fewest knots for margins ``t_i f(x_i) ≥ 1``, labels listed in ``x`` order: ``max(0, R − 2)``."""
    lab = np.asarray(labels)
    runs = 1 + int(np.count_nonzero(lab[1:] != lab[:-1])) if lab.size else 0
    return max(0, runs - 2)


def _normalize(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]])
    if finite.size == 0:
        return 0.0, 1.0
    top, bottom = float(np.max(finite)), float(np.min(finite))
    centre = 0.5 * (top + bottom)
    half = 0.5 * (top - bottom)
    if half <= 0:
        half = max(abs(centre), 1.0)
    return centre, half


class _OutOfBudget(Exception):
    pass


class _Search:
    def __init__(self, x, lo, hi):
        x = np.asarray(x, dtype=np.float64)
        lo = np.asarray(lo, dtype=np.float64)
        hi = np.asarray(hi, dtype=np.float64)
        if x.ndim != 1 or x.size != lo.size or x.size != hi.size:
            raise ValueError("x, lo, hi must be 1-D of equal length")
        if x.size > 1 and not np.all(np.diff(x) > 0):
            raise ValueError("x must be strictly increasing")
        if np.any(lo > hi):
            raise ValueError("empty interval")
        self.n = x.size
        self.x = x
        self.centre, self.half = _normalize(lo, hi)
        self.lo = (lo - self.centre) / self.half
        self.hi = (hi - self.centre) / self.half
        h = np.diff(x)
        # row i (interior point i = 1..N-2): d_i = a_i f_{i-1} - f_i + b_i f_{i+1}
        self.rows = np.zeros((max(self.n - 2, 0), self.n + 1))
        for i in range(1, self.n - 1):
            w = h[i - 1] + h[i]
            self.rows[i - 1, i - 1] = h[i] / w
            self.rows[i - 1, i] = -1.0
            self.rows[i - 1, i + 1] = h[i - 1] / w
        self.bounds = [
            (None if np.isneginf(a) else float(a), None if np.isposinf(b) else float(b))
            for a, b in zip(self.lo, self.hi, strict=True)
        ] + [(None, 1.0)]
        self.cost = np.zeros(self.n + 1)
        self.cost[-1] = -1.0
        self.n_lps = 0
        self.suffix = [0] * max(self.n - 1, 1)  # lower bounds for completions, see run()

    def d(self, f: np.ndarray) -> np.ndarray:
        return self.rows[:, : self.n] @ f

    def lp(self, sigma: tuple[int, ...]):
        """Values realizing the prefix ``sigma`` with margin ``> MARGIN``, or None."""
        self.n_lps += 1
        k = len(sigma)
        sg = np.asarray(sigma, dtype=np.float64)
        signed = sg != 0
        a_ub = -sg[signed, None] * self.rows[:k][signed]
        a_ub[:, -1] = 1.0  # -σ d + t ≤ 0
        a_eq = self.rows[:k][~signed]
        res = linprog(
            self.cost,
            A_ub=a_ub if a_ub.size else None,
            b_ub=np.zeros(a_ub.shape[0]) if a_ub.size else None,
            A_eq=a_eq if a_eq.size else None,
            b_eq=np.zeros(a_eq.shape[0]) if a_eq.size else None,
            bounds=self.bounds,
            method="highs",
            options=_OPTIONS,
        )
        if res.status == 2:  # infeasible (σ = 0 rows against the box)
            return None
        if res.status != 0:
            raise OracleAmbiguous(f"LP status {res.status} ({res.message}) for prefix {sigma}")
        t = float(res.x[-1])
        if t <= MARGIN:
            return None
        f = res.x[: self.n]
        self._recheck(f, sigma)
        return f

    def _recheck(self, f: np.ndarray, sigma) -> None:
        k = len(sigma)
        d = self.d(f)[:k]
        sg = np.asarray(sigma, dtype=np.float64)
        box = max(float(np.max(self.lo - f)), float(np.max(f - self.hi)), 0.0)
        zero = float(np.max(np.abs(d[sg == 0]), initial=0.0))
        signed = float(np.min((sg * d)[sg != 0], initial=np.inf))
        if box > CHECK_TOL or zero > CHECK_TOL or signed < MARGIN:
            raise OracleAmbiguous(
                f"LP solution does not realize {sigma}: box {box:.2e}, zero rows {zero:.2e}, "
                f"signed margin {signed:.2e}"
            )

    def run(self, suffix_bounds: bool | None = None) -> TubeOracle:
        """``suffix_bounds``: None — a plain search first, bounds only if it takes over 3N LPs."""
        m = self.n - 2
        if m <= 0:
            f = np.clip(np.zeros(self.n), self.lo, self.hi)
            return TubeOracle(0, (), f * self.half + self.centre, 0)
        f0 = self.lp(())
        if f0 is None:  # pragma: no cover - a nonempty box is always realizable
            raise OracleAmbiguous("empty prefix infeasible")
        self.best, self.best_sigma, self.best_f = m + 1, (), f0  # m + 1: above any count
        if suffix_bounds is None:
            try:
                self._dfs((), 0, 0, 0, f0, budget=self.n_lps + 3 * self.n)
                return self._result()
            except _OutOfBudget:
                suffix_bounds = True  # the best pattern found so far stays as an upper bound
        if not suffix_bounds:
            self._dfs((), 0, 0, 0, f0)
        else:
            # suffix[k]: fewest knots of the points k..N-1 alone (their interior patterns: σ_k, …)
            for k in range(m - 1, 0, -1):
                sub = _Search(self.x[k:], self.lo[k:], self.hi[k:])
                sub.suffix = self.suffix[k:]  # the shorter suffixes' counts, already known
                self.suffix[k] = sub.run(suffix_bounds=False).count
                self.n_lps += sub.n_lps
            self._dfs((), 0, 0, 0, f0)
        return self._result()

    def _result(self) -> TubeOracle:
        return TubeOracle(self.best, self.best_sigma, self.best_f * self.half + self.centre, self.n_lps)

    def _bound(self, k: int, count: int, run: int) -> int:
        """Lower bound on every completion of a length-k prefix (count, trailing run length)."""
        rest = self.suffix[k] if k < len(self.suffix) else 0
        return count + max(rest - (run % 2), 0)

    def _dfs(self, sigma, count, last, run, f, budget=None) -> None:
        # count: Σ⌈r/2⌉ of the prefix; last / run: sign and length of its trailing run
        k = len(sigma)
        if k == self.n - 2:
            if count < self.best:
                self.best, self.best_sigma, self.best_f = count, sigma, f
            return
        d_next = float(self.d(f)[k])
        children = []
        for s in (0, 1, -1):
            if s == 0:
                inc, nrun = 0, 0
            elif s == last:
                inc, nrun = (1 if run % 2 == 0 else 0), run + 1
            else:
                inc, nrun = 1, 1
            free = s != 0 and s * d_next > MARGIN
            children.append((inc, not free, s != 0, s, nrun))
        children.sort()
        for inc, not_free, _, s, nrun in children:
            if self._bound(k + 1, count + inc, nrun) >= self.best:
                continue
            child = (*sigma, s)
            if not not_free:
                g = f  # the parent's values already realize the child
            else:
                if budget is not None and self.n_lps >= budget:
                    raise _OutOfBudget
                g = self.lp(child)
                if g is None:
                    continue
            self._dfs(child, count + inc, s, nrun, g, budget)
            if self.best == 0:
                return


def brute_tube(x, lo, hi) -> TubeOracle:
    """Fewest knots within ``lo ≤ f(x) ≤ hi`` by sign-pattern search (sorted, distinct ``x``)."""
    return _Search(x, lo, hi).run()


def brute_tube_count(x, lo, hi) -> int:
    """:func:`brute_tube`'s count."""
    return brute_tube(x, lo, hi).count
