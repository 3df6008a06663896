"""The bounded mode of the ``sparsest`` trainer: fewest neurons / nonzeros within per-point bounds.

Targets (:class:`sparsest.targets.Targets`, ``shared/docs/targets.md`` §1, §4): ``lo_i ≤ f(x_i) ≤ hi_i``
— a tolerance ``y ± ε``, explicit bounds (either side may be infinite) or class margins. The
interpolation mode's phases with the bounds in place of the equalities:

1. **Normalize** (:class:`sparsest.train.sparsest._Scaler` on the targets' centre; the bounds are
   mapped with the same affine map).
2. **Batched gradient phase** (:func:`sparsest.train.penalized.gradient_phase`): Adam on the mean
   squared *violation* ``dist(f(x_i), [lo_i, hi_i])²`` with the reweighted-ℓ1 prox of the ℓp path norm
   (continuation of the exponent from 1 to ``p`` and of ``λ`` upwards).
3. **Polish with bounds** (the polish LPs of :mod:`sparsest.train.polish` with rows
   ``lo_i + δ ≤ f(x_i) ≤ hi_i − δ``, ``δ = 10⁻⁹ (1 + scale)``, on each restart's activation patterns
   with its output signs and pattern-consistency constraints): reweighted ℓ1 (per entry for
   ``nonzeros``, per neuron for ``neurons``), then greedy deletion — neurons, then entries, smallest
   first, are banned in batches (halved when the LP becomes infeasible) and kept while it stays
   feasible; on too many pattern rows (``N × neurons > 20,000``) only the output layer is re-solved.
4. **Re-check** in float64 (:func:`sparsest.verify.check_targets`, the original bounds): the margin δ
   absorbs the LP's tolerances. The sparsest network that passes is returned; when none does, the
   gradient network with the least violation (``satisfies = False``).

What no longer holds with bounds (targets.md §4): the span certificate and the generic lower bound
of interpolation; the polish therefore never stops at them.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from ..errors import ParameterError
from ..network import ReLUNetwork
from ..targets import Targets
from ..verify import check_targets
from .penalized import PENALIZED_RESTARTS, _new_history, _warm_start, gradient_phase
from .polish import _Problem, single_threaded_blas
from .sparsest import SparsestFit, _conventions, _count, _init_batch, _progress_bar, _Scaler

__all__ = ["fit_bounded"]

#: time budget of the polish's deletion search when no ``max_seconds`` is given (the sparsest
#: network found so far is kept; the first LPs always run)
POLISH_SECONDS = 60.0

#: the dense output-layer fallback runs up to this many points
_FALLBACK_MAX_N = 2000

#: the polish LP on a network's own patterns runs up to this many pattern rows (N × neurons)
_MAX_PATTERN_ROWS = 20_000


def _bounded_polish(
    net: ReLUNetwork,
    X: np.ndarray,
    yc: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    objective: str,
    ib: bool,
    skip: bool,
    p: float,
    deadline: float | None,
) -> tuple[ReLUNetwork | None, int]:
    """Step 3 on ``net``'s active neurons; returns (network or None, number of LPs)."""
    act = net.active_mask(ib) if net.width else np.zeros(0, dtype=bool)
    if not act.any():
        return None, 0
    sub = net.subset(act)
    if X.shape[1] > 1 and X.shape[0] * sub.width > _MAX_PATTERN_ROWS:
        return None, 0
    H = np.c_[sub.W, sub.b]
    # d-D: each neuron keeps its output sign; 1-D (a pool of hyperplanes): either sign
    signs = np.c_[sub.v > 0, sub.v < 0] if X.shape[1] > 1 else None
    prob = _Problem(X, yc, H, skip, ib, objective, sign_mask=signs, lo=lo, hi=hi)
    prob.deadline = deadline
    D = prob.D
    free = np.ones(D, dtype=bool)
    if not ib:
        free[-1] = False  # bias entries are not counted: no weight on them

    def reweight(U: np.ndarray) -> np.ndarray:
        e = 1e-3 * max(1e-12, float(np.max(np.abs(U)))) if U.size else 1.0
        if objective == "neurons":
            w = (np.abs(U).sum(axis=1, keepdims=True) + e) ** (p - 1.0)
            return np.broadcast_to(w, U.shape) * np.where(free, 1.0, 1e-3)
        return (np.abs(U) + e) ** (p - 1.0) * np.where(free, 1.0, 1e-3)

    allowed = np.ones((prob.P, D), dtype=bool)
    n_lp = 1
    out = prob.solve(np.ones((prob.P, D)), allowed)
    if out is None:
        return None, n_lp
    U, sk = out
    for _ in range(5):
        nxt = prob.solve(reweight(U), allowed)
        n_lp += 1
        if nxt is None:
            break
        U, sk = nxt
    scale = max(1e-300, float(np.max(np.abs(U))))
    allowed &= np.abs(U) > 1e-9 * scale
    U = np.where(allowed, U, 0.0)
    w = reweight(U)

    # greedy deletion in batches: neurons (smallest first), then entries (nonzeros objective); a
    # batch that breaks feasibility is halved, so an accepted group costs O(log) LPs
    def delete(groups: list) -> None:
        nonlocal allowed, U, sk, n_lp
        i, m = 0, max(1, len(groups) // 2)
        while i < len(groups):
            if deadline is not None and time.perf_counter() > deadline:
                return
            trial = allowed.copy()
            for g in groups[i : i + m]:
                trial[g] = False
            # a neuron left with only uncounted entries goes too
            trial[~(trial & free[None, :]).any(axis=1)] = False
            o = prob.solve(w, trial)
            n_lp += 1
            if o is not None:
                allowed, (U, sk) = trial, o
                i += m
            elif m > 1:
                m //= 2
            else:
                i += 1
                m = max(1, (len(groups) - i) // 4)

    order = [k for k in np.argsort(np.abs(U).sum(axis=1)) if allowed[k].any()]
    delete([(k, slice(None)) for k in order])
    if objective == "nonzeros":
        kk, jj = np.nonzero(allowed & free[None, :])
        delete([(kk[t], jj[t]) for t in np.argsort(np.abs(U[kk, jj]))])
    U = np.where(allowed, U, 0.0)
    return prob.network(U, sk), n_lp


def _output_layer_bounded(
    nets: list[ReLUNetwork],
    X: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    ib: bool,
    skip: bool,
    p: float,
    rng: np.random.Generator,
) -> ReLUNetwork | None:
    """Fallback: fix every hyperplane of every restart, plus ``2N`` random hyperplanes through data
    points, and solve for the output weights only,
    ``lo ≤ Σ_j v_j (w_j·x_i + b_j)_+ (+ a·x_i + c) ≤ hi`` — an LP with ``N`` rows and more columns
    than rows, so generically feasible — with reweighted ℓ1 on ``|v_j| ‖[w_j; b_j]‖₁``. Dense: used
    for ``N ≤`` :data:`_FALLBACK_MAX_N` only."""
    from scipy.optimize import linprog

    N, d = X.shape
    if N > _FALLBACK_MAX_N:
        return None
    R = rng.normal(size=(2 * N, d))
    R /= np.linalg.norm(R, axis=1, keepdims=True)
    through = X[rng.integers(0, N, 2 * N)]
    extra = np.c_[R, -(R * through).sum(axis=1)]
    Hs = np.concatenate([np.c_[n.W, n.b] for n in nets] + [extra])
    Hs = Hs[np.linalg.norm(Hs[:, :-1], axis=1) > 0]
    if Hs.shape[0] == 0:
        return None
    Xb = np.c_[X, np.ones(X.shape[0])]
    F = np.maximum(Xb @ Hs.T, 0.0)  # (N, J)
    if skip:
        F = np.c_[F, Xb]
    J = F.shape[1]
    cols = np.abs(Hs if ib else Hs[:, :-1]).sum(axis=1)
    base = np.r_[cols, np.zeros(J - Hs.shape[0])]
    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    A = np.r_[-F[fin_lo], F[fin_hi]]
    A = np.c_[A, -A]
    rhs = np.r_[-lo[fin_lo], hi[fin_hi]]
    w = base
    z = None
    for _ in range(4):
        res = linprog(np.r_[w, w], A_ub=A, b_ub=rhs, bounds=(0, None), method="highs")
        if res.status != 0:
            break
        z = res.x[:J] - res.x[J:]
        e = 1e-3 * max(1e-12, float(np.max(np.abs(z))))
        w = base * (np.abs(z) + e) ** (p - 1.0)
    if z is None:
        return None
    nh = Hs.shape[0]
    keep = np.abs(z[:nh]) > 1e-12 * max(1e-300, float(np.max(np.abs(z))))
    Wk, bk, vk = Hs[keep, :-1], Hs[keep, -1], z[:nh][keep]
    if skip:
        return ReLUNetwork(Wk, bk, vk, a=z[nh:-1], c=float(z[-1]), skip=True)
    return ReLUNetwork(Wk, bk, vk, skip=False)


def fit_bounded(
    X,
    targets: Targets,
    *,
    p: float = 0.4,
    objective: str | None = None,
    width: int | None = None,
    restarts: int = PENALIZED_RESTARTS,
    epochs: int = 600,
    lr: float = 0.02,
    lam: float = 1e-3,
    skip: bool | None = None,
    include_bias: bool | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float64,
    max_seconds: float | None = None,
    init: ReLUNetwork | None = None,
    progress: bool = False,
    log_every: int = 50,
    n_polish: int = 2,
) -> SparsestFit:
    """Fewest neurons (1-D) or nonzero weights (d-D) within ``targets`` (module docstring).

    Parameters
    ----------
    X : array_like of shape (N, d) or (N,)
    targets : Targets
        Bounds at the ``N`` points (not interpolation: that is :func:`~sparsest.train.sparsest.fit_sparsest`).
    width : int, optional
        Neurons per restart (default 64, independent of ``N``).
    n_polish : int
        Restarts polished (the best by violation, then count).
    max_seconds : float, optional
        Time budget of the whole fit; without one the polish's deletion search stops after
        :data:`POLISH_SECONDS`.

    Returns
    -------
    SparsestFit
        ``interpolates`` means here: the float64 re-check of the bounds passed. ``info`` holds
        ``max_violation``, ``satisfies_targets``, ``rmse`` (vs the targets' reference ``y``, if any).
    """
    t0 = time.perf_counter()
    deadline = None if max_seconds is None else t0 + float(max_seconds)
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    if not isinstance(targets, Targets):
        raise ParameterError(f"targets must be a sparsest.targets.Targets, got {type(targets).__name__}")
    if targets.n_points != X.shape[0]:
        raise ParameterError(f"targets have {targets.n_points} points but X has {X.shape[0]} rows")
    d = X.shape[1]
    skip, ib, objective = _conventions(d, skip, include_bias, objective)
    K = int(width) if width is not None else 64
    R = max(1, int(restarts))
    yc = np.asarray(targets.center, dtype=np.float64)
    scaler = _Scaler(X, yc, skip)
    Xn, ycn = scaler.data(X, yc)
    lon = (targets.lo - scaler.my) / scaler.sy
    hin = (targets.hi - scaler.my) / scaler.sy
    # the LP's margin: δ inside each bound (points whose band is narrower keep its centre)
    fin = np.concatenate([lon[np.isfinite(lon)], hin[np.isfinite(hin)]])
    delta = 1e-9 * (1.0 + (float(np.max(np.abs(fin))) if fin.size else 0.0))
    narrow = (hin - lon) <= 2 * delta
    lo_lp = np.where(narrow, ycn, lon + delta)
    hi_lp = np.where(narrow, ycn, hin - delta)
    gen = torch.Generator().manual_seed(int(seed))
    Xt = torch.as_tensor(Xn, dtype=dtype, device=device)
    yt = torch.as_tensor(ycn, dtype=dtype, device=device)
    lot = torch.as_tensor(lon, dtype=dtype, device=device)
    hit = torch.as_tensor(hin, dtype=dtype, device=device)
    W, b, v, a, c = _init_batch(Xn, R, K, skip, gen, dtype, device)
    if init is not None:
        _warm_start(W, b, v, a, c, scaler.normalized_network(init), skip)
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
        lam=lam if lam > 0 else None,
        dead=dead,
        deadline=deadline,
        bar=bar,
        log_every=log_every,
        score=lambda viol, nz, act: viol * 1e6 + (nz if objective == "nonzeros" else act),
        hist=hist,
        t0=t0,
        sy=scaler.sy,
        lo=lot,
        hi=hit,
    )
    t_grad = time.perf_counter() - t_grad
    if bar is not None:
        bar.set_description("polish")
    t_pol = time.perf_counter()
    if deadline is None:
        # the deletion search is a sequence of LPs: without a time limit it gets POLISH_SECONDS
        deadline = t_pol + POLISH_SECONDS

    def violation(net: ReLUNetwork) -> float:
        return float(np.max(targets.violation(scaler.network(net).predict(X)), initial=0.0))

    scored = sorted(range(R), key=lambda r: (violation(nets[r]) > 1e-3, _count(nets[r], objective, ib)))
    cands = [nets[r] for r in scored[: max(1, n_polish)]]
    if d == 1:
        # few distinct patterns exist in 1-D: one polish over the pooled hyperplanes of all restarts
        # plus a knot in every gap (the midpoints), so that the LP is always feasible: with a knot
        # in each of the N - 1 gaps any values at the N points are reachable
        xs = np.unique(Xn[:, 0])
        g = xs.size - 1
        mids = ReLUNetwork(np.ones((g, 1)), -(xs[1:] + xs[:-1]) / 2, np.ones(g), skip=skip)
        pool = [n.subset(n.active_mask(ib)) for n in nets] + [mids]
        cands = [
            ReLUNetwork(
                np.concatenate([n.W for n in pool]),
                np.concatenate([n.b for n in pool]),
                np.concatenate([n.v for n in pool]),
                a=np.zeros(1) if skip else None,
                c=0.0,
                skip=skip,
            )
        ]
    best, n_lp = None, 0
    with single_threaded_blas():
        for net_r in cands:
            if best is not None and deadline is not None and time.perf_counter() > deadline:
                break
            cand, k = _bounded_polish(net_r, Xn, ycn, lo_lp, hi_lp, objective, ib, skip, p, deadline)
            n_lp += k
            if cand is None:
                continue
            full = scaler.network(cand)
            if not check_targets(full, X, targets).ok:
                continue
            if best is None or _count(full, objective, ib) < _count(best, objective, ib):
                best = full
        if best is None and d > 1:
            # no restart's patterns fit the bounds: the output layer over all hyperplanes, then one
            # more polish on the patterns of what it found
            rng = np.random.default_rng([int(seed), 2])
            fb = _output_layer_bounded(nets, Xn, lo_lp, hi_lp, ib, skip, p, rng)
            n_lp += 1
            if fb is not None:
                cand = None
                if X.shape[0] * fb.width <= _MAX_PATTERN_ROWS:
                    cand, k = _bounded_polish(fb, Xn, ycn, lo_lp, hi_lp, objective, ib, skip, p, deadline)
                    n_lp += k
                for net_c in (cand, fb):
                    if net_c is not None and check_targets(scaler.network(net_c), X, targets).ok:
                        best = scaler.network(net_c)
                        break
    t_pol = time.perf_counter() - t_pol
    ok = best is not None
    if not ok:
        r0 = min(range(R), key=lambda r: violation(nets[r]))
        best = scaler.network(nets[r0])
    final = best.canonicalize(ib, merge_tol=0.0) if ok else best
    if ok and not check_targets(final, X, targets).ok:
        final = best
    chk = check_targets(final, X, targets)
    pred = final.predict(X)
    viol = float(np.max(targets.violation(pred), initial=0.0))
    rmse = None if targets.y is None else float(np.sqrt(np.mean((pred - targets.y) ** 2)))
    resid = math.nan if targets.y is None else float(np.max(np.abs(pred - targets.y), initial=0.0))
    n_act, n_nz = final.n_active_neurons(ib), final.n_nonzero(ib)
    hist["epoch"].append(-1)
    hist["loss"].append(viol**2)
    hist["n_active"].append(n_act)
    hist["n_nonzero"].append(n_nz)
    hist["lp_path_norm"].append(final.lp_path_norm(p, ib))
    hist["seconds"].append(time.perf_counter() - t0)
    hist["max_residual"].append(resid)
    if bar is not None:
        bar.close()
    return SparsestFit(
        network=final,
        interpolates=bool(chk.ok),
        max_residual=resid,
        n_active=n_act,
        n_nonzero=n_nz,
        lp_path_norm=final.lp_path_norm(p, ib),
        seconds=time.perf_counter() - t0,
        history=hist,
        gradient_network=scaler.network(nets[scored[0]]),
        info={
            "mode": "bounded",
            "targets": targets.kind,
            "objective": objective,
            "max_violation": viol,
            "satisfies_targets": bool(chk.ok),
            "rmse": rmse,
            "gradient_seconds": t_grad,
            "polish_seconds": t_pol,
            "n_lp": n_lp,
            "restarts": R,
            "width": K,
            "epochs": epochs,
            "epochs_run": epochs_run,
        },
    )
