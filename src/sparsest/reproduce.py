"""Reproductions of the paper's training experiments (paper.md §5; Figures 17 and 20 of arXiv 2505.21791 v2).

Each figure is a :class:`FigureConfig` (``config(name, quick=...)``), a :func:`run` that trains every
method from the same initialization and returns :class:`FigureResults`, and writers: :func:`plot`
(PNGs), :func:`history_csv`, :func:`table_markdown` and :func:`write_outputs` (all of them, atomic).

* ``fig17`` — the six univariate points of §3, width 80, λ = 0.003, biases neither penalized nor
  counted, 100,000 epochs: Adam, AdamW, Algorithm 1 with p = 0.4, 0.7 and 1.0. Sparsity = active
  neurons; reference line = the true sparsest count (3, from :func:`sparsest.exact.solve_1d`).
  The final p = 0.4 network is certified against the exact solver. (The published p = 1 curve is
  a logging copy of p = 0.7; here p = 1.0 is a real run.)
* ``fig20`` — N = 10 points in d = 50 (:func:`sparsest.data.paper_50d`), width 100, λ = 0.005,
  biases penalized and counted: same methods. Sparsity = nonzero path products (weights and biases
  of active neurons); reference line = the upper bound 2N = 20 on the sparsest count (N ≤ d + 1).

``quick=True`` shortens every run (for CI); ``seeds=K`` repeats each method over seeds
``seed, seed + 1, …`` and reports mean ± std (the paper has a single seed).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._io import atomic_write
from .errors import OutputError, ParameterError

__all__ = [
    "FIGURES",
    "FigureConfig",
    "FigureResults",
    "MethodSpec",
    "Run",
    "config",
    "history_csv",
    "plot",
    "run",
    "summarize",
    "table_markdown",
    "write_outputs",
]


@dataclass(frozen=True)
class MethodSpec:
    """One curve of a figure: a label, a registered training method and its exponent ``p``."""

    label: str
    method: str
    p: float | None = None


DEFAULT_METHODS = (
    MethodSpec("Adam", "adam"),
    MethodSpec("AdamW", "adamw"),
    MethodSpec("p=0.4", "reweighted", 0.4),
    MethodSpec("p=0.7", "reweighted", 0.7),
    MethodSpec("p=1.0", "reweighted", 1.0),
)


@dataclass(frozen=True)
class FigureConfig:
    """Settings of one reproduced figure (defaults: the paper's, paper.md §5).

    Attributes
    ----------
    name : {"fig17", "fig20"}
    data : {"paper_1d", "paper_50d"}
    width, lam, eps, penalize_bias
        Network width, λ, dead-neuron threshold, whether biases are penalized and counted.
    count : {"n_active", "n_nonzero"}
        The sparsity measure plotted and compared with the paper.
    epochs, lr, seed, seeds, log_every, mode, device
        Training settings; ``seeds`` runs seeds ``seed .. seed + seeds − 1``.
    methods : tuple of MethodSpec
    snapshots : tuple of int
        Epochs whose networks are drawn (1-D only).
    paper : dict
        The paper's reported final ``count`` per method label (``None``: not reported).
    quick : bool
    """

    name: str
    title: str
    data: str
    width: int
    lam: float
    eps: float
    penalize_bias: bool
    count: str
    epochs: int = 100_000
    lr: float = 0.01
    seed: int = 20
    seeds: int = 1
    log_every: int = 100
    mode: str = "paper"
    device: str = "cpu"
    methods: tuple[MethodSpec, ...] = DEFAULT_METHODS
    snapshots: tuple[int, ...] = ()
    paper: dict = field(default_factory=dict)
    paper_notes: tuple[str, ...] = ()
    quick: bool = False

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["methods"] = [dataclasses.asdict(m) for m in self.methods]
        return out


def _snapshot_epochs(epochs: int) -> tuple[int, ...]:
    """Epochs 1, E/5, 2E/5, …, E (the paper's 1, 20k, 40k, 60k, 80k, 100k for E = 100k)."""
    return tuple(sorted({1, *(round(epochs * j / 5) for j in range(1, 6))}))


def _base_config(name: str) -> FigureConfig:
    if name == "fig17":
        return FigureConfig(
            name="fig17",
            title="1-D peak/plateau data (N = 6, width 80, λ = 0.003)",
            data="paper_1d",
            width=80,
            lam=0.003,
            eps=1e-8,
            penalize_bias=False,
            count="n_active",
            snapshots=_snapshot_epochs(100_000),
            paper={"Adam": 57, "AdamW": 46, "p=0.4": 3, "p=0.7": 4, "p=1.0": None},
            paper_notes=(
                "p=0.4 first reached 3 neurons near epoch 60k (MSE 5.5e-10).",
                "The published p=1 curve is a logging copy of p=0.7; our p=1.0 row is a real run.",
            ),
        )
    if name == "fig20":
        return FigureConfig(
            name="fig20",
            title="N = 10 points in d = 50 (width 100, λ = 0.005, biases penalized)",
            data="paper_50d",
            width=100,
            lam=0.005,
            eps=1e-6,
            penalize_bias=True,
            count="n_nonzero",
            paper={"Adam": 2100, "AdamW": 255, "p=0.4": 11, "p=0.7": 12, "p=1.0": None},
            paper_notes=(
                "p=0.4 reached 11 nonzeros by epoch 10k (MSE 7e-7); all regularized runs ended "
                "with 5 active neurons.",
                "The published p=1 curve is a logging copy of p=0.7; our p=1.0 row is a real run.",
            ),
        )
    raise ParameterError(f"figure must be one of {', '.join(FIGURES)}; got {name!r}")


#: reproducible figures
FIGURES = ("fig17", "fig20")

QUICK_EPOCHS = {"fig17": 2000, "fig20": 1500}


def config(name: str, *, quick: bool = False, **overrides) -> FigureConfig:
    """The configuration of figure ``name`` (``quick``: shortened for CI), with ``overrides``
    (any :class:`FigureConfig` field, e.g. ``seeds=5`` or ``mode="consistent"``)."""
    cfg = _base_config(name)
    if quick:
        e = QUICK_EPOCHS[name]
        cfg = dataclasses.replace(cfg, epochs=e, log_every=max(1, e // 100), quick=True)
    if "epochs" in overrides and "log_every" not in overrides:
        overrides["log_every"] = max(1, int(overrides["epochs"]) // 1000)
    unknown = set(overrides) - {f.name for f in dataclasses.fields(FigureConfig)}
    if unknown:
        raise ParameterError(f"unknown figure setting(s): {', '.join(sorted(unknown))}")
    cfg = dataclasses.replace(cfg, **overrides)
    if cfg.data == "paper_1d":
        cfg = dataclasses.replace(cfg, snapshots=_snapshot_epochs(cfg.epochs))
    for key in ("epochs", "seeds", "log_every"):
        v = getattr(cfg, key)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"{key} must be an integer >= 1, got {v!r}")
    return cfg


def _load(cfg: FigureConfig):
    from .data import paper_1d, paper_50d

    if cfg.data == "paper_1d":
        x, y = paper_1d()
        return x[:, None], y
    return paper_50d()


# ------------------------------------------------------------------------------------------ run
@dataclass
class Run:
    """One training run of a figure."""

    spec: MethodSpec
    seed: int
    result: object  # TrainResult
    warnings: list[str] = field(default_factory=list)
    warnings_other: list = field(default_factory=list, repr=False)  # (category, message) from a worker


@dataclass
class FigureResults:
    """Everything :func:`run` produced.

    Attributes
    ----------
    cfg : FigureConfig
    X : ndarray of shape (N, d)
    y : ndarray of shape (N,)
    runs : list of Run
    reference : float
        Height of the reference line (true sparsest count in 1-D, 2N in d-D).
    reference_label : str
    exact : Exact1DResult or None
        The exact sparsest interpolant (1-D).
    certificate : dict or None
        Comparison of the final p = 0.4 network (first seed) with the exact solver (1-D).
    seconds : float
    """

    cfg: FigureConfig
    X: np.ndarray
    y: np.ndarray
    runs: list
    reference: float
    reference_label: str
    exact: object = None
    certificate: dict | None = None
    seconds: float = 0.0

    def runs_of(self, label: str) -> list[Run]:
        return [r for r in self.runs if r.spec.label == label]


def run(
    cfg: FigureConfig,
    *,
    progress: bool = True,
    n_jobs: int | None = 1,
    scheduler: str | None = None,
) -> FigureResults:
    """Train every method of ``cfg`` (for every seed) and certify the 1-D result.

    ConvergenceWarnings of individual runs are recorded in :attr:`Run.warnings` (the table's
    "fits" column), not re-emitted.

    Parameters
    ----------
    cfg : FigureConfig
    progress : bool
        A progress bar on stderr (over epochs when serial, over runs when parallel).
    n_jobs : int, optional
        Local worker processes for the ``seeds × methods`` runs (``None``/1: serial, in this process;
        ``-1``: one per core).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler, or ``"ray"`` (:func:`sparsest.parallel.run_tasks`).

    Every run is one independent task whose only randomness is its seed ``cfg.seed + s`` (the paper's
    seeds, so a parallel run reproduces the serial one exactly, run for run).
    """
    import time

    X, y = _load(cfg)
    t0 = time.perf_counter()
    if cfg.data == "paper_1d":
        from .exact import solve_1d

        exact = solve_1d(X[:, 0], y, 0.0)
        reference, ref_label = float(exact.sparsest_count), f"sparsest ({exact.sparsest_count}, exact solver)"
    else:
        exact = None
        reference, ref_label = 2.0 * X.shape[0], f"upper bound 2N = {2 * X.shape[0]}"
    jobs = [(s, spec) for s in range(cfg.seeds) for spec in cfg.methods]
    if (n_jobs is None or n_jobs == 1) and scheduler is None:
        runs = _run_serial(cfg, X, y, jobs, progress)
    else:
        from .parallel import run_tasks

        tasks = [{"cfg": cfg, "spec": spec, "s": s, "X": X, "y": y} for s, spec in jobs]
        labels = [f"{cfg.name} {spec.label}, seed {cfg.seed + s}" for s, spec in jobs]
        report = run_tasks(
            _train_task,
            tasks,
            n_jobs=n_jobs,
            scheduler=scheduler,
            progress=progress,
            desc=cfg.name,
            labels=labels,
        )
        runs = report.values
        for r in runs:
            for category, message in r.warnings_other:
                warnings.warn(message, category, stacklevel=2)
    for r in runs:
        r.warnings_other = []
    out = FigureResults(cfg, X, y, runs, reference, ref_label, exact=exact, seconds=time.perf_counter() - t0)
    if exact is not None:
        out.certificate = _certify_1d(out)
    return out


def _train_task(cfg: FigureConfig, spec: MethodSpec, s: int, X: np.ndarray, y: np.ndarray) -> Run:
    """One run (a parallel task): method ``spec`` with seed ``cfg.seed + s``."""
    return _train_one(cfg, spec, s, X, y, callback=None, keep_other=True)


def _train_one(cfg, spec, s, X, y, *, callback, keep_other: bool) -> Run:
    from .errors import ConvergenceWarning
    from .train.engine import train

    seed = cfg.seed + s
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        res = train(
            X,
            y,
            spec.method,
            p=spec.p if spec.p is not None else 0.4,
            lam=cfg.lam,
            width=cfg.width,
            epochs=cfg.epochs,
            lr=cfg.lr,
            seed=seed,
            device=cfg.device,
            mode=cfg.mode,
            penalize_bias=cfg.penalize_bias,
            skip=False,
            eps=cfg.eps,
            log_every=cfg.log_every,
            early_stop=False,
            progress=False,
            callback=callback,
            snapshots=cfg.snapshots if s == 0 else (),
        )
    msgs = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    other = []
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            if keep_other:  # re-emitted by the parent process
                other.append((w.category, str(w.message)))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    run = Run(spec, seed, res, msgs)
    run.warnings_other = other
    return run


def _run_serial(cfg: FigureConfig, X, y, jobs, progress: bool) -> list[Run]:
    """The runs one after the other in this process, with a progress bar over epochs."""
    total = len(jobs) * cfg.epochs
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=cfg.name, unit="epoch", leave=False, mininterval=0.5, dynamic_ncols=True)
    runs: list[Run] = []
    try:
        for s, spec in jobs:
            if bar is not None:
                bar.set_description(f"{cfg.name} {spec.label} seed {cfg.seed + s}")
            last = [0]

            def cb(epoch, model, row, last=last):
                if bar is not None:
                    bar.update(epoch - last[0])
                    last[0] = epoch

            r = _train_one(cfg, spec, s, X, y, callback=cb, keep_other=False)
            if bar is not None:
                bar.update(r.result.epochs_run - last[0])
            runs.append(r)
    finally:
        if bar is not None:
            bar.close()
    return runs


def _certify_1d(res: FigureResults) -> dict | None:
    """Compare the first p = 0.4 run's final network with the exact sparsest interpolant."""
    from .exact import solve_1d

    runs = [r for r in res.runs if r.spec.method == "reweighted" and r.spec.p == 0.4]
    if not runs:
        return None
    r0 = runs[0]
    net = r0.result.network
    x, y = res.X[:, 0], res.y
    exact = res.exact
    exact_p = solve_1d(x, y, 0.4)
    mask = net.active_mask(res.cfg.penalize_bias)
    kn = net.subset(mask).knots_1d(merge_tol=1e-6)
    ok_count = int(mask.sum()) == exact.sparsest_count
    knot_err = (
        float(np.max(np.abs(np.sort(kn.knots) - np.sort(exact.knots))))
        if kn.n_knots == exact.knots.size
        else math.inf
    )
    jump_err = (
        float(np.max(np.abs(kn.jumps[np.argsort(kn.knots)] - exact.jumps[np.argsort(exact.knots)])))
        if kn.n_knots == exact.knots.size
        else math.inf
    )
    return {
        "seed": r0.seed,
        "sparsest_count": int(exact.sparsest_count),
        "exact_knots": exact.knots.tolist(),
        "exact_jumps": exact.jumps.tolist(),
        "n_active": int(mask.sum()),
        "is_sparsest": bool(ok_count),
        "knots": kn.knots.tolist(),
        "jumps": kn.jumps.tolist(),
        "max_knot_error": knot_err,
        "max_jump_error": jump_err,
        "max_residual": float(r0.result.max_residual),
        "lp_cost": float(net.lp_path_norm(0.4, False)),
        "exact_lp_cost": float(exact_p.cost),
    }


# ------------------------------------------------------------------------------------------ summaries
def _first(run: Run, column: str, value: float):
    row = run.result.history.first_at_most(column, value)
    return (None, None) if row is None else (int(row["epoch"]), float(row["seconds"]))


def summarize(res: FigureResults) -> list[dict]:
    """One dict per method label: final sparsity (mean, std, values over seeds), the paper's
    number, the first epoch/seconds at which the final count was reached (mean over seeds), final
    MSE and max residual (worst over seeds), active neurons, nonzeros, whether every run fit."""
    cfg = res.cfg
    out = []
    for spec in cfg.methods:
        runs = res.runs_of(spec.label)
        if not runs:
            continue
        finals = np.array([getattr(r.result, cfg.count) for r in runs], dtype=float)
        finals_abs = np.array([_count_abs(r.result.network, cfg) for r in runs], dtype=float)
        firsts = [_first(r, cfg.count, getattr(r.result, cfg.count)) for r in runs]
        ep = [f[0] for f in firsts if f[0] is not None]
        sec = [f[1] for f in firsts if f[1] is not None]
        out.append(
            {
                "label": spec.label,
                "method": spec.method,
                "p": spec.p,
                "count": cfg.count,
                "final": float(finals.mean()),
                "final_std": float(finals.std()) if finals.size > 1 else 0.0,
                "finals": finals.astype(int).tolist(),
                "final_abs": float(finals_abs.mean()),
                "final_abs_std": float(finals_abs.std()) if finals_abs.size > 1 else 0.0,
                "paper": cfg.paper.get(spec.label),
                "first_epoch": float(np.mean(ep)) if ep else None,
                "first_seconds": float(np.mean(sec)) if sec else None,
                "mse": float(max(r.result.mse for r in runs)),
                "max_residual": float(max(r.result.max_residual for r in runs)),
                "n_active": float(np.mean([r.result.n_active for r in runs])),
                "n_nonzero": float(np.mean([r.result.n_nonzero for r in runs])),
                "fits": all(not r.warnings for r in runs),
                "seconds": float(np.mean([r.result.seconds for r in runs])),
                "seeds": [r.seed for r in runs],
            }
        )
    return out


#: absolute threshold of the alternative counting rule reported next to ours (|v_k w_k,i| > ABS_ATOL)
ABS_ATOL = 1e-6


def _count_abs(net, cfg: FigureConfig) -> int:
    """The sparsity count with an absolute threshold ``|z| > ABS_ATOL`` instead of our relative one."""
    if cfg.count == "n_active":
        return net.n_active_neurons(cfg.penalize_bias, rtol=0.0, atol=ABS_ATOL)
    return net.n_nonzero(cfg.penalize_bias, rtol=0.0, atol=ABS_ATOL)


def _pm(mean: float, std: float, n: int, digits: int = 1) -> str:
    if n <= 1:
        return f"{mean:.0f}" if float(mean).is_integer() else f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def table_markdown(res: FigureResults) -> str:
    """Markdown report: final numbers vs the paper's, and (1-D) the exact-solver certificate."""
    cfg = res.cfg
    rows = summarize(res)
    what = "active neurons" if cfg.count == "n_active" else "nonzeros (weights + biases)"
    lines = [
        f"# {cfg.name}: {cfg.title}",
        "",
        f"Mode `{cfg.mode}`, {cfg.epochs:,} full-batch epochs, Adam lr {cfg.lr}, seed(s) "
        f"{', '.join(str(cfg.seed + s) for s in range(cfg.seeds))}, float64, no skip term, PyTorch "
        f"default init. Reference: {res.reference_label}.",
        "",
    ]
    if cfg.quick or cfg.epochs != 100_000:
        lines += [
            f"**Shortened run ({cfg.epochs:,} epochs): not comparable with the paper's "
            "100,000-epoch numbers.**",
            "",
        ]
    n = cfg.seeds
    head = (
        f"| method | final {what} | same, \\|z\\| > 1e-6 | paper | first reached final count: epoch | "
        "seconds | active neurons | final MSE | max abs residual | fits (tol 1e-3) | run seconds |"
    )
    lines += [head, "|" + "---|" * 11]
    for r in rows:
        paper = "—" if r["paper"] is None else f"{r['paper']}"
        fe = "—" if r["first_epoch"] is None else f"{r['first_epoch']:,.0f}"
        fs = "—" if r["first_seconds"] is None else f"{r['first_seconds']:.1f}"
        lines.append(
            f"| {r['label']} | {_pm(r['final'], r['final_std'], n)} | "
            f"{_pm(r['final_abs'], r['final_abs_std'], n)} | {paper} | {fe} | {fs} | "
            f"{_pm(r['n_active'], 0.0, 1)} | {r['mse']:.2e} | {r['max_residual']:.2e} | "
            f"{'yes' if r['fits'] else 'no'} | {r['seconds']:.1f} |"
        )
    lines += [""]
    if n > 1:
        lines += [
            f"Mean ± std over {n} seeds; MSE and residual are the worst seed; first-reached "
            "columns are means.",
            "",
        ]
    for note in cfg.paper_notes:
        lines.append(f"- Paper: {note}")
    lines.append(
        f"- Counting rule: a path product counts as nonzero when |v_k w_k,i| > 1e-6 · max |v w| "
        f"(biases {'counted' if cfg.penalize_bias else 'not counted'}); a neuron is active when one of "
        "its products is nonzero. The next column counts with the absolute rule |v_k w_k,i| > 1e-6 "
        "(our guess at the published code's rule; it matters only for the unregularized baselines, whose "
        "products decay smoothly instead of reaching zero)."
    )
    c = res.certificate
    if c is not None:
        lines += [
            "",
            "## Certificate (exact 1-D solver)",
            "",
            f"- Exact sparsest interpolant: {c['sparsest_count']} knots at "
            f"{_fmt_list(c['exact_knots'])} with jumps {_fmt_list(c['exact_jumps'])}; "
            f"ℓ0.4 optimum {c['exact_lp_cost']:.4f}.",
            f"- Reweighted p=0.4 (seed {c['seed']}) final network: {c['n_active']} active neurons "
            f"({'= the true sparsest count' if c['is_sparsest'] else 'NOT the sparsest count'}), knots "
            f"{_fmt_list(c['knots'])}, jumps {_fmt_list(c['jumps'])}.",
            (
                f"- Max knot error {c['max_knot_error']:.2e}, max jump error {c['max_jump_error']:.2e}, "
                if math.isfinite(c["max_knot_error"])
                else "- Knots not comparable with the exact solution (different number of knots), "
            )
            + f"max |f(x_i) − y_i| = {c['max_residual']:.2e} (approximate interpolation), "
            f"ℓ0.4 cost {c['lp_cost']:.4f}.",
        ]
    return "\n".join(lines) + "\n"


def _fmt_list(vals) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in vals) + ")"


def history_csv(res: FigureResults) -> str:
    """CSV of every run's history, with leading columns figure, label, method, p, seed."""
    from .train.engine import _rows_to_csv

    parts = []
    for i, r in enumerate(res.runs):
        extra = {
            "figure": res.cfg.name,
            "label": r.spec.label,
            "method": r.spec.method,
            "p": "" if r.spec.p is None else r.spec.p,
            "seed": r.seed,
        }
        parts.append(_rows_to_csv(r.result.history.rows(), extra, header=i == 0))
    return "".join(parts)


def summary_dict(res: FigureResults) -> dict:
    """JSON-ready summary (the ``--json`` output)."""
    return {
        "figure": res.cfg.name,
        "config": res.cfg.to_dict(),
        "reference": res.reference,
        "reference_label": res.reference_label,
        "methods": summarize(res),
        "certificate": res.certificate,
        "seconds": res.seconds,
    }


# ------------------------------------------------------------------------------------------ plots
_COLORS = {
    "Adam": "tab:blue",
    "AdamW": "tab:orange",
    "p=0.4": "tab:green",
    "p=0.7": "tab:red",
    "p=1.0": "tab:purple",
}


def plot(res: FigureResults, out_dir: str) -> list[str]:
    """Write the figure's PNGs into ``out_dir``; returns their paths.

    * ``{name}_sparsity.png``: sparsity (log scale) and MSE (log scale) vs epoch, one curve per
      method (mean over seeds, min–max band), the reference line dashed.
    * ``{name}_functions.png`` (1-D): the learned functions at the snapshot epochs, with the data
      and the exact sparsest interpolant.
    """
    from .plotting import new_figure, save_figure

    cfg = res.cfg
    paths = []
    fig, axes = new_figure(1, 2, size=(6.4, 4.4))
    ax, axl = axes[0, 0], axes[0, 1]
    ylabel = "active neurons" if cfg.count == "n_active" else "nonzero weights + biases"
    for spec in cfg.methods:
        runs = res.runs_of(spec.label)
        if not runs:
            continue
        color = _COLORS.get(spec.label)
        ep = runs[0].result.history["epoch"]
        n = min(len(r.result.history) for r in runs)
        C = np.array([r.result.history[cfg.count][:n] for r in runs], dtype=float)
        L = np.array([r.result.history["loss"][:n] for r in runs], dtype=float)
        ep = ep[:n]
        final = np.mean(C[:, -1])
        ax.plot(
            ep,
            np.maximum(C.mean(axis=0), 0.8),
            color=color,
            lw=1.6,
            label=f"{spec.label} (final {final:.4g})",
        )
        axl.plot(ep, np.maximum(L.mean(axis=0), 1e-300), color=color, lw=1.2, label=spec.label)
        if len(runs) > 1:
            ax.fill_between(ep, np.maximum(C.min(axis=0), 0.8), C.max(axis=0), color=color, alpha=0.15)
    ax.axhline(res.reference, color="black", ls="--", lw=1.2, label=res.reference_label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel + " (log scale)")
    ax.set_title(f"{cfg.name}: sparsity during training")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    axl.set_yscale("log")
    axl.set_xlabel("epoch")
    axl.set_ylabel("mean-squared error (log scale)")
    axl.set_title("training loss")
    axl.grid(alpha=0.3, which="both")
    axl.legend(fontsize=8)
    fig.suptitle(cfg.title + ("  [quick]" if cfg.quick else ""), fontsize=10)
    p = os.path.join(out_dir, f"{cfg.name}_sparsity.png")
    paths.append(save_figure(fig, p))
    if cfg.data == "paper_1d" and cfg.snapshots:
        paths.append(_plot_functions(res, os.path.join(out_dir, f"{cfg.name}_functions.png")))
    return paths


def _plot_functions(res: FigureResults, path: str) -> str:
    from .plotting import new_figure, save_figure

    cfg = res.cfg
    epochs = list(cfg.snapshots)
    ncols = 3
    nrows = math.ceil(len(epochs) / ncols)
    fig, axes = new_figure(nrows, ncols, size=(4.6, 3.4))
    x, y = res.X[:, 0], res.y
    span = x.max() - x.min()
    grid = np.linspace(x.min() - 0.25 * span, x.max() + 0.25 * span, 801)
    first = {spec.label: res.runs_of(spec.label)[0] for spec in cfg.methods if res.runs_of(spec.label)}
    for i, e in enumerate(epochs):
        ax = axes[i // ncols, i % ncols]
        if res.exact is not None:
            ax.plot(
                grid, res.exact.network.predict(grid), color="0.6", lw=3.0, alpha=0.5, label="exact sparsest"
            )
        for label, r in first.items():
            net = r.result.snapshots.get(e)
            if net is None:
                continue
            k = net.n_active_neurons(cfg.penalize_bias)
            ax.plot(grid, net.predict(grid), color=_COLORS.get(label), lw=1.3, label=f"{label} ({k})")
        ax.plot(x, y, "o", color="black", ms=4, zorder=10)
        ax.set_title(f"epoch {e:,}", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6.5, loc="lower center")
    for j in range(len(epochs), nrows * ncols):
        axes[j // ncols, j % ncols].axis("off")
    fig.suptitle(f"{cfg.name}: learned functions (active neurons in brackets)", fontsize=10)
    return save_figure(fig, path)


# ------------------------------------------------------------------------------------------ output
def prepare_out_dir(out_dir: str) -> str:
    """Create ``out_dir`` if needed (its parent must exist); raise :class:`OutputError` otherwise."""
    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise OutputError(f"{out_dir}: exists and is not a directory")
    parent = os.path.dirname(os.path.abspath(out_dir))
    if not os.path.isdir(parent):
        raise OutputError(f"{out_dir}: parent folder {parent} does not exist")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the folder ({exc.strerror})") from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: folder is not writable")
    return out_dir


def write_outputs(res: FigureResults, out_dir: str) -> dict[str, str]:
    """Write into ``out_dir`` (atomically, each file complete or absent): ``{name}_history.csv``,
    ``{name}_table.md``, ``{name}_summary.json``, ``{name}_networks.json`` (every final network,
    :meth:`ReLUNetwork.to_dict`) and the PNGs of :func:`plot`. Returns ``{kind: path}``."""
    out_dir = prepare_out_dir(out_dir)
    name = res.cfg.name
    paths = {
        "history": atomic_write(os.path.join(out_dir, f"{name}_history.csv"), history_csv(res)),
        "table": atomic_write(os.path.join(out_dir, f"{name}_table.md"), table_markdown(res)),
        "summary": atomic_write(
            os.path.join(out_dir, f"{name}_summary.json"),
            json.dumps(_jsonable(summary_dict(res)), indent=1, allow_nan=False) + "\n",
        ),
    }
    nets = [
        {
            "label": r.spec.label,
            "method": r.spec.method,
            "p": r.spec.p,
            "seed": r.seed,
            "network": r.result.network.to_dict(),
        }
        for r in res.runs
    ]
    paths["networks"] = atomic_write(
        os.path.join(out_dir, f"{name}_networks.json"), json.dumps(_jsonable(nets), allow_nan=False) + "\n"
    )
    for p in plot(res, out_dir):
        key = os.path.basename(p)[len(name) + 1 : -4]
        paths[key] = p
    return paths


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
