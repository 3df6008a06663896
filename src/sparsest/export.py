"""Export a network to ONNX or to a self-contained PyTorch program.

Both exports compute ``f(X) = relu(X W^T + b) v + X a + c`` for ``X`` of shape (N, d) with any
``N ≥ 1`` and return shape (N,):

* :func:`export_onnx` builds the ONNX graph directly with the ``onnx`` helper API (opset 17; nodes
  ``MatMul``, ``Add``, ``Relu``, ``Reshape``), float64 by default, float32 on request. Needs the
  optional extra ``pip install "sparsest[onnx]"`` (``onnx``; ``onnxruntime`` for verification).
* :func:`export_torch` writes a :func:`torch.export.export` program (``.pt2``) of
  :class:`~sparsest.train.torchnet.TorchReLUNet` with a dynamic batch dimension; load it with
  ``torch.export.load(path).module()`` — sparsest is not needed to run it.

:func:`verify_export` runs an exported file on probe points (the knots, data scale and random
points) and returns the largest difference from :meth:`ReLUNetwork.predict`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ._io import atomic_path
from .errors import BackendNotAvailableError, ParameterError
from .network import ReLUNetwork

__all__ = ["FORMATS", "ExportCheck", "export_onnx", "export_torch", "probe_points", "verify_export"]

#: format name -> default file extension
FORMATS: dict[str, str] = {"onnx": ".onnx", "torch": ".pt2"}

_ONNX_HINT = 'install the optional extra: pip install "sparsest[onnx]"'


def _import_onnx():
    try:
        import onnx
        from onnx import helper, numpy_helper
    except ImportError:
        raise BackendNotAvailableError(f"ONNX export needs the 'onnx' package; {_ONNX_HINT}") from None
    return onnx, helper, numpy_helper


def _check_dtype(dtype: str) -> np.dtype:
    if dtype not in ("float64", "float32"):
        raise ParameterError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return np.dtype(dtype)


def onnx_model(net: ReLUNetwork, *, dtype: str = "float64"):
    """The ONNX ``ModelProto`` of ``net`` (input ``X`` (N, d), output ``y`` (N,))."""
    onnx, helper, numpy_helper = _import_onnx()
    dt = _check_dtype(dtype)
    elem = onnx.TensorProto.DOUBLE if dt == np.float64 else onnx.TensorProto.FLOAT
    d, K = net.n_features, net.width

    def const(name, arr):
        return numpy_helper.from_array(np.ascontiguousarray(arr, dtype=dt), name)

    inits = [numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat")]
    nodes = []
    terms = []
    if K > 0:
        inits += [const("W_t", net.W.T), const("b", net.b), const("v", net.v.reshape(K, 1))]
        nodes += [
            helper.make_node("MatMul", ["X", "W_t"], ["pre0"], name="hidden_matmul"),
            helper.make_node("Add", ["pre0", "b"], ["pre"], name="hidden_bias"),
            helper.make_node("Relu", ["pre"], ["act"], name="relu"),
            helper.make_node("MatMul", ["act", "v"], ["out_neurons"], name="output_matmul"),
        ]
        terms.append("out_neurons")
    if net.skip:
        inits += [const("a", net.a.reshape(d, 1))]
        nodes.append(helper.make_node("MatMul", ["X", "a"], ["out_linear"], name="skip_matmul"))
        terms.append("out_linear")
    if not terms:  # no neurons and no skip term: f = 0, computed as X @ zeros
        inits.append(const("zero", np.zeros((d, 1))))
        nodes.append(helper.make_node("MatMul", ["X", "zero"], ["out_zero"], name="zero"))
        terms.append("out_zero")
    acc = terms[0]
    for i, t in enumerate(terms[1:]):
        nodes.append(helper.make_node("Add", [acc, t], [f"sum{i}"], name=f"sum{i}"))
        acc = f"sum{i}"
    if net.skip:
        inits.append(const("c", np.array([net.c])))
        nodes.append(helper.make_node("Add", [acc, "c"], ["out_c"], name="skip_intercept"))
        acc = "out_c"
    nodes.append(helper.make_node("Reshape", [acc, "flat"], ["y"], name="flatten"))
    graph = helper.make_graph(
        nodes,
        "sparsest_relu_network",
        [helper.make_tensor_value_info("X", elem, ["N", d])],
        [helper.make_tensor_value_info("y", elem, ["N"])],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17)],
        producer_name="sparsest",
        doc_string="f(X) = relu(X W^T + b) v + X a + c; input X (N, d), output y (N,)",
    )
    model.ir_version = 8  # readable by onnxruntime >= 1.14
    onnx.checker.check_model(model, full_check=True)
    return model


def export_onnx(net: ReLUNetwork, path: str | os.PathLike, *, dtype: str = "float64") -> str:
    """Write ``net`` as an ONNX file (atomically). Returns the path.

    Raises
    ------
    BackendNotAvailableError
        The ``onnx`` package is missing (``pip install "sparsest[onnx]"``).
    """
    model = onnx_model(net, dtype=dtype)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(model.SerializeToString())
    return os.fspath(path)


def export_torch(net: ReLUNetwork, path: str | os.PathLike, *, dtype: str = "float64") -> str:
    """Write ``net`` as a :func:`torch.export` program (``.pt2``, atomically). Returns the path.

    Load it back with ``torch.export.load(path).module()``; the module maps a tensor of shape
    (N, d) to shape (N,).
    """
    import torch

    from .train.torchnet import TorchReLUNet

    dt = {"float64": torch.float64, "float32": torch.float32}[_check_dtype(dtype).name]
    K = max(net.width, 1)
    module = TorchReLUNet(net.n_features, K, skip=net.skip, dtype=dt).eval()
    if net.width:  # writable copies: torch warns on read-only numpy arrays
        module.load_arrays(net.W.copy(), net.b.copy(), net.v.copy(), net.a.copy(), net.c)
    else:
        module.load_arrays(np.zeros((1, net.n_features)), np.zeros(1), np.zeros(1), net.a.copy(), net.c)
    for prm in module.parameters():
        prm.requires_grad_(False)
    example = torch.zeros(2, net.n_features, dtype=dt)
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(module, (example,), dynamic_shapes=({0: batch},))
    with atomic_path(path) as tmp:
        torch.export.save(program, tmp)
    return os.fspath(path)


@dataclass(frozen=True)
class ExportCheck:
    """Result of :func:`verify_export`.

    Attributes
    ----------
    verified : bool
        The exported model was run and agreed within ``tolerance``.
    max_abs_diff : float or None
        ``max |exported(X) − net.predict(X)|`` over the probe points (None when not run).
    tolerance : float or None
    n_points : int
    runtime : str
        What ran the exported file (``"onnxruntime 1.17.0"``, ``"torch 2.13.0"``) or why it did not.
    """

    verified: bool
    max_abs_diff: float | None
    tolerance: float | None
    n_points: int
    runtime: str


def probe_points(net: ReLUNetwork, n: int = 64, seed: int = 0) -> np.ndarray:
    """Points to compare an export on, shape (M, d): random points around the network's kinks.

    In 1-D the knots, their midpoints and points beyond them are included; in d-D Gaussian points
    scaled to the hyperplanes' offsets ``|b_k| / ||w_k||``.
    """
    rng = np.random.default_rng(seed)
    d = net.n_features
    norms = np.linalg.norm(net.W, axis=1) if net.width else np.zeros(0)
    ok = norms > 0
    offsets = np.abs(net.b[ok]) / norms[ok] if np.any(ok) else np.zeros(1)
    scale = max(1.0, 2.0 * float(np.max(offsets)))
    X = rng.standard_normal((n, d)) * scale
    if d == 1 and net.width:
        kv = net.knots_1d()
        if kv.n_knots:
            extra = np.concatenate([kv.knots, (kv.knots[1:] + kv.knots[:-1]) / 2, kv.knots + scale])
            X = np.concatenate([X, extra[:, None]])
    return X


def verify_export(
    net: ReLUNetwork, path: str | os.PathLike, fmt: str, *, dtype: str = "float64"
) -> ExportCheck:
    """Run the exported file at :func:`probe_points` and compare with ``net.predict``.

    The tolerance is ``32 ε (1 + B(x))`` per point, with ``ε`` the machine epsilon of ``dtype`` and
    ``B(x)`` the evaluation scale (:meth:`ReLUNetwork.evaluation_scale`): different summation orders
    may differ by a few rounding errors, not more. ONNX needs ``onnxruntime``; when it is missing
    the check is skipped (``verified=False`` and ``runtime`` says why).
    """
    X = probe_points(net)
    ref = net.predict(X)
    eps = float(np.finfo(_check_dtype(dtype)).eps)
    tol_pts = 32.0 * eps * (1.0 + net.evaluation_scale(X))
    if fmt == "onnx":
        try:
            import onnxruntime as ort
        except ImportError:
            return ExportCheck(False, None, None, 0, f"not run: onnxruntime is missing ({_ONNX_HINT})")
        sess = ort.InferenceSession(os.fspath(path), providers=["CPUExecutionProvider"])
        got = sess.run(None, {"X": X.astype(dtype)})[0].astype(np.float64)
        runtime = f"onnxruntime {ort.__version__}"
    elif fmt == "torch":
        import torch

        module = torch.export.load(os.fspath(path)).module()
        with torch.no_grad():
            got = module(torch.as_tensor(X.astype(dtype))).double().numpy()
        runtime = f"torch {torch.__version__}"
    else:
        raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    diff = np.abs(got.reshape(-1) - ref)
    return ExportCheck(
        verified=bool(np.all(diff <= tol_pts)),
        max_abs_diff=float(np.max(diff)),
        tolerance=float(np.max(tol_pts)),
        n_points=int(X.shape[0]),
        runtime=runtime,
    )
