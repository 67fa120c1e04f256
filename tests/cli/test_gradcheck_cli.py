"""`adcli gradcheck` through typer's CliRunner: text, --json (schema), --junit, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
ROOT = Path(__file__).parents[2]
PLUGINS = ROOT / "tests" / "check" / "plugins"

NUM = {"type": ["number", "null"]}
GRADCHECK_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["ok", "checks", "errors"],
    "properties": {
        "ok": {"type": "boolean"},
        "checks": {"type": "array", "items": {
            "type": "object",
            "required": ["spec", "name", "of", "wrt", "ok", "max_abs_error", "max_rel_error",
                         "culprit", "mismatches"],
            "properties": {
                "spec": {"type": "string"}, "name": {"type": "string"},
                "of": {"type": "string"},
                "wrt": {"type": "array", "items": {"type": "string"}},
                "ok": {"type": "boolean"},
                "max_abs_error": NUM, "max_rel_error": NUM,
                "culprit": {"oneOf": [{"type": "null"}, {
                    "type": "object", "required": ["node", "step", "line"],
                    "properties": {"node": {"type": "string"},
                                   "step": {"type": ["integer", "null"]},
                                   "line": {"type": ["integer", "null"]}}}]},
                "mismatches": {"type": "array", "items": {
                    "type": "object",
                    "required": ["input", "index", "output_index", "analytical", "numerical"],
                    "properties": {
                        "input": {"type": "string"},
                        "index": {"type": "array", "items": {"type": "integer"}},
                        "output_index": {"type": "array", "items": {"type": "integer"}},
                        "analytical": NUM, "numerical": NUM}}},
            }}},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["spec", "kind", "message", "line", "column"],
            "properties": {"spec": {"type": "string"}, "kind": {"type": "string"},
                           "message": {"type": "string"}, "line": {"type": "integer"},
                           "column": {"type": "integer"}}}},
    },
}

MUTANT_SPEC = """\
name: bad-cube
tensors:
  x: {data: [0.5, -1.0, 2.0], requires_grad: true}
steps:
  - y = x * 2
  - z = cube_wrong_coefficient(y)
  - loss = z.sum()
  - loss.backward()
"""


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(app, ["gradcheck", *args], env={"NO_COLOR": "1"})


@pytest.mark.slow
def test_bundled_specs_pass(runner: CliRunner) -> None:
    res = invoke(runner, str(ROOT / "specs"))
    assert res.exit_code == 0, res.output
    assert "PASS" in res.stdout and "FAIL" not in res.stdout and "checks passed" in res.stdout


def test_json_matches_schema_and_contract(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", MUTANT_SPEC)
    res = invoke(runner, spec, "--plugin", str(PLUGINS / "mutants.py"), "--json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)  # exactly one document, nothing else on stdout
    jsonschema.validate(doc, GRADCHECK_SCHEMA)
    (check,) = doc["checks"]
    assert doc["ok"] is False and check["ok"] is False
    assert check["culprit"]["node"] == "CubeWrongCoefficientBackward"
    assert (check["culprit"]["step"], check["culprit"]["line"]) == (1, 6)
    assert check["of"] == "loss" and check["wrt"] == ["x"] and check["mismatches"]
    m = check["mismatches"][0]
    assert m["input"] == "x" and m["output_index"] == []
    # a failed check still reports its errors (a report is falsy when it failed)
    worst = max(abs(x["analytical"] - x["numerical"]) for x in check["mismatches"])
    assert check["max_abs_error"] == pytest.approx(worst) and worst > 0.1
    assert check["max_rel_error"] > 0 and check["seconds"] > 0


def test_text_output_of_a_failure(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", MUTANT_SPEC)
    res = invoke(runner, spec, "--plugin", str(PLUGINS / "mutants.py"))
    assert res.exit_code == 1
    out = res.stdout
    assert "FAIL" in out and "analytical" in out and "numerical" in out
    assert "culprit: CubeWrongCoefficientBackward (tensor z, step 1, line 6)" in out
    # the failed check's tree, with the culprit highlighted (a mark that reads in plain text)
    assert "graph of" in out
    marked = [line for line in out.splitlines() if "<<< culprit" in line]
    assert len(marked) == 1 and "CubeWrongCoefficientBackward (z)" in marked[0]
    assert "!!" in marked[0]


def test_contract_cube_plugin(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "cube.yaml", "tensors:\n  x: randn(4, requires_grad=True)\n"
                 "steps:\n  - y = cube(x).sum()\n  - y.backward()\n")
    res = invoke(runner, spec, "--plugin", str(PLUGINS / "cube.py"))
    assert res.exit_code == 0, res.output


def test_junit_xml(runner: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", MUTANT_SPEC)
    good = write(tmp_path, "good.yaml", "tensors:\n  x: {data: [1.0, 2.0], requires_grad: "
                 "true}\ngradcheck:\n  - of: (x ** 2).sum()\n  - of: x.exp()\n")
    out = tmp_path / "report.xml"
    res = invoke(runner, bad, good, "--plugin", str(PLUGINS / "mutants.py"),
                 "--junit", str(out))
    assert res.exit_code == 1
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert len(cases) == 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and failed[0].get("classname") == bad
    failure = failed[0].find("failure")
    text = failure.text
    assert "CubeWrongCoefficientBackward" in text
    assert "max abs error" in failure.get("message") and "analytical" in text
    assert float(failed[0].get("time")) > 0


def test_expr_mode(runner: CliRunner) -> None:
    res = invoke(runner, "--expr", "(x @ w).tanh().sum()", "--input", "x=randn(3, 4)",
                 "--input", "w=[[1.0], [2.0], [0.5], [-1.0]]", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, GRADCHECK_SCHEMA)
    assert doc["checks"][0]["wrt"] == ["x", "w"]


def test_options_fast_and_order(runner: CliRunner) -> None:
    res = invoke(runner, str(ROOT / "specs" / "tutorial_backward.yaml"), "--mode", "fast",
                 "--order", "2", "--json")
    assert res.exit_code == 0, res.output
    check = json.loads(res.stdout)["checks"][0]
    assert check["mode"] == "fast" and check["order"] == 2


@pytest.mark.parametrize("args", [
    [],
    ["--expr", "x * 2"],
    ["--expr", "x +", "--input", "x=[1.0]"],
    ["--expr", "x * 2", "--input", "x"],
    ["--expr", "x * 2", "--input", "x=nosuchop(3)"],
    ["--expr", "__import__('os')", "--input", "x=[1.0]"],
    ["specs", "--mode", "slow"],
])
def test_invalid_command_lines_exit_2(runner: CliRunner, args: list[str]) -> None:
    res = invoke(runner, *args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(("args", "message"), [
    (["--input", "x=[1.0]", "--input", "x=[2.0]"], "--input x:1:1: 'x' is given more than once"),
    (["--input", "1x=[1.0]"], "--input 1x:1:1: '1x' is not a valid name"),
    (["--input", "x=open('f')"], "--input x:1:1: name 'open' is not defined"),
    (["--input", "x=randn(3"], "--input x:1:6: syntax error"),
    (["--input", "x=[[1, 2], [3]]"], "--input x:1:1: '[[1, 2], [3]]' is not a number"),
    (["--input", "x=randn(100, 100)", "--max-elements", "50"], "over the limit of 50"),
])
def test_expr_input_errors_name_the_input(runner: CliRunner, args: list[str],
                                          message: str) -> None:
    res = invoke(runner, "--expr", "x.sum()", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.output


def test_expr_max_elements_raises_the_limit(runner: CliRunner) -> None:
    res = invoke(runner, "--expr", "x.sum()", "--input", "x=randn(20, 20)", "--mode", "fast",
                 "--max-elements", "400")
    assert res.exit_code == 0, res.output
    from adcli.engine import limits

    assert limits.get_max_elements() == limits.DEFAULT_MAX_ELEMENTS  # restored afterwards


def test_fast_mode_with_a_zero_dim_leaf(runner: CliRunner) -> None:
    res = invoke(runner, str(ROOT / "specs" / "broadcasting.yaml"), "--mode", "fast", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["checks"][0]["wrt"] == ["a", "b", "c"]


class _Tty:
    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_only_on_a_terminal_and_only_after_the_delay(monkeypatch) -> None:
    import time

    from adcli.check.progress import Status
    from adcli.cli.cmd_gradcheck import _Progress

    monkeypatch.setattr("sys.stderr", _Tty())
    p = _Progress(enabled=True, delay=0.05)
    # a single check: the timer must show the bar without another call
    p(Status("start", "one long check"))
    assert p.bar is None
    deadline = time.monotonic() + 5
    while p.bar is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert p.bar is not None
    p(Status("advance", "one long check", done=3, total=10, rate=2.0, eta=3.5))
    task = p.bar.tasks[0]
    assert (task.completed, task.total) == (3, 10)
    p.close()
    quick = _Progress(enabled=True, delay=0.5)
    quick(Status("start", "quick"))
    quick.close()  # finished before the delay: never shown
    time.sleep(0.6)
    assert quick.bar is None
    monkeypatch.undo()
    off = _Progress(enabled=True, delay=0.0)  # stderr is not a terminal here
    off(Status("start", "x"))
    assert not off.tty and off.timer is None


def test_folder_without_specs_is_invalid(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = invoke(runner, str(tmp_path / "empty"), "--json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, GRADCHECK_SCHEMA)
    assert doc["errors"][0]["spec"] == str(tmp_path / "empty")


def test_invalid_spec_exit_2_with_position(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", "tensors:\n  x: [1.0]\nsteps:\n  - y = x +\n")
    res = invoke(runner, spec, "--json")
    assert res.exit_code == 2
    err = json.loads(res.stdout)["errors"][0]
    assert err["line"] == 4 and err["kind"] == "invalid_spec"


def test_broken_plugin_names_file_and_line(runner: CliRunner) -> None:
    res = invoke(runner, "specs", "--plugin", str(PLUGINS / "broken.py"))
    assert res.exit_code == 2
    assert f"{PLUGINS / 'broken.py'}:6:" in res.stderr and "Traceback" not in res.output


def test_plugin_syntax_error(runner: CliRunner, tmp_path: Path) -> None:
    p = write(tmp_path, "syn.py", "import adcli\n\ndef f(:\n")
    res = invoke(runner, "specs", "--plugin", p)
    assert res.exit_code == 2 and f"{p}:3:" in res.stderr


def test_help_lists_options(runner: CliRunner) -> None:
    res = invoke(runner, "--help")
    assert res.exit_code == 0
    for opt in ("--expr", "--input", "--eps", "--mode", "--order", "--plugin", "--junit"):
        assert opt in res.stdout


def test_failed_step_and_bad_wrt_name_where(runner: CliRunner, tmp_path: Path) -> None:
    step = write(tmp_path, "step.yaml", "tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}"
                 "\nsteps:\n  - y = (x * 2).sum()\n  - z = x @ ones(3)\ngradcheck:\n  - of: y\n")
    res = invoke(runner, step)
    assert res.exit_code == 1
    assert "d(y)  step 1 (line 5) failed: shape_mismatch" in res.stdout
    wrt = write(tmp_path, "wrt.yaml", "tensors:\n  x: {data: [1.0, 2.0], requires_grad: true}"
                "\nsteps:\n  - y = (x * 2).sum()\ngradcheck:\n  - of: y\n    wrt: [y]\n")
    res = invoke(runner, wrt, "--junit", str(tmp_path / "j.xml"))
    # a wrt that is not a floating-point leaf makes the spec invalid (contract section 5)
    assert res.exit_code == 2
    assert f"{wrt}:7:11: wrt: 'y' is not a leaf" in res.stderr
    error = ET.parse(tmp_path / "j.xml").getroot().find("testsuite/testcase/error")
    assert error is not None and error.get("message").startswith("wrt: 'y'")
