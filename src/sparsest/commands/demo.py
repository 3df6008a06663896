"""``sparsest demo``: the paper's six points, solved exactly (and, once they exist, trained), with a plot.

The demo runs a list of *methods* on the paper's 1-D data and shows them side by side (neurons,
max residual, seconds) in a table and in one PNG. Each method is a function
``(x, y, seed, args) -> DemoRun``. :func:`demo_methods` returns the list; the exact solver is always
first (it is the referee). To add the ``sparsest`` trainer and the paper's Algorithm 1, append
their runners in :func:`demo_methods` — nothing else changes. Budget: the whole demo must finish
in under 60 s on a laptop CPU, with no arguments and no network access.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._common import add_out_argument, add_output_flags, fmt_array, formula_1d, print_json

HELP = "solve the paper's built-in 1-D data side by side and write a plot (no arguments needed)"
DESCRIPTION = """\
The paper's six points x = (-2, -1, 0, 1, 2, 3), y = (0, 0, 1, 1, 0, 0): the exact sparsest
interpolant (three neurons: (x+1)_+ - 2(x-0.5)_+ + (x-2)_+), its lp costs and the threshold p*,
next to every available training method, with a PNG plot of all of them; then the same points with
a tolerance (y +- 0.3: one knot is enough, 'sparsest exact --tol'), in a second panel."""

#: the demo's tolerance: within ±0.3 of the paper's points one knot suffices (a tent); the fewest
#: knots drop from 3 (interpolation, and still at ±0.2) to 1 at ±0.25, and to 0 (a line) at ±0.5
DEMO_TOL = 0.3
DEMO_TOLS = (0.1, 0.2, DEMO_TOL, 0.5)


@dataclass
class DemoRun:
    """One method's result on the demo data."""

    label: str
    network: Any  # ReLUNetwork
    seconds: float
    n_neurons: int
    max_residual: float
    note: str = ""
    extra: dict = field(default_factory=dict)


def _run_exact(x, y, seed: int, args) -> DemoRun:
    from ..exact import p_star, solve_1d

    t0 = time.perf_counter()
    res = solve_1d(x, y, 0.0)
    seconds = time.perf_counter() - t0
    ps = p_star(x, y)
    return DemoRun(
        label="exact (1-D dynamic program)",
        network=res.network,
        seconds=seconds,
        n_neurons=res.n_neurons,
        max_residual=res.max_residual,
        note=res.status,
        extra={"result": res, "p_star": ps},
    )


def _run_sparsest(x, y, seed: int, args) -> DemoRun:
    import warnings

    from ..train.engine import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = train(x, y, method="sparsest", seed=seed, progress=not (args.quiet or args.json))
    return DemoRun(
        label="sparsest trainer",
        network=res.network,
        seconds=res.seconds,
        n_neurons=res.n_active,
        max_residual=res.max_residual,
        note="exact fit" if res.converged else "no exact fit",
    )


#: Algorithm 1 runs this many of the paper's 100,000 epochs in the demo (about 15 s on a laptop)
ALG1_DEMO_EPOCHS = 20_000


def _run_algorithm1(x, y, seed: int, args) -> DemoRun:
    import warnings

    from ..train.engine import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it does not fit exactly: that is the point of the comparison
        res = train(
            x,
            y,
            method="reweighted",
            mode="paper",
            p=0.4,
            seed=20,
            epochs=ALG1_DEMO_EPOCHS,
            early_stop=False,
            progress=not (args.quiet or args.json),
        )
    return DemoRun(
        label=f"Algorithm 1 (p=0.4, {ALG1_DEMO_EPOCHS:,} epochs)",
        network=res.network,
        seconds=res.seconds,
        n_neurons=res.n_active,
        max_residual=res.max_residual,
        note="the paper's method; it needs ~95,000 epochs to reach 3 neurons",
    )


def demo_methods() -> list[tuple[str, Callable[..., DemoRun]]]:
    """The methods the demo runs, in order: ``(key, runner)``; the exact solver first.

    Hook for the training issues: append e.g. ``("sparsest", _run_sparsest)`` (the trainer, default
    settings, ``seed``) and ``("reweighted", _run_algorithm1)`` (the paper's Algorithm 1, p = 0.4,
    paper settings; shortened so the demo stays under 60 s). Runners should show a progress bar
    via :func:`sparsest.commands._common.progress` (silenced by ``--quiet``).
    """
    return [("exact", _run_exact), ("sparsest", _run_sparsest), ("reweighted", _run_algorithm1)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_out_argument(parser, what="plot file to write", metavar="PNG", default="sparsest-demo.png")
    add_output_flags(parser, seed=True)


def run(args: argparse.Namespace) -> int:
    from .._io import check_output_path
    from ..data import paper_1d

    check_output_path(args.out)
    x, y = paper_1d()
    runs = [runner(x, y, args.seed, args) for _, runner in demo_methods()]
    exact = runs[0]
    res, ps = exact.extra["result"], exact.extra["p_star"]
    costs = {f"{p:g}": res.lp_cost(p) for p in (0.0, 0.4, 0.7, 1.0)}
    tube, ladder = _tolerance(x, y)
    _plot(x, y, runs, args.out, tube)
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
                "methods": [
                    {
                        "method": key,
                        "label": r.label,
                        "n_neurons": r.n_neurons,
                        "max_residual": r.max_residual,
                        "seconds": r.seconds,
                        "note": r.note,
                    }
                    for (key, _), r in zip(demo_methods(), runs, strict=True)
                ],
                "tolerance": {
                    "tol": DEMO_TOL,
                    "n_neurons": tube.n_neurons,
                    "knots": tube.knots,
                    "jumps": tube.jumps,
                    "slope": tube.slope,
                    "intercept": tube.intercept,
                    "max_violation": tube.max_violation,
                    "max_residual": tube.max_residual,
                    "rmse": tube.rmse,
                    "fewest_knots_by_tol": {f"{t:g}": n for t, n in ladder},
                },
                "plot": args.out,
            }
        )
        return 0
    w = sys.stdout.write
    w("sparsest demo: the paper's six points x = (-2, -1, 0, 1, 2, 3), y = (0, 0, 1, 1, 0, 0)\n\n")
    w(f"exact sparsest interpolant ({res.status}, {exact.seconds * 1e3:.2f} ms):\n")
    w(f"  f(x) = {formula_1d(res.knots, res.jumps, res.slope, res.intercept)}\n")
    w(f"  neurons {res.n_neurons}, knots {fmt_array(res.knots)}, jumps {fmt_array(res.jumps)}\n")
    w(f"  max |f(x_i) - y_i| = {res.max_residual:.2g} (float64 re-check)\n")
    w("  lp path norm: " + ", ".join(f"p={k}: {v:.4f}" for k, v in costs.items()) + "   (= 2 + 2^p)\n")
    w(f"  p* = {ps.p_star:g} ({ps.reason}): every lp optimum with p < p* is this network\n\n")
    width = max(len(r.label) for r in runs)
    w(f"  {'method':<{width}}  neurons  max |f(x_i) - y_i|   seconds\n")
    for r in runs:
        w(f"  {r.label:<{width}}  {r.n_neurons:>7}  {r.max_residual:>18.2g}  {r.seconds:>8.3g}\n")
    by_key = dict(zip((k for k, _ in demo_methods()), runs, strict=True))
    if "sparsest" in by_key and "reweighted" in by_key:
        sp, a1 = by_key["sparsest"], by_key["reweighted"]
        w(
            f"\n  sparsest trainer: {sp.n_neurons} neurons, {sp.note}, {sp.seconds:.1f} s. Algorithm 1 after "
            f"{ALG1_DEMO_EPOCHS:,} epochs ({a1.seconds:.1f} s):\n  {a1.n_neurons} neurons, max residual "
            f"{a1.max_residual:.1e}; it needs ~95,000 epochs to reach 3 neurons and fits only\n"
            "  approximately.\n"
        )
    w("\nwithin a tolerance (sparsest exact --tol EPS): fewest knots with |f(x_i) - y_i| <= EPS\n")
    w("  " + ", ".join(f"EPS = {t:g}: {n}" for t, n in ladder) + "\n")
    w(
        f"  EPS = {DEMO_TOL:g}: f(x) = {formula_1d(tube.knots, tube.jumps, tube.slope, tube.intercept)}"
        f" ({tube.n_neurons} knot, {tube.status}; max |f(x_i) - y_i| = {tube.max_residual:.3g})\n"
    )
    w(f"\nplot written to {args.out}\n")
    return 0


def _tolerance(x, y):
    """The fewest-knot fit within ±DEMO_TOL and the fewest knots for each of DEMO_TOLS."""
    from ..exact.tube1d import solve_tube_1d
    from ..targets import Targets

    ladder = [(t, solve_tube_1d(x, Targets.tolerance(y, t)).fewest_knots) for t in DEMO_TOLS]
    return solve_tube_1d(x, Targets.tolerance(y, DEMO_TOL)), ladder


def _plot(x, y, runs: list[DemoRun], path, tube) -> None:
    from ..plotting import new_figure, plot_function_1d, plot_targets_1d, save_figure

    fig, axes = new_figure(1, 2, size=(7.0, 4.8))
    plot_function_1d(
        axes[0, 0],
        x,
        y,
        [(r.label, r.network) for r in runs],
        title="Sparsest ReLU interpolant of the paper's data",
        legend_ncol=2,
    )
    ax = axes[0, 1]
    plot_function_1d(
        ax,
        x,
        None,
        [
            (f"fewest knots within ±{DEMO_TOL:g}", tube.network),
            ("exact sparsest interpolant", runs[0].network),
        ],
        title=f"Within ±{DEMO_TOL:g} of the data: {tube.n_neurons} knot instead of {runs[0].n_neurons}",
        legend_ncol=2,
    )
    plot_targets_1d(ax, x, tube.targets, legend_ncol=2)
    fig.tight_layout()
    save_figure(fig, path)
