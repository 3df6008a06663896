"""sparsest — find the sparsest ReLU network that fits your data.

Public API (imported lazily, so ``import sparsest`` does not import torch):

* :class:`ReLUNetwork` — the network as float64 arrays (predict, path norms, counts, canonicalize).
* :func:`solve_1d`, :func:`p_star` — exact 1-D solver and the sparsity threshold p*.
* :class:`Targets`, :func:`make_targets` — what a fit must satisfy: interpolation, a tolerance,
  per-point bounds or class margins; :func:`solve_tube_1d` — the exact fewest-knot 1-D fit within
  them; :func:`frontier_1d` — the best fit with k knots for every k (uniform error and least squares).
* :func:`solve_exact`, :func:`certify` — sparsest network in any dimension with a proof (MILP,
  HiGHS by default), and certification of a given network; :func:`solve_targets`,
  :func:`certify_targets` — the same within per-point bounds (a tolerance, bounds, class margins).
* :func:`load_data`, :func:`save_model`, :func:`load_model` — files (format: ``docs/model-format.md``).
* :func:`export_onnx`, :func:`export_torch` — the network for other runtimes.
* :func:`plot_model_1d`, :func:`plot_model_nd`, :func:`plot_history` — figures.
* :func:`fit`, :class:`SparseReLURegressor` — the sparsest trainer (function and scikit-learn
  estimator); every training method through :func:`sparsest.train.engine.train`.
* :func:`path`, :class:`SparseReLURegressorCV` — one fit per value of α, a tolerance or a knot count
  (warm-started), and the cross-validated choice among them (in parallel, or on a Dask cluster).
* :func:`lp_path_norm`, :func:`reweighted_prox_step_` — the penalty and the prox, for any PyTorch loop.
* :class:`TorchReLUNet` — the same network as a PyTorch module.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

_EXPORTS: dict[str, str] = {
    "ReLUNetwork": "sparsest.network",
    "Knots1D": "sparsest.network",
    "solve_1d": "sparsest.exact",
    "solve_tube_1d": "sparsest.exact",
    "Tube1DResult": "sparsest.exact",
    "frontier_1d": "sparsest.exact.frontier1d",
    "Targets": "sparsest.targets",
    "make_targets": "sparsest.targets",
    "check_targets": "sparsest.verify",
    "p_star": "sparsest.exact",
    "solve_exact": "sparsest.exact",
    "certify": "sparsest.exact",
    "certify_targets": "sparsest.exact",
    "solve_targets": "sparsest.exact",
    "ExactResult": "sparsest.exact",
    "CertifyResult": "sparsest.exact",
    "load_data": "sparsest.data",
    "paper_1d": "sparsest.data",
    "paper_50d": "sparsest.data",
    "check_interpolation": "sparsest.verify",
    "save_model": "sparsest.modelfile",
    "load_model": "sparsest.modelfile",
    "ModelFile": "sparsest.modelfile",
    "load_inputs": "sparsest.data",
    "export_onnx": "sparsest.export",
    "export_torch": "sparsest.export",
    "plot_model_1d": "sparsest.plotting",
    "plot_model_nd": "sparsest.plotting",
    "plot_history": "sparsest.plotting",
    "load_history": "sparsest.plotting",
    "ModelFileError": "sparsest.errors",
    "BackendNotAvailableError": "sparsest.errors",
    "TorchReLUNet": "sparsest.train.torchnet",
    "fit": "sparsest.api",
    "SparseReLURegressor": "sparsest.estimator",
    "SparseReLURegressorCV": "sparsest.cv",
    "path": "sparsest.cv",
    "lp_path_norm": "sparsest.train.penalties",
    "reweighted_prox_step_": "sparsest.train.penalties",
    "SparsestError": "sparsest.errors",
    "DataError": "sparsest.errors",
    "ParameterError": "sparsest.errors",
    "ConvergenceWarning": "sparsest.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sparsest' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
