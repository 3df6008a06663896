"""The command-line interface as a whole: help, version, consistent flags, exit codes, bad input.

Tests are parametrized over ``sparsest.cli.COMMANDS`` and over the parsers' own arguments, so every
command added later (``fit``, ``certify``, ``reproduce``, ...) is covered without editing this file:

* every command's ``--help`` works and shows every meaningful default;
* the shared flags have the same names, types and meaning everywhere;
* every command taking a ``data`` positional gets the bad-data table, every command with ``--p`` the
  bad exponents, with ``--width`` a zero width, with ``--out`` a directory, with a ``model``
  positional the broken model files — each must exit with code 2, print one line naming the
  problem, and leave no file behind.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from conftest import SRC, cli, run_cli
from sparsest import __version__
from sparsest.cli import COMMANDS, build_parser

PAPER_CSV = "x,y\n-2,0\n-1,0\n0,1\n1,1\n2,0\n3,0\n"


# ---------------------------------------------------------------------------------- introspection


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


SUBPARSERS = _subparsers()


def _positionals(name: str) -> list[str]:
    return [a.dest for a in SUBPARSERS[name]._actions if not a.option_strings]


def _option(name: str, flag: str) -> argparse.Action | None:
    for a in SUBPARSERS[name]._actions:
        if flag in a.option_strings:
            return a
    return None


def _data_kind(name: str) -> str:
    """'train' (an interpolation problem: >= 2 distinct points) or 'inputs' (points to evaluate)."""
    mod = importlib.import_module(f"sparsest.commands.{COMMANDS[name]}")
    return getattr(mod, "DATA_KIND", "train")


OUT_EXT = {"export": ".onnx", "plot": ".png", "demo": ".png", "predict": ".csv"}


@pytest.fixture
def workdir(tmp_path):
    """A folder with a valid 1-D data file and a 1-D model file of the paper's data."""
    (tmp_path / "good.csv").write_text(PAPER_CSV)
    code, _, err = cli("exact", tmp_path / "good.csv", "--out", tmp_path / "model.json", "--quiet")
    assert code == 0, err
    return tmp_path


def _argv(name: str, wd, *, data=None, model=None, out=None) -> list[str]:
    """A valid invocation of command ``name`` (positionals filled by role), with overrides."""
    argv = [name]
    for dest in _positionals(name):
        if dest == "model":
            argv.append(str(model or wd / "model.json"))
        elif dest == "data":
            argv.append(str(data or wd / "good.csv"))
        else:  # pragma: no cover - a future positional with another role
            pytest.skip(f"{name}: no automatic value for positional {dest!r}")
    if _option(name, "--out") is not None:
        argv += ["--out", str(out or wd / f"result{OUT_EXT.get(name, '.json')}")]
    return argv


def _assert_user_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0] and "Traceback" not in err
    low = lines[0].lower()
    assert any(n.lower() in low for n in needles), (needles, lines[0])


# ---------------------------------------------------------------------------------- help and version


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_in_process_shows_usage_and_every_default(name):
    code, out, err = cli(name, "--help")
    assert code == 0 and err == ""
    assert out.startswith(f"usage: sparsest {name}")
    flat = " ".join(out.split())
    for action in SUBPARSERS[name]._actions:
        if action.default is None or action.default is False or action.default is argparse.SUPPRESS:
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings or action.nargs in ("?", "*"):
            assert f"(default: {action.default})" in flat, (name, action.dest)
        if action.option_strings:
            assert action.help, (name, action.dest)  # every option is documented


def test_help_lists_every_command_and_exit_codes():
    code, out, _ = cli("--help")
    assert code == 0
    for name in COMMANDS:
        assert name in out
    assert "Exit codes" in out


@pytest.mark.parametrize("argv", [["--help"], ["exact", "--help"], ["predict", "--help"]])
def test_help_as_subprocess(argv):
    proc = run_cli(*argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: sparsest")
    assert proc.stderr == ""


def test_version_in_process_and_as_module():
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"sparsest {__version__}"
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"sparsest {__version__}"


def test_no_command_and_unknown_command_are_usage_errors():
    code, _, err = cli()
    assert code == 2 and "usage" in err
    code, _, err = cli("no-such-command")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "invalid choice" in err


def test_unknown_option_is_one_line_exit_2(workdir):
    code, _, err = cli("exact", workdir / "good.csv", "--no-such-flag")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "unrecognized" in err


# ---------------------------------------------------------------------------------- consistent flags


@pytest.mark.parametrize("name", list(COMMANDS))
def test_shared_flags_are_consistent(name):
    from sparsest.commands._common import p_value, positive_float

    js, quiet = _option(name, "--json"), _option(name, "--quiet")
    assert js is not None and js.nargs == 0 and js.default is False, "every command has --json"
    assert quiet is not None and "-q" in quiet.option_strings and quiet.default is False
    if (p := _option(name, "--p")) is not None:
        assert p.type is p_value and p.dest == "p"
    if (seed := _option(name, "--seed")) is not None:
        assert seed.type is int and isinstance(seed.default, int)
    if (out := _option(name, "--out")) is not None:
        assert "-o" in out.option_strings and out.dest == "out"
    if (target := _option(name, "--target")) is not None:
        assert target.default is None and target.metavar == "COL"
    if (tl := _option(name, "--time-limit")) is not None:
        assert tl.type is positive_float and tl.dest == "time_limit"
    for a in SUBPARSERS[name]._actions:  # one spelling per concept
        for flag in a.option_strings:
            assert flag not in ("--output", "--outfile", "--silent", "--random-state", "--timelimit"), flag


# ---------------------------------------------------------------------------------- bad-input table

BAD_DATA = {
    # case: (file contents, words one of which the message must contain, data kinds it applies to)
    "empty file": ("", ("empty",), ("train", "inputs")),
    "one row": ("x,y\n1,2\n", ("at least 2",), ("train",)),
    "NaN": ("x,y\n0,0\n1,nan\n2,1\n", ("nan",), ("train", "inputs")),
    "inf": ("x,y\n0,0\n1,inf\n2,1\n", ("inf",), ("train", "inputs")),
    "text in a numeric column": ("x,y\n0,0\n1,abc\n2,1\n", ("non-numeric",), ("train", "inputs")),
    "duplicate x, different y": ("x,y\n0,0\n1,1\n1,2\n2,0\n", ("duplicate",), ("train",)),
}


def _cases(kind: str) -> list:
    out = []
    for name in COMMANDS:
        dests = _positionals(name)
        if kind == "data" and "data" in dests:
            for case, (_, _, kinds) in BAD_DATA.items():
                if _data_kind(name) in kinds:
                    out.append(pytest.param(name, case, id=f"{name}-{case}"))
        elif kind == "data-any" and "data" in dests:
            out.append(name)
        elif kind == "model" and "model" in dests:
            out.append(name)
        elif kind.startswith("--") and _option(name, kind) is not None:
            out.append(name)
    return out


def _run_bad(wd, argv, *needles):
    before = set(os.listdir(wd))
    code, out, err = cli(*argv)
    _assert_user_error(code, out, err, *needles)
    assert set(os.listdir(wd)) == before, "a failing command left a file behind"


@pytest.mark.parametrize("name", _cases("data-any"))
def test_valid_invocation_succeeds(name, workdir):
    """Control for the table below: with good inputs the same invocation exits 0."""
    code, out, err = cli(*_argv(name, workdir), "--quiet")
    assert code == 0, (out, err)


@pytest.mark.parametrize(("name", "case"), _cases("data"))
def test_bad_data_table(name, case, workdir):
    text, needles, _ = BAD_DATA[case]
    bad = workdir / "bad.csv"
    bad.write_text(text)
    _run_bad(workdir, _argv(name, workdir, data=bad), *needles)


@pytest.mark.parametrize("name", _cases("data-any"))
def test_missing_data_file(name, workdir):
    _run_bad(workdir, _argv(name, workdir, data=workdir / "nope.csv"), "no such file")


@pytest.mark.parametrize("name", _cases("data-any"))
def test_mismatched_target(name, workdir):
    if _option(name, "--target") is None:
        pytest.skip(f"{name} has no --target")
    _run_bad(workdir, [*_argv(name, workdir), "--target", "z"], "not a column", "--target")
    _run_bad(workdir, [*_argv(name, workdir), "--target", "7"], "out of range", "--target")


@pytest.mark.parametrize("name", _cases("--p"))
@pytest.mark.parametrize("p", ["1.5", "-0.1", "nan", "abc"])
def test_bad_p(name, p, workdir):
    _run_bad(workdir, [*_argv(name, workdir), f"--p={p}"], "p must")


@pytest.mark.parametrize("name", sorted(set(_cases("--width")) | ({"fit"} & set(COMMANDS))))
def test_width_zero(name, workdir):
    _run_bad(workdir, [*_argv(name, workdir), "--width", "0"], "width")


@pytest.mark.parametrize("name", _cases("--out"))
def test_directory_as_output(name, workdir):
    target = workdir / "adir"
    target.mkdir()
    _run_bad(workdir, _argv(name, workdir, out=target), "is a directory")


@pytest.mark.parametrize("name", _cases("--out"))
def test_missing_output_folder(name, workdir):
    out = workdir / "no" / f"result{OUT_EXT.get(name, '.json')}"
    _run_bad(workdir, _argv(name, workdir, out=out), "does not exist")


@pytest.mark.parametrize("name", _cases("model"))
def test_truncated_model_file(name, workdir):
    text = (workdir / "model.json").read_text()
    bad = workdir / "truncated.json"
    bad.write_text(text[: len(text) // 2])
    _run_bad(workdir, _argv(name, workdir, model=bad), "truncated")


@pytest.mark.parametrize("name", _cases("model"))
def test_future_model_file(name, workdir):
    doc = json.loads((workdir / "model.json").read_text())
    doc["format_version"] = 99
    bad = workdir / "future.json"
    bad.write_text(json.dumps(doc))
    _run_bad(workdir, _argv(name, workdir, model=bad), "newer")


@pytest.mark.parametrize("name", _cases("model"))
def test_missing_model_file(name, workdir):
    _run_bad(workdir, _argv(name, workdir, model=workdir / "nope.json"), "no such")


def test_bad_input_as_subprocess_is_one_line(workdir):
    (workdir / "bad.csv").write_text("x,y\n0,0\n1,nan\n2,1\n")
    proc = run_cli("exact", workdir / "bad.csv", "--out", workdir / "m2.json")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "NaN" in proc.stderr and "Traceback" not in proc.stderr
    assert not (workdir / "m2.json").exists()


# ---------------------------------------------------------------------------------- exit code 1 and warnings


def test_internal_error_is_exit_1_without_traceback(monkeypatch, workdir):
    import sparsest.commands.exact as exact_cmd

    def boom(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(exact_cmd, "run", boom)
    code, _, err = cli("exact", workdir / "good.csv")
    assert code == 1
    assert "internal error" in err and "bug" in err and "Traceback" not in err


def test_warnings_are_one_line_and_quiet_hides_them(workdir):
    dup = workdir / "dup.csv"
    dup.write_text("x,y\n0,0\n1,1\n1,1\n2,0\n")
    code, out, err = cli("exact", dup, "--json")
    assert code == 0 and json.loads(out)["n_points"] == 3
    assert err.count("\n") == 1 and "warning: " in err and "duplicate" in err
    code, out, err = cli("exact", dup, "--json", "--quiet")
    assert code == 0 and err == ""


# ------------------------------------------------------------------------------ hypothesis: malformed CSVs

_SPECIAL = st.one_of(
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1e-320", "abc", "1,5", '"3"', "0x10"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4),
)
_NUMBER = st.one_of(
    st.integers(-5, 5).map(float),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(allow_nan=False, allow_infinity=False),  # extremes: 1e308, subnormals, -0.0
)


@st.composite
def malformed_csv(draw) -> bytes:
    """A numeric table (2-3 columns, 0-7 rows, maybe a header) with 0-2 corruptions: special cells,
    ragged rows, duplicated rows, odd separators, trailing binary junk."""
    delim = draw(st.sampled_from([",", ",", ";", "\t", " "]))
    ncol = draw(st.sampled_from([2, 2, 3, 1]))
    rows = [
        [repr(v) for v in draw(st.lists(_NUMBER, min_size=ncol, max_size=ncol))]
        for _ in range(draw(st.integers(0, 7)))
    ]
    for _ in range(draw(st.integers(0, 2))):
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        what = draw(st.sampled_from(["cell", "ragged", "duplicate"]))
        if what == "cell" and rows[i]:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(_SPECIAL)
        elif what == "ragged":
            rows[i] = rows[i][: draw(st.integers(0, ncol))] + ["1"] * draw(st.integers(0, 1))
        else:
            rows.insert(i, list(rows[i]))
    header = ["x", "y", "z"][:ncol] if draw(st.booleans()) else None
    lines = ([delim.join(header)] if header else []) + [delim.join(r) for r in rows]
    text = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 14)) == 0:
        text += draw(st.binary(max_size=16))
    return text


@given(content=malformed_csv(), target=st.sampled_from([None, "y", "0", "9"]))
def test_malformed_csv_never_crashes(content, target, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "data.csv"
    path.write_bytes(content)
    for name in [c for c in ("exact", "fit") if c in COMMANDS]:
        argv = [name, path, "--json", "--out", folder / "m.json"]
        if target is not None:
            argv += ["--target", target]
        code, out, err = cli(*argv)
        event(f"{name} exit {code}")
        assert code in (0, 2), (name, code, err)
        assert "Traceback" not in err and "internal error" not in err
        lines = err.strip().splitlines()
        assert all(ln.startswith(f"sparsest {name}: ") for ln in lines), err
        assert sum(": error: " in ln for ln in lines) == (code == 2), err  # one error line, or none
        if code == 2:
            assert ": error: " in lines[-1]
            assert not (folder / "m.json").exists()
        else:
            res = json.loads(out)
            assert "max_residual" in res and (folder / "m.json").exists()
            if name == "exact":  # an exact answer is only ever reported when verified
                assert res["status"] == "optimal" and res["interpolates"] is True
            (folder / "m.json").unlink()


# ---------------------------------------------------------------------------------- exact stays light


def test_exact_does_not_import_torch(tmp_path):
    """``sparsest exact`` runs without importing torch, matplotlib or scikit-learn."""
    data = tmp_path / "d.csv"
    data.write_text(PAPER_CSV)
    code = textwrap.dedent(
        f"""
        import sys
        from sparsest.cli import main
        rc = main(["exact", {str(data)!r}, "--json", "--out", {str(tmp_path / "m.json")!r}])
        heavy = sorted(m for m in ("torch", "matplotlib", "sklearn") if m in sys.modules)
        print(f"RC={{rc}} HEAVY={{','.join(heavy)}}")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "RC=0 HEAVY=", proc.stdout


# ---------------------------------------------------------------------------------- README


def test_readme_python_api_runs_and_prints_what_it_says(tmp_path, monkeypatch, capsys):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    # the values the README's comments promise
    assert "3 [-1.   0.5  2. ] [ 1. -2.  1.]" in printed
    assert "[1.25] 3.319507910772894" in printed
    assert "True" in printed and "1.0" in printed


def test_readme_lists_every_command_and_keeps_the_ci_test_command():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text()
    for name in COMMANDS:
        assert f"`sparsest {name}" in text, f"README's command table misses {name}"
    ci = (root / ".ci" / "run").read_text()
    test_cmd = "python -m pytest -q -p no:cacheprovider tests"
    assert test_cmd in ci and f". .venv/bin/activate && {test_cmd}" in text


def test_progress_bar_goes_to_stderr_and_quiet_silences_it(capsys):
    import time

    from sparsest.commands._common import progress

    args = argparse.Namespace(quiet=False, command="test")
    with progress(args, total=2, desc="work") as bar:
        time.sleep(1.05)  # bars appear only on runs longer than a second
        bar.update(2)
    captured = capsys.readouterr()
    assert captured.out == "" and "work" in captured.err and "2/2" in captured.err
    with progress(argparse.Namespace(quiet=True), total=2, desc="work") as bar:
        assert bar.disable
        bar.update(2)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ stdout is the JSON object only


@pytest.mark.parametrize("command", ["fit", "exact"])
def test_json_stdout_is_one_object_as_subprocess_in_2d(tmp_path, command):
    """Solver libraries may print on the C-level stdout (highspy ≥ 1.16 prints a banner when a
    ``Highs`` object is built): in a real process, ``--json`` output must still parse as exactly one
    JSON object. (In-process tests cannot see this: they only capture ``sys.stdout``.)"""
    import numpy as np

    rng = np.random.default_rng(3)
    np.savez(tmp_path / "d2.npz", X=rng.uniform(-1, 1, (6, 2)), y=rng.uniform(-1, 1, 6))
    extra = ["--time-limit", "20"] if command == "exact" else ["--seed", "0"]
    proc = run_cli(command, tmp_path / "d2.npz", "--json", "--quiet", *extra, core_only=True)
    assert proc.returncode == 0, proc.stderr
    assert "HiGHS" not in proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["max_residual"] <= 1e-9 and doc["n_nonzero"] >= 6


def test_new_highs_is_silent_at_the_file_descriptor_level():
    """A fresh process (the banner is printed once per process) building a solver object through
    ``new_highs`` and solving with it writes nothing but its own print to stdout."""
    pytest.importorskip("highspy")
    code = (
        "import numpy as np\n"
        "from sparsest.exact.backends import MILPProblem, get_backend, new_highs\n"
        "new_highs()\n"
        "import scipy.sparse as sp\n"
        "p = MILPProblem(c=np.array([1.0, 1.0]), A=sp.csr_matrix([[1.0, 2.0]]), row_lo=np.array([3.0]),\n"
        "    row_hi=np.array([np.inf]), col_lo=np.zeros(2), col_hi=np.full(2, 5.0),\n"
        "    integer=np.array([True, True]))\n"
        "s = get_backend('highs').solve(p, time_limit=10)\n"
        "print(s.status, round(s.objective))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "optimal 2\n"


# ------------------------------------------------------------------ the core install (no extras)


def test_core_dependencies_hold_the_lp_engine_and_not_the_extras():
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads((SRC.parent / "pyproject.toml").read_text())["project"]
    core = {d.split(">")[0].split("=")[0].split("<")[0].strip() for d in meta["dependencies"]}
    assert "highspy" in core  # the trainer's polish and the exact d-D solver need it
    assert not core & {"onnx", "onnxruntime", "gurobipy", "pytest"}
    assert meta["optional-dependencies"]["highs"] == []  # old install commands keep working


@pytest.mark.parametrize("command", ["fit", "exact"])
def test_fit_and_exact_run_with_the_core_install_only(tmp_path, command):
    """``fit`` and ``exact`` on 1-D data in a process where the extras cannot be imported (d-D:
    ``test_json_stdout_is_one_object_as_subprocess_in_2d``; ``demo``: in test_predict_export_plot)."""
    (tmp_path / "peak.csv").write_text(PAPER_CSV)
    proc = run_cli(
        command, tmp_path / "peak.csv", "--json", "--quiet", "--out", tmp_path / "m.json", core_only=True
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["n_neurons"] == 3
    assert (tmp_path / "m.json").exists()
