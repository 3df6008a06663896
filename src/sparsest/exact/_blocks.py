"""Neuron *blocks*: (support, activation pattern) pairs with their cones in V-representation.

Work in normalized coordinates: the design ``Z = [x_1/s_1, …, x_d/s_d, 1]`` (shape (N, D),
``D = d + 1``, column ``d`` is the bias) and the target ``t = y/β`` (see :mod:`._scaling`). A neuron
``v (z·u)_+`` with ``v = ±1`` has a *support* ``S = supp(u)`` and an *activation pattern*
``A = {i : z_i·u > 0}``. For a fixed support the patterns are the cells of the arrangement of the
rows of ``Z_S`` (:mod:`._arrangement`); inside the closure of cell ``A`` the neuron is
``u = Σ_r λ_r ρ_r`` (``λ ≥ 0``, ``ρ_r`` the cell's extreme rays) and its outputs on the data are
``Σ_r λ_r φ_r`` with ``φ_r = (Zρ_r)_+`` (each scaled to ``max φ_r = 1``).

A *block* is one (support, cell) pair; its cost is the number of counted nonzeros of a neuron in it
(``|S|``, minus the bias when biases are free) for ``objective="nonzeros"`` and ``1`` for
``objective="neurons"``. Supports are restricted to independent column sets: if the columns
``Z_S`` were dependent, a null vector could zero one coordinate without changing any output, so
some optimal network never uses them. For ``"neurons"`` one basis ``S_0`` of the column space
suffices (every output vector ``Zu`` is some ``Z_{S_0} u'``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._arrangement import arrangement, n_cells_upper_bound

__all__ = ["Block", "BlockSet", "build_blocks", "estimate_blocks", "supports_for"]


@dataclass(frozen=True)
class Block:
    """One (support, cell) pair; used with output sign +1 and −1 by the MILP.

    Attributes
    ----------
    support : tuple of int
        Columns of ``Z`` the neuron may use (``d`` = bias).
    pattern : ndarray of bool, shape (N,)
    rays : ndarray of shape (m, D)
        Extreme rays of the cell, embedded in ℝ^D (zeros outside the support).
    out : ndarray of shape (m, N)
        ``φ_r = (Zρ_r)_+``, each with maximum 1.
    cost : int
    """

    support: tuple
    pattern: np.ndarray
    rays: np.ndarray
    out: np.ndarray
    cost: int


@dataclass(frozen=True)
class BlockSet:
    """All blocks of a problem, plus what the support choice was."""

    blocks: list
    supports: list
    objective: str
    include_bias: bool

    def __len__(self) -> int:
        return len(self.blocks)

    def index(self) -> dict:
        """``(support, pattern bytes) -> block index``."""
        return {(b.support, b.pattern.tobytes()): k for k, b in enumerate(self.blocks)}


def _independent(Z: np.ndarray, cols) -> bool:
    cols = list(cols)
    return np.linalg.matrix_rank(Z[:, cols]) == len(cols)


def _basis_columns(Z: np.ndarray, usable: list[int], bias: int) -> tuple[int, ...]:
    """Greedy maximal independent column set, bias first."""
    order = ([bias] if bias in usable else []) + [c for c in usable if c != bias]
    chosen: list[int] = []
    for c in order:
        if _independent(Z, [*chosen, c]):
            chosen.append(c)
    return tuple(sorted(chosen))


def supports_for(
    Z: np.ndarray, objective: str, include_bias: bool, max_support: int | None = None
) -> list[tuple[tuple, int]]:
    """``[(support, cost), ...]`` for the objective (see module docstring).

    ``max_support`` keeps only supports of at most that many columns (``"nonzeros"``): the blocks
    of every network with at most ``max_support`` nonzeros (bias counted).
    """
    D = Z.shape[1]
    bias = D - 1
    usable = [c for c in range(D) if np.any(Z[:, c] != 0)]
    if objective == "neurons":
        return [(_basis_columns(Z, usable, bias), 1)]
    out = []
    kmax = len(usable) if max_support is None else min(len(usable), int(max_support))
    for k in range(1, kmax + 1):
        for S in itertools.combinations(usable, k):
            if not include_bias and bias in usable and bias not in S:
                continue  # dominated: adding the free bias keeps the cost and enlarges the cone
            if not _independent(Z, S):
                continue
            cost = len(S) - (1 if (not include_bias and bias in S) else 0)
            out.append((S, cost))
    return out


def estimate_blocks(Z: np.ndarray, objective: str, include_bias: bool, max_support: int | None = None) -> int:
    """Upper bound on the number of blocks, without enumerating cells."""
    N, D = Z.shape
    bias = D - 1
    usable = [c for c in range(D) if np.any(Z[:, c] != 0)]
    if objective == "neurons":
        r = min(len(usable), N)
        return n_cells_upper_bound(N, r)
    total = 0
    kmax = len(usable) if max_support is None else min(len(usable), int(max_support))
    for k in range(1, kmax + 1):
        n_sub = _n_choose(len(usable), k)
        if not include_bias and bias in usable:
            n_sub = _n_choose(len(usable) - 1, k - 1)
        total += n_sub * n_cells_upper_bound(N, min(k, N))
        if total > 10**9:
            break
    return total


def _n_choose(n: int, k: int) -> int:
    import math

    return math.comb(n, k) if 0 <= k <= n else 0


def build_blocks(
    Z: np.ndarray, objective: str, include_bias: bool, max_support: int | None = None
) -> BlockSet:
    """Enumerate every block (support × cell) of the problem (see module docstring)."""
    D = Z.shape[1]
    blocks: list[Block] = []
    sups = supports_for(Z, objective, include_bias, max_support)
    for S, cost in sups:
        cols = list(S)
        arr = arrangement(Z[:, cols])
        R = np.zeros((arr.rays.shape[0], D))
        R[:, cols] = arr.rays
        out_all = np.maximum(R @ Z.T, 0.0)
        out_all[arr.signs <= 0] = 0.0  # exact zeros on the ray's hyperplanes
        for j in range(arr.n_cells):
            idx = arr.cell_rays[j]
            blocks.append(
                Block(support=S, pattern=arr.patterns[j], rays=R[idx], out=out_all[idx], cost=int(cost))
            )
    return BlockSet(
        blocks=blocks, supports=[s for s, _ in sups], objective=objective, include_bias=include_bias
    )
