"""Exact solvers (numpy/scipy only; this package never imports torch).

* :func:`solve_1d` — O(N) exact ℓ0 / ℓp interpolation of univariate data.
* :func:`solve_tube_1d` — exact fewest knots (or least ℓ1, or ℓp local) of a 1-D fit within
  per-point bounds (:class:`sparsest.targets.Targets`); :func:`tube_count_1d` the count alone.
* :func:`p_star` — the threshold below which every ℓp optimum is a sparsest interpolant (1-D).
* :func:`solve` — sparsest interpolating network in any dimension (fewest nonzero weights or
  fewest neurons), with a proven lower bound: certificates, then a MILP (HiGHS by default).
* :func:`solve_targets` — the same within per-point bounds (:class:`sparsest.targets.Targets`:
  tolerance, bound columns, class margins), with the certificates valid there.
* :func:`certify` — check a given network's fit and compare its count with the exact optimum;
  :func:`certify_targets` — the same within per-point bounds.
* :func:`generic_lower_bound` — the dimension-count bound for labels in general position.
"""

from ._certify import certify, certify_targets
from ._result import CertifyResult, ExactResult
from ._solve import FORMULATIONS, OBJECTIVES, generic_lower_bound, solve
from ._solve_targets import solve_targets
from .backends import BACKENDS, STATUSES, available_backends, get_backend
from .dp1d import Exact1DResult, solve_1d, sparsest_count_1d
from .pstar import PStarResult, p_star
from .tube1d import Tube1DResult, solve_tube_1d, tube_count_1d

#: alias used by the top-level package (``sparsest.solve_exact``)
solve_exact = solve

__all__ = [
    "BACKENDS",
    "FORMULATIONS",
    "OBJECTIVES",
    "STATUSES",
    "CertifyResult",
    "Exact1DResult",
    "ExactResult",
    "PStarResult",
    "Tube1DResult",
    "available_backends",
    "certify",
    "certify_targets",
    "generic_lower_bound",
    "get_backend",
    "p_star",
    "solve",
    "solve_1d",
    "solve_exact",
    "solve_targets",
    "solve_tube_1d",
    "sparsest_count_1d",
    "tube_count_1d",
]
