"""Seconds per epoch of Algorithm 1 (reweighted ℓ1 prox) and Adam in the paper's two settings.

Run from the repository root::

    PYTHONPATH=src python benchmarks/algorithm1.py [--epochs 3000] [--device cpu]

Prints one line per (setting, method): seconds/epoch and the projected time of a 100,000-epoch
run. Logging every 100 epochs is included (as in ``sparsest reproduce``).
"""

from __future__ import annotations

import argparse
import time
import warnings

from sparsest.data import paper_1d, paper_50d
from sparsest.errors import ConvergenceWarning
from sparsest.train.engine import train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3000)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    x, y = paper_1d()
    settings = {"1-D (N=6, K=80)": (x, y), "d=50 (N=10, K=100)": paper_50d()}
    print(f"{'setting':<20} {'method':<18} {'ms/epoch':>9} {'100k epochs (s)':>16}")
    for name, (X, Y) in settings.items():
        for label, method, kw in [
            ("adam", "adam", {}),
            ("reweighted p=0.4", "reweighted", {"p": 0.4}),
        ]:
            # warm up (imports, allocator, fused kernels)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                train(X, Y, method, epochs=50, progress=False, mode="paper", device=args.device, **kw)
                t = time.perf_counter()
                train(
                    X,
                    Y,
                    method,
                    epochs=args.epochs,
                    log_every=100,
                    early_stop=False,
                    progress=False,
                    mode="paper",
                    device=args.device,
                    **kw,
                )
                dt = (time.perf_counter() - t) / args.epochs
            print(f"{name:<20} {label:<18} {dt * 1e3:>9.3f} {dt * 1e5:>16.1f}")


if __name__ == "__main__":
    main()
