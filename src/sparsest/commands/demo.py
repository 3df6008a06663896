"""``sparsest demo``: the paper's six points, solved exactly, with a plot."""

from __future__ import annotations

import argparse
import sys

from ._common import add_output_flags, fmt_array, print_json

HELP = "run the main job on the paper's built-in data and write a plot"
DESCRIPTION = (
    "Solve the paper's six-point dataset x=(-2..3), y=(0,0,1,1,0,0) exactly: the sparsest "
    "interpolant, its lp costs, the threshold p*, and a PNG plot."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="sparsest-demo.png", metavar="PNG", help="plot file to write")
    add_output_flags(parser, seed=True)


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..data import paper_1d
    from ..exact import p_star, solve_1d

    check_output_path(args.out)
    x, y = paper_1d()
    res = solve_1d(x, y, 0.0)
    ps = p_star(x, y)
    ps_list = [0.0, 0.4, 0.7, 1.0]
    costs = {f"{p:g}": res.lp_cost(p) for p in ps_list}
    _plot(x, y, res, args.out)
    if args.json:
        print_json(
            {
                "data": "paper_1d",
                "status": res.status,
                "n_neurons": res.n_neurons,
                "knots": res.knots,
                "jumps": res.jumps,
                "slope": res.slope,
                "intercept": res.intercept,
                "lp_costs": costs,
                "p_star": ps.p_star,
                "max_residual": res.max_residual,
                "plot": args.out,
            }
        )
        return 0
    w = sys.stdout.write
    w("sparsest demo: the paper's six points x = (-2, -1, 0, 1, 2, 3), y = (0, 0, 1, 1, 0, 0)\n\n")
    w(f"exact sparsest interpolant ({res.status}, {res.seconds * 1e3:.2f} ms):\n")
    w("  f(x) = " + _formula(res) + "\n")
    w(f"  neurons {res.n_neurons}, knots {fmt_array(res.knots)}, jumps {fmt_array(res.jumps)}\n")
    w(f"  max |f(x_i) - y_i| = {res.max_residual:.2g}\n")
    w(
        "  lp path norm: "
        + ", ".join(f"p={k}: {v:.4f}" for k, v in costs.items())
        + "   (2 + 2^p for p < 1)\n"
    )
    w(f"  p* = {ps.p_star:g} ({ps.reason}): every lp optimum with p < p* is this network\n")
    w(f"\nplot written to {args.out}\n")
    return 0


def _formula(res) -> str:
    parts = []
    if res.slope != 0 or res.intercept != 0:
        parts.append(f"{res.slope:g}*x + {res.intercept:g}")
    for k, j in zip(res.knots, res.jumps, strict=True):
        parts.append(f"{j:+g}*(x - {k:g})_+")
    return " ".join(parts).lstrip("+")


def _plot(x, y, res, path) -> None:
    from ..plotting import new_figure, plot_function_1d, save_figure

    fig, axes = new_figure()
    plot_function_1d(
        axes[0, 0],
        x,
        y,
        [("exact sparsest", res.network)],
        title="Sparsest ReLU interpolant of the paper's data",
    )
    save_figure(fig, path)
