"""``sparsest exact DATA``: the provably sparsest (or ℓp-optimal) interpolating network."""

from __future__ import annotations

import argparse
import sys

from ._common import (
    add_data_argument,
    add_out_argument,
    add_output_flags,
    add_p_argument,
    add_solver_arguments,
    add_solver_options,
    add_targets_arguments,
    distinct_1d,
    fmt_array,
    formula_1d,
    load,
    nonnegative_int,
    print_json,
    require_1d_targets,
    targets_from_args,
    targets_given,
)

HELP = "exact sparsest interpolant with a proof (1-D: O(N) dynamic program; d-D: certificates + MILP)"
DESCRIPTION = """\
Solve the interpolation problem exactly and verify the answer with a float64 forward pass.

For 1-D data (default objective: neurons): the O(N) dynamic program for any p in [0, 1] (p = 0:
fewest neurons, ties broken towards the smallest product of jumps), optionally with the threshold p*
below which every lp optimum is a sparsest network.

For d-D data (default objective: nonzeros, the paper's l0 with bias entries counted): the fewest
nonzero weights (or fewest neurons) of f(x) = sum_k v_k (w_k.x + b_k)_+, by proven lower bounds
(closed forms, an exhaustive span certificate) and a MILP (HiGHS by default). The answer says
whether optimality is proven ("optimal"), the best proven bound and gap otherwise, and any modelling
bound the proof assumes. By default (--warm-start auto) the sparsest trainer runs first for the
nonzeros objective, for up to a quarter of the time limit (further seeds while its count is above the
generic bound), and the MILP starts from its network: when
the trainer reaches the proven bound, no MILP is needed at all. 1-D data with --objective nonzeros
use the same solver (with the skip term of the 1-D model). --out saves the network as a model file
for predict/plot/export/certify.

Beyond interpolation (1-D): --tol EPS, --lower/--upper COL or --classify ask for the fewest knots
(p = 0, exact, by a dynamic program; knots anywhere) or least l1 (p = 1, exact, an LP) or a local lp
optimum (0 < p < 1) among the functions within the bounds. --knots K gives the best fit with at most
K knots instead: --loss linf the least uniform error eps*(K) (exact), --loss l2 the least squares
(a local optimum, started from the linf knots).

Beyond interpolation (d-D): --tol EPS, --lower/--upper COL or --classify ask for the fewest nonzero
weights (or neurons, --objective neurons) of a network with lo_i <= f(x_i) <= hi_i, by the
certificates valid with bounds (0 inside every bound; one output sign per neuron; closed forms)
and the MILP with the bounds in place of f(x_i) = y_i (p = 0 only; --warm-start auto means none
here, a model file is polished within the bounds)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    add_p_argument(parser)
    parser.add_argument("--pstar", action="store_true", help="also compute the threshold p* (1-D)")
    add_solver_arguments(
        parser,
        objective_help="what to minimize: nonzero weights (bias entries counted) or active neurons "
        "(default: neurons for 1-D data, nonzeros otherwise)",
    )
    parser.add_argument(
        "--formulation",
        choices=("auto", "patterns", "bigm"),
        default="auto",
        help="MILP model: activation patterns (Lemma 4.1) or big-M on the weights",
    )
    parser.add_argument(
        "--skip", action="store_true", help="d-D: add an unpenalized affine term a.x + c to the model"
    )
    parser.add_argument(
        "--warm-start",
        default="auto",
        metavar="MODE",
        help="d-D: 'auto' = for --objective nonzeros, run the sparsest trainer first (up to a quarter "
        "of --time-limit, seeded by --seed) and start the MILP from its network; 'none'; or a model file",
    )
    add_solver_options(parser)
    add_targets_arguments(parser, dims="1-D and d-D")
    g = parser.add_argument_group("best fit with a given number of knots (1-D)")
    g.add_argument(
        "--knots",
        type=nonnegative_int,
        default=None,
        metavar="K",
        help="the best fit with at most K knots (K >= 0) instead of a target; see --loss",
    )
    g.add_argument(
        "--loss",
        choices=("linf", "l2"),
        default=None,
        help="with --knots: linf = least max |f(x_i) - y_i| (exact, eps*(K)); l2 = least squares "
        "(local optimum from the linf knots) (default: linf)",
    )
    add_out_argument(parser, what="save the network to this model file (JSON)", metavar="MODEL")
    add_output_flags(parser, seed=True)


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..errors import check_p

    p = check_p(args.p)
    if args.out:
        check_output_path(args.out)
    if args.backend != "highs":
        from ..exact import get_backend

        get_backend(args.backend)  # fail early (with the install hint) before loading data
    ds = load(args)
    if args.knots is not None or args.loss is not None:
        return _run_knots(args, ds, p)
    if targets_given(args) is not None:
        return _run_targets(args, ds, p)
    one_d_dp = ds.n_features == 1 and args.objective in (None, "neurons") and not args.skip
    if one_d_dp and args.formulation == "auto":
        return _run_1d(args, ds, p)
    from ..errors import ParameterError

    if p != 0:
        raise ParameterError(
            f"--p {p:g}: exact solving with p > 0 is available for 1-D data (--objective neurons) only; "
            "use --p 0 (fewest nonzeros / neurons)"
        )
    if args.pstar:
        raise ParameterError("--pstar applies to 1-D data with --objective neurons only")
    return _run_dd(args, ds)


def _warm_start(args, ds, objective, skip, include_bias):
    """(network or None, seconds spent) for --warm-start."""
    mode = args.warm_start
    if mode == "none":
        return None, 0.0
    if mode != "auto":
        from ..modelfile import load_model

        return load_model(mode).network, 0.0
    if ds.n_features == 1 or objective != "nonzeros":
        # measured (benchmarks/exact_dd.py): for `neurons` the certificates and the MILP alone are
        # fast, and the trainer's seconds would only add to them
        return None, 0.0
    from ..train.warmstart import trainer_warm_start

    budget = 0.25 * (args.time_limit if args.time_limit else 60.0)
    return trainer_warm_start(
        ds.X,
        ds.y,
        objective=objective,
        skip=skip,
        include_bias=include_bias,
        max_seconds=budget,
        seed=args.seed,
        progress=not (args.quiet or args.json),
    )


def _run_dd(args, ds) -> int:
    from ..exact import solve

    d = ds.n_features
    objective = args.objective or ("neurons" if d == 1 else "nonzeros")
    skip = True if (d == 1 or args.skip) else False
    warm, warm_seconds = _warm_start(args, ds, objective, skip, not args.free_bias)
    limit = args.time_limit if args.time_limit is None else max(1.0, args.time_limit - warm_seconds)
    res = solve(
        ds.X,
        ds.y,
        objective,
        warm_start=warm,
        time_limit=limit,
        backend=args.backend,
        formulation=args.formulation,
        skip=skip,
        include_bias=not args.free_bias,
        verbose=args.verbose,
    )
    if args.out and res.network is not None:
        from ..modelfile import save_model

        save_model(
            args.out,
            res.network,
            X=ds.X,
            y=ds.y,
            p=0.0,
            method="exact",
            seed=None,
            status=res.status,
            objective=objective,
            bound=res.bound,
            gap=res.gap,
            assumptions=res.assumptions,
            include_bias=res.include_bias,
            source=ds.source,
            feature_names=ds.feature_names,
            target_name=ds.target_name,
        )
    if args.json:
        out = res.to_dict()
        out.pop("network", None)
        out["d"] = d
        out["solve_seconds"] = out.get("seconds")
        out["warm_start_seconds"] = warm_seconds
        out["seconds"] = (out.get("seconds") or 0.0) + warm_seconds
        if args.out and res.network is not None:
            out["model"] = args.out
        print_json(out)
    else:
        _print_dd(res, args, ds, objective, warm_seconds)
    if res.status == "error":
        print(f"sparsest exact: error: {res.message}", file=sys.stderr)
        return 1
    return 0


def _print_dd(res, args, ds, objective: str, warm_seconds: float = 0.0) -> None:
    w = sys.stdout.write
    goal = "fewest nonzero weights" if objective == "nonzeros" else "fewest neurons"
    bias = "" if objective == "neurons" else (" (bias entries free)" if not res.include_bias else "")
    w(f"exact {goal}{bias} for {ds.source}: {res.n_points} points, {ds.n_features} inputs\n")
    if res.network is None:
        w("  no interpolating network found within the time limit\n")
    else:
        w(f"  nonzeros      {res.n_nonzero}\n")
        w(f"  neurons       {res.n_neurons}\n")
        w(f"  max residual  {res.max_residual:.2g} (float64 re-check)\n")
    proof = {
        "optimal": "optimal (count = proven lower bound)",
        "time_limit": "time limit reached: not proven optimal",
        "infeasible": "no interpolant within the model's bounds",
        "error": "ERROR: a solver answer failed the float64 re-check",
    }[res.status]
    w(f"  status        {proof}\n")
    gap = "" if res.gap is None else f", gap {100 * res.gap:.3g}%"
    w(f"  lower bound   {res.bound} ({res.bound_source}{gap})\n")
    if res.generic_lower_bound is not None:
        w(f"  generic bound {res.generic_lower_bound} (labels in general position; not a proof)\n")
    for a in res.assumptions:
        w(f"  assumes       {a}\n")
    if res.message:
        w(f"  note          {res.message}\n")
    w(f"  solver        {res.formulation}, {res.backend}\n")
    if warm_seconds:
        total = res.seconds + warm_seconds
        w(f"  seconds       {total:.3g} (trainer warm start {warm_seconds:.3g}, solve {res.seconds:.3g})\n")
    else:
        w(f"  seconds       {res.seconds:.3g}\n")
    if args.out and res.network is not None:
        w(f"  model saved to {args.out}\n")


def _run_1d(args, ds, p: float) -> int:
    from ..exact import solve_1d

    res = solve_1d(ds.X[:, 0], ds.y, p, pstar=args.pstar)
    if res.status != "optimal":
        _failed_recheck(res, ds)
    if args.out:
        from ..modelfile import save_model

        save_model(
            args.out,
            res.network,
            X=ds.X,
            y=ds.y,
            p=p,
            method="exact",
            seed=None,
            status=res.status,
            cost=res.cost,
            sparsest_count=res.sparsest_count,
            p_star=res.p_star,
            source=ds.source,
            feature_names=ds.feature_names,
            target_name=ds.target_name,
        )
    if args.json:
        out = res.to_dict()
        out["n_nonzero"] = res.n_neurons
        out["d"] = 1
        out["interpolates"] = res.interpolates
        if args.out:
            out["model"] = args.out
        print_json(out)
    else:
        _print_1d(res, args, ds)
    return 0


def _failed_recheck(res, ds) -> None:
    """The solution failed its float64 re-check: a data problem (exit 2) or a bug (exit 1).

    The solver treats slope changes within the rounding-error bound of the secant slopes as zero
    (:mod:`sparsest.exact._curvature`). When that bound is not small against the data's slopes —
    inputs so close together that ``(y_{i+1} − y_i)/(x_{i+1} − x_i)`` has no correct digits in
    float64 — the data cannot be solved reliably in float64, and we say so. Otherwise the failure is
    ours.
    """
    import numpy as np

    from ..data import prepare_1d
    from ..errors import DataError

    x, y = prepare_1d(ds.X[:, 0], ds.y, where=ds.source)
    dx = np.diff(x)
    s = np.diff(y) / dx
    eps = np.finfo(np.float64).eps
    bound = 64 * eps * (np.abs(y[:-1]) + np.abs(y[1:]) + np.abs(s) * (np.abs(x[:-1]) + np.abs(x[1:]))) / dx
    typical = float(np.max(np.abs(s))) if np.all(np.isfinite(s)) else np.inf
    worst = int(np.argmax(bound / np.maximum(np.abs(s), 1e-300)))
    big = float(np.max(np.abs(s))) * float(np.max(np.abs(x))) if np.all(np.isfinite(s)) else np.inf
    if not np.isfinite(res.max_residual) or big > 1e300:
        raise DataError(
            f"{ds.source}: the data are out of float64 range: |slope| * |x| reaches {big:.3g}, so "
            "the interpolant overflows when evaluated; rescale x or y"
        )
    if not np.all(np.isfinite(s)) or np.max(bound) > 1e-3 * typical:
        raise DataError(
            f"{ds.source}: the data are too ill-conditioned for float64: the slope between "
            f"x = {x[worst]:.17g} and x = {x[worst + 1]:.17g} cannot be computed accurately "
            f"(the exact solution fails its re-check: max |f(x_i) - y_i| = {res.max_residual:.3g})"
        )
    raise RuntimeError(
        f"the exact 1-D solution failed its float64 re-check (max |f(x_i) - y_i| = {res.max_residual:.3g})"
    )


def _print_function(res, fewest_count: int, why: str, targets: str | None = None) -> None:
    """The function lines shared by the 1-D reports: formula, (targets), neurons, knots, jumps, cost."""
    w = sys.stdout.write
    if res.n_neurons <= 12:
        w(f"  f(x) = {formula_1d(res.knots, res.jumps, res.slope, res.intercept)}\n")
    if targets is not None:
        w(f"  targets       {targets}\n")
    fewest = (
        "the fewest possible"
        if res.n_neurons == fewest_count
        else f"the fewest possible is {fewest_count}{why}"
    )
    w(f"  neurons       {res.n_neurons} ({fewest})\n")
    if res.n_neurons <= 20:
        w(f"  knots         {fmt_array(res.knots)}\n")
        w(f"  jumps         {fmt_array(res.jumps)}\n")
    w(f"  affine part   {formula_1d([], [], res.slope, res.intercept)}\n")
    if res.p > 0:
        w(f"  l{res.p:g} cost     {res.cost:.10g} (sum of |jump|^p)\n")


def _print_1d(res, args, ds) -> None:
    w = sys.stdout.write
    goal = "fewest neurons" if res.p == 0 else f"least l{res.p:g} path norm"
    w(f"exact {goal} interpolant of {ds.source}: {res.n_points} points, 1 input, p = {res.p:g}\n")
    _print_function(res, res.sparsest_count, "; p > p* here")
    check = "float64 re-check passed" if res.interpolates else "FLOAT64 RE-CHECK FAILED"
    w(f"  status        {res.status} ({check}: max |f(x_i) - y_i| = {res.max_residual:.2g})\n")
    if res.p_star is not None:
        w(f"  p*            {res.p_star:.7g} (every lp optimum with p < p* has the fewest neurons)\n")
    w(f"  seconds       {res.seconds:.3g}\n")
    if args.out:
        w(f"  model saved to {args.out}\n")


# ------------------------------------------------------------------------ targets (1-D)


def _targets_only_options(args, flag: str) -> None:
    """Options of the interpolation solvers that do not apply with targets / --knots."""
    from ..errors import ParameterError

    if args.pstar:
        raise ParameterError(f"--pstar applies to interpolation only, not with {flag}")
    if args.objective == "nonzeros" or args.skip or args.formulation != "auto":
        raise ParameterError(
            f"{flag} uses the 1-D dynamic program (fewest knots = neurons): remove --objective "
            "nonzeros / --skip / --formulation"
        )


def _run_targets(args, ds, p: float) -> int:
    """``--tol`` / ``--lower`` / ``--upper`` / ``--classify``: :func:`solve_tube_1d` (1-D) or
    :func:`sparsest.exact.solve_targets` (d-D, :func:`_run_targets_dd`)."""
    from ..exact.tube1d import solve_tube_1d

    if ds.n_features > 1:
        return _run_targets_dd(args, ds, p)
    flag = targets_given(args)
    targets = targets_from_args(args, ds)
    _targets_only_options(args, flag)
    res = solve_tube_1d(ds.X[:, 0], targets, p)
    if args.out and res.status != "error":
        from ..modelfile import save_model

        save_model(
            args.out,
            res.network,
            p=p,
            method="exact",
            seed=None,
            status=res.status,
            cost=res.cost,
            fewest_knots=res.fewest_knots,
            **_targets_metadata(ds, targets, res, satisfied=res.satisfied),
        )
    margin = _min_margin(res)
    if args.json:
        out = res.to_dict()
        out["n_nonzero"] = res.n_neurons
        out["d"] = 1
        out["satisfied"] = res.satisfied
        out["describe"] = res.targets.describe()
        if margin is not None:
            out["min_margin"] = margin
        if args.out and res.status != "error":
            out["model"] = args.out
        print_json(out)
    else:
        _print_targets(res, args, ds, margin)
    if res.status == "error":
        print(
            f"sparsest exact: error: the solution failed its float64 re-check (max violation "
            f"{res.max_violation:.3g}); no model saved",
            file=sys.stderr,
        )
        return 1
    return 0


def _targets_metadata(ds, targets, res, *, satisfied: bool) -> dict:
    """Model-file metadata of a fit within targets (``Targets.to_metadata`` and the fit's errors,
    ``res.max_violation``/``rmse``/``max_residual``)."""
    import numpy as np

    from ..data import fingerprint

    ref = ds.y if ds.y is not None else np.concatenate([targets.lo, targets.hi])
    meta = {
        **targets.to_metadata(),
        "max_violation": res.max_violation,
        "rmse": res.rmse,
        "satisfies_targets": satisfied,
        "data_fingerprint": fingerprint(ds.X, ref),
        "n_points": ds.n_points,
        "source": ds.source,
        "feature_names": ds.feature_names,
    }
    if res.max_residual is not None:
        meta["max_residual"] = res.max_residual
    if ds.target_name is not None:
        meta["target_name"] = ds.target_name
    for key in ("lower_name", "upper_name"):
        if getattr(ds, key) is not None:
            meta[key] = getattr(ds, key)
    return meta


def _min_margin(res):
    """``min_i t_i f(x_i)`` for classification targets (``None`` otherwise)."""
    if res.targets.kind != "classification":
        return None
    import numpy as np

    return float(np.min(res.targets.y * res.network.predict(res.x)))


# ------------------------------------------------------------------------ targets (d-D)


def _run_targets_dd(args, ds, p: float) -> int:
    """d-D fit within targets: :func:`sparsest.exact.solve_targets` (report, JSON, model file)."""
    import numpy as np

    from ..errors import ParameterError
    from ..exact import solve_targets

    flag = targets_given(args)
    targets = targets_from_args(args, ds)
    if p != 0:
        raise ParameterError(
            f"--p {p:g}: exact fits within targets in d-D minimize counts (p = 0) only; remove --p"
        )
    if args.pstar:
        raise ParameterError(f"--pstar applies to 1-D interpolation only, not with {flag}")
    objective = args.objective or "nonzeros"
    warm = None
    if args.warm_start not in ("auto", "none"):
        from ..modelfile import load_model

        warm = load_model(args.warm_start).network
    res = solve_targets(
        ds.X,
        targets,
        objective,
        warm_start=warm,
        time_limit=args.time_limit,
        backend=args.backend,
        formulation=args.formulation,
        skip=bool(args.skip),
        include_bias=not args.free_bias,
        verbose=args.verbose,
    )
    saved = bool(args.out and res.network is not None and res.status != "error")
    if saved:
        from ..modelfile import save_model

        save_model(
            args.out,
            res.network,
            p=0.0,
            method="exact",
            seed=None,
            status=res.status,
            objective=objective,
            bound=res.bound,
            gap=res.gap,
            assumptions=res.assumptions,
            include_bias=res.include_bias,
            **_targets_metadata(ds, targets, res, satisfied=res.network is not None),
        )
    margin = None
    if targets.kind == "classification" and res.network is not None:  # on the data as given
        margin = float(np.min(targets.y * res.network.predict(ds.X)))
    if args.json:
        out = res.to_dict()
        out.pop("network", None)
        out["d"] = ds.n_features
        out["describe"] = targets.describe()
        if margin is not None:
            out["min_margin"] = margin
        if saved:
            out["model"] = args.out
        print_json(out)
    else:
        _print_targets_dd(res, args, ds, objective, margin, saved)
    if res.status == "error":
        print(f"sparsest exact: error: {res.message}; no model saved", file=sys.stderr)
        return 1
    return 0


def _print_targets_dd(res, args, ds, objective: str, margin, saved: bool) -> None:
    w = sys.stdout.write
    goal = "fewest nonzero weights" if objective == "nonzeros" else "fewest neurons"
    bias = "" if objective == "neurons" or res.include_bias else " (bias entries free)"
    what = res.targets.describe()
    w(f"exact {goal}{bias} {what} for {ds.source}: {res.n_points} points, {ds.n_features} inputs\n")
    w(f"  targets       {what}{_bounds_note(ds)}\n")
    if res.network is None:
        w("  no network within the targets found within the time limit\n")
    else:
        w(f"  nonzeros      {res.n_nonzero}\n")
        w(f"  neurons       {res.n_neurons}\n")
        w(f"  max violation {res.max_violation:.2g} (float64 re-check)\n")
        if margin is not None:
            w(f"  min margin    {margin:.4g} (min t_i f(x_i); >= 1 required)\n")
        elif res.max_residual is not None:
            w(f"  max residual  {res.max_residual:.4g} (max |f(x_i) - y_i|)\n")
            w(f"  rmse          {res.rmse:.4g}\n")
    proof = {
        "optimal": "optimal (count = proven lower bound)",
        "time_limit": "time limit reached: not proven optimal",
        "infeasible": "no network within the model's bounds",
        "error": "ERROR: a solver answer failed the float64 re-check",
    }[res.status]
    w(f"  status        {proof}\n")
    gap = "" if res.gap is None else f", gap {100 * res.gap:.3g}%"
    w(f"  lower bound   {res.bound} ({res.bound_source}{gap})\n")
    for a in res.assumptions:
        w(f"  assumes       {a}\n")
    w(f"  certificates  {res.generic_hypothesis}\n")
    if res.message:
        w(f"  note          {res.message}\n")
    w(f"  solver        {res.formulation}, {res.backend}\n")
    w(f"  seconds       {res.seconds:.3g}\n")
    if saved:
        w(f"  model saved to {args.out}\n")


def _print_targets(res, args, ds, margin) -> None:
    w = sys.stdout.write
    goal = "fewest knots" if res.p == 0 else f"least l{res.p:g} path norm"
    head = f"exact {goal} {res.targets.describe()} for {ds.source}"
    w(f"{head}: {res.n_points} points, 1 input, p = {res.p:g}\n")
    _print_function(res, res.fewest_knots, "", targets=f"{res.targets.describe()}{_bounds_note(ds)}")
    check = "float64 re-check passed" if res.satisfied else "FLOAT64 RE-CHECK FAILED"
    w(f"  max violation {res.max_violation:.2g} ({check})\n")
    if margin is not None:
        w(f"  min margin    {margin:.4g} (min t_i f(x_i); >= 1 required)\n")
    elif res.max_residual is not None:
        w(f"  max residual  {res.max_residual:.4g} (max |f(x_i) - y_i|)\n")
        w(f"  rmse          {res.rmse:.4g}\n")
    status = {
        "optimal": "optimal",
        "local": "local optimum (lp within bounds is a concave minimization; exact for p = 0 and 1)",
        "error": "ERROR: the float64 re-check failed",
    }.get(res.status, res.status)
    w(f"  status        {status}\n")
    w(f"  seconds       {res.seconds:.3g}\n")
    if args.out and res.status != "error":
        w(f"  model saved to {args.out}\n")


def _bounds_note(ds) -> str:
    if ds.lower is None and ds.upper is None:
        return ""
    parts = []
    if ds.lower_name is not None:
        parts.append(f"lower {ds.lower_name!r}")
    if ds.upper_name is not None:
        parts.append(f"upper {ds.upper_name!r}")
    return " (" + ", ".join(parts) + ")"


# ------------------------------------------------------------------------ --knots K (1-D)


def _run_knots(args, ds, p: float) -> int:
    """``--knots K [--loss linf|l2]``: the best fit with at most K knots."""
    from ..errors import ParameterError
    from ..exact.frontier1d import eps_star
    from ..exact.tube1d import solve_tube_1d
    from ..network import ReLUNetwork
    from ..targets import Targets

    if args.knots is None:
        raise ParameterError("--loss applies with --knots K only")
    given = targets_given(args)
    if given is not None:
        raise ParameterError(
            f"--knots cannot be combined with {given}: --knots K chooses the tolerance itself"
        )
    if p != 0:
        raise ParameterError(f"--p {p:g} does not apply with --knots (the fit is the best one with K knots)")
    require_1d_targets(args, ds, "--knots")
    _targets_only_options(args, "--knots")
    import time

    t0 = time.perf_counter()
    loss = args.loss or "linf"
    k = int(args.knots)
    xs, ys = distinct_1d(ds, "--knots")
    eps = eps_star(xs, ys, k)
    targets = Targets.tolerance(ys, eps)
    tube = solve_tube_1d(xs, targets)
    if loss == "linf":
        net, status = tube.network, tube.status
        max_res, rmse = tube.max_residual, tube.rmse
        kv_knots, kv_jumps, slope, intercept = tube.knots, tube.jumps, tube.slope, tube.intercept
    else:
        from ..exact._lsq1d import fit_l2_multistart

        fit = fit_l2_multistart(xs, ys, k, starts=[tube.knots])
        net = ReLUNetwork.from_knots(fit.knots, fit.jumps, fit.slope, fit.intercept)
        kv = net.knots_1d()
        kv_knots, kv_jumps, slope, intercept = kv.knots, kv.jumps, kv.slope, kv.intercept
        status = "local"
        max_res, rmse = fit.max_error, fit.rmse
    n = int(kv_knots.size)
    seconds = time.perf_counter() - t0
    if args.out and status != "error":
        from ..data import fingerprint
        from ..modelfile import save_model

        meta = {
            "method": "exact" if loss == "linf" else "least-squares",
            "status": status,
            "loss": loss,
            "knots_budget": k,
            "eps_star": eps,
            "max_residual": max_res,
            "rmse": rmse,
            "data_fingerprint": fingerprint(ds.X, ds.y),
            "n_points": ds.n_points,
            "source": ds.source,
            "feature_names": ds.feature_names,
            "target_name": ds.target_name,
        }
        if loss == "linf":
            meta.update(targets.to_metadata())
            meta.update(max_violation=tube.max_violation, fewest_knots=tube.fewest_knots)
        save_model(args.out, net, p=0.0, seed=None, **meta)
    out = {
        "status": status,
        "loss": loss,
        "knots_budget": k,
        "n_neurons": n,
        "n_nonzero": n,
        "knots": kv_knots,
        "jumps": kv_jumps,
        "slope": slope,
        "intercept": intercept,
        "eps_star": eps,
        "tol": eps if loss == "linf" else None,
        "max_residual": max_res,
        "max_violation": tube.max_violation if loss == "linf" else None,
        "rmse": rmse,
        "n_points": int(xs.size),
        "d": 1,
        "seconds": seconds,
    }
    if args.out and status != "error":
        out["model"] = args.out
    if args.json:
        print_json(out)
    else:
        w = sys.stdout.write
        what = "least max |f(x_i) - y_i|" if loss == "linf" else "least squares"
        w(f"best fit with at most {k} knot(s) ({what}) of {ds.source}: {xs.size} points, 1 input\n")
        if n <= 12:
            w(f"  f(x) = {formula_1d(kv_knots, kv_jumps, slope, intercept)}\n")
        w(f"  neurons       {n}\n")
        if n <= 20:
            w(f"  knots         {fmt_array(kv_knots)}\n")
            w(f"  jumps         {fmt_array(kv_jumps)}\n")
        w(f"  affine part   {formula_1d([], [], slope, intercept)}\n")
        w(f"  max residual  {max_res:.4g} (max |f(x_i) - y_i|)\n")
        w(f"  rmse          {rmse:.4g}\n")
        w(f"  {f'eps*({k})':<14}{eps:.6g} (least uniform error with {k} knot(s), to a relative 1e-9)\n")
        note = (
            "optimal" if status == "optimal" else "local optimum of the least squares (Levenberg-Marquardt)"
        )
        w(f"  status        {note}\n")
        w(f"  seconds       {seconds:.3g}\n")
        if args.out and status != "error":
            w(f"  model saved to {args.out}\n")
    if status == "error":
        print(
            "sparsest exact: error: the solution failed its float64 re-check; no model saved", file=sys.stderr
        )
        return 1
    return 0
