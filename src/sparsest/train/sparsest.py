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
   forward pass.
4. **Un-normalize** (function-preserving) and re-check the fit on the original data.

The result interpolates to ``max|f(x_i) − y_i| ≤ fit_rtol (1 + max|y|)`` (default ``1e-10``) or
the caller is told (``interpolates=False``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import ParameterError
from ..network import ReLUNetwork, default_skip
from .polish import polish

__all__ = ["SparsestFit", "fit_sparsest"]


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
    # half the neurons: hyperplanes through random data points
    k2 = K // 2
    idx = torch.randint(0, N, (R, k2), generator=gen)
    W = W.to(device)
    b = b.to(device)
    pts = X[idx.to(device)]  # (R, k2, d)
    b[:, :k2] = -(W[:, :k2] * pts).sum(-1)
    v = ((torch.rand(R, K, generator=gen, dtype=dtype) * 2 - 1) / math.sqrt(K)).to(device)
    a = torch.zeros(R, d, dtype=dtype, device=device)
    c = torch.zeros(R, dtype=dtype, device=device)
    return W, b, v, a, c


def _forward(X, W, b, v, a, c, skip):
    H = torch.relu(torch.einsum("nd,rkd->rnk", X, W) + b[:, None, :])
    f = (H * v[:, None, :]).sum(-1)
    if skip:
        f = f + X @ a.T.reshape(X.shape[1], -1) if False else f + (a @ X.T) + c[:, None]
    return f


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
    progress: bool = False,
    log_every: int = 50,
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
        Neurons per restart (default ``max(2N, 16)``).
    restarts : int
        Number of restarts trained together as one batch.
    epochs : int
        Epochs of the gradient phase.
    skip : bool, optional
        Unpenalized skip term (default: on in 1-D, off in d-D).
    include_bias : bool, optional
        Whether biases count as weights (default: ``d > 1``).
    seed : int
        Seed of the initialization (a private ``torch.Generator``).
    """
    t0 = time.perf_counter()
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
    K = int(width) if width is not None else max(2 * N, 16)
    if K < 1:
        raise ParameterError(f"width must be >= 1, got {width!r}")
    R = max(1, int(restarts))
    scaler = _Scaler(X, y, skip)
    Xn, yn = scaler.data(X, y)
    gen = torch.Generator().manual_seed(int(seed))
    Xt = torch.as_tensor(Xn, dtype=dtype, device=device)
    yt = torch.as_tensor(yn, dtype=dtype, device=device)
    W, b, v, a, c = _init_batch(Xn, R, K, skip, gen, dtype, device)
    params = [W, b, v] + ([a, c] if skip else [])
    for t in params:
        t.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=lr)
    hist = {k: [] for k in ("epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds")}
    graveyard: list[np.ndarray] = []  # hyperplanes of neurons switched off by the prox
    prev = None
    warm = max(1, epochs // 6)
    t_grad = time.perf_counter()
    for ep in range(1, epochs + 1):
        opt.zero_grad(set_to_none=True)
        H = torch.relu(torch.einsum("nd,rkd->rnk", Xt, W) + b[:, None, :])
        f = (H * v[:, None, :]).sum(-1)
        if skip:
            f = f + a @ Xt.T + c[:, None]
        mse = ((f - yt) ** 2).mean(dim=1)
        mse.sum().backward()
        opt.step()
        if ep > warm:
            frac = min(1.0, (ep - warm) / max(1.0, 0.7 * (epochs - warm)))
            pe = 1.0 + (p - 1.0) * frac
            le = lam * (0.2 + 0.8 * frac)
            with torch.no_grad():
                Z = v[:, :, None] * W  # (R, K, d)
                if ib:
                    Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
                Zp = Z if prev is None else prev
                mag = Zp.abs()
                C = le * lr * pe * mag.clamp_min(1e-300) ** (pe - 1.0)
                C = torch.where(mag == 0, torch.full_like(C, math.inf), C)
                U = torch.sign(Z) * (Z.abs() - C).clamp_min(0.0)
                # consistent rebalancing: |v_k| = ||u_k||^(1/2), hyperplane direction kept
                nrm = U.norm(dim=2)  # (R, K)
                alive = nrm > 1e-12
                died = (~alive) & (v != 0)
                if died.any():
                    rr, kk = torch.nonzero(died, as_tuple=True)
                    graveyard.append(torch.cat([W[rr, kk], b[rr, kk, None]], dim=1).detach().cpu().numpy())
                s = nrm.clamp_min(1e-300).sqrt()
                vs = torch.sign(v)
                if ib:
                    Wn = U[:, :, :-1] / s[:, :, None]
                    bn = U[:, :, -1] / s
                else:
                    # bias is not penalized: rescale it with w (keeps the hyperplane)
                    wn_old = W.norm(dim=2).clamp_min(1e-300)
                    Wn = U / s[:, :, None]
                    scale = Wn.norm(dim=2) / wn_old
                    bn = b * scale
                Wn = torch.where(alive[:, :, None], Wn, torch.zeros_like(Wn))
                bn = torch.where(alive, bn, torch.zeros_like(bn))
                W.copy_(Wn)
                b.copy_(bn)
                v.copy_(torch.where(alive, vs * s, torch.zeros_like(v)))
                Z = v[:, :, None] * W
                if ib:
                    Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
                prev = Z.clone()
        if ep % log_every == 0 or ep == epochs:
            with torch.no_grad():
                Z = v[:, :, None] * W
                if ib:
                    Z = torch.cat([Z, (v * b)[:, :, None]], dim=2)
                mag = Z.abs()
                thr = 1e-6 * mag.amax(dim=(1, 2), keepdim=True)
                nz = (mag > thr).sum(dim=(1, 2))
                act = (mag > thr).any(dim=2).sum(dim=1)
                lpn = (mag**p).sum(dim=(1, 2))
                best = int(torch.argmin(mse.detach() * 1e6 + (nz if objective == "nonzeros" else act)))
                hist["epoch"].append(ep)
                hist["loss"].append(float(mse[best]) * scaler.sy**2)
                hist["n_active"].append(int(act[best]))
                hist["n_nonzero"].append(int(nz[best]))
                hist["lp_path_norm"].append(float(lpn[best]))
                hist["seconds"].append(time.perf_counter() - t0)
    t_grad = time.perf_counter() - t_grad
    # --- polish on the pooled hyperplanes
    with torch.no_grad():
        Wn_, bn_, vn_ = W.detach().cpu().numpy(), b.detach().cpu().numpy(), v.detach().cpu().numpy()
        an_, cn_ = a.detach().cpu().numpy(), c.detach().cpu().numpy()
    nets = [
        ReLUNetwork(
            Wn_[r], bn_[r], vn_[r], a=an_[r] if skip else None, c=float(cn_[r]) if skip else 0.0, skip=skip
        )
        for r in range(R)
    ]
    losses = [n.max_residual(Xn, yn) for n in nets]
    r_best = int(np.argmin(losses))
    pooled_W = np.concatenate([n.W for n in nets])
    pooled_b = np.concatenate([n.b for n in nets])
    pooled = ReLUNetwork(pooled_W, pooled_b, np.zeros(pooled_W.shape[0]), a=None, c=0.0, skip=skip)
    extra = np.concatenate(graveyard) if graveyard else None
    t_pol = time.perf_counter()
    pr = polish(
        pooled,
        Xn,
        yn,
        objective=objective,
        include_bias=ib,
        extra_hyperplanes=extra,
        p=p,
        fit_rtol=fit_rtol * 0.5,
        **(polish_options or {}),
    )
    t_pol = time.perf_counter() - t_pol
    final = scaler.network(pr.network).canonicalize(ib, merge_tol=0.0)
    tol = fit_rtol * (1.0 + float(np.max(np.abs(y))))
    resid = final.max_residual(X, y)
    ok = resid <= tol and pr.interpolates
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
            "n_lp": pr.n_lp,
            "pooled_hyperplanes": int(pooled_W.shape[0] + (0 if extra is None else extra.shape[0])),
            "objective": objective,
            "restarts": R,
            "width": K,
            "epochs": epochs,
        },
    )
