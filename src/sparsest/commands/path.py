"""``sparsest path DATA``: paths of sparse fits, and their cross-validation.

Three modes, each three steps (compute a dict of rows, print it as a table or JSON, plot it):

* no grid, no ``--cv`` (1-D): the exact frontier — the best fit with k knots, for k = 0 … K
  (:func:`compute`, :func:`print_table`, :func:`plot_path`; a new column is a new key in each row,
  shown by adding it to :data:`COLUMNS`);
* ``--alphas`` / ``--tols`` / ``--knots`` without ``--cv``: one fit per value on all the data
  (:func:`compute_path`, :func:`sparsest.cv.path`);
* ``--cv K``: K-fold cross-validation over the path (default grid: knots 0 … K in 1-D, a log grid of
  α in d-D), the chosen model saved with ``--out`` (:func:`compute_cv`, :func:`print_cv_table`,
  :func:`plot_cv`; :func:`sparsest.cv.cross_validate_path`), its tasks in parallel (``--jobs``) or on a
  Dask cluster (``--scheduler``).
"""

from __future__ import annotations

import argparse
import math
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

HELP = "paths of sparse fits (1-D frontier; alpha, tolerance or knot grids) and their cross-validation"
DESCRIPTION = """\
Without --cv and a grid (1-D data): for k = 0, 1, ..., K knots, eps*(k), the least uniform error
max |f(x_i) - y_i| of a continuous piecewise-linear f with at most k knots (exact, by bisection
over the exact fewest-knots test: 'sparsest exact --tol eps*(k)' has at most k knots), and
RMSE(k), the least root-mean-square error with k knots (least squares over the knots, a local
optimum started from the eps*(k) knots and neighbouring k). Both are non-increasing in k. K
defaults to 20, capped by the number of knots exact interpolation needs (where eps* = 0).
'sparsest exact DATA --knots K [--loss linf|l2]' gives the fit itself; --plot draws both curves
against k; --out writes the table (.json: the JSON rows; otherwise CSV).

With --alphas A,B,... (any dimension: penalized fits mean((f-y)^2)/var(y) + alpha*nonzeros, from
large to small alpha, each warm-started from the last), --tols E,... (1-D: the exact fewest-knot
fit within +-E) or --knots K,... (1-D: the least-squares fit with K knots): one fit per value on
all the data, with its nonzeros and training MSE (--out: the table).

With --cv K: K-fold cross-validation over that grid (default: knots 0..--max-knots in 1-D, 8
log-spaced alphas from 0.1 to 0.001 in d-D); the held-out mean squared error per value (mean and
standard deviation over the folds); --selection min (least mean CV error) or 1se (the fewest
nonzeros within one standard error of it); the chosen value refitted on all the data and written
by --out as a model file; --plot draws CV error +- std against nonzeros. The K + 1 fits (K folds
and all the data) run in --jobs local processes or, with --scheduler tcp://HOST:PORT, on a Dask
cluster (pip install "sparsest[dask]"); --scheduler ray uses Ray's joblib backend. Results are
identical for every backend and job count."""

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
        default=None,
        metavar="R",
        help="relative accuracy of each eps*(k) (bisection), in (0, 1) (default: 1e-6 for the frontier "
        "table, 1e-3 inside knot paths, where eps*(k) only starts the least-squares fits)",
    )
    grid = parser.add_mutually_exclusive_group()
    grid.add_argument(
        "--alphas", type=_float_list, default=None, metavar="A,B,...", help="penalties alpha > 0 (any d)"
    )
    grid.add_argument(
        "--tols", type=_float_list, default=None, metavar="E,...", help="1-D: tolerances eps >= 0"
    )
    grid.add_argument("--knots", type=_int_list, default=None, metavar="K,...", help="1-D: knot counts >= 0")
    parser.add_argument(
        "--no-warm-start",
        action="store_true",
        help="--alphas: start every fit from the trainer's own initialization, not from the previous fit",
    )
    parser.add_argument(
        "--cv", type=_folds, default=None, metavar="K", help="cross-validate the path with K folds (K >= 2)"
    )
    parser.add_argument(
        "--selection",
        choices=("min", "1se"),
        default="min",
        help="with --cv: least mean CV error, or the fewest nonzeros within one standard error of it",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="with --cv: local worker processes (-1: one per core)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="with --cv: run the fits on a Dask cluster (tcp://HOST:PORT; pip install 'sparsest[dask]'), "
        "or 'ray' for Ray's joblib backend",
    )
    parser.add_argument(
        "--plot",
        default=None,
        metavar="IMAGE",
        help="draw eps*(k) and RMSE(k) against k; with --cv: CV error +- std against nonzeros "
        "(.png/.pdf/.svg)",
    )
    add_out_argument(
        parser,
        what="write the table (.json = JSON rows, otherwise CSV); with --cv: the chosen model (a model file)",
        metavar="FILE",
    )
    add_output_flags(parser, seed=True)


def _float_list(text: str) -> list[float]:
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers, got {text!r}")
    return values


def _int_list(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers >= 0, got {text!r}")
    return values


def _folds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2, got {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or -1, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or -1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..errors import ParameterError

    for path in (args.out, args.plot):
        if path:
            check_output_path(path)
    if args.out and args.plot and os.path.abspath(args.out) == os.path.abspath(args.plot):
        raise ParameterError("--out and --plot name the same file")
    if args.rtol is not None and not (0 < args.rtol < 1):
        raise ParameterError(f"--rtol must be in (0, 1), got {args.rtol!r}")
    from ..parallel import check_scheduler

    check_scheduler(args.scheduler)
    grid_given = any(getattr(args, k) is not None for k in ("alphas", "tols", "knots"))
    ds = load(args)
    if args.cv is not None or grid_given:
        return _run_grid(args, ds)
    if ds.n_features != 1:
        raise ParameterError(
            f"sparsest path without a grid needs 1-D data (the exact frontier), got {ds.n_features} "
            "inputs; for d-D data give --cv K or --alphas A,B,..."
        )
    result = compute(ds, args.max_knots, rtol=1e-6 if args.rtol is None else args.rtol)
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


# ---------------------------------------------------------------------------------- grids and CV
_VALUE_HEADER = {"alpha": "alpha", "tol": "tol", "knots": "knots"}
_METHOD = {"alpha": "sparsest", "tol": "exact", "knots": "exact-frontier-l2"}


def _run_grid(args: argparse.Namespace, ds) -> int:
    """``--alphas/--tols/--knots`` and/or ``--cv``: compute, then write the outputs (after all the
    work, each atomically: an interrupt leaves nothing half-written)."""
    from ..errors import DataError

    if ds.y is None:
        raise DataError(f"{ds.source}: sparsest path needs a target column")
    result = compute_cv(ds, args) if args.cv is not None else compute_path(ds, args)
    if args.plot:
        plot_cv(result, args.plot)
        result["plot"] = args.plot
    if args.out:
        if args.cv is not None:
            _save_chosen(result, ds, args.out)
        else:
            write_grid_table(result, args.out)
        result["out"] = args.out
    if args.json:
        result.pop("_network", None)
        print_json(result)
    else:
        print_cv_table(result)
    return 0


def _grid_kwargs(args: argparse.Namespace) -> dict:
    from ..cv import PATH_RTOL

    return {
        "alphas": args.alphas,
        "tols": args.tols,
        "knots": args.knots,
        "max_knots": args.max_knots,
        "rtol": PATH_RTOL if args.rtol is None else args.rtol,
        "train_options": {"warm_start": False} if args.no_warm_start else None,
    }


def compute_path(ds, args: argparse.Namespace) -> dict:
    """One fit per grid value on all the data (:func:`sparsest.cv.path`): a dict of rows
    (``value, n_nonzero, n_neurons, train_mse``)."""
    from ..cv import path

    t0 = time.perf_counter()
    res = path(ds.X, ds.y, seed=args.seed, **_grid_kwargs(args))
    return {
        "data": ds.source,
        "n_points": int(ds.X.shape[0]),
        "n_features": int(ds.n_features),
        "param": res.param,
        "seed": int(args.seed),
        "rows": res.to_rows(),
        "seconds": time.perf_counter() - t0,
    }


def compute_cv(ds, args: argparse.Namespace) -> dict:
    """K-fold cross-validation over the grid (:func:`sparsest.cv.cross_validate_path`).

    Returns
    -------
    dict
        ``chosen`` (the chosen value), ``n_nonzero``, ``n_neurons``, ``cv_error`` (mean held-out
        MSE), ``cv_std`` at it; ``chosen_min``/``chosen_1se``, ``rows`` (:meth:`CVPathResult.to_rows`),
        ``backend``, ``n_jobs``, ``workers`` (where the tasks ran), ``seconds``; ``_network`` (the
        chosen model, not JSON).
    """
    from ..cv import cross_validate_path

    t0 = time.perf_counter()
    res = cross_validate_path(
        ds.X,
        ds.y,
        cv=args.cv,
        selection=args.selection,
        seed=args.seed,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        progress=not (args.quiet or args.json),
        **_grid_kwargs(args),
    )
    i = res.index
    rep = res.report
    return {
        "data": ds.source,
        "n_points": int(ds.X.shape[0]),
        "n_features": int(ds.n_features),
        "param": res.param,
        "cv": int(res.n_splits),
        "seed": int(args.seed),
        "selection": res.selection,
        "chosen": res.chosen,
        "n_nonzero": int(res.full.n_nonzero[i]),
        "n_neurons": int(res.full.n_neurons[i]),
        "cv_error": float(res.mean[i]),
        "cv_std": float(res.std[i]),
        "train_mse": float(res.full.train_mse[i]),
        "chosen_min": res.values[res.index_min].item(),
        "chosen_1se": res.values[res.index_1se].item(),
        "rows": res.to_rows(),
        "backend": rep.backend,
        "n_jobs": int(rep.n_jobs),
        "n_tasks": len(rep.values),
        "workers": rep.workers,
        "retried": list(rep.retried),
        "seconds": time.perf_counter() - t0,
        "_network": res.network,
    }


def _fmt_value(v) -> str:
    return f"{v:d}" if isinstance(v, int) else f"{v:.4g}"


def print_cv_table(result: dict) -> None:
    """The grid table (with CV columns and the choice when ``result`` came from :func:`compute_cv`)."""
    w = sys.stdout.write
    cv = "cv" in result
    name = _VALUE_HEADER[result["param"]]
    head = (
        f"{'cross-validated ' if cv else ''}path of {result['data']}: {result['n_points']} points, "
        f"{result['n_features']} input(s)"
    )
    if cv:
        jobs = "all cores" if result["n_jobs"] == -1 else f"{result['n_jobs']} job(s)"
        head += (
            f"; {result['cv']} folds, seed {result['seed']}; {result['n_tasks']} fits on {result['backend']} "
            f"({jobs})"
        )
    w(head + "\n")
    cols = f"  {'':2}{name:>10}{'nonzeros':>10}{'neurons':>9}{'train MSE':>12}"
    if cv:
        cols += f"{'CV MSE':>12}{'± std':>11}"
    w(cols + "\n")
    for row in result["rows"]:
        mark = "* " if row.get("chosen") else "  "
        line = (
            f"  {mark}{_fmt_value(row['value']):>10}{row['n_nonzero']:>10d}{row['n_neurons']:>9d}"
            f"{row['train_mse']:>12.4g}"
        )
        if cv:
            tags = [t for t in ("min", "1se") if row.get(t)]
            line += f"{row['cv_error']:>12.4g}{row['cv_std']:>11.3g}" + (
                f"  {'/'.join(tags)}" if tags else ""
            )
        w(line + "\n")
    if cv:
        w(
            f"chosen ({result['selection']}): {name} = {_fmt_value(result['chosen'])}: {result['n_nonzero']} "
            f"nonzeros, {result['n_neurons']} neurons, CV MSE {result['cv_error']:.4g} ± "
            f"{result['cv_std']:.3g} (min: {_fmt_value(result['chosen_min'])}, 1se: "
            f"{_fmt_value(result['chosen_1se'])})\n"
        )
    w(f"  seconds {result['seconds']:.3g}\n")
    if result.get("plot"):
        w(f"plot written to {result['plot']}\n")
    if result.get("out"):
        w(f"{'model' if cv else 'table'} written to {result['out']}\n")


def write_grid_table(result: dict, path: str) -> None:
    """The grid rows as JSON (``.json``) or CSV, atomically."""
    import json

    from .._io import atomic_write
    from ._common import _clean

    if path.lower().endswith(".json"):
        atomic_write(path, json.dumps(_clean(result), allow_nan=False) + "\n")
        return
    keys = ["value", "n_nonzero", "n_neurons", "train_mse"]
    lines = [",".join([result["param"], *keys[1:]])]
    for row in result["rows"]:
        lines.append(",".join(repr(row[k]) if isinstance(row[k], float) else str(row[k]) for k in keys))
    atomic_write(path, "\n".join(lines) + "\n")


def _save_chosen(result: dict, ds, path: str) -> None:
    from ..modelfile import save_model

    save_model(
        path,
        result["_network"],
        X=ds.X,
        y=ds.y,
        p=0.0,
        method=_METHOD[result["param"]],
        seed=result["seed"] if result["param"] == "alpha" else None,
        source=ds.source,
        feature_names=ds.feature_names,
        target_name=ds.target_name,
        rmse=math.sqrt(result["train_mse"]),
        cv_param=result["param"],
        cv_value=result["chosen"],
        cv_error=result["cv_error"],
        cv_std=result["cv_std"],
        cv_folds=result["cv"],
        cv_seed=result["seed"],
        selection=result["selection"],
    )


def plot_cv(result: dict, path: str) -> None:
    """Pareto plot: CV error (mean ± std over folds) against the full-data fit's nonzeros, the chosen
    point and the min/1se choices marked, the one-standard-error line dashed; without CV the
    training MSE against nonzeros."""
    import numpy as np

    from ..plotting import new_figure, save_figure

    rows = result["rows"]
    cv = "cv" in result
    nnz = np.array([r["n_nonzero"] for r in rows], dtype=float)
    name = _VALUE_HEADER[result["param"]]
    fig, axes = new_figure(size=(7.0, 4.5))
    ax = axes[0, 0]
    ax.plot(nnz, [r["train_mse"] for r in rows], "s:", color="0.55", ms=4, label="training MSE (all data)")
    if cv:
        mean = np.array([r["cv_error"] for r in rows])
        std = np.array([r["cv_std"] for r in rows])
        ax.errorbar(
            nnz, mean, yerr=std, fmt="o-", color="tab:blue", ms=5, capsize=3, label="CV MSE ± std over folds"
        )
        i_min = next(i for i, r in enumerate(rows) if r["min"])
        ax.axhline(
            mean[i_min] + rows[i_min]["cv_se"],
            color="tab:blue",
            ls="--",
            lw=0.9,
            alpha=0.7,
            label="min + one standard error",
        )
        i = next(i for i, r in enumerate(rows) if r["chosen"])
        ax.plot(
            nnz[i],
            mean[i],
            "*",
            color="tab:red",
            ms=17,
            zorder=5,
            label=f"chosen ({result['selection']}): {name} = {_fmt_value(rows[i]['value'])}, "
            f"{int(nnz[i])} nonzeros",
        )
        for j, r in enumerate(rows if result["param"] != "knots" else []):  # knots = nonzeros in 1-D
            ax.annotate(
                _fmt_value(r["value"]),
                (nnz[j], mean[j]),
                textcoords="offset points",
                xytext=(4, 6),
                fontsize=7,
                color="0.3",
            )
        ax.set_ylabel("mean squared error")
        title = f"{result['cv']}-fold cross-validated path: {result['data']} ({result['n_points']} points)"
    else:
        ax.set_ylabel("training mean squared error")
        title = f"path: {result['data']} ({result['n_points']} points)"
    ax.set_yscale("log")
    ax.set_xlabel("nonzeros of the fit to all data" + (" (knots)" if result["n_features"] == 1 else ""))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
