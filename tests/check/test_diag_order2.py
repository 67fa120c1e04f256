"""Second-order culprits (issue 12, point 3): an order-2 mutation suite of custom Functions whose
first derivative is right; each mutant's culprit is named with its kind and reason, each correct
twin passes, and torch's gradgradcheck (the oracle) fails every mutant too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import adcli
from tests.check.order2_functions import inputs, make
from tests.requires import require_torch

ROOT = Path(__file__).parents[2]
SUITE = make(adcli)


def test_the_suite_is_big_enough() -> None:
    assert len(SUITE) >= 5
    kinds = {kind for _, _, kind, _ in SUITE.values()}
    assert kinds == {"wrong_double_backward", "not_differentiable_backward"}


@pytest.mark.parametrize("name", sorted(SUITE))
def test_mutant_names_its_culprit(name: str) -> None:
    mutant, _, kind, why = SUITE[name]
    xs = inputs(adcli, mutant)
    first = adcli.gradcheck(mutant.apply, xs)
    assert first.ok, first.summary()  # the first derivative is right
    second = adcli.gradgradcheck(mutant.apply, xs)
    assert not second.ok
    c = second.culprit
    assert c is not None, second.summary()
    assert c.node == f"{mutant.__name__}Backward"
    assert c.kind == kind
    assert why in c.detail
    assert c.to_dict()["kind"] == kind


@pytest.mark.parametrize("name", sorted(SUITE))
def test_correct_twin_passes(name: str) -> None:
    _, twin, _, _ = SUITE[name]
    xs = inputs(adcli, twin)
    assert adcli.gradcheck(twin.apply, xs).ok
    report = adcli.gradgradcheck(twin.apply, xs)
    assert report.ok, report.summary()
    assert report.culprit is None


@pytest.mark.needs_torch
def test_torch_gradgradcheck_fails_every_mutant_and_passes_every_twin() -> None:
    torch = require_torch()
    for name, (mutant, twin, _, _) in make(torch).items():
        xs = inputs(torch, mutant)
        assert torch.autograd.gradcheck(mutant.apply, xs, raise_exception=False), name
        assert not torch.autograd.gradgradcheck(mutant.apply, xs, raise_exception=False), name
        ts = inputs(torch, twin)
        assert torch.autograd.gradgradcheck(twin.apply, ts, raise_exception=False), name


SPEC = """\
name: swish2
tensors:
  x: {data: [0.3, 0.7, 1.1], requires_grad: true}
steps:
  - h = x * 2
  - y = OP(h)
  - loss = y.sum()
gradcheck:
  - of: loss
    wrt: [x]
    order: 2
"""

PLUGIN = f"""\
import sys
sys.path.insert(0, {str(ROOT)!r})
import adcli
from tests.check.order2_functions import make

for name, (mutant, twin, _, _) in make(adcli).items():
    adcli.register_op(name, mutant.apply)
    adcli.register_op(name + "_twin", twin.apply)
"""


def _gradcheck(tmp_path: Path, op: str, *extra: str) -> subprocess.CompletedProcess[str]:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC.replace("OP", op))
    plugin = tmp_path / "plug.py"
    plugin.write_text(PLUGIN)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "400"}
    return subprocess.run([sys.executable, "-m", "adcli", "gradcheck", str(spec), "--plugin",
                           str(plugin), *extra], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT)


def test_spec_names_the_statement_in_text_and_json(tmp_path: Path) -> None:
    r = _gradcheck(tmp_path, "swish_saved_sigmoid")
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("culprit: SwishSavedSigmoidBackward (tensor y, step 1, line 6)" in r.stdout)
    assert "neither an input nor an output of forward" in r.stdout
    r = _gradcheck(tmp_path, "swish_saved_sigmoid", "--json")
    culprit = json.loads(r.stdout)["checks"][0]["culprit"]
    assert culprit["kind"] == "wrong_double_backward"
    assert (culprit["node"], culprit["step"], culprit["line"]) == \
        ("SwishSavedSigmoidBackward", 1, 6)
    assert culprit["statement"] == "y = swish_saved_sigmoid(h)"
    ok = _gradcheck(tmp_path, "swish_saved_sigmoid_twin")
    assert ok.returncode == 0, ok.stdout + ok.stderr
