"""The single-hidden-layer ReLU network as plain float64 arrays.

The model is

.. math::

    f(x) = \\sum_{k=1}^{K} v_k \\,(w_k^\\top x + b_k)_+ \\; + \\; a^\\top x + c ,

with ``d`` inputs, ``K`` neurons, input weights ``W`` (rows ``w_k``), biases ``b``, output weights ``v``
and an optional unpenalized *skip term* ``a^T x + c``. The paper's univariate model has the skip term,
its multivariate model has none; :func:`default_skip` encodes that default.

Everything here is numpy only (no torch) so that exact solvers, model files and the CLI stay light.

Sparsity and tolerances
-----------------------
A *path product* is ``v_k * w_{k,i}`` (and ``v_k * b_k`` for the bias entry). A product counts as
nonzero when ``|v_k w_{k,i}| > atol + rtol * max_{l,j} |v_l w_{l,j}|`` (the maximum over all counted
products). Defaults: ``rtol = 1e-6``, ``atol = 0`` (:data:`DEFAULT_RTOL`, :data:`DEFAULT_ATOL`), so
the count is invariant to rescaling the data and exact zeros are always zeros. A neuron is *active*
when at least one of its counted products is nonzero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, ParameterError

__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "Knots1D",
    "ReLUNetwork",
    "default_skip",
]

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 0.0
#: relative tolerance used by :meth:`ReLUNetwork.canonicalize` to decide that two knots/hyperplanes
#: coincide (relative to the scale of the knots / unit normal vectors)
DEFAULT_MERGE_TOL = 1e-12

# dense forward passes are chunked so that the (chunk, K) activation matrix stays below this size
_DENSE_BLOCK = 4_000_000
# univariate networks evaluated at more than this many (point, neuron) pairs use prefix sums over
# the sorted knots, O((N + K) log K), instead of the dense O(N K) pass
_SORTED_1D_MIN = 65_536
#: ... and more neurons than this: the prefix-sum pass (O((N + K) log K)) then beats the dense one
#: (measured with N = 10^6, K = 16 on a loaded 2-core machine: 0.9 s against 1.9 s)
_SORTED_1D_MIN_K = 8


def default_skip(d: int) -> bool:
    """Default for the unpenalized skip term ``a^T x + c``: on in 1-D, off in d-D (as in the paper)."""
    return d == 1


@dataclass(frozen=True)
class Knots1D:
    """Continuous piecewise-linear view of a univariate network.

    ``f(x) = slope * x + intercept + sum_j jumps[j] * (x - knots[j])_+`` with ``knots`` sorted
    strictly increasing and every jump nonzero.

    Attributes
    ----------
    knots : ndarray of shape (m,)
    jumps : ndarray of shape (m,)
        Slope change at each knot (right slope minus left slope).
    slope : float
        Slope of ``f`` on ``(-inf, knots[0])``.
    intercept : float
        Value at ``x = 0`` of the line followed on ``(-inf, knots[0])``.
    """

    knots: np.ndarray
    jumps: np.ndarray
    slope: float
    intercept: float

    @property
    def n_knots(self) -> int:
        """Number of knots ``m``."""
        return int(self.knots.size)

    def lp_cost(self, p: float) -> float:
        """``V_p(f) = sum_j |jumps_j|^p`` (``p = 0``: number of knots)."""
        if p == 0:
            return float(np.count_nonzero(self.jumps))
        return float(np.sum(np.abs(self.jumps) ** p))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Evaluate ``f`` at points ``x`` of shape (n,)."""
        x = np.asarray(x, dtype=np.float64)
        out = self.slope * x + self.intercept
        for u, cj in zip(self.knots, self.jumps, strict=True):
            out = out + cj * np.maximum(x - u, 0.0)
        return out


def _as_2d(X: np.ndarray, d: int | None = None) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None] if d in (None, 1) else X[None, :]
    if X.ndim != 2:
        raise DataError(f"X must be a 1-D or 2-D array, got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise DataError(f"X has {X.shape[1]} feature(s) but the network expects {d}")
    return X


@dataclass(frozen=True, eq=False)
class ReLUNetwork:
    """A single-hidden-layer ReLU network with an optional unpenalized skip term.

    Parameters
    ----------
    W : array_like of shape (K, d)
        Input weights; row ``k`` is ``w_k``.
    b : array_like of shape (K,)
        Hidden biases.
    v : array_like of shape (K,)
        Output weights.
    a : array_like of shape (d,), optional
        Skip-term linear weights (zeros when omitted).
    c : float, optional
        Skip-term intercept (output bias).
    skip : bool, optional
        Whether the skip term is part of the model. When ``False``, ``a`` and ``c`` must be zero.
        Defaults to :func:`default_skip` of ``d``.

    Notes
    -----
    All arrays are stored as read-only float64 copies. The object is immutable: every operation
    returns a new network.
    """

    W: np.ndarray
    b: np.ndarray
    v: np.ndarray
    a: np.ndarray = field(default=None)  # type: ignore[assignment]
    c: float = 0.0
    skip: bool | None = None

    def __post_init__(self) -> None:
        W = np.array(self.W, dtype=np.float64)
        if W.ndim == 1:
            W = W[:, None]
        if W.ndim != 2:
            raise ParameterError(f"W must have shape (K, d), got {W.shape}")
        K, d = W.shape
        if d < 1:
            raise ParameterError("W must have at least one input column (d >= 1)")
        b = np.array(self.b, dtype=np.float64).reshape(-1)
        v = np.array(self.v, dtype=np.float64).reshape(-1)
        if b.shape != (K,) or v.shape != (K,):
            raise ParameterError(
                f"b and v must have shape ({K},) to match W {W.shape}, got {b.shape} and {v.shape}"
            )
        a = np.zeros(d) if self.a is None else np.array(self.a, dtype=np.float64).reshape(-1)
        if a.shape != (d,):
            raise ParameterError(f"a must have shape ({d},), got {a.shape}")
        c = float(self.c)
        skip = default_skip(d) if self.skip is None else bool(self.skip)
        if not skip and (np.any(a != 0) or c != 0):
            raise ParameterError("a nonzero skip term (a, c) needs skip=True")
        for name, arr in (("W", W), ("b", b), ("v", v), ("a", a)):
            if not np.all(np.isfinite(arr)):
                raise ParameterError(f"network parameter {name} contains NaN or inf")
        if not np.isfinite(c):
            raise ParameterError("network parameter c is NaN or inf")
        for arr in (W, b, v, a):
            arr.setflags(write=False)
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "v", v)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "skip", skip)

    # ------------------------------------------------------------------ basic properties
    @property
    def width(self) -> int:
        """Number of neurons ``K`` (including inactive ones)."""
        return int(self.W.shape[0])

    @property
    def n_features(self) -> int:
        """Input dimension ``d``."""
        return int(self.W.shape[1])

    @classmethod
    def empty(cls, d: int, *, skip: bool | None = None, a=None, c: float = 0.0) -> ReLUNetwork:
        """A network with no neurons (only the skip term, if any)."""
        return cls(np.zeros((0, d)), np.zeros(0), np.zeros(0), a=a, c=c, skip=skip)

    @classmethod
    def from_knots(cls, knots, jumps, slope: float = 0.0, intercept: float = 0.0) -> ReLUNetwork:
        """Univariate network ``slope*x + intercept + sum_j jumps_j (x - knots_j)_+`` (skip on).

        Each knot becomes one neuron with ``w = sqrt|c|``, ``b = -w u``, ``v = sign(c) sqrt|c|``
        (balanced: ``|v| = |w|``).
        """
        knots = np.asarray(knots, dtype=np.float64).reshape(-1)
        jumps = np.asarray(jumps, dtype=np.float64).reshape(-1)
        if knots.shape != jumps.shape:
            raise ParameterError("knots and jumps must have the same length")
        keep = jumps != 0
        knots, jumps = knots[keep], jumps[keep]
        s = np.sqrt(np.abs(jumps))
        return cls(s[:, None], -s * knots, np.sign(jumps) * s, a=[slope], c=intercept, skip=True)

    # ------------------------------------------------------------------ evaluation
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forward pass in float64.

        Parameters
        ----------
        X : array_like of shape (N, d), or (N,) when ``d == 1``

        Returns
        -------
        ndarray of shape (N,)

        Notes
        -----
        Univariate networks with many neurons and many points (``N*K`` above 65,536) are
        evaluated exactly, in ``O((N + K) log K)``, by prefix sums over the sorted knots:
        a right-facing neuron (``w > 0``) is ``v w x + v b`` for ``x > -b/w`` and ``0`` otherwise; a
        left-facing one is active for ``x < -b/w``. Otherwise the dense ReLU sum is used, chunked.
        """
        X = _as_2d(X, self.n_features)
        N, K = X.shape[0], self.width
        out = X @ self.a + self.c
        if K == 0:
            return out
        if self.n_features == 1 and N * K > _SORTED_1D_MIN and K > _SORTED_1D_MIN_K:
            return out + self._predict_1d_sorted(X[:, 0])
        step = max(1, _DENSE_BLOCK // max(K, 1))
        for s in range(0, N, step):
            H = X[s : s + step] @ self.W.T + self.b
            np.maximum(H, 0.0, out=H)
            out[s : s + step] += H @ self.v
        return out

    def evaluation_scale(self, X: np.ndarray) -> np.ndarray:
        """Magnitude of the terms of the forward pass at each point, before cancellation.

        ``B_i = |a|^T |x_i| + |c| + Σ_{k active at x_i} |v_k| (|w_k|^T |x_i| + |b_k|)``. Rounding
        the weights to float64 and evaluating in float64 perturb ``f(x_i)`` by a small multiple of
        ``ε B_i``, so residual checks use it to tell rounding from real misfit.

        Returns
        -------
        ndarray of shape (N,)
        """
        return self.predict_with_scale(X)[1]

    def predict_with_scale(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(predict(X), evaluation_scale(X))``, sharing the activation work of the two passes.

        Returns
        -------
        pred, scale : ndarray of shape (N,)
        """
        X = _as_2d(X, self.n_features)
        N, K = X.shape[0], self.width
        pred = X @ self.a + self.c
        scale = np.abs(X) @ np.abs(self.a) + abs(self.c)
        if K == 0:
            return pred, scale
        av = np.abs(self.v)
        if self.n_features == 1 and N * K > _SORTED_1D_MIN and K > _SORTED_1D_MIN_K:
            x, w = X[:, 0], self.W[:, 0]
            p1, s1 = self._sum_active_1d(
                x,
                [
                    (self.v * w, self.v * self.b, x, True),
                    (av * np.abs(w), av * np.abs(self.b), np.abs(x), False),
                ],
            )
            return pred + p1, scale + s1
        step = max(1, _DENSE_BLOCK // max(K, 1))
        absW = np.abs(self.W)
        for s in range(0, N, step):
            Xs = X[s : s + step]
            H = Xs @ self.W.T + self.b
            active = H > 0
            np.maximum(H, 0.0, out=H)
            pred[s : s + step] += H @ self.v
            scale[s : s + step] += ((np.abs(Xs) @ absW.T + np.abs(self.b)) * active) @ av
        return pred, scale

    def _predict_1d_sorted(self, x: np.ndarray) -> np.ndarray:
        w = self.W[:, 0]
        return self._sum_active_1d(x, [(self.v * w, self.v * self.b, x, True)])[0]

    def _sum_active_1d(self, x, terms) -> list[np.ndarray]:
        """For each ``(coef_x, coef_1, xval, extended)`` in ``terms``, the sum
        ``Σ_{k: w_k x + b_k > 0} (coef_x_k · xval + coef_1_k)`` at every point, by prefix sums over
        the sorted knots ``u_k = -b_k / w_k``, located once for all terms (and sorted unless
        already in order, as from the exact solvers).

        ``extended`` (the forward pass, ``xval = x``, whose terms cancel heavily): the prefix sums
        are formed in extended precision and evaluated at the nearest active knot ``u_a``, and the
        point's value is ``f_a(u_a) + s_a (x - u_a)`` with the active set's value and slope there
        rounded to float64 — the rounding error is ``ε (|f_a(u_a)| + |s_a| |x - u_a|)``, not ``ε``
        times the size of the cancelling terms. Otherwise (sums of magnitudes) plain float64."""
        w, b = self.W[:, 0], self.b
        outs = [np.zeros_like(x) for _ in terms]
        const = (w == 0) & (b > 0)
        if np.any(const):
            for out, term in zip(outs, terms, strict=True):
                out += float(np.sum(term[1][const]))
        for side in (1.0, -1.0):
            sel = (w * side) > 0
            if not np.any(sel):
                continue
            every = bool(np.all(sel))
            u = -b / w if every else -b[sel] / w[sel]
            order = None if bool(np.all(u[1:] >= u[:-1])) else np.argsort(u, kind="stable")
            if order is not None:
                u = u[order]
            # right-facing (w > 0): active where x > u, i.e. knots with index < searchsorted(u, x, 'left');
            # left-facing: active where x < u, i.e. index >= searchsorted(u, x, 'right')
            idx = np.searchsorted(u, x, side="left" if side > 0 else "right")
            # anchor of the active set of index m: its last knot u_{m-1} (right-facing) or its
            # first knot u_m (left-facing); 0 where the set is empty (its sums are 0 there)
            anchor = np.concatenate([[0.0], u]) if side > 0 else np.concatenate([u, [0.0]])
            for out, (coef_x, coef_1, xval, extended) in zip(outs, terms, strict=True):
                dt = np.longdouble if extended else np.float64
                cx = coef_x if every else coef_x[sel]
                c1 = coef_1 if every else coef_1[sel]
                if order is not None:
                    cx, c1 = cx[order], c1[order]
                cs = np.zeros(cx.size + 1, dtype=dt)
                np.cumsum(cx, dtype=dt, out=cs[1:])
                co = np.zeros(c1.size + 1, dtype=dt)
                np.cumsum(c1, dtype=dt, out=co[1:])
                if side < 0:  # active set of index m: knots >= m (suffix sums)
                    cs, co = cs[-1] - cs, co[-1] - co
                if extended:  # xval is x: the sum is f(anchor) + slope (x - anchor), no cancellation
                    value = (cs * anchor + co).astype(np.float64)
                    out += value[idx] + cs.astype(np.float64)[idx] * (x - anchor[idx])
                else:
                    out += cs[idx] * xval + co[idx]
        return outs

    __call__ = predict

    def max_residual(self, X: np.ndarray, y: np.ndarray) -> float:
        """``max_i |f(x_i) - y_i|`` by the float64 forward pass (``0`` for empty data)."""
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        r = self.predict(X) - y
        return float(np.max(np.abs(r))) if r.size else 0.0

    # ------------------------------------------------------------------ sparsity
    def _include_bias(self, include_bias: bool | None) -> bool:
        return self.n_features > 1 if include_bias is None else bool(include_bias)

    def path_products(self, include_bias: bool | None = None) -> np.ndarray:
        """Path products ``v_k [w_k; b_k]``.

        Parameters
        ----------
        include_bias : bool, optional
            Append the bias column ``v_k b_k``. Default: ``True`` for ``d > 1`` (the paper's
            multivariate objective penalizes it), ``False`` in 1-D (biases are free).

        Returns
        -------
        ndarray of shape (K, d) or (K, d + 1)
        """
        P = self.v[:, None] * self.W
        if self._include_bias(include_bias):
            P = np.concatenate([P, (self.v * self.b)[:, None]], axis=1)
        return P

    def _nonzero_mask(self, include_bias, rtol, atol) -> np.ndarray:
        P = np.abs(self.path_products(include_bias))
        if P.size == 0:
            return P.astype(bool)
        thresh = float(atol) + float(rtol) * float(P.max())
        return P > thresh

    def lp_path_norm(self, p: float, include_bias: bool | None = None) -> float:
        """ℓp path norm.

        1-D default: ``sum_k |v_k w_k|^p`` (biases free). d-D default:
        ``sum_k ||v_k [w_k; b_k]||_p^p = sum_k sum_i |v_k|^p |w_{k,i}|^p`` with the bias entry
        penalized (``include_bias=False`` excludes it). ``p = 0`` returns the exact count of
        nonzero products (no tolerance); ``0 < p <= 1`` otherwise.
        """
        p = float(p)
        if not (0.0 <= p <= 1.0):
            raise ParameterError(f"p must be in [0, 1], got {p!r}")
        P = np.abs(self.path_products(include_bias))
        if p == 0:
            return float(np.count_nonzero(P))
        return float(np.sum(P**p))

    def n_nonzero(
        self,
        include_bias: bool | None = None,
        *,
        rtol: float = DEFAULT_RTOL,
        atol: float = DEFAULT_ATOL,
    ) -> int:
        """Number of nonzero path products (module docstring: tolerance rule)."""
        return int(np.count_nonzero(self._nonzero_mask(include_bias, rtol, atol)))

    def active_mask(
        self,
        include_bias: bool | None = None,
        *,
        rtol: float = DEFAULT_RTOL,
        atol: float = DEFAULT_ATOL,
    ) -> np.ndarray:
        """Boolean mask of shape (K,): neuron ``k`` has at least one nonzero path product."""
        m = self._nonzero_mask(include_bias, rtol, atol)
        return m.any(axis=1) if m.size else np.zeros(self.width, dtype=bool)

    def n_active_neurons(
        self,
        include_bias: bool | None = None,
        *,
        rtol: float = DEFAULT_RTOL,
        atol: float = DEFAULT_ATOL,
    ) -> int:
        """Number of active neurons (see :meth:`active_mask`)."""
        return int(np.count_nonzero(self.active_mask(include_bias, rtol=rtol, atol=atol)))

    def inputs_used(self, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> np.ndarray:
        """0-based input columns the function depends on: a nonzero weight ``w_{k,j}`` of an
        active neuron (path product above the count tolerance) or a nonzero skip weight ``a_j``.

        Returns
        -------
        ndarray of int, shape (n_used,), increasing
        """
        used = np.zeros(self.n_features, dtype=bool)
        if self.width:
            used |= self._nonzero_mask(False, rtol, atol).any(axis=0)
        used |= self.a != 0
        return np.flatnonzero(used)

    # ------------------------------------------------------------------ transformations
    def subset(self, keep: np.ndarray) -> ReLUNetwork:
        """The network restricted to the neurons selected by ``keep`` (mask or indices)."""
        keep = np.asarray(keep)
        return ReLUNetwork(self.W[keep], self.b[keep], self.v[keep], a=self.a, c=self.c, skip=self.skip)

    def balanced(self, include_bias: bool | None = None) -> ReLUNetwork:
        """Rescale every neuron so that ``|v_k| = ||[w_k; b_k]||_2`` (or ``||w_k||_2``).

        Uses the positive homogeneity ``v (w^T x + b)_+ = (v/α) (α w^T x + α b)_+`` for ``α > 0``;
        path products, predictions and every path norm are unchanged. The bias enters the norm
        exactly when it is penalized (``include_bias``, same default as :meth:`path_products`).
        Neurons whose norm or output weight is zero are left as they are.
        """
        G = self.W
        if self._include_bias(include_bias):
            G = np.concatenate([self.W, self.b[:, None]], axis=1)
        n = np.linalg.norm(G, axis=1)
        av = np.abs(self.v)
        ok = (n > 0) & (av > 0)
        alpha = np.ones(self.width)
        alpha[ok] = np.sqrt(av[ok] / n[ok])
        return ReLUNetwork(
            self.W * alpha[:, None],
            self.b * alpha,
            self.v / alpha,
            a=self.a,
            c=self.c,
            skip=self.skip,
        )

    def canonicalize(
        self,
        include_bias: bool | None = None,
        *,
        merge_tol: float = DEFAULT_MERGE_TOL,
    ) -> ReLUNetwork:
        """Function-preserving normal form that never raises any ℓp path norm (0 < p <= 1).

        Steps:

        1. Drop dead neurons: ``v_k = 0``, or ``w_k = 0`` and ``b_k <= 0`` (identically zero).
        2. A constant neuron (``w_k = 0``, ``b_k > 0``) is folded into ``c`` when the skip term is
           on (its value ``v_k b_k`` is exact); otherwise it is kept.
        3. Merge neurons whose hyperplanes ``{w_k^T x + b_k = 0}`` coincide: same orientation
           (unit normals ``[w;b]/||w||`` equal within ``merge_tol``) are added,
           ``v_1 (z)_+ + v_2 (λz)_+ = (v_1 + λ v_2)(z)_+``; opposite orientation is merged with
           ``(−z)_+ = (z)_+ − z`` and the linear rest moved into the skip term (only when the
           skip term is on). In 1-D this merges neurons with the same knot. For every
           ``0 < p <= 1`` the cost cannot rise, since ``|α+β|^p <= |α|^p + |β|^p``.
        4. Balance (:meth:`balanced`) and sort neurons (1-D: by knot; d-D: lexicographically by
           their unit normal), so equal functions give equal arrays.

        ``merge_tol`` is relative: 1-D knots ``u`` merge when ``|u_1 - u_2| <= merge_tol *
        (1 + max|u|)``; d-D unit vectors ``[w; b]/||w||_2`` when they differ by at most
        ``merge_tol`` in every entry. With ``merge_tol > 0`` predictions change by at most
        ``O(merge_tol)``; ``merge_tol = 0`` merges only exact coincidences.
        """
        W, b, v = self.W.copy(), self.b.copy(), self.v.copy()
        a, c, skip = self.a.copy(), self.c, self.skip
        wn = np.linalg.norm(W, axis=1)
        dead = (v == 0) | ((wn == 0) & (b <= 0))
        const = (wn == 0) & (b > 0) & ~dead
        if skip and np.any(const):
            c += float(np.sum(v[const] * b[const]))
            dead |= const
        W, b, v, wn = W[~dead], b[~dead], v[~dead], wn[~dead]
        const = wn == 0
        if np.any(~const):
            Wn, bn, vn = W[~const], b[~const], v[~const]
            scale = wn[~const]
            U = np.concatenate([Wn, bn[:, None]], axis=1) / scale[:, None]  # unit normal + offset
            gain = vn * scale  # f contribution = gain * (u^T [x;1])_+
            U, gain, a, c = _merge_hyperplanes(U, gain, a, c, skip, merge_tol, self.n_features)
            keepc = gain != 0
            U, gain = U[keepc], gain[keepc]
            Wn, bn, vn = U[:, :-1], U[:, -1], gain
            W = np.concatenate([Wn, W[const]], axis=0)
            b = np.concatenate([bn, b[const]])
            v = np.concatenate([vn, v[const]])
        net = ReLUNetwork(W, b, v, a=a, c=c, skip=skip).balanced(include_bias)
        return net._sorted()

    def _sorted(self) -> ReLUNetwork:
        if self.width <= 1:
            return self
        wn = np.linalg.norm(self.W, axis=1)
        safe = np.where(wn > 0, wn, 1.0)
        U = np.concatenate([self.W, self.b[:, None]], axis=1) / safe[:, None]
        if self.n_features == 1:
            key = np.where(wn > 0, -self.b / safe, np.inf)
            order = np.lexsort((-np.sign(self.W[:, 0]), key))
        else:
            order = np.lexsort(U.T[::-1])
        return self.subset(order)

    def knots_1d(self, *, merge_tol: float = 0.0) -> Knots1D:
        """The continuous piecewise-linear view of a univariate network.

        Writes ``f(x) = slope x + intercept + sum_j jumps_j (x - u_j)_+``. A right-facing neuron
        (``w_k > 0``) is ``v_k w_k (x - u_k)_+`` with knot ``u_k = -b_k/w_k``; a left-facing one
        is ``v_k |w_k| (u_k - x)_+ = v_k |w_k| ((x - u_k)_+ - (x - u_k))``; a constant neuron adds
        ``v_k (b_k)_+`` to the intercept. Knots closer than ``merge_tol * (1 + max|u|)`` are merged;
        zero jumps are dropped.

        Returns
        -------
        Knots1D
        """
        if self.n_features != 1:
            raise ParameterError("knots_1d needs a univariate network (d = 1)")
        w, b, v = self.W[:, 0], self.b, self.v
        slope = float(self.a[0])
        intercept = float(self.c)
        const = w == 0
        intercept += float(np.sum(v[const] * np.maximum(b[const], 0.0)))
        nz = ~const & (v != 0)
        u = -b[nz] / w[nz]
        jump = v[nz] * np.abs(w[nz])
        left = w[nz] < 0
        # (u - x)_+ = (x - u)_+ - x + u  for the left-facing ones
        slope -= float(np.sum(jump[left]))
        intercept += float(np.sum(jump[left] * u[left]))
        order = np.argsort(u, kind="stable")
        u, jump = u[order], jump[order]
        if u.size:
            tol = merge_tol * (1.0 + float(np.max(np.abs(u))))
            new_group = np.concatenate([[True], np.diff(u) > tol])
            gid = np.cumsum(new_group) - 1
            sums = np.zeros(int(gid[-1]) + 1)
            np.add.at(sums, gid, jump)
            weights = np.zeros_like(sums)
            np.add.at(weights, gid, np.abs(jump))
            centers = np.zeros_like(sums)
            np.add.at(centers, gid, np.abs(jump) * u)
            firsts = u[new_group]
            pos = np.where(weights > 0, centers / np.where(weights > 0, weights, 1.0), firsts)
            u, jump = pos, sums
            keep = jump != 0
            u, jump = u[keep], jump[keep]
        return Knots1D(u, jump, slope, intercept)

    def with_skip(self) -> ReLUNetwork:
        """The same network with the skip term switched on (zero-initialized if it was off)."""
        return ReLUNetwork(self.W, self.b, self.v, a=self.a, c=self.c, skip=True)

    def allclose(self, other: ReLUNetwork, *, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
        """Equality modulo neuron permutation and positive rescaling (via canonical forms)."""
        if self.n_features != other.n_features:
            return False
        A, B = self.canonicalize(), other.canonicalize()
        if A.width != B.width:
            return False
        return bool(
            np.allclose(A.W, B.W, rtol=rtol, atol=atol)
            and np.allclose(A.b, B.b, rtol=rtol, atol=atol)
            and np.allclose(A.v, B.v, rtol=rtol, atol=atol)
            and np.allclose(A.a, B.a, rtol=rtol, atol=atol)
            and np.isclose(A.c, B.c, rtol=rtol, atol=atol)
        )

    def to_dict(self) -> dict:
        """Plain-Python representation (lists of floats) used by model files."""
        return {
            "W": self.W.tolist(),
            "b": self.b.tolist(),
            "v": self.v.tolist(),
            "a": self.a.tolist(),
            "c": self.c,
            "skip": self.skip,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ReLUNetwork:
        """Inverse of :meth:`to_dict`."""
        W = np.asarray(data["W"], dtype=np.float64)
        d = len(data["a"])
        W = W.reshape(-1, d)
        return cls(W, data["b"], data["v"], a=data["a"], c=data["c"], skip=data["skip"])


def _merge_hyperplanes(U, gain, a, c, skip, merge_tol, d):
    """Merge neurons with coincident hyperplanes; see :meth:`ReLUNetwork.canonicalize`.

    ``U`` (n, d+1) rows are ``[w; b]/||w||`` and neuron j contributes ``gain_j (U_j^T [x;1])_+``.
    """
    n = U.shape[0]
    if n <= 1:
        return U, gain, a, c
    # canonical orientation: first nonzero entry of the normal w positive
    first = np.argmax(U[:, :d] != 0, axis=1)
    sign = np.sign(U[np.arange(n), first])
    V = U * sign[:, None]
    if d == 1:
        key = V[:, -1:]  # = -u (knot) for the positive orientation
        tol = merge_tol * (1.0 + float(np.max(np.abs(key))))
    else:
        key = V
        tol = merge_tol
    order = np.lexsort(key.T[::-1])
    groups: list[list[int]] = []
    for idx in order:
        if groups and np.all(np.abs(key[idx] - key[groups[-1][0]]) <= tol):
            groups[-1].append(int(idx))
        else:
            groups.append([int(idx)])
    newU, newg = [], []
    a = a.copy()
    for g in groups:
        ref = g[0]
        pos = [j for j in g if sign[j] > 0]
        neg = [j for j in g if sign[j] < 0]
        if not skip and pos and neg:
            # opposite orientations need the skip term to absorb the linear rest: keep two neurons
            newU.append(V[ref])
            newg.append(float(np.sum(gain[pos])))
            newU.append(-V[ref])
            newg.append(float(np.sum(gain[neg])))
            continue
        gp = float(np.sum(gain[pos])) if pos else 0.0
        gn = float(np.sum(gain[neg])) if neg else 0.0
        if pos and neg:
            # gn (−z)_+ = gn (z)_+ − gn z  with z = V_ref^T [x; 1]
            total = gp + gn
            a -= gn * V[ref, :d]
            c -= gn * V[ref, d]
            newU.append(V[ref])
            newg.append(total)
        elif pos:
            newU.append(V[ref])
            newg.append(gp)
        else:
            newU.append(-V[ref])
            newg.append(gn)
    return np.asarray(newU).reshape(-1, d + 1), np.asarray(newg), a, c
