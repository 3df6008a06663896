"""``sparsest exact DATA``: the provably sparsest (or ℓp-optimal) interpolating network."""

from __future__ import annotations

import argparse
import sys

from ._common import add_data_argument, add_output_flags, fmt_array, load, p_value, print_json

HELP = "exact sparsest / lp-optimal interpolant (1-D: O(N) dynamic program)"
DESCRIPTION = (
    "Solve the interpolation problem exactly. For 1-D data: the O(N) dynamic program for any p "
    "in [0, 1] (p = 0: fewest neurons), optionally the threshold p* below which every lp optimum "
    "is a sparsest network."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument(
        "--p",
        type=p_value,
        default=0.0,
        help="exponent of the lp path norm, in [0, 1]; 0 = fewest neurons",
    )
    parser.add_argument("--pstar", action="store_true", help="also compute the threshold p* (1-D)")
    parser.add_argument("--out", metavar="MODEL", default=None, help="save the network to a model file")
    add_output_flags(parser)


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..errors import check_p

    p = check_p(args.p)
    if args.out:
        check_output_path(args.out)
    ds = load(args)
    if ds.n_features == 1:
        return _run_1d(args, ds, p)
    from ..errors import DataError

    raise DataError(
        f"{args.data}: has {ds.n_features} input columns; this version solves 1-D data exactly "
        "(use --target to pick the target column if the file has extra columns)"
    )


def _run_1d(args, ds, p: float) -> int:
    from ..data import fingerprint
    from ..exact import solve_1d

    res = solve_1d(ds.X[:, 0], ds.y, p, pstar=args.pstar)
    if args.out:
        from ..modelfile import save_model

        save_model(
            args.out,
            res.network,
            p=p,
            method="exact",
            seed=None,
            objective="neurons",
            data_fingerprint=fingerprint(ds.X, ds.y),
            n_points=res.n_points,
            n_neurons=res.n_neurons,
            n_nonzero=res.n_neurons,
            max_residual=res.max_residual,
            status=res.status,
            cost=res.cost,
            p_star=res.p_star,
            source=ds.source,
        )
    if args.json:
        out = res.to_dict()
        out["n_nonzero"] = res.n_neurons
        out["d"] = 1
        if args.out:
            out["model"] = args.out
        print_json(out)
    else:
        _print_1d(res, args)
    return 0 if res.status == "optimal" else 1


def _print_1d(res, args) -> None:
    w = sys.stdout.write
    w(f"status          {res.status}\n")
    w(f"points          {res.n_points}\n")
    w(f"neurons         {res.n_neurons} (fewest possible: {res.sparsest_count})\n")
    label = "knots" if res.p == 0 else f"l{res.p:g} cost"
    w(f"cost            {res.cost:.10g} ({label})\n")
    if res.n_neurons <= 20:
        w(f"knots           {fmt_array(res.knots)}\n")
        w(f"jumps           {fmt_array(res.jumps)}\n")
    w(f"affine part     {res.slope:.6g}*x + {res.intercept:.6g}\n")
    w(f"max residual    {res.max_residual:.3g}\n")
    if res.p_star is not None:
        w(f"p*              {res.p_star:.7g}\n")
    w(f"seconds         {res.seconds:.3g}\n")
    if args.out:
        w(f"model saved to  {args.out}\n")
