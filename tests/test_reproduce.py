"""Reproduction commands: --quick runs produce their files; configs; CLI errors."""

from __future__ import annotations

import csv
import json

import pytest

from sparsest import reproduce as rp
from sparsest.errors import ParameterError
from sparsest.network import ReLUNetwork

PNG = b"\x89PNG\r\n\x1a\n"


def _csv_rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_fig17_quick_in_process(tmp_path, capsys):
    from conftest import cli

    out = tmp_path / "r17"
    code, stdout, stderr = cli("reproduce", "fig17", "--quick", "--out", str(out), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    files = summary["files"]
    assert set(files) == {"history", "table", "summary", "networks", "sparsity", "functions"}
    with open(files["networks"]) as fh:
        nets = json.load(fh)
    assert len(nets) == 5
    final_adam = ReLUNetwork.from_dict(nets[0]["network"])
    assert nets[0]["label"] == "Adam" and final_adam.n_active_neurons(False) == 80
    for key in ("sparsity", "functions"):
        with open(files[key], "rb") as fh:
            assert fh.read(8) == PNG
    rows = _csv_rows(files["history"])
    assert {r["label"] for r in rows} == {"Adam", "AdamW", "p=0.4", "p=0.7", "p=1.0"}
    assert {"epoch", "loss", "n_active", "n_nonzero", "lp_path_norm", "seconds", "max_residual"} <= set(
        rows[0]
    )
    by = {m["label"]: m for m in summary["methods"]}
    # Adam keeps every neuron; Algorithm 1 prunes even in a short run, p < 1 at least as much as p = 1
    assert by["Adam"]["final"] == 80
    assert by["p=0.4"]["final"] < 40 and by["p=0.4"]["final"] <= by["p=1.0"]["final"]
    assert by["p=0.4"]["paper"] == 3 and by["p=1.0"]["paper"] is None
    cert = summary["certificate"]
    assert cert["sparsest_count"] == 3 and cert["exact_knots"] == pytest.approx([-1.0, 0.5, 2.0])
    table = (out / "fig17_table.md").read_text()
    assert "| p=0.4 |" in table and "Certificate" in table and "Shortened run" in table


def test_fig20_quick_subprocess(tmp_path):
    from conftest import run_cli

    out = tmp_path / "r20"
    proc = run_cli("reproduce", "fig20", "--quick", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name in ("fig20_history.csv", "fig20_table.md", "fig20_summary.json", "fig20_sparsity.png"):
        assert (out / name).stat().st_size > 0
    assert not (out / "fig20_functions.png").exists()  # no function plot in d = 50
    assert "| p=0.4 |" in proc.stdout and "nonzeros (weights + biases)" in proc.stdout
    summary = json.loads((out / "fig20_summary.json").read_text())
    assert summary["reference"] == 20.0
    by = {m["label"]: m for m in summary["methods"]}
    assert by["Adam"]["final"] > 1000 and by["p=0.4"]["final"] < by["Adam"]["final"] / 10


def test_seeds_mean_std(tmp_path):
    from conftest import cli

    out = tmp_path / "s"
    code, stdout, stderr = cli(
        "reproduce", "fig17", "--epochs", "40", "--seeds", "2", "--out", str(out), "--quiet"
    )
    assert code == 0, stderr
    assert "±" in stdout and "over 2 seeds" in stdout
    seeds = {r["seed"] for r in _csv_rows(out / "fig17_history.csv")}
    assert seeds == {"20", "21"}


def test_bad_out_is_a_clean_error(tmp_path):
    from conftest import cli

    f = tmp_path / "file.txt"
    f.write_text("x")
    code, _, stderr = cli("reproduce", "fig17", "--quick", "--out", str(f))
    assert code == 2 and "not a directory" in stderr and "Traceback" not in stderr
    assert stderr.count("\n") == 1
    code, _, stderr = cli("reproduce", "fig17", "--seeds", "0")
    assert code == 2


def test_config_overrides_and_errors():
    cfg = rp.config("fig17")
    assert (cfg.width, cfg.lam, cfg.epochs, cfg.seed, cfg.mode) == (80, 0.003, 100_000, 20, "paper")
    assert cfg.snapshots == (1, 20_000, 40_000, 60_000, 80_000, 100_000)
    q = rp.config("fig17", quick=True, seeds=3)
    assert q.quick and q.epochs < 5000 and q.seeds == 3 and q.snapshots[-1] == q.epochs
    assert rp.config("fig20").penalize_bias and rp.config("fig20").count == "n_nonzero"
    with pytest.raises(ParameterError, match="figure"):
        rp.config("fig99")
    with pytest.raises(ParameterError, match="unknown figure setting"):
        rp.config("fig17", colour="red")
