"""Plots (matplotlib with the Agg backend; every file is written atomically).

* :func:`plot_model_1d` — a univariate network: its function, knots annotated with their slope
  jumps, the data, and optionally other networks for comparison (e.g. the exact sparsest one);
  with :class:`~sparsest.targets.Targets`, the band ``lo_i ≤ f(x_i) ≤ hi_i`` (or, for class
  margins, the labelled points at ``±1`` and the margin lines) instead of bare data points
  (:func:`plot_targets_1d`).
* :func:`plot_model_nd` — a multivariate network: the heatmap of its path products
  ``v_k·[w_k; b_k]`` (active neurons × (d inputs + bias)), and the residual of every data point.
* :func:`plot_history` — training histories: sparsity (active neurons, nonzero weights) and loss
  against the epoch on log scales, one line per method (:func:`load_history` reads the CSV).

The building blocks (:func:`plot_function_1d`, :func:`plot_weight_pattern`, :func:`plot_residuals`)
draw into a given matplotlib ``Axes``; :func:`new_figure` / :func:`save_figure` make and save figures.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence

import numpy as np

from ._io import atomic_path
from .errors import DataError
from .network import DEFAULT_ATOL, DEFAULT_RTOL, ReLUNetwork

__all__ = [
    "HISTORY_COLUMNS",
    "load_history",
    "new_figure",
    "plot_function_1d",
    "plot_history",
    "plot_model_1d",
    "plot_model_nd",
    "plot_residuals",
    "plot_targets_1d",
    "plot_weight_pattern",
    "save_figure",
]

#: Columns of a training-history CSV (``method`` optional; at least one sparsity column needed).
HISTORY_COLUMNS = ("epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds", "method")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows: int = 1, ncols: int = 1, *, size=(7.0, 4.5), **kwargs):
    """A figure and its axes (``squeeze=False``: ``axes`` has shape (nrows, ncols))."""
    plt = _plt()
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False, **kwargs
    )
    return fig, axes


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 120) -> str:
    """Save ``fig`` to ``path`` atomically and close it. Returns the path.

    The format follows the extension (``.png``, ``.pdf``, ``.svg``, ...; none: PNG).
    """
    plt = _plt()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(
                tmp, dpi=dpi, bbox_inches="tight", format=os.path.splitext(os.fspath(path))[1][1:] or "png"
            )
    finally:
        plt.close(fig)
    return os.fspath(path)


# ---------------------------------------------------------------------------------- 1-D


def plot_function_1d(
    ax,
    x: np.ndarray | None,
    y: np.ndarray | None,
    curves: Sequence[tuple[str, ReLUNetwork]],
    *,
    title: str | None = None,
    margin: float = 0.25,
    annotate_jumps: bool = True,
    legend_ncol: int = 3,
) -> None:
    """Data points, one or more univariate networks, and their knots with jump sizes.

    Parameters
    ----------
    ax : matplotlib Axes
    x, y : ndarray of shape (N,), or None
        Data points (``x`` None: no data, the range is taken from the knots; ``y`` None: ``x``
        sets the range, no points are drawn — e.g. when :func:`plot_targets_1d` drew them).
    curves : sequence of (label, network)
        Univariate networks. The first curve's knots are annotated with their jumps.
    title : str, optional
    margin : float
        Fraction of the data (or knot) range added on each side.
    annotate_jumps : bool
    legend_ncol : int
        Columns of the legend below the axes.
    """
    if x is not None:
        x = np.asarray(x, dtype=float).reshape(-1)
        y = None if y is None else np.asarray(y, dtype=float).reshape(-1)
        lo, hi = float(x.min()), float(x.max())
    else:
        ks = np.concatenate([net.knots_1d().knots for _, net in curves] or [np.zeros(0)])
        lo, hi = (float(ks.min()), float(ks.max())) if ks.size else (-1.0, 1.0)
    span = hi - lo if hi > lo else max(1.0, abs(lo))
    grid = np.linspace(lo - margin * span, hi + margin * span, 1201)
    styles = ["-", "--", "-.", ":"]
    for i, (label, net) in enumerate(curves):
        kv = net.knots_1d()
        inside = (kv.knots >= grid[0]) & (kv.knots <= grid[-1])
        grid_i = np.union1d(grid, kv.knots[inside])
        (line,) = ax.plot(
            grid_i,
            net.predict(grid_i),
            styles[i % len(styles)],
            lw=2.2 - 0.4 * min(i, 3),
            label=f"{label} ({kv.n_knots} knot{'s' if kv.n_knots != 1 else ''}"
            + (_jump_note(kv.n_knots) if annotate_jumps and i == 0 else ")"),
            zorder=2 + i,
        )
        ks, js = kv.knots[inside], kv.jumps[inside]
        fk = net.predict(ks) if ks.size else ks
        ax.plot(ks, fk, "D", color=line.get_color(), ms=7 - i, mfc="white", mew=1.5, zorder=5 + i)
        if annotate_jumps and i == 0:
            _annotate_jumps(ax, ks, js, fk, grid[-1] - grid[0], line.get_color())
    if x is not None and y is not None:
        ax.plot(x, y, "o", color="black", ms=5, label="data", zorder=10)
    ax.margins(x=0.02, y=0.2)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.grid(alpha=0.3)
    _legend(ax, legend_ncol)
    if title:
        ax.set_title(title, fontsize=10)


def _legend(ax, ncol: int = 3) -> None:
    """The legend of a 1-D function plot, below the axes (redrawn when more entries are added)."""
    n_entries = len(ax.get_legend_handles_labels()[1])
    ax.legend(
        fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=min(ncol, n_entries), frameon=False
    )


def _jump_note(n: int, max_labels: int = 12) -> str:
    if n == 0:
        return ")"
    return ", slope jumps labelled)" if n <= max_labels else f", largest {max_labels} slope jumps labelled)"


def _annotate_jumps(ax, ks, js, fk, span: float, color, max_labels: int = 12) -> None:
    """Label knots with their slope jumps: above for concave kinks, below for convex ones; knots
    closer than 8% of the plotted range are staggered; at most ``max_labels`` (the largest |jump|)."""
    idx = np.arange(ks.size)
    if ks.size > max_labels:
        idx = np.sort(np.argsort(-np.abs(js), kind="stable")[:max_labels])
    last = {1: -np.inf, -1: -np.inf}
    level = {1: 0, -1: 0}
    for k in idx:
        side = 1 if js[k] < 0 else -1
        level[side] = level[side] + 1 if ks[k] - last[side] < 0.08 * span else 0
        last[side] = ks[k]
        ax.annotate(
            f"{js[k]:+.3g}",
            (ks[k], fk[k]),
            textcoords="offset points",
            xytext=(0, side * (11 + 11 * level[side]) - (6 if side < 0 else 0)),
            ha="center",
            fontsize=8,
            color=color,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=20,
        )


def plot_model_1d(
    net: ReLUNetwork,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    compare: Sequence[tuple[str, ReLUNetwork]] = (),
    label: str = "model",
    title: str | None = None,
    targets=None,
):
    """Figure of a univariate network (see :func:`plot_function_1d`). Returns the figure.

    Parameters
    ----------
    net : ReLUNetwork with d = 1
    x, y : ndarray of shape (N,), optional
        Data to show (and to compute the max residual for the title).
    compare : sequence of (label, network)
        Further networks drawn dashed, e.g. ``[("exact sparsest", solve_1d(x, y).network)]``.
    targets : Targets, optional
        Per-point bounds at ``x`` (:mod:`sparsest.targets`), drawn by :func:`plot_targets_1d`
        instead of the bare data points; the title then gives the max violation.
    """
    fig, axes = new_figure()
    if title is None:
        kv = net.knots_1d()
        title = f"{label}: {kv.n_knots} knot(s), {net.n_active_neurons()} active neuron(s)"
        if x is not None and targets is not None and not targets.is_interpolation:
            viol = float(np.max(targets.violation(net.predict(np.asarray(x, float)))))
            title += f", {targets.describe()}, max violation {viol:.2g}"
        elif x is not None:
            title += f", max |f(x_i) - y_i| = {net.max_residual(np.asarray(x, float), y):.2g}"
    ax = axes[0, 0]
    if x is not None and targets is not None and not targets.is_interpolation:
        plot_function_1d(ax, x, None, [(label, net), *compare], title=title)
        plot_targets_1d(ax, x, targets)
    else:
        plot_function_1d(ax, x, y, [(label, net), *compare], title=title)
    fig.tight_layout()
    return fig


def plot_targets_1d(ax, x: np.ndarray, targets, *, color: str = "tab:blue", legend_ncol: int = 3) -> None:
    """Draw per-point bounds ``lo_i ≤ f(x_i) ≤ hi_i`` at univariate inputs.

    Tolerances and bounds: a shaded band through the bounds (linear between neighbouring points
    whose bounds are both finite: a visual aid only, the bounds hold at the data), a vertical bar
    per point, and the target ``y`` as dots when there is one. Class margins: the labelled points
    at ``t = +1`` (up triangles) and ``t = −1`` (down triangles), the margin lines ``f = ±1`` and the
    decision level ``f = 0``. An infinite side is a bar to the edge of the plot with an arrow head;
    call this after the curves are drawn, so that the edge is theirs (the y-limits are kept).

    Parameters
    ----------
    ax : matplotlib Axes
    x : ndarray of shape (N,)
    targets : Targets
        With ``N`` points.
    color : str
        Colour of the band (tolerances / bounds).
    legend_ncol : int
        Columns of the (redrawn) legend below the axes.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    order = np.argsort(x, kind="stable")
    xs, lo, hi = x[order], targets.lo[order], targets.hi[order]
    yref = None if targets.y is None else targets.y[order]
    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    few = xs.size <= 60
    if targets.kind == "classification":
        pos = yref > 0
        neg_v, pos_v = targets.classes
        for level in (1.0, -1.0):
            ax.axhline(level, ls=":", color="0.35", lw=1, zorder=1)
        ax.axhline(0.0, ls="-", color="0.6", lw=0.8, zorder=1)
        groups = [
            (pos, "tab:green", "^", 1.0, f"class {pos_v:g}: f(x) >= 1"),
            (~pos, "tab:red", "v", -1.0, f"class {neg_v:g}: f(x) <= -1"),
        ]
        for mask, col, marker, level, label in groups:
            ax.plot(
                xs[mask],
                np.full(int(mask.sum()), level),
                marker,
                color=col,
                ms=8 if few else 5,
                mec="black",
                mew=0.6,
                label=label,
                zorder=10,
            )
        bar_color = {True: "tab:green", False: "tab:red"}
    else:
        both = fin_lo & fin_hi
        seg = both[:-1] & both[1:] if xs.size > 1 else both
        if np.any(seg):
            band = f"within ±{targets.tol:.3g} of y" if targets.kind == "tolerance" else "bounds"
            ax.fill_between(
                xs,
                np.where(both, lo, 0.0),
                np.where(both, hi, 0.0),
                where=both,
                interpolate=False,
                color=color,
                alpha=0.15,
                lw=0,
                zorder=0,
                label=band,
            )
        ax.vlines(xs[both], lo[both], hi[both], color=color, alpha=0.55, lw=1.2 if few else 0.6, zorder=1)
        if few:
            ax.plot(xs[fin_lo], lo[fin_lo], "_", color=color, ms=8, zorder=1)
            ax.plot(xs[fin_hi], hi[fin_hi], "_", color=color, ms=8, zorder=1)
        if yref is not None:
            ax.plot(xs, yref, "o", color="black", ms=4 if few else 2.5, label="data (y)", zorder=10)
        bar_color = {True: color, False: color}
    # infinite sides: bars to the current edge of the plot, with an arrow head there
    ax.autoscale_view()
    bottom, top = ax.get_ylim()
    up, down = fin_lo & ~fin_hi, ~fin_lo & fin_hi
    if targets.kind == "classification":
        up, down = yref > 0, yref < 0
    for mask, start, edge, marker, key in ((up, lo, top, "^", True), (down, hi, bottom, "v", False)):
        if np.any(mask):
            ax.vlines(
                xs[mask], start[mask], edge, color=bar_color[key], alpha=0.35, lw=2.5 if few else 1, zorder=1
            )
            ax.plot(
                xs[mask],
                np.full(int(mask.sum()), edge),
                marker,
                color=bar_color[key],
                ms=6 if few else 3,
                alpha=0.6,
                zorder=1,
                clip_on=False,
            )
    none = ~fin_lo & ~fin_hi
    if np.any(none):
        ax.vlines(xs[none], bottom, top, color=color, alpha=0.15, lw=1, zorder=0)
    ax.set_ylim(bottom, top)
    _legend(ax, legend_ncol)


# ---------------------------------------------------------------------------------- d-D


def plot_weight_pattern(ax, net: ReLUNetwork, *, include_bias: bool = True, fig=None) -> None:
    """Heatmap of the path products ``v_k w_{k,i}`` of the active neurons (rows) by input (columns).

    The last column is the bias product ``v_k b_k`` when ``include_bias``. Entries that do not count
    as nonzero (:meth:`ReLUNetwork.n_nonzero`'s tolerance rule) are grey; the others are coloured on
    a symmetric logarithmic scale (red positive, blue negative).
    """
    from matplotlib.colors import SymLogNorm

    plt = _plt()
    P = net.path_products(include_bias)
    mask = np.abs(P) > DEFAULT_ATOL + DEFAULT_RTOL * float(np.max(np.abs(P))) if P.size else P.astype(bool)
    active = mask.any(axis=1) if P.size else np.zeros(0, bool)
    P, mask = P[active], mask[active]
    d = net.n_features
    if P.shape[0] == 0:
        ax.text(0.5, 0.5, "no active neurons", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    vmax = float(np.max(np.abs(P[mask])))
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="0.88")
    shown = np.ma.masked_where(~mask, P)
    norm = SymLogNorm(linthresh=max(vmax * 1e-3, np.finfo(float).tiny), vmin=-vmax, vmax=vmax, base=10)
    im = ax.imshow(shown, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
    ncol = P.shape[1]
    labels = [f"x{i + 1}" for i in range(d)] + (["bias"] if include_bias else [])
    if ncol <= 24:
        ax.set_xticks(range(ncol), labels, rotation=90 if ncol > 12 else 0, fontsize=8)
    else:
        ticks = [*range(0, d, max(1, d // 10)), ncol - 1]
        ax.set_xticks(ticks, [labels[t] for t in ticks], fontsize=8)
    K = P.shape[0]
    ax.set_yticks(range(K) if K <= 30 else range(0, K, max(1, K // 15)))
    ax.set_xlabel("input coordinate" + (" (last column: bias)" if include_bias else ""))
    ax.set_ylabel("active neuron")
    ax.set_title(f"path products v_k·w_ki: {K} active neuron(s), {int(mask.sum())} nonzero", fontsize=10)
    (fig or ax.figure).colorbar(im, ax=ax, label="v_k · w_ki")


def plot_residuals(ax, net: ReLUNetwork, X: np.ndarray, y: np.ndarray, *, rtol: float = 1e-9) -> None:
    """``|f(x_i) − y_i|`` per data point as stems on a log scale, green within the nominal
    interpolation tolerance ``rtol (1 + max|y|)`` (dashed line), red above it. Exact zeros are
    drawn as hollow markers on the bottom edge."""
    y = np.asarray(y, dtype=float).reshape(-1)
    r = np.abs(net.predict(X) - y)
    tol = rtol * (1.0 + float(np.max(np.abs(y))))
    floor = min(tol, float(r[r > 0].min()) if np.any(r > 0) else tol) / 100.0
    idx = np.arange(1, r.size + 1)
    shown = np.maximum(r, floor)
    colors = np.where(r <= tol, "tab:green", "tab:red")
    ax.vlines(idx, floor, shown, colors=colors, lw=2.5)
    zero = r == 0
    ax.scatter(idx[~zero], shown[~zero], c=colors[~zero], s=28, zorder=3)
    if np.any(zero):
        ax.scatter(
            idx[zero],
            shown[zero],
            facecolors="white",
            edgecolors="tab:green",
            s=28,
            zorder=3,
            label="exactly 0",
        )
    ax.axhline(tol, ls="--", color="black", lw=1, label=f"tolerance {tol:.1e}")
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, max(float(shown.max()), tol) * 5)
    ax.set_xlabel("data point")
    ax.set_ylabel("|f(x_i) - y_i|")
    ax.set_title(f"residuals: max {float(r.max()):.2g}, {int(np.sum(r > tol))} above tolerance", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3, axis="y")


def plot_model_nd(net: ReLUNetwork, X: np.ndarray | None = None, y: np.ndarray | None = None, *, title=None):
    """Figure of a multivariate network: weight pattern, plus residuals when data are given."""
    ncols = 1 if X is None else 2
    fig, axes = new_figure(1, ncols, size=(7.0, 4.8))
    plot_weight_pattern(axes[0, 0], net, include_bias=True, fig=fig)
    if X is not None:
        plot_residuals(axes[0, 1], net, X, y)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------- histories


def load_history(path: str | os.PathLike) -> dict[str, dict[str, np.ndarray]]:
    """Read a training-history CSV into ``{method: {column: array}}``.

    The CSV has a header with ``epoch`` and at least one of ``n_active``, ``n_nonzero`` (other
    columns of :data:`HISTORY_COLUMNS` are optional, unknown ones ignored). Rows are grouped by the
    ``method`` column (and by ``seed`` when that column has several values); without a ``method``
    column all rows form one run named after the file. Empty cells read as NaN.

    Raises
    ------
    DataError
        Missing/empty file, no header, missing columns, non-numeric cells.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a file")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text (CSV) file") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataError(f"{path}: the file is empty")
    header = [c.strip() for c in rows[0]]
    if "epoch" not in header or not ({"n_active", "n_nonzero"} & set(header)):
        raise DataError(
            f"{path}: not a training history (needs a header with 'epoch' and 'n_active' or 'n_nonzero', "
            f"got {', '.join(header[:8])})"
        )
    if len(rows) < 2:
        raise DataError(f"{path}: the history has no rows")
    numeric = [c for c in header if c in HISTORY_COLUMNS and c != "method"]
    groups: dict[str, dict[str, list[float]]] = {}
    seeds = (
        {r[header.index("seed")] for r in rows[1:] if len(r) == len(header)} if "seed" in header else set()
    )
    default = os.path.splitext(os.path.basename(path))[0]
    for line, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise DataError(f"{path}: row {line} has {len(r)} column(s), expected {len(header)}")
        name = r[header.index("method")].strip() if "method" in header else default
        if len(seeds) > 1:
            name += f" seed {r[header.index('seed')].strip()}"
        g = groups.setdefault(name, {c: [] for c in numeric})
        for c in numeric:
            cell = r[header.index(c)].strip()
            try:
                g[c].append(float(cell) if cell else float("nan"))
            except ValueError:
                raise DataError(f"{path}: non-numeric cell {cell!r} at row {line}, column {c!r}") from None
    out = {}
    for name, g in groups.items():
        cols = {c: np.asarray(v, dtype=float) for c, v in g.items()}
        if not np.all(np.isfinite(cols["epoch"])):
            raise DataError(f"{path}: column 'epoch' of {name!r} has empty or non-finite cells")
        order = np.argsort(cols["epoch"], kind="stable")
        out[name] = {c: v[order] for c, v in cols.items()}
    return out


def plot_history(
    histories: Mapping[str, Mapping[str, np.ndarray]],
    *,
    reference: float | None = None,
    title: str | None = None,
):
    """Sparsity and loss against the epoch, log-scale y, one line per method. Returns the figure.

    Panels: active neurons; nonzero weights (only when some run's ``n_nonzero`` differs from its
    ``n_active``); the loss (when present). Zeros are left out of log-scale panels.

    Parameters
    ----------
    histories : mapping method -> {column: ndarray of shape (T,)}
        As returned by :func:`load_history`.
    reference : float, optional
        Drawn as a dashed horizontal line (e.g. the exact sparsest count) on the nonzero-weights
        panel when it is shown, else on the active-neurons panel.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    runs = list(histories.items())
    has = {c: any(c in h for _, h in runs) for c in ("n_active", "n_nonzero", "loss")}
    panels = []
    if has["n_active"]:
        panels.append(("n_active", "active neurons"))
    if has["n_nonzero"] and (
        not has["n_active"]
        or any(
            "n_nonzero" in h
            and ("n_active" not in h or not np.array_equal(h["n_nonzero"], h["n_active"], equal_nan=True))
            for _, h in runs
        )
    ):
        panels.append(("n_nonzero", "nonzero weights"))
    if has["loss"]:
        panels.append(("loss", "training loss (MSE)"))
    # the reference belongs to the finest sparsity measure shown (nonzeros if shown, else neurons)
    ref_panel = "n_nonzero" if any(c == "n_nonzero" for c, _ in panels) else "n_active"
    fig, axes = new_figure(1, len(panels), size=(5.6, 4.2))
    for ax, (col, label) in zip(axes[0], panels, strict=True):
        for name, h in runs:
            if col not in h:
                continue
            v = np.asarray(h[col], dtype=float)
            e = np.asarray(h["epoch"], dtype=float)
            v = np.where(v > 0, v, np.nan)
            ax.plot(e, v, lw=1.6, label=name, drawstyle="steps-post" if col != "loss" else "default")
        if reference is not None and col == ref_panel:
            ax.axhline(reference, ls="--", color="black", lw=1, label=f"reference {reference:g}")
        ax.set_yscale("log")
        if col != "loss":  # counts: plain numbers 1, 2, 5, 10, 20, ... instead of 2x10^1
            lo, hi = ax.get_ylim()
            subs = (1.0, 2.0, 3.0, 4.0, 5.0, 7.0) if hi / max(lo, 1e-300) < 150 else (1.0, 2.0, 5.0)
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(label + " vs epoch", fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig
