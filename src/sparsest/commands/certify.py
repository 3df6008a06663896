"""``sparsest certify MODEL DATA``: is this network the sparsest interpolant? (with a proof)"""

from __future__ import annotations

import argparse
import sys

from ._common import (
    add_data_argument,
    add_model_argument,
    add_output_flags,
    add_solver_arguments,
    add_solver_options,
    add_targets_arguments,
    print_json,
    targets_from_args,
    targets_given,
)

HELP = "check a model's fit and prove (or bound) how far it is from the sparsest network"
DESCRIPTION = """\
Re-check that the network in MODEL interpolates DATA (float64 forward pass), count its nonzero
weights and active neurons, and compare the count with the exact optimum of the same problem
(sparsest exact). "certified" means: it interpolates, the optimum is proven, and the model attains
it. Otherwise the output gives the best proven lower bound and the gap. The objective defaults to
the one recorded in the model file, else neurons for 1-D and nonzeros for d-D models; the model's
skip term (if any) is part of the problem.

With --tol EPS, --lower/--upper COL or --classify: re-check that the model satisfies the bounds
(float64) and compare its count with the exact optimum within the same bounds (1-D: the fewest
knots, by the dynamic program; d-D: the fewest nonzeros or neurons, by 'sparsest exact' with the
same targets); a model saved by 'sparsest exact --tol/--classify' is checked against its recorded
targets when no such flag is given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    add_data_argument(parser)
    add_solver_arguments(
        parser,
        objective_help="count to certify (default: the model's recorded objective, else neurons for "
        "1-D models, nonzeros otherwise)",
    )
    add_solver_options(parser)
    add_targets_arguments(parser, dims="1-D and d-D")
    add_output_flags(parser)


def run(args: argparse.Namespace) -> int:
    from ..exact import certify, get_backend
    from ..modelfile import load_model
    from ._common import load

    get_backend(args.backend)
    mf = load_model(args.model)
    ds = load(args)
    targets = targets_from_args(args, ds, recorded=mf.metadata)
    if targets is not None:
        return _run_targets(args, mf, ds, targets)
    objective = args.objective
    if objective is None:
        recorded = mf.metadata.get("objective")
        objective = recorded if recorded in ("nonzeros", "neurons") else None
    res = certify(
        mf.network,
        ds.X,
        ds.y,
        objective,
        time_limit=args.time_limit,
        backend=args.backend,
        include_bias=not args.free_bias,
        verbose=args.verbose,
    )
    if args.json:
        out = res.to_dict()
        out["model"] = args.model
        out["data"] = ds.source
        print_json(out)
    else:
        _print(res, args, ds)
    if res.status == "error":
        print(f"sparsest certify: error: {res.exact.message}", file=sys.stderr)
        return 1
    return 0


def _print(res, args, ds) -> None:
    w = sys.stdout.write
    w(f"certify {args.model} on {ds.source}: {ds.n_points} points, {ds.n_features} input(s)\n")
    fit = "yes" if res.interpolates else "NO"
    w(f"  interpolates  {fit} (max |f(x_i) - y_i| = {res.max_residual:.2g})\n")
    w(f"  neurons       {res.n_neurons}\n")
    biases = "without biases" if args.free_bias else "with biases"
    w(f"  nonzeros      {res.n_nonzero} ({biases})\n")
    what = "nonzero weights" if res.objective_name == "nonzeros" else "neurons"
    if res.optimum is not None:
        w(f"  optimum       {res.optimum} {what} (proven)\n")
    else:
        w(f"  optimum       not proven within the time limit (status {res.status})\n")
    w(f"  lower bound   {res.bound} (gap of this model: {100 * res.gap:.3g}%)\n")
    for a in res.assumptions:
        w(f"  assumes       {a}\n")
    verdict = "CERTIFIED: the sparsest interpolant" if res.certified else "not certified"
    w(f"  verdict       {verdict}\n")
    w(f"  seconds       {res.exact.seconds:.3g}\n")


def _run_targets(args, mf, ds, targets) -> int:
    """Certify against per-point bounds: float64 re-check and the exact fewest knots (1-D; d-D in
    :func:`_run_targets_dd`)."""
    import time

    from ..errors import DataError, ParameterError
    from ..exact.tube1d import solve_tube_1d
    from ..verify import check_targets

    flag = targets_given(args)
    net = mf.network
    if net.n_features != ds.n_features:
        raise DataError(f"{ds.source}: has {ds.n_features} input(s) but the model takes {net.n_features}")
    if ds.n_features > 1:
        return _run_targets_dd(args, mf, ds, targets, flag)
    if args.objective == "nonzeros":
        raise ParameterError(
            "with targets the count certified is the knots (neurons): remove --objective nonzeros"
        )
    t0 = time.perf_counter()
    check = check_targets(net, ds.X, targets)
    exact = solve_tube_1d(ds.X[:, 0], targets)
    fewest = exact.fewest_knots
    n_neurons = net.n_active_neurons()
    n_knots = net.knots_1d().n_knots
    certified = bool(check.ok and n_neurons == fewest)
    gap = (n_neurons - fewest) / n_neurons if n_neurons > fewest else 0.0
    seconds = time.perf_counter() - t0
    out = {
        "certified": certified,
        "satisfies": check.ok,
        "status": "optimal",
        "objective": "neurons",
        **targets.to_metadata(),
        "describe": targets.describe(),
        "targets_from": "flags" if flag else "model",
        "max_violation": check.max_violation,
        "max_residual": check.max_residual,
        "rmse": check.rmse,
        "n_neurons": n_neurons,
        "n_knots": n_knots,
        "n_nonzero": net.n_nonzero(),
        "fewest_knots": fewest,
        "optimum": fewest,
        "bound": fewest,
        "gap": gap,
        "n_points": ds.n_points,
        "model": args.model,
        "data": ds.source,
        "seconds": seconds,
    }
    if args.json:
        print_json(out)
        return 0
    w = sys.stdout.write
    w(f"certify {args.model} on {ds.source}: {ds.n_points} points, 1 input(s)\n")
    origin = "" if flag else " (recorded in the model)"
    w(f"  targets       {targets.describe()}{origin}\n")
    res = (
        ""
        if check.max_residual is None or targets.kind == "classification"
        else (f"; max |f(x_i) - y_i| = {check.max_residual:.3g}")
    )
    w(f"  satisfies     {'yes' if check.ok else 'NO'} (max violation {check.max_violation:.2g}{res})\n")
    w(f"  neurons       {n_neurons} ({n_knots} knot(s))\n")
    w(f"  optimum       {fewest} knot(s) within the targets (proven: exact 1-D dynamic program)\n")
    w(f"  lower bound   {fewest} (gap of this model: {100 * gap:.3g}%)\n")
    verdict = "CERTIFIED: the fewest knots within the targets" if certified else "not certified"
    w(f"  verdict       {verdict}\n")
    w(f"  seconds       {seconds:.3g}\n")
    return 0


def _run_targets_dd(args, mf, ds, targets, flag) -> int:
    """Certify a d-D model against per-point bounds (:func:`sparsest.exact.certify_targets`: float64
    re-check and the exact optimum of :func:`sparsest.exact.solve_targets` on the same model)."""
    from ..exact import certify_targets
    from ..verify import check_targets

    net = mf.network  # (its input count is checked by the caller)
    objective = args.objective
    if objective is None:
        recorded = mf.metadata.get("objective")
        objective = recorded if recorded in ("nonzeros", "neurons") else "nonzeros"
    include_bias = not args.free_bias
    check = check_targets(net, ds.X, targets)  # the model's violation and RMSE for the report
    cr = certify_targets(
        net,
        ds.X,
        targets,
        objective,
        include_bias=include_bias,
        time_limit=args.time_limit,
        backend=args.backend,
        verbose=args.verbose,
    )
    res = cr.exact
    n_neurons, n_nonzero, count, optimum = cr.n_neurons, cr.n_nonzero, cr.count, cr.optimum
    certified, gap = cr.certified, cr.gap
    out = {
        "certified": certified,
        "satisfies": check.ok,
        "status": res.status,
        "objective": objective,
        **targets.to_metadata(),
        "tol": targets.tol,
        "describe": targets.describe(),
        "targets_from": "flags" if flag else "model",
        "max_violation": check.max_violation,
        "max_residual": check.max_residual,
        "rmse": check.rmse,
        "n_neurons": n_neurons,
        "n_nonzero": n_nonzero,
        "count": count,
        "optimum": optimum,
        "bound": res.bound,
        "bound_source": res.bound_source,
        "gap": gap,
        "assumptions": list(res.assumptions),
        "certificates": res.generic_hypothesis,
        "n_points": ds.n_points,
        "model": args.model,
        "data": ds.source,
        "seconds": res.seconds,
    }
    if args.json:
        print_json(out)
    else:
        w = sys.stdout.write
        w(f"certify {args.model} on {ds.source}: {ds.n_points} points, {ds.n_features} input(s)\n")
        origin = "" if flag else " (recorded in the model)"
        w(f"  targets       {targets.describe()}{origin}\n")
        resid = (
            ""
            if check.max_residual is None or targets.kind == "classification"
            else f"; max |f(x_i) - y_i| = {check.max_residual:.3g}"
        )
        w(f"  satisfies     {'yes' if check.ok else 'NO'} (max violation {check.max_violation:.2g}{resid})\n")
        w(f"  neurons       {n_neurons}\n")
        biases = "without biases" if args.free_bias else "with biases"
        w(f"  nonzeros      {n_nonzero} ({biases})\n")
        what = "nonzero weights" if objective == "nonzeros" else "neurons"
        if optimum is not None:
            w(f"  optimum       {optimum} {what} within the targets (proven: {res.bound_source})\n")
        else:
            w(f"  optimum       not proven within the time limit (status {res.status})\n")
        w(f"  lower bound   {res.bound} (gap of this model: {100 * gap:.3g}%)\n")
        for a in res.assumptions:
            w(f"  assumes       {a}\n")
        verdict = f"CERTIFIED: the fewest {what} within the targets" if certified else "not certified"
        w(f"  verdict       {verdict}\n")
        w(f"  seconds       {res.seconds:.3g}\n")
    if res.status == "error":
        print(f"sparsest certify: error: {res.message}", file=sys.stderr)
        return 1
    return 0
