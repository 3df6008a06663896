"""Helpers shared by the subcommands: common flags, data loading, output."""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from typing import Any


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", help="data file: CSV (last column = target) or .npy/.npz")
    parser.add_argument(
        "--target",
        default=None,
        metavar="NAME",
        help="target column of a CSV: header name or 0-based index (default: last column)",
    )


def add_output_flags(parser: argparse.ArgumentParser, *, seed: bool = False) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    if seed:
        parser.add_argument("--seed", type=int, default=0, help="random seed")


def p_value(text: str) -> float:
    """argparse type for an exponent p in [0, 1] (range checked by the command, exit code 2)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"p must be a number in [0, 1], got {text!r}") from None


def load(args: argparse.Namespace):
    """Load the dataset named by ``args.data`` / ``args.target``; warnings go to stderr once."""
    from ..data import load_data

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = load_data(args.data, target=args.target)
    note_warnings(caught, args)
    return ds


def note_warnings(caught, args) -> None:
    if getattr(args, "quiet", False):
        return
    seen = set()
    for w in caught:
        msg = str(w.message)
        if msg not in seen:
            seen.add(msg)
            print(f"sparsest {args.command}: warning: {msg}", file=sys.stderr)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist"):
        return _clean(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(obj: dict) -> None:
    print(json.dumps(_clean(obj), indent=None, allow_nan=False))


def fmt_array(values, digits: int = 6) -> str:
    return "[" + ", ".join(f"{float(v):.{digits}g}" for v in values) + "]"
