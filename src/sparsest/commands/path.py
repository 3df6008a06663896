"""``sparsest path DATA``: the 1-D frontier — the best fit with k knots, for k = 0 … K.

The command is three steps, so that later options (cross-validation, ``--cv``) slot in between:
:func:`compute` (the frontier of the data: a dict of rows), :func:`print_table` / JSON, and
:func:`plot_path` (the figure). A new column is a new key in each row, shown by adding it to
:data:`COLUMNS`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ._common import (
    add_data_argument,
    add_out_argument,
    add_output_flags,
    distinct_1d,
    load,
    nonnegative_int,
    print_json,
)

HELP = "1-D: the best fit with k knots for every k: least max error eps*(k) and least-squares RMSE(k)"
DESCRIPTION = """\
For k = 0, 1, ..., K knots (1-D data): eps*(k), the least uniform error max |f(x_i) - y_i| of a
continuous piecewise-linear f with at most k knots (exact, by bisection over the exact fewest-knots
test: 'sparsest exact --tol eps*(k)' has at most k knots), and RMSE(k), the least root-mean-square
error with k knots (least squares over the knots, a local optimum started from the eps*(k) knots
and neighbouring k). Both are non-increasing in k. K defaults to 20, capped by the number of knots
exact interpolation needs (where eps* = 0). 'sparsest exact DATA --knots K [--loss linf|l2]'
gives the fit itself; --plot draws both curves against k; --out writes the table (.json: the
JSON rows; otherwise CSV)."""

#: table columns: (row key, header, width, format spec)
COLUMNS = (
    ("k", "k", 4, "d"),
    ("eps_star", "eps*(k)", 12, ".6g"),
    ("rmse", "RMSE(k)", 12, ".6g"),
    ("linf_count", "knots@eps*", 12, "d"),
    ("linf_rmse", "RMSE@eps*", 12, ".6g"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument(
        "--max-knots",
        type=nonnegative_int,
        default=20,
        metavar="K",
        help="largest k (capped by the knots exact interpolation needs)",
    )
    parser.add_argument(
        "--rtol",
        type=float,
        default=1e-6,
        metavar="R",
        help="relative accuracy of each eps*(k) (bisection), in (0, 1)",
    )
    parser.add_argument(
        "--plot", default=None, metavar="IMAGE", help="draw eps*(k) and RMSE(k) against k (.png/.pdf/.svg)"
    )
    add_out_argument(parser, what="write the table: .json = JSON rows, otherwise CSV", metavar="TABLE")
    add_output_flags(parser)


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..errors import ParameterError

    for path in (args.out, args.plot):
        if path:
            check_output_path(path)
    if args.out and args.plot and os.path.abspath(args.out) == os.path.abspath(args.plot):
        raise ParameterError("--out and --plot name the same file")
    if not (0 < args.rtol < 1):
        raise ParameterError(f"--rtol must be in (0, 1), got {args.rtol!r}")
    ds = load(args)
    if ds.n_features != 1:
        raise ParameterError(f"sparsest path needs 1-D data, got {ds.n_features} inputs (1-D only for now)")
    result = compute(ds, args.max_knots, rtol=args.rtol)
    if args.plot:
        plot_path(result, args.plot)
        result["plot"] = args.plot
    if args.out:
        write_table(result, args.out)
        result["out"] = args.out
    if args.json:
        print_json(result)
    else:
        print_table(result, args)
    return 0


def compute(ds, max_knots: int, *, rtol: float = 1e-6) -> dict:
    """The frontier of a 1-D dataset for ``k = 0 … min(max_knots, interpolation knots)``.

    Returns
    -------
    dict
        ``data``, ``n_points`` (distinct inputs), ``interpolation_knots`` (fewest knots of the exact
        interpolant), ``max_knots`` (the K used), ``rows`` (:meth:`Frontier1D.to_rows`),
        ``n_count_calls`` and ``seconds``.
    """
    from ..exact import solve_1d
    from ..exact.frontier1d import frontier_1d

    t0 = time.perf_counter()
    xs, ys = distinct_1d(ds, "sparsest path")
    interp = int(solve_1d(xs, ys, 0.0).sparsest_count)
    kmax = min(int(max_knots), interp)
    fr = frontier_1d(xs, ys, kmax, rtol=rtol)
    return {
        "data": ds.source,
        "n_points": int(xs.size),
        "interpolation_knots": interp,
        "max_knots": kmax,
        "requested_max_knots": int(max_knots),
        "rtol": rtol,
        "rows": fr.to_rows(),
        "n_count_calls": int(fr.n_count_calls),
        "seconds": time.perf_counter() - t0,
    }


def print_table(result: dict, args) -> None:
    w = sys.stdout.write
    capped = (
        f" (capped from {result['requested_max_knots']})"
        if result["max_knots"] < result["requested_max_knots"]
        else ""
    )
    w(
        f"path of {result['data']}: {result['n_points']} points, 1 input; exact interpolation needs "
        f"{result['interpolation_knots']} knot(s); k = 0..{result['max_knots']}{capped}\n"
    )
    w("  eps*(k): least max |f(x_i) - y_i| with k knots (exact); RMSE(k): least squares with k knots\n")
    w("  (a local optimum); knots@eps*, RMSE@eps*: the fewest-knot fit within +-eps*(k)\n")
    w("  " + "".join(f"{h:>{width}}" for _, h, width, _ in COLUMNS) + "\n")
    for row in result["rows"]:
        w("  " + "".join(f"{row[key]:>{width}{spec}}" for key, _, width, spec in COLUMNS) + "\n")
    w(f"  seconds {result['seconds']:.3g}\n")
    if result.get("plot"):
        w(f"plot written to {result['plot']}\n")
    if result.get("out"):
        w(f"table written to {result['out']}\n")


def write_table(result: dict, path: str) -> None:
    """The rows as JSON (``.json``) or CSV (scalar columns only), atomically."""
    import json

    from .._io import atomic_write
    from ._common import _clean

    if path.lower().endswith(".json"):
        atomic_write(path, json.dumps(_clean(result), allow_nan=False) + "\n")
        return
    keys = ["k", "eps_star", "rmse", "max_error_l2", "linf_count", "linf_rmse"]
    lines = [",".join(keys)]
    for row in result["rows"]:
        lines.append(",".join(repr(row[k]) if isinstance(row[k], float) else str(row[k]) for k in keys))
    atomic_write(path, "\n".join(lines) + "\n")


def plot_path(result: dict, path: str) -> None:
    """eps*(k) (steps) and RMSE(k) against k, on a linear scale from 0 (an exact fit is 0)."""
    import numpy as np

    from ..plotting import new_figure, save_figure

    rows = result["rows"]
    k = np.array([r["k"] for r in rows])
    eps = np.array([r["eps_star"] for r in rows])
    rmse = np.array([r["rmse"] for r in rows])
    fig, axes = new_figure(size=(7.0, 4.3))
    ax = axes[0, 0]
    ax.plot(
        k,
        eps,
        "o-",
        drawstyle="steps-post",
        color="tab:blue",
        label="eps*(k): least max |f(x_i) - y_i| (exact)",
    )
    ax.plot(k, rmse, "s-", color="tab:orange", ms=4, label="RMSE(k): least squares (local optimum)")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("knots k")
    ax.set_ylabel("error")
    step = max(1, int(np.ceil((k.max() + 1) / 20))) if k.size else 1
    ax.set_xticks(k[::step])
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(
        f"best fit with k knots: {result['data']} ({result['n_points']} points; interpolation needs "
        f"{result['interpolation_knots']} knots)",
        fontsize=10,
    )
    fig.tight_layout()
    save_figure(fig, path)
