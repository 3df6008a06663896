"""Result objects of the exact d-D solver and of certification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..network import ReLUNetwork

__all__ = ["CertifyResult", "ExactResult"]


@dataclass(frozen=True)
class ExactResult:
    """Result of :func:`sparsest.exact.solve`.

    Attributes
    ----------
    status : str
        ``"optimal"``: the returned network passed the float64 re-check and its count equals the
        proven lower bound. ``"time_limit"``: the limit was reached before the bound met the count
        (``network`` is the best verified one, or ``None``). ``"infeasible"``: no interpolant within
        the model's stated bounds (see ``assumptions``). ``"error"``: a solver point failed our
        re-check (never reported as optimal).
    objective_name : str
        ``"nonzeros"`` or ``"neurons"``.
    objective : int or None
        Count of the returned network (re-computed from the network, not taken from the solver).
    bound : int
        Proven lower bound on the optimum (see ``bound_source`` and ``assumptions``).
    gap : float or None
        ``(objective − bound) / objective`` (``0`` when both are 0); ``None`` without a network.
    network : ReLUNetwork or None
    n_neurons, n_nonzero : int or None
        Active neurons and nonzero path products (bias entry counted iff ``include_bias``) of
        ``network``, counted exactly: products below ``count_rtol`` × the largest are set to zero
        first when the network still interpolates without them (otherwise they are counted).
    max_residual : float or None
        ``max_i |f(x_i) − y_i|`` of ``network`` in float64.
    seconds : float
    backend : str
        What produced the answer: a MILP backend and version, or the certificate used.
    formulation : str
        ``"patterns"``, ``"bigm"``, ``"dp1d"``, ``"closed-form"`` or ``"certificates"``.
    assumptions : list of str
        Conditions the proven ``bound`` relies on beyond float64 arithmetic (for example a big-M
        bound of the MILP that cannot be derived). Empty when the bound is unconditional.
    generic_lower_bound : int or None
        Dimension-count bound that holds for labels in general position (almost every ``y``);
        *not* a proof for the given ``y`` and never mixed into ``bound``.
    generic_hypothesis : str
        The exact hypothesis of ``generic_lower_bound``.
    bound_source : str
        Which certificate gave ``bound``.
    include_bias, skip : bool
    n_points : int
    count_rtol : float
    message : str
    details : dict
        Solver statistics (nodes, bounds used, enumeration work, ...).
    targets : Targets or None
        Set by :func:`sparsest.exact.solve_targets`: the per-point bounds of the distinct points
        (``None`` for :func:`sparsest.exact.solve`).
    max_violation : float or None
        With ``targets``: ``max_i dist(f(x_i), [lo_i, hi_i])`` of ``network`` in float64.
    rmse : float or None
        With ``targets``: root-mean-square of ``f(x_i) − y_i`` against the reference target
        (``None`` without one). ``max_residual`` is then against that target too.
    """

    status: str
    objective_name: str
    objective: int | None
    bound: int
    gap: float | None
    network: ReLUNetwork | None = field(repr=False)
    n_neurons: int | None
    n_nonzero: int | None
    max_residual: float | None
    seconds: float
    backend: str
    formulation: str
    assumptions: list = field(default_factory=list)
    generic_lower_bound: int | None = None
    generic_hypothesis: str = ""
    bound_source: str = ""
    include_bias: bool = True
    skip: bool = False
    n_points: int = 0
    count_rtol: float = 1e-6
    message: str = ""
    details: dict = field(default_factory=dict, repr=False)
    targets: Any = field(default=None, repr=False)
    max_violation: float | None = None
    rmse: float | None = None

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the network itself under ``"network"`` when present).

        With ``targets``: ``"interpolates"`` is replaced by ``"satisfies"`` and the keys of
        ``Targets.to_metadata`` (``targets``, ``tol``, ``classes``), ``max_violation`` and ``rmse``
        are added.
        """
        out = self._summary()
        if self.targets is not None:
            out.pop("interpolates")
            out = {
                **out,
                "satisfies": self.network is not None,
                **self.targets.to_metadata(),
                "tol": self.targets.tol,
                "max_violation": self.max_violation,
                "rmse": self.rmse,
            }
            out["network"] = out.pop("network")
        return out

    def _summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective_name": self.objective_name,
            "objective": self.objective,
            "n_nonzero": self.n_nonzero,
            "n_neurons": self.n_neurons,
            "bound": self.bound,
            "gap": self.gap,
            "max_residual": self.max_residual,
            "interpolates": self.network is not None,
            "seconds": self.seconds,
            "backend": self.backend,
            "formulation": self.formulation,
            "assumptions": list(self.assumptions),
            "generic_lower_bound": self.generic_lower_bound,
            "generic_hypothesis": self.generic_hypothesis,
            "bound_source": self.bound_source,
            "include_bias": self.include_bias,
            "skip": self.skip,
            "n_points": self.n_points,
            "message": self.message,
            "network": None if self.network is None else self.network.to_dict(),
        }


@dataclass(frozen=True)
class CertifyResult:
    """Result of :func:`sparsest.exact.certify`.

    Attributes
    ----------
    interpolates : bool
        The network passes :func:`sparsest.verify.check_interpolation`.
    max_residual : float
    n_neurons, n_nonzero : int
        Counts of the given network.
    count : int
        Its count in the chosen objective.
    optimum : int or None
        The proven optimum (when the exact solve reached status ``"optimal"``).
    bound : int
        Proven lower bound.
    gap : float
        ``(count − bound) / count`` (``0`` when both are 0).
    certified : bool
        ``interpolates`` and ``count == optimum`` with the exact status ``"optimal"``.
    status : str
        Status of the exact solve.
    exact : ExactResult
    """

    interpolates: bool
    max_residual: float
    n_neurons: int
    n_nonzero: int
    count: int
    objective_name: str
    optimum: int | None
    bound: int
    gap: float
    certified: bool
    status: str
    assumptions: list
    exact: ExactResult = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "interpolates": self.interpolates,
            "max_residual": self.max_residual,
            "n_neurons": self.n_neurons,
            "n_nonzero": self.n_nonzero,
            "objective_name": self.objective_name,
            "count": self.count,
            "optimum": self.optimum,
            "bound": self.bound,
            "gap": self.gap,
            "certified": self.certified,
            "status": self.status,
            "assumptions": list(self.assumptions),
            "seconds": self.exact.seconds,
            "generic_lower_bound": self.exact.generic_lower_bound,
        }
