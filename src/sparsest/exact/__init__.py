"""Exact solvers (numpy/scipy only; this package never imports torch).

* :func:`solve_1d` — O(N) exact ℓ0 / ℓp interpolation of univariate data.
* :func:`p_star` — the threshold below which every ℓp optimum is a sparsest interpolant (1-D).
"""

from .dp1d import Exact1DResult, solve_1d, sparsest_count_1d
from .pstar import PStarResult, p_star

__all__ = ["Exact1DResult", "PStarResult", "p_star", "solve_1d", "sparsest_count_1d"]
