"""Versioned model files: a network and what is known about it, as one JSON document.

A model file is UTF-8 JSON (the format is documented for users in ``docs/model-format.md``)::

    {
      "format": "sparsest-model",
      "format_version": 1,
      "library_version": "0.1.0",
      "created": "2026-11-22T10:00:00+00:00",
      "network": {"W": [[...], ...], "b": [...], "v": [...], "a": [...], "c": 0.0, "skip": true},
      "metadata": {"p": 0.0, "method": "exact", "seed": null, "data_fingerprint": "sha256:…",
                   "n_points": 6, "n_features": 1, "width": 3, "n_neurons": 3, "n_nonzero": 3,
                   "max_residual": 0.0, "interpolates": true, …}
    }

The network computes ``f(x) = Σ_k v_k (w_k·x + b_k)_+ + a·x + c`` with ``W`` of shape (K, d) (row k
is ``w_k``), ``b`` and ``v`` of shape (K,), ``a`` of shape (d,); ``a`` and ``c`` must be zero when
``skip`` is false. Floats are written with ``repr`` precision (shortest round-trip decimal), so a
network loads back bit-identical and predicts identically. Files are written atomically (a file is
either complete or absent).

Readers reject, each with a :class:`~sparsest.errors.ModelFileError` naming the problem: a missing
or unreadable file, an empty, truncated or otherwise invalid JSON document, a JSON document that is
not a sparsest model file, a ``format_version`` newer than :data:`FORMAT_VERSION` (written by a
newer sparsest), missing or ill-shaped arrays, and NaN/inf or non-numeric weights. Unknown keys are
ignored, so later versions of the format may add fields without breaking older readers.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._io import atomic_write
from ._version import __version__
from .errors import ModelFileError, ParameterError
from .network import ReLUNetwork

__all__ = ["FORMAT", "FORMAT_VERSION", "STANDARD_METADATA", "ModelFile", "load_model", "save_model"]

FORMAT = "sparsest-model"
FORMAT_VERSION = 1

#: Metadata keys with a fixed meaning (all optional; the first five are filled in by :func:`save_model`
#: from the network and, when given, the training data).
STANDARD_METADATA: dict[str, str] = {
    "n_features": "input dimension d",
    "width": "number of neurons K stored in the file (active or not)",
    "n_neurons": "active neurons (a neuron is active when one of its path products is nonzero)",
    "n_nonzero": "nonzero path products v_k·w_ki (d-D: bias entries included; 1-D: excluded)",
    "lp_path_norm": "lp path norm at the metadata's p (absent when p is 0 or missing)",
    "p": "exponent of the lp path norm the network was fitted for (0 = fewest neurons)",
    "method": "how the network was obtained: 'exact', 'sparsest', 'reweighted', 'adam', ...",
    "seed": "random seed of the method (null for deterministic methods)",
    "data_fingerprint": "sha256 prefix of the float64 training data (sparsest.data.fingerprint)",
    "n_points": "number of training points",
    "max_residual": "max_i |f(x_i) − y_i| on the training data (float64 forward pass)",
    "interpolates": "the float64 interpolation re-check (sparsest.verify) passed on the training data",
    "status": "solver status, for exact methods ('optimal', 'time_limit', ...)",
    "feature_names": "names of the input columns of the training data",
    "target_name": "name of the target column of the training data",
    "source": "where the training data came from (a path or a built-in dataset name)",
    "targets": "what the fit had to satisfy: 'interpolation' (also when absent), 'tolerance', 'bounds', "
    "'classification' (sparsest.targets.Targets.to_metadata)",
    "tol": "the tolerance ε of targets 'tolerance' (absolute, in the target's units)",
    "classes": "the two label values [negative, positive] of targets 'classification'",
    "max_violation": "max_i dist(f(x_i), [lo_i, hi_i]) on the training data (float64 forward pass)",
    "rmse": "root-mean-square of f(x_i) − y_i against the reference target (classification: t_i = ±1)",
    "satisfies_targets": "the float64 re-check of the bounds (sparsest.verify.check_targets) passed",
    "fewest_knots": "the exact fewest knots within the same targets (1-D)",
    "lower_name": "name of the lower-bound column (targets 'bounds')",
    "upper_name": "name of the upper-bound column (targets 'bounds')",
    "loss": "for 'sparsest exact --knots K': 'linf' (least max error) or 'l2' (least squares)",
    "knots_budget": "for 'sparsest exact --knots K': K",
    "eps_star": "for 'sparsest exact --knots K': ε*(K), the least uniform error with K knots",
    "mode": "how the trainer fitted: 'interpolation' (exact fit), 'penalized' (sparsest fit --alpha), "
    "'budget' (sparsest fit --budget) or 'bounded' (--tol/--lower/--upper/--classify)",
    "alpha": "the penalty α of mode 'penalized': minimized mean((f − y)²)/var(y) + α·count",
    "budget": "the count budget K of mode 'budget': count ≤ K (nonzeros in d-D, neurons in 1-D)",
    "inputs_used": "0-based input columns with a nonzero weight",
    "train_rmse": "root-mean-square of f(x_i) − y_i on the training data",
    "train_r2": "R² = 1 − mean((f − y)²)/var(y) on the training data",
}


@dataclass(frozen=True)
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    network : ReLUNetwork
    metadata : dict
        See :data:`STANDARD_METADATA` for the keys with a fixed meaning.
    format_version : int
    library_version : str
        Version of sparsest that wrote the file.
    created : str
        ISO 8601 UTC time stamp of writing.
    path : str
        Where the file was read from.
    """

    network: ReLUNetwork
    metadata: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    library_version: str = __version__
    created: str = ""
    path: str = ""

    @property
    def n_features(self) -> int:
        """Input dimension ``d`` of the network."""
        return self.network.n_features

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``f(X)`` for ``X`` of shape (N, d) (or (N,) when d = 1); returns shape (N,)."""
        return self.network.predict(X)


# ---------------------------------------------------------------------------------- writing


def _jsonable(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, key) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), key)
    if isinstance(value, np.generic):
        return _jsonable(value.item(), key)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ParameterError(
        f"model metadata {key!r} must be JSON data (number, string, bool, list, dict or None), "
        f"got {type(value).__name__}"
    )


def save_model(
    path: str | os.PathLike,
    network: ReLUNetwork,
    *,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    **metadata: Any,
) -> str:
    """Write ``network`` and ``metadata`` to ``path`` atomically (format: see module docstring).

    Parameters
    ----------
    path : str or PathLike
        Output file (conventionally ``*.json``). Its folder must exist.
    network : ReLUNetwork
    X : ndarray of shape (N, d), optional
    y : ndarray of shape (N,), optional
        Training data. When given, ``data_fingerprint``, ``n_points``, ``max_residual`` and
        ``interpolates`` are computed from them (unless passed explicitly).
    **metadata
        Any JSON-compatible values; :data:`STANDARD_METADATA` lists the keys with a fixed meaning
        (``p``, ``method``, ``seed``, ...). ``n_features``, ``width``, ``n_neurons``, ``n_nonzero`` and
        ``lp_path_norm`` (when ``p > 0``) are computed from ``network`` unless passed explicitly.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    ParameterError
        ``network`` is not a :class:`ReLUNetwork`, metadata is not JSON data, or ``X``/``y`` do not fit
        the network.
    OutputError
        ``path`` is a directory or its folder does not exist / is not writable.
    """
    if not isinstance(network, ReLUNetwork):
        raise ParameterError(f"save_model needs a ReLUNetwork, got {type(network).__name__}")
    meta = dict(metadata)
    meta.setdefault("n_features", network.n_features)
    meta.setdefault("width", network.width)
    p = meta.get("p")
    with np.errstate(over="ignore", invalid="ignore"):  # products of extreme weights may overflow
        meta.setdefault("n_neurons", network.n_active_neurons())
        meta.setdefault("n_nonzero", network.n_nonzero())
        if isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p <= 1:
            meta.setdefault("lp_path_norm", network.lp_path_norm(float(p)))
    if (X is None) != (y is None):
        raise ParameterError("save_model: give both X and y, or neither")
    if X is not None:
        from .data import fingerprint, validate_xy
        from .verify import check_interpolation

        Xa, ya = validate_xy(X, y, where="save_model")
        if Xa.shape[1] != network.n_features:
            raise ParameterError(
                f"save_model: X has {Xa.shape[1]} feature(s) but the network has {network.n_features}"
            )
        check = check_interpolation(network, Xa, ya)
        meta.setdefault("data_fingerprint", fingerprint(Xa, ya))
        meta.setdefault("n_points", int(Xa.shape[0]))
        meta.setdefault("max_residual", check.max_residual)
        meta.setdefault("interpolates", check.ok)
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "network": network.to_dict(),
        "metadata": _jsonable(meta, ""),
    }
    return atomic_write(path, _dump(doc))


def _dump(doc: dict) -> str:
    """JSON text with one line per metadata entry, per vector and per row of ``W`` (readable diffs)."""

    def j(value: Any) -> str:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)

    def obj(d: dict, indent: str, rows_key: str | None = None) -> str:
        parts = []
        for key, value in d.items():
            if key == rows_key and value:
                rows = ",\n".join(f"{indent} {j(r)}" for r in value)
                parts.append(f"{indent}{j(key)}: [\n{rows}\n{indent}]")
            elif isinstance(value, dict) and indent == " ":
                parts.append(
                    f"{indent}{j(key)}: {obj(value, indent + ' ', 'W' if key == 'network' else None)}"
                )
            else:
                parts.append(f"{indent}{j(key)}: {j(value)}")
        if not parts:
            return "{}"
        return "{\n" + ",\n".join(parts) + "\n" + indent[:-1] + "}"

    return obj(doc, " ") + "\n"


# ---------------------------------------------------------------------------------- reading


def _reject_constant(name: str) -> float:
    raise ValueError(name)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _vector(net: dict, key: str, n: int | None, path: str) -> np.ndarray:
    value = net.get(key)
    if not isinstance(value, list):
        raise ModelFileError(f"{path}: network.{key} is missing or not a list")
    if not all(_number(v) for v in value):
        raise ModelFileError(f"{path}: network.{key} must contain only numbers")
    arr = np.array(value, dtype=np.float64)
    if n is not None and arr.shape != (n,):
        raise ModelFileError(f"{path}: network.{key} has {arr.size} entries, expected {n}")
    if not np.all(np.isfinite(arr)):
        raise ModelFileError(f"{path}: network.{key} contains NaN or inf")
    return arr


def _network_from_doc(net: Any, path: str) -> ReLUNetwork:
    if not isinstance(net, dict):
        raise ModelFileError(f"{path}: the 'network' section is missing or not an object")
    a = _vector(net, "a", None, path)
    d = a.size
    if d < 1:
        raise ModelFileError(f"{path}: network.a must have one entry per input (d >= 1), got none")
    rows = net.get("W")
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ModelFileError(f"{path}: network.W is missing or not a list of rows")
    for k, r in enumerate(rows):
        if len(r) != d:
            raise ModelFileError(f"{path}: network.W row {k} has {len(r)} entries, expected d = {d}")
        if not all(_number(v) for v in r):
            raise ModelFileError(f"{path}: network.W row {k} must contain only numbers")
    W = np.array(rows, dtype=np.float64).reshape(len(rows), d)
    if not np.all(np.isfinite(W)):
        raise ModelFileError(f"{path}: network.W contains NaN or inf")
    K = W.shape[0]
    b = _vector(net, "b", K, path)
    v = _vector(net, "v", K, path)
    c = net.get("c")
    if not _number(c) or not math.isfinite(float(c)):
        raise ModelFileError(f"{path}: network.c is missing or not a finite number")
    skip = net.get("skip")
    if not isinstance(skip, bool):
        raise ModelFileError(f"{path}: network.skip is missing or not true/false")
    try:
        return ReLUNetwork(W, b, v, a=a, c=float(c), skip=skip)
    except ParameterError as exc:
        raise ModelFileError(f"{path}: invalid network ({exc})") from None


def load_model(path: str | os.PathLike) -> ModelFile:
    """Read a model file written by :func:`save_model`.

    Returns
    -------
    ModelFile
        Its ``network`` predicts bit-identically to the network that was saved.

    Raises
    ------
    ModelFileError
        Missing, unreadable, empty, truncated or corrupt file; not a sparsest model file; a newer
        format version; missing or ill-shaped arrays; NaN/inf or non-numeric weights.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such model file")
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: is a directory, not a model file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ModelFileError(
            f"{path}: cannot read model file ({exc.strerror or exc.__class__.__name__})"
        ) from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a sparsest model file (binary, not UTF-8 JSON)") from None
    if not text.strip():
        raise ModelFileError(f"{path}: model file is empty")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        what = "truncated" if exc.pos >= len(text.rstrip()) else "corrupt"
        raise ModelFileError(
            f"{path}: not a valid model file ({what} JSON at line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # NaN / Infinity literals
        raise ModelFileError(f"{path}: model file contains {exc} (weights must be finite numbers)") from None
    except RecursionError:
        raise ModelFileError(f"{path}: not a valid model file (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f'{path}: not a sparsest model file (no "format": "{FORMAT}" field)')
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: invalid format_version {version!r} (expected an integer >= 1)")
    if version > FORMAT_VERSION:
        writer = doc.get("library_version")
        by = f" by sparsest {writer}" if isinstance(writer, str) else ""
        raise ModelFileError(
            f"{path}: model file format version {version} (written{by}) is newer than this sparsest "
            f"{__version__} can read (up to version {FORMAT_VERSION}); upgrade sparsest"
        )
    net = _network_from_doc(doc.get("network"), path)
    meta = doc.get("metadata", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: the 'metadata' section is not an object")
    return ModelFile(
        network=net,
        metadata=meta,
        format_version=version,
        library_version=str(doc.get("library_version", "")),
        created=str(doc.get("created", "")),
        path=path,
    )
