"""Stop-gradients in spec gradchecks (issue 12, point 1): held by default and listed,
followed with --follow-detached / `detached: follow`, where a cut is the culprit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adcli.check.spec_checks import Options, check_paths

ROOT = Path(__file__).parents[2]

SPECS = {
    # d2l: u = y.detach(); z = u * x
    "d2l": ("""\
name: d2l-detach
tensors:
  x: {data: [0.0, 1.0, 2.0, 3.0], requires_grad: true}
steps:
  - y = x * x
  - u = y.detach()
  - z = u * x
  - z.sum().backward()
""", "u = y.detach()", 1, 6),
    # the seed's tutorial_detach, with the product the issue reports
    "seed": ("""\
name: seed-detach
tensors:
  x: ones(5)
  w: randn(5, 3, requires_grad=True)
  b: randn(3, requires_grad=True)
steps:
  - z = torch.matmul(x, w)+b
  - z_det = z.detach()
  - out = (z * z_det).sum()
  - out.backward()
""", "z_det = z.detach()", 1, 8),
    "item": ("""\
name: item
tensors:
  x: {data: [0.5, 1.0, 2.0], requires_grad: true}
steps:
  - s = (x * x).sum().item()
  - out = (x * s).sum()
  - out.backward()
""", "s = (x * x).sum().item()", 0, 5),
    "no_grad": ("""\
name: nograd
tensors:
  x: {data: [0.5, 1.0, 2.0], requires_grad: true}
steps:
  - no_grad:
      - m = x * 3
  - out = (x * m).sum()
  - out.backward()
""", "no_grad: m = ...", 0, 5),
}


def _write(tmp_path: Path, key: str, follow_key: bool = False) -> Path:
    text = SPECS[key][0]
    if follow_key:
        of = "z.sum()" if key == "d2l" else "out"
        text += f"gradcheck:\n  - of: {of}\n    detached: follow\n"
    p = tmp_path / f"{key}.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("key", sorted(SPECS))
def test_held_by_default_and_listed(tmp_path: Path, key: str) -> None:
    _, statement, step, line = SPECS[key]
    run = check_paths([str(_write(tmp_path, key))])
    (c,) = run.checks
    assert c.ok, c.to_dict()
    notes = [n.message for n in c.report.notes if n.kind == "held"]
    assert notes == [f"held constant: `{statement}` (step {step}, line {line})"]


@pytest.mark.parametrize("key", sorted(SPECS))
@pytest.mark.parametrize("how", ["option", "entry"])
def test_follow_fails_naming_the_cut(tmp_path: Path, key: str, how: str) -> None:
    _, statement, step, line = SPECS[key]
    p = _write(tmp_path, key, follow_key=how == "entry")
    run = check_paths([str(p)], Options(detached="follow") if how == "option" else None)
    (c,) = run.checks
    assert not c.ok
    cu = c.to_dict()["culprit"]
    assert (cu["kind"], cu["node"], cu["step"], cu["line"], cu["statement"]) == \
        ("graph_cut", None, step, line, statement)
    assert "path the graph does not record" in cu["detail"]


def test_cli_flag_and_text(tmp_path: Path) -> None:
    p = _write(tmp_path, "d2l")
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    ok = subprocess.run([sys.executable, "-m", "adcli", "gradcheck", str(p)],
                        capture_output=True, text=True, env=env, timeout=300)
    assert ok.returncode == 0 and "held constant: `u = y.detach()` (step 1, line 6)" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "adcli", "gradcheck", "--follow-detached",
                          "--json", str(p)], capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 1
    cu = json.loads(bad.stdout)["checks"][0]["culprit"]
    assert cu["kind"] == "graph_cut" and cu["statement"] == "u = y.detach()"


def test_follow_matches_torch_gradcheck() -> None:
    """torch.autograd.gradcheck sees through detach: the d2l function fails there too."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(lambda t: (t * t).detach() * t, (x,),
                                        raise_exception=False)


def test_culprits_have_a_kind(tmp_path: Path) -> None:
    from adcli.check.report import Culprit

    assert Culprit("MulBackward0").to_dict()["kind"] == "wrong_backward"
