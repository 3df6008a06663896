"""The penalized mode of the ``sparsest`` trainer: the sparsest network that predicts well.

Objective (``shared/docs/targets.md`` §5), ``α`` on a data-set independent scale::

    J(f) = mean_i (f(x_i) − y_i)² / var(y) + α · count(f)

with ``count`` the nonzero path products including biases (d-D, ``objective="nonzeros"``) or the
active neurons (1-D, ``objective="neurons"``; the skip term ``a x + c`` is free there).

Algorithm (the interpolation mode's phases, with the penalized loss and polish):

1. **Normalize** as the interpolation mode does (:class:`sparsest.train.sparsest._Scaler`: in d-D
   the inputs and ``y`` are scaled, not centred, so zero weights and biases stay zero).
2. **Batched gradient phase**: ``R`` restarts of width ``K`` (defaults 8 × 64, independent of ``N``)
   trained as one tensor computation: Adam on the mean-squared error, then the reweighted-ℓ1 prox
   of the ℓp path norm (the paper's Algorithm 1 in its consistent form) with continuation of the
   exponent from 1 to ``p``; restart ``r`` uses its own ``λ_r = α · m_r`` (``m_r`` log-spaced over
   ``[0.1, 3]``), so the batch offers denser and sparser candidate supports.
3. **ℓ0 polish** of each restart (:mod:`sparsest.train.l0polish`): on the restart's activation
   patterns the count-penalized least squares is an ℓ0-regularized linear regression, solved by
   coordinate descent with hard thresholding, swaps, neuron drops and a least-squares re-fit. The
   polished network's patterns are re-derived by the float64 forward pass and the polish repeated
   on them; a network is accepted only when its *actual* objective (forward pass) falls. Each
   restart is also polished along a short ladder of penalties ``f · α`` (``polish_ladder``) and
   then at ``α``: the ℓ0 polish is a local search, and a start from a denser (or sparser) support
   reaches optima the direct polish misses (default ``f`` = 2 and 1/2: on Friedman #1 this finds
   the 12-nonzero optimum at α = 0.01 and 0.015 that the direct polish missed, for well under a
   second against the gradient phase's ~20 s; smaller ``f`` start the polish from dense supports
   and cost tens of seconds on noisy data).
4. **Fine-tune** of the best polished network: a short masked Adam run on the mean-squared error
   moves its hyperplanes (the support fixed), then one more polish on the new patterns; kept only
   when ``J`` falls.
5. **Pooled polish**: the restarts found different neurons; the winner's fixed-pattern problem is
   extended by every distinct neuron of the other polished restarts, and the polish may add one with
   its whole support or swap it in for a used neuron (:meth:`_Penalized.pool_polish`), repeated
   while ``J`` falls.
6. **Un-normalize** (function-preserving) and report counts, ``inputs_used``, RMSE and R².

**Budget mode** (``budget=K``): the same phases with ``count ≤ K`` enforced in every polish
(:class:`sparsest.train.l0polish.L0Problem`'s ``max_count``) and networks above ``K`` never kept;
with ``alpha = 0`` it is the least-squares fit within the budget. A penalty only selects networks
on the lower convex hull of (count, error); the budget reaches every count.

Deterministic for a seed (a private ``torch.Generator``); ``max_seconds`` stops the gradient phase
and the polish early (the best network so far is returned).
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from ..errors import ParameterError
from ..network import ReLUNetwork
from ..verify import rmse_r2
from .l0polish import L0Problem, l0_polish
from .polish import single_threaded_blas
from .sparsest import (
    SparsestFit,
    _BatchAdam,
    _conventions,
    _count,
    _init_batch,
    _mse_and_gradients,
    _progress_bar,
    _prox_,
    _Scaler,
    _trim_heap,
)

__all__ = [
    "PENALIZED_RESTARTS",
    "PENALIZED_WIDTH",
    "check_budget",
    "fit_penalized",
    "gradient_phase",
    "penalized_objective",
]

#: default neurons per restart of the penalized mode (independent of N)
PENALIZED_WIDTH = 64
#: default restarts trained together by the penalized, budget and bounded modes (independent of N)
PENALIZED_RESTARTS = 8

#: cost per counted unit in the polish of a budget fit with alpha = 0 (marks the units, breaks ties)
_TIE_COST = 1e-9

#: rows per chunk of the float64 forward pass on large data
_EVAL_CHUNK = 65536


def _predict(net: ReLUNetwork, X: np.ndarray) -> np.ndarray:
    if X.shape[0] <= _EVAL_CHUNK:
        return net.predict(X)
    return np.concatenate([net.predict(X[s : s + _EVAL_CHUNK]) for s in range(0, X.shape[0], _EVAL_CHUNK)])


def penalized_objective(
    net: ReLUNetwork, X, y, alpha: float, *, objective: str | None = None, include_bias: bool | None = None
) -> float:
    """``J(f) = mean((f(x_i) − y_i)²) / var(y) + α · count(f)`` of ``net`` on ``(X, y)``.

    Parameters
    ----------
    net : ReLUNetwork
    X : array_like of shape (N, d)
    y : array_like of shape (N,)
    alpha : float >= 0
    objective : {"neurons", "nonzeros"}, optional
        Default: neurons in 1-D, nonzeros in d-D.
    include_bias : bool, optional
        Count biases (default ``d > 1``).
    """
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    d = X.shape[1]
    objective = objective or ("neurons" if d == 1 else "nonzeros")
    ib = (d > 1) if include_bias is None else bool(include_bias)
    var = float(np.var(y))
    var = var if var > 0 else 1.0
    r = _predict(net, X) - y
    return float(np.mean(r * r)) / var + float(alpha) * _count(net, objective, ib)


def check_budget(budget) -> int | None:
    """``budget`` as an ``int >= 0`` (``None`` stays ``None``); otherwise one-line
    :class:`~sparsest.errors.ParameterError`."""
    if budget is None:
        return None
    if (
        isinstance(budget, bool)
        or not isinstance(budget, (int, float, np.integer, np.floating))
        or not math.isfinite(budget)
        or int(budget) != budget
        or budget < 0
    ):
        raise ParameterError(f"budget must be an integer >= 0, got {budget!r}")
    return int(budget)


def _better(J_new: float, J_old: float) -> bool:
    """``J_new`` clearly below ``J_old`` (relative margin 1e-13; any finite value beats ``inf``,
    the objective of a network above the budget)."""
    if math.isinf(J_old):
        return J_new < J_old
    return J_new < J_old - 1e-13 * max(1.0, abs(J_old))


class _Penalized:
    """Objective bookkeeping on the normalized data."""

    def __init__(self, Xn, yn, alpha, objective, ib, skip, budget=None):
        self.X, self.y = Xn, yn
        self.N, self.d = Xn.shape
        self.alpha, self.objective, self.ib, self.skip = float(alpha), objective, ib, skip
        self.budget = None if budget is None else int(budget)
        var = float(np.var(yn))
        self.var = var if var > 0 else 1.0
        self.Xb = np.concatenate([Xn, np.ones((self.N, 1))], axis=1)
        self.free = np.concatenate([Xn, np.ones((self.N, 1))], axis=1) if skip else np.zeros((self.N, 0))
        # with a budget and alpha = 0 a tiny cost still marks the counted units (and breaks ties)
        unit_cost = self.alpha if (self.alpha > 0 or budget is None) else _TIE_COST
        if objective == "neurons":
            self.cost_w, self.cost_n = 0.0, unit_cost
        else:
            cw = np.full(self.d + 1, unit_cost)
            if not ib:
                cw[-1] = 0.0
            self.cost_w, self.cost_n = cw, 0.0

    def J(self, net: ReLUNetwork) -> float:
        """The objective of ``net`` (``inf`` when its count exceeds the budget)."""
        n = _count(net, self.objective, self.ib)
        if self.budget is not None and n > self.budget:
            return math.inf
        r = _predict(net, self.X) - self.y
        return float(np.mean(r * r)) / self.var + self.alpha * n

    def problem(self, D: np.ndarray) -> L0Problem:
        """The fixed-pattern ℓ0 problem on activation patterns ``D`` of shape (N, K)."""
        return L0Problem(
            self.Xb, self.y, D, self.free, self.N * self.var, self.cost_w, self.cost_n, max_count=self.budget
        )

    def network(self, sigma: np.ndarray, U: np.ndarray, free: np.ndarray) -> ReLUNetwork:
        """The network with output signs ``σ`` and signed products ``β_k = U_k`` (rows of (K, d + 1))."""
        keep = np.any(U != 0, axis=1)
        s, Uk = sigma[keep], U[keep]
        W = s[:, None] * Uk[:, :-1]
        b = s * Uk[:, -1]
        if self.skip:
            return ReLUNetwork(W, b, s.astype(float), a=free[:-1], c=float(free[-1]), skip=True)
        return ReLUNetwork(W, b, s.astype(float), skip=False)

    def polish(
        self, net: ReLUNetwork, rounds: int = 6, deadline: float | None = None
    ) -> tuple[ReLUNetwork, float]:
        """ℓ0 polish on ``net``'s patterns, repeated on the re-derived patterns; returns the network
        with the least actual objective seen (never worse than ``net``) and that objective."""
        best, best_J = net, self.J(net)
        cur = net
        for _ in range(rounds):
            act = cur.active_mask(self.ib) if cur.width else np.zeros(0, dtype=bool)
            sub = cur.subset(act)
            if sub.width == 0:
                break
            sigma = np.where(sub.v >= 0, 1.0, -1.0)
            U0 = np.concatenate([sub.W, sub.b[:, None]], axis=1) * sub.v[:, None]
            D = (self.Xb @ np.concatenate([sub.W, sub.b[:, None]], axis=1).T) > 0
            free0 = np.r_[sub.a, sub.c] if self.skip else np.zeros(0)
            sol = l0_polish(self.problem(D), U0, free0)
            nxt = self.network(sigma, sol.U, sol.free)
            Jn = self.J(nxt)
            if _better(Jn, best_J):
                best, best_J = nxt, Jn
            D2 = (self.Xb @ (sigma[:, None] * sol.U).T) > 0
            if np.array_equal(D2[:, np.any(sol.U != 0, axis=1)], D[:, np.any(sol.U != 0, axis=1)]):
                break  # patterns consistent: the fixed-pattern optimum is the network's own
            cur = nxt
            if deadline is not None and time.perf_counter() > deadline:
                break
        return best, best_J

    def pool_polish(
        self, net: ReLUNetwork, pool: list[ReLUNetwork], deadline: float | None = None, max_pool: int = 256
    ) -> tuple[ReLUNetwork, float]:
        """ℓ0 polish of ``net`` with whole-neuron additions and swaps from the neurons of ``pool``.

        The fixed-pattern problem holds ``net``'s active neurons (its start) and every distinct
        active neuron of the networks in ``pool`` (at most ``max_pool``; distinct: output sign,
        support or activation pattern differ), each with its own pattern and its support as its
        template; :func:`sparsest.train.l0polish.l0_polish` may then add a pool neuron with all
        its entries at once or swap one in for a used neuron, which the coordinate moves on a
        single network cannot do. The result is re-polished on its re-derived patterns
        (:meth:`polish`). Returns the network with the least actual objective (never worse than
        ``net``) and that objective.
        """
        J0 = self.J(net)
        if net.width == 0:
            return net, J0
        rows_U, rows_s, keys = [], [], set()

        def add(n: ReLUNetwork) -> None:
            if n.width == 0:
                return
            sub = n.subset(n.active_mask(self.ib))
            H = np.concatenate([sub.W, sub.b[:, None]], axis=1)
            D = (self.Xb @ H.T) > 0
            for k in range(sub.width):
                if len(rows_U) >= max_pool:
                    return
                s = 1.0 if sub.v[k] >= 0 else -1.0
                key = (s, (H[k] != 0).tobytes(), np.packbits(D[:, k]).tobytes())
                if key in keys or not D[:, k].any():
                    continue
                keys.add(key)
                rows_U.append(H[k] * sub.v[k])
                rows_s.append(s)

        add(net)
        n_start = len(rows_U)
        for n in pool:
            add(n)
        if len(rows_U) == n_start or n_start == 0:
            return net, J0
        U = np.array(rows_U)
        sigma = np.array(rows_s)
        U0 = U.copy()
        U0[n_start:] = 0.0
        D = (self.Xb @ (sigma[:, None] * U).T) > 0
        free0 = np.r_[net.a, net.c] if self.skip else np.zeros(0)
        sol = l0_polish(self.problem(D), U0, free0, templates=U != 0)
        cand, Jc = self.polish(self.network(sigma, sol.U, sol.free), deadline=deadline)
        if _better(Jc, J0):
            return cand, Jc
        return net, J0


def _finetune(net: ReLUNetwork, Xt, yt, skip: bool, epochs: int, lr: float) -> ReLUNetwork:
    """Masked Adam on the mean-squared error: zero entries stay zero, hyperplanes move."""
    if net.width == 0 or epochs <= 0:
        return net
    dtype = Xt.dtype
    W = torch.tensor(np.array(net.W[None]), dtype=dtype)
    b = torch.tensor(np.array(net.b[None]), dtype=dtype)
    v = torch.tensor(np.array(net.v[None]), dtype=dtype)
    a = torch.tensor(np.array(net.a[None]), dtype=dtype)
    c = torch.as_tensor([net.c], dtype=dtype).clone()
    mW, mb = (W != 0).to(dtype), (b != 0).to(dtype)
    params = [W, b, v] + ([a, c] if skip else [])
    opt = _BatchAdam(params, lr=lr)
    for _ in range(epochs):
        _, _, grads = _mse_and_gradients(Xt, yt, W, b, v, a, c, skip, fast=True)
        grads[0] = grads[0] * mW
        grads[1] = grads[1] * mb
        opt.step(grads)
        with torch.no_grad():
            W.mul_(mW)
            b.mul_(mb)
    return ReLUNetwork(
        W[0].numpy().copy(),
        b[0].numpy().copy(),
        v[0].numpy().copy(),
        a=a[0].numpy().copy() if skip else None,
        c=float(c[0]) if skip else 0.0,
        skip=skip,
    )


def _warm_start(W, b, v, a, c, n0: ReLUNetwork, skip: bool) -> None:
    """Restart 0 starts from ``n0`` (normalized): its neurons in the first slots, the remaining
    slots keep their random hyperplanes with output weights scaled by 1e-3 (so the function is
    ``n0``'s up to a small term, and the restart can still grow neurons)."""
    dtype = W.dtype
    k0 = min(W.shape[1], n0.width)
    v[0, k0:] *= 1e-3
    W[0, :k0] = torch.tensor(np.array(n0.W[:k0]), dtype=dtype)
    b[0, :k0] = torch.tensor(np.array(n0.b[:k0]), dtype=dtype)
    v[0, :k0] = torch.tensor(np.array(n0.v[:k0]), dtype=dtype)
    if skip:
        a[0] = torch.tensor(np.array(n0.a), dtype=dtype)
        c[0] = float(n0.c)


def _new_history() -> dict:
    keys = ("epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds", "max_residual")
    return {k: [] for k in keys}


def gradient_phase(
    Xt,
    yt,
    params: tuple,
    *,
    skip: bool,
    ib: bool,
    p: float,
    lr: float,
    epochs: int,
    lam,
    dead,
    deadline: float | None,
    bar,
    log_every: int,
    score,
    hist: dict,
    t0: float,
    sy: float,
    lo=None,
    hi=None,
) -> tuple[list[ReLUNetwork], int]:
    """The batched gradient phase shared by the penalized and the bounded modes.

    ``R`` restarts ``params = (W, b, v, a, c)`` (shapes (R, K, d), (R, K), (R, K), (R, d), (R,)) are
    trained in place: an Adam step on the mean-squared error to ``yt`` (with ``lo``/``hi``: the mean
    squared distance outside the bounds), then from epoch ``epochs/6`` on the reweighted-ℓ1 prox
    with thresholds ``lam · lr · p_e`` (``lam`` a number or an (R, 1, 1) tensor; ``None``: no prox)
    while the exponent ``p_e`` goes from 1 to ``p``. ``score(mse, nz, act)`` (tensors of shape (R,))
    picks the restart logged in ``hist`` every ``log_every`` epochs. Stops at ``deadline``.

    Returns
    -------
    nets : list of R ReLUNetwork
        The trained networks (normalized coordinates).
    epochs_run : int
    """
    W, b, v, a, c = params
    opt = _BatchAdam([W, b, v] + ([a, c] if skip else []), lr=lr)
    graveyard: list[np.ndarray] = []
    prev = None
    warm = max(1, epochs // 6)
    epochs_run = 0
    for ep in range(1, epochs + 1):
        if ep % 25 == 0:
            _trim_heap()
        mse, _, grads = _mse_and_gradients(Xt, yt, W, b, v, a, c, skip, lo, hi, fast=True)
        opt.step(grads)
        if ep > warm and lam is not None:
            frac = min(1.0, (ep - warm) / max(1.0, 0.7 * (epochs - warm)))
            pe = 1.0 + (p - 1.0) * frac
            prev = _prox_(W, b, v, prev, dead, graveyard, opt, lam * (lr * pe), pe, ib)
        epochs_run = ep
        if ep % log_every == 0 or ep == epochs:
            with torch.no_grad():
                Z = v[:, :, None] * W
                if ib:
                    Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
                mag = Z.abs()
                thr = 1e-6 * mag.amax(dim=(1, 2), keepdim=True)
                nz = (mag > thr).sum(dim=(1, 2))
                act = (mag > thr).any(dim=2).sum(dim=1)
                r = int(torch.argmin(score(mse.detach(), nz, act)))
                hist["epoch"].append(ep)
                hist["loss"].append(float(mse[r]) * sy**2)
                hist["n_active"].append(int(act[r]))
                hist["n_nonzero"].append(int(nz[r]))
                hist["lp_path_norm"].append(float((mag[r] ** p).sum()))
                hist["seconds"].append(time.perf_counter() - t0)
                hist["max_residual"].append(math.nan)
        if bar is not None:
            bar.update(1)
        if deadline is not None and time.perf_counter() > deadline:
            break
    with torch.no_grad():
        Wn_, bn_, vn_ = (t.detach().cpu().numpy() for t in (W, b, v))
        an_, cn_ = a.detach().cpu().numpy(), c.detach().cpu().numpy()
    nets = [
        ReLUNetwork(Wn_[r], bn_[r], vn_[r], a=an_[r] if skip else None, c=float(cn_[r]) * skip, skip=skip)
        for r in range(W.shape[0])
    ]
    return nets, epochs_run


def fit_penalized(
    X,
    y,
    *,
    alpha: float,
    p: float = 0.4,
    objective: str | None = None,
    width: int | None = None,
    restarts: int = PENALIZED_RESTARTS,
    epochs: int = 1500,
    lr: float = 0.01,
    lam: float | None = None,
    skip: bool | None = None,
    include_bias: bool | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float64,
    max_seconds: float | None = None,
    init: ReLUNetwork | None = None,
    progress: bool = False,
    log_every: int = 50,
    finetune_epochs: int = 300,
    max_train_points: int = 4096,
    pool_rounds: int = 3,
    polish_ladder: tuple[float, ...] = (2.0, 0.5),
    budget: int | None = None,
) -> SparsestFit:
    """Minimize ``mean((f − y)²)/var(y) + α · count(f)`` (module docstring), with ``budget``
    subject to ``count(f) ≤ budget``.

    Parameters
    ----------
    X : array_like of shape (N, d) or (N,)
    y : array_like of shape (N,)
    alpha : float >= 0
        Penalty per counted unit, on the normalized scale.
    p : float in (0, 1]
        Exponent of the ℓp path norm of the gradient phase.
    objective : {"neurons", "nonzeros"}, optional
        Default neurons in 1-D, nonzeros in d-D.
    width : int, optional
        Neurons per restart (default :data:`PENALIZED_WIDTH`, independent of ``N``).
    restarts : int
        Restarts trained together; restart ``r`` uses ``λ_r = lam · m_r`` (``lam`` default ``α``).
    epochs : int
        Epochs of the gradient phase (full batch).
    init : ReLUNetwork, optional
        Warm start: restart 0 starts from it (e.g. the previous fit of an α path).
    max_seconds : float, optional
        Time budget (gradient phase and polish stop early; the best network so far is returned).
    finetune_epochs : int
        Masked Adam epochs of step 4.
    max_train_points : int
        Scale: with more points, the gradient phase, the restarts' polish and the fine-tune run on
        a seeded random subset of this many points; the best network is then polished on all the
        data (the objective reported is always the full-data one). Time and memory of a fit are
        then ``O(N (d + 1)² K²)`` for the full-data Gram matrices plus a constant.

    pool_rounds : int
        Rounds of the pooled polish (step 5 of the module docstring; 0: off): the winner may add or
        swap in whole neurons of the other polished restarts; repeated while ``J`` falls.
    polish_ladder : tuple of float > 0
        Continuation of step 3: each restart is also polished at ``f · alpha`` for each ``f`` (``f <
        1``: a denser support, ``f > 1``: a sparser one), then at ``alpha``; the results are
        candidates and join the pool of step 5. ``()``: only the polish at ``alpha``.
    budget : int >= 0, optional
        The budget mode: at most ``budget`` counted units (nonzeros in d-D, neurons in 1-D); with
        ``alpha = 0`` the fit is the least-squares fit within the budget. Every polish keeps the
        count within it (:class:`sparsest.train.l0polish.L0Problem`'s ``max_count``: starts above
        it are reduced by backward elimination, then swaps and whole-neuron moves refill it), and
        networks above it are never kept. A penalized objective only ever selects the networks on
        the lower convex hull of (count, error); the budget reaches the others. With ``alpha = 0``
        the gradient phase's ``λ`` defaults to ``0.1 / budget`` and the ladder of step 3 is
        polished at ``f · λ`` for ``f`` in ``polish_ladder`` and 1 (without the budget: a penalized
        optimum above it is a good start for its reduction), each result then within the budget.

    Returns
    -------
    SparsestFit
        ``interpolates`` is ``False`` unless the fit is exact; ``info`` holds ``alpha``, the
        objective ``J`` of the result, ``train_rmse``, ``train_r2``, ``inputs_used`` and timings.
    """
    t0 = time.perf_counter()
    deadline = None if max_seconds is None else t0 + float(max_seconds)
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    d = X.shape[1]
    alpha = float(alpha)
    if not (alpha >= 0 and math.isfinite(alpha)):
        raise ParameterError(f"alpha must be a finite number >= 0, got {alpha!r}")
    budget = check_budget(budget)
    skip, ib, objective = _conventions(d, skip, include_bias, objective)
    K = int(width) if width is not None else PENALIZED_WIDTH
    R = max(1, int(restarts))
    scaler = _Scaler(X, y, skip)
    Xn_all, yn_all = scaler.data(X, y)
    gen = torch.Generator().manual_seed(int(seed))
    n_sub = max(2, int(max_train_points))
    if X.shape[0] > n_sub:
        sub = np.sort(np.random.default_rng([int(seed), 1]).choice(X.shape[0], n_sub, replace=False))
        Xn, yn = Xn_all[sub], yn_all[sub]
    else:
        Xn, yn = Xn_all, yn_all
    pen = _Penalized(Xn, yn, alpha, objective, ib, skip, budget)
    Xt = torch.as_tensor(Xn, dtype=dtype, device=device)
    yt = torch.as_tensor(yn, dtype=dtype, device=device)
    W, b, v, a, c = _init_batch(Xn, R, K, skip, gen, dtype, device)
    if init is not None:
        _warm_start(W, b, v, a, c, scaler.normalized_network(init), skip)
    if lam is not None:
        base = float(lam)
    elif budget is not None and alpha == 0:
        base = 0.1 / max(1, budget)
    else:
        base = alpha
    mult = (
        torch.logspace(math.log10(0.1), math.log10(3.0), R, dtype=dtype)
        if R > 1
        else torch.ones(1, dtype=dtype)
    )
    lam_r = (base * mult).to(device)[:, None, None]
    score_a = alpha if budget is None else (alpha or base)  # picks the restart the history logs
    dead = torch.zeros(R, K, dtype=torch.bool, device=device)
    hist = _new_history()
    bar = _progress_bar(progress, epochs)
    t_grad = time.perf_counter()
    nets, epochs_run = gradient_phase(
        Xt,
        yt,
        (W, b, v, a, c),
        skip=skip,
        ib=ib,
        p=p,
        lr=lr,
        epochs=epochs,
        lam=lam_r if base > 0 else None,
        dead=dead,
        deadline=deadline,
        bar=bar,
        log_every=log_every,
        score=lambda mse, nz, act: mse / pen.var + score_a * (nz if objective == "nonzeros" else act),
        hist=hist,
        t0=t0,
        sy=scaler.sy,
    )
    t_grad = time.perf_counter() - t_grad
    if bar is not None:
        bar.set_description("polish")
    t_pol = time.perf_counter()
    grad_J = [pen.J(n) for n in nets]
    order = np.argsort(grad_J, kind="stable")
    best, best_J = nets[int(order[0])], grad_J[int(order[0])]
    polished = 0
    pool: list[ReLUNetwork] = []
    if budget is not None and alpha == 0:
        # the budget's least-squares fit: the ladder runs around the gradient phase's lambda
        # (uncapped: a penalized optimum above the budget is a good start for its reduction)
        factors = sorted({float(f) for f in polish_ladder if float(f) > 0} | {1.0}, reverse=True)
        ladder = [_Penalized(Xn, yn, base * f, objective, ib, skip) for f in factors]
    else:
        ladder = [
            _Penalized(Xn, yn, alpha * float(f), objective, ib, skip, budget)
            for f in polish_ladder
            if float(f) > 0 and float(f) != 1.0
        ]
    with single_threaded_blas():
        for r in order:
            if polished and deadline is not None and time.perf_counter() > deadline:
                break
            net_r, J_r = pen.polish(nets[int(r)], deadline=deadline)
            pool.append(net_r)
            polished += 1
            if J_r < best_J:
                best, best_J = net_r, J_r
            # continuation: the restart polished at other penalties (denser or sparser supports),
            # each then polished at alpha; every result joins the pool of step 5
            for pen_f in ladder:
                net_f, _ = pen_f.polish(nets[int(r)], deadline=deadline)
                net_f, J_f = pen.polish(net_f, deadline=deadline)
                pool.append(net_f)
                if J_f < best_J:
                    best, best_J = net_f, J_f
        # fine-tune the winner's hyperplanes, then polish on its new patterns
        if finetune_epochs > 0 and best.width and (deadline is None or time.perf_counter() < deadline):
            tuned = _finetune(best.subset(best.active_mask(ib)), Xt, yt, skip, finetune_epochs, lr * 0.5)
            tuned, J_t = pen.polish(tuned, deadline=deadline)
            pool.append(tuned)
            if J_t < best_J:
                best, best_J = tuned, J_t
        # whole-neuron moves between the restarts: the winner borrows (or swaps in) their neurons
        for _ in range(pool_rounds):
            if deadline is not None and time.perf_counter() > deadline:
                break
            cand, J_c = pen.pool_polish(best, pool, deadline=deadline)
            if not J_c < best_J:
                break
            best, best_J = cand, J_c
        if Xn is not Xn_all:
            # polish the subset's winner on all the data (its objective can only fall there)
            full = _Penalized(Xn_all, yn_all, alpha, objective, ib, skip, budget)
            best, best_J = full.polish(best, deadline=deadline)
    t_pol = time.perf_counter() - t_pol
    final = scaler.network(best)
    final = final.subset(final.active_mask(ib)) if final.width else final
    pred = _predict(final, X)
    resid = pred - y
    rmse, r2 = rmse_r2(pred, y)
    used = final.inputs_used()
    n_act, n_nz = final.n_active_neurons(ib), final.n_nonzero(ib)
    hist["epoch"].append(-1)
    hist["loss"].append(float(np.mean(resid**2)))
    hist["n_active"].append(n_act)
    hist["n_nonzero"].append(n_nz)
    hist["lp_path_norm"].append(final.lp_path_norm(p, ib))
    hist["seconds"].append(time.perf_counter() - t0)
    hist["max_residual"].append(float(np.max(np.abs(resid))) if resid.size else 0.0)
    if bar is not None:
        bar.close()
    return SparsestFit(
        network=final,
        interpolates=bool(np.max(np.abs(resid), initial=0.0) <= 1e-10 * (1 + float(np.max(np.abs(y))))),
        max_residual=float(np.max(np.abs(resid), initial=0.0)),
        n_active=n_act,
        n_nonzero=n_nz,
        lp_path_norm=final.lp_path_norm(p, ib),
        seconds=time.perf_counter() - t0,
        history=hist,
        gradient_network=scaler.network(nets[int(order[0])]),
        info={
            "mode": "penalized",
            "alpha": alpha,
            "budget": budget,
            "objective": objective,
            "penalized_objective": penalized_objective(
                final, X, y, alpha, objective=objective, include_bias=ib
            ),
            "train_rmse": rmse,
            "train_r2": r2,
            "inputs_used": [int(i) for i in used],
            "gradient_seconds": t_grad,
            "polish_seconds": t_pol,
            "restarts": R,
            "restarts_polished": polished,
            "width": K,
            "epochs": epochs,
            "epochs_run": epochs_run,
            "train_points": int(Xn.shape[0]),
            "lam": [float(x) for x in (base * mult)],
        },
    )
