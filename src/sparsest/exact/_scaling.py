"""Sparsity-preserving normalization of the data for the exact solvers.

Scaling an input column ``x_l → x_l / s_l`` (``s_l > 0``) and the target ``y → y / β`` (``β > 0``)
maps networks one-to-one without changing which weights are zero:
``w_l ↦ w_l s_l / β``, ``b ↦ b / β`` (with ``|v| = 1`` after moving the output weight into the
neuron by positive homogeneity). Shifting inputs would move mass between weights and biases and
change the count, so the data are never centered.

Normalized quantities: design ``Z = [x/s, 1]`` of shape (N, d+1), target ``t = y/β``,
``max_i |Z_il| = 1`` for every nonzero column and ``max_i |t_i| = 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import ReLUNetwork

__all__ = ["Scaled"]


@dataclass(frozen=True)
class Scaled:
    """Normalized view of ``(X, y)``.

    Attributes
    ----------
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,)
    s : ndarray of shape (d,)
        Column scales (``1`` for all-zero columns).
    beta : float
        Target scale (``1`` when ``y = 0``).
    Z : ndarray of shape (N, d+1)
    t : ndarray of shape (N,)
    """

    X: np.ndarray
    y: np.ndarray
    s: np.ndarray
    beta: float
    Z: np.ndarray
    t: np.ndarray

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray) -> Scaled:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        s = np.max(np.abs(X), axis=0)
        s = np.where(s > 0, s, 1.0)
        beta = float(np.max(np.abs(y)))
        beta = beta if beta > 0 else 1.0
        Z = np.concatenate([X / s, np.ones((X.shape[0], 1))], axis=1)
        return cls(X=X, y=y, s=s, beta=beta, Z=Z, t=y / beta)

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    def network(
        self,
        U: np.ndarray,
        signs: np.ndarray,
        *,
        skip: bool,
        a: np.ndarray | None = None,
        c: float = 0.0,
    ) -> ReLUNetwork:
        """The original-units network ``Σ_k signs_k (z·U_k)_+ (+ a·z_x + c)``, balanced.

        ``U`` has shape (K, d+1) (normalized neuron vectors, last entry the bias); ``a`` (d,) and
        ``c`` are the normalized skip term.
        """
        U = np.asarray(U, dtype=np.float64).reshape(-1, self.d + 1)
        W = self.beta * U[:, : self.d] / self.s
        b = self.beta * U[:, self.d]
        v = np.asarray(signs, dtype=np.float64).reshape(-1)
        if skip:
            aa = np.zeros(self.d) if a is None else self.beta * np.asarray(a, dtype=np.float64) / self.s
            net = ReLUNetwork(W, b, v, a=aa, c=self.beta * float(c), skip=True)
        else:
            net = ReLUNetwork(W, b, v, skip=False)
        return net.balanced(include_bias=True)

    def neurons_of(self, net: ReLUNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Inverse of :meth:`network`: ``(U (K, d+1), signs (K,), a (d,), c)`` in normalized units.

        Output weights are moved into the neuron (``u = |v| [w; b]``), so ``signs = sign(v)``.
        """
        av = np.abs(net.v)
        U = np.concatenate([net.W * self.s / self.beta, net.b[:, None] / self.beta], axis=1) * av[:, None]
        a = net.a * self.s / self.beta
        return U, np.sign(net.v), a, float(net.c) / self.beta
