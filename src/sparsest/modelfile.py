"""Versioned model files.

A model file is UTF-8 JSON::

    {
      "format": "sparsest-model",
      "format_version": 1,
      "library_version": "0.1.0",
      "created": "2026-11-22T10:00:00+00:00",
      "network": {"W": [[...]], "b": [...], "v": [...], "a": [...], "c": 0.0, "skip": true},
      "metadata": {"p": 0.0, "method": "exact", "seed": null, "data_fingerprint": "sha256:…",
                   "n_points": 6, "n_neurons": 3, "n_nonzero": 3, "max_residual": 0.0, …}
    }

Floats are written with ``repr`` precision, so a network loads back bit-identical and predicts
identically. Files are written atomically. Readers reject non-JSON or truncated files, files of
another format, and files whose ``format_version`` is newer than :data:`FORMAT_VERSION`, each with
a :class:`~sparsest.errors.ModelFileError` that names the problem.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._io import atomic_write
from ._version import __version__
from .errors import ModelFileError, ParameterError
from .network import ReLUNetwork

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFile", "load_model", "save_model"]

FORMAT = "sparsest-model"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ModelFile:
    """A loaded model file: the network and its metadata."""

    network: ReLUNetwork
    metadata: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    library_version: str = __version__
    created: str = ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def save_model(path: str | os.PathLike, network: ReLUNetwork, **metadata: Any) -> str:
    """Write ``network`` and ``metadata`` to ``path`` atomically (see module docstring).

    Returns
    -------
    str
        The path written.
    """
    if not isinstance(network, ReLUNetwork):
        raise ParameterError("save_model needs a ReLUNetwork")
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "network": network.to_dict(),
        "metadata": _jsonable(metadata),
    }
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    return atomic_write(path, text)


def load_model(path: str | os.PathLike) -> ModelFile:
    """Read a model file written by :func:`save_model`.

    Raises
    ------
    ModelFileError
        Missing, unreadable, truncated or corrupt file; another format; a newer format version.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such model file")
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: is a directory, not a model file")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path}: cannot read model file ({exc.__class__.__name__})") from None
    if not text.strip():
        raise ModelFileError(f"{path}: model file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(
            f"{path}: not a valid model file (truncated or corrupt JSON at line {exc.lineno})"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a sparsest model file (missing format {FORMAT!r})")
    version = doc.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path}: invalid format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model file format version {version} is newer than this sparsest "
            f"({__version__}) supports (version {FORMAT_VERSION}); upgrade sparsest"
        )
    try:
        net = ReLUNetwork.from_dict(doc["network"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: corrupt network section ({exc})") from None
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: corrupt metadata section")
    return ModelFile(
        network=net,
        metadata=meta,
        format_version=version,
        library_version=str(doc.get("library_version", "")),
        created=str(doc.get("created", "")),
    )
