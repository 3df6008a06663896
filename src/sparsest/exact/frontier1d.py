"""The 1-D frontier: best uniform-error and best least-squares fits with ``k`` knots, for every ``k``.

Definitions (``shared/docs/targets.md`` §3), for sorted distinct ``x`` (N,) and ``y`` (N,):

.. math::

    ε^*(k) = \\min\\{ε ≥ 0 : \\mathrm{count}(ε) ≤ k\\}, \\qquad
    \\mathrm{count}(ε) = \\text{fewest knots of a CPWL } f \\text{ with } |f(x_i) − y_i| ≤ ε \\;∀ i ,

a non-increasing step function of ``k`` (``count`` is non-increasing in ``ε``), with
``ε^*(0) ≤ ε_{\\max} = \\max_i |y_i − \\ell(x_i)|`` for the least-squares line ``ℓ``; and
``RMSE(k)``, the least root-mean-square error of a CPWL fit with ``k`` knots (what pwlf minimizes
with ``k + 1`` segments).

* :func:`eps_star` — ``ε^*(k)`` by bisection over the exact ``O(N)`` test
  :func:`~sparsest.exact.tube1d.tube_count_1d`, to a relative accuracy ``rtol``; it returns the
  bracket's *upper* end, which is feasible (``count ≤ k`` was observed there), so a tube solution
  at the returned value has at most ``k`` knots.
* :func:`frontier_1d` — for ``k = 0 … K``: ``ε^*(k)``, the ℓ∞ (tube) solution's knots at that
  ``ε``, and the least-squares fit with ``k`` knots started from them (variable projection,
  :mod:`._lsq1d`) together with further deterministic starts.

Bisection. Every evaluation ``c = count(ε)`` is kept: it proves ``ε^*(j) ≤ ε`` for ``j ≥ c`` and
``ε^*(j) > ε`` for ``j < c``. So each ``k``'s bracket ``(lo, hi]`` is read off all evaluations made
so far, and work is shared across ``k``. With ``lo = 0`` the next trial is ``hi/8``; otherwise the
geometric mean while ``hi/lo > 2``, then the midpoint; it stops when ``hi − lo ≤ rtol · hi``
(``ε^*(k) = 0`` exactly when ``count(0) ≤ k``; ``count(0)`` is the interpolation count of
:func:`~sparsest.exact.dp1d.sparsest_count_1d`, as the tube solver's ``ε = 0`` case must be).

Least squares along the frontier (:func:`~sparsest.exact._lsq1d._l2_path`). A beam search over
``k`` keeps the two best distinct local optima per ``k``: ascending, Levenberg–Marquardt runs from
the tube knots at ``ε^*(k)`` and at ``ε^*(k−1)`` (completed by greedy insertion), quantile knots, and
each kept ``(k−1)``-knot fit plus each of its three best single insertions; descending, from each
kept ``(k+1)``-knot fit minus each of its three least useful knots and from the tube knots at
``ε^*(k+1)`` thinned by greedy removal. The best per ``k`` is polished to a relative RSS decrease
``< 1e-12``; a final check restarts ``k`` from the ``(k−1)``-knot fit plus one knot wherever
``RMSE(k) > RMSE(k−1)``, so ``RMSE(k)`` is non-increasing. Each fit is a local optimum (the problem
has local minima); everything is deterministic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError, SolverError
from ..targets import Targets
from ._lsq1d import LsqFit, _check_xy, _l2_path, _Problem
from .dp1d import sparsest_count_1d

__all__ = ["Frontier1D", "eps_star", "frontier_1d"]

_WIDEN = (1e-7, 1e-5, 1e-3)  # relative widenings of ε*(k) tried when a tube solution fails its re-check
_MAX_GROW = 200  # doublings of ε_max allowed when the solver rejects 0 knots at ε_max (rounding)


@dataclass(frozen=True)
class Frontier1D:
    """Result of :func:`frontier_1d` for ``k = 0 … K``.

    Attributes
    ----------
    k : ndarray of int, shape (K+1,)
    eps_star : ndarray of shape (K+1,)
        ``ε^*(k)`` (feasible upper end of the bisection bracket, within ``rtol`` of the minimum);
        non-increasing.
    linf_status : list of K+1 str
        Status of the tube solution at ``eps_star[k]`` (``"optimal"`` when its float64 re-check
        passed; anything else means ``knots_linf[k]`` is not a valid ℓ∞ fit and was used only as a
        least-squares start). When the solution at ``eps_star[k]`` fails its re-check, the tube is
        widened by a relative ``1e-7``, ``1e-5``, ``1e-3`` in turn (see ``linf_max_error``).
    linf_max_error : ndarray of shape (K+1,)
        ``max_i |f(x_i) − y_i|`` of the tube solution (``≤ eps_star[k]`` up to rounding, or up to
        the widening).
    linf_count : ndarray of int, shape (K+1,)
        Knots of the tube solution at ``eps_star[k]`` (``≤ k``; ``< k`` where the frontier is flat).
    linf_rmse : ndarray of shape (K+1,)
        RMSE of that tube solution.
    rmse : ndarray of shape (K+1,)
        RMSE of the least-squares fit with (at most) ``k`` knots; non-increasing.
    max_error_l2 : ndarray of shape (K+1,)
        ``max_i |y_i − f(x_i)|`` of that fit (``≥ eps_star[k]`` up to the bisection accuracy).
    knots_linf : list of K+1 ndarrays
        The tube solution's knots, shape (linf_count[k],).
    knots_l2 : list of K+1 ndarrays
        The least-squares fit's knots (fewer than ``k`` only where knots merged or the data have too
        few points).
    fits : list of K+1 :class:`~sparsest.exact._lsq1d.LsqFit`
    seconds : ndarray of shape (K+1,)
        Time spent on each ``k`` (bisection steps, tube solve, least-squares runs of both passes).
    n_count_calls : int
        Calls of ``tube_count_1d`` in all (each with ``stop_above = k`` inside a bisection).
    """

    k: np.ndarray
    eps_star: np.ndarray
    linf_status: list
    linf_max_error: np.ndarray
    linf_count: np.ndarray
    linf_rmse: np.ndarray
    rmse: np.ndarray
    max_error_l2: np.ndarray
    knots_linf: list
    knots_l2: list
    fits: list
    seconds: np.ndarray
    n_count_calls: int

    def to_rows(self) -> list[dict]:
        """One JSON-ready dict per ``k``: ``k, eps_star, linf_status, linf_max_error, linf_count,
        linf_rmse, rmse, max_error_l2, knots_linf, knots_l2, slope, intercept, jumps, seconds`` (the
        slope, intercept and jumps of the least-squares fit)."""
        rows = []
        for i, k in enumerate(self.k):
            fit = self.fits[i]
            rows.append(
                {
                    "k": int(k),
                    "eps_star": float(self.eps_star[i]),
                    "linf_status": str(self.linf_status[i]),
                    "linf_max_error": float(self.linf_max_error[i]),
                    "linf_count": int(self.linf_count[i]),
                    "linf_rmse": float(self.linf_rmse[i]),
                    "rmse": float(self.rmse[i]),
                    "max_error_l2": float(self.max_error_l2[i]),
                    "knots_linf": [float(u) for u in self.knots_linf[i]],
                    "knots_l2": [float(u) for u in self.knots_l2[i]],
                    "slope": float(fit.slope),
                    "intercept": float(fit.intercept),
                    "jumps": [float(c) for c in fit.jumps],
                    "seconds": float(self.seconds[i]),
                }
            )
        return rows


# ------------------------------------------------------------------------------ the ε search
class _EpsSearch:
    """Cached evaluations of ``count(ε) = tube_count_1d(x, y − ε, y + ε)``.

    ``evals[ε] = (c, exact)``: ``exact`` False means the solver stopped early (``stop_above``) and
    ``c`` is only a lower bound (``count(ε) ≥ c``), which still decides ``count(ε) > j`` for
    ``j < c``.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        from .tube1d import tube_count_1d

        self._count_fn = tube_count_1d
        self.x, self.y = x, y
        self.evals: dict[float, tuple[int, bool]] = {}
        self.n_calls = 0
        self.c0 = self.count(0.0)
        if self.c0 > 0:
            self._feasible_top()

    def count(self, eps: float, stop_above: int | None = None) -> int:
        """``count(ε)``, or some value ``> stop_above`` when it exceeds ``stop_above``."""
        hit = self.evals.get(eps)
        if hit is not None and (hit[1] or (stop_above is not None and hit[0] > stop_above)):
            return hit[0]
        if eps == 0.0:  # interpolation: the exact interpolation DP (targets.md §2)
            c, exact = int(sparsest_count_1d(self.x, self.y)), True
        else:
            c = int(self._count_fn(self.x, self.y - eps, self.y + eps, stop_above=stop_above))
            self.n_calls += 1
            exact = stop_above is None or c <= stop_above
        self.evals[eps] = (c, exact)
        return c

    def _feasible_top(self) -> float:
        """An ``ε`` with ``count(ε) = 0``: ``ε_max`` of the least-squares line, doubled while
        rounding makes the solver reject it."""
        xc = self.x - np.mean(self.x)
        yc = self.y - np.mean(self.y)
        r = yc - (np.dot(xc, yc) / np.dot(xc, xc)) * xc
        scale = max(float(np.max(np.abs(self.y))), np.finfo(float).tiny)
        top = float(np.max(np.abs(r))) * (1 + 1e-9) + 1e-15 * scale
        for _ in range(_MAX_GROW):
            if self.count(top, stop_above=0) == 0:
                return top
            top *= 2.0
        raise SolverError(
            "tube_count_1d rejects a line within any multiple of the least-squares line's error"
        )

    def bracket(self, k: int) -> tuple[float, float]:
        """``(lo, hi)``: the smallest evaluated ``ε`` known to need ``≤ k`` knots, and the largest
        below it known to need more (0 when none)."""
        hi = min(e for e, (c, exact) in self.evals.items() if exact and c <= k)
        lo = max((e for e, (c, _) in self.evals.items() if c > k and e < hi), default=0.0)
        return lo, hi

    def solve(self, k: int, rtol: float) -> float:
        """``ε^*(k)`` to relative accuracy ``rtol`` (the bracket's feasible upper end)."""
        if self.c0 <= k:
            return 0.0
        lo, hi = self.bracket(k)
        while hi - lo > rtol * hi:
            if lo == 0.0:
                mid = hi / 8.0
            elif hi > 2.0 * lo:
                mid = float(np.sqrt(lo * hi))
            else:
                mid = lo + 0.5 * (hi - lo)
            if not lo < mid < hi:  # bracket at rounding resolution
                break
            if self.count(mid, stop_above=k) <= k:
                hi = mid
            else:
                lo = mid
        return hi


def _check_rtol(rtol: float) -> float:
    rtol = float(rtol)
    if not 0 < rtol < 1:
        raise ParameterError(f"rtol must be in (0, 1), got {rtol!r}")
    return rtol


def eps_star(x, y, k: int, *, rtol: float = 1e-9) -> float:
    """Least uniform error of a CPWL fit with at most ``k`` knots.

    ``ε^*(k) = min{ε ≥ 0 : tube_count_1d(x, y − ε, y + ε) ≤ k}``, by bisection on
    ``[0, ε_max]`` (``ε_max`` the largest residual of the least-squares line, where 0 knots fit).

    Parameters
    ----------
    x : array_like of shape (N,)
        Sorted strictly increasing (merge repeated inputs first, e.g. with
        :func:`sparsest.targets.merge_repeated`), ``N ≥ 2``.
    y : array_like of shape (N,)
    k : int
        Number of knots, ``≥ 0``.
    rtol : float
        Relative accuracy: the result ``ε`` satisfies ``count(ε) ≤ k`` and ``count(ε') > k`` for
        some ``ε' ≥ (1 − rtol) ε`` (``ε = 0`` exactly when ``count(0) ≤ k``).

    Returns
    -------
    float
        Non-increasing in ``k``; ``ε^*(k; γ y + δ + a x) = |γ| ε^*(k; y)`` up to ``rtol`` and
        rounding.
    """
    x, y = _check_xy(x, y)
    if int(k) < 0:
        raise ParameterError(f"k must be >= 0, got {k!r}")
    rtol = _check_rtol(rtol)
    return _EpsSearch(x, y).solve(int(k), rtol)


# ---------------------------------------------------------------------------------- frontier
def _tube(x: np.ndarray, y: np.ndarray, eps: float, k: int):
    """The tube solution at ``eps``; when its re-check fails (a tube at ``ε^*`` is a sliver, the
    hardest case for the reconstruction), retried at ``eps·(1 + 10^{-j})``, ``j = 7, 5, 3``, as long
    as that keeps ``≤ k`` knots. Returns the first re-checked solution, else the last one tried."""
    from .tube1d import solve_tube_1d

    res = solve_tube_1d(x, Targets.tolerance(y, eps))
    for widen in _WIDEN:
        if res.status == "optimal":
            break
        nxt = solve_tube_1d(x, Targets.tolerance(y, eps * (1.0 + widen)))
        if nxt.n_neurons <= k:
            res = nxt
    return res


def frontier_1d(x, y, max_knots: int, *, rtol: float = 1e-9, max_iter: int = 100) -> Frontier1D:
    """ℓ∞ and least-squares frontiers for ``k = 0 … max_knots`` knots.

    Parameters
    ----------
    x : array_like of shape (N,)
        Sorted strictly increasing (merge repeated inputs first), ``N ≥ 2``.
    y : array_like of shape (N,)
    max_knots : int
        ``K ≥ 0``.
    rtol : float
        Relative accuracy of each ``ε^*(k)`` (:func:`eps_star`).
    max_iter : int
        Levenberg–Marquardt trial steps per start (:func:`~sparsest.exact._lsq1d.fit_knots_l2`).

    Returns
    -------
    Frontier1D
    """
    x, y = _check_xy(x, y)
    rtol = _check_rtol(rtol)
    kmax = int(max_knots)
    if kmax < 0:
        raise ParameterError(f"max_knots must be >= 0, got {max_knots!r}")
    if int(max_iter) < 0:
        raise ParameterError(f"max_iter must be >= 0, got {max_iter!r}")
    max_iter = int(max_iter)
    prob = _Problem(x, y)
    secs = np.zeros(kmax + 1)

    t = time.perf_counter()
    search = _EpsSearch(x, y)
    secs[0] += time.perf_counter() - t
    eps = np.zeros(kmax + 1)
    tubes = []
    for k in range(kmax + 1):
        t = time.perf_counter()
        eps[k] = search.solve(k, rtol)
        if k > 0 and eps[k] == eps[k - 1]:
            tubes.append(tubes[-1])
        else:
            tubes.append(_tube(x, y, float(eps[k]), k))
        secs[k] += time.perf_counter() - t

    tube_u = [prob.admissible(prob.to_z(np.asarray(res.knots, dtype=np.float64))) for res in tubes]
    extra = [[u] + ([tube_u[k - 1]] if k > 0 else []) for k, u in enumerate(tube_u)]
    best, l2_secs = _l2_path(prob, kmax, extra, max_iter)
    secs += l2_secs

    fits: list[LsqFit] = [prob.result(*best[k]) for k in range(kmax + 1)]
    return Frontier1D(
        k=np.arange(kmax + 1),
        eps_star=eps,
        linf_status=[str(res.status) for res in tubes],
        linf_max_error=np.array([float(res.max_residual) for res in tubes]),
        linf_count=np.array([int(res.n_neurons) for res in tubes]),
        linf_rmse=np.array([float(res.rmse) for res in tubes]),
        rmse=np.array([f.rmse for f in fits]),
        max_error_l2=np.array([f.max_error for f in fits]),
        knots_linf=[np.asarray(res.knots, dtype=np.float64) for res in tubes],
        knots_l2=[f.knots for f in fits],
        fits=fits,
        seconds=secs,
        n_count_calls=search.n_calls,
    )
