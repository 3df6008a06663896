"""Shared test fixtures and helpers.

* ``run_cli(*args)`` runs ``python -m sparsest`` as a subprocess against *this* checkout's ``src``
  (not whatever is installed), returning ``subprocess.CompletedProcess``.
* ``cli(*args)`` runs the CLI in-process and returns (exit code, stdout, stderr).
* Hypothesis runs with a fixed seed (``derandomize``) so every run tests the same cases.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: packages of the optional extras (``onnx``, ``gurobi``, ``fast``, ``dask``, ``bench``, ``test``): a core
#: install has none of them
EXTRAS_MODULES = (
    "onnx",
    "onnxruntime",
    "gurobipy",
    "numba",
    "dask",
    "distributed",
    "pwlf",
    "pytest",
    "hypothesis",
    "ruff",
)

#: ``python -c`` program: make the extras unimportable (``sys.modules[name] = None`` makes
#: ``import name`` raise ImportError, as in an install without them), then run the CLI
_CORE_ONLY = (
    "import sys\n"
    "for name in {mods!r}:\n"
    "    sys.modules[name] = None\n"
    "from sparsest.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "assert not any(sys.modules.get(m) for m in {mods!r}), 'an extra was imported'\n"
    "sys.exit(code)\n"
)


def run_cli(
    *args: str,
    cwd: str | os.PathLike | None = None,
    timeout: float = 300,
    env=None,
    core_only: bool = False,
):
    """Run ``python -m sparsest ARGS`` in a subprocess using this checkout's sources.

    ``core_only=True`` runs it with the optional extras' packages (:data:`EXTRAS_MODULES`)
    unimportable, as after ``pip install sparsest`` without extras.
    """
    e = dict(os.environ)
    e["PYTHONPATH"] = str(SRC) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.setdefault("MPLBACKEND", "Agg")
    if env:
        e.update(env)
    head = ["-c", _CORE_ONLY.format(mods=EXTRAS_MODULES)] if core_only else ["-m", "sparsest"]
    return subprocess.run(
        [sys.executable, *head, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=e,
    )


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    from sparsest.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def paper_csv(tmp_path):
    """The paper's six points as a CSV file with a header."""
    path = tmp_path / "paper.csv"
    path.write_text("x,y\n-2,0\n-1,0\n0,1\n1,1\n2,0\n3,0\n")
    return path
