"""The function API: ``sparsest.fit(X, y)``."""

from __future__ import annotations

from typing import Any


def fit(X, y, method: str = "sparsest", **kwargs: Any):
    """Train the sparsest interpolating network; a thin alias of :func:`sparsest.train.engine.train`.

    Parameters
    ----------
    X : array_like of shape (N, d), or (N,) for univariate data
    y : array_like of shape (N,)
    method : str
        ``"sparsest"`` (default: exact fit, fewest neurons in 1-D / nonzeros in d-D), ``"exact"``,
        ``"reweighted"`` (the paper's Algorithm 1), ``"adam"``, ``"adamw"``, ``"pathprox"``,
        ``"prune"``.
    **kwargs
        Any argument of :func:`~sparsest.train.engine.train` (``p``, ``width``, ``epochs``, ``seed``,
        ``device``, ``progress``, ...) and method options (``objective``, ``restarts``,
        ``max_seconds`` for ``sparsest``).

    Returns
    -------
    sparsest.train.engine.TrainResult
        ``.network`` (a :class:`~sparsest.network.ReLUNetwork`), ``.n_active``, ``.n_nonzero``,
        ``.max_residual``, ``.history``, ``.seconds``, ...
    """
    from .train.engine import train

    kwargs.setdefault("progress", False)
    return train(X, y, method=method, **kwargs)
