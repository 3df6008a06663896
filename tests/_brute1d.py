"""Brute-force references for the 1-D exact solver (paper.md §3 slope formulation).

Independent of the solver's matching formulation: enumerate every vertex slope choice
``t_i ∈ {s_{i-1}, s_i}``, keep the admissible ones (``s_i`` between ``t_i`` and ``t_{i+1}``), and
read off the jumps ``t_{i+1} − t_i``.
"""

from __future__ import annotations

import itertools

import numpy as np


def vertex_configs(x, y, tol=1e-12):
    """Yield the jump vector of every admissible vertex configuration (sorted data)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    s = np.diff(y) / np.diff(x)
    n = x.size
    scale = 1.0 + np.max(np.abs(s))
    for bits in itertools.product((0, 1), repeat=max(n - 2, 0)):
        t = np.empty(n)
        t[0] = s[0]
        t[-1] = s[-1]
        for i in range(1, n - 1):
            t[i] = s[i - 1] if bits[i - 1] == 0 else s[i]
        ok = True
        for i in range(n - 1):
            lo, hi = min(t[i], t[i + 1]), max(t[i], t[i + 1])
            if not (lo - tol * scale <= s[i] <= hi + tol * scale):
                ok = False
                break
        if ok:
            jumps = np.diff(t)
            yield jumps[np.abs(jumps) > tol * scale]


def brute_costs(x, y, p):
    """Sorted list of (cost, count) over admissible vertex configurations."""
    out = []
    for j in vertex_configs(x, y):
        cost = float(j.size) if p == 0 else float(np.sum(np.abs(j) ** p))
        out.append((cost, int(j.size)))
    return out


def brute_min(x, y, p):
    return min(c for c, _ in brute_costs(x, y, p))


def brute_min_count(x, y):
    return min(k for _, k in brute_costs(x, y, 0.0))


def brute_gap(x, y, p):
    """min cost over non-sparsest minus min cost over sparsest configurations (inf if none)."""
    cs = brute_costs(x, y, p)
    m0 = min(k for _, k in cs)
    sp = min(c for c, k in cs if k == m0)
    others = [c for c, k in cs if k > m0]
    return (min(others) - sp) if others else np.inf


class VertexFamily:
    """All admissible vertex configurations of one instance, for fast repeated evaluation."""

    def __init__(self, x, y):
        jumps = list(vertex_configs(x, y))
        self.counts = np.array([j.size for j in jumps])
        width = max(int(self.counts.max()), 1)
        self.mags = np.zeros((len(jumps), width))  # padded with 0 (0**p = 0 for p > 0)
        for i, j in enumerate(jumps):
            self.mags[i, : j.size] = np.abs(j)
        self.m0 = int(self.counts.min())

    def gap(self, p):
        cost = np.where(self.mags > 0, self.mags, 1.0) ** p * (self.mags > 0)
        cost = cost.sum(axis=1)
        sp = cost[self.counts == self.m0].min()
        others = cost[self.counts > self.m0]
        return float(others.min() - sp) if others.size else np.inf
