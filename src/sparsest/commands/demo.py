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
next to every available training method, with a PNG plot of all of them."""


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


def demo_methods() -> list[tuple[str, Callable[..., DemoRun]]]:
    """The methods the demo runs, in order: ``(key, runner)``; the exact solver first.

    Hook for the training issues: append e.g. ``("sparsest", _run_sparsest)`` (the trainer, default
    settings, ``seed``) and ``("reweighted", _run_algorithm1)`` (the paper's Algorithm 1, p = 0.4,
    paper settings; shortened so the demo stays under 60 s). Runners should show a progress bar
    via :func:`sparsest.commands._common.progress` (silenced by ``--quiet``).
    """
    return [("exact", _run_exact)]


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
    _plot(x, y, runs, args.out)
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
    w(f"\nplot written to {args.out}\n")
    return 0


def _plot(x, y, runs: list[DemoRun], path) -> None:
    from ..plotting import new_figure, plot_function_1d, save_figure

    fig, axes = new_figure()
    plot_function_1d(
        axes[0, 0],
        x,
        y,
        [(r.label, r.network) for r in runs],
        title="Sparsest ReLU interpolant of the paper's data",
    )
    save_figure(fig, path)
