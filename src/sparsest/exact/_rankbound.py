"""A proven lower bound by exhaustive span search (the dimension count, made rigorous).

Every interpolating network is a set of neurons, each in some block ``k`` (support × cell, see
:mod:`._blocks`), whose outputs on the data lie in the span ``V_k = span{φ_{k,r}}`` (dimension at
most ``cost_k`` for ``objective="nonzeros"``). Dropping the sign constraints (``λ ≥ 0``) and the
coupling between blocks gives a relaxation:

.. math::  \\min\\ Σ_{k∈B} \\mathrm{cost}_k \\quad\\text{s.t.}\\quad t ∈ W_0 + Σ_{k∈B} V_k ,

with ``W_0`` the span of the free skip term (``{0}`` without one). For labels in general position
its value is the *generic bound* (for example the number of nonzero labels for ``nonzeros``), but
that is a statement about almost every ``y``, not a proof for this one. This module *decides* the
relaxation for the given data by iterative deepening over the total cost ``T``: if no set of
blocks of cost ``≤ T`` spans ``t``, every network needs cost ``≥ T + 1`` — a proof that uses no
big-M bound.

Search: blocks with a span inside another block's span of no larger cost are dropped (dominated);
a depth-first search adds blocks in index order, keeping an orthonormal basis of the current span
and the residual of ``t``; the last block of every combination is tested for all candidates at once
(vectorized Gram–Schmidt). Points with ``t_i ≠ 0`` must be covered by some block (pruning).

Numerics: ``t`` counts as spanned when the residual is ``≤ 1e-9 ‖t‖``; directions whose component
outside the current span is below ``1e-12`` (relative) count as dependent. Both err towards
"spanned", i.e. towards a *weaker* bound, except that a direction of relative size below
``1e-12`` is ignored — spanning ``t`` with it needs neuron outputs ``10^{12}`` times the data scale.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["RankBound", "rank_lower_bound"]

_IN_SPAN = 1e-9
_DEP = 1e-12


@dataclass(frozen=True)
class RankBound:
    """Outcome of :func:`rank_lower_bound`.

    Attributes
    ----------
    bound : int
        Proven lower bound on the objective.
    complete : bool
        ``True`` when the search reached a cost at which ``t`` is spanned (so the relaxation is
        solved exactly and ``bound`` is its optimum); ``False`` when it stopped on the work limit
        or at ``t_max``.
    spanning_cost : int or None
        Cost of the spanning combination found (``= bound`` when complete).
    tests : int
        Number of (combination) span tests performed.
    seconds : float
    """

    bound: int
    complete: bool
    spanning_cost: int | None
    tests: int
    seconds: float


def _orth(V: np.ndarray) -> np.ndarray:
    """Orthonormal basis (N, r) of the column span of V (SVD rank, relative 1e-10)."""
    if V.size == 0:
        return np.zeros((V.shape[0], 0))
    U, s, _ = np.linalg.svd(V, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return np.zeros((V.shape[0], 0))
    return U[:, s > 1e-10 * s[0]]


def _count_subsets(costs: np.ndarray, T: int) -> int:
    """Number of subsets with total cost ≤ T (dynamic program on the cost polynomial)."""
    cnt = np.zeros(T + 1, dtype=object)
    cnt[0] = 1
    for c in costs:
        c = int(c)
        if c > T:
            continue
        cnt[c:] = cnt[c:] + cnt[: T + 1 - c]
    return int(sum(cnt))


class _Search:
    """Breadth-first, vectorized enumeration of block sets (one subtree per first block)."""

    def __init__(self, B, k, cost, cover, need, chunk: int = 8000):
        self.B = B  # (nb, N, kmax) orthonormal columns, zero padded
        self.k = k
        self.cost = cost
        self.cover = cover  # (nb, N) bool
        self.need = need  # (N,) bool: points that must be covered
        self.chunk = chunk
        self.tests = 0
        self.work_limit = math.inf
        self.deadline = math.inf
        self.stopped = False
        nb, N = cover.shape
        cc = np.zeros((nb + 1, N), dtype=bool)
        for j in range(nb - 1, -1, -1):
            cc[j] = cc[j + 1] | cover[j]
        self.can_cover = cc
        self.Bflat = np.ascontiguousarray(B.transpose(1, 0, 2).reshape(B.shape[1], -1))  # (N, nb*km)
        big = np.iinfo(np.int64).max // 4
        self.min_cost_from = np.concatenate([np.minimum.accumulate(cost[::-1])[::-1], [big]])

    def _project(self, Q, s_idx, j_idx):
        """Blocks ``j`` projected onto the complement of state ``s``'s span, shape (n, N, kmax)."""
        us, inv = np.unique(s_idx, return_inverse=True)
        nb, N, km = self.B.shape
        if us.size * nb <= 4 * s_idx.size:
            # many candidates per state: one (N x N) @ (N x nb*km) product per state
            Qc = Q[us]
            Bf = self.Bflat
            P = Bf[None] - Qc @ (np.swapaxes(Qc, 1, 2) @ Bf)
            P -= Qc @ (np.swapaxes(Qc, 1, 2) @ P)
            return P.reshape(us.size, N, nb, km)[inv, :, j_idx, :]
        P = self.B[j_idx].copy()
        Qs = Q[s_idx]
        for _ in range(2):
            P -= Qs @ (np.swapaxes(Qs, 1, 2) @ P)
        return P

    def _expand(self, Q, r, s_idx, j_idx):
        """Orthonormal E (n, N, kmax) of the projected blocks and the residual of r (n, N)."""
        P = self._project(Q, s_idx, j_idx)
        km = P.shape[2]
        E = np.zeros_like(P)
        for c in range(km):
            v = P[:, :, c]
            for _ in range(2):
                for c2 in range(c):
                    v = v - np.einsum("jn,jn->j", E[:, :, c2], v)[:, None] * E[:, :, c2]
            nv = np.linalg.norm(v, axis=1)
            ok = nv > _DEP
            E[ok, :, c] = v[ok] / nv[ok, None]
        res = r[s_idx].copy()
        for _ in range(2):
            for c in range(km):
                res -= np.einsum("jn,jn->j", E[:, :, c], res)[:, None] * E[:, :, c]
        return E, res

    def run(self, T, tnorm, Q0, r0) -> bool:
        """Is ``t`` spanned by (W0 and) some block set of total cost ≤ T?"""
        N = r0.size
        nb = self.cost.size
        tol = _IN_SPAN * tnorm
        # state arrays: Q padded to N columns, q = used columns, last chosen index, budget, covered
        Q = np.zeros((1, N, N))
        q0 = Q0.shape[1]
        Q[0, :, :q0] = Q0
        q = np.array([q0])
        r = r0[None, :].copy()
        last = np.array([-1])
        budget = np.array([T])
        covered = np.zeros((1, N), dtype=bool)
        while last.size:
            # candidate pairs (state, block)
            jj = np.arange(nb)
            mask = (jj[None, :] > last[:, None]) & (self.cost[None, :] <= budget[:, None])
            unc = self.need[None, :] & ~covered
            feas = ~np.any(unc & ~self.can_cover[last + 1], axis=1)
            mask &= feas[:, None]
            s_all, j_all = np.nonzero(mask)
            nQ, nqv, nr, nl, nbud, ncov = [], [], [], [], [], []
            for a in range(0, s_all.size, self.chunk):
                if self.tests > self.work_limit or time.perf_counter() > self.deadline:
                    self.stopped = True
                    return False
                s_idx, j_idx = s_all[a : a + self.chunk], j_all[a : a + self.chunk]
                E, res = self._expand(Q, r, s_idx, j_idx)
                self.tests += s_idx.size
                if np.any(np.linalg.norm(res, axis=1) <= tol):
                    return True
                rem = budget[s_idx] - self.cost[j_idx]
                go = rem >= self.min_cost_from[np.minimum(j_idx + 1, nb)]
                if not np.any(go):
                    continue
                s_g, j_g, E_g = s_idx[go], j_idx[go], E[go]
                Qn = Q[s_g].copy()
                qn = q[s_g].copy()
                for c in range(E_g.shape[2]):
                    valid = (c < self.k[j_g]) & (np.linalg.norm(E_g[:, :, c], axis=1) > 0) & (qn < N)
                    rows = np.flatnonzero(valid)
                    Qn[rows, :, qn[rows]] = E_g[rows, :, c]
                    qn[rows] += 1
                nQ.append(Qn)
                nqv.append(qn)
                nr.append(res[go])
                nl.append(j_g)
                nbud.append(rem[go])
                ncov.append(covered[s_g] | self.cover[j_g])
            if not nl:
                return False
            Q, q, r = np.concatenate(nQ), np.concatenate(nqv), np.concatenate(nr)
            last, budget, covered = np.concatenate(nl), np.concatenate(nbud), np.concatenate(ncov)
        return False


def rank_lower_bound(
    spans: list[np.ndarray],
    costs: list[int] | np.ndarray,
    t: np.ndarray,
    *,
    W0: np.ndarray | None = None,
    cover_needed: bool = True,
    start: int = 0,
    t_max: int | None = None,
    max_tests: float = 2e6,
    deadline: float = math.inf,
) -> RankBound:
    """Smallest total cost of blocks whose spans (plus ``W0``) contain ``t`` — or a proven bound.

    Parameters
    ----------
    spans : list of ndarray, each of shape (N, k_j)
        Spanning vectors of every block (any basis).
    costs : array_like of int, shape (n_blocks,)
    t : ndarray of shape (N,)
    W0 : ndarray of shape (N, q), optional
        Free directions (skip term); cost-0 blocks are added to it.
    cover_needed : bool
        Points with ``t_i ≠ 0`` must be covered by a chosen block (valid without a skip term).
    start : int
        A bound already known (search starts at this cost).
    t_max : int, optional
        Largest cost to search (e.g. the best known network's cost minus one).
    max_tests : float
        Work limit (span tests); a level whose estimated size exceeds what is left is not started.
    deadline : float
        ``time.perf_counter()`` value at which to stop.

    Returns
    -------
    RankBound
    """
    t0 = time.perf_counter()
    t = np.asarray(t, dtype=np.float64)
    N = t.size
    costs = np.asarray(costs, dtype=np.int64)
    free = [spans[j] for j in range(len(spans)) if costs[j] <= 0]
    base = [W0] if W0 is not None and W0.size else []
    Q0 = _orth(np.concatenate(base + free, axis=1)) if (base or free) else np.zeros((N, 0))
    r0 = t - Q0 @ (Q0.T @ t)
    tnorm = float(np.linalg.norm(t))
    if tnorm == 0 or np.linalg.norm(r0) <= _IN_SPAN * tnorm:
        return RankBound(0, True, 0, 0, time.perf_counter() - t0)
    # project blocks out of W0, orthonormalize, drop empty and dominated ones
    items = []
    for j in range(len(spans)):
        if costs[j] <= 0:
            continue
        V = spans[j] - Q0 @ (Q0.T @ spans[j]) if Q0.shape[1] else spans[j]
        E = _orth(V)
        if E.shape[1] == 0:
            continue
        items.append((int(costs[j]), E))
    items = _undominated(items)
    if not items:
        return RankBound(max(start, 1), False, None, 0, time.perf_counter() - t0)
    # order: expensive blocks first (fewer levels), then larger spans
    items.sort(key=lambda it: (-it[0], -it[1].shape[1]))
    cost = np.array([c for c, _ in items], dtype=np.int64)
    k = np.array([E.shape[1] for _, E in items], dtype=np.int64)
    km = int(k.max())
    B = np.zeros((len(items), N, km))
    for j, (_, E) in enumerate(items):
        B[j, :, : E.shape[1]] = E
    cover = np.linalg.norm(B, axis=2) > 1e-12
    need = (t != 0) if cover_needed else np.zeros(N, dtype=bool)
    srch = _Search(B, k, cost, cover, need)
    srch.deadline = deadline
    T = max(int(start), 1)
    upper = t_max if t_max is not None else int(cost.sum())
    while T <= upper:
        est = _count_subsets(cost, T)
        if srch.tests + est > max_tests or time.perf_counter() > deadline:
            return RankBound(T, False, None, srch.tests, time.perf_counter() - t0)
        srch.work_limit = max_tests
        found = srch.run(T, tnorm, Q0, r0)
        if srch.stopped:
            return RankBound(T, False, None, srch.tests, time.perf_counter() - t0)
        if found:
            return RankBound(T, True, T, srch.tests, time.perf_counter() - t0)
        T += 1
    return RankBound(T, False, None, srch.tests, time.perf_counter() - t0)


def _undominated(items: list) -> list:
    """Drop blocks whose span lies in the span of another block of no larger cost (ties: keep one)."""
    n = len(items)
    if n <= 1 or n > 3000:  # quadratic: only worth it (and affordable) for moderate block counts
        return items
    cost = np.array([c for c, _ in items])
    k = np.array([E.shape[1] for _, E in items])
    N = items[0][1].shape[0]
    B = np.zeros((n, N, int(k.max())))
    for j, (_, E) in enumerate(items):
        B[j, :, : k[j]] = E
    keep = np.ones(n, dtype=bool)
    for a in range(n):
        Ea = items[a][1]
        cand = np.flatnonzero(keep & (cost <= cost[a]) & (k >= k[a]))
        cand = cand[cand != a]
        if cand.size == 0:
            continue
        Bc = B[cand]
        R = Ea[None] - np.einsum("jnk,jkm->jnm", Bc, np.einsum("jnk,nm->jkm", Bc, Ea))
        inside = np.linalg.norm(R, axis=(1, 2)) <= 1e-10
        tie = (cost[cand] == cost[a]) & (k[cand] == k[a]) & (cand > a)
        if np.any(inside & ~tie):
            keep[a] = False
    return [items[j] for j in range(n) if keep[j]]
