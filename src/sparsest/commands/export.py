"""``sparsest export MODEL --out FILE``: the network as ONNX or as a PyTorch program."""

from __future__ import annotations

import argparse
import os
import sys

from ._common import add_model_argument, add_out_argument, add_output_flags, print_json, progress

HELP = "export a model file to ONNX or to a PyTorch (torch.export) program"
DESCRIPTION = """\
Write the network of MODEL to a file other tools can run, then run that file on probe points
and compare with sparsest's own float64 predictions.

  onnx   ONNX graph (opset 17; MatMul/Add/Relu), input X (N, d), output y (N,).
         Needs: pip install "sparsest[onnx]" (onnxruntime is used for the check).
  torch  torch.export program (.pt2): torch.export.load(FILE).module()(X) -> shape (N,).

The format is taken from --format, else from the extension of --out (.onnx, .pt2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_argument(parser)
    parser.add_argument(
        "--format",
        choices=("onnx", "torch"),
        default=None,
        help="output format (default: from the extension of --out)",
    )
    add_out_argument(parser, what="file to write (.onnx or .pt2)", required=True)
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating-point type of the exported weights and input",
    )
    parser.add_argument(
        "--no-verify", action="store_true", help="skip running the exported file to compare predictions"
    )
    add_output_flags(parser)


def _format(args: argparse.Namespace) -> str:
    from ..errors import ParameterError
    from ..export import FORMATS

    if args.format:
        return args.format
    ext = os.path.splitext(args.out)[1].lower()
    for fmt, fext in FORMATS.items():
        if ext == fext:
            return fmt
    raise ParameterError(
        f"--out {args.out}: cannot tell the format from the extension {ext or '(none)'!r}; "
        "give --format onnx or --format torch (or use .onnx / .pt2)"
    )


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..export import export_onnx, export_torch, verify_export
    from ..modelfile import load_model

    check_output_path(args.out)
    fmt = _format(args)
    model = load_model(args.model)
    net = model.network
    with progress(args, total=1 if args.no_verify else 2, desc=f"export {fmt}", unit="step") as bar:
        if fmt == "onnx":
            export_onnx(net, args.out, dtype=args.dtype)
        else:
            export_torch(net, args.out, dtype=args.dtype)
        bar.update(1)
        check = None if args.no_verify else verify_export(net, args.out, fmt, dtype=args.dtype)
        bar.update(0 if args.no_verify else 1)
    if check is not None and check.max_abs_diff is not None and not check.verified:
        os.unlink(args.out)  # never leave an export that disagrees with the model
        raise RuntimeError(
            f"the exported {fmt} model disagrees with sparsest's predictions (max difference "
            f"{check.max_abs_diff:.3g} > tolerance {check.tolerance:.3g}); nothing written"
        )
    if args.json:
        out = {
            "model": args.model,
            "out": args.out,
            "format": fmt,
            "dtype": args.dtype,
            "n_features": net.n_features,
            "width": net.width,
            "verified": None if check is None else check.verified,
            "max_abs_diff": None if check is None else check.max_abs_diff,
            "verify_points": None if check is None else check.n_points,
            "runtime": None if check is None else check.runtime,
        }
        print_json(out)
        return 0
    w = sys.stdout.write
    w(
        f"exported {args.model} ({net.n_features} input(s), {net.width} neuron(s)) "
        f"as {fmt} {args.dtype} to {args.out}\n"
    )
    if check is None:
        w("not verified (--no-verify)\n")
    elif check.verified:
        w(
            f"verified with {check.runtime}: max |exported - sparsest| = {check.max_abs_diff:.3g} "
            f"on {check.n_points} probe points\n"
        )
    else:
        w(f"not verified: {check.runtime}\n")
    return 0
