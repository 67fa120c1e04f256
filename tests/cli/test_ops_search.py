"""``adcli ops --list`` (names only) and ``adcli ops --search TEXT``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from adcli.cli import _register, app
from adcli.docs_gen import op_entries

_register()
runner = CliRunner()


def test_list_prints_every_name_once_per_line():
    res = runner.invoke(app, ["ops", "--list"])
    assert res.exit_code == 0, res.output
    names = res.stdout.splitlines()
    assert names == [e.name for e in op_entries()]
    assert {"matmul", "F.mse_loss", "Tensor.view"} <= set(names)
    assert all(" " not in n for n in names)


def test_search_matches_names_torch_names_and_grad_fns():
    res = runner.invoke(app, ["ops", "--search", "SOFTMAX", "--list"])
    assert res.exit_code == 0, res.output
    names = res.stdout.splitlines()
    assert {"softmax", "log_softmax", "F.softmax", "F.log_softmax", "Tensor.softmax"} <= set(names)
    assert "matmul" not in names
    # a grad_fn name finds the ops that record it
    res = runner.invoke(app, ["ops", "--search", "MmBackward0", "--list"])
    assert "mm" in res.stdout.splitlines() and "softmax" not in res.stdout.splitlines()


def test_search_without_list_shows_full_entries_and_json():
    res = runner.invoke(app, ["ops", "--search", "mse_loss"])
    assert res.exit_code == 0
    assert "F.mse_loss(" in res.stdout and "PyTorch: torch.nn.functional.mse_loss" in res.stdout
    doc = json.loads(runner.invoke(app, ["ops", "--search", "mse_loss", "--json"]).stdout)
    assert "F.mse_loss" in [op["name"] for op in doc["ops"]]


def test_search_with_no_match_is_exit_2_with_a_suggestion():
    res = runner.invoke(app, ["ops", "--search", "sofmax"])
    assert res.exit_code == 2 and res.stdout == ""
    assert "nothing matches 'sofmax'; did you mean" in res.stderr and "softmax" in res.stderr
