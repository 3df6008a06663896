"""Exact d-D fits within per-point bounds (issue 12, item 2): :func:`sparsest.exact.solve_targets`.

* the MILP (both formulations, certificates off) and the full pipeline agree with an independent
  brute force (``_brute_dd_targets``) on tiny 2-D instances: random tolerances, random per-point
  bounds (some sides infinite), random labels (classification), with and without a skip term;
* agreement with the exact 1-D tube solver on 1-D data (neurons, skip term);
* ε = 0 is the interpolation answer, bit for bit; the count never increases with ε;
* every returned network satisfies its bounds in float64 (``check_targets``);
* the span certificate (and the signed search, the generic bound) is never used with bounds;
* repeated inputs intersect their intervals; the CLI (``exact``/``certify`` with ``--tol``,
  ``--classify``, ``--lower/--upper`` on a 2-D CSV) and its bad-input lines.
"""

from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _brute_dd_targets import brute_force_targets
from conftest import cli
from sparsest.errors import DataError, ParameterError
from sparsest.exact import solve, solve_targets
from sparsest.exact.tube1d import solve_tube_1d
from sparsest.modelfile import load_model
from sparsest.targets import Targets
from sparsest.verify import check_targets

PIPELINES = [
    dict(certificates=True, formulation="auto"),
    dict(certificates=False, formulation="patterns"),
    dict(certificates=False, formulation="bigm"),
]


def _check(res, X, tg, objective):
    """Invariants of every targets result; returns its count."""
    assert res.status in ("optimal", "time_limit"), res.message
    assert res.network is not None
    chk = check_targets(res.network, X, tg)
    assert chk.ok and res.max_violation == chk.max_violation and res.max_violation <= 1e-9 * (1 + tg.scale())
    assert res.n_nonzero == res.network.n_nonzero(include_bias=res.include_bias, rtol=0.0)
    assert res.objective == (res.n_nonzero if objective == "nonzeros" else res.n_neurons)
    assert res.bound <= res.objective
    if not tg.is_interpolation:  # the fixed-target certificates are not used with bounds
        assert res.generic_lower_bound is None
        assert "span" not in res.bound_source and "signed" not in res.bound_source
        assert "span_certificate" not in res.details and "signed_certificate" not in res.details
    if not res.assumptions:
        assert res.bound_source != "MILP"
    return res.objective


def _instance(seed: int, kind: str, n: int):
    r = np.random.default_rng(seed)
    X = r.uniform(-1, 1, (n, 2))
    y = r.uniform(-1, 1, n)
    if kind == "tolerance":
        return X, Targets.tolerance(y, r.uniform(0, 0.6, n))
    if kind == "classification":
        t = r.choice([-1.0, 1.0], n)
        t[:2] = (1.0, -1.0)  # both classes
        return X, Targets.classification(t)
    lo = y - r.uniform(0, 0.5, n)
    hi = y + r.uniform(0, 0.5, n)
    lo[r.random(n) < 0.3] = -np.inf
    hi[r.random(n) < 0.3] = np.inf
    return X, Targets.bounds(lo, hi)


# ---------------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("kind", ["tolerance", "bounds", "classification"])
@pytest.mark.parametrize(("objective", "n"), [("neurons", 5), ("nonzeros", 4)])
def test_milp_and_pipeline_agree_with_brute_force(kind, objective, n):
    for seed in range(3):
        X, tg = _instance(100 * seed + n, kind, n)
        truth = brute_force_targets(X, tg.lo, tg.hi, objective)
        for opts in PIPELINES:
            res = solve_targets(X, tg, objective, time_limit=30, **opts)
            assert res.status == "optimal", (seed, opts, res.message)
            assert _check(res, X, tg, objective) == truth, (seed, kind, opts)


@pytest.mark.parametrize("objective", ["neurons", "nonzeros"])
def test_skip_term_agrees_with_brute_force(objective):
    for seed in range(3):
        X, tg = _instance(7 + seed, "tolerance", 4)
        truth = brute_force_targets(X, tg.lo, tg.hi, objective, skip=True)
        for opts in PIPELINES[:2]:
            res = solve_targets(X, tg, objective, skip=True, time_limit=30, **opts)
            assert res.status == "optimal" and _check(res, X, tg, objective) == truth, (seed, opts)


def test_1d_data_agrees_with_the_tube_solver():
    for seed in range(3):
        r = np.random.default_rng(seed)
        x = np.sort(r.uniform(-1, 1, 7))
        y = np.sin(3 * x) + 0.1 * r.standard_normal(7)
        tg = Targets.tolerance(y, r.uniform(0.02, 0.2))
        fewest = solve_tube_1d(x, tg).fewest_knots
        closed = solve_targets(x, tg, "neurons", skip=True)  # the tube DP is the closed form
        assert closed.formulation == "tube1d" and "tube" in closed.bound_source
        assert _check(closed, x[:, None], tg, "neurons") == fewest
        milp = solve_targets(x, tg, "neurons", skip=True, certificates=False, formulation="patterns")
        assert milp.status == "optimal" and _check(milp, x[:, None], tg, "neurons") == fewest


# ---------------------------------------------------------------------------------- invariants


def test_eps_zero_is_the_interpolation_answer_bit_for_bit():
    r = np.random.default_rng(3)
    X = r.uniform(-1, 1, (6, 2))
    y = r.uniform(-1, 1, 6)
    for objective in ("nonzeros", "neurons"):
        ref = solve(X, y, objective)
        got = solve_targets(X, Targets.tolerance(y, 0.0), objective)
        a, b = ref.to_dict(), got.to_dict()
        for key in ("seconds", "interpolates", "satisfies", "targets", "tol", "max_violation", "rmse"):
            a.pop(key, None)
            b.pop(key, None)
        assert a == b
        assert np.array_equal(ref.network.W, got.network.W) and np.array_equal(ref.network.v, got.network.v)
        assert got.targets.kind == "interpolation" and got.max_violation == ref.max_residual


@settings(max_examples=4, derandomize=True, deadline=None)
@given(seed=st.integers(0, 10**6), objective=st.sampled_from(["neurons", "nonzeros"]))
def test_count_never_increases_with_eps(seed, objective):
    r = np.random.default_rng(seed)
    X = r.uniform(-1, 1, (5, 2))
    y = r.uniform(-1, 1, 5)
    counts = []
    for eps in (0.0, 0.05, 0.2, 0.5):
        res = solve_targets(X, Targets.tolerance(y, eps), objective, time_limit=30)
        assert res.status == "optimal"
        counts.append(_check(res, X, Targets.tolerance(y, eps), objective))
    assert all(a >= b for a, b in itertools.pairwise(counts)), counts


def test_span_certificate_is_not_used_with_bounds(monkeypatch):
    """Generic labels need ~N nonzeros to interpolate (span certificate); a tolerance makes it easy."""
    r = np.random.default_rng(11)
    X = r.uniform(-1, 1, (7, 2))
    y = 1.0 + 0.3 * r.uniform(-1, 1, 7)
    interp = solve(X, y, "nonzeros")
    assert interp.status == "optimal" and interp.objective == 7 and "span" in interp.bound_source

    import sparsest.exact._rankbound as rb
    import sparsest.exact._signed as sg

    def forbidden(*args, **kwargs):
        raise AssertionError("a fixed-target certificate was used with bounds")

    monkeypatch.setattr(rb, "rank_lower_bound", forbidden)
    monkeypatch.setattr(sg, "signed_lower_bound", forbidden)
    res = solve_targets(X, Targets.tolerance(y, 0.35), "nonzeros")
    assert res.status == "optimal" and _check(res, X, Targets.tolerance(y, 0.35), "nonzeros") == 1
    assert "not valid with bounds" in res.generic_hypothesis
    assert "span certificate" in res.details["certificates"]["not_used"]
    y2 = X[:, 0] + X[:, 1] ** 2  # needs the MILP: blocks are built, the span search is not run
    tg = Targets.tolerance(y2, 0.1)
    res = solve_targets(X, tg, "nonzeros", time_limit=30)
    assert res.status == "optimal" and res.formulation == "patterns" and "blocks" in res.details
    assert _check(res, X, tg, "nonzeros") == brute_force_targets(X, tg.lo, tg.hi, "nonzeros")


@pytest.mark.parametrize("formulation", ["patterns", "bigm"])
def test_a_lying_solver_is_caught(monkeypatch, formulation):
    """A backend claiming 'optimal' for points outside the bounds: status 'error', never 'optimal'."""
    from sparsest.exact import backends as be_mod

    X, tg = _instance(5, "tolerance", 5)
    real = be_mod.HighsBackend.solve

    def lying(self, problem, *, time_limit, start=None, verbose=False):
        sol = real(self, problem, time_limit=time_limit, start=start, verbose=verbose)
        x = sol.x.copy()
        x[~problem.integer] *= 3.0  # wrong weights, same combinatorial choice
        return be_mod.MILPSolution("optimal", x, sol.objective, sol.objective, sol.seconds)

    def empty(self, problem, *, time_limit, start=None, verbose=False):
        return be_mod.MILPSolution("optimal", np.zeros(problem.n_cols), 0.0, 0.0, 0.0)

    for fake in (lying, empty):
        monkeypatch.setattr(be_mod.HighsBackend, "solve", fake)
        res = solve_targets(X, tg, "neurons", formulation=formulation, certificates=False, time_limit=20)
        assert res.status == "error" and "satisfy the targets" in res.message
        assert res.network is None or check_targets(res.network, X, tg).ok


def test_trivial_cases_and_closed_forms():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    # 0 within every bound: the empty network
    res = solve_targets(X, Targets.bounds([-1, -np.inf, 0], [1, 0, np.inf]))
    assert res.status == "optimal" and res.objective == 0 and res.network.width == 0
    # both signs forced: two neurons; affinely independent points: the closed form attains it
    tg = Targets.classification([1, 0, 1])
    res = solve_targets(X, tg, "neurons")
    assert res.status == "optimal" and _check(res, X, tg, "neurons") == 2 and "sign" in res.bound_source
    # one-signed bounds on affinely independent points: one neuron
    tg = Targets.bounds([1, -np.inf, 2], [np.inf, 5, 3])
    res = solve_targets(X, tg, "neurons")
    assert res.status == "optimal" and _check(res, X, tg, "neurons") == 1
    # a skip term: 0 iff an affine function fits
    tg = Targets.tolerance([0.0, 1.0, 1.0], 0.1)
    res = solve_targets(X, tg, "nonzeros", skip=True)
    assert res.status == "optimal" and res.objective == 0 and res.formulation == "closed-form"
    # free biases: a constant costs nothing
    tg = Targets.tolerance([2.0, 2.1, 1.9], 0.2)
    res = solve_targets(X, tg, "nonzeros", include_bias=False)
    assert res.status == "optimal" and res.objective == 0 and res.n_neurons == 1


def test_repeated_inputs_intersect_their_bounds():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    tg = Targets.bounds([0.0, 1.0, 0.0, -1.0], [0.5, 2.0, 1.5, 0.0])
    res = solve_targets(X, tg, "neurons")
    assert res.n_points == 3 and res.targets.lo.tolist() == [0.0, -1.0, 1.0]
    assert check_targets(res.network, X, tg).ok
    with pytest.raises(DataError, match=r"repeated input x=\(1, 0\)"):
        solve_targets(X, Targets.bounds([0, 1, 3, 0], [1, 2, 4, 1]))


def test_bad_parameters_raise():
    X = np.zeros((3, 2)) + np.arange(3)[:, None]
    tg = Targets.tolerance([0.0, 1.0, 0.0], 0.1)
    with pytest.raises(ParameterError, match="objective"):
        solve_targets(X, tg, "knots")
    with pytest.raises(ParameterError, match="Targets"):
        solve_targets(X, [0.0, 1.0, 0.0])
    with pytest.raises(ParameterError, match="time_limit"):
        solve_targets(X, tg, time_limit=-1)


# ---------------------------------------------------------------------------------- CLI

CSV2 = "a,b,y\n0,0,0\n1,0,1\n0,1,1\n1,1,0.2\n0.5,0.5,0.6\n2,1,1.5\n"
LABELS2 = "a,b,c\n0,0,0\n1,0,1\n0,1,1\n1,1,0\n0.5,0.2,1\n"
BOUNDS2 = "a,b,lo,hi\n0,0,0,1\n1,0,-inf,0.5\n0,1,1,inf\n1,1,0,0.2\n0.5,0.5,0.5,2\n"


@pytest.fixture
def wd(tmp_path):
    (tmp_path / "d2.csv").write_text(CSV2)
    (tmp_path / "l2.csv").write_text(LABELS2)
    (tmp_path / "b2.csv").write_text(BOUNDS2)
    return tmp_path


def _json(*argv):
    code, out, err = cli(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_cli_exact_tol_json_text_and_model(wd):
    res = _json("exact", wd / "d2.csv", "--tol", "0.3", "--out", wd / "m.json", "--quiet")
    assert res["status"] == "optimal" and res["tol"] == 0.3 and res["targets"] == "tolerance"
    assert res["max_violation"] <= 1e-9 and res["max_residual"] <= 0.3 + 1e-9 and res["rmse"] >= 0
    assert res["n_nonzero"] == res["objective"] <= res["bound"] and res["d"] == 2
    assert res["satisfies"] is True and res["model"] == str(wd / "m.json")
    mf = load_model(wd / "m.json")
    assert mf.metadata["targets"] == "tolerance" and mf.metadata["tol"] == 0.3
    assert mf.metadata["status"] == "optimal" and mf.metadata["objective"] == "nonzeros"
    assert mf.metadata["satisfies_targets"] is True and mf.metadata["bound"] == res["bound"]
    code, out, err = cli("exact", wd / "d2.csv", "--tol", "0.3", "--objective", "neurons")
    assert code == 0, err
    assert "within ±0.3 of y" in out and "max violation" in out and "lower bound" in out
    assert "not valid with bounds" in out


def test_cli_exact_classify_and_bounds(wd):
    res = _json("exact", wd / "l2.csv", "--classify", "--objective", "neurons")
    X = np.loadtxt(wd / "l2.csv", delimiter=",", skiprows=1)
    tg = Targets.classification(X[:, 2])
    truth = brute_force_targets(X[:, :2], tg.lo, tg.hi, "neurons")  # XOR-like: 3
    assert res["status"] == "optimal" and res["n_neurons"] == truth and res["min_margin"] >= 1 - 1e-9
    assert res["classes"] == [0.0, 1.0]
    res = _json("exact", wd / "b2.csv", "--lower", "lo", "--upper", "hi")
    assert res["status"] == "optimal" and res["max_violation"] <= 1e-9 and res["max_residual"] is None
    (wd / "lo.csv").write_text("a,b,lo\n0,0,0.5\n1,0,-inf\n0,1,1\n1,1,0.2\n")  # lower bounds only
    res = _json("exact", wd / "lo.csv", "--lower", "lo", "--objective", "neurons")
    assert res["status"] == "optimal" and res["d"] == 2 and res["n_neurons"] == 1  # a constant
    code, _, err = cli("exact", wd / "b2.csv", "--lower", "lo")  # hi is an input, with an inf cell
    assert code == 2 and "inf" in err and len(err.strip().splitlines()) == 1


def test_cli_certify_tol_flag_and_recorded_targets(wd):
    cli("exact", wd / "d2.csv", "--warm-start", "none", "--out", wd / "interp.json", "--quiet")
    res = _json("certify", wd / "interp.json", wd / "d2.csv", "--tol", "0.3")
    assert res["satisfies"] is True and res["certified"] is False and res["targets_from"] == "flags"
    assert res["optimum"] < res["count"]
    cli("exact", wd / "d2.csv", "--tol", "0.3", "--out", wd / "tol.json", "--quiet")
    res = _json("certify", wd / "tol.json", wd / "d2.csv")  # the model's own tolerance
    assert res["certified"] is True and res["targets_from"] == "model" and res["tol"] == 0.3
    res = _json("certify", wd / "tol.json", wd / "d2.csv", "--tol", "0.01")  # tighter: fails
    assert res["satisfies"] is False and res["certified"] is False
    code, out, _ = cli("certify", wd / "tol.json", wd / "d2.csv")
    assert code == 0 and "CERTIFIED" in out and "recorded in the model" in out
    cli("exact", wd / "l2.csv", "--classify", "--out", wd / "c.json", "--quiet")
    res = _json("certify", wd / "c.json", wd / "l2.csv", "--classify")
    assert res["certified"] is True and res["classes"] == [0.0, 1.0]


BAD = {
    "--knots in 2-D": (["--knots", "1"], ["1-D only"]),
    "--p with --tol": (["--tol", "0.1", "--p", "0.5"], ["--p"]),
    "--pstar with --tol": (["--tol", "0.1", "--pstar"], ["--pstar"]),
    "eps < 0": (["--tol", "-1"], ["tol"]),
    "three classes": (["--classify", "--target", "a"], ["two classes"]),
    "repeated input, empty intersection": (["--tol", "0.1"], ["repeated input"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_cli_bad_input_is_one_line_exit_2(wd, case):
    flags, needles = BAD[case]
    data = wd / "d2.csv"
    if case == "three classes":
        (wd / "three.csv").write_text("a,b,y\n0,0,0\n1,0,1\n2,1,2\n0,1,3\n")
        data = wd / "three.csv"
    if case.startswith("repeated"):
        (wd / "rep.csv").write_text("a,b,y\n0,0,0\n1,0,0\n1,0,1\n0,1,0\n")
        data = wd / "rep.csv"
    before = set(os.listdir(wd))
    code, out, err = cli("exact", data, *flags, "--out", wd / "out.json")
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in err, err
    assert any(n.lower() in lines[0].lower() for n in needles), lines[0]
    assert set(os.listdir(wd)) == before


# ------------------------------------------------------------------------ library certify_targets


@pytest.mark.parametrize("kind", ["tolerance", "bounds", "classification"])
def test_certify_targets_certifies_the_optimum_and_nothing_worse(kind):
    import sparsest
    from sparsest.exact import certify_targets
    from sparsest.network import ReLUNetwork

    X, tg = _instance(3, kind, 5)
    res = solve_targets(X, tg, "nonzeros", time_limit=30)
    assert res.status == "optimal" and res.network is not None
    # the optimum is certified, with the solver's own count and bound
    cr = certify_targets(res.network, X, tg, "nonzeros", time_limit=30)
    assert cr.interpolates and cr.certified and cr.status == "optimal"
    assert cr.count == cr.optimum == res.objective and cr.bound <= cr.count
    # the same network plus a neuron that is zero on the data: still within bounds, one more
    # neuron and more nonzeros than the optimum, so not certified
    net = res.network
    far = float(np.max(np.abs(X))) * 10 + 1
    W = np.concatenate([net.W, np.ones((1, X.shape[1]))])
    b = np.concatenate([net.b, [-far * X.shape[1]]])
    v = np.concatenate([net.v, [1.0]])
    bigger = ReLUNetwork(W, b, v, a=net.a if net.skip else None, c=net.c, skip=net.skip)
    cb = certify_targets(bigger, X, tg, "nonzeros", time_limit=30)
    assert cb.interpolates and not cb.certified and cb.count > cb.optimum
    # a network outside the bounds is never certified (and says so)
    out = ReLUNetwork(net.W, net.b, net.v * 0.0 + 50.0, a=net.a if net.skip else None, c=net.c, skip=net.skip)
    if not check_targets(out, X, tg).ok:
        co = certify_targets(out, X, tg, "nonzeros", time_limit=30)
        assert not co.interpolates and not co.certified
    # the top-level names
    assert sparsest.certify_targets is certify_targets and sparsest.solve_targets is solve_targets


def test_certify_targets_bad_input():
    from sparsest.exact import certify_targets

    X, tg = _instance(0, "tolerance", 4)
    net = solve_targets(X, tg, "nonzeros", time_limit=30).network
    with pytest.raises(ParameterError, match="input"):
        certify_targets(net, X[:, :1], tg)
    with pytest.raises(ParameterError, match="Targets"):
        certify_targets(net, X, np.zeros(4))
    with pytest.raises(ParameterError, match="objective"):
        certify_targets(net, X, tg, "weights")
