"""``sparsest predict MODEL DATA``: evaluate a saved network at new points."""

from __future__ import annotations

import argparse
import sys

from ._common import add_model_argument, add_out_argument, add_output_flags, print_json

HELP = "evaluate a model file at the points of a data file"
DESCRIPTION = """\
Evaluate the network of MODEL at the points of DATA and print the predictions as CSV (or write
them to --out, atomically).

DATA has the model's d input columns, optionally plus a target column: with d columns every
column is an input; with d + 1 columns the target is --target (default: the last column) and
the residuals f(x) - y are reported too. Predictions are written with 17 significant digits, so
they are the float64 values of the model exactly."""

#: The DATA of this command are points to evaluate, not an interpolation problem: one row and
#: repeated inputs are fine (the CLI tests read this).
DATA_KIND = "inputs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument(
        "data", metavar="DATA", help="CSV (d or d+1 columns), .npy, or .npz (X and optionally y)"
    )
    parser.add_argument(
        "--target",
        default=None,
        metavar="COL",
        help="target column when DATA has d+1 columns: header name or 0-based index "
        "(default: the last column)",
    )
    add_out_argument(parser, what="write the predictions to this CSV file", metavar="CSV")
    add_output_flags(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from .._io import atomic_write, check_output_path
    from ..data import load_inputs
    from ..modelfile import load_model

    if args.out:
        check_output_path(args.out)
    model = load_model(args.model)
    inputs = load_inputs(args.data, model.n_features, target=args.target)
    pred = model.predict(inputs.X)
    resid = None if inputs.y is None else pred - inputs.y
    table = _csv(inputs, pred, resid)
    if args.out:
        atomic_write(args.out, table)
    max_res = None if resid is None else float(np.max(np.abs(resid)))
    if args.json:
        out = {
            "model": args.model,
            "data": args.data,
            "n_points": inputs.n_points,
            "n_features": model.n_features,
            "has_target": inputs.y is not None,
            "max_residual": max_res,
            "predictions": pred,
            "out": args.out,
        }
        print_json(out)
    elif args.out:
        line = f"{inputs.n_points} predictions written to {args.out}"
        if max_res is not None:
            line += f" (max |f(x) - {inputs.target_name}| = {max_res:.3g})"
        print(line)
    else:
        sys.stdout.write(table)
    return 0


def _csv(inputs, pred, resid) -> str:
    cols = [*inputs.feature_names]
    if inputs.y is not None:
        cols += [inputs.target_name, "prediction", "residual"]
    else:
        cols += ["prediction"]
    names = set()
    for i, c in enumerate(cols):  # keep column names unique (a feature may be called 'prediction')
        while c in names:
            c = c + "_"
        cols[i] = c
        names.add(c)
    lines = [",".join(_quote(c) for c in cols)]
    for i in range(inputs.n_points):
        row = [repr(float(v)) for v in inputs.X[i]]
        if inputs.y is not None:
            row += [repr(float(inputs.y[i])), repr(float(pred[i])), repr(float(resid[i]))]
        else:
            row.append(repr(float(pred[i])))
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def _quote(name: str) -> str:
    if any(ch in name for ch in ',"\n'):
        return '"' + name.replace('"', '""') + '"'
    return name
