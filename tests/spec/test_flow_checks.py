"""Loops and functions under gradcheck (the replay runs them like any statement), the culprit
named with its iteration or call, and the budgets that bound loops and recursion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from spec_helpers import load, run

from adcli.check.spec_checks import check_spec
from adcli.spec import budget
from adcli.spec.interpreter import replay

ROOT = Path(__file__).parents[2]
MUTANTS = ROOT / "tests" / "check" / "plugins" / "mutants.py"

LOOP_SPEC = """
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
  w: {data: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], requires_grad: true}
steps:
  - |
    def layer(h, k=1.0):
        return torch.tanh(h @ w * k)
    h = x
    for i in range(3):
        h = layer(h, k=i + 1)
        if i == 1:
            h = h * 2
    scores = [h[j] ** 2 for j in range(3)]
    loss = sum(scores)
    loss.backward()
gradcheck:
  - of: loss
  - of: layer(x, k=3.0).sum()
    wrt: [w]
"""


def test_loops_and_functions_in_gradcheck_replay() -> None:
    spec = load(LOOP_SPEC)[0]
    checks = check_spec(spec)
    assert [c.wrt for c in checks] == [["x", "w"], ["w"]]
    for c in checks:
        assert c.ok, c.to_dict()
        assert c.report is not None and c.report.max_abs_error < 1e-6
    # the replay computes what the run computed, from perturbed inputs too
    from adcli.engine.tensor import Tensor

    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    w2 = Tensor(np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]) * 1.01)
    got = replay(spec, {"x": x, "w": w2}, "loss")
    h = x._data
    for i in range(3):
        h = np.tanh(h @ w2._data * (i + 1))
        if i == 1:
            h = h * 2
    assert float(got._data) == pytest.approx(float((h ** 2).sum()), rel=1e-12)


def test_gradcheck_against_torch_for_a_loop_spec() -> None:
    torch = pytest.importorskip("torch")
    spec = load(LOOP_SPEC)[0]
    r = run(LOOP_SPEC)
    assert r.ok
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], dtype=torch.float64,
                     requires_grad=True)
    h = x
    for i in range(3):
        h = torch.tanh(h @ w * (i + 1))
        if i == 1:
            h = h * 2
    loss = sum(h[j] ** 2 for j in range(3))
    loss.backward()
    np.testing.assert_allclose(r.tensors["x"].grad, x.grad.numpy(), rtol=1e-7, atol=1e-13)
    np.testing.assert_allclose(r.tensors["w"].grad, w.grad.numpy(), rtol=1e-7, atol=1e-13)
    assert spec.name == "t"


def _gradcheck_json(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "adcli", "gradcheck", str(path), "--plugin",
                           str(MUTANTS), "--json"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_culprit_inside_a_loop_is_named_with_its_iteration(tmp_path: Path) -> None:
    doc = _gradcheck_json(tmp_path, """
    tensors:
      x: {data: [0.5, -1.0, 2.0], requires_grad: true}
    steps:
      - y = x * 2
      - |
        h = y
        for i in range(4):
            h = h * 1.1
            if i == 2:
                h = cube_wrong_coefficient(h)
        loss = h.sum()
        loss.backward()
    """)
    culprit = doc["checks"][0]["culprit"]
    assert culprit["node"] == "CubeWrongCoefficientBackward"
    assert (culprit["step"], culprit["line"]) == (1, 11)
    assert culprit["context"] == "iteration 3 of `for i in range(4)`"
    assert culprit["tensor"] == "h"


def test_culprit_inside_a_function_is_named_with_its_call(tmp_path: Path) -> None:
    doc = _gradcheck_json(tmp_path, """
    tensors:
      x: {data: [0.5, -1.0, 2.0], requires_grad: true}
    steps:
      - |
        def f(t, bad):
            u = t * 2
            if bad:
                u = cube_wrong_coefficient(u)
            return u + 1
        a = f(x, False)
        b = f(a, True)
        loss = f(b, False).sum()
        loss.backward()
    """)
    culprit = doc["checks"][0]["culprit"]
    assert culprit["node"] == "CubeWrongCoefficientBackward"
    assert (culprit["step"], culprit["line"]) == (0, 9)
    assert culprit["context"] == "call 2 of f()"


def test_a_runaway_loop_in_a_gradcheck_replay_stops() -> None:
    spec = load("""
    tensors:
      x: {data: [1.0], requires_grad: true}
    steps:
      - |
        y = x * 1
        while True:
            y = y + 0
    gradcheck:
      - of: y
    """)[0]
    started = time.monotonic()
    (c,) = check_spec(spec)
    assert time.monotonic() - started < 60  # bounded (the time is for a loaded CI machine)
    assert c.error is not None and "loop iterations, calls and operations" in c.error.message
    assert c.error.line == 8


def test_tick_budget_bounds_loops_in_process(monkeypatch) -> None:
    monkeypatch.setattr(budget, "MAX_TICKS", 500)
    r = run("""
    steps:
      - |
        n = 0
        while n >= 0:
            n += 1
    """)
    assert r.error is not None and "500" in r.error.message
    assert r.error.context is not None and r.error.context.startswith("iteration ")
    # a loop within the budget runs to the end
    r = run("""
    steps:
      - |
        n = 0
        for i in range(100):
            n += i
      - expect: {n: 4950}
    """)
    assert r.ok, r.error


def test_call_depth_is_limited_and_deep_expressions_stay_bounded() -> None:
    inner = "f(n - 1)"
    for _ in range(60):
        inner = f"-({inner})"
    r = run(f"""
    steps:
      - |
        def f(n):
            if n == 0:
                return 0
            return {inner}
        y = f({budget.MAX_CALL_DEPTH - 1})
        z = f(1000)
    """)
    # y = f(99) runs 100 nested calls; z = f(1000) fails at the 101st, located at the
    # statement inside the function, with the call it was in
    assert r.error is not None and r.error.line == 7
    assert "maximum recursion depth exceeded" in r.error.message
    assert r.error.context == "call 200 of f() (100 nested)"


def test_graph_nodes_made_in_a_loop_carry_line_and_iteration() -> None:
    from adcli.spec.interpreter import build_graph, execute
    from adcli.view.exports import graph_json

    spec = load("""
    tensors:
      x: {data: [0.5, -1.0], requires_grad: true}
    steps:
      - |
        h = x
        for i in range(3):
            h = h * 1.5
        loss = h.sum()
    """)[0]
    run_ = execute(spec, track_nodes=True)
    doc = graph_json(build_graph(run_.namespace["loss"], run_))
    muls = [n for n in doc["nodes"] if n["name"] == "MulBackward0"]
    assert [(n["tensor"], n["line"], n["context"]) for n in muls] == [
        ("h", 8, f"iteration {k} of `for i in range(3)`") for k in (3, 2, 1)]
    assert "context" not in doc["nodes"][0]  # loss: made at the top of the step
