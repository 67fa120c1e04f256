"""Issue 12 leftovers: ``adcli.gradcheck(..., detached="hold"|"follow")`` in Python, and
``with torch.no_grad():`` blocks inside a step held like ``detach()``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import adcli
from adcli.check.spec_checks import Options, check_paths
from tests.requires import require_torch

SPEC = """\
name: nograd-with
tensors:
  x: {data: [0.5, 1.0, 2.0], requires_grad: true}
steps:
  - y = x + 1
  - |
    with torch.no_grad():
        m = y * 3
  - out = (x * m).sum()
  - out.backward()
"""


def _f(t: object) -> object:
    return (t * t).detach() * t  # type: ignore[operator]


def _g(t: object) -> object:
    return t * (t * t).sum().item()  # type: ignore[operator]


def _x() -> adcli.Tensor:
    return adcli.tensor([0.5, 1.0, 2.0], dtype=adcli.float64, requires_grad=True)


@pytest.mark.parametrize("fn", [_f, _g])
def test_python_gradcheck_holds_by_default_and_says_so(fn: object) -> None:
    report = adcli.gradcheck(fn, (_x(),))
    assert report.ok, report.summary()
    held = [n.message for n in report.notes if n.kind == "held"]
    assert held and "held constant" in held[0]
    assert adcli.gradgradcheck(fn, (_x(),)).ok


@pytest.mark.parametrize("fn", [_f, _g])
def test_python_gradcheck_follow_sees_through(fn: object) -> None:
    report = adcli.gradcheck(fn, (_x(),), detached="follow")
    assert not report.ok
    assert not [n for n in report.notes if n.kind == "held"]
    with pytest.raises(ValueError, match="hold' or 'follow"):
        adcli.gradcheck(fn, (_x(),), detached="sometimes")


@pytest.mark.needs_torch
@pytest.mark.parametrize("fn", [_f, _g])
def test_autograd_gradcheck_follows_as_torchs_does(fn: object) -> None:
    torch = require_torch()
    xt = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    theirs = torch.autograd.gradcheck(fn, (xt,), raise_exception=False)
    ours = adcli.autograd.gradcheck(fn, (_x(),), raise_exception=False)
    assert ours == theirs is False


def test_with_no_grad_block_is_held(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text(SPEC)
    run = check_paths([str(p)])
    c = run.checks[0]
    assert c.ok, c.report.summary() if c.report else c.error
    held = [n.message for n in c.report.notes if n.kind == "held"]
    assert held and "`with torch.no_grad(): m = ...` (step 1, line 7)" in held[0]
    # analytical d(out)/dx is m = 3 (x + 1), as held; following the cut it would be 6x + 3
    run = check_paths([str(p)], Options(detached="follow"))
    c = run.checks[0]
    assert not c.ok
    cul = c.report.culprit
    assert cul.kind == "graph_cut" and (cul.step, cul.line) == (1, 7)
    worst = c.report.mismatches[0]
    x = np.array([0.5, 1.0, 2.0])
    k = worst.index[0]
    assert worst.analytical == pytest.approx(3 * (x[k] + 1))
    assert worst.numerical == pytest.approx(6 * x[k] + 3, rel=1e-6)
