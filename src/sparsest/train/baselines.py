"""Built-in training methods: the paper's Algorithm 1 and the baselines it is compared with.

All methods minimize the mean-squared error with full-batch Adam (step ``cfg.lr``) from the shared
initialization, and differ in their sparsifying step (paper.md §5):

============  ==========================================================================
``reweighted``  Algorithm 1: Adam step, then from epoch ``warmup + 1`` (default 6) the
                reweighted-ℓ1 prox on the path products and rebalancing
                (:func:`~sparsest.train.penalties.reweighted_prox_step_`; ``cfg.mode``).
``adam``        Adam alone (λ = 0).
``adamw``       AdamW: decoupled weight decay λ on every parameter.
``pathprox``    Adam step, then the ℓ1 path-norm prox ``Σ_k |v_k| ‖w_k‖₂`` (normalize
                ``w_k``, soft-threshold ``v_k`` by λγ; :func:`~sparsest.train.penalties.pathprox_step_`).
``prune``       Magnitude pruning: Adam for ``epochs``; then keep the ``k`` neurons with the
                largest ``|v_k| ‖w_k‖₂`` and fine-tune (``k`` given), or repeatedly remove a
                ``fraction`` of the neurons and fine-tune until the fit breaks, returning the
                last network that fitted (iterative, the default with ``fraction = 0.2``).
============  ==========================================================================
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import ParameterError
from ..network import ReLUNetwork
from .engine import (
    Loop,
    TrainConfig,
    TrainResult,
    initial_network,
    make_adam,
    make_model,
    mse_step,
    register_method,
)
from .penalties import path_products, pathprox_step_, reweighted_prox_step_

__all__ = ["magnitude_scores"]


def _warmup(cfg: TrainConfig) -> int:
    w = cfg.options.get("warmup", 5)
    if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 0:
        raise ParameterError(f"warmup must be an integer >= 0, got {w!r}")
    return int(w)


def _adam_run(X, y, cfg: TrainConfig, *, weight_decay: float = 0.0, decoupled: bool = False, prox=None):
    """Full-batch Adam on the MSE, with ``prox(epoch, model, prev)`` after each step when given."""
    net0 = initial_network(cfg, X.shape[1])
    model = make_model(cfg, net0)
    opt = make_adam(model.parameters(), cfg, weight_decay=weight_decay, decoupled=decoupled)
    loop = Loop(X, y, cfg, net0)
    loop.start(model)
    epoch = 0
    for epoch in range(1, cfg.epochs + 1):
        prev = None
        if prox is not None:
            with torch.no_grad():
                prev = path_products(model, cfg.penalize_bias)
        mse_step(model, opt, X, y)
        if prox is not None:
            prox(epoch, model, prev)
        if loop.after_epoch(epoch, model):
            break
    return loop.finish(model, epoch)


@register_method("adam", description="Adam on the mean-squared error (lambda = 0)")
def _adam(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    return _adam_run(X, y, cfg)


@register_method("adamw", description="AdamW: decoupled weight decay lam on every parameter")
def _adamw(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    return _adam_run(X, y, cfg, weight_decay=cfg.lam, decoupled=True)


@register_method(
    "reweighted",
    options=("warmup",),
    description="the paper's Algorithm 1: Adam + reweighted-l1 prox on the path products",
)
def _reweighted(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    warmup = _warmup(cfg)

    def prox(epoch, model, prev):
        if epoch > warmup:
            reweighted_prox_step_(
                model,
                prev,
                p=cfg.p,
                lam=cfg.lam,
                lr=cfg.lr,
                mode=cfg.mode,
                penalize_bias=cfg.penalize_bias,
                eps=cfg.eps,
            )

    return _adam_run(X, y, cfg, prox=prox)


@register_method(
    "pathprox", options=("warmup",), description="Adam + prox of the l1 path norm sum_k |v_k| ||w_k||_2"
)
def _pathprox(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    warmup = _warmup(cfg)

    def prox(epoch, model, prev):
        if epoch > warmup:
            pathprox_step_(model, cfg.lam, cfg.lr, penalize_bias=cfg.penalize_bias)

    return _adam_run(X, y, cfg, prox=prox)


# ------------------------------------------------------------------------------------------ pruning
def magnitude_scores(net: ReLUNetwork, include_bias: bool | None = None) -> np.ndarray:
    """Pruning scores ``|v_k| ‖w_k‖₂`` (``‖[w_k; b_k]‖₂`` when ``include_bias``; default ``d > 1``).

    Returns
    -------
    ndarray of shape (K,)
    """
    G = net.W
    if net._include_bias(include_bias):
        G = np.concatenate([net.W, net.b[:, None]], axis=1)
    return np.abs(net.v) * np.linalg.norm(G, axis=1)


def _keep_top(net: ReLUNetwork, k: int, include_bias: bool) -> ReLUNetwork:
    """The ``k`` neurons with the largest scores (ties: lower index first), in their original order."""
    scores = magnitude_scores(net, include_bias)
    order = np.argsort(-scores, kind="stable")
    return net.subset(np.sort(order[:k]))


def _prune_options(cfg: TrainConfig) -> tuple[int | None, float, int]:
    k = cfg.options.get("k")
    fraction = cfg.options.get("fraction")
    if k is not None and fraction is not None:
        raise ParameterError("give either k (one-shot pruning) or fraction (iterative), not both")
    if k is not None and (
        isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= cfg.width
    ):
        raise ParameterError(f"k must be an integer in [0, width={cfg.width}], got {k!r}")
    if fraction is None:
        fraction = 0.2
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise ParameterError(f"fraction must be in (0, 1), got {fraction!r}")
    ft = cfg.options.get("finetune_epochs")
    if ft is None:
        ft = max(100, cfg.epochs // 10)
    if isinstance(ft, bool) or not isinstance(ft, (int, np.integer)) or ft < 1:
        raise ParameterError(f"finetune_epochs must be an integer >= 1, got {ft!r}")
    return (None if k is None else int(k)), float(fraction), int(ft)


def _phase(model, opt, X, y, loop: Loop, first: int, n: int) -> int:
    """Adam for up to ``n`` epochs numbered ``first + 1, …``; ends early when ``loop`` says stop."""
    epoch = first
    for epoch in range(first + 1, first + n + 1):
        mse_step(model, opt, X, y)
        if loop.after_epoch(epoch, model):
            break
    return epoch


def _finetune(net: ReLUNetwork, X, y, cfg: TrainConfig, loop: Loop, epoch: int, n: int):
    """Fine-tune ``net`` with a fresh Adam for up to ``n`` epochs; returns (network, last epoch).
    A network without neurons is returned as is after the phase (its module holds one zero,
    gradient-free placeholder neuron)."""
    model = make_model(cfg, net)
    epoch = _phase(model, make_adam(model.parameters(), cfg), X, y, loop, epoch, n)
    out = model.to_network()
    return (out.subset(np.zeros(0, dtype=int)) if net.width == 0 else out), epoch


@register_method(
    "prune",
    options=("k", "fraction", "finetune_epochs"),
    description="magnitude pruning of an Adam-trained network, with fine-tuning (one-shot or iterative)",
)
def _prune(X: torch.Tensor, y: torch.Tensor, cfg: TrainConfig) -> TrainResult:
    k, fraction, ft = _prune_options(cfg)
    net0 = initial_network(cfg, X.shape[1])
    loop = Loop(X, y, cfg, net0, total=cfg.epochs + ft)
    model = make_model(cfg, net0)
    loop.start(model)
    epoch = _phase(model, make_adam(model.parameters(), cfg), X, y, loop, 0, cfg.epochs)
    net = model.to_network()
    loop.log_network(epoch, net)
    if not loop.fitted or loop.stopped_by_callback:
        return loop.finish(net, epoch)
    if k is not None:
        net, epoch = _finetune(_keep_top(net, k, cfg.penalize_bias), X, y, cfg, loop, epoch, ft)
        return loop.finish(net, epoch)
    best = net
    while best.width > 0 and not loop.stopped_by_callback:
        n_remove = max(1, math.ceil(fraction * best.width))
        loop.extend_total(ft)
        pruned = _keep_top(best, best.width - n_remove, cfg.penalize_bias)
        net, epoch = _finetune(pruned, X, y, cfg, loop, epoch, ft)
        loop.log_network(epoch, net)
        if not loop.fitted:
            break
        best = net
    loop.log_network(epoch, best)  # the returned network is the last row of the history
    return loop.finish(best, epoch)
