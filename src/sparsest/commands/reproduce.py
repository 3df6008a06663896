"""``sparsest reproduce``: re-run the paper's training experiments (Figures 17 and 20)."""

from __future__ import annotations

import argparse
import sys

from ._common import add_out_argument, add_output_flags, positive_int, print_json

HELP = "reproduce the paper's training experiments (fig17: 1-D, fig20: d = 50)"
DESCRIPTION = (
    "Train Adam, AdamW and the paper's Algorithm 1 (reweighted l1, p = 0.4, 0.7, 1.0) from the same "
    "initialization on the paper's data, and write into --out a CSV of the histories, PNG plots in "
    "the paper's style and a markdown table comparing the final sparsity with the paper's numbers. "
    "fig17: six 1-D points, active neurons (certified against the exact 1-D solver); fig20: N = 10 "
    "points in d = 50, nonzero weights and biases. Full runs take minutes (100,000 epochs per "
    "method); --quick runs a shortened version. --jobs N (local processes) or --scheduler "
    "tcp://HOST:PORT (a Dask cluster) run the seeds x methods trainings in parallel, with results "
    "identical to a serial run."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("figure", choices=["fig17", "fig20"], help="which experiment")
    add_out_argument(parser, what="output folder (created)", metavar="DIR", default="sparsest-reproduce")
    parser.add_argument("--quick", action="store_true", help="shortened run (a few seconds; for CI)")
    parser.add_argument("--seeds", type=positive_int, default=1, metavar="K", help="repeat over K seeds")
    parser.add_argument(
        "--epochs", type=positive_int, default=None, metavar="N", help="epochs per run (default: 100000)"
    )
    parser.add_argument(
        "--mode",
        choices=["paper", "consistent"],
        default="paper",
        help="Algorithm 1 fidelity: 'paper' = the published code, 'consistent' = knot-preserving prox",
    )
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="run the seeds x methods trainings in N local processes (-1: one per core); same results",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the trainings on a Dask cluster (tcp://HOST:PORT; pip install 'sparsest[dask]'), or "
        "'ray' for Ray's joblib backend",
    )
    add_output_flags(parser, seed=True, seed_default=20)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or -1, got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or -1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from .. import reproduce as rp
    from ..parallel import check_scheduler

    check_scheduler(args.scheduler)

    overrides = {"seeds": args.seeds, "seed": args.seed, "mode": args.mode, "device": args.device}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    cfg = rp.config(args.figure, quick=args.quick, **overrides)
    rp.prepare_out_dir(args.out)
    res = rp.run(cfg, progress=not args.quiet and not args.json, n_jobs=args.jobs, scheduler=args.scheduler)
    paths = rp.write_outputs(res, args.out)
    if args.json:
        summary = rp.summary_dict(res)
        summary["files"] = paths
        print_json(summary)
        return 0
    if not args.quiet:
        for r in res.runs:
            for msg in r.warnings:
                print(f"sparsest reproduce: note: seed {r.seed}: {msg}", file=sys.stderr)
    sys.stdout.write(rp.table_markdown(res))
    sys.stdout.write("\nfiles:\n" + "".join(f"  {p}\n" for p in paths.values()))
    return 0
