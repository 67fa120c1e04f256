"""`adcli graph` through typer's CliRunner (and once as a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from requires import require_tool
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
ROOT = Path(__file__).parents[2]
TUTORIAL = str(ROOT / "specs" / "tutorial_backward.yaml")
PLAIN = {"NO_COLOR": "1"}

SPEC = """\
name: small
tensors:
  x: {data: [1.0, 2.0, 3.0], requires_grad: true}
  c: [2.0, 2.0, 2.0]
steps:
  - h = torch.tanh(x)
  - y = h * c + h
  - loss = y.sum()
  - loss.backward(retain_graph=True)
"""


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # newer click keeps stderr apart already
        return CliRunner()


@pytest.fixture
def spec(tmp_path: Path) -> str:
    p = tmp_path / "small.yaml"
    p.write_text(SPEC)
    return str(p)


def test_default_tree_of_last_assigned(runner: CliRunner, spec: str) -> None:
    res = runner.invoke(app, ["graph", spec], env=PLAIN)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "== small: grad_fn graph of loss",
        "n0 SumBackward0 (loss) [] float64",
        "└─ n1 AddBackward0 (y) [3]",
        "   ├─ n2 MulBackward0 [3]",
        "   │  ├─ n3 TanhBackward0 (h) [3]",
        "   │  │  └─ n4 AccumulateGrad (leaf x) [3] grad norm 1.278",
        "   │  └─ None",
        "   └─ n3 TanhBackward0 (h) [3] [shared, shown above]",
    ]
    assert "\x1b[" not in res.stdout
    assert res.stderr == ("adcli graph: graphing loss, the last tensor with a grad_fn "
                          "(choose another with --of EXPR)\n")


def test_of_depth_saved_ascii_highlight(runner: CliRunner, spec: str) -> None:
    res = runner.invoke(app, ["graph", spec, "--of", "y", "--depth", "1", "--saved", "--ascii",
                              "--highlight", "n1"], env=PLAIN)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "== small: grad_fn graph of y",
        "n0 AddBackward0 (y) [3] float64",
        "|- !! n1 MulBackward0 [3] <<< highlighted",
        "|  |  saved other [3] float64 version 0",
        "|  `- ... 2 inputs below (depth limit)",
        "`- n2 TanhBackward0 (h) [3]",
        "   |  saved result [3] float64 version 0",
        "   `- ... 1 input below (depth limit)",
    ]


def test_json_format(runner: CliRunner, spec: str) -> None:
    res = runner.invoke(app, ["graph", spec, "--format", "json"], env=PLAIN)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["root"] == "n0" and doc["name"] == "small"
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["n0"]["name"] == "SumBackward0" and nodes["n0"]["tensor"] == "loss"
    assert nodes["n2"]["next"] == ["n3", None]
    assert nodes["n4"]["name"] == "AccumulateGrad" and nodes["n4"]["tensor"] == "x"
    assert nodes["n0"]["step"] == 2


def test_dot_and_mermaid(runner: CliRunner, spec: str) -> None:
    dot = runner.invoke(app, ["graph", spec, "-f", "dot"], env=PLAIN)
    assert dot.exit_code == 0 and dot.stdout.startswith("digraph grad_fn {")
    assert "n1 -> n2 [label=\"0\"];" in dot.stdout and "n2 -> n3 [label=\"0\"];" in dot.stdout
    mm = runner.invoke(app, ["graph", spec, "-f", "mermaid"], env=PLAIN)
    assert mm.exit_code == 0 and mm.stdout.startswith("flowchart TD\n")
    assert "  n1 -->|1| n3" in mm.stdout


def test_tutorial_matches_pytorch_names(runner: CliRunner) -> None:
    res = runner.invoke(app, ["graph", TUTORIAL, "--of", "loss"], env=PLAIN)
    assert res.exit_code == 0, res.output
    out = res.stdout
    for name in ("BinaryCrossEntropyWithLogitsBackward0", "AddBackward0", "SqueezeBackward4",
                 "MmBackward0", "AccumulateGrad (leaf w)", "AccumulateGrad (leaf b)"):
        assert name in out


@pytest.mark.parametrize(("args", "code", "err"), [
    (["--format", "xml"], 2, "--format must be one of"),
    (["--of", "foo("], 2, "--of 'foo('"),
    (["--of", "undefined_name"], 2, "undefined_name"),
    (["--of", "x.shape"], 2, "not a tensor or grad_fn"),
    (["--of", "x @ ones(2)"], 1, "shape_mismatch"),
    (["--depth", "-1"], 2, ""),
])
def test_bad_arguments(runner: CliRunner, spec: str, args: list[str], code: int,
                       err: str) -> None:
    res = runner.invoke(app, ["graph", spec, *args], env=PLAIN)
    assert res.exit_code == code, res.output
    assert err in res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_invalid_and_missing_spec(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - y = = 2\n")
    res = runner.invoke(app, ["graph", str(bad)], env=PLAIN)
    assert res.exit_code == 2 and "bad.yaml:2" in res.stderr
    res = runner.invoke(app, ["graph", str(tmp_path / "missing.yaml")], env=PLAIN)
    assert res.exit_code == 2 and "missing.yaml" in res.stderr


def test_failing_step_still_shows_graph_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "fail.yaml"
    p.write_text("tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}\n"
                 "steps:\n  - y = x.exp()\n  - y.backward()\n")
    res = runner.invoke(app, ["graph", str(p)], env=PLAIN)
    assert res.exit_code == 1
    assert "nonscalar_backward" in res.stderr
    assert "n0 ExpBackward0 (y) [2] float64" in res.stdout


def test_stream_needs_name_for_machine_formats(runner: CliRunner) -> None:
    stream = str(ROOT / "specs" / "stream.yaml")
    res = runner.invoke(app, ["graph", stream, "-f", "json"], env=PLAIN)
    assert res.exit_code == 2 and "--name" in res.stderr
    res = runner.invoke(app, ["graph", stream, "-f", "json", "--name", "stream#2",
                              "--of", "a ** 3"], env=PLAIN)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["nodes"][0]["name"] == "PowBackward0"
    res = runner.invoke(app, ["graph", stream], env=PLAIN)
    assert res.exit_code == 0 and res.stdout.count("== stream") == 2
    res = runner.invoke(app, ["graph", stream, "--name", "nope"], env=PLAIN)
    assert res.exit_code == 2 and "no spec named" in res.stderr


@pytest.mark.slow
def test_graph_as_a_process(spec: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "adcli", "graph", spec, "-f", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["root"] == "n0"


def test_graph_with_plugin(runner: CliRunner, tmp_path: Path) -> None:
    spec = tmp_path / "cube.yaml"
    spec.write_text("tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}\n"
                    "steps:\n  - y = cube(x).sum()\n")
    plugin = str(ROOT / "tests" / "check" / "plugins" / "cube.py")
    res = runner.invoke(app, ["graph", str(spec), "--plugin", plugin, "--format", "json"],
                        env=PLAIN)
    assert res.exit_code == 0, res.output
    names = [n["name"] for n in json.loads(res.stdout)["nodes"]]
    assert names[:2] == ["SumBackward0", "CubeBackward"]


def test_default_is_the_last_tensor_with_a_grad_fn(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "hint.yaml"
    p.write_text("tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}\n"
                 "steps:\n  - loss = (x * 2).sum()\n  - c = torch.zeros(2)\n")
    res = runner.invoke(app, ["graph", str(p)], env=PLAIN)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "== hint: grad_fn graph of loss"
    assert res.stderr == ("adcli graph: graphing loss, the last tensor with a grad_fn "
                          "(choose another with --of EXPR)\n")


def test_default_without_any_grad_fn_is_the_last_assigned(runner: CliRunner,
                                                           tmp_path: Path) -> None:
    p = tmp_path / "nograd.yaml"
    p.write_text("steps:\n  - a = torch.ones(2)\n  - c = a * 2\n")
    res = runner.invoke(app, ["graph", str(p)], env=PLAIN)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "== nograd: grad_fn graph of c"
    assert "graphing c, the last assigned tensor (none has a grad_fn)" in res.stderr


def test_default_is_the_specs_first_gradcheck_of(runner: CliRunner) -> None:
    # The bundled MLP assigns `onehot` (no graph) after `loss`; its gradcheck checks `loss`.
    res = runner.invoke(app, ["graph", str(ROOT / "specs" / "mlp_cross_entropy.yaml")],
                        env=PLAIN)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[:2] == ["== mlp-cross-entropy: grad_fn graph of loss",
                                           "n0 NllLossBackward0 (loss) [] float64"]
    assert res.stderr == ("adcli graph: graphing loss, the spec's first gradcheck `of` "
                          "(choose another with --of EXPR)\n")


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("name", ["tutorial_backward", "linear_regression", "retain_grad",
                                  "tutorial_inplace", "broadcasting"])
def test_bundled_spec_dot_renders_with_graphviz(runner: CliRunner, name: str) -> None:
    import xml.etree.ElementTree as ET

    exe = require_tool("dot")
    path = str(ROOT / "specs" / f"{name}.yaml")
    res = runner.invoke(app, ["graph", path, "-f", "dot"], env=PLAIN)
    assert res.exit_code == 0, res.output
    doc = json.loads(runner.invoke(app, ["graph", path, "-f", "json"], env=PLAIN).stdout)
    proc = subprocess.run([exe, "-Tsvg"], input=res.stdout, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    svg = ET.fromstring(proc.stdout)
    ns = "{http://www.w3.org/2000/svg}"
    drawn = [g.findtext(f"{ns}title") for g in svg.iter(f"{ns}g") if g.get("class") == "node"]
    assert sorted(drawn) == sorted(n["id"] for n in doc["nodes"]) and len(drawn) > 1


def test_graph_json_places_unnamed_nodes_at_their_statement(runner: CliRunner,
                                                             tmp_path: Path) -> None:
    spec = tmp_path / "places.yaml"
    spec.write_text("tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}\nsteps:\n"
                    "  - y = x * 1\n"             # line 4
                    "  - y[0].mul_(x[1].exp())\n"  # line 5: CopySlices, Exp, Select
                    "  - loss = y.tanh().sum()\n")  # line 6: Sum (loss), Tanh
    res = runner.invoke(app, ["graph", str(spec), "--format", "json"])
    assert res.exit_code == 0, res.output
    nodes = {n["name"]: n for n in json.loads(res.stdout)["nodes"]}
    assert (nodes["SumBackward0"]["tensor"], nodes["SumBackward0"]["line"]) == ("loss", 6)
    assert nodes["TanhBackward0"]["line"] == 6
    assert nodes["CopySlices"]["line"] == 5 and nodes["ExpBackward0"]["line"] == 5
    assert (nodes["MulBackward0"]["tensor"], nodes["MulBackward0"]["line"]) == ("y", 4)
