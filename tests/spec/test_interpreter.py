"""The interpreter's public API: run reports, replay, evaluate, origins."""

from __future__ import annotations

import numpy as np
import pytest
from fresh_process import run_python
from requires import require_torch
from spec_helpers import load, run

import adcli
from adcli.spec.interpreter import StepError, execute, replay

SPEC = """
tensors:
  x: ones(5)
  y: zeros(3)
  w: randn(5, 3, requires_grad=True)
steps:
  - b = torch.randn(3, requires_grad=True)
  - z = torch.matmul(x, w) + b
  - loss = F.binary_cross_entropy_with_logits(z, y)
  - loss.backward()
  - print(loss)
  - expect: {loss.shape: []}
  - {do: loss.backward(), raises: graph_freed}
"""


def test_run_report_and_json() -> None:
    report = run(SPEC)
    assert report.ok and report.exit_code == 0
    doc = report.to_json()
    assert set(doc) >= {"spec", "name", "ok", "error", "expectations", "tensors"}
    assert doc["tensors"]["w"]["shape"] == [5, 3]
    assert doc["tensors"]["w"]["requires_grad"] is True
    assert doc["tensors"]["z"]["grad_fn"] == "AddBackward0"
    assert report.steps[4].outputs[0].startswith("tensor(")


def test_replay_overrides_leaves() -> None:
    spec = load(SPEC)[0]
    w = adcli.zeros(5, 3, dtype=adcli.float64, requires_grad=True)
    b = adcli.zeros(3, dtype=adcli.float64, requires_grad=True)
    loss = replay(spec, {"w": w, "b": b}, "loss")
    assert abs(loss.item() - 0.6931471805599453) < 1e-12  # log 2: logits are zero
    loss.backward()  # the replayed graph is fresh: backward steps were skipped
    # d loss / d z = (sigmoid(0) - 0) / 3 for each of the 3 logits; x is ones
    np.testing.assert_allclose(w.grad.numpy(), np.full((5, 3), 1 / 6), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, 1 / 6), rtol=1e-12)


@pytest.mark.needs_torch
def test_replayed_gradients_are_torchs() -> None:
    torch = require_torch()
    spec = load(SPEC)[0]
    rng = np.random.default_rng(3)
    w0, b0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    w = adcli.tensor(w0, dtype=adcli.float64, requires_grad=True)
    b = adcli.tensor(b0, dtype=adcli.float64, requires_grad=True)
    replay(spec, {"w": w, "b": b}, "loss").backward()
    tw = torch.tensor(w0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    z = torch.ones(5, dtype=torch.float64) @ tw + tb
    torch.nn.functional.binary_cross_entropy_with_logits(
        z, torch.zeros(3, dtype=torch.float64)).backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)


GRAD_READS = """
tensors:
  W: {data: [1.0, 2.0], requires_grad: true}
  x: {data: [3.0, 4.0], requires_grad: true}
steps:
  - |
    loss = (W * x).sum()
    loss.backward()
    with torch.no_grad():
        W -= 0.5 * W.grad
        z = x * 2
    x.grad.zero_()
    g = x.grad * 2
  - W.grad += 1
  - x.grad = None
  - out = (W * x).sum() + z.sum()
"""


def test_replay_skips_statements_that_read_grad() -> None:
    spec = load(GRAD_READS)[0]
    assert run(GRAD_READS).ok  # the normal run reads the grads backward made
    W = adcli.tensor([1.0, 1.0], dtype=adcli.float64, requires_grad=True)
    x = adcli.tensor([3.0, 4.0], dtype=adcli.float64, requires_grad=True)
    out = replay(spec, {"W": W, "x": x}, "out")
    # W is not updated (its update reads W.grad); z, in the same `with` block, is bound.
    assert out.item() == 7.0 + 14.0
    out.backward()
    assert W.grad.tolist() == [3.0, 4.0] and x.grad.tolist() == [1.0, 1.0]  # z: no_grad
    r = execute(spec, replay=True, overrides={"W": W, "x": x})
    assert "g" not in r.namespace and "z" in r.namespace


@pytest.mark.parametrize(("statement", "skipped"), [
    ("x.grad.zero_()", True),
    ("w -= lr * w.grad", True),
    ("w.grad += 1", True),
    ("g = torch.autograd.grad(y, x)", False),  # an op, not the attribute
    ("x.grad = None", False),  # assigns .grad, reads nothing
    ("x.requires_grad_(True)", False),
    ("y.backward()", True),
    ("print(y)", True),
    ("assert y.sum() > 0", True),
    ("with torch.no_grad():\n    w -= lr * w.grad", False),  # its body, one by one
    ("z = y * 2", False),
])
def test_replay_skips(statement: str, skipped: bool) -> None:
    from adcli.spec.language import SourceMap, default_vocabulary, parse_block, replay_skips

    bound = {"x", "y", "w", "lr"}
    (node,) = parse_block(statement, SourceMap("t.yaml"), default_vocabulary(), bound)
    assert replay_skips(node) is skipped


def test_execute_origins_and_evaluate() -> None:
    spec = load(SPEC)[0]
    r = execute(spec)
    z = r.namespace["z"]
    origin = r.origins[id(z.grad_fn)]
    assert (origin.name, origin.step, origin.line) == ("z", 1, 8)
    assert r.binding_origin["w"].step is None  # bound in the tensors section
    assert r.evaluate("w.grad.shape") == (5, 3)


def test_execute_raises_step_failure_without_report() -> None:
    spec = load("steps:\n  - x = ones(2) + ones(3)\n")[0]
    with pytest.raises(StepError) as info:
        execute(spec)
    assert info.value.kind == "shape_mismatch" and info.value.line == 2


def test_undeclared_error_stops_run() -> None:
    report = run("steps:\n  - x = ones(2)\n  - x.sum().backward()\n  - y = 1\n")
    assert not report.ok and report.exit_code == 1
    assert report.error.kind == "no_grad_fn" and report.error.step == 1
    assert len(report.steps) == 2


@pytest.mark.parametrize(("wanted", "ok"), [
    ("[1, 1]", True), ("1", True), ("[1, 1, 1]", False), ("2", False), ("null", False),
    ("AddBackward0", False), ("true", True),
])
def test_expect_values(wanted: str, ok: bool) -> None:
    report = run(f"steps:\n  - x = ones(2)\n  - expect: {{x: {wanted}}}\n")
    assert report.ok is ok
    if not ok:
        assert report.expectations[0].message.startswith(("wanted", "shape mismatch"))


def test_expect_failure_reports_difference() -> None:
    report = run("steps:\n  - x = torch.tensor([1.0, 2.0])\n  - expect: {x: [1.0, 2.5]}\n")
    exp = report.expectations[0]
    assert not exp.ok and exp.max_diff == 0.5 and "largest difference 0.5" in exp.message


def test_raises_step_outcomes() -> None:
    report = run("steps:\n  - {do: 'x = 1', raises: graph_freed}\n"
                 "  - {do: 'y = ones(2) + ones(3)', raises: graph_freed}\n"
                 "  - {do: 'y = ones(2) + ones(3)', raises: shape_mismatch, match: nomatch}\n")
    msgs = [e.message for e in report.expectations]
    assert not report.ok and report.error is None
    assert "succeeded" in msgs[0] and "got shape_mismatch" in msgs[1] and "match" in msgs[2]


def test_state_restored() -> None:
    from adcli.engine import dtypes, grad_mode, limits

    before = (dtypes.get_default_dtype(), limits.get_max_elements())
    run("dtype: float64\nsteps:\n  - |\n    with torch.no_grad():\n        x = ones(2) + ones(3)\n")
    assert (dtypes.get_default_dtype(), limits.get_max_elements()) == before
    assert grad_mode.is_grad_enabled()


def test_graph_step() -> None:
    report = run("tensors: {a: {data: [1.0], requires_grad: true}}\n"
                 "steps:\n  - b = a * 2\n  - c = b + a\n  - graph: c\n")
    g = report.steps[-1].graph
    root = g.nodes[g.root]
    assert root.name == "AddBackward0" and root.tensor == "c"
    first, second = (g.nodes[i] for i in root.next)
    assert first.name == "MulBackward0" and first.tensor == "b"
    assert second.name == "AccumulateGrad" and second.tensor == "a"


def test_work_budget_stops_long_runs() -> None:
    from adcli.spec.interpreter import run_spec

    text = "steps:\n  - a = ones(100)\n" + "  - b = a * 2\n" * 60
    report = run_spec(load(text)[0], max_elements=100)  # budget: 50 * 100 elements
    assert not report.ok and report.error.kind == "invalid_argument"
    assert "tensor elements in total" in report.error.message
    assert report.error.step == 50  # 100 elements per step (steps count from 0)
    assert run_spec(load(text)[0], max_elements=1000).ok


_MEMORY_BUDGET = """
import json, sys
from adcli.spec.interpreter import run_spec
from adcli.spec.loader import load_specs

out = []
for limit in (40 * 2**20, None):
    r = run_spec(load_specs("t.yaml", text=sys.argv[1])[0], max_memory=limit)
    out.append([r.ok, r.error.step if r.error else None, r.error.message if r.error else ""])
print(json.dumps(out))
"""


@pytest.mark.slow
def test_memory_budget_stops_big_runs() -> None:
    # In a fresh process: the budget is growth of the process's memory (see fresh_process.py).
    text = "steps:\n  - a0 = ones(1000, 1000)\n" + "".join(
        f"  - a{i} = a{i - 1} + 1\n" for i in range(1, 12))  # 8 MB per tensor
    (ok, step, message), unlimited = run_python(_MEMORY_BUDGET, text)
    assert not ok and "more than 40 MB of memory" in message
    assert 4 <= step <= 8
    assert unlimited == [True, None, ""]


def test_rebinding_frees_the_old_tensor() -> None:
    # The origin records hold tensors weakly: a run must not keep every tensor it bound.
    import gc
    import weakref

    spec = load("tensors: {x: {data: [1.0], requires_grad: true}}\n"
                "steps:\n  - b = x * 2\n  - c = b\n  - b = x * 3\n  - c = b\n")[0]
    run_ = execute(spec)
    gc.collect()
    alive = [o for o in run_.origins.values() if o.node is not None]
    assert [(o.name, o.step) for o in alive] == [("c", 3)]  # the first b's graph is gone
    assert alive[0].node is run_.namespace["b"].grad_fn
    ref = weakref.ref(run_.namespace["b"])
    assert ref() is not None


def test_tolist_refused_for_huge_tensors() -> None:
    report = run("steps:\n  - a = ones(1000001)\n  - b = a.tolist()\n")
    assert not report.ok and "tolist()" in report.error.message
    assert run("steps:\n  - b = ones(3).tolist()\n  - expect: {b: [1, 1, 1]}\n").ok


NONLEAF_GRAD = """
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - |
    y = x * 2
    y.sum().backward()
    g = x.grad
  - print: [y.grad]
  - no_grad:
      - {expect: {y.grad: null}}
  - |
    y.retain_grad()
    h = y.grad
"""


def test_reading_grad_of_a_non_leaf_warns_as_pytorch() -> None:
    from adcli.spec.interpreter import NONLEAF_GRAD_WARNING

    report = run(NONLEAF_GRAD)
    assert report.ok
    warned = [(w.step, w.line) for w in report.warnings()]
    # the print (line 9) and the nested expect (line 11) warn; step 0 reads a leaf's grad and
    # step 3 reads y.grad after retain_grad(): neither warns
    assert warned == [(1, 9), (2, 11)]
    assert report.steps[2].children[0].warnings[0].message == NONLEAF_GRAD_WARNING
    doc = report.to_json()["warnings"]
    assert [(w["step"], w["line"]) for w in doc] == warned
    assert doc[0]["message"].startswith("The .grad attribute of a Tensor that is not a leaf")


@pytest.mark.needs_torch
def test_the_warning_text_is_pytorchs() -> None:
    torch = require_torch()
    import warnings

    from adcli.spec.interpreter import NONLEAF_GRAD_WARNING

    y = torch.ones(2, requires_grad=True) * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
    assert str(caught[0].message).startswith(NONLEAF_GRAD_WARNING)
