"""The ``sparsest`` trainer: exact interpolation with the fewest neurons / nonzero weights.

Algorithm (all steps optimize the network itself; the exact solvers are only the referee):

1. **Normalize** the data (1-D with skip term: centre and scale ``x`` and ``y``; d-D: scale each
   input column and ``y`` without centring, which preserves which weights and biases are zero).
2. **Batched gradient phase.** ``R`` restarts of a width-``K`` network are trained as one batched
   tensor computation (shape ``(R, K, d)``): an Adam step on the mean-squared error, then the
   reweighted-ℓ1 proximal step on the path products ``v_k w_{k,i}`` (paper Algorithm 1) in its
   *consistent* form (the bias is rescaled with ``w``, so a prox step never moves a hyperplane),
   with continuation of the exponent from ``1`` to ``p`` and of ``λ`` upwards. Half of the
   neurons start with hyperplanes through data points (a data-dependent initialization), half
   with PyTorch's default initialization.
3. **Polish** (:func:`sparsest.train.polish.polish`): the hyperplanes of all restarts — active
   neurons and the last position of neurons the prox switched off — define the activation
   patterns; on them the interpolation constraints are linear, a reweighted-ℓ1 LP (ε-continuation)
   picks a sparse exact fit, and a count-reducing local search (ejection chains: remove a neuron,
   let its neighbours shift to adjacent patterns, re-solve) removes neurons/weights while an exact
   fit remains. The final support is re-solved by float64 least squares and re-checked by the
   forward pass. In 1-D two exact moves on the knots follow: neighbouring knots of one sign with no
   data point between them are merged (:func:`~sparsest.train.polish.merge_knots_1d`, a descent
   step of the ℓp path norm that keeps every value at the data), and curvature runs paired out of
   step are re-paired (:func:`~sparsest.train.polish.parity_shift_1d`).
   1-D interpolation with ``N ≥ 1500`` points: the neuron-form LP is ill conditioned on the tiny
   gaps there, so the polish is the reweighted-ℓ1 LP in slope variables of
   :mod:`sparsest.train.slopes1d` (first weights from the trained jumps), then the knot moves with
   run re-pairing (:func:`~sparsest.train.slopes1d.pair_runs_1d`); an exact fit ends the training
   at the first checkpoint, and the general polish above is the fallback.
   Large d-D data (``N × K`` above the pattern-row limit, no skip term, biases
   counted): the restarts get an output-layer re-solve only, and the additive hinge fit
   (:func:`sparsest.train.hinge.hinge_fit`: single-input neurons, a sparse group-reweighted LP)
   supplies a vertex-sparse answer (about ``N`` nonzeros); the sparser exact fit is kept.
4. **Un-normalize** (function-preserving) and re-check the fit on the original data.

The result interpolates to ``max|f(x_i) − y_i| ≤ fit_rtol (1 + max|y|)`` (default ``1e-10``) or
the caller is told (``interpolates=False``). On the 1-D slope path each point may also be off by
the float64 rounding allowance of the network (:func:`~sparsest.train.polish.fits_within`, the
standard of :func:`sparsest.verify.check_interpolation`): noisy data with nearly coincident inputs
need jumps of ~10⁶, and no float64 network meets the nominal tolerance alone there.
"""

from __future__ import annotations

import functools
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import ParameterError
from ..network import ReLUNetwork, default_skip
from .hinge import hinge_fit
from .polish import (
    PolishResult,
    fits_within,
    lower_bound_1d,
    merge_knots_1d,
    n_knots,
    output_layer_fit,
    parity_shift_1d,
    polish,
    polish_windows_1d,
    single_threaded_blas,
)
from .slopes1d import pair_runs_1d, slope_polish_1d

_lower_bound = lower_bound_1d  # (the tests' name)

__all__ = ["SparsestFit", "default_width", "fit_sparsest"]


@dataclass
class SparsestFit:
    """Result of :func:`fit_sparsest`.

    Attributes
    ----------
    network : ReLUNetwork
        Final network on the original data scale.
    interpolates : bool
    max_residual : float
    n_active : int
    n_nonzero : int
    lp_path_norm : float
        ℓp path norm of ``network`` (with the problem's bias convention).
    seconds : float
    history : dict of lists
        ``epoch, loss, n_active, n_nonzero, lp_path_norm, seconds`` of the best restart during the
        gradient phase, then one row for the polish (``epoch = -1``).
    gradient_network : ReLUNetwork
        Best network of the gradient phase (before the polish), original scale.
    info : dict
        Timings and counts of the phases.
    """

    network: ReLUNetwork
    interpolates: bool
    max_residual: float
    n_active: int
    n_nonzero: int
    lp_path_norm: float
    seconds: float
    history: dict = field(default_factory=dict)
    gradient_network: ReLUNetwork | None = None
    info: dict = field(default_factory=dict)


class _Scaler:
    """Function-preserving data normalization (see module docstring, step 1)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, skip: bool):
        self.skip = skip
        if skip:
            self.mx = X.mean(axis=0)
            self.my = float(y.mean())
        else:
            self.mx = np.zeros(X.shape[1])
            self.my = 0.0
        sx = np.sqrt(((X - self.mx) ** 2).mean(axis=0))
        self.sx = np.where(sx > 0, sx, 1.0)
        sy = float(np.sqrt(((y - self.my) ** 2).mean()))
        self.sy = sy if sy > 0 else 1.0

    def data(self, X, y):
        return (X - self.mx) / self.sx, (y - self.my) / self.sy

    def normalized_network(self, net: ReLUNetwork) -> ReLUNetwork:
        """Inverse of :meth:`network`: the same function in normalized coordinates."""
        W = net.W * self.sx
        b = net.b + net.W @ self.mx
        v = net.v / self.sy
        a = net.a * self.sx / self.sy
        c = (net.c + float(net.a @ self.mx) - self.my) / self.sy
        return ReLUNetwork(W, b, v, a=a, c=c, skip=net.skip)

    def network(self, net: ReLUNetwork) -> ReLUNetwork:
        """Map a network trained on normalized data back to the original scale."""
        # f(x) = sy * g((x - mx)/sx) + my ; g(z) = Σ v (w·z + b)_+ + a·z + c
        W = net.W / self.sx
        b = net.b - W @ self.mx
        v = net.v * self.sy
        a = net.a / self.sx * self.sy
        c = net.c * self.sy - float(a @ self.mx) + self.my
        return ReLUNetwork(W, b, v, a=a, c=c, skip=net.skip)


def _init_batch(Xn: np.ndarray, R: int, K: int, skip: bool, gen: torch.Generator, dtype, device):
    N, d = Xn.shape
    X = torch.as_tensor(Xn, dtype=dtype, device=device)
    bound = 1.0 / math.sqrt(d)
    W = (torch.rand(R, K, d, generator=gen, dtype=dtype) * 2 - 1) * bound
    b = (torch.rand(R, K, generator=gen, dtype=dtype) * 2 - 1) * bound
    # half the neurons: hyperplanes through data points; in 1-D through the midpoints of the
    # gaps between consecutive sorted points, each gap once before any repeats (over all restarts),
    # so that the pooled hyperplanes offer a knot in every gap
    k2 = K // 2
    W = W.to(device)
    b = b.to(device)
    if d == 1 and N >= 2:
        xs = np.sort(Xn[:, 0])
        mids = torch.as_tensor((xs[1:] + xs[:-1]) / 2, dtype=dtype)
        perm = torch.randperm(N - 1, generator=gen)
        take = perm[torch.arange(R * k2) % (N - 1)].reshape(R, k2)
        pts = mids[take][:, :, None].to(device)  # (R, k2, 1)
    else:
        idx = torch.randint(0, N, (R, k2), generator=gen)
        pts = X[idx.to(device)]  # (R, k2, d)
    b[:, :k2] = -(W[:, :k2] * pts).sum(-1)
    v = ((torch.rand(R, K, generator=gen, dtype=dtype) * 2 - 1) / math.sqrt(K)).to(device)
    a = torch.zeros(R, d, dtype=dtype, device=device)
    c = torch.zeros(R, dtype=dtype, device=device)
    return W, b, v, a, c


def _mse_and_gradients(X, y, W, b, v, a, c, skip: bool, lo=None, hi=None, fast: bool = False):
    """Batched forward pass and the gradient of ``Σ_r MSE_r`` by hand (no autograd graph).

    With per-point bounds ``lo``, ``hi`` (tensors of shape (N,), possibly infinite) the residual is
    the distance outside them, ``r = f − clamp(f, lo, hi)`` (zero inside the band), so the "MSE" is
    the mean squared violation and its gradient has the same form.

    With ``Z = X W_rᵀ + b_r`` (shape ``(R, N, K)``), ``H = (Z)_+``, ``f_r = H v_r (+ X a_r + c_r)``
    and ``g = 2 (f_r − y) / N``: ``∂/∂v = Hᵀ g``, ``∂/∂Z = g v_rᵀ ⊙ 1[Z > 0]``,
    ``∂/∂W = (∂/∂Z)ᵀ X``, ``∂/∂b = Σ_n ∂/∂Z``, ``∂/∂a = Xᵀ g``, ``∂/∂c = Σ_n g``.

    ``fast`` computes the same sums as batched matrix products laid out for BLAS (about twice as
    fast at width 64), which round differently; the interpolation trainer keeps the einsum form,
    so its networks stay bit-identical, and the penalized and bounded modes use ``fast``.

    Returns
    -------
    mse : Tensor of shape (R,)
    f : Tensor of shape (R, N)
        Predictions.
    grads : list of Tensors
        Gradients of ``W, b, v`` (and ``a, c`` with ``skip``), shaped like them.
    """
    R, K = v.shape
    N = X.shape[0]
    if R * N * K > _CHUNK_ELEMS:
        # large data: the same sums over blocks of points, so that the (R, N, K) temporaries
        # (1.6 GB each at N = 10⁴, width 2564, 8 restarts) become (R, n_c, K) ones
        n_c = max(1, _CHUNK_ELEMS // (R * K))
        parts = [
            _mse_and_gradients_block(X, y, W, b, v, a, c, skip, lo, hi, sl, N, fast)
            for sl in (slice(i, min(i + n_c, N)) for i in range(0, N, n_c))
        ]
        f = torch.cat([q[0] for q in parts], dim=1)
        r = torch.cat([q[1] for q in parts], dim=1)
        grads = [sum(q[2][i] for q in parts) for i in range(len(parts[0][2]))]
        return (r * r).mean(dim=1), f, grads
    f, r, grads = _mse_and_gradients_block(X, y, W, b, v, a, c, skip, lo, hi, slice(None), N, fast)
    return (r * r).mean(dim=1), f, grads


def _mse_and_gradients_block(X, y, W, b, v, a, c, skip: bool, lo, hi, sl: slice, N: int, fast: bool = False):
    """:func:`_mse_and_gradients` on the points ``sl`` (of ``N``): predictions, residuals and
    those points' share of the gradients."""
    X, y = X[sl], y[sl]
    lo = None if lo is None else lo[sl]
    hi = None if hi is None else hi[sl]
    if fast:
        Xr = X.expand(W.shape[0], *X.shape)  # (R, n, d), a view
        Z = torch.baddbmm(b[:, None, :], Xr, W.transpose(1, 2))
        H = torch.relu(Z)
        f = torch.bmm(H, v[:, :, None])[..., 0]
    else:
        Z = torch.einsum("nd,rkd->rnk", X, W) + b[:, None, :]
        H = torch.relu(Z)
        f = torch.einsum("rnk,rk->rn", H, v)
    if skip:
        f = f + a @ X.T + c[:, None]
    r = f - y if lo is None else f - torch.minimum(torch.maximum(f, lo), hi)
    g = r * (2.0 / N)  # (R, n)
    gv = torch.bmm(g[:, None, :], H)[:, 0] if fast else torch.einsum("rnk,rn->rk", H, g)
    del H
    gz = (g[:, :, None] * v[:, None, :]) * (Z > 0)
    del Z
    gW = torch.bmm(gz.transpose(1, 2), Xr) if fast else torch.einsum("rnk,nd->rkd", gz, X)
    gb = gz.sum(dim=1)
    grads = [gW, gb, gv]
    if skip:
        grads += [g @ X, g.sum(dim=1)]
    return f, r, grads


class _BatchAdam:
    """Adam (Kingma & Ba; the defaults of :class:`torch.optim.Adam`: ``β = (0.9, 0.999)``,
    ``ε = 1e-8``) on plain tensors with given gradients.

    ``m ← β₁ m + (1 − β₁) g``, ``s ← β₂ s + (1 − β₂) g²``,
    ``θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(s / (1 − β₂ᵗ)) + ε)``. Written out because
    ``torch.optim`` imports ``torch._dynamo`` on first use (~3 s) and its per-step bookkeeping
    dominates the tiny problems.
    """

    def __init__(self, params: list, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = params
        self.lr, self.b1, self.b2, self.eps = float(lr), betas[0], betas[1], float(eps)
        self.m = [torch.zeros_like(t) for t in params]
        self.s = [torch.zeros_like(t) for t in params]
        self.t = 0

    @torch.no_grad()
    def step(self, grads: list) -> None:
        self.t += 1
        c1 = 1.0 - self.b1**self.t
        c2 = math.sqrt(1.0 - self.b2**self.t)
        for prm, g, m, s in zip(self.params, grads, self.m, self.s, strict=True):
            m.mul_(self.b1).add_(g, alpha=1.0 - self.b1)
            s.mul_(self.b2).addcmul_(g, g, value=1.0 - self.b2)
            prm.addcdiv_(m, (s.sqrt() / c2).add_(self.eps), value=-self.lr / c1)

    def clear(self, masks) -> None:
        """Zero the moments where ``masks`` (one per leading parameter) are True."""
        for mask, m, s in zip(masks, self.m, self.s, strict=False):
            m.masked_fill_(mask, 0.0)
            s.masked_fill_(mask, 0.0)


@torch.no_grad()
def _prox_(W, b, v, prev, dead, graveyard: list, opt: _BatchAdam, step, pe: float, ib: bool):
    """The batched reweighted-ℓ1 prox on the path products, in place (consistent form).

    ``Z = v ⊙ W`` (with the bias column when ``ib``), shape ``(R, K, d [+1])``; thresholds
    ``C = step · |Z_prev|^(pe − 1)`` (``step = λ · lr · pe``, a number or a tensor broadcastable to
    ``(R, 1, 1)``), ``U = sign(Z) (|Z| − C)_+``; a neuron whose ``U`` vanishes dies (its hyperplane
    joins ``graveyard``, ``dead`` is set, its Adam moments are cleared); the others are rebalanced to
    ``|v_k| = ||u_k||^(1/2)`` keeping each hyperplane. Returns the new products (the next ``prev``).
    """

    def products():
        Z = v[:, :, None] * W
        if ib:
            Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
        return Z

    dtype, device = W.dtype, W.device
    Z = products()
    mag = (Z if prev is None else prev).abs()
    C = step * mag.clamp_min(1e-300) ** (pe - 1.0)
    C = torch.where(mag == 0, torch.full_like(C, math.inf), C)
    U = torch.sign(Z) * (Z.abs() - C).clamp_min(0.0)
    nrm = U.norm(dim=2)  # (R, K)
    alive = (nrm > 0) & ~dead
    newly = ~alive & ~dead
    if newly.any():
        rr, kk = torch.nonzero(newly, as_tuple=True)
        graveyard.append(torch.cat([W[rr, kk], b[rr, kk, None]], dim=1).cpu().numpy())
        dead |= newly
    # rebalance |v_k| = ||u_k||^(1/2) keeping each hyperplane (consistent mode)
    s = nrm.clamp_min(1e-300).sqrt()
    if ib:
        Wn = U[:, :, :-1] / s[:, :, None]
        bn = U[:, :, -1] / s
    else:
        Wn = U / s[:, :, None]
        bn = b * (Wn.norm(dim=2) / W.norm(dim=2).clamp_min(1e-300))
    zero = torch.zeros((), dtype=dtype, device=device)
    W.copy_(torch.where(alive[:, :, None], Wn, zero))
    b.copy_(torch.where(alive, bn, zero))
    v.copy_(torch.where(alive, torch.sign(v) * s, zero))
    # dead neurons stay dead: clear their optimizer moments too
    opt.clear((dead[:, :, None], dead, dead))
    return products()


def fit_sparsest(
    X,
    y,
    *,
    p: float = 0.4,
    objective: str | None = None,
    width: int | None = None,
    restarts: int = 8,
    epochs: int = 600,
    lr: float = 0.02,
    lam: float = 1e-3,
    skip: bool | None = None,
    include_bias: bool | None = None,
    seed: int = 0,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float64,
    fit_rtol: float = 1e-10,
    polish_options: dict | None = None,
    n_polish: int = 6,
    max_seconds: float | None = None,
    init: ReLUNetwork | None = None,
    progress: bool = False,
    log_every: int = 50,
    early_stop: bool = True,
) -> SparsestFit:
    """Train the sparsest interpolating network (see module docstring).

    Parameters
    ----------
    X : array_like of shape (N, d) or (N,)
    y : array_like of shape (N,)
    p : float in (0, 1]
        Exponent of the ℓp path norm used by the gradient phase and the reweighting.
    objective : {"neurons", "nonzeros"}, optional
        What "sparsest" counts. Default: neurons in 1-D, nonzeros (with biases) in d-D.
    width : int, optional
        Neurons per restart (default :func:`default_width`: ``2N`` for small ``N``, then growing
        like ``N/4`` in 1-D and ``N/2`` in d-D).
    restarts : int
        Number of restarts trained together as one batch.
    n_polish : int
        d-D: how many restarts (the best by fit and count) the exact polish searches from; the search
        stops at the first network with one nonzero per nonzero label (the generic lower bound).
        Measured: 3 reached 10 nonzeros on 8/10 Gaussian N = 10, d = 50 instances, 6 on 10/10.
    max_seconds : float, optional
        Time budget: the polish's search stops at ``max_seconds`` after the start and returns the
        sparsest exact fit found so far (the first exact re-solve always runs).
    epochs : int
        Epochs of the gradient phase.
    skip : bool, optional
        Unpenalized skip term (default: on in 1-D, off in d-D).
    include_bias : bool, optional
        Whether biases count as weights (default: ``d > 1``).
    seed : int
        Seed of the initialization (a private ``torch.Generator``).
    early_stop : bool
        Polish at checkpoints during the gradient phase (epoch 0 in 1-D, then ``warm · 2^j``) and
        stop as soon as a polished exact fit meets the lower bound of
        :func:`~sparsest.train.polish.lower_bound_1d` (1-D; the bound of exact interpolation:
        curvature above ``1e-3 · fit_rtol`` counts, and every knot with a nonzero jump is counted
        against it) or the generic bound (d-D nonzeros): the remaining epochs could not lower the
        count.
    """
    t0 = time.perf_counter()
    deadline = None if max_seconds is None else t0 + float(max_seconds)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    N, d = X.shape
    skip = default_skip(d) if skip is None else bool(skip)
    ib = (d > 1) if include_bias is None else bool(include_bias)
    objective = objective or ("neurons" if d == 1 else "nonzeros")
    if objective not in ("neurons", "nonzeros"):
        raise ParameterError(f"objective must be 'neurons' or 'nonzeros', got {objective!r}")
    if not (0 < p <= 1):
        raise ParameterError(f"p must be in (0, 1], got {p!r}")
    K = int(width) if width is not None else default_width(N, d)
    if K < 1:
        raise ParameterError(f"width must be >= 1, got {width!r}")
    R = max(1, int(restarts))
    scaler = _Scaler(X, y, skip)
    Xn, yn = scaler.data(X, y)
    gen = torch.Generator().manual_seed(int(seed))
    Xt = torch.as_tensor(Xn, dtype=dtype, device=device)
    yt = torch.as_tensor(yn, dtype=dtype, device=device)
    W, b, v, a, c = _init_batch(Xn, R, K, skip, gen, dtype, device)
    if init is not None:
        # restart 0 starts from the given network (normalized like the data)
        n0 = scaler.normalized_network(init)
        W[0], b[0], v[0] = (torch.as_tensor(t, dtype=dtype, device=device) for t in (n0.W, n0.b, n0.v))
        if skip:
            a[0] = torch.as_tensor(n0.a, dtype=dtype, device=device)
            c[0] = float(n0.c)
    # every hyperplane the training visits is a candidate pattern for the polish
    visited = [torch.cat([W, b[:, :, None]], dim=2).reshape(-1, d + 1).detach().cpu().numpy()]
    params = [W, b, v] + ([a, c] if skip else [])
    opt = _BatchAdam(params, lr=lr)
    hist = {
        k: [] for k in ("epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds", "max_residual")
    }
    bar = _progress_bar(progress, epochs)
    graveyard: list[np.ndarray] = []  # hyperplanes of neurons switched off by the prox
    dead = torch.zeros(R, K, dtype=torch.bool, device=device)
    prev = None
    warm = max(1, epochs // 6)
    t_grad = time.perf_counter()

    def products():
        Z = v[:, :, None] * W  # (R, K, d)
        if ib:
            Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
        return Z

    popts = dict(polish_options or {})
    # generic lower bound (labels in general position): at least one nonzero weight per
    # nonzero label; the search stops early when it gets there (it never changes the count)
    target = int(np.count_nonzero(yn)) if d > 1 and objective == "nonzeros" and ib else None
    # 1-D: the curvature bound of exact interpolation. Points off their neighbours' chord by more
    # than rounding (3 * 1e-3 * fit_rtol, relative) count; with the fit tolerance itself a point of
    # tiny curvature would count as straight, the bound would fall below the exact optimum and the
    # search would go on for a count that only the tolerance, not the data, allows
    bound = lower_bound_1d(Xn, yn, objective, skip, fit_rtol * _STOP_RTOL) if target is None else target

    def bound_count(net: ReLUNetwork) -> int:
        """The count compared with ``bound``: in 1-D every neuron with a nonzero jump (the bound
        counts knots, however small their jumps; the reported count ignores path products below
        ``1e-6`` of the largest), in d-D the reported count."""
        if d == 1 and objective == "neurons":
            return net.n_active_neurons(ib, rtol=0.0)
        return _count(net, objective, ib)

    def polish_state(n_pol: int):
        """Polish the current networks: (result, LPs, pooled hyperplanes, networks, best restart)."""
        with single_threaded_blas():
            return _polish_state(n_pol)

    def _polish_state(n_pol: int):
        with torch.no_grad():
            Wn_, bn_, vn_ = (t.detach().cpu().numpy() for t in (W, b, v))
            an_, cn_ = a.detach().cpu().numpy(), c.detach().cpu().numpy()
        nets = [
            ReLUNetwork(Wn_[r], bn_[r], vn_[r], a=an_[r] if skip else None, c=float(cn_[r]) * skip, skip=skip)
            for r in range(R)
        ]
        r_best = int(np.argmin([n.max_residual(Xn, yn) for n in nets]))
        if d == 1:
            # few distinct patterns exist in 1-D: pool every hyperplane the restarts visited
            pooled_W = np.concatenate([n.W for n in nets])
            pooled_b = np.concatenate([n.b for n in nets])
            pooled = ReLUNetwork(pooled_W, pooled_b, np.zeros(pooled_W.shape[0]), a=None, c=0.0, skip=skip)
            extra = np.concatenate(visited + graveyard)
            windows = N > _WINDOW_MIN_N and skip and objective == "neurons"
            common = dict(p=p, fit_rtol=fit_rtol * 0.5, deadline=deadline, **popts)

            def above(r):
                return r.interpolates and (bound is None or bound_count(r.network) > bound)

            if slope_path:
                # large N: the slope LP and run re-pairing (the neuron-form LP is ill conditioned
                # on the tiny gaps there and takes minutes); the general polish only as a fallback
                pr = slope_polish_1d(nets[r_best], Xn, yn, fit_rtol=common["fit_rtol"], deadline=deadline)
                if pr.interpolates:
                    n_lp = pr.n_lp
                    if above(pr):
                        pr = _knot_moves_1d(pr, Xn, yn, common["fit_rtol"], above, runs=True)
                    return pr, n_lp, int(pooled_W.shape[0]), nets, r_best
            pr = polish(
                pooled,
                Xn,
                yn,
                objective=objective,
                include_bias=ib,
                extra_hyperplanes=extra,
                target=bound,
                delete=not windows,  # large N: the count-reducing search runs window by window
                **common,
            )
            n_lp = pr.n_lp

            moves = skip and objective == "neurons"
            if moves and above(pr):
                pr = _knot_moves_1d(pr, Xn, yn, common["fit_rtol"], above)
            if windows and above(pr):
                H = np.concatenate([np.c_[pooled_W, pooled_b], extra])
                pr = polish_windows_1d(
                    pr.network, Xn, yn, H, max_lp=min(_WINDOW_LPS_PER_POINT * N, _WINDOW_MAX_LPS), **common
                )
                n_lp += pr.n_lp
                if above(pr):
                    pr = _knot_moves_1d(pr, Xn, yn, common["fit_rtol"], above)
            return pr, n_lp, int(pooled_W.shape[0] + extra.shape[0]), nets, r_best
        pr, n_lp = _polish_restarts(nets, Xn, yn, objective, ib, p, fit_rtol, n_pol, popts, target, deadline)
        return pr, n_lp, 0, nets, r_best

    # checkpoints: polish the current state; stop training once the count meets the lower bound
    # (the answer is in hand). A checkpoint runs only while the checkpoints so far took less time
    # than the epochs, so they at most double the cost of the gradient phase.
    early, n_lp_checks, t_checks, best_check = None, 0, 0.0, None
    checks = set() if bound is None or not early_stop else _checkpoints(epochs, warm, d)
    # large d-D data: the restarts' polish is an output-layer re-solve there (too many pattern
    # rows), which never gets near the generic bound, so checkpoints would only cost time; the
    # additive hinge fit below supplies the vertex-sparse answer instead
    hinge = d > 1 and objective == "nonzeros" and ib and not skip and N * K > _MAX_PATTERN_ROWS
    if hinge:
        checks = set()

    slope_path = d == 1 and N >= _SLOPE_MIN_N and skip and objective == "neurons"
    best_res = None  # the full polish_state result of best_check
    ep_cap = epochs
    for ep in range(1, epochs + 1):
        if ep == 3 and d == 1 and (best_res is not None or slope_path):
            # 1-D at large N: when a checkpoint already has an exact fit and the remaining epochs
            # would take over _GRAD_CAP_S (measured at N = 2000: 0.46 s per epoch, 276 s for
            # 600), keep the checkpoint's result instead of training on; on the slope path
            # without one, train for at most _GRAD_CAP_S before the final polish (at N = 10⁴ an
            # epoch takes seconds)
            per = (time.perf_counter() - t_grad - t_checks) / 2
            if per * (epochs - 2) > _GRAD_CAP_S:
                if best_res is not None:
                    early = best_res
                    hist_stop = 2
                    break
                ep_cap = 2 + max(1, int(_GRAD_CAP_S / max(per, 1e-9)))
        if ep > ep_cap:
            hist_stop = ep - 1
            break
        if ep - 1 in checks and t_checks <= time.perf_counter() - t_grad - t_checks:
            tc = time.perf_counter()
            res = polish_state(1)
            t_checks += time.perf_counter() - tc
            n_lp_checks += res[1]
            # 1-D at large N the slope polish hardly depends on the epochs (only its first weights
            # do), so an exact fit there ends the training (it would cost O(R N K) per epoch)
            if res[0].interpolates and (bound_count(res[0].network) <= bound or slope_path):
                early = res
                hist_stop = ep - 1
                break
            if res[0].interpolates and (
                best_check is None or bound_count(res[0].network) < bound_count(best_check.network)
            ):
                best_check = res[0]  # kept in case the final polish does worse
                best_res = res
        if ep % 25 == 0:
            _trim_heap()
        mse, f, grads = _mse_and_gradients(Xt, yt, W, b, v, a, c, skip)
        opt.step(grads)
        if ep > warm:
            frac = min(1.0, (ep - warm) / max(1.0, 0.7 * (epochs - warm)))
            pe = 1.0 + (p - 1.0) * frac
            le = lam * (0.2 + 0.8 * frac)
            prev = _prox_(W, b, v, prev, dead, graveyard, opt, le * lr * pe, pe, ib)
        if ep % log_every == 0 or ep == epochs:
            with torch.no_grad():  # (mse, f: before this epoch's step)
                mag = products().abs()
                thr = 1e-6 * mag.amax(dim=(1, 2), keepdim=True)
                nz = (mag > thr).sum(dim=(1, 2))
                act = (mag > thr).any(dim=2).sum(dim=1)
                lpn = (mag**p).sum(dim=(1, 2))
                score = mse.detach() * 1e6 + (nz if objective == "nonzeros" else act)
                best = int(torch.argmin(score))
                hist["epoch"].append(ep)
                hist["loss"].append(float(mse[best]) * scaler.sy**2)
                hist["n_active"].append(int(act[best]))
                hist["n_nonzero"].append(int(nz[best]))
                hist["lp_path_norm"].append(float(lpn[best]))
                hist["seconds"].append(time.perf_counter() - t0)
                hist["max_residual"].append(float((f[best] - yt).abs().max()) * scaler.sy)
        if bar is not None:
            bar.update(1)
    else:
        hist_stop = epochs
    if bar is not None:
        bar.set_description("polish")
    t_grad = time.perf_counter() - t_grad - t_checks
    # --- polish on the pooled hyperplanes (unless a checkpoint already reached the lower bound)
    t_pol = time.perf_counter()
    if early is None:
        pr, n_lp, n_pool, nets, r_best = polish_state(n_polish)
        n_lp += n_lp_checks
    else:
        pr, n_lp, n_pool, nets, r_best = early
        n_lp = n_lp_checks
    if hinge and (not pr.interpolates or pr.n_nonzero > N):
        with single_threaded_blas():
            hn = hinge_fit(Xn, yn, fit_rtol=fit_rtol * 0.5, deadline=deadline)
        if hn is not None and (not pr.interpolates or hn.n_nonzero(ib) < pr.n_nonzero):
            pr = PolishResult(
                hn, True, hn.max_residual(Xn, yn), hn.n_active_neurons(ib), hn.n_nonzero(ib), 0, 0.0
            )
    if best_check is not None and (
        not pr.interpolates or bound_count(best_check.network) < bound_count(pr.network)
    ):
        pr = best_check
    t_pol = time.perf_counter() - t_pol + t_checks
    if not pr.interpolates:
        # fall back on an output-layer re-solve over every hyperplane the training visited (all
        # restarts, first and last positions): far more columns than rows, so an exact fit exists
        # generically, and the LP has only N rows
        Hs = np.concatenate([np.c_[n.W, n.b] for n in nets] + visited + graveyard)
        Hs = Hs[np.linalg.norm(Hs[:, :-1], axis=1) > 0]
        pooled = ReLUNetwork(Hs[:, :-1], Hs[:, -1], np.ones(Hs.shape[0]), skip=skip)
        with single_threaded_blas():
            fb = output_layer_fit(
                pooled, Xn, yn, objective=objective, include_bias=ib, fit_rtol=fit_rtol * 0.5
            )
        n_lp += fb.n_lp
        if fb.interpolates:
            pr = fb
    final = scaler.network(pr.network).canonicalize(ib, merge_tol=0.0)
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y))))
    # the slope path's checks allow the float64 rounding of the network (fits_within)
    ok, resid = fits_within(final, X, y, tol, rounding=slope_path)
    ok = ok and pr.interpolates
    if not ok:
        # fall back to the best gradient network (approximate fit)
        final = scaler.network(nets[r_best])
        resid = final.max_residual(X, y)
        ok = resid <= tol
    hist["epoch"].append(-1)
    hist["loss"].append(float(resid) ** 2)
    hist["n_active"].append(final.n_active_neurons(ib))
    hist["n_nonzero"].append(final.n_nonzero(ib))
    hist["lp_path_norm"].append(final.lp_path_norm(p, ib))
    hist["seconds"].append(time.perf_counter() - t0)
    hist["max_residual"].append(float(resid))
    if bar is not None:
        bar.close()
    return SparsestFit(
        network=final,
        interpolates=bool(ok),
        max_residual=float(resid),
        n_active=final.n_active_neurons(ib),
        n_nonzero=final.n_nonzero(ib),
        lp_path_norm=final.lp_path_norm(p, ib),
        seconds=time.perf_counter() - t0,
        history=hist,
        gradient_network=scaler.network(nets[r_best]),
        info={
            "gradient_seconds": t_grad,
            "polish_seconds": t_pol,
            "n_lp": n_lp,
            "pooled_hyperplanes": n_pool,
            "objective": objective,
            "restarts": R,
            "width": K,
            "epochs": epochs,
            "epochs_run": hist_stop,
            "lower_bound": bound,
        },
    )


def _knot_moves_1d(pr: PolishResult, X, y, fit_rtol: float, above, runs: bool = False) -> PolishResult:
    """The exact 1-D moves on an interpolant, repeated while they lower the count and ``above(pr)``:
    :func:`~sparsest.train.polish.merge_knots_1d` (neighbouring knots of one sign with no data
    between them become one), with ``runs`` :func:`~sparsest.train.slopes1d.pair_runs_1d` (runs
    re-paired between knot-free gaps), then :func:`~sparsest.train.polish.parity_shift_1d` (runs
    paired out of step between lone knots are re-paired). Without ``runs`` a sweep stops at the
    first move that brings the count to the bound; with ``runs`` (large N) every sweep makes all
    three moves, whose checks then allow the float64 rounding of
    :func:`~sparsest.train.polish.fits_within` (as the slope LP's do). Each returns ``pr``'s network
    unless its float64 re-check passes with no more neurons, so the count never rises."""
    while True:
        n0 = n_knots(pr.network)
        pr = merge_knots_1d(pr.network, X, y, fit_rtol=fit_rtol, rounding=runs)
        if runs:
            pr = pair_runs_1d(pr.network, X, y, fit_rtol=fit_rtol, rounding=True)
        if runs or above(pr):
            pr = parity_shift_1d(pr.network, X, y, fit_rtol=fit_rtol, rounding=runs)
        if n_knots(pr.network) >= n0 or not above(pr):
            return pr


def default_width(n: int, d: int) -> int:
    """Default neurons per restart: ``max(16, min(2N, 64 + N/4))`` in 1-D, ``min(2N, 64 + N/2)`` in d-D.

    The polish chooses among the hyperplanes of all restarts (and, in 1-D, of every position they
    visited), so the width only has to supply enough of them; the sparsest count is far below
    ``2N`` (1-D: at most ``N − 2``, typically about ``N/2`` or less), and the gradient phase costs
    ``O(R N K)`` per epoch.
    """
    cap = 64 + (n // 4 if d == 1 else n // 2)
    return max(16, min(2 * n, cap))


def _checkpoints(epochs: int, warm: int, d: int) -> set[int]:
    """Epochs (before which) the checkpoint polish runs: 0 in 1-D, then ``warm, 2 warm, 4 warm, …``."""
    out = {0} if d == 1 else set()
    e = warm
    while e < epochs:
        out.add(e)
        e *= 2
    return out


#: 1-D: the stopping bound counts points whose curvature exceeds this fraction of the fit tolerance
_STOP_RTOL = 1e-3

#: 1-D with more points than this: global reweighted LP, then the windowed count-reducing search
_WINDOW_MIN_N = 48
#: 1-D interpolation from this many points on: the slope LP polish (:mod:`~sparsest.train.slopes1d`)
_SLOPE_MIN_N = 1500

#: the gradient phase works on blocks of points when its (R, N, K) temporaries exceed this size
_CHUNK_ELEMS = 2**25

#: 1-D: seconds of further gradient epochs allowed once a checkpoint has an exact fit
_GRAD_CAP_S = 60.0

#: most LPs of one windowed search, per data point and in all (uncapped at N = 2000 it ran 55,000
#: LPs, 68 s, for nothing; capped at 5 N it found 2 knots in 10,000 LPs, 28 s; at N = 10⁴ 50,000
#: LPs took 144 s and found nothing)
_WINDOW_LPS_PER_POINT = 5
_WINDOW_MAX_LPS = 20_000

#: above N × (active neurons) pattern-constraint rows, the d-D polish re-solves the output layer only
_MAX_PATTERN_ROWS = 20_000


def _trim_heap() -> None:
    """Return the freed heap pages to the system (glibc ``malloc_trim``; a no-op elsewhere).

    The gradient phase frees and re-allocates its ``(R, N, K)`` temporaries every epoch; glibc keeps
    freed blocks below its (dynamic) mmap threshold in the heap, and small long-lived allocations
    between them keep it from shrinking, so without a trim the resident memory grows with the
    epochs (measured on diabetes, 600 epochs: 1.33 GB peak; 0.52 GB with a trim every 25 epochs).
    """
    fn = _malloc_trim()
    if fn is not None:
        fn(0)


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim`` through ctypes, or ``None`` off Linux / without glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        fn = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn


def _progress_bar(progress: bool, total: int):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="sparsest", unit="epoch", leave=False, mininterval=0.5, delay=1.0)


def _conventions(d: int, skip, include_bias, objective) -> tuple[bool, bool, str]:
    """The trainer's defaults for ``d`` inputs: skip term (on in 1-D), counted biases (``d > 1``),
    objective (neurons in 1-D, nonzeros in d-D); a bad objective is a :class:`ParameterError`."""
    skip = default_skip(d) if skip is None else bool(skip)
    ib = (d > 1) if include_bias is None else bool(include_bias)
    objective = objective or ("neurons" if d == 1 else "nonzeros")
    if objective not in ("neurons", "nonzeros"):
        raise ParameterError(f"objective must be 'neurons' or 'nonzeros', got {objective!r}")
    return skip, ib, objective


def _count(net: ReLUNetwork, objective: str, ib: bool) -> int:
    return net.n_active_neurons(ib) if objective == "neurons" else net.n_nonzero(ib)


def _polish_restarts(nets, X, y, objective, ib, p, fit_rtol, n_polish, popts, target=None, deadline=None):
    """d-D polish: per restart (the best ``n_polish`` by fit and count), polish the active neurons,
    then walk the pattern neighbourhood ("shrink" moves, then all Hamming-1 moves and merges of
    same-sign neurons) while the count drops. Returns the best result and the number of LPs."""
    tol = fit_rtol * 0.5 * (1.0 + float(np.max(np.abs(y))))
    scored = sorted(
        range(len(nets)),
        key=lambda r: (
            nets[r].max_residual(X, y) > 1e-2 * (1 + np.max(np.abs(y))),
            _count(nets[r], objective, ib),
        ),
    )
    best, n_lp = None, 0
    for r in scored[: max(1, n_polish)]:
        net = nets[r]
        act = net.active_mask(ib)
        if not act.any():
            continue
        if best is not None and deadline is not None and time.perf_counter() > deadline:
            break
        if X.shape[0] * int(act.sum()) > _MAX_PATTERN_ROWS:
            # the pattern LP would have too many rows: re-solve the output layer only
            cur = output_layer_fit(
                net.subset(act),
                X,
                y,
                objective=objective,
                include_bias=ib,
                fit_rtol=fit_rtol * 0.5,
                deadline=deadline,
            )
            n_lp += cur.n_lp
            if cur.interpolates and (
                best is None or _count(cur.network, objective, ib) < _count(best.network, objective, ib)
            ):
                best = cur
            continue
        common = dict(
            objective=objective,
            include_bias=ib,
            p=p,
            fit_rtol=fit_rtol * 0.5,
            native_signs=True,
            target=target,
            deadline=deadline,
            **popts,
        )
        cur = polish(net.subset(act), X, y, **common)
        n_lp += cur.n_lp
        for mode, merges, rounds in (("shrink", False, 4), ("all", True, 2)):
            for _ in range(rounds):
                if not cur.interpolates:
                    break
                if target is not None and _count(cur.network, objective, ib) <= target:
                    break
                if deadline is not None and time.perf_counter() > deadline:
                    break
                nxt = polish(cur.network, X, y, neighbors=mode, merges=merges, **common)
                n_lp += nxt.n_lp
                if not nxt.interpolates or _count(nxt.network, objective, ib) >= _count(
                    cur.network, objective, ib
                ):
                    break
                cur = nxt
        if (
            cur.interpolates
            and cur.max_residual <= tol
            and (
                best is None
                or (_count(cur.network, objective, ib), cur.network.lp_path_norm(p, ib))
                < (_count(best.network, objective, ib), best.network.lp_path_norm(p, ib))
            )
        ):
            best = cur
        if best is not None and target is not None and _count(best.network, objective, ib) <= target:
            break
    if best is None:
        best = cur
    return best, n_lp


# ---------------------------------------------------------------------------------- engine methods
from .engine import History, TrainConfig, TrainResult, register_method  # noqa: E402


def _history(rows: dict) -> History:
    h = History()
    for i in range(len(rows["epoch"])):
        h.append(**{k: rows[k][i] for k in rows})
    return h


def _mode_kwargs(cfg: TrainConfig) -> dict:
    """The engine's settings every mode of the trainer takes."""
    return dict(
        p=cfg.p,
        width=cfg.width,
        epochs=cfg.epochs,
        lr=cfg.lr,
        lam=cfg.lam,
        skip=cfg.skip,
        include_bias=cfg.penalize_bias,
        seed=cfg.seed,
        device=cfg.device,
        dtype=cfg.dtype,
        progress=cfg.progress,
        log_every=cfg.log_every,
        init=cfg.init,
    )


def _train_result(fit: SparsestFit, cfg: TrainConfig, converged: bool) -> TrainResult:
    """The engine's :class:`TrainResult` of a :class:`SparsestFit` (every mode)."""
    return TrainResult(
        network=fit.network,
        init_network=cfg.init if cfg.init is not None else fit.gradient_network,
        history=_history(fit.history),
        method=cfg.method,
        epochs_run=fit.info["epochs_run"],
        seconds=fit.seconds,
        converged=bool(converged),
        max_residual=fit.max_residual,
        n_active=fit.n_active,
        n_nonzero=fit.n_nonzero,
        lp_path_norm=fit.lp_path_norm,
        config={**cfg.to_dict(), "info": fit.info},
    )


_OPTIONS = (
    "restarts",
    "objective",
    "n_polish",
    "polish_options",
    "max_seconds",
    "alpha",
    "finetune_epochs",
    "targets",
    "budget",
)


@register_method(
    "sparsest",
    options=_OPTIONS,
    description="our trainer: batched restarts + reweighted prox, then exact fixed-pattern polish",
    defaults={
        "epochs": 600,
        "lr": 0.02,
        "lam": 1e-3,
        "seed": 0,
        "tol": 1e-10,
        "log_every": 50,
        "width": lambda n, d: default_width(n, d),
    },
    # the penalized mode (alpha given): width and restarts independent of N, lam defaults to alpha
    mode_defaults={
        "alpha": {"epochs": 1500, "lr": 0.01, "lam": None, "width": lambda n, d: _pen_width()},
        "budget": {"epochs": 1500, "lr": 0.01, "lam": None, "width": lambda n, d: _pen_width()},
        "targets": {"width": lambda n, d: 64},
    },
)
def _method_sparsest(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    import warnings

    from ..errors import ConvergenceWarning

    Xn = X.detach().cpu().numpy()
    yn = y.detach().cpu().numpy()
    opts = dict(cfg.options)
    if opts.get("alpha") is not None or opts.get("budget") is not None:
        if opts.get("targets") is not None:
            what = (
                "alpha (a penalized fit)"
                if opts.get("alpha") is not None
                else "budget (a fit within a count)"
            )
            raise ParameterError(f"{what} and targets (a fit within bounds): give one")
        return _method_penalized(Xn, yn, cfg, opts)
    opts.pop("alpha", None)
    opts.pop("budget", None)
    targets = opts.pop("targets", None)
    if targets is not None and not targets.is_interpolation:
        return _method_bounded(Xn, targets, cfg, opts)
    if "finetune_epochs" in opts:
        raise ParameterError("finetune_epochs applies to the penalized mode (alpha) only")
    fit = fit_sparsest(Xn, yn, **_mode_kwargs(cfg), fit_rtol=cfg.tol, early_stop=cfg.early_stop, **opts)
    if not fit.interpolates:
        warnings.warn(
            f"sparsest: no exact fit found (max residual {fit.max_residual:.3g} > "
            f"{cfg.tol:g}·(1 + max|y|)); returning the best approximate network",
            ConvergenceWarning,
            stacklevel=4,
        )
    return _train_result(fit, cfg, fit.interpolates)


def _pen_width() -> int:
    from .penalized import PENALIZED_WIDTH

    return PENALIZED_WIDTH


def _method_penalized(Xn: np.ndarray, yn: np.ndarray, cfg: TrainConfig, opts: dict) -> TrainResult:
    """The penalized mode (``alpha`` and/or ``budget`` given; ``alpha`` defaults to 0 with a budget):
    :func:`sparsest.train.penalized.fit_penalized`."""
    from .penalized import fit_penalized

    for bad in ("n_polish", "polish_options"):
        if bad in opts:
            raise ParameterError(f"{bad} applies to the interpolation mode only (not with alpha)")
    alpha = opts.pop("alpha", None)
    alpha = 0.0 if alpha is None else alpha
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise ParameterError(f"alpha must be a number >= 0, got {alpha!r}")
    alpha = float(alpha)
    if not (math.isfinite(alpha) and alpha >= 0):
        raise ParameterError(f"alpha must be a finite number >= 0, got {alpha!r}")
    fit = fit_penalized(Xn, yn, alpha=alpha, **_mode_kwargs(cfg), **opts)
    return _train_result(fit, cfg, True)


def _method_bounded(Xn: np.ndarray, targets, cfg: TrainConfig, opts: dict) -> TrainResult:
    """The bounded mode (``targets`` given): :func:`sparsest.train.bounded.fit_bounded`."""
    import warnings

    from ..errors import ConvergenceWarning
    from .bounded import fit_bounded

    for bad in ("polish_options", "finetune_epochs"):
        if bad in opts:
            raise ParameterError(f"{bad} does not apply to a fit within bounds (targets)")
    fit = fit_bounded(Xn, targets, **_mode_kwargs(cfg), **opts)
    if not fit.interpolates:
        warnings.warn(
            f"sparsest: no network within the bounds found (max violation {fit.info['max_violation']:.3g}); "
            "returning the best approximate network",
            ConvergenceWarning,
            stacklevel=4,
        )
    return _train_result(fit, cfg, fit.interpolates)


@register_method(
    "exact",
    options=("objective", "time_limit", "backend"),
    description="the exact solvers (1-D dynamic program, d-D MILP) for users who just want the answer",
    defaults={"epochs": 0, "tol": 1e-9},
)
def _method_exact(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    t0 = time.perf_counter()
    Xn = X.detach().cpu().numpy()
    yn = y.detach().cpu().numpy()
    opts = dict(cfg.options)
    if Xn.shape[1] == 1 and cfg.skip and opts.get("objective", "neurons") == "neurons":
        from ..exact import solve_1d

        res = solve_1d(Xn[:, 0], yn, cfg.p)
        net, ok = res.network, res.interpolates
    else:
        try:
            from ..exact import solve as solve_dd
        except ImportError:  # pragma: no cover - d-D solver not installed in this build
            raise ParameterError("method 'exact' needs the d-D exact solver (sparsest.exact.solve)") from None
        res = solve_dd(Xn, yn, skip=cfg.skip, include_bias=cfg.penalize_bias, **opts)
        net, ok = res.network, res.status == "optimal"
    ib = cfg.penalize_bias
    resid = net.max_residual(Xn, yn)
    h = History()
    h.append(
        epoch=0,
        loss=float(np.mean((net.predict(Xn) - yn) ** 2)),
        n_active=net.n_active_neurons(ib),
        n_nonzero=net.n_nonzero(ib),
        lp_path_norm=net.lp_path_norm(cfg.p, ib),
        seconds=time.perf_counter() - t0,
        max_residual=resid,
    )
    return TrainResult(
        network=net,
        init_network=net,
        history=h,
        method=cfg.method,
        epochs_run=0,
        seconds=time.perf_counter() - t0,
        converged=bool(ok),
        max_residual=resid,
        n_active=net.n_active_neurons(ib),
        n_nonzero=net.n_nonzero(ib),
        lp_path_norm=net.lp_path_norm(cfg.p, ib),
        config=cfg.to_dict(),
    )
