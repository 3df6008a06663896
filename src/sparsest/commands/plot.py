"""``sparsest plot MODEL [DATA] --out FILE.png`` and ``sparsest plot HISTORY.csv --out FILE.png``."""

from __future__ import annotations

import argparse
import os
import sys

from ._common import add_out_argument, add_output_flags, add_targets_arguments, print_json

HELP = "plot a model (with its data and the exact optimum) or a training history"
DESCRIPTION = """\
Plot a model file or a training history and write the figure to --out (PNG, PDF or SVG, by extension).

  1-D model   the function, its knots with their slope jumps, and - when DATA is given - the data and
              the exact sparsest interpolant of the data for comparison. With --tol, --lower/--upper
              or --classify (or the targets recorded in a model saved by 'exact --tol/--classify'):
              the band lo_i <= f(x_i) <= hi_i (class margins: the labels at +-1 and the margin
              lines) and the exact fewest-knot fit within the same bounds.
  d-D model   the weight pattern of the active neurons (heatmap of the path products v_k*w_ki, bias
              column last) and - when DATA is given - the residual of every data point.
  history     a CSV with columns epoch, loss, n_active, n_nonzero, lp_path_norm, seconds[, method]:
              sparsity and loss against the epoch on log scales, one line per method."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL|HISTORY", help="model file (JSON) or training-history CSV")
    parser.add_argument(
        "data", metavar="DATA", nargs="?", default=None, help="data to show with a model (CSV/.npy/.npz)"
    )
    parser.add_argument(
        "--target",
        default=None,
        metavar="COL",
        help="target column of DATA: header name or 0-based index (default: the last column)",
    )
    add_out_argument(parser, what="image file to write (.png, .pdf or .svg)", metavar="IMAGE", required=True)
    parser.add_argument(
        "--reference",
        type=float,
        default=None,
        metavar="K",
        help="history plots: draw a reference line at K (e.g. the exact sparsest count)",
    )
    parser.add_argument("--title", default=None, help="figure title (default: a summary)")
    add_targets_arguments(parser)
    add_output_flags(parser)


def _is_model_file(path: str) -> bool:
    """Model files are JSON objects; anything else is read as a history CSV."""
    if path.lower().endswith(".json"):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..errors import DataError

    check_output_path(args.out)
    if not os.path.exists(args.model):
        raise DataError(f"{args.model}: no such file")
    if os.path.isdir(args.model):
        raise DataError(f"{args.model}: is a directory, expected a model file or a history CSV")
    if _is_model_file(args.model):
        info = _plot_model(args)
    else:
        if args.data is not None:
            raise DataError(f"{args.model}: a training history is plotted on its own (remove DATA)")
        info = _plot_history(args)
    info["out"] = args.out
    if args.json:
        print_json(info)
    else:
        sys.stdout.write(f"{info['summary']}\nplot written to {args.out}\n")
    return 0


def _plot_model(args) -> dict:
    from ..errors import DataError
    from ..modelfile import load_model
    from ..plotting import plot_model_1d, plot_model_nd, save_figure
    from ._common import load, require_1d_targets, targets_from_args, targets_given

    model = load_model(args.model)
    net = model.network
    d = net.n_features
    X = y = targets = None
    if args.data is None and targets_given(args) is not None:
        raise DataError(f"{targets_given(args)} needs DATA (the points the bounds are at)")
    if args.data is not None:
        ds = load(args)
        targets = targets_from_args(args, ds, recorded=model.metadata)
        if targets is not None:
            require_1d_targets(args, ds, targets_given(args) or "the model's recorded targets")
        if ds.n_features != d:
            raise DataError(
                f"{args.data}: has {ds.n_features} input column(s) but the model takes {d} "
                "(use --target to pick the target column)"
            )
        X, y = ds.X, ds.y
    info: dict = {
        "kind": "model",
        "model": args.model,
        "data": args.data,
        "n_features": d,
        "n_neurons": net.n_active_neurons(),
        "n_nonzero": net.n_nonzero(),
    }
    if targets is not None:
        return _plot_model_targets(args, model, ds, targets, info)
    if X is not None:
        info["max_residual"] = net.max_residual(X, y)
    if d == 1:
        compare = []
        if X is not None:
            from ..exact import solve_1d

            res = solve_1d(X[:, 0], y, 0.0)
            compare.append(("exact sparsest", res.network))
            info["exact_n_neurons"] = res.n_neurons
        method = model.metadata.get("method")
        label = f"model ({method})" if method else "model"
        fig = plot_model_1d(net, None if X is None else X[:, 0], y, compare=compare, label=label)
        if args.title:
            fig.axes[0].set_title(args.title)
        summary = f"1-D model: {net.knots_1d().n_knots} knot(s)"
        if X is not None:
            summary += f"; exact sparsest interpolant of {args.data}: {info['exact_n_neurons']} knot(s)"
    else:
        fig = plot_model_nd(net, X, y, title=args.title)
        summary = f"{d}-D model: {info['n_neurons']} active neuron(s), {info['n_nonzero']} nonzero weight(s)"
    if X is not None:
        summary += f"; max |f(x_i) - y_i| = {info['max_residual']:.3g}"
    save_figure(fig, args.out)
    info["summary"] = summary
    return info


def _plot_model_targets(args, model, ds, targets, info: dict) -> dict:
    """A 1-D model with the band of its targets and the exact fewest-knot fit within them."""
    from ..exact.tube1d import solve_tube_1d
    from ..plotting import plot_model_1d, save_figure
    from ..verify import check_targets

    net = model.network
    check = check_targets(net, ds.X, targets)
    exact = solve_tube_1d(ds.X[:, 0], targets)
    method = model.metadata.get("method")
    label = f"model ({method})" if method else "model"
    fig = plot_model_1d(
        net,
        ds.X[:, 0],
        targets.y,
        compare=[("exact fewest knots within the targets", exact.network)],
        label=label,
        targets=targets,
    )
    if args.title:
        fig.axes[0].set_title(args.title)
    save_figure(fig, args.out)
    info.update(targets.to_metadata())
    info.update(
        describe=targets.describe(),
        max_violation=check.max_violation,
        satisfies=check.ok,
        max_residual=check.max_residual,
        rmse=check.rmse,
        exact_n_neurons=exact.n_neurons,
        fewest_knots=exact.fewest_knots,
    )
    info["summary"] = (
        f"1-D model: {net.knots_1d().n_knots} knot(s); fewest knots {targets.describe()} for "
        f"{args.data}: {exact.fewest_knots}; max violation of the model {check.max_violation:.3g}"
    )
    return info


def _plot_history(args) -> dict:
    from ..plotting import load_history, plot_history, save_figure

    hist = load_history(args.model)
    fig = plot_history(hist, reference=args.reference, title=args.title)
    save_figure(fig, args.out)
    final = {}
    for name, h in hist.items():
        last = {c: float(v[-1]) for c, v in h.items() if v.size}
        final[name] = last
    lines = [f"training history {args.model}: {len(hist)} run(s)"]
    for name, last in final.items():
        parts = [f"epoch {last['epoch']:g}"]
        for c in ("n_active", "n_nonzero", "loss"):
            if c in last:
                parts.append(f"{c} {last[c]:.4g}")
        lines.append(f"  {name}: " + ", ".join(parts))
    return {
        "kind": "history",
        "history": args.model,
        "runs": list(hist),
        "final": final,
        "summary": "\n".join(lines),
    }
