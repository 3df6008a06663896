"""The activation-pattern MILP (Lemma 4.1), with cones in V-representation.

For every block ``k`` (support ``S_k``, cell ``A_k``, rays ``ρ_{k,r}``, outputs ``φ_{k,r}``; see
:mod:`._blocks`) and output sign ``σ ∈ {+1, −1}`` there are continuous ``λ_{kσr} ≥ 0`` and one
binary ``o_{kσ}`` ("this neuron is used"). In normalized units (:mod:`._scaling`):

.. math::

    \\min\\ Σ_{k,σ} \\mathrm{cost}_k\\, o_{kσ}
    \\quad\\text{s.t.}\\quad
    Σ_{k,σ,r} σ\\, φ_{k,r}\\, λ_{kσr} \\;(+\\; Z_x a + c) = t,
    \\qquad Σ_r (1^\\top φ_{k,r})\\, λ_{kσr} ≤ G\\, o_{kσ}.

A used block is the neuron ``σ (z·u)_+`` with ``u = Σ_r λ_{kσr} ρ_{k,r}`` — it lies in the closure
of cell ``A_k``, so its outputs are exactly ``Σ_r λ φ``: no activation binaries and no big-M on the
weights. The only bound is ``G``: *the sum over the data of one neuron's outputs is at most G*.
It is an assumption of the model (reported in the result); the solver raises it when it is close to
active at the optimum.

Valid inequalities (all hold for every interpolating network; none depends on ``G``):

* cover: without a skip term a point with ``t_i > 0`` needs an active positive neuron,
  ``Σ_{k : i ∈ A_k} o_{k+} ≥ 1`` (and ``o_{k−}`` for ``t_i < 0``);
* at most ``N`` neurons: ``Σ o ≤ N`` (Prop 4.1; a basic solution of the interpolation system
  uses at most ``N`` columns);
* a proven lower bound ``LB`` (from the certificates) and an upper bound ``UB`` (a known
  network) on the objective row.

Patterns are distinct, so the model has no permutation symmetry to break.

Per-point bounds (``lo``/``hi`` given, :mod:`._solve_targets`): the equality rows become
``lo_i ≤ Σ … ≤ hi_i`` (an infinite side is no constraint), the cover cuts are kept for the points
whose interval excludes 0 (``lo_i > 0`` needs a positive active neuron, ``hi_i < 0`` a negative
one), and the bound ``Σ o ≤ N`` still holds (fix the outputs ``f`` of a feasible network: the
system ``Σ σ φ λ = f`` has a basic solution with at most ``N`` columns). :meth:`PatternModel.polish`
re-solves within the bounds (:func:`._polish.tightened` first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..network import ReLUNetwork
from ._blocks import BlockSet
from ._polish import bounded_lp
from ._scaling import Scaled
from .backends import MILPProblem

__all__ = ["PatternModel", "Selection"]

_SIGNS = (1.0, -1.0)


@dataclass
class Selection:
    """Chosen (block, sign) entries with their ray weights and the skip term (normalized)."""

    entries: list  # entry index e = 2*block + (0 for +, 1 for −)
    lams: list  # ndarray per entry
    a: np.ndarray
    c: float


class PatternModel:
    """Build the MILP of the module docstring and map solutions back to networks."""

    def __init__(
        self,
        sc: Scaled,
        blocks: BlockSet,
        *,
        skip: bool,
        output_bound: float,
        lower: int = 0,
        upper: int | None = None,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
    ) -> None:
        """``lo``/``hi`` of shape (N,): normalized per-point bounds replacing ``= t`` (both or neither)."""
        self.sc = sc
        self.lo = None if lo is None else np.asarray(lo, dtype=np.float64)
        self.hi = None if hi is None else np.asarray(hi, dtype=np.float64)
        self.blocks = blocks
        self.skip = skip
        self.G = float(output_bound)
        self.lower = int(lower)
        self.upper = upper
        nb = len(blocks.blocks)
        self.n_entries = 2 * nb
        sizes = np.array([b.rays.shape[0] for b in blocks.blocks for _ in _SIGNS], dtype=np.int64)
        self.lam_start = np.concatenate([[0], np.cumsum(sizes)])
        self.n_lam = int(self.lam_start[-1])
        self.o0 = self.n_lam
        self.skip0 = self.o0 + self.n_entries
        self.n_cols = self.skip0 + ((sc.d + 1) if skip else 0)
        self.cost = np.array([b.cost for b in blocks.blocks for _ in _SIGNS], dtype=np.float64)

    # ------------------------------------------------------------------ model
    def _entry(self, e: int):
        return self.blocks.blocks[e // 2], _SIGNS[e % 2]

    def _needed_signs(self) -> np.ndarray:
        """Per point: ``+1`` / ``−1`` if the point needs an active neuron of that sign (no skip term),
        else ``0``: ``sign(t_i)`` for interpolation, ``lo_i > 0`` / ``hi_i < 0`` with bounds."""
        if self.lo is None:
            return np.sign(self.sc.t)
        return np.where(self.lo > 0, 1.0, np.where(self.hi < 0, -1.0, 0.0))

    def problem(self) -> MILPProblem:
        sc, N = self.sc, self.sc.n
        rows, cols, vals = [], [], []
        col_hi = np.full(self.n_cols, np.inf)
        col_lo = np.zeros(self.n_cols)
        link_row0 = N
        for e in range(self.n_entries):
            blk, sg = self._entry(e)
            c0 = self.lam_start[e]
            m = blk.rays.shape[0]
            ri, rr = np.nonzero(blk.out.T)  # (point, ray)
            rows.append(ri)
            cols.append(c0 + rr)
            vals.append(sg * blk.out.T[ri, rr])
            tot = blk.out.sum(axis=1)
            rows.append(np.full(m, link_row0 + e))
            cols.append(c0 + np.arange(m))
            vals.append(tot)
            col_hi[c0 : c0 + m] = self.G / tot
        rows.append(link_row0 + np.arange(self.n_entries))
        cols.append(self.o0 + np.arange(self.n_entries))
        vals.append(np.full(self.n_entries, -self.G))
        col_hi[self.o0 : self.skip0] = 1.0
        if self.skip:
            d = sc.d
            ii = np.repeat(np.arange(N), d + 1)
            jj = np.tile(self.skip0 + np.arange(d + 1), N)
            rows.append(ii)
            cols.append(jj)
            vals.append(sc.Z.reshape(-1))
            col_lo[self.skip0 :] = -np.inf
        row_lo = [sc.t if self.lo is None else self.lo, np.full(self.n_entries, -np.inf)]
        row_hi = [sc.t if self.hi is None else self.hi, np.zeros(self.n_entries)]
        r = N + self.n_entries
        o_idx = self.o0 + np.arange(self.n_entries)
        if not self.skip:  # cover cuts
            pat = np.array([b.pattern for b in self.blocks.blocks])  # (nb, N)
            need = self._needed_signs()
            for i in np.flatnonzero(need != 0):
                s = 0 if need[i] > 0 else 1
                ks = np.flatnonzero(pat[:, i])
                rows.append(np.full(ks.size, r))
                cols.append(self.o0 + 2 * ks + s)
                vals.append(np.ones(ks.size))
                row_lo.append([1.0])
                row_hi.append([np.inf])
                r += 1
        # at most N neurons
        rows.append(np.full(self.n_entries, r))
        cols.append(o_idx)
        vals.append(np.ones(self.n_entries))
        row_lo.append([-np.inf])
        row_hi.append([float(N)])
        r += 1
        if self.lower > 0 or self.upper is not None:
            rows.append(np.full(self.n_entries, r))
            cols.append(o_idx)
            vals.append(self.cost)
            row_lo.append([float(self.lower) if self.lower > 0 else -np.inf])
            row_hi.append([float(self.upper) if self.upper is not None else np.inf])
            r += 1
        A = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, self.n_cols)
        )
        c = np.zeros(self.n_cols)
        c[o_idx] = self.cost
        integer = np.zeros(self.n_cols, dtype=bool)
        integer[o_idx] = True
        priority = np.zeros(self.n_cols, dtype=np.int64)
        priority[o_idx] = self.cost.astype(np.int64) + 1
        return MILPProblem(
            c=c,
            A=A,
            row_lo=np.concatenate([np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in row_lo]),
            row_hi=np.concatenate([np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in row_hi]),
            col_lo=col_lo,
            col_hi=col_hi,
            integer=integer,
            priority=priority,
        )

    # ------------------------------------------------------------------ solutions
    def selection_from_x(self, x: np.ndarray, *, all_positive: bool = False) -> Selection:
        """Entries with ``o > 0.5`` (or, with ``all_positive``, every entry with some ``λ > 0``)."""
        entries, lams = [], []
        for e in range(self.n_entries):
            lam = np.maximum(x[self.lam_start[e] : self.lam_start[e + 1]], 0.0)
            used = x[self.o0 + e] > 0.5 if not all_positive else np.any(lam > 0)
            if used:
                entries.append(e)
                lams.append(lam)
        a = x[self.skip0 : self.skip0 + self.sc.d] if self.skip else np.zeros(self.sc.d)
        c = float(x[self.skip0 + self.sc.d]) if self.skip else 0.0
        return Selection(entries, lams, np.array(a, dtype=np.float64), c)

    def x_from_selection(self, sel: Selection) -> np.ndarray:
        x = np.zeros(self.n_cols)
        for e, lam in zip(sel.entries, sel.lams, strict=True):
            x[self.lam_start[e] : self.lam_start[e + 1]] = lam
            x[self.o0 + e] = 1.0
        if self.skip:
            x[self.skip0 : self.skip0 + self.sc.d] = sel.a
            x[self.skip0 + self.sc.d] = sel.c
        return x

    def objective_of(self, sel: Selection) -> float:
        return float(sum(self.cost[e] for e in sel.entries))

    def output_sums(self, sel: Selection) -> np.ndarray:
        """``Σ_i`` outputs of each selected neuron (compare with ``G``)."""
        return np.array(
            [
                float(self._entry(e)[0].out.sum(axis=1) @ lam)
                for e, lam in zip(sel.entries, sel.lams, strict=True)
            ]
        )

    def network(self, sel: Selection) -> ReLUNetwork:
        U, sg = [], []
        for e, lam in zip(sel.entries, sel.lams, strict=True):
            blk, s = self._entry(e)
            U.append(lam @ blk.rays)
            sg.append(s)
        D = self.sc.d + 1
        U = np.array(U).reshape(-1, D)
        return self.sc.network(U, np.array(sg), skip=self.skip, a=sel.a, c=sel.c)

    def polish(self, entries: list) -> Selection | None:
        """Exact re-solve on fixed entries: ``λ ≥ 0`` with ``Σ σ φ λ (+ skip) = t`` (no ``G``).

        Minimizes the total output (well-scaled solutions), then refines the nonzero part by least
        squares. Returns ``None`` when the entries cannot interpolate. With bounds: ``lo ≤ Σ σ φ λ
        (+ skip) ≤ hi`` instead, tightened first (:func:`._polish.tightened`), no refinement.
        """
        from scipy.optimize import linprog  # lazy: keeps the 1-D exact path fast to start

        sc, N = self.sc, self.sc.n
        if not entries and not self.skip:
            if self.lo is not None:
                zero_ok = bool(np.all((self.lo <= 0) & (self.hi >= 0)))
                return Selection([], [], np.zeros(sc.d), 0.0) if zero_ok else None
            return Selection([], [], np.zeros(sc.d), 0.0) if np.all(sc.t == 0) else None
        cols, cost, owner = [], [], []
        for e in entries:
            blk, s = self._entry(e)
            cols.append(s * blk.out.T)
            cost.append(blk.out.sum(axis=1))
            owner.extend([e] * blk.rays.shape[0])
        M = np.concatenate(cols, axis=1) if cols else np.zeros((N, 0))
        n_lam = M.shape[1]
        cvec = np.concatenate(cost) if cost else np.zeros(0)
        bounds = [(0, None)] * n_lam
        if self.skip:
            M = np.concatenate([M, sc.Z], axis=1)
            cvec = np.concatenate([cvec, np.zeros(sc.d + 1)])
            bounds += [(None, None)] * (sc.d + 1)
        if self.lo is not None:
            z = bounded_lp(cvec, np.zeros((0, M.shape[1])), M, self.lo, self.hi, bounds)
            if z is None:
                return None
            z[:n_lam] = np.maximum(z[:n_lam], 0.0)
        else:
            res = linprog(
                cvec,
                A_eq=M,
                b_eq=sc.t,
                bounds=bounds,
                method="highs",
                options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
            )
            if res.status != 0 or res.x is None:
                return None
            z = np.asarray(res.x, dtype=np.float64)
            z[:n_lam] = np.maximum(z[:n_lam], 0.0)
            z = _refine(M, sc.t, z, n_lam)
        owner = np.array(owner, dtype=np.int64)
        keep_e, lams = [], []
        for e in entries:
            lam = z[:n_lam][owner == e]
            if np.any(lam > 0):
                keep_e.append(e)
                lams.append(lam)
        a = z[n_lam : n_lam + sc.d] if self.skip else np.zeros(sc.d)
        c = float(z[n_lam + sc.d]) if self.skip else 0.0
        return Selection(keep_e, lams, np.array(a), c)

    # ------------------------------------------------------------------ warm start
    def selection_from_network(self, net: ReLUNetwork, *, rtol: float = 1e-9) -> Selection | None:
        """Map an interpolating network to blocks and polish it into an exactly feasible start.

        Each active neuron is assigned to the block of its (reduced) support whose closed cell
        contains it. Returns ``None`` when a neuron fits no block (for example a support with
        dependent columns) or the polished entries cannot interpolate.
        """
        sc = self.sc
        if net.n_features != sc.d:
            return None
        U, sg, _, _ = sc.neurons_of(net)
        if U.shape[0] == 0:
            return self.polish([])
        mag = np.abs(U)
        big = float(mag.max()) if mag.size else 0.0
        by_support: dict[tuple, list[int]] = {}
        for k, b in enumerate(self.blocks.blocks):
            by_support.setdefault(b.support, []).append(k)
        pats = {S: np.array([self.blocks.blocks[k].pattern for k in ks]) for S, ks in by_support.items()}
        D = sc.d + 1
        bias = D - 1
        entries: set[int] = set()
        for k in range(U.shape[0]):
            u = U[k].copy()
            u[mag[k] <= rtol * big] = 0.0
            pre = sc.Z @ u
            if not np.any(pre > rtol * np.abs(sc.Z) @ np.abs(u)) or sg[k] == 0:
                continue  # inactive on every point: contributes nothing
            if self.blocks.objective == "neurons":
                S = self.blocks.supports[0]
            else:
                S = tuple(int(i) for i in np.flatnonzero(u))
                if not self.blocks.include_bias and bias not in S:
                    S = tuple(sorted((*S, bias)))
            if S not in pats:
                return None
            scale = np.abs(sc.Z) @ np.abs(u)
            tol = 1e-7 * np.maximum(scale, 1e-300)
            P = pats[S]
            ok = ~(((pre > tol) & ~P) | ((pre < -tol) & P)).any(axis=1)
            if not np.any(ok):
                return None
            kk = by_support[S][int(np.flatnonzero(ok)[0])]
            entries.add(2 * kk + (0 if sg[k] > 0 else 1))
        return self.polish(sorted(entries))


def _refine(M: np.ndarray, t: np.ndarray, z: np.ndarray, n_lam: int) -> np.ndarray:
    """Least-squares refinement of an LP solution on its support (keeps it if it stays ≥ 0)."""
    lam = z[:n_lam]
    supp = np.concatenate(
        [lam > 1e-14 * max(float(lam.max(initial=0.0)), 1e-300), np.ones(z.size - n_lam, bool)]
    )
    if not np.any(supp):
        return z
    sol, *_ = np.linalg.lstsq(M[:, supp], t, rcond=None)
    cand = np.zeros_like(z)
    cand[supp] = sol
    if np.all(cand[:n_lam] >= 0) and np.linalg.norm(M @ cand - t) <= np.linalg.norm(M @ z - t):
        return cand
    return z
