"""The direct big-M MILP on the weights ``(W, b, v)``.

``K`` neuron slots (``K ≤ N`` suffices: Prop 4.1). By positive homogeneity every neuron is
``v_k (z·u_k)_+`` with ``v_k ∈ {−1, 0, +1}`` and ``u_k = |v| [w_k; b_k]`` in normalized units
(:mod:`._scaling`). Variables per slot ``k`` and point ``i``:

* ``u_k ∈ [−M, M]^D`` (the weight bound ``M`` is an assumption of the model),
* ``z_{kl} ∈ {0,1}`` with ``|u_{kl}| ≤ M z_{kl}`` (nonzero indicators, ``objective="nonzeros"``),
* ``o_k`` (slot used), ``s_k`` (sign: ``v_k = +1`` if ``s_k = 1`` else ``−1``),
* ``a_{ki}`` (active), ``h_{ki} = (z_i·u_k)_+`` and ``q_{ki} = v_k h_{ki}``, linearized with the exact
  pre-activation bound ``P_i = M ‖z_i‖_1``:

.. math::

    h ≥ z_i·u,\\quad h ≤ z_i·u + P_i(1−a),\\quad 0 ≤ h ≤ P_i a,\\quad
    |q| ≤ h,\\quad q ≥ h − 2P_i(1−s),\\quad q ≤ −h + 2P_i s,\\quad Σ_k q_{ki} (+ \\text{skip}) = t_i.

Symmetry breaking (valid: slots can be permuted freely): used slots first (``o_k ≥ o_{k+1}``) and
slots sorted by the key ``2^m s_k + Σ_{i<m} 2^i a_{ki}`` (``m = min(N, 20)``). Also ``a, s ≤ o``,
cover cuts ``Σ_k a_{ki} ≥ 1`` for ``t_i ≠ 0`` (no skip term), ``Σ o ≤ N`` and the objective rows
``LB ≤ obj ≤ UB``. Objective: ``Σ z`` (bias entries excluded when biases are free) or ``Σ o``.

Per-point bounds (``lo``/``hi`` given, :mod:`._solve_targets`): the rows ``Σ_k q_{ki} (+ skip) = t_i``
become ``lo_i ≤ … ≤ hi_i`` and the cover cut is kept for the points whose interval excludes 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..network import ReLUNetwork
from ._scaling import Scaled
from .backends import MILPProblem

__all__ = ["BigMModel", "SlotSolution"]

_KEY_BITS = 20


@dataclass
class SlotSolution:
    """Used slots: normalized vectors ``U`` (K, D), signs, activation patterns (K, N), skip term."""

    U: np.ndarray
    signs: np.ndarray
    patterns: np.ndarray
    a: np.ndarray
    c: float


class _Cols:
    def __init__(self) -> None:
        self.n = 0
        self.lo: list = []
        self.hi: list = []
        self.integer: list = []

    def add(self, count: int, lo, hi, integer: bool) -> np.ndarray:
        idx = np.arange(self.n, self.n + count)
        self.n += count
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (count,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (count,)))
        self.integer.append(np.full(count, integer))
        return idx


class _Rows:
    def __init__(self) -> None:
        self.r = 0
        self.rows: list = []
        self.cols: list = []
        self.vals: list = []
        self.lo: list = []
        self.hi: list = []

    def add(self, cols, vals, lo, hi) -> None:
        cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        self.rows.append(np.full(cols.size, self.r))
        self.cols.append(cols)
        self.vals.append(np.asarray(vals, dtype=np.float64).reshape(-1))
        self.lo.append(lo)
        self.hi.append(hi)
        self.r += 1


class BigMModel:
    """Build the MILP of the module docstring and map solutions back to networks."""

    def __init__(
        self,
        sc: Scaled,
        *,
        objective: str,
        include_bias: bool,
        skip: bool,
        n_slots: int,
        weight_bound: float,
        lower: int = 0,
        upper: int | None = None,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
    ) -> None:
        """``lo``/``hi`` of shape (N,): normalized per-point bounds replacing ``= t`` (both or neither)."""
        self.sc = sc
        self.lo = None if lo is None else np.asarray(lo, dtype=np.float64)
        self.hi = None if hi is None else np.asarray(hi, dtype=np.float64)
        self.objective = objective
        self.include_bias = include_bias
        self.skip = skip
        self.K = int(n_slots)
        self.M = float(weight_bound)
        self.lower = int(lower)
        self.upper = upper
        D = sc.Z.shape[1]
        self.usable = np.array([np.any(sc.Z[:, col] != 0) for col in range(D)])
        self.counted = self.usable.copy()
        if not include_bias:
            self.counted[D - 1] = False
        self._build()

    def _build(self) -> None:
        sc, K = self.sc, self.K
        N, D = sc.Z.shape
        M = self.M
        P = M * (np.abs(sc.Z) @ self.usable.astype(float))  # (N,)
        self.P = P
        C = _Cols()
        self.u = np.array(
            [C.add(D, np.where(self.usable, -M, 0.0), np.where(self.usable, M, 0.0), False) for _ in range(K)]
        )
        nz = self.objective == "nonzeros"
        self.z = np.array([C.add(D, 0.0, self.counted.astype(float), True) for _ in range(K)]) if nz else None
        self.o = C.add(K, 0.0, 1.0, True)
        self.s = C.add(K, 0.0, 1.0, True)
        self.a = np.array([C.add(N, 0.0, 1.0, True) for _ in range(K)])
        self.h = np.array([C.add(N, 0.0, P, False) for _ in range(K)])
        self.q = np.array([C.add(N, -P, P, False) for _ in range(K)])
        self.skip_idx = C.add(sc.d + 1, -np.inf, np.inf, False) if self.skip else None
        R = _Rows()
        inf = np.inf
        for k in range(K):
            uk = self.u[k]
            for i in range(N):
                zi = sc.Z[i]
                h, a, q, s = self.h[k, i], self.a[k, i], self.q[k, i], self.s[k]
                R.add(np.r_[h, uk], np.r_[1.0, -zi], 0.0, inf)  # h >= z.u
                R.add(np.r_[h, uk, a], np.r_[1.0, -zi, P[i]], -inf, P[i])  # h <= z.u + P(1-a)
                R.add([h, a], [1.0, -P[i]], -inf, 0.0)  # h <= P a
                R.add([q, h], [1.0, -1.0], -inf, 0.0)
                R.add([q, h], [1.0, 1.0], 0.0, inf)
                R.add([q, h, s], [1.0, -1.0, -2 * P[i]], -2 * P[i], inf)
                R.add([q, h, s], [1.0, 1.0, -2 * P[i]], -inf, 0.0)
                R.add([a, self.o[k]], [1.0, -1.0], -inf, 0.0)
            R.add([self.s[k], self.o[k]], [1.0, -1.0], -inf, 0.0)
            for col in range(D):
                if not self.usable[col]:
                    continue
                if nz and self.counted[col]:
                    zc = self.z[k, col]
                    R.add([uk[col], zc], [1.0, -M], -inf, 0.0)
                    R.add([uk[col], zc], [1.0, M], 0.0, inf)
                    R.add([zc, self.o[k]], [1.0, -1.0], -inf, 0.0)
                else:
                    R.add([uk[col], self.o[k]], [1.0, -M], -inf, 0.0)
                    R.add([uk[col], self.o[k]], [1.0, M], 0.0, inf)
            if nz:
                cz = self.z[k, self.counted]
                if self.include_bias:  # a used slot has a counted nonzero
                    R.add(np.r_[self.o[k], cz], np.r_[1.0, -np.ones(cz.size)], -inf, 0.0)
        for i in range(N):
            cols = list(self.q[:, i])
            vals = [1.0] * K
            if self.skip:
                cols += list(self.skip_idx)
                vals += list(sc.Z[i])
            if self.lo is None:
                R.add(cols, vals, sc.t[i], sc.t[i])
                needs_active = sc.t[i] != 0
            else:
                R.add(cols, vals, self.lo[i], self.hi[i])
                needs_active = self.lo[i] > 0 or self.hi[i] < 0
            if not self.skip and needs_active:
                R.add(self.a[:, i], np.ones(K), 1.0, inf)
        m = min(N, _KEY_BITS)
        for k in range(K - 1):
            R.add([self.o[k], self.o[k + 1]], [1.0, -1.0], 0.0, inf)
            w = np.r_[2.0**m, 2.0 ** np.arange(m)]
            cols = np.r_[self.s[k], self.a[k, :m], self.s[k + 1], self.a[k + 1, :m]]
            R.add(cols, np.r_[w, -w], 0.0, inf)
        R.add(self.o, np.ones(K), -inf, float(N))
        obj_cols = self.z[:, self.counted].reshape(-1) if nz else self.o
        if self.lower > 0 or self.upper is not None:
            R.add(
                obj_cols,
                np.ones(obj_cols.size),
                float(self.lower) if self.lower > 0 else -inf,
                float(self.upper) if self.upper is not None else inf,
            )
        self.obj_cols = obj_cols
        self.n_cols = C.n
        c = np.zeros(C.n)
        c[obj_cols] = 1.0
        A = sp.csr_matrix(
            (np.concatenate(R.vals), (np.concatenate(R.rows), np.concatenate(R.cols))), shape=(R.r, C.n)
        )
        integer = np.concatenate(C.integer)
        prio = np.zeros(C.n, dtype=np.int64)
        prio[self.o] = 3
        if nz:
            prio[self.z.reshape(-1)] = 2
        prio[self.s] = 2
        prio[self.a.reshape(-1)] = 1
        self._problem = MILPProblem(
            c=c,
            A=A,
            row_lo=np.array(R.lo, dtype=np.float64),
            row_hi=np.array(R.hi, dtype=np.float64),
            col_lo=np.concatenate(C.lo),
            col_hi=np.concatenate(C.hi),
            integer=integer,
            priority=prio,
        )

    def problem(self) -> MILPProblem:
        return self._problem

    # ------------------------------------------------------------------ solutions
    def slots_from_x(self, x: np.ndarray) -> SlotSolution:
        used = np.flatnonzero(x[self.o] > 0.5)
        U = x[self.u[used]].copy()
        if self.z is not None:
            zmask = x[self.z[used]] > 0.5
            U[:, self.counted] = np.where(zmask[:, self.counted], U[:, self.counted], 0.0)
        signs = np.where(x[self.s[used]] > 0.5, 1.0, -1.0)
        pats = x[self.a[used]] > 0.5
        a = x[self.skip_idx[:-1]] if self.skip else np.zeros(self.sc.d)
        c = float(x[self.skip_idx[-1]]) if self.skip else 0.0
        return SlotSolution(U, signs, pats, np.array(a, dtype=np.float64), c)

    def raw_network(self, x: np.ndarray) -> ReLUNetwork:
        """All slots as the solver left them (no rounding of indicators)."""
        U = x[self.u]
        signs = np.where(x[self.s] > 0.5, 1.0, -1.0) * (x[self.o] > 0.5)
        a = x[self.skip_idx[:-1]] if self.skip else None
        c = float(x[self.skip_idx[-1]]) if self.skip else 0.0
        return self.sc.network(U, signs, skip=self.skip, a=a, c=c)

    def x_from_slots(self, sol: SlotSolution) -> np.ndarray | None:
        """MIP start from slots (``None`` if they do not fit the slots or the weight bound)."""
        sc, K = self.sc, self.K
        n = sol.U.shape[0]
        if n > K or np.any(np.abs(sol.U[:, self.usable]) > self.M) or np.any(sol.U[:, ~self.usable] != 0):
            return None
        m = min(sc.n, _KEY_BITS)
        key = (sol.signs > 0) * 2.0**m + sol.patterns[:, :m].astype(float) @ (2.0 ** np.arange(m))
        order = np.argsort(-key, kind="stable")
        x = np.zeros(self.n_cols)
        for slot, j in enumerate(order):
            u = sol.U[j]
            pre = sc.Z @ u
            h = np.maximum(pre, 0.0)
            sg = sol.signs[j]
            x[self.u[slot]] = u
            if self.z is not None:
                x[self.z[slot]] = (u != 0) & self.counted
            x[self.o[slot]] = 1.0
            x[self.s[slot]] = 1.0 if sg > 0 else 0.0
            x[self.a[slot]] = sol.patterns[j].astype(float)
            x[self.h[slot]] = h
            x[self.q[slot]] = sg * h
        if self.skip:
            x[self.skip_idx[:-1]] = sol.a
            x[self.skip_idx[-1]] = sol.c
        return x

    def bound_activity(self, sol: SlotSolution) -> float:
        """``max |u| / M`` over used slots (1 = the weight bound is active)."""
        return float(np.max(np.abs(sol.U), initial=0.0) / self.M)
