"""Data loading and validation: formats, targets, and one clear error per problem."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import cli
from sparsest.data import load_data, paper_1d, paper_50d, prepare_1d, random_1d, validate_xy
from sparsest.errors import DataError, DuplicatePointsWarning


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_with_and_without_header(tmp_path):
    a = load_data(_write(tmp_path, "a.csv", "x,y\n0,1\n1,2\n2,0\n"))
    b = load_data(_write(tmp_path, "b.csv", "0,1\n1,2\n2,0\n"))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.feature_names == ["x"] and a.target_name == "y"
    assert a.X.shape == (3, 1)


def test_delimiters_and_target(tmp_path):
    text = "u;t;w\n1;10;5\n2;20;6\n3;30;8\n"
    ds = load_data(_write(tmp_path, "s.csv", text), target="t")
    np.testing.assert_array_equal(ds.y, [10, 20, 30])
    assert ds.feature_names == ["u", "w"]
    ds0 = load_data(_write(tmp_path, "t.tsv", "1\t2\t3\n4\t5\t6\n"), target=0)
    np.testing.assert_array_equal(ds0.y, [1, 4])
    ws = load_data(_write(tmp_path, "w.txt", "# comment\n1 2\n3 4\n"))
    np.testing.assert_array_equal(ws.y, [2, 4])


def test_numpy_formats(tmp_path):
    X, y = paper_50d()
    np.savez(tmp_path / "d.npz", X=X, y=y)
    ds = load_data(tmp_path / "d.npz")
    np.testing.assert_array_equal(ds.X, X)
    np.save(tmp_path / "d.npy", np.c_[X, y])
    ds2 = load_data(tmp_path / "d.npy")
    np.testing.assert_array_equal(ds2.y, y)
    np.savez(tmp_path / "bad.npz", A=X)
    with pytest.raises(DataError, match="must contain arrays 'X' and 'y'"):
        load_data(tmp_path / "bad.npz")
    (tmp_path / "corrupt.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(DataError, match="cannot read NumPy file"):
        load_data(tmp_path / "corrupt.npy")


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("x,y\n", "no data rows"),
        ("x,y\n1,2\n", "at least 2 points"),
        ("x,y\n1,2\n2,nan\n", "NaN"),
        ("x,y\n1,2\n2,inf\n", "inf"),
        ("x,y\n1,2\n2,abc\n", "non-numeric cell 'abc' at row 3, column 'y'"),
        ("x,y\n1,2\n2,3,4\n", "row 3 has 3 column"),
        ("x\n1\n2\n", "at least 2 columns"),
        ("1,2\n1,,\n", "row 2 has 3"),
        ("1,2\n3,\n", "non-numeric cell '\\(empty\\)'"),
    ],
)
def test_csv_errors(tmp_path, text, match):
    with pytest.raises(DataError, match=match):
        load_data(_write(tmp_path, "bad.csv", text))


def test_path_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_data(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is a directory"):
        load_data(tmp_path)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(DataError, match="not a text"):
        load_data(tmp_path / "bin.csv")
    with pytest.raises(DataError, match="not a column"):
        load_data(_write(tmp_path, "ok.csv", "x,y\n1,2\n3,4\n"), target="z")


def test_duplicates():
    with pytest.warns(DuplicatePointsWarning, match="merged 1 duplicate"):
        x, y = prepare_1d([0, 1, 1, 2], [0, 5, 5, 1])
    np.testing.assert_array_equal(y, [0, 5, 1])
    np.testing.assert_array_equal(x, [0, 1, 2])
    with pytest.raises(DataError, match=r"duplicate x=\(1\) with different y"):
        prepare_1d([0, 1, 1, 2], [0, 5, 6, 1])
    with pytest.raises(DataError, match="at least 2 distinct"), pytest.warns(DuplicatePointsWarning):
        prepare_1d([1, 1], [2, 2])


def test_validate_shapes():
    with pytest.raises(DataError, match="shape mismatch"):
        validate_xy(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(DataError, match="one target"):
        validate_xy(np.zeros((3, 2)), np.zeros((3, 2)))
    X, y = validate_xy([1, 2, 3], [[1], [2], [3]])
    assert X.shape == (3, 1) and y.shape == (3,)


def test_builtin_datasets():
    x, y = paper_1d()
    assert x.tolist() == [-2, -1, 0, 1, 2, 3] and y.tolist() == [0, 0, 1, 1, 0, 0]
    X, y = paper_50d()
    assert X.shape == (10, 50) and y.shape == (10,)
    assert np.all(np.abs(X) <= 1) and np.all(np.abs(y) <= 1)
    np.testing.assert_array_equal(paper_50d()[0], X)  # deterministic
    xr, yr = random_1d(20, seed=3, kind="runs")
    assert np.all(np.diff(xr) > 0) and yr.shape == (20,)


def test_cli_exact_json(paper_csv, tmp_path):
    code, out, err = cli("exact", paper_csv, "--json", "--pstar", "--out", tmp_path / "m.json")
    assert code == 0, err
    doc = json.loads(out)
    for key in (
        "status",
        "n_neurons",
        "cost",
        "knots",
        "jumps",
        "slope",
        "intercept",
        "max_residual",
        "seconds",
        "p_star",
    ):
        assert key in doc
    assert doc["n_neurons"] == 3 and doc["knots"] == [-1.0, 0.5, 2.0] and doc["p_star"] == 1.0
    assert (tmp_path / "m.json").exists()
    code, out, err = cli("exact", paper_csv, "--p", "1.5")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "p must be in" in err
