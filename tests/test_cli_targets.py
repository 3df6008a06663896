"""Interval targets on the command line (1-D): ``--tol``, ``--lower``/``--upper``, ``--classify``,
``exact --knots``, ``certify``/``plot`` with targets, ``sparsest path``, the demo's tolerance, and the
bad-input table (exit code 2, one line on stderr, no traceback, no file left behind).

All in-process (``conftest.cli``), on small data, so the file runs in well under a minute.
"""

from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest

from conftest import cli
from sparsest.data import load_data, paper_1d
from sparsest.exact.tube1d import solve_tube_1d
from sparsest.modelfile import load_model
from sparsest.targets import Targets

PAPER_CSV = "x,y\n-2,0\n-1,0\n0,1\n1,1\n2,0\n3,0\n"
# one input with bounds; infinite cells on their own side
BOUNDS_CSV = "x,lo,hi\n0,0,1\n1,-inf,0.5\n2,1,inf\n3,0,0.2\n4,1,2\n"
LABELS_CSV = "x,label\n-2,0\n-1,0\n0,1\n1,1\n2,0\n3,0\n"


@pytest.fixture
def wd(tmp_path):
    (tmp_path / "peak.csv").write_text(PAPER_CSV)
    (tmp_path / "bounds.csv").write_text(BOUNDS_CSV)
    (tmp_path / "labels.csv").write_text(LABELS_CSV)
    rng = np.random.default_rng(1)
    x = np.sort(rng.uniform(-1, 1, 24))
    y = np.sin(3 * x) + 0.05 * rng.standard_normal(24)
    np.savetxt(tmp_path / "noisy.csv", np.c_[x, y], delimiter=",", header="x,y", comments="")
    return tmp_path


def _json(*argv):
    code, out, err = cli(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------------------------- data loading


def test_load_data_bounds_rule_and_infinite_cells(wd):
    ds = load_data(wd / "bounds.csv", lower="lo", upper="hi")
    assert ds.n_features == 1 and ds.y is None and ds.target_name is None  # x is the only input
    assert ds.lower[1] == -np.inf and ds.upper[2] == np.inf
    assert (ds.lower_name, ds.upper_name) == ("lo", "hi")
    (wd / "xy.csv").write_text("x,y,lo,hi\n0,0,-1,1\n1,1,0,2\n2,0,-1,1\n")
    two = load_data(wd / "xy.csv", lower="lo", upper="hi")  # no --target: y is an input
    assert two.n_features == 2 and two.y is None
    one = load_data(wd / "xy.csv", target="y", lower=2, upper="hi")  # names and indices
    assert one.n_features == 1 and one.y.tolist() == [0, 1, 0] and one.lower.tolist() == [-1, 0, -1]
    only_upper = load_data(wd / "xy.csv", target="y", upper="hi")  # lo stays a (2nd) input
    assert only_upper.lower is None and only_upper.n_features == 2


def test_load_data_without_bounds_is_unchanged(wd):
    ds = load_data(wd / "peak.csv")
    x, y = paper_1d()
    assert ds.lower is None and ds.upper is None
    assert np.array_equal(ds.X[:, 0], x) and np.array_equal(ds.y, y) and ds.target_name == "y"


def test_load_data_npz_bounds(wd):
    x, y = paper_1d()
    np.savez(wd / "b.npz", X=x, y=y, lo=y - 0.3, hi=y + 0.3)
    ds = load_data(wd / "b.npz", lower="lo", upper="hi")
    assert ds.n_features == 1 and np.array_equal(ds.y, y) and np.allclose(ds.upper - ds.lower, 0.6)


# ---------------------------------------------------------------------------------- exact


def test_exact_tol_json_fields_and_solver_agreement(wd):
    res = _json("exact", wd / "peak.csv", "--tol", "0.3")
    x, y = paper_1d()
    ref = solve_tube_1d(x, Targets.tolerance(y, 0.3))
    assert res["targets"] == "tolerance" and res["tol"] == 0.3
    assert res["n_neurons"] == ref.n_neurons == res["fewest_knots"] == 1
    assert res["max_violation"] <= 1e-9 and res["satisfied"] is True
    assert res["max_residual"] <= 0.3 + 1e-9 and 0 < res["rmse"] <= res["max_residual"]
    assert res["status"] == "optimal" and res["n_nonzero"] == 1 and res["d"] == 1


def test_exact_tol_text_output(wd):
    code, out, err = cli("exact", wd / "peak.csv", "--tol", "0.3")
    assert code == 0, err
    assert "within ±0.3 of y" in out and "max violation" in out and "rmse" in out
    assert "neurons       1 (the fewest possible)" in out


def test_exact_tol_zero_is_the_interpolant(wd):
    res = _json("exact", wd / "peak.csv", "--tol", "0")
    assert res["targets"] == "interpolation" and res["knots"] == [-1.0, 0.5, 2.0]


def test_exact_bounds_columns(wd):
    res = _json("exact", wd / "bounds.csv", "--lower", "lo", "--upper", "hi")
    ds = load_data(wd / "bounds.csv", lower="lo", upper="hi")
    ref = solve_tube_1d(ds.X[:, 0], Targets.bounds(ds.lower, ds.upper))
    assert res["targets"] == "bounds" and res["tol"] is None and res["max_residual"] is None
    assert res["n_neurons"] == ref.n_neurons == 2 and res["max_violation"] <= 1e-9
    # one side only: the other is infinite (here a line below all upper bounds: no knot)
    (wd / "upper.csv").write_text("x,hi\n0,1\n1,0.5\n2,inf\n3,0.2\n")
    low = _json("exact", wd / "upper.csv", "--upper", "hi")
    assert low["targets"] == "bounds" and low["max_violation"] <= 1e-9 and low["n_neurons"] == 0


def test_exact_classify_and_p1(wd):
    res = _json("exact", wd / "labels.csv", "--classify")
    assert res["targets"] == "classification" and res["classes"] == [0.0, 1.0]
    assert res["n_neurons"] == 1 and res["min_margin"] >= 1 - 1e-9 and res["max_violation"] <= 1e-9
    l1 = _json("exact", wd / "labels.csv", "--classify", "--p", "1")
    assert l1["status"] == "optimal" and l1["max_violation"] <= 1e-9


def test_exact_saves_targets_metadata(wd):
    code, _, err = cli("exact", wd / "peak.csv", "--tol", "0.3", "--out", wd / "m.json", "--quiet")
    assert code == 0, err
    meta = load_model(wd / "m.json").metadata
    _, y = paper_1d()
    for key, value in Targets.tolerance(y, 0.3).to_metadata().items():
        assert meta[key] == value
    assert meta["max_violation"] <= 1e-9 and meta["rmse"] > 0 and meta["fewest_knots"] == 1
    assert meta["satisfies_targets"] is True and meta["n_neurons"] == 1 and "interpolates" not in meta
    cli("exact", wd / "labels.csv", "--classify", "--out", wd / "c.json", "--quiet")
    meta = load_model(wd / "c.json").metadata
    assert meta["targets"] == "classification" and meta["classes"] == [0.0, 1.0]


def test_exact_interpolation_json_is_unchanged(wd):
    res = _json("exact", wd / "peak.csv")
    res.pop("seconds")
    assert res == {
        "status": "optimal",
        "p": 0.0,
        "n_neurons": 3,
        "sparsest_count": 3,
        "cost": 3.0,
        "knots": [-1.0, 0.5, 2.0],
        "jumps": [1.0, -2.0, 1.0],
        "slope": 0.0,
        "intercept": 0.0,
        "max_residual": 8.881784197001252e-16,
        "n_points": 6,
        "n_nonzero": 3,
        "d": 1,
        "interpolates": True,
    }


def test_exact_knots_linf_and_l2(wd):
    linf = _json("exact", wd / "peak.csv", "--knots", "1")
    assert linf["loss"] == "linf" and linf["n_neurons"] <= 1
    assert linf["max_residual"] == pytest.approx(0.25, rel=1e-6)  # eps*(1) of the paper's points
    assert linf["max_residual"] <= linf["eps_star"] + 1e-9 and linf["tol"] == linf["eps_star"]
    l2 = _json("exact", wd / "peak.csv", "--knots", "1", "--loss", "l2", "--out", wd / "l2.json")
    assert l2["loss"] == "l2" and l2["n_neurons"] <= 1 and l2["rmse"] <= linf["rmse"] + 1e-12
    meta = load_model(wd / "l2.json").metadata
    assert meta["loss"] == "l2" and meta["knots_budget"] == 1 and meta["method"] == "least-squares"


# ---------------------------------------------------------------------------------- certify


def test_certify_with_tol_flag_and_recorded_targets(wd):
    cli("exact", wd / "peak.csv", "--out", wd / "interp.json", "--quiet")
    res = _json("certify", wd / "interp.json", wd / "peak.csv", "--tol", "0.3")
    assert res["satisfies"] is True and res["fewest_knots"] == 1 and res["certified"] is False
    assert res["targets_from"] == "flags" and res["n_neurons"] == 3
    cli("exact", wd / "peak.csv", "--tol", "0.3", "--out", wd / "tol.json", "--quiet")
    res = _json("certify", wd / "tol.json", wd / "peak.csv")  # the model's own tolerance
    assert res["certified"] is True and res["targets_from"] == "model" and res["tol"] == 0.3
    res = _json("certify", wd / "tol.json", wd / "peak.csv", "--tol", "0.1")  # tighter: fails
    assert res["satisfies"] is False and res["certified"] is False and res["max_violation"] > 0.1
    code, out, _ = cli("certify", wd / "tol.json", wd / "peak.csv")
    assert code == 0 and "CERTIFIED" in out and "recorded in the model" in out


def test_certify_classify_and_bounds(wd):
    cli("exact", wd / "labels.csv", "--classify", "--out", wd / "c.json", "--quiet")
    res = _json("certify", wd / "c.json", wd / "labels.csv", "--classify")
    assert res["certified"] is True and res["classes"] == [0.0, 1.0]
    cli("exact", wd / "bounds.csv", "--lower", "lo", "--upper", "hi", "--out", wd / "b.json", "--quiet")
    res = _json("certify", wd / "b.json", wd / "bounds.csv", "--lower", "lo", "--upper", "hi")
    assert res["certified"] is True and res["fewest_knots"] == 2


# ---------------------------------------------------------------------------------- plot


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


@pytest.mark.parametrize(
    ("data", "flags"),
    [
        ("peak.csv", ["--tol", "0.3"]),
        ("labels.csv", ["--classify"]),
        ("bounds.csv", ["--lower", "lo", "--upper", "hi"]),
    ],
)
def test_plot_with_targets(wd, data, flags):
    code, _, err = cli("exact", wd / data, *flags, "--out", wd / "m.json", "--quiet")
    assert code == 0, err
    res = _json("plot", wd / "m.json", wd / data, *flags, "--out", wd / "p.png")
    assert res["max_violation"] <= 1e-9 and res["fewest_knots"] == res["exact_n_neurons"]
    _assert_png(wd / "p.png")


# ---------------------------------------------------------------------------------- path


def test_path_table_json_plot_and_out(wd):
    res = _json(
        "path", wd / "noisy.csv", "--max-knots", "3", "--plot", wd / "path.png", "--out", wd / "t.csv"
    )
    rows = res["rows"]
    assert [r["k"] for r in rows] == [0, 1, 2, 3] and res["max_knots"] == 3
    eps = [r["eps_star"] for r in rows]
    rmse = [r["rmse"] for r in rows]
    assert all(a >= b for a, b in itertools.pairwise(eps))
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(rmse))
    assert all(r["linf_count"] <= r["k"] for r in rows)
    _assert_png(wd / "path.png")
    assert (wd / "t.csv").read_text().splitlines()[0].startswith("k,eps_star,rmse")
    # eps*(2) is feasible with 2 knots, and the frontier agrees with exact --tol
    fit = _json("exact", wd / "noisy.csv", "--tol", repr(eps[2]))
    assert fit["n_neurons"] <= 2
    code, out, _ = cli("path", wd / "peak.csv")  # capped at the interpolation count
    assert code == 0 and "k = 0..3 (capped from 20)" in out and "eps*(k)" in out


# ---------------------------------------------------------------------------------- demo


def test_demo_tolerance_panel_values():
    from sparsest.commands.demo import DEMO_TOL, _tolerance

    x, y = paper_1d()
    tube, ladder = _tolerance(x, y)
    assert DEMO_TOL == 0.3 and tube.n_neurons == 1 and tube.max_violation <= 1e-9
    assert dict(ladder) == {0.1: 3, 0.2: 3, 0.3: 1, 0.5: 0}


# ---------------------------------------------------------------------------------- help


@pytest.mark.parametrize("name", ["exact", "certify", "plot"])
def test_help_lists_the_target_flags(name):
    code, out, _ = cli(name, "--help")
    assert code == 0
    for flag in ("--tol EPS", "--lower COL", "--upper COL", "--classify"):
        assert flag in out
    assert "target column is used only when --target names it" in " ".join(out.split())


# ---------------------------------------------------------------------------------- bad input

BAD = {
    # case: (file name, file contents or None for peak.csv, extra flags, words one of which must appear)
    "lo > hi": ("lohi.csv", "x,lo,hi\n0,0,1\n1,2,1\n2,0,1\n", ["--lower", "lo", "--upper", "hi"], ["row 2"]),
    "NaN bound": (
        "nanb.csv",
        "x,lo,hi\n0,0,1\n1,nan,1\n2,0,1\n",
        ["--lower", "lo", "--upper", "hi"],
        ["nan"],
    ),
    "+inf lower": ("infl.csv", "x,lo\n0,0\n1,inf\n2,0\n", ["--lower", "lo"], ["inf"]),
    "eps < 0": (None, None, ["--tol", "-0.1"], ["tol"]),
    "eps NaN": (None, None, ["--tol", "nan"], ["tol"]),
    "eps text": (None, None, ["--tol", "abc"], ["tol"]),
    "three classes": ("three.csv", "x,y\n0,0\n1,1\n2,2\n3,0\n", ["--classify"], ["two classes"]),
    "--tol with --lower": (
        "xlo.csv",
        "x,y,lo\n0,0,-1\n1,1,0\n2,0,-1\n",
        ["--tol", "0.1", "--lower", "lo", "--target", "y"],
        ["cannot be combined"],
    ),
    "--classify with --tol": (None, None, ["--classify", "--tol", "0.1"], ["cannot be combined"]),
    "--lower column missing": (None, None, ["--lower", "nope"], ["not a column"]),
    "--upper index out of range": (None, None, ["--upper", "7"], ["out of range"]),
    "--target is a bound": (
        "tb.csv",
        "x,lo,hi\n0,0,1\n1,0,1\n2,0,1\n",
        ["--lower", "lo", "--target", "lo"],
        ["same column"],
    ),
    # d-D data within a tolerance is solved (tests/test_exact_dd_targets.py); --knots stays 1-D
    "--knots with 2-D data": ("d2.csv", "a,b,y\n0,0,0\n1,0,1\n0,1,1\n", ["--knots", "1"], ["1-D only"]),
    # certify: a 1-D model against 2-D data (plot: targets plots are 1-D only)
    "--tol with 2-D data": (
        "d2.csv",
        "a,b,y\n0,0,0\n1,0,1\n0,1,1\n",
        ["--tol", "0.1"],
        ["1-D only", "input(s) but the model takes 1"],
    ),
    "repeated x, empty intersection": (
        "rep.csv",
        "x,y\n0,0\n1,0\n1,1\n2,0\n",
        ["--tol", "0.1"],
        ["repeated x=1"],
    ),
    "--knots with --tol": (None, None, ["--knots", "1", "--tol", "0.1"], ["cannot be combined"]),
    "--loss without --knots": (None, None, ["--loss", "l2"], ["--knots"]),
    "--pstar with --tol": (None, None, ["--pstar", "--tol", "0.1"], ["--pstar"]),
}


def _assert_one_line_error(code, out, err, needles):
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, err
    assert any(n.lower() in lines[0].lower() for n in needles), (needles, lines[0])


@pytest.mark.parametrize("case", [c for c in BAD if c != "--tol with 2-D data"])
def test_exact_bad_targets_input(wd, case):
    name, text, flags, needles = BAD[case]
    data = wd / "peak.csv"
    if name is not None:
        data = wd / name
        data.write_text(text)
    before = set(os.listdir(wd))
    code, out, err = cli("exact", data, *flags, "--out", wd / "out.json")
    _assert_one_line_error(code, out, err, needles)
    assert set(os.listdir(wd)) == before  # no model file written


@pytest.mark.parametrize(
    "case", ["lo > hi", "eps NaN", "three classes", "--tol with --lower", "--tol with 2-D data"]
)
@pytest.mark.parametrize("command", ["certify", "plot"])
def test_certify_and_plot_bad_targets_input(wd, case, command):
    name, text, flags, needles = BAD[case]
    code, _, err = cli("exact", wd / "peak.csv", "--out", wd / "model.json", "--quiet")
    assert code == 0, err
    data = wd / "peak.csv"
    if name is not None:
        data = wd / name
        data.write_text(text)
    before = set(os.listdir(wd))
    argv = [command, wd / "model.json", data, *flags] + (["--out", wd / "p.png"] if command == "plot" else [])
    code, out, err = cli(*argv)
    _assert_one_line_error(code, out, err, needles)
    assert set(os.listdir(wd)) == before


def test_path_bad_input(wd):
    (wd / "dup.csv").write_text("x,y\n0,0\n1,0\n1,1\n2,0\n")
    code, out, err = cli("path", wd / "dup.csv", "--out", wd / "t.csv")
    _assert_one_line_error(code, out, err, ["duplicate"])
    (wd / "d2.csv").write_text("a,b,y\n0,0,0\n1,0,1\n0,1,1\n")
    code, out, err = cli("path", wd / "d2.csv", "--plot", wd / "p.png")
    _assert_one_line_error(code, out, err, ["1-D"])
    code, out, err = cli("path", wd / "peak.csv", "--rtol", "2")
    _assert_one_line_error(code, out, err, ["rtol"])
    assert not (wd / "t.csv").exists() and not (wd / "p.png").exists()
