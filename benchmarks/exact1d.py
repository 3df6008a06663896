"""Benchmark: the exact 1-D solver's time and peak memory versus numpy's sort of the same x.

Usage::

    python benchmarks/exact1d.py [--sizes 1000 10000 100000 1000000] [--p 0 0.5] [--repeat 3]

Data: x ~ Unif[0, 1] (unsorted), y ~ N(0, 1), seed 0. Time = best of ``--repeat`` runs of
``solve_1d`` (validation, sort, DP, network construction and the float64 re-check included).
Peak memory = tracemalloc peak of one separate run (numpy allocations are traced).
Target (issue 2): N = 10^6 in under 2 s and within 30x of the sort (``ratio`` = solve / ``np.sort``).
``vs arg`` compares with ``np.argsort``, the sort the solver itself needs (it must permute ``y`` too);
on CPUs with AVX-512, NumPy ≥ 2 sorts float64 with x86-simd-sort and ``np.sort`` is several times
faster than ``np.argsort``, so ``ratio`` depends on the CPU much more than the solver does.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from sparsest.exact import p_star, solve_1d


def _best(fn, repeat):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--p", type=float, nargs="+", default=[0.0, 0.5])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pstar", action="store_true", help="also time p* (sizes <= 1e5)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    header = (
        f"{'N':>9} {'p':>4} {'sort s':>9} {'argsort s':>9} {'solve s':>9} {'ratio':>7} {'vs arg':>7} "
        f"{'peak MiB':>9} {'neurons':>9} {'status':>8}"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        x = rng.uniform(0.0, 1.0, n)
        y = rng.standard_normal(n)
        t_sort, _ = _best(lambda x=x: np.sort(x), args.repeat)
        t_arg, _ = _best(lambda x=x: np.argsort(x), args.repeat)
        solve_1d(x[:100], y[:100], 0.0)  # warm-up (first-call imports and caches)
        for p in args.p:
            t_solve, res = _best(lambda x=x, y=y, p=p: solve_1d(x, y, p), args.repeat)
            tracemalloc.start()
            solve_1d(x, y, p)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"{n:>9} {p:>4g} {t_sort:>9.4f} {t_arg:>9.4f} {t_solve:>9.4f} {t_solve / t_sort:>7.1f} "
                f"{t_solve / t_arg:>7.1f} "
                f"{peak / 2**20:>9.1f} {res.n_neurons:>9} {res.status:>8}"
            )
        if args.pstar and n <= 100_000:
            t_ps, ps = _best(lambda x=x, y=y: p_star(x, y), 1)
            print(
                f"{'':>9} p* = {ps.p_star:.7g} ({ps.reason}) in {t_ps:.3f} s, {ps.evaluations} DP evaluations"
            )
    print(f"\ninput data: {8 * 2 * args.sizes[-1] / 2**20:.1f} MiB for N = {args.sizes[-1]}")


if __name__ == "__main__":
    main()
