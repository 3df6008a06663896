"""Helpers shared by the subcommands: the common flags, data loading, progress bars, output.

Every subcommand builds its flags from the ``add_*`` functions here, so that a flag has the same
name, type, default style and meaning everywhere:

===============  ===============================================================================
``--p P``        exponent of the ℓp path norm, in [0, 1] (``p_value`` parses, ``check_p`` checks)
``--out/-o F``   the file the command writes (checked *before* any work; written atomically)
``--json``       print exactly one JSON object on stdout instead of the human-readable text
``--quiet/-q``   no progress bars, notes or warnings on stderr (errors are still printed)
``--seed S``     seed of every random choice the command makes (commands with randomness only)
``--target T``   target column of the data file: header name or 0-based index (default: last)
``--time-limit`` wall-clock limit of a solver, in seconds
===============  ===============================================================================

Positional arguments are named ``model`` (a model file), ``data`` (a data file) or ``input``;
the CLI tests use these names to feed every command bad files automatically.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

# ---------------------------------------------------------------------------------- help formatting


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Shows ``(default: X)`` after every option that has a meaningful default.

    Unlike :class:`argparse.ArgumentDefaultsHelpFormatter` it omits ``(default: None)`` and
    ``(default: False)`` (flags and options without a default), and keeps the description's line
    breaks.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "%(default)" in text or default is None or default is False or default is argparse.SUPPRESS:
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            text += " (default: %(default)s)"
        return text


# ---------------------------------------------------------------------------------- shared flags


def add_data_argument(
    parser: argparse.ArgumentParser, *, optional: bool = False, help: str | None = None
) -> None:
    """Positional ``DATA`` plus ``--target``."""
    parser.add_argument(
        "data",
        metavar="DATA",
        nargs="?" if optional else None,
        default=None,
        help=help or "data file: CSV (last column = target) or .npy/.npz",
    )
    parser.add_argument(
        "--target",
        default=None,
        metavar="COL",
        help="target column of a CSV/.npy: header name or 0-based index (default: the last column)",
    )


def add_model_argument(parser: argparse.ArgumentParser) -> None:
    """Positional ``MODEL`` (a model file written by ``--out`` of ``exact``/``fit``)."""
    parser.add_argument("model", metavar="MODEL", help="model file written by 'sparsest exact/fit --out'")


def add_p_argument(parser: argparse.ArgumentParser, *, default: float = 0.0, help: str | None = None) -> None:
    parser.add_argument(
        "--p",
        type=p_value,
        default=default,
        metavar="P",
        help=help or "exponent of the lp path norm, in [0, 1]; 0 = fewest neurons",
    )


def add_out_argument(
    parser: argparse.ArgumentParser,
    *,
    what: str,
    metavar: str = "FILE",
    default: str | None = None,
    required: bool = False,
) -> None:
    """``--out/-o FILE``: the file the command writes (validated before any work is done)."""
    parser.add_argument("--out", "-o", metavar=metavar, default=default, required=required, help=what)


def add_time_limit_argument(parser: argparse.ArgumentParser, *, default: float | None = 60.0) -> None:
    parser.add_argument(
        "--time-limit",
        type=positive_float,
        default=default,
        metavar="SECONDS",
        help="wall-clock limit of the solver in seconds",
    )


def add_solver_arguments(parser: argparse.ArgumentParser, *, objective_help: str) -> None:
    """The exact solver's flags shared by ``exact`` and ``certify``: ``--objective``,
    ``--time-limit``, ``--backend``; ``add_solver_options`` adds ``--free-bias`` and ``--verbose``."""
    parser.add_argument("--objective", choices=("nonzeros", "neurons"), default=None, help=objective_help)
    add_time_limit_argument(parser, default=60.0)
    parser.add_argument(
        "--backend",
        choices=("highs", "scipy", "gurobi"),
        default="highs",
        help="MILP backend (gurobi needs: pip install 'sparsest[gurobi]')",
    )


def add_solver_options(parser: argparse.ArgumentParser) -> None:
    """``--free-bias`` and ``--verbose`` of ``exact`` and ``certify``."""
    parser.add_argument(
        "--free-bias", action="store_true", help="nonzeros: do not count bias entries v_k b_k"
    )
    parser.add_argument("--verbose", action="store_true", help="show the MILP solver's log on stderr")


def add_output_flags(parser: argparse.ArgumentParser, *, seed: bool = False, seed_default: int = 0) -> None:
    """``--json`` and ``--quiet`` (every command), ``--seed`` (commands with randomness)."""
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars, notes or warnings")
    if seed:
        parser.add_argument(
            "--seed", type=int, default=seed_default, metavar="S", help="seed of every random choice"
        )


# ---------------------------------------------------------------------------------- argparse types


def p_value(text: str) -> float:
    """argparse type for an exponent p in [0, 1] (the range is checked by the command: exit code 2)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"p must be a number in [0, 1], got {text!r}") from None


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


# ---------------------------------------------------------------------------------- data


def load(args: argparse.Namespace):
    """Load the dataset named by ``args.data`` / ``args.target`` (a :class:`~sparsest.data.Dataset`)."""
    from ..data import load_data

    return load_data(args.data, target=args.target)


# ---------------------------------------------------------------------------------- progress


def progress(args: argparse.Namespace | None = None, *, total: int | None = None, desc: str = "", **kwargs):
    """A tqdm progress bar on stderr that appears only if the run lasts longer than a second.

    The bar is drawn on stderr (so ``--json`` output on stdout stays clean) and silenced by
    ``--quiet``. Use as a context manager::

        with progress(args, total=epochs, desc="training") as bar:
            ...
            bar.update(k)
    """
    from tqdm import tqdm

    quiet = bool(getattr(args, "quiet", False)) if args is not None else False
    return tqdm(total=total, desc=desc, disable=quiet, delay=1.0, leave=False, file=sys.stderr, **kwargs)


def note(args: argparse.Namespace, message: str) -> None:
    """An informational line on stderr (suppressed by ``--quiet``)."""
    if not getattr(args, "quiet", False):
        print(f"sparsest {args.command}: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------- output


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist"):
        return _clean(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(obj: dict) -> None:
    """Print ``obj`` as one line of strict JSON (NaN/inf become ``null``)."""
    print(json.dumps(_clean(obj), indent=None, allow_nan=False))


def fmt_array(values, digits: int = 6) -> str:
    return "[" + ", ".join(f"{float(v):.{digits}g}" for v in values) + "]"


def fmt_float(value: float, digits: int = 6) -> str:
    return f"{float(value):.{digits}g}"


def formula_1d(knots, jumps, slope: float, intercept: float, digits: int = 6) -> str:
    """``f(x) = a*x + c + Σ c_k (x − u_k)_+`` as readable text, e.g. ``(x + 1)_+ - 2 (x - 0.5)_+``."""

    def num(v: float) -> str:
        return f"{float(v):.{digits}g}"

    # coefficients below 1e-12 of the function's scale are rounding noise of a trained network
    scale = max([abs(float(c)) for c in jumps] + [abs(float(slope)), abs(float(intercept)), 1e-300])
    scale *= 1.0 + max([abs(float(u)) for u in knots] + [0.0])
    negligible = 1e-12 * scale
    terms: list[tuple[float, str]] = []  # (signed coefficient, body)
    if abs(slope) > negligible:
        terms.append((slope, "x"))
    if abs(intercept) > negligible:
        terms.append((intercept, ""))
    for u, c in zip(knots, jumps, strict=True):
        if u == 0:
            body = "(x)_+"
        elif u < 0:
            body = f"(x + {num(-u)})_+"
        else:
            body = f"(x - {num(u)})_+"
        terms.append((c, body))
    if not terms:
        return "0"
    out = []
    for i, (coef, body) in enumerate(terms):
        sign = "-" if coef < 0 else "+"
        mag = abs(coef)
        if body and num(mag) == "1":
            piece = body
        elif body:
            piece = f"{num(mag)} {body}" if body.startswith("(") else f"{num(mag)}*{body}"
        else:
            piece = num(mag)
        out.append(("-" if sign == "-" else "") + piece if i == 0 else f" {sign} {piece}")
    return "".join(out)
