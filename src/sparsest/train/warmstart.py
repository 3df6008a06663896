"""The trainer as a warm start for the exact d-D solver.

The exact solver (:func:`sparsest.exact.solve`) is torch-free; this helper, on the training side,
runs the ``sparsest`` trainer with a time budget and returns its network for ``warm_start``. A good
warm start closes the gap at once whenever the trainer reaches the solver's proven lower bound.
"""

from __future__ import annotations

import importlib.util
import time
import warnings

import numpy as np

from ..network import ReLUNetwork

__all__ = ["WARM_START_OPTIONS", "trainer_warm_start"]

#: search effort of the warm start (more restarts and polished restarts than a plain ``fit``: the
#: exact solve is the slow part, so a few more seconds of training are cheap)
WARM_START_OPTIONS = {"restarts": 32, "n_polish": 16, "epochs": 1500}


def trainer_warm_start(
    X: np.ndarray,
    y: np.ndarray,
    *,
    objective: str,
    skip: bool,
    include_bias: bool,
    max_seconds: float,
    seed: int = 0,
    progress: bool = False,
) -> tuple[ReLUNetwork | None, float]:
    """Train the sparsest network for ``max_seconds`` at most (polish budget).

    Returns
    -------
    network : ReLUNetwork or None
        The trained network when it interpolates exactly, else ``None`` (also when torch is not
        installed).
    seconds : float
        Time spent.
    """
    t0 = time.perf_counter()
    if importlib.util.find_spec("torch") is None:
        return None, 0.0
    from .engine import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = train(
            X,
            y,
            method="sparsest",
            objective=objective,
            skip=skip,
            penalize_bias=include_bias,
            seed=seed,
            progress=progress,
            max_seconds=max(0.5, float(max_seconds)),
            **WARM_START_OPTIONS,
        )
    return (res.network if res.converged else None), time.perf_counter() - t0
