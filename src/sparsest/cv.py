"""Paths of sparse fits and their cross-validation: :func:`path`, :func:`cross_validate_path`,
:class:`SparseReLURegressorCV`.

A *path* is one fitted network per value of a sparsity control, from the sparsest to the densest:

* ``knots`` (1-D): ``k = 0, 1, …, K`` knots; the fit with ``k`` knots is the least-squares
  continuous piecewise-linear fit with (at most) ``k`` knots from the exact frontier
  (:func:`sparsest.exact.frontier1d.frontier_1d`; a local optimum of a non-convex problem, started
  from the exact ℓ∞ solutions), i.e. ``min_f (1/N) Σ_i (f(x_i) − y_i)²`` over ``f`` with ``k`` knots.
* ``tols`` (1-D): tolerances ``ε`` from large to small; the fit at ``ε`` is the exact fewest-knot fit
  with ``|f(x_i) − y_i| ≤ ε`` for all ``i`` (:func:`sparsest.exact.tube1d.solve_tube_1d`).
* ``alphas`` (any dimension): penalties ``α`` from large to small; the fit at ``α`` minimizes
  ``mean_i (f(x_i) − y_i)² / var(y) + α · nnz(f)`` (``nnz``: nonzero weights including biases in d-D,
  knots in 1-D) with the ``sparsest`` trainer, warm-started from the fit at the previous, larger
  ``α`` (:func:`sparsest.train.engine.train` with ``init=``).

Cross-validation (:func:`cross_validate_path`) splits the data into ``K`` folds (shuffled with the
seed), fits the path on every ``K − 1`` folds and scores the held-out fold by its mean squared error
``MSE_j(v) = (1/|F_j|) Σ_{i∈F_j} (f_v^{(−j)}(x_i) − y_i)²``. Per value ``v``:
``mean(v) = (1/K) Σ_j MSE_j(v)``, ``std(v)`` (sample standard deviation over the folds, ``ddof = 1``)
and ``se(v) = std(v)/√K``. Selection: ``"min"`` takes the least ``mean``; ``"1se"`` takes, among the
values with ``mean(v) ≤ mean(v_min) + se(v_min)``, the one whose full-data fit has the fewest nonzeros
(ties: the lower ``mean``), so it never has more nonzeros than the ``"min"`` choice. The chosen model
is the full-data path's fit at the chosen value. The ``K`` fold paths and the full-data path are
``K + 1`` independent tasks (:func:`sparsest.parallel.run_tasks`), seeded from ``(seed, task)``: the
results are identical for every backend and job count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .errors import ParameterError

__all__ = [
    "DEFAULT_ALPHAS",
    "DEFAULT_MAX_KNOTS",
    "CVPathResult",
    "PathResult",
    "SparseReLURegressorCV",
    "alpha_available",
    "cross_validate_path",
    "path",
    "select",
]

#: default α grid (d-D): 8 values, log-spaced from 0.1 down to 0.001
DEFAULT_ALPHAS = tuple(float(a) for a in np.geomspace(0.1, 1e-3, 8))
#: default largest knot count of the 1-D grid ``k = 0 … K``
DEFAULT_MAX_KNOTS = 20
#: bisection accuracy of ε*(k) in the frontier used by the knots path (the ε only seed the fits)
PATH_RTOL = 1e-3

_PARAM = {"alphas": "alpha", "tols": "tol", "knots": "knots"}


def alpha_available() -> bool:
    """Whether this installation's :class:`~sparsest.SparseReLURegressor` has penalized fits (``alpha``)."""
    from .estimator import SparseReLURegressor

    return "alpha" in SparseReLURegressor().get_params()


# ------------------------------------------------------------------------------------------ grids
def _float_grid(values, name: str, *, positive: bool) -> np.ndarray:
    try:
        v = np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a list of numbers, got {values!r}") from None
    if v.size == 0:
        raise ParameterError(f"{name} must not be empty")
    bad = ~np.isfinite(v) | ((v <= 0) if positive else (v < 0))
    if np.any(bad):
        raise ParameterError(f"{name} must be {'> 0' if positive else '>= 0'} and finite, got {v[bad][0]!r}")
    return np.unique(v)[::-1].copy()  # large to small: sparsest first


def resolve_grid(
    d: int, *, alphas=None, tols=None, knots=None, max_knots: int = DEFAULT_MAX_KNOTS
) -> tuple[str, np.ndarray]:
    """The path's control and values, in path order (sparsest first).

    Parameters
    ----------
    d : int
        Input dimension.
    alphas, tols, knots : sequence, optional
        At most one. ``alphas > 0`` (sorted large to small), ``tols >= 0`` (large to small, 1-D),
        integer ``knots >= 0`` (small to large, 1-D). None: ``knots = 0 … max_knots`` in 1-D,
        :data:`DEFAULT_ALPHAS` in d-D.
    max_knots : int
        ``K`` of the default 1-D grid.

    Returns
    -------
    param : {"alpha", "tol", "knots"}
    values : ndarray of shape (V,)
    """
    given = [name for name, v in (("alphas", alphas), ("tols", tols), ("knots", knots)) if v is not None]
    if len(given) > 1:
        raise ParameterError(f"give at most one of alphas, tols, knots (got {' and '.join(given)})")
    if not given:
        if d == 1:
            if isinstance(max_knots, bool) or int(max_knots) != max_knots or max_knots < 0:
                raise ParameterError(f"max_knots must be an integer >= 0, got {max_knots!r}")
            return "knots", np.arange(int(max_knots) + 1)
        return "alpha", np.array(DEFAULT_ALPHAS)
    name = given[0]
    if name != "alphas" and d != 1:
        raise ParameterError(f"{name} paths are 1-D only for now (the data have {d} inputs); use alphas")
    if name == "knots":
        try:
            k = np.array(knots, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ParameterError(f"knots must be a list of integers, got {knots!r}") from None
        if k.size == 0 or np.any(~np.isfinite(k)) or np.any(k < 0) or np.any(k != np.round(k)):
            raise ParameterError(f"knots must be a non-empty list of integers >= 0, got {knots!r}")
        return "knots", np.unique(k.astype(np.int64))
    values = _float_grid(alphas if name == "alphas" else tols, name, positive=name == "alphas")
    return _PARAM[name], values


# ------------------------------------------------------------------------------------------ paths
@dataclass
class PathResult:
    """One fitted network per value of the sparsity control (:func:`path`).

    Attributes
    ----------
    param : {"alpha", "tol", "knots"}
    values : ndarray of shape (V,)
        In path order: ``alpha`` and ``tol`` decreasing, ``knots`` increasing.
    networks : list of V ReLUNetwork
    n_nonzero : ndarray of int, shape (V,)
        Nonzero path products (d-D: biases included; 1-D: the knots).
    n_neurons : ndarray of int, shape (V,)
        Active neurons.
    train_mse : ndarray of shape (V,)
        ``(1/N) Σ_i (f(x_i) − y_i)²`` on the data the path was fitted to.
    seconds : float
    """

    param: str
    values: np.ndarray
    networks: list
    n_nonzero: np.ndarray
    n_neurons: np.ndarray
    train_mse: np.ndarray
    seconds: float = 0.0

    def predict(self, X) -> np.ndarray:
        """Every network's output at ``X`` of shape (M, d); returns shape (V, M)."""
        return np.array([net.predict(X) for net in self.networks])

    def to_rows(self) -> list[dict]:
        """One dict per value: ``value, n_nonzero, n_neurons, train_mse``."""
        return [
            {
                "value": _scalar(self.values[i]),
                "n_nonzero": int(self.n_nonzero[i]),
                "n_neurons": int(self.n_neurons[i]),
                "train_mse": float(self.train_mse[i]),
            }
            for i in range(len(self.values))
        ]


def _scalar(v):
    return int(v) if isinstance(v, (int, np.integer)) else float(v)


def _distinct_1d(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct inputs with the mean target of each (repeated measurements averaged)."""
    xs, inv = np.unique(x, return_inverse=True)
    ys = np.bincount(inv, weights=y) / np.bincount(inv)
    return xs, ys


def _mse(net, X: np.ndarray, y: np.ndarray) -> float:
    r = net.predict(X) - y
    return float(np.mean(r * r))


def _path_knots(X: np.ndarray, y: np.ndarray, ks: np.ndarray, rtol: float) -> list:
    from .exact.frontier1d import frontier_1d
    from .network import ReLUNetwork

    xs, ys = _distinct_1d(X[:, 0], y)
    if xs.size < 2:
        return [ReLUNetwork.from_knots([], [], 0.0, float(np.mean(ys)))] * len(ks)
    kcap = min(int(ks.max()), xs.size - 2)  # N − 2 interior knots interpolate N points
    fr = frontier_1d(xs, ys, kcap, rtol=rtol)
    return [fr.fits[min(int(k), kcap)].network for k in ks]


def _path_tols(X: np.ndarray, y: np.ndarray, tols: np.ndarray) -> list:
    from .exact.tube1d import solve_tube_1d
    from .targets import Targets

    xs, ys = _distinct_1d(X[:, 0], y)
    return [solve_tube_1d(xs, Targets.tolerance(ys, float(t))).network for t in tols]


def _path_alphas(X: np.ndarray, y: np.ndarray, alphas: np.ndarray, seed: int, options: dict) -> list:
    """The α path: ``train(method="sparsest", alpha=α, init=previous fit)`` from large to small α
    (``options["warm_start"] = False``: every fit from the trainer's own initialization)."""
    if not alpha_available():
        raise ParameterError(
            "penalized fits (alpha) are not available in this version of sparsest; for 1-D data use "
            "knots or tols (the exact frontier)"
        )
    from .train.engine import train

    options = dict(options)
    warm = bool(options.pop("warm_start", True))
    nets, prev = [], None
    for a in alphas:
        res = train(
            X, y, method="sparsest", alpha=float(a), seed=int(seed), init=prev, progress=False, **options
        )
        nets.append(res.network)
        prev = res.network if warm else None
    return nets


def _fit_path(X, y, param: str, values: np.ndarray, seed: int, rtol: float, options: dict) -> PathResult:
    t0 = time.perf_counter()
    if param == "knots":
        nets = _path_knots(X, y, values, rtol)
    elif param == "tol":
        nets = _path_tols(X, y, values)
    else:
        nets = _path_alphas(X, y, values, seed, options)
    return PathResult(
        param=param,
        values=values,
        networks=nets,
        n_nonzero=np.array([net.n_nonzero() for net in nets], dtype=np.int64),
        n_neurons=np.array([net.n_active_neurons() for net in nets], dtype=np.int64),
        train_mse=np.array([_mse(net, X, y) for net in nets]),
        seconds=time.perf_counter() - t0,
    )


def path(
    X,
    y,
    *,
    alphas=None,
    tols=None,
    knots=None,
    max_knots: int = DEFAULT_MAX_KNOTS,
    seed: int = 0,
    rtol: float = PATH_RTOL,
    train_options: dict | None = None,
) -> PathResult:
    """Fit one network per value of ``alphas``, ``tols`` or ``knots`` (module docstring).

    Parameters
    ----------
    X : array_like of shape (N, d), or (N,)
    y : array_like of shape (N,)
    alphas : sequence of float > 0, optional
        Penalties (any ``d``): fitted from large to small, each warm-started from the previous fit.
    tols : sequence of float >= 0, optional
        Tolerances (1-D): the exact fewest-knot fit within ``±tol``.
    knots : sequence of int >= 0, optional
        Knot counts (1-D): the least-squares fit with ``k`` knots from the exact frontier.
    max_knots : int
        Without a grid: 1-D paths are ``knots = 0 … max_knots``; d-D paths use :data:`DEFAULT_ALPHAS`.
    seed : int
        Seed of the trainer (``alphas``; the 1-D paths are deterministic).
    rtol : float
        Bisection accuracy of ``ε^*(k)`` in the frontier (``knots``).
    train_options : dict, optional
        Further keyword arguments of :func:`sparsest.train.engine.train` (``alphas``), and
        ``warm_start`` (default True: each fit starts from the previous one).

    Returns
    -------
    PathResult
        Repeated inputs are averaged first in 1-D; ``train_mse`` is measured on the data as given.
    """
    from .data import validate_xy

    X, y = validate_xy(X, y, where="path")
    param, values = resolve_grid(X.shape[1], alphas=alphas, tols=tols, knots=knots, max_knots=max_knots)
    return _fit_path(X, y, param, values, int(seed), float(rtol), dict(train_options or {}))


# ------------------------------------------------------------------------------------------ CV
@dataclass
class CVPathResult:
    """Cross-validated path (:func:`cross_validate_path`).

    Attributes
    ----------
    param : {"alpha", "tol", "knots"}
    values : ndarray of shape (V,)
    fold_mse : ndarray of shape (K, V)
        Held-out mean squared error of fold ``j``'s fit at each value.
    mean, std, se : ndarray of shape (V,)
        Mean over folds, sample standard deviation (``ddof = 1``; 0 for ``K = 1``), ``std/√K``.
    fold_n_nonzero : ndarray of int, shape (K, V)
    full : PathResult
        The path fitted to all the data (its ``n_nonzero`` are the counts used by ``"1se"``).
    index_min, index_1se : int
        The ``"min"`` and ``"1se"`` choices (indices into ``values``).
    selection : {"min", "1se"}
    n_splits, seed : int
    report : RunReport
        Where and how the ``K + 1`` tasks ran.
    seconds : float
    """

    param: str
    values: np.ndarray
    fold_mse: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    se: np.ndarray
    fold_n_nonzero: np.ndarray
    full: PathResult
    index_min: int
    index_1se: int
    selection: str
    n_splits: int
    seed: int
    report: object = None
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def index(self) -> int:
        """Index of the chosen value (by :attr:`selection`)."""
        return self.index_min if self.selection == "min" else self.index_1se

    @property
    def chosen(self):
        return _scalar(self.values[self.index])

    @property
    def network(self):
        """The full-data fit at the chosen value."""
        return self.full.networks[self.index]

    def to_rows(self) -> list[dict]:
        """One dict per value: ``value, n_nonzero, n_neurons, train_mse`` (full data), ``cv_error``
        (mean held-out MSE), ``cv_std``, ``cv_se``, ``fold_errors``, ``min``/``1se``/``chosen`` flags."""
        rows = self.full.to_rows()
        for i, row in enumerate(rows):
            row.update(
                cv_error=float(self.mean[i]),
                cv_std=float(self.std[i]),
                cv_se=float(self.se[i]),
                fold_errors=[float(e) for e in self.fold_mse[:, i]],
                min=i == self.index_min,
                **{"1se": i == self.index_1se},
                chosen=i == self.index,
            )
        return rows


def select(mean, se, n_nonzero) -> tuple[int, int]:
    """The ``"min"`` and ``"1se"`` choices from CV errors (module docstring).

    Parameters
    ----------
    mean, se : array_like of shape (V,)
        Mean CV error and its standard error per value.
    n_nonzero : array_like of int, shape (V,)

    Returns
    -------
    index_min, index_1se : int
        ``argmin mean`` (first on ties); among ``{v : mean_v ≤ mean_min + se_min}`` the fewest
        ``n_nonzero``, then the least ``mean``, then the first.
    """
    mean = np.asarray(mean, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    nnz = np.asarray(n_nonzero)
    i_min = int(np.argmin(mean))
    ok = np.flatnonzero(mean <= mean[i_min] + se[i_min])
    i_1se = int(min(ok, key=lambda i: (nnz[i], mean[i], i)))
    return i_min, i_1se


def _fold_task(X, y, train_idx, test_idx, param, values, seed, rtol, options) -> dict:
    """One fold: the path on ``train_idx``, scored on ``test_idx``."""
    res = _fit_path(X[train_idx], y[train_idx], param, values, seed, rtol, options)
    Xt, yt = X[test_idx], y[test_idx]
    return {
        "mse": np.array([_mse(net, Xt, yt) for net in res.networks]),
        "n_nonzero": res.n_nonzero,
        "seconds": res.seconds,
    }


def _full_task(X, y, param, values, seed, rtol, options) -> PathResult:
    return _fit_path(X, y, param, values, seed, rtol, options)


def _task(kind: str, fold: int, seed: int, **kw):
    """Task entry point (``kind`` and ``fold`` name the task in reports)."""
    if kind == "full":
        return _full_task(seed=seed, **kw)
    return _fold_task(seed=seed, **kw)


def fold_indices(n: int, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``K`` shuffled folds of ``range(n)``: ``(train, test)`` index pairs.

    The permutation is drawn from ``SeedSequence([|seed|, [seed < 0], 2**32 − 1])`` (a stream no task
    uses); fold ``j`` is the ``j``-th of ``K`` nearly equal consecutive slices of it.
    """
    from .parallel import _entropy

    if isinstance(n_splits, bool) or int(n_splits) != n_splits or not 2 <= n_splits <= n:
        raise ParameterError(f"cv must be an integer in [2, {n}] (the number of points), got {n_splits!r}")
    rng = np.random.default_rng(np.random.SeedSequence([*_entropy(seed), 2**32 - 1]))
    perm = rng.permutation(n)
    out = []
    for part in np.array_split(np.arange(n), int(n_splits)):
        test = np.sort(perm[part])
        train = np.sort(np.setdiff1d(perm, test, assume_unique=True))
        out.append((train, test))
    return out


def cross_validate_path(
    X,
    y,
    *,
    alphas=None,
    tols=None,
    knots=None,
    max_knots: int = DEFAULT_MAX_KNOTS,
    cv: int = 5,
    selection: str = "min",
    seed: int = 0,
    n_jobs: int | None = 1,
    scheduler: str | None = None,
    progress: bool = False,
    rtol: float = PATH_RTOL,
    train_options: dict | None = None,
) -> CVPathResult:
    """``K``-fold cross-validation over a path (module docstring), in parallel.

    Parameters
    ----------
    X : array_like of shape (N, d), or (N,)
    y : array_like of shape (N,)
    alphas, tols, knots, max_knots, rtol, train_options
        The path (:func:`path`). The default 1-D grid is ``knots = 0 … max_knots``, capped at
        ``N_train − 2`` of the smallest training fold.
    cv : int
        Number of folds ``K >= 2``.
    selection : {"min", "1se"}
    seed : int
        Seeds the folds (:func:`fold_indices`) and every task: task 0 (all data) uses ``seed``, as
        :func:`path` does; fold ``j`` uses :func:`sparsest.parallel.task_seed` ``(seed, j + 1)``.
    n_jobs, scheduler, progress
        How the ``K + 1`` tasks run (:func:`sparsest.parallel.run_tasks`).

    Returns
    -------
    CVPathResult
    """
    from .data import validate_xy
    from .parallel import run_tasks, task_seed

    t0 = time.perf_counter()
    if selection not in ("min", "1se"):
        raise ParameterError(f"selection must be 'min' or '1se', got {selection!r}")
    X, y = validate_xy(X, y, where="cross-validation")
    n, d = X.shape
    folds = fold_indices(n, cv, seed)
    if d == 1 and alphas is None and tols is None and knots is None:
        smallest = min(np.unique(X[tr, 0]).size for tr, _ in folds)
        max_knots = min(int(max_knots), max(smallest - 2, 0)) if int(max_knots) >= 0 else max_knots
    param, values = resolve_grid(d, alphas=alphas, tols=tols, knots=knots, max_knots=max_knots)
    if param == "alpha" and not alpha_available():
        _path_alphas(X, y, values[:0], 0, {})  # the one-line error, before any task starts
    options = dict(train_options or {})
    common = {"X": X, "y": y, "param": param, "values": values, "rtol": float(rtol), "options": options}
    tasks = [{"kind": "full", "fold": 0, "seed": int(seed), **common}]
    labels = [f"all data, seed {int(seed)}"]
    for j, (tr, te) in enumerate(folds):
        s = task_seed(seed, j + 1)
        tasks.append({"kind": "fold", "fold": j + 1, "seed": s, "train_idx": tr, "test_idx": te, **common})
        labels.append(f"fold {j + 1} of {len(folds)}, seed {s}")
    report = run_tasks(
        _task, tasks, n_jobs=n_jobs, scheduler=scheduler, progress=progress, desc="cv path", labels=labels
    )
    full = report.values[0]
    fold_mse = np.array([v["mse"] for v in report.values[1:]])
    k = fold_mse.shape[0]
    mean = fold_mse.mean(axis=0)
    std = fold_mse.std(axis=0, ddof=1) if k > 1 else np.zeros_like(mean)
    se = std / np.sqrt(k)
    i_min, i_1se = select(mean, se, full.n_nonzero)
    return CVPathResult(
        param=param,
        values=values,
        fold_mse=fold_mse,
        mean=mean,
        std=std,
        se=se,
        fold_n_nonzero=np.array([v["n_nonzero"] for v in report.values[1:]]),
        full=full,
        index_min=i_min,
        index_1se=i_1se,
        selection=selection,
        n_splits=k,
        seed=int(seed),
        report=report,
        seconds=time.perf_counter() - t0,
    )


# ------------------------------------------------------------------------------------------ estimator
class SparseReLURegressorCV(RegressorMixin, BaseEstimator):
    """Sparse ReLU network with its sparsity chosen by ``K``-fold cross-validation (like ``LassoCV``).

    ``fit`` runs :func:`cross_validate_path` over ``alphas``, ``tols`` or ``knots`` (default: knot
    counts ``0 … max_knots`` in 1-D, :data:`DEFAULT_ALPHAS` in d-D), picks a value by ``selection`` and
    keeps the fit to all the data at that value.

    Parameters
    ----------
    alphas : sequence of float > 0, optional
        Penalties ``α`` of ``mean((f − y)²)/var(y) + α·nnz`` (any dimension; warm-started path).
    tols : sequence of float >= 0, optional
        1-D: tolerances of the exact fewest-knot fit within ``±tol``.
    knots : sequence of int >= 0, optional
        1-D: knot counts of the least-squares frontier.
    max_knots : int, default 20
        ``K`` of the default 1-D grid ``0 … K`` (capped by the smallest training fold).
    cv : int, default 5
        Number of folds.
    selection : {"min", "1se"}, default "min"
        Least mean CV error, or the sparsest value within one standard error of it.
    n_jobs : int, optional
        Local worker processes for the ``cv + 1`` tasks (``None``/1: serial; ``-1``: all cores).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler, or ``"ray"`` (:mod:`sparsest.parallel`).
    random_state : int, optional
        Seed of the folds and of every fit (``None``: 0, so fits are repeatable).
    progress : bool, default False
        A progress bar over the tasks on stderr.
    train_options : dict, optional
        Extra keyword arguments of :func:`sparsest.train.engine.train` (``alphas`` paths).

    Attributes
    ----------
    network_ : ReLUNetwork
        The full-data fit at the chosen value.
    param_ : {"alpha", "tol", "knots"}
    value_ : float or int
        The chosen value (also as ``alpha_``, ``tol_`` or ``knots_``).
    best_index_ : int
    path_ : dict of ndarray
        ``value``, ``n_nonzero``, ``n_neurons``, ``train_mse``, ``mean_cv_error``, ``std_cv_error``,
        ``se_cv_error`` (shape (V,)), ``fold_cv_error`` (shape (cv, V)).
    cv_path_ : CVPathResult
    n_nonzero_, n_neurons_ : int
        Counts of ``network_``.
    cv_error_ : float
        Mean CV error at the chosen value.
    n_features_in_ : int
    """

    def __init__(
        self,
        alphas=None,
        tols=None,
        knots=None,
        max_knots: int = DEFAULT_MAX_KNOTS,
        cv: int = 5,
        selection: str = "min",
        n_jobs: int | None = None,
        scheduler: str | None = None,
        random_state: int | None = None,
        progress: bool = False,
        train_options: dict | None = None,
    ) -> None:
        self.alphas = alphas
        self.tols = tols
        self.knots = knots
        self.max_knots = max_knots
        self.cv = cv
        self.selection = selection
        self.n_jobs = n_jobs
        self.scheduler = scheduler
        self.random_state = random_state
        self.progress = progress
        self.train_options = train_options

    def fit(self, X, y) -> SparseReLURegressorCV:
        """Cross-validate the path on ``X`` (N, d), ``y`` (N,) and refit; returns ``self``."""
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2, y_numeric=True)
        if self.random_state is not None and not isinstance(self.random_state, (int, np.integer)):
            raise ParameterError(
                f"random_state must be an int or None, got {type(self.random_state).__name__}"
            )
        res = cross_validate_path(
            X,
            y,
            alphas=self.alphas,
            tols=self.tols,
            knots=self.knots,
            max_knots=self.max_knots,
            cv=self.cv,
            selection=self.selection,
            seed=0 if self.random_state is None else int(self.random_state),
            n_jobs=self.n_jobs,
            scheduler=self.scheduler,
            progress=self.progress,
            train_options=self.train_options,
        )
        i = res.index
        self.cv_path_ = res
        self.param_ = res.param
        self.best_index_ = i
        self.value_ = res.chosen
        setattr(self, f"{res.param}_", res.chosen)
        self.network_ = res.network
        self.n_nonzero_ = int(res.full.n_nonzero[i])
        self.n_neurons_ = int(res.full.n_neurons[i])
        self.cv_error_ = float(res.mean[i])
        self.path_ = {
            "value": res.values.copy(),
            "n_nonzero": res.full.n_nonzero.copy(),
            "n_neurons": res.full.n_neurons.copy(),
            "train_mse": res.full.train_mse.copy(),
            "mean_cv_error": res.mean.copy(),
            "std_cv_error": res.std.copy(),
            "se_cv_error": res.se.copy(),
            "fold_cv_error": res.fold_mse.copy(),
        }
        return self

    def predict(self, X) -> np.ndarray:
        """Output of the chosen network at ``X`` of shape (M, d); returns shape (M,)."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.network_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags
