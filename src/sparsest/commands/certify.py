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
    print_json,
)

HELP = "check a model's fit and prove (or bound) how far it is from the sparsest network"
DESCRIPTION = """\
Re-check that the network in MODEL interpolates DATA (float64 forward pass), count its nonzero
weights and active neurons, and compare the count with the exact optimum of the same problem
(sparsest exact). "certified" means: it interpolates, the optimum is proven, and the model attains
it. Otherwise the output gives the best proven lower bound and the gap. The objective defaults to
the one recorded in the model file, else neurons for 1-D and nonzeros for d-D models; the model's
skip term (if any) is part of the problem."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    add_data_argument(parser)
    add_solver_arguments(
        parser,
        objective_help="count to certify (default: the model's recorded objective, else neurons for "
        "1-D models, nonzeros otherwise)",
    )
    add_solver_options(parser)
    add_output_flags(parser)


def run(args: argparse.Namespace) -> int:
    from ..exact import certify, get_backend
    from ..modelfile import load_model
    from ._common import load

    get_backend(args.backend)
    mf = load_model(args.model)
    ds = load(args)
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
