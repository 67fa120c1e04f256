"""`adcli run`, `adcli validate` and `adcli schema` through typer's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fresh_process import run_adcli
from typer.testing import CliRunner

from adcli.cli import _register, app

_register()
ROOT = Path(__file__).parents[2]
TUTORIAL = str(ROOT / "specs" / "tutorial_backward.yaml")


@pytest.fixture
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # newer click keeps stderr apart already
        return CliRunner()


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_run_ok(runner: CliRunner) -> None:
    res = runner.invoke(app, ["run", TUTORIAL], env={"NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "tutorial-backward" in out and "PASS" in out
    assert "BinaryCrossEntropyWithLogitsBackward0" in out  # graph step
    assert "requires_grad" in out and "\x1b[" not in out  # leaves table, plain


def test_run_json(runner: CliRunner) -> None:
    res = runner.invoke(app, ["run", TUTORIAL, "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["ok"] is True and doc["error"] is None and doc["name"] == "tutorial-backward"
    assert doc["tensors"]["w"]["shape"] == [5, 3]
    assert isinstance(doc["tensors"]["w"]["grad"], list)
    assert doc["tensors"]["x"]["grad"] is None
    assert all({"step", "expr", "ok", "message"} <= set(e) for e in doc["expectations"])


def test_run_several_json(runner: CliRunner) -> None:
    res = runner.invoke(app, ["run", TUTORIAL, str(ROOT / "specs" / "stream.yaml"), "--json"])
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["ok"] is True and len(doc["specs"]) == 3


def test_run_expectation_fails(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "f.yaml", "steps:\n  - x = ones(2)\n  - expect: {x: [1, 3]}\n")
    res = runner.invoke(app, ["run", spec])
    assert res.exit_code == 1
    assert "wanted [1, 3]" in res.stdout and "largest difference 2" in res.stdout
    res = runner.invoke(app, ["run", spec, "--quiet"])
    assert res.exit_code == 1 and "FAIL" in res.stdout and "x = ones(2)" not in res.stdout


def test_run_undeclared_error(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "e.yaml", "steps:\n  - x = ones(2)\n  - y = x + ones(3)\n")
    res = runner.invoke(app, ["run", spec, "--json"])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["error"]["kind"] == "shape_mismatch" and doc["error"]["step"] == 1
    assert f"{spec}:3:5: step 1 failed: shape_mismatch" in res.stderr


def test_run_invalid_spec(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", "steps:\n  - x = eval('1')\n")
    res = runner.invoke(app, ["run", spec])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"{spec}:2:9: name 'eval' is not defined")
    assert res.stdout == ""
    res = runner.invoke(app, ["run", spec, "--json"])
    assert res.exit_code == 2 and json.loads(res.stdout)["error"]["kind"] == "invalid_spec"


def test_run_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "nope.yaml:1:1: no such file" in res.stderr


def test_run_max_elements(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "m.yaml", "steps:\n  - x = ones(10, 10)\n")
    assert runner.invoke(app, ["run", spec]).exit_code == 0
    res = runner.invoke(app, ["run", spec, "--max-elements", "50"])
    assert res.exit_code == 1 and "over the limit of 50" in res.stderr
    assert runner.invoke(app, ["run", spec, "--max-elements", "0"]).exit_code == 2


def test_validate(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(ROOT / "specs")])
    assert res.exit_code == 0, res.stderr
    assert "valid, 0 errors" in res.stdout
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "bad.yml", "seed: x\n")
    write(tmp_path, "good.yaml", "steps:\n  - x = ones(2)\n")
    res = runner.invoke(app, ["validate", str(tmp_path), "--json"])
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["ok"] is False and len(doc["specs"]) == 1
    assert doc["errors"][0]["line"] == 1 and doc["errors"][0]["column"] == 7
    assert "bad.yml:1:7: seed: expected integer" in res.stderr


def test_validate_does_not_run(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "r.yaml", "steps:\n  - x = ones(2) + ones(3)\n")
    assert runner.invoke(app, ["validate", spec]).exit_code == 0


def test_validate_missing(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(tmp_path / "none")])
    assert res.exit_code == 2


def test_schema(runner: CliRunner) -> None:
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["title"] == "adcli spec"


def test_bad_option_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(app, ["run", "--nope", TUTORIAL]).exit_code == 2


def test_startup_imports_are_lazy() -> None:
    code = ("import sys; import adcli.cli; from adcli.cli import _register; _register(); "
            "bad = [m for m in sys.modules if m.startswith(('adcli.engine', 'adcli.spec', "
            "'numpy', 'jsonschema', 'yaml'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT)}).stdout.strip()
    assert out == "[]"


# -- --plugin: the only way code runs (contract section 3) -------------------------------------
PLUGINS = ROOT / "tests" / "check" / "plugins"
CUBE_PLUGIN = str(PLUGINS / "cube.py")  # the contract's Cube Function, registered as "cube"
CUBE_SPEC = """\
tensors:
  x: {data: [1.0, 2.0], requires_grad: true}
steps:
  - y = cube(x).sum()
  - y.backward()
  - expect: {y: 9.0, x.grad: [3.0, 12.0]}
"""


def test_run_with_plugin(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "cube.yaml", CUBE_SPEC)
    res = runner.invoke(app, ["run", spec, "--plugin", CUBE_PLUGIN, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] is True and [e["ok"] for e in doc["expectations"]] == [True, True]
    assert doc["tensors"]["y"]["grad_fn"] == "SumBackward0"


def test_run_with_several_plugins(runner: CliRunner, tmp_path: Path) -> None:
    twice = write(tmp_path, "twice.py", "import adcli\n\n"
                  "adcli.register_op('twice_for_run_test', lambda x: x * 2)\n")
    spec = write(tmp_path, "s.yaml", CUBE_SPEC.replace("cube(x).sum()",
                                                       "twice_for_run_test(cube(x)).sum()")
                 .replace("y: 9.0, x.grad: [3.0, 12.0]", "y: 18.0, x.grad: [6.0, 24.0]"))
    res = runner.invoke(app, ["run", spec, "--plugin", CUBE_PLUGIN, "--plugin", twice])
    assert res.exit_code == 0, res.output


def test_run_broken_plugin(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "cube.yaml", CUBE_SPEC)
    res = runner.invoke(app, ["run", spec, "--plugin", str(PLUGINS / "broken.py")])
    assert res.exit_code == 2
    assert f"{PLUGINS / 'broken.py'}:6: plugin failed to import: RuntimeError" in res.stderr
    assert "Traceback" not in res.output
    syntax = write(tmp_path, "syn.py", "import adcli\n\ndef f(:\n")
    res = runner.invoke(app, ["run", spec, "--plugin", syntax])
    assert res.exit_code == 2 and f"{syntax}:3:" in res.stderr
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["run", spec, "--plugin", str(tmp_path / "missing.py")])
    assert res.exit_code == 2 and "no such file" in res.stderr


def test_validate_with_plugin(runner: CliRunner, tmp_path: Path) -> None:
    # An op name no other test registers: the registry lives as long as the process.
    plugin = write(tmp_path, "plug.py", "import adcli\n\n"
                   "adcli.register_op('halve_for_validate_test', lambda x: x / 2)\n")
    spec = write(tmp_path, "s.yaml", "tensors: {x: ones(2)}\n"
                 "steps:\n  - y = halve_for_validate_test(x)\n")
    res = runner.invoke(app, ["validate", spec])
    assert res.exit_code == 2
    assert f"{spec}:3:9: name 'halve_for_validate_test' is not defined" in res.stderr
    res = runner.invoke(app, ["validate", spec, "--plugin", plugin, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["ok"] is True
    res = runner.invoke(app, ["validate", spec, "--plugin", str(PLUGINS / "broken.py")])
    assert res.exit_code == 2 and "broken.py:6:" in res.stderr


@pytest.mark.slow
def test_plugin_in_a_real_process(tmp_path: Path) -> None:
    spec = write(tmp_path, "cube.yaml", CUBE_SPEC)

    def adcli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                              text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                        "NO_COLOR": "1"})

    res = adcli("validate", spec)
    assert res.returncode == 2 and "name 'cube' is not defined" in res.stderr
    assert adcli("validate", spec, "--plugin", CUBE_PLUGIN).returncode == 0
    res = adcli("run", spec, "--plugin", CUBE_PLUGIN)
    assert res.returncode == 0, res.stderr
    assert "PASS" in res.stdout
    res = adcli("run", spec, "--plugin", str(PLUGINS / "broken.py"))
    assert res.returncode == 2 and "broken.py:6:" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_run_internal_error_exit_3(runner: CliRunner, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import adcli.spec.interpreter as interp

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(interp, "execute", broken)
    spec = write(tmp_path, "ok.yaml", "steps:\n  - x = ones(2)\n")
    res = runner.invoke(app, ["run", spec])
    assert res.exit_code == 3
    assert "internal error" in res.stderr and "Traceback" not in res.stderr + res.stdout
    res = runner.invoke(app, ["run", spec, "--json"])
    assert res.exit_code == 3 and json.loads(res.stdout)["ok"] is False


@pytest.mark.slow
def test_run_max_memory(runner: CliRunner, tmp_path: Path) -> None:
    # In fresh processes: the limit is growth of the process's memory (see fresh_process.py).
    spec = write(tmp_path, "mem.yaml", "steps:\n  - a = ones(1000, 1000)\n" + "".join(
        f"  - a{i} = a + {i}\n" for i in range(8)))  # 8 MB per tensor
    res = run_adcli("run", spec, "--max-memory", "20")
    assert res.returncode == 1 and "more than 20 MB of memory" in res.stderr, res.stderr
    assert run_adcli("run", spec, "--max-memory", "120").returncode == 0  # 72 MB of tensors
    assert runner.invoke(app, ["run", spec, "--max-memory", "0"]).exit_code == 2


def test_run_json_refuses_a_report_too_big_to_print(tmp_path: Path) -> None:
    spec = tmp_path / "big.yaml"
    spec.write_text("tensors:\n  a: ones(300, 100, requires_grad=True)\nsteps:\n"
                    "  - b = a * 2\n  - b.sum().backward()\n")
    res = CliRunner().invoke(app, ["run", str(spec), "--json", "--max-json-elements", "50000"])
    assert res.exit_code == 2 and res.stdout == ""
    assert "90,000 numbers, over the limit of 50,000" in res.stderr
    assert "Traceback" not in res.stderr
    ok = CliRunner().invoke(app, ["run", str(spec), "--json", "--max-json-elements", "90000"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True


def test_run_shows_pytorchs_nonleaf_grad_warning(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "nonleaf.yaml", "tensors:\n  x: {data: [1.0], requires_grad: true}\n"
                 "steps:\n  - y = x * 2\n  - y.backward()\n  - print(y.grad)\n")
    res = runner.invoke(app, ["run", spec], env={"NO_COLOR": "1"})
    assert res.exit_code == 0, res.output  # a warning, not a failure
    assert "warning line 6: UserWarning: The .grad attribute of a Tensor that is not a leaf" \
        in " ".join(res.stdout.split())
    doc = json.loads(runner.invoke(app, ["run", spec, "--json"]).stdout)
    assert [(w["step"], w["line"], w["column"]) for w in doc["warnings"]] == [(2, 6, 5)]
