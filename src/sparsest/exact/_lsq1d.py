"""Least-squares continuous piecewise-linear fits with ``k`` free knots (variable projection).

Problem
-------
Given sorted distinct inputs ``x`` of shape (N,), targets ``y`` of shape (N,) and a number of knots
``k``, minimize the residual sum of squares

.. math::

    \\mathrm{RSS}(u, \\beta) = \\sum_{i=1}^{N} (y_i - f(x_i))^2, \\qquad
    f(x) = a\\,x + b + \\sum_{j=1}^{k} c_j\\,(x - u_j)_+ ,

over the knots ``u`` (k,) and the linear coefficients ``β = (a, b, c)``. This is what pwlf minimizes
(``k + 1`` segments) by differential evolution over the breakpoints.

Method (variable projection)
----------------------------
For fixed knots the model is linear: ``f = B(u) β`` with the ``N × (k+2)`` basis
``B = [1, x, (x − u_1)_+, …, (x − u_k)_+]``, so ``β(u) = B⁺ y`` and the *reduced* (projected) residual
is ``r(u) = P⊥(u) y`` with ``P⊥ = I − B B⁺``. We minimize ``‖r(u)‖²`` over ``u`` alone.

*Linear step.* The truncated-power basis above is badly conditioned; we use the hat (linear B-spline)
basis of the same space instead: with nodes ``t_0 = x_1 < t_1 = u_1 < … < t_k = u_k < t_{k+1} = x_N``
(in the scaled coordinate ``z = (x − x_1)/(x_N − x_1) ∈ [0, 1]``), ``f`` is fixed by its node values
``v`` (k+2,), and a point of segment ``l`` (``t_l ≤ z < t_{l+1}``) with local coordinate
``s = (z − t_l)/(t_{l+1} − t_l)`` has ``f = v_l (1 − s) + v_{l+1} s``. The Gram matrix ``A = Φᵀ Φ`` of
the hat basis ``Φ`` is tridiagonal, ``(k+2) × (k+2)``, and is assembled from per-segment sums
``Σ(1−s)², Σ s(1−s), Σ s²`` in ``O(N)`` without forming ``Φ`` (the data are contiguous per segment);
it is Jacobi-scaled and inverted (a pseudo-inverse with a relative eigenvalue cut-off ``1e-12``
when a Cholesky pivot falls below that: nodes without data nearby). The residual ``r = y − f`` is then formed
explicitly, so the reported RSS never comes from a difference of normal-equation terms.

*Knot step (Kaufman's approximation of the Golub–Pereyra Jacobian).* Moving node ``t_j`` at fixed
node values changes ``f`` by ``∂f/∂t_j = −m(x) φ_j(x)`` (``m`` the local slope, ``φ_j`` the hat of
node ``j``); it differs from the truncated-power derivative ``−c_j 1[x > u_j]`` by an element of the
span of the basis, so both give the same Kaufman Jacobian ``J = P⊥ W`` with ``W_j = m φ_j``:

.. math::

    J^\\top J = W^\\top W - (W^\\top Φ) A^{+} (Φ^\\top W), \\qquad J^\\top r = W^\\top r ,

both ``k × k`` / ``k`` and assembled from the same per-segment sums (``W`` has two-segment support).
Levenberg–Marquardt solves ``(JᵀJ + λ diag(JᵀJ)) δ = −Jᵀ r``; a step is accepted only if the RSS
decreases (then ``λ ← λ/3``), else ``λ ← νλ`` with ``ν`` doubling on consecutive rejections
(Nielsen's rule; ``ν = 2`` after an acceptance). Steps are shortened so that knots stay sorted and
strictly inside the data range with gaps ``≥ min_sep`` (relative to ``x_N − x_1``); a knot closer than
``2·min_sep`` to a neighbour merges with it (a knot that close to an end of the data is dropped), so a
fit may return fewer knots than it started with. Iteration stops when an accepted step lowers the RSS
by a relative ``< rtol`` (default ``1e-12``), when the fit is exact to rounding, when ``λ`` exceeds
``1e12`` or a step is below ``1e-14`` of the data range (no descent left: stationary to rounding),
or after ``max_iter`` trial steps.

Cost: one evaluation (fit for fixed knots, residual, sums) is ``O(N + k³)`` time and ``O(N)`` memory.

The RSS is continuous but only piecewise smooth in ``u`` (kinks where a knot crosses a data point) and
has local minima; the result is a local optimum near the start. :func:`fit_l2_multistart` runs several
deterministic starts and keeps the best.

This module is numpy-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ParameterError
from ..network import ReLUNetwork

__all__ = [
    "LsqFit",
    "fit_knots_l2",
    "fit_l2_multistart",
    "insert_knot",
    "lsq_fixed_knots",
    "quantile_knots",
    "remove_knot",
]

_EIG_CUTOFF = 1e-12  # relative eigenvalue cut-off of the Jacobi-scaled Gram matrix
_LAMBDA0 = 1e-3
_LAMBDA_MAX = 1e12
_EXACT = 1e-30  # RSS <= _EXACT * sum(y^2): exact to rounding
_SCREEN_RTOL = 1e-7  # multi-start: every start to this tolerance, the best one then to rtol
_TINY_STEP = 1e-14  # knot steps below this (z units) are rounding: stationary
_SAME_KNOTS = 1e-4  # knot sets closer than this (max |Δz|) count as the same local optimum


@dataclass(frozen=True)
class LsqFit:
    """A least-squares continuous piecewise-linear fit.

    ``f(x) = slope * x + intercept + Σ_j jumps[j] * (x − knots[j])_+``.

    Attributes
    ----------
    knots : ndarray of shape (m,)
        Sorted strictly increasing, strictly inside ``(x_1, x_N)``; ``m`` may be below the requested
        number when knots merged.
    jumps : ndarray of shape (m,)
        Slope change at each knot (right slope minus left slope).
    slope, intercept : float
        The line followed left of the first knot.
    rss : float
        ``Σ_i (y_i − f(x_i))²``.
    rmse : float
        ``sqrt(rss / N)``.
    max_error : float
        ``max_i |y_i − f(x_i)|``.
    n_iter : int
        Levenberg–Marquardt trial steps taken (0 for a fixed-knot fit).
    converged : bool
        A stopping test other than ``max_iter`` ended the iteration.
    """

    knots: np.ndarray
    jumps: np.ndarray
    slope: float
    intercept: float
    rss: float
    rmse: float
    max_error: float
    n_iter: int
    converged: bool

    @property
    def n_knots(self) -> int:
        """Number of knots ``m``."""
        return int(self.knots.size)

    @property
    def network(self) -> ReLUNetwork:
        """The fit as a univariate ReLU network (one neuron per nonzero jump, skip term on)."""
        return ReLUNetwork.from_knots(self.knots, self.jumps, self.slope, self.intercept)

    def __call__(self, x) -> np.ndarray:
        """Evaluate ``f`` at ``x`` of shape (n,); returns shape (n,)."""
        x = np.asarray(x, dtype=np.float64)
        out = self.slope * x + self.intercept
        for u, c in zip(self.knots, self.jumps, strict=True):
            out = out + c * np.maximum(x - u, 0.0)
        return out


# ----------------------------------------------------------------------------------- the problem
@dataclass
class _State:
    """Fit for fixed interior nodes ``u`` (k,) in the scaled coordinate ``z``."""

    u: np.ndarray  # (k,)
    v: np.ndarray  # (k+2,) node values
    m: np.ndarray  # (k+1,) segment slopes dv/dz
    rss: float
    max_error: float
    q2: np.ndarray  # (k+1,) per segment Σ (1-s)^2
    qs: np.ndarray  # Σ s (1-s)
    s2: np.ndarray  # Σ s^2
    r0: np.ndarray  # Σ (1-s) r
    r1: np.ndarray  # Σ s r
    seg_rss: np.ndarray  # Σ r^2
    counts: np.ndarray  # (k+1,) points per segment
    a_pinv: np.ndarray  # (k+2, k+2) pseudo-inverse of the hat Gram matrix


class _Problem:
    """Sorted distinct data in the scaled coordinate ``z = (x − x_1)/(x_N − x_1)``."""

    def __init__(self, x: np.ndarray, y: np.ndarray, min_sep: float = 1e-9) -> None:
        self.x = x
        self.y = y
        self.n = x.size
        self.x0 = float(x[0])
        self.width = float(x[-1] - x[0])
        self.z = (x - self.x0) / self.width
        self.z[-1] = 1.0
        self.sep = float(min_sep)
        self.floor = _EXACT * float(np.dot(y, y))

    # -------------------------------------------------------------------------- coordinates
    def to_z(self, knots: np.ndarray) -> np.ndarray:
        return (np.asarray(knots, dtype=np.float64) - self.x0) / self.width

    def admissible(self, u: np.ndarray) -> np.ndarray:
        """Sorted, clipped into ``[2 sep, 1 − 2 sep]``, gaps ``< 2 sep`` merged, shape (m,), m ≤ k."""
        u = np.sort(np.clip(np.asarray(u, dtype=np.float64).reshape(-1), 2 * self.sep, 1 - 2 * self.sep))
        return self._merge(u)

    def _merge(self, u: np.ndarray) -> np.ndarray:
        lim = 2 * self.sep
        while u.size:
            gaps = np.diff(np.concatenate(([0.0], u, [1.0])))
            small = np.flatnonzero(gaps < lim)
            if small.size == 0:
                break
            g = int(small[0])
            if g == 0:  # next to x_1: drop
                u = u[1:]
            elif g == u.size:  # next to x_N: drop
                u = u[:-1]
            else:  # knots g-1 and g merge at their midpoint
                mid = 0.5 * (u[g - 1] + u[g])
                u = np.concatenate((u[: g - 1], [mid], u[g + 1 :]))
        return u

    # ----------------------------------------------------------------------------- one fit
    def evaluate(self, u: np.ndarray) -> _State:
        """Least-squares fit for interior nodes ``u`` (sorted, admissible), ``O(N + k³)``."""
        z, y, n = self.z, self.y, self.n
        k = u.size
        nodes = np.concatenate(([0.0], u, [1.0]))
        bounds = np.concatenate(([0], np.searchsorted(z, u, side="left"), [n]))
        counts = np.diff(bounds)
        inv_h = 1.0 / np.diff(nodes)
        s = (z - np.repeat(nodes[:-1], counts)) * np.repeat(inv_h, counts)
        q = 1.0 - s
        nonempty = counts > 0
        starts = bounds[:-1][nonempty]

        def seg_sum(a: np.ndarray) -> np.ndarray:
            out = np.zeros(k + 1)
            out[nonempty] = np.add.reduceat(a, starts)
            return out

        q2, qs, s2 = seg_sum(q * q), seg_sum(q * s), seg_sum(s * s)
        qy, sy = seg_sum(q * y), seg_sum(s * y)
        gram = np.zeros((k + 2, k + 2))
        i = np.arange(k + 1)
        gram[i, i] += q2
        gram[i + 1, i + 1] += s2
        gram[i, i + 1] = qs
        gram[i + 1, i] = qs
        rhs = np.zeros(k + 2)
        rhs[:-1] += qy
        rhs[1:] += sy
        a_pinv = _scaled_pinv(gram)
        v = a_pinv @ rhs
        r = y - (np.repeat(v[:-1], counts) * q + np.repeat(v[1:], counts) * s)
        rr = r * r
        return _State(
            u=u,
            v=v,
            m=np.diff(v) * inv_h,
            rss=float(np.sum(rr)),
            max_error=float(np.max(np.abs(r))),
            q2=q2,
            qs=qs,
            s2=s2,
            r0=seg_sum(q * r),
            r1=seg_sum(s * r),
            seg_rss=seg_sum(rr),
            counts=counts,
            a_pinv=a_pinv,
        )

    @staticmethod
    def normal_equations(st: _State) -> tuple[np.ndarray, np.ndarray]:
        """Kaufman's ``JᵀJ`` (k, k) and ``Jᵀr`` (k,) for the interior nodes (see module docstring)."""
        k = st.u.size
        ml, mr = st.m[:-1], st.m[1:]  # slopes left and right of each interior node
        grad = ml * st.r1[:-1] + mr * st.r0[1:]
        ww = np.diag(ml**2 * st.s2[:-1] + mr**2 * st.q2[1:])
        if k > 1:
            off = st.m[1:-1] ** 2 * st.qs[1:-1]
            j = np.arange(k - 1)
            ww[j, j + 1] = off
            ww[j + 1, j] = off
        c = np.zeros((k, k + 2))  # W^T Φ
        j = np.arange(k)
        c[j, j] = ml * st.qs[:-1]
        c[j, j + 1] = ml * st.s2[:-1] + mr * st.q2[1:]
        c[j, j + 2] = mr * st.qs[1:]
        jtj = ww - c @ st.a_pinv @ c.T
        return 0.5 * (jtj + jtj.T), grad

    def truncate(self, u: np.ndarray, du: np.ndarray) -> np.ndarray:
        """Shorten ``du`` so that all gaps of ``[0, u + du, 1]`` stay ``≥ sep``."""
        gaps = np.diff(np.concatenate(([0.0], u, [1.0])))
        dg = np.diff(np.concatenate(([0.0], du, [0.0])))
        shrink = dg < 0
        if not np.any(shrink):
            return du
        amax = float(np.min((gaps[shrink] - self.sep) / -dg[shrink]))
        return du if amax > 1.0 else 0.9 * max(amax, 0.0) * du

    # ------------------------------------------------------------------------------ results
    def result(self, st: _State, n_iter: int, converged: bool) -> LsqFit:
        m = st.m / self.width  # slopes in x units
        slope = float(m[0])
        return LsqFit(
            knots=self.x0 + st.u * self.width,
            jumps=np.diff(m),
            slope=slope,
            intercept=float(st.v[0] - slope * self.x0),
            rss=st.rss,
            rmse=float(np.sqrt(st.rss / self.n)),
            max_error=st.max_error,
            n_iter=n_iter,
            converged=converged,
        )

    # -------------------------------------------------------------------------- LM on knots
    def lm(self, u0: np.ndarray, max_iter: int, rtol: float) -> tuple[_State, int, bool]:
        """Levenberg–Marquardt from admissible ``u0``; never returns a larger RSS than at ``u0``."""
        start = st = self.evaluate(u0)
        lam, nu = _LAMBDA0, 2.0
        n_iter = 0
        converged = False
        system = None
        while True:
            if st.u.size == 0 or st.rss <= self.floor:
                converged = True
                break
            if n_iter >= max_iter:
                break
            if system is None:
                jtj, grad = self.normal_equations(st)
                d = np.diag(jtj).copy()
                dmax = float(np.max(d))
                if not dmax > 0:  # no knot moves the fit
                    converged = True
                    break
                system = jtj, grad, np.diag(np.maximum(d, 1e-12 * dmax))
            jtj, grad, damp = system
            try:
                du = np.linalg.solve(jtj + lam * damp, -grad)
            except np.linalg.LinAlgError:
                du = None
            new = None
            if du is not None and np.all(np.isfinite(du)):
                du = self.truncate(st.u, du)
                if float(np.max(np.abs(du))) < _TINY_STEP:  # below the rounding of the knots
                    converged = True
                    break
                n_iter += 1
                new = self.evaluate(st.u + du)
            else:
                n_iter += 1
            if new is not None and new.rss < st.rss:
                rel = (st.rss - new.rss) / st.rss
                merged = self._merge(new.u)
                st = new if merged.size == new.u.size else self.evaluate(merged)
                system = None
                lam, nu = max(lam / 3.0, 1e-12), 2.0
                if rel < rtol and merged.size == new.u.size:
                    converged = True
                    break
            else:
                lam *= nu
                nu *= 2.0
                if lam > _LAMBDA_MAX:  # no descent left: stationary to rounding
                    converged = True
                    break
        if st.rss > start.rss:  # only possible through merges
            st = start
        return st, n_iter, converged


def _scaled_pinv(gram: np.ndarray) -> np.ndarray:
    """Inverse (pseudo-inverse when singular) of a symmetric PSD matrix, after Jacobi scaling.

    With ``D = sqrt(diag A)`` (1 where 0) the scaled ``S = D⁻¹ A D⁻¹`` has unit diagonal. When its
    Cholesky factor has every pivot² above ``1e-12`` the plain inverse is used; otherwise the
    eigendecomposition with eigenvalues below ``1e-12 · λ_max`` cut off. Returns ``D⁻¹ S⁺ D⁻¹``.
    """
    d = np.sqrt(np.diag(gram))
    d[d == 0] = 1.0
    dd = np.outer(d, d)
    scaled = gram / dd
    try:
        chol = np.linalg.cholesky(scaled)
        ok = float(np.min(np.diag(chol))) ** 2 > _EIG_CUTOFF
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        inv = np.linalg.inv(scaled)
    else:
        w, vec = np.linalg.eigh(scaled)
        keep = w > _EIG_CUTOFF * max(float(w[-1]), 0.0)
        inv = (vec[:, keep] / w[keep]) @ vec[:, keep].T
    return inv / dd


def _check_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise DataError(f"shape mismatch: {x.size} inputs but {y.size} targets")
    if x.size < 2:
        raise DataError(f"need at least 2 points, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DataError("x and y must be finite")
    if not np.all(np.diff(x) > 0):
        raise DataError("x must be sorted strictly increasing (merge repeated inputs first)")
    return x, y


def _check_iter(max_iter: int, min_sep: float) -> None:
    if int(max_iter) < 0:
        raise ParameterError(f"max_iter must be >= 0, got {max_iter!r}")
    if not 0 < min_sep < 0.25:
        raise ParameterError(f"min_sep must be in (0, 0.25), got {min_sep!r}")


# ----------------------------------------------------------------------------------- public API
def lsq_fixed_knots(x, y, knots) -> LsqFit:
    """Least-squares CPWL fit with the given knots (no knot motion).

    Parameters
    ----------
    x : array_like of shape (N,)
        Sorted strictly increasing, ``N ≥ 2``.
    y : array_like of shape (N,)
    knots : array_like of shape (k,)
        Moved strictly inside ``(x_1, x_N)`` and merged where closer than ``2e-9 (x_N − x_1)``.

    Returns
    -------
    LsqFit
        ``β = argmin ‖y − B(u) β‖²`` for the basis ``[1, x, (x − u_j)_+]``; ``n_iter = 0``.
    """
    x, y = _check_xy(x, y)
    prob = _Problem(x, y)
    st = prob.evaluate(prob.admissible(prob.to_z(knots)))
    return prob.result(st, 0, True)


def fit_knots_l2(x, y, knots0, *, max_iter: int = 100, rtol: float = 1e-12, min_sep: float = 1e-9) -> LsqFit:
    """Least-squares CPWL fit with free knots, by variable projection from ``knots0``.

    Minimizes ``Σ_i (y_i − f(x_i))²`` over ``f(x) = a x + b + Σ_j c_j (x − u_j)_+`` with the knots
    ``u`` moved by Levenberg–Marquardt on the projected residual (module docstring).

    Parameters
    ----------
    x : array_like of shape (N,)
        Sorted strictly increasing (the caller merges repeated inputs), ``N ≥ 2``.
    y : array_like of shape (N,)
    knots0 : array_like of shape (k,)
        Starting knots (any order; moved strictly inside the data range).
    max_iter : int
        Most Levenberg–Marquardt trial steps.
    rtol : float
        Stop when an accepted step lowers the RSS by a relative amount below ``rtol``.
    min_sep : float
        Smallest gap between knots, and between a knot and an end of the data, relative to
        ``x_N − x_1``; knots closer than ``2 min_sep`` merge.

    Returns
    -------
    LsqFit
        A local optimum; its RSS is never above the fixed-knot fit at ``knots0``.
    """
    x, y = _check_xy(x, y)
    _check_iter(max_iter, min_sep)
    prob = _Problem(x, y, min_sep)
    st, n_iter, conv = prob.lm(prob.admissible(prob.to_z(knots0)), int(max_iter), float(rtol))
    return prob.result(st, n_iter, conv)


def quantile_knots(x, k: int) -> np.ndarray:
    """``k`` knots at the ``j/(k+1)`` quantiles of the data (midway between neighbouring points).

    Parameters
    ----------
    x : array_like of shape (N,)
        Sorted strictly increasing.
    k : int

    Returns
    -------
    ndarray of shape (min(k, N − 1),)
        Strictly increasing, inside ``(x_1, x_N)``.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    k = min(int(k), x.size - 1)
    if k <= 0:
        return np.zeros(0)
    pos = np.arange(1, k + 1) * (x.size - 1) / (k + 1)  # fractional index
    i = np.clip(np.floor(pos).astype(np.intp), 0, x.size - 2)
    return np.unique(0.5 * (x[i] + x[i + 1]))


def _insert_candidates(prob: _Problem, st: _State) -> list[np.ndarray]:
    """Knot sets with one knot added: the median point of every segment with ≥ 3 points and the
    quartile points of the segment with the largest RSS."""
    nodes = np.concatenate(([0.0], st.u, [1.0]))
    bounds = np.concatenate(([0], np.cumsum(st.counts)))
    cands = []
    worst = int(np.argmax(st.seg_rss))
    for seg in range(st.u.size + 1):
        lo, cnt = int(bounds[seg]), int(st.counts[seg])
        if cnt < 3:
            continue
        fracs = (0.25, 0.5, 0.75) if seg == worst else (0.5,)
        for f in fracs:
            i = lo + min(max(int(f * cnt), 1), cnt - 1)
            z = 0.5 * (prob.z[i - 1] + prob.z[i])
            if nodes[seg] + 2 * prob.sep < z < nodes[seg + 1] - 2 * prob.sep:
                cands.append(np.sort(np.append(st.u, z)))
    return cands


def _best_fixed(prob: _Problem, cands: list[np.ndarray]) -> np.ndarray | None:
    best, best_rss = None, np.inf
    for u in cands:
        rss = prob.evaluate(u).rss
        if rss < best_rss:
            best, best_rss = u, rss
    return best


def insert_knot(x, y, knots) -> np.ndarray:
    """The knots with one knot added where the fixed-knot least-squares fit improves most.

    Candidates are the median data point of every segment (between consecutive knots) with at least
    three points, and the quartile points of the segment with the largest residual sum of squares.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        ``x`` sorted strictly increasing.
    knots : array_like of shape (k,)

    Returns
    -------
    ndarray of shape (k + 1,) or (k,)
        Unchanged when no segment has three points.
    """
    x, y = _check_xy(x, y)
    prob = _Problem(x, y)
    u = prob.admissible(prob.to_z(knots))
    best = _best_fixed(prob, _insert_candidates(prob, prob.evaluate(u)))
    return prob.x0 + (u if best is None else best) * prob.width


def remove_knot(x, y, knots) -> np.ndarray:
    """The knots without the one whose removal raises the fixed-knot least-squares RSS least.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        ``x`` sorted strictly increasing.
    knots : array_like of shape (k,), k ≥ 1

    Returns
    -------
    ndarray of shape (k − 1,)
    """
    x, y = _check_xy(x, y)
    prob = _Problem(x, y)
    u = prob.admissible(prob.to_z(knots))
    if u.size == 0:
        return np.zeros(0)
    best = _best_fixed(prob, [np.delete(u, j) for j in range(u.size)])
    return prob.x0 + best * prob.width


def _adjust(prob: _Problem, u: np.ndarray, k: int) -> np.ndarray:
    """Greedy removal / insertion (by the fixed-knot RSS) until ``u`` has ``k`` knots or no
    insertion candidate is left."""
    while u.size > k:
        u = _best_fixed(prob, [np.delete(u, j) for j in range(u.size)])
    while u.size < k:
        nxt = _best_fixed(prob, _insert_candidates(prob, prob.evaluate(u)))
        if nxt is None:
            break
        u = nxt
    return u


def _multistart(
    prob: _Problem, k: int, starts, max_iter: int, rtol: float, screen_rtol: float = _SCREEN_RTOL
) -> tuple[_State, int, bool]:
    """Best LM result over admissible starts (z coordinates), each brought to ``k`` knots by
    :func:`_adjust`. Every start runs to the loose tolerance ``screen_rtol``; the best one is then
    polished to ``rtol``. Identical starts run once, ties keep the earlier start."""
    best = None
    seen: list[np.ndarray] = []
    for u0 in starts:
        u = _adjust(prob, u0, k)
        if any(s.shape == u.shape and np.array_equal(s, u) for s in seen):
            continue
        seen.append(u)
        out = prob.lm(u, max_iter, max(rtol, screen_rtol))
        if best is None or out[0].rss < best[0].rss:
            best = out
    st, n_iter, conv = best
    if screen_rtol > rtol and n_iter < max_iter:
        st, more, conv = prob.lm(st.u, max_iter - n_iter, rtol)
        n_iter += more
    return st, n_iter, conv


def _swap_refine(
    prob: _Problem, best: tuple[_State, int, bool], max_iter: int, rtol: float, max_rounds: int = 3
) -> tuple[_State, int, bool]:
    """Exchange moves: for each knot ``j``, remove it, insert the best candidate elsewhere
    (:func:`_insert_candidates`), rerun LM; keep the first improvement, repeat up to ``max_rounds``
    rounds (deterministic: knots in order)."""
    for _ in range(max_rounds):
        st = best[0]
        k = st.u.size
        improved = False
        for j in range(k):
            u = np.delete(st.u, j)
            cands = [c for c in _insert_candidates(prob, prob.evaluate(u)) if not np.array_equal(c, st.u)]
            nxt = _best_fixed(prob, cands)
            if nxt is None:
                continue
            out = prob.lm(nxt, max_iter, max(rtol, _SCREEN_RTOL))
            if out[0].rss < st.rss * (1 - 1e-9):
                if rtol < _SCREEN_RTOL:
                    out = prob.lm(out[0].u, max_iter, rtol)
                best, improved = out, True
                break
        if not improved:
            break
    return best


def _top_fixed(prob: _Problem, cands: list[np.ndarray], n: int) -> list[np.ndarray]:
    """The ``n`` candidate knot sets of least fixed-knot RSS (stable order on ties)."""
    rss = [prob.evaluate(u).rss for u in cands]
    return [cands[i] for i in np.argsort(rss, kind="stable")[:n]]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and (a.size == 0 or float(np.max(np.abs(a - b))) < _SAME_KNOTS)


def _l2_path(
    prob: _Problem,
    kmax: int,
    extra: list[list[np.ndarray]],
    max_iter: int,
    rtol: float = 1e-12,
    beam: int = 2,
    n_try: int = 3,
    screen_n: int = 20_000,
) -> tuple[list[tuple[_State, int, bool]], np.ndarray]:
    """Least-squares fits for ``k = 0 … kmax`` knots sharing starts across ``k`` (a beam search).

    Keeps, per ``k``, the ``beam`` best distinct local optima found (screened to the loose tolerance
    ``_SCREEN_RTOL``). Ascending ``k``: LM from ``extra[k]`` (e.g. ℓ∞-optimal knots), the quantile
    knots, and from every pool member of ``k − 1`` plus each of its ``n_try`` best single insertions
    (by fixed-knot RSS). Descending ``k``: from every pool member of ``k + 1`` minus each of its
    ``n_try`` least useful knots, and ``extra[k + 1]`` thinned to ``k``. The best of each pool is
    polished to ``rtol``; where ``RSS(k) > RSS(k − 1)`` remains, ``k`` restarts from the
    ``(k − 1)``-knot fit plus its best insertion, which makes ``RSS`` non-increasing in ``k``.
    With more than ``2 screen_n`` points the search runs on every ``m``-th point
    (``m = ⌈N / screen_n⌉``, both ends kept) and only the polish and the order check use all data.

    Returns the polished ``(state, n_iter, converged)`` per ``k`` and the seconds spent per ``k``.
    """
    import time

    full = prob
    if prob.n > 2 * screen_n:  # screen on every m-th point (ends kept: same z coordinates)
        idx = np.unique(np.append(np.arange(0, prob.n, -(-prob.n // screen_n)), prob.n - 1))
        prob = _Problem(prob.x[idx], prob.y[idx], prob.sep)
    pool: list[list[_State]] = [[] for _ in range(kmax + 1)]
    tried: list[list[np.ndarray]] = [[] for _ in range(kmax + 1)]
    secs = np.zeros(kmax + 1)
    screen = max(rtol, _SCREEN_RTOL)

    def add(k: int, st: _State) -> None:
        if any(_same(st.u, p.u) for p in pool[k]):
            return
        pool[k].append(st)
        pool[k].sort(key=lambda p: p.rss)
        del pool[k][beam:]

    def start(k: int, u: np.ndarray) -> None:
        u = _adjust(prob, u, k)
        if any(_same(u, v) for v in tried[k]):
            return
        tried[k].append(u)
        add(k, prob.lm(u, max_iter, screen)[0])

    for k in range(kmax + 1):
        t = time.perf_counter()
        starts = [*extra[k], prob.admissible(prob.to_z(quantile_knots(prob.x, k)))]
        if k > 0:
            for p in pool[k - 1]:
                cands = _insert_candidates(prob, p)
                starts += _top_fixed(prob, cands, n_try) if cands else [p.u]
        for u in starts:
            start(k, u)
        secs[k] += time.perf_counter() - t
    for k in range(kmax - 1, -1, -1):
        t = time.perf_counter()
        starts = []
        for p in pool[k + 1]:
            starts += _top_fixed(prob, [np.delete(p.u, j) for j in range(p.u.size)], n_try)
        starts += extra[k + 1]
        for u in starts:
            start(k, u)
        secs[k] += time.perf_counter() - t

    prob = full
    final: list[tuple[_State, int, bool]] = []
    for k in range(kmax + 1):
        t = time.perf_counter()
        out = prob.lm(pool[k][0].u, max_iter, rtol)
        if k > 0 and out[0].rss > final[k - 1][0].rss:
            prev = final[k - 1][0]
            nxt = _best_fixed(prob, _insert_candidates(prob, prev))
            out = prob.lm(nxt, max_iter, rtol) if nxt is not None else final[k - 1]
        final.append(out)
        secs[k] += time.perf_counter() - t
    return final, secs


def fit_l2_multistart(
    x, y, k: int, starts=(), *, max_iter: int = 100, rtol: float = 1e-12, min_sep: float = 1e-9
) -> LsqFit:
    """Best of several deterministic Levenberg–Marquardt runs for ``k`` knots.

    Starts: each of ``starts`` (e.g. the ℓ∞-optimal knots), then the quantile knots
    (:func:`quantile_knots`); a start with fewer than ``k`` knots is completed by greedy insertion
    (:func:`insert_knot`), one with more is thinned by greedy removal (:func:`remove_knot`).
    Every start runs until its relative RSS decrease falls below ``1e-7``; the best is then
    polished to ``rtol``. Identical starts run once; ties keep the earlier start.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        ``x`` sorted strictly increasing.
    k : int
        Number of knots, ``≥ 0``.
    starts : sequence of array_like, each of shape (k_s,)
    max_iter, rtol, min_sep
        As in :func:`fit_knots_l2`.

    Returns
    -------
    LsqFit
        The fit of least RSS; ``n_iter`` and ``converged`` are those of its run.
    """
    x, y = _check_xy(x, y)
    _check_iter(max_iter, min_sep)
    if int(k) < 0:
        raise ParameterError(f"k must be >= 0, got {k!r}")
    prob = _Problem(x, y, min_sep)
    cands = [prob.admissible(prob.to_z(s)) for s in starts]
    cands.append(prob.admissible(prob.to_z(quantile_knots(x, k))))
    st, n_iter, conv = _multistart(prob, int(k), cands, int(max_iter), float(rtol))
    return prob.result(st, n_iter, conv)
