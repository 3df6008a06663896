"""The ReLU network as a PyTorch module, convertible to and from :class:`~sparsest.network.ReLUNetwork`.

``f(x) = Σ_k v_k (w_k^T x + b_k)_+ + a^T x + c`` with the hidden layer an ``nn.Linear(d, K)``
(weights ``W``, biases ``b``), the output an ``nn.Linear(K, 1, bias=False)`` (weights ``v``), and an
optional unpenalized skip term (``a``, ``c``; zero-initialized).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..errors import ParameterError
from ..network import ReLUNetwork, default_skip

__all__ = ["TorchReLUNet", "torch_default_init"]


def torch_default_init(d: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch's default initialization of ``nn.Linear(d, K)`` then ``nn.Linear(K, 1, bias=False)``.

    Reproduces, without touching the global RNG, what ``torch.manual_seed(seed)`` followed by
    constructing those two float32 layers draws (the paper's setting): hidden weights and biases
    ``~ U(−1/√d, 1/√d)``, output weights ``~ U(−1/√K, 1/√K)``, in that order.

    Returns
    -------
    W : ndarray of shape (K, d)
    b : ndarray of shape (K,)
    v : ndarray of shape (K,)
        float64 copies of the float32 draws.
    """
    if width < 1 or d < 1:
        raise ParameterError(f"width and d must be >= 1, got width={width}, d={d}")
    g = torch.Generator().manual_seed(int(seed))
    bound1 = 1.0 / math.sqrt(d)
    W = torch.empty(width, d, dtype=torch.float32).uniform_(-bound1, bound1, generator=g)
    b = torch.empty(width, dtype=torch.float32).uniform_(-bound1, bound1, generator=g)
    bound2 = 1.0 / math.sqrt(width)
    v = torch.empty(1, width, dtype=torch.float32).uniform_(-bound2, bound2, generator=g)
    return W.double().numpy(), b.double().numpy(), v[0].double().numpy()


class TorchReLUNet(nn.Module):
    """Single-hidden-layer ReLU network (float64 by default).

    Parameters
    ----------
    d : int
        Input dimension.
    width : int
        Number of neurons ``K``.
    skip : bool, optional
        Unpenalized skip term ``a^T x + c`` (default: on in 1-D, off in d-D).
    seed : int
        Seed of :func:`torch_default_init`.
    dtype : torch.dtype
    device : str or torch.device, optional

    Attributes
    ----------
    hidden : nn.Linear(d, K)
    output : nn.Linear(K, 1, bias=False)
    skip_linear : nn.Linear(d, 1) or None
    """

    def __init__(
        self,
        d: int,
        width: int,
        *,
        skip: bool | None = None,
        seed: int = 0,
        dtype: torch.dtype = torch.float64,
        device: str | torch.device | None = None,
    ) -> None:
        super().__init__()
        self.d = int(d)
        self.width = int(width)
        self.use_skip = default_skip(self.d) if skip is None else bool(skip)
        self.hidden = nn.Linear(self.d, self.width, dtype=dtype, device=device)
        self.output = nn.Linear(self.width, 1, bias=False, dtype=dtype, device=device)
        self.skip_linear = nn.Linear(self.d, 1, dtype=dtype, device=device) if self.use_skip else None
        W, b, v = torch_default_init(self.d, self.width, seed)
        self.load_arrays(W, b, v)

    # ------------------------------------------------------------------ views
    @property
    def W(self) -> torch.Tensor:
        """Hidden weights, shape (K, d)."""
        return self.hidden.weight

    @property
    def b(self) -> torch.Tensor:
        """Hidden biases, shape (K,)."""
        return self.hidden.bias

    @property
    def v(self) -> torch.Tensor:
        """Output weights, shape (K,) (a view of ``output.weight[0]``)."""
        return self.output.weight[0]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """``f(X)`` for ``X`` of shape (N, d); returns shape (N,)."""
        out = self.output(torch.relu(self.hidden(X)))[:, 0]
        if self.skip_linear is not None:
            out = out + self.skip_linear(X)[:, 0]
        return out

    @torch.no_grad()
    def load_arrays(self, W, b, v, a=None, c: float = 0.0) -> TorchReLUNet:
        """Overwrite parameters in place from arrays (shapes as in :class:`ReLUNetwork`)."""
        dt, dev = self.hidden.weight.dtype, self.hidden.weight.device
        self.hidden.weight.copy_(
            torch.tensor(np.array(W, dtype=np.float64).reshape(self.width, self.d), dtype=dt, device=dev)
        )
        self.hidden.bias.copy_(
            torch.tensor(np.array(b, dtype=np.float64).reshape(self.width), dtype=dt, device=dev)
        )
        self.output.weight.copy_(
            torch.tensor(np.array(v, dtype=np.float64).reshape(1, self.width), dtype=dt, device=dev)
        )
        if self.skip_linear is not None:
            a = np.zeros(self.d) if a is None else np.array(a, dtype=np.float64).reshape(1, self.d)
            self.skip_linear.weight.copy_(torch.tensor(a, dtype=dt, device=dev).reshape(1, self.d))
            self.skip_linear.bias.fill_(float(c))
        return self

    @classmethod
    def from_network(cls, net: ReLUNetwork, *, dtype=torch.float64, device=None) -> TorchReLUNet:
        """Module with the parameters of ``net``."""
        m = cls(net.n_features, max(net.width, 1), skip=net.skip, dtype=dtype, device=device)
        if net.width == 0:
            m.load_arrays(np.zeros((1, net.n_features)), np.zeros(1), np.zeros(1), net.a, net.c)
        else:
            m.load_arrays(net.W, net.b, net.v, net.a, net.c)
        return m

    @torch.no_grad()
    def to_network(self) -> ReLUNetwork:
        """float64 numpy copy of the current parameters."""
        W = self.hidden.weight.detach().double().cpu().numpy()
        b = self.hidden.bias.detach().double().cpu().numpy()
        v = self.output.weight.detach().double().cpu().numpy()[0]
        if self.skip_linear is not None:
            a = self.skip_linear.weight.detach().double().cpu().numpy()[0]
            c = float(self.skip_linear.bias.detach().double().cpu().item())
            return ReLUNetwork(W, b, v, a=a, c=c, skip=True)
        return ReLUNetwork(W, b, v, skip=False)

    def penalized_parameters(self) -> list[nn.Parameter]:
        """Hidden and output parameters (the skip term is never penalized)."""
        return [self.hidden.weight, self.hidden.bias, self.output.weight]
