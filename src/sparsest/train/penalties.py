"""ℓp path-norm penalties and their proximal steps (functional core, usable in any PyTorch loop).

Notation (paper.md §1, §5): a network ``f(x) = Σ_k v_k (w_k^T x + b_k)_+ (+ a^T x + c)`` has *path
products* ``z_{k,i} = v_k w_{k,i}`` (``i = 1..d``) and, when biases are penalized, ``z_{k,d+1} = v_k
b_k``. The ℓp path norm is ``Σ_{k,i} |z_{k,i}|^p``.

Pure functions
--------------
* :func:`path_products` — the ``(K, d)`` or ``(K, d+1)`` matrix ``Z``.
* :func:`lp_path_norm` — differentiable ``Σ |z|^p``, with a finite (zero) gradient at ``z = 0``.
* :func:`prox_weighted_l1` — ``sign(z) max(|z| − C, 0)`` (``C`` may be ``+inf``).
* :func:`reweighted_thresholds` — ``C = λ γ p |z_prev|^{p−1}``: the weights of the linear majorizer
  ``|z|^p ≤ p |z₀|^{p−1} |z| + (1 − p) |z₀|^p`` at the previous iterate, times the step ``λ γ``.
  ``C = +inf`` where ``z_prev = 0`` and ``p < 1``, so a zero product stays zero.

In-place steps (on a :class:`~sparsest.train.torchnet.TorchReLUNet`, inside ``torch.no_grad``)
------------------------------------------------------------------------------------------------
* :func:`reweighted_prox_step_` — Algorithm 1's proximal step + rebalancing ``|v_k| = ‖u_k‖₂^{1/2}``.
* :func:`pathprox_step_` — the ℓ1 path-norm (``Σ_k |v_k| ‖w_k‖₂``) prox of PathProx.

Example
-------
Algorithm 1 in a plain PyTorch loop::

    import torch
    from sparsest.train.torchnet import TorchReLUNet
    from sparsest.train.penalties import path_products, reweighted_prox_step_

    model = TorchReLUNet(d=1, width=80, skip=False, seed=20)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for epoch in range(1, 100_001):
        prev = path_products(model, include_bias=False).detach()
        opt.zero_grad()
        torch.mean((model(X) - y) ** 2).backward()
        opt.step()
        if epoch > 5:
            reweighted_prox_step_(model, prev, p=0.4, lam=0.003, lr=0.01, penalize_bias=False)

or, as a smooth penalty (plain gradient descent on ``MSE + λ Σ|z|^p``)::

    loss = torch.mean((model(X) - y) ** 2) + lam * lp_path_norm(model, 0.4)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..errors import ParameterError, check_p

__all__ = [
    "MODES",
    "ProxStepInfo",
    "lp_path_norm",
    "path_products",
    "pathprox_step_",
    "prox_weighted_l1",
    "reweighted_prox_step_",
    "reweighted_thresholds",
]

#: fidelity modes of :func:`reweighted_prox_step_`
MODES = ("paper", "consistent")


def _tensors(model_or_tensors) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(W (K, d), b (K,), v (K,))`` from a TorchReLUNet-like module or a ``(W, b, v)`` tuple."""
    if isinstance(model_or_tensors, (tuple, list)):
        if len(model_or_tensors) != 3:
            raise ParameterError("expected a model or a (W, b, v) tuple of tensors")
        W, b, v = model_or_tensors
        W = W if W.dim() == 2 else W.reshape(-1, 1)
        return W, b.reshape(-1), v.reshape(-1)
    try:
        return model_or_tensors.W, model_or_tensors.b, model_or_tensors.v
    except AttributeError:
        raise ParameterError(
            "expected a TorchReLUNet (attributes W, b, v) or a (W, b, v) tuple of tensors, "
            f"got {type(model_or_tensors).__name__}"
        ) from None


def _include_bias(include_bias: bool | None, d: int) -> bool:
    return d > 1 if include_bias is None else bool(include_bias)


def path_products(model_or_tensors, include_bias: bool | None = None) -> torch.Tensor:
    """Path products ``Z = v_k [w_k; b_k]``.

    Parameters
    ----------
    model_or_tensors : TorchReLUNet or tuple (W, b, v)
        ``W`` of shape (K, d), ``b`` and ``v`` of shape (K,).
    include_bias : bool, optional
        Append the bias column ``v_k b_k``. Default: ``True`` when ``d > 1`` (the paper's
        multivariate objective), ``False`` in 1-D (biases free) — as
        :meth:`sparsest.network.ReLUNetwork.path_products`.

    Returns
    -------
    Tensor of shape (K, d) or (K, d + 1)
        Differentiable in the parameters (call ``.detach()`` for a snapshot).
    """
    W, b, v = _tensors(model_or_tensors)
    Z = v[:, None] * W
    if _include_bias(include_bias, W.shape[1]):
        Z = torch.cat([Z, (v * b)[:, None]], dim=1)
    return Z


def _safe_abs_pow(Z: torch.Tensor, p: float) -> torch.Tensor:
    """``|z|^p`` elementwise with value 0 and gradient 0 at ``z = 0`` (the double-``where`` trick:
    the masked branch never sees a zero base, so no ``0 · inf = nan`` reaches the gradient)."""
    nz = Z != 0
    safe = torch.where(nz, Z, torch.ones_like(Z))
    return torch.where(nz, safe.abs() ** p, torch.zeros_like(Z))


def lp_path_norm(model_or_tensors, p: float, include_bias: bool | None = None) -> torch.Tensor:
    """Differentiable ℓp path norm ``Σ_{k,i} |z_{k,i}|^p`` of :func:`path_products`.

    Parameters
    ----------
    model_or_tensors : TorchReLUNet or tuple (W, b, v)
    p : float
        Exponent in ``[0, 1]``. ``p = 0`` returns the exact number of nonzero products (a
        constant: zero gradient).
    include_bias : bool, optional
        As in :func:`path_products` (default: bias penalized iff ``d > 1``).

    Returns
    -------
    Tensor of shape ()
        Equals :meth:`sparsest.network.ReLUNetwork.lp_path_norm` of the converted network.

    Notes
    -----
    The derivative ``p |z|^{p−1} sign(z)`` is unbounded as ``z → 0`` for ``p < 1``; at ``z = 0``
    exactly we return the gradient ``0`` (an element of the Clarke subdifferential for ``p = 1``
    and the natural choice that keeps dead paths dead for ``p < 1``), so the gradient is always
    finite where the products are.
    """
    p = check_p(p)
    Z = path_products(model_or_tensors, include_bias)
    if p == 0:
        return (Z != 0).sum().to(Z.dtype)
    return _safe_abs_pow(Z, p).sum()


def prox_weighted_l1(z: torch.Tensor, thresh: torch.Tensor | float) -> torch.Tensor:
    """Proximal operator of ``Σ_i C_i |z_i|``: ``u = sign(z) max(|z| − C, 0)`` (soft threshold).

    Parameters
    ----------
    z : Tensor of any shape
    thresh : Tensor broadcastable to ``z``, or float
        Nonnegative thresholds ``C``; ``+inf`` sends the entry to zero.

    Returns
    -------
    Tensor of the shape of ``z``.
    """
    thresh = torch.as_tensor(thresh, dtype=z.dtype, device=z.device)
    if bool((thresh < 0).any()) or bool(torch.isnan(thresh).any()):
        raise ParameterError("prox thresholds must be nonnegative (no NaN)")
    return torch.sign(z) * torch.clamp(z.abs() - thresh, min=0.0)


def reweighted_thresholds(z_prev: torch.Tensor, p: float, lam: float, lr: float) -> torch.Tensor:
    """Thresholds of the reweighted-ℓ1 step: ``C = λ γ p |z_prev|^{p−1}`` (γ = ``lr``).

    Where ``z_prev = 0``: ``C = +inf`` for ``p < 1`` (the majorizer's slope is infinite: a zero
    product stays zero), ``C = λ γ`` for ``p = 1`` (plain soft threshold).

    Parameters
    ----------
    z_prev : Tensor
        Path products at the previous iterate.
    p : float in (0, 1]
    lam : float >= 0
        Regularization strength λ.
    lr : float > 0
        Step size γ.

    Returns
    -------
    Tensor of the shape of ``z_prev``.
    """
    p = check_p(p, allow_zero=False)
    if not lam >= 0:
        raise ParameterError(f"lam must be >= 0, got {lam!r}")
    if not lr > 0:
        raise ParameterError(f"lr must be > 0, got {lr!r}")
    scale = float(lam) * float(lr) * p
    if p == 1.0:
        return torch.full_like(z_prev, scale)
    a = z_prev.abs()
    nz = a > 0
    safe = torch.where(nz, a, torch.ones_like(a))
    inf = torch.full_like(a, float("inf"))
    if scale == 0:
        return torch.where(nz, torch.zeros_like(a), inf)
    return torch.where(nz, scale * safe ** (p - 1.0), inf)


@dataclass(frozen=True)
class ProxStepInfo:
    """What a proximal step did (counts are computed on access, so a step never syncs a GPU).

    Attributes
    ----------
    products : Tensor of shape (K, d) or (K, d + 1)
        Path products after the step (pass them as ``prev`` to the next step).
    before : Tensor of the same shape
        Path products before the step.
    """

    products: torch.Tensor
    before: torch.Tensor

    @property
    def n_zeroed(self) -> int:
        """Products that were nonzero before the step and are zero after it."""
        return int(((self.before != 0) & (self.products == 0)).sum())

    @property
    def n_dead(self) -> int:
        """Neurons with a nonzero product before the step and none after it."""
        return int(((self.before != 0).any(dim=1) & ~(self.products != 0).any(dim=1)).sum())


@torch.no_grad()
def reweighted_prox_step_(
    model,
    prev: torch.Tensor,
    *,
    p: float,
    lam: float,
    lr: float,
    mode: str = "consistent",
    penalize_bias: bool | None = None,
    eps: float = 1e-8,
) -> ProxStepInfo:
    """Algorithm 1's proximal step on the path products, in place (paper.md §5).

    For every neuron ``k`` and counted coordinate ``i`` (input weights; the bias too when
    ``penalize_bias``):

    1. ``z_{k,i} = v_k w_{k,i}`` (current, post-Adam), ``C_{k,i} = λ γ p |prev_{k,i}|^{p−1}``
       (:func:`reweighted_thresholds`), ``u_{k,i} = sign(z) max(|z| − C, 0)``.
    2. ``n_k = ‖u_k‖₂``. If ``n_k ≥ eps``: ``v_k ← sign(v_k) √n_k``,
       ``w_{k,i} ← sign(w_{k,i}) |u_{k,i}| / √n_k``, so that ``v_k w_k = u_k`` and
       ``|v_k| = ‖w_k‖₂`` (rebalanced). Else the neuron is dead: ``w_k ← 0``.

    Unpenalized biases (``penalize_bias=False``) are handled by ``mode``:

    * ``"paper"`` — as the published code: ``b_k`` is left as it is, so the knot ``−b_k/w_k`` of a
      univariate neuron moves whenever ``|w_k|`` changes (even with ``λ = 0``, from rebalancing),
      and a dead neuron keeps its bias (it becomes the constant ``v_k (b_k)_+``).
    * ``"consistent"`` — ``b_k`` is rescaled with ``w_k``: ``b_k ← b_k ‖w_k^new‖₂ / ‖w_k^old‖₂``.
      In 1-D this preserves every knot exactly (up to rounding); in d-D it preserves the signed
      distance ``b_k / ‖w_k‖₂`` of the hyperplane from the origin (its normal changes only by the
      coordinatewise shrinkage). A dead neuron gets ``b_k = 0`` (it vanishes).

    With penalized biases the bias is one of the coordinates and both modes coincide.

    Parameters
    ----------
    model : TorchReLUNet
        Modified in place.
    prev : Tensor of shape (K, d) or (K, d + 1)
        ``path_products(model, penalize_bias)`` at the previous iterate (before the optimizer step).
    p : float in (0, 1]
    lam : float >= 0
    lr : float > 0
        The optimizer's step size γ.
    mode : {"paper", "consistent"}
    penalize_bias : bool, optional
        Default: ``True`` iff ``d > 1``.
    eps : float >= 0
        Neurons with ``‖u_k‖₂ < eps`` die.

    Returns
    -------
    ProxStepInfo
    """
    if mode not in MODES:
        raise ParameterError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not eps >= 0:
        raise ParameterError(f"eps must be >= 0, got {eps!r}")
    W, b, v = _tensors(model)
    d = W.shape[1]
    pen_b = _include_bias(penalize_bias, d)
    Z = path_products((W, b, v), pen_b)
    if prev.shape != Z.shape:
        raise ParameterError(
            f"prev must have shape {tuple(Z.shape)} (the path products), got {tuple(prev.shape)}"
        )
    C = reweighted_thresholds(prev.to(Z.dtype), p, lam, lr)
    U = torch.sign(Z) * torch.clamp(Z.abs() - C, min=0.0)  # prox_weighted_l1 without re-validation
    n = torch.linalg.vector_norm(U, dim=1)
    alive = n >= eps
    root = torch.sqrt(torch.where(alive, n, torch.ones_like(n)))
    # w_i = sign(w_i)|u_i|/√n = sign(v) u_i / √n  (since sign(z_i) = sign(v) sign(w_i))
    sv = torch.sign(v)
    Wn_full = torch.where(alive[:, None], sv[:, None] * U / root[:, None], torch.zeros_like(U))
    v_new = torch.where(alive, sv * root, v)
    if pen_b:
        W_new, b_new = Wn_full[:, :d], Wn_full[:, d]
    else:
        W_new = Wn_full
        if mode == "paper":
            b_new = b
        else:
            old = torch.linalg.vector_norm(W, dim=1)
            new = torch.linalg.vector_norm(W_new, dim=1)
            ratio = torch.where(
                old > 0, new / torch.where(old > 0, old, torch.ones_like(old)), torch.zeros_like(old)
            )
            b_new = b * ratio
    W.copy_(W_new)
    b.copy_(b_new)
    v.copy_(v_new)
    return ProxStepInfo(path_products((W, b, v), pen_b), Z)


@torch.no_grad()
def pathprox_step_(model, lam: float, lr: float, *, penalize_bias: bool | None = None) -> ProxStepInfo:
    """Proximal step of the ℓ1 path norm ``Σ_k |v_k| ‖w_k‖₂`` (PathProx, Yang et al. 2022), in place.

    1. Normalize (function-preserving): ``α_k = ‖w_k‖₂`` (``‖[w_k; b_k]‖₂`` when biases are
       penalized); ``w_k ← w_k/α_k``, ``b_k ← b_k/α_k``, ``v_k ← α_k v_k``.
    2. Group soft threshold of the output weight: ``v_k ← sign(v_k) max(|v_k| − λ γ, 0)``.

    Neurons with ``α_k = 0`` are not rescaled. A neuron whose ``v_k`` is thresholded to zero is
    removed cleanly (``w_k = 0``, ``b_k = 0``): otherwise, with free biases, repeated normalization
    of its still-moving ``w_k`` inflates ``b_k`` without bound and the revived neuron blows up the
    output. Returns the ℓ1-path products after the step
    (``v_k [w_k; b_k]``, same layout as :func:`path_products`).

    Parameters
    ----------
    model : TorchReLUNet
    lam : float >= 0
    lr : float > 0
    penalize_bias : bool, optional
        Default ``True`` iff ``d > 1``.
    """
    if not lam >= 0:
        raise ParameterError(f"lam must be >= 0, got {lam!r}")
    if not lr > 0:
        raise ParameterError(f"lr must be > 0, got {lr!r}")
    W, b, v = _tensors(model)
    d = W.shape[1]
    pen_b = _include_bias(penalize_bias, d)
    Z_before = path_products((W, b, v), pen_b)
    G = torch.cat([W, b[:, None]], dim=1) if pen_b else W
    alpha = torch.linalg.vector_norm(G, dim=1)
    ok = alpha > 0
    safe = torch.where(ok, alpha, torch.ones_like(alpha))
    W.div_(safe[:, None])
    b.div_(safe)
    v.mul_(safe)
    v.copy_(torch.sign(v) * torch.clamp(v.abs() - float(lam) * float(lr), min=0.0))
    dead = v == 0
    W.masked_fill_(dead[:, None], 0.0)
    b.masked_fill_(dead, 0.0)
    return ProxStepInfo(path_products((W, b, v), pen_b), Z_before)
