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
    """Train the sparsest network within ``max_seconds``.

    The trainer runs with ``seed``; while its count is above the generic lower bound (the count
    that almost every label vector needs, :func:`sparsest.exact.generic_lower_bound` — used here
    only as a target, never as a proof) and time is left, it runs again with the next seeds and
    the sparsest exact fit is kept (different seeds reach different local optima; with the default
    quarter of a 60 s limit one run usually uses the whole budget, and a further run is only started
    when the time left is at least what the last run took).

    Returns
    -------
    network : ReLUNetwork or None
        The sparsest trained network that interpolates exactly, else ``None`` (also when torch is
        not installed).
    seconds : float
        Time spent.
    """
    t0 = time.perf_counter()
    if importlib.util.find_spec("torch") is None:
        return None, 0.0
    from ..exact import generic_lower_bound
    from .engine import train

    target, _ = generic_lower_bound(X, y, objective, skip=skip)
    best, best_count = None, None
    attempt, last = 0, 0.0
    while True:
        left = float(max_seconds) - (time.perf_counter() - t0)
        if attempt and left < max(0.5, last):  # another run must fit in what is left
            break
        t_run = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = train(
                X,
                y,
                method="sparsest",
                objective=objective,
                skip=skip,
                penalize_bias=include_bias,
                seed=seed + attempt,
                progress=progress,
                max_seconds=max(0.5, left),
                **WARM_START_OPTIONS,
            )
        attempt, last = attempt + 1, time.perf_counter() - t_run
        if res.converged:
            count = res.n_nonzero if objective == "nonzeros" else res.n_active
            if best_count is None or count < best_count:
                best, best_count = res.network, count
        if best_count is not None and best_count <= target:
            break
    return best, time.perf_counter() - t0
