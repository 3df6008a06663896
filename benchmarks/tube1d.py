"""Benchmark: the exact 1-D tube solver, and the k-knot frontier against pwlf.

Usage::

    python benchmarks/tube1d.py [--quick] [--no-pwlf] [--sizes ...] [--repeat 3]
                                [--pwlf-n 10000] [--kmin 3] [--kmax 11] [--tol 0.15]

Data: x ~ Unif[−3, 3] (unsorted), y = sin(3x) + 0.3x + noise, seed 0; noise Unif[−0.1, 0.1] in (a)
(bounded, so the knot count within ±tol does not grow with N through ever larger Gaussian
outliers), N(0, 0.05²) in (b).

(a) ``solve_tube_1d(x, Targets.tolerance(y, tol))`` (validation, sort, solve, network, re-check) at
    N = 10^3 … 10^6 beside ``np.argsort`` of the same x: best of ``--repeat`` runs; peak memory is
    the tracemalloc peak of one separate run (numpy allocations are traced).
    Target: N = 10^6 in under 2 s and within 15x of the argsort.
(b) ``frontier_1d(x, y, kmax)`` (ε*(k) by bisection over ``tube_count_1d``, the tube solution at
    each ε*(k), least squares with k knots by variable projection from several starts; k = 0 … kmax,
    the sort included) against ``pwlf.PiecewiseLinFit(x, y).fit(k + 1)`` (pwlf's own defaults:
    differential evolution, popsize 50, L-BFGS polish; global numpy seed 0 before each fit, which
    is the generator pwlf's default ``seed=None`` draws from) for k = kmin … kmax at N = ``--pwlf-n``.
    ``our s`` is the frontier's own accounting per k (bisection steps, tube solve and least-squares
    runs spent on that k); ``total`` is the wall time of the whole frontier call (k = 0 … kmax).
    Targets: ε*(k) never above pwlf's max error (a k-knot fit cannot beat the ℓ∞ optimum), our RMSE
    within 0.5 % of pwlf's or better, ≥ 10x faster in total.

pwlf's differential evolution is slow on this multimodal curve (at N = 10^4 on a shared 2-core box:
k = 3 about 14 s, k = 7 about 8 min, growing with k); ``--pwlf-k`` runs it for a subset of k.
Time ratios are only meaningful within one run (the machine may be shared). The tube DP runs
compiled when numba (the ``fast`` extra) is installed and ``SPARSEST_NO_NUMBA`` is unset (the header
says which); run once beforehand so that numba's on-disk cache is filled and no compilation is timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc

import numpy as np
import scipy

import sparsest
from exact1d import _best  # benchmarks/ is the script's directory (on sys.path)
from sparsest.exact.frontier1d import frontier_1d
from sparsest.exact.tube1d import solve_tube_1d
from sparsest.targets import Targets


def _data(n: int, noise: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n)
    e = rng.uniform(-0.1, 0.1, n) if noise == "uniform" else rng.normal(0.0, 0.05, n)
    return x, np.sin(3.0 * x) + 0.3 * x + e


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _header(with_pwlf: bool) -> None:
    pw = "not used"
    if with_pwlf:
        try:
            import pwlf

            pw = pwlf.__version__
        except ImportError:
            pw = "not installed"
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"sparsest {sparsest.__version__}, pwlf {pw}"
    )
    from sparsest.exact import _tube_nb

    if _tube_nb.enabled():
        import numba

        print(f"tube DP: compiled (numba {numba.__version__})")
    else:
        why = "SPARSEST_NO_NUMBA set" if _tube_nb.HAVE_NUMBA else "numba not installed"
        print(f"tube DP: pure Python ({why})")
    threads = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS") if k in os.environ}
    print(
        f"machine: {platform.system()} {platform.machine()}, {_cpu()}, {os.cpu_count()} logical CPUs"
        + (f", {threads}" if threads else "")
    )
    print()


def part_a(sizes: list[int], tol: float, repeat: int) -> None:
    print(f"(a) solve_tube_1d within ±{tol:g} vs np.argsort (best of {repeat})")
    head = (
        f"{'N':>9} {'argsort s':>10} {'solve s':>9} {'ratio':>7} {'peak MiB':>9} {'knots':>6} {'max viol':>9}"
    )
    print(head)
    print("-" * len(head))
    for n in sizes:
        x, y = _data(n, "uniform")
        t_arg, _ = _best(lambda x=x: np.argsort(x), repeat)
        solve_tube_1d(x[:100], Targets.tolerance(y[:100], tol))  # warm-up
        solve_tube_1d(x[:300], Targets.tolerance(y[:300], 0.02))  # (compiles the reconstruction's kernels)
        t_solve, res = _best(lambda x=x, y=y: solve_tube_1d(x, Targets.tolerance(y, tol)), repeat)
        tracemalloc.start()
        solve_tube_1d(x, Targets.tolerance(y, tol))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{n:>9} {t_arg:>10.4f} {t_solve:>9.4f} {t_solve / t_arg:>7.1f} {peak / 2**20:>9.1f} "
            f"{res.n_neurons:>6} {res.max_violation:>9.2g}"
        )
    big = max(sizes)
    print(f"input data: {8 * 2 * big / 2**20:.1f} MiB for N = {big}; target: N = 10^6 < 2 s and ratio <= 15")
    print()


def part_b(n: int, kmin: int, kmax: int, with_pwlf: bool, pwlf_k: list[int] | None) -> None:
    x, y = _data(n, "gauss")
    frontier_1d(np.linspace(0, 1, 50), np.sin(np.linspace(0, 6, 50)), 2)  # warm-up (imports)
    t0 = time.perf_counter()
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    fr = frontier_1d(xs, ys, kmax)
    total_ours = time.perf_counter() - t0
    pw = {}
    if with_pwlf:
        import pwlf

        for k in pwlf_k if pwlf_k is not None else range(kmin, kmax + 1):
            # pwlf's default (seed=None) draws from numpy's legacy global generator: seed that one
            np.random.seed(0)  # noqa: NPY002
            t = time.perf_counter()
            model = pwlf.PiecewiseLinFit(x, y)
            model.fit(k + 1)
            dt = time.perf_counter() - t
            r = y - model.predict(x)
            pw[k] = (float(np.max(np.abs(r))), float(np.sqrt(np.mean(r**2))), dt)
            print(f"  pwlf k={k}: {dt:.1f} s", file=sys.stderr, flush=True)

    print(f"(b) k-knot fits at N = {n}: frontier_1d (k = 0 … {kmax}) vs pwlf fit(k + 1)")
    head = (
        f"{'k':>3} {'eps*(k)':>10} {'tube':>5} {'pwlf maxerr':>11} {'our L2 maxerr':>13} {'our RMSE':>10} "
        f"{'pwlf RMSE':>10} {'ratio':>8} {'our s':>7} {'pwlf s':>8}"
    )
    print(head)
    print("-" * len(head))
    worst_ratio, max_ok = 0.0, True
    for k in range(kmin, kmax + 1):
        e, rmse, mx, secs = fr.eps_star[k], fr.rmse[k], fr.max_error_l2[k], fr.seconds[k]
        tube = f"{fr.linf_count[k]}{'' if fr.linf_status[k] == 'optimal' else '!'}"
        if k in pw:
            pmax, prmse, pt = pw[k]
            ratio = rmse / prmse
            worst_ratio = max(worst_ratio, ratio)
            max_ok &= e <= pmax
            print(
                f"{k:>3} {e:>10.6f} {tube:>5} {pmax:>11.6f} {mx:>13.6f} {rmse:>10.6f} {prmse:>10.6f} "
                f"{ratio:>8.5f} {secs:>7.3f} {pt:>8.2f}"
            )
        else:
            blank = ""
            print(
                f"{k:>3} {e:>10.6f} {tube:>5} {blank:>11} {mx:>13.6f} {rmse:>10.6f} {blank:>10} {blank:>8} "
                f"{secs:>7.3f}"
            )
    print("-" * len(head))
    ours_k = float(np.sum(fr.seconds[kmin : kmax + 1]))
    line = f"total: ours {total_ours:.2f} s (frontier k = 0 … {kmax}; on k = {kmin} … {kmax}: {ours_k:.2f} s)"
    if pw:
        total_pw = sum(v[2] for v in pw.values())
        ours_pw = float(np.sum(fr.seconds[list(pw)]))
        line += (
            f", pwlf {total_pw:.1f} s (k = {', '.join(map(str, pw))}): speed-up {total_pw / total_ours:.1f}x"
        )
        line += f" (vs our seconds on those k: {total_pw / ours_pw:.1f}x)"
    print(line)
    bad = [int(k) for k in fr.k if fr.linf_status[k] != "optimal"]
    if bad:
        print(f"! tube solution at eps*(k) failed its float64 re-check (status not optimal) for k = {bad}")
    print(f"tube_count_1d calls: {fr.n_count_calls}")
    if pw:
        print(
            f"targets: eps*(k) <= pwlf max error at every k: {'yes' if max_ok else 'NO'}; "
            f"worst RMSE ratio {worst_ratio:.5f} (target <= 1.005); speed-up target >= 10x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--no-pwlf", action="store_true", help="skip pwlf (part (b) shows our side only)")
    ap.add_argument("--sizes", type=int, nargs="+", default=None, help="part (a) sizes")
    ap.add_argument("--repeat", type=int, default=3, help="part (a) repeats (best of)")
    ap.add_argument("--tol", type=float, default=0.15, help="part (a) tolerance")
    ap.add_argument("--pwlf-n", type=int, default=None, help="part (b) N (default 10000; quick 2000)")
    ap.add_argument("--kmin", type=int, default=3)
    ap.add_argument("--kmax", type=int, default=None, help="default 11 (quick 5)")
    ap.add_argument(
        "--pwlf-k", type=int, nargs="+", default=None, help="run pwlf only for these k (default: kmin … kmax)"
    )
    args = ap.parse_args()
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000])
    n_b = args.pwlf_n or (2_000 if args.quick else 10_000)
    kmax = args.kmax if args.kmax is not None else (5 if args.quick else 11)
    _header(not args.no_pwlf)
    part_a(sizes, args.tol, 1 if args.quick else args.repeat)
    part_b(n_b, args.kmin, kmax, not args.no_pwlf, args.pwlf_k)


if __name__ == "__main__":
    main()
