"""``sparsest fit DATA``: train the sparsest interpolating network."""

from __future__ import annotations

import argparse
import sys

from ..verify import check_interpolation
from ._common import (
    add_data_argument,
    add_out_argument,
    add_output_flags,
    add_p_argument,
    add_targets_arguments,
    add_time_limit_argument,
    fmt_array,
    formula_1d,
    load,
    positive_int,
    print_json,
    targets_from_args,
    targets_given,
)

HELP = "train the sparsest ReLU network: interpolating, or penalized with --alpha (default method: sparsest)"
DESCRIPTION = """\
Train a single-hidden-layer ReLU network that interpolates DATA with as few active neurons (1-D)
or nonzero weights including biases (d-D) as possible.

With --alpha A (noisy data) the fit minimizes mean((f(x_i) - y_i)^2)/var(y) + A * (nonzero weights
incl. biases in d-D, neurons in 1-D): penalized training, then an l0-penalized least-squares
polish on the activation patterns. Typical A: 1e-3 (more weights, lower error) ... 0.1. For
--method reweighted/pathprox/adamw, A is the penalty weight lambda of their objective.
With --budget K the fit has at most K nonzero weights incl. biases (d-D) or neurons (1-D): the
least-squares fit within that count (with --alpha too: the penalized objective within it). A
penalty only reaches the counts where extra weights pay for themselves; a budget reaches all.

Methods: 'sparsest' (default; batched restarts with the reweighted lp prox, then an exact
fixed-pattern re-solve: the fit is exact to 1e-10 (1 + max|y|)), 'reweighted' (the paper's
Algorithm 1), 'adam', 'adamw', 'pathprox', 'prune' (baselines), 'exact' (the exact solvers).
The exact solvers are the referee: check the result with 'sparsest certify MODEL DATA'."""

METHODS = ("sparsest", "reweighted", "adam", "adamw", "pathprox", "prune", "exact")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    add_p_argument(parser, default=0.4, help="exponent of the lp path norm used by training, in (0, 1]")
    parser.add_argument(
        "--alpha",
        default=None,
        metavar="A",
        help="penalized fit: minimize MSE/var(y) + A * count (A >= 0); default: interpolate",
    )
    parser.add_argument(
        "--budget",
        default=None,
        metavar="K",
        help="sparsest: at most K nonzero weights incl. biases (d-D) / neurons (1-D); the "
        "least-squares fit within that count (integer K >= 0)",
    )
    add_targets_arguments(parser, dims="any dimension; fewest neurons/nonzeros within the bounds")
    parser.add_argument(
        "--test",
        default=None,
        metavar="FILE",
        help="held-out data (same columns as DATA): report test RMSE and R^2",
    )
    parser.add_argument("--method", choices=METHODS, default="sparsest", help="training method")
    parser.add_argument(
        "--width",
        type=positive_int,
        default=None,
        metavar="K",
        help="neurons per network (default: the method's; sparsest: 2N for small N, then about N/4 "
        "in 1-D, N/2 in d-D)",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        metavar="N",
        help="epochs of gradient training (default: the method's; sparsest: 600, others: 100000)",
    )
    parser.add_argument(
        "--objective",
        choices=("neurons", "nonzeros"),
        default=None,
        help="sparsest: what to minimize (default: neurons in 1-D, nonzeros in d-D)",
    )
    parser.add_argument(
        "--restarts",
        type=positive_int,
        default=None,
        metavar="R",
        help="sparsest: restarts trained together as one batch (default 8)",
    )
    add_time_limit_argument(parser, default=None)
    parser.add_argument(
        "--mode",
        choices=("paper", "consistent"),
        default=None,
        help="reweighted: Algorithm 1 as published ('paper') or knot-preserving ('consistent')",
    )
    parser.add_argument("--device", default="cpu", help="torch device: cpu, cuda, cuda:1, ...")
    add_out_argument(parser, what="save the network to this model file")
    parser.add_argument("--history", metavar="CSV", default=None, help="save the training history as CSV")
    add_output_flags(parser, seed=True)


def run(args: argparse.Namespace) -> int:
    import warnings

    from .._io import check_output_path
    from ..errors import DataError, ParameterError, check_p

    p = check_p(args.p, allow_zero=False)
    for path in (args.out, args.history):
        if path:
            check_output_path(path)
    alpha = parse_alpha(args.alpha)
    budget = parse_budget(args.budget)
    options = {}
    lam = None
    if budget is not None:
        if args.method != "sparsest":
            raise ParameterError(f"--budget applies to --method sparsest, not {args.method}")
        options["budget"] = budget
    if alpha is not None:
        if args.method == "sparsest":
            options["alpha"] = alpha
        elif args.method in ("reweighted", "pathprox", "adamw"):
            lam = alpha
        else:
            raise ParameterError(
                f"--alpha applies to --method sparsest, reweighted, pathprox or adamw, not {args.method}"
            )
    if args.method == "sparsest":
        if args.objective:
            options["objective"] = args.objective
        if args.restarts:
            options["restarts"] = args.restarts
        if args.time_limit:
            options["max_seconds"] = args.time_limit
    elif args.method == "exact":
        if args.objective:
            options["objective"] = args.objective
        if args.time_limit:
            options["time_limit"] = args.time_limit
    elif args.objective or args.restarts or args.time_limit:
        raise ParameterError("--objective, --restarts and --time-limit apply to --method sparsest/exact only")
    ds = load(args)
    targets = targets_from_args(args, ds)
    if targets is not None and targets.is_interpolation:
        targets = None  # --tol 0: plain interpolation, the unchanged path
    if targets is not None:
        if alpha is not None:
            raise ParameterError(
                f"--alpha (a penalized fit) and {targets_given(args)} (a fit within bounds): give one"
            )
        if budget is not None:
            raise ParameterError(
                f"--budget (a fit within a count) and {targets_given(args)} (a fit within bounds): give one"
            )
        if args.method != "sparsest":
            raise ParameterError(f"{targets_given(args)} applies to --method sparsest only")
        options["targets"] = targets
    y_fit = ds.y if ds.y is not None else (targets.center if targets is not None else None)
    test = None
    if args.test:
        from ..data import load_data

        test = load_data(args.test, target=args.target)
        if test.n_features != ds.n_features:
            raise DataError(
                f"{args.test}: {test.n_features} input column(s), but the training data have {ds.n_features}"
            )
        if test.y is None:
            raise DataError(f"{args.test}: --test needs a target column")
    from ..train.engine import train

    kwargs = {}
    if args.mode:
        kwargs["mode"] = args.mode
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = train(
            ds.X,
            y_fit,
            method=args.method,
            p=p,
            lam=lam,
            width=args.width,
            epochs=args.epochs,
            seed=args.seed,
            device=args.device,
            progress=not args.quiet and not args.json,
            **kwargs,
            **options,
        )
    if not args.quiet:
        for w in {str(w.message) for w in caught}:
            print(f"sparsest fit: warning: {w}", file=sys.stderr)
    net = res.network
    ib = bool(res.config["penalize_bias"])
    if budget is not None:
        mode = "budget"
    elif alpha is not None:
        mode = "penalized"
    else:
        mode = "bounded" if targets is not None else "interpolation"
    quality = fit_quality(net, ds.X, y_fit, "train")
    bounded = {}
    if targets is not None:
        from ..verify import check_targets

        chk = check_targets(net, ds.X, targets)
        bounded = {"max_violation": chk.max_violation, "satisfies_targets": bool(chk.ok)}
    if test is not None:
        quality.update(fit_quality(net, test.X, test.y, "test"))
    if args.out:
        from ..modelfile import save_model

        save_model(
            args.out,
            net,
            X=ds.X,
            y=y_fit,
            p=p,
            method=args.method,
            seed=args.seed,
            objective=options.get("objective"),
            converged=res.converged,
            seconds=res.seconds,
            include_bias=ib,
            source=ds.source,
            n_neurons=res.n_active,
            n_nonzero=res.n_nonzero,
            lp_path_norm=res.lp_path_norm,
            mode=mode,
            alpha=alpha,
            **({"budget": budget} if budget is not None else {}),
            inputs_used=[int(i) for i in net.inputs_used()],
            train_rmse=quality["train_rmse"],
            train_r2=quality["train_r2"],
            **(targets.to_metadata() if targets is not None else {}),
            **bounded,
        )
    if args.history:
        res.history.to_csv(args.history, extra={"method": args.method, "seed": args.seed})
    out = {
        "method": args.method,
        "mode": mode,
        "alpha": alpha,
        "budget": budget,
        "p": p,
        "n_points": ds.n_points,
        "d": ds.n_features,
        "n_neurons": res.n_active,
        "n_nonzero": res.n_nonzero,
        "inputs_used": [int(i) for i in net.inputs_used()],
        **quality,
        **(targets.to_metadata() if targets is not None else {}),
        **bounded,
        "max_residual": res.max_residual,
        # the product's interpolation standard: the tolerance plus the float64 rounding allowance
        "interpolates": check_interpolation(net, ds.X, y_fit, rtol=res.config["tol"]).ok,
        "lp_path_norm": res.lp_path_norm,
        "seconds": res.seconds,
        "seed": args.seed,
        "epochs_run": res.epochs_run,
    }
    if args.out:
        out["model"] = args.out
    if args.history:
        out["history"] = args.history
    if args.json:
        print_json(out)
        return 0
    w = sys.stdout.write
    pen = f", alpha = {alpha:g}" if alpha is not None else ""
    pen += f", budget = {budget}" if budget is not None else ""
    w(f"method          {args.method} (p = {p:g}{pen}, seed {args.seed})\n")
    w(f"data            {ds.n_points} points, {ds.n_features} input(s)\n")
    w(f"neurons         {res.n_active}\n")
    w(f"nonzeros        {res.n_nonzero} ({'with' if ib else 'without'} biases)\n")
    w(f"lp path norm    {res.lp_path_norm:.6g}\n")
    w(f"inputs used     {', '.join(str(i) for i in out['inputs_used']) or 'none'}\n")
    if targets is not None:
        ok = "satisfied" if bounded["satisfies_targets"] else "NOT satisfied"
        w(f"targets         {targets.describe()}: {ok} (max violation {bounded['max_violation']:.3g})\n")
    elif alpha is None and budget is None:
        fit = "exact" if out["interpolates"] else "NOT exact"
        w(f"max residual    {res.max_residual:.3g} ({fit})\n")
    w(f"train RMSE, R2  {quality['train_rmse']:.4g}, {quality['train_r2']:.4f}\n")
    if test is not None:
        w(f"test RMSE, R2   {quality['test_rmse']:.4g}, {quality['test_r2']:.4f} ({test.n_points} points)\n")
    if ds.n_features == 1 and res.n_active <= 12:
        kv = net.knots_1d()
        w(f"f(x) =          {formula_1d(kv.knots, kv.jumps, kv.slope, kv.intercept)}\n")
        w(f"knots           {fmt_array(kv.knots)}\n")
    w(f"seconds         {res.seconds:.3g}\n")
    if args.out:
        w(f"model saved to  {args.out}\n")
    if args.history:
        w(f"history saved to {args.history}\n")
    return 0


def parse_alpha(text: str | None) -> float | None:
    """``--alpha``: a finite number ``>= 0`` (one-line :class:`~sparsest.errors.ParameterError`)."""
    import math

    from ..errors import ParameterError

    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"--alpha must be a number >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise ParameterError(f"--alpha must be a finite number >= 0, got {text!r}")
    return value


def parse_budget(text: str | None) -> int | None:
    """``--budget``: an integer ``>= 0`` (one-line :class:`~sparsest.errors.ParameterError`)."""
    from ..errors import ParameterError

    if text is None:
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ParameterError(f"--budget must be an integer >= 0, got {text!r}") from None
    if value < 0:
        raise ParameterError(f"--budget must be an integer >= 0, got {text!r}")
    return value


def fit_quality(net, X, y, prefix: str) -> dict:
    """``{prefix}_rmse`` and ``{prefix}_r2`` (``1 − mean(r²)/var(y)``) of ``net`` on ``(X, y)``."""
    from ..verify import rmse_r2

    rmse, r2 = rmse_r2(net.predict(X), y)
    return {f"{prefix}_rmse": rmse, f"{prefix}_r2": r2}
