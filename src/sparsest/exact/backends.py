"""MILP backends behind one solver-independent problem description.

The formulations in :mod:`sparsest.exact.formulations` build a :class:`MILPProblem`

.. math::

    \\min_x\\ c^\\top x \\quad\\text{s.t.}\\quad r_{lo} ≤ A x ≤ r_{hi},\\quad l ≤ x ≤ u,
    \\quad x_j ∈ ℤ \\ (j ∈ I),

and hand it to a backend. A backend declares its capabilities (``"mip_start"``, ``"time_limit"``,
``"dual_bound"``, ``"priorities"``), is checked as installed without being imported
(:func:`importlib.util.find_spec`), and returns a :class:`MILPSolution` whose status is one of
:data:`STATUSES`. Reaching a limit is a status, not an exception; only misuse raises.

Backends
--------
``"highs"`` (default)
    HiGHS through ``highspy`` (MIP start, time limit, dual bound). If ``highspy`` is not installed
    it falls back to ``scipy.optimize.milp`` (the same HiGHS, without MIP starts).
``"scipy"``
    ``scipy.optimize.milp`` explicitly.
``"gurobi"``
    Gurobi through ``gurobipy`` (optional extra ``sparsest[gurobi]``; needs a license).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import BackendNotAvailableError, ParameterError

__all__ = [
    "BACKENDS",
    "STATUSES",
    "Backend",
    "MILPProblem",
    "MILPSolution",
    "available_backends",
    "get_backend",
    "new_highs",
]

#: the fixed status vocabulary of every exact solver in :mod:`sparsest.exact`
STATUSES = ("optimal", "time_limit", "infeasible", "error")


@dataclass
class MILPProblem:
    """A mixed-integer linear program (see module docstring).

    Attributes
    ----------
    c : ndarray of shape (n,)
    A : scipy.sparse.csr_matrix of shape (m, n)
    row_lo, row_hi : ndarray of shape (m,)
        ``±inf`` for one-sided rows.
    col_lo, col_hi : ndarray of shape (n,)
    integer : ndarray of bool, shape (n,)
    priority : ndarray of int, shape (n,), optional
        Branching priorities (higher first), used by backends with the ``"priorities"`` capability.
    """

    c: np.ndarray
    A: sp.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray
    priority: np.ndarray | None = None

    @property
    def n_cols(self) -> int:
        return int(self.c.size)

    @property
    def n_rows(self) -> int:
        return int(self.A.shape[0])

    def residuals(self, x: np.ndarray) -> tuple[float, float, float]:
        """Largest row violation, bound violation and integrality violation of ``x``."""
        r = self.A @ x
        row = float(np.max(np.maximum(self.row_lo - r, 0) + np.maximum(r - self.row_hi, 0), initial=0.0))
        col = float(np.max(np.maximum(self.col_lo - x, 0) + np.maximum(x - self.col_hi, 0), initial=0.0))
        xi = x[self.integer]
        integ = float(np.max(np.abs(xi - np.round(xi)), initial=0.0))
        return row, col, integ


@dataclass
class MILPSolution:
    """What a backend returns.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`. ``"time_limit"`` may come with an incumbent ``x``.
    x : ndarray or None
        Best point found.
    objective : float or None
        Its objective value.
    bound : float or None
        Best proven lower bound on the optimum (the backend's dual bound).
    seconds : float
    nodes : int or None
        Branch-and-bound nodes.
    message : str
    start_accepted : bool or None
        Whether a MIP start was passed (``None``: none given or not supported).
    """

    status: str
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    seconds: float
    nodes: int | None = None
    message: str = ""
    start_accepted: bool | None = None


@dataclass
class Backend:
    """A MILP backend: name, the extra that installs it, capabilities, and ``solve``."""

    name: str
    extra: str | None = None
    capabilities: frozenset = field(default_factory=frozenset)
    modules: tuple = ()

    def available(self) -> bool:
        """Installed? (checked without importing the module)"""
        return all(importlib.util.find_spec(m) is not None for m in self.modules)

    def require(self) -> None:
        """Raise :class:`BackendNotAvailableError` with the install hint if not installed."""
        if not self.available():
            missing = ", ".join(m for m in self.modules if importlib.util.find_spec(m) is None)
            hint = f'pip install "sparsest[{self.extra}]"' if self.extra else f"pip install {missing}"
            raise BackendNotAvailableError(
                f"the {self.name!r} backend needs the Python package {missing}, which is not installed; "
                f"install it with: {hint}"
            )

    def info(self) -> str:
        """Backend and version, for result objects."""
        return self.name

    def solve(
        self,
        problem: MILPProblem,
        *,
        time_limit: float,
        start: np.ndarray | None = None,
        verbose: bool = False,
    ) -> MILPSolution:  # pragma: no cover - interface
        raise NotImplementedError


# ------------------------------------------------------------------------------------- HiGHS
class HighsBackend(Backend):
    """HiGHS via ``highspy`` (falls back to ``scipy.optimize.milp`` when highspy is missing)."""

    def __init__(self) -> None:
        super().__init__(
            name="highs",
            extra="highs",
            capabilities=frozenset({"mip_start", "time_limit", "dual_bound"}),
            modules=(),
        )

    @staticmethod
    def _has_highspy() -> bool:
        return importlib.util.find_spec("highspy") is not None

    def info(self) -> str:
        if self._has_highspy():
            return f"highs {new_highs().version()} (highspy)"
        return _SCIPY.info() + " [highspy not installed: no MIP start]"

    def solve(self, problem, *, time_limit, start=None, verbose=False) -> MILPSolution:
        if not self._has_highspy():
            return _SCIPY.solve(problem, time_limit=time_limit, start=start, verbose=verbose)
        return _solve_highspy(problem, time_limit=time_limit, start=start, verbose=verbose)


_HIGHS_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "time_limit",
    "kSolutionLimit": "time_limit",
    "kInterrupt": "time_limit",
    "kHighsInterrupt": "time_limit",
    "kObjectiveBound": "time_limit",
    "kObjectiveTarget": "time_limit",
}


@contextlib.contextmanager
def _c_stdout_silenced() -> Iterator[None]:
    """Send what C code writes to file descriptor 1 to the null device while the block runs.

    Python's ``sys.stdout`` and the C library's ``stdout`` buffer are flushed before file
    descriptor 1 is restored, so nothing written inside the block surfaces later.
    """
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs(verbose: bool = False):
    """A ``highspy.Highs`` instance, silent unless ``verbose``.

    highspy ≥ 1.16 prints its banner ("Running HiGHS …") on standard output while the object is
    constructed, before any option can be set; that would corrupt ``--json`` output. The banner is
    discarded here and ``output_flag`` / ``log_to_console`` are set before the instance is used.
    """
    import highspy

    with _c_stdout_silenced():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
    if verbose:
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", True)
    return h


def _solve_highspy(problem: MILPProblem, *, time_limit, start, verbose) -> MILPSolution:
    import highspy

    t0 = time.perf_counter()
    h = new_highs(verbose)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("random_seed", 0)
    A = problem.A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = problem.n_cols
    lp.num_row_ = problem.n_rows
    inf = highspy.kHighsInf
    lp.col_cost_ = np.asarray(problem.c, dtype=np.float64)
    lp.col_lower_ = np.where(np.isfinite(problem.col_lo), problem.col_lo, -inf)
    lp.col_upper_ = np.where(np.isfinite(problem.col_hi), problem.col_hi, inf)
    lp.row_lower_ = np.where(np.isfinite(problem.row_lo), problem.row_lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(problem.row_hi), problem.row_hi, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in problem.integer
    ]
    h.passModel(lp)
    accepted = None
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=np.float64))
        sol.value_valid = True
        accepted = h.setSolution(sol) == highspy.HighsStatus.kOk
    h.run()
    ms = h.getModelStatus()
    name = getattr(ms, "name", str(ms)).split(".")[-1]
    status = _HIGHS_STATUS.get(name, "error")
    info = h.getInfo()
    has_x = int(info.primal_solution_status) >= 2  # kSolutionStatusFeasible
    x = np.array(h.getSolution().col_value) if has_x else None
    obj = float(info.objective_function_value) if has_x else None
    bound = float(info.mip_dual_bound)
    if not np.isfinite(bound) or status == "infeasible":
        bound = None
    return MILPSolution(
        status=status,
        x=x,
        objective=obj,
        bound=bound,
        seconds=time.perf_counter() - t0,
        nodes=int(info.mip_node_count),
        message=h.modelStatusToString(ms),
        start_accepted=accepted,
    )


# ------------------------------------------------------------------------------------- scipy
class ScipyBackend(Backend):
    """``scipy.optimize.milp`` (HiGHS inside SciPy; no MIP start)."""

    def __init__(self) -> None:
        super().__init__(
            name="scipy",
            extra=None,
            capabilities=frozenset({"time_limit", "dual_bound"}),
            modules=("scipy",),
        )

    def info(self) -> str:
        import scipy

        return f"scipy.optimize.milp (scipy {scipy.__version__})"

    def solve(self, problem, *, time_limit, start=None, verbose=False) -> MILPSolution:
        from scipy.optimize import Bounds, LinearConstraint, milp

        t0 = time.perf_counter()
        cons = LinearConstraint(problem.A, problem.row_lo, problem.row_hi) if problem.n_rows else None
        with warnings.catch_warnings():
            # the tolerances are passed to HiGHS verbatim (scipy warns that it does not know them)
            warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)
            res = milp(
                problem.c,
                integrality=problem.integer.astype(int),
                bounds=Bounds(problem.col_lo, problem.col_hi),
                constraints=cons,
                options={
                    "time_limit": float(max(time_limit, 0.01)),
                    "disp": bool(verbose),
                    "mip_rel_gap": 0.0,
                    "primal_feasibility_tolerance": 1e-9,
                    "mip_feasibility_tolerance": 1e-9,
                },
            )
        status = {0: "optimal", 1: "time_limit", 2: "infeasible"}.get(res.status, "error")
        x = None if res.x is None else np.asarray(res.x, dtype=np.float64)
        bound = getattr(res, "mip_dual_bound", None)
        if bound is not None and not np.isfinite(bound):
            bound = None
        if status == "optimal" and bound is None and res.fun is not None:
            bound = float(res.fun)
        return MILPSolution(
            status=status,
            x=x,
            objective=None if x is None else float(res.fun),
            bound=None if status == "infeasible" else bound,
            seconds=time.perf_counter() - t0,
            nodes=getattr(res, "mip_node_count", None),
            message=str(res.message),
            start_accepted=None,
        )


# ------------------------------------------------------------------------------------ Gurobi
class GurobiBackend(Backend):
    """Gurobi via ``gurobipy`` (optional: ``pip install "sparsest[gurobi]"``)."""

    def __init__(self) -> None:
        super().__init__(
            name="gurobi",
            extra="gurobi",
            capabilities=frozenset({"mip_start", "time_limit", "dual_bound", "priorities"}),
            modules=("gurobipy",),
        )

    def info(self) -> str:
        import gurobipy

        return "gurobi {}.{}.{} (gurobipy)".format(*gurobipy.gurobi.version())

    def solve(self, problem, *, time_limit, start=None, verbose=False) -> MILPSolution:
        import gurobipy as gp
        from gurobipy import GRB

        t0 = time.perf_counter()
        env = gp.Env(empty=True)
        env.setParam("OutputFlag", 1 if verbose else 0)
        env.start()
        m = gp.Model(env=env)
        m.Params.TimeLimit = float(max(time_limit, 0.01))
        m.Params.MIPGap = 0.0
        m.Params.IntFeasTol = 1e-9
        m.Params.FeasibilityTol = 1e-9
        m.Params.Seed = 0
        vtype = np.where(problem.integer, GRB.INTEGER, GRB.CONTINUOUS)
        lo = np.where(np.isfinite(problem.col_lo), problem.col_lo, -GRB.INFINITY)
        hi = np.where(np.isfinite(problem.col_hi), problem.col_hi, GRB.INFINITY)
        x = m.addMVar(problem.n_cols, lb=lo, ub=hi, vtype=vtype)
        m.setObjective(problem.c @ x, GRB.MINIMIZE)
        A = problem.A.tocsr()
        eq = problem.row_lo == problem.row_hi
        lo_fin = np.isfinite(problem.row_lo) & ~eq
        hi_fin = np.isfinite(problem.row_hi) & ~eq
        if np.any(eq):
            m.addConstr(A[eq] @ x == problem.row_lo[eq])
        if np.any(lo_fin):
            m.addConstr(A[lo_fin] @ x >= problem.row_lo[lo_fin])
        if np.any(hi_fin):
            m.addConstr(A[hi_fin] @ x <= problem.row_hi[hi_fin])
        if problem.priority is not None:
            x.BranchPriority = np.asarray(problem.priority, dtype=int)
        accepted = None
        if start is not None:
            x.Start = np.asarray(start, dtype=np.float64)
            accepted = True
        m.optimize()
        code = m.Status
        status = {
            GRB.OPTIMAL: "optimal",
            GRB.INFEASIBLE: "infeasible",
            GRB.TIME_LIMIT: "time_limit",
            GRB.INTERRUPTED: "time_limit",
            GRB.NODE_LIMIT: "time_limit",
            GRB.SOLUTION_LIMIT: "time_limit",
        }.get(code, "error")
        xs = np.array(x.X) if m.SolCount > 0 else None
        bound = float(m.ObjBound) if status != "infeasible" else None
        out = MILPSolution(
            status=status,
            x=xs,
            objective=float(m.ObjVal) if xs is not None else None,
            bound=bound,
            seconds=time.perf_counter() - t0,
            nodes=int(m.NodeCount),
            message=f"gurobi status {code}",
            start_accepted=accepted,
        )
        m.dispose()
        env.dispose()
        return out


_SCIPY = ScipyBackend()

#: registered backends by name
BACKENDS: dict[str, Backend] = {
    "highs": HighsBackend(),
    "scipy": _SCIPY,
    "gurobi": GurobiBackend(),
}


def get_backend(name: str) -> Backend:
    """The backend called ``name``, checked as installed (raises with an install hint if not).

    Raises
    ------
    ParameterError
        Unknown name.
    BackendNotAvailableError
        Known but not installed.
    """
    if not isinstance(name, str) or name not in BACKENDS:
        raise ParameterError(f"backend must be one of {', '.join(sorted(BACKENDS))}, got {name!r}")
    be = BACKENDS[name]
    be.require()
    return be


def available_backends() -> list[str]:
    """Names of the installed backends."""
    return [n for n, b in BACKENDS.items() if b.available()]
