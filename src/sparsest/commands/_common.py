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
``--tol EPS``    fit within ``y ± EPS`` (absolute, in the target's units) instead of interpolating
``--lower COL``  column of per-point lower bounds (with ``--upper COL``: upper bounds); with bounds
                 the target column is used only when ``--target`` names it
``--classify``   two-valued target: margins ``t_i f(x_i) ≥ 1`` (smaller value ``t = −1``)
===============  ===============================================================================

The target flags are combined in one place, :func:`sparsest.targets.make_targets`
(:func:`targets_from_args` here). ``exact`` and ``certify`` take them in any dimension; commands
(and options, e.g. ``exact --knots``) that are still 1-D only say so with
:func:`require_1d_targets`.

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


#: the rule for the target column when bounds are given (shown in --help and in errors)
BOUNDS_TARGET_RULE = (
    "with --lower/--upper the target column is used only when --target names it; every other "
    "column that is not a bound is an input"
)


def add_targets_arguments(parser: argparse.ArgumentParser, *, dims: str = "1-D") -> None:
    """``--tol``, ``--lower``, ``--upper``, ``--classify``: what the fit must satisfy at the data.

    Default (none given): interpolation, ``f(x_i) = y_i``. At most one kind may be given
    (:func:`sparsest.targets.make_targets` says so otherwise). ``dims`` names the dimensions the
    command supports them in (help text).
    """
    g = parser.add_argument_group(
        f"targets ({dims}; default: interpolate, f(x_i) = y_i; give at most one kind)"
    )
    g.add_argument(
        "--tol",
        type=tol_value,
        default=None,
        metavar="EPS",
        help="fit within y_i - EPS <= f(x_i) <= y_i + EPS (absolute, in the target's units; EPS >= 0)",
    )
    g.add_argument(
        "--lower",
        default=None,
        metavar="COL",
        help="column of lower bounds lo_i <= f(x_i): header name or 0-based index (cells may be -inf); "
        "alone, the upper side is infinite (" + BOUNDS_TARGET_RULE + ")",
    )
    g.add_argument(
        "--upper",
        default=None,
        metavar="COL",
        help="column of upper bounds f(x_i) <= hi_i (cells may be inf); alone, the lower side is infinite",
    )
    g.add_argument(
        "--classify",
        action="store_true",
        help="two-valued target: margins t_i f(x_i) >= 1, t_i = -1 for the smaller value, +1 for the larger",
    )


# ---------------------------------------------------------------------------------- argparse types


def tol_value(text: str) -> float:
    """argparse type for ``--tol EPS`` (a number; ``EPS >= 0`` and finite are checked by
    :func:`sparsest.targets.make_targets`: exit code 2 with one line)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--tol must be a number >= 0, got {text!r}") from None


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


def nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


# ---------------------------------------------------------------------------------- data


def load(args: argparse.Namespace):
    """Load the dataset named by ``args.data`` / ``args.target`` (a :class:`~sparsest.data.Dataset`),
    with the bound columns of ``--lower``/``--upper`` where the command has them."""
    from ..data import load_data

    lower, upper = getattr(args, "lower", None), getattr(args, "upper", None)
    if lower is None and upper is None:
        return load_data(args.data, target=args.target)
    return load_data(args.data, target=args.target, lower=lower, upper=upper)


def distinct_1d(ds, what: str):
    """Sorted univariate ``(x, y)`` with equal repeated points merged (a warning), for commands that
    fit ``y`` itself (``path``, ``exact --knots``): repeated inputs with different targets are a
    one-line :class:`~sparsest.errors.DataError` naming the input."""
    import numpy as np

    from ..data import prepare_1d
    from ..errors import DataError

    if ds.y is None:
        raise DataError(f"{ds.source}: {what} needs a target column")
    x = ds.X[:, 0]
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], ds.y[order]
    clash = (xs[1:] == xs[:-1]) & (ys[1:] != ys[:-1])
    if np.any(clash):
        i = int(np.flatnonzero(clash)[0])
        raise DataError(
            f"{ds.source}: duplicate x={xs[i]:g} with different y ({ys[i]:g} and {ys[i + 1]:g}); {what} "
            "needs one y per x (average repeated measurements first)"
        )
    return prepare_1d(x, ds.y, where=ds.source)


def targets_given(args: argparse.Namespace) -> str | None:
    """The target flag(s) given on the command line (e.g. ``'--tol'``), ``None`` for interpolation."""
    given = []
    if getattr(args, "tol", None) is not None:
        given.append("--tol")
    if getattr(args, "lower", None) is not None or getattr(args, "upper", None) is not None:
        given.append("--lower/--upper")
    if getattr(args, "classify", False):
        given.append("--classify")
    return " and ".join(given) if given else None


def targets_from_args(args: argparse.Namespace, ds, recorded: dict | None = None):
    """:class:`~sparsest.targets.Targets` for the dataset from ``--tol``/``--lower``/``--upper``/
    ``--classify`` (``None`` when none is given: plain interpolation, the unchanged default path).

    ``recorded``: a model file's metadata. When no flag is given and the model was fitted with a
    tolerance or class margins (metadata ``targets``), those targets are used; a model fitted within
    bound columns needs ``--lower``/``--upper`` again.
    """
    from ..errors import ParameterError
    from ..targets import make_targets

    if targets_given(args) is None:
        kind = (recorded or {}).get("targets")
        if kind == "tolerance" and isinstance(recorded.get("tol"), (int, float)):
            return make_targets(ds.y, tol=float(recorded["tol"]))
        if kind == "classification":
            return make_targets(ds.y, classify=True)
        if kind == "bounds":
            raise ParameterError(
                "the model was fitted within bounds: give the bound columns with --lower/--upper"
            )
        return None
    return make_targets(ds.y, tol=args.tol, lower=ds.lower, upper=ds.upper, classify=args.classify)


def require_1d_targets(args: argparse.Namespace, ds, flag: str | None = None) -> None:
    """Target flags (or ``flag``, e.g. ``'--knots'``) where a command still supports them for 1-D
    data only (``plot``, ``exact --knots``): a one-line error otherwise. ``exact`` and ``certify``
    no longer call it for their targets (d-D: :func:`sparsest.exact.solve_targets`)."""
    from ..errors import ParameterError

    flag = flag or targets_given(args)
    if flag is None or ds.n_features == 1:
        return
    hint = ""
    if getattr(args, "target", None) is None and (ds.lower is not None or ds.upper is not None):
        hint = f" ({BOUNDS_TARGET_RULE}: here {', '.join(ds.feature_names)})"
    raise ParameterError(f"{flag} with {ds.n_features}-D data is not supported yet (1-D only){hint}")


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
