"""``--html FILE`` on gradcheck and run, ``adcli graph --format svg|png`` (through CliRunner,
and real processes where PATH matters)."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from requires import require_tool
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
ROOT = Path(__file__).parents[2]
SVG = "{http://www.w3.org/2000/svg}"
NETWORK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?"""
                     r"""\s*(?:https?:)?//""", re.I)

# A uniquely named op, so registering it here cannot change what other tests see.
PLUGIN = """\
import adcli

class HtmlCube(adcli.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x ** 2

adcli.register_op("html_test_cube", HtmlCube.apply)
"""

SPEC = """\
name: cube-html
tensors:
  x: randn(3, 4, requires_grad=True)
  w: randn(4, requires_grad=True)
steps:
  - h = x * w
  - y = html_test_cube(h)
  - loss = torch.tanh(y).sum()
  - loss.backward()
gradcheck:
  - of: loss
    wrt: [x, w]
"""

GOOD = """\
name: good
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = (x * x).sum()
  - y.backward()
  - expect: {x.grad: [2.0, 4.0]}
"""


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "plugin.py").write_text(PLUGIN)
    (tmp_path / "cube.yaml").write_text(SPEC)
    (tmp_path / "good.yaml").write_text(GOOD)
    return {"plugin": tmp_path / "plugin.py", "spec": tmp_path / "cube.yaml",
            "good": tmp_path / "good.yaml", "dir": tmp_path}


def _svg_classes(text: str, tag: str) -> list[str]:
    return re.findall(rf'<{tag} class="([^"]*)"', text)


def test_gradcheck_html_of_a_failing_check(runner: CliRunner, files: dict[str, Path]) -> None:
    out = files["dir"] / "report.html"
    res = runner.invoke(app, ["gradcheck", str(files["spec"]), "--plugin", str(files["plugin"]),
                              "--html", str(out)], env={"NO_COLOR": "1"})
    assert res.exit_code == 1, res.output
    assert "FAIL" in res.stdout  # the text report is still printed
    text = out.read_text(encoding="utf-8")
    assert "g-node culprit" in text and 'data-name="HtmlCubeBackward"' in text
    # x (12 entries) and w (4) both fail against the scalar loss: 2 pairs x 3 maps.
    assert len(re.findall(r'<svg class="heatmap"', text)) == 6
    assert text.count('<svg class="sweep"') == 1
    assert not NETWORK.search(text)
    # x is 3 x 4 and the output a scalar: its maps take x's own shape.
    assert 'data-rows="3" data-cols="4"' in text


def test_html_refuses_to_overwrite_an_input_and_replaces_other_files(
        runner: CliRunner, files: dict[str, Path]) -> None:
    before = files["spec"].read_text()
    res = runner.invoke(app, ["gradcheck", str(files["spec"]), "--plugin", str(files["plugin"]),
                              "--html", str(files["spec"])])
    assert res.exit_code == 2
    assert "is an input spec; refusing to write over it" in res.stderr
    assert files["spec"].read_text() == before
    res = runner.invoke(app, ["run", str(files["good"]), "--html", str(files["good"])])
    assert res.exit_code == 2 and files["good"].read_text() == GOOD
    old = files["dir"] / "old.html"
    old.write_text("old")
    res = runner.invoke(app, ["run", str(files["good"]), "--html", str(old)])
    assert res.exit_code == 0
    assert old.read_text().startswith("<!DOCTYPE html>")
    assert not [p for p in files["dir"].iterdir() if p.name.endswith(".tmp")]
    res = runner.invoke(app, ["run", str(files["good"]), "--html", str(files["dir"])])
    assert res.exit_code == 2 and "is a folder" in res.stderr


def test_html_to_stdout(runner: CliRunner, files: dict[str, Path]) -> None:
    res = runner.invoke(app, ["run", str(files["good"]), "--html", "-"])
    assert res.exit_code == 0
    assert res.stdout.startswith("<!DOCTYPE html>") and res.stdout.rstrip().endswith("</html>")
    assert "PASS" in res.stdout and "1/1 spec passed" in res.stdout
    res = runner.invoke(app, ["run", str(files["good"]), "--html", "-", "--json"])
    assert res.exit_code == 2 and "--json already uses" in res.stderr
    res = runner.invoke(app, ["gradcheck", str(files["good"]), "--html", "-", "--junit", "-"])
    assert res.exit_code == 2


def test_run_html_keeps_the_text_and_json_output_unchanged(runner: CliRunner,
                                                           files: dict[str, Path]) -> None:
    plain = runner.invoke(app, ["run", str(files["good"]), "--json"])
    with_html = runner.invoke(app, ["run", str(files["good"]), "--json", "--html",
                                    str(files["dir"] / "r.html")])
    assert json.loads(plain.stdout) == json.loads(with_html.stdout)
    text = (files["dir"] / "r.html").read_text()
    assert text.count('class="gradfn-graph"') == 1  # the final graph, kept for the report
    plain = runner.invoke(app, ["run", str(files["good"])], env={"NO_COLOR": "1"})
    with_html = runner.invoke(app, ["run", str(files["good"]), "--html",
                                    str(files["dir"] / "r.html")], env={"NO_COLOR": "1"})
    assert plain.stdout == with_html.stdout


def test_graph_svg_draws_the_json_graph(runner: CliRunner, files: dict[str, Path]) -> None:
    args = ["graph", str(files["spec"]), "--plugin", str(files["plugin"])]
    doc = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    res = runner.invoke(app, [*args, "-f", "svg", "--highlight", "HtmlCubeBackward"])
    assert res.exit_code == 0, res.output
    root = ET.fromstring(res.stdout.split("\n", 1)[1])
    groups = {g.get("data-id"): g for g in root.iter(f"{SVG}g")}
    assert {n["id"]: n["name"] for n in doc["nodes"]} == \
        {k: g.get("data-name") for k, g in groups.items()}
    hot = [k for k, g in groups.items() if "culprit" in g.get("class", "")]
    assert [groups[k].get("data-name") for k in hot] == ["HtmlCubeBackward"]
    edges = {(p.get("data-from"), p.get("data-to")) for p in root.iter(f"{SVG}path")
             if p.get("class") == "g-edge"}
    assert edges == {(n["id"], c) for n in doc["nodes"] for c in n["next"] if c is not None}
    for n in doc["nodes"]:  # names and shapes are written in the boxes
        words = " ".join(t.text or "" for t in groups[n["id"]].iter(f"{SVG}text"))
        assert str(n["shape"]).replace(" ", "") in words.replace(" ", "")
        if n["tensor"]:
            assert n["tensor"] in words
    out = files["dir"] / "g.svg"
    res2 = runner.invoke(app, [*args, "-f", "svg", "--highlight", "HtmlCubeBackward",
                               "-o", str(out)])
    assert res2.exit_code == 0 and out.read_text() == res.stdout


def test_graph_output_needs_a_file_format(runner: CliRunner, files: dict[str, Path]) -> None:
    res = runner.invoke(app, ["graph", str(files["good"]), "-o", str(files["dir"] / "t.txt")])
    assert res.exit_code == 2 and "--output needs --format" in res.stderr
    res = runner.invoke(app, ["graph", str(files["good"]), "-f", "svg", "-o", str(files["good"])])
    assert res.exit_code == 2 and files["good"].read_text() == GOOD


@pytest.mark.needs_graphviz
@pytest.mark.slow
def test_graph_png_through_dot(files: dict[str, Path]) -> None:
    require_tool("dot")
    out = files["dir"] / "g.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "adcli", "graph", str(files["good"]), "-f", "png",
                          "-o", str(out)], capture_output=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 50 and height > 100  # a column of three boxes
    res = subprocess.run([sys.executable, "-m", "adcli", "graph", str(files["good"]), "-f", "png"],
                         capture_output=True, env=env, timeout=120)
    assert res.returncode == 0 and res.stdout == data  # stdout when it is not a terminal


@pytest.mark.slow
def test_graph_png_without_dot_is_a_clear_exit_2(files: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(files["dir"])}
    res = subprocess.run([sys.executable, "-m", "adcli", "graph", str(files["good"]), "-f", "png",
                          "-o", str(files["dir"] / "g.png")], capture_output=True, text=True,
                         env=env, timeout=120)
    assert res.returncode == 2
    assert "needs Graphviz's `dot` program, which is not installed" in res.stderr
    assert "--format svg" in res.stderr and "Traceback" not in res.stderr
    assert not (files["dir"] / "g.png").exists()
