"""A proven lower bound (and networks) by exhaustive search over signed neurons — no big-M.

Every interpolating network is a set of *signed blocks* ``(k, σ)`` (block = support × cell, see
:mod:`._blocks`; two neurons of the same block and sign merge into one) whose outputs
``Σ_{(k,σ)} σ Σ_r λ_{kσr} φ_{k,r}`` with ``λ ≥ 0`` equal ``t`` (plus a free skip term). For a
fixed set of signed blocks this is a nonnegative least-squares problem with zero residual, decided
exactly by :func:`scipy.optimize.nnls` (Lawson–Hanson active set). The search enumerates all sets
of total cost ``≤ T`` in index order, for ``T = start, start+1, …``:

* without a skip term, a point with ``t_i > 0`` needs a positive block active at ``i`` and one
  with ``t_i < 0`` a negative one (pruning with bit masks);
* a set is tested only when it covers every such point, and at the level equal to its cost.

If no set of cost ``≤ T`` interpolates, every network costs at least ``T + 1``: a proof that, unlike
the MILP's, uses no bound on weights or outputs. It is exhaustive, so it is run only for small
``T`` (a work limit stops it); it complements the span certificate (:mod:`._rankbound`), which
ignores signs but reaches much larger costs.

Numerics: a set counts as interpolating when the NNLS residual is at most ``1e-9 ‖t‖``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["SignedBound", "signed_lower_bound"]

_TOL = 1e-9


@dataclass(frozen=True)
class SignedBound:
    """Outcome of :func:`signed_lower_bound`.

    Attributes
    ----------
    bound : int
        Proven lower bound.
    solution : tuple or None
        ``(entries, lams, skip_coef)`` of an interpolating set of cost ``bound`` if one was found
        (entries ``2k`` / ``2k+1`` for block ``k`` with sign ``+`` / ``−``).
    nodes : int
        Sets enumerated.
    tests : int
        NNLS problems solved.
    seconds : float
    complete : bool
        The search ended by finding a solution (so ``bound`` is the optimum).
    """

    bound: int
    solution: tuple | None
    nodes: int
    tests: int
    seconds: float
    complete: bool


def signed_lower_bound(
    outs: list[np.ndarray],
    costs: list[int],
    patterns: np.ndarray,
    t: np.ndarray,
    *,
    W0: np.ndarray | None = None,
    start: int = 0,
    t_max: int,
    max_nodes: float = 3e5,
    deadline: float = math.inf,
) -> SignedBound:
    """Exhaustive signed search (see module docstring).

    Parameters
    ----------
    outs : list of ndarray, each (m_k, N)
        Output vectors ``φ_{k,r}`` of each block's rays.
    costs : array_like of int
    patterns : ndarray of bool, shape (n_blocks, N)
    t : ndarray of shape (N,)
    W0 : ndarray of shape (N, q), optional
        Free (skip-term) columns; disables the sign-cover pruning.
    start, t_max : int
        Costs to search: ``start .. t_max``.
    max_nodes : float
        Work limit (enumerated sets over all levels).
    deadline : float
        ``time.perf_counter()`` value at which to stop.
    """
    t0 = time.perf_counter()
    t = np.asarray(t, dtype=np.float64)
    N = t.size
    costs = np.asarray(costs, dtype=np.int64)
    tnorm = float(np.linalg.norm(t))
    skip = W0 is not None and W0.size > 0
    free = np.concatenate([W0, -W0], axis=1) if skip else np.zeros((N, 0))
    if tnorm == 0:
        return SignedBound(0, ((), (), None), 0, 0, time.perf_counter() - t0, True)
    # entries e = 2k + s (s = 0: +, 1: -); order: cheaper first
    order = np.argsort(costs, kind="stable")
    ent = [(int(k), s) for k in order for s in (0, 1)]
    ecost = np.array([costs[k] for k, _ in ent], dtype=np.int64)
    bits = [int(sum(1 << i for i in np.flatnonzero(patterns[k]))) for k, _ in ent]
    need_pos = 0 if skip else int(sum(1 << i for i in np.flatnonzero(t > 0)))
    need_neg = 0 if skip else int(sum(1 << i for i in np.flatnonzero(t < 0)))
    ne = len(ent)
    # suffix unions of what entries j.. can still cover, per sign
    suf_pos = [0] * (ne + 1)
    suf_neg = [0] * (ne + 1)
    for j in range(ne - 1, -1, -1):
        suf_pos[j] = suf_pos[j + 1] | (bits[j] if ent[j][1] == 0 else 0)
        suf_neg[j] = suf_neg[j + 1] | (bits[j] if ent[j][1] == 1 else 0)
    cols = [(1.0 if s == 0 else -1.0) * outs[k].T for k, s in ent]  # (N, m_k)
    state = {"nodes": 0, "tests": 0, "stop": False}
    from scipy.optimize import nnls  # lazy: keeps the 1-D exact path fast to start

    def test(chosen):
        state["tests"] += 1
        parts = [cols[j] for j in chosen] + ([free] if skip else [])
        M = np.concatenate(parts, axis=1) if parts else np.zeros((N, 0))
        if M.shape[1] == 0:
            return None
        lam, res = nnls(M, t, maxiter=50 * M.shape[1])
        if res <= _TOL * tnorm:
            return lam
        return None

    def dfs(startj, budget, cpos, cneg, chosen):
        state["nodes"] += 1
        if state["nodes"] > max_nodes or ((state["nodes"] & 1023) == 0 and time.perf_counter() > deadline):
            state["stop"] = True
            return None
        # sets of lower cost were decided at earlier levels: test those of cost exactly T
        if budget == 0 and (cpos & need_pos) == need_pos and (cneg & need_neg) == need_neg:
            lam = test(chosen)
            if lam is not None:
                return list(chosen), lam
        # pruning: the uncovered points must be coverable by later entries
        if (need_pos & ~cpos) & ~suf_pos[startj] or (need_neg & ~cneg) & ~suf_neg[startj]:
            return None
        for j in range(startj, ne):
            c = int(ecost[j])
            if c > budget:
                break  # entries are sorted by cost
            s = ent[j][1]
            chosen.append(j)
            out = dfs(
                j + 1,
                budget - c,
                cpos | (bits[j] if s == 0 else 0),
                cneg | (bits[j] if s == 1 else 0),
                chosen,
            )
            chosen.pop()
            if out is not None or state["stop"]:
                return out
        return None

    T = max(int(start), 0)
    while T <= t_max:
        out = dfs(0, T, 0, 0, [])
        if state["stop"]:
            break
        if out is not None:
            chosen, lam = out
            entries, lams, pos = [], [], 0
            for j in chosen:
                k, s = ent[j]
                m = cols[j].shape[1]
                entries.append(2 * k + s)
                lams.append(lam[pos : pos + m])
                pos += m
            skip_coef = lam[pos:] if skip else None
            return SignedBound(
                T, (entries, lams, skip_coef), state["nodes"], state["tests"], time.perf_counter() - t0, True
            )
        T += 1
    return SignedBound(T, None, state["nodes"], state["tests"], time.perf_counter() - t0, False)
