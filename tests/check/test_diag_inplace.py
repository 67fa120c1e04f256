"""In-place errors name both places (issue 12, point 2): the statement that saved the tensor
(``saved_by``) and the one that modified it (``modified_at``), in text, JSON and the graph view;
the Python API keeps torch's message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.requires import require_torch

ROOT = Path(__file__).parents[2]

SPEC = """\
name: ip
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - a = x.sigmoid()
  - b = a + 1
  - |
    for i in range(2):
        b = b * 2
    a.mul_(2)
  - a.sum().backward()
"""

# A saved input (not an output) changed under no_grad, inside a loop iteration.
SPEC_INPUT = """\
name: ip-input
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
  w: {data: [1.0, 2.0, 3.0]}
steps:
  - y = x * w
  - |
    with torch.no_grad():
        for k in range(1):
            w.add_(1)
  - y.sum().backward()
"""


def _adcli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "400"}
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                          text=True, env=env, timeout=120, cwd=ROOT)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    p = tmp_path / "ip.yaml"
    p.write_text(SPEC)
    return p


def test_text_names_both_statements_and_replaces_torchs_hint(spec: Path) -> None:
    r = _adcli("run", str(spec))
    assert r.returncode == 1, r.stderr
    out = r.stdout + r.stderr
    assert "saved for SigmoidBackward0 by `a = x.sigmoid()` (step 0, line 5)" in out
    assert "modified by `a.mul_(2)` (step 2, line 10)" in out
    assert "enable anomaly detection" not in out
    assert "clone()" in out


def test_json_error_has_saved_by_and_modified_at(spec: Path) -> None:
    r = _adcli("run", str(spec), "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    docs = doc.get("specs", [doc])
    err = docs[0]["error"]
    assert err["kind"] == "inplace_modified"
    assert err["saved_by"] == {"step": 0, "line": 5, "statement": "a = x.sigmoid()"}
    assert err["modified_at"] == {"step": 2, "line": 10, "statement": "a.mul_(2)"}


def test_saved_input_modified_in_a_loop(tmp_path: Path) -> None:
    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs

    p = tmp_path / "w.yaml"
    p.write_text(SPEC_INPUT)
    report = run_spec(load_specs(str(p))[0])
    err = report.error
    assert err is not None and err.kind == "inplace_modified"
    assert err.saved_by == {"step": 0, "line": 6, "statement": "y = x * w"}
    assert err.modified_at == {"step": 1, "line": 10, "statement": "w.add_(1)"}


def test_graph_view_marks_the_node(spec: Path) -> None:
    r = _adcli("graph", str(spec), "--of", "a")
    assert r.returncode == 1
    marked = [ln for ln in r.stdout.splitlines() if "!!" in ln]
    assert len(marked) == 1, r.stdout
    assert "SigmoidBackward0" in marked[0] and "modified by `a.mul_(2)` (line 10)" in marked[0]
    dot = _adcli("graph", str(spec), "--of", "a", "--format", "dot").stdout
    sig = [ln for ln in dot.splitlines() if "SigmoidBackward0" in ln]
    assert sig and "#dc2626" in sig[0]
    doc = json.loads(_adcli("graph", str(spec), "--of", "a", "--format", "json").stdout)
    names = {n["id"]: n["name"] for n in doc["nodes"]}
    [(nid, note)] = doc["highlight"].items()
    assert names[nid] == "SigmoidBackward0" and "modified by `a.mul_(2)`" in note


def test_declared_inplace_error_still_passes(spec: Path) -> None:
    r = _adcli("run", str(ROOT / "specs" / "tutorial_inplace.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr


def _inplace_failure(lib: object, anomaly: bool) -> tuple[str, list[str]]:
    T = lib
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)  # type: ignore[attr-defined]
    prev = T.is_anomaly_enabled()  # type: ignore[attr-defined]
    T.autograd.set_detect_anomaly(anomaly)  # type: ignore[attr-defined]
    try:
        y = x.sigmoid()
        y.mul_(2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as exc:
                y.sum().backward()
    finally:
        T.autograd.set_detect_anomaly(prev)  # type: ignore[attr-defined]
    return str(exc.value), [str(w.message) for w in caught]


@pytest.mark.needs_torch
@pytest.mark.parametrize("anomaly", [False, True])
def test_python_api_message_is_torchs(anomaly: bool) -> None:
    import adcli

    torch = require_torch()
    ours, our_warnings = _inplace_failure(adcli, anomaly)
    theirs, their_warnings = _inplace_failure(torch, anomaly)
    assert ours == theirs
    assert "saved for" not in ours
    if anomaly:  # both name the line that created the node (y = x.sigmoid())
        ours_w = [w for w in our_warnings if "Error detected in SigmoidBackward0" in w]
        theirs_w = [w for w in their_warnings if "Error detected in SigmoidBackward0" in w]
        assert ours_w and theirs_w
        assert "y = x.sigmoid()" in ours_w[0] and "y = x.sigmoid()" in theirs_w[0]
    else:
        assert not [w for w in our_warnings if "Error detected" in w]


SPEC_FUNCTION = """\
name: ip-fn
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - |
    def scale(t):
        t.mul_(2)
        return t
  - a = x.exp()
  - b = scale(a)
  - b.sum().backward()
"""


def test_modified_inside_a_function_names_the_body_line(tmp_path: Path) -> None:
    from adcli.spec.interpreter import run_spec
    from adcli.spec.loader import load_specs

    p = tmp_path / "f.yaml"
    p.write_text(SPEC_FUNCTION)
    err = run_spec(load_specs(str(p))[0]).error
    assert err is not None and err.kind == "inplace_modified"
    assert err.saved_by == {"step": 1, "line": 9, "statement": "a = x.exp()"}
    # called by step 2; the write is line 7 of the function's body
    assert err.modified_at == {"step": 2, "line": 7, "statement": "t.mul_(2)"}


@pytest.mark.needs_torch
def test_torch_engine_spec_output_has_adclis_hint(spec: Path) -> None:
    require_torch()
    r = _adcli("run", str(spec), "--engine", "torch")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "modified by an inplace operation" in r.stdout
    assert "enable anomaly detection" not in r.stdout and "clone()" in r.stdout
