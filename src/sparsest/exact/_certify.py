"""Certify that a given network is the sparsest interpolant of the data."""

from __future__ import annotations

import numpy as np

from ..data import validate_xy
from ..errors import ParameterError
from ..network import DEFAULT_RTOL, ReLUNetwork
from ..targets import Targets
from ..verify import check_interpolation, check_targets
from ._result import CertifyResult
from ._solve import OBJECTIVES, solve
from ._solve_targets import solve_targets

__all__ = ["certify", "certify_targets"]


def certify(
    network: ReLUNetwork,
    X,
    y,
    objective: str | None = None,
    *,
    time_limit: float = 60.0,
    backend: str = "highs",
    formulation: str = "auto",
    include_bias: bool = True,
    count_rtol: float = DEFAULT_RTOL,
    verbose: bool = False,
) -> CertifyResult:
    """Check ``network``'s fit and compare its count with the exact optimum (or best bound).

    The network is re-checked in float64 (:func:`sparsest.verify.check_interpolation`), counted
    (nonzero path products with the bias entry iff ``include_bias``, or active neurons), and
    :func:`sparsest.exact.solve` runs on the same data and model (skip term iff the network has
    one), warm-started with the network. ``certified`` is ``True`` exactly when the network
    interpolates, the solve reached status ``"optimal"``, and the network's count equals the
    optimum.

    Parameters
    ----------
    network : ReLUNetwork
    X : array_like of shape (N, d)
    y : array_like of shape (N,)
    objective : {"nonzeros", "neurons"}, optional
        Default: ``"neurons"`` for univariate networks, ``"nonzeros"`` otherwise.

    Returns
    -------
    CertifyResult
    """
    X, y = validate_xy(X, y)
    objective = _checked(network, X, objective, "certify")
    chk = check_interpolation(network, X, y)
    res = solve(
        X,
        y,
        objective,
        time_limit=time_limit,
        backend=backend,
        formulation=formulation,
        warm_start=network if chk.ok else None,
        skip=network.skip,
        include_bias=include_bias,
        count_rtol=count_rtol,
        verbose=verbose,
    )
    return _result(network, objective, chk.ok, chk.max_residual, res, include_bias, count_rtol)


def certify_targets(
    network: ReLUNetwork,
    X,
    targets: Targets,
    objective: str | None = None,
    *,
    time_limit: float = 60.0,
    backend: str = "highs",
    include_bias: bool = True,
    count_rtol: float = DEFAULT_RTOL,
    verbose: bool = False,
) -> CertifyResult:
    """Check ``network`` against per-point bounds and compare its count with the exact optimum.

    The bounds ``lo_i ≤ f(x_i) ≤ hi_i`` of ``targets`` (a tolerance, bounds or class margins,
    ``shared/docs/targets.md``) are re-checked in float64 (:func:`sparsest.verify.check_targets`),
    the network is counted as in :func:`certify`, and :func:`sparsest.exact.solve_targets` runs on
    the same data and model (skip term iff the network has one), warm-started with the network
    when it satisfies the bounds. ``certified`` is ``True`` exactly when the network satisfies the
    bounds, the solve reached status ``"optimal"``, and the counts agree. Only the lower-bound
    certificates that stay valid with bounds are used (see ``exact.generic_hypothesis``).

    Parameters
    ----------
    network : ReLUNetwork
    X : array_like of shape (N, d)
    targets : Targets
        ``N`` bounds (``Targets.interpolation(y)`` gives :func:`certify`'s question).
    objective : {"nonzeros", "neurons"}, optional
        Default: ``"neurons"`` for univariate networks, ``"nonzeros"`` otherwise.

    Returns
    -------
    CertifyResult
        ``interpolates`` here means *satisfies the bounds*; ``max_residual`` is
        ``max |f(x_i) − y_i|`` where the targets have a centre (``nan`` for class margins);
        ``exact`` is the :func:`solve_targets` result (its ``max_violation`` and ``rmse`` too).
    """
    if not isinstance(targets, Targets):
        raise ParameterError("certify_targets needs Targets (sparsest.make_targets)")
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    objective = _checked(network, X, objective, "certify_targets")
    chk = check_targets(network, X, targets)
    res = solve_targets(
        X,
        targets,
        objective,
        warm_start=network if chk.ok else None,
        skip=network.skip,
        include_bias=include_bias,
        time_limit=time_limit,
        backend=backend,
        count_rtol=count_rtol,
        verbose=verbose,
    )
    resid = float("nan") if chk.max_residual is None else float(chk.max_residual)
    return _result(network, objective, chk.ok, resid, res, include_bias, count_rtol)


def _checked(network, X: np.ndarray, objective: str | None, name: str) -> str:
    """The objective (default by dimension) after checking the network against ``X`` (N, d)."""
    if not isinstance(network, ReLUNetwork):
        raise ParameterError(f"{name} needs a ReLUNetwork")
    if network.n_features != X.shape[1]:
        raise ParameterError(
            f"the network has {network.n_features} input(s) but the data have {X.shape[1]} feature(s)"
        )
    if objective is None:
        objective = "neurons" if X.shape[1] == 1 else "nonzeros"
    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    return objective


def _result(network, objective, ok, max_residual, res, include_bias, count_rtol) -> CertifyResult:
    """The network's counts against the exact result ``res`` (certified: fits, optimal, equal)."""
    n_neurons = network.n_active_neurons(include_bias=True, rtol=count_rtol)
    n_nonzero = network.n_nonzero(include_bias=include_bias, rtol=count_rtol)
    count = n_nonzero if objective == "nonzeros" else n_neurons
    optimum = res.objective if res.status == "optimal" else None
    gap = 0.0 if count == 0 else float(np.clip((count - res.bound) / count, 0.0, 1.0))
    return CertifyResult(
        interpolates=ok,
        max_residual=max_residual,
        n_neurons=n_neurons,
        n_nonzero=n_nonzero,
        count=count,
        objective_name=objective,
        optimum=optimum,
        bound=res.bound,
        gap=gap,
        certified=bool(ok and optimum is not None and count == optimum),
        status=res.status,
        assumptions=list(res.assumptions),
        exact=res,
    )
