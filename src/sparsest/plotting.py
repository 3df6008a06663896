"""Plots (matplotlib, Agg backend; written atomically)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ._io import atomic_path
from .network import ReLUNetwork

__all__ = ["new_figure", "plot_function_1d", "save_figure"]


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def new_figure(nrows: int = 1, ncols: int = 1, *, size=(7.0, 4.5)):
    """A figure and its axes (``squeeze=False``: ``axes`` has shape (nrows, ncols))."""
    plt = _plt()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    return fig, axes


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 120) -> str:
    """Save ``fig`` to ``path`` atomically and close it. Returns the path."""
    plt = _plt()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(
                tmp, dpi=dpi, bbox_inches="tight", format=os.path.splitext(os.fspath(path))[1][1:] or "png"
            )
    finally:
        plt.close(fig)
    return os.fspath(path)


def plot_function_1d(
    ax,
    x: np.ndarray,
    y: np.ndarray,
    curves: Sequence[tuple[str, ReLUNetwork]],
    *,
    title: str | None = None,
    margin: float = 0.25,
    annotate_jumps: bool = True,
) -> None:
    """Data points, one or more univariate networks, and their knots with jump sizes.

    Parameters
    ----------
    ax : matplotlib Axes
    x, y : ndarray of shape (N,)
    curves : sequence of (label, network)
        The first curve's knots are annotated with their jumps.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    lo, hi = float(x.min()), float(x.max())
    span = hi - lo if hi > lo else 1.0
    grid = np.linspace(lo - margin * span, hi + margin * span, 1201)
    styles = ["-", "--", "-.", ":"]
    for i, (label, net) in enumerate(curves):
        kv = net.knots_1d()
        grid_i = np.union1d(grid, kv.knots[(kv.knots >= grid[0]) & (kv.knots <= grid[-1])])
        (line,) = ax.plot(
            grid_i,
            net.predict(grid_i),
            styles[i % len(styles)],
            lw=2 - 0.3 * i,
            label=f"{label} ({kv.n_knots} knots)",
            zorder=2 + i,
        )
        inside = (kv.knots >= grid[0]) & (kv.knots <= grid[-1])
        ks, js = kv.knots[inside], kv.jumps[inside]
        ax.plot(ks, net.predict(ks), "D", color=line.get_color(), ms=6, mfc="white", zorder=5 + i)
        if annotate_jumps and i == 0:
            for k, j in zip(ks, js, strict=True):
                ax.annotate(
                    f"{j:+.3g}",
                    (k, float(net.predict(np.array([k]))[0])),
                    textcoords="offset points",
                    xytext=(0, 9),
                    ha="center",
                    fontsize=8,
                    color=line.get_color(),
                )
    ax.plot(x, y, "o", color="black", ms=5, label="data", zorder=10)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title)
