"""Exact d-D solver and certificates (issue 5).

* the shared known-answer battery (``battery_dd``) against every formulation and every installed
  backend, the MILP proving the answer itself (``certificates=False``) and with the full pipeline;
* formulation agreement with an independent brute force on random tiny instances;
* the 1-D dynamic program and the MILP agree on 1-D data;
* a solver that claims optimality on a bad point is caught (status "error", never "optimal");
* a missing backend fails at call time with the install hint;
* the activation-pattern enumeration against an LP-based brute force; the span certificate's soundness;
* the CLI: ``exact`` on d-D data and ``certify`` (JSON).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.optimize import linprog

from battery_dd import brute_force, cases
from conftest import SRC, cli
from sparsest.errors import BackendNotAvailableError, DataError, ParameterError
from sparsest.exact import (
    STATUSES,
    available_backends,
    certify,
    generic_lower_bound,
    solve,
    solve_1d,
)
from sparsest.exact import backends as be_mod
from sparsest.network import ReLUNetwork
from sparsest.verify import check_interpolation

CASES = cases()
BACKENDS = [b for b in available_backends() if b != "gurobi" or importlib.util.find_spec("gurobipy")]


def _check_result(res, X, y, objective):
    """Invariants of every ExactResult."""
    assert res.status in STATUSES
    if res.network is not None:
        chk = check_interpolation(res.network, X, y)
        assert chk.ok, chk
        assert res.n_nonzero == res.network.n_nonzero(include_bias=res.include_bias, rtol=0.0)
        assert res.n_neurons == res.network.n_active_neurons(include_bias=True, rtol=0.0)
        assert res.objective == (res.n_nonzero if objective == "nonzeros" else res.n_neurons)
        assert res.bound <= res.objective
        if res.status == "optimal":
            assert res.objective == res.bound and res.gap == 0.0
    if not res.assumptions:
        assert res.bound_source != "MILP"


# ---------------------------------------------------------------------------------- battery


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("formulation", ["patterns", "bigm"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_battery_milp_proves_known_answers(case, formulation, backend):
    for objective in ("nonzeros", "neurons"):
        res = solve(
            case["X"],
            case["y"],
            objective,
            formulation=formulation,
            backend=backend,
            certificates=False,
            time_limit=30,
        )
        _check_result(res, case["X"], case["y"], objective)
        assert res.status == "optimal", (objective, res)
        assert res.objective == case[objective], (objective, res.objective, case[objective])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_battery_full_pipeline(case):
    for objective in ("nonzeros", "neurons"):
        res = solve(case["X"], case["y"], objective, time_limit=30)
        _check_result(res, case["X"], case["y"], objective)
        assert res.status == "optimal" and res.objective == case[objective]


def test_formulations_agree_with_brute_force_on_random_tiny_instances():
    rng = np.random.default_rng(2024)
    for _ in range(6):
        N = int(rng.integers(3, 5))
        d = int(rng.integers(1, 3))
        X = rng.uniform(-1, 1, (N, d))
        y = rng.uniform(-1, 1, N)
        for objective in ("nonzeros", "neurons"):
            truth = brute_force(X, y, objective)
            for form in ("patterns", "bigm"):
                res = solve(X, y, objective, formulation=form, skip=False, certificates=False, time_limit=30)
                _check_result(res, X, y, objective)
                assert res.status == "optimal" and res.objective == truth, (N, d, objective, form, res)


def test_formulations_agree_n5_d2():
    """N = 5: the pattern model alone, the big-M model with certificates, the full pipeline."""
    rng = np.random.default_rng(5)
    for _ in range(2):
        X = rng.uniform(-1, 1, (5, 2))
        y = rng.uniform(-1, 1, 5)
        for objective in ("nonzeros", "neurons"):
            a = solve(X, y, objective, formulation="patterns", certificates=False, time_limit=30)
            b = solve(X, y, objective, formulation="bigm", time_limit=30)
            c = solve(X, y, objective, time_limit=30)
            for r in (a, b, c):
                _check_result(r, X, y, objective)
                assert r.status == "optimal"
            assert a.objective == b.objective == c.objective


# ---------------------------------------------------------------------------------- 1-D


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7])
def test_dp_and_milp_agree_in_1d(n):
    from sparsest.data import random_1d

    for seed in range(2):
        x, y = random_1d(n, seed=10 * n + seed, kind="gaussian" if seed else "runs")
        dp = solve_1d(x, y)
        res = solve(x, y, "neurons", skip=True, formulation="patterns", certificates=False, time_limit=30)
        _check_result(res, x[:, None], y, "neurons")
        assert res.status == "optimal" and res.objective == dp.n_neurons
        if n <= 5:
            res = solve(x, y, "neurons", skip=True, formulation="bigm", certificates=False, time_limit=30)
            assert res.status == "optimal" and res.objective == dp.n_neurons
        auto = solve(x, y, "neurons", skip=True)
        assert auto.formulation == "dp1d" and auto.objective == dp.n_neurons and not auto.assumptions


def test_1d_nonzeros_with_and_without_bias():
    from sparsest.data import paper_1d

    x, y = paper_1d()
    free = solve(x, y, "nonzeros", include_bias=False)
    assert free.status == "optimal" and free.objective == 3 and free.formulation == "dp1d"
    counted = solve(x, y, "nonzeros", time_limit=30)
    _check_result(counted, x[:, None], y, "nonzeros")
    # three knots, none at x = 0: each neuron has a weight and a bias
    assert counted.status == "optimal" and counted.objective == 6


# ---------------------------------------------------------------------------------- verification


def test_a_bad_optimal_point_is_caught(monkeypatch):
    """A backend that claims 'optimal' for a point that does not interpolate: status 'error'."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (5, 2))
    y = rng.uniform(-1, 1, 5)
    real = be_mod.HighsBackend.solve

    def lying(self, problem, *, time_limit, start=None, verbose=False):
        sol = real(self, problem, time_limit=time_limit, start=start, verbose=verbose)
        x = sol.x.copy()
        cont = ~problem.integer
        x[cont] *= 1.05  # wrong weights, same combinatorial choice, still "optimal"
        return be_mod.MILPSolution("optimal", x, sol.objective, sol.objective, sol.seconds)

    monkeypatch.setattr(be_mod.HighsBackend, "solve", lying)
    for form in ("patterns", "bigm"):
        res = solve(X, y, "neurons", formulation=form, certificates=False, time_limit=30)
        assert res.status == "error" and "does not interpolate" in res.message
        assert res.network is None or check_interpolation(res.network, X, y).ok


def test_a_bad_structure_is_caught(monkeypatch):
    """A claimed optimum whose support cannot interpolate exactly fails the exact re-solve."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (5, 2))
    y = rng.uniform(-1, 1, 5)

    def empty(self, problem, *, time_limit, start=None, verbose=False):
        x = np.zeros(problem.n_cols)
        return be_mod.MILPSolution("optimal", x, 0.0, 0.0, 0.0)

    monkeypatch.setattr(be_mod.HighsBackend, "solve", empty)
    res = solve(X, y, "nonzeros", formulation="patterns", certificates=False, time_limit=10)
    assert res.status == "error"


def test_missing_backend_gives_install_hint(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "gurobipy" else real(n, *a))
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(BackendNotAvailableError, match=r'pip install "sparsest\[gurobi\]"'):
        solve(X, [1.0, -1.0], backend="gurobi")
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n0,0,1\n1,1,-1\n0,1,2\n")
    code, out, err = cli("exact", data, "--backend", "gurobi")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert 'pip install "sparsest[gurobi]"' in err
    with pytest.raises(ParameterError, match="backend must be one of"):
        solve(X, [1.0, -1.0], backend="cplex")


def test_bad_parameters_raise():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    y = [1.0, -1.0, 0.5]
    for kw in (dict(objective="weights"), dict(formulation="sos"), dict(time_limit=0), dict(time_limit="x")):
        with pytest.raises(ParameterError):
            solve(X, y, **kw)
    with pytest.raises(ParameterError, match="warm_start"):
        solve(X, y, warm_start=ReLUNetwork(np.ones((1, 1)), [0.0], [1.0]))
    with pytest.raises(DataError, match="duplicate"):
        solve(np.array([[0.0, 0.0], [0.0, 0.0]]), [1.0, 2.0])
    with pytest.raises(DataError, match="differ by only"):
        solve(np.array([[0.0, 0.0], [1e-12, 0.0], [1.0, 1.0]]), [0.0, 1.0, 0.0])


# ---------------------------------------------------------------------------------- certificates


def test_closed_forms_and_generic_bound():
    from sparsest.data import paper_50d

    X, y = paper_50d()
    res = solve(X, y, "neurons")
    assert res.status == "optimal" and res.objective == 2 and res.formulation == "closed-form"
    assert not res.assumptions
    gb, hyp = generic_lower_bound(X, y, "nonzeros")
    assert gb == 10 and "general position" in hyp and "not checked" in hyp
    res = solve(X, y, "nonzeros", time_limit=3)
    _check_result(res, X, y, "nonzeros")
    assert res.generic_lower_bound == 10 and res.objective is not None and res.objective <= 10
    assert res.bound >= 2  # mixed labels need two neurons; the generic bound is never mixed in
    skip = solve(X, y, "nonzeros", skip=True)
    assert skip.status == "optimal" and skip.objective == 0  # affinely independent: a.x + c fits


def test_span_certificate_is_sound_and_unconditional():
    rng = np.random.default_rng(11)
    for _ in range(3):
        X = rng.uniform(-1, 1, (4, 2))
        y = rng.uniform(-1, 1, 4)
        for objective in ("nonzeros", "neurons"):
            truth = brute_force(X, y, objective)
            res = solve(X, y, objective, time_limit=30)
            assert res.status == "optimal" and res.objective == truth
            cert = res.details.get("span_certificate")
            if cert is not None:
                assert cert["bound"] <= truth
            if res.bound_source.startswith(("span", "signed", "trivial", "closed")):
                assert not res.assumptions


def test_warm_start_is_used_and_polished():
    rng = np.random.default_rng(8)
    X = rng.uniform(-1, 1, (6, 2))
    y = rng.uniform(-1, 1, 6)
    ref = solve(X, y, "neurons", time_limit=30)
    net = ref.network
    noisy = ReLUNetwork(net.W * (1 + 1e-9), net.b, net.v)  # interpolates to ~1e-9 only
    res = solve(X, y, "neurons", warm_start=noisy, time_limit=30)
    assert res.status == "optimal" and res.objective == ref.objective
    bad = ReLUNetwork(net.W, net.b + 1.0, net.v)
    res = solve(X, y, "neurons", warm_start=bad, time_limit=30)
    assert res.status == "optimal" and "warm start does not interpolate" in res.message


def test_arrangement_matches_lp_enumeration():
    from sparsest.exact._arrangement import arrangement

    rng = np.random.default_rng(1)
    grid = np.array([[i, j] for i in range(3) for j in range(3)], float)  # degenerate: collinear triples
    for X in (rng.uniform(-1, 1, (7, 2)), grid, rng.uniform(-1, 1, (5, 3))):
        Z = np.concatenate([X, np.ones((len(X), 1))], axis=1)
        got = {tuple(p) for p in arrangement(Z).patterns.astype(int)}
        want = set()
        for bits in itertools.product([0, 1], repeat=len(X)):
            if not any(bits):
                continue
            sgn = np.where(np.array(bits) > 0, 1.0, -1.0)
            r = linprog(np.zeros(Z.shape[1]), A_ub=-(sgn[:, None] * Z), b_ub=-np.ones(len(X)),
                        bounds=[(None, None)] * Z.shape[1], method="highs")  # fmt: skip
            if r.status == 0:
                want.add(bits)
        assert got == want


# ---------------------------------------------------------------------------------- certify


def test_certify_library():
    rng = np.random.default_rng(9)
    X = rng.uniform(-1, 1, (5, 2))
    y = rng.uniform(-1, 1, 5)
    best = solve(X, y, "neurons", time_limit=30)
    c = certify(best.network, X, y, "neurons", time_limit=30)
    assert c.interpolates and c.certified and c.optimum == c.count == best.objective and c.gap == 0
    # the same function with one neuron split in two equal halves: interpolates, not the sparsest
    net = best.network
    split = ReLUNetwork(
        np.concatenate([net.W, net.W[:1]]),
        np.concatenate([net.b, net.b[:1]]),
        np.r_[net.v[:1] / 2, net.v[1:], net.v[:1] / 2],
    )
    c2 = certify(split, X, y, "neurons", time_limit=30)
    assert c2.interpolates and not c2.certified and c2.count == best.objective + 1 and c2.gap > 0
    off = ReLUNetwork(net.W, net.b + 0.5, net.v)
    c3 = certify(off, X, y, "neurons", time_limit=30)
    assert not c3.interpolates and not c3.certified


def test_exact_and_certify_cli_json(tmp_path):
    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, (6, 2))
    y = rng.uniform(-1, 1, 6)
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,y\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in np.c_[X, y]))
    model = tmp_path / "m.json"
    code, out, err = cli("exact", data, "--json", "--out", model, "--time-limit", "30")
    assert code == 0, err
    res = json.loads(out)
    for key in ("status", "n_nonzero", "n_neurons", "bound", "gap", "max_residual", "seconds"):
        assert key in res
    assert res["status"] == "optimal" and res["objective_name"] == "nonzeros" and res["d"] == 2
    code, out, err = cli("certify", model, data, "--json", "--time-limit", "30")
    assert code == 0, err
    cert = json.loads(out)
    for key in ("interpolates", "n_neurons", "n_nonzero", "optimum", "bound", "gap", "certified", "status"):
        assert key in cert
    assert cert["certified"] is True and cert["optimum"] == res["objective"] and cert["gap"] == 0
    code, out, err = cli("certify", model, data, "--objective", "neurons", "--json")
    cert = json.loads(out)
    assert code == 0 and cert["objective_name"] == "neurons" and cert["optimum"] is not None
    code, out, err = cli("exact", data)
    assert code == 0 and "status        optimal" in out and "lower bound" in out
    code, out, err = cli("exact", data, "--p", "0.5")
    assert code == 2 and "p > 0" in err


def test_exact_cli_warm_start_modes(tmp_path):
    """--warm-start auto uses the trainer (its time is reported), none skips it, MODEL loads a file;
    the answer is the same proven optimum every way; a model of the wrong input size is a user error."""
    pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, (6, 2))
    y = rng.uniform(-1, 1, 6)
    data = tmp_path / "d.npz"
    np.savez(data, X=X, y=y)
    model = tmp_path / "m.json"
    runs = {}
    for mode in ("auto", "none"):
        argv = ["exact", data, "--json", "--quiet", "--time-limit", "20", "--warm-start", mode]
        code, out, err = cli(*argv, *(["--out", model] if mode == "auto" else []))
        assert code == 0, err
        runs[mode] = json.loads(out)
    assert runs["auto"]["warm_start_seconds"] > 0 and runs["none"]["warm_start_seconds"] == 0
    auto = runs["auto"]
    assert auto["seconds"] == pytest.approx(auto["solve_seconds"] + auto["warm_start_seconds"])
    code, out, err = cli("exact", data, "--json", "--time-limit", "20", "--warm-start", model)
    assert code == 0, err
    runs["model"] = json.loads(out)
    assert {r["status"] for r in runs.values()} == {"optimal"}
    assert len({r["objective"] for r in runs.values()}) == 1
    X3 = rng.uniform(-1, 1, (5, 3))
    np.savez(tmp_path / "d3.npz", X=X3, y=rng.uniform(-1, 1, 5))
    code, out, err = cli("exact", tmp_path / "d3.npz", "--warm-start", model)
    assert code == 2 and out == "" and err.count("\n") == 1 and "2 inputs" in err and "3 features" in err
    code, out, err = cli("exact", data, "--warm-start", tmp_path / "missing.json")
    assert code == 2 and "no such model file" in err


def test_exact_dd_does_not_import_torch():
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from sparsest.exact import solve
        r = solve(np.array([[0., 0.], [1., 0.], [0., 1.], [1., 1.]]), np.array([0., 1., 1., 0.]))
        heavy = sorted(m for m in ("torch", "matplotlib", "sklearn") if m in sys.modules)
        print(r.status, r.objective, "HEAVY=" + ",".join(heavy))
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["optimal", "4", "HEAVY="], proc.stdout


def test_counts_are_invariant_to_rescaling_and_reordering():
    """Scaling a column or the labels and permuting the points keep the sparsest counts."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=8, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        scale=st.floats(0.01, 100.0),
        yscale=st.floats(0.01, 100.0),
        objective=st.sampled_from(["nonzeros", "neurons"]),
    )
    def prop(seed, scale, yscale, objective):
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1, 1, (4, 2))
        y = rng.uniform(-1, 1, 4)
        base = solve(X, y, objective, time_limit=30)
        perm = rng.permutation(4)
        X2 = X[perm] * np.array([scale, 1.0])
        other = solve(X2, yscale * y[perm], objective, time_limit=30)
        assert base.status == other.status == "optimal"
        assert base.objective == other.objective

    prop()


def test_small_support_certificate_is_sound_for_large_d():
    """With too many blocks (forced by max_blocks) the span certificate uses small supports only."""
    rng = np.random.default_rng(12)
    X = rng.uniform(-1, 1, (5, 4))
    y = rng.uniform(-1, 1, 5)
    full = solve(X, y, "nonzeros", time_limit=30)
    assert full.status == "optimal"
    small = solve(X, y, "nonzeros", max_blocks=20, time_limit=3)
    _check_result(small, X, y, "nonzeros")
    assert small.formulation == "bigm"
    assert small.bound <= full.objective <= small.objective
    assert "max_support" in small.details["span_certificate"]
