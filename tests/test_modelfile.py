"""Model files: bit-identical round trips, documented metadata, atomic writes, clear errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sparsest.errors import ModelFileError, OutputError, ParameterError
from sparsest.modelfile import FORMAT, FORMAT_VERSION, STANDARD_METADATA, load_model, save_model
from sparsest.network import ReLUNetwork

ROOT = Path(__file__).resolve().parents[1]

_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def networks(draw) -> ReLUNetwork:
    d = draw(st.integers(1, 4))
    K = draw(st.integers(0, 5))
    W = draw(arrays(np.float64, (K, d), elements=_FLOATS))
    b = draw(arrays(np.float64, (K,), elements=_FLOATS))
    v = draw(arrays(np.float64, (K,), elements=_FLOATS))
    skip = draw(st.booleans())
    a = draw(arrays(np.float64, (d,), elements=_FLOATS)) if skip else None
    c = draw(_FLOATS) if skip else 0.0
    return ReLUNetwork(W, b, v, a=a, c=c, skip=skip)


def _bits(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr, dtype=np.float64).tobytes()


@given(net=networks(), seed=st.integers(0, 2**32 - 1))
def test_round_trip_is_bit_identical(net, seed, tmp_path_factory):
    path = tmp_path_factory.mktemp("rt") / "m.json"
    save_model(path, net, p=0.4, method="test", seed=seed)
    loaded = load_model(path)
    back = loaded.network
    for name in ("W", "b", "v", "a"):  # bitwise, including -0.0 and subnormals
        assert _bits(getattr(back, name)) == _bits(getattr(net, name)), name
    assert _bits(np.array(back.c)) == _bits(np.array(net.c)) and back.skip == net.skip
    X = np.random.default_rng(seed).standard_normal((7, net.n_features))
    with np.errstate(all="ignore"):  # extreme weights may overflow: identical infs are fine
        assert _bits(loaded.predict(X)) == _bits(net.predict(X))
    assert loaded.metadata["seed"] == seed and loaded.format_version == FORMAT_VERSION


def test_metadata_is_filled_from_network_and_data(tmp_path):
    x = np.arange(-2.0, 4.0)
    y = np.array([0.0, 0, 1, 1, 0, 0])
    net = ReLUNetwork.from_knots([-1.0, 0.5, 2.0], [1.0, -2.0, 1.0])
    path = save_model(tmp_path / "m.json", net, X=x[:, None], y=y, p=0.4, method="exact", seed=None)
    m = load_model(path)
    meta = m.metadata
    assert meta["n_features"] == 1 and meta["width"] == 3
    assert meta["n_neurons"] == 3 and meta["n_nonzero"] == 3 and meta["n_points"] == 6
    assert meta["lp_path_norm"] == pytest.approx(2 + 2**0.4)
    assert meta["interpolates"] is True and meta["max_residual"] < 1e-12
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", meta["data_fingerprint"])
    assert meta["p"] == 0.4 and meta["method"] == "exact" and meta["seed"] is None
    assert m.library_version and m.created.endswith("+00:00")
    doc = json.loads(Path(path).read_text())
    assert doc["format"] == FORMAT and doc["format_version"] == FORMAT_VERSION
    # explicit values win over computed ones; non-finite floats are stored as null
    path = save_model(tmp_path / "m2.json", net, n_neurons=7, max_residual=float("nan"))
    assert load_model(path).metadata["n_neurons"] == 7
    assert load_model(path).metadata["max_residual"] is None
    # a network that does not fit its data says so
    path = save_model(tmp_path / "m3.json", net, X=x[:, None], y=y + 1.0)
    assert load_model(path).metadata["interpolates"] is False


def test_file_is_readable_json_with_one_row_per_line(tmp_path):
    net = ReLUNetwork(np.eye(3), [1.0, 2.0, 3.0], [1.0, -1.0, 0.5])
    text = Path(save_model(tmp_path / "m.json", net)).read_text()
    assert "\n   [1.0, 0.0, 0.0],\n" in text  # one hidden neuron per line
    assert json.loads(text)["network"]["W"] == np.eye(3).tolist()


def test_format_documentation_covers_every_standard_field():
    doc = (ROOT / "docs" / "model-format.md").read_text()
    for key in STANDARD_METADATA:
        assert f"`{key}`" in doc, key
    for key in ("format", "format_version", "library_version", "created", "W", "b", "v", "a", "c", "skip"):
        assert f"`{key}`" in doc, key


def test_empty_network_round_trips(tmp_path):
    net = ReLUNetwork.empty(2, skip=True, a=[1.0, -2.0], c=0.5)
    back = load_model(save_model(tmp_path / "e.json", net)).network
    assert back.width == 0 and back.n_features == 2
    X = np.array([[1.0, 1.0], [0.0, 2.0]])
    assert np.array_equal(back.predict(X), net.predict(X))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_written_file_has_umask_mode_or_keeps_the_replaced_files_mode(tmp_path):
    net = ReLUNetwork.empty(1, skip=True, a=[1.0], c=0.0)
    old = os.umask(0o022)
    try:
        path = save_model(tmp_path / "m.json", net)
        assert os.stat(path).st_mode & 0o777 == 0o644  # not mkstemp's 0600
        os.chmod(path, 0o640)
        save_model(path, net)
        assert os.stat(path).st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


# ---------------------------------------------------------------------------------- writing errors


def test_save_errors(tmp_path):
    net = ReLUNetwork.from_knots([0.0], [1.0])
    with pytest.raises(ParameterError, match="ReLUNetwork"):
        save_model(tmp_path / "m.json", {"W": [[1.0]]})
    with pytest.raises(ParameterError, match="metadata 'where'"):
        save_model(tmp_path / "m.json", net, where=object())
    with pytest.raises(OutputError, match="is a directory"):
        save_model(tmp_path, net)
    with pytest.raises(OutputError, match="does not exist"):
        save_model(tmp_path / "no" / "m.json", net)
    with pytest.raises(ParameterError, match="both X and y"):
        save_model(tmp_path / "m.json", net, X=np.zeros((2, 1)))
    with pytest.raises(ParameterError, match="feature"):
        save_model(tmp_path / "m.json", net, X=np.zeros((2, 3)), y=np.zeros(2))
    assert os.listdir(tmp_path) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    net = ReLUNetwork.from_knots([0.0], [1.0])
    save_model(tmp_path / "m.json", net, method="old")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        save_model(tmp_path / "m.json", net, method="new")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left
    assert load_model(tmp_path / "m.json").metadata["method"] == "old"  # old file untouched


# ---------------------------------------------------------------------------------- reading errors


def _good_doc() -> dict:
    net = ReLUNetwork(np.array([[1.0, 2.0], [0.5, -1.0]]), [0.1, 0.2], [1.0, -1.0])
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": "0.1.0",
        "created": "",
        "network": net.to_dict(),
        "metadata": {"p": 0.0},
    }


def _edit(path: str, value):
    doc = _good_doc()
    keys = path.split(".")
    target = doc
    for k in keys[:-1]:
        target = target[k]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return json.dumps(doc)


_DELETE = object()

BAD_FILES = {
    "empty": ("", "empty"),
    "whitespace": ("  \n", "empty"),
    "truncated": (json.dumps(_good_doc())[:-40], "truncated"),
    "corrupt": ('{"format": "sparsest-model", oops}', "corrupt"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\xff", "not a sparsest model file"),
    "json list": ("[1, 2, 3]", "not a sparsest model file"),
    "other json": ('{"name": "x"}', "not a sparsest model file"),
    "wrong format": (_edit("format", "onnx"), "not a sparsest model file"),
    "future version": (_edit("format_version", FORMAT_VERSION + 1), "newer"),
    "version string": (_edit("format_version", "1"), "invalid format_version"),
    "version bool": (_edit("format_version", True), "invalid format_version"),
    "version zero": (_edit("format_version", 0), "invalid format_version"),
    "no network": (_edit("network", _DELETE), "'network' section"),
    "network list": (_edit("network", [1, 2]), "'network' section"),
    "no W": (_edit("network.W", _DELETE), "network.W"),
    "W ragged": (_edit("network.W", [[1.0, 2.0], [0.5]]), "row 1 has 1 entries"),
    "W flat": (_edit("network.W", [1.0, 2.0, 0.5, -1.0]), "network.W"),
    "W text": (_edit("network.W", [[1.0, "2"], [0.5, -1.0]]), "only numbers"),
    "W bool": (_edit("network.W", [[1.0, True], [0.5, -1.0]]), "only numbers"),
    "b short": (_edit("network.b", [0.1]), "network.b has 1 entries, expected 2"),
    "v missing": (_edit("network.v", _DELETE), "network.v"),
    "a empty": (_edit("network.a", []), "network.a"),
    "a wrong d": (_edit("network.a", [0.0, 0.0, 0.0]), "expected d = 3"),
    "c missing": (_edit("network.c", _DELETE), "network.c"),
    "c text": (_edit("network.c", "0"), "network.c"),
    "skip missing": (_edit("network.skip", _DELETE), "network.skip"),
    "skip text": (_edit("network.skip", "yes"), "network.skip"),
    "skip term without skip": (_edit("network.a", [1.0, 0.0]), "invalid network"),
    "NaN weight": (json.dumps(_good_doc()).replace("0.1", "NaN"), "NaN"),
    "Infinity weight": (json.dumps(_good_doc()).replace("0.1", "-Infinity"), "Infinity"),
    "overflowing weight": (json.dumps(_good_doc()).replace("0.1", "1e999"), "NaN or inf"),
    "metadata list": (_edit("metadata", [1]), "'metadata' section"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_model_files(case, tmp_path):
    content, needle = BAD_FILES[case]
    path = tmp_path / "m.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    msg = str(info.value)
    assert needle in msg and str(path) in msg and "\n" not in msg


def test_good_document_and_unknown_keys_load(tmp_path):
    doc = _good_doc()
    doc["future_field"] = {"anything": 1}
    doc["network"]["extra"] = [1, 2]
    doc["metadata"] = None
    (tmp_path / "m.json").write_text(json.dumps(doc))
    m = load_model(tmp_path / "m.json")
    assert m.network.width == 2 and m.metadata == {}


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "nope.json")
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)


def test_documented_reader_without_sparsest_matches(tmp_path, monkeypatch):
    """The format doc's 4-line numpy reader computes the same function as the library."""
    doc = (ROOT / "docs" / "model-format.md").read_text()
    snippet = re.findall(r"```python\n(.*?)```", doc, re.S)[-1]
    rng = np.random.default_rng(5)
    net = ReLUNetwork(rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal(4))
    save_model(tmp_path / "model.json", net)
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(snippet, "model-format.md", "exec"), ns)
    X = rng.standard_normal((20, 3))
    np.testing.assert_allclose(ns["f"](X), net.predict(X), rtol=1e-13, atol=1e-13)
