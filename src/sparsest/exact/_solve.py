"""Exact sparsest interpolation in any dimension: certificates first, then a MILP.

Problem (paper.md §1, multivariate model): over networks ``f(x) = Σ_k v_k (w_k·x + b_k)_+``
(plus an unpenalized ``a·x + c`` when ``skip``) with ``f(x_i) = y_i`` for all points, minimize

* ``"nonzeros"``: ``Σ_k ‖v_k [w_k; b_k]‖_0`` — nonzero path products, the bias entry counted
  (``include_bias=True``, the paper's ℓ0) or free; or
* ``"neurons"``: the number of active neurons.

Pipeline of :func:`solve` (each step can finish the job):

1. Trivial cases and bounds: ``y = 0``; one neuron has one output sign (mixed labels need two);
   with a skip term, affine data need none.
2. Closed forms. 1-D data with a skip term: the O(N) dynamic program (:func:`solve_1d`) is exact
   for ``"neurons"`` (and for ``"nonzeros"`` with free biases; with counted biases it brackets the
   optimum in ``[2n*−1, 2n*]``). ``"neurons"`` without skip term when the points are affinely
   independent (``N ≤ d+1``): ``Z u = t_+`` and ``Z u = t_−`` are solvable, so the optimum is 1
   (one-signed labels) or 2.
3. Upper bounds: the warm start (any interpolating network, polished to exact interpolation) and a
   greedy fit with single-weight neurons ``(±x_l)_+`` (Prop 4.1-type constructions).
4. The span certificate (:mod:`._rankbound`): an exhaustive, assumption-free proof that no set
   of neurons of total cost ``< T`` can even span ``y``.
5. The MILP (:mod:`._pattern_model` — Lemma 4.1 with blocks per (support, cell) and cones by
   their extreme rays — or :mod:`._bigm_model`), warm-started, with the proven bounds as cuts.
   Its one modelling bound (outputs per neuron ``≤ G`` resp. weights ``≤ M``) is raised when it
   is close to active at the optimum, and reported in ``assumptions`` whenever the final bound
   depends on it.

Fits within per-point bounds (tolerances, bound columns, class margins) run the same pipeline with
the certificates that stay valid there: :func:`sparsest.exact.solve_targets` (:mod:`._solve_targets`).

Every network returned is rebuilt from the solver's combinatorial choice by an exact LP, then
re-checked in float64 (:func:`sparsest.verify.check_interpolation`) and its count recomputed from
the network with relative tolerance ``count_rtol``. A solver point that fails the check makes the
status ``"error"``, never ``"optimal"``.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings

import numpy as np

from ..data import merge_duplicates, validate_xy
from ..errors import ParameterError
from ..network import DEFAULT_RTOL, ReLUNetwork, default_skip
from ..verify import check_interpolation
from ._blocks import build_blocks, estimate_blocks
from ._polish import polish_structure
from ._result import ExactResult
from ._scaling import Scaled
from .backends import get_backend

__all__ = ["FORMULATIONS", "OBJECTIVES", "generic_lower_bound", "solve"]

OBJECTIVES = ("nonzeros", "neurons")
FORMULATIONS = ("auto", "patterns", "bigm")

#: raw solver points must interpolate to this relative accuracy before polishing
_RAW_RTOL = 1e-6
#: labels with |y_i| <= this * max|y| are treated as exact zeros
_ZERO_LABEL = 1e-12


def generic_lower_bound(X, y, objective: str = "nonzeros", *, skip: bool = False) -> tuple[int, str]:
    """The dimension-count bound for labels in general position, and its exact hypothesis.

    With ``m`` nonzero labels and ``r = rank [X, 1]``: every neuron's outputs on the data lie in a
    subspace spanned by (support size) vectors ``D_A Z e_l`` — finitely many choices — so a network
    with ``T`` nonzeros puts ``y`` in a finite union of subspaces of dimension ``≤ T`` (plus
    ``r`` for a skip term). Hence ``nonzeros ≥ m`` (skip: ``m − r``) and
    ``neurons ≥ ⌈m / r⌉`` (skip: ``⌈(m − r)/r⌉``) whenever the vector of nonzero labels avoids
    those subspaces — true for Lebesgue-almost every ``y`` given ``X``, but not a proof for a
    particular ``y``.

    Returns
    -------
    bound : int
    hypothesis : str
    """
    X, y = validate_xy(X, y)
    N = X.shape[0]
    Z = np.concatenate([X, np.ones((N, 1))], axis=1)
    r = int(np.linalg.matrix_rank(Z))
    m = int(np.count_nonzero(y))
    free = r if skip else 0
    need = max(m - free, 0)
    bound = need if objective == "nonzeros" else -(-need // r)
    hyp = (
        f"labels in general position: the {m} nonzero labels lie in no subspace spanned by fewer than "
        f"{need} vectors D_A [X,1] e_l (A an activation pattern, l a column)"
        + (" plus the skip term's span" if skip else "")
        + "; holds for almost every y given X (Lebesgue), not checked for this y"
    )
    return int(bound), hyp


def solve(
    X,
    y,
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
    span_work: float = 2e7,
    signed_work: float = 2e6,
    certificates: bool = True,
    count_rtol: float = DEFAULT_RTOL,
    verbose: bool = False,
) -> ExactResult:
    """Sparsest interpolating ReLU network, with a proof (see module docstring).

    Parameters
    ----------
    X : array_like of shape (N, d) or (N,)
    y : array_like of shape (N,)
    objective : {"nonzeros", "neurons"}
    time_limit : float
        Wall-clock budget in seconds for the whole solve.
    backend : {"highs", "scipy", "gurobi"}
        MILP backend (:mod:`sparsest.exact.backends`); checked at call time.
    formulation : {"auto", "patterns", "bigm"}
        ``"auto"``: the activation-pattern model when it has at most ``max_blocks`` blocks,
        else the big-M model.
    warm_start : ReLUNetwork, optional
        Any (approximately) interpolating network, e.g. from a trainer; polished to exact
        interpolation and used as upper bound and MIP start.
    skip : bool, optional
        Add the unpenalized skip term ``a·x + c``. Default :func:`sparsest.network.default_skip`
        (on in 1-D — the model of the 1-D dynamic program — off in d-D, the paper's model).
    include_bias : bool
        Count the bias entry ``v_k b_k`` (``"nonzeros"``).
    output_bound : float
        Pattern model: cap ``G`` on one neuron's summed output over the data, as a multiple of
        ``Σ_i |y_i|`` (raised automatically when close to active).
    weight_bound : float
        Big-M model: bound on weights in normalized units (|v| = 1, columns and ``y`` scaled to
        max-abs 1); raised automatically when close to active.
    max_blocks : int
        Largest pattern model chosen by ``formulation="auto"``.
    span_work : float
        Work limit (span tests) of the assumption-free span certificate.
    signed_work : float
        Work limit (enumerated neuron sets) of the assumption-free signed search.
    certificates : bool
        Use the certificates (trivial bounds, closed forms, the 1-D dynamic program, the span
        certificate) before the MILP. ``False`` leaves every proof to the MILP (for comparing
        formulations).
    count_rtol : float
        Relative tolerance of the counts (:mod:`sparsest.network`).
    verbose : bool
        Show the MILP solver's log.

    Returns
    -------
    ExactResult
    """
    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if formulation not in FORMULATIONS:
        raise ParameterError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")
    try:
        time_limit = float(time_limit)
    except (TypeError, ValueError):
        raise ParameterError(f"time_limit must be a positive number of seconds, got {time_limit!r}") from None
    if not (time_limit > 0 and math.isfinite(time_limit)):
        raise ParameterError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    for name, val in (("output_bound", output_bound), ("weight_bound", weight_bound)):
        if not (isinstance(val, (int, float)) and val > 0 and math.isfinite(val)):
            raise ParameterError(f"{name} must be a positive number, got {val!r}")
    if warm_start is not None and not isinstance(warm_start, ReLUNetwork):
        raise ParameterError("warm_start must be a ReLUNetwork (or None)")
    be = get_backend(backend)
    X, y = validate_xy(X, y)
    X, y = _distinct(X, y)
    # labels below the re-check's resolution are zeros of the problem (an output 0 passes the check)
    y = np.where(np.abs(y) <= _ZERO_LABEL * np.max(np.abs(y)), 0.0, y)
    skip = default_skip(X.shape[1]) if skip is None else bool(skip)
    if warm_start is not None and warm_start.n_features != X.shape[1]:
        raise ParameterError(
            f"warm_start has {warm_start.n_features} inputs but the data have {X.shape[1]} features"
        )
    s = _Solver(
        X,
        y,
        objective=objective,
        time_limit=time_limit,
        backend=be,
        formulation=formulation,
        skip=skip,
        include_bias=bool(include_bias),
        output_bound=float(output_bound),
        weight_bound=float(weight_bound),
        max_blocks=int(max_blocks),
        span_work=float(span_work),
        signed_work=float(signed_work),
        certificates=bool(certificates),
        count_rtol=float(count_rtol),
        verbose=bool(verbose),
    )
    return s.run(warm_start)


def _distinct(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge duplicate inputs (equal labels) silently; conflicting labels raise DataError."""
    if np.unique(X, axis=0).shape[0] == X.shape[0]:
        return X, y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return merge_duplicates(X, y)


class _Solver:
    def __init__(
        self,
        X,
        y,
        *,
        objective,
        time_limit,
        backend,
        formulation,
        skip,
        include_bias,
        output_bound,
        weight_bound,
        max_blocks,
        span_work,
        signed_work,
        certificates,
        count_rtol,
        verbose,
    ) -> None:
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + time_limit
        self.X, self.y = X, y
        self.N, self.d = X.shape
        self.objective = objective
        self.be = backend
        self.formulation = formulation
        self.skip = skip
        self.include_bias = include_bias
        self.output_bound = output_bound
        self.weight_bound = weight_bound
        self.max_blocks = max_blocks
        self.span_work = span_work
        self.signed_work = signed_work
        self.certificates = certificates
        self.count_rtol = count_rtol
        self.verbose = verbose
        self.sc = Scaled.of(X, y)
        self.best: ReLUNetwork | None = None
        self.best_count: int | None = None
        self.best_source = ""
        self.last_offer_count = -1
        self.lb_free = 0  # proven without assumptions
        self.lb_free_source = "trivial"
        self.lb_cond = 0  # proven by a MILP under its modelling bound
        self.lb_cond_assumptions: list[str] = []
        self.error: str | None = None
        self.used_formulation = "certificates"
        self.used_backend = "certificates"
        self.details: dict = {}
        self.messages: list[str] = []

    # ------------------------------------------------------------------ helpers
    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def count(self, net: ReLUNetwork) -> int:
        """Exact count of ``net`` (every nonzero; networks are pruned by :func:`_prune` first)."""
        if self.objective == "nonzeros":
            return net.n_nonzero(include_bias=self.include_bias, rtol=0.0)
        return net.n_active_neurons(include_bias=True, rtol=0.0)

    def offer(self, net: ReLUNetwork | None, source: str) -> bool:
        """Keep ``net`` as the incumbent if it passes the strict re-check and is sparser."""
        if net is None:
            return False
        if net.skip != self.skip:
            if self.skip:
                net = net.with_skip()
            elif np.any(net.a != 0) or net.c != 0:
                return False
            else:
                net = ReLUNetwork(net.W, net.b, net.v, skip=False)
        if not self._passes(net):
            return False
        pruned = _prune(net, self.count_rtol)
        if pruned is not net and self._passes(pruned):
            net = pruned
        c = self.count(net)
        if self.best_count is None or c < self.best_count:
            self.best, self.best_count, self.best_source = net, c, source
        self.last_offer_count = c
        return True

    # hooks: what "fits the data" means (exact interpolation here; per-point bounds in the subclass
    # of :mod:`._solve_targets`, which overrides these and nothing of the interpolation numerics)
    fit_phrase = "interpolate the data"
    scale_phrase = "sum_i |y_i|"
    ymax_phrase = "max|y|"

    def _passes(self, net: ReLUNetwork, rtol: float | None = None) -> bool:
        """The float64 re-check of ``net`` (``rtol``: the nominal accuracy, default the check's)."""
        if rtol is None:
            return check_interpolation(net, self.X, self.y).ok
        return check_interpolation(net, self.X, self.y, rtol=rtol).ok

    def _polish_structure(self, sup, pats, signs):
        return polish_structure(self.sc, sup, pats, signs, skip=self.skip)

    def _pattern_model(self, blocks, **kwargs):
        from ._pattern_model import PatternModel

        return PatternModel(self.sc, blocks, skip=self.skip, **kwargs)

    def _bigm_model(self, **kwargs):
        from ._bigm_model import BigMModel

        return BigMModel(self.sc, skip=self.skip, **kwargs)

    def _generic(self) -> tuple[int | None, str]:
        return generic_lower_bound(self.X, self.y, self.objective, skip=self.skip)

    def raise_free(self, value: int, source: str) -> None:
        if value > self.lb_free:
            self.lb_free, self.lb_free_source = int(value), source

    @property
    def lb(self) -> int:
        return max(self.lb_free, self.lb_cond)

    def closed(self) -> bool:
        return self.best_count is not None and self.best_count <= self.lb

    # ------------------------------------------------------------------ pipeline
    def run(self, warm_start) -> ExactResult:
        sc = self.sc
        if np.all(self.y == 0):
            self.offer(ReLUNetwork.empty(self.d, skip=self.skip), "empty network")
            return self.finish()
        if self.certificates:
            self.trivial_bounds()
        if warm_start is not None:
            ok = self.offer(warm_start, "warm start") or self.offer(
                self.polish_network(warm_start), "warm start"
            )
            if not ok:
                self.messages.append("warm start does not interpolate the data; ignored")
        if self.closed():
            return self.finish()
        if self.certificates and self.formulation == "auto" and self.special_cases():
            return self.finish()
        _check_separation(sc)
        self.heuristics()
        if self.closed():
            return self.finish()
        est = estimate_blocks(sc.Z, self.objective, self.include_bias)
        self.details["estimated_blocks"] = est
        form = self.formulation
        if form == "auto":
            form = "patterns" if est <= self.max_blocks else "bigm"
        blocks = None
        if form == "patterns" or (self.certificates and est <= self.max_blocks):
            tb = time.perf_counter()
            blocks = build_blocks(sc.Z, self.objective, self.include_bias)
            self.details["blocks"] = len(blocks)
            self.details["block_seconds"] = time.perf_counter() - tb
            if self.certificates:
                self.span_certificate(blocks)
        if blocks is None and self.certificates and self.objective == "nonzeros":
            self.small_support_certificate()
        if self.closed():
            return self.finish()
        if blocks is not None and self.certificates:
            self.signed_certificate(blocks)
        if self.closed():
            return self.finish()
        if form == "patterns":
            self.run_patterns(blocks)
        else:
            self.run_bigm()
        return self.finish()

    def trivial_bounds(self) -> None:
        t = self.sc.t
        if self.skip:
            if _in_span(self.sc.Z, t):
                self.raise_free(0, "trivial")
            else:
                self.raise_free(1, "trivial (labels not affine)")
            return
        if self.objective == "neurons":
            self.raise_free(2 if (np.any(t > 0) and np.any(t < 0)) else 1, "trivial (one sign per neuron)")
        elif self.include_bias:
            self.raise_free(2 if (np.any(t > 0) and np.any(t < 0)) else 1, "trivial (one sign per neuron)")
        elif np.ptp(t) > 0:
            self.raise_free(1, "trivial (labels not constant)")

    def special_cases(self) -> bool:
        sc = self.sc
        if self.skip and _in_span(sc.Z, sc.t):
            coef = np.linalg.lstsq(sc.Z, sc.t, rcond=None)[0]
            net = sc.network(np.zeros((0, self.d + 1)), np.zeros(0), skip=True, a=coef[:-1], c=coef[-1])
            self.offer(net, "affine fit")
            self.used_formulation = "closed-form"
            return self.closed()
        if self.d == 1 and self.skip:
            return self.dp_1d()
        if self.objective == "neurons" and not self.skip and np.linalg.matrix_rank(sc.Z) == self.N:
            U, sg = [], []
            for sign in (1.0, -1.0):
                part = np.maximum(sign * sc.t, 0.0)
                if np.any(part > 0):
                    U.append(np.linalg.lstsq(sc.Z, part, rcond=None)[0])
                    sg.append(sign)
            net = sc.network(np.array(U), np.array(sg), skip=False)
            if self.offer(net, "closed form (affinely independent points)"):
                self.used_formulation = "closed-form"
                self.raise_free(len(U), "closed form (one sign per neuron)")
            return self.closed()
        return False

    def dp_1d(self) -> bool:
        from .dp1d import solve_1d

        res = solve_1d(self.X[:, 0], self.y, 0.0)
        self.details["dp1d_neurons"] = res.n_neurons
        if res.status != "optimal":
            return False
        nstar = res.sparsest_count
        if self.objective == "neurons" or not self.include_bias:
            self.raise_free(nstar, "1-D dynamic program")
        else:
            # each knot-neuron has weight and bias nonzero unless its knot is at 0; an optimal network
            # has at most one knot at 0 (two would merge into one neuron plus the skip term)
            self.raise_free(max(2 * nstar - 1, 0), "1-D dynamic program (2n*-1)")
        self.offer(res.network, "1-D dynamic program")
        if self.closed():
            self.used_formulation = "dp1d"
            self.used_backend = "dp1d"
            return True
        return False

    def heuristics(self) -> None:
        for net in _projection_networks(self.sc, self.skip, self.objective):
            self.offer(net, "1-D dynamic program along a projection")
        if self.objective == "nonzeros":
            net = _greedy_single_weight(self.sc, self.skip, self.include_bias)
            if net is not None:
                self.offer(net, "greedy single-weight neurons")
            if self.best is None:  # dense directions always give an interpolant
                for net in _projection_networks(self.sc, self.skip, "neurons"):
                    self.offer(net, "1-D dynamic program along a projection")

    def polish_network(self, net: ReLUNetwork) -> ReLUNetwork | None:
        """Exact LP on the structure (supports, patterns, signs) of an approximate interpolant."""
        sc = self.sc
        if net.n_features != self.d:
            return None
        U, sg, _, _ = sc.neurons_of(net)
        if U.shape[0] == 0:
            return None
        mag = np.abs(U)
        big = float(mag.max())
        keep = (mag.max(axis=1) > self.count_rtol * big) & (sg != 0)
        U, sg = U[keep], sg[keep]
        sup = np.abs(U) > self.count_rtol * big
        pre = sc.Z @ U.T
        pats = (pre > 0).T
        out = self._polish_structure(sup, pats, sg)
        if out is None:
            return None
        Up, a, c = out
        return sc.network(Up, sg, skip=self.skip, a=a, c=c)

    # ------------------------------------------------------------------ pattern model
    def span_certificate(self, blocks) -> None:
        """Assumption-free lower bound by exhaustive span search (:mod:`._rankbound`)."""
        t_max = self.best_count - 1 if self.best_count is not None else None
        rb = self._span_search(blocks, t_max, share=0.5)
        self.raise_free(rb.bound, "span certificate (exhaustive)")

    def _span_search(self, blocks, t_max: int | None, *, share: float, details: dict | None = None):
        """Run :func:`._rankbound.rank_lower_bound` over ``blocks`` for levels up to ``t_max`` with a
        ``share`` of the remaining time; record its summary (plus ``details``) and return it."""
        from ._rankbound import rank_lower_bound

        sc = self.sc
        rb = rank_lower_bound(
            [b.out.T for b in blocks.blocks],
            [b.cost for b in blocks.blocks],
            sc.t,
            W0=sc.Z if self.skip else None,
            cover_needed=not self.skip,
            start=self.lb_free,
            t_max=t_max,
            max_tests=self.span_work,
            deadline=time.perf_counter() + share * max(self.remaining(), 0.0),
        )
        self.details["span_certificate"] = {
            "bound": rb.bound,
            "complete": rb.complete,
            "tests": rb.tests,
            "seconds": rb.seconds,
            **(details or {}),
        }
        return rb

    def small_support_certificate(self) -> None:
        """Span certificate restricted to costs ``≤ s`` when all blocks are too many (large d).

        A network with at most ``s`` nonzeros only uses supports of at most ``s`` columns, so the
        blocks of those supports decide every level ``T ≤ s`` exactly.
        """
        sc = self.sc
        s = 0
        while (
            s + 1 <= sc.n
            and estimate_blocks(sc.Z, "nonzeros", self.include_bias, s + 1) <= 10 * self.max_blocks
        ):
            s += 1
        if s == 0 or self.remaining() <= 0:
            return
        blocks = build_blocks(sc.Z, "nonzeros", self.include_bias, max_support=s)
        t_max = s + 1 if self.best_count is None else min(s + 1, self.best_count - 1)
        rb = self._span_search(blocks, t_max, share=0.25, details={"max_support": s, "blocks": len(blocks)})
        # Levels <= s are decided by these blocks. Level s + 1 adds single neurons with s + 1 nonzeros
        # (counted columns): such a neuron alone must produce every nonzero label, so the labels must lie
        # in the span of its columns restricted to those points — checked for every support at once.
        bound = min(rb.bound, s + 1)
        if rb.bound > s + 1 and t_max >= s + 1 and not self.skip and not _single_support_spans(sc, s + 1):
            bound = s + 2
        self.raise_free(bound, f"span certificate (supports of <= {s + 1} columns)")

    def signed_certificate(self, blocks) -> None:
        """Assumption-free bound (and networks) by exhaustive signed search (:mod:`._signed`)."""
        from ._pattern_model import PatternModel, Selection
        from ._rankbound import _count_subsets
        from ._signed import signed_lower_bound

        sc = self.sc
        if self.best_count is None or self.best_count <= self.lb_free:
            return
        costs2 = np.repeat([b.cost for b in blocks.blocks], 2)
        if _count_subsets(costs2, self.lb_free) > 20 * self.signed_work:
            return  # even the first level is far beyond the work limit
        sb = signed_lower_bound(
            [b.out for b in blocks.blocks],
            [b.cost for b in blocks.blocks],
            np.array([b.pattern for b in blocks.blocks]),
            sc.t,
            W0=sc.Z if self.skip else None,
            start=self.lb_free,
            t_max=self.best_count - 1,
            max_nodes=self.signed_work,
            deadline=time.perf_counter() + 0.25 * max(self.remaining(), 0.0),
        )
        self.details["signed_certificate"] = {
            "bound": sb.bound,
            "complete": sb.complete,
            "nodes": sb.nodes,
            "tests": sb.tests,
            "seconds": sb.seconds,
        }
        if sb.solution is not None:
            entries, lams, skip_coef = sb.solution
            a = c = None
            if self.skip:
                D = sc.d + 1
                coef = skip_coef[:D] - skip_coef[D:]
                a, c = coef[:-1], float(coef[-1])
            sel = Selection(list(entries), list(lams), np.zeros(sc.d) if a is None else a, c or 0.0)
            model = PatternModel(sc, blocks, skip=self.skip, output_bound=1.0)
            pol = model.polish(sel.entries)
            if pol is not None:
                self.offer(model.network(pol), "signed search")
        self.raise_free(sb.bound, "signed search (exhaustive)")

    # ------------------------------------------------------------------ pattern model
    def level_search(self, blocks) -> None:
        """Primal heuristic: a network whose cost equals the proven bound, among full-rank neurons.

        When the bound is the dimension count (cost = number of nonzero labels), a network attaining it
        has ``Σ dim = Σ cost``, so each neuron's outputs span as many dimensions as it has nonzeros.
        A feasibility MILP over those blocks only (a large output cap, a slice of the time) often
        finds such a network much faster than the full model. Anything found is verified; nothing is
        concluded from failure.
        """
        from ._pattern_model import PatternModel
        from ._rankbound import _orth

        sc = self.sc
        if self.objective != "nonzeros" or self.skip or self.best_count is None:
            return
        if self.best_count <= self.lb_free or self.lb_free != int(np.count_nonzero(sc.t)):
            return
        full = [b for b in blocks.blocks if _orth(b.out.T).shape[1] == b.cost]
        if not full:
            return
        sub = type(blocks)(full, blocks.supports, blocks.objective, blocks.include_bias)
        total = float(np.sum(np.abs(sc.t)))
        model = PatternModel(
            sc, sub, skip=False, output_bound=1000.0 * total, lower=self.lb_free, upper=self.lb_free
        )
        res = self.be.solve(model.problem(), time_limit=0.4 * self.remaining(), verbose=self.verbose)
        self.details["level_search"] = {"status": res.status, "seconds": res.seconds, "blocks": len(full)}
        if res.x is None:
            return
        sel = model.selection_from_x(res.x)
        pol = model.polish(sel.entries)
        if pol is not None:
            self.offer(model.network(pol), "MILP at the proven bound (full-rank neurons)")

    def run_patterns(self, blocks) -> None:
        sc = self.sc
        self.used_formulation = "patterns"
        self.level_search(blocks)
        if self.closed() or self.remaining() <= 0.05:
            return
        start_sel = None
        G_mult = self.output_bound
        total = float(np.sum(np.abs(sc.t)))
        for _attempt in range(4):
            if self.remaining() <= 0.05:
                break
            model = self._pattern_model(
                blocks, output_bound=G_mult * total, lower=self.lb, upper=self.best_count
            )
            if start_sel is None and self.best is not None:
                start_sel = model.selection_from_network(self.best)
            start = None
            if start_sel is not None:
                need = float(np.max(model.output_sums(start_sel), initial=0.0))
                if need > 0.5 * model.G:
                    G_mult = 2.0 * need / total
                    continue
                start = model.x_from_selection(start_sel)
            res = self.be.solve(
                model.problem(), time_limit=self.remaining(), start=start, verbose=self.verbose
            )
            self.used_backend = self.be.info()
            self.details.setdefault("milp", []).append(
                {
                    "status": res.status,
                    "objective": res.objective,
                    "bound": res.bound,
                    "nodes": res.nodes,
                    "seconds": res.seconds,
                    "output_bound": model.G * sc.beta,
                    "start_accepted": res.start_accepted,
                }
            )
            sel = pol = None
            if res.x is not None:
                sel = model.selection_from_x(res.x)
                raw = model.network(sel)
                if not self._passes(raw, rtol=_RAW_RTOL):
                    self.error = f"the MILP solver returned a point that does not {self.fit_phrase}"
                    return
                pol = model.polish(sel.entries)
                net = None if pol is None else model.network(pol)
                if net is None or not self.offer(net, "MILP (patterns)"):
                    self.error = "the MILP solution failed the exact float64 re-check"
                    return
                if self.last_offer_count > round(model.objective_of(sel)):
                    self.error = "the re-checked network has more nonzeros than the MILP objective"
                    return
                start_sel = pol
            if self.closed():
                break
            if res.status == "infeasible" and self.best is None:
                G_mult *= 10.0
                continue
            milp_lb = _ceil_bound(res.bound) if res.status != "infeasible" else None
            if res.status == "optimal" and res.x is not None:
                milp_lb = max(milp_lb or 0, round(res.objective))
            if milp_lb is None:
                break
            # the modelling bound is "active" when even the least-output re-solve needs half of it
            largest = float(np.max(model.output_sums(pol), initial=0.0)) if pol is not None else 0.0
            active = largest >= 0.5 * model.G
            if (
                active or (self.best_count is not None and self.best_count < milp_lb)
            ) and self.remaining() > 0.5:
                G_mult *= 10.0
                continue
            if milp_lb > self.lb_cond:
                self.lb_cond = milp_lb
                self.lb_cond_assumptions = [
                    f"MILP bound assumes every neuron's summed output over the {self.N} data points, "
                    f"sum_i |v_k (w_k.x_i + b_k)_+|, is at most {model.G * sc.beta:.6g} "
                    f"(= {G_mult:g} x {self.scale_phrase}); "
                    f"the largest in the solution is {largest * sc.beta:.6g}"
                ]
            break

    # ------------------------------------------------------------------ big-M model
    def run_bigm(self) -> None:
        from ._bigm_model import SlotSolution

        sc = self.sc
        self.used_formulation = "bigm"
        K = self.N if self.best_count is None else min(self.N, max(self.best_count, 1))
        M = self.weight_bound
        start_slots = None
        if self.best is not None:
            U, sg, a, c = sc.neurons_of(self.best)
            act = np.abs(U).max(axis=1) > 0 if U.size else np.zeros(0, bool)
            U, sg = U[act], sg[act]
            if U.shape[0] <= K:
                start_slots = SlotSolution(U, sg, (sc.Z @ U.T > 0).T, a, c)
                M = max(M, 2.0 * float(np.max(np.abs(U), initial=0.0)))
        for _attempt in range(4):
            if self.remaining() <= 0.05:
                break
            model = self._bigm_model(
                objective=self.objective,
                include_bias=self.include_bias,
                n_slots=K,
                weight_bound=M,
                lower=self.lb,
                upper=self.best_count,
            )
            start = model.x_from_slots(start_slots) if start_slots is not None else None
            res = self.be.solve(
                model.problem(), time_limit=self.remaining(), start=start, verbose=self.verbose
            )
            self.used_backend = self.be.info()
            self.details.setdefault("milp", []).append(
                {
                    "status": res.status,
                    "objective": res.objective,
                    "bound": res.bound,
                    "nodes": res.nodes,
                    "seconds": res.seconds,
                    "weight_bound": M,
                    "start_accepted": res.start_accepted,
                }
            )
            sol = None
            wmax = 0.0
            if res.x is not None:
                raw = model.raw_network(res.x)
                if not self._passes(raw, rtol=_RAW_RTOL):
                    self.error = f"the MILP solver returned a point that does not {self.fit_phrase}"
                    return
                sol = model.slots_from_x(res.x)
                sup = sol.U != 0
                out = self._polish_structure(sup, sol.patterns, sol.signs)
                net = (
                    None if out is None else sc.network(out[0], sol.signs, skip=self.skip, a=out[1], c=out[2])
                )
                if net is None or not self.offer(net, "MILP (big-M)"):
                    self.error = "the MILP solution failed the exact float64 re-check"
                    return
                wmax = float(np.max(np.abs(out[0]), initial=0.0))
                if self.last_offer_count > round(res.objective):
                    self.error = "the re-checked network has more nonzeros than the MILP objective"
                    return
                start_slots = sol
            if self.closed():
                break
            if res.status == "infeasible" and self.best is None:
                M *= 10.0
                continue
            milp_lb = _ceil_bound(res.bound) if res.status != "infeasible" else None
            if res.status == "optimal" and res.x is not None:
                milp_lb = max(milp_lb or 0, round(res.objective))
            if milp_lb is None:
                break
            active = wmax >= 0.5 * M  # on the least-output exact re-solve
            if (
                active or (self.best_count is not None and self.best_count < milp_lb)
            ) and self.remaining() > 0.5:
                M *= 10.0
                continue
            if milp_lb > self.lb_cond:
                self.lb_cond = milp_lb
                self.lb_cond_assumptions = [
                    "MILP bound assumes, after moving |v_k| into the neuron (|v_k| = 1), "
                    f"|w_kl| <= {M:g} * {self.ymax_phrase} / max_i|x_il| and "
                    f"|b_k| <= {M:g} * {self.ymax_phrase} for every neuron "
                    f"(normalized weight bound {M:g}; largest normalized weight in the solution: {wmax:.4g})"
                ]
            break

    # ------------------------------------------------------------------ result
    def finish(self) -> ExactResult:
        net = self.best
        lb = self.lb
        assumptions = list(self.lb_cond_assumptions) if self.lb_cond > self.lb_free else []
        source = self.lb_free_source if self.lb_free >= self.lb_cond else "MILP"
        gb, hyp = self._generic()
        if self.error is not None:
            status = "error"
        elif net is None:
            status = "time_limit"
        elif self.best_count <= lb:
            status = "optimal"
        else:
            status = "time_limit"
        if net is not None and self.error is None and self.best_count < self.lb_cond:
            # a verified network below the MILP's bound: its modelling bound was too small
            self.messages.append(
                "a verified network is sparser than the MILP bound; that bound and its assumption are dropped"
            )
            self.lb_cond, assumptions = 0, []
            lb, source = self.lb_free, self.lb_free_source
            status = "optimal" if self.best_count <= lb else "time_limit"
        if net is not None and self.error is None and self.best_count < self.lb_free:
            status = "error"
            self.error = "a verified network is sparser than the assumption-free bound (numerical trouble)"
        if status == "error":
            lb = self.lb_free
            assumptions = []
            source = self.lb_free_source
        check = check_interpolation(net, self.X, self.y) if net is not None else None
        obj = self.best_count
        gap = None if obj is None else (0.0 if obj == 0 else max(obj - lb, 0) / obj)
        msg = "; ".join([*self.messages, *([self.error] if self.error else [])])
        self.details["upper_bound_source"] = self.best_source
        return ExactResult(
            status=status,
            objective_name=self.objective,
            objective=obj,
            bound=int(lb),
            gap=gap,
            network=net,
            n_neurons=None if net is None else net.n_active_neurons(include_bias=True, rtol=0.0),
            n_nonzero=None if net is None else net.n_nonzero(include_bias=self.include_bias, rtol=0.0),
            max_residual=None if check is None else check.max_residual,
            seconds=time.perf_counter() - self.t0,
            backend=self.used_backend,
            formulation=self.used_formulation,
            assumptions=assumptions,
            generic_lower_bound=gb,
            generic_hypothesis=hyp,
            bound_source=source,
            include_bias=self.include_bias,
            skip=self.skip,
            n_points=self.N,
            count_rtol=self.count_rtol,
            message=msg,
            details=self.details,
        )


#: smallest allowed separation of two data points (max-norm, columns scaled to max-abs 1)
_MIN_SEPARATION = 1e-7


def _check_separation(sc: Scaled) -> None:
    """Refuse data whose points nearly coincide: LP/MILP tolerances (1e-9) would decide the answer."""
    from ..errors import DataError

    Xn = sc.Z[:, :-1]
    N = Xn.shape[0]
    if N > 4000:
        return
    best, pair = np.inf, (0, 0)
    for i in range(N - 1):
        dist = np.max(np.abs(Xn[i + 1 :] - Xn[i]), axis=1)
        j = int(np.argmin(dist))
        if dist[j] < best:
            best, pair = float(dist[j]), (i, i + 1 + j)
    if best < _MIN_SEPARATION:
        i, j = pair
        raise DataError(
            f"data points {i + 1} and {j + 1} differ by only {best:.2g} of the inputs' range (max-abs per "
            f"column); exact d-D solving needs a separation of at least {_MIN_SEPARATION:g} (its LP "
            "tolerances are 1e-9): merge or rescale them"
        )


def _single_support_spans(sc: Scaled, k: int, chunk: int = 20000) -> bool:
    """Is ``t`` (on its nonzero points) in the span of some ``k`` columns of ``Z`` (same points)?

    A relaxation of "one neuron with ``k`` nonzeros interpolates": such a neuron is linear on its
    active set, which must contain every nonzero label. ``True`` also when there are too many
    supports to check (the caller then claims nothing).
    """
    nz = sc.t != 0
    Zn, tn = sc.Z[nz], sc.t[nz]
    cols = [c for c in range(sc.Z.shape[1]) if np.any(sc.Z[:, c] != 0)]
    if math.comb(len(cols), k) > 2_000_000:
        return True
    tol = 1e-9 * float(np.linalg.norm(tn))
    combos = itertools.combinations(cols, k)
    while True:
        batch = list(itertools.islice(combos, chunk))
        if not batch:
            return False
        A = Zn[:, np.array(batch)].transpose(1, 0, 2)  # (n, m, k)
        Q, _ = np.linalg.qr(A)
        res = tn[None, :] - np.einsum("nmk,nk->nm", Q, np.einsum("nmk,m->nk", Q, tn))
        if np.any(np.linalg.norm(res, axis=1) <= tol):
            return True


def _ceil_bound(b: float | None) -> int | None:
    if b is None or not math.isfinite(b):
        return None
    return max(math.ceil(b - 1e-6), 0)


def _in_span(Z: np.ndarray, t: np.ndarray) -> bool:
    coef = np.linalg.lstsq(Z, t, rcond=None)[0]
    return bool(np.linalg.norm(Z @ coef - t) <= 1e-12 * max(np.linalg.norm(t), 1e-300) * Z.shape[0])


def _greedy_single_weight(sc: Scaled, skip: bool, include_bias: bool) -> ReLUNetwork | None:
    """Orthogonal matching pursuit with one-nonzero neurons ``(±x_l)_+`` and the constant neuron.

    Each atom is a neuron with a single nonzero entry (a weight, or the bias for the constant
    neuron ``(b)_+``); coefficients of any sign are output weights ``v = ±1``. Succeeds when the
    chosen atoms span ``y`` (typical when ``d + 1 ≥ N``: then it gives ``N`` nonzeros or fewer).
    """
    Z, t = sc.Z, sc.t
    N, D = Z.shape
    atoms, dirs = [], []
    for col in range(D - 1):
        if np.any(Z[:, col] != 0):
            for sgn in (1.0, -1.0):
                phi = np.maximum(sgn * Z[:, col], 0.0)
                if np.any(phi > 0):
                    e = np.zeros(D)
                    e[col] = sgn
                    atoms.append(phi)
                    dirs.append(e)
    e = np.zeros(D)
    e[D - 1] = 1.0
    atoms.append(np.ones(N))
    dirs.append(e)
    A = np.array(atoms).T  # (N, n_atoms)
    base = Z if skip else np.zeros((N, 0))
    chosen: list[int] = []
    norms = np.linalg.norm(A, axis=0)
    coef = np.zeros(0)
    for _ in range(N + 1):
        M = np.concatenate([base, A[:, chosen]], axis=1)
        if M.shape[1]:
            coef = np.linalg.lstsq(M, t, rcond=None)[0]
            r = t - M @ coef
        else:
            r = t.copy()
        if np.linalg.norm(r) <= 1e-12 * np.linalg.norm(t):
            break
        score = np.abs(A.T @ r) / norms
        score[chosen] = -1
        j = int(np.argmax(score))
        if score[j] <= 0:
            return None
        chosen.append(j)
    else:
        return None
    nb = base.shape[1]
    alpha = coef[nb:]
    keep = alpha != 0
    U = np.array([abs(al) * dirs[j] for j, al in zip(chosen, alpha, strict=True)]).reshape(-1, D)[keep]
    sg = np.sign(alpha)[keep]
    a = coef[: D - 1] if skip else None
    c = coef[D - 1] if skip else 0.0
    return sc.network(U, sg, skip=skip, a=a, c=c)


def _projection_networks(sc: Scaled, skip: bool, objective: str, n_random: int = 4):
    """Interpolants from the exact 1-D solver applied to projections ``p_i = w·x_i``.

    For a direction ``w`` with distinct projections, the sparsest 1-D interpolant of ``(p, t)``
    (:func:`sparsest.exact.solve_1d`) is a network in ``x`` with one neuron per knot
    (``c (p − u)_+ = sign(c) (|c| w·x − |c| u)_+``); its affine part becomes the skip term, or one
    or two neurons that are linear on the data. Directions: the coordinate axes (two nonzeros per
    neuron) and, for ``objective="neurons"``, a few fixed random directions. Yields networks.
    """
    from .dp1d import solve_1d

    N, D = sc.Z.shape
    d = D - 1
    dirs = []
    for col in range(d):
        if np.any(sc.Z[:, col] != 0):
            e = np.zeros(d)
            e[col] = 1.0
            dirs.append(e)
    if objective == "neurons" and d > 1:
        rng = np.random.default_rng(0)
        for _ in range(n_random):
            w = rng.standard_normal(d)
            dirs.append(w / np.linalg.norm(w))
    for w in dirs:
        p = sc.Z[:, :d] @ w
        if np.unique(p).size < N:
            continue
        res = solve_1d(p, sc.t, 0.0)
        if res.status != "optimal":
            continue
        yield lift_1d(sc, w, p, res.knots, res.jumps, res.slope, res.intercept, skip)


def lift_1d(sc: Scaled, w: np.ndarray, p: np.ndarray, knots, jumps, slope: float, icpt: float, skip: bool):
    """The network in ``x`` of a univariate CPWL function of the projection ``p = w·x`` (normalized).

    ``g(p) = slope·p + icpt + Σ_j jumps_j (p − knots_j)_+`` becomes one neuron per knot
    (``c (p − u)_+ = sign(c) (|c| w·x − |c| u)_+``); the affine part becomes the skip term, or one
    or two neurons that are linear on the data ``p`` of shape (N,). ``w`` has shape (d,).
    """
    D = sc.Z.shape[1]
    d = D - 1
    U, sg = [], []
    for u, cj in zip(knots, jumps, strict=True):
        U.append(abs(cj) * np.r_[w, -u])
        sg.append(np.sign(cj))
    a = c = None
    if skip:
        a, c = slope * w, icpt
    elif slope == 0:
        if icpt != 0:
            U.append(np.r_[np.zeros(d), abs(icpt)])
            sg.append(np.sign(icpt))
    else:
        m = -icpt / slope  # slope*p + icpt = slope*(p - m)
        lo, hi = float(p.min()), float(p.max())
        if m < lo:
            U.append(abs(slope) * np.r_[w, -m])
            sg.append(np.sign(slope))
        elif m > hi:
            U.append(abs(slope) * np.r_[-w, m])
            sg.append(-np.sign(slope))
        else:  # alpha (p - m1)_+ + beta (p - m2)_+ with m2 < m1 < min p
            span = max(hi - lo, 1.0)
            m1, m2 = lo - span, lo - 2 * span
            A = np.array([[1.0, 1.0], [-m1, -m2]])
            alpha, beta = np.linalg.solve(A, [slope, icpt])
            for coef, mm in ((alpha, m1), (beta, m2)):
                if coef != 0:
                    U.append(abs(coef) * np.r_[w, -mm])
                    sg.append(np.sign(coef))
    U = np.array(U).reshape(-1, D)
    return sc.network(U, np.array(sg), skip=skip, a=a, c=0.0 if c is None else c)


def _prune(net: ReLUNetwork, rtol: float) -> ReLUNetwork:
    """Zero every path product below the counting tolerance (``rtol`` × the largest product).

    Returns ``net`` itself when nothing is below the tolerance. The caller keeps the pruned network
    only if it still interpolates, so that the reported count never ignores an entry the fit needs.
    """
    P = np.abs(net.path_products(include_bias=True))
    if P.size == 0:
        return net
    tol = rtol * float(P.max())
    small = (P <= tol) & (P > 0)
    if not np.any(small):
        return net
    W = np.where(small[:, :-1], 0.0, net.W)
    b = np.where(small[:, -1], 0.0, net.b)
    keep = (np.abs(W).max(axis=1, initial=0.0) > 0) | (b != 0)
    return ReLUNetwork(W[keep], b[keep], net.v[keep], a=net.a, c=net.c, skip=net.skip)
