"""Exact sparsest network within per-point bounds in any dimension (``shared/docs/targets.md`` §4).

Problem: over networks ``f(x) = Σ_k v_k (w_k·x + b_k)_+`` (plus an unpenalized ``a·x + c`` when
``skip``) with ``lo_i ≤ f(x_i) ≤ hi_i`` for every point (:class:`sparsest.targets.Targets`:
tolerance ``y ± ε``, explicit bounds, class margins ``t_i f(x_i) ≥ 1``; an infinite side is no
constraint), minimize the nonzero path products or the active neurons, as :func:`sparsest.exact.solve`
does for interpolation. Interpolation targets (``lo = hi = y``) are passed to :func:`solve`
unchanged, so those results stay bit-identical.

Lemma 4.1 with fixed activation patterns stays linear with bounds: the MILPs
(:mod:`._pattern_model`, :mod:`._bigm_model`) and the exact LP re-solve (:mod:`._polish`) take
``lo ≤ Σ_j D_j X̄ (ν_j − ω_j) ≤ hi`` instead of ``= y``. Normalization: ``Z = [x/s, 1]`` and every
value divided by ``β = max_i |f⁰_i|``, where ``f⁰ = clip(center, lo, hi)`` is a vector inside the
bounds (``y`` itself for a tolerance); ``t = f⁰/β`` is the target the interpolation heuristics
fit, so every network they return is feasible.

Lower bounds used with bounds (each valid for every feasible network):

* **zero**: the empty network is optimal iff ``lo_i ≤ 0 ≤ hi_i`` for all ``i``; with a skip term
  the optimum is 0 iff some affine function lies within the bounds (an LP), else it is ``≥ 1``;
* **one output sign per neuron** (no skip term): a neuron's outputs ``v (w·x + b)_+`` all have the
  sign of ``v``, so if some ``lo_i > 0`` and some ``hi_j < 0`` two neurons are needed (and two
  counted nonzeros when biases count); with free biases a constant neuron costs nothing, so the
  bound is 0 when a constant lies within the bounds and 1 otherwise. With a skip term the affine
  part produces either sign and the argument does not apply;
* **closed form, affinely independent points** (``"neurons"``, no skip, ``rank [X, 1] = N``):
  ``Zu`` can be any vector, so the optimum is 1 if a vector ``f ≥ 0`` (all ``hi_i ≥ 0``) or
  ``f ≤ 0`` (all ``lo_i ≤ 0``) lies within the bounds, else 2 (``f_+`` and ``f_−``);
* **1-D data with a skip term**: the exact fewest knots within the bounds
  (:func:`sparsest.exact.tube1d.solve_tube_1d`) is the fewest neurons (and the fewest nonzeros
  with free biases; with counted biases it brackets the optimum in ``[2n*−1, 2n*]``, as for
  interpolation: a knot away from 0 costs a weight and a bias);
* **the MILP's own bound** (LP relaxation and branch and bound), under its stated modelling bound.

Not used with bounds, because they are not valid there: the span certificate (:mod:`._rankbound`)
and the generic bound (:func:`sparsest.exact.generic_lower_bound`) both assume that the outputs
must equal a fixed ``y``; within bounds ``f(x_i)`` is free in an interval, a few neurons may reach
a vector that no small span contains, and a fit may need far fewer than ``N`` nonzeros. The signed
search (:mod:`._signed`) decides "some nonnegative combination equals ``t``" by NNLS, also a test
for a fixed target. The cover cuts stay (for points whose interval excludes 0), and so does
``Σ o ≤ N`` (a basic solution for the outputs of any feasible network).

Upper bounds / MIP starts: the warm start (polished within the bounds), the constant or affine
function when feasible, the interpolation heuristics of :mod:`._solve` applied to ``f⁰`` (any
interpolant of ``f⁰`` is feasible), and the exact 1-D fit within the bounds along a few
projections ``w·x`` (coordinate axes; for ``"neurons"`` also fixed random directions).

Every network returned is rebuilt by an exact LP within the bounds and re-checked in float64 by
:func:`sparsest.verify.check_targets`; a violation above rounding is status ``"error"``, never
``"optimal"``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..data import validate_xy
from ..errors import DataError, ParameterError
from ..network import DEFAULT_RTOL, ReLUNetwork, default_skip
from ..targets import Targets
from ..verify import check_targets
from ._blocks import build_blocks, estimate_blocks
from ._polish import bound_rows, polish_structure, tightened
from ._result import ExactResult
from ._solve import FORMULATIONS, OBJECTIVES, _check_separation, _Solver, lift_1d, solve
from .backends import get_backend

__all__ = ["NOT_VALID_WITH_BOUNDS", "solve_targets"]

#: why the certificates that need a fixed target are not used with bounds (reported in results)
NOT_VALID_WITH_BOUNDS = (
    "not valid with bounds: the span certificate, the signed search and the generic bound assume "
    "f(x_i) = y_i for a fixed y; within bounds the outputs range over intervals"
)


def solve_targets(
    X,
    targets: Targets,
    objective: str = "nonzeros",
    *,
    time_limit: float = 60.0,
    backend: str = "highs",
    formulation: str = "auto",
    warm_start: ReLUNetwork | None = None,
    skip: bool | None = None,
    include_bias: bool = True,
    output_bound: float = 100.0,
    weight_bound: float = 100.0,
    max_blocks: int = 6000,
    certificates: bool = True,
    count_rtol: float = DEFAULT_RTOL,
    verbose: bool = False,
) -> ExactResult:
    """Sparsest ReLU network with ``lo_i ≤ f(x_i) ≤ hi_i``, with a proof (see module docstring).

    Parameters
    ----------
    X : array_like of shape (N, d) or (N,)
    targets : Targets
        ``N`` per-point bounds. Interpolation targets run :func:`sparsest.exact.solve` on
        ``targets.y`` unchanged. Repeated inputs have their intervals intersected (an empty
        intersection is a :class:`~sparsest.errors.DataError` naming the input).
    objective : {"nonzeros", "neurons"}
    time_limit, backend, formulation, skip, include_bias, output_bound, weight_bound, max_blocks,
    count_rtol, verbose
        As for :func:`sparsest.exact.solve`.
    warm_start : ReLUNetwork, optional
        Any network (approximately) within the bounds; polished within them and used as upper
        bound and MIP start.
    certificates : bool
        Use the certificates valid with bounds (module docstring) before the MILP; ``False``
        leaves every proof to the MILP.

    Returns
    -------
    ExactResult
        With ``targets`` (the targets of the distinct points), ``max_violation``
        (``max_i dist(f(x_i), [lo_i, hi_i])`` in float64), ``rmse`` and ``max_residual`` against the
        reference target (``None`` without one).
    """
    if not isinstance(targets, Targets):
        raise ParameterError(f"targets must be a sparsest.targets.Targets, got {type(targets).__name__}")
    common = dict(
        time_limit=time_limit,
        backend=backend,
        formulation=formulation,
        warm_start=warm_start,
        skip=skip,
        include_bias=include_bias,
        output_bound=output_bound,
        weight_bound=weight_bound,
        max_blocks=max_blocks,
        certificates=certificates,
        count_rtol=count_rtol,
        verbose=verbose,
    )
    if targets.is_interpolation:
        return _with_targets(solve(X, targets.y, objective, **common), X, targets)
    _check_parameters(objective, formulation, time_limit, output_bound, weight_bound, warm_start)
    be = get_backend(backend)
    X, _ = validate_xy(X, targets.center)
    if X.shape[0] != targets.n_points:
        raise DataError(f"shape mismatch: {X.shape[0]} inputs but {targets.n_points} targets")
    X, tg = _merge_rows(X, targets)
    skip = default_skip(X.shape[1]) if skip is None else bool(skip)
    if warm_start is not None and warm_start.n_features != X.shape[1]:
        raise ParameterError(
            f"warm_start has {warm_start.n_features} inputs but the data have {X.shape[1]} features"
        )
    if np.array_equal(tg.lo, tg.hi):  # bounds without width: interpolation of lo, on its own path
        common.update(skip=skip)
        return _with_targets(solve(X, tg.lo, objective, **common), X, tg)
    s = _TargetsSolver(
        X,
        tg,
        objective=objective,
        time_limit=float(time_limit),
        backend=be,
        formulation=formulation,
        skip=skip,
        include_bias=bool(include_bias),
        output_bound=float(output_bound),
        weight_bound=float(weight_bound),
        max_blocks=int(max_blocks),
        span_work=0.0,
        signed_work=0.0,
        certificates=bool(certificates),
        count_rtol=float(count_rtol),
        verbose=bool(verbose),
    )
    return s.run(warm_start)


def _check_parameters(objective, formulation, time_limit, output_bound, weight_bound, warm_start) -> None:
    """The parameter checks of :func:`sparsest.exact.solve` (same messages)."""
    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if formulation not in FORMULATIONS:
        raise ParameterError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")
    try:
        t = float(time_limit)
    except (TypeError, ValueError):
        raise ParameterError(f"time_limit must be a positive number of seconds, got {time_limit!r}") from None
    if not (t > 0 and math.isfinite(t)):
        raise ParameterError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    for name, val in (("output_bound", output_bound), ("weight_bound", weight_bound)):
        if not (isinstance(val, (int, float)) and val > 0 and math.isfinite(val)):
            raise ParameterError(f"{name} must be a positive number, got {val!r}")
    if warm_start is not None and not isinstance(warm_start, ReLUNetwork):
        raise ParameterError("warm_start must be a ReLUNetwork (or None)")


def _merge_rows(X: np.ndarray, tg: Targets) -> tuple[np.ndarray, Targets]:
    """Intersect the intervals of repeated input rows; ``X`` (N, d) → (M, d) unique rows.

    Without repeated rows ``X`` and ``tg`` are returned as given (same order). ``y`` becomes the
    mean of the repeated targets.
    """
    uniq, inv = np.unique(X, axis=0, return_inverse=True)
    if uniq.shape[0] == X.shape[0]:
        return X, tg
    inv = np.asarray(inv).reshape(-1)
    M = uniq.shape[0]
    lo = np.full(M, -np.inf)
    hi = np.full(M, np.inf)
    np.maximum.at(lo, inv, tg.lo)
    np.minimum.at(hi, inv, tg.hi)
    empty = lo > hi
    if np.any(empty):
        j = int(np.flatnonzero(empty)[0])
        where = ", ".join(f"{v:g}" for v in uniq[j])
        raise DataError(
            f"repeated input x=({where}) with bounds that do not overlap "
            f"(the intersection [{lo[j]:g}, {hi[j]:g}] is empty)"
        )
    y = None
    if tg.y is not None:
        counts = np.bincount(inv, minlength=M)
        y = np.bincount(inv, weights=tg.y, minlength=M) / counts
    if M < 2:
        raise DataError(f"need at least 2 distinct points, got {M}")
    return uniq, Targets(lo, hi, y, tg.kind, tg.tol, tg.classes)


def _with_targets(res: ExactResult, X, tg: Targets) -> ExactResult:
    """``res`` (an interpolation result) with the targets fields filled by :func:`check_targets`."""
    if res.network is None:
        return dataclasses.replace(res, targets=tg)
    X = np.asarray(X, dtype=np.float64).reshape(tg.n_points, -1)
    chk = check_targets(res.network, X, tg)
    return dataclasses.replace(
        res,
        targets=tg,
        max_violation=chk.max_violation,
        rmse=chk.rmse,
        max_residual=chk.max_residual if chk.max_residual is not None else res.max_residual,
    )


def _affine_within(Z: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """Some ``c`` of shape (D,) with ``lo ≤ Z c ≤ hi`` (an LP; tightened bounds first), or ``None``."""
    from scipy.optimize import linprog

    D = Z.shape[1]
    for blo, bhi in (tightened(lo, hi), (lo, hi)):
        A_ub, b_ub = bound_rows(Z, blo, bhi)
        res = linprog(
            np.zeros(D),
            A_ub=A_ub,
            b_ub=b_ub,
            bounds=[(None, None)] * D,
            method="highs",
            options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
        )
        if res.status == 0 and res.x is not None:
            return np.asarray(res.x, dtype=np.float64)
    return None


class _TargetsSolver(_Solver):
    """The pipeline of :class:`._solve._Solver` with the certificates valid within bounds.

    ``self.y`` is ``f⁰`` (a vector within the bounds, see module docstring): the interpolation
    heuristics fit it. ``self.lo``/``self.hi`` are the bounds in normalized units (``/β``).
    """

    fit_phrase = "satisfy the targets"
    scale_phrase = "sum_i |f0_i| (f0 = a point within the bounds)"
    ymax_phrase = "max|f0|"

    def __init__(self, X, tg: Targets, **kwargs) -> None:
        f0 = np.clip(tg.center, tg.lo, tg.hi)
        super().__init__(X, f0, **kwargs)
        self.tg = tg
        self.lo = tg.lo / self.sc.beta
        self.hi = tg.hi / self.sc.beta
        self.details["certificates"] = {"not_used": NOT_VALID_WITH_BOUNDS}

    # ------------------------------------------------------------------ hooks
    def _passes(self, net: ReLUNetwork, rtol: float | None = None) -> bool:
        if rtol is None:
            return check_targets(net, self.X, self.tg).ok
        return check_targets(net, self.X, self.tg, rtol=rtol).ok

    def _polish_structure(self, sup, pats, signs):
        return polish_structure(self.sc, sup, pats, signs, skip=self.skip, lo=self.lo, hi=self.hi)

    def _pattern_model(self, blocks, **kwargs):
        from ._pattern_model import PatternModel

        return PatternModel(self.sc, blocks, skip=self.skip, lo=self.lo, hi=self.hi, **kwargs)

    def _bigm_model(self, **kwargs):
        from ._bigm_model import BigMModel

        return BigMModel(self.sc, skip=self.skip, lo=self.lo, hi=self.hi, **kwargs)

    def _generic(self) -> tuple[int | None, str]:
        return None, NOT_VALID_WITH_BOUNDS

    def level_search(self, blocks) -> None:
        """Not used: its trigger is the generic bound (``lb = #nonzero labels``), not valid here."""

    # ------------------------------------------------------------------ pipeline
    def run(self, warm_start) -> ExactResult:
        lo, hi = self.lo, self.hi
        if np.all((lo <= 0) & (hi >= 0)):
            self.offer(ReLUNetwork.empty(self.d, skip=self.skip), "empty network")
            self.lb_free_source = "trivial (0 lies within every bound)"
            return self.finish()
        self.simple_fits()
        if self.certificates:
            self.trivial_bounds()
        if warm_start is not None:
            ok = self.offer(warm_start, "warm start") or self.offer(
                self.polish_network(warm_start), "warm start"
            )
            if not ok:
                self.messages.append("warm start does not satisfy the targets; ignored")
        if self.closed():
            return self.finish()
        if self.certificates and self.formulation == "auto" and self.special_cases():
            return self.finish()
        _check_separation(self.sc)
        self.heuristics()
        self.tube_projections()
        if self.closed():
            return self.finish()
        est = estimate_blocks(self.sc.Z, self.objective, self.include_bias)
        self.details["estimated_blocks"] = est
        form = self.formulation
        if form == "auto":
            form = "patterns" if est <= self.max_blocks else "bigm"
        if form == "patterns":
            import time

            tb = time.perf_counter()
            blocks = build_blocks(self.sc.Z, self.objective, self.include_bias)
            self.details["blocks"] = len(blocks)
            self.details["block_seconds"] = time.perf_counter() - tb
            self.run_patterns(blocks)
        else:
            self.run_bigm()
        return self.finish()

    def simple_fits(self) -> None:
        """Offer the affine function (skip term) or the constant neuron, when within the bounds."""
        sc = self.sc
        if self.skip:
            coef = _affine_within(sc.Z, self.lo, self.hi)
            if coef is not None:
                net = sc.network(np.zeros((0, self.d + 1)), np.zeros(0), skip=True, a=coef[:-1], c=coef[-1])
                if self.offer(net, "affine function within the bounds"):
                    self.used_formulation = "closed-form"
            self.affine_feasible = coef is not None
            return
        c_lo, c_hi = float(np.max(self.lo)), float(np.min(self.hi))
        self.constant_feasible = c_lo <= c_hi
        if self.constant_feasible:
            c = c_lo if c_lo > 0 else c_hi  # 0 is not within the bounds, so the interval is one-signed
            if np.isfinite(c_lo) and np.isfinite(c_hi):
                c = 0.5 * (c_lo + c_hi)
            U = np.zeros((1, self.d + 1))
            U[0, -1] = abs(c)
            if self.offer(sc.network(U, np.array([np.sign(c)]), skip=False), "constant within the bounds"):
                self.used_formulation = "closed-form"

    def trivial_bounds(self) -> None:
        lo, hi = self.lo, self.hi
        if self.skip:
            if not self.affine_feasible:
                self.raise_free(1, "trivial (no affine function lies within the bounds)")
            return
        both = bool(np.any(lo > 0) and np.any(hi < 0))
        if self.objective == "neurons" or self.include_bias:
            if both:
                self.raise_free(2, "trivial (the bounds force both output signs; one sign per neuron)")
            else:
                self.raise_free(1, "trivial (0 is outside some bound)")
        elif not self.constant_feasible:
            self.raise_free(1, "trivial (no constant lies within the bounds)")

    def special_cases(self) -> bool:
        sc = self.sc
        if self.d == 1 and self.skip:
            return self.tube_1d()
        if self.objective == "neurons" and not self.skip and np.linalg.matrix_rank(sc.Z) == self.N:
            f = np.clip(sc.t, self.lo, self.hi)
            if np.all(self.hi >= 0):
                parts = [(np.maximum(f, 0.0), 1.0)]
            elif np.all(self.lo <= 0):
                parts = [(np.maximum(-f, 0.0), -1.0)]
            else:
                parts = [(np.maximum(f, 0.0), 1.0), (np.maximum(-f, 0.0), -1.0)]
            U = np.array([np.linalg.lstsq(sc.Z, part, rcond=None)[0] for part, _ in parts])
            sg = np.array([s for _, s in parts])
            net = sc.network(U, sg, skip=False)
            if self.offer(net, "closed form (affinely independent points)"):
                self.used_formulation = "closed-form"
                self.raise_free(len(parts), "closed form (affinely independent points; one sign per neuron)")
            return self.closed()
        return False

    def tube_1d(self) -> bool:
        """1-D data with a skip term: the exact fewest knots within the bounds."""
        from .tube1d import solve_tube_1d

        res = solve_tube_1d(self.X[:, 0], self.tg)
        self.details["tube1d_neurons"] = res.n_neurons
        if res.status != "optimal":
            return False
        nstar = res.fewest_knots
        if self.objective == "neurons" or not self.include_bias:
            self.raise_free(nstar, "1-D tube dynamic program (fewest knots within the bounds)")
        else:
            self.raise_free(max(2 * nstar - 1, 0), "1-D tube dynamic program (2n*-1)")
        self.offer(res.network, "1-D tube dynamic program")
        if self.closed():
            self.used_formulation = "tube1d"
            self.used_backend = "tube1d"
            return True
        return False

    def tube_projections(self, n_random: int = 4) -> None:
        """Upper bounds: the exact 1-D fit within the bounds along projections ``p = w·x``."""
        from .tube1d import solve_tube_1d

        sc = self.sc
        d = self.d
        dirs = []
        for col in range(d):
            if np.any(sc.Z[:, col] != 0):
                e = np.zeros(d)
                e[col] = 1.0
                dirs.append(e)
        if self.objective == "neurons" and d > 1:
            rng = np.random.default_rng(0)
            for _ in range(n_random):
                w = rng.standard_normal(d)
                dirs.append(w / np.linalg.norm(w))
        blo, bhi = tightened(self.lo, self.hi)
        bounds = Targets.bounds(blo, bhi)
        for w in dirs:
            if self.remaining() <= 0:
                return
            p = sc.Z[:, :d] @ w
            try:
                res = solve_tube_1d(p, bounds)
            except DataError:  # repeated projections with disjoint bounds
                continue
            if res.status != "optimal":
                continue
            net = lift_1d(sc, w, p, res.knots, res.jumps, res.slope, res.intercept, self.skip)
            self.offer(net, "1-D fit within the bounds along a projection")

    # ------------------------------------------------------------------ result
    def finish(self) -> ExactResult:
        res = super().finish()
        self.details["certificates"]["lower_bound"] = res.bound_source
        res = _with_targets(res, self.X, self.tg)
        if res.network is not None and not check_targets(res.network, self.X, self.tg).ok:
            msg = "; ".join(m for m in (res.message, "the network failed the float64 re-check") if m)
            res = dataclasses.replace(res, status="error", message=msg)
        if self.tg.y is None:
            res = dataclasses.replace(res, max_residual=None)
        return dataclasses.replace(res, generic_lower_bound=None, generic_hypothesis=NOT_VALID_WITH_BOUNDS)
