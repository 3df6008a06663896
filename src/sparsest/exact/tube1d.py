"""Exact 1-D fits within per-point bounds: fewest knots, least ℓ1, ℓp (local), from :class:`Targets`.

Problem (``shared/docs/targets.md`` §2): over continuous piecewise-linear ``f`` (a univariate ReLU
network with a free affine skip term) satisfying ``lo_i ≤ f(x_i) ≤ hi_i``,

* ``p = 0``: minimize the number of knots (active neurons) — exactly, by the level-set dynamic
  program of :mod:`._tube_dp` (knots anywhere, in general at no data point);
* ``p = 1``: minimize ``Σ_k |c_k|`` (total variation of ``f'``) — a linear program over the values
  ``f_i`` (``min Σ_i |s_i − s_{i−1}|``, ``s_i`` the secant slopes of ``(x_i, f_i)``), whose optimum
  is attained with knots at data points; the values are then interpolated by the fewest-knot
  ℓ1-optimal interpolant (:func:`solve_1d` at ``p = 1``);
* ``0 < p < 1``: minimize ``Σ_k |c_k|^p`` — a concave minimization over a polytope; reweighted ℓ1
  (weights ``(|δ_i| + η)^{p−1}``, η decreasing) from the ℓ1 and the ℓ0 solutions gives a **local
  optimum** (status ``"local"``), never worse than the fewest-knot solution's ``V_p``.

Interpolation targets (``lo = hi = y``) go to the exact interpolation DP :func:`solve_1d` unchanged,
so those results stay bit-identical. Every returned network is re-checked by our own float64 forward
pass (:func:`sparsest.verify.check_targets`): a violation above rounding is status ``"error"``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..data import prepare_1d, validate_xy
from ..errors import DataError, check_p
from ..network import Knots1D, ReLUNetwork
from ..targets import Targets, merge_repeated
from ..verify import TargetsCheck, check_targets
from ._tube_dp import tube_dp
from .dp1d import solve_1d

__all__ = ["Tube1DResult", "solve_tube_1d", "tube_count_1d"]


@dataclass(frozen=True)
class Tube1DResult:
    """Result of :func:`solve_tube_1d`.

    Attributes
    ----------
    status : str
        ``"optimal"`` (``p = 0`` or ``1``: the exact optimum, float64 re-check passed), ``"local"``
        (``0 < p < 1``: a local optimum that passed the re-check) or ``"error"`` (the re-check
        failed; never reported as optimal).
    p : float
        Objective: ``0`` fewest knots, ``1`` least ``Σ|c_k|``, in between least ``Σ|c_k|^p``.
    cost : float
        ``V_p`` of the returned function (``p = 0``: its number of knots).
    n_neurons : int
        Knots = active neurons of ``network``.
    fewest_knots : int
        The exact minimum number of knots within the bounds.
    knots, jumps : ndarray of shape (n_neurons,)
        Knot positions (increasing) and slope jumps.
    slope, intercept : float
        ``f(x) = slope·x + intercept + Σ_k jumps_k (x − knots_k)_+``.
    network : ReLUNetwork
        ``f`` as a univariate network with skip term.
    max_violation : float
        ``max_i dist(f(x_i), [lo_i, hi_i])`` by the float64 forward pass.
    max_residual, rmse : float or None
        ``max_i |f(x_i) − y_i|`` and the RMSE against the reference target (``None`` without one).
    satisfied : bool
        The float64 re-check passed.
    targets : Targets
        The targets of the distinct sorted points (repeated inputs intersected).
    x : ndarray of shape (n_points,)
        The distinct sorted inputs.
    seconds : float
    info : dict
        Diagnostics (``max_polygons`` of the DP, ``dp_seconds``, ``lp_iterations``).
    """

    status: str
    p: float
    cost: float
    n_neurons: int
    fewest_knots: int
    knots: np.ndarray
    jumps: np.ndarray
    slope: float
    intercept: float
    network: ReLUNetwork = field(repr=False)
    max_violation: float
    max_residual: float | None
    rmse: float | None
    satisfied: bool
    targets: Targets = field(repr=False)
    x: np.ndarray = field(repr=False)
    seconds: float
    info: dict = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return int(self.x.size)

    @property
    def tol(self) -> float | None:
        return self.targets.tol

    @property
    def knots_view(self) -> Knots1D:
        return Knots1D(self.knots, self.jumps, self.slope, self.intercept)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        out = {
            "status": self.status,
            "p": self.p,
            "targets": self.targets.kind,
            "tol": self.targets.tol,
            "n_neurons": self.n_neurons,
            "fewest_knots": self.fewest_knots,
            "cost": self.cost,
            "knots": self.knots.tolist(),
            "jumps": self.jumps.tolist(),
            "slope": self.slope,
            "intercept": self.intercept,
            "max_violation": self.max_violation,
            "max_residual": self.max_residual,
            "rmse": self.rmse,
            "n_points": self.n_points,
            "seconds": self.seconds,
        }
        if self.targets.classes is not None:
            out["classes"] = list(self.targets.classes)
        return out


def prepare_targets_1d(x, targets: Targets, *, where: str = "data") -> tuple[np.ndarray, Targets]:
    """Validate univariate inputs against ``targets``; sort and intersect repeated inputs.

    Returns
    -------
    x : ndarray of shape (M,)
        Strictly increasing.
    targets : Targets
        For the M distinct points.
    """
    if not isinstance(targets, Targets):
        raise TypeError(f"targets must be a sparsest.targets.Targets, got {type(targets).__name__}")
    X, _ = validate_xy(x, np.zeros(np.shape(x)[0]) if np.ndim(x) else x, where=where)
    if X.shape[1] != 1:
        raise DataError(f"{where}: expected univariate data (1 input column), got {X.shape[1]}")
    if X.shape[0] != targets.n_points:
        raise DataError(f"{where}: shape mismatch, {X.shape[0]} inputs but {targets.n_points} targets")
    if targets.is_interpolation:
        xs, ys = prepare_1d(X[:, 0], targets.y, where=where)
        return xs, Targets.interpolation(ys)
    x = X[:, 0]
    order = np.argsort(x)  # distinct inputs: the one sorted order, as merge_repeated's stable sort
    xs = x[order]
    if xs.size < 2 or np.all(xs[1:] > xs[:-1]):
        return xs, targets.take(order)
    return merge_repeated(x, targets, where=where)


def tube_count_1d(x, lo, hi, *, stop_above: int | None = None) -> int:
    """Fewest knots of a CPWL ``f`` with ``lo_i ≤ f(x_i) ≤ hi_i`` (no network; see :func:`solve_tube_1d`).

    Parameters
    ----------
    x : array_like of shape (N,)
        Inputs, any order; repeated inputs have their bounds intersected.
    lo, hi : array_like of shape (N,)
    stop_above : int, optional
        Return ``stop_above + 1`` as soon as more knots than that are needed (faster decisions
        "at most k knots?").
    """
    xs, t = prepare_targets_1d(np.asarray(x, dtype=np.float64), Targets.bounds(lo, hi))
    xn, lon, hin, _ = _normalize(xs, t)
    return tube_dp(xn, lon, hin, reconstruct=False, stop_above=stop_above).count


def solve_tube_1d(x, targets: Targets, p: float = 0.0) -> Tube1DResult:
    """Exact fewest-knot (``p = 0``), least-ℓ1 (``p = 1``) or ℓp-local fit within per-point bounds.

    Parameters
    ----------
    x : array_like of shape (N,) or (N, 1)
        Inputs, any order.
    targets : Targets
        ``N`` per-point bounds (tolerance, explicit bounds, class margins; interpolation is passed
        to :func:`solve_1d`).
    p : float in [0, 1]

    Returns
    -------
    Tube1DResult

    Notes
    -----
    ``p = 0`` runs in ``O(N·m·v)`` after the sort (``m``, ``v``: polygons and vertices held by the
    DP, small constants in practice) with ``O(N)`` memory (:mod:`._tube_dp`), compiled when numba
    (the ``fast`` extra) is installed; ``SPARSEST_NO_NUMBA=1`` selects the pure-Python DP, which gives
    the same results.

    Tolerances of the solver, both stated in :mod:`._tube_dp`: (1) the DP works on the bounds
    widened by ``1e-10 (1 + scale)`` — a tenth of what the float64 re-check allows — so a bound
    met with equality or a fixed value (``lo = hi``) is never a degenerate case, and every
    returned function passes the re-check on the bounds as given; (2) pieces are limited to
    slopes of ``10^4`` times the data's own scale (value range over ``x`` range) or four times
    the steepest slope two consecutive bounds force, whichever is larger: a fit that needs
    steeper pieces is not considered.
    """
    t0 = time.perf_counter()
    p = check_p(p)
    xs, t = prepare_targets_1d(x, targets)
    if t.is_interpolation:
        return _from_interpolation(xs, t, p, t0)
    if np.array_equal(t.lo, t.hi):  # a tolerance below float64 resolution: interpolation
        return _from_interpolation(xs, replace(t, y=t.lo), p, t0)
    xn, lon, hin, scale = _normalize(xs, t)
    td = time.perf_counter()
    dp = tube_dp(xn, lon, hin, recon_tol=0.5 * _WIDEN * (1.0 + t.scale()) / scale.sy)
    info = {"max_polygons": dp.max_polygons, "events": dp.events, "dp_seconds": time.perf_counter() - td}
    fewest = dp.count
    fn = Knots1D(*scale.function(dp.lines, dp.knots))
    net = ReLUNetwork.from_knots(fn.knots, fn.jumps, fn.slope, fn.intercept)
    check = check_targets(net, xs, t)  # the float64 re-check, reused by _finish when fn is kept
    if not check.ok and t.y is not None and not np.any(t.violation(t.y)):
        # the reconstruction lost precision (bounds within rounding of each other): the exact
        # interpolant of y is feasible, and optimal when its count is the DP's minimum
        alt = solve_1d(xs, t.y, 0.0)
        if alt.n_neurons == fewest:
            fn = alt.knots_view
            net = check = None
            info["fallback"] = "interpolant of y"
    if p > 0:
        fn, info_lp = _lp_objective(xs, t, p, fn)
        net = check = None
        info.update(info_lp)
    return _finish(xs, t, p, fn, fewest, t0, info, net=net, check=check)


# ---------------------------------------------------------------------------------- internals
_WIDEN = 1e-10


@dataclass(frozen=True)
class _Scale:
    x0: float
    sx: float
    y0: float
    sy: float

    def function(self, lines, knots):
        """Knots, jumps, slope, intercept on the original scale from normalized pieces."""
        a = np.array([ln[0] for ln in lines], dtype=np.float64)
        c = np.array([ln[1] for ln in lines], dtype=np.float64)
        u = np.array(knots, dtype=np.float64)
        slopes = a * (self.sy / self.sx)
        slope = float(slopes[0])
        intercept = float(self.y0 + self.sy * (c[0] - a[0] * self.x0 / self.sx))
        jumps = np.diff(slopes)
        keep = jumps != 0
        return self.x0 + self.sx * u[keep], jumps[keep], slope, intercept


def _normalize(xs: np.ndarray, t: Targets):
    x0 = float(xs[0])
    sx = float(xs[-1] - xs[0])
    fin = np.concatenate([t.lo[np.isfinite(t.lo)], t.hi[np.isfinite(t.hi)]])
    if fin.size:
        y0 = 0.5 * float(np.max(fin) + np.min(fin))
        sy = float(np.max(np.abs(fin - y0)))
    else:
        y0, sy = 0.0, 1.0
    if not sy > 0:
        sy = max(1.0, abs(y0))
    xn = (xs - x0) / sx
    # doors widened by a tenth of the float64 re-check's tolerance (check_targets, rtol 1e-9): no
    # door is degenerate (lo = hi, or bounds touched exactly by the optimum) inside the DP, and
    # every function it returns still passes the re-check on the bounds as given
    widen = _WIDEN * (1.0 + t.scale()) / sy
    lon = (t.lo - y0) / sy - widen
    hin = (t.hi - y0) / sy + widen
    return xn, lon, hin, _Scale(x0, sx, y0, sy)


def _from_interpolation(xs, t: Targets, p: float, t0: float) -> Tube1DResult:
    res = solve_1d(xs, t.y, p)
    return _finish(xs, t, p, res.knots_view, res.sparsest_count, t0, {}, "optimal", res.network)


def _finish(
    xs,
    t: Targets,
    p: float,
    kv: Knots1D,
    fewest: int,
    t0: float,
    info: dict,
    status_ok: str | None = None,
    net: ReLUNetwork | None = None,
    check: TargetsCheck | None = None,
) -> Tube1DResult:
    """The result for the function ``kv`` (``net``: its network, ``check``: the float64 re-check of
    ``net`` on ``(xs, t)``, both computed here when not given)."""
    if net is None:
        net = ReLUNetwork.from_knots(kv.knots, kv.jumps, kv.slope, kv.intercept)
        check = None
    if check is None:
        check = check_targets(net, xs, t)
    if status_ok is None:
        status_ok = "local" if 0 < p < 1 else "optimal"
    n = int(kv.knots.size)
    cost = float(n) if p == 0 else float(np.sum(np.abs(kv.jumps) ** p))
    return Tube1DResult(
        status=status_ok if check.ok else "error",
        p=p,
        cost=cost,
        n_neurons=n,
        fewest_knots=int(fewest),
        knots=kv.knots,
        jumps=kv.jumps,
        slope=float(kv.slope),
        intercept=float(kv.intercept),
        network=net,
        max_violation=check.max_violation,
        max_residual=check.max_residual,
        rmse=check.rmse,
        satisfied=check.ok,
        targets=t,
        x=xs,
        seconds=time.perf_counter() - t0,
        info=info,
    )


def _lp_objective(xs: np.ndarray, t: Targets, p: float, fn0: Knots1D):
    """ℓ1 optimum (LP) or ℓp by reweighted ℓ1 (local), as a network; see the module docstring."""
    f1, it = _weighted_l1_values(xs, t, None)
    candidates = [f1]
    if p < 1:
        net0 = ReLUNetwork.from_knots(fn0.knots, fn0.jumps, fn0.slope, fn0.intercept)
        starts = [f1, net0.predict(xs)]
        candidates = []
        for f in starts:
            for eta_rel in (1e-1, 1e-2, 1e-3, 1e-4, 1e-6):
                d = np.abs(np.diff(np.diff(f) / np.diff(xs)))
                eta = eta_rel * (np.max(d) if d.size and np.max(d) > 0 else 1.0)
                w = (d + eta) ** (p - 1.0)
                f, k = _weighted_l1_values(xs, t, w)
                it += k
            candidates.append(f)
    best, best_cost = None, np.inf
    for f in candidates:
        cand = solve_1d(xs, f, min(p, 1.0)).knots_view
        cost = cand.lp_cost(p)
        if cost < best_cost:
            best, best_cost = cand, cost
    if p < 1 and fn0.lp_cost(p) <= best_cost:
        best = fn0
    return best, {"lp_iterations": it}


def _weighted_l1_values(xs: np.ndarray, t: Targets, w: np.ndarray | None):
    """Values ``f_i`` in the bounds minimizing ``Σ_i w_i |s_i − s_{i−1}|`` (an LP, HiGHS)."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n = xs.size
    if n < 3:
        f = t.center.copy()
        return np.clip(f, t.lo, t.hi), 0
    h = np.diff(xs)
    m = n - 2
    # δ_j = s_{j+1} − s_j = f_j/h_j − f_{j+1}(1/h_j + 1/h_{j+1}) + f_{j+2}/h_{j+1}, j = 0..m−1
    j = np.arange(m)
    rows = np.concatenate([j, j, j])
    cols = np.concatenate([j, j + 1, j + 2])
    vals = np.concatenate([1 / h[:-1], -(1 / h[:-1] + 1 / h[1:]), 1 / h[1:]])
    D = sp.csr_matrix((vals, (rows, cols)), shape=(m, n))
    Id = sp.identity(m, format="csr")
    # variables [f (n), r (m)]:  D f − r ≤ 0,  −D f − r ≤ 0
    A = sp.vstack([sp.hstack([D, -Id]), sp.hstack([-D, -Id])], format="csr")
    b = np.zeros(2 * m)
    c = np.concatenate([np.zeros(n), np.ones(m) if w is None else w])
    bounds = [
        (lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None)
        for lo, hi in zip(t.lo, t.hi, strict=True)
    ] + [(0, None)] * m
    res = linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs")
    if res.x is None:
        return np.clip(t.center, t.lo, t.hi), 0
    f = np.clip(res.x[:n], t.lo, t.hi)
    return f, int(getattr(res, "nit", 0) or 0)
