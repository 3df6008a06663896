"""Benchmark: penalized sparse fits on real / standard noisy data against the usual baselines.

Usage::

    python benchmarks/realdata.py [--parts pareto splits scale] [--datasets diabetes friedman1]
                                  [--alphas 0.1 0.03 ...] [--out-dir DIR] [--quick]

(a) ``pareto`` — per data set (scikit-learn's diabetes, 442 × 10; Friedman #1, ``make_friedman1``,
    N = 1000, noise 1.0, inputs 0–4 matter), one 70/30 split (``random_state=0``): test R² against
    the number of nonzero weights (including biases) of

    * ``sparsest fit --alpha A`` (our penalized mode) over an α grid, seed 0;
    * ``sparsest fit --budget K`` (our budget mode: the least-squares fit with at most K nonzeros)
      over a grid of K, seed 0 — it reaches the counts between the points a penalty selects;
    * ``LassoCV`` (5 folds; nonzeros = nonzero coefficients + the intercept);
    * ``MLPRegressor(100)`` (dense; every weight and bias counted);
    * a 64-neuron MLP trained by Adam (3,000 epochs), then *global magnitude pruning* of the path
      products ``|v_k w_kj|``, ``|v_k b_k|`` to a budget and 1,000 epochs of masked fine-tuning, at
      several budgets × seeds 0, 1, 2 (the output bias is free, which favours the baseline);
    * the paper's Algorithm 1 as a penalized fit (``method="reweighted"``, p = 0.4, width 64,
      20,000 epochs) at several λ, on standardized inputs and target.

    All baselines see standardized inputs (mean 0, std 1 from the training split); nonzeros are
    counted with :meth:`sparsest.network.ReLUNetwork.n_nonzero` (biases included) where the model
    is a ReLU network. Prints one table per data set and writes a Pareto plot (test R² against
    nonzeros, log x) ``DIR/realdata_<name>.png``.
(b) ``splits`` — how much of a single split's verdict is the split: per data set, ``--n-splits``
    70/30 splits (``random_state`` 0, 1, …), on each ``LassoCV`` and ``sparsest fit --budget K``
    (seed 0) over ``--split-budgets``. Prints test R² per split, then per budget the mean over the
    splits, the mean difference to ``LassoCV`` and on how many splits it is higher, and the same for
    the best budget of each split (chosen on the test split: an optimistic, oracle choice, which is
    what "at some α" in a single-split target measures).
(c) ``scale`` — one fit (α = 0.003) on Friedman #1 at N = 10^4 and 10^5 (all points), each in its
    own process: wall seconds and peak resident memory (``ru_maxrss``).

Times are wall seconds on this machine in one run; compare ratios only within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

ALPHAS = (0.1, 0.03, 0.01, 0.005, 0.003, 0.002, 0.001, 0.0005)
LAMBDAS = (0.1, 0.03, 0.01, 0.003)
BUDGETS = (8, 12, 16, 25, 50, 100)
OUR_BUDGETS = (4, 6, 8, 9, 10, 12, 15, 20, 25, 30)


def _data(name: str, n: int = 1000, seed: int = 0):
    from sklearn.datasets import load_diabetes, make_friedman1

    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    elif name == "friedman1":
        X, y = make_friedman1(n_samples=n, noise=1.0, random_state=seed)
    else:
        raise SystemExit(f"unknown data set {name!r}")
    return X, y


def _split(X, y, seed: int = 0):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.3, random_state=seed)


def _r2(pred, y) -> float:
    return 1.0 - float(np.mean((pred - y) ** 2)) / float(np.var(y))


def _ours(Xtr, ytr, Xte, yte, alphas, quiet: bool, budgets=()) -> list[dict]:
    from sparsest import SparseReLURegressor

    rows = []
    runs = [("alpha", a) for a in alphas] + [("budget", int(k)) for k in budgets]
    for kind, a in runs:
        t = time.perf_counter()
        m = SparseReLURegressor(**{kind: a}, random_state=0).fit(Xtr, ytr)
        rows.append(
            {
                "method": "sparsest",
                "param": f"{kind}={a:g}",
                "nonzeros": m.n_nonzero_,
                "neurons": m.n_neurons_,
                "inputs_used": [int(i) for i in m.inputs_used_],
                "train_r2": m.train_r2_,
                "test_r2": _r2(m.predict(Xte), yte),
                "seconds": time.perf_counter() - t,
            }
        )
        if not quiet:
            print("  ", _fmt_row(rows[-1]), flush=True)
    return rows


def _standardize(Xtr, Xte):
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    return (Xtr - mu) / sd, (Xte - mu) / sd


def _lasso(Xtr, ytr, Xte, yte) -> dict:
    from sklearn.linear_model import LassoCV

    Xs, Xt = _standardize(Xtr, Xte)
    t = time.perf_counter()
    m = LassoCV(cv=5, random_state=0).fit(Xs, ytr)
    return {
        "method": "LassoCV",
        "param": f"alpha={m.alpha_:.3g}",
        "nonzeros": int(np.count_nonzero(m.coef_)) + 1,
        "neurons": 0,
        "inputs_used": [int(i) for i in np.flatnonzero(m.coef_)],
        "train_r2": _r2(m.predict(Xs), ytr),
        "test_r2": _r2(m.predict(Xt), yte),
        "seconds": time.perf_counter() - t,
    }


def _mlp(Xtr, ytr, Xte, yte) -> dict:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    Xs, Xt = _standardize(Xtr, Xte)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = MLPRegressor(hidden_layer_sizes=(100,), max_iter=2000, random_state=0).fit(Xs, ytr)
    nz = sum(int(np.count_nonzero(c)) for c in m.coefs_) + sum(
        int(np.count_nonzero(b)) for b in m.intercepts_
    )
    return {
        "method": "MLP(100)",
        "param": "dense",
        "nonzeros": nz,
        "neurons": 100,
        "inputs_used": list(range(Xtr.shape[1])),
        "train_r2": _r2(m.predict(Xs), ytr),
        "test_r2": _r2(m.predict(Xt), yte),
        "seconds": time.perf_counter() - t,
    }


def _prune_runs(Xtr, ytr, Xte, yte, budgets, seeds, epochs=3000, ft=1000) -> list[dict]:
    """Global magnitude pruning of a 64-neuron MLP with masked fine-tuning (module docstring)."""
    import torch

    from sparsest.network import ReLUNetwork

    Xs, Xt = _standardize(Xtr, Xte)
    my, sy = float(ytr.mean()), float(ytr.std())
    X = torch.as_tensor(Xs)
    y = torch.as_tensor((ytr - my) / sy)
    rows = []
    for seed in seeds:
        t0 = time.perf_counter()
        g = torch.Generator().manual_seed(seed)
        d = Xs.shape[1]
        W = ((torch.rand(64, d, generator=g, dtype=torch.float64) * 2 - 1) / np.sqrt(d)).requires_grad_()
        b = ((torch.rand(64, generator=g, dtype=torch.float64) * 2 - 1) / np.sqrt(d)).requires_grad_()
        v = ((torch.rand(64, generator=g, dtype=torch.float64) * 2 - 1) / 8).requires_grad_()
        c = torch.zeros(1, dtype=torch.float64, requires_grad=True)

        def run(n, mW=None, mb=None, W=W, b=b, v=v, c=c):
            opt = torch.optim.Adam([W, b, v, c], lr=0.01)
            for _ in range(n):
                opt.zero_grad()
                loss = ((torch.relu(X @ W.T + b) @ v + c - y) ** 2).mean()
                loss.backward()
                opt.step()
                if mW is not None:
                    with torch.no_grad():
                        W.mul_(mW)
                        b.mul_(mb)

        run(epochs)
        t_dense = time.perf_counter() - t0
        state = [p.detach().clone() for p in (W, b, v, c)]
        for budget in budgets:
            t = time.perf_counter()
            with torch.no_grad():
                for p, s in zip((W, b, v, c), state, strict=True):
                    p.copy_(s)
                P = torch.cat([v[:, None].abs() * W.abs(), (v.abs() * b.abs())[:, None]], dim=1)
                thr = torch.sort(P.reshape(-1), descending=True).values[budget - 1]
                M = (P >= thr).to(torch.float64)
                mW, mb = M[:, :-1].clone(), M[:, -1].clone()
                W.mul_(mW)
                b.mul_(mb)
            run(ft, mW, mb)
            with torch.no_grad():
                net = ReLUNetwork(W.numpy().copy(), b.numpy().copy(), v.numpy().copy(), skip=False)
                pred = (net.predict(Xt) + float(c)) * sy + my
                ptr = (net.predict(Xs) + float(c)) * sy + my
            rows.append(
                {
                    "method": "prune",
                    "param": f"budget={budget},seed={seed}",
                    "nonzeros": net.n_nonzero(True),
                    "neurons": net.n_active_neurons(True),
                    "inputs_used": [int(i) for i in net.inputs_used()],
                    "train_r2": _r2(ptr, ytr),
                    "test_r2": _r2(pred, yte),
                    "seconds": t_dense + time.perf_counter() - t,
                }
            )
    return rows


def _algorithm1(Xtr, ytr, Xte, yte, lambdas, quiet: bool) -> list[dict]:
    import warnings

    from sparsest.train.engine import train

    Xs, Xt = _standardize(Xtr, Xte)
    my, sy = float(ytr.mean()), float(ytr.std())
    rows = []
    for lam in lambdas:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = train(
                Xs,
                (ytr - my) / sy,
                method="reweighted",
                p=0.4,
                lam=lam,
                width=64,
                epochs=20000,
                seed=0,
                progress=False,
                early_stop=False,
            )
        net = res.network
        rows.append(
            {
                "method": "Algorithm 1",
                "param": f"lambda={lam:g}",
                "nonzeros": net.n_nonzero(True),
                "neurons": net.n_active_neurons(True),
                "inputs_used": [int(i) for i in net.inputs_used()],
                "train_r2": _r2(net.predict(Xs) * sy + my, ytr),
                "test_r2": _r2(net.predict(Xt) * sy + my, yte),
                "seconds": time.perf_counter() - t,
            }
        )
        if not quiet:
            print("  ", _fmt_row(rows[-1]), flush=True)
    return rows


def _fmt_row(r: dict) -> str:
    used = ",".join(str(i) for i in r["inputs_used"]) if len(r["inputs_used"]) <= 10 else "all"
    return (
        f"{r['method']:<12} {r['param']:<22} {r['nonzeros']:>7} {r['neurons']:>4} {r['train_r2']:>8.4f} "
        f"{r['test_r2']:>8.4f} {r['seconds']:>8.2f}  {used}"
    )


HEADER = (
    f"{'method':<12} {'parameter':<22} {'nonzero':>7} {'neur':>4} {'train R2':>8} {'test R2':>8} "
    f"{'seconds':>8}  inputs"
)


def _pareto_plot(name: str, rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = {
        "sparsest": dict(color="C3", marker="o", ls="-", label="sparsest fit --alpha (ours)"),
        "sparsest budget": dict(color="C1", marker="v", ls=":", label="sparsest fit --budget (ours)"),
        "Algorithm 1": dict(color="C0", marker="s", ls="--", label="Algorithm 1 (reweighted, λ grid)"),
        "prune": dict(color="C2", marker="^", ls="none", alpha=0.7, label="64-MLP + magnitude pruning"),
        "LassoCV": dict(color="C4", marker="D", ls="none", label="LassoCV"),
        "MLP(100)": dict(color="C7", marker="*", ls="none", ms=12, label="MLPRegressor(100), dense"),
    }

    def series(r: dict) -> str:
        budget = r["method"] == "sparsest" and r["param"].startswith("budget")
        return "sparsest budget" if budget else r["method"]

    for method, st in styles.items():
        pts = sorted((r["nonzeros"], r["test_r2"]) for r in rows if series(r) == method)
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], **st)
    ax.set_xscale("log")
    ax.set_xlabel("nonzero weights (incl. biases), log scale")
    ax.set_ylabel("test R²")
    lo = min(0.0, min(r["test_r2"] for r in rows))
    ax.set_ylim(max(lo, -0.2), 1.0)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(f"{name}: held-out R² against nonzeros (70/30 split)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)


def _pareto(args) -> dict:
    out = {}
    for name in args.datasets:
        X, y = _data(name)
        Xtr, Xte, ytr, yte = _split(X, y)
        print(f"\n== {name}: {Xtr.shape[0]} train / {Xte.shape[0]} test points, {X.shape[1]} inputs")
        print("  ", HEADER, flush=True)
        rows = _ours(Xtr, ytr, Xte, yte, args.alphas, args.quiet, args.our_budgets)
        rows.append(_lasso(Xtr, ytr, Xte, yte))
        rows.append(_mlp(Xtr, ytr, Xte, yte))
        for r in rows[-2:]:
            print("  ", _fmt_row(r), flush=True)
        pr = _prune_runs(Xtr, ytr, Xte, yte, args.budgets, args.seeds)
        for r in pr:
            print("  ", _fmt_row(r), flush=True)
        rows += pr
        rows += _algorithm1(Xtr, ytr, Xte, yte, args.lambdas, args.quiet)
        path = os.path.join(args.out_dir, f"realdata_{name}.png")
        _pareto_plot(name, rows, path)
        print(f"   plot: {path}")
        _verdicts(name, rows)
        out[name] = rows
    return out


def _best_at_most(rows, method, budget):
    vals = [r["test_r2"] for r in rows if r["method"] == method and r["nonzeros"] <= budget]
    return max(vals) if vals else None


def _verdicts(name: str, rows: list[dict]) -> None:
    ours = sorted((r for r in rows if r["method"] == "sparsest"), key=lambda r: r["nonzeros"])
    print("   ours vs the best baseline with at most as many nonzeros (pruning best over seeds):")
    for r in ours:
        b = r["nonzeros"]
        pr = _best_at_most(rows, "prune", b)
        a1 = _best_at_most(rows, "Algorithm 1", b)
        print(
            f"     {b:>4} nonzeros: ours {r['test_r2']:.4f} | prune {'-' if pr is None else f'{pr:.4f}'} | "
            f"Algorithm 1 {'-' if a1 is None else f'{a1:.4f}'}"
        )
    # baselines' points: ours at the same or a smaller budget must be higher
    worse = []
    for r in rows:
        if r["method"] in ("prune", "Algorithm 1"):
            mine = [o["test_r2"] for o in ours if o["nonzeros"] <= r["nonzeros"]]
            if not mine or max(mine) <= r["test_r2"]:
                worse.append(f"{r['method']} {r['param']} ({r['nonzeros']} nz, R2 {r['test_r2']:.4f})")
    print(
        f"   baseline points not beaten by ours at <= their budget: {len(worse)}"
        + (": " + "; ".join(worse) if worse else "")
    )
    if name == "friedman1":
        ok = [
            o
            for o in ours
            if o["test_r2"] >= 0.93 and o["nonzeros"] <= 25 and set(o["inputs_used"]) <= set(range(5))
        ]
        print(
            f"   target R2 >= 0.93 with <= 25 nonzeros, inputs in 0..4: {'met' if ok else 'MISSED'}"
            + (f" ({ok[0]['param']}: {ok[0]['nonzeros']} nz, R2 {ok[0]['test_r2']:.4f})" if ok else "")
        )
    if name == "diabetes":
        las = next(r for r in rows if r["method"] == "LassoCV")["test_r2"]
        ok = [o for o in ours if o["test_r2"] >= las and o["nonzeros"] <= 30]
        print(
            f"   target R2 >= LassoCV ({las:.4f}) with <= 30 nonzeros: {'met' if ok else 'MISSED'}"
            + (f" ({ok[0]['param']}: {ok[0]['nonzeros']} nz, R2 {ok[0]['test_r2']:.4f})" if ok else "")
        )


def _splits(args) -> dict:
    out = {}
    for name in args.datasets:
        X, y = _data(name)
        ks = list(args.split_budgets)
        print(f"\n== {name}: {args.n_splits} splits (70/30), LassoCV vs sparsest fit --budget K (seed 0)")
        print(f"   {'split':>5} {'LassoCV':>12} " + " ".join(f"{'K=' + str(k):>7}" for k in ks))
        rows = []
        for seed in range(args.n_splits):
            Xtr, Xte, ytr, yte = _split(X, y, seed)
            las = _lasso(Xtr, ytr, Xte, yte)
            fits = _ours(Xtr, ytr, Xte, yte, (), True, ks)
            ours = {
                k: {f: r[f] for f in ("nonzeros", "inputs_used", "test_r2")}
                for k, r in zip(ks, fits, strict=True)
            }
            rows.append(
                {"split": seed, "lasso": las["test_r2"], "lasso_nonzeros": las["nonzeros"], "ours": ours}
            )
            print(
                f"   {seed:>5} {las['test_r2']:>7.4f} ({las['nonzeros']:>2}) "
                + " ".join(f"{ours[k]['test_r2']:>7.4f}" for k in ks),
                flush=True,
            )
        las = np.array([r["lasso"] for r in rows])
        print(f"   LassoCV mean test R2 {las.mean():.4f} (range {las.min():.4f} .. {las.max():.4f})")
        cols = [(f"K = {k}", np.array([r["ours"][k]["test_r2"] for r in rows])) for k in ks]
        cols.append(
            (
                "best K per split (oracle)",
                np.array([max(v["test_r2"] for v in r["ours"].values()) for r in rows]),
            )
        )
        for label, o in cols:
            print(
                f"   {label:<26} mean {o.mean():.4f}, minus LassoCV {np.mean(o - las):+.4f}, "
                f"higher on {int(np.sum(o >= las))}/{len(rows)} splits"
            )
        out[name] = rows
    return out


def _one_fit(n: int, alpha: float) -> None:
    from sparsest import SparseReLURegressor

    X, y = _data("friedman1", n=n, seed=1)
    t = time.perf_counter()
    m = SparseReLURegressor(alpha=alpha, random_state=0).fit(X, y)
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        json.dumps(
            {
                "n": n,
                "alpha": alpha,
                "seconds": secs,
                "peak_mib": peak,
                "nonzeros": m.n_nonzero_,
                "train_r2": m.train_r2_,
                "inputs_used": [int(i) for i in m.inputs_used_],
            }
        )
    )


def _scale(args) -> list[dict]:
    print("\n== scale: one fit on Friedman #1 (noise 1), alpha = 0.003, each in its own process")
    print(f"   {'N':>7} {'seconds':>9} {'peak MiB':>9} {'nonzeros':>8} {'train R2':>8}")
    rows = []
    for n in args.scale_sizes:
        cmd = [sys.executable, __file__, "--one-fit", str(n)]
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(
            f"   {n:>7} {r['seconds']:>9.1f} {r['peak_mib']:>9.0f} {r['nonzeros']:>8} {r['train_r2']:>8.4f}",
            flush=True,
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", nargs="+", choices=("pareto", "splits", "scale"), default=["pareto", "scale"])
    ap.add_argument("--datasets", nargs="+", default=["friedman1", "diabetes"])
    ap.add_argument("--alphas", nargs="+", type=float, default=list(ALPHAS))
    ap.add_argument("--lambdas", nargs="*", type=float, default=list(LAMBDAS))
    ap.add_argument("--budgets", nargs="*", type=int, default=list(BUDGETS), help="pruning budgets")
    ap.add_argument(
        "--our-budgets", nargs="*", type=int, default=list(OUR_BUDGETS), help="sparsest fit --budget K grid"
    )
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    ap.add_argument("--n-splits", type=int, default=10, help="splits of the splits part")
    ap.add_argument("--split-budgets", nargs="+", type=int, default=[4, 6, 8, 10, 12, 15, 20])
    ap.add_argument("--scale-sizes", nargs="+", type=int, default=[10_000, 100_000])
    ap.add_argument("--out-dir", default=".")
    ap.add_argument("--json", default=None, help="also write all rows to this JSON file")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument(
        "--quick", action="store_true", help="3 alphas, 2 lambdas, 2 budgets, 1 seed, N = 10^4 only"
    )
    ap.add_argument("--one-fit", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_fit is not None:
        _one_fit(args.one_fit, 0.003)
        return
    if args.quick:
        args.alphas, args.lambdas, args.budgets, args.seeds = [0.01, 0.003, 0.001], [0.1, 0.01], [12, 50], [0]
        args.our_budgets = [8, 10, 20]
        args.scale_sizes = [10_000]
    import sparsest

    print(
        f"sparsest {sparsest.__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}"
    )
    res = {}
    if "pareto" in args.parts:
        res["pareto"] = _pareto(args)
    if "splits" in args.parts:
        res["splits"] = _splits(args)
    if "scale" in args.parts:
        res["scale"] = _scale(args)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(res, fh, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
