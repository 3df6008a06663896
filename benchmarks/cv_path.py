"""Benchmark: ``sparsest path --cv`` on Friedman #1, serial, in local processes and on a Dask cluster.

Data: :func:`sklearn.datasets.make_friedman1` (``N = 1000``, 10 inputs of which 5 matter, noise 1.0,
``random_state = 0``), split 70/30 (the first 700 rows train, the last 300 test). The command is
``sparsest path TRAIN.csv --cv 5 --alphas <8 log-spaced values from 0.1 to 0.001> --out MODEL`` (the
default d-D grid), run three ways: ``--jobs 1``, ``--jobs 2`` and ``--scheduler`` on a 2-worker Dask
``LocalCluster`` started here (one thread per worker process). Printed per run: wall time, the chosen
α, its nonzeros and neurons, the CV error, and the chosen model's R² on the test split; and whether
the three runs chose identical models (they must: every task is seeded from (seed, task)).

Run: ``python benchmarks/cv_path.py`` (needs the ``dask`` extra for the Dask run; ``--runs jobs1,jobs2``
skips it). ``--n``, ``--folds``, ``--alphas`` and ``--no-warm-start`` change the setting.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time

import numpy as np


def _cli(argv: list[str]) -> dict:
    from sparsest.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if code != 0:
        raise SystemExit(f"sparsest {' '.join(argv)} failed ({code}): {err.getvalue().strip()}")
    return json.loads(out.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--alphas", default=",".join(f"{a:.6g}" for a in np.geomspace(0.1, 1e-3, 8)))
    ap.add_argument("--runs", default="jobs1,jobs2,dask2", help="comma-separated: jobs1, jobs2, dask2")
    ap.add_argument("--no-warm-start", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from sklearn.datasets import make_friedman1

    from sparsest.modelfile import load_model

    X, y = make_friedman1(n_samples=args.n, noise=1.0, random_state=0)
    n_train = round(0.7 * args.n)
    tmp = tempfile.mkdtemp(prefix="sparsest-cv-bench-")
    train_csv = os.path.join(tmp, "friedman1_train.csv")
    header = ",".join([f"x{i}" for i in range(X.shape[1])] + ["y"])
    np.savetxt(train_csv, np.c_[X[:n_train], y[:n_train]], delimiter=",", header=header, comments="")
    Xte, yte = X[n_train:], y[n_train:]
    base = ["path", train_csv, "--cv", str(args.folds), "--alphas", args.alphas, "--seed", str(args.seed)]
    base += ["--json", "--quiet"] + (["--no-warm-start"] if args.no_warm_start else [])
    print(
        f"Friedman #1: N = {args.n} ({n_train} train / {args.n - n_train} test), 10 inputs, noise 1.0; "
        f"{args.folds} folds x {len(args.alphas.split(','))} alphas ({args.alphas}); "
        f"{'cold starts' if args.no_warm_start else 'warm-started path'}; {os.cpu_count()} CPU(s)"
    )
    print(
        f"{'run':<8}{'wall s':>9}{'alpha':>9}{'nonzeros':>10}{'neurons':>9}{'CV MSE':>9}{'test R2':>9}"
        "  backend"
    )
    results = {}
    for run in args.runs.split(","):
        model = os.path.join(tmp, f"model_{run}.json")
        cluster = None
        if run == "jobs1":
            extra = ["--jobs", "1"]
        elif run == "jobs2":
            extra = ["--jobs", "2"]
        elif run == "dask2":
            from distributed import LocalCluster

            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
            )
            extra = ["--scheduler", cluster.scheduler_address]
        else:
            sys.exit(f"unknown run {run!r}")
        try:
            t0 = time.perf_counter()
            res = _cli([*base, *extra, "--out", model])
            wall = time.perf_counter() - t0
        finally:
            if cluster is not None:
                cluster.close()
        pred = load_model(model).predict(Xte)
        r2 = 1.0 - float(np.mean((pred - yte) ** 2) / np.var(yte))
        results[run] = res
        print(
            f"{run:<8}{wall:>9.1f}{res['chosen']:>9.3g}{res['n_nonzero']:>10d}{res['n_neurons']:>9d}"
            f"{res['cv_error']:>9.3f}{r2:>9.3f}  {res['backend']} ({len(res['workers'])} worker(s))",
            flush=True,
        )
    rows = [json.dumps(r["rows"], sort_keys=True) for r in results.values()]
    print(f"identical paths and choices across runs: {len(set(rows)) == 1}")
    first = next(iter(results.values()))
    print("path (all runs): alpha, nonzeros, neurons, train MSE, CV MSE ± std")
    for r in first["rows"]:
        mark = "*" if r["chosen"] else " "
        print(
            f"  {mark} {r['value']:<9.3g}{r['n_nonzero']:>5d}{r['n_neurons']:>5d}{r['train_mse']:>9.3f}"
            f"{r['cv_error']:>9.3f} ± {r['cv_std']:.3f}"
        )


if __name__ == "__main__":
    main()
